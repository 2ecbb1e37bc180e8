//! Russian formatting: dates, numbers, plural forms.

use chrono::NaiveDate;

/// A date as Russians write it: `DD.MM.YYYY`.
pub fn ru_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// The plural form of a noun that agrees with `n`: `one` for 1, 21, 101…;
/// `few` for 2–4, 22–24…; `many` for 0, 5–20, 25–30…
pub fn ru_plural_word<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    domain::words::plural_word(n, one, few, many)
}

/// A count with its noun: «1 школа», «2 школы», «5 школ», «12 345 школ».
pub fn ru_plural(n: u64, one: &str, few: &str, many: &str) -> String {
    format!("{} {}", ru_number(n), ru_plural_word(n, one, few, many))
}

/// A whole number with digit groups separated by a no-break space, as
/// Russian typography does for numbers of five digits and more: «12 345».
pub fn ru_number(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() <= 4 {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A length of service in years: «1 год», «3 года», «12 лет», «2,5 года».
/// Fractional years are rounded to one decimal; a negative or non-finite
/// value (a data error) shows as «—».
pub fn ru_years(years: f64) -> String {
    if !years.is_finite() || years < 0.0 {
        return "—".to_string();
    }
    let rounded = (years * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        ru_plural(rounded as u64, "год", "года", "лет")
    } else {
        // A fraction takes the genitive singular: «2,5 года», «0,5 года».
        format!("{:.1} года", rounded).replace('.', ",")
    }
}

/// The time left as a teacher reads it: «Осталось 43 мин», «Осталось 1 ч
/// 5 мин», «Осталось меньше минуты», «Время вышло». Whole minutes are
/// rounded down, so the text never promises more time than there is.
pub fn ru_time_left(secs: i64) -> String {
    if secs <= 0 {
        return "Время вышло".to_string();
    }
    if secs < 60 {
        return "Осталось меньше минуты".to_string();
    }
    let minutes = secs / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("Осталось {m} мин"),
        (h, 0) => format!("Осталось {h} ч"),
        (h, m) => format!("Осталось {h} ч {m} мин"),
    }
}

/// A text shortened to at most `max_chars` characters for a list: white
/// space collapsed, cut at a word boundary where one is near, with «…».
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    if max_chars == 0 {
        return String::new();
    }
    let cut: String = flat.chars().take(max_chars - 1).collect();
    // Prefer a word boundary in the last fifth of the kept text.
    let keep = match cut.rfind(' ') {
        Some(at) if cut[..at].chars().count() * 5 >= (max_chars - 1) * 4 => &cut[..at],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        keep.trim_end_matches([' ', ',', ';', ':', '.', '—', '-'])
    )
}

/// The Russian name of an item kind (`single`…), or the text as given when
/// it is not a kind's name (e.g. already Russian).
pub fn kind_title(kind: &str) -> &str {
    match kind {
        "single" => "выбор одного ответа",
        "multiple" => "выбор нескольких ответов",
        "matching" => "установление соответствия",
        "ordering" => "установление последовательности",
        "numeric" => "числовой ответ",
        "text" => "краткий ответ",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_day_month_year() {
        let d = NaiveDate::from_ymd_opt(2024, 9, 1).unwrap();
        assert_eq!(ru_date(d), "01.09.2024");
        let d = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert_eq!(ru_date(d), "31.12.1999");
    }

    #[test]
    fn plurals_follow_russian_rules() {
        let f = |n| ru_plural(n, "школа", "школы", "школ");
        assert_eq!(f(0), "0 школ");
        assert_eq!(f(1), "1 школа");
        assert_eq!(f(2), "2 школы");
        assert_eq!(f(4), "4 школы");
        assert_eq!(f(5), "5 школ");
        assert_eq!(f(11), "11 школ");
        assert_eq!(f(12), "12 школ");
        assert_eq!(f(14), "14 школ");
        assert_eq!(f(21), "21 школа");
        assert_eq!(f(22), "22 школы");
        assert_eq!(f(25), "25 школ");
        assert_eq!(f(101), "101 школа");
        assert_eq!(f(111), "111 школ");
        assert_eq!(f(112), "112 школ");
        assert_eq!(f(1000), "1000 школ");
        assert_eq!(f(12_341), "12\u{a0}341 школа");
    }

    #[test]
    fn numbers_group_from_five_digits() {
        assert_eq!(ru_number(0), "0");
        assert_eq!(ru_number(9999), "9999");
        assert_eq!(ru_number(10_000), "10\u{a0}000");
        assert_eq!(ru_number(123_456), "123\u{a0}456");
        assert_eq!(ru_number(1_234_567), "1\u{a0}234\u{a0}567");
    }

    #[test]
    fn years_of_service() {
        assert_eq!(ru_years(1.0), "1 год");
        assert_eq!(ru_years(3.0), "3 года");
        assert_eq!(ru_years(12.0), "12 лет");
        assert_eq!(ru_years(21.0), "21 год");
        assert_eq!(ru_years(2.5), "2,5 года");
        assert_eq!(ru_years(0.25), "0,3 года");
        assert_eq!(ru_years(4.96), "5 лет");
        assert_eq!(ru_years(-1.0), "—");
        assert_eq!(ru_years(f64::NAN), "—");
    }

    #[test]
    fn time_left() {
        assert_eq!(ru_time_left(0), "Время вышло");
        assert_eq!(ru_time_left(-5), "Время вышло");
        assert_eq!(ru_time_left(59), "Осталось меньше минуты");
        assert_eq!(ru_time_left(43 * 60 + 59), "Осталось 43 мин");
        assert_eq!(ru_time_left(3600), "Осталось 1 ч");
        assert_eq!(ru_time_left(3600 + 5 * 60), "Осталось 1 ч 5 мин");
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("  Короткий\n текст ", 120), "Короткий текст");
        let long = "слово ".repeat(40);
        let e = excerpt(&long, 120);
        assert!(e.chars().count() <= 120, "{e}");
        assert!(e.ends_with("слово…"), "{e}");
        let e = excerpt(&"я".repeat(200), 10);
        assert_eq!(e, format!("{}…", "я".repeat(9)));
        assert_eq!(excerpt("абв", 0), "");
    }

    #[test]
    fn kinds_in_russian() {
        assert_eq!(kind_title("single"), "выбор одного ответа");
        assert_eq!(kind_title("своё"), "своё");
    }
}

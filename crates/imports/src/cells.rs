//! Cells to values, every wrong cell recorded as a [`RowError`].
//!
//! Each reader answers `None` when the column is absent from the file (the
//! stored value stays) or when the cell is wrong (the error is recorded and
//! the whole import fails, so the value does not matter). Optional values
//! come as `Some(None)` when the cell is empty.

use chrono::NaiveDate;
use domain::ParseError;

use crate::RowError;
use crate::columns::Columns;
use crate::read::Record;

pub(crate) struct Sheet<'a> {
    pub file: &'a str,
    pub cols: Columns,
    pub errors: Vec<RowError>,
}

impl<'a> Sheet<'a> {
    pub fn new(file: &'a str, cols: Columns) -> Self {
        Sheet {
            file,
            cols,
            errors: Vec::new(),
        }
    }

    /// The cell's text; `None` when the file has no such column.
    pub fn raw<'r>(&self, rec: &'r Record, col: usize) -> Option<&'r str> {
        let pos = self.cols.position(col)?;
        Some(rec.cells.get(pos).map(String::as_str).unwrap_or(""))
    }

    /// Records an error in `col` of `rec`.
    pub fn error(&mut self, rec: &Record, col: usize, message: impl Into<String>, value: &str) {
        let column = self.cols.label(col).to_string();
        self.errors.push(RowError {
            file: self.file.to_string(),
            row: rec.row,
            column,
            message: message.into(),
            value: (!value.is_empty()).then(|| value.to_string()),
        });
    }

    /// A text that must not be empty.
    pub fn required_text(&mut self, rec: &Record, col: usize) -> Option<String> {
        let v = self.raw(rec, col)?;
        if v.is_empty() {
            let spec = self.cols.spec(col);
            self.error(
                rec,
                col,
                format!(
                    "не заполнено обязательное поле {} [{}]",
                    spec.name, spec.alias
                ),
                "",
            );
            return None;
        }
        Some(v.to_string())
    }

    /// An optional text: an empty cell clears it.
    pub fn optional_text(&mut self, rec: &Record, col: usize) -> Option<Option<String>> {
        let v = self.raw(rec, col)?;
        Some((!v.is_empty()).then(|| v.to_string()))
    }

    /// A value parsed by `parse`; an empty cell gives `Some(None)`.
    pub fn parsed<T>(
        &mut self,
        rec: &Record,
        col: usize,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<Option<T>> {
        let v = self.raw(rec, col)?;
        if v.is_empty() {
            return Some(None);
        }
        match parse(v) {
            Ok(t) => Some(Some(t)),
            Err(e) => {
                self.error(rec, col, e.0, v);
                None
            }
        }
    }

    /// A value that must be there and parse.
    pub fn required<T>(
        &mut self,
        rec: &Record,
        col: usize,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        match self.parsed(rec, col, parse)? {
            Some(t) => Some(t),
            None => {
                self.required_text(rec, col);
                None
            }
        }
    }

    /// A yes/no cell; an empty cell is `empty`.
    pub fn boolean(&mut self, rec: &Record, col: usize, empty: bool) -> Option<bool> {
        self.parsed(rec, col, parse_bool)
            .map(|v| v.unwrap_or(empty))
    }

    /// A `|`-separated list of values parsed by `parse`, each wrong item
    /// reported; an empty cell is an empty list.
    pub fn list<T>(
        &mut self,
        rec: &Record,
        col: usize,
        mut parse: impl FnMut(&str) -> Result<T, ParseError>,
    ) -> Option<Vec<T>> {
        let v = self.raw(rec, col)?;
        let mut out = Vec::new();
        let mut ok = true;
        for item in domain::directory::split_list(v) {
            match parse(&item) {
                Ok(t) => out.push(t),
                Err(e) => {
                    self.error(rec, col, e.0, &item);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

fn bad(message: &str) -> ParseError {
    ParseError(message.to_string())
}

pub(crate) fn parse_bool(v: &str) -> Result<bool, ParseError> {
    match v.trim().to_lowercase().as_str() {
        "true" | "yes" | "да" | "1" => Ok(true),
        "false" | "no" | "нет" | "0" => Ok(false),
        _ => Err(bad(
            "ожидается да или нет (true/false, yes/no, да/нет, 1/0)",
        )),
    }
}

/// `YYYY-MM-DD` or `DD.MM.YYYY` (day and month may have one digit), with
/// an optional midnight time after a space (`01.09.2024 0:00`, as Excel
/// writes dates into CSV).
pub(crate) fn parse_date(v: &str) -> Result<NaiveDate, ParseError> {
    let wrong = || bad("дата должна быть в формате ГГГГ-ММ-ДД или ДД.ММ.ГГГГ");
    let v = v.trim();
    let (date, time) = match v.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (v, None),
    };
    if let Some(t) = time
        && !t
            .split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b == b'0'))
    {
        return Err(wrong());
    }
    let digits = |s: &str, min: usize, max: usize| -> Option<u32> {
        (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let parts: Vec<&str>;
    let (y, m, d) = if date.contains('-') {
        parts = date.split('-').collect();
        match parts.as_slice() {
            [y, m, d] => (digits(y, 4, 4), digits(m, 2, 2), digits(d, 2, 2)),
            _ => return Err(wrong()),
        }
    } else {
        parts = date.split('.').collect();
        match parts.as_slice() {
            [d, m, y] => (digits(y, 4, 4), digits(m, 1, 2), digits(d, 1, 2)),
            _ => return Err(wrong()),
        }
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(wrong());
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| bad("такой даты нет в календаре"))
}

/// A decimal number with `.` or `,`; must not be negative.
pub(crate) fn parse_non_negative_decimal(v: &str) -> Result<f64, ParseError> {
    let s = v.trim().replace(',', ".");
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+');
    match s.parse::<f64>() {
        Ok(f) if ok && f.is_finite() && f >= 0.0 => Ok(if f == 0.0 { 0.0 } else { f }),
        Ok(f) if ok && f.is_finite() => Err(bad("число не может быть отрицательным")),
        _ => Err(bad("ожидается число (например, 12 или 2,5)")),
    }
}

/// A whole number ≥ 0.
pub(crate) fn parse_count(v: &str) -> Result<u32, ParseError> {
    let s = v.trim();
    if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
        s.parse::<u32>().map_err(|_| bad("слишком большое число"))
    } else {
        Err(bad("ожидается целое неотрицательное число"))
    }
}

/// A code made comparable: upper case, Cyrillic letters that look like
/// Latin ones (`К1` typed on a Russian keyboard) as those Latin letters.
pub(crate) fn comparable_code(code: &str) -> String {
    code.trim()
        .to_uppercase()
        .chars()
        .map(|c| match c {
            'А' => 'A',
            'В' => 'B',
            'Е' => 'E',
            'К' => 'K',
            'М' => 'M',
            'Н' => 'H',
            'О' => 'O',
            'Р' => 'P',
            'С' => 'C',
            'Т' => 'T',
            'У' => 'Y',
            'Х' => 'X',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn booleans_in_three_languages() {
        for t in ["true", "YES", "Да", "1"] {
            assert!(parse_bool(t).unwrap());
        }
        for f in ["False", "no", "НЕТ", "0"] {
            assert!(!parse_bool(f).unwrap());
        }
        assert!(parse_bool("может быть").is_err());
    }

    #[test]
    fn dates_in_both_forms() {
        assert_eq!(parse_date("2024-09-01").unwrap(), date(2024, 9, 1));
        assert_eq!(parse_date("01.09.2024").unwrap(), date(2024, 9, 1));
        assert_eq!(parse_date("1.9.2024").unwrap(), date(2024, 9, 1));
        assert_eq!(parse_date("01.09.2024 0:00").unwrap(), date(2024, 9, 1));
        assert_eq!(parse_date("2024-09-01T00:00:00").unwrap(), date(2024, 9, 1));
        assert!(parse_date("01.09.24").is_err());
        assert!(parse_date("2024-9-1").is_err());
        assert!(
            parse_date("31.02.2024")
                .unwrap_err()
                .0
                .contains("календаре")
        );
        assert!(parse_date("01.09.2024 12:30").is_err());
        assert!(parse_date("сентябрь").is_err());
    }

    #[test]
    fn decimals_take_commas() {
        assert_eq!(parse_non_negative_decimal("2,5").unwrap(), 2.5);
        assert_eq!(parse_non_negative_decimal("12").unwrap(), 12.0);
        assert!(
            parse_non_negative_decimal("-1")
                .unwrap_err()
                .0
                .contains("отрицательным")
        );
        assert!(parse_non_negative_decimal("inf").is_err());
        assert!(parse_non_negative_decimal("1 год").is_err());
    }

    #[test]
    fn codes_compare_across_keyboards() {
        assert_eq!(comparable_code("к1"), "K1");
        assert_eq!(comparable_code(" k1 "), "K1");
        assert_eq!(comparable_code("ПК-1"), "ПK-1");
    }

    #[test]
    fn counts_are_whole() {
        assert_eq!(parse_count("5").unwrap(), 5);
        assert!(parse_count("-1").is_err());
        assert!(parse_count("2.5").is_err());
        assert!(parse_count("пять").is_err());
    }
}

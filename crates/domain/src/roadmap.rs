//! Roadmap due expressions (`imports.md`, «Roadmap»): what regions write in
//! the «Сроки» column of a «дорожная карта», read into control points.
//!
//! A cell is read word by word against a fixed vocabulary: months
//! («Январь 2026», «ноябрь-декабрь 2025», «Сентябрь 2025 – май 2026»),
//! quarters and half-years («I квартал 2026», «1 полугодие»), dates
//! («до 15.04.2026», «15.04.2026»), the roadmap's period («в течение года»,
//! «в течение учебного года», «в течение всего периода»), an explicit year or
//! school year («в течение 2023 года», «в течение 2025-2026 учебного года»),
//! recurrences («ежемесячно», «ежеквартально», «далее – ежеквартально») and a
//! short list of remarks that change no date («по отдельному графику»,
//! «по запросу», «по мере необходимости»…). Several expressions in one cell
//! give one control point each, in the order written. A word outside the
//! vocabulary makes the whole cell unreadable: [`parse_due`] answers `Err`
//! naming the words, never a guess.
//!
//! Where the dates come from:
//! - a month, quarter or half-year with a year (its own or the one written
//!   after a range: «Январь – март 2026») is exactly that; such dates are
//!   kept as written even outside the roadmap's period (regions do write
//!   «Август 2025 – сентябрь 2026» in a 2025/2026 roadmap);
//! - without a year it takes the one year that puts it wholly inside the
//!   period, the period's ends widened to whole months (the only slack);
//!   none or several such years is an `Err` asking for the year («II
//!   полугодие» in a September–August period: the calendar half-year July –
//!   December fits neither way);
//! - «в течение года» and its kin, a bare recurrence and the points a
//!   recurrence adds after its first lie within the period, with no slack.
//!
//! A recurrence is kept as [`Due::recurrence`] and spelled out as points:
//! after a single month or date (or after «далее») it continues in blocks of
//! one or three months up to the period's end («Ноябрь 2025 (далее –
//! ежеквартально)» → November, December–February, March–May, June–August);
//! after a longer span it divides that span («Январь-апрель 2026
//! (ежемесячно)» → January, February, March, April); alone it divides the
//! period from its first month. Each block runs from the day after the
//! previous point to its deadline, so a recurring item is always inside one.

use std::fmt;
use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Period;

/// One deadline of a roadmap item: the work runs over [`from`, `to`], and
/// `to` is the deadline. `from` is `None` for «до 15.04.2026» or a bare date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlPoint {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

impl ControlPoint {
    fn span(from: NaiveDate, to: NaiveDate) -> Self {
        ControlPoint {
            from: Some(from),
            to,
        }
    }
}

/// How often a recurring item comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Monthly,
    Quarterly,
}

impl Recurrence {
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Monthly => "monthly",
            Recurrence::Quarterly => "quarterly",
        }
    }

    /// The stored name back ([`as_str`](Self::as_str)); `None` for any
    /// other text.
    pub fn parse(value: &str) -> Option<Recurrence> {
        match value {
            "monthly" => Some(Recurrence::Monthly),
            "quarterly" => Some(Recurrence::Quarterly),
            _ => None,
        }
    }

    /// The Russian word, as roadmaps write it.
    pub fn title(self) -> &'static str {
        match self {
            Recurrence::Monthly => "ежемесячно",
            Recurrence::Quarterly => "ежеквартально",
        }
    }

    fn months(self) -> u32 {
        match self {
            Recurrence::Monthly => 1,
            Recurrence::Quarterly => 3,
        }
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A due cell, read: its control points in the order written (a recurrence
/// spelled out), and the recurrence if the cell has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub points: Vec<ControlPoint>,
    pub recurrence: Option<Recurrence>,
}

/// Where a roadmap item stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Planned,
    InProgress,
    Done,
    Overdue,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Planned => "planned",
            ItemStatus::InProgress => "in_progress",
            ItemStatus::Done => "done",
            ItemStatus::Overdue => "overdue",
        }
    }

    /// The Russian name, as a report shows it.
    pub fn title(self) -> &'static str {
        match self {
            ItemStatus::Planned => "запланировано",
            ItemStatus::InProgress => "выполняется",
            ItemStatus::Done => "выполнено",
            ItemStatus::Overdue => "просрочено",
        }
    }
}

impl fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status on `today`: `Done` when marked done; `Overdue` when a control
/// point's deadline has passed (`to` < today) and it is not done;
/// `InProgress` when today lies inside a point's [from, to] (a point without
/// `from` runs until its deadline); else `Planned` — also for an item
/// without a due date («без срока»), which can never be overdue.
pub fn status(due: Option<&Due>, done: bool, today: NaiveDate) -> ItemStatus {
    if done {
        return ItemStatus::Done;
    }
    let points = due.map(|d| d.points.as_slice()).unwrap_or_default();
    if points.iter().any(|p| p.to < today) {
        ItemStatus::Overdue
    } else if points
        .iter()
        .any(|p| p.from.is_none_or(|from| from <= today) && today <= p.to)
    {
        ItemStatus::InProgress
    } else {
        ItemStatus::Planned
    }
}

/// Reads a due cell (see the module doc) against the roadmap's period.
/// `Err` is Russian and names what could not be read.
pub fn parse_due(text: &str, period: Period) -> Result<Due, String> {
    let exprs = read_exprs(text)?;
    resolve(&exprs, period)
}

/// Whether the words of a due cell are all readable, whatever the period:
/// the `Err` of [`parse_due`] less the errors that depend on the period
/// (a month without a year that does not fit it).
pub fn check_due(text: &str) -> Result<(), String> {
    read_exprs(text).map(|_| ())
}

/// Where the first due expression in a running text is, as a byte range of
/// `text` (for text extracted from a PDF, where the columns of a row run
/// together): from the first word of the vocabulary that starts a date,
/// a period or a recurrence, through every following word of the
/// vocabulary (more dates, remarks, brackets). `None` when there is none.
pub fn find_due(text: &str) -> Option<Range<usize>> {
    let toks = tokenize(text);
    let mut i = 0;
    while i < toks.len() {
        if let Ok(Some((step, _))) = expression(&toks[i..]) {
            let start = toks[i].at.start;
            let mut end = toks[i + step - 1].at.end;
            let mut j = i + step;
            let mut open = 0i32;
            while j < toks.len() {
                let n = match &toks[j].kind {
                    Kind::Sep | Kind::Dash | Kind::Slash => 1,
                    Kind::Open => {
                        open += 1;
                        1
                    }
                    Kind::Close if open > 0 => {
                        open -= 1;
                        end = toks[j].at.end;
                        1
                    }
                    Kind::Close => break,
                    _ => match expression(&toks[j..]) {
                        Ok(Some((n, _))) => n,
                        _ => match remark(&toks[j..]).or_else(|| dalee(&toks[j..])) {
                            Some(n) => n,
                            None => break,
                        },
                    },
                };
                if !matches!(
                    toks[j].kind,
                    Kind::Sep | Kind::Dash | Kind::Slash | Kind::Open | Kind::Close
                ) {
                    end = toks[j + n - 1].at.end;
                }
                j += n;
            }
            return Some(start..end);
        }
        i += 1;
    }
    None
}

/// Text without what Word leaves in a pasted cell: tags (`<p>`, `<ul …>`,
/// `<li>`, `<i>`, `<b>`, `<br>`…), character entities (`&nbsp;`, `&laquo;`,
/// `&#171;`…) and non-breaking spaces; runs of whitespace become one space.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some((len, block)) = tag_at(rest)
        {
            if block {
                out.push(' ');
            }
            rest = &rest[len..];
            continue;
        }
        if c == '&'
            && let Some((len, decoded)) = entity_at(rest)
        {
            out.push(decoded);
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.split(|c: char| c.is_whitespace() || c == '\u{feff}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A tag at the start of `s`: its length and whether it breaks a line.
fn tag_at(s: &str) -> Option<(usize, bool)> {
    let body = s.strip_prefix('<')?;
    let body = body.strip_prefix('/').unwrap_or(body);
    let name: String = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // An unclosed «<» is text, not a tag.
    let end = s.bytes().take(1000).position(|b| b == b'>')?;
    let inline = [
        "i", "b", "u", "em", "strong", "span", "a", "sup", "sub", "font", "s",
    ];
    Some((
        end + 1,
        !inline.contains(&name.to_ascii_lowercase().as_str()),
    ))
}

fn entity_at(s: &str) -> Option<(usize, char)> {
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[1..end];
    let c = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)?
    } else {
        match name {
            "nbsp" => ' ',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "laquo" => '«',
            "raquo" => '»',
            "ndash" => '–',
            "mdash" => '—',
            "hellip" => '…',
            "bull" => '•',
            _ => return None,
        }
    };
    Some((end + 1, if c == '\u{a0}' { ' ' } else { c }))
}

// ---- words -------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A word, lower case, «ё» as «е».
    Word(String),
    Num(u32),
    Date(NaiveDate),
    Dash,
    Slash,
    Open,
    Close,
    /// A comma, a semicolon, a colon or «и»: between expressions.
    Sep,
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    /// Where it is in the text (bytes).
    at: Range<usize>,
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
    )
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_alphanumeric() || c == '.' {
            let mut end = at;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() || c == '.' {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            split_word(text, at..end, &mut toks);
            continue;
        }
        chars.next();
        let kind = match c {
            ',' | ';' | ':' => Kind::Sep,
            '(' | '[' => Kind::Open,
            ')' | ']' => Kind::Close,
            '/' => Kind::Slash,
            c if is_dash(c) => Kind::Dash,
            c if c.is_whitespace() || "«»\"'“”„‘’`*".contains(c) => continue,
            _ => Kind::Word(c.to_string()),
        };
        toks.push(Tok {
            kind,
            at: at..at + c.len_utf8(),
        });
    }
    toks
}

/// A run of letters, digits and dots: a date («15.04.2026»), a number with
/// a letter suffix («2025г.»), or words joined by dots («уч.г.»).
fn split_word(text: &str, at: Range<usize>, toks: &mut Vec<Tok>) {
    let s = &text[at.clone()];
    let lead = s.len() - s.trim_start_matches('.').len();
    let s = s.trim_matches('.');
    if s.is_empty() {
        return;
    }
    let base = at.start + lead;
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        let digits_dots = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let numeric = s[..digits_dots].trim_end_matches('.');
        let kind = if numeric.contains('.') {
            date_of(numeric).map(Kind::Date)
        } else {
            numeric.parse().ok().map(Kind::Num)
        };
        match kind {
            Some(kind) => {
                toks.push(Tok {
                    kind,
                    at: base..base + numeric.len(),
                });
                let rest = &s[digits_dots..];
                if !rest.is_empty() {
                    split_word(text, base + digits_dots..base + s.len(), toks);
                }
            }
            None => toks.push(Tok {
                kind: Kind::Word(s.to_lowercase()),
                at: base..base + s.len(),
            }),
        }
        return;
    }
    let mut offset = base;
    for part in s.split('.') {
        if !part.is_empty() {
            let word = part.to_lowercase().replace('ё', "е");
            let kind = if word == "и" {
                Kind::Sep
            } else {
                Kind::Word(word)
            };
            toks.push(Tok {
                kind,
                at: offset..offset + part.len(),
            });
        }
        offset += part.len() + 1;
    }
}

/// `DD.MM.YYYY` or `DD.MM.YY` (20YY).
fn date_of(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() > 2 || m.len() > 2 {
        return None;
    }
    let year: i32 = match y.len() {
        4 => y.parse().ok()?,
        2 => 2000 + y.parse::<i32>().ok()?,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

const MONTHS: [[&str; 3]; 12] = [
    ["январь", "января", "январе"],
    ["февраль", "февраля", "феврале"],
    ["март", "марта", "марте"],
    ["апрель", "апреля", "апреле"],
    ["май", "мая", "мае"],
    ["июнь", "июня", "июне"],
    ["июль", "июля", "июле"],
    ["август", "августа", "августе"],
    ["сентябрь", "сентября", "сентябре"],
    ["октябрь", "октября", "октябре"],
    ["ноябрь", "ноября", "ноябре"],
    ["декабрь", "декабря", "декабре"],
];

/// Remarks that change no date; ignored next to a date, and alone they are
/// no date at all.
const REMARKS: &[&[&str]] = &[
    &["по", "отдельному", "графику"],
    &["по", "отдельному", "плану"],
    &["по", "графику", "мероприятий"],
    &["по", "установленному", "графику"],
    &["по", "утвержденному", "графику"],
    &["в", "соответствии", "с", "утвержденным", "графиком"],
    &["в", "соответствии", "с", "графиком", "мероприятий"],
    &["в", "соответствии", "с", "графиком"],
    &["по", "мере", "необходимости"],
    &["по", "необходимости"],
    &["по", "запросу"],
    &["по", "плану", "работы"],
];

fn word(toks: &[Tok], i: usize) -> Option<&str> {
    match toks.get(i).map(|t| &t.kind) {
        Some(Kind::Word(w)) => Some(w),
        _ => None,
    }
}

fn remark(toks: &[Tok]) -> Option<usize> {
    REMARKS.iter().find_map(|phrase| {
        phrase
            .iter()
            .enumerate()
            .all(|(k, w)| word(toks, k) == Some(w))
            .then_some(phrase.len())
    })
}

/// «далее» with its dash.
fn dalee(toks: &[Tok]) -> Option<usize> {
    (word(toks, 0) == Some("далее"))
        .then(|| 1 + usize::from(toks.get(1).is_some_and(|t| t.kind == Kind::Dash)))
}

fn month_at(toks: &[Tok], i: usize) -> Option<u32> {
    let w = word(toks, i)?;
    MONTHS
        .iter()
        .position(|forms| forms.contains(&w))
        .map(|m| m as u32 + 1)
}

/// A year (1900–2100) and the «г.», «года»… after it.
fn year_at(toks: &[Tok], i: usize) -> Option<(i32, usize)> {
    match toks.get(i).map(|t| &t.kind) {
        Some(Kind::Num(y)) if (1900..=2100).contains(y) => {
            let suffix = word(toks, i + 1)
                .is_some_and(|w| matches!(w, "г" | "гг" | "год" | "года" | "году"));
            Some((*y as i32, 1 + usize::from(suffix)))
        }
        _ => None,
    }
}

/// A date: `15.04.2026` or «15 апреля 2026», with the «г.» after it.
fn date_at(toks: &[Tok], i: usize) -> Option<(NaiveDate, usize)> {
    let (date, n) = match toks.get(i).map(|t| &t.kind) {
        Some(Kind::Date(d)) => (*d, 1),
        Some(Kind::Num(day)) => {
            let m = month_at(toks, i + 1)?;
            let (y, ylen) = year_at(toks, i + 2)?;
            return Some((NaiveDate::from_ymd_opt(y, m, *day)?, 2 + ylen));
        }
        _ => return None,
    };
    let suffix = word(toks, i + n).is_some_and(|w| matches!(w, "г" | "года" | "год"));
    Some((date, n + usize::from(suffix)))
}

/// An ordinal for a quarter or a half-year: «I», «II», «1», «1-й», «первое».
fn ordinal_at(toks: &[Tok], i: usize) -> Option<(u32, usize)> {
    let n = match toks.get(i).map(|t| &t.kind) {
        Some(Kind::Num(n)) if (1..=4).contains(n) => *n,
        Some(Kind::Word(w)) => match w.as_str() {
            "i" | "первый" | "первое" => 1,
            "ii" | "второй" | "второе" => 2,
            "iii" | "третий" => 3,
            "iv" | "четвертый" => 4,
            _ => return None,
        },
        _ => return None,
    };
    let suffixed = toks.get(i + 1).is_some_and(|t| t.kind == Kind::Dash)
        && word(toks, i + 2)
            .is_some_and(|w| matches!(w, "й" | "е" | "ое" | "ый" | "ий" | "го" | "ого" | "м"));
    Some((n, if suffixed { 3 } else { 1 }))
}

/// A month, quarter or half-year, without its year: first and last month.
fn unit_at(toks: &[Tok], i: usize) -> Option<((u32, u32), usize)> {
    // «в декабре»
    let skip = usize::from(word(toks, i) == Some("в") && month_at(toks, i + 1).is_some());
    if let Some(m) = month_at(toks, i + skip) {
        return Some(((m, m), skip + 1));
    }
    let (n, len) = ordinal_at(toks, i)?;
    match word(toks, i + len)? {
        "квартал" | "квартала" | "квартале" | "кв" => {
            Some(((3 * n - 2, 3 * n), len + 1))
        }
        "полугодие" | "полугодия" | "полугодии" | "полугодье" if n <= 2 => {
            Some(((6 * n - 5, 6 * n), len + 1))
        }
        _ => None,
    }
}

// ---- expressions ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// Dates known without the period.
    Point(ControlPoint),
    /// Months without a year: the first and how many; the words, for errors.
    Yearless {
        first: u32,
        len: u32,
        words: String,
    },
    /// The roadmap's period.
    Period,
    Recur {
        kind: Recurrence,
        after: bool,
    },
}

fn words_of(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match &t.kind {
            Kind::Word(w) => w.clone(),
            Kind::Num(n) => n.to_string(),
            Kind::Date(d) => d.format("%d.%m.%Y").to_string(),
            Kind::Dash => "–".into(),
            Kind::Slash => "/".into(),
            Kind::Open => "(".into(),
            Kind::Close => ")".into(),
            Kind::Sep => ",".into(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn month_start(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).expect("a month of a year")
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (y, m) = add_months(year, month, 1);
    month_start(y, m) - Days::new(1)
}

fn add_months(year: i32, month: u32, k: u32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + k as i32;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

fn ru(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// One expression at the start of `toks`: how many tokens it takes and
/// what it is. `Ok(None)` when no expression starts here; `Err` when one
/// does but cannot stand (a range that ends before it starts).
fn expression(toks: &[Tok]) -> Result<Option<(usize, Expr)>, String> {
    match word(toks, 0) {
        Some("ежемесячно") => {
            return Ok(Some((
                1,
                Expr::Recur {
                    kind: Recurrence::Monthly,
                    after: false,
                },
            )));
        }
        Some("ежеквартально") => {
            return Ok(Some((
                1,
                Expr::Recur {
                    kind: Recurrence::Quarterly,
                    after: false,
                },
            )));
        }
        Some("в") if matches!(word(toks, 1), Some("течение" | "течении")) => {
            return during(toks);
        }
        Some("до") | Some("к") => {
            if let Some((d, n)) = date_at(toks, 1) {
                return Ok(Some((
                    1 + n,
                    Expr::Point(ControlPoint { from: None, to: d }),
                )));
            }
        }
        Some("не") if matches!(word(toks, 1), Some("позднее" | "позже")) => {
            if let Some((d, n)) = date_at(toks, 2) {
                return Ok(Some((
                    2 + n,
                    Expr::Point(ControlPoint { from: None, to: d }),
                )));
            }
        }
        Some("с") => {
            if let Some((a, n)) = date_at(toks, 1)
                && matches!(word(toks, 1 + n), Some("по" | "до"))
                && let Some((b, m)) = date_at(toks, 2 + n)
            {
                let len = 2 + n + m;
                return date_range(a, b, &toks[..len]).map(|e| Some((len, e)));
            }
        }
        _ => {}
    }
    if let Some((a, n)) = date_at(toks, 0) {
        if toks.get(n).is_some_and(|t| t.kind == Kind::Dash)
            && let Some((b, m)) = date_at(toks, n + 1)
        {
            let len = n + 1 + m;
            return date_range(a, b, &toks[..len]).map(|e| Some((len, e)));
        }
        return Ok(Some((n, Expr::Point(ControlPoint { from: None, to: a }))));
    }
    if let Some(n) = school_year(toks, 0)? {
        return Ok(Some(n));
    }
    span(toks)
}

fn date_range(a: NaiveDate, b: NaiveDate, toks: &[Tok]) -> Result<Expr, String> {
    if b < a {
        return Err(format!("«{}»: конец раньше начала", words_of(toks)));
    }
    Ok(Expr::Point(ControlPoint::span(a, b)))
}

/// «2025-2026 учебного года», «2021/2022 уч. г.»: September to August.
fn school_year(toks: &[Tok], i: usize) -> Result<Option<(usize, Expr)>, String> {
    let (Some(Kind::Num(a)), Some(Kind::Dash | Kind::Slash), Some(Kind::Num(b))) = (
        toks.get(i).map(|t| &t.kind),
        toks.get(i + 1).map(|t| &t.kind),
        toks.get(i + 2).map(|t| &t.kind),
    ) else {
        return Ok(None);
    };
    if !(1900..=2100).contains(a) {
        return Ok(None);
    }
    let mut n = 3;
    if !matches!(word(toks, i + n), Some("учебного" | "учебный" | "уч")) {
        return Ok(None);
    }
    n += 1;
    if matches!(
        word(toks, i + n),
        Some("года" | "год" | "г" | "гг" | "году")
    ) {
        n += 1;
    }
    let second = if *b < 100 { a - a % 100 + b } else { *b };
    if second != a + 1 {
        return Err(format!(
            "«{}»: учебный год — два года подряд",
            words_of(&toks[i..i + n])
        ));
    }
    let from = month_start(*a as i32, 9);
    let to = month_end(second as i32, 8);
    Ok(Some((n, Expr::Point(ControlPoint::span(from, to)))))
}

/// «в течение …»: the period, a year, a school year, or a span.
fn during(toks: &[Tok]) -> Result<Option<(usize, Expr)>, String> {
    let i = 2;
    if let Some((n, e)) = school_year(toks, i)? {
        return Ok(Some((i + n, e)));
    }
    let mut n = i + usize::from(word(toks, i) == Some("всего"));
    match word(toks, n) {
        Some("года" | "год" | "периода") => return Ok(Some((n + 1, Expr::Period))),
        Some("учебного" | "уч") => {
            n += 1;
            if matches!(word(toks, n), Some("года" | "год" | "г")) {
                n += 1;
            }
            return Ok(Some((n, Expr::Period)));
        }
        _ => {}
    }
    if let Some((y, ylen)) = year_at(toks, i)
        && ylen == 2
    {
        let from = month_start(y, 1);
        let to = month_end(y, 12);
        return Ok(Some((i + ylen, Expr::Point(ControlPoint::span(from, to)))));
    }
    Ok(span(&toks[i..])?.map(|(n, e)| (i + n, e)))
}

/// A month, quarter or half-year, or a range of them, with the years
/// written: «Январь 2026», «Январь – март 2026», «ноябрь 2023 - май 2024»,
/// «I квартал (февраль) 2024» (the month in brackets narrows the quarter).
fn span(toks: &[Tok]) -> Result<Option<(usize, Expr)>, String> {
    let Some(((mut first, mut last), mut n)) = unit_at(toks, 0) else {
        return Ok(None);
    };
    // «I квартал (февраль) 2024»
    if first != last
        && toks.get(n).is_some_and(|t| t.kind == Kind::Open)
        && let Some(m) = month_at(toks, n + 1)
        && toks.get(n + 2).is_some_and(|t| t.kind == Kind::Close)
    {
        if !(first..=last).contains(&m) {
            return Err(format!(
                "«{}»: месяц вне квартала или полугодия",
                words_of(&toks[..n + 3])
            ));
        }
        (first, last) = (m, m);
        n += 3;
    }
    let mut first_year = year_at(toks, n).map(|(y, len)| {
        n += len;
        y
    });
    let mut last_year = first_year;
    if toks.get(n).is_some_and(|t| t.kind == Kind::Dash)
        && let Some(((_, end), len)) = unit_at(toks, n + 1)
    {
        n += 1 + len;
        last = end;
        last_year = year_at(toks, n).map(|(y, len)| {
            n += len;
            y
        });
        match (first_year, last_year) {
            (Some(a), Some(b)) if (b, last) < (a, first) => {
                return Err(format!("«{}»: конец раньше начала", words_of(&toks[..n])));
            }
            (Some(a), None) => last_year = Some(if last >= first { a } else { a + 1 }),
            (None, Some(b)) => first_year = Some(if first <= last { b } else { b - 1 }),
            _ => {}
        }
    }
    let expr = match (first_year, last_year) {
        (Some(a), Some(b)) => Expr::Point(ControlPoint::span(
            month_start(a, first),
            month_end(b, last),
        )),
        _ => Expr::Yearless {
            first,
            len: (last + 12 - first) % 12 + 1,
            words: words_of(&toks[..n]),
        },
    };
    Ok(Some((n, expr)))
}

/// A cell's expressions in order, or `Err` naming the unreadable words.
fn read_exprs(text: &str) -> Result<Vec<Expr>, String> {
    let clean = plain_text(text);
    if clean.is_empty() {
        return Err("срок не указан".into());
    }
    let toks = tokenize(&clean);
    let mut exprs = Vec::new();
    let mut unknown: Vec<Range<usize>> = Vec::new();
    let mut last_unknown = None;
    let mut after = false;
    let mut i = 0;
    while i < toks.len() {
        if matches!(
            toks[i].kind,
            Kind::Sep | Kind::Open | Kind::Close | Kind::Dash | Kind::Slash
        ) {
            i += 1;
            continue;
        }
        if let Some(n) = dalee(&toks[i..]) {
            after = true;
            i += n;
            continue;
        }
        if let Some(n) = remark(&toks[i..]) {
            after = false;
            i += n;
            continue;
        }
        if let Some((n, mut e)) = expression(&toks[i..])? {
            match &mut e {
                Expr::Recur { after: a, .. } => *a = after,
                Expr::Yearless { words, .. } => {
                    *words = clean[toks[i].at.start..toks[i + n - 1].at.end].to_string();
                }
                _ => {}
            }
            after = false;
            exprs.push(e);
            i += n;
            continue;
        }
        let at = toks[i].at.clone();
        match (last_unknown, unknown.last_mut()) {
            (Some(prev), Some(group)) if prev + 1 == i => group.end = at.end,
            _ => unknown.push(at),
        }
        last_unknown = Some(i);
        i += 1;
    }
    let dated = exprs.iter().any(|e| !matches!(e, Expr::Recur { .. }));
    let recurrences = exprs
        .iter()
        .filter(|e| matches!(e, Expr::Recur { .. }))
        .count();
    if !unknown.is_empty() && !dated {
        return Err(format!("не распознано: «{clean}»"));
    }
    if !unknown.is_empty() {
        let words: Vec<String> = unknown
            .iter()
            .map(|r| format!("«{}»", &clean[r.clone()]))
            .collect();
        return Err(format!("не распознано: {}", words.join(", ")));
    }
    if exprs.is_empty() {
        return Err(format!("нет даты: «{clean}»"));
    }
    if recurrences > 1 {
        return Err(format!("несколько повторений в одном сроке: «{clean}»"));
    }
    Ok(exprs)
}

/// The one year that puts months without a year inside the period (its ends
/// widened to whole months).
fn place(first: u32, len: u32, words: &str, period: Period) -> Result<ControlPoint, String> {
    let lo = month_start(period.from.year(), period.from.month());
    let hi = month_end(period.to.year(), period.to.month());
    let fits: Vec<ControlPoint> = (period.from.year() - 1..=period.to.year())
        .filter_map(|y| {
            let from = month_start(y, first);
            let (ly, lm) = add_months(y, first, len - 1);
            let to = month_end(ly, lm);
            (lo <= from && to <= hi).then_some(ControlPoint::span(from, to))
        })
        .collect();
    match fits.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "«{words}» без года не помещается в период {}–{}: укажите год",
            ru(period.from),
            ru(period.to)
        )),
        _ => Err(format!(
            "«{words}» без года: в периоде {}–{} таких несколько, укажите год",
            ru(period.from),
            ru(period.to)
        )),
    }
}

/// Blocks of `months` months from `from` (the first ends with its month)
/// up to `to`.
fn blocks(from: NaiveDate, to: NaiveDate, months: u32) -> Vec<ControlPoint> {
    let mut points = Vec::new();
    let mut cur = from;
    while cur <= to {
        let (y, m) = add_months(cur.year(), cur.month(), months - 1);
        let end = month_end(y, m).min(to);
        points.push(ControlPoint::span(cur, end));
        match end.succ_opt() {
            Some(next) => cur = next,
            None => break,
        }
    }
    points
}

fn resolve(exprs: &[Expr], period: Period) -> Result<Due, String> {
    let mut points = Vec::new();
    let mut recur = None;
    for e in exprs {
        match e {
            Expr::Point(p) => points.push(*p),
            Expr::Yearless { first, len, words } => {
                points.push(place(*first, *len, words, period)?)
            }
            Expr::Period => points.push(ControlPoint::span(period.from, period.to)),
            Expr::Recur { kind, after } => recur = Some((*kind, *after, points.len())),
        }
    }
    let Some((kind, after, at)) = recur else {
        return Ok(Due {
            points,
            recurrence: None,
        });
    };
    let months = kind.months();
    // The point the recurrence speaks of: the one before it, else the one after.
    let base = if at > 0 {
        Some(at - 1)
    } else if points.is_empty() {
        None
    } else {
        Some(0)
    };
    match base {
        None => points = blocks(period.from, period.to, months),
        Some(b) => {
            let p = points[b];
            let single = match p.from {
                None => true,
                Some(from) => (from.year(), from.month()) == (p.to.year(), p.to.month()),
            };
            if after || single {
                if let Some(next) = p.to.succ_opt()
                    && next <= period.to
                {
                    let more = blocks(next.max(period.from), period.to, months);
                    points.splice(b + 1..b + 1, more);
                }
            } else {
                let from = p.from.expect("a span has a start");
                points.splice(b..b + 1, blocks(from, p.to, months));
            }
        }
    }
    Ok(Due {
        points,
        recurrence: Some(kind),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn school_year(y: i32) -> Period {
        Period {
            from: d(y, 9, 1),
            to: d(y + 1, 8, 31),
        }
    }

    fn calendar_year(y: i32) -> Period {
        Period {
            from: d(y, 1, 1),
            to: d(y, 12, 31),
        }
    }

    /// A point as `(from, to)` with `YYYY-MM-DD` text, `from` "" for none.
    fn show(due: &Due) -> Vec<(String, String)> {
        due.points
            .iter()
            .map(|p| {
                (
                    p.from.map(|f| f.to_string()).unwrap_or_default(),
                    p.to.to_string(),
                )
            })
            .collect()
    }

    fn pts(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn months_of(y: i32, from: u32, to: u32) -> Vec<(String, String)> {
        (from..=to)
            .map(|m| (month_start(y, m).to_string(), month_end(y, m).to_string()))
            .collect()
    }

    /// Every due cell of the five seeds (`shared/seeds`), cleaned of markup
    /// as the import gives it, with what it must read as. `None`: genuinely
    /// unreadable (no date in it).
    #[test]
    fn every_due_cell_of_the_seeds() {
        type Case = (
            &'static str,
            Option<(&'static [(&'static str, &'static str)], Option<Recurrence>)>,
        );
        let y2526 = school_year(2025);
        let y2324 = school_year(2023);
        let y2223 = school_year(2022);
        let y2122 = school_year(2021);
        let c2026 = calendar_year(2026);
        use Recurrence::*;
        let seeds: Vec<(Period, Vec<Case>)> = vec![
            // 000: Шумячский округ, 2025-2026
            (
                y2526,
                vec![
                    (
                        "Декабрь 2025",
                        Some((&[("2025-12-01", "2025-12-31")], None)),
                    ),
                    (
                        "Август-сентябрь 2026",
                        Some((&[("2026-08-01", "2026-09-30")], None)),
                    ),
                    (
                        "Июль 2026 Сентябрь 2026",
                        Some((
                            &[("2026-07-01", "2026-07-31"), ("2026-09-01", "2026-09-30")],
                            None,
                        )),
                    ),
                    (
                        "Ноябрь 2025 (далее – ежеквартально)",
                        Some((
                            &[
                                ("2025-11-01", "2025-11-30"),
                                ("2025-12-01", "2026-02-28"),
                                ("2026-03-01", "2026-05-31"),
                                ("2026-06-01", "2026-08-31"),
                            ],
                            Some(Quarterly),
                        )),
                    ),
                    (
                        "В течение года",
                        Some((&[("2025-09-01", "2026-08-31")], None)),
                    ),
                    (
                        "Декабрь 2025 Июнь 2026",
                        Some((
                            &[("2025-12-01", "2025-12-31"), ("2026-06-01", "2026-06-30")],
                            None,
                        )),
                    ),
                    (
                        "Август 2025-сентябрь 2026",
                        Some((&[("2025-08-01", "2026-09-30")], None)),
                    ),
                    (
                        "Июль-август 2026",
                        Some((&[("2026-07-01", "2026-08-31")], None)),
                    ),
                    ("По графику РОИВ", None),
                    (
                        "Ноябрь-декабрь 2025",
                        Some((&[("2025-11-01", "2025-12-31")], None)),
                    ),
                    ("Ноябрь 2025", Some((&[("2025-11-01", "2025-11-30")], None))),
                    (
                        "Ноябрь 2025, Апрель 2026 (по отдельному графику)",
                        Some((
                            &[("2025-11-01", "2025-11-30"), ("2026-04-01", "2026-04-30")],
                            None,
                        )),
                    ),
                    (
                        "Январь – март 2026",
                        Some((&[("2026-01-01", "2026-03-31")], None)),
                    ),
                    (
                        "1 полугодие 2026",
                        Some((&[("2026-01-01", "2026-06-30")], None)),
                    ),
                    (
                        "Декабрь 2025 (далее – по запросу)",
                        Some((&[("2025-12-01", "2025-12-31")], None)),
                    ),
                    ("Январь 2026", Some((&[("2026-01-01", "2026-01-31")], None))),
                    (
                        "В течение года (по графику мероприятий)",
                        Some((&[("2025-09-01", "2026-08-31")], None)),
                    ),
                    (
                        "Январь-апрель 2026 (ежемесячно)",
                        Some((
                            &[
                                ("2026-01-01", "2026-01-31"),
                                ("2026-02-01", "2026-02-28"),
                                ("2026-03-01", "2026-03-31"),
                                ("2026-04-01", "2026-04-30"),
                            ],
                            Some(Monthly),
                        )),
                    ),
                    ("Март 2026", Some((&[("2026-03-01", "2026-03-31")], None))),
                    ("Апрель 2026", Some((&[("2026-04-01", "2026-04-30")], None))),
                    ("Июнь 2026", Some((&[("2026-06-01", "2026-06-30")], None))),
                ],
            ),
            // 001: Ершичский район, 2023-2024 (two tables)
            (
                y2324,
                vec![
                    ("ноябрь 2023", Some((&[("2023-11-01", "2023-11-30")], None))),
                    (
                        "ноябрь-декабрь 2023",
                        Some((&[("2023-11-01", "2023-12-31")], None)),
                    ),
                    (
                        "В течение года (по необходимости)",
                        Some((&[("2023-09-01", "2024-08-31")], None)),
                    ),
                    ("Июль 2024", Some((&[("2024-07-01", "2024-07-31")], None))),
                    ("август 2024", Some((&[("2024-08-01", "2024-08-31")], None))),
                    (
                        "В течение года по установленному графику",
                        Some((&[("2023-09-01", "2024-08-31")], None)),
                    ),
                    (
                        "I квартал 2024",
                        Some((&[("2024-01-01", "2024-03-31")], None)),
                    ),
                    (
                        "В течение года в соответствии с графиком мероприятий",
                        Some((&[("2023-09-01", "2024-08-31")], None)),
                    ),
                    (
                        "январь-май 2024",
                        Some((&[("2024-01-01", "2024-05-31")], None)),
                    ),
                    (
                        "ноябрь 2023 - май 2024",
                        Some((&[("2023-11-01", "2024-05-31")], None)),
                    ),
                    (
                        "I полугодие 2024",
                        Some((&[("2024-01-01", "2024-06-30")], None)),
                    ),
                    ("март 2024", Some((&[("2024-03-01", "2024-03-31")], None))),
                    (
                        "апрель-май 2024",
                        Some((&[("2024-04-01", "2024-05-31")], None)),
                    ),
                    // Before the period, as written (an error in the source).
                    ("июль 2023", Some((&[("2023-07-01", "2023-07-31")], None))),
                    (
                        "I квартал (февраль) 2024",
                        Some((&[("2024-02-01", "2024-02-29")], None)),
                    ),
                    (
                        "ноябрь 2023, июль 2024",
                        Some((
                            &[("2023-11-01", "2023-11-30"), ("2024-07-01", "2024-07-31")],
                            None,
                        )),
                    ),
                ],
            ),
            // 002: Новошахтинск, 2026 (a calendar year)
            (
                c2026,
                vec![
                    (
                        "декабрь 2025 года",
                        Some((&[("2025-12-01", "2025-12-31")], None)),
                    ),
                    (
                        "февраль 2026 года",
                        Some((&[("2026-02-01", "2026-02-28")], None)),
                    ),
                    (
                        "январь 2026 года",
                        Some((&[("2026-01-01", "2026-01-31")], None)),
                    ),
                    (
                        "в течение года",
                        Some((&[("2026-01-01", "2026-12-31")], None)),
                    ),
                    (
                        "август 2026 года",
                        Some((&[("2026-08-01", "2026-08-31")], None)),
                    ),
                    ("по отдельному плану", None),
                    (
                        "сентябрь 2026 года",
                        Some((&[("2026-09-01", "2026-09-30")], None)),
                    ),
                    (
                        "в течение всего периода",
                        Some((&[("2026-01-01", "2026-12-31")], None)),
                    ),
                    ("в соответствии со сроками реализации программы", None),
                    ("по четвертям, полугодиям, за год", None),
                    ("по плану работы", None),
                    (
                        "по плану работы (в течение года)",
                        Some((&[("2026-01-01", "2026-12-31")], None)),
                    ),
                ],
            ),
            // 003: ГАУ ДПО СОИРО, 2022-2023
            (
                y2223,
                vec![
                    (
                        "декабрь 2022 (далее - по мере необходимости)",
                        Some((&[("2022-12-01", "2022-12-31")], None)),
                    ),
                    (
                        "декабрь 2022 июль 2023 года",
                        Some((
                            &[("2022-12-01", "2022-12-31"), ("2023-07-01", "2023-07-31")],
                            None,
                        )),
                    ),
                    (
                        "декабрь 2022 июль 2023",
                        Some((
                            &[("2022-12-01", "2022-12-31"), ("2023-07-01", "2023-07-31")],
                            None,
                        )),
                    ),
                    ("январь 2023", Some((&[("2023-01-01", "2023-01-31")], None))),
                    (
                        "октябрь-ноябрь 2022",
                        Some((&[("2022-10-01", "2022-11-30")], None)),
                    ),
                    ("июнь 2023", Some((&[("2023-06-01", "2023-06-30")], None))),
                    (
                        "декабрь 2022",
                        Some((&[("2022-12-01", "2022-12-31")], None)),
                    ),
                    ("июль 2023", Some((&[("2023-07-01", "2023-07-31")], None))),
                    ("август 2023", Some((&[("2023-08-01", "2023-08-31")], None))),
                    (
                        "ноябрь-декабрь 2022 Апрель 2023",
                        Some((
                            &[("2022-11-01", "2022-12-31"), ("2023-04-01", "2023-04-30")],
                            None,
                        )),
                    ),
                    (
                        "в течение года (по отдельному графику)",
                        Some((&[("2022-09-01", "2023-08-31")], None)),
                    ),
                    (
                        "1 полугодие 2023",
                        Some((&[("2023-01-01", "2023-06-30")], None)),
                    ),
                    (
                        "декабрь 2022-январь 2023",
                        Some((&[("2022-12-01", "2023-01-31")], None)),
                    ),
                    (
                        "январь-март 2023",
                        Some((&[("2023-01-01", "2023-03-31")], None)),
                    ),
                    (
                        "1 полугодие 2023 (в соответствии с утвержденным графиком)",
                        Some((&[("2023-01-01", "2023-06-30")], None)),
                    ),
                    (
                        "январь-февраль 2023",
                        Some((&[("2023-01-01", "2023-02-28")], None)),
                    ),
                    (
                        "в течение 2023 года (ежеквартально)",
                        Some((
                            &[
                                ("2023-01-01", "2023-03-31"),
                                ("2023-04-01", "2023-06-30"),
                                ("2023-07-01", "2023-09-30"),
                                ("2023-10-01", "2023-12-31"),
                            ],
                            Some(Quarterly),
                        )),
                    ),
                    (
                        "1 квартал 2023",
                        Some((&[("2023-01-01", "2023-03-31")], None)),
                    ),
                ],
            ),
            // 004: Смоленск, 2021/2022 (text from a PDF)
            (
                y2122,
                vec![
                    (
                        "октябрь 2021",
                        Some((&[("2021-10-01", "2021-10-31")], None)),
                    ),
                    (
                        "в течение учебного года",
                        Some((&[("2021-09-01", "2022-08-31")], None)),
                    ),
                    ("июнь 2022", Some((&[("2022-06-01", "2022-06-30")], None))),
                    (
                        "сентябрь 2021",
                        Some((&[("2021-09-01", "2021-09-30")], None)),
                    ),
                    (
                        "февраль 2022",
                        Some((&[("2022-02-01", "2022-02-28")], None)),
                    ),
                    ("май 2022", Some((&[("2022-05-01", "2022-05-31")], None))),
                ],
            ),
        ];
        for (period, cases) in seeds {
            for (text, want) in cases {
                let got = parse_due(text, period);
                match want {
                    Some((points, recurrence)) => {
                        let due = got.unwrap_or_else(|e| panic!("{text}: {e}"));
                        assert_eq!(show(&due), pts(points), "{text}");
                        assert_eq!(due.recurrence, recurrence, "{text}");
                    }
                    None => {
                        let e = got.expect_err(text);
                        assert!(e.contains(text), "{text}: {e}");
                    }
                }
            }
        }
    }

    #[test]
    fn bare_recurrences_divide_the_period() {
        let p = school_year(2023);
        let monthly = parse_due("ежемесячно", p).unwrap();
        assert_eq!(monthly.recurrence, Some(Recurrence::Monthly));
        let mut want = months_of(2023, 9, 12);
        want.extend(months_of(2024, 1, 8));
        assert_eq!(show(&monthly), want);
        let quarterly = parse_due("ежеквартально", p).unwrap();
        assert_eq!(
            show(&quarterly),
            pts(&[
                ("2023-09-01", "2023-11-30"),
                ("2023-12-01", "2024-02-29"),
                ("2024-03-01", "2024-05-31"),
                ("2024-06-01", "2024-08-31"),
            ])
        );
        assert_eq!(
            parse_due("ежеквартально (по запросу)", p).unwrap(),
            quarterly
        );
        assert_eq!(
            show(&parse_due("В течение года (ежемесячно)", p).unwrap()),
            want
        );
    }

    #[test]
    fn dashes_case_markup_and_year_words() {
        let p = school_year(2025);
        let want = pts(&[("2026-01-01", "2026-03-31")]);
        for text in [
            "Январь – март 2026",
            "январь-март 2026 г.",
            "ЯНВАРЬ — МАРТ 2026 года",
            "январь ‐ март 2026г.",
            "январь\u{a0}–\u{a0}март\u{a0}2026",
            "<p>Январь &ndash; март 2026</p>",
            "<i>январь</i>-март 2026 г",
            "I квартал 2026",
            "1 квартал 2026",
            "1-й квартал 2026 года",
            "I квартал",
            "январь-март",
        ] {
            let due = parse_due(text, p).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(show(&due), want, "{text}");
        }
        assert_eq!(
            show(&parse_due("Сентябрь 2025 – май 2026", p).unwrap()),
            pts(&[("2025-09-01", "2026-05-31")])
        );
        assert_eq!(
            show(&parse_due("II полугодие 2026", p).unwrap()),
            pts(&[("2026-07-01", "2026-12-31")])
        );
        assert_eq!(
            show(&parse_due("II квартал", p).unwrap()),
            pts(&[("2026-04-01", "2026-06-30")])
        );
        // A range over the new year with the year written once, at its end.
        assert_eq!(
            show(&parse_due("декабрь – февраль 2026", p).unwrap()),
            pts(&[("2025-12-01", "2026-02-28")])
        );
        assert_eq!(
            show(&parse_due("октябрь – февраль", p).unwrap()),
            pts(&[("2025-10-01", "2026-02-28")])
        );
    }

    #[test]
    fn months_without_a_year_fall_inside_the_period() {
        let p = school_year(2025);
        assert_eq!(
            show(&parse_due("октябрь-ноябрь", p).unwrap()),
            pts(&[("2025-10-01", "2025-11-30")])
        );
        assert_eq!(
            show(&parse_due("май", p).unwrap()),
            pts(&[("2026-05-01", "2026-05-31")])
        );
        assert_eq!(
            show(&parse_due("в декабре", p).unwrap()),
            pts(&[("2025-12-01", "2025-12-31")])
        );
        // The calendar half-year July–December fits a September–August
        // year neither way: the year must be written.
        let e = parse_due("II полугодие", p).unwrap_err();
        assert!(e.contains("укажите год"), "{e}");
        // A two-year period holds every month twice.
        let long = Period {
            from: d(2024, 1, 1),
            to: d(2025, 12, 31),
        };
        assert!(parse_due("март", long).unwrap_err().contains("несколько"));
        assert_eq!(
            show(&parse_due("март 2025", long).unwrap()),
            pts(&[("2025-03-01", "2025-03-31")])
        );
    }

    #[test]
    fn dates_and_deadlines() {
        let p = school_year(2025);
        for text in [
            "до 15.04.2026",
            "15.04.2026",
            "до 15.04.2026 г.",
            "не позднее 15.04.2026",
            "15.04.26",
            "15 апреля 2026 года",
        ] {
            assert_eq!(
                parse_due(text, p).unwrap().points,
                vec![ControlPoint {
                    from: None,
                    to: d(2026, 4, 15)
                }],
                "{text}"
            );
        }
        assert_eq!(
            show(&parse_due("с 01.10.2025 по 15.11.2025", p).unwrap()),
            pts(&[("2025-10-01", "2025-11-15")])
        );
        assert_eq!(
            show(&parse_due("в течение 2025-2026 учебного года", p).unwrap()),
            pts(&[("2025-09-01", "2026-08-31")])
        );
        assert_eq!(
            show(&parse_due("в течение 2025/26 уч. г.", p).unwrap()),
            pts(&[("2025-09-01", "2026-08-31")])
        );
        assert_eq!(
            show(&parse_due("в течение учебного года", p).unwrap()),
            pts(&[("2025-09-01", "2026-08-31")])
        );
        // After a date, a recurrence goes on from the next day.
        assert_eq!(
            show(&parse_due("до 15.06.2026, далее - ежемесячно", p).unwrap()),
            pts(&[
                ("", "2026-06-15"),
                ("2026-06-16", "2026-06-30"),
                ("2026-07-01", "2026-07-31"),
                ("2026-08-01", "2026-08-31"),
            ])
        );
        assert_eq!(
            show(&parse_due("Ноябрь 2025 (далее-ежеквартально)", p).unwrap()).len(),
            4
        );
    }

    #[test]
    fn unreadable_cells_name_their_words() {
        let p = school_year(2025);
        assert_eq!(
            parse_due("По графику РОИВ", p).unwrap_err(),
            "не распознано: «По графику РОИВ»"
        );
        assert_eq!(
            parse_due("Ноябрь 2025 кроме каникул", p).unwrap_err(),
            "не распознано: «кроме каникул»"
        );
        assert_eq!(
            parse_due("по отдельному плану", p).unwrap_err(),
            "нет даты: «по отдельному плану»"
        );
        assert_eq!(parse_due("", p).unwrap_err(), "срок не указан");
        assert_eq!(parse_due(" <p></p> ", p).unwrap_err(), "срок не указан");
        assert!(parse_due("до декабря", p).is_err());
        assert!(parse_due("ежемесячно, ежеквартально", p).is_err());
        assert!(
            parse_due("май 2026 – январь 2026", p)
                .unwrap_err()
                .contains("конец раньше начала")
        );
        assert!(parse_due("в течение 2025-2027 учебного года", p).is_err());
        assert!(parse_due("III квартал (май) 2026", p).is_err());
        assert!(parse_due("31.02.2026", p).is_err());
        assert!(check_due("По графику РОИВ").is_err());
        assert!(check_due("II полугодие").is_ok());
    }

    #[test]
    fn find_due_in_running_text() {
        let text = "Организация деятельности ОЦПРМСО в 2021/2022 учебном году октябрь 2021 методический отдел";
        let r = find_due(text).unwrap();
        assert_eq!(&text[r.clone()], "октябрь 2021");
        assert_eq!(
            text[..r.start].trim(),
            "Организация деятельности ОЦПРМСО в 2021/2022 учебном году"
        );
        let text = "Организация сетевого взаимодействия в течение учебного года ОЦПРМСО";
        assert_eq!(&text[find_due(text).unwrap()], "в течение учебного года");
        let text = "Семинар Январь-апрель 2026 (ежемесячно) ГАУ ДПО СОИРО";
        assert_eq!(
            &text[find_due(text).unwrap()],
            "Январь-апрель 2026 (ежемесячно)"
        );
        let text = "Совещания ноябрь 2025, апрель 2026 (по отдельному графику) РОИВ";
        assert_eq!(
            &text[find_due(text).unwrap()],
            "ноябрь 2025, апрель 2026 (по отдельному графику)"
        );
        assert_eq!(
            find_due("Выявление эффективного педагогического опыта УОиМП"),
            None
        );
    }

    #[test]
    fn markup_is_stripped() {
        assert_eq!(
            plain_text("<p>Заключение:</p> <ul style=\"x\"> <li>- по&nbsp;ФОР;</li></ul>"),
            "Заключение: - по ФОР;"
        );
        assert_eq!(
            plain_text("<i>Орг</i>анизационное &laquo;а&raquo; &#171;б&#187;"),
            "Организационное «а» «б»"
        );
        assert_eq!(plain_text("a < b & c"), "a < b & c");
    }

    #[test]
    fn status_follows_the_points() {
        let p = school_year(2025);
        let due = parse_due("Декабрь 2025 Июнь 2026", p).unwrap();
        let at = |day| status(Some(&due), false, day);
        assert_eq!(at(d(2025, 11, 30)), ItemStatus::Planned);
        assert_eq!(at(d(2025, 12, 1)), ItemStatus::InProgress);
        assert_eq!(at(d(2025, 12, 31)), ItemStatus::InProgress);
        assert_eq!(at(d(2026, 1, 1)), ItemStatus::Overdue);
        assert_eq!(status(Some(&due), true, d(2026, 1, 1)), ItemStatus::Done);
        assert_eq!(status(None, false, d(2030, 1, 1)), ItemStatus::Planned);
        let deadline = parse_due("до 15.04.2026", p).unwrap();
        assert_eq!(
            status(Some(&deadline), false, d(2025, 9, 1)),
            ItemStatus::InProgress
        );
        assert_eq!(
            status(Some(&deadline), false, d(2026, 4, 16)),
            ItemStatus::Overdue
        );
        assert_eq!(ItemStatus::InProgress.as_str(), "in_progress");
        assert_eq!(ItemStatus::Overdue.title(), "просрочено");
        assert_eq!(Recurrence::Quarterly.as_str(), "quarterly");
    }

    // ---- properties --------------------------------------------------------

    fn period_strategy() -> impl Strategy<Value = Period> {
        (2000i32..2090, any::<bool>()).prop_map(|(y, school)| {
            if school {
                school_year(y)
            } else {
                calendar_year(y)
            }
        })
    }

    fn dash() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["-", " - ", "–", " – ", "—", " ‐ "])
    }

    fn month_word() -> impl Strategy<Value = (u32, String)> {
        (0usize..12, any::<bool>()).prop_map(|(m, upper)| {
            let w = MONTHS[m][0];
            let w = if upper {
                let mut c = w.chars();
                let first = c.next().unwrap().to_uppercase().collect::<String>();
                first + c.as_str()
            } else {
                w.to_string()
            };
            (m as u32 + 1, w)
        })
    }

    /// Expressions whose dates come from the period.
    fn yearless() -> impl Strategy<Value = String> {
        prop_oneof![
            month_word().prop_map(|(_, w)| w),
            (month_word(), dash(), month_word())
                .prop_map(|((_, a), d, (_, b))| format!("{a}{d}{b}")),
            prop::sample::select(vec![
                "в течение года",
                "В течение учебного года",
                "в течение всего периода",
                "ежемесячно",
                "ежеквартально",
                "I квартал",
                "II квартал",
                "1 полугодие",
            ])
            .prop_map(str::to_string),
        ]
    }

    fn with_year(year: i32) -> impl Strategy<Value = String> {
        prop_oneof![
            month_word().prop_map(move |(_, w)| format!("{w} {year}")),
            (month_word(), dash(), month_word()).prop_map(move |((a, aw), d, (b, bw))| {
                if a <= b {
                    format!("{aw}{d}{bw} {year} г.")
                } else {
                    format!("{aw} {year}{d}{bw} {}", year + 1)
                }
            }),
            (1u32..=4).prop_map(move |q| format!("{q} квартал {year} года")),
            (1u32..=2).prop_map(move |h| format!("{h} полугодие {year}")),
            (
                month_word(),
                prop::sample::select(vec!["ежемесячно", "(далее – ежеквартально)"])
            )
                .prop_map(move |((_, w), r)| format!("{w} {year} {r}")),
        ]
    }

    proptest! {
        #[test]
        fn yearless_points_lie_in_the_period(p in period_strategy(), texts in prop::collection::vec(yearless(), 1..3)) {
            let text = texts.join(", ");
            match parse_due(&text, p) {
                Ok(due) => {
                    prop_assert!(!due.points.is_empty());
                    for pt in &due.points {
                        let from = pt.from.unwrap();
                        prop_assert!(from <= pt.to, "{text}: {pt:?}");
                        prop_assert!(p.from <= from && pt.to <= p.to, "{text}: {pt:?} outside {p:?}");
                    }
                }
                // Only a half-year or a range that no year puts wholly
                // inside, or two recurrences, may be refused.
                Err(e) => prop_assert!(
                    e.contains("укажите год") || e.contains("несколько повторений"),
                    "{text}: {e}"
                ),
            }
        }

        #[test]
        fn written_years_are_kept_and_ordered(p in period_strategy(), texts in prop::collection::vec(with_year(2030), 1..3)) {
            let text = texts.join(" ");
            let due = match parse_due(&text, p) {
                Ok(due) => due,
                Err(e) if e.contains("несколько повторений") => return Ok(()),
                Err(e) => return Err(TestCaseError::fail(format!("{text}: {e}"))),
            };
            for pt in &due.points {
                let from = pt.from.unwrap();
                prop_assert!(from <= pt.to, "{text}: {pt:?}");
                // Recurrences after a single month may run to the period's
                // end; everything else is in the years written.
                if due.recurrence.is_none() {
                    prop_assert!(from.year() >= 2030 && pt.to.year() <= 2031, "{text}: {pt:?}");
                }
            }
        }

        #[test]
        fn any_text_reads_or_is_refused(text in "\\PC{0,40}", p in period_strategy()) {
            if let Ok(due) = parse_due(&text, p) {
                for pt in &due.points {
                    prop_assert!(pt.from.is_none_or(|f| f <= pt.to));
                }
            }
            let _ = find_due(&text);
        }

        #[test]
        fn status_is_done_overdue_in_progress_or_planned(p in period_strategy(), text in yearless(), offset in 0u64..800, done in any::<bool>()) {
            if let Ok(due) = parse_due(&text, p) {
                let today = p.from - Days::new(30) + Days::new(offset);
                let s = status(Some(&due), done, today);
                let last = due.points.iter().map(|x| x.to).min().unwrap();
                let expected_overdue = !done && last < today;
                prop_assert_eq!(s == ItemStatus::Overdue, expected_overdue);
                prop_assert_eq!(s == ItemStatus::Done, done);
            }
        }
    }
}

//! `catalogue`: the activities routes are built from — courses, retraining,
//! internships, seminars, master classes, webinars, mentoring, self-study —
//! checked against the loaded banks and the stored municipalities, and merged
//! with the stored entries by `code`.
//!
//! A competence is `BANK:CODE` of a loaded bank; a bare `CODE` is accepted
//! only where exactly one loaded bank defines it (the shipped banks all use
//! `K1`…`K5`, so in practice a region writes `BANK:CODE`). Codes compare as
//! in `results`: exactly, else ignoring case and Cyrillic look-alikes when
//! that leaves one competence. What is stored is always the bank's own
//! spelling.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::{
    ActivityKind, Bank, Competence, CompetenceRef, CourseCode, Entry, Format, MunicipalityCode,
    ParseError,
};
use store::Directory;

use crate::cells::{Sheet, comparable_code, parse_count, parse_date};
use crate::columns::{self, Col, opt, req};
use crate::kinds::Keys;
use crate::read::{self, Record};
use crate::{ImportErrors, RowError};

/// What importing a catalogue file would change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CataloguePlan {
    /// New or changed entries, merged with the stored ones (a column absent
    /// from the file keeps the stored value; an empty cell clears an optional
    /// value), in file order. A new entry is active; a stored one keeps its
    /// `active` (the file has no such column).
    pub changes: Vec<Entry>,
    /// Rows that create an entry.
    pub created: usize,
    /// Rows that change a stored entry.
    pub updated: usize,
    /// Rows that match what is stored.
    pub unchanged: usize,
    /// Things worth saying that do not stop the import (unknown columns, an
    /// empty file, hours below the legal minimum of a course or retraining).
    pub warnings: Vec<String>,
    /// The data rows read (the header and empty rows not counted).
    pub rows: usize,
}

const COLUMNS: &[Col] = &[
    req("code", "код"),
    req("title", "название"),
    req("kind", "вид"),
    req("hours", "часы"),
    req("competences", "компетенции"),
    opt("provider", "организатор"),
    opt("format", "формат"),
    opt("subjects", "предметы"),
    opt("municipality", "муниципалитет"),
    opt("starts_on", "начало"),
    opt("ends_on", "окончание"),
    opt("capacity", "мест"),
    opt("url", "ссылка"),
];
const CODE: usize = 0;
const TITLE: usize = 1;
const KIND: usize = 2;
const HOURS: usize = 3;
const COMPETENCES: usize = 4;
const PROVIDER: usize = 5;
const FORMAT: usize = 6;
const SUBJECTS: usize = 7;
const MUNICIPALITY: usize = 8;
const STARTS_ON: usize = 9;
const ENDS_ON: usize = 10;
const CAPACITY: usize = 11;
const URL: usize = 12;

/// The least hours of a further-training course (ПК) and of a retraining
/// programme (ПП) by the order on additional professional programmes
/// (приказ Минобрнауки России от 01.07.2013 № 499). Fewer is a warning: the
/// region may know better (a module of a longer programme).
const MIN_COURSE_HOURS: u32 = 16;
const MIN_RETRAINING_HOURS: u32 = 250;

/// Reads `bytes` (CSV or XLSX) as a `catalogue` file and merges its rows
/// with the `existing` entries, checked against the loaded `banks` (their
/// competences) and the municipalities of `directory`. All or nothing: any
/// wrong cell makes it an `Err` listing every wrong cell of the file.
pub fn plan_catalogue(
    file_name: &str,
    bytes: &[u8],
    existing: &[Entry],
    banks: &[Bank],
    directory: &Directory,
) -> Result<CataloguePlan, ImportErrors> {
    let table = read::read_table(file_name, bytes, &|header| {
        columns::recognise(COLUMNS, header).is_some()
    })
    .map_err(|e| ImportErrors(vec![e]))?;
    let (cols, mut warnings) =
        columns::resolve(COLUMNS, file_name, &table).map_err(ImportErrors)?;
    if table.records.is_empty() {
        warnings.push(format!("{file_name}: в файле нет строк с данными"));
    }
    let mut sheet = Sheet::new(file_name, cols);
    let mut plan = Planner {
        existing,
        banks,
        municipalities: directory.municipalities.iter().map(|m| &m.code).collect(),
    }
    .plan(&mut sheet, &table.records);
    if !sheet.errors.is_empty() {
        let mut errors: Vec<RowError> = sheet.errors;
        errors.sort_by_key(|e| e.row);
        return Err(ImportErrors(errors));
    }
    warnings.append(&mut plan.warnings);
    plan.warnings = warnings;
    plan.rows = table.records.len();
    Ok(plan)
}

struct Planner<'a> {
    existing: &'a [Entry],
    banks: &'a [Bank],
    municipalities: HashSet<&'a MunicipalityCode>,
}

impl Planner<'_> {
    fn plan(&self, sheet: &mut Sheet<'_>, records: &[Record]) -> CataloguePlan {
        let stored: HashMap<&CourseCode, &Entry> =
            self.existing.iter().map(|e| (&e.code, e)).collect();
        let mut keys = Keys::with_capacity(records.len());
        let mut plan = CataloguePlan::default();
        for rec in records {
            let before = sheet.errors.len();
            let code = sheet.required(rec, CODE, CourseCode::parse);
            if let Some(code) = &code {
                keys.check(sheet, rec, CODE, code.clone(), "код");
            }
            let title = sheet.required_text(rec, TITLE);
            let kind = sheet.required(rec, KIND, ActivityKind::parse);
            let hours = sheet.required(rec, HOURS, parse_hours);
            let competences = self.competences(sheet, rec);
            let provider = sheet.optional_text(rec, PROVIDER);
            let format = sheet.parsed(rec, FORMAT, Format::parse);
            let subjects = sheet.list(rec, SUBJECTS, |s| Ok(s.to_string()));
            let municipality = sheet.parsed(rec, MUNICIPALITY, |v| self.municipality(v));
            let starts_on = sheet.parsed(rec, STARTS_ON, parse_date);
            let ends_on = sheet.parsed(rec, ENDS_ON, parse_date);
            let old = code.as_ref().and_then(|c| stored.get(c).copied());
            check_dates(sheet, rec, old, starts_on, ends_on);
            let capacity = sheet.parsed(rec, CAPACITY, parse_count);
            let url = sheet.parsed(rec, URL, parse_url);
            let (Some(code), Some(title), Some(kind), Some(hours), Some(competences)) =
                (code, title, kind, hours, competences)
            else {
                continue;
            };
            if sheet.errors.len() > before {
                continue;
            }
            let new = match old {
                Some(old) => Entry {
                    code,
                    title,
                    kind,
                    hours,
                    competences,
                    provider: provider.unwrap_or_else(|| old.provider.clone()),
                    format: format.map_or(old.format, Option::unwrap_or_default),
                    subjects: subjects.unwrap_or_else(|| old.subjects.clone()),
                    municipality: municipality.unwrap_or_else(|| old.municipality.clone()),
                    starts_on: starts_on.unwrap_or(old.starts_on),
                    ends_on: ends_on.unwrap_or(old.ends_on),
                    capacity: capacity.unwrap_or(old.capacity),
                    url: url.unwrap_or_else(|| old.url.clone()),
                    active: old.active,
                },
                None => Entry {
                    code,
                    title,
                    kind,
                    hours,
                    competences,
                    provider: provider.flatten(),
                    format: format.flatten().unwrap_or_default(),
                    subjects: subjects.unwrap_or_default(),
                    municipality: municipality.flatten(),
                    starts_on: starts_on.flatten(),
                    ends_on: ends_on.flatten(),
                    capacity: capacity.flatten(),
                    url: url.flatten(),
                    active: true,
                },
            };
            if let Some(warning) = hours_warning(sheet.file, rec.row, &new) {
                plan.warnings.push(warning);
            }
            let write = match old {
                None => {
                    plan.created += 1;
                    true
                }
                Some(old) if *old == new => {
                    plan.unchanged += 1;
                    false
                }
                Some(_) => {
                    plan.updated += 1;
                    true
                }
            };
            if write {
                plan.changes.push(new);
            }
        }
        plan
    }

    /// The competences cell: a non-empty `|`-list, each item resolved
    /// against the loaded banks; an item named twice is kept once.
    fn competences(&self, sheet: &mut Sheet<'_>, rec: &Record) -> Option<Vec<CompetenceRef>> {
        let list = sheet.list(rec, COMPETENCES, |item| self.competence(item))?;
        if list.is_empty() {
            // An empty cell, or one of separators only.
            let value = sheet.raw(rec, COMPETENCES).unwrap_or_default().to_string();
            sheet.error(
                rec,
                COMPETENCES,
                "не указано ни одной компетенции: ожидается список БАНК:КОД через «|», \
                 например pedagogy-core:K1|pedagogy-core:K3",
                &value,
            );
            return None;
        }
        let mut out: Vec<CompetenceRef> = Vec::with_capacity(list.len());
        for c in list {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Some(out)
    }

    /// One competence: `BANK:CODE` of a loaded bank, or a bare `CODE` that
    /// exactly one loaded bank defines.
    fn competence(&self, item: &str) -> Result<CompetenceRef, ParseError> {
        let item = item.trim();
        if let Some((bank, code)) = item.split_once(':') {
            let (bank_id, code) = (bank.trim(), code.trim());
            if bank_id.is_empty() || code.is_empty() || code.contains(':') {
                return Err(ParseError(
                    "компетенция записывается как БАНК:КОД, например pedagogy-core:K1".into(),
                ));
            }
            let wanted = bank_id.to_lowercase();
            let Some(bank) = self.banks.iter().find(|b| b.id == wanted) else {
                let loaded: Vec<&str> = self.banks.iter().map(|b| b.id.as_str()).collect();
                let loaded = if loaded.is_empty() {
                    "не загружено ни одного банка".to_string()
                } else {
                    format!("загружены: {}", loaded.join(", "))
                };
                return Err(ParseError(format!(
                    "банк {bank_id} не загружен ({loaded}): загрузите его (marshrut bank load) \
                     или исправьте код банка"
                )));
            };
            return match find_competence(bank, code) {
                Some(c) => Ok(CompetenceRef::new(&bank.id, &c.code)),
                None => {
                    let codes: Vec<&str> =
                        bank.competences.iter().map(|c| c.code.as_str()).collect();
                    Err(ParseError(format!(
                        "компетенции {code} нет в банке {} (есть: {})",
                        bank.id,
                        codes.join(", ")
                    )))
                }
            };
        }
        let defining: Vec<(&Bank, &Competence)> = self
            .banks
            .iter()
            .filter_map(|b| find_competence(b, item).map(|c| (b, c)))
            .collect();
        match defining.as_slice() {
            [(bank, c)] => Ok(CompetenceRef::new(&bank.id, &c.code)),
            [] => Err(ParseError(format!(
                "компетенции {item} нет ни в одном загруженном банке: укажите БАНК:КОД \
                 компетенции загруженного банка"
            ))),
            several => {
                let ids: Vec<&str> = several.iter().map(|(b, _)| b.id.as_str()).collect();
                Err(ParseError(format!(
                    "компетенция {item} есть в нескольких банках ({}): укажите БАНК:КОД, \
                     например {}:{}",
                    ids.join(", "),
                    several[0].0.id,
                    several[0].1.code
                )))
            }
        }
    }

    fn municipality(&self, value: &str) -> Result<MunicipalityCode, ParseError> {
        let code = MunicipalityCode::parse(value)?;
        if self.municipalities.contains(&code) {
            Ok(code)
        } else {
            Err(ParseError(format!(
                "муниципалитет с кодом {code} не найден: сначала импортируйте муниципалитеты \
                 (для регионального мероприятия оставьте ячейку пустой)"
            )))
        }
    }
}

/// Refuses an end before the start, as the entry would have them: a date
/// column absent from the file stands for the stored date. A date that could
/// not be read is already reported and checks nothing.
fn check_dates(
    sheet: &mut Sheet<'_>,
    rec: &Record,
    old: Option<&Entry>,
    starts_on: Option<Option<NaiveDate>>,
    ends_on: Option<Option<NaiveDate>>,
) {
    let merged = |sheet: &Sheet<'_>, col, value: Option<Option<NaiveDate>>, stored| match (
        value,
        sheet.raw(rec, col).is_some(),
    ) {
        (Some(v), _) => Some(v),
        (None, false) => Some(stored),
        (None, true) => None,
    };
    let start = merged(sheet, STARTS_ON, starts_on, old.and_then(|o| o.starts_on));
    let end = merged(sheet, ENDS_ON, ends_on, old.and_then(|o| o.ends_on));
    if let (Some(Some(start)), Some(Some(end))) = (start, end)
        && end < start
    {
        // Blamed on the end date, or on the start when only it is in the file.
        let col = if sheet.raw(rec, ENDS_ON).is_some() {
            ENDS_ON
        } else {
            STARTS_ON
        };
        let value = sheet.raw(rec, col).unwrap_or_default().to_string();
        sheet.error(
            rec,
            col,
            format!(
                "дата окончания ({}) раньше даты начала ({})",
                end.format("%d.%m.%Y"),
                start.format("%d.%m.%Y")
            ),
            &value,
        );
    }
}

/// A competence of `bank` by its code: exactly, else ignoring case and
/// Cyrillic look-alikes when that leaves exactly one.
fn find_competence<'b>(bank: &'b Bank, code: &str) -> Option<&'b Competence> {
    if let Some(c) = bank.competences.iter().find(|c| c.code == code) {
        return Some(c);
    }
    let wanted = comparable_code(code);
    let mut loose = bank
        .competences
        .iter()
        .filter(|c| comparable_code(&c.code) == wanted);
    match (loose.next(), loose.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Academic hours: a whole number above zero. A decimal that is whole
/// (`36,0`, as spreadsheets write numbers) is accepted; `1,5` is not.
pub(crate) fn parse_hours(value: &str) -> Result<u32, ParseError> {
    let bad = || {
        ParseError("ожидается целое число академических часов больше нуля (например, 36)".into())
    };
    let s = value.trim().replace(',', ".");
    let (whole, fraction) = s.split_once('.').unwrap_or((&s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(bad());
    }
    if !fraction.bytes().all(|b| b == b'0') {
        return Err(ParseError(
            "часы указываются целым числом академических часов: дробное значение не принимается"
                .into(),
        ));
    }
    match whole.parse::<u32>() {
        Ok(0) => Err(ParseError("число часов должно быть больше нуля".into())),
        Ok(h) => Ok(h),
        Err(_) => Err(ParseError("слишком большое число часов".into())),
    }
}

/// A link: an `http://` or `https://` address without spaces.
fn parse_url(value: &str) -> Result<String, ParseError> {
    let v = value.trim();
    let lower = v.to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !v.contains(char::is_whitespace) => Ok(v.to_string()),
        Some(_) if v.contains(char::is_whitespace) => {
            Err(ParseError("ссылка не должна содержать пробелов".into()))
        }
        _ => Err(ParseError(
            "ссылка должна начинаться с http:// или https://".into(),
        )),
    }
}

/// A warning for hours below the legal minimum of a course or retraining.
fn hours_warning(file: &str, row: usize, entry: &Entry) -> Option<String> {
    let (min, what) = match entry.kind {
        ActivityKind::Course => (MIN_COURSE_HOURS, "курса повышения квалификации"),
        ActivityKind::Retraining => (MIN_RETRAINING_HOURS, "программы переподготовки"),
        _ => return None,
    };
    (entry.hours < min).then(|| {
        format!(
            "{file}:{row}: hours: {} ч. — меньше {min} ч., наименьшего объёма {what} \
             (мероприятие {})",
            entry.hours, entry.code
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_whole_academic_hours() {
        for (text, hours) in [("36", 36), ("36,0", 36), ("72.00", 72), (" 2 ", 2)] {
            assert_eq!(parse_hours(text).unwrap(), hours, "{text}");
        }
        assert!(parse_hours("1,5").unwrap_err().0.contains("целым числом"));
        assert!(parse_hours("0").unwrap_err().0.contains("больше нуля"));
        for bad in ["-36", "36 ч", "тридцать", ",5", "1e2", ""] {
            assert!(
                parse_hours(bad).unwrap_err().0.contains("ожидается"),
                "{bad}"
            );
        }
        assert!(
            parse_hours("99999999999")
                .unwrap_err()
                .0
                .contains("большое")
        );
    }

    #[test]
    fn links_need_a_scheme() {
        assert_eq!(
            parse_url("https://apkpro.ru/").unwrap(),
            "https://apkpro.ru/"
        );
        assert!(parse_url("HTTP://example.org").is_ok());
        assert!(parse_url("apkpro.ru").unwrap_err().0.contains("http://"));
        assert!(parse_url("https://").is_err());
        assert!(parse_url("https://a b").unwrap_err().0.contains("пробелов"));
        assert!(parse_url("ftp://a").is_err());
    }
}

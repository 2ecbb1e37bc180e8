//! `trainings`: further training completed outside routes (for example
//! from the federal register of qualification documents), counted by
//! `training_coverage`; and `targets`: the region's targets (целевые
//! значения) for the indicators, by region, municipality or school.
//!
//! Both are merged with the stored rows on their keys — trainings on
//! (login, title, completed_on), targets on (indicator, scope, code) — and
//! checked against the stored directory: an unknown login, municipality or
//! school is a row error.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::indicators::{Indicator, Percent, Where};
use domain::{ActivityKind, Login, ParseError};
use store::trainings::TRAINING_KINDS;
use store::{Directory, NewTarget, NewTraining, TargetRow, TrainingRow};

use crate::cells::{Sheet, parse_date};
use crate::columns::{self, Col, opt, req};
use crate::kinds::Keys;
use crate::read::{self, Record};
use crate::{ImportErrors, RowError};

/// What importing a file of trainings or targets would change.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertPlan<T> {
    /// New or changed rows, merged with the stored ones (a column absent
    /// from the file keeps the stored value), in file order.
    pub changes: Vec<T>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Things worth saying that do not stop the import.
    pub warnings: Vec<String>,
}

impl<T> Default for UpsertPlan<T> {
    fn default() -> Self {
        UpsertPlan {
            changes: Vec::new(),
            created: 0,
            updated: 0,
            unchanged: 0,
            warnings: Vec::new(),
        }
    }
}

impl<T: PartialEq> UpsertPlan<T> {
    fn tally(&mut self, old: Option<&T>, new: T) {
        match old {
            None => self.created += 1,
            Some(old) if *old == new => {
                self.unchanged += 1;
                return;
            }
            Some(_) => self.updated += 1,
        }
        self.changes.push(new);
    }
}

/// Reads the table, resolves the columns and runs `plan` over the rows;
/// all or nothing.
fn run<T>(
    specs: &'static [Col],
    file_name: &str,
    bytes: &[u8],
    plan: impl FnOnce(&mut Sheet<'_>, &[Record]) -> UpsertPlan<T>,
) -> Result<UpsertPlan<T>, ImportErrors> {
    let table = read::read_table(file_name, bytes, &|header| {
        columns::recognise(specs, header).is_some()
    })
    .map_err(|e| ImportErrors(vec![e]))?;
    let (cols, mut warnings) = columns::resolve(specs, file_name, &table).map_err(ImportErrors)?;
    if table.records.is_empty() {
        warnings.push(format!("{file_name}: в файле нет строк с данными"));
    }
    let mut sheet = Sheet::new(file_name, cols);
    let mut plan = plan(&mut sheet, &table.records);
    if !sheet.errors.is_empty() {
        let mut errors: Vec<RowError> = sheet.errors;
        errors.sort_by_key(|e| e.row);
        return Err(ImportErrors(errors));
    }
    warnings.append(&mut plan.warnings);
    plan.warnings = warnings;
    Ok(plan)
}

// ---- trainings ------------------------------------------------------------------

const TRAINING_COLUMNS: &[Col] = &[
    req("login", "логин"),
    req("title", "программа"),
    req("kind", "вид"),
    req("hours", "часы"),
    req("completed_on", "дата_окончания"),
    opt("document", "документ"),
];
const T_LOGIN: usize = 0;
const T_TITLE: usize = 1;
const T_KIND: usize = 2;
const T_HOURS: usize = 3;
const T_COMPLETED_ON: usize = 4;
const T_DOCUMENT: usize = 5;

/// Reads `bytes` (CSV or XLSX) as a `trainings` file and merges its rows
/// with the `existing` ones; every login must be an account of `directory`.
pub fn plan_trainings(
    file_name: &str,
    bytes: &[u8],
    existing: &[TrainingRow],
    directory: &Directory,
) -> Result<UpsertPlan<NewTraining>, ImportErrors> {
    let logins: HashSet<&Login> = directory.accounts.iter().map(|a| &a.login).collect();
    let stored: HashMap<(&Login, &str, NaiveDate), &NewTraining> = existing
        .iter()
        .map(|r| {
            let t = &r.training;
            ((&t.login, t.title.as_str(), t.completed_on), t)
        })
        .collect();
    run(TRAINING_COLUMNS, file_name, bytes, |sheet, records| {
        let mut plan = UpsertPlan::default();
        let mut keys = Keys::with_capacity(records.len());
        for rec in records {
            let before = sheet.errors.len();
            let login = sheet.required(rec, T_LOGIN, |v| {
                let login = Login::parse(v)?;
                if logins.contains(&login) {
                    Ok(login)
                } else {
                    Err(ParseError(format!(
                        "учётная запись {login} не найдена: сначала импортируйте сотрудников (staff)"
                    )))
                }
            });
            let title = sheet
                .required_text(rec, T_TITLE)
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
            let kind = sheet.required(rec, T_KIND, parse_training_kind);
            let hours = sheet.required(rec, T_HOURS, crate::catalogue::parse_hours);
            let completed_on = sheet.required(rec, T_COMPLETED_ON, parse_date);
            let document = sheet.optional_text(rec, T_DOCUMENT);
            let (Some(login), Some(title), Some(kind), Some(hours), Some(completed_on)) =
                (login, title, kind, hours, completed_on)
            else {
                continue;
            };
            keys.check(
                sheet,
                rec,
                T_TITLE,
                (login.clone(), title.clone(), completed_on),
                "обучение (логин, программа, дата окончания)",
            );
            if sheet.errors.len() > before {
                continue;
            }
            let old = stored.get(&(&login, title.as_str(), completed_on)).copied();
            let new = NewTraining {
                document: match document {
                    Some(d) => d,
                    None => old.and_then(|o| o.document.clone()),
                },
                login,
                title,
                kind,
                hours,
                completed_on,
            };
            plan.tally(old, new);
        }
        plan
    })
}

/// `course`, `retraining`, `internship` or their Russian forms.
fn parse_training_kind(value: &str) -> Result<ActivityKind, ParseError> {
    let wrong = || {
        ParseError(
            "неизвестный вид обучения: ожидается ПК (course), ПП (retraining) или стажировка \
             (internship)"
                .into(),
        )
    };
    let kind = ActivityKind::parse(value).map_err(|_| wrong())?;
    if TRAINING_KINDS.contains(&kind) {
        Ok(kind)
    } else {
        Err(wrong())
    }
}

// ---- targets ----------------------------------------------------------------------

const TARGET_COLUMNS: &[Col] = &[
    req("indicator", "показатель"),
    req("threshold", "целевое_значение"),
    opt("scope", "уровень"),
    opt("code", "код"),
    opt("due_on", "срок"),
];
const G_INDICATOR: usize = 0;
const G_THRESHOLD: usize = 1;
const G_SCOPE: usize = 2;
const G_CODE: usize = 3;
const G_DUE_ON: usize = 4;

/// Reads `bytes` (CSV or XLSX) as a `targets` file and merges its rows
/// with the `existing` ones; a municipality or school code must exist in
/// `directory`.
pub fn plan_targets(
    file_name: &str,
    bytes: &[u8],
    existing: &[TargetRow],
    directory: &Directory,
) -> Result<UpsertPlan<NewTarget>, ImportErrors> {
    let stored: HashMap<(Indicator, &Where), &NewTarget> = existing
        .iter()
        .map(|r| ((r.target.indicator, &r.target.at), &r.target))
        .collect();
    run(TARGET_COLUMNS, file_name, bytes, |sheet, records| {
        let mut plan = UpsertPlan::default();
        let mut keys = Keys::with_capacity(records.len());
        for rec in records {
            let before = sheet.errors.len();
            let indicator = sheet.required(rec, G_INDICATOR, Indicator::parse);
            let threshold = sheet.required(rec, G_THRESHOLD, Percent::parse);
            let at = where_cell(sheet, rec, directory);
            let due_on = sheet.parsed(rec, G_DUE_ON, parse_date);
            let (Some(indicator), Some(threshold), Some(at)) = (indicator, threshold, at) else {
                continue;
            };
            let key_col = if sheet.raw(rec, G_CODE).is_some() {
                G_CODE
            } else {
                G_INDICATOR
            };
            keys.check(
                sheet,
                rec,
                key_col,
                (indicator, at.clone()),
                "целевое значение (показатель, уровень, код)",
            );
            if sheet.errors.len() > before {
                continue;
            }
            let old = stored.get(&(indicator, &at)).copied();
            let new = NewTarget {
                indicator,
                threshold,
                due_on: match due_on {
                    Some(d) => d,
                    None => old.and_then(|o| o.due_on),
                },
                at,
            };
            plan.tally(old, new);
        }
        plan
    })
}

/// The `scope` and `code` cells of a target; the code must be a stored
/// municipality or school. An error is blamed on the code when the file
/// has the column and the scope is readable, else on the scope.
fn where_cell(sheet: &mut Sheet<'_>, rec: &Record, directory: &Directory) -> Option<Where> {
    let scope = sheet.raw(rec, G_SCOPE).map(str::to_string);
    let code = sheet.raw(rec, G_CODE).map(str::to_string);
    let at = match Where::parse(scope.as_deref(), code.as_deref()) {
        Ok(at) => at,
        Err(e) => {
            let blame_code = code.as_deref().is_some_and(|c| !c.trim().is_empty())
                || scope.as_deref().is_some_and(|s| {
                    matches!(
                        s.trim().to_lowercase().as_str(),
                        "municipality"
                            | "муниципалитет"
                            | "муниципальный"
                            | "school"
                            | "оо"
                            | "школа"
                    )
                });
            let (col, value) = match (blame_code && code.is_some(), &code, &scope) {
                (true, Some(c), _) => (G_CODE, c.clone()),
                (_, _, Some(s)) => (G_SCOPE, s.clone()),
                _ => (G_INDICATOR, String::new()),
            };
            sheet.error(rec, col, e.0, &value);
            return None;
        }
    };
    let known = match &at {
        Where::Region => true,
        Where::Municipality(m) => directory.municipalities.iter().any(|x| &x.code == m),
        Where::School(s) => directory.schools.iter().any(|x| &x.code == s),
    };
    if !known {
        let what = match &at {
            Where::Municipality(_) => "муниципалитет",
            _ => "ОО",
        };
        let value = code.unwrap_or_default();
        sheet.error(
            rec,
            G_CODE,
            format!("{what} с таким кодом не найден(а): сначала импортируйте справочник"),
            &value,
        );
        return None;
    }
    Some(at)
}

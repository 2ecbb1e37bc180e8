//! `results`: diagnostics taken on another platform (for example the federal
//! one), turned into completed diagnostics for the store.
//!
//! The rows of one (login, bank, `taken_on`) form one diagnostic. A row names
//! a competence of the bank (`CODE` or `BANK:CODE`) or the overall result
//! (`TOTAL`), with a percent, a level, or both. Every level is decided
//! exactly against the bank's thresholds, as an attempt's would be: a percent
//! is a whole number of hundredths, and [`domain::level_for`] compares it
//! with the threshold without rounding, so 40.00 is `high` and 39.99
//! `critical` under thresholds 40/60/80.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::{Bank, Level, Login, OverallRule, ParseError, Rational, level_for};
use serde::Serialize;
use store::{DiagnosticCompetence, DiagnosticSource, Directory, NewDiagnostic, format_percent};

use crate::cells::{Sheet, comparable_code, parse_date};
use crate::columns::{self, Col, opt, req};
use crate::read::{self, Record};
use crate::{ImportErrors, RowError};

/// What importing a results file would store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultsPlan {
    /// One per (login, bank, `taken_on`), in the order their first row
    /// appears in the file; each with `source: Import`, no bank version and
    /// its competences in the bank file's order.
    pub diagnostics: Vec<NewDiagnostic>,
    /// Things worth saying that do not stop the import (unknown columns, an
    /// empty file).
    pub warnings: Vec<String>,
    /// The data rows read (the header and empty rows not counted).
    pub rows: usize,
}

const COLUMNS: &[Col] = &[
    req("login", "логин"),
    req("bank", "банк"),
    req("competence", "компетенция"),
    opt("percent", "процент"),
    opt("level", "уровень"),
    req("taken_on", "дата"),
];
const LOGIN: usize = 0;
const BANK: usize = 1;
const COMPETENCE: usize = 2;
const PERCENT: usize = 3;
const LEVEL: usize = 4;
const TAKEN_ON: usize = 5;

/// The competence cell's word for the overall result.
const TOTAL: &str = "TOTAL";

/// Reads `bytes` (CSV or XLSX) as a `results` file, checked against the
/// loaded `banks` (the current version of each; its thresholds decide the
/// levels and its version is written into the profiles) and the accounts of
/// `directory`. A diagnostic dated after today (the machine's local date) is
/// refused; [`plan_results_on`] takes the region's date instead. All or
/// nothing: any wrong cell makes it an `Err` listing every wrong cell.
pub fn plan_results(
    file_name: &str,
    bytes: &[u8],
    banks: &[Bank],
    directory: &Directory,
) -> Result<ResultsPlan, ImportErrors> {
    let today = chrono::Local::now().date_naive();
    plan_results_on(file_name, bytes, banks, directory, today)
}

/// [`plan_results`] with the region's `today`: a diagnostic taken after it
/// is refused.
pub fn plan_results_on(
    file_name: &str,
    bytes: &[u8],
    banks: &[Bank],
    directory: &Directory,
    today: NaiveDate,
) -> Result<ResultsPlan, ImportErrors> {
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
    let diagnostics = Planner {
        banks,
        directory,
        today,
    }
    .plan(&mut sheet, &table.records);
    if !sheet.errors.is_empty() {
        let mut errors: Vec<RowError> = sheet.errors;
        errors.sort_by_key(|e| e.row);
        return Err(ImportErrors(errors));
    }
    Ok(ResultsPlan {
        diagnostics,
        warnings,
        rows: table.records.len(),
    })
}

/// What a row's competence cell names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    /// The overall result.
    Total,
    /// A competence, by its index in the bank.
    Competence(usize),
}

/// One row of a diagnostic.
struct Line<'r> {
    rec: &'r Record,
    target: Target,
    /// Hundredths of a percent.
    percent: Option<i64>,
    level: Option<Level>,
    /// The row's cells are all right (its percent and level can be trusted).
    ok: bool,
}

/// The rows of one (login, bank, `taken_on`).
struct Group<'b, 'r> {
    login: Login,
    bank: &'b Bank,
    taken_on: NaiveDate,
    lines: Vec<Line<'r>>,
    /// Where each target was first given, to refuse a repeat.
    seen: HashMap<Target, usize>,
}

struct Planner<'a> {
    banks: &'a [Bank],
    directory: &'a Directory,
    today: NaiveDate,
}

impl<'a> Planner<'a> {
    fn plan(&self, sheet: &mut Sheet<'_>, records: &[Record]) -> Vec<NewDiagnostic> {
        let groups = self.group(sheet, records);
        let mut out = Vec::with_capacity(groups.len());
        for group in &groups {
            if let Some(d) = diagnostic(sheet, group) {
                out.push(d);
            }
        }
        out
    }

    /// Reads every row and gathers them by (login, bank, `taken_on`), in the
    /// order of each group's first row.
    fn group<'r>(&self, sheet: &mut Sheet<'_>, records: &'r [Record]) -> Vec<Group<'a, 'r>> {
        let accounts: HashSet<&Login> = self.directory.accounts.iter().map(|a| &a.login).collect();
        let mut index: HashMap<(Login, &'a str, NaiveDate), usize> = HashMap::new();
        let mut groups: Vec<Group<'a, 'r>> = Vec::new();
        for rec in records {
            let before = sheet.errors.len();
            let login = sheet.required(rec, LOGIN, |v| {
                let login = Login::parse(v)?;
                if accounts.contains(&login) {
                    Ok(login)
                } else {
                    Err(ParseError(format!(
                        "учётной записи с логином {login} нет: сначала импортируйте сотрудников (staff)"
                    )))
                }
            });
            let bank = sheet.required(rec, BANK, |v| self.bank(v));
            let target = match bank {
                Some(bank) => sheet.required(rec, COMPETENCE, |v| parse_target(bank, v)),
                None => {
                    sheet.required_text(rec, COMPETENCE);
                    None
                }
            };
            let percent = sheet.parsed(rec, PERCENT, parse_percent).flatten();
            let level = sheet.parsed(rec, LEVEL, Level::parse).flatten();
            let today = self.today;
            let taken_on = sheet.required(rec, TAKEN_ON, |v| {
                let date = parse_date(v)?;
                if date > today {
                    Err(ParseError(format!(
                        "дата диагностики позже сегодняшнего дня ({today}): \
                         импортируются только пройденные диагностики"
                    )))
                } else {
                    Ok(date)
                }
            });
            let (Some(login), Some(bank), Some(target), Some(taken_on)) =
                (login, bank, target, taken_on)
            else {
                continue;
            };
            let ok = sheet.errors.len() == before;
            let at = match index.entry((login.clone(), bank.id.as_str(), taken_on)) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    groups.push(Group {
                        login,
                        bank,
                        taken_on,
                        lines: Vec::new(),
                        seen: HashMap::new(),
                    });
                    *e.insert(groups.len() - 1)
                }
            };
            let group = &mut groups[at];
            match group.seen.entry(target) {
                Entry::Occupied(first) => {
                    let value = sheet.raw(rec, COMPETENCE).unwrap_or_default().to_string();
                    let what = match target {
                        Target::Total => "строка TOTAL".to_string(),
                        Target::Competence(i) => {
                            format!("компетенция {}", group.bank.competences[i].code)
                        }
                    };
                    sheet.error(
                        rec,
                        COMPETENCE,
                        format!(
                            "{what} повторяется: она уже есть в строке {} этой же диагностики \
                             (логин {}, банк {}, дата {})",
                            first.get(),
                            group.login,
                            group.bank.id,
                            group.taken_on.format("%d.%m.%Y")
                        ),
                        &value,
                    );
                    continue;
                }
                Entry::Vacant(v) => {
                    v.insert(rec.row);
                }
            }
            group.lines.push(Line {
                rec,
                target,
                percent,
                level,
                ok,
            });
        }
        groups
    }

    fn bank(&self, value: &str) -> Result<&'a Bank, ParseError> {
        let id = value.trim().to_lowercase();
        self.banks.iter().find(|b| b.id == id).ok_or_else(|| {
            ParseError(format!(
                "банк {} не загружен: загрузите его (marshrut bank load)",
                value.trim()
            ))
        })
    }
}

/// The competence cell: `CODE`, `BANK:CODE` (of the row's bank) or `TOTAL`.
/// A code matches exactly, else ignoring case and Cyrillic look-alikes when
/// that leaves exactly one competence.
fn parse_target(bank: &Bank, value: &str) -> Result<Target, ParseError> {
    let value = value.trim();
    let code = match value.split_once(':') {
        Some((prefix, code)) => {
            let prefix = prefix.trim();
            if prefix.to_lowercase() != bank.id {
                return Err(ParseError(format!(
                    "компетенция относится к банку {prefix}, а в строке указан банк {}",
                    bank.id
                )));
            }
            code.trim()
        }
        None => value,
    };
    if code.eq_ignore_ascii_case(TOTAL) {
        return Ok(Target::Total);
    }
    if let Some(i) = bank.competences.iter().position(|c| c.code == code) {
        return Ok(Target::Competence(i));
    }
    let wanted = comparable_code(code);
    let mut loose = bank
        .competences
        .iter()
        .enumerate()
        .filter(|(_, c)| comparable_code(&c.code) == wanted);
    if let (Some((i, _)), None) = (loose.next(), loose.next()) {
        return Ok(Target::Competence(i));
    }
    let codes: Vec<&str> = bank.competences.iter().map(|c| c.code.as_str()).collect();
    Err(ParseError(format!(
        "компетенции {code} нет в банке {} (есть: {}; TOTAL — общий результат)",
        bank.id,
        codes.join(", ")
    )))
}

/// A percent from 0 to 100 with at most two decimals (`.` or `,`; a
/// trailing `%` allowed), as hundredths: `62,5` → 6250. Zeros after the
/// second decimal are allowed (`62.500`).
fn parse_percent(value: &str) -> Result<i64, ParseError> {
    let bad = |m: &str| Err(ParseError(m.to_string()));
    let range = "процент должен быть от 0 до 100";
    let s = value.trim();
    let s = s.strip_suffix('%').map(str::trim_end).unwrap_or(s);
    let s = s.replace(',', ".");
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return bad("ожидается процент — число от 0 до 100 (например, 62,5)");
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 2 {
        return bad("процент должен быть указан не более чем с двумя знаками после запятой");
    }
    let whole = whole.trim_start_matches('0');
    if negative && !(whole.is_empty() && fraction.is_empty()) {
        return bad(range);
    }
    if whole.len() > 3 {
        return bad(range);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ParseError(range.into()))?
    };
    let fraction: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| ParseError(range.into()))?;
    let hundredths = whole * 100 + fraction;
    if hundredths > 10_000 {
        return bad(range);
    }
    Ok(hundredths)
}

fn exact(hundredths: i64) -> Rational {
    Rational::new(i128::from(hundredths), 100).expect("100 is not zero")
}

/// The level of a percent under `thresholds`, decided exactly.
fn level_of(percent: Rational, thresholds: &domain::Thresholds) -> Level {
    level_for(percent, Rational::integer(100), thresholds)
}

fn title(level: Level) -> String {
    format!("«{}»", level.default_title())
}

/// Checks one diagnostic's rows together and builds it; `None` when some
/// row is wrong (the errors are in `sheet`).
fn diagnostic(sheet: &mut Sheet<'_>, group: &Group<'_, '_>) -> Option<NewDiagnostic> {
    let bank = group.bank;
    let before = sheet.errors.len();
    let mut broken = group.lines.iter().any(|l| !l.ok);
    let total = group.lines.iter().find(|l| l.target == Target::Total);
    // A TOTAL row with a wrong percent is already reported: its competence
    // rows are not blamed for it.
    let total_percent_known = total.is_none_or(|t| t.ok);
    let total_percent = total.and_then(|t| t.percent);
    if let Some(t) = total.filter(|t| t.ok && t.percent.is_none() && t.level.is_none()) {
        sheet.error(t.rec, PERCENT, "нужно указать процент или уровень", "");
    }

    // Competences: (index in the bank, percent, level).
    let mut competences: Vec<(usize, Option<i64>, Level)> = Vec::new();
    for line in group.lines.iter().filter(|l| l.ok) {
        let Target::Competence(i) = line.target else {
            continue;
        };
        let competence = &bank.competences[i];
        let level = match (line.percent, line.level) {
            (Some(p), given) => {
                let level = level_of(exact(p), &competence.thresholds);
                if let Some(given) = given
                    && given != level
                {
                    let value = sheet.raw(line.rec, LEVEL).unwrap_or_default().to_string();
                    sheet.error(
                        line.rec,
                        LEVEL,
                        format!(
                            "уровень не соответствует проценту {}: по порогам банка {} \
                             для компетенции {} это уровень {}",
                            format_percent(p),
                            bank.id,
                            competence.code,
                            title(level)
                        ),
                        &value,
                    );
                    continue;
                }
                level
            }
            (None, Some(given)) => {
                if total_percent.is_none() && total_percent_known {
                    sheet.error(
                        line.rec,
                        PERCENT,
                        "не указан процент: уровень без процента принимается, только если \
                         у диагностики есть строка TOTAL с общим процентом",
                        "",
                    );
                    continue;
                }
                given
            }
            (None, None) => {
                sheet.error(line.rec, PERCENT, "нужно указать процент или уровень", "");
                continue;
            }
        };
        competences.push((i, line.percent, level));
    }
    broken |= sheet.errors.len() > before;

    // The overall percent: the TOTAL row's, else the mean of the competence
    // percents weighted by each competence's items per attempt.
    let overall_percent = match total_percent {
        Some(p) => Some(exact(p)),
        None => weighted_mean(bank, &competences),
    };
    let Some(overall_percent) = overall_percent else {
        let alone = !group
            .lines
            .iter()
            .any(|l| matches!(l.target, Target::Competence(_)));
        if let Some(total) = total.filter(|t| t.ok && t.level.is_some())
            && alone
        {
            sheet.error(
                total.rec,
                PERCENT,
                "не указан общий процент: в диагностике нет компетенций с процентом, \
                 из которых его можно вычислить",
                "",
            );
        }
        // Otherwise some row is wrong and already reported.
        return None;
    };
    let by_thresholds = level_of(overall_percent, &bank.thresholds);
    let overall_level = match bank.overall {
        OverallRule::Total => by_thresholds,
        // A diagnostic of the overall result alone has no competence level:
        // the percent decides, as for an attempt.
        OverallRule::Worst => competences
            .iter()
            .map(|c| c.2)
            .max()
            .unwrap_or(by_thresholds),
    };
    // With a wrong competence row the level by the worst rule, or the mean,
    // is not known: only a TOTAL level against a TOTAL percent can be checked.
    let decided = !broken || (bank.overall == OverallRule::Total && total_percent.is_some());
    if let Some(total) = total.filter(|t| t.ok)
        && let Some(given) = total.level
        && given != overall_level
        && decided
    {
        let why = match bank.overall {
            OverallRule::Total => format!(
                "по общему проценту {} и порогам банка {} это уровень {}",
                overall_percent.to_decimal_string(2),
                bank.id,
                title(overall_level)
            ),
            OverallRule::Worst => format!(
                "в банке {} общий уровень — самый тяжёлый из уровней компетенций, здесь {}",
                bank.id,
                title(overall_level)
            ),
        };
        let value = sheet.raw(total.rec, LEVEL).unwrap_or_default().to_string();
        sheet.error(
            total.rec,
            LEVEL,
            format!("общий уровень не соответствует результатам: {why}"),
            &value,
        );
        return None;
    }
    if broken {
        return None;
    }

    competences.sort_by_key(|c| c.0);
    let profile = ProfileJson {
        bank: &bank.id,
        version: &bank.version,
        competences: competences
            .iter()
            .map(|&(i, percent, level)| {
                let percent = percent.map(|p| exact(p).to_f64_rounded(2));
                CompetenceJson {
                    code: bank.competence_code(&bank.competences[i].code),
                    score: percent,
                    max: percent.map(|_| 100.0),
                    percent,
                    level,
                }
            })
            .collect(),
        overall: OverallJson {
            score: overall_percent.to_f64_rounded(2),
            max: 100.0,
            percent: overall_percent.to_f64_rounded(2),
            level: overall_level,
        },
    };
    let profile_json = serde_json::to_string(&profile).expect("a profile serialises");
    Some(NewDiagnostic {
        login: group.login.clone(),
        bank_id: bank.id.clone(),
        bank_version_id: None,
        taken_on: group.taken_on,
        source: DiagnosticSource::Import,
        overall_percent: overall_percent.to_decimal_string(2),
        overall_level,
        competences: competences
            .iter()
            .map(|&(i, percent, level)| DiagnosticCompetence {
                competence: bank.competence_code(&bank.competences[i].code),
                percent: percent.map(format_percent),
                level,
            })
            .collect(),
        profile_json,
    })
}

/// The mean of the competence percents weighted by `items_per_attempt`
/// (equal weights if every weight is zero); `None` when some competence has
/// no percent or there is none.
fn weighted_mean(bank: &Bank, competences: &[(usize, Option<i64>, Level)]) -> Option<Rational> {
    if competences.is_empty() {
        return None;
    }
    let weight = |i: usize| i128::from(bank.competences[i].items_per_attempt);
    let equal = competences.iter().all(|c| weight(c.0) == 0);
    let (mut sum, mut weights) = (0i128, 0i128);
    for &(i, percent, _) in competences {
        let w = if equal { 1 } else { weight(i) };
        sum += i128::from(percent?) * w;
        weights += w;
    }
    Rational::new(sum, weights.checked_mul(100)?)
}

// ---- the profile, in `bank score`'s shape --------------------------------------

/// A profile as `bank score` prints it (`domain::Profile`): `{ bank,
/// version, competences: [ { code, score, max, percent, level } ], overall:
/// { score, max, percent, level } }`, numbers rounded to 2 decimals.
///
/// An imported result has no points: each line's score is its percent and
/// its max is 100, so that percent = 100 × score ÷ max still holds. A
/// competence given only as a level (allowed when the TOTAL row has a
/// percent) has `null` score, max and percent. `version` is the version of
/// the bank loaded when the file was imported, whose thresholds decided the
/// levels.
#[derive(Serialize)]
struct ProfileJson<'a> {
    bank: &'a str,
    version: &'a str,
    competences: Vec<CompetenceJson>,
    overall: OverallJson,
}

#[derive(Serialize)]
struct CompetenceJson {
    code: String,
    score: Option<f64>,
    max: Option<f64>,
    percent: Option<f64>,
    level: Level,
}

#[derive(Serialize)]
struct OverallJson {
    score: f64,
    max: f64,
    percent: f64,
    level: Level,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_are_hundredths() {
        for (text, hundredths) in [
            ("62.50", 6250),
            ("62,5", 6250),
            ("62", 6200),
            ("0", 0),
            ("-0", 0),
            ("0,05", 5),
            ("100", 10_000),
            ("100.000", 10_000),
            ("39,99 %", 3999),
            ("007.1", 710),
        ] {
            assert_eq!(parse_percent(text).unwrap(), hundredths, "{text}");
        }
        for (bad, why) in [
            ("62.505", "двумя знаками"),
            ("100.01", "от 0 до 100"),
            ("-1", "от 0 до 100"),
            ("1000", "от 0 до 100"),
            ("99999999999999999999999", "от 0 до 100"),
            ("1e2", "ожидается"),
            (".5", "ожидается"),
            ("пятьдесят", "ожидается"),
            ("62.5.1", "ожидается"),
        ] {
            let e = parse_percent(bad).unwrap_err().0;
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}

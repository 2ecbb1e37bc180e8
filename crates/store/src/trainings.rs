//! Row models of further training completed outside routes (`import
//! trainings`) and of the region's targets (`import targets`), with the
//! rules both backends apply.
//!
//! Both are imported again and again: trainings are matched on (login,
//! title, completed_on), targets on (indicator, scope, code); an identical
//! row is unchanged, a different one updated in place, a new one inserted,
//! and rows missing from a later file are kept.

use std::collections::HashSet;

use chrono::NaiveDate;
use domain::indicators::{Indicator, Percent, Where};
use domain::{ActivityKind, Login, MunicipalityCode, SchoolCode};
use serde::{Deserialize, Serialize};

use crate::{Millis, StoreError};

/// What one import of trainings or targets did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertCounts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// A further training (курсы ПК, переподготовка, стажировка) as a file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTraining {
    pub login: Login,
    /// The programme's title: part of the key, kept as written.
    pub title: String,
    pub kind: ActivityKind,
    pub hours: u32,
    pub completed_on: NaiveDate,
    /// The qualification document (удостоверение, диплом) number.
    pub document: Option<String>,
}

/// A stored training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRow {
    pub id: i64,
    pub training: NewTraining,
    /// The last import that created or changed it.
    pub updated_at: Millis,
}

/// The kinds a training may have: what `training_coverage` can count.
pub const TRAINING_KINDS: [ActivityKind; 3] = [
    ActivityKind::Course,
    ActivityKind::Retraining,
    ActivityKind::Internship,
];

/// Refuses a kind other than course, retraining or internship, zero hours,
/// a blank title and one key given twice.
pub fn check_trainings(rows: &[NewTraining]) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for t in rows {
        if t.title.trim().is_empty() {
            return Err(conflict(format!(
                "у обучения педагога {} нет названия",
                t.login
            )));
        }
        if !TRAINING_KINDS.contains(&t.kind) {
            return Err(conflict(format!(
                "обучение «{}» ({}): вид {} не принимается (допустимы course, retraining, internship)",
                t.title,
                t.login,
                t.kind.as_str()
            )));
        }
        if t.hours == 0 {
            return Err(conflict(format!(
                "обучение «{}» ({}): число часов должно быть больше нуля",
                t.title, t.login
            )));
        }
        if !seen.insert((&t.login, &t.title, t.completed_on)) {
            return Err(conflict(format!(
                "обучение «{}» педагога {} от {} указано дважды",
                t.title,
                t.login,
                t.completed_on.format("%d.%m.%Y")
            )));
        }
    }
    Ok(())
}

/// A target (целевое значение) as a file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTarget {
    pub indicator: Indicator,
    pub threshold: Percent,
    pub at: Where,
    pub due_on: Option<NaiveDate>,
}

impl NewTarget {
    pub fn target(&self) -> domain::indicators::Target {
        domain::indicators::Target {
            indicator: self.indicator,
            threshold: self.threshold,
            at: self.at.clone(),
            due_on: self.due_on,
        }
    }
}

/// A stored target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub id: i64,
    pub target: NewTarget,
    pub updated_at: Millis,
}

/// Refuses one key (indicator, scope, code) given twice.
pub fn check_targets(rows: &[NewTarget]) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for t in rows {
        if !seen.insert((t.indicator, &t.at)) {
            return Err(conflict(format!(
                "целевое значение {} для {} указано дважды",
                t.indicator,
                where_text(&t.at)
            )));
        }
    }
    Ok(())
}

/// `region`, `municipality C`, `school C`.
pub fn where_text(at: &Where) -> String {
    match at.code() {
        Some(code) => format!("{} {code}", at.level()),
        None => at.level().to_string(),
    }
}

/// The stored scope and code of a target: the region's code is `''`, so
/// that the key (indicator, scope, code) is unique without NULLs.
pub fn where_columns(at: &Where) -> (&'static str, String) {
    (at.level(), at.code().unwrap_or("").to_string())
}

/// Reads a stored scope and code back.
pub fn where_of(scope: &str, code: &str) -> Result<Where, StoreError> {
    let bad = |e: domain::ParseError| {
        StoreError::Other(format!(
            "bad stored target scope {scope:?} {code:?}: {}",
            e.0
        ))
    };
    match scope {
        "region" => Ok(Where::Region),
        "municipality" => Ok(Where::Municipality(
            MunicipalityCode::parse(code).map_err(bad)?,
        )),
        "school" => Ok(Where::School(SchoolCode::parse(code).map_err(bad)?)),
        other => Err(StoreError::Other(format!(
            "bad stored target scope {other:?}"
        ))),
    }
}

/// Reads a stored threshold (`75`, `66.7`) back.
pub fn threshold_of(text: &str) -> Result<Percent, StoreError> {
    Percent::parse(text)
        .map_err(|e| StoreError::Other(format!("bad stored threshold {text:?}: {}", e.0)))
}

/// Reads a stored kind back.
pub fn kind_of(text: &str) -> Result<ActivityKind, StoreError> {
    ActivityKind::parse(text)
        .map_err(|e| StoreError::Other(format!("bad stored kind {text:?}: {}", e.0)))
}

/// The audit object of an import (`создано: 3; обновлено: 1; без изменений: 10`).
pub fn upsert_audit_object(counts: &UpsertCounts) -> String {
    format!(
        "создано: {}; обновлено: {}; без изменений: {}",
        counts.created, counts.updated, counts.unchanged
    )
}

fn conflict(message: String) -> StoreError {
    StoreError::Conflict(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_scopes_round_trip() {
        for at in [
            Where::Region,
            Where::Municipality(MunicipalityCode::parse("M01").unwrap()),
            Where::School(SchoolCode::parse("S001").unwrap()),
        ] {
            let (scope, code) = where_columns(&at);
            assert_eq!(where_of(scope, &code).unwrap(), at);
        }
        assert!(where_of("city", "").is_err());
        let p = Percent::parse("66,7").unwrap();
        assert_eq!(threshold_of(&p.to_string()).unwrap(), p);
    }
}

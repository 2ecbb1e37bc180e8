//! Row models of the matching area: regional methodists assigned to
//! teachers (наставничество), mentor schools assigned to schools
//! (школы-наставники), the latest proposal of each matching, and the
//! consultations a methodist logs with a mentee.
//!
//! Assignments are never overwritten: ending one sets its end columns, and
//! a new one is a new row, so the history stays. A teacher (a school) has
//! at most one active assignment: the one without `ended_at`. The rules
//! both backends apply (which entries are refused, what a call does with
//! each one, the Russian refusals and the audit objects) live here.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::NaiveDate;
use domain::{Login, MunicipalityCode, ParseError, SchoolCode};
use serde::{Deserialize, Serialize};

use crate::{Millis, StoreError};

/// A regional methodist's assignment to a teacher, active or ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub teacher: Login,
    pub methodist: Login,
    pub started_at: Millis,
    /// `None`: the operator at the command line.
    pub started_by: Option<Login>,
    /// Why the matching chose this methodist, as the server wrote it.
    pub reasons: Vec<String>,
    /// `None` while the assignment is active.
    pub ended_at: Option<Millis>,
    pub ended_by: Option<Login>,
    pub end_reason: Option<String>,
}

/// A mentor school's assignment to a school, active or ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolAssignmentRow {
    pub id: i64,
    pub school: SchoolCode,
    pub mentor_school: SchoolCode,
    pub started_at: Millis,
    /// `None`: the operator at the command line.
    pub started_by: Option<Login>,
    pub reasons: Vec<String>,
    /// `None` while the assignment is active.
    pub ended_at: Option<Millis>,
    pub ended_by: Option<Login>,
    pub end_reason: Option<String>,
}

/// A methodist to assign to a teacher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssignment {
    pub teacher: Login,
    pub methodist: Login,
    pub reasons: Vec<String>,
}

/// A mentor school to assign to a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSchoolAssignment {
    pub school: SchoolCode,
    pub mentor_school: SchoolCode,
    pub reasons: Vec<String>,
}

/// Which methodist assignments
/// [`methodist_assignments`](crate::Store::methodist_assignments) returns;
/// every field set narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignmentFilter {
    /// Only the active ones (else the history too).
    pub active_only: bool,
    pub teacher: Option<Login>,
    pub methodist: Option<Login>,
}

/// Which mentor-school assignments
/// [`mentor_school_assignments`](crate::Store::mentor_school_assignments)
/// returns; every field set narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolAssignmentFilter {
    /// Only the active ones (else the history too).
    pub active_only: bool,
    /// The mentored school (not the mentor school).
    pub school: Option<SchoolCode>,
    /// Either side's school is in this municipality.
    pub municipality: Option<MunicipalityCode>,
}

/// Which matching a stored proposal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Regional methodists for teachers.
    Methodists,
    /// Mentor schools for schools.
    Schools,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Methodists => "methodists",
            MatchKind::Schools => "schools",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "methodists" => Ok(MatchKind::Methodists),
            "schools" => Ok(MatchKind::Schools),
            other => Err(ParseError(format!("неизвестный вид подбора «{other}»"))),
        }
    }
}

/// The latest proposal of one matching: the server's JSON, kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchRun {
    pub kind: MatchKind,
    pub run_at: Millis,
    /// `None`: the operator at the command line.
    pub run_by: Option<Login>,
    pub result: String,
}

/// A consultation a regional methodist held with a mentee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConsultation {
    pub teacher: Login,
    pub held_on: NaiveDate,
    /// How it was held (очно, дистанционно, посещение урока…).
    pub form: String,
    pub topic: String,
    pub result: String,
}

/// A stored consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationRow {
    pub id: i64,
    pub mentor: Login,
    pub teacher: Login,
    pub held_on: NaiveDate,
    pub form: String,
    pub topic: String,
    pub result: String,
    pub created_at: Millis,
}

/// What one assigning call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignCounts {
    /// New assignments (replacements included).
    pub started: u32,
    /// Entries that named the active assignment: nothing written.
    pub unchanged: u32,
    /// Active assignments ended because another one replaced them.
    pub ended: u32,
}

// ---- what a call does, shared by the backends ---------------------------------

/// What an assigning call writes, decided from the active assignments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignPlan {
    pub counts: AssignCounts,
    /// The active assignments to end (replaced), by id, in the entries' order.
    pub end: Vec<i64>,
    /// The entries to start, by position, in the given order.
    pub start: Vec<usize>,
}

/// Plans a call from its entries (`(subject, target)` in the given order,
/// no subject twice) and the subjects' active assignments (`(id, target)`):
/// the same target is unchanged; another one is ended and the new one
/// starts; no active one: the new one starts.
pub fn plan_assignments<'a, K, T>(
    entries: impl Iterator<Item = (&'a K, &'a T)>,
    active: &HashMap<K, (i64, T)>,
) -> AssignPlan
where
    K: Eq + Hash + 'a,
    T: PartialEq + 'a,
{
    let mut plan = AssignPlan::default();
    for (n, (subject, target)) in entries.enumerate() {
        match active.get(subject) {
            Some((_, current)) if current == target => plan.counts.unchanged += 1,
            Some((id, _)) => {
                plan.end.push(*id);
                plan.counts.ended += 1;
                plan.start.push(n);
                plan.counts.started += 1;
            }
            None => {
                plan.start.push(n);
                plan.counts.started += 1;
            }
        }
    }
    plan
}

/// The first key that comes twice, if any.
pub fn first_repeated<'a, K: Eq + Hash + 'a>(keys: impl Iterator<Item = &'a K>) -> Option<&'a K> {
    let mut seen = HashSet::new();
    keys.into_iter().find(|k| !seen.insert(*k))
}

/// Refuses, in the given order, the first entry that names a teacher twice,
/// assigns a teacher to themselves, names someone who is not an active
/// teacher (`teachers`: the valid ones among those named) or someone
/// without an active methodist record (`methodists`).
pub fn check_methodist_entries(
    new: &[NewAssignment],
    teachers: &HashSet<Login>,
    methodists: &HashSet<Login>,
) -> Result<(), StoreError> {
    if let Some(teacher) = first_repeated(new.iter().map(|a| &a.teacher)) {
        return Err(conflict(format!(
            "педагог {teacher} указан в назначениях дважды"
        )));
    }
    for a in new {
        if a.teacher == a.methodist {
            return Err(conflict(format!(
                "педагога нельзя назначить самому себе ({})",
                a.teacher
            )));
        }
        if !teachers.contains(&a.teacher) {
            return Err(conflict(format!(
                "педагог {} не найден или не работает",
                a.teacher
            )));
        }
        if !methodists.contains(&a.methodist) {
            return Err(conflict(format!(
                "{} — не региональный методист",
                a.methodist
            )));
        }
    }
    Ok(())
}

/// Refuses, in the given order, the first entry that names a school twice,
/// makes a school its own mentor, or names a school that does not exist or
/// is not active (`schools`: the active ones among those named).
pub fn check_school_entries(
    new: &[NewSchoolAssignment],
    schools: &HashSet<SchoolCode>,
) -> Result<(), StoreError> {
    if let Some(school) = first_repeated(new.iter().map(|a| &a.school)) {
        return Err(conflict(format!(
            "ОО {school} указана в назначениях дважды"
        )));
    }
    for a in new {
        if a.school == a.mentor_school {
            return Err(conflict(format!(
                "школу нельзя назначить наставником самой себе ({})",
                a.school
            )));
        }
        if !schools.contains(&a.school) {
            return Err(conflict(format!(
                "ОО {} не найдена или не работает",
                a.school
            )));
        }
        if !schools.contains(&a.mentor_school) {
            return Err(conflict(format!(
                "школа-наставник {} не найдена или не работает",
                a.mentor_school
            )));
        }
    }
    Ok(())
}

/// Refuses a blank reason to end an assignment.
pub fn check_reason(reason: &str) -> Result<(), StoreError> {
    if reason.trim().is_empty() {
        return Err(conflict("укажите причину".into()));
    }
    Ok(())
}

/// Refuses a consultation without a topic.
pub fn check_consultation(c: &NewConsultation) -> Result<(), StoreError> {
    if c.topic.trim().is_empty() {
        return Err(conflict("укажите тему консультации".into()));
    }
    Ok(())
}

/// The refusal of a consultation with someone who is not the mentor's
/// active mentee.
pub fn not_a_mentee() -> StoreError {
    conflict("педагог не закреплён за вами".into())
}

/// The refusal when a methodist would hold more than `capacity` teachers.
pub fn methodist_full(methodist: &Login, active: u32, capacity: u32) -> StoreError {
    conflict(format!(
        "у методиста {methodist} нет свободных мест ({active} из {capacity})"
    ))
}

/// The refusal when a mentor school would hold more than `capacity` schools.
pub fn mentor_school_full(school: &SchoolCode, active: u32, capacity: u32) -> StoreError {
    conflict(format!(
        "у школы-наставника {school} нет свободных мест ({active} из {capacity})"
    ))
}

fn conflict(message: String) -> StoreError {
    StoreError::Conflict(message)
}

// ---- audit objects ----------------------------------------------------------------

/// The audit object of an assigning call (`12 назначений; без изменений: 3;
/// завершено: 1`).
pub fn assign_audit_object(counts: &AssignCounts) -> String {
    format!(
        "{} {}; без изменений: {}; завершено: {}",
        counts.started,
        domain::words::plural_word(
            counts.started.into(),
            "назначение",
            "назначения",
            "назначений"
        ),
        counts.unchanged,
        counts.ended
    )
}

/// The audit object of ending a methodist assignment.
pub fn methodist_end_audit_object(row: &AssignmentRow) -> String {
    format!(
        "teacher {}, methodist {}: {}",
        row.teacher,
        row.methodist,
        row.end_reason.as_deref().unwrap_or_default()
    )
}

/// The audit object of ending a mentor-school assignment.
pub fn school_end_audit_object(row: &SchoolAssignmentRow) -> String {
    format!(
        "school {}, mentor school {}: {}",
        row.school,
        row.mentor_school,
        row.end_reason.as_deref().unwrap_or_default()
    )
}

/// The audit object of a stored proposal.
pub fn match_run_audit_object(kind: MatchKind) -> String {
    format!("proposal: {}", kind.as_str())
}

/// The audit object of a logged consultation.
pub fn consultation_audit_object(teacher: &Login, held_on: NaiveDate) -> String {
    format!("teacher {teacher}, {}", held_on.format("%Y-%m-%d"))
}

// ---- reasons as stored --------------------------------------------------------------

/// `reasons` as stored: a JSON array of strings.
pub fn reasons_json(reasons: &[String]) -> String {
    serde_json::to_string(reasons).expect("strings serialise")
}

/// Reads stored `reasons` (a JSON array of strings) back.
pub fn parse_reasons(value: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(value)
        .map_err(|e| StoreError::Other(format!("bad stored reasons {value:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reasons_round_trip() {
        for reasons in [
            strings(&[]),
            strings(&[""]),
            strings(&["тот же предмет: Математика", "тот же район"]),
            strings(&[
                "кавычки \" и \\ обратная черта",
                "строка\nвторая\tтаб\r",
                "\u{1}\u{1f}",
            ]),
            strings(&["эмодзи 🎓", "/"]),
        ] {
            let json = reasons_json(&reasons);
            assert_eq!(parse_reasons(&json).unwrap(), reasons, "{json}");
        }
        assert_eq!(reasons_json(&strings(&["a\"b"])), r#"["a\"b"]"#);
    }

    #[test]
    fn reasons_read_any_json_string_array() {
        assert_eq!(
            parse_reasons(" [ \"a\" , \"\\u0431\\/\\ud83c\\udf93\" ] ").unwrap(),
            strings(&["a", "б/🎓"])
        );
        assert_eq!(parse_reasons("[]").unwrap(), strings(&[]));
        for bad in [
            "",
            "{}",
            "[",
            "[\"a\"",
            "[\"a\",]",
            "[1]",
            "[\"\\x\"]",
            "[\"\\ud800\"]",
            "[] x",
        ] {
            assert!(parse_reasons(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn plans_keep_replace_and_start() {
        let active: HashMap<&str, (i64, &str)> = [("t1", (10, "m1")), ("t2", (11, "m1"))]
            .into_iter()
            .collect();
        let entries = [("t1", "m1"), ("t2", "m2"), ("t3", "m1")];
        let plan = plan_assignments(entries.iter().map(|(k, t)| (k, t)), &active);
        assert_eq!(
            plan,
            AssignPlan {
                counts: AssignCounts {
                    started: 2,
                    unchanged: 1,
                    ended: 1,
                },
                end: vec![11],
                start: vec![1, 2],
            }
        );
    }

    #[test]
    fn audit_objects_count_in_russian() {
        let object = |started| {
            assign_audit_object(&AssignCounts {
                started,
                unchanged: 0,
                ended: 0,
            })
        };
        assert_eq!(object(1), "1 назначение; без изменений: 0; завершено: 0");
        assert_eq!(object(3), "3 назначения; без изменений: 0; завершено: 0");
        assert_eq!(object(12), "12 назначений; без изменений: 0; завершено: 0");
        assert_eq!(object(21), "21 назначение; без изменений: 0; завершено: 0");
        assert_eq!(object(0), "0 назначений; без изменений: 0; завершено: 0");
    }

    #[test]
    fn match_kinds_parse_back() {
        for kind in [MatchKind::Methodists, MatchKind::Schools] {
            assert_eq!(MatchKind::parse(kind.as_str()).unwrap(), kind);
        }
        assert!(MatchKind::parse("routes").is_err());
    }
}

//! Row models of the routes area: the course catalogue, routes (ИОМ) and
//! their steps.
//!
//! A route's steps are the domain's [`Step`]s with their execution status;
//! what generation could not cover is kept as the JSON the server wrote.
//! Seats are never a stored counter: they are counted from the steps of
//! routes whenever they are needed.

use chrono::NaiveDate;
use domain::routes::Step;
use domain::{ActivityKind, Login, MunicipalityCode, ParseError, Period, SchoolCode};
use serde::{Deserialize, Serialize};

use crate::{Millis, StoreError};

/// Where a route is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteStatus {
    /// Proposed by generation or being edited; nobody is bound by it yet.
    Draft,
    /// A ЦНППМ methodist approved it: the teacher follows it; it holds seats.
    Approved,
    /// Every mandatory step is confirmed.
    Completed,
}

impl RouteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteStatus::Draft => "draft",
            RouteStatus::Approved => "approved",
            RouteStatus::Completed => "completed",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "draft" => Ok(RouteStatus::Draft),
            "approved" => Ok(RouteStatus::Approved),
            "completed" => Ok(RouteStatus::Completed),
            other => Err(ParseError(format!("неизвестный статус маршрута «{other}»"))),
        }
    }

    /// Approved and completed routes hold their catalogue seats.
    pub fn holds_seats(self) -> bool {
        !matches!(self, RouteStatus::Draft)
    }
}

/// Where a step is in its execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Planned,
    /// The teacher marked it done with evidence; waits for the deputy head.
    Submitted,
    Confirmed,
    /// The deputy head sent it back with a comment.
    Returned,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Planned => "planned",
            StepStatus::Submitted => "submitted",
            StepStatus::Confirmed => "confirmed",
            StepStatus::Returned => "returned",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "planned" => Ok(StepStatus::Planned),
            "submitted" => Ok(StepStatus::Submitted),
            "confirmed" => Ok(StepStatus::Confirmed),
            "returned" => Ok(StepStatus::Returned),
            other => Err(ParseError(format!("неизвестный статус шага «{other}»"))),
        }
    }
}

/// A stored step: what to do, and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteStep {
    pub step: Step,
    pub status: StepStatus,
    /// The teacher's latest submission (kept after a return).
    pub submitted_at: Option<Millis>,
    /// The deputy head's latest review: when, who, and what they wrote
    /// (required when returning). A resubmission keeps them until the next
    /// review replaces them.
    pub reviewed_at: Option<Millis>,
    pub reviewed_by: Option<Login>,
    pub comment: Option<String>,
}

impl RouteStep {
    /// A step as planned: nothing submitted or reviewed yet.
    pub fn planned(step: Step) -> Self {
        RouteStep {
            step,
            status: StepStatus::Planned,
            submitted_at: None,
            reviewed_at: None,
            reviewed_by: None,
            comment: None,
        }
    }
}

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A few words from the teacher.
    Text,
    /// A link (a published lesson plan, a certificate in a registry…).
    Link,
    /// An uploaded file (a certificate, a report).
    File,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Text => "text",
            EvidenceKind::Link => "link",
            EvidenceKind::File => "file",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "text" => Ok(EvidenceKind::Text),
            "link" => Ok(EvidenceKind::Link),
            "file" => Ok(EvidenceKind::File),
            other => Err(ParseError(format!(
                "неизвестный вид подтверждения «{other}»"
            ))),
        }
    }
}

/// Evidence a teacher submits with a step. The server validates it (sizes,
/// types, sniffing); the store keeps what it is given. The database refuses
/// (as a [`Conflict`](crate::StoreError::Conflict)) a `Text` without `text`,
/// a `Link` without `url` and a `File` without `file_name` or `bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub text: Option<String>,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Option<Vec<u8>>,
}

/// One stored piece of evidence of a step. Evidence is kept forever: a
/// resubmission after a return adds a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow {
    pub id: i64,
    pub kind: EvidenceKind,
    pub text: Option<String>,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Option<Vec<u8>>,
    pub submitted_at: Millis,
    pub submitted_by: Login,
}

/// Which routes [`routes_where`](crate::Store::routes_where) returns; every
/// field set narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteFilter {
    pub status: Option<RouteStatus>,
    /// The teacher's school.
    pub school: Option<SchoolCode>,
    /// The teacher works at a school of it or belongs to it (the rule of
    /// [`StaffFilter::municipality`](crate::StaffFilter)).
    pub municipality: Option<MunicipalityCode>,
    pub teacher: Option<Login>,
    /// The period starting on this day.
    pub period_from: Option<NaiveDate>,
}

/// A stored route with its steps in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRow {
    pub id: i64,
    pub teacher: Login,
    pub period: Period,
    pub status: RouteStatus,
    /// A draft changed by hand: regeneration keeps it.
    pub edited: bool,
    /// What generation could not cover, as the server wrote it (JSON).
    pub uncovered_json: String,
    pub created_at: Millis,
    pub created_by: Option<Login>,
    pub updated_at: Millis,
    pub approved_at: Option<Millis>,
    pub approved_by: Option<Login>,
    pub completed_at: Option<Millis>,
    pub steps: Vec<RouteStep>,
}

/// A draft proposed by generation for one teacher.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDraft {
    pub teacher: Login,
    pub period: Period,
    pub steps: Vec<Step>,
    pub uncovered_json: String,
}

/// What saving a generation run's drafts did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftCounts {
    /// Teachers who had no route for the period.
    pub created: u32,
    /// Untouched drafts replaced by the new proposal.
    pub replaced: u32,
    /// Drafts edited by hand, kept as they were.
    pub kept_edited: u32,
    /// Approved or completed routes, never touched.
    pub kept_approved: u32,
}

/// A teacher's route for a period, as generation needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteState {
    pub id: i64,
    pub status: RouteStatus,
    pub edited: bool,
}

impl RouteState {
    /// Generation may replace it: an untouched draft.
    pub fn replaceable(self) -> bool {
        self.status == RouteStatus::Draft && !self.edited
    }
}

/// How the routes use one catalogue entry's seats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeatUse {
    /// By approved and completed routes.
    pub held: u32,
    /// By drafts edited by hand (regeneration keeps them).
    pub kept_drafts: u32,
    /// By untouched drafts (regeneration replaces them).
    pub drafts: u32,
}

/// The audit object of a catalogue import.
pub fn catalogue_audit_object(entries: usize) -> String {
    format!("catalogue: {entries} entries")
}

/// The audit object of a write to one route (`route 12`).
pub fn route_audit_object(route_id: i64) -> String {
    format!("route {route_id}")
}

/// The audit object of a write to one step (`route 12, step 3`).
pub fn step_audit_object(route_id: i64, position: u32) -> String {
    format!("route {route_id}, step {position}")
}

/// The audit object of a review: the step and its new status
/// (`route 12, step 3: returned`).
pub fn review_audit_object(route_id: i64, position: u32, status: StepStatus) -> String {
    format!(
        "{}: {}",
        step_audit_object(route_id, position),
        status.as_str()
    )
}

/// The audit object of naming a step's mentor
/// (`route 12, step 0: mentor ivanova.ap`).
pub fn mentor_audit_object(route_id: i64, position: u32, mentor: &Login) -> String {
    format!("{}: mentor {mentor}", step_audit_object(route_id, position))
}

/// The audit object of a generation run.
pub fn drafts_audit_object(counts: &DraftCounts) -> String {
    format!(
        "routes: {} created, {} replaced, {} kept edited, {} kept approved",
        counts.created, counts.replaced, counts.kept_edited, counts.kept_approved
    )
}

// ---- the rules of a route's life, shared by the backends -----------------------

/// The refusal to edit or approve a route that is no longer a draft.
pub fn already_approved() -> StoreError {
    StoreError::Conflict("маршрут уже утверждён".into())
}

/// The refusal to approve a route naming an entry without a seat left.
pub fn no_seats_left(title: &str, code: &str) -> StoreError {
    StoreError::Conflict(format!(
        "на мероприятии «{title}» ({code}) нет свободных мест"
    ))
}

/// Whether a teacher may submit a step now: the route approved (not a
/// draft, not completed), the step planned or returned.
pub fn check_submission(route: RouteStatus, step: StepStatus) -> Result<(), StoreError> {
    let refusal = match (route, step) {
        (RouteStatus::Draft, _) => "маршрут ещё не утверждён",
        (RouteStatus::Completed, _) => "маршрут уже завершён",
        (RouteStatus::Approved, StepStatus::Planned | StepStatus::Returned) => return Ok(()),
        (RouteStatus::Approved, StepStatus::Submitted) => "шаг уже отправлен на проверку",
        (RouteStatus::Approved, StepStatus::Confirmed) => "шаг уже подтверждён",
    };
    Err(StoreError::Conflict(refusal.into()))
}

/// Whether a step may be reviewed now, and how: its new status and the
/// comment to store (a blank one is none). Only a submitted step is
/// reviewed; returning it needs a comment.
pub fn check_review(
    step: StepStatus,
    confirm: bool,
    comment: Option<String>,
) -> Result<(StepStatus, Option<String>), StoreError> {
    let refusal = match step {
        StepStatus::Submitted => None,
        StepStatus::Planned | StepStatus::Returned => Some("шаг не отправлен на проверку"),
        StepStatus::Confirmed => Some("шаг уже подтверждён"),
    };
    if let Some(refusal) = refusal {
        return Err(StoreError::Conflict(refusal.into()));
    }
    let comment = comment.filter(|c| !c.trim().is_empty());
    if confirm {
        Ok((StepStatus::Confirmed, comment))
    } else if comment.is_some() {
        Ok((StepStatus::Returned, comment))
    } else {
        Err(StoreError::Conflict(
            "вернуть шаг можно только с комментарием".into(),
        ))
    }
}

/// Whether a step's mentor may be named now: the route a draft or approved
/// (not completed), the step a mentoring one.
pub fn check_mentor_assignment(route: RouteStatus, step: ActivityKind) -> Result<(), StoreError> {
    if route == RouteStatus::Completed {
        return Err(StoreError::Conflict("маршрут уже завершён".into()));
    }
    if step != ActivityKind::Mentoring {
        return Err(StoreError::Conflict(
            "наставника можно назначить только шагу наставничества".into(),
        ));
    }
    Ok(())
}

/// The refusal to name a mentor without an active account.
pub fn unknown_mentor(mentor: &Login) -> StoreError {
    StoreError::Conflict(format!(
        "наставник «{mentor}» не найден среди действующих учётных записей"
    ))
}

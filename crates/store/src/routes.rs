//! Row models of the routes area: the course catalogue, routes (ИОМ) and
//! their steps.
//!
//! A route's steps are the domain's [`Step`]s with their execution status;
//! what generation could not cover is kept as the JSON the server wrote.
//! Seats are never a stored counter: they are counted from the steps of
//! routes whenever they are needed.

use domain::routes::Step;
use domain::{Login, ParseError, Period};
use serde::{Deserialize, Serialize};

use crate::Millis;

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

/// The audit object of a generation run.
pub fn drafts_audit_object(counts: &DraftCounts) -> String {
    format!(
        "routes: {} created, {} replaced, {} kept edited, {} kept approved",
        counts.created, counts.replaced, counts.kept_edited, counts.kept_approved
    )
}

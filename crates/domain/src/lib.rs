#![forbid(unsafe_code)]
//! Marshrut's model and rules.
//!
//! Plain data and pure functions: no I/O, no async, no SQL. Everything a
//! handler, a store or an import needs to agree on lives here: codes and
//! logins as validated newtypes, the region's directory (municipalities,
//! schools, staff, methodists), roles, the deficit [`Level`], and the
//! caller's [`Scope`] that every store read takes; assessment [`Bank`]s and
//! the exact [`scoring`] of an attempt into a [`Profile`].

pub mod analysis;
pub mod attempt;
pub mod bank;
pub mod campaign;
pub mod catalogue;
pub mod directory;
pub mod ids;
pub mod indicators;
pub mod level;
pub mod matching;
pub mod mcf;
pub mod policy;
pub mod profile;
pub mod roadmap;
pub mod role;
pub mod routes;
pub mod scope;
pub mod scoring;
pub mod trend;
pub mod words;

pub use bank::{
    Bank, Competence, Decimal, Item, ItemKind, OverallRule, Rational, Review, Thresholds,
};
pub use campaign::Audience;
pub use catalogue::{ActivityKind, CompetenceRef, Entry, Format};
pub use directory::{Account, ClusterFlag, Methodist, Municipality, School, TeacherAttrs};
pub use ids::{CourseCode, Login, MunicipalityCode, ParseError, SchoolCode};
pub use level::Level;
pub use policy::{LevelNames, MonthDay, Period, RoutePolicy};
pub use role::Role;
pub use routes::{Deficit, Mentor, Need, Proposal, Shortfall, Step, Uncovered};
pub use scope::{Caller, RegionAuthority, Scope};
pub use scoring::{
    CompetenceResult, ItemId, OverallResult, Profile, Response, ScoreError, check_response,
    level_for, score_attempt, score_item,
};

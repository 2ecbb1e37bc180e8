#![forbid(unsafe_code)]
//! The storage interface.
//!
//! One trait, [`Store`], with one implementation per database
//! (`store-sqlite`, `store-postgres`); both pass [`conformance`]. The store
//! knows nothing of HTTP: it answers with [`StoreError`], and the server maps
//! that to an answer.
//!
//! Reads of people and places take a [`Scope`]: a row outside it is not
//! returned, exactly as if it did not exist. Region-wide writes take a
//! [`RegionAuthority`]. The authentication methods (credentials, sessions,
//! invitations, login throttling) take neither: they run before a caller is
//! known, and only the server's auth module calls them.
//!
//! The diagnostics area (banks, campaigns, attempts, completed diagnostics;
//! row models in [`diagnostics`]) knows nothing of the bank format: banks are
//! stored as their source text, forms, responses and profiles as JSON text
//! the server produces and reads.
//!
//! The matching area (row models in [`matching`]) keeps every assignment
//! of a regional methodist to a teacher and of a mentor school to a school,
//! ended ones included; a regional methodist's [`Scope::mentees_of`] reaches
//! the teachers actively assigned to them.
//!
//! The roadmap area (row models in [`roadmap`]) keeps each period's
//! roadmap as the region last imported it, its items matched on their
//! number so that their done state survives a revised file.
//!
//! The indicators' inputs that arrive by import (row models in
//! [`trainings`]): further training completed outside routes, matched on
//! (login, title, completed_on), and the targets, matched on (indicator,
//! scope, code).
//!
//! The indicators themselves (row models in [`indicators`]) are counted by
//! the database from the stored facts, per school, for a region of any
//! size.
//!
//! Custom indicators (row models in [`custom`]): what the roadmaps target
//! but the product does not record, defined by the region, their values
//! entered with evidence within the caller's scope and never overwritten.

pub mod conformance;
pub mod custom;
pub mod diagnostics;
pub mod indicators;
pub mod matching;
pub mod roadmap;
pub mod routes;
pub mod trainings;

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::routes::Step;
use domain::{
    Account, Caller, ClusterFlag, CourseCode, Entry, Login, Methodist, Municipality,
    MunicipalityCode, Period, RegionAuthority, Role, School, SchoolCode, Scope,
};
use serde::{Deserialize, Serialize};

pub use custom::{
    CustomIndicatorChange, CustomIndicatorRow, CustomValueRow, NewCustomIndicator, NewCustomValue,
};
pub use diagnostics::{
    AttemptRow, AttemptStatus, BankLoad, BankVersionRow, CampaignRow, DiagnosticCompetence,
    DiagnosticRow, DiagnosticSource, FinishAttempt, FinishOutcome, ImportCounts, NewAttempt,
    NewBankVersion, NewCampaign, NewDiagnostic, ParticipationRow, SaveOutcome, format_percent,
    parse_percent,
};
pub use indicators::{IndicatorMember, IndicatorQuery, IndicatorTally, SnapshotRow};
pub use matching::{
    AssignCounts, AssignmentFilter, AssignmentRow, ConsultationRow, MatchKind, MatchRun,
    NewAssignment, NewConsultation, NewSchoolAssignment, SchoolAssignmentFilter,
    SchoolAssignmentRow,
};
pub use roadmap::{NewRoadmapItem, RoadmapCounts, RoadmapItemRow, RoadmapPoint};
pub use routes::{
    DraftCounts, EvidenceKind, EvidenceRow, NewDraft, NewEvidence, RouteFilter, RouteRow,
    RouteState, RouteStatus, RouteStep, SeatUse, StepStatus,
};
pub use trainings::{NewTarget, NewTraining, TargetRow, TrainingRow, UpsertCounts};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A constraint refused the write; the text says which, for the log.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage error: {0}")]
    Other(String),
}

/// Milliseconds since the Unix epoch, UTC: every stored instant.
pub type Millis = i64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolFilter {
    pub municipality: Option<MunicipalityCode>,
    /// Only schools carrying this cluster flag.
    pub cluster: Option<ClusterFlag>,
    /// Only schools with (`Some(true)`) or without critical monitoring values.
    pub critical_monitoring: Option<bool>,
    pub include_inactive: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffFilter {
    pub school: Option<SchoolCode>,
    pub municipality: Option<MunicipalityCode>,
    pub role: Option<Role>,
    pub include_inactive: bool,
}

/// A municipality with its counts (active schools and active teachers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalitySummary {
    pub municipality: Municipality,
    pub schools: u32,
    pub teachers: u32,
}

/// A school with its municipality's name and its count of active teachers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSummary {
    pub school: School,
    pub municipality_name: String,
    pub teachers: u32,
}

/// The whole directory of the region, for imports to merge against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    pub municipalities: Vec<Municipality>,
    pub schools: Vec<School>,
    pub accounts: Vec<Account>,
    pub methodists: Vec<Methodist>,
}

/// A one-time link to set a password. Only the token's SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub login: Login,
    pub token_hash: String,
    pub expires_at: Millis,
}

/// Everything one import (or `user add`) writes, applied in one
/// transaction: either all of it is stored or none of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectoryChanges {
    /// Full records, inserted or updated by code.
    pub municipalities: Vec<Municipality>,
    /// Full records, inserted or updated by code.
    pub schools: Vec<School>,
    /// Full records, inserted or updated by login. Roles are replaced.
    pub accounts: Vec<Account>,
    /// Full records, inserted or updated by login; the account must exist
    /// (in the store or earlier in `accounts`).
    pub methodists: Vec<Methodist>,
    /// Invitations for accounts (created by this change or earlier).
    pub invitations: Vec<NewInvitation>,
    /// What happened, for the audit log (`import staff: 12 созданы …`).
    pub audit_action: String,
}

/// What the auth module needs to know about an account.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub caller: Caller,
    /// `None` until the person has set a password through an invitation.
    pub password_hash: Option<String>,
    pub active: bool,
    /// Sessions issued before this instant are void (logout, disabling).
    pub valid_after: Millis,
}

/// The state of failed logins for one login string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub failures: u32,
    /// When the current counting window started.
    pub window_started: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Millis,
    /// Who acted (`None`: the operator at the command line, or the system).
    pub actor: Option<Login>,
    pub action: String,
    pub object: String,
}

/// Outcome of redeeming an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    Valid { login: Login, full_name: String },
    Used,
    Expired,
    Unknown,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`, for logs and `/healthz`.
    fn backend(&self) -> &'static str;

    /// A cheap round trip to the database.
    async fn ping(&self) -> Result<()>;

    // ---- directory reads, scoped -------------------------------------

    /// Municipalities visible in `scope`, ordered by name.
    async fn municipalities(&self, scope: &Scope) -> Result<Vec<MunicipalitySummary>>;

    /// Schools visible in `scope` matching `filter`, ordered by
    /// municipality name, then school name.
    async fn schools(&self, scope: &Scope, filter: &SchoolFilter) -> Result<Vec<SchoolSummary>>;

    /// Every municipality's code and name, by name, without the counts
    /// [`municipalities`](Store::municipalities) adds: names are public,
    /// for pages that show only them (the dashboards).
    async fn municipality_names(&self) -> Result<Vec<Municipality>>;

    /// The schools of `municipality`, inactive ones too, as (code, name,
    /// short name) by name, without counts: public, for the dashboards.
    async fn school_names(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<(SchoolCode, String, Option<String>)>>;

    /// One school, `None` when it does not exist or is outside `scope`.
    async fn school(&self, scope: &Scope, code: &SchoolCode) -> Result<Option<SchoolSummary>>;

    /// Accounts visible in `scope` matching `filter`, ordered by full name.
    async fn staff(&self, scope: &Scope, filter: &StaffFilter) -> Result<Vec<Account>>;

    /// One account, `None` when it does not exist or is outside `scope`.
    async fn account(&self, scope: &Scope, login: &Login) -> Result<Option<Account>>;

    /// A regional methodist's record, `None` when absent or out of scope.
    async fn methodist(&self, scope: &Scope, login: &Login) -> Result<Option<Methodist>>;

    // ---- region writes ---------------------------------------------------

    /// The whole directory, for an import to merge its rows against.
    async fn directory(&self, auth: &RegionAuthority) -> Result<Directory>;

    /// Applies `changes` in one transaction and records one audit entry.
    /// On any error nothing is written.
    async fn apply_directory(
        &self,
        auth: &RegionAuthority,
        changes: DirectoryChanges,
        now: Millis,
    ) -> Result<()>;

    /// Stores a new invitation for an existing account and voids the
    /// account's earlier unused ones (a re-issued link replaces the old).
    /// The caller's right to do so is checked by the server.
    async fn reissue_invitation(&self, invitation: NewInvitation, now: Millis) -> Result<()>;

    // ---- authentication (no caller yet) --------------------------------

    async fn credentials(&self, login: &Login) -> Result<Option<Credentials>>;

    /// Voids every session of the account issued before `at`.
    async fn revoke_sessions(&self, login: &Login, at: Millis) -> Result<()>;

    /// What an invitation token (its hash) stands for now.
    async fn invitation(&self, token_hash: &str, now: Millis) -> Result<InvitationState>;

    /// Redeems a valid invitation: sets the password hash, marks the link
    /// used, voids earlier sessions, atomically. A link that is not
    /// `Valid` at that moment answers with its state and changes nothing.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
    ) -> Result<InvitationState>;

    /// Sets a password directly (`user add --password-stdin`, the demo).
    async fn set_password(&self, login: &Login, password_hash: &str, now: Millis) -> Result<()>;

    /// Counts one failed login for `key` (the normalised login string,
    /// whether or not such an account exists), atomically. A window older
    /// than `window` starts anew at `now` with one failure.
    async fn record_login_failure(
        &self,
        key: &str,
        now: Millis,
        window: Millis,
    ) -> Result<LoginFailures>;

    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>>;

    async fn clear_login_failures(&self, key: &str) -> Result<()>;

    // ---- assessment banks ------------------------------------------------

    /// Stores one bank version (`bank load`). The same (bank id, version)
    /// with the same content hash changes nothing and answers `Unchanged`
    /// with the stored id; with another hash it is a
    /// [`StoreError::Conflict`] whose Russian message tells to change the
    /// version. A new version is stored with `auth`'s actor and `now`, and
    /// one audit entry (`bank load`) in the same transaction. Safe when
    /// several loads of one version race: one inserts, the others see it.
    async fn load_bank_version(
        &self,
        auth: &RegionAuthority,
        bank: NewBankVersion,
        now: Millis,
    ) -> Result<BankLoad>;

    /// Every stored bank version without its source, newest load first.
    async fn bank_versions(&self) -> Result<Vec<BankVersionRow>>;

    /// One bank version with its source, `None` when there is none.
    async fn bank_version(&self, id: i64) -> Result<Option<BankVersionRow>>;

    /// The latest loaded version of the bank `bank_id`, with its source
    /// (`None`: the bank was never loaded). Re-loading an older version
    /// unchanged does not make it current.
    async fn current_bank_version(&self, bank_id: &str) -> Result<Option<BankVersionRow>>;

    // ---- campaigns ---------------------------------------------------------

    /// Opens a campaign and returns its id. `actor` is who opens it (`None`:
    /// the operator at the command line); the server checks the caller's
    /// right to do so. An unknown bank version or a window closing before it
    /// opens is a [`StoreError::Conflict`].
    async fn create_campaign(
        &self,
        actor: Option<&Login>,
        campaign: NewCampaign,
        now: Millis,
    ) -> Result<i64>;

    /// Every campaign with its bank, the latest opening first (then the
    /// newest). Campaigns are not personal data: the server decides which
    /// ones a caller is offered (by their audience).
    async fn campaigns(&self) -> Result<Vec<CampaignRow>>;

    /// One campaign, `None` when there is none.
    async fn campaign(&self, id: i64) -> Result<Option<CampaignRow>>;

    // ---- attempts ----------------------------------------------------------

    /// Starts the account's attempt in a campaign, or finds the one it
    /// already has (in whatever status): `(attempt, created)`. Atomic: there
    /// is never more than one attempt per (campaign, account), however many
    /// calls race, and a race is never an error; a found attempt keeps its
    /// own deadline and form. An unknown campaign or login is
    /// [`StoreError::NotFound`]. The server checks the caller's right.
    async fn start_attempt(&self, attempt: NewAttempt, now: Millis) -> Result<(AttemptRow, bool)>;

    /// One attempt, `None` when there is none. Not scoped: the server
    /// checks that the caller owns it (or may see its teacher).
    async fn attempt(&self, id: i64) -> Result<Option<AttemptRow>>;

    /// The account's attempt in a campaign, if any.
    async fn attempt_for(&self, campaign_id: i64, login: &Login) -> Result<Option<AttemptRow>>;

    /// Every attempt of the account, the latest started first.
    async fn attempts_of(&self, login: &Login) -> Result<Vec<AttemptRow>>;

    /// Saves (inserts or replaces) the response to one item, only while the
    /// attempt is in progress and `now <= deadline + grace`; otherwise
    /// `Closed` and nothing changes. Idempotent. Returns once committed
    /// (durable). A save and a concurrent [`finish_attempt`](Store::finish_attempt)
    /// are ordered: either the save is `Closed`, or the finishing sees it.
    /// An unknown attempt is [`StoreError::NotFound`].
    async fn save_response(
        &self,
        attempt_id: i64,
        item_id: &str,
        response_json: &str,
        now: Millis,
        grace: Millis,
    ) -> Result<SaveOutcome>;

    /// Every saved response of the attempt by item id (empty when the
    /// attempt has none or does not exist).
    async fn responses(&self, attempt_id: i64) -> Result<BTreeMap<String, String>>;

    /// The saved responses of every finished (submitted or expired) attempt
    /// taken on a bank version, by attempt id, for item statistics. Items
    /// given and left unanswered have no row: the form says which were given.
    /// Statistics are the region's: a scope narrower than the region reads
    /// none.
    async fn finished_attempts_of_version(
        &self,
        scope: &Scope,
        bank_version_id: i64,
    ) -> Result<Vec<(AttemptRow, BTreeMap<String, String>)>>;

    /// Finishes an in-progress attempt exactly once, however many calls (and
    /// server processes) race: a conditional update of its status decides,
    /// and only the winner, in the same transaction, stores the profile,
    /// `finished_at = now` and the completed diagnostic (linked to the
    /// attempt; its login, bank and version must be the attempt's, else
    /// [`StoreError::Conflict`]). The others get `AlreadyFinished` with the
    /// stored attempt. If the stored responses are not
    /// `finish.scored_responses` any more, nothing is written:
    /// `ResponsesChanged`. `finish.status` must be `Submitted` or `Expired`
    /// and `finish.diagnostic.source` `Attempt`. An unknown attempt is
    /// [`StoreError::NotFound`].
    async fn finish_attempt(
        &self,
        attempt_id: i64,
        finish: FinishAttempt,
        now: Millis,
    ) -> Result<FinishOutcome>;

    /// The ids of the attempts still in progress whose `deadline + grace`
    /// is before `now`, the earliest deadline first: the server finalises
    /// them as `Expired`.
    async fn overdue_attempts(&self, now: Millis, grace: Millis) -> Result<Vec<i64>>;

    // ---- completed diagnostics ------------------------------------------

    /// The account's completed diagnostics (attempts and imports), newest
    /// first (by `taken_on`, then the latest stored). Scoped like
    /// [`account`](Store::account): an account outside `scope` has none.
    async fn diagnostics_of(&self, scope: &Scope, login: &Login) -> Result<Vec<DiagnosticRow>>;

    /// Imports completed diagnostics taken elsewhere (`import results`),
    /// all or nothing, with one audit entry (`import results`). Each is
    /// matched on (login, bank, `taken_on`) among the imported ones: an
    /// identical one is left alone (`unchanged`), a different one is
    /// replaced whole, competences included, keeping its id (`updated`);
    /// the server merges a partial file into the stored diagnostic first if
    /// it wants to. Within one call a later diagnostic with the same key
    /// wins. An unknown login or a bad percent is a [`StoreError::Conflict`]
    /// naming it; every diagnostic's source must be `Import`.
    async fn import_diagnostics(
        &self,
        auth: &RegionAuthority,
        diagnostics: Vec<NewDiagnostic>,
        now: Millis,
    ) -> Result<ImportCounts>;

    /// A campaign's attempts counted by school: `started` still in
    /// progress, `finished` submitted or expired. Only attempts of accounts
    /// visible in `scope` count, each at the account's current school
    /// (accounts without a school are left out); schools without attempts
    /// are absent (the server knows the audience). Ordered by municipality
    /// name, then school name.
    async fn campaign_participation(
        &self,
        scope: &Scope,
        campaign_id: i64,
    ) -> Result<Vec<ParticipationRow>>;

    /// The teachers who finished the campaign's attempt (status submitted
    /// or expired), by login, ordered by login. An unknown campaign: empty.
    /// Region-wide, like [`Store::diagnostics_since`]: for route generation.
    async fn campaign_finishers(
        &self,
        auth: &RegionAuthority,
        campaign_id: i64,
    ) -> Result<Vec<Login>>;

    /// Every completed diagnostic of the region taken after `since` (the
    /// rules' 12 months), for region-wide work such as route generation.
    async fn diagnostics_since(
        &self,
        auth: &RegionAuthority,
        since: NaiveDate,
    ) -> Result<Vec<DiagnosticRow>>;

    // ---- the course catalogue ----------------------------------------------

    /// Every entry, inactive ones too, ordered by code.
    async fn catalogue(&self) -> Result<Vec<Entry>>;

    /// Inserts or updates entries by code, in one transaction, with one
    /// audit entry. A municipality that does not exist is a `Conflict`.
    async fn apply_catalogue(
        &self,
        auth: &RegionAuthority,
        entries: Vec<Entry>,
        now: Millis,
    ) -> Result<()>;

    /// How routes use each entry's seats (entries no route uses are absent).
    async fn seat_use(&self) -> Result<HashMap<CourseCode, SeatUse>>;

    // ---- routes ------------------------------------------------------------

    /// Each teacher's route for the period starting on `period_from`: the
    /// approved or completed one if any, else the draft.
    async fn route_states(
        &self,
        auth: &RegionAuthority,
        period_from: NaiveDate,
    ) -> Result<HashMap<Login, RouteState>>;

    /// Saves a generation run, in one transaction: a teacher without a route
    /// for the period gets the draft; an untouched draft is replaced; a draft
    /// edited by hand and an approved or completed route are kept as they
    /// are (decided inside the transaction, whatever ran meanwhile).
    async fn save_drafts(
        &self,
        auth: &RegionAuthority,
        drafts: Vec<NewDraft>,
        now: Millis,
    ) -> Result<DraftCounts>;

    /// A teacher's routes, newest period first; scoped like accounts.
    async fn routes_of(&self, scope: &Scope, login: &Login) -> Result<Vec<RouteRow>>;

    /// One route; `None` when absent or outside the scope.
    async fn route(&self, scope: &Scope, id: i64) -> Result<Option<RouteRow>>;

    /// Routes of the teachers visible in `scope` matching `filter`, newest
    /// period first, then by teacher login (then the newest route), with
    /// their steps.
    async fn routes_where(&self, scope: &Scope, filter: &RouteFilter) -> Result<Vec<RouteRow>>;

    // ---- editing, approving and executing routes ----------------------------
    //
    // A route's life after generation. Each write locks the route first (as
    // a generation run does) and decides inside its transaction; a refusal
    // is a `StoreError::Conflict` with a Russian message and changes
    // nothing; an unknown route (or step) is `StoreError::NotFound`. Each
    // write sets the route's `updated_at = now` and records one audit entry
    // with the given login as the actor. The server checks the caller's
    // right (and, for a submission, that the caller is the route's
    // teacher): the store does not.

    /// Replaces a draft's steps (a methodist's edit): only a draft; marks
    /// it edited (regeneration then keeps it). Conflict «маршрут уже
    /// утверждён» otherwise. Returns the route. Audit `route edit`.
    async fn update_draft(
        &self,
        editor: &Login,
        route_id: i64,
        steps: Vec<Step>,
        now: Millis,
    ) -> Result<RouteRow>;

    /// Approves a draft: status approved, `approved_at`/`approved_by`.
    /// Seats: every catalogue entry with a capacity that the route's steps
    /// name must have a seat left for it — the seats held by other approved
    /// and completed routes plus this route's steps naming it at most the
    /// capacity (one step: held + 1 <= capacity) — decided inside the
    /// transaction (concurrent approvals of the last seat: one wins);
    /// otherwise a Conflict naming the entry («на мероприятии «TITLE»
    /// (CODE) нет свободных мест») and nothing changes. A course code not in
    /// the catalogue is fine. Not a draft → Conflict. Audit `route approve`.
    async fn approve_route(&self, approver: &Login, route_id: i64, now: Millis)
    -> Result<RouteRow>;

    /// The teacher marks a step done with evidence: the route approved (not
    /// a draft, not completed), the step planned or returned → submitted,
    /// `submitted_at = now`; the evidence is appended (kept forever: a
    /// resubmission after a return adds a new one). Conflict otherwise
    /// («шаг уже подтверждён», …). Audit `step submit`.
    async fn submit_step(
        &self,
        teacher: &Login,
        route_id: i64,
        position: u32,
        evidence: NewEvidence,
        now: Millis,
    ) -> Result<RouteRow>;

    /// The deputy head confirms (`confirm`) or returns a submitted step
    /// (returning needs a comment that is not blank, else Conflict);
    /// `reviewed_at`/`reviewed_by` and the comment (a blank one stored as
    /// none) are stored on the step. When every mandatory step of an
    /// approved route is confirmed, the route becomes completed
    /// (`completed_at = now`) in the same transaction. A step not
    /// submitted is a Conflict. Audit `step review`.
    async fn review_step(
        &self,
        reviewer: &Login,
        route_id: i64,
        position: u32,
        confirm: bool,
        comment: Option<String>,
        now: Millis,
    ) -> Result<RouteRow>;

    /// Names the mentor of a mentoring step (a deputy head naming a
    /// colleague, school «учитель – учитель» mentoring, or a regional
    /// methodist later): the route a draft or approved (not completed) →
    /// else Conflict «маршрут уже завершён»; the step's kind must be
    /// `mentoring` → else Conflict «наставника можно назначить только шагу
    /// наставничества»; the mentor must be an existing active account →
    /// else Conflict naming the login; sets the step's `mentor` (login) and
    /// `mentor_name`; does not change the step's status, nor the route's
    /// `edited` flag. Unknown route or step: NotFound. Sets the route's
    /// updated_at = now; audit `step mentor` with object like
    /// "route 12, step 0: mentor ivanova.ap", by `actor` (`None`: the
    /// operator at the command line, as when `match --apply` names the
    /// methodist in routes).
    async fn set_step_mentor(
        &self,
        actor: Option<&Login>,
        route_id: i64,
        position: u32,
        mentor: &Login,
        mentor_name: &str,
        now: Millis,
    ) -> Result<RouteRow>;

    /// Every evidence of a step, oldest first, files included. Scoped like
    /// accounts: a route whose teacher is outside `scope`, like a route or
    /// step that does not exist, is [`StoreError::NotFound`].
    async fn step_evidence(
        &self,
        scope: &Scope,
        route_id: i64,
        position: u32,
    ) -> Result<Vec<EvidenceRow>>;

    // ---- matching -----------------------------------------------------------
    //
    // Assignments are never overwritten: ending one sets its end columns
    // (`ended_at`, `ended_by`, `end_reason`), a new one is a new row. A
    // teacher (a school) has at most one active assignment. Each write is
    // one transaction with one audit entry whose actor is `auth`'s; a
    // refusal is a `StoreError::Conflict` with a Russian message and writes
    // nothing.

    /// Starts methodist assignments, in one transaction, with one audit
    /// entry (`match methodists`, object like "12 назначений; без
    /// изменений: 3; завершено: 1"), actor from `auth`:
    /// - a teacher whose active assignment is with the same methodist:
    ///   unchanged (nothing written);
    /// - a teacher with an active assignment to another methodist: that one
    ///   is ended (`ended_at = now`, `ended_by` = the actor, `end_reason =
    ///   replace_reason`, which must not be blank then: «укажите причину»)
    ///   and the new one starts (`started_at = now`, `started_by` = the
    ///   actor);
    /// - the teacher must be an active account with the teacher role, the
    ///   methodist an active account with a methodist record, and not the
    ///   same login, else a Conflict naming the login («педагог ivanov не
    ///   найден или не работает», «ivanova — не региональный методист»,
    ///   «педагога нельзя назначить самому себе (ivanov)»);
    /// - when `enforce_capacity`: after the writes, every methodist that got
    ///   a new assignment has at most its `capacity` active ones, else
    ///   Conflict «у методиста LOGIN нет свободных мест (N из CAP)» (N: the
    ///   active ones the call would leave) and nothing is written. Decided
    ///   inside the transaction: PostgreSQL locks the methodists' rows (and
    ///   the teachers'), so concurrent calls cannot both take the last place;
    /// - two entries for one teacher in one call: Conflict naming the teacher.
    async fn assign_methodists(
        &self,
        auth: &RegionAuthority,
        new: Vec<NewAssignment>,
        enforce_capacity: bool,
        replace_reason: &str,
        now: Millis,
    ) -> Result<AssignCounts>;

    /// Ends the teacher's active assignment (`ended_at = now`, `ended_by` =
    /// the actor, `end_reason = reason`) and returns it. A blank reason is a
    /// Conflict «укажите причину»; no active assignment is
    /// [`StoreError::NotFound`]. Audit `assignment end`.
    async fn end_methodist_assignment(
        &self,
        auth: &RegionAuthority,
        teacher: &Login,
        reason: &str,
        now: Millis,
    ) -> Result<AssignmentRow>;

    /// Methodist assignments matching `filter` (history included unless
    /// `active_only`), the newest start first. A row is visible when its
    /// teacher is visible in `scope` (the rule of [`Store::account`]) or
    /// when the scope's `mentees_of` is its methodist (a mentor sees its
    /// own ended assignments too).
    async fn methodist_assignments(
        &self,
        scope: &Scope,
        filter: &AssignmentFilter,
    ) -> Result<Vec<AssignmentRow>>;

    /// Starts mentor-school assignments as
    /// [`assign_methodists`](Store::assign_methodists) does, audit `match
    /// schools`: both schools must exist and be active («ОО CODE не найдена
    /// или не работает», «школа-наставник CODE не найдена или не работает»),
    /// not the same school («школу нельзя назначить наставником самой себе
    /// (CODE)»); one entry per school. When `enforce_capacity`, a mentor
    /// school that got a new assignment holds at most its `mentor_capacity`
    /// schools, or `default_capacity` when that is empty, else Conflict «у
    /// школы-наставника CODE нет свободных мест (N из CAP)». PostgreSQL
    /// locks the schools' rows.
    async fn assign_mentor_schools(
        &self,
        auth: &RegionAuthority,
        new: Vec<NewSchoolAssignment>,
        enforce_capacity: bool,
        default_capacity: u32,
        replace_reason: &str,
        now: Millis,
    ) -> Result<AssignCounts>;

    /// Ends the school's active mentor-school assignment, as
    /// [`end_methodist_assignment`](Store::end_methodist_assignment) does.
    /// Audit `mentor school end`.
    async fn end_mentor_school_assignment(
        &self,
        auth: &RegionAuthority,
        school: &SchoolCode,
        reason: &str,
        now: Millis,
    ) -> Result<SchoolAssignmentRow>;

    /// Mentor-school assignments matching `filter` (history included
    /// unless `active_only`), the newest start first. A row is visible when
    /// either school is visible in `scope` (the rule of [`Store::school`]).
    async fn mentor_school_assignments(
        &self,
        scope: &Scope,
        filter: &SchoolAssignmentFilter,
    ) -> Result<Vec<SchoolAssignmentRow>>;

    /// Replaces the latest run of its kind. Audit `match run`.
    async fn save_match_run(&self, auth: &RegionAuthority, run: MatchRun) -> Result<()>;

    /// The latest run of `kind`, `None` before the first.
    async fn match_run(&self, kind: MatchKind) -> Result<Option<MatchRun>>;

    /// A regional methodist (`mentor`) logs a consultation with a mentee:
    /// the teacher must be the mentor's active mentee at `now` (else
    /// Conflict «педагог не закреплён за вами»); the topic must not be
    /// blank (else Conflict «укажите тему консультации»). Audit
    /// `consultation` with the mentor as the actor. Returns the row
    /// (`created_at = now`).
    async fn add_consultation(
        &self,
        mentor: &Login,
        consultation: NewConsultation,
        now: Millis,
    ) -> Result<ConsultationRow>;

    /// The teacher's consultations, the newest `held_on` first (then the
    /// latest stored). Scoped like [`Store::account`]: a teacher outside
    /// `scope` has none (a mentor sees them through `mentees_of`, a deputy
    /// head through the school).
    async fn consultations(&self, scope: &Scope, teacher: &Login) -> Result<Vec<ConsultationRow>>;

    // ---- the roadmap ----------------------------------------------------------
    //
    // A refusal is a `StoreError::Conflict` with a Russian message and
    // writes nothing.

    /// Imports a roadmap for `period` in one transaction with one audit
    /// entry (`import roadmap`, object like "2025-09-01..2026-08-31:
    /// создано: 3; обновлено: 1; без изменений: 10", actor from `auth`):
    /// items are matched on (period, number); an identical one is
    /// unchanged, a changed one updated in place keeping its id and its
    /// done state (`updated_at = now`), a new one inserted; items of the
    /// period missing from the file are kept. Positions follow the file's
    /// order (a moved item is not counted as updated); the kept items come
    /// after the file's, in their earlier order. The period becomes the
    /// latest imported one. Two items with one number in a call: Conflict
    /// naming it; so is a blank number, an unknown recurrence, a control
    /// point or a period ending before it starts. Imports are serialised
    /// (PostgreSQL locks the roadmaps' table against other imports).
    async fn apply_roadmap(
        &self,
        auth: &RegionAuthority,
        period: Period,
        items: Vec<NewRoadmapItem>,
        now: Millis,
    ) -> Result<RoadmapCounts>;

    /// The roadmap of the period whose span contains `on` (the latest
    /// imported such period), in file order; empty when none. Roadmaps are
    /// public to signed-in staff (no scope).
    async fn roadmap(&self, on: NaiveDate) -> Result<Vec<RoadmapItemRow>>;

    /// Every imported period, newest first (the latest start, then the
    /// latest end).
    async fn roadmap_periods(&self) -> Result<Vec<Period>>;

    /// Marks an item done (with evidence text, required non-blank →
    /// Conflict «опишите, чем подтверждается выполнение»; `done_at = now`,
    /// `done_by = actor`, the evidence kept as given; marking a done item
    /// again replaces all three) or not done (all three cleared, whatever
    /// evidence is given); `updated_at = now`; audit `roadmap item` with
    /// `actor`. Unknown id → NotFound. The server checks the caller's right.
    async fn mark_roadmap_item(
        &self,
        actor: &Login,
        id: i64,
        done: bool,
        evidence: Option<String>,
        now: Millis,
    ) -> Result<RoadmapItemRow>;

    // ---- trainings and targets (indicators) ----------------------------------

    /// Imports trainings completed outside routes in one transaction with
    /// one audit entry (`import trainings`, object like "создано: 3;
    /// обновлено: 1; без изменений: 10"): rows are matched on (login,
    /// title, completed_on); an identical one is unchanged, a different one
    /// updated (`updated_at = now`), a new one inserted; stored rows missing
    /// from the call are kept. An unknown login, a kind other than course,
    /// retraining or internship, zero hours or one key twice: Conflict,
    /// nothing written.
    async fn apply_trainings(
        &self,
        auth: &RegionAuthority,
        rows: Vec<NewTraining>,
        now: Millis,
    ) -> Result<UpsertCounts>;

    /// Every stored training of the region (for the indicators), by login,
    /// then completion day, then title.
    async fn trainings(&self, auth: &RegionAuthority) -> Result<Vec<TrainingRow>>;

    /// Imports targets as [`apply_trainings`](Store::apply_trainings) does,
    /// matched on (indicator, scope, code); audit `import targets`. One key
    /// twice: Conflict, nothing written.
    async fn apply_targets(
        &self,
        auth: &RegionAuthority,
        rows: Vec<NewTarget>,
        now: Millis,
    ) -> Result<UpsertCounts>;

    /// Every stored target, by indicator, scope and code. Targets are
    /// public to signed-in staff (no scope).
    async fn targets(&self) -> Result<Vec<TargetRow>>;

    /// Removes a stored target and returns it (a removed region target
    /// lets the seeds' default apply again). Unknown id → NotFound. Audit
    /// `target remove` with `auth`'s actor, object like
    /// "training_coverage municipality m1: 66.7".
    async fn remove_target(
        &self,
        auth: &RegionAuthority,
        id: i64,
        now: Millis,
    ) -> Result<TargetRow>;

    // ---- custom indicators -------------------------------------------------
    //
    // Definitions are the region's (a `RegionAuthority`); values are
    // entered by a caller within its scope. Values are never updated: each
    // entry is a new row. A refusal is a `StoreError::Conflict` with a
    // Russian message and writes nothing.

    /// Defines a custom indicator (`created_at = now`, `created_by` =
    /// `auth`'s actor). A code that is not a slug or names one of the
    /// product's indicators ([`custom::check_code`]), a blank title, or a
    /// code already defined: Conflict naming it. Audit `custom indicator`
    /// with object like "school_500 «Подключены к «500+»»".
    async fn define_custom_indicator(
        &self,
        auth: &RegionAuthority,
        indicator: NewCustomIndicator,
        now: Millis,
    ) -> Result<CustomIndicatorRow>;

    /// Changes a definition's title, description, threshold, due day and
    /// active flag (the code and the values stay). Unknown id → NotFound;
    /// a blank title → Conflict. Audit `custom indicator update`.
    async fn update_custom_indicator(
        &self,
        auth: &RegionAuthority,
        id: i64,
        change: CustomIndicatorChange,
        now: Millis,
    ) -> Result<CustomIndicatorRow>;

    /// Every custom indicator, inactive ones included, in the order they
    /// were defined. Definitions are public to signed-in staff (no scope).
    async fn custom_indicators(&self) -> Result<Vec<CustomIndicatorRow>>;

    /// One custom indicator, `None` when there is none.
    async fn custom_indicator(&self, id: i64) -> Result<Option<CustomIndicatorRow>>;

    /// Enters a value as `caller`, within the caller's scope
    /// ([`Scope::of`]): the region's own figure needs the region scope; a
    /// municipality's needs a scope that sees it. Outside the scope, like
    /// an unknown indicator or municipality: NotFound. An inactive
    /// indicator, a numerator above the denominator or blank evidence
    /// ([`custom::check_value`]): Conflict. The row is new (`entered_at =
    /// now`, `entered_by` = the caller); audit `custom value` with the
    /// caller as the actor, object like "school_500, m1, 2026-03-01: 3 из 4".
    async fn add_custom_value(
        &self,
        caller: &Caller,
        value: NewCustomValue,
        now: Millis,
    ) -> Result<CustomValueRow>;

    /// Every value of the indicator visible in `scope`, the latest first
    /// (`as_of`, then `id`, descending): the region's own entries are
    /// visible to every scope (the region's figure is no one's personal
    /// data), a municipality's when the scope sees the municipality.
    async fn custom_values(&self, scope: &Scope, indicator_id: i64) -> Result<Vec<CustomValueRow>>;

    /// The current value of every (indicator, region or municipality)
    /// visible in `scope` (the rule of [`custom_values`](Store::custom_values)):
    /// for each, its latest entry by (`as_of`, `id`); by indicator id, the
    /// region's first, then by municipality code.
    async fn latest_custom_values(&self, scope: &Scope) -> Result<Vec<CustomValueRow>>;

    // ---- indicators ------------------------------------------------------
    //
    // Counted in the database from the stored facts, exactly as
    // `domain::indicators` defines them (the server holds the two to the
    // same answer): the teachers are the active accounts with the teacher
    // role, each in its stored school (an inactive one too) and that
    // school's municipality; `mentor_school_coverage` counts the active
    // schools. Region-wide reads of aggregate figures; the server decides who
    // may see which scope.

    /// Every indicator's share per school within `at`: for the region every
    /// school and the teachers without a school (`school: None`), for a
    /// municipality its schools, for a school that school. Rows whose
    /// denominator would be 0 are left out. Ordered by indicator (as in
    /// `Indicator::ALL`), then school code, the school-less row first.
    async fn indicator_tallies(
        &self,
        auth: &RegionAuthority,
        q: &IndicatorQuery,
        at: &domain::indicators::Where,
    ) -> Result<Vec<IndicatorTally>>;

    /// Every member of every indicator's denominator in `school` (teachers'
    /// logins; the school's own code for `mentor_school_coverage`), each
    /// with whether it is in the numerator, ordered by indicator, then id.
    async fn indicator_members(
        &self,
        auth: &RegionAuthority,
        q: &IndicatorQuery,
        school: &SchoolCode,
    ) -> Result<Vec<IndicatorMember>>;

    // ---- indicator snapshots ---------------------------------------------

    /// Stores one day's snapshots. A (scope, code, indicator, day) already
    /// stored is kept as it is: the first process to take a day's snapshot
    /// wins, so several servers may all try. Returns how many rows were
    /// written.
    async fn save_snapshots(&self, rows: &[SnapshotRow], now: Millis) -> Result<u64>;

    /// The snapshots of `at` taken on days in [`from`, `to`], by indicator,
    /// then day. Snapshots are aggregate figures, not personal data: the
    /// server decides who may read which scope.
    async fn snapshots(
        &self,
        at: &domain::indicators::Where,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SnapshotRow>>;

    /// The days in [`from`, `to`] with the region's snapshot stored, in order.
    async fn snapshot_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>>;

    // ---- settings and audit --------------------------------------------

    async fn setting(&self, key: &str) -> Result<Option<String>>;

    async fn set_setting(&self, key: &str, value: &str) -> Result<()>;

    async fn audit(&self, entry: AuditEntry) -> Result<()>;

    /// The newest audit entries first.
    async fn audit_log(&self, auth: &RegionAuthority, limit: u32) -> Result<Vec<AuditEntry>>;
}

/// Parses a stored `YYYY-MM-DD` date (SQLite keeps dates as text).
pub fn parse_stored_date(value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|e| StoreError::Other(format!("bad stored date {value:?}: {e}")))
}

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

pub mod conformance;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::{
    Account, Caller, ClusterFlag, Login, Methodist, Municipality, MunicipalityCode,
    RegionAuthority, Role, School, SchoolCode, Scope,
};
use serde::{Deserialize, Serialize};

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

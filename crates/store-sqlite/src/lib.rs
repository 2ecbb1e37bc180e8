#![forbid(unsafe_code)]
//! SQLite implementation of [`store::Store`]: the embedded default.
//!
//! One database file in WAL mode. Every query is a runtime query (no
//! offline data): filters are built with [`QueryBuilder`] and bound
//! parameters only. Behaviour is identical to `store-postgres`; both run
//! `store::conformance`.

mod custom;
mod diagnostics;
mod indicators;
mod matching;
mod roadmap;
mod routes;
mod snapshots;
mod trainings;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::{
    Account, Caller, ClusterFlag, CourseCode, Entry, Login, Methodist, Municipality,
    MunicipalityCode, Period, RegionAuthority, Role, School, SchoolCode, Scope, TeacherAttrs,
    directory::split_list, routes::Step,
};
use sqlx::error::ErrorKind;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use store::{
    AssignCounts, AssignmentFilter, AssignmentRow, AttemptRow, AuditEntry, BankLoad,
    BankVersionRow, CampaignRow, ConsultationRow, Credentials, DiagnosticRow, Directory,
    DirectoryChanges, DraftCounts, EvidenceRow, FinishAttempt, FinishOutcome, ImportCounts,
    InvitationState, LoginFailures, MatchKind, MatchRun, Millis, MunicipalitySummary,
    NewAssignment, NewAttempt, NewBankVersion, NewCampaign, NewConsultation, NewDiagnostic,
    NewDraft, NewEvidence, NewInvitation, NewRoadmapItem, NewSchoolAssignment, ParticipationRow,
    Result, RoadmapCounts, RoadmapItemRow, RouteFilter, RouteRow, RouteState, SaveOutcome,
    SchoolAssignmentFilter, SchoolAssignmentRow, SchoolFilter, SchoolSummary, SeatUse, StaffFilter,
    Store, StoreError, parse_stored_date,
};

/// Connections in the pool. SQLite serialises writers anyway; a few
/// connections let reads proceed beside a write (WAL).
const POOL_SIZE: u32 = 8;

/// The busy timeout every connection waits for a lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Rows per multi-row statement in `apply_directory`. The widest row
/// (accounts) has 12 parameters: 500 rows stay far below SQLite's limit of
/// 32,766 parameters per statement.
const BATCH: usize = 500;

/// The store over one SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing, with its parent directory) the database at
    /// `url`, e.g. `sqlite://data/marshrut.db`, checks the connection
    /// settings and runs the migrations.
    pub async fn connect(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad SQLite URL {url:?}: {e}")))?;
        // An in-memory database (`sqlite::memory:`) cannot use WAL and lives
        // only as long as its one connection: keep that connection forever.
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = options
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        if !memory
            && let Some(parent) = options.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Other(format!("cannot create directory {}: {e}", parent.display()))
            })?;
        }
        let pool_options = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(POOL_SIZE)
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Other(format!("cannot open SQLite database {url:?}: {e}")))?;
        {
            let mut conn = pool.acquire().await.map_err(db_err)?;
            check_pragmas(&mut conn, memory).await?;
        }
        sqlx::migrate!("../../migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("SQLite migrations failed: {e}")))?;
        tracing::debug!(url, "SQLite store ready");
        Ok(SqliteStore { pool })
    }

    /// Closes every connection of the pool (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reads the connection settings back: a build of SQLite or a URL option
/// that silently ignores one of them must not go unnoticed.
async fn check_pragmas(conn: &mut SqliteConnection, memory: bool) -> Result<()> {
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let expected = if memory { "memory" } else { "wal" };
    if !journal.eq_ignore_ascii_case(expected) {
        return Err(StoreError::Other(format!(
            "PRAGMA journal_mode is {journal:?}, expected {expected:?}"
        )));
    }
    let checks: [(&str, i64); 3] = [
        ("synchronous", 1), // NORMAL
        ("foreign_keys", 1),
        ("busy_timeout", BUSY_TIMEOUT.as_millis() as i64),
    ];
    for (pragma, expected) in checks {
        let value: i64 = sqlx::query_scalar(&format!("PRAGMA {pragma}"))
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
        if value != expected {
            return Err(StoreError::Other(format!(
                "PRAGMA {pragma} is {value}, expected {expected}"
            )));
        }
    }
    Ok(())
}

// ---- errors and conversions ----------------------------------------------

fn db_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(d) => match d.kind() {
            ErrorKind::UniqueViolation
            | ErrorKind::ForeignKeyViolation
            | ErrorKind::CheckViolation => StoreError::Conflict(d.message().to_string()),
            _ => StoreError::Other(d.message().to_string()),
        },
        other => StoreError::Other(other.to_string()),
    }
}

fn bad_row(what: &str, value: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("bad stored {what} {value:?}: {e}"))
}

fn login_of(value: &str) -> Result<Login> {
    Login::parse(value).map_err(|e| bad_row("login", value, e))
}

fn municipality_code_of(value: &str) -> Result<MunicipalityCode> {
    MunicipalityCode::parse(value).map_err(|e| bad_row("municipality code", value, e))
}

fn school_code_of(value: &str) -> Result<SchoolCode> {
    SchoolCode::parse(value).map_err(|e| bad_row("school code", value, e))
}

fn roles_of(value: Option<String>) -> Result<BTreeSet<Role>> {
    value
        .as_deref()
        .map(split_list)
        .unwrap_or_default()
        .iter()
        .map(|r| Role::parse(r).map_err(|e| bad_row("role", r, e)))
        .collect()
}

fn count_of(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn u32_of(what: &str, value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|e| bad_row(what, &value.to_string(), e))
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column).map_err(db_err)
}

fn cluster_column(flag: ClusterFlag) -> &'static str {
    match flag {
        ClusterFlag::LowResults => "s.low_results",
        ClusterFlag::RiskLowResults => "s.risk_low_results",
        ClusterFlag::AdverseConditions => "s.adverse_conditions",
    }
}

/// Keeps the last item for each key, at the position of the first: a
/// later row in one change overrides an earlier one, as if applied in order.
fn last_by_key<T, K: Hash + Eq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut index: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<Option<T>> = Vec::with_capacity(items.len());
    for item in items {
        match index.entry(key(&item)) {
            std::collections::hash_map::Entry::Occupied(e) => out[*e.get()] = Some(item),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(Some(item));
            }
        }
    }
    out.into_iter().flatten().collect()
}

// ---- scope filters -----------------------------------------------------------

/// `column IN (?, ?, …)`; `values` must not be empty.
fn push_in<'a>(
    qb: &mut QueryBuilder<'_, Sqlite>,
    column: &str,
    values: impl Iterator<Item = &'a str>,
) {
    qb.push(column).push(" IN (");
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v.to_owned());
    }
    list.push_unseparated(")");
}

/// Pushes the alternatives of a visibility rule joined by OR, or `FALSE`.
struct Alternatives<'q, 'b> {
    qb: &'q mut QueryBuilder<'b, Sqlite>,
    any: bool,
}

impl<'q, 'b> Alternatives<'q, 'b> {
    fn new(qb: &'q mut QueryBuilder<'b, Sqlite>) -> Self {
        qb.push("(");
        Alternatives { qb, any: false }
    }

    fn next(&mut self) -> &mut QueryBuilder<'b, Sqlite> {
        if self.any {
            self.qb.push(" OR ");
        }
        self.any = true;
        self.qb
    }

    fn finish(self) {
        if !self.any {
            self.qb.push("FALSE");
        }
        self.qb.push(")");
    }
}

/// A municipality `m` is visible with the region or when named in scope.
fn push_municipality_visible(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope) {
    let mut alt = Alternatives::new(qb);
    if scope.region {
        alt.next().push("TRUE");
    } else if !scope.municipalities.is_empty() {
        push_in(
            alt.next(),
            "m.code",
            scope.municipalities.iter().map(|c| c.as_str()),
        );
    }
    alt.finish();
}

/// A school `s` (in municipality `m`) is visible with the region, when
/// named in scope, or when its municipality is.
fn push_school_visible(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope) {
    let mut alt = Alternatives::new(qb);
    if scope.region {
        alt.next().push("TRUE");
    } else {
        if !scope.schools.is_empty() {
            push_in(
                alt.next(),
                "s.code",
                scope.schools.iter().map(|c| c.as_str()),
            );
        }
        if !scope.municipalities.is_empty() {
            push_in(
                alt.next(),
                "m.code",
                scope.municipalities.iter().map(|c| c.as_str()),
            );
        }
    }
    alt.finish();
}

/// An account `a` is visible with the region, as the caller's own, when its
/// school is visible, when its own municipality is named in scope, or when
/// it is an active mentee of the scope's `mentees_of` (an active methodist
/// assignment names them). Each alternative is a condition on an indexed
/// column of `accounts`, so the database reads only the accounts in scope.
fn push_account_visible(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope) {
    let mut alt = Alternatives::new(qb);
    if scope.region {
        alt.next().push("TRUE");
    } else {
        if let Some(own) = &scope.own {
            alt.next()
                .push("a.login = ")
                .push_bind(own.as_str().to_owned());
        }
        if !scope.schools.is_empty() {
            let qb = alt.next();
            qb.push("a.school_id IN (SELECT xs.id FROM schools xs WHERE ");
            push_in(qb, "xs.code", scope.schools.iter().map(|c| c.as_str()));
            qb.push(")");
        }
        if !scope.municipalities.is_empty() {
            push_account_in_municipalities(
                alt.next(),
                scope.municipalities.iter().map(|c| c.as_str()),
            );
        }
        if let Some(mentor) = &scope.mentees_of {
            alt.next()
                .push(
                    "a.login IN (SELECT xma.teacher FROM methodist_assignments xma \
                     WHERE xma.ended_at IS NULL AND xma.methodist = ",
                )
                .push_bind(mentor.as_str().to_owned())
                .push(")");
        }
    }
    alt.finish();
}

/// The account `a` works at a school of one of `codes`, or belongs to one
/// of them itself.
fn push_account_in_municipalities<'a>(
    qb: &mut QueryBuilder<'_, Sqlite>,
    codes: impl Iterator<Item = &'a str> + Clone,
) {
    qb.push(
        "(a.school_id IN (SELECT xs.id FROM schools xs \
         JOIN municipalities xm ON xm.id = xs.municipality_id WHERE ",
    );
    push_in(qb, "xm.code", codes.clone());
    qb.push(") OR a.municipality_id IN (SELECT xm.id FROM municipalities xm WHERE ");
    push_in(qb, "xm.code", codes);
    qb.push("))");
}

// ---- row mapping -------------------------------------------------------------

/// The teachers counted in summaries: active accounts `a` holding the
/// teacher role. A probe per account (rather than a join) keeps the plans
/// driven by the school and municipality indexes, whatever the statistics.
const IS_TEACHER: &str = " a.active AND EXISTS (SELECT 1 FROM account_roles tr \
WHERE tr.account_id = a.id AND tr.role = 'teacher')";

/// After `WITH vm AS (<visible municipality ids>)`: the municipalities in
/// `vm` with their counts. A teacher counts in the municipality of their
/// school and, when their own municipality is another one, in that one too
/// (the rule `StaffFilter::municipality` uses), never twice in one.
fn push_municipality_summaries(qb: &mut QueryBuilder<'_, Sqlite>) {
    qb.push(
        " SELECT m.code, m.name, COALESCE(sc.n, 0) AS school_count, \
         COALESCE(t1.n, 0) + COALESCE(t2.n, 0) AS teacher_count \
         FROM municipalities m \
         LEFT JOIN (SELECT s.municipality_id AS mid, COUNT(*) AS n FROM schools s \
           WHERE s.active AND s.municipality_id IN (SELECT id FROM vm) \
           GROUP BY s.municipality_id) sc ON sc.mid = m.id \
         LEFT JOIN (SELECT s.municipality_id AS mid, COUNT(*) AS n \
           FROM schools s JOIN accounts a ON a.school_id = s.id \
           WHERE s.municipality_id IN (SELECT id FROM vm) AND",
    )
    .push(IS_TEACHER)
    .push(
        " GROUP BY s.municipality_id) t1 ON t1.mid = m.id \
         LEFT JOIN (SELECT a.municipality_id AS mid, COUNT(*) AS n \
           FROM accounts a LEFT JOIN schools s ON s.id = a.school_id \
           WHERE a.municipality_id IN (SELECT id FROM vm) \
             AND (s.id IS NULL OR s.municipality_id <> a.municipality_id) AND",
    )
    .push(IS_TEACHER)
    .push(
        " GROUP BY a.municipality_id) t2 ON t2.mid = m.id \
         WHERE m.id IN (SELECT id FROM vm) \
         ORDER BY m.name, m.code",
    );
}

const SCHOOL_COLUMNS: &str = "\
s.code, m.code AS municipality_code, s.name, s.short_name, s.low_results, s.risk_low_results, \
s.adverse_conditions, s.rural, s.critical_monitoring, s.mentor_school, s.mentor_capacity, s.active";

const SCHOOL_FROM: &str = " FROM schools s JOIN municipalities m ON m.id = s.municipality_id";

/// After `WITH vs AS (<visible, matching school ids>)`: the schools in
/// `vs` with their municipality's name and their count of teachers.
fn push_school_summaries(qb: &mut QueryBuilder<'_, Sqlite>) {
    qb.push(" SELECT ")
        .push(SCHOOL_COLUMNS)
        .push(", m.name AS municipality_name, COALESCE(tc.n, 0) AS teacher_count")
        .push(SCHOOL_FROM)
        .push(
            " LEFT JOIN (SELECT a.school_id, COUNT(*) AS n FROM accounts a \
             WHERE a.school_id IN (SELECT id FROM vs) AND",
        )
        .push(IS_TEACHER)
        .push(
            " GROUP BY a.school_id) tc ON tc.school_id = s.id \
             WHERE s.id IN (SELECT id FROM vs) \
             ORDER BY m.name, s.name, s.code",
        );
}

const ACCOUNT_COLUMNS: &str = "\
a.login, a.full_name, s.code AS school_code, am.code AS municipality_code, a.subjects, \
a.position, a.experience_years, a.hired_on, a.students_low_results, a.active, a.password_hash, \
a.valid_after, \
(SELECT group_concat(r.role, '|') FROM account_roles r WHERE r.account_id = a.id) AS roles";

const ACCOUNT_FROM: &str = " FROM accounts a \
LEFT JOIN schools s ON s.id = a.school_id \
LEFT JOIN municipalities am ON am.id = a.municipality_id";

const METHODIST_SELECT: &str = "\
SELECT a.login, me.subjects, mm.code AS municipality_code, me.capacity, me.remote \
FROM methodists me JOIN accounts a ON a.id = me.account_id \
LEFT JOIN municipalities mm ON mm.id = me.municipality_id \
LEFT JOIN schools s ON s.id = a.school_id \
LEFT JOIN municipalities am ON am.id = a.municipality_id";

fn municipality_summary_of(row: &SqliteRow) -> Result<MunicipalitySummary> {
    Ok(MunicipalitySummary {
        municipality: Municipality {
            code: municipality_code_of(&get::<String>(row, "code")?)?,
            name: get(row, "name")?,
        },
        schools: count_of(get(row, "school_count")?),
        teachers: count_of(get(row, "teacher_count")?),
    })
}

fn school_of(row: &SqliteRow) -> Result<School> {
    let mut clusters = BTreeSet::new();
    for (column, flag) in [
        ("low_results", ClusterFlag::LowResults),
        ("risk_low_results", ClusterFlag::RiskLowResults),
        ("adverse_conditions", ClusterFlag::AdverseConditions),
    ] {
        if get::<bool>(row, column)? {
            clusters.insert(flag);
        }
    }
    Ok(School {
        code: school_code_of(&get::<String>(row, "code")?)?,
        municipality: municipality_code_of(&get::<String>(row, "municipality_code")?)?,
        name: get(row, "name")?,
        short_name: get(row, "short_name")?,
        clusters,
        rural: get(row, "rural")?,
        critical_monitoring: get(row, "critical_monitoring")?,
        mentor_school: get(row, "mentor_school")?,
        mentor_capacity: get::<Option<i64>>(row, "mentor_capacity")?
            .map(|c| u32_of("mentor capacity", c))
            .transpose()?,
        active: get(row, "active")?,
    })
}

fn school_summary_of(row: &SqliteRow) -> Result<SchoolSummary> {
    Ok(SchoolSummary {
        school: school_of(row)?,
        municipality_name: get(row, "municipality_name")?,
        teachers: count_of(get(row, "teacher_count")?),
    })
}

fn account_of(row: &SqliteRow) -> Result<Account> {
    Ok(Account {
        login: login_of(&get::<String>(row, "login")?)?,
        full_name: get(row, "full_name")?,
        roles: roles_of(get(row, "roles")?)?,
        school: get::<Option<String>>(row, "school_code")?
            .map(|c| school_code_of(&c))
            .transpose()?,
        municipality: get::<Option<String>>(row, "municipality_code")?
            .map(|c| municipality_code_of(&c))
            .transpose()?,
        attrs: TeacherAttrs {
            subjects: split_list(&get::<String>(row, "subjects")?),
            position: get(row, "position")?,
            experience_years: get(row, "experience_years")?,
            hired_on: get::<Option<String>>(row, "hired_on")?
                .map(|d| parse_stored_date(&d))
                .transpose()?,
            students_low_results: get(row, "students_low_results")?,
        },
        active: get(row, "active")?,
    })
}

fn methodist_of(row: &SqliteRow) -> Result<Methodist> {
    Ok(Methodist {
        login: login_of(&get::<String>(row, "login")?)?,
        subjects: split_list(&get::<String>(row, "subjects")?),
        municipality: get::<Option<String>>(row, "municipality_code")?
            .map(|c| municipality_code_of(&c))
            .transpose()?,
        capacity: u32_of("methodist capacity", get(row, "capacity")?)?,
        remote: get(row, "remote")?,
    })
}

fn audit_entry_of(row: &SqliteRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        at: get(row, "at")?,
        actor: get::<Option<String>>(row, "actor")?
            .map(|a| login_of(&a))
            .transpose()?,
        action: get(row, "action")?,
        object: get(row, "object")?,
    })
}

// ---- apply_directory -----------------------------------------------------------

/// Maps every municipality code to its id.
async fn municipality_ids(conn: &mut SqliteConnection) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT id, code FROM municipalities")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| Ok((get::<String>(r, "code")?, get::<i64>(r, "id")?)))
        .collect()
}

/// Maps every school code to its id.
async fn school_ids(conn: &mut SqliteConnection) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT id, code FROM schools")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| Ok((get::<String>(r, "code")?, get::<i64>(r, "id")?)))
        .collect()
}

/// Adds to `known` the ids of those `logins` it lacks; the ones that do not
/// exist are left out.
async fn resolve_logins<'a>(
    conn: &mut SqliteConnection,
    known: &mut HashMap<String, i64>,
    logins: impl Iterator<Item = &'a Login>,
) -> Result<()> {
    let missing: Vec<String> = logins
        .filter(|l| !known.contains_key(l.as_str()))
        .map(|l| l.as_str().to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in missing.chunks(BATCH) {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, login FROM accounts WHERE ");
        push_in(&mut qb, "login", chunk.iter().map(String::as_str));
        let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
        for r in &rows {
            known.insert(get(r, "login")?, get(r, "id")?);
        }
    }
    Ok(())
}

fn unknown_municipality(code: &MunicipalityCode, whose: String) -> StoreError {
    StoreError::Conflict(format!("неизвестный код муниципалитета «{code}» ({whose})"))
}

fn unknown_account(login: &Login, whose: &str) -> StoreError {
    StoreError::Conflict(format!("нет учётной записи «{login}» ({whose})"))
}

/// Writes `changes` on `conn`, inside the caller's transaction.
async fn apply_changes(
    conn: &mut SqliteConnection,
    auth: &RegionAuthority,
    changes: DirectoryChanges,
    now: Millis,
) -> Result<()> {
    let DirectoryChanges {
        municipalities,
        schools,
        accounts,
        methodists,
        invitations,
        audit_action,
    } = changes;
    let municipalities = last_by_key(municipalities, |m| m.code.clone());
    let schools = last_by_key(schools, |s| s.code.clone());
    let accounts = last_by_key(accounts, |a| a.login.clone());
    let methodists = last_by_key(methodists, |m| m.login.clone());

    for chunk in municipalities.chunks(BATCH) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO municipalities (code, name) ");
        qb.push_values(chunk, |mut b, m| {
            b.push_bind(m.code.as_str().to_owned())
                .push_bind(m.name.clone());
        });
        qb.push(" ON CONFLICT (code) DO UPDATE SET name = excluded.name");
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }

    let need_municipalities = !schools.is_empty()
        || accounts.iter().any(|a| a.municipality.is_some())
        || methodists.iter().any(|m| m.municipality.is_some());
    let municipality_id = if need_municipalities {
        municipality_ids(conn).await?
    } else {
        HashMap::new()
    };

    for chunk in schools.chunks(BATCH) {
        let mut rows = Vec::with_capacity(chunk.len());
        for s in chunk {
            let mid = *municipality_id
                .get(s.municipality.as_str())
                .ok_or_else(|| unknown_municipality(&s.municipality, format!("ОО «{}»", s.code)))?;
            rows.push((s, mid));
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO schools (code, municipality_id, name, short_name, low_results, \
             risk_low_results, adverse_conditions, rural, critical_monitoring, mentor_school, \
             mentor_capacity, active) ",
        );
        qb.push_values(rows, |mut b, (s, mid)| {
            b.push_bind(s.code.as_str().to_owned())
                .push_bind(mid)
                .push_bind(s.name.clone())
                .push_bind(s.short_name.clone())
                .push_bind(s.clusters.contains(&ClusterFlag::LowResults))
                .push_bind(s.clusters.contains(&ClusterFlag::RiskLowResults))
                .push_bind(s.clusters.contains(&ClusterFlag::AdverseConditions))
                .push_bind(s.rural)
                .push_bind(s.critical_monitoring)
                .push_bind(s.mentor_school)
                .push_bind(s.mentor_capacity.map(i64::from))
                .push_bind(s.active);
        });
        qb.push(
            " ON CONFLICT (code) DO UPDATE SET municipality_id = excluded.municipality_id, \
             name = excluded.name, short_name = excluded.short_name, \
             low_results = excluded.low_results, risk_low_results = excluded.risk_low_results, \
             adverse_conditions = excluded.adverse_conditions, rural = excluded.rural, \
             critical_monitoring = excluded.critical_monitoring, \
             mentor_school = excluded.mentor_school, mentor_capacity = excluded.mentor_capacity, \
             active = excluded.active",
        );
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }

    let mut account_id: HashMap<String, i64> = HashMap::new();
    if !accounts.is_empty() {
        let school_id = if accounts.iter().any(|a| a.school.is_some()) {
            school_ids(conn).await?
        } else {
            HashMap::new()
        };
        for chunk in accounts.chunks(BATCH) {
            let mut rows = Vec::with_capacity(chunk.len());
            for a in chunk {
                let sid = match &a.school {
                    Some(code) => Some(*school_id.get(code.as_str()).ok_or_else(|| {
                        StoreError::Conflict(format!(
                            "неизвестный код ОО «{code}» (учётная запись «{}»)",
                            a.login
                        ))
                    })?),
                    None => None,
                };
                let mid = match &a.municipality {
                    Some(code) => Some(*municipality_id.get(code.as_str()).ok_or_else(|| {
                        unknown_municipality(code, format!("учётная запись «{}»", a.login))
                    })?),
                    None => None,
                };
                rows.push((a, sid, mid));
            }
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO accounts (login, full_name, school_id, municipality_id, subjects, \
                 position, experience_years, hired_on, students_low_results, active, \
                 valid_after, created_at) ",
            );
            qb.push_values(rows, |mut b, (a, sid, mid)| {
                b.push_bind(a.login.as_str().to_owned())
                    .push_bind(a.full_name.clone())
                    .push_bind(sid)
                    .push_bind(mid)
                    .push_bind(a.attrs.subjects.join("|"))
                    .push_bind(a.attrs.position.clone())
                    .push_bind(a.attrs.experience_years)
                    .push_bind(a.attrs.hired_on.map(|d| d.format("%Y-%m-%d").to_string()))
                    .push_bind(a.attrs.students_low_results)
                    .push_bind(a.active)
                    // A disabled account's sessions end now.
                    .push_bind(if a.active { 0 } else { now })
                    .push_bind(now);
            });
            qb.push(
                " ON CONFLICT (login) DO UPDATE SET full_name = excluded.full_name, \
                 school_id = excluded.school_id, municipality_id = excluded.municipality_id, \
                 subjects = excluded.subjects, position = excluded.position, \
                 experience_years = excluded.experience_years, hired_on = excluded.hired_on, \
                 students_low_results = excluded.students_low_results, \
                 active = excluded.active, \
                 valid_after = CASE WHEN excluded.active THEN accounts.valid_after \
                   ELSE max(accounts.valid_after, excluded.valid_after) END \
                 RETURNING id, login",
            );
            let returned = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
            let mut ids = Vec::with_capacity(returned.len());
            for r in &returned {
                let id: i64 = get(r, "id")?;
                account_id.insert(get(r, "login")?, id);
                ids.push(id);
            }

            let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM account_roles WHERE ");
            qb.push("account_id IN (");
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            qb.build().execute(&mut *conn).await.map_err(db_err)?;

            let roles: Vec<(i64, Role)> = chunk
                .iter()
                .flat_map(|a| {
                    let id = account_id[a.login.as_str()];
                    a.roles.iter().map(move |r| (id, *r))
                })
                .collect();
            for roles in roles.chunks(BATCH) {
                let mut qb =
                    QueryBuilder::<Sqlite>::new("INSERT INTO account_roles (account_id, role) ");
                qb.push_values(roles, |mut b, (id, role)| {
                    b.push_bind(*id).push_bind(role.as_str());
                });
                qb.build().execute(&mut *conn).await.map_err(db_err)?;
            }
        }
    }

    if !methodists.is_empty() {
        resolve_logins(conn, &mut account_id, methodists.iter().map(|m| &m.login)).await?;
        for chunk in methodists.chunks(BATCH) {
            let mut rows = Vec::with_capacity(chunk.len());
            for m in chunk {
                let aid = *account_id
                    .get(m.login.as_str())
                    .ok_or_else(|| unknown_account(&m.login, "методист"))?;
                let mid = match &m.municipality {
                    Some(code) => Some(*municipality_id.get(code.as_str()).ok_or_else(|| {
                        unknown_municipality(code, format!("методист «{}»", m.login))
                    })?),
                    None => None,
                };
                rows.push((m, aid, mid));
            }
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO methodists (account_id, subjects, municipality_id, capacity, remote) ",
            );
            qb.push_values(rows, |mut b, (m, aid, mid)| {
                b.push_bind(aid)
                    .push_bind(m.subjects.join("|"))
                    .push_bind(mid)
                    .push_bind(i64::from(m.capacity))
                    .push_bind(m.remote);
            });
            qb.push(
                " ON CONFLICT (account_id) DO UPDATE SET subjects = excluded.subjects, \
                 municipality_id = excluded.municipality_id, capacity = excluded.capacity, \
                 remote = excluded.remote",
            );
            qb.build().execute(&mut *conn).await.map_err(db_err)?;
        }
    }

    let invitation_count = invitations.len();
    if !invitations.is_empty() {
        resolve_logins(conn, &mut account_id, invitations.iter().map(|i| &i.login)).await?;
        // Per account, the last invitation of this change is the live one:
        // earlier ones (stored or in this change) are void from now on.
        let mut last: HashMap<i64, usize> = HashMap::new();
        let mut rows = Vec::with_capacity(invitations.len());
        for (n, inv) in invitations.iter().enumerate() {
            let aid = *account_id
                .get(inv.login.as_str())
                .ok_or_else(|| unknown_account(&inv.login, "приглашение"))?;
            last.insert(aid, n);
            rows.push((inv, aid));
        }
        let targets: Vec<i64> = last.keys().copied().collect();
        for chunk in targets.chunks(BATCH) {
            let mut qb = QueryBuilder::<Sqlite>::new("UPDATE invitations SET voided_at = ");
            qb.push_bind(now);
            qb.push(" WHERE used_at IS NULL AND voided_at IS NULL AND account_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            qb.build().execute(&mut *conn).await.map_err(db_err)?;
        }
        let rows: Vec<(usize, &NewInvitation, i64)> = rows
            .into_iter()
            .enumerate()
            .map(|(n, (inv, aid))| (n, inv, aid))
            .collect();
        for chunk in rows.chunks(BATCH) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO invitations (account_id, token_hash, created_at, expires_at, \
                 used_at, voided_at) ",
            );
            qb.push_values(chunk, |mut b, (n, inv, aid)| {
                let live = last[aid] == *n;
                b.push_bind(*aid)
                    .push_bind(inv.token_hash.clone())
                    .push_bind(now)
                    .push_bind(inv.expires_at)
                    .push_bind(None::<i64>)
                    .push_bind((!live).then_some(now));
            });
            qb.build().execute(&mut *conn).await.map_err(db_err)?;
        }
    }

    let object = format!(
        "муниципалитеты: {}; ОО: {}; учётные записи: {}; методисты: {}; приглашения: {}",
        municipalities.len(),
        schools.len(),
        accounts.len(),
        methodists.len(),
        invitation_count,
    );
    sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES (?, ?, ?, ?)")
        .bind(now)
        .bind(auth.actor.as_ref().map(|l| l.as_str().to_owned()))
        .bind(audit_action)
        .bind(object)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The state of the invitation with `token_hash` at `now`.
async fn invitation_state(
    conn: &mut SqliteConnection,
    token_hash: &str,
    now: Millis,
) -> Result<InvitationState> {
    let row = sqlx::query(
        "SELECT i.used_at, i.voided_at, i.expires_at, a.login, a.full_name \
         FROM invitations i JOIN accounts a ON a.id = i.account_id WHERE i.token_hash = ?",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return Ok(InvitationState::Unknown);
    };
    if get::<Option<i64>>(&row, "used_at")?.is_some()
        || get::<Option<i64>>(&row, "voided_at")?.is_some()
    {
        return Ok(InvitationState::Used);
    }
    if get::<i64>(&row, "expires_at")? <= now {
        return Ok(InvitationState::Expired);
    }
    Ok(InvitationState::Valid {
        login: login_of(&get::<String>(&row, "login")?)?,
        full_name: get(&row, "full_name")?,
    })
}

// ---- the trait -----------------------------------------------------------------

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn municipalities(&self, scope: &Scope) -> Result<Vec<MunicipalitySummary>> {
        let mut qb =
            QueryBuilder::<Sqlite>::new("WITH vm AS (SELECT m.id FROM municipalities m WHERE ");
        push_municipality_visible(&mut qb, scope);
        qb.push(")");
        push_municipality_summaries(&mut qb);
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(municipality_summary_of).collect()
    }

    async fn municipality_names(&self) -> Result<Vec<Municipality>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT code, name FROM municipalities ORDER BY name, code")
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        rows.into_iter()
            .map(|(code, name)| {
                Ok(Municipality {
                    code: municipality_code_of(&code)?,
                    name,
                })
            })
            .collect()
    }

    async fn school_names(
        &self,
        municipality: &MunicipalityCode,
    ) -> Result<Vec<(SchoolCode, String, Option<String>)>> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT s.code, s.name, s.short_name FROM schools s \
             JOIN municipalities m ON m.id = s.municipality_id \
             WHERE m.code = ? ORDER BY s.name, s.code",
        )
        .bind(municipality.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(code, name, short)| Ok((school_code_of(&code)?, name, short)))
            .collect()
    }

    async fn schools(&self, scope: &Scope, filter: &SchoolFilter) -> Result<Vec<SchoolSummary>> {
        let mut qb = QueryBuilder::<Sqlite>::new("WITH vs AS (SELECT s.id");
        qb.push(SCHOOL_FROM).push(" WHERE ");
        push_school_visible(&mut qb, scope);
        if let Some(m) = &filter.municipality {
            qb.push(" AND m.code = ").push_bind(m.as_str().to_owned());
        }
        if let Some(flag) = filter.cluster {
            qb.push(" AND ").push(cluster_column(flag));
        }
        if let Some(critical) = filter.critical_monitoring {
            qb.push(" AND s.critical_monitoring = ").push_bind(critical);
        }
        if !filter.include_inactive {
            qb.push(" AND s.active");
        }
        qb.push(")");
        push_school_summaries(&mut qb);
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(school_summary_of).collect()
    }

    async fn school(&self, scope: &Scope, code: &SchoolCode) -> Result<Option<SchoolSummary>> {
        let mut qb = QueryBuilder::<Sqlite>::new("WITH vs AS (SELECT s.id");
        qb.push(SCHOOL_FROM)
            .push(" WHERE s.code = ")
            .push_bind(code.as_str().to_owned())
            .push(" AND ");
        push_school_visible(&mut qb, scope);
        qb.push(")");
        push_school_summaries(&mut qb);
        let row = qb
            .build()
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(school_summary_of).transpose()
    }

    async fn staff(&self, scope: &Scope, filter: &StaffFilter) -> Result<Vec<Account>> {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT ");
        qb.push(ACCOUNT_COLUMNS).push(ACCOUNT_FROM).push(" WHERE ");
        push_account_visible(&mut qb, scope);
        if let Some(s) = &filter.school {
            qb.push(" AND s.code = ").push_bind(s.as_str().to_owned());
        }
        if let Some(m) = &filter.municipality {
            qb.push(" AND ");
            push_account_in_municipalities(&mut qb, std::iter::once(m.as_str()));
        }
        if let Some(role) = filter.role {
            qb.push(
                " AND EXISTS (SELECT 1 FROM account_roles fr \
                 WHERE fr.account_id = a.id AND fr.role = ",
            )
            .push_bind(role.as_str())
            .push(")");
        }
        if !filter.include_inactive {
            qb.push(" AND a.active");
        }
        qb.push(" ORDER BY a.full_name, a.login");
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(account_of).collect()
    }

    async fn account(&self, scope: &Scope, login: &Login) -> Result<Option<Account>> {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT ");
        qb.push(ACCOUNT_COLUMNS)
            .push(ACCOUNT_FROM)
            .push(" WHERE a.login = ")
            .push_bind(login.as_str().to_owned())
            .push(" AND ");
        push_account_visible(&mut qb, scope);
        let row = qb
            .build()
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(account_of).transpose()
    }

    async fn methodist(&self, scope: &Scope, login: &Login) -> Result<Option<Methodist>> {
        let mut qb = QueryBuilder::<Sqlite>::new(METHODIST_SELECT);
        qb.push(" WHERE a.login = ")
            .push_bind(login.as_str().to_owned())
            .push(" AND ");
        push_account_visible(&mut qb, scope);
        let row = qb
            .build()
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(methodist_of).transpose()
    }

    async fn directory(&self, _auth: &RegionAuthority) -> Result<Directory> {
        // One read transaction: one consistent snapshot of all four tables.
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let rows = sqlx::query("SELECT m.code, m.name FROM municipalities m ORDER BY m.code")
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let municipalities = rows
            .iter()
            .map(|r| {
                Ok(Municipality {
                    code: municipality_code_of(&get::<String>(r, "code")?)?,
                    name: get(r, "name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(&format!(
            "SELECT {SCHOOL_COLUMNS}{SCHOOL_FROM} ORDER BY s.code"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let schools = rows.iter().map(school_of).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS}{ACCOUNT_FROM} ORDER BY a.login"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let accounts = rows.iter().map(account_of).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(&format!("{METHODIST_SELECT} ORDER BY a.login"))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let methodists = rows.iter().map(methodist_of).collect::<Result<Vec<_>>>()?;
        tx.commit().await.map_err(db_err)?;
        Ok(Directory {
            municipalities,
            schools,
            accounts,
            methodists,
        })
    }

    async fn apply_directory(
        &self,
        auth: &RegionAuthority,
        changes: DirectoryChanges,
        now: Millis,
    ) -> Result<()> {
        // IMMEDIATE takes the write lock up front (waiting up to the busy
        // timeout), so the transaction never fails half-way on an upgrade.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        // On error `tx` is dropped unfinished, which rolls it back.
        apply_changes(&mut tx, auth, changes, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn reissue_invitation(&self, invitation: NewInvitation, now: Millis) -> Result<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = ?")
            .bind(invitation.login.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "UPDATE invitations SET voided_at = ? \
             WHERE account_id = ? AND used_at IS NULL AND voided_at IS NULL",
        )
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO invitations (account_id, token_hash, created_at, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(&invitation.token_hash)
        .bind(now)
        .bind(invitation.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn credentials(&self, login: &Login) -> Result<Option<Credentials>> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS}{ACCOUNT_FROM} WHERE a.login = ?"
        ))
        .bind(login.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let account = account_of(&row)?;
        Ok(Some(Credentials {
            caller: Caller {
                login: account.login,
                full_name: account.full_name,
                roles: account.roles,
                school: account.school,
                municipality: account.municipality,
            },
            password_hash: get(&row, "password_hash")?,
            active: account.active,
            valid_after: get(&row, "valid_after")?,
        }))
    }

    async fn revoke_sessions(&self, login: &Login, at: Millis) -> Result<()> {
        let done =
            sqlx::query("UPDATE accounts SET valid_after = max(valid_after, ?) WHERE login = ?")
                .bind(at)
                .bind(login.as_str())
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn invitation(&self, token_hash: &str, now: Millis) -> Result<InvitationState> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        invitation_state(&mut conn, token_hash, now).await
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Millis,
    ) -> Result<InvitationState> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        // The conditional UPDATE is the redemption: of two concurrent ones,
        // only the first finds the link unused.
        let account_id: Option<i64> = sqlx::query_scalar(
            "UPDATE invitations SET used_at = ? \
             WHERE token_hash = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ? \
             RETURNING account_id",
        )
        .bind(now)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(account_id) = account_id else {
            // Nothing changed: answer with the link's state (rolled back on drop).
            return invitation_state(&mut tx, token_hash, now).await;
        };
        let row = sqlx::query(
            "UPDATE accounts SET password_hash = ?, valid_after = max(valid_after, ?) \
             WHERE id = ? RETURNING login, full_name",
        )
        .bind(password_hash)
        .bind(now)
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let state = InvitationState::Valid {
            login: login_of(&get::<String>(&row, "login")?)?,
            full_name: get(&row, "full_name")?,
        };
        tx.commit().await.map_err(db_err)?;
        Ok(state)
    }

    async fn set_password(&self, login: &Login, password_hash: &str, now: Millis) -> Result<()> {
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = ?, valid_after = max(valid_after, ?) \
             WHERE login = ?",
        )
        .bind(password_hash)
        .bind(now)
        .bind(login.as_str())
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn record_login_failure(
        &self,
        key: &str,
        now: Millis,
        window: Millis,
    ) -> Result<LoginFailures> {
        // One statement: atomic however many server processes share the file.
        let row = sqlx::query(
            "INSERT INTO login_failures (key, failures, window_started) VALUES (?, 1, ?) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN excluded.window_started - login_failures.window_started >= ? \
                 THEN 1 ELSE login_failures.failures + 1 END, \
               window_started = CASE \
                 WHEN excluded.window_started - login_failures.window_started >= ? \
                 THEN excluded.window_started ELSE login_failures.window_started END \
             RETURNING failures, window_started",
        )
        .bind(key)
        .bind(now)
        .bind(window)
        .bind(window)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(LoginFailures {
            failures: u32_of("failures", get(&row, "failures")?)?,
            window_started: get(&row, "window_started")?,
        })
    }

    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>> {
        let row = sqlx::query("SELECT failures, window_started FROM login_failures WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(LoginFailures {
                failures: u32_of("failures", get(&r, "failures")?)?,
                window_started: get(&r, "window_started")?,
            })
        })
        .transpose()
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = ?")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn load_bank_version(
        &self,
        auth: &RegionAuthority,
        bank: NewBankVersion,
        now: Millis,
    ) -> Result<BankLoad> {
        diagnostics::load_bank_version(&self.pool, auth, bank, now).await
    }

    async fn bank_versions(&self) -> Result<Vec<BankVersionRow>> {
        diagnostics::bank_versions(&self.pool).await
    }

    async fn bank_version(&self, id: i64) -> Result<Option<BankVersionRow>> {
        diagnostics::bank_version(&self.pool, id).await
    }

    async fn current_bank_version(&self, bank_id: &str) -> Result<Option<BankVersionRow>> {
        diagnostics::current_bank_version(&self.pool, bank_id).await
    }

    async fn create_campaign(
        &self,
        actor: Option<&Login>,
        campaign: NewCampaign,
        now: Millis,
    ) -> Result<i64> {
        diagnostics::create_campaign(&self.pool, actor, campaign, now).await
    }

    async fn campaigns(&self) -> Result<Vec<CampaignRow>> {
        diagnostics::campaigns(&self.pool).await
    }

    async fn campaign(&self, id: i64) -> Result<Option<CampaignRow>> {
        diagnostics::campaign(&self.pool, id).await
    }

    async fn start_attempt(&self, attempt: NewAttempt, now: Millis) -> Result<(AttemptRow, bool)> {
        diagnostics::start_attempt(&self.pool, attempt, now).await
    }

    async fn attempt(&self, id: i64) -> Result<Option<AttemptRow>> {
        diagnostics::attempt(&self.pool, id).await
    }

    async fn attempt_for(&self, campaign_id: i64, login: &Login) -> Result<Option<AttemptRow>> {
        diagnostics::attempt_for(&self.pool, campaign_id, login).await
    }

    async fn attempts_of(&self, login: &Login) -> Result<Vec<AttemptRow>> {
        diagnostics::attempts_of(&self.pool, login).await
    }

    async fn save_response(
        &self,
        attempt_id: i64,
        item_id: &str,
        response_json: &str,
        now: Millis,
        grace: Millis,
    ) -> Result<SaveOutcome> {
        diagnostics::save_response(&self.pool, attempt_id, item_id, response_json, now, grace).await
    }

    async fn responses(&self, attempt_id: i64) -> Result<BTreeMap<String, String>> {
        diagnostics::responses(&self.pool, attempt_id).await
    }

    async fn finished_attempts_of_version(
        &self,
        scope: &Scope,
        bank_version_id: i64,
    ) -> Result<Vec<(AttemptRow, BTreeMap<String, String>)>> {
        if !scope.region {
            return Ok(Vec::new());
        }
        diagnostics::finished_attempts_of_version(&self.pool, bank_version_id).await
    }

    async fn finish_attempt(
        &self,
        attempt_id: i64,
        finish: FinishAttempt,
        now: Millis,
    ) -> Result<FinishOutcome> {
        diagnostics::finish_attempt(&self.pool, attempt_id, finish, now).await
    }

    async fn overdue_attempts(&self, now: Millis, grace: Millis) -> Result<Vec<i64>> {
        diagnostics::overdue_attempts(&self.pool, now, grace).await
    }

    async fn diagnostics_since(
        &self,
        auth: &RegionAuthority,
        since: NaiveDate,
    ) -> Result<Vec<DiagnosticRow>> {
        diagnostics::diagnostics_since(&self.pool, auth, since).await
    }

    async fn catalogue(&self) -> Result<Vec<Entry>> {
        routes::catalogue(&self.pool).await
    }

    async fn apply_catalogue(
        &self,
        auth: &RegionAuthority,
        entries: Vec<Entry>,
        now: Millis,
    ) -> Result<()> {
        routes::apply_catalogue(&self.pool, auth, entries, now).await
    }

    async fn seat_use(&self) -> Result<HashMap<CourseCode, SeatUse>> {
        routes::seat_use(&self.pool).await
    }

    async fn route_states(
        &self,
        auth: &RegionAuthority,
        period_from: NaiveDate,
    ) -> Result<HashMap<Login, RouteState>> {
        routes::route_states(&self.pool, auth, period_from).await
    }

    async fn save_drafts(
        &self,
        auth: &RegionAuthority,
        drafts: Vec<NewDraft>,
        now: Millis,
    ) -> Result<DraftCounts> {
        routes::save_drafts(&self.pool, auth, drafts, now).await
    }

    async fn routes_of(&self, scope: &Scope, login: &Login) -> Result<Vec<RouteRow>> {
        routes::routes_of(&self.pool, scope, login).await
    }

    async fn route(&self, scope: &Scope, id: i64) -> Result<Option<RouteRow>> {
        routes::route(&self.pool, scope, id).await
    }

    async fn routes_where(&self, scope: &Scope, filter: &RouteFilter) -> Result<Vec<RouteRow>> {
        routes::routes_where(&self.pool, scope, filter).await
    }

    async fn update_draft(
        &self,
        editor: &Login,
        route_id: i64,
        steps: Vec<Step>,
        now: Millis,
    ) -> Result<RouteRow> {
        routes::update_draft(&self.pool, editor, route_id, steps, now).await
    }

    async fn approve_route(
        &self,
        approver: &Login,
        route_id: i64,
        now: Millis,
    ) -> Result<RouteRow> {
        routes::approve_route(&self.pool, approver, route_id, now).await
    }

    async fn submit_step(
        &self,
        teacher: &Login,
        route_id: i64,
        position: u32,
        evidence: NewEvidence,
        now: Millis,
    ) -> Result<RouteRow> {
        routes::submit_step(&self.pool, teacher, route_id, position, evidence, now).await
    }

    async fn review_step(
        &self,
        reviewer: &Login,
        route_id: i64,
        position: u32,
        confirm: bool,
        comment: Option<String>,
        now: Millis,
    ) -> Result<RouteRow> {
        routes::review_step(
            &self.pool, reviewer, route_id, position, confirm, comment, now,
        )
        .await
    }

    async fn set_step_mentor(
        &self,
        actor: Option<&Login>,
        route_id: i64,
        position: u32,
        mentor: &Login,
        mentor_name: &str,
        now: Millis,
    ) -> Result<RouteRow> {
        routes::set_step_mentor(
            &self.pool,
            actor,
            route_id,
            position,
            mentor,
            mentor_name,
            now,
        )
        .await
    }

    async fn step_evidence(
        &self,
        scope: &Scope,
        route_id: i64,
        position: u32,
    ) -> Result<Vec<EvidenceRow>> {
        routes::step_evidence(&self.pool, scope, route_id, position).await
    }

    async fn diagnostics_of(&self, scope: &Scope, login: &Login) -> Result<Vec<DiagnosticRow>> {
        diagnostics::diagnostics_of(&self.pool, scope, login).await
    }

    async fn import_diagnostics(
        &self,
        auth: &RegionAuthority,
        diagnostics: Vec<NewDiagnostic>,
        now: Millis,
    ) -> Result<ImportCounts> {
        diagnostics::import_diagnostics(&self.pool, auth, diagnostics, now).await
    }

    async fn campaign_participation(
        &self,
        scope: &Scope,
        campaign_id: i64,
    ) -> Result<Vec<ParticipationRow>> {
        diagnostics::campaign_participation(&self.pool, scope, campaign_id).await
    }

    async fn campaign_finishers(
        &self,
        _auth: &RegionAuthority,
        campaign_id: i64,
    ) -> Result<Vec<Login>> {
        diagnostics::campaign_finishers(&self.pool, campaign_id).await
    }

    async fn assign_methodists(
        &self,
        auth: &RegionAuthority,
        new: Vec<NewAssignment>,
        enforce_capacity: bool,
        replace_reason: &str,
        now: Millis,
    ) -> Result<AssignCounts> {
        matching::assign_methodists(&self.pool, auth, new, enforce_capacity, replace_reason, now)
            .await
    }

    async fn end_methodist_assignment(
        &self,
        auth: &RegionAuthority,
        teacher: &Login,
        reason: &str,
        now: Millis,
    ) -> Result<AssignmentRow> {
        matching::end_methodist_assignment(&self.pool, auth, teacher, reason, now).await
    }

    async fn methodist_assignments(
        &self,
        scope: &Scope,
        filter: &AssignmentFilter,
    ) -> Result<Vec<AssignmentRow>> {
        matching::methodist_assignments(&self.pool, scope, filter).await
    }

    async fn assign_mentor_schools(
        &self,
        auth: &RegionAuthority,
        new: Vec<NewSchoolAssignment>,
        enforce_capacity: bool,
        default_capacity: u32,
        replace_reason: &str,
        now: Millis,
    ) -> Result<AssignCounts> {
        matching::assign_mentor_schools(
            &self.pool,
            auth,
            new,
            enforce_capacity,
            default_capacity,
            replace_reason,
            now,
        )
        .await
    }

    async fn end_mentor_school_assignment(
        &self,
        auth: &RegionAuthority,
        school: &SchoolCode,
        reason: &str,
        now: Millis,
    ) -> Result<SchoolAssignmentRow> {
        matching::end_mentor_school_assignment(&self.pool, auth, school, reason, now).await
    }

    async fn mentor_school_assignments(
        &self,
        scope: &Scope,
        filter: &SchoolAssignmentFilter,
    ) -> Result<Vec<SchoolAssignmentRow>> {
        matching::mentor_school_assignments(&self.pool, scope, filter).await
    }

    async fn save_match_run(&self, auth: &RegionAuthority, run: MatchRun) -> Result<()> {
        matching::save_match_run(&self.pool, auth, run).await
    }

    async fn match_run(&self, kind: MatchKind) -> Result<Option<MatchRun>> {
        matching::match_run(&self.pool, kind).await
    }

    async fn add_consultation(
        &self,
        mentor: &Login,
        consultation: NewConsultation,
        now: Millis,
    ) -> Result<ConsultationRow> {
        matching::add_consultation(&self.pool, mentor, consultation, now).await
    }

    async fn consultations(&self, scope: &Scope, teacher: &Login) -> Result<Vec<ConsultationRow>> {
        matching::consultations(&self.pool, scope, teacher).await
    }

    async fn apply_roadmap(
        &self,
        auth: &RegionAuthority,
        period: Period,
        items: Vec<NewRoadmapItem>,
        now: Millis,
    ) -> Result<RoadmapCounts> {
        roadmap::apply_roadmap(&self.pool, auth, period, items, now).await
    }

    async fn roadmap(&self, on: NaiveDate) -> Result<Vec<RoadmapItemRow>> {
        roadmap::roadmap(&self.pool, on).await
    }

    async fn roadmap_periods(&self) -> Result<Vec<Period>> {
        roadmap::roadmap_periods(&self.pool).await
    }

    async fn mark_roadmap_item(
        &self,
        actor: &Login,
        id: i64,
        done: bool,
        evidence: Option<String>,
        now: Millis,
    ) -> Result<RoadmapItemRow> {
        roadmap::mark_roadmap_item(&self.pool, actor, id, done, evidence, now).await
    }

    async fn apply_trainings(
        &self,
        auth: &RegionAuthority,
        rows: Vec<store::NewTraining>,
        now: Millis,
    ) -> Result<store::UpsertCounts> {
        trainings::apply_trainings(&self.pool, auth, rows, now).await
    }

    async fn trainings(&self, _auth: &RegionAuthority) -> Result<Vec<store::TrainingRow>> {
        trainings::trainings(&self.pool).await
    }

    async fn apply_targets(
        &self,
        auth: &RegionAuthority,
        rows: Vec<store::NewTarget>,
        now: Millis,
    ) -> Result<store::UpsertCounts> {
        trainings::apply_targets(&self.pool, auth, rows, now).await
    }

    async fn targets(&self) -> Result<Vec<store::TargetRow>> {
        trainings::targets(&self.pool).await
    }

    async fn remove_target(
        &self,
        auth: &RegionAuthority,
        id: i64,
        now: Millis,
    ) -> Result<store::TargetRow> {
        custom::remove_target(&self.pool, auth, id, now).await
    }

    async fn define_custom_indicator(
        &self,
        auth: &RegionAuthority,
        indicator: store::NewCustomIndicator,
        now: Millis,
    ) -> Result<store::CustomIndicatorRow> {
        custom::define_custom_indicator(&self.pool, auth, indicator, now).await
    }

    async fn update_custom_indicator(
        &self,
        auth: &RegionAuthority,
        id: i64,
        change: store::CustomIndicatorChange,
        now: Millis,
    ) -> Result<store::CustomIndicatorRow> {
        custom::update_custom_indicator(&self.pool, auth, id, change, now).await
    }

    async fn custom_indicators(&self) -> Result<Vec<store::CustomIndicatorRow>> {
        custom::custom_indicators(&self.pool).await
    }

    async fn custom_indicator(&self, id: i64) -> Result<Option<store::CustomIndicatorRow>> {
        custom::custom_indicator(&self.pool, id).await
    }

    async fn add_custom_value(
        &self,
        caller: &Caller,
        value: store::NewCustomValue,
        now: Millis,
    ) -> Result<store::CustomValueRow> {
        custom::add_custom_value(&self.pool, caller, value, now).await
    }

    async fn custom_values(
        &self,
        scope: &Scope,
        indicator_id: i64,
    ) -> Result<Vec<store::CustomValueRow>> {
        custom::custom_values(&self.pool, scope, indicator_id).await
    }

    async fn latest_custom_values(&self, scope: &Scope) -> Result<Vec<store::CustomValueRow>> {
        custom::latest_custom_values(&self.pool, scope).await
    }

    async fn indicator_tallies(
        &self,
        auth: &RegionAuthority,
        q: &store::IndicatorQuery,
        at: &domain::indicators::Where,
    ) -> Result<Vec<store::IndicatorTally>> {
        indicators::indicator_tallies(&self.pool, auth, q, at).await
    }

    async fn indicator_members(
        &self,
        auth: &RegionAuthority,
        q: &store::IndicatorQuery,
        school: &SchoolCode,
    ) -> Result<Vec<store::IndicatorMember>> {
        indicators::indicator_members(&self.pool, auth, q, school).await
    }

    async fn save_snapshots(&self, rows: &[store::SnapshotRow], now: Millis) -> Result<u64> {
        snapshots::save_snapshots(&self.pool, rows, now).await
    }

    async fn snapshots(
        &self,
        at: &domain::indicators::Where,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<store::SnapshotRow>> {
        snapshots::snapshots(&self.pool, at, from, to).await
    }

    async fn snapshot_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>> {
        snapshots::snapshot_days(&self.pool, from, to).await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn audit(&self, entry: AuditEntry) -> Result<()> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES (?, ?, ?, ?)")
            .bind(entry.at)
            .bind(entry.actor.as_ref().map(|l| l.as_str().to_owned()))
            .bind(entry.action)
            .bind(entry.object)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn audit_log(&self, _auth: &RegionAuthority, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor, action, object FROM audit_log ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(audit_entry_of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_rows_override_earlier_ones_in_place() {
        let items = vec![("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        assert_eq!(
            last_by_key(items, |(k, _)| *k),
            vec![("a", 3), ("b", 2), ("c", 4)]
        );
    }

    #[tokio::test]
    async fn connect_creates_the_directory_and_checks_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/marshrut.db");
        let url = format!("sqlite://{}", path.display());
        let store = SqliteStore::connect(&url).await.unwrap();
        assert!(path.exists());
        store.ping().await.unwrap();
        store.close().await;
        // A second start runs no migration twice.
        let store = SqliteStore::connect(&url).await.unwrap();
        store.close().await;
    }

    #[tokio::test]
    async fn in_memory_databases_keep_their_data() {
        let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
        store.set_setting("k", "v").await.unwrap();
        assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("v"));
    }
}

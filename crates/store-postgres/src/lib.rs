#![forbid(unsafe_code)]
//! PostgreSQL implementation of [`store::Store`]: production and scale.
//!
//! Every query is a runtime query (no offline data): filters are built with
//! [`QueryBuilder`] and bound parameters only. Text is ordered with
//! `COLLATE "C"` (code-point order), so orderings match `store-sqlite`
//! whatever the database's locale; both run `store::conformance`.

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
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};
use store::{
    AssignCounts, AssignmentFilter, AssignmentRow, AttemptRow, AuditEntry, BankLoad,
    BankVersionRow, CampaignRow, ConsultationRow, Credentials, DiagnosticRow, Directory,
    DirectoryChanges, DraftCounts, EvidenceRow, FinishAttempt, FinishOutcome, ImportCounts,
    InvitationState, LoginFailures, MatchKind, MatchRun, Millis, MunicipalitySummary,
    NewAssignment, NewAttempt, NewBankVersion, NewCampaign, NewConsultation, NewDiagnostic,
    NewDraft, NewEvidence, NewInvitation, NewRoadmapItem, NewSchoolAssignment, ParticipationRow,
    Result, RoadmapCounts, RoadmapItemRow, RouteFilter, RouteRow, RouteState, SaveOutcome,
    SchoolAssignmentFilter, SchoolAssignmentRow, SchoolFilter, SchoolSummary, SeatUse, StaffFilter,
    Store, StoreError,
};

/// Connections in the pool.
const POOL_SIZE: u32 = 16;

/// Rows per statement in `apply_directory` (each column is one array
/// parameter, so the limit is only the statement's size).
const BATCH: usize = 5_000;

/// A directory change with at least this many rows refreshes the
/// planner's statistics once committed.
const ANALYZE_AFTER_ROWS: usize = 1_000;

/// The store over one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:5432/marshrut`) and
    /// runs the migrations (safe with several server processes starting at
    /// once: the migrator takes an advisory lock).
    pub async fn connect(url: &str) -> Result<PgStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?
            // Short queries only: JIT compilation costs more than it saves
            // (it took seconds on a scoped staff list of 150,000 accounts).
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Other(format!("cannot connect to PostgreSQL: {e}")))?;
        sqlx::migrate!("../../migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("PostgreSQL migrations failed: {e}")))?;
        tracing::debug!("PostgreSQL store ready");
        Ok(PgStore { pool })
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
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

fn get<'r, T>(row: &'r PgRow, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(column).map_err(db_err)
}

/// A count for an INTEGER column; larger values are refused.
fn int4(value: u32, whose: impl Fn() -> String) -> Result<i32> {
    i32::try_from(value)
        .map_err(|_| StoreError::Conflict(format!("слишком большое число {value} ({})", whose())))
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

/// `column IN ($1, $2, …)`; `values` must not be empty.
fn push_in<'a>(
    qb: &mut QueryBuilder<'_, Postgres>,
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
    qb: &'q mut QueryBuilder<'b, Postgres>,
    any: bool,
}

impl<'q, 'b> Alternatives<'q, 'b> {
    fn new(qb: &'q mut QueryBuilder<'b, Postgres>) -> Self {
        qb.push("(");
        Alternatives { qb, any: false }
    }

    fn next(&mut self) -> &mut QueryBuilder<'b, Postgres> {
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
fn push_municipality_visible(qb: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
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
fn push_school_visible(qb: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
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
/// assignment names them). The rule is one `a.id IN (<union of index
/// lookups>)`: PostgreSQL plans that as a semi-join reading only the
/// accounts in scope (an OR of subqueries would scan every account).
fn push_account_visible(qb: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
    if scope.region {
        qb.push("TRUE");
        return;
    }
    let mut parts = 0;
    qb.push("a.id IN (");
    if let Some(own) = &scope.own {
        qb.push("SELECT xa.id FROM accounts xa WHERE xa.login = ")
            .push_bind(own.as_str().to_owned());
        parts += 1;
    }
    if !scope.schools.is_empty() {
        if parts > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("SELECT xa.id FROM accounts xa JOIN schools xs ON xs.id = xa.school_id WHERE ");
        push_in(qb, "xs.code", scope.schools.iter().map(|c| c.as_str()));
        parts += 1;
    }
    if !scope.municipalities.is_empty() {
        if parts > 0 {
            qb.push(" UNION ALL ");
        }
        push_account_ids_in_municipalities(qb, scope.municipalities.iter().map(|c| c.as_str()));
        parts += 1;
    }
    if let Some(mentor) = &scope.mentees_of {
        if parts > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push(
            "SELECT xa.id FROM accounts xa \
             JOIN methodist_assignments xma ON xma.teacher = xa.login \
             WHERE xma.ended_at IS NULL AND xma.methodist = ",
        )
        .push_bind(mentor.as_str().to_owned());
        parts += 1;
    }
    if parts == 0 {
        qb.push("SELECT NULL::bigint WHERE FALSE");
    }
    qb.push(")");
}

/// The ids of the accounts working at a school of one of `codes`, or
/// belonging to one of them themselves.
fn push_account_ids_in_municipalities<'a>(
    qb: &mut QueryBuilder<'_, Postgres>,
    codes: impl Iterator<Item = &'a str> + Clone,
) {
    qb.push(
        "SELECT xa.id FROM accounts xa JOIN schools xs ON xs.id = xa.school_id \
         JOIN municipalities xm ON xm.id = xs.municipality_id WHERE ",
    );
    push_in(qb, "xm.code", codes.clone());
    qb.push(
        " UNION ALL SELECT xa.id FROM accounts xa \
         JOIN municipalities xm ON xm.id = xa.municipality_id WHERE ",
    );
    push_in(qb, "xm.code", codes);
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
fn push_municipality_summaries(qb: &mut QueryBuilder<'_, Postgres>) {
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
         ORDER BY m.name COLLATE \"C\", m.code COLLATE \"C\"",
    );
}

const SCHOOL_COLUMNS: &str = "\
s.code, m.code AS municipality_code, s.name, s.short_name, s.low_results, s.risk_low_results, \
s.adverse_conditions, s.rural, s.critical_monitoring, s.mentor_school, s.mentor_capacity, s.active";

const SCHOOL_FROM: &str = " FROM schools s JOIN municipalities m ON m.id = s.municipality_id";

/// After `WITH vs AS (<visible, matching school ids>)`: the schools in
/// `vs` with their municipality's name and their count of teachers.
fn push_school_summaries(qb: &mut QueryBuilder<'_, Postgres>) {
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
             ORDER BY m.name COLLATE \"C\", s.name COLLATE \"C\", s.code COLLATE \"C\"",
        );
}

const ACCOUNT_COLUMNS: &str = "\
a.login, a.full_name, s.code AS school_code, am.code AS municipality_code, a.subjects, \
a.position, a.experience_years, a.hired_on, a.students_low_results, a.active, a.password_hash, \
a.valid_after, \
(SELECT string_agg(r.role, '|') FROM account_roles r WHERE r.account_id = a.id) AS roles";

const ACCOUNT_FROM: &str = " FROM accounts a \
LEFT JOIN schools s ON s.id = a.school_id \
LEFT JOIN municipalities am ON am.id = a.municipality_id";

const METHODIST_SELECT: &str = "\
SELECT a.login, me.subjects, mm.code AS municipality_code, me.capacity, me.remote \
FROM methodists me JOIN accounts a ON a.id = me.account_id \
LEFT JOIN municipalities mm ON mm.id = me.municipality_id \
LEFT JOIN schools s ON s.id = a.school_id \
LEFT JOIN municipalities am ON am.id = a.municipality_id";

fn municipality_summary_of(row: &PgRow) -> Result<MunicipalitySummary> {
    Ok(MunicipalitySummary {
        municipality: Municipality {
            code: municipality_code_of(&get::<String>(row, "code")?)?,
            name: get(row, "name")?,
        },
        schools: count_of(get(row, "school_count")?),
        teachers: count_of(get(row, "teacher_count")?),
    })
}

fn school_of(row: &PgRow) -> Result<School> {
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
        mentor_capacity: get::<Option<i32>>(row, "mentor_capacity")?
            .map(|c| u32_of("mentor capacity", c.into()))
            .transpose()?,
        active: get(row, "active")?,
    })
}

fn school_summary_of(row: &PgRow) -> Result<SchoolSummary> {
    Ok(SchoolSummary {
        school: school_of(row)?,
        municipality_name: get(row, "municipality_name")?,
        teachers: count_of(get(row, "teacher_count")?),
    })
}

fn account_of(row: &PgRow) -> Result<Account> {
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
            hired_on: get(row, "hired_on")?,
            students_low_results: get(row, "students_low_results")?,
        },
        active: get(row, "active")?,
    })
}

fn methodist_of(row: &PgRow) -> Result<Methodist> {
    Ok(Methodist {
        login: login_of(&get::<String>(row, "login")?)?,
        subjects: split_list(&get::<String>(row, "subjects")?),
        municipality: get::<Option<String>>(row, "municipality_code")?
            .map(|c| municipality_code_of(&c))
            .transpose()?,
        capacity: u32_of("methodist capacity", get::<i32>(row, "capacity")?.into())?,
        remote: get(row, "remote")?,
    })
}

fn audit_entry_of(row: &PgRow) -> Result<AuditEntry> {
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
async fn municipality_ids(conn: &mut PgConnection) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT id, code FROM municipalities")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| Ok((get::<String>(r, "code")?, get::<i64>(r, "id")?)))
        .collect()
}

/// Maps every school code to its id.
async fn school_ids(conn: &mut PgConnection) -> Result<HashMap<String, i64>> {
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
    conn: &mut PgConnection,
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
        let rows = sqlx::query("SELECT id, login FROM accounts WHERE login = ANY($1::text[])")
            .bind(chunk)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
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

/// Writes `changes` on `conn`, inside the caller's transaction. Rows go in
/// chunks of [`BATCH`], each column as one array parameter (`UNNEST`): one
/// prepared statement per table, whatever the size of the change.
async fn apply_changes(
    conn: &mut PgConnection,
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
        let codes: Vec<&str> = chunk.iter().map(|m| m.code.as_str()).collect();
        let names: Vec<&str> = chunk.iter().map(|m| m.name.as_str()).collect();
        sqlx::query(
            "INSERT INTO municipalities (code, name) \
             SELECT * FROM UNNEST($1::text[], $2::text[]) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        )
        .bind(codes)
        .bind(names)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
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
        let mut municipality_ids = Vec::with_capacity(chunk.len());
        let mut capacities = Vec::with_capacity(chunk.len());
        for s in chunk {
            let mid = *municipality_id
                .get(s.municipality.as_str())
                .ok_or_else(|| unknown_municipality(&s.municipality, format!("ОО «{}»", s.code)))?;
            municipality_ids.push(mid);
            capacities.push(
                s.mentor_capacity
                    .map(|c| int4(c, || format!("ОО «{}»", s.code)))
                    .transpose()?,
            );
        }
        let flag = |f: ClusterFlag| -> Vec<bool> {
            chunk.iter().map(|s| s.clusters.contains(&f)).collect()
        };
        sqlx::query(
            "INSERT INTO schools (code, municipality_id, name, short_name, low_results, \
             risk_low_results, adverse_conditions, rural, critical_monitoring, mentor_school, \
             mentor_capacity, active) \
             SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], \
               $5::bool[], $6::bool[], $7::bool[], $8::bool[], $9::bool[], $10::bool[], \
               $11::int4[], $12::bool[]) \
             ON CONFLICT (code) DO UPDATE SET municipality_id = excluded.municipality_id, \
             name = excluded.name, short_name = excluded.short_name, \
             low_results = excluded.low_results, risk_low_results = excluded.risk_low_results, \
             adverse_conditions = excluded.adverse_conditions, rural = excluded.rural, \
             critical_monitoring = excluded.critical_monitoring, \
             mentor_school = excluded.mentor_school, mentor_capacity = excluded.mentor_capacity, \
             active = excluded.active",
        )
        .bind(chunk.iter().map(|s| s.code.as_str()).collect::<Vec<_>>())
        .bind(municipality_ids)
        .bind(chunk.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|s| s.short_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(flag(ClusterFlag::LowResults))
        .bind(flag(ClusterFlag::RiskLowResults))
        .bind(flag(ClusterFlag::AdverseConditions))
        .bind(chunk.iter().map(|s| s.rural).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|s| s.critical_monitoring)
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|s| s.mentor_school).collect::<Vec<_>>())
        .bind(capacities)
        .bind(chunk.iter().map(|s| s.active).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    let mut account_id: HashMap<String, i64> = HashMap::new();
    if !accounts.is_empty() {
        let school_id = if accounts.iter().any(|a| a.school.is_some()) {
            school_ids(conn).await?
        } else {
            HashMap::new()
        };
        for chunk in accounts.chunks(BATCH) {
            let mut school_ids = Vec::with_capacity(chunk.len());
            let mut municipality_ids = Vec::with_capacity(chunk.len());
            for a in chunk {
                school_ids.push(match &a.school {
                    Some(code) => Some(*school_id.get(code.as_str()).ok_or_else(|| {
                        StoreError::Conflict(format!(
                            "неизвестный код ОО «{code}» (учётная запись «{}»)",
                            a.login
                        ))
                    })?),
                    None => None,
                });
                municipality_ids.push(match &a.municipality {
                    Some(code) => Some(*municipality_id.get(code.as_str()).ok_or_else(|| {
                        unknown_municipality(code, format!("учётная запись «{}»", a.login))
                    })?),
                    None => None,
                });
            }
            let returned = sqlx::query(
                "INSERT INTO accounts (login, full_name, school_id, municipality_id, subjects, \
                 position, experience_years, hired_on, students_low_results, active, \
                 valid_after, created_at) \
                 SELECT t.login, t.full_name, t.school_id, t.municipality_id, t.subjects, \
                   t.position, t.experience_years, t.hired_on, t.students_low_results, t.active, \
                   CASE WHEN t.active THEN 0 ELSE $11 END, $11 \
                 FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], \
                   $6::text[], $7::float8[], $8::date[], $9::bool[], $10::bool[]) \
                   AS t(login, full_name, school_id, municipality_id, subjects, position, \
                        experience_years, hired_on, students_low_results, active) \
                 ON CONFLICT (login) DO UPDATE SET full_name = excluded.full_name, \
                 school_id = excluded.school_id, municipality_id = excluded.municipality_id, \
                 subjects = excluded.subjects, position = excluded.position, \
                 experience_years = excluded.experience_years, hired_on = excluded.hired_on, \
                 students_low_results = excluded.students_low_results, \
                 active = excluded.active, \
                 valid_after = CASE WHEN excluded.active THEN accounts.valid_after \
                   ELSE GREATEST(accounts.valid_after, excluded.valid_after) END \
                 RETURNING id, login",
            )
            .bind(chunk.iter().map(|a| a.login.as_str()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|a| a.full_name.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(school_ids)
            .bind(municipality_ids)
            .bind(
                chunk
                    .iter()
                    .map(|a| a.attrs.subjects.join("|"))
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|a| a.attrs.position.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|a| a.attrs.experience_years)
                    .collect::<Vec<_>>(),
            )
            .bind(chunk.iter().map(|a| a.attrs.hired_on).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|a| a.attrs.students_low_results)
                    .collect::<Vec<_>>(),
            )
            .bind(chunk.iter().map(|a| a.active).collect::<Vec<_>>())
            .bind(now)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
            let mut ids = Vec::with_capacity(returned.len());
            for r in &returned {
                let id: i64 = get(r, "id")?;
                account_id.insert(get(r, "login")?, id);
                ids.push(id);
            }

            sqlx::query("DELETE FROM account_roles WHERE account_id = ANY($1::bigint[])")
                .bind(&ids)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            let (role_accounts, roles): (Vec<i64>, Vec<&str>) = chunk
                .iter()
                .flat_map(|a| {
                    let id = account_id[a.login.as_str()];
                    a.roles.iter().map(move |r| (id, r.as_str()))
                })
                .unzip();
            sqlx::query(
                "INSERT INTO account_roles (account_id, role) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[])",
            )
            .bind(role_accounts)
            .bind(roles)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
    }

    if !methodists.is_empty() {
        resolve_logins(conn, &mut account_id, methodists.iter().map(|m| &m.login)).await?;
        for chunk in methodists.chunks(BATCH) {
            let mut account_ids = Vec::with_capacity(chunk.len());
            let mut municipality_ids = Vec::with_capacity(chunk.len());
            let mut capacities = Vec::with_capacity(chunk.len());
            for m in chunk {
                account_ids.push(
                    *account_id
                        .get(m.login.as_str())
                        .ok_or_else(|| unknown_account(&m.login, "методист"))?,
                );
                municipality_ids.push(match &m.municipality {
                    Some(code) => Some(*municipality_id.get(code.as_str()).ok_or_else(|| {
                        unknown_municipality(code, format!("методист «{}»", m.login))
                    })?),
                    None => None,
                });
                capacities.push(int4(m.capacity, || format!("методист «{}»", m.login))?);
            }
            sqlx::query(
                "INSERT INTO methodists (account_id, subjects, municipality_id, capacity, remote) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::int4[], \
                   $5::bool[]) \
                 ON CONFLICT (account_id) DO UPDATE SET subjects = excluded.subjects, \
                 municipality_id = excluded.municipality_id, capacity = excluded.capacity, \
                 remote = excluded.remote",
            )
            .bind(account_ids)
            .bind(
                chunk
                    .iter()
                    .map(|m| m.subjects.join("|"))
                    .collect::<Vec<_>>(),
            )
            .bind(municipality_ids)
            .bind(capacities)
            .bind(chunk.iter().map(|m| m.remote).collect::<Vec<_>>())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
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
            rows.push((n, inv, aid));
        }
        let targets: Vec<i64> = last.keys().copied().collect();
        for chunk in targets.chunks(BATCH) {
            sqlx::query(
                "UPDATE invitations SET voided_at = $1 \
                 WHERE account_id = ANY($2::bigint[]) AND used_at IS NULL AND voided_at IS NULL",
            )
            .bind(now)
            .bind(chunk)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        for chunk in rows.chunks(BATCH) {
            sqlx::query(
                "INSERT INTO invitations (account_id, token_hash, created_at, expires_at, \
                 voided_at) \
                 SELECT t.account_id, t.token_hash, $5, t.expires_at, t.voided_at \
                 FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::bigint[]) \
                   AS t(account_id, token_hash, expires_at, voided_at)",
            )
            .bind(chunk.iter().map(|(_, _, aid)| *aid).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|(_, inv, _)| inv.token_hash.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|(_, inv, _)| inv.expires_at)
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|(n, _, aid)| (last[aid] != *n).then_some(now))
                    .collect::<Vec<_>>(),
            )
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
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
    sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES ($1, $2, $3, $4)")
        .bind(now)
        .bind(auth.actor.as_ref().map(|l| l.as_str()))
        .bind(audit_action)
        .bind(object)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The state of the invitation with `token_hash` at `now`.
async fn invitation_state(
    conn: &mut PgConnection,
    token_hash: &str,
    now: Millis,
) -> Result<InvitationState> {
    let row = sqlx::query(
        "SELECT i.used_at, i.voided_at, i.expires_at, a.login, a.full_name \
         FROM invitations i JOIN accounts a ON a.id = i.account_id WHERE i.token_hash = $1",
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
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
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
            QueryBuilder::<Postgres>::new("WITH vm AS (SELECT m.id FROM municipalities m WHERE ");
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
             WHERE m.code = $1 ORDER BY s.name, s.code",
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
        let mut qb = QueryBuilder::<Postgres>::new("WITH vs AS (SELECT s.id");
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
        let mut qb = QueryBuilder::<Postgres>::new("WITH vs AS (SELECT s.id");
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
        let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
        qb.push(ACCOUNT_COLUMNS).push(ACCOUNT_FROM).push(" WHERE ");
        push_account_visible(&mut qb, scope);
        if let Some(s) = &filter.school {
            qb.push(" AND s.code = ").push_bind(s.as_str().to_owned());
        }
        if let Some(m) = &filter.municipality {
            qb.push(" AND a.id IN (");
            push_account_ids_in_municipalities(&mut qb, std::iter::once(m.as_str()));
            qb.push(")");
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
        qb.push(" ORDER BY a.full_name COLLATE \"C\", a.login COLLATE \"C\"");
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(account_of).collect()
    }

    async fn account(&self, scope: &Scope, login: &Login) -> Result<Option<Account>> {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
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
        let mut qb = QueryBuilder::<Postgres>::new(METHODIST_SELECT);
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
        // One read-only snapshot of all four tables.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_err)?;
        let rows = sqlx::query(
            "SELECT m.code, m.name FROM municipalities m ORDER BY m.code COLLATE \"C\"",
        )
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
            "SELECT {SCHOOL_COLUMNS}{SCHOOL_FROM} ORDER BY s.code COLLATE \"C\""
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let schools = rows.iter().map(school_of).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS}{ACCOUNT_FROM} ORDER BY a.login COLLATE \"C\""
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let accounts = rows.iter().map(account_of).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(&format!(
            "{METHODIST_SELECT} ORDER BY a.login COLLATE \"C\""
        ))
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
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let rows = changes.municipalities.len() + changes.schools.len() + changes.accounts.len();
        // On error `tx` is dropped unfinished, which rolls it back.
        apply_changes(&mut tx, auth, changes, now).await?;
        tx.commit().await.map_err(db_err)?;
        if rows >= ANALYZE_AFTER_ROWS {
            // Fresh statistics at once, rather than when autovacuum comes by:
            // the planner's choices for the summaries depend on them.
            // Best effort: the change itself is committed.
            if let Err(e) = sqlx::query(
                "ANALYZE municipalities, schools, accounts, account_roles, methodists, invitations",
            )
            .execute(&self.pool)
            .await
            {
                tracing::warn!(error = %e, "ANALYZE after a large directory change failed");
            }
        }
        Ok(())
    }

    async fn reissue_invitation(&self, invitation: NewInvitation, now: Millis) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
            .bind(invitation.login.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "UPDATE invitations SET voided_at = $1 \
             WHERE account_id = $2 AND used_at IS NULL AND voided_at IS NULL",
        )
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO invitations (account_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
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
            "SELECT {ACCOUNT_COLUMNS}{ACCOUNT_FROM} WHERE a.login = $1"
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
        let done = sqlx::query(
            "UPDATE accounts SET valid_after = GREATEST(valid_after, $1) WHERE login = $2",
        )
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
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // The conditional UPDATE is the redemption: of two concurrent ones,
        // the second waits for the first's row lock, then re-checks the
        // condition and finds the link used.
        let account_id: Option<i64> = sqlx::query_scalar(
            "UPDATE invitations SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $1 \
             RETURNING account_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(account_id) = account_id else {
            // Nothing changed: answer with the link's state (rolled back on drop).
            return invitation_state(&mut tx, token_hash, now).await;
        };
        let row = sqlx::query(
            "UPDATE accounts SET password_hash = $1, valid_after = GREATEST(valid_after, $2) \
             WHERE id = $3 RETURNING login, full_name",
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
            "UPDATE accounts SET password_hash = $1, valid_after = GREATEST(valid_after, $2) \
             WHERE login = $3",
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
        // One statement: atomic however many server processes share the
        // database (a concurrent insert of the same key turns into the update).
        let row = sqlx::query(
            "INSERT INTO login_failures (key, failures, window_started) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN excluded.window_started - login_failures.window_started >= $3 \
                 THEN 1 ELSE login_failures.failures + 1 END, \
               window_started = CASE \
                 WHEN excluded.window_started - login_failures.window_started >= $3 \
                 THEN excluded.window_started ELSE login_failures.window_started END \
             RETURNING failures, window_started",
        )
        .bind(key)
        .bind(now)
        .bind(window)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(LoginFailures {
            failures: u32_of("failures", get::<i32>(&row, "failures")?.into())?,
            window_started: get(&row, "window_started")?,
        })
    }

    async fn login_failures(&self, key: &str) -> Result<Option<LoginFailures>> {
        let row = sqlx::query("SELECT failures, window_started FROM login_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(LoginFailures {
                failures: u32_of("failures", get::<i32>(&r, "failures")?.into())?,
                window_started: get(&r, "window_started")?,
            })
        })
        .transpose()
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
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
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
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
        sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES ($1, $2, $3, $4)")
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
            "SELECT at, actor, action, object FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(audit_entry_of).collect()
    }
}

pub mod testing {
    //! Throw-away databases for tests.

    use sqlx::{Connection, Executor, PgConnection};

    /// The server tests use unless `MARSHRUT_TEST_PG` names another.
    pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

    /// A database created for one test, dropped with [`TempDatabase::drop_db`].
    #[derive(Debug)]
    pub struct TempDatabase {
        /// The URL of the new, empty database.
        pub url: String,
        server: String,
        name: String,
    }

    impl TempDatabase {
        /// Creates `marshrut_test_<random hex>` on the server named by
        /// `MARSHRUT_TEST_PG` (default [`DEFAULT_SERVER`]). An unreachable
        /// server is an error, never a skip.
        pub async fn create() -> Result<TempDatabase, String> {
            let server =
                std::env::var("MARSHRUT_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.to_owned());
            let name = format!("marshrut_test_{:032x}", rand::random::<u128>());
            let mut conn = connect(&server).await?;
            conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
                .map_err(|e| format!("cannot create test database {name}: {e}"))?;
            conn.close().await.ok();
            Ok(TempDatabase {
                url: database_url(&server, &name),
                server,
                name,
            })
        }

        /// Drops the database, ending any connection still open to it.
        pub async fn drop_db(self) -> Result<(), String> {
            let mut conn = connect(&self.server).await?;
            conn.execute(
                format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name).as_str(),
            )
            .await
            .map_err(|e| format!("cannot drop test database {}: {e}", self.name))?;
            conn.close().await.ok();
            Ok(())
        }
    }

    async fn connect(server: &str) -> Result<PgConnection, String> {
        PgConnection::connect(server).await.map_err(|e| {
            format!(
                "cannot reach PostgreSQL at {server} ({e}); start it or point \
                 MARSHRUT_TEST_PG at a server URL"
            )
        })
    }

    /// `server` with its database (the URL path) replaced by `name`.
    pub(crate) fn database_url(server: &str, name: &str) -> String {
        let (base, query) = match server.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (server, None),
        };
        let authority_start = base.find("://").map_or(0, |i| i + 3);
        let authority_end = base[authority_start..]
            .find('/')
            .map_or(base.len(), |i| authority_start + i);
        let mut url = format!("{}/{name}", &base[..authority_end]);
        if let Some(query) = query {
            url.push('?');
            url.push_str(query);
        }
        url
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

    #[test]
    fn test_database_urls_replace_the_path() {
        use testing::database_url;
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            database_url("postgres://u:p@db:5432", "t1"),
            "postgres://u:p@db:5432/t1"
        );
        assert_eq!(
            database_url("postgres://u@db/main?sslmode=disable", "t1"),
            "postgres://u@db/t1?sslmode=disable"
        );
    }
}

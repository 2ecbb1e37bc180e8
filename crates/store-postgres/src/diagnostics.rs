//! The diagnostics area on PostgreSQL: bank versions, campaigns, attempts
//! and responses, completed diagnostics, participation.
//!
//! Races between server processes are decided by the database under the
//! default READ COMMITTED isolation: a UNIQUE key with `ON CONFLICT DO
//! NOTHING` (one attempt per account and campaign), a conditional `UPDATE`
//! whose row lock and re-check let exactly one caller finish an attempt, and
//! a `FOR SHARE` lock that orders every response save with the finishing of
//! its attempt.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::{Level, Login, RegionAuthority, Scope};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use store::diagnostics::{
    PreparedDiagnostic, bank_audit_object, bank_version_conflict, check_attempt_diagnostic,
    check_campaign, check_finish, import_audit_object, prepare_diagnostic,
};
use store::{
    AttemptRow, AttemptStatus, BankLoad, BankVersionRow, CampaignRow, DiagnosticCompetence,
    DiagnosticRow, DiagnosticSource, FinishAttempt, FinishOutcome, ImportCounts, Millis,
    NewAttempt, NewBankVersion, NewCampaign, NewDiagnostic, ParticipationRow, Result, SaveOutcome,
    StoreError, format_percent,
};

use crate::{
    BATCH, bad_row, count_of, db_err, get, last_by_key, login_of, municipality_code_of,
    push_account_visible, resolve_logins, school_code_of, unknown_account,
};

fn level_of(value: &str) -> Result<Level> {
    Level::parse(value).map_err(|e| bad_row("level", value, e))
}

/// Hundredths of a percent for an INTEGER column (checked to be ≤ 10,000).
fn int4_percent(hundredths: i64) -> i32 {
    i32::try_from(hundredths).unwrap_or(i32::MAX)
}

// ---- row mapping -------------------------------------------------------------

const BANK_COLUMNS: &str = "b.id, b.bank_id, b.version, b.content_hash, b.title, b.file_name, \
b.loaded_at, b.loaded_by";

fn bank_version_of(row: &PgRow, with_source: bool) -> Result<BankVersionRow> {
    Ok(BankVersionRow {
        id: get(row, "id")?,
        bank_id: get(row, "bank_id")?,
        version: get(row, "version")?,
        content_hash: get(row, "content_hash")?,
        title: get(row, "title")?,
        file_name: get(row, "file_name")?,
        loaded_at: get(row, "loaded_at")?,
        loaded_by: get::<Option<String>>(row, "loaded_by")?
            .map(|l| login_of(&l))
            .transpose()?,
        source: if with_source {
            Some(get(row, "source")?)
        } else {
            None
        },
    })
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.title, c.bank_version_id, b.bank_id, \
b.version AS bank_version, b.title AS bank_title, c.opens_on, c.closes_on, c.audience, \
c.created_by, c.created_at \
FROM campaigns c JOIN bank_versions b ON b.id = c.bank_version_id";

fn campaign_of(row: &PgRow) -> Result<CampaignRow> {
    Ok(CampaignRow {
        id: get(row, "id")?,
        title: get(row, "title")?,
        bank_version_id: get(row, "bank_version_id")?,
        bank_id: get(row, "bank_id")?,
        bank_version: get(row, "bank_version")?,
        bank_title: get(row, "bank_title")?,
        opens_on: get(row, "opens_on")?,
        closes_on: get(row, "closes_on")?,
        audience: get(row, "audience")?,
        created_by: get::<Option<String>>(row, "created_by")?
            .map(|l| login_of(&l))
            .transpose()?,
        created_at: get(row, "created_at")?,
    })
}

const ATTEMPT_SELECT: &str = "SELECT t.id, t.campaign_id, a.login, t.bank_version_id, t.status, \
t.started_at, t.deadline, t.finished_at, t.form_json, t.profile_json \
FROM attempts t JOIN accounts a ON a.id = t.account_id";

fn attempt_of(row: &PgRow) -> Result<AttemptRow> {
    Ok(AttemptRow {
        id: get(row, "id")?,
        campaign_id: get(row, "campaign_id")?,
        login: login_of(&get::<String>(row, "login")?)?,
        bank_version_id: get(row, "bank_version_id")?,
        status: AttemptStatus::parse(&get::<String>(row, "status")?)?,
        started_at: get(row, "started_at")?,
        deadline: get(row, "deadline")?,
        finished_at: get(row, "finished_at")?,
        form_json: get(row, "form_json")?,
        profile_json: get(row, "profile_json")?,
    })
}

async fn attempt_by_id(conn: &mut PgConnection, id: i64) -> Result<Option<AttemptRow>> {
    let row = sqlx::query(&format!("{ATTEMPT_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    row.as_ref().map(attempt_of).transpose()
}

async fn attempt_by_key(
    conn: &mut PgConnection,
    campaign_id: i64,
    login: &Login,
) -> Result<Option<AttemptRow>> {
    let row = sqlx::query(&format!(
        "{ATTEMPT_SELECT} WHERE t.campaign_id = $1 AND a.login = $2"
    ))
    .bind(campaign_id)
    .bind(login.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.as_ref().map(attempt_of).transpose()
}

async fn responses_of(
    conn: &mut PgConnection,
    attempt_id: i64,
) -> Result<BTreeMap<String, String>> {
    let rows = sqlx::query("SELECT item_id, response FROM attempt_responses WHERE attempt_id = $1")
        .bind(attempt_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| Ok((get(r, "item_id")?, get(r, "response")?)))
        .collect()
}

const DIAGNOSTIC_SELECT: &str = "SELECT d.id, a.login, d.bank_id, d.bank_version_id, d.taken_on, \
d.source, d.attempt_id, d.overall_percent, d.overall_level, d.profile_json, d.recorded_at \
FROM diagnostics d JOIN accounts a ON a.id = d.account_id";

/// The competences of the diagnostics `ids`, each list in its stored order.
async fn competences_of(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<DiagnosticCompetence>>> {
    let mut out: HashMap<i64, Vec<DiagnosticCompetence>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows = sqlx::query(
            "SELECT diagnostic_id, competence, percent, level FROM diagnostic_competences \
             WHERE diagnostic_id = ANY($1::bigint[]) ORDER BY diagnostic_id, position",
        )
        .bind(chunk)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for r in &rows {
            out.entry(get(r, "diagnostic_id")?)
                .or_default()
                .push(DiagnosticCompetence {
                    competence: get(r, "competence")?,
                    percent: get::<Option<i32>>(r, "percent")?.map(|p| format_percent(p.into())),
                    level: level_of(&get::<String>(r, "level")?)?,
                });
        }
    }
    Ok(out)
}

fn diagnostic_of(
    row: &PgRow,
    competences: &mut HashMap<i64, Vec<DiagnosticCompetence>>,
) -> Result<DiagnosticRow> {
    let id: i64 = get(row, "id")?;
    Ok(DiagnosticRow {
        id,
        login: login_of(&get::<String>(row, "login")?)?,
        bank_id: get(row, "bank_id")?,
        bank_version_id: get(row, "bank_version_id")?,
        taken_on: get(row, "taken_on")?,
        source: DiagnosticSource::parse(&get::<String>(row, "source")?)?,
        attempt_id: get(row, "attempt_id")?,
        overall_percent: format_percent(get::<i32>(row, "overall_percent")?.into()),
        overall_level: level_of(&get::<String>(row, "overall_level")?)?,
        competences: competences.remove(&id).unwrap_or_default(),
        profile_json: get(row, "profile_json")?,
        recorded_at: get(row, "recorded_at")?,
    })
}

/// Inserts the competences of the diagnostics `rows` (id, prepared values),
/// a chunk of rows per statement.
async fn insert_competences(
    conn: &mut PgConnection,
    rows: &[(i64, &PreparedDiagnostic)],
) -> Result<()> {
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    let mut positions = Vec::new();
    let mut percents = Vec::new();
    let mut levels = Vec::new();
    for (id, p) in rows {
        for (position, (code, percent, level)) in p.competences.iter().enumerate() {
            ids.push(*id);
            codes.push(code.as_str());
            positions.push(i32::try_from(position).unwrap_or(i32::MAX));
            percents.push(percent.map(int4_percent));
            levels.push(level.as_str());
        }
    }
    let mut start = 0;
    while start < ids.len() {
        let end = (start + BATCH).min(ids.len());
        sqlx::query(
            "INSERT INTO diagnostic_competences (diagnostic_id, competence, position, percent, \
             level) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::int4[], $4::int4[], $5::text[])",
        )
        .bind(&ids[start..end])
        .bind(&codes[start..end])
        .bind(&positions[start..end])
        .bind(&percents[start..end])
        .bind(&levels[start..end])
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        start = end;
    }
    Ok(())
}

pub(crate) async fn write_audit(
    conn: &mut PgConnection,
    auth: &RegionAuthority,
    action: &str,
    object: String,
    now: Millis,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES ($1, $2, $3, $4)")
        .bind(now)
        .bind(auth.actor.as_ref().map(|l| l.as_str()))
        .bind(action)
        .bind(object)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

// ---- banks -------------------------------------------------------------------

pub(crate) async fn load_bank_version(
    pool: &PgPool,
    auth: &RegionAuthority,
    bank: NewBankVersion,
    now: Millis,
) -> Result<BankLoad> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    // A racing load of the same version waits for this one's commit, then
    // does nothing and reads it below.
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO bank_versions (bank_id, version, content_hash, title, file_name, source, \
         loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (bank_id, version) DO NOTHING RETURNING id",
    )
    .bind(&bank.bank_id)
    .bind(&bank.version)
    .bind(&bank.content_hash)
    .bind(&bank.title)
    .bind(&bank.file_name)
    .bind(&bank.source)
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str()))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    if let Some(id) = inserted {
        write_audit(&mut tx, auth, "bank load", bank_audit_object(&bank), now).await?;
        tx.commit().await.map_err(db_err)?;
        return Ok(BankLoad::Inserted(id));
    }
    let row = sqlx::query(
        "SELECT id, content_hash FROM bank_versions WHERE bank_id = $1 AND version = $2",
    )
    .bind(&bank.bank_id)
    .bind(&bank.version)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    if get::<String>(&row, "content_hash")? == bank.content_hash {
        Ok(BankLoad::Unchanged(get(&row, "id")?))
    } else {
        Err(bank_version_conflict(&bank))
    }
}

pub(crate) async fn bank_versions(pool: &PgPool) -> Result<Vec<BankVersionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {BANK_COLUMNS} FROM bank_versions b ORDER BY b.loaded_at DESC, b.id DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(|r| bank_version_of(r, false)).collect()
}

pub(crate) async fn bank_version(pool: &PgPool, id: i64) -> Result<Option<BankVersionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {BANK_COLUMNS}, b.source FROM bank_versions b WHERE b.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| bank_version_of(&r, true)).transpose()
}

pub(crate) async fn current_bank_version(
    pool: &PgPool,
    bank_id: &str,
) -> Result<Option<BankVersionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {BANK_COLUMNS}, b.source FROM bank_versions b WHERE b.bank_id = $1 \
         ORDER BY b.loaded_at DESC, b.id DESC LIMIT 1"
    ))
    .bind(bank_id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| bank_version_of(&r, true)).transpose()
}

// ---- campaigns -----------------------------------------------------------------

pub(crate) async fn create_campaign(
    pool: &PgPool,
    actor: Option<&Login>,
    campaign: NewCampaign,
    now: Millis,
) -> Result<i64> {
    check_campaign(&campaign)?;
    sqlx::query_scalar(
        "INSERT INTO campaigns (title, bank_version_id, opens_on, closes_on, audience, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&campaign.title)
    .bind(campaign.bank_version_id)
    .bind(campaign.opens_on)
    .bind(campaign.closes_on)
    .bind(&campaign.audience)
    .bind(actor.map(|l| l.as_str()))
    .bind(now)
    .fetch_one(pool)
    .await
    .map_err(db_err)
}

pub(crate) async fn campaigns(pool: &PgPool) -> Result<Vec<CampaignRow>> {
    let rows = sqlx::query(&format!(
        "{CAMPAIGN_SELECT} ORDER BY c.opens_on DESC, c.id DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(campaign_of).collect()
}

pub(crate) async fn campaign(pool: &PgPool, id: i64) -> Result<Option<CampaignRow>> {
    let row = sqlx::query(&format!("{CAMPAIGN_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(campaign_of).transpose()
}

// ---- attempts ------------------------------------------------------------------

pub(crate) async fn start_attempt(
    pool: &PgPool,
    attempt: NewAttempt,
    now: Millis,
) -> Result<(AttemptRow, bool)> {
    // A racing insert of the same key waits for the first one's commit and
    // then does nothing; the read below (a new snapshot) sees the winner.
    let done = sqlx::query(
        "INSERT INTO attempts (campaign_id, account_id, bank_version_id, status, started_at, \
         deadline, form_json) \
         SELECT c.id, a.id, $1, 'in_progress', $2, $3, $4 FROM campaigns c, accounts a \
         WHERE c.id = $5 AND a.login = $6 \
         ON CONFLICT (campaign_id, account_id) DO NOTHING",
    )
    .bind(attempt.bank_version_id)
    .bind(now)
    .bind(attempt.deadline)
    .bind(&attempt.form_json)
    .bind(attempt.campaign_id)
    .bind(attempt.login.as_str())
    .execute(pool)
    .await
    .map_err(db_err)?;
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let row = attempt_by_key(&mut conn, attempt.campaign_id, &attempt.login)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row, done.rows_affected() == 1))
}

pub(crate) async fn attempt(pool: &PgPool, id: i64) -> Result<Option<AttemptRow>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    attempt_by_id(&mut conn, id).await
}

pub(crate) async fn attempt_for(
    pool: &PgPool,
    campaign_id: i64,
    login: &Login,
) -> Result<Option<AttemptRow>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    attempt_by_key(&mut conn, campaign_id, login).await
}

pub(crate) async fn attempts_of(pool: &PgPool, login: &Login) -> Result<Vec<AttemptRow>> {
    let rows = sqlx::query(&format!(
        "{ATTEMPT_SELECT} WHERE a.login = $1 ORDER BY t.started_at DESC, t.id DESC"
    ))
    .bind(login.as_str())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(attempt_of).collect()
}

pub(crate) async fn save_response(
    pool: &PgPool,
    attempt_id: i64,
    item_id: &str,
    response_json: &str,
    now: Millis,
    grace: Millis,
) -> Result<SaveOutcome> {
    // One conditional statement. `FOR SHARE` orders it with
    // `finish_attempt`'s update of the attempt row: a save that locks first
    // is committed before the finishing reads the responses; one that comes
    // after waits, re-checks the status and finds the attempt finished.
    // Saves of one attempt share the lock and do not wait for each other.
    let done = sqlx::query(
        "WITH open AS ( \
           SELECT t.id FROM attempts t \
           WHERE t.id = $1 AND t.status = 'in_progress' AND $4 <= t.deadline + $5 \
           FOR SHARE) \
         INSERT INTO attempt_responses (attempt_id, item_id, response, saved_at) \
         SELECT id, $2, $3, $4 FROM open \
         ON CONFLICT (attempt_id, item_id) DO UPDATE \
         SET response = excluded.response, saved_at = excluded.saved_at",
    )
    .bind(attempt_id)
    .bind(item_id)
    .bind(response_json)
    .bind(now)
    .bind(grace)
    .execute(pool)
    .await
    .map_err(db_err)?;
    if done.rows_affected() > 0 {
        return Ok(SaveOutcome::Saved);
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM attempts WHERE id = $1")
        .bind(attempt_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    match exists {
        Some(_) => Ok(SaveOutcome::Closed),
        None => Err(StoreError::NotFound),
    }
}

pub(crate) async fn responses(pool: &PgPool, attempt_id: i64) -> Result<BTreeMap<String, String>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    responses_of(&mut conn, attempt_id).await
}

pub(crate) async fn finish_attempt(
    pool: &PgPool,
    attempt_id: i64,
    finish: FinishAttempt,
    now: Millis,
) -> Result<FinishOutcome> {
    let prepared = check_finish(&finish)?;
    let mut tx = pool.begin().await.map_err(db_err)?;
    // The conditional update decides: racing calls queue on the row lock,
    // and once the winner commits the others re-check the status and update
    // nothing. On any early return `tx` rolls back.
    let row = sqlx::query(
        "UPDATE attempts t SET status = $1, finished_at = $2, profile_json = $3 \
         FROM accounts a, bank_versions b \
         WHERE t.id = $4 AND t.status = 'in_progress' \
           AND a.id = t.account_id AND b.id = t.bank_version_id \
         RETURNING t.account_id, a.login, t.bank_version_id, b.bank_id",
    )
    .bind(finish.status.as_str())
    .bind(now)
    .bind(&finish.profile_json)
    .bind(attempt_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return match attempt_by_id(&mut tx, attempt_id).await? {
            Some(row) => Ok(FinishOutcome::AlreadyFinished(row)),
            None => Err(StoreError::NotFound),
        };
    };
    let account_id: i64 = get(&row, "account_id")?;
    let bank_version_id: i64 = get(&row, "bank_version_id")?;
    check_attempt_diagnostic(
        &finish.diagnostic,
        &login_of(&get::<String>(&row, "login")?)?,
        &get::<String>(&row, "bank_id")?,
        bank_version_id,
    )?;
    // A new snapshot, taken after the row lock: every save that locked the
    // attempt before is committed and visible here.
    if responses_of(&mut tx, attempt_id).await? != finish.scored_responses {
        return Ok(FinishOutcome::ResponsesChanged);
    }
    let d = &finish.diagnostic;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostics (account_id, bank_id, bank_version_id, taken_on, source, \
         attempt_id, overall_percent, overall_level, profile_json, recorded_at) \
         VALUES ($1, $2, $3, $4, 'attempt', $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(account_id)
    .bind(&d.bank_id)
    .bind(bank_version_id)
    .bind(d.taken_on)
    .bind(attempt_id)
    .bind(int4_percent(prepared.overall))
    .bind(d.overall_level.as_str())
    .bind(&d.profile_json)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    insert_competences(&mut tx, &[(id, &prepared)]).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(FinishOutcome::Finished)
}

pub(crate) async fn overdue_attempts(
    pool: &PgPool,
    now: Millis,
    grace: Millis,
) -> Result<Vec<i64>> {
    // deadline + grace < now, written so that the partial index serves it.
    sqlx::query_scalar(
        "SELECT id FROM attempts WHERE status = 'in_progress' AND deadline < $1 \
         ORDER BY deadline, id",
    )
    .bind(now.saturating_sub(grace))
    .fetch_all(pool)
    .await
    .map_err(db_err)
}

// ---- completed diagnostics ---------------------------------------------------

pub(crate) async fn diagnostics_of(
    pool: &PgPool,
    scope: &Scope,
    login: &Login,
) -> Result<Vec<DiagnosticRow>> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db_err)?;
    let mut qb = QueryBuilder::<Postgres>::new(DIAGNOSTIC_SELECT);
    qb.push(" WHERE a.login = ")
        .push_bind(login.as_str().to_owned())
        .push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(" ORDER BY d.taken_on DESC, d.id DESC");
    let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err)?;
    let ids = rows
        .iter()
        .map(|r| get::<i64>(r, "id"))
        .collect::<Result<Vec<_>>>()?;
    let mut competences = competences_of(&mut tx, &ids).await?;
    tx.commit().await.map_err(db_err)?;
    rows.iter()
        .map(|r| diagnostic_of(r, &mut competences))
        .collect()
}

/// Every completed diagnostic taken after `since`, region-wide, by login
/// then date: one read-only snapshot.
pub(crate) async fn diagnostics_since(
    pool: &PgPool,
    _auth: &RegionAuthority,
    since: NaiveDate,
) -> Result<Vec<DiagnosticRow>> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db_err)?;
    let rows = sqlx::query(&format!(
        "{DIAGNOSTIC_SELECT} WHERE d.taken_on > $1 \
         ORDER BY a.login COLLATE \"C\", d.taken_on, d.id"
    ))
    .bind(since)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let ids = rows
        .iter()
        .map(|r| get::<i64>(r, "id"))
        .collect::<Result<Vec<_>>>()?;
    let mut competences = competences_of(&mut tx, &ids).await?;
    tx.commit().await.map_err(db_err)?;
    rows.iter()
        .map(|r| diagnostic_of(r, &mut competences))
        .collect()
}

/// A stored imported diagnostic, for comparing with a new one.
struct StoredImport {
    id: i64,
    bank_version_id: Option<i64>,
    overall: i64,
    level: Level,
    profile_json: String,
}

type ImportKey = (i64, String, NaiveDate);

pub(crate) async fn import_diagnostics(
    pool: &PgPool,
    auth: &RegionAuthority,
    diagnostics: Vec<NewDiagnostic>,
    now: Millis,
) -> Result<ImportCounts> {
    let diagnostics = last_by_key(diagnostics, |d| {
        (d.login.clone(), d.bank_id.clone(), d.taken_on)
    });
    let prepared = diagnostics
        .iter()
        .map(|d| prepare_diagnostic(d, DiagnosticSource::Import))
        .collect::<Result<Vec<_>>>()?;
    let mut tx = pool.begin().await.map_err(db_err)?;

    let mut account_id: HashMap<String, i64> = HashMap::new();
    resolve_logins(
        &mut tx,
        &mut account_id,
        diagnostics.iter().map(|d| &d.login),
    )
    .await?;
    let mut accounts = Vec::with_capacity(diagnostics.len());
    for d in &diagnostics {
        accounts.push(
            *account_id
                .get(d.login.as_str())
                .ok_or_else(|| unknown_account(&d.login, "результаты диагностики"))?,
        );
    }

    // The imported diagnostics these accounts already have, with competences.
    let mut ids: Vec<i64> = account_id.values().copied().collect();
    ids.sort_unstable();
    let mut stored: HashMap<ImportKey, StoredImport> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows = sqlx::query(
            "SELECT id, account_id, bank_id, taken_on, bank_version_id, overall_percent, \
             overall_level, profile_json FROM diagnostics \
             WHERE source = 'import' AND account_id = ANY($1::bigint[])",
        )
        .bind(chunk)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for r in &rows {
            stored.insert(
                (
                    get(r, "account_id")?,
                    get(r, "bank_id")?,
                    get(r, "taken_on")?,
                ),
                StoredImport {
                    id: get(r, "id")?,
                    bank_version_id: get(r, "bank_version_id")?,
                    overall: get::<i32>(r, "overall_percent")?.into(),
                    level: level_of(&get::<String>(r, "overall_level")?)?,
                    profile_json: get(r, "profile_json")?,
                },
            );
        }
    }
    let stored_ids: Vec<i64> = stored.values().map(|s| s.id).collect();
    let stored_competences = competences_of(&mut tx, &stored_ids).await?;

    let mut counts = ImportCounts::default();
    let mut new = Vec::new();
    let mut changed = Vec::new();
    for (n, d) in diagnostics.iter().enumerate() {
        let p = &prepared[n];
        let key = (accounts[n], d.bank_id.clone(), d.taken_on);
        let Some(s) = stored.get(&key) else {
            new.push(n);
            continue;
        };
        let competences = stored_competences
            .get(&s.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let same = s.bank_version_id == d.bank_version_id
            && s.overall == p.overall
            && s.level == d.overall_level
            && s.profile_json == d.profile_json
            && competences.len() == p.competences.len()
            && competences
                .iter()
                .zip(&p.competences)
                .all(|(c, (code, percent, level))| {
                    &c.competence == code
                        && c.percent == percent.map(format_percent)
                        && c.level == *level
                });
        if same {
            counts.unchanged += 1;
        } else {
            changed.push((n, s.id));
        }
    }

    let mut written: Vec<(i64, &PreparedDiagnostic)> = Vec::new();
    for chunk in new.chunks(BATCH) {
        let returned = sqlx::query(
            "INSERT INTO diagnostics (account_id, bank_id, bank_version_id, taken_on, source, \
             overall_percent, overall_level, profile_json, recorded_at) \
             SELECT t.account_id, t.bank_id, t.bank_version_id, t.taken_on, 'import', \
               t.overall_percent, t.overall_level, t.profile_json, $8 \
             FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::date[], $5::int4[], \
               $6::text[], $7::text[]) \
               AS t(account_id, bank_id, bank_version_id, taken_on, overall_percent, \
                    overall_level, profile_json) \
             RETURNING id, account_id, bank_id, taken_on",
        )
        .bind(chunk.iter().map(|&n| accounts[n]).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|&n| diagnostics[n].bank_id.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| diagnostics[n].bank_version_id)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| diagnostics[n].taken_on)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| int4_percent(prepared[n].overall))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| diagnostics[n].overall_level.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| diagnostics[n].profile_json.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        // RETURNING keeps no order: match the rows by their (unique) key.
        let mut by_key: HashMap<ImportKey, i64> = HashMap::with_capacity(returned.len());
        for r in &returned {
            by_key.insert(
                (
                    get(r, "account_id")?,
                    get(r, "bank_id")?,
                    get(r, "taken_on")?,
                ),
                get(r, "id")?,
            );
        }
        for &n in chunk {
            let key = (
                accounts[n],
                diagnostics[n].bank_id.clone(),
                diagnostics[n].taken_on,
            );
            let id = by_key.get(&key).copied().ok_or_else(|| {
                StoreError::Other("an inserted diagnostic was not returned".into())
            })?;
            written.push((id, &prepared[n]));
        }
        counts.inserted += u32::try_from(chunk.len()).unwrap_or(u32::MAX);
    }

    for chunk in changed.chunks(BATCH) {
        let ids: Vec<i64> = chunk.iter().map(|&(_, id)| id).collect();
        sqlx::query(
            "UPDATE diagnostics d SET bank_version_id = t.bank_version_id, \
             overall_percent = t.overall_percent, overall_level = t.overall_level, \
             profile_json = t.profile_json, recorded_at = $6 \
             FROM UNNEST($1::bigint[], $2::bigint[], $3::int4[], $4::text[], $5::text[]) \
               AS t(id, bank_version_id, overall_percent, overall_level, profile_json) \
             WHERE d.id = t.id",
        )
        .bind(&ids)
        .bind(
            chunk
                .iter()
                .map(|&(n, _)| diagnostics[n].bank_version_id)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&(n, _)| int4_percent(prepared[n].overall))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&(n, _)| diagnostics[n].overall_level.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&(n, _)| diagnostics[n].profile_json.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query("DELETE FROM diagnostic_competences WHERE diagnostic_id = ANY($1::bigint[])")
            .bind(&ids)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        written.extend(chunk.iter().map(|&(n, id)| (id, &prepared[n])));
        counts.updated += u32::try_from(chunk.len()).unwrap_or(u32::MAX);
    }

    insert_competences(&mut tx, &written).await?;
    write_audit(
        &mut tx,
        auth,
        "import results",
        import_audit_object(&counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

pub(crate) async fn campaign_finishers(pool: &PgPool, campaign_id: i64) -> Result<Vec<Login>> {
    let logins: Vec<String> = sqlx::query_scalar(
        "SELECT a.login FROM attempts t JOIN accounts a ON a.id = t.account_id \
         WHERE t.campaign_id = $1 AND t.status IN ('submitted', 'expired') \
         ORDER BY a.login COLLATE \"C\"",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    logins.iter().map(|l| login_of(l)).collect()
}

pub(crate) async fn campaign_participation(
    pool: &PgPool,
    scope: &Scope,
    campaign_id: i64,
) -> Result<Vec<ParticipationRow>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT s.code AS school_code, s.name AS school_name, m.code AS municipality_code, \
         m.name AS municipality_name, \
         COUNT(*) FILTER (WHERE t.status = 'in_progress') AS started, \
         COUNT(*) FILTER (WHERE t.status <> 'in_progress') AS finished \
         FROM attempts t JOIN accounts a ON a.id = t.account_id \
         JOIN schools s ON s.id = a.school_id \
         JOIN municipalities m ON m.id = s.municipality_id \
         WHERE t.campaign_id = ",
    );
    qb.push_bind(campaign_id).push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(
        " GROUP BY s.id, s.code, s.name, m.code, m.name \
         ORDER BY m.name COLLATE \"C\", s.name COLLATE \"C\", s.code COLLATE \"C\"",
    );
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(ParticipationRow {
                school: school_code_of(&get::<String>(r, "school_code")?)?,
                school_name: get(r, "school_name")?,
                municipality: municipality_code_of(&get::<String>(r, "municipality_code")?)?,
                municipality_name: get(r, "municipality_name")?,
                started: count_of(get(r, "started")?),
                finished: count_of(get(r, "finished")?),
            })
        })
        .collect()
}

pub(crate) async fn finished_attempts_of_version(
    pool: &PgPool,
    bank_version_id: i64,
) -> Result<Vec<(AttemptRow, BTreeMap<String, String>)>> {
    let rows = sqlx::query(&format!(
        "{ATTEMPT_SELECT} WHERE t.bank_version_id = $1 AND t.status <> 'in_progress' ORDER BY t.id"
    ))
    .bind(bank_version_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let attempts = rows.iter().map(attempt_of).collect::<Result<Vec<_>>>()?;
    let responses = sqlx::query(
        "SELECT r.attempt_id, r.item_id, r.response FROM attempt_responses r \
         JOIN attempts t ON t.id = r.attempt_id \
         WHERE t.bank_version_id = $1 AND t.status <> 'in_progress'",
    )
    .bind(bank_version_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut by_attempt: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for r in &responses {
        by_attempt
            .entry(get(r, "attempt_id")?)
            .or_default()
            .insert(get(r, "item_id")?, get(r, "response")?);
    }
    Ok(attempts
        .into_iter()
        .map(|a| {
            let answers = by_attempt.remove(&a.id).unwrap_or_default();
            (a, answers)
        })
        .collect())
}

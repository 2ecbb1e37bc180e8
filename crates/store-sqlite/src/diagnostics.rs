//! The diagnostics area on SQLite: bank versions, campaigns, attempts and
//! responses, completed diagnostics, participation.
//!
//! Writers are serialised by SQLite itself: a single write statement holds
//! the database's write lock from its start, and every multi-statement write
//! begins `IMMEDIATE`, so the conditional statements below decide races
//! exactly, whatever number of server processes share the file.

use std::collections::{BTreeMap, HashMap};

use domain::{Level, Login, RegionAuthority, Scope};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use store::diagnostics::{
    PreparedDiagnostic, bank_audit_object, bank_version_conflict, check_attempt_diagnostic,
    check_campaign, check_finish, import_audit_object, prepare_diagnostic,
};
use store::{
    AttemptRow, AttemptStatus, BankLoad, BankVersionRow, CampaignRow, DiagnosticCompetence,
    DiagnosticRow, DiagnosticSource, FinishAttempt, FinishOutcome, ImportCounts, Millis,
    NewAttempt, NewBankVersion, NewCampaign, NewDiagnostic, ParticipationRow, Result, SaveOutcome,
    StoreError, format_percent, parse_stored_date,
};

use crate::{
    bad_row, count_of, db_err, get, last_by_key, login_of, municipality_code_of,
    push_account_visible, school_code_of, unknown_account,
};

pub(crate) fn date_text(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn level_of(value: &str) -> Result<Level> {
    Level::parse(value).map_err(|e| bad_row("level", value, e))
}

// ---- row mapping -------------------------------------------------------------

const BANK_COLUMNS: &str = "b.id, b.bank_id, b.version, b.content_hash, b.title, b.file_name, \
b.loaded_at, b.loaded_by";

fn bank_version_of(row: &SqliteRow, with_source: bool) -> Result<BankVersionRow> {
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

fn campaign_of(row: &SqliteRow) -> Result<CampaignRow> {
    Ok(CampaignRow {
        id: get(row, "id")?,
        title: get(row, "title")?,
        bank_version_id: get(row, "bank_version_id")?,
        bank_id: get(row, "bank_id")?,
        bank_version: get(row, "bank_version")?,
        bank_title: get(row, "bank_title")?,
        opens_on: parse_stored_date(&get::<String>(row, "opens_on")?)?,
        closes_on: parse_stored_date(&get::<String>(row, "closes_on")?)?,
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

fn attempt_of(row: &SqliteRow) -> Result<AttemptRow> {
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

async fn attempt_by_id(conn: &mut SqliteConnection, id: i64) -> Result<Option<AttemptRow>> {
    let row = sqlx::query(&format!("{ATTEMPT_SELECT} WHERE t.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    row.as_ref().map(attempt_of).transpose()
}

async fn attempt_by_key(
    conn: &mut SqliteConnection,
    campaign_id: i64,
    login: &Login,
) -> Result<Option<AttemptRow>> {
    let row = sqlx::query(&format!(
        "{ATTEMPT_SELECT} WHERE t.campaign_id = ? AND a.login = ?"
    ))
    .bind(campaign_id)
    .bind(login.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.as_ref().map(attempt_of).transpose()
}

async fn responses_of(
    conn: &mut SqliteConnection,
    attempt_id: i64,
) -> Result<BTreeMap<String, String>> {
    let rows = sqlx::query("SELECT item_id, response FROM attempt_responses WHERE attempt_id = ?")
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
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<DiagnosticCompetence>>> {
    let mut out: HashMap<i64, Vec<DiagnosticCompetence>> = HashMap::new();
    for chunk in ids.chunks(crate::BATCH) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT diagnostic_id, competence, percent, level FROM diagnostic_competences \
             WHERE diagnostic_id IN (",
        );
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(") ORDER BY diagnostic_id, position");
        let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
        for r in &rows {
            out.entry(get(r, "diagnostic_id")?)
                .or_default()
                .push(DiagnosticCompetence {
                    competence: get(r, "competence")?,
                    percent: get::<Option<i64>>(r, "percent")?.map(format_percent),
                    level: level_of(&get::<String>(r, "level")?)?,
                });
        }
    }
    Ok(out)
}

fn diagnostic_of(
    row: &SqliteRow,
    competences: &mut HashMap<i64, Vec<DiagnosticCompetence>>,
) -> Result<DiagnosticRow> {
    let id: i64 = get(row, "id")?;
    Ok(DiagnosticRow {
        id,
        login: login_of(&get::<String>(row, "login")?)?,
        bank_id: get(row, "bank_id")?,
        bank_version_id: get(row, "bank_version_id")?,
        taken_on: parse_stored_date(&get::<String>(row, "taken_on")?)?,
        source: DiagnosticSource::parse(&get::<String>(row, "source")?)?,
        attempt_id: get(row, "attempt_id")?,
        overall_percent: format_percent(get(row, "overall_percent")?),
        overall_level: level_of(&get::<String>(row, "overall_level")?)?,
        competences: competences.remove(&id).unwrap_or_default(),
        profile_json: get(row, "profile_json")?,
        recorded_at: get(row, "recorded_at")?,
    })
}

/// Inserts a diagnostic with its competences; returns its id.
async fn insert_diagnostic(
    conn: &mut SqliteConnection,
    account_id: i64,
    d: &NewDiagnostic,
    prepared: &PreparedDiagnostic,
    attempt_id: Option<i64>,
    now: Millis,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostics (account_id, bank_id, bank_version_id, taken_on, source, \
         attempt_id, overall_percent, overall_level, profile_json, recorded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(account_id)
    .bind(&d.bank_id)
    .bind(d.bank_version_id)
    .bind(date_text(d.taken_on))
    .bind(d.source.as_str())
    .bind(attempt_id)
    .bind(prepared.overall)
    .bind(d.overall_level.as_str())
    .bind(&d.profile_json)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    insert_competences(conn, id, prepared).await?;
    Ok(id)
}

async fn insert_competences(
    conn: &mut SqliteConnection,
    diagnostic_id: i64,
    prepared: &PreparedDiagnostic,
) -> Result<()> {
    for (position, (competence, percent, level)) in prepared.competences.iter().enumerate() {
        sqlx::query(
            "INSERT INTO diagnostic_competences (diagnostic_id, competence, position, percent, \
             level) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(diagnostic_id)
        .bind(competence)
        .bind(position as i64)
        .bind(*percent)
        .bind(level.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn write_audit(
    conn: &mut SqliteConnection,
    auth: &RegionAuthority,
    action: &str,
    object: String,
    now: Millis,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES (?, ?, ?, ?)")
        .bind(now)
        .bind(auth.actor.as_ref().map(|l| l.as_str().to_owned()))
        .bind(action)
        .bind(object)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

// ---- banks -------------------------------------------------------------------

pub(crate) async fn load_bank_version(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    bank: NewBankVersion,
    now: Millis,
) -> Result<BankLoad> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO bank_versions (bank_id, version, content_hash, title, file_name, source, \
         loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (bank_id, version) DO NOTHING RETURNING id",
    )
    .bind(&bank.bank_id)
    .bind(&bank.version)
    .bind(&bank.content_hash)
    .bind(&bank.title)
    .bind(&bank.file_name)
    .bind(&bank.source)
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str().to_owned()))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    if let Some(id) = inserted {
        write_audit(&mut tx, auth, "bank load", bank_audit_object(&bank), now).await?;
        tx.commit().await.map_err(db_err)?;
        return Ok(BankLoad::Inserted(id));
    }
    let row =
        sqlx::query("SELECT id, content_hash FROM bank_versions WHERE bank_id = ? AND version = ?")
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

pub(crate) async fn bank_versions(pool: &SqlitePool) -> Result<Vec<BankVersionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {BANK_COLUMNS} FROM bank_versions b ORDER BY b.loaded_at DESC, b.id DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(|r| bank_version_of(r, false)).collect()
}

pub(crate) async fn bank_version(pool: &SqlitePool, id: i64) -> Result<Option<BankVersionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {BANK_COLUMNS}, b.source FROM bank_versions b WHERE b.id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(|r| bank_version_of(&r, true)).transpose()
}

pub(crate) async fn current_bank_version(
    pool: &SqlitePool,
    bank_id: &str,
) -> Result<Option<BankVersionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {BANK_COLUMNS}, b.source FROM bank_versions b WHERE b.bank_id = ? \
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
    pool: &SqlitePool,
    actor: Option<&Login>,
    campaign: NewCampaign,
    now: Millis,
) -> Result<i64> {
    check_campaign(&campaign)?;
    sqlx::query_scalar(
        "INSERT INTO campaigns (title, bank_version_id, opens_on, closes_on, audience, \
         created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&campaign.title)
    .bind(campaign.bank_version_id)
    .bind(date_text(campaign.opens_on))
    .bind(date_text(campaign.closes_on))
    .bind(&campaign.audience)
    .bind(actor.map(|l| l.as_str().to_owned()))
    .bind(now)
    .fetch_one(pool)
    .await
    .map_err(db_err)
}

pub(crate) async fn campaigns(pool: &SqlitePool) -> Result<Vec<CampaignRow>> {
    let rows = sqlx::query(&format!(
        "{CAMPAIGN_SELECT} ORDER BY c.opens_on DESC, c.id DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(campaign_of).collect()
}

pub(crate) async fn campaign(pool: &SqlitePool, id: i64) -> Result<Option<CampaignRow>> {
    let row = sqlx::query(&format!("{CAMPAIGN_SELECT} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(campaign_of).transpose()
}

// ---- attempts ------------------------------------------------------------------

pub(crate) async fn start_attempt(
    pool: &SqlitePool,
    attempt: NewAttempt,
    now: Millis,
) -> Result<(AttemptRow, bool)> {
    // One statement: it holds the write lock from its start, so of racing
    // starts one inserts and the others do nothing (the UNIQUE key).
    let done = sqlx::query(
        "INSERT INTO attempts (campaign_id, account_id, bank_version_id, status, started_at, \
         deadline, form_json) \
         SELECT c.id, a.id, ?, 'in_progress', ?, ?, ? FROM campaigns c, accounts a \
         WHERE c.id = ? AND a.login = ? \
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

pub(crate) async fn attempt(pool: &SqlitePool, id: i64) -> Result<Option<AttemptRow>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    attempt_by_id(&mut conn, id).await
}

pub(crate) async fn attempt_for(
    pool: &SqlitePool,
    campaign_id: i64,
    login: &Login,
) -> Result<Option<AttemptRow>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    attempt_by_key(&mut conn, campaign_id, login).await
}

pub(crate) async fn attempts_of(pool: &SqlitePool, login: &Login) -> Result<Vec<AttemptRow>> {
    let rows = sqlx::query(&format!(
        "{ATTEMPT_SELECT} WHERE a.login = ? ORDER BY t.started_at DESC, t.id DESC"
    ))
    .bind(login.as_str())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(attempt_of).collect()
}

pub(crate) async fn save_response(
    pool: &SqlitePool,
    attempt_id: i64,
    item_id: &str,
    response_json: &str,
    now: Millis,
    grace: Millis,
) -> Result<SaveOutcome> {
    // One conditional statement, committed before it returns (WAL with
    // synchronous=NORMAL survives a kill of the process). It holds the
    // write lock from its start, so it is ordered with `finish_attempt`'s
    // transaction: before it (and seen by it) or after it (and refused).
    let done = sqlx::query(
        "INSERT INTO attempt_responses (attempt_id, item_id, response, saved_at) \
         SELECT t.id, ?, ?, ? FROM attempts t \
         WHERE t.id = ? AND t.status = 'in_progress' AND ? <= t.deadline + ? \
         ON CONFLICT (attempt_id, item_id) DO UPDATE \
         SET response = excluded.response, saved_at = excluded.saved_at",
    )
    .bind(item_id)
    .bind(response_json)
    .bind(now)
    .bind(attempt_id)
    .bind(now)
    .bind(grace)
    .execute(pool)
    .await
    .map_err(db_err)?;
    if done.rows_affected() > 0 {
        return Ok(SaveOutcome::Saved);
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM attempts WHERE id = ?")
        .bind(attempt_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    match exists {
        Some(_) => Ok(SaveOutcome::Closed),
        None => Err(StoreError::NotFound),
    }
}

pub(crate) async fn responses(
    pool: &SqlitePool,
    attempt_id: i64,
) -> Result<BTreeMap<String, String>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    responses_of(&mut conn, attempt_id).await
}

pub(crate) async fn finish_attempt(
    pool: &SqlitePool,
    attempt_id: i64,
    finish: FinishAttempt,
    now: Millis,
) -> Result<FinishOutcome> {
    let prepared = check_finish(&finish)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    // The conditional update decides: of racing calls only one finds the
    // attempt in progress. On any early return `tx` rolls back.
    let done = sqlx::query(
        "UPDATE attempts SET status = ?, finished_at = ?, profile_json = ? \
         WHERE id = ? AND status = 'in_progress'",
    )
    .bind(finish.status.as_str())
    .bind(now)
    .bind(&finish.profile_json)
    .bind(attempt_id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return match attempt_by_id(&mut tx, attempt_id).await? {
            Some(row) => Ok(FinishOutcome::AlreadyFinished(row)),
            None => Err(StoreError::NotFound),
        };
    }
    let row = sqlx::query(
        "SELECT t.account_id, a.login, t.bank_version_id, b.bank_id FROM attempts t \
         JOIN accounts a ON a.id = t.account_id \
         JOIN bank_versions b ON b.id = t.bank_version_id WHERE t.id = ?",
    )
    .bind(attempt_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let account_id: i64 = get(&row, "account_id")?;
    let bank_version_id: i64 = get(&row, "bank_version_id")?;
    check_attempt_diagnostic(
        &finish.diagnostic,
        &login_of(&get::<String>(&row, "login")?)?,
        &get::<String>(&row, "bank_id")?,
        bank_version_id,
    )?;
    if responses_of(&mut tx, attempt_id).await? != finish.scored_responses {
        return Ok(FinishOutcome::ResponsesChanged);
    }
    let mut diagnostic = finish.diagnostic;
    diagnostic.bank_version_id = Some(bank_version_id);
    insert_diagnostic(
        &mut tx,
        account_id,
        &diagnostic,
        &prepared,
        Some(attempt_id),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(FinishOutcome::Finished)
}

pub(crate) async fn overdue_attempts(
    pool: &SqlitePool,
    now: Millis,
    grace: Millis,
) -> Result<Vec<i64>> {
    // deadline + grace < now, written so that the partial index serves it.
    sqlx::query_scalar(
        "SELECT id FROM attempts WHERE status = 'in_progress' AND deadline < ? \
         ORDER BY deadline, id",
    )
    .bind(now.saturating_sub(grace))
    .fetch_all(pool)
    .await
    .map_err(db_err)
}

// ---- completed diagnostics ---------------------------------------------------

pub(crate) async fn diagnostics_of(
    pool: &SqlitePool,
    scope: &Scope,
    login: &Login,
) -> Result<Vec<DiagnosticRow>> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let mut qb = QueryBuilder::<Sqlite>::new(DIAGNOSTIC_SELECT);
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

pub(crate) async fn diagnostics_since(
    pool: &SqlitePool,
    _auth: &RegionAuthority,
    since: chrono::NaiveDate,
) -> Result<Vec<DiagnosticRow>> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let rows = sqlx::query(&format!(
        "{DIAGNOSTIC_SELECT} WHERE d.taken_on > ? ORDER BY a.login, d.taken_on, d.id"
    ))
    .bind(date_text(since))
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

pub(crate) async fn import_diagnostics(
    pool: &SqlitePool,
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
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let mut account_ids: HashMap<String, i64> = HashMap::new();
    let mut counts = ImportCounts::default();
    for (d, p) in diagnostics.iter().zip(&prepared) {
        let account_id = match account_ids.get(d.login.as_str()) {
            Some(id) => *id,
            None => {
                let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = ?")
                    .bind(d.login.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or_else(|| unknown_account(&d.login, "результаты диагностики"))?;
                account_ids.insert(d.login.as_str().to_owned(), id);
                id
            }
        };
        let stored = sqlx::query(
            "SELECT id, bank_version_id, overall_percent, overall_level, profile_json \
             FROM diagnostics WHERE account_id = ? AND bank_id = ? AND taken_on = ? \
             AND source = 'import'",
        )
        .bind(account_id)
        .bind(&d.bank_id)
        .bind(date_text(d.taken_on))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(stored) = stored else {
            insert_diagnostic(&mut tx, account_id, d, p, None, now).await?;
            counts.inserted += 1;
            continue;
        };
        let id: i64 = get(&stored, "id")?;
        let competences = competences_of(&mut tx, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let same = get::<Option<i64>>(&stored, "bank_version_id")? == d.bank_version_id
            && get::<i64>(&stored, "overall_percent")? == p.overall
            && level_of(&get::<String>(&stored, "overall_level")?)? == d.overall_level
            && get::<String>(&stored, "profile_json")? == d.profile_json
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
            continue;
        }
        sqlx::query(
            "UPDATE diagnostics SET bank_version_id = ?, overall_percent = ?, \
             overall_level = ?, profile_json = ?, recorded_at = ? WHERE id = ?",
        )
        .bind(d.bank_version_id)
        .bind(p.overall)
        .bind(d.overall_level.as_str())
        .bind(&d.profile_json)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query("DELETE FROM diagnostic_competences WHERE diagnostic_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        insert_competences(&mut tx, id, p).await?;
        counts.updated += 1;
    }
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

pub(crate) async fn campaign_participation(
    pool: &SqlitePool,
    scope: &Scope,
    campaign_id: i64,
) -> Result<Vec<ParticipationRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT s.code AS school_code, s.name AS school_name, m.code AS municipality_code, \
         m.name AS municipality_name, \
         SUM(CASE WHEN t.status = 'in_progress' THEN 1 ELSE 0 END) AS started, \
         SUM(CASE WHEN t.status = 'in_progress' THEN 0 ELSE 1 END) AS finished \
         FROM attempts t JOIN accounts a ON a.id = t.account_id \
         JOIN schools s ON s.id = a.school_id \
         JOIN municipalities m ON m.id = s.municipality_id \
         WHERE t.campaign_id = ",
    );
    qb.push_bind(campaign_id).push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(
        " GROUP BY s.id, s.code, s.name, m.code, m.name \
         ORDER BY m.name, s.name, s.code",
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

pub(crate) async fn campaign_finishers(pool: &SqlitePool, campaign_id: i64) -> Result<Vec<Login>> {
    let logins: Vec<String> = sqlx::query_scalar(
        "SELECT a.login FROM attempts t JOIN accounts a ON a.id = t.account_id \
         WHERE t.campaign_id = ? AND t.status IN ('submitted', 'expired') ORDER BY a.login",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    logins.iter().map(|l| login_of(l)).collect()
}

pub(crate) async fn finished_attempts_of_version(
    pool: &SqlitePool,
    bank_version_id: i64,
) -> Result<Vec<(AttemptRow, BTreeMap<String, String>)>> {
    let rows = sqlx::query(&format!(
        "{ATTEMPT_SELECT} WHERE t.bank_version_id = ? AND t.status <> 'in_progress' ORDER BY t.id"
    ))
    .bind(bank_version_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let attempts = rows.iter().map(attempt_of).collect::<Result<Vec<_>>>()?;
    let responses = sqlx::query(
        "SELECT r.attempt_id, r.item_id, r.response FROM attempt_responses r \
         JOIN attempts t ON t.id = r.attempt_id \
         WHERE t.bank_version_id = ? AND t.status <> 'in_progress'",
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

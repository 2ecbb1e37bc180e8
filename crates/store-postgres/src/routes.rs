//! The routes area on PostgreSQL: the course catalogue, routes, their steps
//! and the evidence of their execution.
//!
//! Rows are written in chunks of [`BATCH`], each column as one array
//! parameter (`UNNEST`). A generation run (`save_drafts`) decides "replace
//! or keep" inside its transaction, against whatever other processes do
//! meanwhile: runs are serialised by a transaction-level advisory lock, and
//! the teachers' existing routes are locked `FOR UPDATE` before the
//! decision, so an approval either committed before (and is seen) or waits
//! for the run's commit.
//!
//! The writes to one route (edit, approve, submit, review) lock its row
//! `FOR UPDATE` first, under READ COMMITTED, and decide on what they read
//! after the lock. An approval also locks the catalogue entries with
//! limited seats it names (in code order, after the route): two approvals
//! of the last seat are serialised on the entry, and the second counts the
//! seats once the first has committed.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::routes::Step;
use domain::{
    ActivityKind, CompetenceRef, CourseCode, Entry, Format, Login, Period, RegionAuthority, Scope,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use store::routes::{
    catalogue_audit_object, drafts_audit_object, mentor_audit_object, review_audit_object,
    route_audit_object, step_audit_object,
};
use store::{
    DraftCounts, EvidenceKind, EvidenceRow, Millis, NewDraft, NewEvidence, Result, RouteFilter,
    RouteRow, RouteState, RouteStatus, RouteStep, SeatUse, StepStatus, StoreError,
};

use crate::diagnostics::write_audit;
use crate::{
    BATCH, bad_row, count_of, db_err, get, int4, last_by_key, login_of, municipality_code_of,
    municipality_ids, push_account_ids_in_municipalities, push_account_visible, resolve_logins,
    u32_of, unknown_account, unknown_municipality,
};

/// The key of the transaction-level advisory lock every generation run
/// (`save_drafts`) takes first: "Marshrut" in ASCII. The migrator's lock
/// key is derived from the database name and does not collide with it.
const ROUTE_GENERATION_LOCK: i64 = 0x4d61_7273_6872_7574;

fn list_of(value: &str) -> Vec<String> {
    domain::directory::split_list(value)
}

fn competences_of(value: &str) -> Result<Vec<CompetenceRef>> {
    list_of(value)
        .iter()
        .map(|c| CompetenceRef::parse(c).map_err(|e| bad_row("competence", c, e)))
        .collect()
}

fn joined<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("|")
}

fn kind_of(value: &str) -> Result<ActivityKind> {
    ActivityKind::parse(value).map_err(|e| bad_row("kind", value, e))
}

fn course_code_of(value: &str) -> Result<CourseCode> {
    CourseCode::parse(value).map_err(|e| bad_row("course code", value, e))
}

fn route_status_of(value: &str) -> Result<RouteStatus> {
    RouteStatus::parse(value).map_err(|e| bad_row("route status", value, e))
}

fn hours_of(row: &PgRow) -> Result<u32> {
    u32_of("hours", get::<i32>(row, "hours")?.into())
}

// ---- the catalogue -------------------------------------------------------------

fn entry_of(row: &PgRow) -> Result<Entry> {
    let format: String = get(row, "format")?;
    Ok(Entry {
        code: course_code_of(&get::<String>(row, "code")?)?,
        title: get(row, "title")?,
        kind: kind_of(&get::<String>(row, "kind")?)?,
        hours: hours_of(row)?,
        competences: competences_of(&get::<String>(row, "competences")?)?,
        provider: get(row, "provider")?,
        format: Format::parse(&format).map_err(|e| bad_row("format", &format, e))?,
        subjects: list_of(&get::<String>(row, "subjects")?),
        municipality: get::<Option<String>>(row, "municipality")?
            .map(|m| municipality_code_of(&m))
            .transpose()?,
        starts_on: get(row, "starts_on")?,
        ends_on: get(row, "ends_on")?,
        capacity: get::<Option<i32>>(row, "capacity")?
            .map(|c| u32_of("capacity", c.into()))
            .transpose()?,
        url: get(row, "url")?,
        active: get(row, "active")?,
    })
}

pub(crate) async fn catalogue(pool: &PgPool) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT c.code, c.title, c.kind, c.hours, c.competences, c.provider, c.format, \
         c.subjects, m.code AS municipality, c.starts_on, c.ends_on, c.capacity, c.url, c.active \
         FROM catalogue_entries c LEFT JOIN municipalities m ON m.id = c.municipality_id \
         ORDER BY c.code COLLATE \"C\"",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(entry_of).collect()
}

/// An entry ready to be written: its municipality's id, hours and seats as
/// INTEGER values.
struct CatalogueRow<'a> {
    entry: &'a Entry,
    municipality_id: Option<i64>,
    hours: i32,
    capacity: Option<i32>,
}

pub(crate) async fn apply_catalogue(
    pool: &PgPool,
    auth: &RegionAuthority,
    entries: Vec<Entry>,
    now: Millis,
) -> Result<()> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let municipalities = if entries.iter().any(|e| e.municipality.is_some()) {
        municipality_ids(&mut tx).await?
    } else {
        HashMap::new()
    };
    // Checked in the given order, before anything is written.
    let mut rows = Vec::with_capacity(entries.len());
    for e in &entries {
        let whose = || format!("мероприятие {}", e.code);
        let municipality_id = match &e.municipality {
            Some(code) => Some(
                *municipalities
                    .get(code.as_str())
                    .ok_or_else(|| unknown_municipality(code, whose()))?,
            ),
            None => None,
        };
        rows.push(CatalogueRow {
            entry: e,
            municipality_id,
            hours: int4(e.hours, whose)?,
            capacity: e.capacity.map(|c| int4(c, whose)).transpose()?,
        });
    }
    // A later entry with the same code overrides an earlier one, as if
    // applied in order (one statement cannot update a row twice).
    let rows = last_by_key(rows, |r| r.entry.code.clone());
    for chunk in rows.chunks(BATCH) {
        let texts =
            |f: fn(&Entry) -> String| -> Vec<String> { chunk.iter().map(|r| f(r.entry)).collect() };
        let optional_texts = |f: fn(&Entry) -> Option<&str>| -> Vec<Option<&str>> {
            chunk.iter().map(|r| f(r.entry)).collect()
        };
        let dates = |f: fn(&Entry) -> Option<NaiveDate>| -> Vec<Option<NaiveDate>> {
            chunk.iter().map(|r| f(r.entry)).collect()
        };
        sqlx::query(
            "INSERT INTO catalogue_entries (code, title, kind, hours, competences, provider, \
             format, subjects, municipality_id, starts_on, ends_on, capacity, url, active, \
             updated_at) \
             SELECT t.code, t.title, t.kind, t.hours, t.competences, t.provider, t.format, \
               t.subjects, t.municipality_id, t.starts_on, t.ends_on, t.capacity, t.url, \
               t.active, $15 \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], \
               $6::text[], $7::text[], $8::text[], $9::bigint[], $10::date[], $11::date[], \
               $12::int4[], $13::text[], $14::bool[]) \
               AS t(code, title, kind, hours, competences, provider, format, subjects, \
                    municipality_id, starts_on, ends_on, capacity, url, active) \
             ON CONFLICT (code) DO UPDATE SET title = excluded.title, kind = excluded.kind, \
             hours = excluded.hours, competences = excluded.competences, \
             provider = excluded.provider, format = excluded.format, \
             subjects = excluded.subjects, municipality_id = excluded.municipality_id, \
             starts_on = excluded.starts_on, ends_on = excluded.ends_on, \
             capacity = excluded.capacity, url = excluded.url, active = excluded.active, \
             updated_at = excluded.updated_at",
        )
        .bind(texts(|e| e.code.as_str().to_owned()))
        .bind(texts(|e| e.title.clone()))
        .bind(texts(|e| e.kind.as_str().to_owned()))
        .bind(chunk.iter().map(|r| r.hours).collect::<Vec<_>>())
        .bind(texts(|e| joined(&e.competences)))
        .bind(optional_texts(|e| e.provider.as_deref()))
        .bind(texts(|e| e.format.as_str().to_owned()))
        .bind(texts(|e| e.subjects.join("|")))
        .bind(chunk.iter().map(|r| r.municipality_id).collect::<Vec<_>>())
        .bind(dates(|e| e.starts_on))
        .bind(dates(|e| e.ends_on))
        .bind(chunk.iter().map(|r| r.capacity).collect::<Vec<_>>())
        .bind(optional_texts(|e| e.url.as_deref()))
        .bind(chunk.iter().map(|r| r.entry.active).collect::<Vec<_>>())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    write_audit(
        &mut tx,
        auth,
        "import catalogue",
        catalogue_audit_object(entries.len()),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)
}

pub(crate) async fn seat_use(pool: &PgPool) -> Result<HashMap<CourseCode, SeatUse>> {
    let rows = sqlx::query(
        "SELECT s.course, r.status, r.edited, COUNT(*) AS n FROM route_steps s \
         JOIN routes r ON r.id = s.route_id WHERE s.course IS NOT NULL \
         GROUP BY s.course, r.status, r.edited",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut out: HashMap<CourseCode, SeatUse> = HashMap::new();
    for r in &rows {
        let code = course_code_of(&get::<String>(r, "course")?)?;
        let status = route_status_of(&get::<String>(r, "status")?)?;
        let n = count_of(get(r, "n")?);
        let use_ = out.entry(code).or_default();
        match (status.holds_seats(), get::<bool>(r, "edited")?) {
            (true, _) => use_.held += n,
            (false, true) => use_.kept_drafts += n,
            (false, false) => use_.drafts += n,
        }
    }
    Ok(out)
}

// ---- routes ---------------------------------------------------------------------

pub(crate) async fn route_states(
    pool: &PgPool,
    _auth: &RegionAuthority,
    period_from: NaiveDate,
) -> Result<HashMap<Login, RouteState>> {
    let rows = sqlx::query(
        "SELECT r.id, a.login, r.status, r.edited FROM routes r \
         JOIN accounts a ON a.id = r.account_id WHERE r.period_from = $1 ORDER BY r.id",
    )
    .bind(period_from)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut out: HashMap<Login, RouteState> = HashMap::new();
    for r in &rows {
        let state = RouteState {
            id: get(r, "id")?,
            status: route_status_of(&get::<String>(r, "status")?)?,
            edited: get(r, "edited")?,
        };
        let login = login_of(&get::<String>(r, "login")?)?;
        // An approved or completed route wins over a draft.
        let keep = out
            .get(&login)
            .is_some_and(|s| s.status.holds_seats() && !state.status.holds_seats());
        if !keep {
            out.insert(login, state);
        }
    }
    Ok(out)
}

/// A teacher and a period: at most one draft, any number of other routes.
type RouteKey = (i64, NaiveDate);

/// What a generation run does with one teacher's period.
#[derive(Clone, Copy)]
enum Target {
    /// An approved or completed route exists: nothing is written.
    KeptApproved,
    /// A draft edited by hand exists: nothing is written.
    KeptEdited,
    /// An untouched draft `id` is stored; no proposal for it yet.
    Untouched { id: i64 },
    /// The stored untouched draft `id` gets the proposal of `drafts[n]`.
    Replace { id: i64, n: usize },
    /// A new draft gets the proposal of `drafts[n]`.
    Create { n: usize },
}

/// Locks the stored routes of `keys` (`FOR UPDATE`, in id order) and tells
/// what a run does with each key that has one. Under READ COMMITTED a row
/// another transaction changed is locked and returned as that one
/// committed it.
async fn lock_routes(
    conn: &mut PgConnection,
    keys: &[RouteKey],
) -> Result<HashMap<RouteKey, Target>> {
    let mut out: HashMap<RouteKey, Target> = HashMap::new();
    for chunk in keys.chunks(BATCH) {
        let rows = sqlx::query(
            "SELECT r.id, r.account_id, r.period_from, r.status, r.edited FROM routes r \
             JOIN UNNEST($1::bigint[], $2::date[]) AS t(account_id, period_from) \
               ON r.account_id = t.account_id AND r.period_from = t.period_from \
             ORDER BY r.id FOR UPDATE OF r",
        )
        .bind(chunk.iter().map(|k| k.0).collect::<Vec<_>>())
        .bind(chunk.iter().map(|k| k.1).collect::<Vec<_>>())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for r in &rows {
            let key: RouteKey = (get(r, "account_id")?, get(r, "period_from")?);
            let target = if route_status_of(&get::<String>(r, "status")?)?.holds_seats() {
                Target::KeptApproved
            } else if get::<bool>(r, "edited")? {
                Target::KeptEdited
            } else {
                Target::Untouched { id: get(r, "id")? }
            };
            // An approved or completed route wins over the draft.
            if !matches!(out.get(&key), Some(Target::KeptApproved)) {
                out.insert(key, target);
            }
        }
    }
    Ok(out)
}

/// Inserts the steps of routes: (route id, its teacher, its steps), a
/// chunk of steps per statement.
async fn insert_steps(conn: &mut PgConnection, routes: &[(i64, &Login, &[Step])]) -> Result<()> {
    let mut route_ids = Vec::new();
    let mut positions = Vec::new();
    let mut steps: Vec<&Step> = Vec::new();
    let mut hours = Vec::new();
    for (route_id, teacher, route_steps) in routes {
        for (position, s) in route_steps.iter().enumerate() {
            route_ids.push(*route_id);
            positions.push(i32::try_from(position).unwrap_or(i32::MAX));
            hours.push(int4(s.hours, || format!("маршрут «{teacher}»"))?);
            steps.push(s);
        }
    }
    let mut start = 0;
    while start < steps.len() {
        let end = (start + BATCH).min(steps.len());
        let chunk = &steps[start..end];
        let texts = |f: fn(&Step) -> &str| -> Vec<&str> { chunk.iter().map(|s| f(s)).collect() };
        let optional_texts = |f: fn(&Step) -> Option<&str>| -> Vec<Option<&str>> {
            chunk.iter().map(|s| f(s)).collect()
        };
        sqlx::query(
            "INSERT INTO route_steps (route_id, position, kind, course, title, competences, \
             hours, mandatory, starts_on, ends_on, mentor, mentor_name, expected_result, \
             reporting_form) \
             SELECT * FROM UNNEST($1::bigint[], $2::int4[], $3::text[], $4::text[], $5::text[], \
               $6::text[], $7::int4[], $8::bool[], $9::date[], $10::date[], $11::text[], \
               $12::text[], $13::text[], $14::text[])",
        )
        .bind(&route_ids[start..end])
        .bind(&positions[start..end])
        .bind(texts(|s| s.kind.as_str()))
        .bind(optional_texts(|s| s.course.as_ref().map(|c| c.as_str())))
        .bind(texts(|s| s.title.as_str()))
        .bind(
            chunk
                .iter()
                .map(|s| joined(&s.competences))
                .collect::<Vec<_>>(),
        )
        .bind(&hours[start..end])
        .bind(chunk.iter().map(|s| s.mandatory).collect::<Vec<_>>())
        .bind(chunk.iter().map(|s| s.starts_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|s| s.ends_on).collect::<Vec<_>>())
        .bind(optional_texts(|s| s.mentor.as_ref().map(|l| l.as_str())))
        .bind(optional_texts(|s| s.mentor_name.as_deref()))
        .bind(texts(|s| s.expected_result.as_str()))
        .bind(texts(|s| s.reporting_form.as_str()))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        start = end;
    }
    Ok(())
}

pub(crate) async fn save_drafts(
    pool: &PgPool,
    auth: &RegionAuthority,
    drafts: Vec<NewDraft>,
    now: Millis,
) -> Result<DraftCounts> {
    // READ COMMITTED whatever the server's default: each statement below
    // sees what committed before it, notably everything a run that held the
    // advisory lock before this one wrote.
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
        .await
        .map_err(db_err)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ROUTE_GENERATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;

    let mut account_id: HashMap<String, i64> = HashMap::new();
    resolve_logins(&mut tx, &mut account_id, drafts.iter().map(|d| &d.teacher)).await?;
    let mut keys: Vec<RouteKey> = Vec::with_capacity(drafts.len());
    for d in &drafts {
        let id = *account_id
            .get(d.teacher.as_str())
            .ok_or_else(|| unknown_account(&d.teacher, "маршрут"))?;
        keys.push((id, d.period.from));
    }
    let mut unique_keys = keys.clone();
    unique_keys.sort_unstable();
    unique_keys.dedup();

    // The decision, draft by draft in the given order, as if each were
    // saved on its own: a second proposal for one teacher and period
    // replaces the first.
    let mut targets = lock_routes(&mut tx, &unique_keys).await?;
    let mut counts = DraftCounts::default();
    for (n, key) in keys.iter().enumerate() {
        let Some(target) = targets.get_mut(key) else {
            counts.created += 1;
            targets.insert(*key, Target::Create { n });
            continue;
        };
        match *target {
            Target::KeptApproved => counts.kept_approved += 1,
            Target::KeptEdited => counts.kept_edited += 1,
            Target::Untouched { id } | Target::Replace { id, .. } => {
                counts.replaced += 1;
                *target = Target::Replace { id, n };
            }
            Target::Create { .. } => {
                counts.replaced += 1;
                *target = Target::Create { n };
            }
        }
    }
    let mut replace: Vec<(i64, usize)> = Vec::new();
    let mut create: Vec<usize> = Vec::new();
    for target in targets.values() {
        match *target {
            Target::Replace { id, n } => replace.push((id, n)),
            Target::Create { n } => create.push(n),
            _ => {}
        }
    }
    replace.sort_unstable();
    create.sort_unstable();

    let actor = auth.actor.as_ref().map(|l| l.as_str());
    let mut written: Vec<(i64, &NewDraft)> = Vec::with_capacity(replace.len() + create.len());
    for chunk in replace.chunks(BATCH) {
        let ids: Vec<i64> = chunk.iter().map(|&(id, _)| id).collect();
        sqlx::query("DELETE FROM route_steps WHERE route_id = ANY($1::bigint[])")
            .bind(&ids)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "UPDATE routes r SET period_to = t.period_to, uncovered = t.uncovered, \
             updated_at = $4, created_by = $5 \
             FROM UNNEST($1::bigint[], $2::date[], $3::text[]) AS t(id, period_to, uncovered) \
             WHERE r.id = t.id",
        )
        .bind(&ids)
        .bind(
            chunk
                .iter()
                .map(|&(_, n)| drafts[n].period.to)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&(_, n)| drafts[n].uncovered_json.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .bind(actor)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        written.extend(chunk.iter().map(|&(id, n)| (id, &drafts[n])));
    }
    for chunk in create.chunks(BATCH) {
        let returned = sqlx::query(
            "INSERT INTO routes (account_id, period_from, period_to, uncovered, created_at, \
             created_by, updated_at) \
             SELECT t.account_id, t.period_from, t.period_to, t.uncovered, $5, $6, $5 \
             FROM UNNEST($1::bigint[], $2::date[], $3::date[], $4::text[]) \
               AS t(account_id, period_from, period_to, uncovered) \
             RETURNING id, account_id, period_from",
        )
        .bind(chunk.iter().map(|&n| keys[n].0).collect::<Vec<_>>())
        .bind(chunk.iter().map(|&n| keys[n].1).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|&n| drafts[n].period.to)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| drafts[n].uncovered_json.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .bind(actor)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        // RETURNING keeps no order: match the rows by their key (one new
        // draft per teacher and period).
        let mut by_key: HashMap<RouteKey, i64> = HashMap::with_capacity(returned.len());
        for r in &returned {
            by_key.insert(
                (get(r, "account_id")?, get(r, "period_from")?),
                get(r, "id")?,
            );
        }
        for &n in chunk {
            let id = by_key
                .get(&keys[n])
                .copied()
                .ok_or_else(|| StoreError::Other("an inserted route was not returned".into()))?;
            written.push((id, &drafts[n]));
        }
    }
    let written: Vec<(i64, &Login, &[Step])> = written
        .iter()
        .map(|&(id, d)| (id, &d.teacher, d.steps.as_slice()))
        .collect();
    insert_steps(&mut tx, &written).await?;
    write_audit(
        &mut tx,
        auth,
        "routes generate",
        drafts_audit_object(&counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

const ROUTE_SELECT: &str = "SELECT r.id, a.login, r.period_from, r.period_to, r.status, \
r.edited, r.uncovered, r.created_at, r.created_by, r.updated_at, r.approved_at, r.approved_by, \
r.completed_at FROM routes r JOIN accounts a ON a.id = r.account_id";

fn step_of(row: &PgRow) -> Result<RouteStep> {
    let status: String = get(row, "status")?;
    Ok(RouteStep {
        step: Step {
            kind: kind_of(&get::<String>(row, "kind")?)?,
            course: get::<Option<String>>(row, "course")?
                .map(|c| course_code_of(&c))
                .transpose()?,
            title: get(row, "title")?,
            competences: competences_of(&get::<String>(row, "competences")?)?,
            hours: hours_of(row)?,
            mandatory: get(row, "mandatory")?,
            starts_on: get(row, "starts_on")?,
            ends_on: get(row, "ends_on")?,
            mentor: get::<Option<String>>(row, "mentor")?
                .map(|l| login_of(&l))
                .transpose()?,
            mentor_name: get(row, "mentor_name")?,
            expected_result: get(row, "expected_result")?,
            reporting_form: get(row, "reporting_form")?,
        },
        status: step_status_of(&status)?,
        submitted_at: get(row, "submitted_at")?,
        reviewed_at: get(row, "reviewed_at")?,
        reviewed_by: get::<Option<String>>(row, "reviewed_by")?
            .map(|l| login_of(&l))
            .transpose()?,
        comment: get(row, "comment")?,
    })
}

fn step_status_of(value: &str) -> Result<StepStatus> {
    StepStatus::parse(value).map_err(|e| bad_row("step status", value, e))
}

/// The steps of the routes `ids`, each list in position order.
async fn steps_of(conn: &mut PgConnection, ids: &[i64]) -> Result<HashMap<i64, Vec<RouteStep>>> {
    let mut out: HashMap<i64, Vec<RouteStep>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows = sqlx::query(
            "SELECT route_id, kind, course, title, competences, hours, mandatory, starts_on, \
             ends_on, mentor, mentor_name, expected_result, reporting_form, status, \
             submitted_at, reviewed_at, reviewed_by, comment FROM route_steps WHERE route_id = ANY($1::bigint[]) ORDER BY route_id, position",
        )
        .bind(chunk)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for r in &rows {
            out.entry(get(r, "route_id")?)
                .or_default()
                .push(step_of(r)?);
        }
    }
    Ok(out)
}

fn route_of(row: &PgRow, steps: &mut HashMap<i64, Vec<RouteStep>>) -> Result<RouteRow> {
    let id: i64 = get(row, "id")?;
    let optional_login = |column: &str| -> Result<Option<Login>> {
        get::<Option<String>>(row, column)?
            .map(|l| login_of(&l))
            .transpose()
    };
    Ok(RouteRow {
        id,
        teacher: login_of(&get::<String>(row, "login")?)?,
        period: Period {
            from: get(row, "period_from")?,
            to: get(row, "period_to")?,
        },
        status: route_status_of(&get::<String>(row, "status")?)?,
        edited: get(row, "edited")?,
        uncovered_json: get(row, "uncovered")?,
        created_at: get(row, "created_at")?,
        created_by: optional_login("created_by")?,
        updated_at: get(row, "updated_at")?,
        approved_at: get(row, "approved_at")?,
        approved_by: optional_login("approved_by")?,
        completed_at: get(row, "completed_at")?,
        steps: steps.remove(&id).unwrap_or_default(),
    })
}

/// The routes matching `filter` (pushed after `WHERE`) and visible in
/// `scope`, newest period first, then by teacher login, with their steps;
/// read on `conn` (inside the caller's transaction).
async fn read_routes(
    conn: &mut PgConnection,
    scope: &Scope,
    filter: impl FnOnce(&mut QueryBuilder<'_, Postgres>),
) -> Result<Vec<RouteRow>> {
    let mut qb = QueryBuilder::<Postgres>::new(ROUTE_SELECT);
    qb.push(" WHERE ");
    filter(&mut qb);
    qb.push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(" ORDER BY r.period_from DESC, a.login COLLATE \"C\", r.id DESC");
    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let ids = rows
        .iter()
        .map(|r| get::<i64>(r, "id"))
        .collect::<Result<Vec<_>>>()?;
    let mut steps = steps_of(conn, &ids).await?;
    rows.iter().map(|r| route_of(r, &mut steps)).collect()
}

/// [`read_routes`] in one read-only snapshot of its own.
async fn routes_matching(
    pool: &PgPool,
    scope: &Scope,
    filter: impl FnOnce(&mut QueryBuilder<'_, Postgres>),
) -> Result<Vec<RouteRow>> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db_err)?;
    let out = read_routes(&mut tx, scope, filter).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(out)
}

pub(crate) async fn routes_of(
    pool: &PgPool,
    scope: &Scope,
    login: &Login,
) -> Result<Vec<RouteRow>> {
    let login = login.as_str().to_owned();
    routes_matching(pool, scope, |qb| {
        qb.push("a.login = ").push_bind(login);
    })
    .await
}

pub(crate) async fn route(pool: &PgPool, scope: &Scope, id: i64) -> Result<Option<RouteRow>> {
    Ok(routes_matching(pool, scope, |qb| {
        qb.push("r.id = ").push_bind(id);
    })
    .await?
    .pop())
}

pub(crate) async fn routes_where(
    pool: &PgPool,
    scope: &Scope,
    filter: &RouteFilter,
) -> Result<Vec<RouteRow>> {
    routes_matching(pool, scope, |qb| {
        qb.push("TRUE");
        if let Some(status) = filter.status {
            qb.push(" AND r.status = ").push_bind(status.as_str());
        }
        if let Some(school) = &filter.school {
            qb.push(" AND a.school_id IN (SELECT fs.id FROM schools fs WHERE fs.code = ")
                .push_bind(school.as_str().to_owned())
                .push(")");
        }
        if let Some(m) = &filter.municipality {
            qb.push(" AND a.id IN (");
            push_account_ids_in_municipalities(qb, std::iter::once(m.as_str()));
            qb.push(")");
        }
        if let Some(teacher) = &filter.teacher {
            qb.push(" AND a.login = ")
                .push_bind(teacher.as_str().to_owned());
        }
        if let Some(from) = filter.period_from {
            qb.push(" AND r.period_from = ").push_bind(from);
        }
    })
    .await
}

// ---- editing, approving and executing routes ---------------------------------

/// An audit entry whose actor is `actor` (a route's methodist, teacher or
/// deputy head), not a [`RegionAuthority`].
/// [`write_actor_audit`] for a write the operator may make at the command
/// line (`None`: no actor).
async fn write_actor_audit_or_operator(
    conn: &mut PgConnection,
    actor: Option<&Login>,
    action: &str,
    object: String,
    now: Millis,
) -> Result<()> {
    match actor {
        Some(a) => write_actor_audit(conn, a, action, object, now).await,
        None => write_audit(conn, &RegionAuthority::command_line(), action, object, now).await,
    }
}

pub(crate) async fn write_actor_audit(
    conn: &mut PgConnection,
    actor: &Login,
    action: &str,
    object: String,
    now: Millis,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES ($1, $2, $3, $4)")
        .bind(now)
        .bind(actor.as_str())
        .bind(action)
        .bind(object)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// A transaction for one route's write: READ COMMITTED whatever the
/// server's default, so each statement after the route's lock sees what
/// committed before it.
async fn begin_write(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>> {
    pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
        .await
        .map_err(db_err)
}

/// Locks the route's row (`FOR UPDATE`, as a generation run does) and
/// answers its status and teacher; `NotFound` when there is no such route.
async fn lock_route(conn: &mut PgConnection, route_id: i64) -> Result<(RouteStatus, Login)> {
    let row = sqlx::query(
        "SELECT r.status, a.login FROM routes r JOIN accounts a ON a.id = r.account_id \
         WHERE r.id = $1 FOR UPDATE OF r",
    )
    .bind(route_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    Ok((
        route_status_of(&get::<String>(&row, "status")?)?,
        login_of(&get::<String>(&row, "login")?)?,
    ))
}

/// A step's position as stored; one beyond INTEGER cannot exist.
fn position_of(position: u32) -> Result<i32> {
    i32::try_from(position).map_err(|_| StoreError::NotFound)
}

/// The step's status (its route locked); `NotFound` when there is none.
async fn step_status(conn: &mut PgConnection, route_id: i64, position: i32) -> Result<StepStatus> {
    let status: String =
        sqlx::query_scalar("SELECT status FROM route_steps WHERE route_id = $1 AND position = $2")
            .bind(route_id)
            .bind(position)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
    step_status_of(&status)
}

/// The route as it stands in the caller's transaction.
async fn route_in(conn: &mut PgConnection, route_id: i64) -> Result<RouteRow> {
    read_routes(conn, &Scope::region(), |qb| {
        qb.push("r.id = ").push_bind(route_id);
    })
    .await?
    .pop()
    .ok_or(StoreError::NotFound)
}

async fn touch_route(conn: &mut PgConnection, route_id: i64, now: Millis) -> Result<()> {
    sqlx::query("UPDATE routes SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(route_id)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn update_draft(
    pool: &PgPool,
    editor: &Login,
    route_id: i64,
    steps: Vec<Step>,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = begin_write(pool).await?;
    let (status, teacher) = lock_route(&mut tx, route_id).await?;
    if status != RouteStatus::Draft {
        return Err(store::routes::already_approved());
    }
    // A draft's steps have no evidence: nothing is lost with them.
    sqlx::query("DELETE FROM route_steps WHERE route_id = $1")
        .bind(route_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    insert_steps(&mut tx, &[(route_id, &teacher, steps.as_slice())]).await?;
    sqlx::query("UPDATE routes SET edited = TRUE, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(route_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    write_actor_audit(
        &mut tx,
        editor,
        "route edit",
        route_audit_object(route_id),
        now,
    )
    .await?;
    let route = route_in(&mut tx, route_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(route)
}

pub(crate) async fn approve_route(
    pool: &PgPool,
    approver: &Login,
    route_id: i64,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = begin_write(pool).await?;
    if lock_route(&mut tx, route_id).await?.0 != RouteStatus::Draft {
        return Err(store::routes::already_approved());
    }
    // Lock the entries with limited seats the route names, in code order:
    // another approval naming one waits here until this one ends.
    sqlx::query(
        "SELECT c.id FROM catalogue_entries c \
         WHERE c.capacity IS NOT NULL \
           AND c.code IN (SELECT s.course FROM route_steps s WHERE s.route_id = $1) \
         ORDER BY c.code COLLATE \"C\" FOR UPDATE",
    )
    .bind(route_id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    // A new statement: it sees every approval committed before the locks.
    let entries = sqlx::query(
        "SELECT c.code, c.title, c.capacity, COUNT(*) AS wanted, \
           (SELECT COUNT(*) FROM route_steps hs JOIN routes hr ON hr.id = hs.route_id \
            WHERE hs.course = c.code AND hr.status IN ('approved', 'completed') \
              AND hr.id <> $1) AS held \
         FROM route_steps s JOIN catalogue_entries c ON c.code = s.course \
         WHERE s.route_id = $1 AND c.capacity IS NOT NULL \
         GROUP BY c.code, c.title, c.capacity ORDER BY c.code COLLATE \"C\"",
    )
    .bind(route_id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    for e in &entries {
        let capacity: i32 = get(e, "capacity")?;
        if get::<i64>(e, "held")? + get::<i64>(e, "wanted")? > i64::from(capacity) {
            return Err(store::routes::no_seats_left(
                &get::<String>(e, "title")?,
                &get::<String>(e, "code")?,
            ));
        }
    }
    sqlx::query(
        "UPDATE routes SET status = 'approved', approved_at = $1, approved_by = $2, \
         updated_at = $1 WHERE id = $3",
    )
    .bind(now)
    .bind(approver.as_str())
    .bind(route_id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    write_actor_audit(
        &mut tx,
        approver,
        "route approve",
        route_audit_object(route_id),
        now,
    )
    .await?;
    let route = route_in(&mut tx, route_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(route)
}

pub(crate) async fn submit_step(
    pool: &PgPool,
    teacher: &Login,
    route_id: i64,
    position: u32,
    evidence: NewEvidence,
    now: Millis,
) -> Result<RouteRow> {
    let stored_position = position_of(position)?;
    let mut tx = begin_write(pool).await?;
    let (route, _) = lock_route(&mut tx, route_id).await?;
    let step = step_status(&mut tx, route_id, stored_position).await?;
    store::routes::check_submission(route, step)?;
    sqlx::query(
        "UPDATE route_steps SET status = 'submitted', submitted_at = $1 \
         WHERE route_id = $2 AND position = $3",
    )
    .bind(now)
    .bind(route_id)
    .bind(stored_position)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO route_evidence (route_id, position, kind, text, url, file_name, \
         content_type, bytes, submitted_at, submitted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(route_id)
    .bind(stored_position)
    .bind(evidence.kind.as_str())
    .bind(evidence.text)
    .bind(evidence.url)
    .bind(evidence.file_name)
    .bind(evidence.content_type)
    .bind(evidence.bytes)
    .bind(now)
    .bind(teacher.as_str())
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    touch_route(&mut tx, route_id, now).await?;
    write_actor_audit(
        &mut tx,
        teacher,
        "step submit",
        step_audit_object(route_id, position),
        now,
    )
    .await?;
    let route = route_in(&mut tx, route_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(route)
}

pub(crate) async fn review_step(
    pool: &PgPool,
    reviewer: &Login,
    route_id: i64,
    position: u32,
    confirm: bool,
    comment: Option<String>,
    now: Millis,
) -> Result<RouteRow> {
    let stored_position = position_of(position)?;
    let mut tx = begin_write(pool).await?;
    let (route, _) = lock_route(&mut tx, route_id).await?;
    let step = step_status(&mut tx, route_id, stored_position).await?;
    let (status, comment) = store::routes::check_review(step, confirm, comment)?;
    sqlx::query(
        "UPDATE route_steps SET status = $1, reviewed_at = $2, reviewed_by = $3, comment = $4 \
         WHERE route_id = $5 AND position = $6",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(reviewer.as_str())
    .bind(comment)
    .bind(route_id)
    .bind(stored_position)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    // The confirmation of the last mandatory step completes the route (its
    // steps change only under the route's lock, which this holds).
    let completes = status == StepStatus::Confirmed
        && route == RouteStatus::Approved
        && !sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM route_steps \
             WHERE route_id = $1 AND mandatory AND status <> 'confirmed')",
        )
        .bind(route_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    if completes {
        sqlx::query(
            "UPDATE routes SET status = 'completed', completed_at = $1, updated_at = $1 \
             WHERE id = $2",
        )
        .bind(now)
        .bind(route_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    } else {
        touch_route(&mut tx, route_id, now).await?;
    }
    write_actor_audit(
        &mut tx,
        reviewer,
        "step review",
        review_audit_object(route_id, position, status),
        now,
    )
    .await?;
    let route = route_in(&mut tx, route_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(route)
}

pub(crate) async fn set_step_mentor(
    pool: &PgPool,
    actor: Option<&Login>,
    route_id: i64,
    position: u32,
    mentor: &Login,
    mentor_name: &str,
    now: Millis,
) -> Result<RouteRow> {
    let stored_position = position_of(position)?;
    let mut tx = begin_write(pool).await?;
    let (route, _) = lock_route(&mut tx, route_id).await?;
    let kind: String =
        sqlx::query_scalar("SELECT kind FROM route_steps WHERE route_id = $1 AND position = $2")
            .bind(route_id)
            .bind(stored_position)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
    store::routes::check_mentor_assignment(route, kind_of(&kind)?)?;
    let active: Option<bool> = sqlx::query_scalar("SELECT active FROM accounts WHERE login = $1")
        .bind(mentor.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if active != Some(true) {
        return Err(store::routes::unknown_mentor(mentor));
    }
    sqlx::query(
        "UPDATE route_steps SET mentor = $1, mentor_name = $2 \
         WHERE route_id = $3 AND position = $4",
    )
    .bind(mentor.as_str())
    .bind(mentor_name)
    .bind(route_id)
    .bind(stored_position)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    touch_route(&mut tx, route_id, now).await?;
    write_actor_audit_or_operator(
        &mut tx,
        actor,
        "step mentor",
        mentor_audit_object(route_id, position, mentor),
        now,
    )
    .await?;
    let route = route_in(&mut tx, route_id).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(route)
}

fn evidence_of(row: &PgRow) -> Result<EvidenceRow> {
    let kind: String = get(row, "kind")?;
    Ok(EvidenceRow {
        id: get(row, "id")?,
        kind: EvidenceKind::parse(&kind).map_err(|e| bad_row("evidence kind", &kind, e))?,
        text: get(row, "text")?,
        url: get(row, "url")?,
        file_name: get(row, "file_name")?,
        content_type: get(row, "content_type")?,
        bytes: get(row, "bytes")?,
        submitted_at: get(row, "submitted_at")?,
        submitted_by: login_of(&get::<String>(row, "submitted_by")?)?,
    })
}

pub(crate) async fn step_evidence(
    pool: &PgPool,
    scope: &Scope,
    route_id: i64,
    position: u32,
) -> Result<Vec<EvidenceRow>> {
    let position = position_of(position)?;
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db_err)?;
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT 1 FROM route_steps s JOIN routes r ON r.id = s.route_id \
         JOIN accounts a ON a.id = r.account_id WHERE s.route_id = ",
    );
    qb.push_bind(route_id)
        .push(" AND s.position = ")
        .push_bind(position)
        .push(" AND ");
    push_account_visible(&mut qb, scope);
    if qb
        .build()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let rows = sqlx::query(
        "SELECT id, kind, text, url, file_name, content_type, bytes, submitted_at, \
         submitted_by FROM route_evidence WHERE route_id = $1 AND position = $2 \
         ORDER BY submitted_at, id",
    )
    .bind(route_id)
    .bind(position)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    rows.iter().map(evidence_of).collect()
}

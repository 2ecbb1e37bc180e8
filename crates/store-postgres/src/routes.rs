//! The routes area on PostgreSQL: the course catalogue, routes and their
//! steps.
//!
//! Rows are written in chunks of [`BATCH`], each column as one array
//! parameter (`UNNEST`). A generation run (`save_drafts`) decides "replace
//! or keep" inside its transaction, against whatever other processes do
//! meanwhile: runs are serialised by a transaction-level advisory lock, and
//! the teachers' existing routes are locked `FOR UPDATE` before the
//! decision, so an approval either committed before (and is seen) or waits
//! for the run's commit.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::routes::Step;
use domain::{
    ActivityKind, CompetenceRef, CourseCode, Entry, Format, Login, Period, RegionAuthority, Scope,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use store::routes::{catalogue_audit_object, drafts_audit_object};
use store::{
    DraftCounts, Millis, NewDraft, Result, RouteRow, RouteState, RouteStatus, RouteStep, SeatUse,
    StepStatus, StoreError,
};

use crate::diagnostics::write_audit;
use crate::{
    BATCH, bad_row, count_of, db_err, get, int4, last_by_key, login_of, municipality_code_of,
    municipality_ids, push_account_visible, resolve_logins, u32_of, unknown_account,
    unknown_municipality,
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

/// Inserts the steps of routes: (route id, its steps), a chunk of steps
/// per statement.
async fn insert_steps(conn: &mut PgConnection, routes: &[(i64, &NewDraft)]) -> Result<()> {
    let mut route_ids = Vec::new();
    let mut positions = Vec::new();
    let mut steps: Vec<&Step> = Vec::new();
    let mut hours = Vec::new();
    for (route_id, d) in routes {
        for (position, s) in d.steps.iter().enumerate() {
            route_ids.push(*route_id);
            positions.push(i32::try_from(position).unwrap_or(i32::MAX));
            hours.push(int4(s.hours, || format!("маршрут «{}»", d.teacher))?);
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
        status: StepStatus::parse(&status).map_err(|e| bad_row("step status", &status, e))?,
    })
}

/// The steps of the routes `ids`, each list in position order.
async fn steps_of(conn: &mut PgConnection, ids: &[i64]) -> Result<HashMap<i64, Vec<RouteStep>>> {
    let mut out: HashMap<i64, Vec<RouteStep>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows = sqlx::query(
            "SELECT route_id, kind, course, title, competences, hours, mandatory, starts_on, \
             ends_on, mentor, mentor_name, expected_result, reporting_form, status \
             FROM route_steps WHERE route_id = ANY($1::bigint[]) ORDER BY route_id, position",
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

/// The routes matching `filter` and visible in `scope`, newest period
/// first, with their steps: one read-only snapshot.
async fn routes_where(
    pool: &PgPool,
    scope: &Scope,
    filter: impl FnOnce(&mut QueryBuilder<'_, Postgres>),
) -> Result<Vec<RouteRow>> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db_err)?;
    let mut qb = QueryBuilder::<Postgres>::new(ROUTE_SELECT);
    qb.push(" WHERE ");
    filter(&mut qb);
    qb.push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(" ORDER BY r.period_from DESC, r.id DESC");
    let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err)?;
    let ids = rows
        .iter()
        .map(|r| get::<i64>(r, "id"))
        .collect::<Result<Vec<_>>>()?;
    let mut steps = steps_of(&mut tx, &ids).await?;
    tx.commit().await.map_err(db_err)?;
    rows.iter().map(|r| route_of(r, &mut steps)).collect()
}

pub(crate) async fn routes_of(
    pool: &PgPool,
    scope: &Scope,
    login: &Login,
) -> Result<Vec<RouteRow>> {
    let login = login.as_str().to_owned();
    routes_where(pool, scope, |qb| {
        qb.push("a.login = ").push_bind(login);
    })
    .await
}

pub(crate) async fn route(pool: &PgPool, scope: &Scope, id: i64) -> Result<Option<RouteRow>> {
    Ok(routes_where(pool, scope, |qb| {
        qb.push("r.id = ").push_bind(id);
    })
    .await?
    .pop())
}

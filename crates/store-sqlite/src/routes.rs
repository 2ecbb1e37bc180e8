//! The routes area on SQLite: the course catalogue, routes, their steps and
//! the evidence of their execution. Every multi-statement write begins
//! `IMMEDIATE`, so its decisions (replace a draft or keep an edited one;
//! approve with the last seat; complete a route) hold against whatever
//! another process wrote meanwhile: SQLite has one writer at a time.

use std::collections::HashMap;

use domain::routes::Step;
use domain::{
    ActivityKind, CompetenceRef, CourseCode, Entry, Format, Login, Period, RegionAuthority, Scope,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use store::routes::{
    catalogue_audit_object, drafts_audit_object, mentor_audit_object, review_audit_object,
    route_audit_object, step_audit_object,
};
use store::{
    DraftCounts, EvidenceKind, EvidenceRow, Millis, NewDraft, NewEvidence, Result, RouteFilter,
    RouteRow, RouteState, RouteStatus, RouteStep, SeatUse, StepStatus, StoreError,
    parse_stored_date,
};

use crate::diagnostics::{date_text, write_audit};
use crate::{
    bad_row, count_of, db_err, get, login_of, municipality_code_of, municipality_ids,
    push_account_in_municipalities, push_account_visible, u32_of, unknown_municipality,
};

fn optional_date(row: &SqliteRow, column: &str) -> Result<Option<chrono::NaiveDate>> {
    get::<Option<String>>(row, column)?
        .map(|d| parse_stored_date(&d))
        .transpose()
}

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

// ---- the catalogue -------------------------------------------------------------

fn entry_of(row: &SqliteRow) -> Result<Entry> {
    let code: String = get(row, "code")?;
    let format: String = get(row, "format")?;
    Ok(Entry {
        code: CourseCode::parse(&code).map_err(|e| bad_row("course code", &code, e))?,
        title: get(row, "title")?,
        kind: kind_of(&get::<String>(row, "kind")?)?,
        hours: u32_of("hours", get(row, "hours")?)?,
        competences: competences_of(&get::<String>(row, "competences")?)?,
        provider: get(row, "provider")?,
        format: Format::parse(&format).map_err(|e| bad_row("format", &format, e))?,
        subjects: list_of(&get::<String>(row, "subjects")?),
        municipality: get::<Option<String>>(row, "municipality")?
            .map(|m| municipality_code_of(&m))
            .transpose()?,
        starts_on: optional_date(row, "starts_on")?,
        ends_on: optional_date(row, "ends_on")?,
        capacity: get::<Option<i64>>(row, "capacity")?
            .map(|c| u32_of("capacity", c))
            .transpose()?,
        url: get(row, "url")?,
        active: get(row, "active")?,
    })
}

pub(crate) async fn catalogue(pool: &SqlitePool) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT c.code, c.title, c.kind, c.hours, c.competences, c.provider, c.format, \
         c.subjects, m.code AS municipality, c.starts_on, c.ends_on, c.capacity, c.url, c.active \
         FROM catalogue_entries c LEFT JOIN municipalities m ON m.id = c.municipality_id \
         ORDER BY c.code",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(entry_of).collect()
}

pub(crate) async fn apply_catalogue(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    entries: Vec<Entry>,
    now: Millis,
) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let municipalities = municipality_ids(&mut tx).await?;
    for e in &entries {
        let municipality_id =
            match &e.municipality {
                Some(code) => Some(*municipalities.get(code.as_str()).ok_or_else(|| {
                    unknown_municipality(code, format!("мероприятие {}", e.code))
                })?),
                None => None,
            };
        sqlx::query(
            "INSERT INTO catalogue_entries (code, title, kind, hours, competences, provider, \
             format, subjects, municipality_id, starts_on, ends_on, capacity, url, active, \
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (code) DO UPDATE SET title = excluded.title, kind = excluded.kind, \
             hours = excluded.hours, competences = excluded.competences, \
             provider = excluded.provider, format = excluded.format, \
             subjects = excluded.subjects, municipality_id = excluded.municipality_id, \
             starts_on = excluded.starts_on, ends_on = excluded.ends_on, \
             capacity = excluded.capacity, url = excluded.url, active = excluded.active, \
             updated_at = excluded.updated_at",
        )
        .bind(e.code.as_str())
        .bind(&e.title)
        .bind(e.kind.as_str())
        .bind(i64::from(e.hours))
        .bind(joined(&e.competences))
        .bind(&e.provider)
        .bind(e.format.as_str())
        .bind(e.subjects.join("|"))
        .bind(municipality_id)
        .bind(e.starts_on.map(date_text))
        .bind(e.ends_on.map(date_text))
        .bind(e.capacity.map(i64::from))
        .bind(&e.url)
        .bind(e.active)
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

pub(crate) async fn seat_use(pool: &SqlitePool) -> Result<HashMap<CourseCode, SeatUse>> {
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
        let code: String = get(r, "course")?;
        let code = CourseCode::parse(&code).map_err(|e| bad_row("course code", &code, e))?;
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

fn route_status_of(value: &str) -> Result<RouteStatus> {
    RouteStatus::parse(value).map_err(|e| bad_row("route status", value, e))
}

pub(crate) async fn route_states(
    pool: &SqlitePool,
    _auth: &RegionAuthority,
    period_from: chrono::NaiveDate,
) -> Result<HashMap<Login, RouteState>> {
    let rows = sqlx::query(
        "SELECT r.id, a.login, r.status, r.edited FROM routes r \
         JOIN accounts a ON a.id = r.account_id WHERE r.period_from = ? ORDER BY r.id",
    )
    .bind(date_text(period_from))
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

async fn insert_steps(conn: &mut SqliteConnection, route_id: i64, steps: &[Step]) -> Result<()> {
    for (position, s) in steps.iter().enumerate() {
        sqlx::query(
            "INSERT INTO route_steps (route_id, position, kind, course, title, competences, \
             hours, mandatory, starts_on, ends_on, mentor, mentor_name, expected_result, \
             reporting_form) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(route_id)
        .bind(position as i64)
        .bind(s.kind.as_str())
        .bind(s.course.as_ref().map(|c| c.as_str().to_owned()))
        .bind(&s.title)
        .bind(joined(&s.competences))
        .bind(i64::from(s.hours))
        .bind(s.mandatory)
        .bind(s.starts_on.map(date_text))
        .bind(s.ends_on.map(date_text))
        .bind(s.mentor.as_ref().map(|l| l.as_str().to_owned()))
        .bind(&s.mentor_name)
        .bind(&s.expected_result)
        .bind(&s.reporting_form)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn save_drafts(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    drafts: Vec<NewDraft>,
    now: Millis,
) -> Result<DraftCounts> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let mut counts = DraftCounts::default();
    let actor = auth.actor.as_ref().map(|l| l.as_str().to_owned());
    for d in &drafts {
        let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = ?")
            .bind(d.teacher.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or_else(|| crate::unknown_account(&d.teacher, "маршрут"))?;
        let existing = sqlx::query(
            "SELECT id, status, edited FROM routes WHERE account_id = ? AND period_from = ? \
             ORDER BY (status = 'draft'), id",
        )
        .bind(account_id)
        .bind(date_text(d.period.from))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let route_id = match existing {
            Some(r) => {
                let id: i64 = get(&r, "id")?;
                if route_status_of(&get::<String>(&r, "status")?)?.holds_seats() {
                    counts.kept_approved += 1;
                    continue;
                }
                if get::<bool>(&r, "edited")? {
                    counts.kept_edited += 1;
                    continue;
                }
                sqlx::query("DELETE FROM route_steps WHERE route_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query(
                    "UPDATE routes SET period_to = ?, uncovered = ?, updated_at = ?, \
                     created_by = ? WHERE id = ?",
                )
                .bind(date_text(d.period.to))
                .bind(&d.uncovered_json)
                .bind(now)
                .bind(&actor)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                counts.replaced += 1;
                id
            }
            None => {
                counts.created += 1;
                sqlx::query_scalar(
                    "INSERT INTO routes (account_id, period_from, period_to, uncovered, \
                     created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
                     RETURNING id",
                )
                .bind(account_id)
                .bind(date_text(d.period.from))
                .bind(date_text(d.period.to))
                .bind(&d.uncovered_json)
                .bind(now)
                .bind(&actor)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?
            }
        };
        insert_steps(&mut tx, route_id, &d.steps).await?;
    }
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

/// The steps of one route (`?`), in order.
const STEP_SELECT: &str = "SELECT kind, course, title, competences, hours, mandatory, \
starts_on, ends_on, mentor, mentor_name, expected_result, reporting_form, status, submitted_at, \
reviewed_at, reviewed_by, comment FROM route_steps WHERE route_id = ? ORDER BY position";

fn step_of(row: &SqliteRow) -> Result<RouteStep> {
    let course: Option<String> = get(row, "course")?;
    Ok(RouteStep {
        step: Step {
            kind: kind_of(&get::<String>(row, "kind")?)?,
            course: course
                .map(|c| CourseCode::parse(&c).map_err(|e| bad_row("course code", &c, e)))
                .transpose()?,
            title: get(row, "title")?,
            competences: competences_of(&get::<String>(row, "competences")?)?,
            hours: u32_of("hours", get(row, "hours")?)?,
            mandatory: get(row, "mandatory")?,
            starts_on: optional_date(row, "starts_on")?,
            ends_on: optional_date(row, "ends_on")?,
            mentor: get::<Option<String>>(row, "mentor")?
                .map(|l| login_of(&l))
                .transpose()?,
            mentor_name: get(row, "mentor_name")?,
            expected_result: get(row, "expected_result")?,
            reporting_form: get(row, "reporting_form")?,
        },
        status: step_status_of(&get::<String>(row, "status")?)?,
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

/// The routes matching `filter` (pushed after `WHERE`) and visible in
/// `scope`, newest period first, then by teacher login, with their steps;
/// read on `conn` (inside the caller's transaction).
async fn read_routes(
    conn: &mut SqliteConnection,
    scope: &Scope,
    filter: impl FnOnce(&mut QueryBuilder<'_, Sqlite>),
) -> Result<Vec<RouteRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(ROUTE_SELECT);
    qb.push(" WHERE ");
    filter(&mut qb);
    qb.push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(" ORDER BY r.period_from DESC, a.login, r.id DESC");
    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let steps = sqlx::query(STEP_SELECT)
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
        let optional_login = |column: &str| -> Result<Option<Login>> {
            get::<Option<String>>(r, column)?
                .map(|l| login_of(&l))
                .transpose()
        };
        out.push(RouteRow {
            id,
            teacher: login_of(&get::<String>(r, "login")?)?,
            period: Period {
                from: parse_stored_date(&get::<String>(r, "period_from")?)?,
                to: parse_stored_date(&get::<String>(r, "period_to")?)?,
            },
            status: route_status_of(&get::<String>(r, "status")?)?,
            edited: get(r, "edited")?,
            uncovered_json: get(r, "uncovered")?,
            created_at: get(r, "created_at")?,
            created_by: optional_login("created_by")?,
            updated_at: get(r, "updated_at")?,
            approved_at: get(r, "approved_at")?,
            approved_by: optional_login("approved_by")?,
            completed_at: get(r, "completed_at")?,
            steps: steps.iter().map(step_of).collect::<Result<_>>()?,
        });
    }
    Ok(out)
}

/// [`read_routes`] in a transaction of its own: one consistent read.
async fn routes_matching(
    pool: &SqlitePool,
    scope: &Scope,
    filter: impl FnOnce(&mut QueryBuilder<'_, Sqlite>),
) -> Result<Vec<RouteRow>> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let out = read_routes(&mut tx, scope, filter).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(out)
}

pub(crate) async fn routes_of(
    pool: &SqlitePool,
    scope: &Scope,
    login: &Login,
) -> Result<Vec<RouteRow>> {
    let login = login.as_str().to_owned();
    routes_matching(pool, scope, |qb| {
        qb.push("a.login = ").push_bind(login);
    })
    .await
}

pub(crate) async fn route(pool: &SqlitePool, scope: &Scope, id: i64) -> Result<Option<RouteRow>> {
    Ok(routes_matching(pool, scope, |qb| {
        qb.push("r.id = ").push_bind(id);
    })
    .await?
    .pop())
}

pub(crate) async fn routes_where(
    pool: &SqlitePool,
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
            qb.push(" AND ");
            push_account_in_municipalities(qb, std::iter::once(m.as_str()));
        }
        if let Some(teacher) = &filter.teacher {
            qb.push(" AND a.login = ")
                .push_bind(teacher.as_str().to_owned());
        }
        if let Some(from) = filter.period_from {
            qb.push(" AND r.period_from = ").push_bind(date_text(from));
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
    conn: &mut SqliteConnection,
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
    conn: &mut SqliteConnection,
    actor: &Login,
    action: &str,
    object: String,
    now: Millis,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, object) VALUES (?, ?, ?, ?)")
        .bind(now)
        .bind(actor.as_str())
        .bind(action)
        .bind(object)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The route's status; `NotFound` when there is no such route. Inside an
/// `IMMEDIATE` transaction nobody else writes until it ends.
async fn route_status(conn: &mut SqliteConnection, route_id: i64) -> Result<RouteStatus> {
    let status: String = sqlx::query_scalar("SELECT status FROM routes WHERE id = ?")
        .bind(route_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound)?;
    route_status_of(&status)
}

/// The step's status; `NotFound` when the route has no such step.
async fn step_status(
    conn: &mut SqliteConnection,
    route_id: i64,
    position: u32,
) -> Result<StepStatus> {
    let status: String =
        sqlx::query_scalar("SELECT status FROM route_steps WHERE route_id = ? AND position = ?")
            .bind(route_id)
            .bind(i64::from(position))
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
    step_status_of(&status)
}

/// The route as it stands in the caller's transaction.
async fn route_in(conn: &mut SqliteConnection, route_id: i64) -> Result<RouteRow> {
    read_routes(conn, &Scope::region(), |qb| {
        qb.push("r.id = ").push_bind(route_id);
    })
    .await?
    .pop()
    .ok_or(StoreError::NotFound)
}

async fn touch_route(conn: &mut SqliteConnection, route_id: i64, now: Millis) -> Result<()> {
    sqlx::query("UPDATE routes SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(route_id)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn update_draft(
    pool: &SqlitePool,
    editor: &Login,
    route_id: i64,
    steps: Vec<Step>,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    if route_status(&mut tx, route_id).await? != RouteStatus::Draft {
        return Err(store::routes::already_approved());
    }
    // A draft's steps have no evidence: nothing is lost with them.
    sqlx::query("DELETE FROM route_steps WHERE route_id = ?")
        .bind(route_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    insert_steps(&mut tx, route_id, &steps).await?;
    sqlx::query("UPDATE routes SET edited = TRUE, updated_at = ? WHERE id = ?")
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
    pool: &SqlitePool,
    approver: &Login,
    route_id: i64,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    if route_status(&mut tx, route_id).await? != RouteStatus::Draft {
        return Err(store::routes::already_approved());
    }
    // The entries with limited seats the route names, with the seats other
    // routes hold and the ones this route needs (a step each).
    let entries = sqlx::query(
        "SELECT c.code, c.title, c.capacity, COUNT(*) AS wanted, \
           (SELECT COUNT(*) FROM route_steps hs JOIN routes hr ON hr.id = hs.route_id \
            WHERE hs.course = c.code AND hr.status IN ('approved', 'completed') \
              AND hr.id <> ?1) AS held \
         FROM route_steps s JOIN catalogue_entries c ON c.code = s.course \
         WHERE s.route_id = ?1 AND c.capacity IS NOT NULL \
         GROUP BY c.code, c.title, c.capacity ORDER BY c.code",
    )
    .bind(route_id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    for e in &entries {
        let capacity: i64 = get(e, "capacity")?;
        if get::<i64>(e, "held")? + get::<i64>(e, "wanted")? > capacity {
            return Err(store::routes::no_seats_left(
                &get::<String>(e, "title")?,
                &get::<String>(e, "code")?,
            ));
        }
    }
    sqlx::query(
        "UPDATE routes SET status = 'approved', approved_at = ?, approved_by = ?, \
         updated_at = ? WHERE id = ?",
    )
    .bind(now)
    .bind(approver.as_str())
    .bind(now)
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
    pool: &SqlitePool,
    teacher: &Login,
    route_id: i64,
    position: u32,
    evidence: NewEvidence,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let route = route_status(&mut tx, route_id).await?;
    let step = step_status(&mut tx, route_id, position).await?;
    store::routes::check_submission(route, step)?;
    sqlx::query(
        "UPDATE route_steps SET status = 'submitted', submitted_at = ? \
         WHERE route_id = ? AND position = ?",
    )
    .bind(now)
    .bind(route_id)
    .bind(i64::from(position))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO route_evidence (route_id, position, kind, text, url, file_name, \
         content_type, bytes, submitted_at, submitted_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(route_id)
    .bind(i64::from(position))
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
    pool: &SqlitePool,
    reviewer: &Login,
    route_id: i64,
    position: u32,
    confirm: bool,
    comment: Option<String>,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let route = route_status(&mut tx, route_id).await?;
    let step = step_status(&mut tx, route_id, position).await?;
    let (status, comment) = store::routes::check_review(step, confirm, comment)?;
    sqlx::query(
        "UPDATE route_steps SET status = ?, reviewed_at = ?, reviewed_by = ?, comment = ? \
         WHERE route_id = ? AND position = ?",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(reviewer.as_str())
    .bind(comment)
    .bind(route_id)
    .bind(i64::from(position))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    // The confirmation of the last mandatory step completes the route.
    let completes = status == StepStatus::Confirmed
        && route == RouteStatus::Approved
        && sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM route_steps \
             WHERE route_id = ? AND mandatory AND status <> 'confirmed'",
        )
        .bind(route_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?
            == 0;
    if completes {
        sqlx::query(
            "UPDATE routes SET status = 'completed', completed_at = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(now)
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
    pool: &SqlitePool,
    actor: Option<&Login>,
    route_id: i64,
    position: u32,
    mentor: &Login,
    mentor_name: &str,
    now: Millis,
) -> Result<RouteRow> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let route = route_status(&mut tx, route_id).await?;
    let kind: String =
        sqlx::query_scalar("SELECT kind FROM route_steps WHERE route_id = ? AND position = ?")
            .bind(route_id)
            .bind(i64::from(position))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StoreError::NotFound)?;
    store::routes::check_mentor_assignment(route, kind_of(&kind)?)?;
    let active: Option<bool> = sqlx::query_scalar("SELECT active FROM accounts WHERE login = ?")
        .bind(mentor.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if active != Some(true) {
        return Err(store::routes::unknown_mentor(mentor));
    }
    sqlx::query(
        "UPDATE route_steps SET mentor = ?, mentor_name = ? WHERE route_id = ? AND position = ?",
    )
    .bind(mentor.as_str())
    .bind(mentor_name)
    .bind(route_id)
    .bind(i64::from(position))
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

fn evidence_of(row: &SqliteRow) -> Result<EvidenceRow> {
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
    pool: &SqlitePool,
    scope: &Scope,
    route_id: i64,
    position: u32,
) -> Result<Vec<EvidenceRow>> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT 1 FROM route_steps s JOIN routes r ON r.id = s.route_id \
         JOIN accounts a ON a.id = r.account_id WHERE s.route_id = ",
    );
    qb.push_bind(route_id)
        .push(" AND s.position = ")
        .push_bind(i64::from(position))
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
         submitted_by FROM route_evidence WHERE route_id = ? AND position = ? \
         ORDER BY submitted_at, id",
    )
    .bind(route_id)
    .bind(i64::from(position))
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    rows.iter().map(evidence_of).collect()
}

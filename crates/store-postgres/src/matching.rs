//! The matching area on PostgreSQL: methodist and mentor-school
//! assignments, the latest proposal of each matching, consultations.
//!
//! Every write runs under READ COMMITTED and locks first, then decides on
//! what it reads after the locks (each statement sees what committed
//! before it):
//!
//! * assigning methodists locks the teachers' account rows, then the
//!   methodists' rows (each set in id order, `FOR NO KEY UPDATE` /
//!   `FOR UPDATE`): two calls naming one teacher are serialised on the
//!   teacher (the second sees the first's assignment), and two calls giving
//!   one methodist a teacher on the methodist, so the second counts the
//!   places once the first has committed and cannot take the last place
//!   twice;
//! * assigning mentor schools locks every school it names, both sides, in
//!   id order (`FOR NO KEY UPDATE`);
//! * ending an assignment locks its teacher's account row (its school's
//!   row) as assigning does;
//! * a consultation locks the mentee's active assignment `FOR SHARE`, so an
//!   ending waits for it (or it sees the ending and is refused).
//!
//! `FOR NO KEY UPDATE` leaves the key-share locks of foreign-key checks
//! alone: the assignments' inserts are never blocked by their own locks.

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::{Login, RegionAuthority, SchoolCode, Scope};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use store::matching::{
    AssignPlan, assign_audit_object, check_consultation, check_methodist_entries, check_reason,
    check_school_entries, consultation_audit_object, match_run_audit_object, mentor_school_full,
    methodist_end_audit_object, methodist_full, not_a_mentee, parse_reasons, plan_assignments,
    reasons_json, school_end_audit_object,
};
use store::{
    AssignCounts, AssignmentFilter, AssignmentRow, ConsultationRow, MatchKind, MatchRun, Millis,
    NewAssignment, NewConsultation, NewSchoolAssignment, Result, SchoolAssignmentFilter,
    SchoolAssignmentRow, StoreError,
};

use crate::diagnostics::write_audit;
use crate::routes::write_actor_audit;
use crate::{
    BATCH, bad_row, count_of, db_err, get, login_of, push_account_visible, push_school_visible,
    school_code_of, u32_of,
};

fn optional_login(row: &PgRow, column: &str) -> Result<Option<Login>> {
    get::<Option<String>>(row, column)?
        .map(|l| login_of(&l))
        .transpose()
}

/// Sorted, without repeats: the order every batch reads in.
fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = values.collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// `select` with one text-array parameter `$1`, run for a batch of
/// `values` at a time; every row.
async fn rows_for(conn: &mut PgConnection, select: &str, values: &[&str]) -> Result<Vec<PgRow>> {
    let mut out = Vec::new();
    for chunk in values.chunks(BATCH) {
        out.extend(
            sqlx::query(select)
                .bind(chunk)
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?,
        );
    }
    Ok(out)
}

/// A transaction for a matching write: READ COMMITTED whatever the
/// server's default, so each statement after the locks sees what committed
/// before it.
async fn begin_write(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>> {
    pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
        .await
        .map_err(db_err)
}

/// Ends the assignments `ids` of `table` (replaced by a call).
async fn end_assignments(
    conn: &mut PgConnection,
    table: &str,
    ids: &[i64],
    actor: Option<&str>,
    reason: &str,
    now: Millis,
) -> Result<()> {
    for chunk in ids.chunks(BATCH) {
        sqlx::query(&format!(
            "UPDATE {table} SET ended_at = $1, ended_by = $2, end_reason = $3 \
             WHERE id = ANY($4::bigint[]) AND ended_at IS NULL"
        ))
        .bind(now)
        .bind(actor)
        .bind(reason)
        .bind(chunk)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

/// The first of `loads` (by key: `(active, capacity)`) over its capacity.
fn first_over<K: Ord>(loads: BTreeMap<K, (u32, u32)>) -> Option<(K, u32, u32)> {
    loads
        .into_iter()
        .find(|(_, (active, capacity))| active > capacity)
        .map(|(key, (active, capacity))| (key, active, capacity))
}

// ---- methodist assignments --------------------------------------------------------

const ASSIGNMENT_COLUMNS: &str = "x.id, x.teacher, x.methodist, x.started_at, x.started_by, \
x.reasons, x.ended_at, x.ended_by, x.end_reason";

fn assignment_of(row: &PgRow) -> Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: get(row, "id")?,
        teacher: login_of(&get::<String>(row, "teacher")?)?,
        methodist: login_of(&get::<String>(row, "methodist")?)?,
        started_at: get(row, "started_at")?,
        started_by: optional_login(row, "started_by")?,
        reasons: parse_reasons(&get::<String>(row, "reasons")?)?,
        ended_at: get(row, "ended_at")?,
        ended_by: optional_login(row, "ended_by")?,
        end_reason: get(row, "end_reason")?,
    })
}

/// Locks the account rows of `logins` (sorted), in id order.
async fn lock_accounts(conn: &mut PgConnection, logins: &[&str]) -> Result<()> {
    rows_for(
        conn,
        "SELECT a.id FROM accounts a WHERE a.login = ANY($1::text[]) \
         ORDER BY a.id FOR NO KEY UPDATE",
        logins,
    )
    .await?;
    Ok(())
}

pub(crate) async fn assign_methodists(
    pool: &PgPool,
    auth: &RegionAuthority,
    new: Vec<NewAssignment>,
    enforce_capacity: bool,
    replace_reason: &str,
    now: Millis,
) -> Result<AssignCounts> {
    let teachers = unique(new.iter().map(|a| a.teacher.as_str()));
    let methodists = unique(new.iter().map(|a| a.methodist.as_str()));
    let mut tx = begin_write(pool).await?;
    // Teachers first, then methodists, whatever the call: no two calls
    // wait for each other in a circle.
    lock_accounts(&mut tx, &teachers).await?;
    rows_for(
        &mut tx,
        "SELECT me.account_id FROM methodists me JOIN accounts a ON a.id = me.account_id \
         WHERE a.login = ANY($1::text[]) ORDER BY me.account_id FOR UPDATE OF me",
        &methodists,
    )
    .await?;

    let valid_teachers = rows_for(
        &mut tx,
        "SELECT a.login FROM accounts a WHERE a.login = ANY($1::text[]) AND a.active \
         AND EXISTS (SELECT 1 FROM account_roles r \
           WHERE r.account_id = a.id AND r.role = 'teacher')",
        &teachers,
    )
    .await?
    .iter()
    .map(|r| login_of(&get::<String>(r, "login")?))
    .collect::<Result<HashSet<_>>>()?;
    let valid_methodists = rows_for(
        &mut tx,
        "SELECT a.login FROM accounts a JOIN methodists me ON me.account_id = a.id \
         WHERE a.login = ANY($1::text[]) AND a.active",
        &methodists,
    )
    .await?
    .iter()
    .map(|r| login_of(&get::<String>(r, "login")?))
    .collect::<Result<HashSet<_>>>()?;
    check_methodist_entries(&new, &valid_teachers, &valid_methodists)?;

    let mut active: HashMap<Login, (i64, Login)> = HashMap::new();
    for r in rows_for(
        &mut tx,
        "SELECT x.id, x.teacher, x.methodist FROM methodist_assignments x \
         WHERE x.teacher = ANY($1::text[]) AND x.ended_at IS NULL",
        &teachers,
    )
    .await?
    {
        active.insert(
            login_of(&get::<String>(&r, "teacher")?)?,
            (get(&r, "id")?, login_of(&get::<String>(&r, "methodist")?)?),
        );
    }
    let AssignPlan { counts, end, start } =
        plan_assignments(new.iter().map(|a| (&a.teacher, &a.methodist)), &active);
    if !end.is_empty() {
        check_reason(replace_reason)?;
    }
    let actor = auth.actor.as_ref().map(|l| l.as_str());
    end_assignments(
        &mut tx,
        "methodist_assignments",
        &end,
        actor,
        replace_reason,
        now,
    )
    .await?;
    for chunk in start.chunks(BATCH) {
        sqlx::query(
            "INSERT INTO methodist_assignments (teacher, methodist, started_at, started_by, \
             reasons) \
             SELECT t.teacher, t.methodist, $4, $5, t.reasons \
             FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(teacher, methodist, reasons)",
        )
        .bind(
            chunk
                .iter()
                .map(|&n| new[n].teacher.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| new[n].methodist.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| reasons_json(&new[n].reasons))
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .bind(actor)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }

    if enforce_capacity {
        let grown = unique(start.iter().map(|&n| new[n].methodist.as_str()));
        let mut loads: BTreeMap<Login, (u32, u32)> = BTreeMap::new();
        for r in rows_for(
            &mut tx,
            "SELECT a.login, me.capacity, (SELECT COUNT(*) FROM methodist_assignments x \
               WHERE x.methodist = a.login AND x.ended_at IS NULL) AS active \
             FROM methodists me JOIN accounts a ON a.id = me.account_id \
             WHERE a.login = ANY($1::text[])",
            &grown,
        )
        .await?
        {
            loads.insert(
                login_of(&get::<String>(&r, "login")?)?,
                (
                    count_of(get(&r, "active")?),
                    u32_of("methodist capacity", get::<i32>(&r, "capacity")?.into())?,
                ),
            );
        }
        if let Some((methodist, active, capacity)) = first_over(loads) {
            return Err(methodist_full(&methodist, active, capacity));
        }
    }
    write_audit(
        &mut tx,
        auth,
        "match methodists",
        assign_audit_object(&counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

pub(crate) async fn end_methodist_assignment(
    pool: &PgPool,
    auth: &RegionAuthority,
    teacher: &Login,
    reason: &str,
    now: Millis,
) -> Result<AssignmentRow> {
    check_reason(reason)?;
    let mut tx = begin_write(pool).await?;
    lock_accounts(&mut tx, &[teacher.as_str()]).await?;
    let row = sqlx::query(
        "UPDATE methodist_assignments x SET ended_at = $1, ended_by = $2, end_reason = $3 \
         WHERE x.teacher = $4 AND x.ended_at IS NULL \
         RETURNING x.id, x.teacher, x.methodist, x.started_at, x.started_by, x.reasons, \
           x.ended_at, x.ended_by, x.end_reason",
    )
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str()))
    .bind(reason)
    .bind(teacher.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let row = assignment_of(&row)?;
    write_audit(
        &mut tx,
        auth,
        "assignment end",
        methodist_end_audit_object(&row),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(row)
}

pub(crate) async fn methodist_assignments(
    pool: &PgPool,
    scope: &Scope,
    filter: &AssignmentFilter,
) -> Result<Vec<AssignmentRow>> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(ASSIGNMENT_COLUMNS).push(
        " FROM methodist_assignments x JOIN accounts a ON a.login = x.teacher \
             WHERE (",
    );
    push_account_visible(&mut qb, scope);
    if let Some(mentor) = &scope.mentees_of {
        qb.push(" OR x.methodist = ")
            .push_bind(mentor.as_str().to_owned());
    }
    qb.push(")");
    if filter.active_only {
        qb.push(" AND x.ended_at IS NULL");
    }
    if let Some(teacher) = &filter.teacher {
        qb.push(" AND x.teacher = ")
            .push_bind(teacher.as_str().to_owned());
    }
    if let Some(methodist) = &filter.methodist {
        qb.push(" AND x.methodist = ")
            .push_bind(methodist.as_str().to_owned());
    }
    qb.push(" ORDER BY x.started_at DESC, x.id DESC");
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(assignment_of).collect()
}

// ---- mentor-school assignments ------------------------------------------------------

const SCHOOL_ASSIGNMENT_COLUMNS: &str = "x.id, x.school, x.mentor_school, x.started_at, \
x.started_by, x.reasons, x.ended_at, x.ended_by, x.end_reason";

fn school_assignment_of(row: &PgRow) -> Result<SchoolAssignmentRow> {
    Ok(SchoolAssignmentRow {
        id: get(row, "id")?,
        school: school_code_of(&get::<String>(row, "school")?)?,
        mentor_school: school_code_of(&get::<String>(row, "mentor_school")?)?,
        started_at: get(row, "started_at")?,
        started_by: optional_login(row, "started_by")?,
        reasons: parse_reasons(&get::<String>(row, "reasons")?)?,
        ended_at: get(row, "ended_at")?,
        ended_by: optional_login(row, "ended_by")?,
        end_reason: get(row, "end_reason")?,
    })
}

/// Locks the school rows of `codes` (sorted), in id order.
async fn lock_schools(conn: &mut PgConnection, codes: &[&str]) -> Result<()> {
    rows_for(
        conn,
        "SELECT s.id FROM schools s WHERE s.code = ANY($1::text[]) \
         ORDER BY s.id FOR NO KEY UPDATE",
        codes,
    )
    .await?;
    Ok(())
}

pub(crate) async fn assign_mentor_schools(
    pool: &PgPool,
    auth: &RegionAuthority,
    new: Vec<NewSchoolAssignment>,
    enforce_capacity: bool,
    default_capacity: u32,
    replace_reason: &str,
    now: Millis,
) -> Result<AssignCounts> {
    let named = unique(
        new.iter()
            .flat_map(|a| [a.school.as_str(), a.mentor_school.as_str()]),
    );
    let schools = unique(new.iter().map(|a| a.school.as_str()));
    let mut tx = begin_write(pool).await?;
    // Both sides in one id order: a school mentored in one call may mentor
    // in another.
    lock_schools(&mut tx, &named).await?;

    let valid = rows_for(
        &mut tx,
        "SELECT s.code FROM schools s WHERE s.code = ANY($1::text[]) AND s.active",
        &named,
    )
    .await?
    .iter()
    .map(|r| school_code_of(&get::<String>(r, "code")?))
    .collect::<Result<HashSet<_>>>()?;
    check_school_entries(&new, &valid)?;

    let mut active: HashMap<SchoolCode, (i64, SchoolCode)> = HashMap::new();
    for r in rows_for(
        &mut tx,
        "SELECT x.id, x.school, x.mentor_school FROM mentor_school_assignments x \
         WHERE x.school = ANY($1::text[]) AND x.ended_at IS NULL",
        &schools,
    )
    .await?
    {
        active.insert(
            school_code_of(&get::<String>(&r, "school")?)?,
            (
                get(&r, "id")?,
                school_code_of(&get::<String>(&r, "mentor_school")?)?,
            ),
        );
    }
    let AssignPlan { counts, end, start } =
        plan_assignments(new.iter().map(|a| (&a.school, &a.mentor_school)), &active);
    if !end.is_empty() {
        check_reason(replace_reason)?;
    }
    let actor = auth.actor.as_ref().map(|l| l.as_str());
    end_assignments(
        &mut tx,
        "mentor_school_assignments",
        &end,
        actor,
        replace_reason,
        now,
    )
    .await?;
    for chunk in start.chunks(BATCH) {
        sqlx::query(
            "INSERT INTO mentor_school_assignments (school, mentor_school, started_at, \
             started_by, reasons) \
             SELECT t.school, t.mentor_school, $4, $5, t.reasons \
             FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(school, mentor_school, reasons)",
        )
        .bind(
            chunk
                .iter()
                .map(|&n| new[n].school.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| new[n].mentor_school.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|&n| reasons_json(&new[n].reasons))
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .bind(actor)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }

    if enforce_capacity {
        let grown = unique(start.iter().map(|&n| new[n].mentor_school.as_str()));
        let mut loads: BTreeMap<SchoolCode, (u32, u32)> = BTreeMap::new();
        for r in rows_for(
            &mut tx,
            "SELECT s.code, s.mentor_capacity, (SELECT COUNT(*) FROM mentor_school_assignments x \
               WHERE x.mentor_school = s.code AND x.ended_at IS NULL) AS active \
             FROM schools s WHERE s.code = ANY($1::text[])",
            &grown,
        )
        .await?
        {
            let capacity = match get::<Option<i32>>(&r, "mentor_capacity")? {
                Some(c) => u32_of("mentor capacity", c.into())?,
                None => default_capacity,
            };
            loads.insert(
                school_code_of(&get::<String>(&r, "code")?)?,
                (count_of(get(&r, "active")?), capacity),
            );
        }
        if let Some((school, active, capacity)) = first_over(loads) {
            return Err(mentor_school_full(&school, active, capacity));
        }
    }
    write_audit(
        &mut tx,
        auth,
        "match schools",
        assign_audit_object(&counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

pub(crate) async fn end_mentor_school_assignment(
    pool: &PgPool,
    auth: &RegionAuthority,
    school: &SchoolCode,
    reason: &str,
    now: Millis,
) -> Result<SchoolAssignmentRow> {
    check_reason(reason)?;
    let mut tx = begin_write(pool).await?;
    lock_schools(&mut tx, &[school.as_str()]).await?;
    let row = sqlx::query(
        "UPDATE mentor_school_assignments x SET ended_at = $1, ended_by = $2, end_reason = $3 \
         WHERE x.school = $4 AND x.ended_at IS NULL \
         RETURNING x.id, x.school, x.mentor_school, x.started_at, x.started_by, x.reasons, \
           x.ended_at, x.ended_by, x.end_reason",
    )
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str()))
    .bind(reason)
    .bind(school.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let row = school_assignment_of(&row)?;
    write_audit(
        &mut tx,
        auth,
        "mentor school end",
        school_end_audit_object(&row),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(row)
}

pub(crate) async fn mentor_school_assignments(
    pool: &PgPool,
    scope: &Scope,
    filter: &SchoolAssignmentFilter,
) -> Result<Vec<SchoolAssignmentRow>> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(SCHOOL_ASSIGNMENT_COLUMNS).push(
        " FROM mentor_school_assignments x WHERE EXISTS (SELECT 1 FROM schools s \
         JOIN municipalities m ON m.id = s.municipality_id \
         WHERE s.code IN (x.school, x.mentor_school) AND ",
    );
    push_school_visible(&mut qb, scope);
    qb.push(")");
    if filter.active_only {
        qb.push(" AND x.ended_at IS NULL");
    }
    if let Some(school) = &filter.school {
        qb.push(" AND x.school = ")
            .push_bind(school.as_str().to_owned());
    }
    if let Some(m) = &filter.municipality {
        qb.push(
            " AND EXISTS (SELECT 1 FROM schools fs \
             JOIN municipalities fm ON fm.id = fs.municipality_id \
             WHERE fs.code IN (x.school, x.mentor_school) AND fm.code = ",
        )
        .push_bind(m.as_str().to_owned())
        .push(")");
    }
    qb.push(" ORDER BY x.started_at DESC, x.id DESC");
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(school_assignment_of).collect()
}

// ---- proposals ------------------------------------------------------------------------

pub(crate) async fn save_match_run(
    pool: &PgPool,
    auth: &RegionAuthority,
    run: MatchRun,
) -> Result<()> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query(
        "INSERT INTO match_runs (kind, run_at, run_by, result) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind) DO UPDATE SET run_at = excluded.run_at, run_by = excluded.run_by, \
         result = excluded.result",
    )
    .bind(run.kind.as_str())
    .bind(run.run_at)
    .bind(run.run_by.as_ref().map(|l| l.as_str()))
    .bind(&run.result)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    write_audit(
        &mut tx,
        auth,
        "match run",
        match_run_audit_object(run.kind),
        run.run_at,
    )
    .await?;
    tx.commit().await.map_err(db_err)
}

pub(crate) async fn match_run(pool: &PgPool, kind: MatchKind) -> Result<Option<MatchRun>> {
    let row = sqlx::query("SELECT kind, run_at, run_by, result FROM match_runs WHERE kind = $1")
        .bind(kind.as_str())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|r| {
        let kind: String = get(&r, "kind")?;
        Ok(MatchRun {
            kind: MatchKind::parse(&kind).map_err(|e| bad_row("match kind", &kind, e))?,
            run_at: get(&r, "run_at")?,
            run_by: optional_login(&r, "run_by")?,
            result: get(&r, "result")?,
        })
    })
    .transpose()
}

// ---- consultations -----------------------------------------------------------------------

fn consultation_of(row: &PgRow) -> Result<ConsultationRow> {
    Ok(ConsultationRow {
        id: get(row, "id")?,
        mentor: login_of(&get::<String>(row, "mentor")?)?,
        teacher: login_of(&get::<String>(row, "teacher")?)?,
        held_on: get(row, "held_on")?,
        form: get(row, "form")?,
        topic: get(row, "topic")?,
        result: get(row, "result")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) async fn add_consultation(
    pool: &PgPool,
    mentor: &Login,
    c: NewConsultation,
    now: Millis,
) -> Result<ConsultationRow> {
    check_consultation(&c)?;
    let mut tx = begin_write(pool).await?;
    let assignment: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM methodist_assignments \
         WHERE teacher = $1 AND methodist = $2 AND ended_at IS NULL FOR SHARE",
    )
    .bind(c.teacher.as_str())
    .bind(mentor.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    if assignment.is_none() {
        return Err(not_a_mentee());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO consultations (mentor, teacher, held_on, form, topic, result, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(mentor.as_str())
    .bind(c.teacher.as_str())
    .bind(c.held_on)
    .bind(&c.form)
    .bind(&c.topic)
    .bind(&c.result)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    write_actor_audit(
        &mut tx,
        mentor,
        "consultation",
        consultation_audit_object(&c.teacher, c.held_on),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(ConsultationRow {
        id,
        mentor: mentor.clone(),
        teacher: c.teacher,
        held_on: c.held_on,
        form: c.form,
        topic: c.topic,
        result: c.result,
        created_at: now,
    })
}

pub(crate) async fn consultations(
    pool: &PgPool,
    scope: &Scope,
    teacher: &Login,
) -> Result<Vec<ConsultationRow>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT c.id, c.mentor, c.teacher, c.held_on, c.form, c.topic, c.result, c.created_at \
         FROM consultations c JOIN accounts a ON a.login = c.teacher WHERE c.teacher = ",
    );
    qb.push_bind(teacher.as_str().to_owned()).push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(" ORDER BY c.held_on DESC, c.id DESC");
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(consultation_of).collect()
}

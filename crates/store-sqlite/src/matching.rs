//! The matching area on SQLite: methodist and mentor-school assignments,
//! the latest proposal of each matching, consultations. Every write begins
//! `IMMEDIATE`, so what it decides (unchanged or replaced, the last place
//! of a methodist or a mentor school, a mentee still assigned) holds
//! against whatever another process wrote meanwhile: SQLite has one writer
//! at a time.

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::{Login, RegionAuthority, SchoolCode, Scope};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use store::matching::{
    AssignPlan, assign_audit_object, check_consultation, check_methodist_entries, check_reason,
    check_school_entries, consultation_audit_object, match_run_audit_object, mentor_school_full,
    methodist_end_audit_object, methodist_full, not_a_mentee, parse_reasons, plan_assignments,
    reasons_json, school_end_audit_object,
};
use store::{
    AssignCounts, AssignmentFilter, AssignmentRow, ConsultationRow, MatchKind, MatchRun, Millis,
    NewAssignment, NewConsultation, NewSchoolAssignment, Result, SchoolAssignmentFilter,
    SchoolAssignmentRow, StoreError, parse_stored_date,
};

use crate::diagnostics::{date_text, write_audit};
use crate::routes::write_actor_audit;
use crate::{
    BATCH, bad_row, count_of, db_err, get, login_of, push_account_visible, push_in,
    push_school_visible, school_code_of, u32_of,
};

fn optional_login(row: &SqliteRow, column: &str) -> Result<Option<Login>> {
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

/// `select` (ending in `WHERE … AND ` or `WHERE `) with `column IN
/// (values)`, a batch of values per statement; every row.
async fn rows_in(
    conn: &mut SqliteConnection,
    select: &str,
    column: &str,
    values: &[&str],
) -> Result<Vec<SqliteRow>> {
    let mut out = Vec::new();
    for chunk in values.chunks(BATCH) {
        let mut qb = QueryBuilder::<Sqlite>::new(select);
        push_in(&mut qb, column, chunk.iter().copied());
        out.extend(qb.build().fetch_all(&mut *conn).await.map_err(db_err)?);
    }
    Ok(out)
}

/// Ends the assignments `ids` of `table` (replaced by a call).
async fn end_assignments(
    conn: &mut SqliteConnection,
    table: &str,
    ids: &[i64],
    actor: Option<&str>,
    reason: &str,
    now: Millis,
) -> Result<()> {
    for id in ids {
        sqlx::query(&format!(
            "UPDATE {table} SET ended_at = ?, ended_by = ?, end_reason = ? \
             WHERE id = ? AND ended_at IS NULL"
        ))
        .bind(now)
        .bind(actor)
        .bind(reason)
        .bind(id)
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

fn assignment_of(row: &SqliteRow) -> Result<AssignmentRow> {
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

async fn assignment_by_id(conn: &mut SqliteConnection, id: i64) -> Result<AssignmentRow> {
    let row = sqlx::query(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM methodist_assignments x WHERE x.id = ?"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    assignment_of(&row)
}

pub(crate) async fn assign_methodists(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    new: Vec<NewAssignment>,
    enforce_capacity: bool,
    replace_reason: &str,
    now: Millis,
) -> Result<AssignCounts> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let teachers = unique(new.iter().map(|a| a.teacher.as_str()));
    let methodists = unique(new.iter().map(|a| a.methodist.as_str()));

    let valid_teachers = rows_in(
        &mut tx,
        "SELECT a.login FROM accounts a WHERE a.active AND EXISTS (SELECT 1 FROM \
         account_roles r WHERE r.account_id = a.id AND r.role = 'teacher') AND ",
        "a.login",
        &teachers,
    )
    .await?
    .iter()
    .map(|r| login_of(&get::<String>(r, "login")?))
    .collect::<Result<HashSet<_>>>()?;
    let valid_methodists = rows_in(
        &mut tx,
        "SELECT a.login FROM accounts a JOIN methodists me ON me.account_id = a.id \
         WHERE a.active AND ",
        "a.login",
        &methodists,
    )
    .await?
    .iter()
    .map(|r| login_of(&get::<String>(r, "login")?))
    .collect::<Result<HashSet<_>>>()?;
    check_methodist_entries(&new, &valid_teachers, &valid_methodists)?;

    let mut active: HashMap<Login, (i64, Login)> = HashMap::new();
    for r in rows_in(
        &mut tx,
        "SELECT x.id, x.teacher, x.methodist FROM methodist_assignments x \
         WHERE x.ended_at IS NULL AND ",
        "x.teacher",
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
    for &n in &start {
        let a = &new[n];
        sqlx::query(
            "INSERT INTO methodist_assignments (teacher, methodist, started_at, started_by, \
             reasons) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(a.teacher.as_str())
        .bind(a.methodist.as_str())
        .bind(now)
        .bind(actor)
        .bind(reasons_json(&a.reasons))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }

    if enforce_capacity {
        let grown = unique(start.iter().map(|&n| new[n].methodist.as_str()));
        let mut loads: BTreeMap<Login, (u32, u32)> = BTreeMap::new();
        for r in rows_in(
            &mut tx,
            "SELECT a.login, me.capacity, (SELECT COUNT(*) FROM methodist_assignments x \
               WHERE x.methodist = a.login AND x.ended_at IS NULL) AS active \
             FROM methodists me JOIN accounts a ON a.id = me.account_id WHERE ",
            "a.login",
            &grown,
        )
        .await?
        {
            loads.insert(
                login_of(&get::<String>(&r, "login")?)?,
                (
                    count_of(get(&r, "active")?),
                    u32_of("methodist capacity", get(&r, "capacity")?)?,
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
    pool: &SqlitePool,
    auth: &RegionAuthority,
    teacher: &Login,
    reason: &str,
    now: Millis,
) -> Result<AssignmentRow> {
    check_reason(reason)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let id: i64 = sqlx::query_scalar(
        "UPDATE methodist_assignments SET ended_at = ?, ended_by = ?, end_reason = ? \
         WHERE teacher = ? AND ended_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str()))
    .bind(reason)
    .bind(teacher.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let row = assignment_by_id(&mut tx, id).await?;
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
    pool: &SqlitePool,
    scope: &Scope,
    filter: &AssignmentFilter,
) -> Result<Vec<AssignmentRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT ");
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

fn school_assignment_of(row: &SqliteRow) -> Result<SchoolAssignmentRow> {
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

pub(crate) async fn assign_mentor_schools(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    new: Vec<NewSchoolAssignment>,
    enforce_capacity: bool,
    default_capacity: u32,
    replace_reason: &str,
    now: Millis,
) -> Result<AssignCounts> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let named = unique(
        new.iter()
            .flat_map(|a| [a.school.as_str(), a.mentor_school.as_str()]),
    );
    let valid = rows_in(
        &mut tx,
        "SELECT s.code FROM schools s WHERE s.active AND ",
        "s.code",
        &named,
    )
    .await?
    .iter()
    .map(|r| school_code_of(&get::<String>(r, "code")?))
    .collect::<Result<HashSet<_>>>()?;
    check_school_entries(&new, &valid)?;

    let schools = unique(new.iter().map(|a| a.school.as_str()));
    let mut active: HashMap<SchoolCode, (i64, SchoolCode)> = HashMap::new();
    for r in rows_in(
        &mut tx,
        "SELECT x.id, x.school, x.mentor_school FROM mentor_school_assignments x \
         WHERE x.ended_at IS NULL AND ",
        "x.school",
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
    for &n in &start {
        let a = &new[n];
        sqlx::query(
            "INSERT INTO mentor_school_assignments (school, mentor_school, started_at, \
             started_by, reasons) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(a.school.as_str())
        .bind(a.mentor_school.as_str())
        .bind(now)
        .bind(actor)
        .bind(reasons_json(&a.reasons))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }

    if enforce_capacity {
        let grown = unique(start.iter().map(|&n| new[n].mentor_school.as_str()));
        let mut loads: BTreeMap<SchoolCode, (u32, u32)> = BTreeMap::new();
        for r in rows_in(
            &mut tx,
            "SELECT s.code, s.mentor_capacity, (SELECT COUNT(*) FROM mentor_school_assignments x \
               WHERE x.mentor_school = s.code AND x.ended_at IS NULL) AS active \
             FROM schools s WHERE ",
            "s.code",
            &grown,
        )
        .await?
        {
            let capacity = match get::<Option<i64>>(&r, "mentor_capacity")? {
                Some(c) => u32_of("mentor capacity", c)?,
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
    pool: &SqlitePool,
    auth: &RegionAuthority,
    school: &SchoolCode,
    reason: &str,
    now: Millis,
) -> Result<SchoolAssignmentRow> {
    check_reason(reason)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let id: i64 = sqlx::query_scalar(
        "UPDATE mentor_school_assignments SET ended_at = ?, ended_by = ?, end_reason = ? \
         WHERE school = ? AND ended_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str()))
    .bind(reason)
    .bind(school.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let row = sqlx::query(&format!(
        "SELECT {SCHOOL_ASSIGNMENT_COLUMNS} FROM mentor_school_assignments x WHERE x.id = ?"
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
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
    pool: &SqlitePool,
    scope: &Scope,
    filter: &SchoolAssignmentFilter,
) -> Result<Vec<SchoolAssignmentRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT ");
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
    pool: &SqlitePool,
    auth: &RegionAuthority,
    run: MatchRun,
) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    sqlx::query(
        "INSERT INTO match_runs (kind, run_at, run_by, result) VALUES (?, ?, ?, ?) \
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

pub(crate) async fn match_run(pool: &SqlitePool, kind: MatchKind) -> Result<Option<MatchRun>> {
    let row = sqlx::query("SELECT kind, run_at, run_by, result FROM match_runs WHERE kind = ?")
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

fn consultation_of(row: &SqliteRow) -> Result<ConsultationRow> {
    Ok(ConsultationRow {
        id: get(row, "id")?,
        mentor: login_of(&get::<String>(row, "mentor")?)?,
        teacher: login_of(&get::<String>(row, "teacher")?)?,
        held_on: parse_stored_date(&get::<String>(row, "held_on")?)?,
        form: get(row, "form")?,
        topic: get(row, "topic")?,
        result: get(row, "result")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) async fn add_consultation(
    pool: &SqlitePool,
    mentor: &Login,
    c: NewConsultation,
    now: Millis,
) -> Result<ConsultationRow> {
    check_consultation(&c)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let mentee: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM methodist_assignments \
         WHERE teacher = ? AND methodist = ? AND ended_at IS NULL)",
    )
    .bind(c.teacher.as_str())
    .bind(mentor.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    if !mentee {
        return Err(not_a_mentee());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO consultations (mentor, teacher, held_on, form, topic, result, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(mentor.as_str())
    .bind(c.teacher.as_str())
    .bind(date_text(c.held_on))
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
    pool: &SqlitePool,
    scope: &Scope,
    teacher: &Login,
) -> Result<Vec<ConsultationRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.id, c.mentor, c.teacher, c.held_on, c.form, c.topic, c.result, c.created_at \
         FROM consultations c JOIN accounts a ON a.login = c.teacher WHERE c.teacher = ",
    );
    qb.push_bind(teacher.as_str().to_owned()).push(" AND ");
    push_account_visible(&mut qb, scope);
    qb.push(" ORDER BY c.held_on DESC, c.id DESC");
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(consultation_of).collect()
}

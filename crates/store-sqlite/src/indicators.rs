//! The indicators counted by SQLite (`store::indicators`): one pass over
//! the teachers in scope with their facts looked up, grouped by school.
//!
//! The statement follows `store-postgres`'s (same CTEs, `$n` parameters)
//! but for how each teacher meets its facts: SQLite's planner may scan a
//! CTE once per teacher where it guesses the CTE small, so each fact is an
//! uncorrelated `IN` list (built once into an index, whatever the guess)
//! rather than a join, and the CTEs read more than once are materialized.
//! Days are bound as `YYYY-MM-DD` text, which orders as the days do.

use domain::indicators::{Indicator, Share, Where};
use domain::{RegionAuthority, SchoolCode};
use sqlx::sqlite::SqliteRow;
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use store::indicators::{
    TEACHER_INDICATORS, count_of, den_column, num_column, sort_members, sort_tallies,
};
use store::{IndicatorMember, IndicatorQuery, IndicatorTally, Result};

use crate::diagnostics::date_text;
use crate::{db_err, get, municipality_code_of, school_code_of};

/// Which teachers a statement counts (`$10` is the code when scoped).
enum Teachers {
    Region,
    Municipality,
    School,
}

/// The teachers in scope and, per teacher, 0/1 flags for every indicator
/// but `mentor_school_coverage`: `<indicator>_den` (in the denominator)
/// and `<indicator>_num` (in the numerator, only with `_den`), in `g`.
///
/// Parameters: `$1` period.from, `$2` period.to, `$3` the state date, `$4`
/// level_after, `$5` hired_since (days); `$6` young_under_years; `$7`
/// period_start, `$8` period_end, `$9` state_end (instants); `$10` the
/// municipality's or school's code when scoped.
///
/// Each fact is read once into a CTE with at most one row per account,
/// then looked up per teacher in an `IN` list, so that the plan is a few
/// scans and index probes whatever the region's size. The diagnostics are
/// read in one window per (account, bank) in the rules' order (day, then
/// record), which
/// `diagnostics_history_idx` gives without a sort: the row before gives
/// growth's earlier percent, and the next row's day tells whether a row is
/// the latest on the state date (the level) or by the period's end
/// (growth, and whether any was taken in the period: the latest by its end
/// is the latest of all taken in it); no other row counts. In a narrower scope every fact is read only for the accounts
/// of the scope's schools (through the accounts' indexes).
fn teacher_flags(scope: Teachers) -> String {
    // The scope's schools; every fact is read only for the accounts in
    // them (the join with `t` then keeps the teachers).
    let schools = match scope {
        Teachers::Region => None,
        Teachers::Municipality => Some(
            "SELECT s.id FROM schools s \
             JOIN municipalities m ON m.id = s.municipality_id WHERE m.code = $10",
        ),
        Teachers::School => Some("SELECT id FROM schools WHERE code = $10"),
    };
    let teachers = schools.map_or(String::new(), |q| format!(" AND a.school_id IN ({q})"));
    let accounts = |column: &str, key: &str| {
        schools.map_or(String::new(), |q| {
            format!(" AND {column} IN (SELECT {key} FROM accounts WHERE school_id IN ({q}))")
        })
    };
    let only = accounts("account_id", "id");
    let only_routes = accounts("r.account_id", "id");
    let only_logins = accounts("teacher", "login");
    format!(
        "WITH t AS MATERIALIZED ( \
            SELECT a.id, a.login, a.school_id, a.students_low_results AS low, \
                   a.experience_years, a.hired_on \
            FROM accounts a \
            WHERE a.active \
              AND EXISTS (SELECT 1 FROM account_roles r \
                  WHERE r.account_id = a.id AND r.role = 'teacher'){teachers} \
        ), \
        dg AS ( \
            SELECT account_id, taken_on, overall_level, overall_percent AS p, \
                   LAG(overall_percent) OVER w AS prev, LEAD(taken_on) OVER w AS next_on \
            FROM diagnostics \
            WHERE taken_on <= $2{only} \
            WINDOW w AS (PARTITION BY account_id, bank_id ORDER BY taken_on, id) \
        ), \
        dx AS MATERIALIZED ( \
            SELECT account_id, \
                MAX(CASE WHEN taken_on > $4 AND taken_on <= $3 \
                    AND (next_on IS NULL OR next_on > $3) \
                    THEN CASE overall_level WHEN 'critical' THEN 3 WHEN 'high' THEN 2 \
                        WHEN 'reduced' THEN 1 ELSE 0 END END) AS severity, \
                MAX(CASE WHEN next_on IS NULL AND taken_on >= $1 THEN 1 ELSE 0 END) AS took, \
                MAX(CASE WHEN next_on IS NULL AND prev IS NOT NULL AND taken_on >= $1 \
                    THEN 1 ELSE 0 END) AS compared, \
                MAX(CASE WHEN next_on IS NULL AND prev IS NOT NULL AND taken_on >= $1 \
                    AND p > prev THEN 1 ELSE 0 END) AS grew \
            FROM dg WHERE next_on IS NULL OR next_on > $3 GROUP BY account_id \
        ), \
        rt AS MATERIALIZED ( \
            SELECT account_id, \
                   MAX(CASE WHEN period_to >= $1 AND period_to <= $2 THEN 1 ELSE 0 END) AS due, \
                   MAX(CASE WHEN period_to >= $1 AND period_to <= $2 \
                       AND (completed_at IS NULL OR completed_at >= $9) THEN 1 ELSE 0 END) \
                       AS due_open \
            FROM routes WHERE approved_at < $9{only} GROUP BY account_id \
        ), \
        tc AS ( \
            SELECT r.account_id FROM route_steps st JOIN routes r ON r.id = st.route_id \
            WHERE st.kind IN ('course', 'retraining') AND st.status = 'confirmed' \
              AND st.reviewed_at >= $7 AND st.reviewed_at < $8{only_routes} \
            UNION \
            SELECT account_id FROM trainings \
            WHERE kind IN ('course', 'retraining') \
              AND completed_on >= $1 AND completed_on <= $2{only} \
        ), \
        ma AS ( \
            SELECT DISTINCT teacher FROM methodist_assignments \
            WHERE started_at < $9 AND (ended_at IS NULL OR ended_at >= $9){only_logins} \
        ), \
        f AS ( \
            SELECT t.login, t.school_id, \
                CASE WHEN t.low AND t.school_id IN (SELECT id FROM schools \
                    WHERE low_results OR risk_low_results OR adverse_conditions) \
                    THEN 1 ELSE 0 END AS diagnostics_coverage_den, \
                t.id IN (SELECT account_id FROM dx WHERE took = 1) AS dc_hit, \
                t.id IN (SELECT account_id FROM dx WHERE severity >= 2) AS route_assigned_den, \
                t.id IN (SELECT account_id FROM rt) AS ra_hit, \
                t.id IN (SELECT account_id FROM rt WHERE due = 1) AS route_completion_den, \
                t.id NOT IN (SELECT account_id FROM rt WHERE due_open = 1) AS rc_hit, \
                CASE WHEN t.low THEN 1 ELSE 0 END AS training_coverage_den, \
                t.id IN (SELECT account_id FROM tc) AS tc_hit, \
                CASE WHEN t.id IN (SELECT account_id FROM dx WHERE severity = 3) \
                    OR t.experience_years < $6 OR (t.hired_on >= $5 AND t.hired_on <= $3) \
                    THEN 1 ELSE 0 END AS methodist_coverage_den, \
                t.login IN (SELECT teacher FROM ma) AS mc_hit, \
                t.id IN (SELECT account_id FROM dx WHERE compared = 1) AS growth_den, \
                t.id IN (SELECT account_id FROM dx WHERE grew = 1) AS growth_num \
            FROM t \
        ), \
        g AS ( \
            SELECT login, school_id, \
                diagnostics_coverage_den, diagnostics_coverage_den * dc_hit \
                    AS diagnostics_coverage_num, \
                route_assigned_den, route_assigned_den * ra_hit AS route_assigned_num, \
                route_completion_den, route_completion_den * rc_hit AS route_completion_num, \
                training_coverage_den, training_coverage_den * tc_hit AS training_coverage_num, \
                methodist_coverage_den, methodist_coverage_den * mc_hit \
                    AS methodist_coverage_num, \
                growth_den, growth_num \
            FROM f \
        ) "
    )
}

/// Binds `q` as `$1` … `$9` of [`teacher_flags`].
fn bind_query<'q>(
    sql: &'q str,
    q: &IndicatorQuery,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    sqlx::query(sql)
        .bind(date_text(q.period.from))
        .bind(date_text(q.period.to))
        .bind(date_text(q.state_date))
        .bind(date_text(q.level_after))
        .bind(date_text(q.hired_since))
        .bind(q.young_under_years)
        .bind(q.period_start)
        .bind(q.period_end)
        .bind(q.state_end)
}

fn share_of(row: &SqliteRow, indicator: Indicator) -> Result<Share> {
    let numerator: i64 = get(row, &num_column(indicator))?;
    let denominator: i64 = get(row, &den_column(indicator))?;
    Ok(Share {
        numerator: count_of(indicator.as_str(), numerator)?,
        denominator: count_of(indicator.as_str(), denominator)?,
    })
}

/// A transaction for one count, so that its statements read one snapshot
/// (the teachers' and the schools' figures agree).
async fn begin_counting(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    pool.begin().await.map_err(db_err)
}

/// The critical active schools in scope, each with whether a mentor
/// school is active on the state date: `$1` is state_end, `$2` the code
/// when scoped.
async fn mentor_rows(
    conn: &mut SqliteConnection,
    q: &IndicatorQuery,
    at: &Where,
) -> Result<Vec<SqliteRow>> {
    let (scope, code) = scope_of(at);
    let only = match scope {
        Teachers::Region => "",
        Teachers::Municipality => " AND m.code = $2",
        Teachers::School => " AND s.code = $2",
    };
    let sql = format!(
        "SELECT s.code AS school, m.code AS municipality, \
             CASE WHEN s.code IN (SELECT school FROM mentor_school_assignments \
                 WHERE started_at < $1 AND (ended_at IS NULL OR ended_at >= $1)) \
                 THEN 1 ELSE 0 END AS counted \
         FROM schools s JOIN municipalities m ON m.id = s.municipality_id \
         WHERE s.active AND s.critical_monitoring{only}"
    );
    let mut query = sqlx::query(&sql).bind(q.state_end);
    if let Some(code) = code {
        query = query.bind(code);
    }
    query.fetch_all(&mut *conn).await.map_err(db_err)
}

/// The teachers a scope counts, and the code to bind as its parameter.
fn scope_of(at: &Where) -> (Teachers, Option<&str>) {
    match at {
        Where::Region => (Teachers::Region, None),
        Where::Municipality(m) => (Teachers::Municipality, Some(m.as_str())),
        Where::School(c) => (Teachers::School, Some(c.as_str())),
    }
}

pub(crate) async fn indicator_tallies(
    pool: &SqlitePool,
    _auth: &RegionAuthority,
    q: &IndicatorQuery,
    at: &Where,
) -> Result<Vec<IndicatorTally>> {
    let (scope, code) = scope_of(at);
    let sums = TEACHER_INDICATORS
        .iter()
        .map(|&i| {
            format!(
                "SUM({den}) AS {den}, SUM({num}) AS {num}",
                den = den_column(i),
                num = num_column(i)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    // Grouped by the school's id first: a hash of a few thousand groups,
    // then the codes of those few thousand rows.
    let sql = format!(
        "{flags} SELECT s.code AS school, m.code AS municipality, x.* \
         FROM (SELECT school_id, {sums} FROM g GROUP BY school_id) x \
         LEFT JOIN schools s ON s.id = x.school_id \
         LEFT JOIN municipalities m ON m.id = s.municipality_id",
        flags = teacher_flags(scope)
    );
    let mut query = bind_query(&sql, q);
    if let Some(code) = code {
        query = query.bind(code);
    }
    let mut tx = begin_counting(pool).await?;
    let rows = query.fetch_all(&mut *tx).await.map_err(db_err)?;
    let mut out = Vec::new();
    for row in &rows {
        let school = get::<Option<String>>(row, "school")?
            .map(|c| school_code_of(&c))
            .transpose()?;
        let municipality = get::<Option<String>>(row, "municipality")?
            .map(|c| municipality_code_of(&c))
            .transpose()?;
        for indicator in TEACHER_INDICATORS {
            let share = share_of(row, indicator)?;
            if share.denominator > 0 {
                out.push(IndicatorTally {
                    indicator,
                    school: school.clone(),
                    municipality: municipality.clone(),
                    share,
                });
            }
        }
    }
    let mentored = mentor_rows(&mut tx, q, at).await?;
    tx.commit().await.map_err(db_err)?;
    for row in mentored {
        let counted: i64 = get(&row, "counted")?;
        out.push(IndicatorTally {
            indicator: Indicator::MentorSchoolCoverage,
            school: Some(school_code_of(&get::<String>(&row, "school")?)?),
            municipality: Some(municipality_code_of(&get::<String>(&row, "municipality")?)?),
            share: Share {
                numerator: count_of("mentor_school_coverage", counted)?,
                denominator: 1,
            },
        });
    }
    sort_tallies(&mut out);
    Ok(out)
}

pub(crate) async fn indicator_members(
    pool: &SqlitePool,
    _auth: &RegionAuthority,
    q: &IndicatorQuery,
    school: &SchoolCode,
) -> Result<Vec<IndicatorMember>> {
    let sql = format!("{} SELECT * FROM g", teacher_flags(Teachers::School));
    let mut tx = begin_counting(pool).await?;
    let rows = bind_query(&sql, q)
        .bind(school.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut out = Vec::new();
    for row in &rows {
        let login: String = get(row, "login")?;
        for indicator in TEACHER_INDICATORS {
            let share = share_of(row, indicator)?;
            if share.denominator > 0 {
                out.push(IndicatorMember {
                    indicator,
                    id: login.clone(),
                    counted: share.numerator > 0,
                });
            }
        }
    }
    let mentored = mentor_rows(&mut tx, q, &Where::School(school.clone())).await?;
    tx.commit().await.map_err(db_err)?;
    for row in mentored {
        let counted: i64 = get(&row, "counted")?;
        out.push(IndicatorMember {
            indicator: Indicator::MentorSchoolCoverage,
            id: get(&row, "school")?,
            counted: counted > 0,
        });
    }
    sort_members(&mut out);
    Ok(out)
}

//! The indicators counted by PostgreSQL (`store::indicators`): one pass
//! over the teachers in scope with their facts joined in, grouped by school.
//!
//! The statement follows `store-sqlite`'s (same CTEs, `$n` parameters),
//! but each teacher meets its facts through left joins (hash joins here;
//! SQLite looks them up in `IN` lists instead). Days are bound as `date`;
//! one teacher's flags are read as `integer`, sums as `bigint`.

use domain::indicators::{Indicator, Share, Where};
use domain::{RegionAuthority, SchoolCode};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use store::indicators::{
    TEACHER_INDICATORS, count_of, den_column, num_column, sort_members, sort_tallies,
};
use store::{IndicatorMember, IndicatorQuery, IndicatorTally, Result};

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
/// municipality's or school's code when scoped; for the region counted in
/// parts, `$10`/`$11` the account-id range instead. Teachers who can enter no
/// denominator (not `low`, not young or newly hired, no diagnostic, no
/// approved route) are dropped before grouping: they add 0 to every sum.
///
/// Each fact is read once into a CTE with at most one row per account,
/// then left-joined, so that the plan is a few scans and hash joins
/// whatever the region's size. The diagnostics are read in one window per
/// (account, bank) in the rules' order (day, then record), which
/// `diagnostics_history_idx` gives without a sort: the row before gives
/// growth's earlier percent, and the next row's day tells whether a row is
/// the latest on the state date (the level) or by the period's end
/// (growth, and whether any was taken in the period: the latest by its end
/// is the latest of all taken in it); no other row counts. In a narrower scope every fact is read only for the accounts
/// of the scope's schools (through the accounts' indexes).
fn teacher_flags(scope: Teachers, ranged: bool) -> String {
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
    // The region counted in parts: the accounts with `$10 <= id < $11`
    // (a scoped count is never split; see `indicator_tallies`).
    let range = (ranged && schools.is_none()).then_some("id >= $10 AND id < $11");
    let teachers = match (schools, range) {
        (Some(q), _) => format!(" AND a.school_id IN ({q})"),
        (None, Some(r)) => format!(" AND a.{r}"),
        (None, None) => String::new(),
    };
    let accounts = |column: &str, key: &str| match (schools, range) {
        (Some(q), _) => {
            format!(" AND {column} IN (SELECT {key} FROM accounts WHERE school_id IN ({q}))")
        }
        (None, Some(_)) if key == "id" => format!(" AND {column} >= $10 AND {column} < $11"),
        (None, Some(r)) => format!(" AND {column} IN (SELECT {key} FROM accounts WHERE {r})"),
        (None, None) => String::new(),
    };
    let only = accounts("account_id", "id");
    let only_routes = accounts("r.account_id", "id");
    let only_logins = accounts("teacher", "login");
    format!(
        "WITH t AS ( \
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
        dx AS ( \
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
        rt AS ( \
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
                COALESCE(dx.took, 0) AS dc_hit, \
                CASE WHEN dx.severity >= 2 THEN 1 ELSE 0 END AS route_assigned_den, \
                CASE WHEN rt.account_id IS NOT NULL THEN 1 ELSE 0 END AS ra_hit, \
                COALESCE(rt.due, 0) AS route_completion_den, \
                1 - COALESCE(rt.due_open, 0) AS rc_hit, \
                CASE WHEN t.low THEN 1 ELSE 0 END AS training_coverage_den, \
                CASE WHEN tc.account_id IS NOT NULL THEN 1 ELSE 0 END AS tc_hit, \
                CASE WHEN dx.severity = 3 OR t.experience_years < $6 \
                    OR (t.hired_on >= $5 AND t.hired_on <= $3) \
                    THEN 1 ELSE 0 END AS methodist_coverage_den, \
                CASE WHEN ma.teacher IS NOT NULL THEN 1 ELSE 0 END AS mc_hit, \
                COALESCE(dx.compared, 0) AS growth_den, \
                COALESCE(dx.grew, 0) AS growth_num \
            FROM t \
            LEFT JOIN dx ON dx.account_id = t.id \
            LEFT JOIN rt ON rt.account_id = t.id \
            LEFT JOIN tc ON tc.account_id = t.id \
            LEFT JOIN ma ON ma.teacher = t.login \
            WHERE t.low OR t.experience_years < $6 OR (t.hired_on >= $5 AND t.hired_on <= $3) \
               OR dx.account_id IS NOT NULL OR rt.account_id IS NOT NULL \
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
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql)
        .bind(q.period.from)
        .bind(q.period.to)
        .bind(q.state_date)
        .bind(q.level_after)
        .bind(q.hired_since)
        .bind(q.young_under_years)
        .bind(q.period_start)
        .bind(q.period_end)
        .bind(q.state_end)
}

/// The indicator's share in `row`: `T` is `i64` for sums (`bigint`), `i32`
/// for one teacher's flags (`integer`).
fn share_of<T>(row: &PgRow, indicator: Indicator) -> Result<Share>
where
    T: Into<i64> + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    let numerator: T = get(row, &num_column(indicator))?;
    let denominator: T = get(row, &den_column(indicator))?;
    Ok(Share {
        numerator: count_of(indicator.as_str(), numerator.into())?,
        denominator: count_of(indicator.as_str(), denominator.into())?,
    })
}

/// A read-only transaction for one count: its statements see one snapshot
/// (the teachers' and the schools' figures agree), without JIT compilation
/// (it costs more than it saves on a few hundred thousand rows) and with
/// room to sort and hash a region's teachers in memory.
async fn begin_counting(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    begin_counting_in(pool, None).await
}

/// [`begin_counting`], reading `snapshot` (exported by another counting
/// transaction) when given.
async fn begin_counting_in(
    pool: &PgPool,
    snapshot: Option<&str>,
) -> Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("SET TRANSACTION READ ONLY ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    if let Some(id) = snapshot {
        // The identifier is PostgreSQL's own (`pg_export_snapshot`), not
        // user input; SET TRANSACTION SNAPSHOT takes no bind parameter.
        if !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(store::StoreError::Other(format!(
                "unexpected snapshot id {id:?}"
            )));
        }
        sqlx::query(&format!("SET TRANSACTION SNAPSHOT '{id}'"))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    sqlx::query("SET LOCAL jit = off")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    sqlx::query("SET LOCAL work_mem = '64MB'")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    Ok(tx)
}

/// The critical active schools in scope, each with whether a mentor
/// school is active on the state date: `$1` is state_end, `$2` the code
/// when scoped.
async fn mentor_rows(
    conn: &mut PgConnection,
    q: &IndicatorQuery,
    at: &Where,
) -> Result<Vec<PgRow>> {
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

/// How many parts a region's count is split into (by account id), each on
/// its own connection: the statement is CPU-bound in one backend, so parts
/// run on the database's cores side by side. One per core the server sees,
/// at most four (the pool's other connections stay free).
/// How many region counts run at once: each holds up to five of the pool's
/// connections (`crate::POOL_SIZE` is 16), and the rest wait their turn.
static REGION_COUNTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(3);

fn region_parts() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

/// The per-school sums of `rows`, as tallies (denominator 0 left out).
fn tallies_of(rows: &[PgRow]) -> Result<Vec<IndicatorTally>> {
    let mut out = Vec::new();
    for row in rows {
        let school = get::<Option<String>>(row, "school")?
            .map(|c| school_code_of(&c))
            .transpose()?;
        let municipality = get::<Option<String>>(row, "municipality")?
            .map(|c| municipality_code_of(&c))
            .transpose()?;
        for indicator in TEACHER_INDICATORS {
            let share = share_of::<i64>(row, indicator)?;
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
    Ok(out)
}

/// Adds up the parts' tallies of one (indicator, school).
fn merge(parts: Vec<Vec<IndicatorTally>>) -> Vec<IndicatorTally> {
    let mut sums: std::collections::HashMap<(Indicator, Option<SchoolCode>), IndicatorTally> =
        std::collections::HashMap::new();
    for t in parts.into_iter().flatten() {
        sums.entry((t.indicator, t.school.clone()))
            .and_modify(|s| {
                s.share.numerator += t.share.numerator;
                s.share.denominator += t.share.denominator;
            })
            .or_insert(t);
    }
    sums.into_values().collect()
}

pub(crate) async fn indicator_tallies(
    pool: &PgPool,
    _auth: &RegionAuthority,
    q: &IndicatorQuery,
    at: &Where,
) -> Result<Vec<IndicatorTally>> {
    let (scope, code) = scope_of(at);
    // Only the region is split: a municipality's statement already reads
    // its facts through its schools' accounts, and splitting that by id
    // measured slower (the 150k bench: 660 ms against ~350 ms whole).
    let parts = if matches!(scope, Teachers::Region) {
        region_parts()
    } else {
        1
    };
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
        flags = teacher_flags(scope, parts > 1)
    );
    // A region's count holds 1 + parts connections at once; letting only
    // a few run together keeps them from taking the whole pool and waiting
    // on each other for the rest.
    let _permit = if parts > 1 {
        Some(
            REGION_COUNTS
                .acquire()
                .await
                .map_err(|e| store::StoreError::Other(e.to_string()))?,
        )
    } else {
        None
    };
    let mut tx = begin_counting(pool).await?;
    let mut out = if parts > 1 {
        // Every part reads the first transaction's snapshot, so the parts
        // add up to one consistent count.
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let (lo, hi): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(id), MAX(id) FROM accounts")
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        let (lo, hi) = (lo.unwrap_or(0), hi.unwrap_or(0) + 1);
        let step = ((hi - lo) / parts as i64).max(1);
        let bounds: Vec<(i64, i64)> = (0..parts as i64)
            .map(|k| {
                let from = lo + k * step;
                let to = if k + 1 == parts as i64 {
                    hi
                } else {
                    from + step
                };
                (from, to)
            })
            .collect();
        let counted = futures_util::future::try_join_all(bounds.into_iter().map(|(from, to)| {
            let sql = &sql;
            let snapshot = &snapshot;
            async move {
                let mut part = begin_counting_in(pool, Some(snapshot)).await?;
                let mut query = bind_query(sql, q);
                if let Some(code) = code {
                    query = query.bind(code);
                }
                let rows = query
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *part)
                    .await
                    .map_err(db_err)?;
                part.commit().await.map_err(db_err)?;
                tallies_of(&rows)
            }
        }))
        .await?;
        merge(counted)
    } else {
        let mut query = bind_query(&sql, q);
        if let Some(code) = code {
            query = query.bind(code);
        }
        let rows = query.fetch_all(&mut *tx).await.map_err(db_err)?;
        tallies_of(&rows)?
    };
    let mentored = mentor_rows(&mut tx, q, at).await?;
    tx.commit().await.map_err(db_err)?;
    for row in mentored {
        let counted: i32 = get(&row, "counted")?;
        out.push(IndicatorTally {
            indicator: Indicator::MentorSchoolCoverage,
            school: Some(school_code_of(&get::<String>(&row, "school")?)?),
            municipality: Some(municipality_code_of(&get::<String>(&row, "municipality")?)?),
            share: Share {
                numerator: count_of("mentor_school_coverage", counted.into())?,
                denominator: 1,
            },
        });
    }
    sort_tallies(&mut out);
    Ok(out)
}

pub(crate) async fn indicator_members(
    pool: &PgPool,
    _auth: &RegionAuthority,
    q: &IndicatorQuery,
    school: &SchoolCode,
) -> Result<Vec<IndicatorMember>> {
    let sql = format!("{} SELECT * FROM g", teacher_flags(Teachers::School, false));
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
            let share = share_of::<i32>(row, indicator)?;
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
        let counted: i32 = get(&row, "counted")?;
        out.push(IndicatorMember {
            indicator: Indicator::MentorSchoolCoverage,
            id: get(&row, "school")?,
            counted: counted > 0,
        });
    }
    sort_members(&mut out);
    Ok(out)
}

//! Daily indicator snapshots on SQLite.

use chrono::NaiveDate;
use domain::indicators::{Indicator, Share, Where};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use store::trainings::{where_columns, where_of};
use store::{Millis, Result, SnapshotRow, StoreError, parse_stored_date};

use crate::diagnostics::date_text;
use crate::{db_err, get};

/// Rows per INSERT: 8 parameters each, well under SQLite's limit.
const CHUNK: usize = 1000;

fn count_of(what: &str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::Other(format!("bad stored {what}: {v}")))
}

fn snapshot_of(row: &SqliteRow) -> Result<SnapshotRow> {
    let indicator: String = get(row, "indicator")?;
    Ok(SnapshotRow {
        day: parse_stored_date(&get::<String>(row, "day")?)?,
        at: where_of(&get::<String>(row, "scope")?, &get::<String>(row, "code")?)?,
        indicator: Indicator::parse(&indicator)
            .map_err(|e| StoreError::Other(format!("bad stored indicator: {}", e.0)))?,
        share: Share {
            numerator: count_of("numerator", get(row, "numerator")?)?,
            denominator: count_of("denominator", get(row, "denominator")?)?,
        },
        period_from: parse_stored_date(&get::<String>(row, "period_from")?)?,
    })
}

pub(crate) async fn save_snapshots(
    pool: &SqlitePool,
    rows: &[SnapshotRow],
    now: Millis,
) -> Result<u64> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let mut written = 0;
    for chunk in rows.chunks(CHUNK) {
        let mut q: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
            "INSERT INTO indicator_snapshots (day, scope, code, indicator, numerator, \
             denominator, period_from, taken_at) ",
        );
        q.push_values(chunk, |mut b, r| {
            let (scope, code) = where_columns(&r.at);
            b.push_bind(date_text(r.day))
                .push_bind(scope)
                .push_bind(code)
                .push_bind(r.indicator.as_str())
                .push_bind(r.share.numerator as i64)
                .push_bind(r.share.denominator as i64)
                .push_bind(date_text(r.period_from))
                .push_bind(now);
        });
        q.push(" ON CONFLICT DO NOTHING");
        written += q
            .build()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
    }
    tx.commit().await.map_err(db_err)?;
    Ok(written)
}

pub(crate) async fn snapshots(
    pool: &SqlitePool,
    at: &Where,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SnapshotRow>> {
    let (scope, code) = where_columns(at);
    sqlx::query(
        "SELECT day, scope, code, indicator, numerator, denominator, period_from \
         FROM indicator_snapshots WHERE scope = ? AND code = ? AND day >= ? AND day <= ? \
         ORDER BY indicator, day",
    )
    .bind(scope)
    .bind(code)
    .bind(date_text(from))
    .bind(date_text(to))
    .fetch_all(pool)
    .await
    .map_err(db_err)?
    .iter()
    .map(snapshot_of)
    .collect()
}

pub(crate) async fn snapshot_days(
    pool: &SqlitePool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDate>> {
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT day FROM indicator_snapshots \
         WHERE scope = 'region' AND day >= ? AND day <= ? ORDER BY day",
    )
    .bind(date_text(from))
    .bind(date_text(to))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    days.iter().map(|d| parse_stored_date(d)).collect()
}

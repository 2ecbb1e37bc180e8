//! Trainings completed outside routes and the region's targets on
//! PostgreSQL. An import runs under READ COMMITTED and first locks its table
//! in SHARE ROW EXCLUSIVE mode: imports run one at a time, so what one
//! decides from the stored rows (unchanged, updated, new) holds, while
//! reads go on.

use domain::RegionAuthority;
use sqlx::PgPool;
use sqlx::postgres::PgRow;
use store::trainings::{
    check_targets, check_trainings, kind_of, threshold_of, upsert_audit_object, where_columns,
    where_of,
};
use store::{
    Millis, NewTarget, NewTraining, Result, StoreError, TargetRow, TrainingRow, UpsertCounts,
};

use crate::diagnostics::write_audit;
use crate::{bad_row, db_err, get, int4, login_of};

fn training_of(row: &PgRow) -> Result<TrainingRow> {
    Ok(TrainingRow {
        id: get(row, "id")?,
        training: NewTraining {
            login: login_of(&get::<String>(row, "login")?)?,
            title: get(row, "title")?,
            kind: kind_of(&get::<String>(row, "kind")?)?,
            hours: {
                let h: i32 = get(row, "hours")?;
                u32::try_from(h).map_err(|e| bad_row("training hours", &h.to_string(), e))?
            },
            completed_on: get(row, "completed_on")?,
            document: get(row, "document")?,
        },
        updated_at: get(row, "updated_at")?,
    })
}

pub(crate) async fn apply_trainings(
    pool: &PgPool,
    auth: &RegionAuthority,
    rows: Vec<NewTraining>,
    now: Millis,
) -> Result<UpsertCounts> {
    check_trainings(&rows)?;
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("LOCK TABLE trainings IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut counts = UpsertCounts::default();
    for t in &rows {
        let account: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
            .bind(t.login.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let Some(account) = account else {
            return Err(StoreError::Conflict(format!(
                "учётная запись {} не найдена",
                t.login
            )));
        };
        let stored = sqlx::query(
            "SELECT t.id, a.login, t.title, t.kind, t.hours, t.completed_on, t.document, \
             t.updated_at FROM trainings t JOIN accounts a ON a.id = t.account_id \
             WHERE t.account_id = $1 AND t.title = $2 AND t.completed_on = $3",
        )
        .bind(account)
        .bind(&t.title)
        .bind(t.completed_on)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(training_of)
        .transpose()?;
        match stored {
            Some(s) if s.training == *t => counts.unchanged += 1,
            Some(s) => {
                sqlx::query(
                    "UPDATE trainings SET kind = $1, hours = $2, document = $3, updated_at = $4 \
                     WHERE id = $5",
                )
                .bind(t.kind.as_str())
                .bind(int4(t.hours, || format!("часы обучения «{}»", t.title))?)
                .bind(&t.document)
                .bind(now)
                .bind(s.id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                counts.updated += 1;
            }
            None => {
                sqlx::query(
                    "INSERT INTO trainings (account_id, title, kind, hours, completed_on, \
                     document, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(account)
                .bind(&t.title)
                .bind(t.kind.as_str())
                .bind(int4(t.hours, || format!("часы обучения «{}»", t.title))?)
                .bind(t.completed_on)
                .bind(&t.document)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                counts.created += 1;
            }
        }
    }
    write_audit(
        &mut tx,
        auth,
        "import trainings",
        upsert_audit_object(&counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

pub(crate) async fn trainings(pool: &PgPool) -> Result<Vec<TrainingRow>> {
    sqlx::query(
        "SELECT t.id, a.login, t.title, t.kind, t.hours, t.completed_on, t.document, \
         t.updated_at FROM trainings t JOIN accounts a ON a.id = t.account_id \
         ORDER BY a.login, t.completed_on, t.title, t.id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?
    .iter()
    .map(training_of)
    .collect()
}

fn target_of(row: &PgRow) -> Result<TargetRow> {
    let indicator: String = get(row, "indicator")?;
    Ok(TargetRow {
        id: get(row, "id")?,
        target: NewTarget {
            indicator: domain::indicators::Indicator::parse(&indicator).map_err(|e| {
                StoreError::Other(format!("bad stored indicator {indicator:?}: {}", e.0))
            })?,
            threshold: threshold_of(&get::<String>(row, "threshold")?)?,
            at: where_of(&get::<String>(row, "scope")?, &get::<String>(row, "code")?)?,
            due_on: get(row, "due_on")?,
        },
        updated_at: get(row, "updated_at")?,
    })
}

const TARGET_COLUMNS: &str = "id, indicator, threshold, scope, code, due_on, updated_at";

pub(crate) async fn apply_targets(
    pool: &PgPool,
    auth: &RegionAuthority,
    rows: Vec<NewTarget>,
    now: Millis,
) -> Result<UpsertCounts> {
    check_targets(&rows)?;
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("LOCK TABLE targets IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut counts = UpsertCounts::default();
    for t in &rows {
        let (scope, code) = where_columns(&t.at);
        let stored = sqlx::query(&format!(
            "SELECT {TARGET_COLUMNS} FROM targets WHERE indicator = $1 AND scope = $2 AND code = $3"
        ))
        .bind(t.indicator.as_str())
        .bind(scope)
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(target_of)
        .transpose()?;
        match stored {
            Some(s) if s.target == *t => counts.unchanged += 1,
            Some(s) => {
                sqlx::query(
                    "UPDATE targets SET threshold = $1, due_on = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(t.threshold.to_string())
                .bind(t.due_on)
                .bind(now)
                .bind(s.id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                counts.updated += 1;
            }
            None => {
                sqlx::query(
                    "INSERT INTO targets (indicator, threshold, scope, code, due_on, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(t.indicator.as_str())
                .bind(t.threshold.to_string())
                .bind(scope)
                .bind(&code)
                .bind(t.due_on)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                counts.created += 1;
            }
        }
    }
    write_audit(
        &mut tx,
        auth,
        "import targets",
        upsert_audit_object(&counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

pub(crate) async fn targets(pool: &PgPool) -> Result<Vec<TargetRow>> {
    sqlx::query(&format!(
        "SELECT {TARGET_COLUMNS} FROM targets ORDER BY indicator, scope, code"
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?
    .iter()
    .map(target_of)
    .collect()
}

/// One stored target, `None` when there is none; locked until the
/// transaction ends, so that what is removed is what is reported.
pub(crate) async fn target_by_id(
    conn: &mut sqlx::PgConnection,
    id: i64,
) -> Result<Option<TargetRow>> {
    sqlx::query(&format!(
        "SELECT {TARGET_COLUMNS} FROM targets WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .as_ref()
    .map(target_of)
    .transpose()
}

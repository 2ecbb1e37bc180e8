//! Custom indicators and their values on SQLite, and removing a target.
//! Every write begins `IMMEDIATE`: what it checks (the indicator is active,
//! the code is free) holds until it commits, as SQLite has one writer.

use domain::{Caller, RegionAuthority, Scope};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use store::custom::{
    check_code, check_title, check_value, definition_audit_object, level_of, share_of,
    target_removed_audit_object, threshold_of, value_audit_object,
};
use store::{
    CustomIndicatorChange, CustomIndicatorRow, CustomValueRow, Millis, NewCustomIndicator,
    NewCustomValue, Result, StoreError, TargetRow, parse_stored_date,
};

use crate::diagnostics::{date_text, write_audit};
use crate::routes::write_actor_audit;
use crate::{db_err, get, login_of, municipality_code_of};

const INDICATOR_COLUMNS: &str =
    "id, code, title, description, threshold, due_on, active, created_by, created_at";

fn indicator_of(row: &SqliteRow) -> Result<CustomIndicatorRow> {
    Ok(CustomIndicatorRow {
        id: get(row, "id")?,
        code: get(row, "code")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        threshold: threshold_of(get::<Option<String>>(row, "threshold")?.as_deref())?,
        due_on: get::<Option<String>>(row, "due_on")?
            .map(|d| parse_stored_date(&d))
            .transpose()?,
        active: get(row, "active")?,
        created_by: get::<Option<String>>(row, "created_by")?
            .map(|l| login_of(&l))
            .transpose()?,
        created_at: get(row, "created_at")?,
    })
}

const VALUE_COLUMNS: &str = "v.id, v.indicator_id, v.municipality, v.as_of, v.numerator, \
v.denominator, v.evidence, v.entered_by, v.entered_at";

fn value_of(row: &SqliteRow) -> Result<CustomValueRow> {
    Ok(CustomValueRow {
        id: get(row, "id")?,
        value: NewCustomValue {
            indicator_id: get(row, "indicator_id")?,
            municipality: get::<Option<String>>(row, "municipality")?
                .map(|m| municipality_code_of(&m))
                .transpose()?,
            as_of: parse_stored_date(&get::<String>(row, "as_of")?)?,
            share: share_of(get(row, "numerator")?, get(row, "denominator")?)?,
            evidence: get(row, "evidence")?,
        },
        entered_by: get::<Option<String>>(row, "entered_by")?
            .map(|l| login_of(&l))
            .transpose()?,
        entered_at: get(row, "entered_at")?,
    })
}

async fn indicator_in(conn: &mut SqliteConnection, id: i64) -> Result<Option<CustomIndicatorRow>> {
    sqlx::query(&format!(
        "SELECT {INDICATOR_COLUMNS} FROM custom_indicators WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .as_ref()
    .map(indicator_of)
    .transpose()
}

pub(crate) async fn define_custom_indicator(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    new: NewCustomIndicator,
    now: Millis,
) -> Result<CustomIndicatorRow> {
    check_code(&new.code).map_err(StoreError::Conflict)?;
    check_title(&new.title).map_err(StoreError::Conflict)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM custom_indicators WHERE code = ?")
        .bind(&new.code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "показатель с кодом «{}» уже есть",
            new.code
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO custom_indicators (code, title, description, threshold, due_on, active, \
         created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&new.code)
    .bind(new.title.trim())
    .bind(new.description.trim())
    .bind(new.threshold.map(|t| t.to_string()))
    .bind(new.due_on.map(date_text))
    .bind(new.active)
    .bind(auth.actor.as_ref().map(|l| l.as_str().to_owned()))
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    write_audit(
        &mut tx,
        auth,
        "custom indicator",
        definition_audit_object(&new.code, new.title.trim()),
        now,
    )
    .await?;
    let row = indicator_in(&mut tx, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(db_err)?;
    Ok(row)
}

pub(crate) async fn update_custom_indicator(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    id: i64,
    change: CustomIndicatorChange,
    now: Millis,
) -> Result<CustomIndicatorRow> {
    check_title(&change.title).map_err(StoreError::Conflict)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let changed = sqlx::query(
        "UPDATE custom_indicators SET title = ?, description = ?, threshold = ?, due_on = ?, \
         active = ? WHERE id = ?",
    )
    .bind(change.title.trim())
    .bind(change.description.trim())
    .bind(change.threshold.map(|t| t.to_string()))
    .bind(change.due_on.map(date_text))
    .bind(change.active)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let row = indicator_in(&mut tx, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    write_audit(
        &mut tx,
        auth,
        "custom indicator update",
        definition_audit_object(&row.code, &row.title),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(row)
}

pub(crate) async fn custom_indicators(pool: &SqlitePool) -> Result<Vec<CustomIndicatorRow>> {
    sqlx::query(&format!(
        "SELECT {INDICATOR_COLUMNS} FROM custom_indicators ORDER BY id"
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?
    .iter()
    .map(indicator_of)
    .collect()
}

pub(crate) async fn custom_indicator(
    pool: &SqlitePool,
    id: i64,
) -> Result<Option<CustomIndicatorRow>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    indicator_in(&mut conn, id).await
}

pub(crate) async fn add_custom_value(
    pool: &SqlitePool,
    caller: &Caller,
    value: NewCustomValue,
    now: Millis,
) -> Result<CustomValueRow> {
    check_value(&value).map_err(StoreError::Conflict)?;
    let scope = Scope::of(caller);
    let in_scope = match &value.municipality {
        None => scope.region,
        Some(m) => scope.sees_municipality(m),
    };
    if !in_scope {
        return Err(StoreError::NotFound);
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let indicator = indicator_in(&mut tx, value.indicator_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !indicator.active {
        return Err(StoreError::Conflict(format!(
            "показатель «{}» не действует: значения к нему не вносятся",
            indicator.title
        )));
    }
    if let Some(m) = &value.municipality {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM municipalities WHERE code = ?")
            .bind(m.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO custom_indicator_values (indicator_id, level, municipality, as_of, \
         numerator, denominator, evidence, entered_by, entered_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(value.indicator_id)
    .bind(level_of(value.municipality.as_ref()))
    .bind(value.municipality.as_ref().map(|m| m.as_str().to_owned()))
    .bind(date_text(value.as_of))
    .bind(share_column(value.share.numerator)?)
    .bind(share_column(value.share.denominator)?)
    .bind(value.evidence.trim())
    .bind(caller.login.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    write_actor_audit(
        &mut tx,
        &caller.login,
        "custom value",
        value_audit_object(&indicator.code, &value),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(CustomValueRow {
        id,
        value: NewCustomValue {
            evidence: value.evidence.trim().to_string(),
            ..value
        },
        entered_by: Some(caller.login.clone()),
        entered_at: now,
    })
}

fn share_column(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Conflict(format!("число {n} слишком велико")))
}

/// `(v.level = 'region' OR …)`: the rows `scope` sees.
fn push_visible(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope) {
    if scope.region {
        qb.push("1 = 1");
        return;
    }
    qb.push("(v.level = 'region'");
    if !scope.municipalities.is_empty() {
        qb.push(" OR ");
        crate::push_in(
            qb,
            "v.municipality",
            scope.municipalities.iter().map(|m| m.as_str()),
        );
    }
    qb.push(")");
}

pub(crate) async fn custom_values(
    pool: &SqlitePool,
    scope: &Scope,
    indicator_id: i64,
) -> Result<Vec<CustomValueRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {VALUE_COLUMNS} FROM custom_indicator_values v WHERE v.indicator_id = "
    ));
    qb.push_bind(indicator_id).push(" AND ");
    push_visible(&mut qb, scope);
    qb.push(" ORDER BY v.as_of DESC, v.id DESC");
    qb.build()
        .fetch_all(pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(value_of)
        .collect()
}

pub(crate) async fn latest_custom_values(
    pool: &SqlitePool,
    scope: &Scope,
) -> Result<Vec<CustomValueRow>> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {VALUE_COLUMNS} FROM custom_indicator_values v WHERE "
    ));
    push_visible(&mut qb, scope);
    // The latest of its scope: no entry of the same indicator and scope
    // comes after it by (as_of, id).
    qb.push(
        " AND NOT EXISTS (SELECT 1 FROM custom_indicator_values w \
         WHERE w.indicator_id = v.indicator_id AND w.level = v.level \
         AND w.municipality IS v.municipality \
         AND (w.as_of > v.as_of OR (w.as_of = v.as_of AND w.id > v.id))) \
         ORDER BY v.indicator_id, v.municipality IS NOT NULL, v.municipality",
    );
    qb.build()
        .fetch_all(pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(value_of)
        .collect()
}

pub(crate) async fn remove_target(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    id: i64,
    now: Millis,
) -> Result<TargetRow> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let row = crate::trainings::target_by_id(&mut tx, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    sqlx::query("DELETE FROM targets WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    write_audit(
        &mut tx,
        auth,
        "target remove",
        target_removed_audit_object(&row),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(row)
}

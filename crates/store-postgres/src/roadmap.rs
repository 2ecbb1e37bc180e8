//! The roadmap area on PostgreSQL: imported periods, their items and the
//! done state of each.
//!
//! An import runs under READ COMMITTED and first locks the `roadmaps`
//! table in SHARE ROW EXCLUSIVE mode: imports (of any period) run one at a
//! time, so what one decides from the stored items (unchanged, updated,
//! new) and the order of imports hold, while reads and markings go on
//! (they never touch that table's rows). A marking is one conditional
//! update: it waits for an import updating the same item, and neither
//! overwrites the other's columns.

use chrono::NaiveDate;
use domain::{Login, Period, RegionAuthority};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres};
use store::roadmap::{
    RoadmapPlan, StoredRoadmapItem, check_mark, check_roadmap, parse_points, plan_roadmap,
    points_json, position_of, roadmap_audit_object, roadmap_item_audit_object,
};
use store::{Millis, NewRoadmapItem, Result, RoadmapCounts, RoadmapItemRow, StoreError};

use crate::diagnostics::write_audit;
use crate::routes::write_actor_audit;
use crate::{bad_row, db_err, get, int4, login_of};

const ITEM_COLUMNS: &str = "i.id, i.position, i.number, i.direction, i.title, i.audience, \
i.description, i.due_text, i.control_points, i.recurrence, i.unreadable, i.responsible, \
i.level, i.form, i.done_at, i.done_by, i.evidence, i.updated_at, \
r.period_from, r.period_to";

fn position_from(row: &PgRow) -> Result<u32> {
    let value: i32 = get(row, "position")?;
    u32::try_from(value).map_err(|e| bad_row("roadmap position", &value.to_string(), e))
}

/// A position as an INTEGER (the file's size is checked to fit).
fn position_to(position: u32) -> Result<i32> {
    int4(position, || "позиция пункта дорожной карты".into())
}

fn new_item_of(row: &PgRow) -> Result<NewRoadmapItem> {
    Ok(NewRoadmapItem {
        number: get(row, "number")?,
        direction: get(row, "direction")?,
        title: get(row, "title")?,
        audience: get(row, "audience")?,
        description: get(row, "description")?,
        due_text: get(row, "due_text")?,
        control_points: parse_points(&get::<String>(row, "control_points")?)?,
        recurrence: get(row, "recurrence")?,
        unreadable: get(row, "unreadable")?,
        responsible: get(row, "responsible")?,
        level: get(row, "level")?,
        form: get(row, "form")?,
    })
}

fn item_of(row: &PgRow) -> Result<RoadmapItemRow> {
    let item = new_item_of(row)?;
    Ok(RoadmapItemRow {
        id: get(row, "id")?,
        period: Period {
            from: get(row, "period_from")?,
            to: get(row, "period_to")?,
        },
        position: position_from(row)?,
        number: item.number,
        direction: item.direction,
        title: item.title,
        audience: item.audience,
        description: item.description,
        due_text: item.due_text,
        control_points: item.control_points,
        recurrence: item.recurrence,
        unreadable: item.unreadable,
        responsible: item.responsible,
        level: item.level,
        form: item.form,
        done_at: get(row, "done_at")?,
        done_by: get::<Option<String>>(row, "done_by")?
            .map(|l| login_of(&l))
            .transpose()?,
        evidence: get(row, "evidence")?,
        updated_at: get(row, "updated_at")?,
    })
}

/// A transaction for a roadmap write: READ COMMITTED whatever the
/// server's default, so each statement after the lock sees what committed
/// before it.
async fn begin_write(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>> {
    pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
        .await
        .map_err(db_err)
}

/// The period's stored items, for an import to plan against.
async fn stored_items(conn: &mut PgConnection, roadmap_id: i64) -> Result<Vec<StoredRoadmapItem>> {
    let rows = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM roadmap_items i JOIN roadmaps r ON r.id = i.roadmap_id \
         WHERE i.roadmap_id = $1"
    ))
    .bind(roadmap_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(StoredRoadmapItem {
                id: get(r, "id")?,
                position: position_from(r)?,
                item: new_item_of(r)?,
            })
        })
        .collect()
}

pub(crate) async fn apply_roadmap(
    pool: &PgPool,
    auth: &RegionAuthority,
    period: Period,
    items: Vec<NewRoadmapItem>,
    now: Millis,
) -> Result<RoadmapCounts> {
    check_roadmap(period, &items)?;
    let mut tx = begin_write(pool).await?;
    sqlx::query("LOCK TABLE roadmaps IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let roadmap_id: i64 = sqlx::query_scalar(
        "INSERT INTO roadmaps (period_from, period_to, imported_at, imported_by, import_seq) \
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(import_seq), 0) + 1 FROM roadmaps)) \
         ON CONFLICT (period_from, period_to) DO UPDATE SET imported_at = excluded.imported_at, \
         imported_by = excluded.imported_by, import_seq = excluded.import_seq RETURNING id",
    )
    .bind(period.from)
    .bind(period.to)
    .bind(now)
    .bind(auth.actor.as_ref().map(|l| l.as_str()))
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;

    let stored = stored_items(&mut tx, roadmap_id).await?;
    let RoadmapPlan {
        counts,
        insert,
        update,
        reposition,
    } = plan_roadmap(&stored, &items);
    for n in insert {
        let i = &items[n];
        sqlx::query(
            "INSERT INTO roadmap_items (roadmap_id, position, number, direction, title, \
             audience, description, due_text, control_points, recurrence, unreadable, \
             responsible, level, form, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(roadmap_id)
        .bind(position_to(position_of(n))?)
        .bind(&i.number)
        .bind(&i.direction)
        .bind(&i.title)
        .bind(&i.audience)
        .bind(&i.description)
        .bind(&i.due_text)
        .bind(points_json(&i.control_points))
        .bind(&i.recurrence)
        .bind(i.unreadable)
        .bind(&i.responsible)
        .bind(&i.level)
        .bind(&i.form)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    // Only the text: the done state stays as it is.
    for (id, n) in update {
        let i = &items[n];
        sqlx::query(
            "UPDATE roadmap_items SET position = $1, direction = $2, title = $3, audience = $4, \
             description = $5, due_text = $6, control_points = $7, recurrence = $8, \
             unreadable = $9, responsible = $10, level = $11, form = $12, updated_at = $13 \
             WHERE id = $14",
        )
        .bind(position_to(position_of(n))?)
        .bind(&i.direction)
        .bind(&i.title)
        .bind(&i.audience)
        .bind(&i.description)
        .bind(&i.due_text)
        .bind(points_json(&i.control_points))
        .bind(&i.recurrence)
        .bind(i.unreadable)
        .bind(&i.responsible)
        .bind(&i.level)
        .bind(&i.form)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    for (id, position) in reposition {
        sqlx::query("UPDATE roadmap_items SET position = $1 WHERE id = $2")
            .bind(position_to(position)?)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    write_audit(
        &mut tx,
        auth,
        "import roadmap",
        roadmap_audit_object(period, &counts),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(counts)
}

pub(crate) async fn roadmap(pool: &PgPool, on: NaiveDate) -> Result<Vec<RoadmapItemRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM roadmap_items i JOIN roadmaps r ON r.id = i.roadmap_id \
         WHERE i.roadmap_id = (SELECT id FROM roadmaps WHERE period_from <= $1 \
           AND period_to >= $1 ORDER BY import_seq DESC, id DESC LIMIT 1) \
         ORDER BY i.position, i.id"
    ))
    .bind(on)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(item_of).collect()
}

pub(crate) async fn roadmap_periods(pool: &PgPool) -> Result<Vec<Period>> {
    let rows: Vec<(NaiveDate, NaiveDate)> = sqlx::query_as(
        "SELECT period_from, period_to FROM roadmaps ORDER BY period_from DESC, period_to DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(from, to)| Period { from, to })
        .collect())
}

pub(crate) async fn mark_roadmap_item(
    pool: &PgPool,
    actor: &Login,
    id: i64,
    done: bool,
    evidence: Option<String>,
    now: Millis,
) -> Result<RoadmapItemRow> {
    let evidence = check_mark(done, evidence)?;
    let mut tx = begin_write(pool).await?;
    let changed = sqlx::query(
        "UPDATE roadmap_items SET done_at = $1, done_by = $2, evidence = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(done.then_some(now))
    .bind(done.then_some(actor.as_str()))
    .bind(&evidence)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let row = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM roadmap_items i JOIN roadmaps r ON r.id = i.roadmap_id \
         WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let row = item_of(&row)?;
    write_actor_audit(
        &mut tx,
        actor,
        "roadmap item",
        roadmap_item_audit_object(&row),
        now,
    )
    .await?;
    tx.commit().await.map_err(db_err)?;
    Ok(row)
}

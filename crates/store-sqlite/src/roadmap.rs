//! The roadmap area on SQLite: imported periods, their items and the done
//! state of each. Every write begins `IMMEDIATE`, so what an import
//! decides from the stored items (unchanged, updated, new) holds against
//! whatever another process wrote meanwhile: SQLite has one writer at a
//! time.

use chrono::NaiveDate;
use domain::{Login, Period, RegionAuthority};
use sqlx::sqlite::SqliteRow;
use sqlx::{SqliteConnection, SqlitePool};
use store::roadmap::{
    RoadmapPlan, StoredRoadmapItem, check_mark, check_roadmap, parse_points, plan_roadmap,
    points_json, position_of, roadmap_audit_object, roadmap_item_audit_object,
};
use store::{
    Millis, NewRoadmapItem, Result, RoadmapCounts, RoadmapItemRow, StoreError, parse_stored_date,
};

use crate::diagnostics::{date_text, write_audit};
use crate::routes::write_actor_audit;
use crate::{db_err, get, login_of, u32_of};

const ITEM_COLUMNS: &str = "i.id, i.position, i.number, i.direction, i.title, i.audience, \
i.description, i.due_text, i.control_points, i.recurrence, i.unreadable, i.responsible, \
i.level, i.form, i.done_at, i.done_by, i.evidence, i.updated_at, \
r.period_from, r.period_to";

fn new_item_of(row: &SqliteRow) -> Result<NewRoadmapItem> {
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

fn item_of(row: &SqliteRow) -> Result<RoadmapItemRow> {
    let item = new_item_of(row)?;
    Ok(RoadmapItemRow {
        id: get(row, "id")?,
        period: Period {
            from: parse_stored_date(&get::<String>(row, "period_from")?)?,
            to: parse_stored_date(&get::<String>(row, "period_to")?)?,
        },
        position: u32_of("roadmap position", get(row, "position")?)?,
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

/// The period's stored items, for an import to plan against.
async fn stored_items(
    conn: &mut SqliteConnection,
    roadmap_id: i64,
) -> Result<Vec<StoredRoadmapItem>> {
    let rows = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM roadmap_items i JOIN roadmaps r ON r.id = i.roadmap_id \
         WHERE i.roadmap_id = ?"
    ))
    .bind(roadmap_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(StoredRoadmapItem {
                id: get(r, "id")?,
                position: u32_of("roadmap position", get(r, "position")?)?,
                item: new_item_of(r)?,
            })
        })
        .collect()
}

pub(crate) async fn apply_roadmap(
    pool: &SqlitePool,
    auth: &RegionAuthority,
    period: Period,
    items: Vec<NewRoadmapItem>,
    now: Millis,
) -> Result<RoadmapCounts> {
    check_roadmap(period, &items)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let roadmap_id: i64 = sqlx::query_scalar(
        "INSERT INTO roadmaps (period_from, period_to, imported_at, imported_by, import_seq) \
         VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(import_seq), 0) + 1 FROM roadmaps)) \
         ON CONFLICT (period_from, period_to) DO UPDATE SET imported_at = excluded.imported_at, \
         imported_by = excluded.imported_by, import_seq = excluded.import_seq RETURNING id",
    )
    .bind(date_text(period.from))
    .bind(date_text(period.to))
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(roadmap_id)
        .bind(i64::from(position_of(n)))
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
            "UPDATE roadmap_items SET position = ?, direction = ?, title = ?, audience = ?, \
             description = ?, due_text = ?, control_points = ?, recurrence = ?, \
             unreadable = ?, responsible = ?, level = ?, form = ?, updated_at = ? WHERE id = ?",
        )
        .bind(i64::from(position_of(n)))
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
        sqlx::query("UPDATE roadmap_items SET position = ? WHERE id = ?")
            .bind(i64::from(position))
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

pub(crate) async fn roadmap(pool: &SqlitePool, on: NaiveDate) -> Result<Vec<RoadmapItemRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM roadmap_items i JOIN roadmaps r ON r.id = i.roadmap_id \
         WHERE i.roadmap_id = (SELECT id FROM roadmaps WHERE period_from <= ? \
           AND period_to >= ? ORDER BY import_seq DESC, id DESC LIMIT 1) \
         ORDER BY i.position, i.id"
    ))
    .bind(date_text(on))
    .bind(date_text(on))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(item_of).collect()
}

pub(crate) async fn roadmap_periods(pool: &SqlitePool) -> Result<Vec<Period>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT period_from, period_to FROM roadmaps ORDER BY period_from DESC, period_to DESC",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|(from, to)| {
            Ok(Period {
                from: parse_stored_date(from)?,
                to: parse_stored_date(to)?,
            })
        })
        .collect()
}

pub(crate) async fn mark_roadmap_item(
    pool: &SqlitePool,
    actor: &Login,
    id: i64,
    done: bool,
    evidence: Option<String>,
    now: Millis,
) -> Result<RoadmapItemRow> {
    let evidence = check_mark(done, evidence)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
    let changed = sqlx::query(
        "UPDATE roadmap_items SET done_at = ?, done_by = ?, evidence = ?, updated_at = ? \
         WHERE id = ?",
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
         WHERE i.id = ?"
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

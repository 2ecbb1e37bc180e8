//! Row models of the roadmap area: the region's roadmap (дорожная карта)
//! for a period, as imported from the region's own table, and the done
//! state staff record against each item.
//!
//! A period's roadmap is imported again and again as the region revises
//! it: items are matched on their number within the period, so an item
//! keeps its id and its done state through re-imports. The rules both
//! backends apply (what a call refuses, what it writes for each item, the
//! Russian refusals and the audit objects) live here.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{Login, Period};
use serde::{Deserialize, Serialize};

use crate::matching::first_repeated;
use crate::{Millis, StoreError};

/// One control point of an item: a date range whose `to` is the deadline
/// (`from` is `None` for «до 15.04.2026»).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoadmapPoint {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

/// An item of a roadmap file, as the importer read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRoadmapItem {
    /// The item's number in the file («1.2»): what re-imports match on.
    pub number: String,
    /// The direction heading the item stands under.
    pub direction: Option<String>,
    /// Мероприятие.
    pub title: String,
    /// Целевая аудитория.
    pub audience: Option<String>,
    pub description: Option<String>,
    /// The due cell as written («Январь – март 2026»).
    pub due_text: String,
    /// What the due cell says, in order; empty when `unreadable`.
    pub control_points: Vec<RoadmapPoint>,
    /// `"monthly"` or `"quarterly"` («ежемесячно», «ежеквартально»).
    pub recurrence: Option<String>,
    /// The due text could not be read: the item is «без срока».
    pub unreadable: bool,
    pub responsible: Option<String>,
    /// Уровень управления.
    pub level: Option<String>,
    pub form: Option<String>,
}

/// A stored roadmap item with its done state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapItemRow {
    pub id: i64,
    /// The roadmap's period.
    pub period: Period,
    /// The item's place in the latest imported file (0 first); items the
    /// latest file no longer has come after its items.
    pub position: u32,
    pub number: String,
    pub direction: Option<String>,
    pub title: String,
    pub audience: Option<String>,
    pub description: Option<String>,
    pub due_text: String,
    pub control_points: Vec<RoadmapPoint>,
    pub recurrence: Option<String>,
    pub unreadable: bool,
    pub responsible: Option<String>,
    pub level: Option<String>,
    pub form: Option<String>,
    /// When the item was (last) marked done; `None` while not done.
    pub done_at: Option<Millis>,
    pub done_by: Option<Login>,
    /// What confirms that the item is done; `None` while not done.
    pub evidence: Option<String>,
    /// The last import that changed the item, or the last marking.
    pub updated_at: Millis,
}

impl RoadmapItemRow {
    /// The item as a file would give it (without its done state).
    pub fn item(&self) -> NewRoadmapItem {
        NewRoadmapItem {
            number: self.number.clone(),
            direction: self.direction.clone(),
            title: self.title.clone(),
            audience: self.audience.clone(),
            description: self.description.clone(),
            due_text: self.due_text.clone(),
            control_points: self.control_points.clone(),
            recurrence: self.recurrence.clone(),
            unreadable: self.unreadable,
            responsible: self.responsible.clone(),
            level: self.level.clone(),
            form: self.form.clone(),
        }
    }

    pub fn done(&self) -> bool {
        self.done_at.is_some()
    }
}

/// What one roadmap import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapCounts {
    pub created: u32,
    /// Items whose text changed (a changed position alone is no change).
    pub updated: u32,
    pub unchanged: u32,
}

/// The recurrences an item may have, as stored.
pub const RECURRENCES: [&str; 2] = ["monthly", "quarterly"];

// ---- what an import does, shared by the backends --------------------------------

/// Refuses, in this order: a period that ends before it starts; a file
/// with more items than a 32-bit position holds; an item with a blank
/// number; the first number given to two items; the first item with an
/// unknown recurrence or a control point ending before it starts.
pub fn check_roadmap(period: Period, items: &[NewRoadmapItem]) -> Result<(), StoreError> {
    if period.from > period.to {
        return Err(conflict(format!(
            "период дорожной карты начинается позже, чем заканчивается ({})",
            period_text(period)
        )));
    }
    if i32::try_from(items.len()).is_err() {
        return Err(conflict(format!(
            "слишком много пунктов в дорожной карте ({})",
            items.len()
        )));
    }
    if let Some(item) = items.iter().find(|i| i.number.trim().is_empty()) {
        return Err(conflict(format!(
            "у пункта дорожной карты «{}» нет номера",
            item.title
        )));
    }
    if let Some(number) = first_repeated(items.iter().map(|i| &i.number)) {
        return Err(conflict(format!(
            "пункт {number} указан в дорожной карте дважды"
        )));
    }
    for item in items {
        if let Some(r) = &item.recurrence
            && !RECURRENCES.contains(&r.as_str())
        {
            return Err(conflict(format!(
                "пункт {}: неизвестная периодичность «{r}»",
                item.number
            )));
        }
        if item
            .control_points
            .iter()
            .any(|p| p.from.is_some_and(|from| from > p.to))
        {
            return Err(conflict(format!(
                "пункт {}: контрольная точка начинается позже, чем заканчивается",
                item.number
            )));
        }
    }
    Ok(())
}

/// A stored item of the period being imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoadmapItem {
    pub id: i64,
    pub position: u32,
    pub item: NewRoadmapItem,
}

/// What an import writes, decided from the period's stored items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoadmapPlan {
    pub counts: RoadmapCounts,
    /// The file's new items, by index in the file (their position).
    pub insert: Vec<usize>,
    /// Changed items: `(id, index in the file)`; the index is the position.
    pub update: Vec<(i64, usize)>,
    /// Items whose text stays but whose position changes: `(id, position)`.
    pub reposition: Vec<(i64, u32)>,
}

/// Plans an import of `items` (already checked: no number twice) over the
/// period's `stored` items: an item whose number is stored and whose text
/// is identical is unchanged, a different one updated, a new number
/// inserted. Each item of the file takes its index as its position; the
/// stored items the file no longer has are kept, after the file's items,
/// in their earlier order.
pub fn plan_roadmap(stored: &[StoredRoadmapItem], items: &[NewRoadmapItem]) -> RoadmapPlan {
    let by_number: HashMap<&str, &StoredRoadmapItem> =
        stored.iter().map(|s| (s.item.number.as_str(), s)).collect();
    let mut plan = RoadmapPlan::default();
    for (n, item) in items.iter().enumerate() {
        match by_number.get(item.number.as_str()) {
            None => {
                plan.insert.push(n);
                plan.counts.created += 1;
            }
            Some(s) if s.item == *item => {
                plan.counts.unchanged += 1;
                if s.position != position_of(n) {
                    plan.reposition.push((s.id, position_of(n)));
                }
            }
            Some(s) => {
                plan.update.push((s.id, n));
                plan.counts.updated += 1;
            }
        }
    }
    let mut kept: Vec<&StoredRoadmapItem> = stored
        .iter()
        .filter(|s| !items.iter().any(|i| i.number == s.item.number))
        .collect();
    kept.sort_by_key(|s| (s.position, s.id));
    for (k, s) in kept.into_iter().enumerate() {
        let position = position_of(items.len() + k);
        if s.position != position {
            plan.reposition.push((s.id, position));
        }
    }
    plan
}

/// The position of the file's `n`-th item (checked to fit).
pub fn position_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---- marking items done --------------------------------------------------------------

/// The evidence to store when an item is marked done (`done`) or not: done
/// needs evidence that is not blank (kept as given); not done clears it.
pub fn check_mark(done: bool, evidence: Option<String>) -> Result<Option<String>, StoreError> {
    if !done {
        return Ok(None);
    }
    match evidence {
        Some(e) if !e.trim().is_empty() => Ok(Some(e)),
        _ => Err(conflict("опишите, чем подтверждается выполнение".into())),
    }
}

fn conflict(message: String) -> StoreError {
    StoreError::Conflict(message)
}

// ---- audit objects ----------------------------------------------------------------------

fn period_text(period: Period) -> String {
    format!(
        "{}..{}",
        period.from.format("%Y-%m-%d"),
        period.to.format("%Y-%m-%d")
    )
}

/// The audit object of an import (`2025-09-01..2026-08-31: создано: 3;
/// обновлено: 1; без изменений: 10`).
pub fn roadmap_audit_object(period: Period, counts: &RoadmapCounts) -> String {
    format!(
        "{}: создано: {}; обновлено: {}; без изменений: {}",
        period_text(period),
        counts.created,
        counts.updated,
        counts.unchanged
    )
}

/// The audit object of a marking (`item 12, № 1.3: выполнено`).
pub fn roadmap_item_audit_object(row: &RoadmapItemRow) -> String {
    format!(
        "item {}, № {}: {}",
        row.id,
        row.number,
        if row.done() {
            "выполнено"
        } else {
            "не выполнено"
        }
    )
}

// ---- control points as stored -------------------------------------------------------------

/// `control_points` as stored: a JSON array of `{"from": DATE|null, "to": DATE}`.
pub fn points_json(points: &[RoadmapPoint]) -> String {
    serde_json::to_string(points).expect("control points serialise")
}

/// Reads stored `control_points` back.
pub fn parse_points(value: &str) -> Result<Vec<RoadmapPoint>, StoreError> {
    serde_json::from_str(value)
        .map_err(|e| StoreError::Other(format!("bad stored control points {value:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn period() -> Period {
        Period {
            from: date(2025, 9, 1),
            to: date(2026, 8, 31),
        }
    }

    fn item(number: &str, title: &str) -> NewRoadmapItem {
        NewRoadmapItem {
            number: number.into(),
            direction: None,
            title: title.into(),
            audience: None,
            description: None,
            due_text: "Январь 2026".into(),
            control_points: vec![RoadmapPoint {
                from: Some(date(2026, 1, 1)),
                to: date(2026, 1, 31),
            }],
            recurrence: None,
            unreadable: false,
            responsible: None,
            level: None,
            form: None,
        }
    }

    fn stored(id: i64, position: u32, number: &str, title: &str) -> StoredRoadmapItem {
        StoredRoadmapItem {
            id,
            position,
            item: item(number, title),
        }
    }

    #[test]
    fn points_round_trip() {
        let points = vec![
            RoadmapPoint {
                from: Some(date(2025, 10, 1)),
                to: date(2025, 11, 30),
            },
            RoadmapPoint {
                from: None,
                to: date(2026, 4, 15),
            },
        ];
        let json = points_json(&points);
        assert_eq!(
            json,
            r#"[{"from":"2025-10-01","to":"2025-11-30"},{"from":null,"to":"2026-04-15"}]"#
        );
        assert_eq!(parse_points(&json).unwrap(), points);
        assert_eq!(parse_points("[]").unwrap(), vec![]);
        for bad in ["", "{}", "[{\"to\":\"2026-13-01\"}]", "[{\"from\":null}]"] {
            assert!(parse_points(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn plans_match_on_number_and_keep_the_missing_after_the_file() {
        let stored = [
            stored(10, 0, "1", "первый"),
            stored(11, 1, "2", "второй"),
            stored(12, 2, "3", "третий"),
            stored(13, 3, "4", "четвёртый"),
        ];
        let items = [
            item("3", "третий"),
            item("1", "первый, исправлен"),
            item("5", "пятый"),
        ];
        let plan = plan_roadmap(&stored, &items);
        assert_eq!(
            plan,
            RoadmapPlan {
                counts: RoadmapCounts {
                    created: 1,
                    updated: 1,
                    unchanged: 1,
                },
                insert: vec![2],
                update: vec![(10, 1)],
                // «3» moves first; «2» and «4» follow the file, in order.
                reposition: vec![(12, 0), (11, 3), (13, 4)],
            }
        );
    }

    #[test]
    fn an_identical_file_plans_nothing() {
        let stored = [stored(1, 0, "1", "а"), stored(2, 1, "2", "б")];
        let plan = plan_roadmap(&stored, &[item("1", "а"), item("2", "б")]);
        assert_eq!(
            plan,
            RoadmapPlan {
                counts: RoadmapCounts {
                    unchanged: 2,
                    ..RoadmapCounts::default()
                },
                ..RoadmapPlan::default()
            }
        );
    }

    #[test]
    fn checks_refuse_in_order() {
        let conflict_of = |result: Result<(), StoreError>| match result {
            Err(StoreError::Conflict(m)) => m,
            other => panic!("expected a conflict, got {other:?}"),
        };
        let backwards = Period {
            from: date(2026, 1, 1),
            to: date(2025, 12, 31),
        };
        assert!(conflict_of(check_roadmap(backwards, &[])).contains("2026-01-01..2025-12-31"));
        assert!(
            conflict_of(check_roadmap(
                period(),
                &[item("1", "а"), item(" ", "без номера"), item("1", "б")]
            ))
            .contains("без номера")
        );
        assert_eq!(
            conflict_of(check_roadmap(
                period(),
                &[item("1.1", "а"), item("2", "б"), item("1.1", "в")]
            )),
            "пункт 1.1 указан в дорожной карте дважды"
        );
        let mut weekly = item("2", "б");
        weekly.recurrence = Some("weekly".into());
        assert!(conflict_of(check_roadmap(period(), &[item("1", "а"), weekly])).contains("weekly"));
        let mut backwards_point = item("3", "в");
        backwards_point.control_points[0].from = Some(date(2026, 2, 1));
        assert!(conflict_of(check_roadmap(period(), &[backwards_point])).contains("пункт 3"));
        let mut quarterly = item("4", "г");
        quarterly.recurrence = Some("quarterly".into());
        check_roadmap(period(), &[item("1", "а"), quarterly]).unwrap();
        check_roadmap(period(), &[]).unwrap();
    }

    #[test]
    fn marking_done_needs_evidence() {
        assert_eq!(
            check_mark(true, Some(" приказ № 5 ".into())).unwrap(),
            Some(" приказ № 5 ".into())
        );
        for blank in [None, Some(String::new()), Some(" \t\n".into())] {
            assert!(matches!(
                check_mark(true, blank),
                Err(StoreError::Conflict(m)) if m == "опишите, чем подтверждается выполнение"
            ));
        }
        assert_eq!(check_mark(false, Some("что-то".into())).unwrap(), None);
        assert_eq!(check_mark(false, None).unwrap(), None);
    }

    #[test]
    fn audit_objects_name_the_period_and_the_item() {
        assert_eq!(
            roadmap_audit_object(
                period(),
                &RoadmapCounts {
                    created: 3,
                    updated: 1,
                    unchanged: 10,
                }
            ),
            "2025-09-01..2026-08-31: создано: 3; обновлено: 1; без изменений: 10"
        );
    }
}

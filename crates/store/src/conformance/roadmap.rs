//! Conformance cases of the roadmap area: imports matched on the item's
//! number (unchanged, updated keeping the done state, inserted, kept),
//! the file's order, refusals, periods, the roadmap of a day, and marking
//! items done.

use domain::Period;

use super::*;
use crate::{NewRoadmapItem, RoadmapCounts, RoadmapItemRow, RoadmapPoint};

fn school_year() -> Period {
    Period {
        from: date(2025, 9, 1),
        to: date(2026, 8, 31),
    }
}

fn calendar_2026() -> Period {
    Period {
        from: date(2026, 1, 1),
        to: date(2026, 12, 31),
    }
}

fn month(y: i32, m: u32, last: u32) -> RoadmapPoint {
    RoadmapPoint {
        from: Some(date(y, m, 1)),
        to: date(y, m, last),
    }
}

/// A plain item due in January 2026.
fn item(number: &str, title: &str) -> NewRoadmapItem {
    NewRoadmapItem {
        number: number.into(),
        direction: None,
        title: title.into(),
        audience: None,
        description: None,
        due_text: "Январь 2026".into(),
        control_points: vec![month(2026, 1, 31)],
        recurrence: None,
        unreadable: false,
        responsible: None,
        level: None,
        form: None,
    }
}

/// An item with every field set, awkward text included.
fn full_item(number: &str) -> NewRoadmapItem {
    NewRoadmapItem {
        number: number.into(),
        direction: Some("1. Диагностика профессиональных дефицитов".into()),
        title: format!("Мероприятие {number}: «кавычки» \"и\" \\ обратная черта 🎓"),
        audience: Some("Педагоги ШНОР и ШсРНР".into()),
        description: Some("Первая строка\nвторая строка\tс табуляцией".into()),
        due_text: "Декабрь 2025 Июнь 2026, далее – ежеквартально".into(),
        control_points: vec![
            month(2025, 12, 31),
            RoadmapPoint {
                from: None,
                to: date(2026, 4, 15),
            },
            month(2026, 6, 30),
        ],
        recurrence: Some("quarterly".into()),
        unreadable: false,
        responsible: Some("ЦНППМ, муниципальные координаторы".into()),
        level: Some("региональный".into()),
        form: Some("приказ".into()),
    }
}

/// An item whose due text could not be read: «без срока».
fn unreadable_item(number: &str) -> NewRoadmapItem {
    NewRoadmapItem {
        due_text: "по мере необходимости".into(),
        control_points: vec![],
        unreadable: true,
        ..item(number, "Мероприятие без срока")
    }
}

fn counts(created: u32, updated: u32, unchanged: u32) -> RoadmapCounts {
    RoadmapCounts {
        created,
        updated,
        unchanged,
    }
}

async fn import(
    store: &dyn Store,
    period: Period,
    items: Vec<NewRoadmapItem>,
    now: Millis,
) -> RoadmapCounts {
    store
        .apply_roadmap(&admin_authority(), period, items, now)
        .await
        .unwrap()
}

async fn roadmap_on(store: &dyn Store, on: NaiveDate) -> Vec<RoadmapItemRow> {
    store.roadmap(on).await.unwrap()
}

/// The numbers of `rows`, in their order.
fn numbers(rows: &[RoadmapItemRow]) -> Vec<&str> {
    rows.iter().map(|r| r.number.as_str()).collect()
}

fn by_number<'a>(rows: &'a [RoadmapItemRow], number: &str) -> &'a RoadmapItemRow {
    rows.iter()
        .find(|r| r.number == number)
        .unwrap_or_else(|| panic!("no item {number}"))
}

/// A change to one field of an item.
type Mutation = fn(&mut NewRoadmapItem);

async fn audit_entries(store: &dyn Store) -> Vec<AuditEntry> {
    store.audit_log(&cli(), 1_000).await.unwrap()
}

/// A day inside the school year only.
fn in_school_year() -> NaiveDate {
    date(2025, 10, 1)
}

// ---- importing -------------------------------------------------------------------------

/// Every field of every item is stored and read back as given, with the
/// period, the file's positions, no done state and `updated_at = now`;
/// one audit entry names the period and the counts.
pub async fn roadmap_round_trips_every_field(store: &dyn Store) {
    assert!(roadmap_on(store, in_school_year()).await.is_empty());
    let items = vec![full_item("1.1"), unreadable_item("1.2"), item("2", "Итоги")];
    assert_eq!(
        import(store, school_year(), items.clone(), NOW).await,
        counts(3, 0, 0)
    );

    let rows = roadmap_on(store, in_school_year()).await;
    assert_eq!(rows.len(), 3);
    for (n, (row, given)) in rows.iter().zip(&items).enumerate() {
        assert_eq!(
            *row,
            RoadmapItemRow {
                id: row.id,
                period: school_year(),
                position: n as u32,
                number: given.number.clone(),
                direction: given.direction.clone(),
                title: given.title.clone(),
                audience: given.audience.clone(),
                description: given.description.clone(),
                due_text: given.due_text.clone(),
                control_points: given.control_points.clone(),
                recurrence: given.recurrence.clone(),
                unreadable: given.unreadable,
                responsible: given.responsible.clone(),
                level: given.level.clone(),
                form: given.form.clone(),
                done_at: None,
                done_by: None,
                evidence: None,
                updated_at: NOW,
            }
        );
        assert_eq!(row.item(), *given);
    }
    let ids: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 3, "each item has its own id");

    let audit = audit_entries(store).await;
    assert_eq!(
        audit,
        vec![AuditEntry {
            at: NOW,
            actor: Some(login("admin")),
            action: "import roadmap".into(),
            object: "2025-09-01..2026-08-31: создано: 3; обновлено: 0; без изменений: 0".into(),
        }]
    );
}

/// Importing the same file again changes nothing but records the import.
pub async fn reimporting_a_roadmap_changes_nothing(store: &dyn Store) {
    let items = vec![full_item("1"), unreadable_item("2"), item("3", "Итоги")];
    import(store, school_year(), items.clone(), NOW).await;
    let before = roadmap_on(store, in_school_year()).await;

    assert_eq!(
        store
            .apply_roadmap(&cli(), school_year(), items, NOW + DAY)
            .await
            .unwrap(),
        counts(0, 0, 3)
    );
    assert_eq!(roadmap_on(store, in_school_year()).await, before);
    let audit = audit_entries(store).await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].action, "import roadmap");
    assert_eq!(audit[0].actor, None, "the command line has no login");
    assert_eq!(audit[0].at, NOW + DAY);
    assert_eq!(
        audit[0].object,
        "2025-09-01..2026-08-31: создано: 0; обновлено: 0; без изменений: 3"
    );
    assert_eq!(
        store.roadmap_periods().await.unwrap(),
        vec![school_year()],
        "a period is listed once"
    );
}

/// A changed item is updated in place: its id and done state stay, its
/// text is the file's, `updated_at` moves; a change in any one field
/// counts.
pub async fn changed_roadmap_items_are_updated_keeping_their_done_state(store: &dyn Store) {
    import(
        store,
        school_year(),
        vec![full_item("1"), full_item("2"), item("3", "Третий")],
        NOW,
    )
    .await;
    let first = roadmap_on(store, in_school_year()).await;
    let done = store
        .mark_roadmap_item(
            &login("coord"),
            by_number(&first, "2").id,
            true,
            Some("Приказ № 12 от 01.10.2025".into()),
            NOW + 1,
        )
        .await
        .unwrap();

    let mut changed = full_item("2");
    changed.title = "Мероприятие 2, исправленное".into();
    changed.due_text = "Февраль 2026".into();
    changed.control_points = vec![month(2026, 2, 28)];
    changed.recurrence = None;
    assert_eq!(
        import(
            store,
            school_year(),
            vec![full_item("1"), changed.clone(), item("3", "Третий")],
            NOW + 2,
        )
        .await,
        counts(0, 1, 2)
    );
    let rows = roadmap_on(store, in_school_year()).await;
    assert_eq!(
        *by_number(&rows, "2"),
        RoadmapItemRow {
            id: done.id,
            position: 1,
            number: "2".into(),
            direction: changed.direction.clone(),
            title: changed.title.clone(),
            audience: changed.audience.clone(),
            description: changed.description.clone(),
            due_text: changed.due_text.clone(),
            control_points: changed.control_points.clone(),
            recurrence: None,
            unreadable: false,
            responsible: changed.responsible.clone(),
            level: changed.level.clone(),
            form: changed.form.clone(),
            updated_at: NOW + 2,
            ..done.clone()
        },
        "the done state stays"
    );
    assert_eq!(by_number(&rows, "2").done_at, Some(NOW + 1));
    assert_eq!(*by_number(&rows, "1"), *by_number(&first, "1"));
    assert_eq!(*by_number(&rows, "3"), *by_number(&first, "3"));

    // A change in any single field is a change.
    let base = full_item("1");
    let mutations: [(&str, Mutation); 11] = [
        ("direction", |i| i.direction = None),
        ("title", |i| i.title.push('.')),
        ("audience", |i| i.audience = Some("Все".into())),
        ("description", |i| i.description = None),
        ("due_text", |i| i.due_text.push(' ')),
        ("control_points", |i| {
            i.control_points[1].from = Some(date(2026, 4, 1))
        }),
        ("recurrence", |i| i.recurrence = Some("monthly".into())),
        ("unreadable", |i| i.unreadable = true),
        ("responsible", |i| i.responsible = None),
        ("level", |i| i.level = Some("муниципальный".into())),
        ("form", |i| i.form = Some(String::new())),
    ];
    let id = by_number(&rows, "1").id;
    for (n, (field, mutate)) in mutations.iter().enumerate() {
        let mut next = base.clone();
        mutate(&mut next);
        let now = NOW + 10 + n as Millis;
        assert_eq!(
            import(store, school_year(), vec![next.clone()], now).await,
            counts(0, 1, 0),
            "a change of {field} is an update"
        );
        let row = by_number(&roadmap_on(store, in_school_year()).await, "1").clone();
        assert_eq!(row.item(), next, "{field} is stored");
        assert_eq!(row.id, id);
        assert_eq!(row.updated_at, now);
        // Back to the base for the next field.
        import(store, school_year(), vec![base.clone()], now).await;
    }
}

/// Items follow the file's order; a re-import with fewer items keeps the
/// missing ones, after the file's, in their earlier order, untouched.
pub async fn roadmap_items_follow_the_file_order(store: &dyn Store) {
    let a = item("1.1", "А");
    let b = item("1.10", "Б");
    let c = item("1.2", "В");
    let d = item("10", "Г");
    let e = item("2", "Д");
    import(
        store,
        school_year(),
        vec![a.clone(), b.clone(), c.clone(), d.clone()],
        NOW,
    )
    .await;
    let first = roadmap_on(store, in_school_year()).await;
    assert_eq!(
        numbers(&first),
        ["1.1", "1.10", "1.2", "10"],
        "the file's order, not the numbers'"
    );
    let b_done = store
        .mark_roadmap_item(
            &login("admin"),
            first[1].id,
            true,
            Some("отчёт".into()),
            NOW + 1,
        )
        .await
        .unwrap();

    assert_eq!(
        import(store, school_year(), vec![c, e, a], NOW + 2).await,
        counts(1, 0, 2)
    );
    let rows = roadmap_on(store, in_school_year()).await;
    assert_eq!(numbers(&rows), ["1.2", "2", "1.1", "1.10", "10"]);
    let positions: Vec<u32> = rows.iter().map(|r| r.position).collect();
    assert_eq!(positions, [0, 1, 2, 3, 4]);
    assert_eq!(
        *by_number(&rows, "1.10"),
        RoadmapItemRow {
            position: 3,
            ..b_done
        }
    );
    for number in ["1.1", "1.2", "10"] {
        let (now, was) = (by_number(&rows, number), by_number(&first, number));
        assert_eq!(
            (now.id, now.updated_at, now.item()),
            (was.id, was.updated_at, was.item()),
            "{number} only moved"
        );
    }
    assert_eq!(by_number(&rows, "2").updated_at, NOW + 2);

    // An empty file keeps everything where it is.
    assert_eq!(
        import(store, school_year(), vec![], NOW + 3).await,
        counts(0, 0, 0)
    );
    assert_eq!(roadmap_on(store, in_school_year()).await, rows);
}

/// Two items with one number (or one without a number) refuse the whole
/// file: nothing is written, not even a new period or an audit entry.
pub async fn duplicate_roadmap_numbers_are_refused_and_write_nothing(store: &dyn Store) {
    import(
        store,
        school_year(),
        vec![item("1.1", "А"), item("1.2", "Б")],
        NOW,
    )
    .await;
    let before = roadmap_on(store, in_school_year()).await;
    let audit_before = audit_entries(store).await;

    let twice = vec![
        item("1.1", "А, исправленное"),
        item("1.2", "Б"),
        item("1.3", "В"),
        item("1.2", "Б ещё раз"),
    ];
    for period in [school_year(), calendar_2026()] {
        assert_conflict_naming(
            store
                .apply_roadmap(&admin_authority(), period, twice.clone(), NOW + 1)
                .await,
            "1.2",
        );
    }
    assert_conflict_naming(
        store
            .apply_roadmap(
                &admin_authority(),
                school_year(),
                vec![item("1.1", "А"), item("  ", "Пункт без номера")],
                NOW + 1,
            )
            .await,
        "Пункт без номера",
    );
    let mut weekly = item("1.4", "Г");
    weekly.recurrence = Some("weekly".into());
    assert_conflict_naming(
        store
            .apply_roadmap(
                &admin_authority(),
                calendar_2026(),
                vec![item("1.3", "В"), weekly],
                NOW + 1,
            )
            .await,
        "weekly",
    );
    assert!(matches!(
        store
            .apply_roadmap(
                &admin_authority(),
                Period {
                    from: date(2026, 9, 1),
                    to: date(2026, 8, 31),
                },
                vec![item("1", "А")],
                NOW + 1,
            )
            .await,
        Err(StoreError::Conflict(_))
    ));

    assert_eq!(roadmap_on(store, in_school_year()).await, before);
    assert!(roadmap_on(store, date(2026, 12, 1)).await.is_empty());
    assert_eq!(store.roadmap_periods().await.unwrap(), vec![school_year()]);
    assert_eq!(audit_entries(store).await, audit_before);
}

/// Every imported period once, the latest start first (then the latest
/// end), however they were imported; an import without items still
/// records its period.
pub async fn roadmap_periods_are_newest_first(store: &dyn Store) {
    assert!(store.roadmap_periods().await.unwrap().is_empty());
    let earlier = Period {
        from: date(2024, 9, 1),
        to: date(2025, 8, 31),
    };
    let half = Period {
        from: date(2026, 1, 1),
        to: date(2026, 6, 30),
    };
    import(store, school_year(), vec![item("1", "А")], NOW).await;
    import(store, calendar_2026(), vec![item("1", "А")], NOW + 1).await;
    import(store, earlier, vec![item("1", "А")], NOW + 2).await;
    import(store, half, vec![], NOW + 3).await;
    import(store, school_year(), vec![item("2", "Б")], NOW + 4).await;
    assert_eq!(
        store.roadmap_periods().await.unwrap(),
        vec![calendar_2026(), half, school_year(), earlier]
    );
    // Items of one number in two periods are two items.
    let school = roadmap_on(store, in_school_year()).await;
    assert_eq!(numbers(&school), ["2", "1"]);
    let before = roadmap_on(store, date(2025, 3, 1)).await;
    assert_eq!(numbers(&before), ["1"]);
    assert_eq!(before[0].period, earlier);
    assert!(!school.iter().any(|s| s.id == before[0].id));
}

/// The roadmap of a day is the one of the period containing it (both ends
/// included); where imported periods overlap, the latest imported wins.
pub async fn roadmap_on_a_day_picks_its_period(store: &dyn Store) {
    import(
        store,
        school_year(),
        vec![item("1", "Учебный год"), item("2", "Учебный год, второй")],
        NOW,
    )
    .await;
    import(
        store,
        calendar_2026(),
        vec![item("1", "Календарный год")],
        NOW + 1,
    )
    .await;
    let titles = async |on: NaiveDate| -> Vec<String> {
        roadmap_on(store, on)
            .await
            .into_iter()
            .map(|r| r.title)
            .collect()
    };
    let school = ["Учебный год", "Учебный год, второй"];
    let calendar = ["Календарный год"];
    assert!(titles(date(2025, 8, 31)).await.is_empty());
    assert_eq!(titles(date(2025, 9, 1)).await, school);
    assert_eq!(titles(date(2025, 12, 31)).await, school);
    assert_eq!(titles(date(2026, 1, 1)).await, calendar, "imported later");
    assert_eq!(titles(date(2026, 8, 31)).await, calendar);
    assert_eq!(titles(date(2026, 12, 31)).await, calendar);
    assert!(titles(date(2027, 1, 1)).await.is_empty());
    assert!(
        roadmap_on(store, date(2026, 3, 1))
            .await
            .iter()
            .all(|r| r.period == calendar_2026())
    );

    // Importing the school year again (even unchanged) makes it the latest.
    import(
        store,
        school_year(),
        vec![item("1", "Учебный год"), item("2", "Учебный год, второй")],
        NOW + 2,
    )
    .await;
    assert_eq!(titles(date(2026, 3, 1)).await, school);
    assert_eq!(titles(date(2026, 9, 1)).await, calendar);
}

/// Two imports of one new period at once store each item once.
pub async fn concurrent_roadmap_imports_create_each_item_once(store: &dyn Store) {
    let items: Vec<NewRoadmapItem> = (1..=20)
        .map(|n| item(&format!("{n}"), &format!("Пункт {n}")))
        .collect();
    let auth = admin_authority();
    let calls = (0..4)
        .map(|n| store.apply_roadmap(&auth, school_year(), items.clone(), NOW + n))
        .collect();
    let results = join_all(calls).await;
    let mut created = 0;
    for result in results {
        let c = result.expect("every import succeeds");
        assert_eq!(c.created + c.unchanged, 20);
        assert_eq!(c.updated, 0);
        created += c.created;
    }
    assert_eq!(created, 20, "each item is created once");
    let rows = roadmap_on(store, in_school_year()).await;
    assert_eq!(rows.iter().map(|r| r.item()).collect::<Vec<_>>(), items);
    assert_eq!(store.roadmap_periods().await.unwrap(), vec![school_year()]);
    assert_eq!(audit_entries(store).await.len(), 4);
}

// ---- marking items done ---------------------------------------------------------------------

/// Done needs evidence; done again replaces it; not done clears it; each
/// marking is audited with its actor; refusals change nothing.
pub async fn roadmap_items_are_marked_done_and_undone(store: &dyn Store) {
    import(
        store,
        school_year(),
        vec![full_item("1"), item("2", "Второй")],
        NOW,
    )
    .await;
    let rows = roadmap_on(store, in_school_year()).await;
    let (one, two) = (rows[0].clone(), rows[1].clone());

    let done = store
        .mark_roadmap_item(
            &login("coord"),
            one.id,
            true,
            Some(" Приказ № 5 «Об итогах» ".into()),
            NOW + 1,
        )
        .await
        .unwrap();
    assert_eq!(
        done,
        RoadmapItemRow {
            done_at: Some(NOW + 1),
            done_by: Some(login("coord")),
            evidence: Some(" Приказ № 5 «Об итогах» ".into()),
            updated_at: NOW + 1,
            ..one.clone()
        }
    );
    assert!(done.done());
    assert_eq!(
        roadmap_on(store, in_school_year()).await,
        vec![done.clone(), two.clone()]
    );
    let last = audit_entries(store).await.remove(0);
    assert_eq!(last.action, "roadmap item");
    assert_eq!(last.actor, Some(login("coord")));
    assert_eq!(last.at, NOW + 1);
    assert!(last.object.contains(&one.id.to_string()), "{}", last.object);

    let audit_before = audit_entries(store).await.len();
    for blank in [None, Some(String::new()), Some(" \t\n".into())] {
        assert_conflict_naming(
            store
                .mark_roadmap_item(&login("admin"), two.id, true, blank.clone(), NOW + 2)
                .await,
            "опишите, чем подтверждается выполнение",
        );
        assert_conflict_naming(
            store
                .mark_roadmap_item(&login("admin"), one.id, true, blank, NOW + 2)
                .await,
            "опишите, чем подтверждается выполнение",
        );
    }
    assert_eq!(
        roadmap_on(store, in_school_year()).await,
        vec![done.clone(), two.clone()]
    );
    assert_eq!(audit_entries(store).await.len(), audit_before);

    let again = store
        .mark_roadmap_item(
            &login("admin"),
            one.id,
            true,
            Some("Отчёт на сайте".into()),
            NOW + 3,
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        RoadmapItemRow {
            done_at: Some(NOW + 3),
            done_by: Some(login("admin")),
            evidence: Some("Отчёт на сайте".into()),
            updated_at: NOW + 3,
            ..one.clone()
        }
    );

    let undone = store
        .mark_roadmap_item(
            &login("admin"),
            one.id,
            false,
            Some("ошибочно отмечено".into()),
            NOW + 4,
        )
        .await
        .unwrap();
    assert_eq!(
        undone,
        RoadmapItemRow {
            updated_at: NOW + 4,
            ..one.clone()
        }
    );
    assert!(!undone.done());
    assert_eq!(
        roadmap_on(store, in_school_year()).await,
        vec![undone, two.clone()]
    );
    let audit = audit_entries(store).await;
    assert_eq!(audit.len(), audit_before + 2);
    assert_eq!(audit[0].action, "roadmap item");
    assert_ne!(audit[0].object, audit[1].object, "done and undone differ");

    // Not done, without evidence: fine, and still recorded.
    let still = store
        .mark_roadmap_item(&login("admin"), two.id, false, None, NOW + 5)
        .await
        .unwrap();
    assert_eq!(
        still,
        RoadmapItemRow {
            updated_at: NOW + 5,
            ..two
        }
    );
}

/// Marking an item that does not exist is `NotFound` and writes nothing.
pub async fn unknown_roadmap_items_are_not_found(store: &dyn Store) {
    for done in [true, false] {
        assert!(matches!(
            store
                .mark_roadmap_item(&login("admin"), 1, done, Some("отчёт".into()), NOW)
                .await,
            Err(StoreError::NotFound)
        ));
    }
    import(store, school_year(), vec![item("1", "А")], NOW).await;
    let id = roadmap_on(store, in_school_year()).await[0].id;
    for unknown in [id + 1, id + 1_000, -1, 0] {
        assert!(matches!(
            store
                .mark_roadmap_item(
                    &login("admin"),
                    unknown,
                    true,
                    Some("отчёт".into()),
                    NOW + 1
                )
                .await,
            Err(StoreError::NotFound)
        ));
    }
    assert_eq!(audit_entries(store).await.len(), 1, "the import only");
    assert!(!roadmap_on(store, in_school_year()).await[0].done());
}

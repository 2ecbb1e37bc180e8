//! Conformance cases of custom indicators (definitions, values entered
//! within the caller's scope and never overwritten) and of removing a
//! target.

use domain::indicators::{Indicator, Percent, Share, Where};

use super::*;
use crate::{CustomIndicatorChange, NewCustomIndicator, NewCustomValue, NewTarget};

fn definition(code: &str, title: &str) -> NewCustomIndicator {
    NewCustomIndicator {
        code: code.into(),
        title: title.into(),
        description: "Из ОО с критическими значениями — доля подключённых".into(),
        threshold: Some(Percent::parse("75").unwrap()),
        due_on: Some(date(2026, 8, 31)),
        active: true,
    }
}

fn person(login_: &str, roles: &[Role], school: Option<&str>, m: Option<&str>) -> Caller {
    Caller {
        login: login(login_),
        full_name: login_.into(),
        roles: roles.iter().copied().collect(),
        school: school.map(scode),
        municipality: m.map(mcode),
    }
}

/// The fixture's coordinator of m1.
fn coordinator() -> Caller {
    person("coord", &[Role::MunicipalCoordinator], None, Some("m1"))
}

/// The fixture's administrator: the region.
fn region_caller() -> Caller {
    person("admin", &[Role::Admin], None, None)
}

fn value(
    indicator_id: i64,
    m: Option<&str>,
    as_of: NaiveDate,
    n: u64,
    d: u64,
    evidence: &str,
) -> NewCustomValue {
    NewCustomValue {
        indicator_id,
        municipality: m.map(mcode),
        as_of,
        share: Share {
            numerator: n,
            denominator: d,
        },
        evidence: evidence.into(),
    }
}

/// A definition round trips with its creator and time; codes are unique
/// slugs other than the product's own indicators; an edit changes what it
/// may and keeps the code; each write is audited.
pub async fn custom_indicators_are_defined_and_updated(store: &dyn Store) {
    apply_fixture(store).await;
    assert!(store.custom_indicators().await.unwrap().is_empty());
    let first = store
        .define_custom_indicator(
            &admin_authority(),
            definition("school_500", "Подключены к проекту «500+»"),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(first.code, "school_500");
    assert_eq!(first.title, "Подключены к проекту «500+»");
    assert_eq!(first.threshold, Some(Percent::parse("75").unwrap()));
    assert_eq!(first.due_on, Some(date(2026, 8, 31)));
    assert!(first.active);
    assert_eq!(first.created_by, Some(login("admin")));
    assert_eq!(first.created_at, NOW);
    let mut second = definition("seminars", "Управленческие команды ШФНСУ на семинаре");
    second.threshold = Some(Percent::parse("66.7").unwrap());
    second.due_on = None;
    second.description = String::new();
    let second = store
        .define_custom_indicator(&cli(), second, NOW + 1)
        .await
        .unwrap();
    assert_eq!(second.created_by, None, "the operator");
    assert_eq!(second.threshold, Some(Percent::parse("66,7").unwrap()));
    assert_eq!(
        store.custom_indicators().await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(
        store.custom_indicator(first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.custom_indicator(first.id + 1000).await.unwrap(), None);
    let audit = store.audit_log(&cli(), 10).await.unwrap();
    assert_eq!(audit[1].action, "custom indicator");
    assert_eq!(audit[1].actor, Some(login("admin")));
    assert!(audit[1].object.contains("school_500"), "{:?}", audit[1]);

    for (code, name) in [
        ("school_500", "уже есть"),
        ("Школы 500", "Школы 500"),
        ("route_completion", "считает сам"),
    ] {
        assert_conflict_naming(
            store
                .define_custom_indicator(&admin_authority(), definition(code, "Х"), NOW + 2)
                .await,
            name,
        );
    }
    assert_conflict_naming(
        store
            .define_custom_indicator(&admin_authority(), definition("blank", "  "), NOW + 2)
            .await,
        "название",
    );
    assert_eq!(store.custom_indicators().await.unwrap().len(), 2);

    let change = CustomIndicatorChange {
        title: "Подключены к «500+» через telegram-канал".into(),
        description: "Подробнее".into(),
        threshold: None,
        due_on: Some(date(2026, 6, 1)),
        active: false,
    };
    let updated = store
        .update_custom_indicator(&admin_authority(), first.id, change.clone(), NOW + 3)
        .await
        .unwrap();
    assert_eq!(updated.code, "school_500", "the code stays");
    assert_eq!(updated.title, change.title);
    assert_eq!(updated.description, "Подробнее");
    assert_eq!(updated.threshold, None);
    assert_eq!(updated.due_on, Some(date(2026, 6, 1)));
    assert!(!updated.active);
    assert_eq!(updated.created_at, NOW, "created stays");
    assert_eq!(
        store.custom_indicator(first.id).await.unwrap(),
        Some(updated)
    );
    assert_eq!(
        store.audit_log(&cli(), 1).await.unwrap()[0].action,
        "custom indicator update"
    );
    assert!(matches!(
        store
            .update_custom_indicator(&admin_authority(), first.id + 1000, change.clone(), NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    let mut blank = change;
    blank.title = " ".into();
    assert_conflict_naming(
        store
            .update_custom_indicator(&admin_authority(), first.id, blank, NOW)
            .await,
        "название",
    );
}

/// A coordinator enters values for its own municipality only; the region
/// for any municipality and for itself. A refused entry writes nothing.
/// Entries are never overwritten: the history keeps all, the latest first,
/// and the current value of a scope is its latest by (as_of, id).
pub async fn custom_values_keep_history_within_the_scope(store: &dyn Store) {
    apply_fixture(store).await;
    let id = store
        .define_custom_indicator(&cli(), definition("school_500", "«500+»"), NOW)
        .await
        .unwrap()
        .id;
    let coord = coordinator();
    let row = store
        .add_custom_value(
            &coord,
            value(
                id,
                Some("m1"),
                date(2026, 3, 1),
                3,
                4,
                " Приказ ОМСУ № 15 от 01.03.2026 ",
            ),
            NOW + 1,
        )
        .await
        .unwrap();
    assert_eq!(row.entered_by, Some(login("coord")));
    assert_eq!(row.entered_at, NOW + 1);
    assert_eq!(row.value.evidence, "Приказ ОМСУ № 15 от 01.03.2026");
    let audit = store.audit_log(&cli(), 1).await.unwrap();
    assert_eq!(audit[0].action, "custom value");
    assert_eq!(audit[0].actor, Some(login("coord")));
    assert_eq!(audit[0].object, "school_500, m1, 2026-03-01: 3 из 4");

    // Outside the coordinator's scope, like what does not exist: NotFound.
    let deputy = person("t1", &[Role::Teacher, Role::DeputyHead], Some("s-a1"), None);
    for (caller, v) in [
        (
            &coord,
            value(id, Some("m2"), date(2026, 3, 1), 1, 2, "Справка"),
        ),
        (&coord, value(id, None, date(2026, 3, 1), 1, 2, "Справка")),
        (
            &deputy,
            value(id, Some("m1"), date(2026, 3, 1), 1, 2, "Справка"),
        ),
        (
            &coord,
            value(id + 1000, Some("m1"), date(2026, 3, 1), 1, 2, "Справка"),
        ),
        (
            &region_caller(),
            value(id, Some("m9"), date(2026, 3, 1), 1, 2, "Справка"),
        ),
    ] {
        let outcome = store.add_custom_value(caller, v.clone(), NOW + 2).await;
        assert!(
            matches!(outcome, Err(StoreError::NotFound)),
            "{v:?} by {}: {outcome:?}",
            caller.login
        );
    }
    assert_conflict_naming(
        store
            .add_custom_value(
                &coord,
                value(id, Some("m1"), date(2026, 3, 1), 1, 2, "   "),
                NOW + 2,
            )
            .await,
        "подтверждается",
    );
    assert_conflict_naming(
        store
            .add_custom_value(
                &coord,
                value(id, Some("m1"), date(2026, 3, 1), 5, 4, "Справка"),
                NOW + 2,
            )
            .await,
        "больше знаменателя",
    );
    let region = Scope::region();
    assert_eq!(
        store.custom_values(&region, id).await.unwrap(),
        vec![row.clone()]
    );

    // A later entry with an earlier day is history, not the current value;
    // on the same day the later entry wins.
    let older = store
        .add_custom_value(
            &coord,
            value(id, Some("m1"), date(2026, 2, 1), 2, 4, "Справка за февраль"),
            NOW + 3,
        )
        .await
        .unwrap();
    let admin = region_caller();
    let m2_first = store
        .add_custom_value(
            &admin,
            value(id, Some("m2"), date(2026, 3, 5), 1, 2, "Письмо № 7"),
            NOW + 4,
        )
        .await
        .unwrap();
    let m2_second = store
        .add_custom_value(
            &admin,
            value(id, Some("m2"), date(2026, 3, 5), 2, 2, "Письмо № 8"),
            NOW + 5,
        )
        .await
        .unwrap();
    let own = store
        .add_custom_value(
            &admin,
            value(id, None, date(2026, 1, 10), 10, 20, "Мониторинг СОИРО"),
            NOW + 6,
        )
        .await
        .unwrap();
    assert_eq!(own.value.municipality, None);

    assert_eq!(
        store.custom_values(&region, id).await.unwrap(),
        vec![
            m2_second.clone(),
            m2_first.clone(),
            row.clone(),
            older.clone(),
            own.clone()
        ],
        "every entry, the latest day first"
    );
    assert_eq!(
        store.custom_values(&coord.scope(), id).await.unwrap(),
        vec![row.clone(), older, own.clone()],
        "the coordinator sees its municipality and the region"
    );
    assert_eq!(
        store.custom_values(&deputy.scope(), id).await.unwrap(),
        vec![own.clone()],
        "a school sees the region's own figure"
    );

    // A second indicator's values stay apart.
    let other = store
        .define_custom_indicator(&cli(), definition("seminars", "Семинары"), NOW)
        .await
        .unwrap()
        .id;
    let other_m1 = store
        .add_custom_value(
            &coord,
            value(other, Some("m1"), date(2026, 1, 1), 0, 0, "Нет ШФНСУ"),
            NOW + 7,
        )
        .await
        .unwrap();
    assert_eq!(
        store.latest_custom_values(&region).await.unwrap(),
        vec![own.clone(), row.clone(), m2_second, other_m1.clone()],
        "by indicator, the region first, then by municipality code"
    );
    assert_eq!(
        store.latest_custom_values(&coord.scope()).await.unwrap(),
        vec![own, row, other_m1]
    );

    // An inactive indicator takes no values.
    store
        .update_custom_indicator(
            &cli(),
            id,
            CustomIndicatorChange {
                title: "«500+»".into(),
                description: String::new(),
                threshold: None,
                due_on: None,
                active: false,
            },
            NOW + 8,
        )
        .await
        .unwrap();
    assert_conflict_naming(
        store
            .add_custom_value(
                &coord,
                value(id, Some("m1"), date(2026, 4, 1), 1, 2, "Справка"),
                NOW + 9,
            )
            .await,
        "не действует",
    );
    assert_eq!(store.custom_values(&region, id).await.unwrap().len(), 5);
}

/// A removed target is gone, reported and audited; removing it again, or
/// an unknown id, is NotFound.
pub async fn targets_are_removed_and_audited(store: &dyn Store) {
    apply_fixture(store).await;
    let target = |indicator, threshold: &str, at| NewTarget {
        indicator,
        threshold: Percent::parse(threshold).unwrap(),
        at,
        due_on: None,
    };
    store
        .apply_targets(
            &admin_authority(),
            vec![
                target(Indicator::RouteCompletion, "80", Where::Region),
                target(
                    Indicator::TrainingCoverage,
                    "66.7",
                    Where::Municipality(mcode("m1")),
                ),
            ],
            NOW,
        )
        .await
        .unwrap();
    let rows = store.targets().await.unwrap();
    let gone = rows
        .iter()
        .find(|r| r.target.indicator == Indicator::TrainingCoverage)
        .unwrap()
        .clone();
    let removed = store
        .remove_target(&admin_authority(), gone.id, NOW + 1)
        .await
        .unwrap();
    assert_eq!(removed, gone);
    let left = store.targets().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].target.indicator, Indicator::RouteCompletion);
    let audit = store.audit_log(&cli(), 1).await.unwrap();
    assert_eq!(audit[0].action, "target remove");
    assert_eq!(audit[0].actor, Some(login("admin")));
    assert_eq!(audit[0].object, "training_coverage municipality m1: 66.7");
    assert!(matches!(
        store
            .remove_target(&admin_authority(), gone.id, NOW + 2)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.targets().await.unwrap(), left);
}

//! Conformance cases of trainings completed outside routes and of the
//! indicators' targets: round trips, re-imports that change nothing,
//! updates on the key, and refusals that write nothing.

use domain::ActivityKind;
use domain::indicators::{Indicator, Percent, Where};

use super::*;
use crate::{NewTarget, NewTraining, UpsertCounts};

fn counts(created: u32, updated: u32, unchanged: u32) -> UpsertCounts {
    UpsertCounts {
        created,
        updated,
        unchanged,
    }
}

fn training(l: &str, title: &str, kind: ActivityKind, completed_on: NaiveDate) -> NewTraining {
    NewTraining {
        login: login(l),
        title: title.into(),
        kind,
        hours: 36,
        completed_on,
        document: None,
    }
}

fn trainings_file() -> Vec<NewTraining> {
    let mut first = training(
        "t2",
        "Функциональная грамотность: «читательская» \\ 🎓",
        ActivityKind::Course,
        date(2025, 11, 20),
    );
    first.document = Some("УПК 772400012345".into());
    let mut second = training(
        "t1",
        "Педагогика и психология",
        ActivityKind::Retraining,
        date(2025, 12, 1),
    );
    second.hours = 252;
    vec![
        first,
        second,
        // The same title again on another day is another training.
        training(
            "t2",
            "Функциональная грамотность: «читательская» \\ 🎓",
            ActivityKind::Internship,
            date(2026, 2, 1),
        ),
    ]
}

async fn stored_trainings(store: &dyn Store) -> Vec<NewTraining> {
    store
        .trainings(&cli())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.training)
        .collect()
}

/// Every field is stored and read back, ordered by login, day and title;
/// `updated_at` is the import's time; one audit entry names the counts.
pub async fn trainings_round_trip_and_reimport_unchanged(store: &dyn Store) {
    apply_fixture(store).await;
    assert!(stored_trainings(store).await.is_empty());
    let file = trainings_file();
    let c = store
        .apply_trainings(&admin_authority(), file.clone(), NOW)
        .await
        .unwrap();
    assert_eq!(c, counts(3, 0, 0));
    let rows = store.trainings(&cli()).await.unwrap();
    assert!(rows.iter().all(|r| r.updated_at == NOW));
    let expected = vec![file[1].clone(), file[0].clone(), file[2].clone()];
    assert_eq!(stored_trainings(store).await, expected);
    let audit = store.audit_log(&cli(), 10).await.unwrap();
    assert_eq!(audit[0].action, "import trainings");
    assert_eq!(
        audit[0].object,
        "создано: 3; обновлено: 0; без изменений: 0"
    );

    // Again: nothing changes, not even `updated_at`.
    let c = store
        .apply_trainings(&admin_authority(), file, NOW + 1_000)
        .await
        .unwrap();
    assert_eq!(c, counts(0, 0, 3));
    assert_eq!(store.trainings(&cli()).await.unwrap(), rows);
}

/// A row whose key is stored is updated in place; stored rows missing
/// from a later call are kept.
pub async fn changed_trainings_are_updated_on_their_key(store: &dyn Store) {
    apply_fixture(store).await;
    let file = trainings_file();
    store
        .apply_trainings(&admin_authority(), file.clone(), NOW)
        .await
        .unwrap();
    let before = store.trainings(&cli()).await.unwrap();
    let mut changed = file[0].clone();
    changed.hours = 72;
    changed.document = None;
    let new = training(
        "t4",
        "Наставничество",
        ActivityKind::Course,
        date(2026, 3, 1),
    );
    let c = store
        .apply_trainings(
            &admin_authority(),
            vec![changed.clone(), new.clone()],
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(c, counts(1, 1, 0));
    let rows = store.trainings(&cli()).await.unwrap();
    assert_eq!(rows.len(), 4);
    let row = rows.iter().find(|r| r.training == changed).unwrap();
    let old = before.iter().find(|r| r.training == file[0]).unwrap();
    assert_eq!(row.id, old.id, "updated in place");
    assert_eq!(row.updated_at, NOW + 5);
    assert!(
        rows.iter()
            .any(|r| r.training == file[1] && r.updated_at == NOW)
    );
    assert!(rows.iter().any(|r| r.training == new));
}

/// An unknown login, a kind outside course/retraining/internship, or one
/// key twice: Conflict, and nothing of the call is written.
pub async fn refused_trainings_write_nothing(store: &dyn Store) {
    apply_fixture(store).await;
    let good = training("t1", "Курс", ActivityKind::Course, date(2025, 10, 1));
    let unknown = training("nobody", "Курс", ActivityKind::Course, date(2025, 10, 1));
    assert_conflict_naming(
        store
            .apply_trainings(&admin_authority(), vec![good.clone(), unknown], NOW)
            .await,
        "nobody",
    );
    let seminar = training("t1", "Семинар", ActivityKind::Seminar, date(2025, 10, 1));
    assert_conflict_naming(
        store
            .apply_trainings(&admin_authority(), vec![good.clone(), seminar], NOW)
            .await,
        "seminar",
    );
    assert_conflict_naming(
        store
            .apply_trainings(&admin_authority(), vec![good.clone(), good], NOW)
            .await,
        "дважды",
    );
    assert!(stored_trainings(store).await.is_empty());
}

fn target(indicator: Indicator, threshold: &str, at: Where) -> NewTarget {
    NewTarget {
        indicator,
        threshold: Percent::parse(threshold).unwrap(),
        at,
        due_on: None,
    }
}

async fn stored_targets(store: &dyn Store) -> Vec<NewTarget> {
    store
        .targets()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.target)
        .collect()
}

/// Targets round trip (exact thresholds, each scope, the due day), a
/// re-import changes nothing, a changed threshold is an update on
/// (indicator, scope, code), and one key twice writes nothing.
pub async fn targets_round_trip_reimport_and_update(store: &dyn Store) {
    apply_fixture(store).await;
    assert!(stored_targets(store).await.is_empty());
    let mut region = target(Indicator::TrainingCoverage, "90", Where::Region);
    region.due_on = Some(date(2026, 8, 31));
    let file = vec![
        region,
        target(
            Indicator::TrainingCoverage,
            "66.7",
            Where::Municipality(mcode("m1")),
        ),
        target(
            Indicator::RouteCompletion,
            "33.333",
            Where::School(scode("s-a1")),
        ),
    ];
    let c = store
        .apply_targets(&admin_authority(), file.clone(), NOW)
        .await
        .unwrap();
    assert_eq!(c, counts(3, 0, 0));
    let mut expected = file.clone();
    expected.sort_by_key(|t| {
        (
            t.indicator.as_str(),
            t.at.level(),
            t.at.code().map(str::to_string),
        )
    });
    assert_eq!(stored_targets(store).await, expected);
    let audit = store.audit_log(&cli(), 10).await.unwrap();
    assert_eq!(audit[0].action, "import targets");

    let rows = store.targets().await.unwrap();
    let c = store
        .apply_targets(&admin_authority(), file.clone(), NOW + 1)
        .await
        .unwrap();
    assert_eq!(c, counts(0, 0, 3));
    assert_eq!(store.targets().await.unwrap(), rows);

    let changed = target(
        Indicator::TrainingCoverage,
        "70",
        Where::Municipality(mcode("m1")),
    );
    let c = store
        .apply_targets(&admin_authority(), vec![changed.clone()], NOW + 2)
        .await
        .unwrap();
    assert_eq!(c, counts(0, 1, 0));
    let after = store.targets().await.unwrap();
    assert_eq!(after.len(), 3);
    let row = after.iter().find(|r| r.target == changed).unwrap();
    assert_eq!(row.updated_at, NOW + 2);

    assert_conflict_naming(
        store
            .apply_targets(
                &admin_authority(),
                vec![
                    target(Indicator::Growth, "10", Where::Region),
                    target(Indicator::Growth, "20", Where::Region),
                ],
                NOW + 3,
            )
            .await,
        "дважды",
    );
    assert_eq!(store.targets().await.unwrap(), after);
}

//! Conformance cases of the daily indicator snapshots: a day is taken once
//! (the first writer wins), reads are per scope and day range, and the
//! region's days are listed for backfilling.

use domain::indicators::{Indicator, Share, Where};

use super::*;
use crate::SnapshotRow;

fn snap(day: NaiveDate, at: Where, indicator: Indicator, n: u64, d: u64) -> SnapshotRow {
    SnapshotRow {
        day,
        at,
        indicator,
        share: Share {
            numerator: n,
            denominator: d,
        },
        period_from: date(2025, 9, 1),
    }
}

pub async fn snapshots_are_taken_once_per_day_and_read_by_scope(store: &dyn Store) {
    let m = Where::Municipality(mcode("m01"));
    let s = Where::School(scode("s001"));
    let day1 = date(2025, 10, 1);
    let day2 = date(2025, 10, 2);
    let first = vec![
        snap(day1, Where::Region, Indicator::RouteCompletion, 3, 10),
        snap(day1, Where::Region, Indicator::Growth, 0, 0),
        snap(day1, m.clone(), Indicator::RouteCompletion, 2, 4),
        snap(day1, s.clone(), Indicator::RouteCompletion, 1, 2),
    ];
    assert_eq!(store.save_snapshots(&first, 1).await.unwrap(), 4);
    // A second process taking the same day later changes nothing.
    let again = vec![
        snap(day1, Where::Region, Indicator::RouteCompletion, 9, 10),
        snap(day2, Where::Region, Indicator::RouteCompletion, 4, 10),
    ];
    assert_eq!(store.save_snapshots(&again, 2).await.unwrap(), 1);
    let region = store.snapshots(&Where::Region, day1, day2).await.unwrap();
    assert_eq!(
        region,
        vec![
            snap(day1, Where::Region, Indicator::Growth, 0, 0),
            snap(day1, Where::Region, Indicator::RouteCompletion, 3, 10),
            snap(day2, Where::Region, Indicator::RouteCompletion, 4, 10),
        ]
    );
    assert_eq!(
        store.snapshots(&m, day1, day2).await.unwrap(),
        vec![snap(day1, m.clone(), Indicator::RouteCompletion, 2, 4)]
    );
    assert_eq!(
        store.snapshots(&s, day2, day2).await.unwrap(),
        Vec::<SnapshotRow>::new()
    );
    assert_eq!(
        store.snapshot_days(day1, day2).await.unwrap(),
        vec![day1, day2]
    );
    assert_eq!(
        store.snapshot_days(day2, date(2026, 1, 1)).await.unwrap(),
        vec![day2]
    );
    // A snapshot counting more than its denominator is refused whole.
    let bad = vec![
        snap(date(2025, 10, 3), Where::Region, Indicator::Growth, 1, 1),
        snap(date(2025, 10, 3), m.clone(), Indicator::Growth, 2, 1),
    ];
    assert!(store.save_snapshots(&bad, 3).await.is_err());
    assert_eq!(
        store.snapshot_days(day1, date(2026, 1, 1)).await.unwrap(),
        vec![day1, day2]
    );
}

/// The dashboards' names: every municipality, and a municipality's
/// schools with inactive ones, ordered by name, without counts.
pub async fn names_are_read_without_counts(store: &dyn Store) {
    apply_fixture(store).await;
    let summaries = store.municipalities(&Scope::region()).await.unwrap();
    let mut expected: Vec<_> = summaries.into_iter().map(|m| m.municipality).collect();
    expected.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
    let names = store.municipality_names().await.unwrap();
    assert_eq!(
        names.iter().map(|m| m.code.clone()).collect::<Vec<_>>(),
        expected.iter().map(|m| m.code.clone()).collect::<Vec<_>>()
    );
    let m = &names[0].code;
    let schools = store
        .schools(
            &Scope::region(),
            &crate::SchoolFilter {
                municipality: Some(m.clone()),
                include_inactive: true,
                ..crate::SchoolFilter::default()
            },
        )
        .await
        .unwrap();
    let mut codes: Vec<_> = schools.into_iter().map(|s| s.school.code).collect();
    codes.sort();
    let mut named: Vec<_> = store
        .school_names(m)
        .await
        .unwrap()
        .into_iter()
        .map(|(code, ..)| code)
        .collect();
    named.sort();
    assert!(!named.is_empty());
    assert_eq!(named, codes);
}

//! Conformance cases of the routes area: the catalogue, drafts, seats.

use std::collections::HashMap;

use domain::routes::Step;
use domain::{ActivityKind, CompetenceRef, CourseCode, Entry, Format, Period};

use super::*;
use crate::{DraftCounts, NewDraft, RouteStatus, SeatUse, StepStatus};

fn course(code: &str) -> CourseCode {
    CourseCode::parse(code).unwrap()
}

fn entry(code: &str, municipality: Option<&str>) -> Entry {
    Entry {
        code: course(code),
        title: format!("Курс {code}: проектирование урока"),
        kind: ActivityKind::Course,
        hours: 36,
        competences: vec![
            CompetenceRef::new("pedagogy-core", "K1"),
            CompetenceRef::new("pedagogy-core", "K3"),
        ],
        provider: Some("ЦНППМ".into()),
        format: Format::Blended,
        subjects: vec!["Математика".into(), "Физика".into()],
        municipality: municipality.map(mcode),
        starts_on: Some(date(2027, 2, 1)),
        ends_on: Some(date(2027, 2, 20)),
        capacity: Some(25),
        url: Some("https://example.org/k".into()),
        active: true,
    }
}

fn bare_entry(code: &str) -> Entry {
    Entry {
        code: course(code),
        title: "Вебинар".into(),
        kind: ActivityKind::Webinar,
        hours: 2,
        competences: vec![CompetenceRef::new("math-methods", "K4")],
        provider: None,
        format: Format::Remote,
        subjects: vec![],
        municipality: None,
        starts_on: None,
        ends_on: None,
        capacity: None,
        url: None,
        active: true,
    }
}

fn period() -> Period {
    Period {
        from: date(2027, 1, 1),
        to: date(2027, 5, 31),
    }
}

fn step(course_code: Option<&str>, title: &str, mandatory: bool) -> Step {
    Step {
        kind: if course_code.is_some() {
            ActivityKind::Course
        } else {
            ActivityKind::Mentoring
        },
        course: course_code.map(course),
        title: title.into(),
        competences: vec![CompetenceRef::new("pedagogy-core", "K1")],
        hours: if course_code.is_some() { 36 } else { 0 },
        mandatory,
        starts_on: Some(date(2027, 2, 1)),
        ends_on: Some(date(2027, 2, 20)),
        mentor: None,
        mentor_name: Some("наставник не назначен".into()),
        expected_result: "Преодолён дефицит: Проектирование урока".into(),
        reporting_form: "удостоверение о повышении квалификации".into(),
    }
}

fn draft(l: &str, steps: Vec<Step>) -> NewDraft {
    NewDraft {
        teacher: login(l),
        period: period(),
        steps,
        uncovered_json: r#"[{"competence":"pedagogy-core:K2"}]"#.into(),
    }
}

/// The catalogue round-trips every field and is updated by code.
pub async fn catalogue_round_trips_by_code(store: &dyn Store) {
    apply_fixture(store).await;
    assert!(store.catalogue().await.unwrap().is_empty());
    let a = entry("K-01", Some("m1"));
    let b = bare_entry("W-02");
    store
        .apply_catalogue(&cli(), vec![b.clone(), a.clone()], NOW)
        .await
        .unwrap();
    assert_eq!(store.catalogue().await.unwrap(), vec![a.clone(), b.clone()]);

    let mut changed = a.clone();
    changed.hours = 72;
    changed.municipality = None;
    changed.capacity = None;
    changed.starts_on = None;
    changed.active = false;
    store
        .apply_catalogue(&cli(), vec![changed.clone()], NOW + 1)
        .await
        .unwrap();
    assert_eq!(store.catalogue().await.unwrap(), vec![changed, b]);
}

/// An entry in a municipality the region does not have writes nothing.
pub async fn unknown_catalogue_municipality_is_a_conflict(store: &dyn Store) {
    apply_fixture(store).await;
    let outcome = store
        .apply_catalogue(
            &cli(),
            vec![entry("K-01", None), entry("K-02", Some("m9"))],
            NOW,
        )
        .await;
    assert_conflict_naming(outcome, "m9");
    assert!(store.catalogue().await.unwrap().is_empty());
}

/// Generation's drafts: created once, then replaced while untouched;
/// read back in order, scoped like accounts.
pub async fn drafts_are_created_then_replaced_and_scoped(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    let first = vec![
        step(None, "Наставничество", true),
        step(Some("K-01"), "Курс", true),
    ];
    let counts = store
        .save_drafts(
            &cli(),
            vec![draft("t2", first.clone()), draft("t4", first.clone())],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        DraftCounts {
            created: 2,
            ..DraftCounts::default()
        }
    );
    let region = admin_authority();
    let states = store.route_states(&region, period().from).await.unwrap();
    assert_eq!(states.len(), 2);
    assert!(states[&login("t2")].replaceable());
    assert_eq!(states[&login("t2")].status, RouteStatus::Draft);

    let routes = store
        .routes_of(&Scope::region(), &login("t2"))
        .await
        .unwrap();
    assert_eq!(routes.len(), 1);
    let r = &routes[0];
    assert_eq!(r.teacher, login("t2"));
    assert_eq!(r.period, period());
    assert_eq!(r.status, RouteStatus::Draft);
    assert!(!r.edited);
    assert_eq!(r.uncovered_json, r#"[{"competence":"pedagogy-core:K2"}]"#);
    assert_eq!(
        r.steps.iter().map(|s| s.step.clone()).collect::<Vec<_>>(),
        first
    );
    assert!(r.steps.iter().all(|s| s.status == StepStatus::Planned));

    // Regeneration replaces an untouched draft in place.
    let second = vec![step(Some("K-01"), "Курс, другой", false)];
    let counts = store
        .save_drafts(&cli(), vec![draft("t2", second.clone())], NOW + 5)
        .await
        .unwrap();
    assert_eq!(counts.replaced, 1);
    assert_eq!(counts.created, 0);
    let again = store.route(&Scope::region(), r.id).await.unwrap().unwrap();
    assert_eq!(
        again
            .steps
            .iter()
            .map(|s| s.step.clone())
            .collect::<Vec<_>>(),
        second
    );
    assert_eq!(again.updated_at, NOW + 5);

    // Scoped: a teacher of s-a1 (t1, deputy head there) sees t2's route, not t4's.
    let t1 = credentials_of(store, "t1").await.caller.scope();
    assert_eq!(store.routes_of(&t1, &login("t2")).await.unwrap().len(), 1);
    assert!(store.routes_of(&t1, &login("t4")).await.unwrap().is_empty());
    let t4_route = store
        .routes_of(&Scope::region(), &login("t4"))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(store.route(&t1, t4_route.id).await.unwrap(), None);

    // A draft for an unknown teacher writes nothing.
    let outcome = store
        .save_drafts(
            &cli(),
            vec![draft("t4", second.clone()), draft("nobody", second)],
            NOW + 9,
        )
        .await;
    assert_conflict_naming(outcome, "nobody");
    let t4_after = store
        .route(&Scope::region(), t4_route.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t4_after.steps.len(), 2);
}

/// Seats are counted from the steps of routes, by the route's state.
pub async fn seat_use_counts_steps_by_route_state(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None), bare_entry("W-02")], NOW)
        .await
        .unwrap();
    assert!(store.seat_use().await.unwrap().is_empty());
    store
        .save_drafts(
            &cli(),
            vec![
                draft("t2", vec![step(Some("K-01"), "Курс", true)]),
                draft(
                    "t4",
                    vec![
                        step(Some("K-01"), "Курс", true),
                        step(None, "Наставничество", true),
                    ],
                ),
            ],
            NOW,
        )
        .await
        .unwrap();
    let used = store.seat_use().await.unwrap();
    let expected: HashMap<CourseCode, SeatUse> = [(
        course("K-01"),
        SeatUse {
            held: 0,
            kept_drafts: 0,
            drafts: 2,
        },
    )]
    .into();
    assert_eq!(used, expected);
}

/// The region's diagnostics after a day, with their competences.
pub async fn diagnostics_since_reads_the_region(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .import_diagnostics(
            &cli(),
            vec![
                imported("t2", "pedagogy-core", date(2025, 1, 10), "50"),
                imported("t2", "pedagogy-core", date(2025, 11, 10), "45"),
                imported("t4", "math-methods", date(2025, 12, 1), "70"),
            ],
            NOW,
        )
        .await
        .unwrap();
    let region = admin_authority();
    let rows = store
        .diagnostics_since(&region, date(2025, 1, 10))
        .await
        .unwrap();
    let seen: Vec<(&str, NaiveDate)> = rows
        .iter()
        .map(|d| (d.login.as_str(), d.taken_on))
        .collect();
    assert_eq!(
        seen,
        [("t2", date(2025, 11, 10)), ("t4", date(2025, 12, 1))]
    );
    assert_eq!(rows[1].competences.len(), 3);
    assert_eq!(rows[1].competences[0].competence, "math-methods:K2");
}

//! Conformance cases of the routes area: the catalogue, drafts, seats, and
//! a route's life after generation (edit, approval, execution).

use std::collections::HashMap;

use domain::routes::Step;
use domain::{ActivityKind, CompetenceRef, CourseCode, Entry, Format, Period};

use super::*;
use crate::{
    DraftCounts, EvidenceKind, NewDraft, NewEvidence, RouteFilter, RouteRow, RouteStatus, SeatUse,
    StepStatus,
};

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

// ---- a route's life: edit, approve, execute ---------------------------------------

/// A draft for `l` in the period starting on January 1 of `year`.
fn draft_in(l: &str, year: i32, steps: Vec<Step>) -> NewDraft {
    NewDraft {
        period: Period {
            from: date(year, 1, 1),
            to: date(year, 5, 31),
        },
        ..draft(l, steps)
    }
}

/// An entry with `capacity` seats.
fn limited_entry(code: &str, capacity: u32) -> Entry {
    Entry {
        capacity: Some(capacity),
        ..entry(code, None)
    }
}

fn text_evidence(text: &str) -> NewEvidence {
    NewEvidence {
        kind: EvidenceKind::Text,
        text: Some(text.into()),
        url: None,
        file_name: None,
        content_type: None,
        bytes: None,
    }
}

fn link_evidence(url: &str) -> NewEvidence {
    NewEvidence {
        kind: EvidenceKind::Link,
        text: None,
        url: Some(url.into()),
        file_name: None,
        content_type: None,
        bytes: None,
    }
}

/// Every byte value, so a BLOB/BYTEA round trip shows any mangling.
fn file_bytes() -> Vec<u8> {
    (0..=255u8).chain([0, 0, 255, b'\n']).collect()
}

fn file_evidence() -> NewEvidence {
    NewEvidence {
        kind: EvidenceKind::File,
        text: Some("Удостоверение".into()),
        url: None,
        file_name: Some("удостоверение.pdf".into()),
        content_type: Some("application/pdf".into()),
        bytes: Some(file_bytes()),
    }
}

/// The teacher's only route (region scope).
async fn only_route_of(store: &dyn Store, l: &str) -> RouteRow {
    let mut routes = store.routes_of(&Scope::region(), &login(l)).await.unwrap();
    assert_eq!(routes.len(), 1, "{l} has one route: {routes:?}");
    routes.remove(0)
}

async fn route_by_id(store: &dyn Store, id: i64) -> RouteRow {
    store.route(&Scope::region(), id).await.unwrap().unwrap()
}

/// The newest audit entry.
async fn last_audit(store: &dyn Store) -> AuditEntry {
    store.audit_log(&cli(), 1).await.unwrap().remove(0)
}

async fn audit_len(store: &dyn Store) -> usize {
    store.audit_log(&cli(), 1_000).await.unwrap().len()
}

fn plain_steps(route: &RouteRow) -> Vec<Step> {
    route.steps.iter().map(|s| s.step.clone()).collect()
}

fn assert_not_found<T: std::fmt::Debug>(result: crate::Result<T>) {
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "expected NotFound, got {result:?}"
    );
}

/// A methodist's edit replaces the steps, marks the draft edited, and a
/// regeneration then keeps it.
pub async fn edited_drafts_are_kept_by_regeneration(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![draft(
                "t2",
                vec![
                    step(None, "Наставничество", true),
                    step(Some("K-01"), "Курс", true),
                ],
            )],
            NOW,
        )
        .await
        .unwrap();
    let generated = only_route_of(store, "t2").await;

    // Reordered, re-dated, one step added.
    let mut redated = step(Some("K-01"), "Курс", true);
    redated.starts_on = Some(date(2027, 3, 1));
    redated.ends_on = Some(date(2027, 3, 20));
    let mut own = step(None, "Самообразование: открытый урок", false);
    own.kind = ActivityKind::SelfStudy;
    own.hours = 6;
    own.mentor_name = None;
    let edited_steps = vec![redated, step(None, "Наставничество", true), own];
    let edited = store
        .update_draft(&login("admin"), generated.id, edited_steps.clone(), NOW + 1)
        .await
        .unwrap();
    assert_eq!(edited.id, generated.id);
    assert_eq!(edited.status, RouteStatus::Draft);
    assert!(edited.edited);
    assert_eq!(edited.updated_at, NOW + 1);
    assert_eq!(plain_steps(&edited), edited_steps);
    assert!(
        edited
            .steps
            .iter()
            .all(|s| *s == crate::RouteStep::planned(s.step.clone()))
    );
    assert_eq!(edited, route_by_id(store, generated.id).await);
    let audit = last_audit(store).await;
    assert_eq!(
        (audit.at, audit.actor, audit.action.as_str(), audit.object),
        (
            NOW + 1,
            Some(login("admin")),
            "route edit",
            format!("route {}", generated.id)
        )
    );
    let states = store
        .route_states(&admin_authority(), period().from)
        .await
        .unwrap();
    assert!(!states[&login("t2")].replaceable());

    // A second edit is an edit of a draft too.
    let again = store
        .update_draft(&login("admin"), generated.id, edited_steps.clone(), NOW + 2)
        .await
        .unwrap();
    assert_eq!(plain_steps(&again), edited_steps);

    // Regeneration keeps it as it is.
    let counts = store
        .save_drafts(
            &cli(),
            vec![draft("t2", vec![step(Some("K-01"), "Другое", true)])],
            NOW + 3,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        DraftCounts {
            kept_edited: 1,
            ..DraftCounts::default()
        }
    );
    assert_eq!(route_by_id(store, generated.id).await, again);
    assert_eq!(
        store.seat_use().await.unwrap()[&course("K-01")],
        SeatUse {
            held: 0,
            kept_drafts: 1,
            drafts: 0,
        }
    );

    assert_not_found(
        store
            .update_draft(&login("admin"), generated.id + 100, edited_steps, NOW + 4)
            .await,
    );
}

/// An approval holds the route's seats; a regeneration never touches it. A
/// course code the catalogue does not have needs no seat.
pub async fn approval_holds_seats_and_regeneration_keeps_it(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![limited_entry("K-01", 2)], NOW)
        .await
        .unwrap();
    let steps = vec![
        step(Some("K-01"), "Курс", true),
        step(Some("X-99"), "Курс вне каталога", false),
        step(None, "Наставничество", true),
    ];
    store
        .save_drafts(&cli(), vec![draft("t2", steps.clone())], NOW)
        .await
        .unwrap();
    let id = only_route_of(store, "t2").await.id;

    let approved = store
        .approve_route(&login("admin"), id, NOW + 1)
        .await
        .unwrap();
    assert_eq!(approved.status, RouteStatus::Approved);
    assert_eq!(approved.approved_at, Some(NOW + 1));
    assert_eq!(approved.approved_by, Some(login("admin")));
    assert_eq!(approved.updated_at, NOW + 1);
    assert_eq!(approved.completed_at, None);
    assert!(!approved.edited);
    assert_eq!(plain_steps(&approved), steps);
    assert_eq!(approved, route_by_id(store, id).await);
    let audit = last_audit(store).await;
    assert_eq!(
        (audit.actor, audit.action.as_str(), audit.object),
        (Some(login("admin")), "route approve", format!("route {id}"))
    );

    let used = store.seat_use().await.unwrap();
    assert_eq!(
        used[&course("K-01")],
        SeatUse {
            held: 1,
            kept_drafts: 0,
            drafts: 0,
        }
    );
    assert_eq!(used[&course("X-99")].held, 1);
    let states = store
        .route_states(&admin_authority(), period().from)
        .await
        .unwrap();
    assert_eq!(states[&login("t2")].status, RouteStatus::Approved);

    let counts = store
        .save_drafts(
            &cli(),
            vec![draft("t2", vec![step(Some("K-01"), "Другое", true)])],
            NOW + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        DraftCounts {
            kept_approved: 1,
            ..DraftCounts::default()
        }
    );
    assert_eq!(only_route_of(store, "t2").await, approved);

    // Once approved, it is approved: a second approval is refused.
    assert_conflict_naming(
        store.approve_route(&login("admin"), id, NOW + 3).await,
        "утверждён",
    );
    assert_not_found(store.approve_route(&login("admin"), id + 100, NOW).await);
}

/// The last seat: the first approval takes it; the second is refused,
/// naming the entry, and its route stays a draft.
pub async fn the_last_seat_is_approved_once(store: &dyn Store) {
    apply_fixture(store).await;
    let full = limited_entry("K-01", 1);
    store
        .apply_catalogue(&cli(), vec![full.clone(), bare_entry("W-02")], NOW)
        .await
        .unwrap();
    let steps = vec![
        step(Some("W-02"), "Вебинар", false),
        step(Some("K-01"), "Курс", true),
    ];
    store
        .save_drafts(
            &cli(),
            vec![draft("t2", steps.clone()), draft("t4", steps)],
            NOW,
        )
        .await
        .unwrap();
    let t2 = only_route_of(store, "t2").await;
    let t4 = only_route_of(store, "t4").await;
    store
        .approve_route(&login("admin"), t2.id, NOW + 1)
        .await
        .unwrap();
    let audit_before = audit_len(store).await;

    let refused = store.approve_route(&login("admin"), t4.id, NOW + 2).await;
    assert_conflict_naming(
        refused,
        &format!("на мероприятии «{}» (K-01) нет свободных мест", full.title),
    );
    assert_eq!(
        route_by_id(store, t4.id).await,
        t4,
        "the draft stays as it was"
    );
    assert_eq!(audit_len(store).await, audit_before);
    assert_eq!(
        store.seat_use().await.unwrap()[&course("K-01")],
        SeatUse {
            held: 1,
            kept_drafts: 0,
            drafts: 1,
        }
    );

    // A seat freed by a larger capacity lets it through.
    store
        .apply_catalogue(&cli(), vec![limited_entry("K-01", 2)], NOW + 3)
        .await
        .unwrap();
    let approved = store
        .approve_route(&login("admin"), t4.id, NOW + 4)
        .await
        .unwrap();
    assert_eq!(approved.status, RouteStatus::Approved);
}

/// Concurrent approvals of drafts naming a one-seat entry: exactly one
/// succeeds, the others are refused naming the entry.
pub async fn concurrent_approvals_take_the_last_seat_once(store: &dyn Store) {
    apply_fixture(store).await;
    let teachers = ["t1", "t2", "t3", "t4"];
    for round in 0..3 {
        let code = format!("L-{round}");
        let year = 2030 + round;
        store
            .apply_catalogue(&cli(), vec![limited_entry(&code, 1)], NOW)
            .await
            .unwrap();
        store
            .save_drafts(
                &cli(),
                teachers
                    .iter()
                    .map(|t| draft_in(t, year, vec![step(Some(&code), "Курс", true)]))
                    .collect(),
                NOW,
            )
            .await
            .unwrap();
        let filter = RouteFilter {
            period_from: Some(date(year, 1, 1)),
            ..RouteFilter::default()
        };
        let drafts = store.routes_where(&Scope::region(), &filter).await.unwrap();
        assert_eq!(drafts.len(), teachers.len());
        let approver = login("admin");
        let approvals = drafts
            .iter()
            .map(|r| store.approve_route(&approver, r.id, NOW + 1))
            .collect();
        let outcomes = join_all(approvals).await;
        let winners = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(winners, 1, "exactly one approval wins: {outcomes:?}");
        for outcome in outcomes {
            if outcome.is_err() {
                assert_conflict_naming(outcome, &format!("({code})"));
            }
        }
        let approved = store
            .routes_where(
                &Scope::region(),
                &RouteFilter {
                    status: Some(RouteStatus::Approved),
                    ..filter.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(approved.len(), 1);
        assert_eq!(
            store.seat_use().await.unwrap()[&course(&code)],
            SeatUse {
                held: 1,
                kept_drafts: 0,
                drafts: 3,
            }
        );
    }
}

/// A step's execution: submitted with evidence, returned with a comment,
/// resubmitted (both pieces of evidence kept, oldest first, bytes intact),
/// confirmed.
pub async fn steps_are_submitted_returned_and_confirmed(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![draft(
                "t2",
                vec![
                    step(Some("K-01"), "Курс", true),
                    step(None, "Наставничество", true),
                ],
            )],
            NOW,
        )
        .await
        .unwrap();
    let id = only_route_of(store, "t2").await.id;
    store
        .approve_route(&login("admin"), id, NOW + 1)
        .await
        .unwrap();

    let submitted = store
        .submit_step(&login("t2"), id, 0, file_evidence(), NOW + 2)
        .await
        .unwrap();
    let s0 = &submitted.steps[0];
    assert_eq!(s0.status, StepStatus::Submitted);
    assert_eq!(s0.submitted_at, Some(NOW + 2));
    assert_eq!(
        (s0.reviewed_at, &s0.reviewed_by, &s0.comment),
        (None, &None, &None)
    );
    assert_eq!(
        submitted.steps[1],
        crate::RouteStep::planned(submitted.steps[1].step.clone())
    );
    assert_eq!(submitted.status, RouteStatus::Approved);
    assert_eq!(submitted.updated_at, NOW + 2);
    assert_eq!(submitted, route_by_id(store, id).await);
    let audit = last_audit(store).await;
    assert_eq!(
        (audit.actor, audit.action.as_str(), audit.object),
        (
            Some(login("t2")),
            "step submit",
            format!("route {id}, step 0")
        )
    );

    let returned = store
        .review_step(
            &login("t1"),
            id,
            0,
            false,
            Some("Нет подписи руководителя".into()),
            NOW + 3,
        )
        .await
        .unwrap();
    let s0 = &returned.steps[0];
    assert_eq!(s0.status, StepStatus::Returned);
    assert_eq!(s0.submitted_at, Some(NOW + 2));
    assert_eq!(s0.reviewed_at, Some(NOW + 3));
    assert_eq!(s0.reviewed_by, Some(login("t1")));
    assert_eq!(s0.comment.as_deref(), Some("Нет подписи руководителя"));
    assert_eq!(returned.status, RouteStatus::Approved);
    let audit = last_audit(store).await;
    assert_eq!(
        (audit.actor, audit.action.as_str(), audit.object),
        (
            Some(login("t1")),
            "step review",
            format!("route {id}, step 0: returned")
        )
    );

    // The resubmission adds evidence; the review stays until the next one.
    let resubmitted = store
        .submit_step(
            &login("t2"),
            id,
            0,
            text_evidence("Подпись добавлена"),
            NOW + 4,
        )
        .await
        .unwrap();
    let s0 = &resubmitted.steps[0];
    assert_eq!(s0.status, StepStatus::Submitted);
    assert_eq!(s0.submitted_at, Some(NOW + 4));
    assert_eq!(s0.comment.as_deref(), Some("Нет подписи руководителя"));

    let evidence = store.step_evidence(&Scope::region(), id, 0).await.unwrap();
    assert_eq!(evidence.len(), 2, "both submissions are kept");
    let (first, second) = (&evidence[0], &evidence[1]);
    assert_eq!(first.kind, EvidenceKind::File);
    assert_eq!(first.bytes.as_deref(), Some(file_bytes().as_slice()));
    assert_eq!(first.file_name.as_deref(), Some("удостоверение.pdf"));
    assert_eq!(first.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(first.text.as_deref(), Some("Удостоверение"));
    assert_eq!(first.url, None);
    assert_eq!(first.submitted_at, NOW + 2);
    assert_eq!(first.submitted_by, login("t2"));
    assert_eq!(second.kind, EvidenceKind::Text);
    assert_eq!(second.text.as_deref(), Some("Подпись добавлена"));
    assert_eq!(second.bytes, None);
    assert_eq!(second.submitted_at, NOW + 4);
    assert!(first.id != second.id);
    assert!(
        store
            .step_evidence(&Scope::region(), id, 1)
            .await
            .unwrap()
            .is_empty()
    );

    let confirmed = store
        .review_step(&login("t1"), id, 0, true, None, NOW + 5)
        .await
        .unwrap();
    let s0 = &confirmed.steps[0];
    assert_eq!(s0.status, StepStatus::Confirmed);
    assert_eq!(s0.reviewed_at, Some(NOW + 5));
    assert_eq!(s0.comment, None);
    // The mentoring step is mandatory and still planned.
    assert_eq!(confirmed.status, RouteStatus::Approved);
    assert_eq!(confirmed.completed_at, None);
    assert_eq!(confirmed, route_by_id(store, id).await);
    assert_eq!(
        last_audit(store).await.object,
        format!("route {id}, step 0: confirmed")
    );
    assert_eq!(
        store.step_evidence(&Scope::region(), id, 0).await.unwrap(),
        evidence
    );
}

/// A route is completed exactly when its last mandatory step is confirmed;
/// an optional step left unconfirmed does not hold it back.
pub async fn a_route_completes_with_its_last_mandatory_step(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(
            &cli(),
            vec![limited_entry("K-01", 5), bare_entry("W-02")],
            NOW,
        )
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![draft(
                "t2",
                vec![
                    step(Some("K-01"), "Курс", true),
                    step(Some("W-02"), "Вебинар", false),
                    step(None, "Наставничество", true),
                    step(None, "Самообразование", false),
                ],
            )],
            NOW,
        )
        .await
        .unwrap();
    let id = only_route_of(store, "t2").await.id;
    store
        .approve_route(&login("admin"), id, NOW + 1)
        .await
        .unwrap();
    let t2 = login("t2");
    let t1 = login("t1");

    // The optional webinar: submitted, never reviewed.
    store
        .submit_step(&t2, id, 1, link_evidence("https://example.org/w"), NOW + 2)
        .await
        .unwrap();
    store
        .submit_step(&t2, id, 0, file_evidence(), NOW + 3)
        .await
        .unwrap();
    let route = store
        .review_step(&t1, id, 0, true, Some("  ".into()), NOW + 4)
        .await
        .unwrap();
    assert_eq!(route.steps[0].comment, None, "a blank comment is none");
    assert_eq!(route.status, RouteStatus::Approved);

    store
        .submit_step(
            &t2,
            id,
            2,
            link_evidence("https://example.org/plan"),
            NOW + 5,
        )
        .await
        .unwrap();
    let route = store
        .review_step(&t1, id, 2, false, Some("Нет отчёта".into()), NOW + 6)
        .await
        .unwrap();
    assert_eq!(
        route.status,
        RouteStatus::Approved,
        "a returned step does not complete"
    );
    store
        .submit_step(&t2, id, 2, text_evidence("Отчёт приложен"), NOW + 7)
        .await
        .unwrap();
    let completed = store
        .review_step(&t1, id, 2, true, Some("Принято".into()), NOW + 8)
        .await
        .unwrap();
    assert_eq!(completed.status, RouteStatus::Completed);
    assert_eq!(completed.completed_at, Some(NOW + 8));
    assert_eq!(completed.approved_at, Some(NOW + 1));
    assert_eq!(completed.updated_at, NOW + 8);
    assert_eq!(completed.steps[1].status, StepStatus::Submitted);
    assert_eq!(completed.steps[3].status, StepStatus::Planned);
    assert_eq!(completed.steps[2].comment.as_deref(), Some("Принято"));
    assert_eq!(completed, route_by_id(store, id).await);

    // A completed route still holds its seats and takes no submission.
    assert_eq!(store.seat_use().await.unwrap()[&course("K-01")].held, 1);
    assert_conflict_naming(
        store
            .submit_step(&t2, id, 3, text_evidence("Поздно"), NOW + 9)
            .await,
        "завершён",
    );
    // What was submitted before may still be reviewed; it stays completed.
    let reviewed = store
        .review_step(&t1, id, 1, true, None, NOW + 10)
        .await
        .unwrap();
    assert_eq!(reviewed.status, RouteStatus::Completed);
    assert_eq!(reviewed.completed_at, Some(NOW + 8));
    assert_eq!(reviewed.steps[1].status, StepStatus::Confirmed);
    let states = store
        .route_states(&admin_authority(), period().from)
        .await
        .unwrap();
    assert_eq!(states[&t2].status, RouteStatus::Completed);
}

/// Refused writes are conflicts (or NotFound for what does not exist) and
/// change nothing, the audit log included.
pub async fn refused_route_writes_change_nothing(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![draft(
                "t2",
                vec![
                    step(Some("K-01"), "Курс", true),
                    step(None, "Наставничество", true),
                ],
            )],
            NOW,
        )
        .await
        .unwrap();
    let id = only_route_of(store, "t2").await.id;
    let (t1, t2, admin) = (login("t1"), login("t2"), login("admin"));

    let unchanged = |before: RouteRow, audit: usize| async move {
        assert_eq!(route_by_id(store, before.id).await, before);
        assert_eq!(audit_len(store).await, audit);
    };

    // A draft takes no submission and no review.
    let before = route_by_id(store, id).await;
    let audit = audit_len(store).await;
    assert_conflict_naming(
        store
            .submit_step(&t2, id, 0, file_evidence(), NOW + 1)
            .await,
        "не утверждён",
    );
    assert_conflict_naming(
        store.review_step(&t1, id, 0, true, None, NOW + 1).await,
        "не отправлен",
    );
    assert_not_found(store.step_evidence(&Scope::region(), id, 5).await);
    assert!(
        store
            .step_evidence(&Scope::region(), id, 0)
            .await
            .unwrap()
            .is_empty()
    );
    unchanged(before, audit).await;

    store.approve_route(&admin, id, NOW + 2).await.unwrap();
    let before = route_by_id(store, id).await;
    let audit = audit_len(store).await;
    // An approved route is not edited; a planned step is not reviewed.
    assert_conflict_naming(
        store
            .update_draft(&admin, id, vec![step(None, "Другое", true)], NOW + 3)
            .await,
        "маршрут уже утверждён",
    );
    assert_conflict_naming(
        store
            .review_step(&t1, id, 0, false, Some("Нет".into()), NOW + 3)
            .await,
        "не отправлен",
    );
    // Evidence the database refuses: a file without its bytes.
    let mut no_bytes = file_evidence();
    no_bytes.bytes = None;
    assert!(matches!(
        store.submit_step(&t2, id, 0, no_bytes, NOW + 3).await,
        Err(StoreError::Conflict(_))
    ));
    // What does not exist.
    assert_not_found(
        store
            .submit_step(&t2, id, 7, text_evidence("?"), NOW + 3)
            .await,
    );
    assert_not_found(
        store
            .submit_step(&t2, id + 100, 0, text_evidence("?"), NOW + 3)
            .await,
    );
    assert_not_found(store.review_step(&t1, id, 7, true, None, NOW + 3).await);
    assert_not_found(
        store
            .review_step(&t1, id + 100, 0, true, None, NOW + 3)
            .await,
    );
    assert_not_found(store.step_evidence(&Scope::region(), id + 100, 0).await);
    unchanged(before, audit).await;

    // A submitted step: not submitted twice, not returned without a comment.
    store
        .submit_step(&t2, id, 0, text_evidence("Готово"), NOW + 4)
        .await
        .unwrap();
    let before = route_by_id(store, id).await;
    let audit = audit_len(store).await;
    assert_conflict_naming(
        store
            .submit_step(&t2, id, 0, text_evidence("Ещё"), NOW + 5)
            .await,
        "уже отправлен",
    );
    assert_conflict_naming(
        store.review_step(&t1, id, 0, false, None, NOW + 5).await,
        "комментари",
    );
    assert_conflict_naming(
        store
            .review_step(&t1, id, 0, false, Some(" \n ".into()), NOW + 5)
            .await,
        "комментари",
    );
    unchanged(before, audit).await;
    assert_eq!(
        store
            .step_evidence(&Scope::region(), id, 0)
            .await
            .unwrap()
            .len(),
        1
    );

    // A confirmed step is neither resubmitted nor reviewed again.
    store
        .review_step(&t1, id, 0, true, None, NOW + 6)
        .await
        .unwrap();
    let before = route_by_id(store, id).await;
    let audit = audit_len(store).await;
    assert_conflict_naming(
        store
            .submit_step(&t2, id, 0, text_evidence("Ещё"), NOW + 7)
            .await,
        "уже подтверждён",
    );
    assert_conflict_naming(
        store
            .review_step(&t1, id, 0, false, Some("Нет".into()), NOW + 7)
            .await,
        "уже подтверждён",
    );
    unchanged(before, audit).await;
}

/// `routes_where` filters by status, school, municipality, teacher and
/// period, orders newest period first then by teacher, and keeps to the
/// scope.
pub async fn routes_where_filters_and_keeps_to_the_scope(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    let steps = || {
        vec![
            step(Some("K-01"), "Курс", true),
            step(None, "Наставничество", true),
        ]
    };
    store
        .save_drafts(
            &cli(),
            vec![
                draft_in("t4", 2027, steps()),
                draft_in("t2", 2027, steps()),
                draft_in("t1", 2027, steps()),
                draft_in("t2", 2026, steps()),
            ],
            NOW,
        )
        .await
        .unwrap();
    let old = store
        .routes_where(
            &Scope::region(),
            &RouteFilter {
                teacher: Some(login("t2")),
                period_from: Some(date(2026, 1, 1)),
                ..RouteFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(old.len(), 1);
    store
        .approve_route(&login("admin"), old[0].id, NOW + 1)
        .await
        .unwrap();

    let seen = |routes: Vec<RouteRow>| -> Vec<(String, i32)> {
        routes
            .iter()
            .map(|r| {
                assert_eq!(r.steps.len(), 2, "steps come with the route");
                (
                    r.teacher.as_str().to_owned(),
                    chrono::Datelike::year(&r.period.from),
                )
            })
            .collect()
    };
    let list = |scope: Scope, filter: RouteFilter| async move {
        seen(store.routes_where(&scope, &filter).await.unwrap())
    };
    let expect = |items: &[(&str, i32)]| -> Vec<(String, i32)> {
        items.iter().map(|(l, y)| ((*l).to_owned(), *y)).collect()
    };
    let all = RouteFilter::default();

    assert_eq!(
        list(Scope::region(), all.clone()).await,
        expect(&[("t1", 2027), ("t2", 2027), ("t4", 2027), ("t2", 2026)])
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                status: Some(RouteStatus::Approved),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t2", 2026)])
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                status: Some(RouteStatus::Draft),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t1", 2027), ("t2", 2027), ("t4", 2027)])
    );
    assert!(
        list(
            Scope::region(),
            RouteFilter {
                status: Some(RouteStatus::Completed),
                ..all.clone()
            }
        )
        .await
        .is_empty()
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                school: Some(scode("s-b1")),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t4", 2027)])
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                school: Some(scode("s-a1")),
                status: Some(RouteStatus::Draft),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t1", 2027), ("t2", 2027)])
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                municipality: Some(mcode("m1")),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t1", 2027), ("t2", 2027), ("t2", 2026)])
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                municipality: Some(mcode("m2")),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t4", 2027)])
    );
    assert!(
        list(
            Scope::region(),
            RouteFilter {
                municipality: Some(mcode("m3")),
                ..all.clone()
            }
        )
        .await
        .is_empty()
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                teacher: Some(login("t2")),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t2", 2027), ("t2", 2026)])
    );
    assert_eq!(
        list(
            Scope::region(),
            RouteFilter {
                period_from: Some(date(2027, 1, 1)),
                municipality: Some(mcode("m1")),
                ..all.clone()
            }
        )
        .await,
        expect(&[("t1", 2027), ("t2", 2027)])
    );

    // The scope: a municipality, a school, one's own, nothing.
    let coord = credentials_of(store, "coord").await.caller.scope();
    assert_eq!(
        list(coord.clone(), all.clone()).await,
        expect(&[("t1", 2027), ("t2", 2027), ("t2", 2026)])
    );
    assert!(
        list(
            coord,
            RouteFilter {
                school: Some(scode("s-b1")),
                ..all.clone()
            }
        )
        .await
        .is_empty()
    );
    let deputy = credentials_of(store, "t1").await.caller.scope();
    assert_eq!(
        list(deputy, all.clone()).await,
        expect(&[("t1", 2027), ("t2", 2027), ("t2", 2026)])
    );
    let teacher = credentials_of(store, "t4").await.caller.scope();
    assert_eq!(
        list(teacher.clone(), all.clone()).await,
        expect(&[("t4", 2027)])
    );
    assert!(
        list(
            teacher,
            RouteFilter {
                teacher: Some(login("t2")),
                ..all.clone()
            }
        )
        .await
        .is_empty()
    );
    assert!(list(Scope::default(), all).await.is_empty());
}

/// A step's evidence is read only where its teacher is visible.
pub async fn step_evidence_is_scoped(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![draft("t2", vec![step(Some("K-01"), "Курс", true)])],
            NOW,
        )
        .await
        .unwrap();
    let id = only_route_of(store, "t2").await.id;
    store
        .approve_route(&login("admin"), id, NOW + 1)
        .await
        .unwrap();
    store
        .submit_step(&login("t2"), id, 0, file_evidence(), NOW + 2)
        .await
        .unwrap();

    for who in ["t2", "t1", "coord", "admin"] {
        let scope = credentials_of(store, who).await.caller.scope();
        let evidence = store.step_evidence(&scope, id, 0).await.unwrap();
        assert_eq!(evidence.len(), 1, "{who} sees the evidence");
        assert_eq!(evidence[0].bytes.as_deref(), Some(file_bytes().as_slice()));
    }
    for who in ["t4", "metod"] {
        let scope = credentials_of(store, who).await.caller.scope();
        assert_not_found(store.step_evidence(&scope, id, 0).await);
    }
    assert_not_found(store.step_evidence(&Scope::default(), id, 0).await);
}

// ---- naming a mentoring step's mentor -------------------------------------------

/// A mentoring step's mentor is named on a draft and on an approved route:
/// read back through `route`, the step's status and the route's status and
/// `edited` flag untouched, `updated_at` moved, one audit entry.
pub async fn step_mentors_are_named_on_drafts_and_approved_routes(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![
                draft(
                    "t2",
                    vec![
                        step(Some("K-01"), "Курс", true),
                        step(None, "Наставничество", true),
                    ],
                ),
                draft(
                    "t4",
                    vec![
                        step(None, "Наставничество", true),
                        step(Some("K-01"), "Курс", true),
                    ],
                ),
            ],
            NOW,
        )
        .await
        .unwrap();
    let (t1, admin, metod) = (login("t1"), login("admin"), login("metod"));

    // A draft: the mentor is named, the draft stays untouched for generation.
    let draft_id = only_route_of(store, "t2").await.id;
    let before = route_by_id(store, draft_id).await;
    let audit = audit_len(store).await;
    let named = store
        .set_step_mentor(Some(&t1), draft_id, 1, &t1, "Петров Пётр Петрович", NOW + 5)
        .await
        .unwrap();
    let mut expected = before.clone();
    expected.updated_at = NOW + 5;
    expected.steps[1].step.mentor = Some(t1.clone());
    expected.steps[1].step.mentor_name = Some("Петров Пётр Петрович".into());
    assert_eq!(named, expected);
    assert_eq!(route_by_id(store, draft_id).await, expected);
    assert_eq!(named.status, RouteStatus::Draft);
    assert!(!named.edited);
    assert_eq!(named.steps[1].status, StepStatus::Planned);
    assert!(
        store
            .route_states(&admin_authority(), period().from)
            .await
            .unwrap()[&login("t2")]
            .replaceable(),
        "naming a mentor is not an edit"
    );
    assert_eq!(audit_len(store).await, audit + 1);
    assert_eq!(
        last_audit(store).await,
        AuditEntry {
            at: NOW + 5,
            actor: Some(t1.clone()),
            action: "step mentor".into(),
            object: format!("route {draft_id}, step 1: mentor t1"),
        }
    );

    // An approved route, its mentoring step already submitted: the status
    // stays; naming another mentor replaces the first.
    let approved_id = only_route_of(store, "t4").await.id;
    store
        .approve_route(&admin, approved_id, NOW + 6)
        .await
        .unwrap();
    store
        .submit_step(
            &login("t4"),
            approved_id,
            0,
            text_evidence("Встречи"),
            NOW + 7,
        )
        .await
        .unwrap();
    store
        .set_step_mentor(Some(&t1), approved_id, 0, &t1, "Петров П. П.", NOW + 8)
        .await
        .unwrap();
    let before = route_by_id(store, approved_id).await;
    let named = store
        .set_step_mentor(
            Some(&admin),
            approved_id,
            0,
            &metod,
            "Методистова Мария",
            NOW + 9,
        )
        .await
        .unwrap();
    let mut expected = before.clone();
    expected.updated_at = NOW + 9;
    expected.steps[0].step.mentor = Some(metod.clone());
    expected.steps[0].step.mentor_name = Some("Методистова Мария".into());
    assert_eq!(named, expected);
    assert_eq!(route_by_id(store, approved_id).await, expected);
    assert_eq!(named.status, RouteStatus::Approved);
    assert!(!named.edited);
    assert_eq!(named.approved_at, Some(NOW + 6));
    assert_eq!(named.steps[0].status, StepStatus::Submitted);
    assert_eq!(named.steps[0].submitted_at, Some(NOW + 7));
    assert_eq!(
        last_audit(store).await,
        AuditEntry {
            at: NOW + 9,
            actor: Some(admin),
            action: "step mentor".into(),
            object: format!("route {approved_id}, step 0: mentor metod"),
        }
    );
}

/// Naming a mentor is refused (a Conflict, nothing changed, no audit) for
/// a step that is not mentoring, a mentor without an active account, and a
/// completed route; what does not exist is NotFound.
pub async fn refused_mentor_assignments_change_nothing(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_catalogue(&cli(), vec![entry("K-01", None)], NOW)
        .await
        .unwrap();
    store
        .save_drafts(
            &cli(),
            vec![draft(
                "t2",
                vec![
                    step(Some("K-01"), "Курс", true),
                    step(None, "Наставничество", false),
                ],
            )],
            NOW,
        )
        .await
        .unwrap();
    let id = only_route_of(store, "t2").await.id;
    let (t1, t2, admin) = (login("t1"), login("t2"), login("admin"));

    let unchanged = |before: RouteRow, audit: usize| async move {
        assert_eq!(route_by_id(store, before.id).await, before);
        assert_eq!(audit_len(store).await, audit);
    };

    for approve in [false, true] {
        if approve {
            store.approve_route(&admin, id, NOW + 1).await.unwrap();
        }
        let before = route_by_id(store, id).await;
        let audit = audit_len(store).await;
        assert_conflict_naming(
            store
                .set_step_mentor(Some(&t1), id, 0, &t1, "Петров Пётр Петрович", NOW + 2)
                .await,
            "наставника можно назначить только шагу наставничества",
        );
        assert_conflict_naming(
            store
                .set_step_mentor(Some(&t1), id, 1, &login("nobody"), "Никто", NOW + 2)
                .await,
            "nobody",
        );
        // An inactive account is no mentor either.
        assert_conflict_naming(
            store
                .set_step_mentor(Some(&t1), id, 1, &login("t3"), "Сидорова Светлана", NOW + 2)
                .await,
            "t3",
        );
        assert_not_found(
            store
                .set_step_mentor(Some(&t1), id, 7, &t1, "Петров Пётр Петрович", NOW + 2)
                .await,
        );
        assert_not_found(
            store
                .set_step_mentor(Some(&t1), id + 100, 1, &t1, "Петров Пётр Петрович", NOW + 2)
                .await,
        );
        unchanged(before, audit).await;
    }

    // The only mandatory step confirmed: the route is completed.
    store
        .submit_step(&t2, id, 0, file_evidence(), NOW + 3)
        .await
        .unwrap();
    let completed = store
        .review_step(&t1, id, 0, true, None, NOW + 4)
        .await
        .unwrap();
    assert_eq!(completed.status, RouteStatus::Completed);
    let audit = audit_len(store).await;
    assert_conflict_naming(
        store
            .set_step_mentor(Some(&t1), id, 1, &t1, "Петров Пётр Петрович", NOW + 5)
            .await,
        "маршрут уже завершён",
    );
    assert_not_found(
        store
            .set_step_mentor(Some(&t1), id, 7, &t1, "Петров Пётр Петрович", NOW + 5)
            .await,
    );
    unchanged(completed, audit).await;
}

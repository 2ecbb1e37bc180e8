//! Conformance cases of the matching area: methodist and mentor-school
//! assignments (their history, replacement, refusals, places), the stored
//! proposals, consultations, and the reach of a mentor's scope.

use domain::Period;

use super::*;
use crate::{
    AssignCounts, AssignmentFilter, AssignmentRow, ConsultationRow, MatchKind, MatchRun,
    NewAssignment, NewConsultation, NewDraft, NewSchoolAssignment, RouteFilter,
    SchoolAssignmentFilter, SchoolAssignmentRow,
};

const REPLACED: &str = "перераспределение нагрузки";

fn assign(teacher: &str, methodist: &str) -> NewAssignment {
    NewAssignment {
        teacher: login(teacher),
        methodist: login(methodist),
        reasons: vec![
            format!("подходит методисту {methodist}"),
            "тот же район; «кавычки» \"и\" \\ обратная черта".into(),
        ],
    }
}

fn pair(school: &str, mentor_school: &str) -> NewSchoolAssignment {
    NewSchoolAssignment {
        school: scode(school),
        mentor_school: scode(mentor_school),
        reasons: vec![format!("кластер школы {school}")],
    }
}

fn counts(started: u32, unchanged: u32, ended: u32) -> AssignCounts {
    AssignCounts {
        started,
        unchanged,
        ended,
    }
}

fn all_assignments() -> AssignmentFilter {
    AssignmentFilter::default()
}

fn active_assignments() -> AssignmentFilter {
    AssignmentFilter {
        active_only: true,
        ..AssignmentFilter::default()
    }
}

/// `(teacher, methodist, active)` of each row, in the order given.
fn assignment_pairs(rows: &[AssignmentRow]) -> Vec<(String, String, bool)> {
    rows.iter()
        .map(|r| {
            (
                r.teacher.as_str().to_owned(),
                r.methodist.as_str().to_owned(),
                r.ended_at.is_none(),
            )
        })
        .collect()
}

/// `(school, mentor school, active)` of each row, in the order given.
fn school_pairs(rows: &[SchoolAssignmentRow]) -> Vec<(String, String, bool)> {
    rows.iter()
        .map(|r| {
            (
                r.school.as_str().to_owned(),
                r.mentor_school.as_str().to_owned(),
                r.ended_at.is_none(),
            )
        })
        .collect()
}

fn expect(items: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    items
        .iter()
        .map(|(a, b, active)| ((*a).to_owned(), (*b).to_owned(), *active))
        .collect()
}

async fn assignments(
    store: &dyn Store,
    scope: &Scope,
    filter: AssignmentFilter,
) -> Vec<AssignmentRow> {
    store.methodist_assignments(scope, &filter).await.unwrap()
}

async fn listed(
    store: &dyn Store,
    scope: &Scope,
    filter: AssignmentFilter,
) -> Vec<(String, String, bool)> {
    assignment_pairs(&assignments(store, scope, filter).await)
}

async fn schools_listed(
    store: &dyn Store,
    scope: &Scope,
    filter: SchoolAssignmentFilter,
) -> Vec<(String, String, bool)> {
    school_pairs(
        &store
            .mentor_school_assignments(scope, &filter)
            .await
            .unwrap(),
    )
}

async fn audit_entries(store: &dyn Store) -> Vec<AuditEntry> {
    store.audit_log(&cli(), 1_000).await.unwrap()
}

async fn scope_of(store: &dyn Store, l: &str) -> Scope {
    credentials_of(store, l).await.caller.scope()
}

/// Changes a methodist's number of places.
async fn set_methodist_capacity(store: &dyn Store, l: &str, capacity: u32) {
    let mut methodist = fixture()
        .methodists
        .into_iter()
        .find(|m| m.login.as_str() == l)
        .unwrap();
    methodist.capacity = capacity;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                methodists: vec![methodist],
                ..changes("methodist capacity")
            },
            NOW,
        )
        .await
        .unwrap();
}

/// The fixture plus `s-b2` (a mentor school in `m2` without a number of
/// places), `s-c1` (in `m3`) and `s-c2` (in `m3`, inactive).
async fn school_fixture(store: &dyn Store) {
    apply_fixture(store).await;
    let mut s_b2 = school("s-b2", "m2", "Гимназия № 7");
    s_b2.mentor_school = true;
    let s_c1 = school("s-c1", "m3", "Средняя школа № 11");
    let mut s_c2 = school("s-c2", "m3", "Средняя школа № 12");
    s_c2.active = false;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                schools: vec![s_b2, s_c1, s_c2],
                ..changes("more schools")
            },
            NOW,
        )
        .await
        .unwrap();
}

fn consultation(teacher: &str, held_on: NaiveDate, topic: &str) -> NewConsultation {
    NewConsultation {
        teacher: login(teacher),
        held_on,
        form: "очно".into(),
        topic: topic.into(),
        result: format!("итог: {topic}"),
    }
}

// ---- methodist assignments ------------------------------------------------------------

/// Assignments are stored with who started them and why, listed newest
/// start first, ended with who and why, and kept: a new assignment of the
/// same teacher is a new row.
pub async fn methodist_assignments_round_trip_with_history(store: &dyn Store) {
    apply_fixture(store).await;
    let admin = admin_authority();
    let region = Scope::region();
    assert!(
        assignments(store, &region, all_assignments())
            .await
            .is_empty()
    );

    let done = store
        .assign_methodists(
            &admin,
            vec![assign("t2", "metod"), assign("t1", "metod")],
            true,
            REPLACED,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(2, 0, 0));
    let rows = assignments(store, &region, all_assignments()).await;
    assert_eq!(
        assignment_pairs(&rows),
        expect(&[("t1", "metod", true), ("t2", "metod", true)]),
        "one start: the later stored first"
    );
    let t1 = rows[0].clone();
    assert_eq!(
        t1,
        AssignmentRow {
            id: t1.id,
            teacher: login("t1"),
            methodist: login("metod"),
            started_at: NOW,
            started_by: Some(login("admin")),
            reasons: assign("t1", "metod").reasons,
            ended_at: None,
            ended_by: None,
            end_reason: None,
        }
    );
    let audit = audit_entries(store).await;
    assert_eq!(
        audit[0],
        AuditEntry {
            at: NOW,
            actor: Some(login("admin")),
            action: "match methodists".into(),
            object: "2 назначения; без изменений: 0; завершено: 0".into(),
        }
    );

    let ended = store
        .end_methodist_assignment(&admin, &login("t1"), "педагог уволился", NOW + 10)
        .await
        .unwrap();
    assert_eq!(
        ended,
        AssignmentRow {
            ended_at: Some(NOW + 10),
            ended_by: Some(login("admin")),
            end_reason: Some("педагог уволился".into()),
            ..t1.clone()
        }
    );
    let last = &audit_entries(store).await[0];
    assert_eq!(last.action, "assignment end");
    assert_eq!(last.actor, Some(login("admin")));
    assert!(last.object.contains("t1"), "{}", last.object);

    // Nothing active left for t1: a second end finds nothing.
    assert!(matches!(
        store
            .end_methodist_assignment(&admin, &login("t1"), "ещё раз", NOW + 11)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .end_methodist_assignment(&admin, &login("nobody"), "нет такого", NOW + 11)
            .await,
        Err(StoreError::NotFound)
    ));

    // Assigned again: a new row, the ended one kept.
    let again = store
        .assign_methodists(
            &cli(),
            vec![assign("t1", "metod")],
            false,
            REPLACED,
            NOW + 20,
        )
        .await
        .unwrap();
    assert_eq!(again, counts(1, 0, 0));
    let history = assignments(
        store,
        &region,
        AssignmentFilter {
            teacher: Some(login("t1")),
            ..all_assignments()
        },
    )
    .await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1], ended, "the ended row is kept as it was");
    assert_eq!(history[0].started_at, NOW + 20);
    assert_eq!(history[0].started_by, None, "the command line has no login");
    assert_ne!(history[0].id, ended.id);
    assert_eq!(
        listed(store, &region, active_assignments()).await,
        expect(&[("t1", "metod", true), ("t2", "metod", true)])
    );
    assert_eq!(
        listed(
            store,
            &region,
            AssignmentFilter {
                methodist: Some(login("metod")),
                ..all_assignments()
            }
        )
        .await,
        expect(&[
            ("t1", "metod", true),
            ("t1", "metod", false),
            ("t2", "metod", true),
        ])
    );
    assert!(
        listed(
            store,
            &region,
            AssignmentFilter {
                methodist: Some(login("metod2")),
                ..all_assignments()
            }
        )
        .await
        .is_empty()
    );
}

/// Assigning a teacher to the methodist they already have changes nothing.
pub async fn reassigning_the_same_methodist_is_unchanged(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    store
        .assign_methodists(&cli(), vec![assign("t1", "metod")], true, REPLACED, NOW)
        .await
        .unwrap();
    let before = assignments(store, &region, all_assignments()).await;
    let mut other_reasons = assign("t1", "metod");
    other_reasons.reasons = vec!["другая причина".into()];
    let done = store
        .assign_methodists(
            &admin_authority(),
            vec![other_reasons, assign("t2", "metod")],
            true,
            REPLACED,
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(1, 1, 0));
    let after = assignments(store, &region, all_assignments()).await;
    assert_eq!(after.len(), 2);
    assert_eq!(after[1], before[0], "t1's row is untouched");
    assert_eq!(
        audit_entries(store).await[0].object,
        "1 назначение; без изменений: 1; завершено: 0"
    );
}

/// Another methodist for an assigned teacher ends the old assignment with
/// the replacing reason and starts the new one; without a reason nothing
/// changes.
pub async fn reassigning_ends_the_old_assignment_with_the_reason(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    store
        .assign_methodists(&cli(), vec![assign("t1", "metod")], true, REPLACED, NOW)
        .await
        .unwrap();
    let old = assignments(store, &region, all_assignments())
        .await
        .remove(0);

    let audit_before = audit_entries(store).await.len();
    let refused = store
        .assign_methodists(&cli(), vec![assign("t1", "metod2")], false, "  ", NOW + 1)
        .await;
    assert_conflict_naming(refused, "укажите причину");
    assert_eq!(
        assignments(store, &region, all_assignments()).await,
        vec![old.clone()]
    );
    assert_eq!(audit_entries(store).await.len(), audit_before);

    let done = store
        .assign_methodists(
            &admin_authority(),
            vec![assign("t1", "metod2"), assign("t4", "metod2")],
            false,
            REPLACED,
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(2, 0, 1));
    let rows = assignments(
        store,
        &region,
        AssignmentFilter {
            teacher: Some(login("t1")),
            ..all_assignments()
        },
    )
    .await;
    assert_eq!(
        assignment_pairs(&rows),
        expect(&[("t1", "metod2", true), ("t1", "metod", false)])
    );
    assert_eq!(
        rows[1],
        AssignmentRow {
            ended_at: Some(NOW + 5),
            ended_by: Some(login("admin")),
            end_reason: Some(REPLACED.into()),
            ..old
        }
    );
    assert_eq!(rows[0].started_at, NOW + 5);
    assert_eq!(rows[0].started_by, Some(login("admin")));
    assert_eq!(
        audit_entries(store).await[0].object,
        "2 назначения; без изменений: 0; завершено: 1"
    );
}

/// Unknown, inactive or non-teacher teachers, non-methodists, oneself,
/// one teacher twice, a blank reason to end: refused naming the login,
/// nothing written.
pub async fn refused_methodist_assignments_write_nothing(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    store
        .assign_methodists(&cli(), vec![assign("t4", "metod")], true, REPLACED, NOW)
        .await
        .unwrap();
    // metod2 leaves: an inactive account is no methodist any more.
    let mut metod2 = fixture_account("metod2");
    metod2.active = false;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                accounts: vec![metod2],
                ..changes("metod2 leaves")
            },
            NOW,
        )
        .await
        .unwrap();
    let before = assignments(store, &region, all_assignments()).await;
    let audit_before = audit_entries(store).await.len();

    let cases: [(Vec<NewAssignment>, &str); 8] = [
        (
            vec![assign("t1", "metod"), assign("nobody", "metod")],
            "педагог nobody не найден или не работает",
        ),
        (
            vec![assign("t1", "metod"), assign("t3", "metod")],
            "педагог t3 не найден или не работает",
        ),
        (
            vec![assign("coord", "metod")],
            "педагог coord не найден или не работает",
        ),
        (
            vec![assign("t1", "metod"), assign("t2", "t4")],
            "t4 — не региональный методист",
        ),
        (
            vec![assign("t2", "nobody")],
            "nobody — не региональный методист",
        ),
        (
            vec![assign("t1", "metod"), assign("t2", "metod2")],
            "metod2 — не региональный методист",
        ),
        (
            vec![assign("t2", "metod"), assign("t1", "t1")],
            "педагога нельзя назначить самому себе",
        ),
        (
            vec![
                assign("t1", "metod"),
                assign("t2", "metod"),
                assign("t1", "metod"),
            ],
            "педагог t1 указан в назначениях дважды",
        ),
    ];
    for (new, message) in cases {
        let outcome = store
            .assign_methodists(&admin_authority(), new, false, REPLACED, NOW + 1)
            .await;
        assert_conflict_naming(outcome, message);
    }
    assert_conflict_naming(
        store
            .end_methodist_assignment(&cli(), &login("t4"), " \n", NOW + 2)
            .await,
        "укажите причину",
    );
    assert_eq!(assignments(store, &region, all_assignments()).await, before);
    assert_eq!(audit_entries(store).await.len(), audit_before);
}

/// With `enforce_capacity`, a methodist given a teacher beyond their places
/// refuses the whole call; without it the call goes through. Entries left
/// unchanged are not counted against the places.
pub async fn methodist_places_are_enforced_when_asked(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    let audit_before = audit_entries(store).await.len();
    // metod2 has no places at all.
    let refused = store
        .assign_methodists(
            &cli(),
            vec![assign("t1", "metod"), assign("t2", "metod2")],
            true,
            REPLACED,
            NOW,
        )
        .await;
    assert_conflict_naming(refused, "у методиста metod2 нет свободных мест (1 из 0)");
    assert!(
        assignments(store, &region, all_assignments())
            .await
            .is_empty()
    );
    assert_eq!(audit_entries(store).await.len(), audit_before);

    // Without enforcing, the board may go over.
    let done = store
        .assign_methodists(
            &cli(),
            vec![assign("t2", "metod2")],
            false,
            REPLACED,
            NOW + 1,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(1, 0, 0));
    // Unchanged entries of a full methodist pass; a new one does not.
    let done = store
        .assign_methodists(
            &cli(),
            vec![assign("t2", "metod2"), assign("t1", "metod")],
            true,
            REPLACED,
            NOW + 2,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(1, 1, 0));
    assert_conflict_naming(
        store
            .assign_methodists(
                &cli(),
                vec![assign("t4", "metod2")],
                true,
                REPLACED,
                NOW + 3,
            )
            .await,
        "у методиста metod2 нет свободных мест (2 из 0)",
    );

    // Places are counted after the call's own endings and starts.
    set_methodist_capacity(store, "metod", 1).await;
    set_methodist_capacity(store, "metod2", 2).await;
    assert_conflict_naming(
        store
            .assign_methodists(&cli(), vec![assign("t4", "metod")], true, REPLACED, NOW + 4)
            .await,
        "у методиста metod нет свободных мест (2 из 1)",
    );
    let done = store
        .assign_methodists(
            &cli(),
            vec![assign("t1", "metod2"), assign("t4", "metod")],
            true,
            REPLACED,
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(2, 0, 1));
    assert_eq!(
        listed(store, &region, active_assignments()).await,
        expect(&[
            ("t4", "metod", true),
            ("t1", "metod2", true),
            ("t2", "metod2", true),
        ])
    );
}

/// Concurrent calls giving a methodist with one place left a teacher each:
/// exactly one wins, the others are refused naming the methodist. Calls
/// racing on one teacher are serialised: one starts, the other replaces.
pub async fn concurrent_assignments_take_the_last_place_once(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    set_methodist_capacity(store, "metod", 1).await;
    let auth = cli();
    let teachers = ["t1", "t2", "t4"];
    for round in 0..3 {
        let now = NOW + 100 * round;
        let calls = teachers
            .iter()
            .map(|t| store.assign_methodists(&auth, vec![assign(t, "metod")], true, REPLACED, now))
            .collect();
        let outcomes = join_all(calls).await;
        let winners = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(winners, 1, "exactly one call takes the place: {outcomes:?}");
        for outcome in outcomes {
            match outcome {
                Ok(done) => assert_eq!(done, counts(1, 0, 0)),
                refused => {
                    assert_conflict_naming(refused, "у методиста metod нет свободных мест (2 из 1)")
                }
            }
        }
        let active = assignments(store, &region, active_assignments()).await;
        assert_eq!(active.len(), 1);
        store
            .end_methodist_assignment(&cli(), &active[0].teacher, "освободить место", now + 1)
            .await
            .unwrap();
    }

    // One teacher, two methodists at once: both calls succeed in some order.
    set_methodist_capacity(store, "metod2", 5).await;
    let calls = ["metod", "metod2"]
        .iter()
        .map(|m| {
            store.assign_methodists(&auth, vec![assign("t1", m)], false, REPLACED, NOW + 1_000)
        })
        .collect();
    let outcomes: Vec<AssignCounts> = join_all(calls)
        .await
        .into_iter()
        .map(|o| o.expect("no call is refused"))
        .collect();
    let total = outcomes.iter().fold(counts(0, 0, 0), |sum, c| {
        counts(
            sum.started + c.started,
            sum.unchanged + c.unchanged,
            sum.ended + c.ended,
        )
    });
    assert_eq!(total, counts(2, 0, 1));
    let t1 = AssignmentFilter {
        teacher: Some(login("t1")),
        ..active_assignments()
    };
    assert_eq!(assignments(store, &region, t1).await.len(), 1);
}

/// Who sees which assignments: a deputy head their school's teachers', a
/// coordinator their municipality's, a mentor their own (ended ones too),
/// a teacher theirs.
pub async fn methodist_assignments_keep_to_the_scope(store: &dyn Store) {
    apply_fixture(store).await;
    set_methodist_capacity(store, "metod2", 5).await;
    store
        .assign_methodists(&cli(), vec![assign("t1", "metod")], true, REPLACED, NOW)
        .await
        .unwrap();
    store
        .assign_methodists(
            &cli(),
            vec![assign("t2", "metod2")],
            true,
            REPLACED,
            NOW + 1,
        )
        .await
        .unwrap();
    store
        .end_methodist_assignment(&cli(), &login("t2"), "переведена", NOW + 2)
        .await
        .unwrap();
    store
        .assign_methodists(
            &cli(),
            vec![assign("t4", "metod2")],
            true,
            REPLACED,
            NOW + 3,
        )
        .await
        .unwrap();

    let all = all_assignments;
    assert_eq!(
        listed(store, &Scope::region(), all()).await,
        expect(&[
            ("t4", "metod2", true),
            ("t2", "metod2", false),
            ("t1", "metod", true),
        ])
    );
    let school_of_t1 = expect(&[("t2", "metod2", false), ("t1", "metod", true)]);
    assert_eq!(
        listed(store, &scope_of(store, "t1").await, all()).await,
        school_of_t1,
        "the deputy head sees their school's teachers"
    );
    assert_eq!(
        listed(store, &scope_of(store, "coord").await, all()).await,
        school_of_t1,
        "the coordinator sees their municipality's"
    );
    assert_eq!(
        listed(store, &scope_of(store, "metod").await, all()).await,
        expect(&[("t1", "metod", true)]),
        "a mentor sees their own"
    );
    assert_eq!(
        listed(store, &scope_of(store, "metod2").await, all()).await,
        expect(&[("t4", "metod2", true), ("t2", "metod2", false)]),
        "ended ones too"
    );
    assert_eq!(
        listed(store, &scope_of(store, "t4").await, all()).await,
        expect(&[("t4", "metod2", true)]),
        "a teacher sees their own"
    );
    assert!(listed(store, &Scope::default(), all()).await.is_empty());
    assert_eq!(
        listed(
            store,
            &scope_of(store, "t1").await,
            AssignmentFilter {
                active_only: true,
                ..all()
            }
        )
        .await,
        expect(&[("t1", "metod", true)])
    );
    assert!(
        listed(
            store,
            &scope_of(store, "coord").await,
            AssignmentFilter {
                teacher: Some(login("t4")),
                ..all()
            }
        )
        .await
        .is_empty()
    );
}

/// A mentor's scope reaches the people reads through the active
/// assignments: accounts, diagnostics, routes. A reassigned teacher leaves
/// the old mentor's scope.
pub async fn mentee_scope_follows_the_active_assignments(store: &dyn Store) {
    apply_fixture(store).await;
    set_methodist_capacity(store, "metod2", 5).await;
    let period = Period {
        from: date(2027, 1, 1),
        to: date(2027, 5, 31),
    };
    store
        .save_drafts(
            &cli(),
            ["t1", "t2", "t4"]
                .iter()
                .map(|t| NewDraft {
                    teacher: login(t),
                    period,
                    steps: vec![],
                    uncovered_json: "[]".into(),
                })
                .collect(),
            NOW,
        )
        .await
        .unwrap();
    store
        .import_diagnostics(
            &cli(),
            vec![imported("t2", "pedagogy-core", date(2025, 3, 1), "40")],
            NOW,
        )
        .await
        .unwrap();
    let metod = scope_of(store, "metod").await;
    let metod2 = scope_of(store, "metod2").await;
    let route_teachers = async |scope: &Scope| -> Vec<String> {
        store
            .routes_where(scope, &RouteFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|r| r.teacher.as_str().to_owned())
            .collect()
    };
    assert!(route_teachers(&metod).await.is_empty());

    store
        .assign_methodists(
            &cli(),
            vec![assign("t1", "metod"), assign("t2", "metod")],
            true,
            REPLACED,
            NOW + 1,
        )
        .await
        .unwrap();
    assert_eq!(route_teachers(&metod).await, ["t1", "t2"]);
    assert_eq!(
        store.routes_of(&metod, &login("t2")).await.unwrap().len(),
        1
    );
    assert_eq!(
        store
            .diagnostics_of(&metod, &login("t2"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.account(&metod, &login("t2")).await.unwrap().is_some());

    // t2 moves to metod2: metod loses them, metod2 gains them.
    store
        .assign_methodists(
            &cli(),
            vec![assign("t2", "metod2")],
            true,
            REPLACED,
            NOW + 2,
        )
        .await
        .unwrap();
    assert_eq!(route_teachers(&metod).await, ["t1"]);
    assert!(
        store
            .routes_of(&metod, &login("t2"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .diagnostics_of(&metod, &login("t2"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.account(&metod, &login("t2")).await.unwrap(), None);
    assert_eq!(route_teachers(&metod2).await, ["t2"]);
    assert_eq!(
        logins_of(
            &store
                .staff(
                    &metod2,
                    &StaffFilter {
                        role: Some(Role::Teacher),
                        ..StaffFilter::default()
                    }
                )
                .await
                .unwrap()
        ),
        ["t2"]
    );
}

// ---- mentor schools -------------------------------------------------------------------

/// Mentor-school assignments: stored, unchanged, replaced with the reason,
/// ended, kept as history; refusals name the school and write nothing.
pub async fn mentor_school_assignments_round_trip_and_refuse(store: &dyn Store) {
    school_fixture(store).await;
    let admin = admin_authority();
    let region = Scope::region();
    let all = SchoolAssignmentFilter::default;

    let done = store
        .assign_mentor_schools(
            &admin,
            vec![pair("s-a1", "s-b1"), pair("s-a2", "s-b1")],
            true,
            1,
            REPLACED,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(2, 0, 0));
    let rows = store
        .mentor_school_assignments(&region, &all())
        .await
        .unwrap();
    assert_eq!(
        school_pairs(&rows),
        expect(&[("s-a2", "s-b1", true), ("s-a1", "s-b1", true)])
    );
    let a1 = rows[1].clone();
    assert_eq!(
        a1,
        SchoolAssignmentRow {
            id: a1.id,
            school: scode("s-a1"),
            mentor_school: scode("s-b1"),
            started_at: NOW,
            started_by: Some(login("admin")),
            reasons: pair("s-a1", "s-b1").reasons,
            ended_at: None,
            ended_by: None,
            end_reason: None,
        }
    );
    let audit = audit_entries(store).await;
    assert_eq!(audit[0].action, "match schools");
    assert_eq!(
        audit[0].object,
        "2 назначения; без изменений: 0; завершено: 0"
    );

    // Unchanged and replaced.
    let done = store
        .assign_mentor_schools(
            &admin,
            vec![pair("s-a2", "s-b1"), pair("s-a1", "s-b2")],
            false,
            1,
            REPLACED,
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(1, 1, 1));
    let history = store
        .mentor_school_assignments(
            &region,
            &SchoolAssignmentFilter {
                school: Some(scode("s-a1")),
                ..all()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        school_pairs(&history),
        expect(&[("s-a1", "s-b2", true), ("s-a1", "s-b1", false)])
    );
    assert_eq!(
        history[1],
        SchoolAssignmentRow {
            ended_at: Some(NOW + 5),
            ended_by: Some(login("admin")),
            end_reason: Some(REPLACED.into()),
            ..a1
        }
    );

    // Ended by hand.
    let ended = store
        .end_mentor_school_assignment(&cli(), &scode("s-a2"), "школа вышла из кластера", NOW + 6)
        .await
        .unwrap();
    assert_eq!(ended.school, scode("s-a2"));
    assert_eq!(ended.ended_at, Some(NOW + 6));
    assert_eq!(ended.ended_by, None);
    assert_eq!(ended.end_reason.as_deref(), Some("школа вышла из кластера"));
    assert_eq!(audit_entries(store).await[0].action, "mentor school end");
    assert!(matches!(
        store
            .end_mentor_school_assignment(&cli(), &scode("s-a2"), "ещё раз", NOW + 7)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        schools_listed(
            store,
            &region,
            SchoolAssignmentFilter {
                active_only: true,
                ..all()
            }
        )
        .await,
        expect(&[("s-a1", "s-b2", true)])
    );

    // Refusals.
    let before = store
        .mentor_school_assignments(&region, &all())
        .await
        .unwrap();
    let audit_before = audit_entries(store).await.len();
    let cases: [(Vec<NewSchoolAssignment>, &str); 7] = [
        (
            vec![pair("s-c1", "s-b1"), pair("s-x", "s-b1")],
            "ОО s-x не найдена или не работает",
        ),
        (
            vec![pair("s-c1", "s-b1"), pair("s-a3", "s-b1")],
            "ОО s-a3 не найдена или не работает",
        ),
        (
            vec![pair("s-c1", "s-x")],
            "школа-наставник s-x не найдена или не работает",
        ),
        (
            vec![pair("s-c1", "s-c2")],
            "школа-наставник s-c2 не найдена или не работает",
        ),
        (
            vec![pair("s-c1", "s-b1"), pair("s-a2", "s-a2")],
            "школу нельзя назначить наставником самой себе (s-a2)",
        ),
        (
            vec![pair("s-c1", "s-b1"), pair("s-c1", "s-b2")],
            "ОО s-c1 указана в назначениях дважды",
        ),
        (
            vec![pair("s-c1", "s-b1"), pair("s-a1", "s-b1")],
            "укажите причину",
        ),
    ];
    for (n, (new, message)) in cases.into_iter().enumerate() {
        // The last case replaces s-a1's mentor school without a reason.
        let reason = if n == 6 { "" } else { REPLACED };
        let outcome = store
            .assign_mentor_schools(&admin, new, false, 1, reason, NOW + 8)
            .await;
        assert_conflict_naming(outcome, message);
    }
    assert_conflict_naming(
        store
            .end_mentor_school_assignment(&cli(), &scode("s-a1"), "", NOW + 9)
            .await,
        "укажите причину",
    );
    assert_eq!(
        store
            .mentor_school_assignments(&region, &all())
            .await
            .unwrap(),
        before
    );
    assert_eq!(audit_entries(store).await.len(), audit_before);
}

/// A mentor school's places: its `mentor_capacity`, else the default;
/// enforced only when asked.
pub async fn mentor_school_places_are_enforced_when_asked(store: &dyn Store) {
    school_fixture(store).await;
    let region = Scope::region();
    let all = SchoolAssignmentFilter::default;
    // s-b2 has no number of places: the default applies.
    store
        .assign_mentor_schools(&cli(), vec![pair("s-a1", "s-b2")], true, 1, REPLACED, NOW)
        .await
        .unwrap();
    assert_conflict_naming(
        store
            .assign_mentor_schools(
                &cli(),
                vec![pair("s-a2", "s-b2")],
                true,
                1,
                REPLACED,
                NOW + 1,
            )
            .await,
        "у школы-наставника s-b2 нет свободных мест (2 из 1)",
    );
    assert_eq!(
        store
            .mentor_school_assignments(&region, &all())
            .await
            .unwrap()
            .len(),
        1
    );
    store
        .assign_mentor_schools(
            &cli(),
            vec![pair("s-a2", "s-b2")],
            true,
            2,
            REPLACED,
            NOW + 2,
        )
        .await
        .unwrap();
    // s-b1's own number (3) wins over the default.
    let done = store
        .assign_mentor_schools(
            &cli(),
            vec![
                pair("s-a1", "s-b1"),
                pair("s-a2", "s-b1"),
                pair("s-c1", "s-b1"),
            ],
            true,
            0,
            REPLACED,
            NOW + 3,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(3, 0, 2));
    assert_conflict_naming(
        store
            .assign_mentor_schools(
                &cli(),
                vec![pair("s-b2", "s-b1")],
                true,
                9,
                REPLACED,
                NOW + 4,
            )
            .await,
        "у школы-наставника s-b1 нет свободных мест (4 из 3)",
    );
    // Without enforcing, the board may go over.
    let done = store
        .assign_mentor_schools(
            &cli(),
            vec![pair("s-b2", "s-b1")],
            false,
            0,
            REPLACED,
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(done, counts(1, 0, 0));
    assert_eq!(
        schools_listed(
            store,
            &region,
            SchoolAssignmentFilter {
                active_only: true,
                ..all()
            }
        )
        .await
        .iter()
        .filter(|(_, mentor, _)| mentor == "s-b1")
        .count(),
        4
    );
}

/// Concurrent calls giving a mentor school with one place left a school
/// each: exactly one wins.
pub async fn concurrent_school_assignments_take_the_last_place_once(store: &dyn Store) {
    school_fixture(store).await;
    let region = Scope::region();
    let auth = cli();
    for round in 0..3 {
        let now = NOW + 100 * round;
        let calls = ["s-a1", "s-a2", "s-c1"]
            .iter()
            .map(|s| {
                store.assign_mentor_schools(&auth, vec![pair(s, "s-b2")], true, 1, REPLACED, now)
            })
            .collect();
        let outcomes = join_all(calls).await;
        let winners = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(winners, 1, "exactly one call takes the place: {outcomes:?}");
        for outcome in outcomes {
            if outcome.is_err() {
                assert_conflict_naming(
                    outcome,
                    "у школы-наставника s-b2 нет свободных мест (2 из 1)",
                );
            }
        }
        let active = store
            .mentor_school_assignments(
                &region,
                &SchoolAssignmentFilter {
                    active_only: true,
                    ..SchoolAssignmentFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(active.len(), 1);
        store
            .end_mentor_school_assignment(&cli(), &active[0].school, "освободить место", now + 1)
            .await
            .unwrap();
    }
}

/// Who sees which mentor-school assignments: those where either school is
/// visible.
pub async fn mentor_school_assignments_keep_to_the_scope(store: &dyn Store) {
    school_fixture(store).await;
    store
        .assign_mentor_schools(&cli(), vec![pair("s-a1", "s-b1")], true, 5, REPLACED, NOW)
        .await
        .unwrap();
    store
        .assign_mentor_schools(
            &cli(),
            vec![pair("s-a2", "s-b1")],
            true,
            5,
            REPLACED,
            NOW + 1,
        )
        .await
        .unwrap();
    store
        .end_mentor_school_assignment(&cli(), &scode("s-a2"), "закончили", NOW + 2)
        .await
        .unwrap();
    store
        .assign_mentor_schools(
            &cli(),
            vec![pair("s-c1", "s-b2")],
            true,
            5,
            REPLACED,
            NOW + 3,
        )
        .await
        .unwrap();
    let all = SchoolAssignmentFilter::default;
    let schools = |codes: &[&str]| Scope {
        schools: codes.iter().map(|c| scode(c)).collect(),
        ..Scope::default()
    };
    let municipalities = |codes: &[&str]| Scope {
        municipalities: codes.iter().map(|c| mcode(c)).collect(),
        ..Scope::default()
    };
    let every = expect(&[
        ("s-c1", "s-b2", true),
        ("s-a2", "s-b1", false),
        ("s-a1", "s-b1", true),
    ]);
    assert_eq!(schools_listed(store, &Scope::region(), all()).await, every);
    assert_eq!(
        schools_listed(store, &scope_of(store, "t1").await, all()).await,
        expect(&[("s-a1", "s-b1", true)]),
        "the deputy head of s-a1"
    );
    assert_eq!(
        schools_listed(store, &schools(&["s-b1"]), all()).await,
        expect(&[("s-a2", "s-b1", false), ("s-a1", "s-b1", true)]),
        "the mentor school sees the schools it mentors"
    );
    assert_eq!(
        schools_listed(store, &scope_of(store, "coord").await, all()).await,
        expect(&[("s-a2", "s-b1", false), ("s-a1", "s-b1", true)]),
        "the coordinator of m1"
    );
    assert_eq!(
        schools_listed(store, &municipalities(&["m3"]), all()).await,
        expect(&[("s-c1", "s-b2", true)])
    );
    assert_eq!(
        schools_listed(store, &municipalities(&["m2"]), all()).await,
        every
    );
    for l in ["metod", "t4"] {
        assert!(
            schools_listed(store, &scope_of(store, l).await, all())
                .await
                .is_empty(),
            "{l} sees no school"
        );
    }
    assert_eq!(
        schools_listed(
            store,
            &Scope::region(),
            SchoolAssignmentFilter {
                municipality: Some(mcode("m1")),
                ..all()
            }
        )
        .await,
        expect(&[("s-a2", "s-b1", false), ("s-a1", "s-b1", true)])
    );
    assert_eq!(
        schools_listed(
            store,
            &Scope::region(),
            SchoolAssignmentFilter {
                municipality: Some(mcode("m2")),
                active_only: true,
                ..all()
            }
        )
        .await,
        expect(&[("s-c1", "s-b2", true), ("s-a1", "s-b1", true)])
    );
    assert!(
        schools_listed(
            store,
            &Scope::region(),
            SchoolAssignmentFilter {
                school: Some(scode("s-b1")),
                ..all()
            }
        )
        .await
        .is_empty(),
        "`school` is the mentored side"
    );
    assert!(
        schools_listed(
            store,
            &municipalities(&["m3"]),
            SchoolAssignmentFilter {
                school: Some(scode("s-a1")),
                ..all()
            }
        )
        .await
        .is_empty()
    );
}

// ---- proposals --------------------------------------------------------------------------

/// The latest run of each kind replaces the previous one of that kind.
pub async fn match_runs_are_replaced_by_kind(store: &dyn Store) {
    apply_fixture(store).await;
    assert_eq!(store.match_run(MatchKind::Methodists).await.unwrap(), None);
    assert_eq!(store.match_run(MatchKind::Schools).await.unwrap(), None);
    let run = |kind: MatchKind, at: Millis, by: Option<&str>, result: &str| MatchRun {
        kind,
        run_at: at,
        run_by: by.map(login),
        result: result.into(),
    };
    let first = run(
        MatchKind::Methodists,
        NOW,
        Some("admin"),
        r#"{"n":1,"т":"ы"}"#,
    );
    let schools = run(MatchKind::Schools, NOW + 1, None, r#"{"pairs":[]}"#);
    let second = run(MatchKind::Methodists, NOW + 2, None, r#"{"n":2}"#);
    store
        .save_match_run(&admin_authority(), first.clone())
        .await
        .unwrap();
    assert_eq!(
        store.match_run(MatchKind::Methodists).await.unwrap(),
        Some(first)
    );
    store.save_match_run(&cli(), schools.clone()).await.unwrap();
    store.save_match_run(&cli(), second.clone()).await.unwrap();
    assert_eq!(
        store.match_run(MatchKind::Methodists).await.unwrap(),
        Some(second)
    );
    assert_eq!(
        store.match_run(MatchKind::Schools).await.unwrap(),
        Some(schools)
    );
    let audit = audit_entries(store).await;
    assert_eq!(audit[0].action, "match run");
    assert_eq!(audit[2].actor, Some(login("admin")));
}

// ---- consultations ------------------------------------------------------------------------

/// Only the mentor's active mentee, and only with a topic; refusals write
/// nothing.
pub async fn consultations_need_an_active_mentee(store: &dyn Store) {
    apply_fixture(store).await;
    set_methodist_capacity(store, "metod2", 5).await;
    store
        .assign_methodists(
            &cli(),
            vec![
                assign("t1", "metod"),
                assign("t2", "metod"),
                assign("t4", "metod2"),
            ],
            true,
            REPLACED,
            NOW,
        )
        .await
        .unwrap();
    let region = Scope::region();

    let stored = store
        .add_consultation(
            &login("metod"),
            consultation("t1", date(2025, 9, 15), "Разбор диагностики"),
            NOW + 1,
        )
        .await
        .unwrap();
    assert_eq!(
        stored,
        ConsultationRow {
            id: stored.id,
            mentor: login("metod"),
            teacher: login("t1"),
            held_on: date(2025, 9, 15),
            form: "очно".into(),
            topic: "Разбор диагностики".into(),
            result: "итог: Разбор диагностики".into(),
            created_at: NOW + 1,
        }
    );
    assert_eq!(
        store.consultations(&region, &login("t1")).await.unwrap(),
        vec![stored]
    );
    let last = &audit_entries(store).await[0];
    assert_eq!(last.action, "consultation");
    assert_eq!(last.actor, Some(login("metod")));
    assert_eq!(last.at, NOW + 1);

    store
        .end_methodist_assignment(&cli(), &login("t2"), "переведена", NOW + 2)
        .await
        .unwrap();
    let audit_before = audit_entries(store).await.len();
    for (mentor, teacher) in [
        ("metod", "t4"),     // another mentor's mentee
        ("metod", "t2"),     // an ended assignment
        ("metod", "nobody"), // no such teacher
        ("metod2", "t1"),
        ("t1", "t4"),
    ] {
        assert_conflict_naming(
            store
                .add_consultation(
                    &login(mentor),
                    consultation(teacher, date(2025, 9, 16), "Тема"),
                    NOW + 3,
                )
                .await,
            "педагог не закреплён за вами",
        );
    }
    assert_conflict_naming(
        store
            .add_consultation(
                &login("metod"),
                consultation("t1", date(2025, 9, 16), " \t"),
                NOW + 3,
            )
            .await,
        "укажите тему",
    );
    for t in ["t1", "t2", "t4"] {
        let expected = usize::from(t == "t1");
        assert_eq!(
            store.consultations(&region, &login(t)).await.unwrap().len(),
            expected
        );
    }
    assert_eq!(audit_entries(store).await.len(), audit_before);
}

/// A teacher's consultations, newest `held_on` first (then the latest
/// stored), scoped like the account: a mentor reaches them through their
/// active mentees only.
pub async fn consultations_are_newest_first_and_scoped(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .assign_methodists(
            &cli(),
            vec![assign("t1", "metod"), assign("t4", "metod")],
            true,
            REPLACED,
            NOW,
        )
        .await
        .unwrap();
    let metod = login("metod");
    for (n, (held_on, topic)) in [
        (date(2025, 9, 1), "первая"),
        (date(2025, 10, 1), "третья"),
        (date(2025, 9, 20), "вторая"),
        (date(2025, 10, 1), "третья, дополнение"),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .add_consultation(
                &metod,
                consultation("t1", held_on, topic),
                NOW + n as Millis,
            )
            .await
            .unwrap();
    }
    store
        .add_consultation(
            &metod,
            consultation("t4", date(2025, 9, 5), "другой"),
            NOW + 9,
        )
        .await
        .unwrap();
    let topics = async |scope: &Scope, teacher: &str| -> Vec<String> {
        store
            .consultations(scope, &login(teacher))
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.topic)
            .collect()
    };
    let all_t1 = ["третья, дополнение", "третья", "вторая", "первая"];
    assert_eq!(topics(&Scope::region(), "t1").await, all_t1);
    assert_eq!(topics(&Scope::region(), "t4").await, ["другой"]);
    for l in ["metod", "t1", "coord"] {
        assert_eq!(
            topics(&scope_of(store, l).await, "t1").await,
            all_t1,
            "{l} sees t1's consultations"
        );
    }
    for l in ["metod2", "t4"] {
        assert!(
            topics(&scope_of(store, l).await, "t1").await.is_empty(),
            "{l} does not see t1's consultations"
        );
    }
    assert!(topics(&scope_of(store, "t1").await, "t4").await.is_empty());
    assert_eq!(
        topics(&scope_of(store, "metod").await, "t4").await,
        ["другой"]
    );

    // Once t1 is no longer metod's mentee, metod no longer sees them.
    store
        .end_methodist_assignment(&cli(), &login("t1"), "завершено", NOW + 20)
        .await
        .unwrap();
    assert!(
        topics(&scope_of(store, "metod").await, "t1")
            .await
            .is_empty()
    );
    assert_eq!(topics(&scope_of(store, "t1").await, "t1").await, all_t1);
}

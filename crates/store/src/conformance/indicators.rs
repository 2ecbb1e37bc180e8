//! Conformance cases of the indicators counted by the database: the days
//! on which a state begins or ends (`domain::indicators` takes states as of
//! the state date, events within the period), ties between diagnostics,
//! and the scopes a figure is counted in.

use chrono::FixedOffset;
use domain::ActivityKind;
use domain::indicators::{Indicator, Share, Where};
use domain::routes::Step;
use domain::{CourseCode, Period};

use super::*;
use crate::{
    EvidenceKind, IndicatorMember, IndicatorQuery, IndicatorTally, NewAssignment, NewDraft,
    NewEvidence, NewSchoolAssignment, NewTraining,
};

/// The state date of [`q0`]; [`q1`] takes states one day later.
fn state_day() -> NaiveDate {
    date(2026, 3, 15)
}

fn school_year() -> Period {
    Period {
        from: date(2025, 9, 1),
        to: date(2026, 8, 31),
    }
}

/// The region's days are Moscow's (UTC+3), so that a day's first instant
/// is not UTC midnight.
fn moscow() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).unwrap()
}

fn q0() -> IndicatorQuery {
    IndicatorQuery::new(school_year(), state_day(), &moscow())
}

fn q1() -> IndicatorQuery {
    IndicatorQuery::new(school_year(), state_day() + chrono::Days::new(1), &moscow())
}

fn tally(
    indicator: Indicator,
    school: Option<(&str, &str)>,
    numerator: u64,
    denominator: u64,
) -> IndicatorTally {
    IndicatorTally {
        indicator,
        school: school.map(|(s, _)| scode(s)),
        municipality: school.map(|(_, m)| mcode(m)),
        share: Share {
            numerator,
            denominator,
        },
    }
}

fn member(indicator: Indicator, id: &str, counted: bool) -> IndicatorMember {
    IndicatorMember {
        indicator,
        id: id.into(),
        counted,
    }
}

fn diagnostic_with(
    l: &str,
    bank_id: &str,
    taken_on: NaiveDate,
    overall: &str,
    level: Level,
) -> NewDiagnostic {
    let mut d = imported(l, bank_id, taken_on, overall);
    d.overall_level = level;
    d
}

fn course_step() -> Step {
    Step {
        kind: ActivityKind::Course,
        course: Some(CourseCode::parse("K-01").unwrap()),
        title: "Курс: проектирование урока".into(),
        competences: vec![domain::CompetenceRef::new("pedagogy-core", "K1")],
        hours: 36,
        mandatory: true,
        starts_on: Some(date(2026, 4, 1)),
        ends_on: Some(date(2026, 4, 20)),
        mentor: None,
        mentor_name: None,
        expected_result: "Преодолён дефицит: Проектирование урока".into(),
        reporting_form: "удостоверение о повышении квалификации".into(),
    }
}

/// The fixture and, around [`state_day`] (the 15th of March 2026, `d`):
///
/// * `t1` (`s-a1`): a critical diagnostic exactly 12 months before `d`;
/// * `t4` (`s-b1`): a critical diagnostic one day later (current on `d`,
///   exactly 12 months old on `d + 1`);
/// * `t2` (`s-a1`, low results): an imported diagnostic (none, 40 %) and,
///   recorded later, one from an attempt (critical, 60 %) of the same bank
///   on the same day; a methodist whose assignment ended at the first
///   instant of `d + 1`; a route approved at that instant whose only
///   (course) step was confirmed at the first instant after the period;
///   an imported internship;
/// * `t5`, young, low results and without a school: a course completed on
///   `d`, a methodist from the first instant of `d + 1`;
/// * `s-a1` critical with a mentor school until the first instant of
///   `d + 1`, `s-a2` critical without, inactive `s-a3` critical;
/// * the inactive teacher `t3` and the methodist `metod` with critical
///   diagnostics (neither counts).
async fn edge_fixture(store: &dyn Store) {
    let (bank_version_id, campaign_id) = campaign_fixture(store).await;
    let next_day = q0().state_end;
    let mut more = changes("import indicators");
    let mut t5 = account("t5", "Новикова Нина", &[Role::Teacher], None);
    t5.attrs.experience_years = Some(1.0);
    t5.attrs.students_low_results = true;
    more.accounts.push(t5);
    for code in ["s-a2", "s-a3"] {
        let mut s = fixture_school(code);
        s.critical_monitoring = true;
        more.schools.push(s);
    }
    store.apply_directory(&cli(), more, NOW).await.unwrap();

    let crit = Level::Critical;
    let before_d = date(2026, 1, 10);
    store
        .import_diagnostics(
            &cli(),
            vec![
                diagnostic_with("t1", "x", date(2025, 3, 15), "50", crit),
                diagnostic_with("t4", "x", date(2025, 3, 16), "50", crit),
                diagnostic_with("t2", "pedagogy-core", date(2026, 2, 1), "40", Level::None),
                diagnostic_with("t3", "x", before_d, "10", crit),
                diagnostic_with("metod", "x", before_d, "10", crit),
            ],
            NOW,
        )
        .await
        .unwrap();
    let (attempt, _) = store
        .start_attempt(
            new_attempt(campaign_id, bank_version_id, "t2", NOW + HOUR),
            NOW,
        )
        .await
        .unwrap();
    let mut taken = diagnostic(
        "t2",
        "pedagogy-core",
        date(2026, 2, 1),
        DiagnosticSource::Attempt,
        "60",
    );
    taken.bank_version_id = Some(bank_version_id);
    taken.overall_level = crit;
    let outcome = store
        .finish_attempt(
            attempt.id,
            FinishAttempt {
                status: AttemptStatus::Submitted,
                scored_responses: BTreeMap::new(),
                profile_json: "{}".into(),
                diagnostic: taken,
            },
            NOW + 1,
        )
        .await
        .unwrap();
    assert!(matches!(outcome, FinishOutcome::Finished), "{outcome:?}");

    store
        .apply_trainings(
            &cli(),
            vec![
                NewTraining {
                    login: login("t5"),
                    title: "Функциональная грамотность".into(),
                    kind: ActivityKind::Course,
                    hours: 36,
                    completed_on: state_day(),
                    document: None,
                },
                NewTraining {
                    login: login("t2"),
                    title: "Стажировка".into(),
                    kind: ActivityKind::Internship,
                    hours: 16,
                    completed_on: state_day(),
                    document: None,
                },
            ],
            NOW,
        )
        .await
        .unwrap();

    let assign = |teacher: &str| NewAssignment {
        teacher: login(teacher),
        methodist: login("metod"),
        reasons: vec!["приоритет 1".into()],
    };
    store
        .assign_methodists(&cli(), vec![assign("t2")], false, "", NOW)
        .await
        .unwrap();
    store
        .end_methodist_assignment(&cli(), &login("t2"), "перевод", next_day)
        .await
        .unwrap();
    store
        .assign_methodists(&cli(), vec![assign("t5")], false, "", next_day)
        .await
        .unwrap();
    store
        .assign_mentor_schools(
            &cli(),
            vec![NewSchoolAssignment {
                school: scode("s-a1"),
                mentor_school: scode("s-b1"),
                reasons: vec!["критические значения".into()],
            }],
            false,
            2,
            "",
            NOW,
        )
        .await
        .unwrap();
    store
        .end_mentor_school_assignment(&cli(), &scode("s-a1"), "программа завершена", next_day)
        .await
        .unwrap();

    store
        .save_drafts(
            &cli(),
            vec![NewDraft {
                teacher: login("t2"),
                period: Period {
                    from: date(2026, 1, 1),
                    to: date(2026, 5, 31),
                },
                steps: vec![course_step()],
                uncovered_json: "[]".into(),
            }],
            NOW,
        )
        .await
        .unwrap();
    let route = store
        .routes_of(&Scope::region(), &login("t2"))
        .await
        .unwrap()
        .remove(0);
    store
        .approve_route(&login("admin"), route.id, next_day)
        .await
        .unwrap();
    let evidence = NewEvidence {
        kind: EvidenceKind::Text,
        text: Some("удостоверение № 1".into()),
        url: None,
        file_name: None,
        content_type: None,
        bytes: None,
    };
    store
        .submit_step(&login("t2"), route.id, 0, evidence, next_day + 1)
        .await
        .unwrap();
    let after_the_period = q0().period_end;
    store
        .review_step(&login("t1"), route.id, 0, true, None, after_the_period)
        .await
        .unwrap();
}

/// States begin and end on the edge days: a diagnostic exactly 12 months
/// old is not current, an assignment ended on the state date is not
/// active, a route approved the day after is not approved; of two
/// diagnostics of one bank on one day the one recorded later wins; events
/// count by the region's day within the period.
pub async fn indicators_take_states_on_the_edge_days(store: &dyn Store) {
    edge_fixture(store).await;
    use Indicator::*;
    let none = None;
    let s_a1 = Some(("s-a1", "m1"));
    let s_a2 = Some(("s-a2", "m1"));
    let s_b1 = Some(("s-b1", "m2"));
    let region = Where::Region;

    let on_d = store
        .indicator_tallies(&cli(), &q0(), &region)
        .await
        .unwrap();
    assert_eq!(
        on_d,
        vec![
            tally(DiagnosticsCoverage, s_a1, 1, 1),
            // t1's diagnostic is 12 months old: t1 has no level; t2's
            // route is approved only the next day.
            tally(RouteAssigned, s_a1, 0, 1),
            tally(RouteAssigned, s_b1, 0, 1),
            // t2's course was confirmed after the period.
            tally(TrainingCoverage, none, 1, 1),
            tally(TrainingCoverage, s_a1, 0, 1),
            // t5's methodist starts the next day; t2's ends then.
            tally(MethodistCoverage, none, 0, 1),
            tally(MethodistCoverage, s_a1, 1, 1),
            tally(MethodistCoverage, s_b1, 0, 1),
            tally(MentorSchoolCoverage, s_a1, 1, 1),
            tally(MentorSchoolCoverage, s_a2, 0, 1),
            // 40 → 60 on one day: the later record is the latest.
            tally(Growth, s_a1, 1, 1),
        ]
    );

    let next_day = store
        .indicator_tallies(&cli(), &q1(), &region)
        .await
        .unwrap();
    assert_eq!(
        next_day,
        vec![
            tally(DiagnosticsCoverage, s_a1, 1, 1),
            // t4's diagnostic is now exactly 12 months old.
            tally(RouteAssigned, s_a1, 1, 1),
            tally(RouteCompletion, s_a1, 0, 1),
            tally(TrainingCoverage, none, 1, 1),
            tally(TrainingCoverage, s_a1, 0, 1),
            tally(MethodistCoverage, none, 1, 1),
            tally(MethodistCoverage, s_a1, 0, 1),
            tally(MentorSchoolCoverage, s_a1, 0, 1),
            tally(MentorSchoolCoverage, s_a2, 0, 1),
            tally(Growth, s_a1, 1, 1),
        ]
    );

    // A period one day longer holds the confirmation of t2's course.
    let longer = IndicatorQuery::new(
        Period {
            from: date(2025, 9, 1),
            to: date(2026, 9, 1),
        },
        state_day(),
        &moscow(),
    );
    let training: Vec<IndicatorTally> = store
        .indicator_tallies(&cli(), &longer, &Where::School(scode("s-a1")))
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.indicator == TrainingCoverage)
        .collect();
    assert_eq!(training, vec![tally(TrainingCoverage, s_a1, 1, 1)]);
}

/// A municipality counts its schools (not the teachers without one), a
/// school itself; the members of a school are listed by indicator, then
/// id; a school whose denominators are all empty has neither tallies nor
/// members.
pub async fn indicators_keep_to_their_scope(store: &dyn Store) {
    edge_fixture(store).await;
    use Indicator::*;
    let s_a1 = Some(("s-a1", "m1"));
    let s_a2 = Some(("s-a2", "m1"));
    let s_b1 = Some(("s-b1", "m2"));

    let m1 = store
        .indicator_tallies(&cli(), &q0(), &Where::Municipality(mcode("m1")))
        .await
        .unwrap();
    assert_eq!(
        m1,
        vec![
            tally(DiagnosticsCoverage, s_a1, 1, 1),
            tally(RouteAssigned, s_a1, 0, 1),
            tally(TrainingCoverage, s_a1, 0, 1),
            tally(MethodistCoverage, s_a1, 1, 1),
            tally(MentorSchoolCoverage, s_a1, 1, 1),
            tally(MentorSchoolCoverage, s_a2, 0, 1),
            tally(Growth, s_a1, 1, 1),
        ]
    );
    let m2 = store
        .indicator_tallies(&cli(), &q0(), &Where::Municipality(mcode("m2")))
        .await
        .unwrap();
    assert_eq!(
        m2,
        vec![
            tally(RouteAssigned, s_b1, 0, 1),
            tally(MethodistCoverage, s_b1, 0, 1),
        ]
    );
    assert!(
        store
            .indicator_tallies(&cli(), &q0(), &Where::Municipality(mcode("m3")))
            .await
            .unwrap()
            .is_empty()
    );
    let s_a2_only = store
        .indicator_tallies(&cli(), &q0(), &Where::School(scode("s-a2")))
        .await
        .unwrap();
    assert_eq!(s_a2_only, vec![tally(MentorSchoolCoverage, s_a2, 0, 1)]);

    assert_eq!(
        store
            .indicator_members(&cli(), &q0(), &scode("s-a1"))
            .await
            .unwrap(),
        vec![
            member(DiagnosticsCoverage, "t2", true),
            member(RouteAssigned, "t2", false),
            member(TrainingCoverage, "t2", false),
            member(MethodistCoverage, "t2", true),
            member(MentorSchoolCoverage, "s-a1", true),
            member(Growth, "t2", true),
        ]
    );
    assert_eq!(
        store
            .indicator_members(&cli(), &q1(), &scode("s-a1"))
            .await
            .unwrap(),
        vec![
            member(DiagnosticsCoverage, "t2", true),
            member(RouteAssigned, "t2", true),
            member(RouteCompletion, "t2", false),
            member(TrainingCoverage, "t2", false),
            member(MethodistCoverage, "t2", false),
            member(MentorSchoolCoverage, "s-a1", false),
            member(Growth, "t2", true),
        ]
    );
    assert_eq!(
        store
            .indicator_members(&cli(), &q0(), &scode("s-b1"))
            .await
            .unwrap(),
        vec![
            member(RouteAssigned, "t4", false),
            member(MethodistCoverage, "t4", false),
        ]
    );
    assert!(
        store
            .indicator_members(&cli(), &q1(), &scode("s-b1"))
            .await
            .unwrap()
            .is_empty()
    );
    // The inactive school: critical, but not counted; t3 does not work.
    assert!(
        store
            .indicator_members(&cli(), &q0(), &scode("s-a3"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .indicator_members(&cli(), &q0(), &scode("s-a2"))
            .await
            .unwrap(),
        vec![member(MentorSchoolCoverage, "s-a2", false)]
    );
}

/// Many region counts at once (a morning when every coordinator opens the
/// dashboard) all finish, each with the same answer: a count that holds
/// several connections must not starve the others of the pool.
pub async fn concurrent_region_counts_all_finish_alike(store: &dyn Store) {
    edge_fixture(store).await;
    let q = q0();
    let auth = cli();
    let alone = store
        .indicator_tallies(&auth, &q, &Where::Region)
        .await
        .unwrap();
    let calls = (0..24)
        .map(|_| store.indicator_tallies(&auth, &q, &Where::Region))
        .collect();
    let outcomes: Vec<crate::Result<Vec<IndicatorTally>>> = join_all(calls).await;
    for outcome in outcomes {
        assert_eq!(outcome.unwrap(), alone);
    }
}

//! The indicators the database counts are the domain's: on a generated
//! region with two school years of history (repeated diagnostics, routes
//! approved, executed and completed, trainings, methodists and mentor
//! schools assigned and ended), `server::indicators::tallies` and
//! `school_members` (the store's SQL) answer exactly what
//! `domain::indicators` computes over the facts the server reads
//! (`tallies_of`, `school_members_of`), in every scope, for several periods.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{Days, Months, NaiveDate};
use chrono_tz::Tz;
use domain::indicators::{Indicator, Where, school_year, state_date};
use domain::{
    ActivityKind, Level, Login, Methodist, Period, RegionAuthority, Role, SchoolCode, Scope,
};
use marshrut::indicators::{facts, school_members, school_members_of, sum, tallies, tallies_of};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::indicators::start_of_day;
use store::{
    DiagnosticCompetence, DiagnosticSource, Directory, DirectoryChanges, EvidenceKind, Millis,
    NewAssignment, NewDiagnostic, NewDraft, NewEvidence, NewSchoolAssignment, NewTraining,
    RouteFilter, RouteStatus, StepStatus, Store, StoreError,
};

use crate::helpers::Backend;

on_both_databases!(the_database_counts_the_indicators_as_the_domain_defines_them);

const BIN: &str = env!("CARGO_BIN_EXE_marshrut");
const TZ: Tz = chrono_tz::Europe::Moscow;
const DAY: Millis = 86_400_000;

fn marshrut(db: &str, args: &[&str]) {
    let o = Command::new(BIN)
        .args(["--database-url", db])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("MARSHRUT_PUBLIC_URL")
        .output()
        .expect("run marshrut");
    assert!(
        o.status.success(),
        "marshrut {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn cli() -> RegionAuthority {
    RegionAuthority::command_line()
}

/// The days the generated history falls on: half of them the days where
/// a period or a state date begins or ends (and the day before and
/// after), so that every bound is met exactly; the rest any day of the
/// last two years and a bit.
struct Calendar {
    edges: Vec<NaiveDate>,
    today: NaiveDate,
}

impl Calendar {
    fn new(periods: &[Period], today: NaiveDate) -> Calendar {
        let mut edges = vec![today];
        for p in periods {
            let d = state_date(*p, today);
            let year_before = d.checked_sub_months(Months::new(12)).unwrap();
            for day in [p.from, p.to, d, year_before, d - Days::new(365)] {
                edges.extend([day - Days::new(1), day, day + Days::new(1)]);
            }
        }
        Calendar { edges, today }
    }

    fn day(&self, rng: &mut ChaCha8Rng) -> NaiveDate {
        if rng.random_bool(0.5) {
            self.edges[rng.random_range(0..self.edges.len())]
        } else {
            self.today - Days::new(rng.random_range(0..800))
        }
    }

    /// An instant on `day` in the region's zone: its first or last
    /// millisecond, or in between.
    fn instant_on(&self, day: NaiveDate, rng: &mut ChaCha8Rng) -> Millis {
        let start = start_of_day(day, &TZ);
        start + [0, 1, 9 * 3_600_000, DAY - 1][rng.random_range(0..4)]
    }

    fn instant(&self, rng: &mut ChaCha8Rng) -> Millis {
        let day = self.day(rng);
        self.instant_on(day, rng)
    }
}

fn percent(rng: &mut ChaCha8Rng) -> String {
    // Whole percents repeat often enough to give equal results (no growth).
    format!(
        "{}.{:02}",
        rng.random_range(20..90),
        [0, 0, 0, 50][rng.random_range(0..4)]
    )
}

/// A generated region imported by the real binary: directory, banks, one
/// diagnostic per teacher, the catalogue and the generated drafts.
fn import_generated_region(db: &str, dir: &Path) {
    let region = dir.join("region");
    marshrut(
        db,
        &[
            "gen-region",
            "--teachers",
            "800",
            "--seed",
            "31",
            "--out",
            region.to_str().unwrap(),
        ],
    );
    for kind in ["municipalities", "schools", "staff", "methodists"] {
        let f = region.join(format!("{kind}.csv"));
        marshrut(db, &["import", kind, f.to_str().unwrap()]);
    }
    let banks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
    marshrut(db, &["bank", "load", banks.to_str().unwrap()]);
    for kind in ["results", "catalogue"] {
        let f = region.join(format!("{kind}.csv"));
        marshrut(db, &["import", kind, f.to_str().unwrap()]);
    }
    marshrut(db, &["routes", "generate"]);
}

/// Repeated diagnostics on two banks for most teachers (and some of other
/// accounts), with levels and percents at random.
async fn add_diagnostics(
    store: &dyn Store,
    logins: &[Login],
    days: &Calendar,
    rng: &mut ChaCha8Rng,
) {
    let mut seen = HashSet::new();
    let mut new = Vec::new();
    for login in logins {
        if rng.random_bool(0.2) {
            continue;
        }
        for _ in 0..rng.random_range(1..4) {
            let bank = ["pedagogy-core", "math-methods"][rng.random_range(0..2)];
            let taken_on = days.day(rng);
            if !seen.insert((login.clone(), bank, taken_on)) {
                continue;
            }
            let level = Level::ALL[rng.random_range(0..4)];
            let overall = percent(rng);
            new.push(NewDiagnostic {
                login: login.clone(),
                bank_id: bank.into(),
                bank_version_id: None,
                taken_on,
                source: DiagnosticSource::Import,
                overall_percent: overall.clone(),
                overall_level: level,
                competences: vec![DiagnosticCompetence {
                    competence: format!("{bank}:K1"),
                    percent: Some(overall),
                    level,
                }],
                profile_json: "{}".into(),
            });
        }
    }
    store.import_diagnostics(&cli(), new, 0).await.unwrap();
}

/// Approves most drafts (and routes of the previous school year made from
/// them), then submits steps and confirms or returns them, on days at
/// random: some routes complete.
async fn execute_routes(
    store: &dyn Store,
    previous_year: Period,
    days: &Calendar,
    rng: &mut ChaCha8Rng,
) {
    let drafts = store
        .routes_where(&Scope::region(), &RouteFilter::default())
        .await
        .unwrap();
    assert!(
        drafts.len() > 20,
        "too few routes generated: {}",
        drafts.len()
    );
    let earlier: Vec<NewDraft> = drafts
        .iter()
        .filter(|_| rng.random_bool(0.3))
        .map(|r| NewDraft {
            teacher: r.teacher.clone(),
            period: previous_year,
            steps: r.steps.iter().map(|s| s.step.clone()).collect(),
            uncovered_json: "[]".into(),
        })
        .collect();
    store.save_drafts(&cli(), earlier, 0).await.unwrap();
    let routes = store
        .routes_where(&Scope::region(), &RouteFilter::default())
        .await
        .unwrap();
    let admin = Login::parse("admin").unwrap();
    for route in routes {
        if rng.random_bool(0.2) {
            continue;
        }
        let approved_at = days.instant(rng);
        match store.approve_route(&admin, route.id, approved_at).await {
            Ok(_) => {}
            // A course's last seat went to another route: stays a draft.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => panic!("approve {}: {e}", route.id),
        }
        let mandatory_only = rng.random_bool(0.5);
        for (position, step) in route.steps.iter().enumerate() {
            let position = position as u32;
            if !(rng.random_bool(0.8) || mandatory_only && step.step.mandatory) {
                continue;
            }
            let submitted_at = days.instant(rng);
            let evidence = NewEvidence {
                kind: EvidenceKind::Text,
                text: Some("Удостоверение о повышении квалификации".into()),
                url: None,
                file_name: None,
                content_type: None,
                bytes: None,
            };
            match store
                .submit_step(&route.teacher, route.id, position, evidence, submitted_at)
                .await
            {
                Ok(_) => {}
                // The route completed with its last mandatory step.
                Err(StoreError::Conflict(_)) => break,
                Err(e) => panic!("submit {}/{position}: {e}", route.id),
            }
            let confirm = rng.random_bool(0.85);
            let reviewed_at = days.instant(rng).max(submitted_at);
            store
                .review_step(
                    &admin,
                    route.id,
                    position,
                    confirm,
                    (!confirm).then(|| "Нужен документ".into()),
                    reviewed_at,
                )
                .await
                .unwrap();
        }
    }
}

/// Trainings of every kind imported for a third of the teachers; answers
/// who got one.
async fn add_trainings(
    store: &dyn Store,
    logins: &[Login],
    days: &Calendar,
    rng: &mut ChaCha8Rng,
) -> HashSet<Login> {
    let mut rows = Vec::new();
    let mut trained = HashSet::new();
    for (i, login) in logins.iter().enumerate() {
        if !rng.random_bool(0.35) {
            continue;
        }
        trained.insert(login.clone());
        for n in 0..rng.random_range(1..3) {
            rows.push(NewTraining {
                login: login.clone(),
                title: format!("Программа {i}-{n}"),
                kind: [
                    ActivityKind::Course,
                    ActivityKind::Retraining,
                    ActivityKind::Internship,
                ][rng.random_range(0..3)],
                hours: 36,
                completed_on: days.day(rng),
                document: None,
            });
        }
    }
    store.apply_trainings(&cli(), rows, 0).await.unwrap();
    trained
}

/// Methodists assigned to a third of the teachers, some ended, some
/// replaced; mentor schools to half the critical schools, likewise.
/// Answers the teachers and the schools that got one.
async fn assign(
    store: &dyn Store,
    logins: &[Login],
    methodists: &[Methodist],
    critical: &[SchoolCode],
    mentors: &[SchoolCode],
    days: &Calendar,
    rng: &mut ChaCha8Rng,
) -> (HashSet<Login>, HashSet<SchoolCode>) {
    assert!(!methodists.is_empty() && !mentors.is_empty() && critical.len() > 3);
    let mut teachers = HashSet::new();
    let mut schools = HashSet::new();
    for teacher in logins {
        if !rng.random_bool(0.35) {
            continue;
        }
        teachers.insert(teacher.clone());
        let mut at = days.instant(rng);
        for round in 0..2 {
            let methodist = &methodists[rng.random_range(0..methodists.len())].login;
            if methodist == teacher {
                break;
            }
            let new = NewAssignment {
                teacher: teacher.clone(),
                methodist: methodist.clone(),
                reasons: vec!["приоритет 1".into()],
            };
            store
                .assign_methodists(&cli(), vec![new], false, "", at)
                .await
                .unwrap();
            if round == 1 || rng.random_bool(0.4) {
                break;
            }
            at += DAY * rng.random_range(0..200) + rng.random_range(0..DAY);
            store
                .end_methodist_assignment(&cli(), teacher, "замена", at)
                .await
                .unwrap();
            at += DAY * rng.random_range(0..60);
        }
    }
    for school in critical {
        if rng.random_bool(0.5) {
            continue;
        }
        let mut at = days.instant(rng);
        let mentor = mentors[rng.random_range(0..mentors.len())].clone();
        if &mentor == school {
            continue;
        }
        let new = NewSchoolAssignment {
            school: school.clone(),
            mentor_school: mentor,
            reasons: vec!["критические значения".into()],
        };
        store
            .assign_mentor_schools(&cli(), vec![new], false, 2, "", at)
            .await
            .unwrap();
        schools.insert(school.clone());
        if rng.random_bool(0.5) {
            at += DAY * rng.random_range(0..300) + rng.random_range(0..DAY);
            store
                .end_mentor_school_assignment(&cli(), school, "программа завершена", at)
                .await
                .unwrap();
        }
    }
    (teachers, schools)
}

/// Facts exactly on the bounds of every period, for members whose place
/// in the denominator does not depend on the day, so that the tallies show
/// whether each bound is read as the domain reads it: courses completed on
/// a period's first and last day and the days around them; methodists and
/// mentor schools that start or end at the first instant after a state
/// date or at the one before; routes completed at those instants.
#[allow(clippy::too_many_arguments)]
async fn plant_edges(
    store: &dyn Store,
    directory: &Directory,
    periods: &[Period],
    today: NaiveDate,
    trained: &HashSet<Login>,
    assigned: &HashSet<Login>,
    mentored: &HashSet<SchoolCode>,
    methodist: &Login,
    mentors: &[SchoolCode],
) {
    let after_state = |p: &Period| start_of_day(state_date(*p, today) + Days::new(1), &TZ);
    let teachers = || {
        directory
            .accounts
            .iter()
            .filter(|a| a.active && a.has(Role::Teacher) && a.school.is_some())
    };

    let mut low =
        teachers().filter(|a| a.attrs.students_low_results && !trained.contains(&a.login));
    let mut rows = Vec::new();
    for p in periods {
        for day in [p.from - Days::new(1), p.from, p.to, p.to + Days::new(1)] {
            let a = low
                .next()
                .expect("a teacher with low results and no training");
            rows.push(NewTraining {
                login: a.login.clone(),
                title: "Курс на границе периода".into(),
                kind: ActivityKind::Course,
                hours: 36,
                completed_on: day,
                document: None,
            });
        }
    }
    store.apply_trainings(&cli(), rows, 0).await.unwrap();

    let mut young = teachers().filter(|a| {
        a.attrs.experience_years.is_some_and(|y| y < 3.0)
            && !assigned.contains(&a.login)
            && &a.login != methodist
    });
    for p in periods {
        let edge = after_state(p);
        for (start, end) in [
            (edge - 30 * DAY, Some(edge)),
            (edge - 30 * DAY, Some(edge - 1)),
            (edge, None),
            (edge - 1, None),
        ] {
            let a = young.next().expect("a young teacher without a methodist");
            let new = NewAssignment {
                teacher: a.login.clone(),
                methodist: methodist.clone(),
                reasons: vec!["молодой педагог".into()],
            };
            store
                .assign_methodists(&cli(), vec![new], false, "", start)
                .await
                .unwrap();
            if let Some(end) = end {
                store
                    .end_methodist_assignment(&cli(), &a.login, "замена", end)
                    .await
                    .unwrap();
            }
        }
    }

    let mut critical = directory.schools.iter().filter(|s| {
        s.active
            && s.critical_monitoring
            && !mentored.contains(&s.code)
            && !mentors.contains(&s.code)
    });
    'periods: for p in periods {
        let edge = after_state(p);
        for end in [edge, edge - 1] {
            let Some(school) = critical.next() else {
                break 'periods;
            };
            let new = NewSchoolAssignment {
                school: school.code.clone(),
                mentor_school: mentors[0].clone(),
                reasons: vec!["критические значения".into()],
            };
            store
                .assign_mentor_schools(&cli(), vec![new], false, 2, "", edge - 60 * DAY)
                .await
                .unwrap();
            store
                .end_mentor_school_assignment(&cli(), &school.code, "программа завершена", end)
                .await
                .unwrap();
        }
    }

    // Two approved routes due in each period complete at the first instant
    // after its state date, two at the one before.
    let approved = store
        .routes_where(
            &Scope::region(),
            &RouteFilter {
                status: Some(RouteStatus::Approved),
                ..RouteFilter::default()
            },
        )
        .await
        .unwrap();
    let admin = Login::parse("admin").unwrap();
    let mut used = HashSet::new();
    for p in periods {
        let edge = after_state(p);
        let due = approved.iter().filter(|r| {
            p.from <= r.period.to
                && r.period.to <= p.to
                && r.approved_at.is_some_and(|a| a < edge - DAY)
        });
        for (route, completed_at) in due.zip([edge, edge, edge - 1, edge - 1]) {
            if !used.insert(route.id) {
                continue;
            }
            let open: Vec<(u32, &store::RouteStep)> = route
                .steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.step.mandatory && s.status != StepStatus::Confirmed)
                .map(|(i, s)| (i as u32, s))
                .collect();
            for (n, (position, step)) in open.iter().enumerate() {
                let at = if n + 1 == open.len() {
                    completed_at
                } else {
                    completed_at - DAY
                };
                if step.status != StepStatus::Submitted {
                    let evidence = NewEvidence {
                        kind: EvidenceKind::Text,
                        text: Some("Сертификат".into()),
                        url: None,
                        file_name: None,
                        content_type: None,
                        bytes: None,
                    };
                    store
                        .submit_step(&route.teacher, route.id, *position, evidence, at - DAY)
                        .await
                        .unwrap();
                }
                store
                    .review_step(&admin, route.id, *position, true, None, at)
                    .await
                    .unwrap();
            }
        }
    }
}

/// After the history: a school closes (its teachers stay in it), some
/// teachers leave, some lose their school, some are young or newly hired
/// on the edge days, and more schools have critical values.
async fn change_directory(store: &dyn Store, days: &Calendar, rng: &mut ChaCha8Rng) -> SchoolCode {
    let directory = store.directory(&cli()).await.unwrap();
    let mut changes = DirectoryChanges {
        audit_action: "indicators test".into(),
        ..DirectoryChanges::default()
    };
    let closed = directory
        .schools
        .iter()
        .find(|s| {
            s.critical_monitoring
                && directory
                    .accounts
                    .iter()
                    .filter(|a| a.school.as_ref() == Some(&s.code) && a.has(Role::Teacher))
                    .count()
                    > 5
        })
        .expect("a critical school with teachers")
        .clone();
    let mut school = closed.clone();
    school.active = false;
    changes.schools.push(school);
    for s in &directory.schools {
        if s.code != closed.code && !s.critical_monitoring && rng.random_bool(0.1) {
            let mut s = s.clone();
            s.critical_monitoring = true;
            changes.schools.push(s);
        }
    }
    for a in &directory.accounts {
        if !a.has(Role::Teacher) || !rng.random_bool(0.15) {
            continue;
        }
        let mut a = a.clone();
        match rng.random_range(0..5) {
            0 => a.active = false,
            1 => a.school = None,
            2 => {
                a.attrs.hired_on = Some(days.day(rng));
                a.attrs.experience_years = None;
            }
            3 => a.attrs.experience_years = Some([0.5, 2.99, 3.0, 3.01][rng.random_range(0..4)]),
            _ => a.attrs.students_low_results = !a.attrs.students_low_results,
        }
        changes.accounts.push(a);
    }
    store.apply_directory(&cli(), changes, 0).await.unwrap();
    closed.code
}

async fn check_period(
    store: &dyn Store,
    period: Period,
    today: NaiveDate,
    schools: &[SchoolCode],
    municipalities: &[Where],
) -> Vec<(Indicator, u64, u64)> {
    let (teachers, school_facts) = facts(store, &cli(), TZ).await.unwrap();
    let region = tallies(store, &Where::Region, period, today, TZ)
        .await
        .unwrap();
    assert_eq!(
        region,
        tallies_of(&teachers, &school_facts, &Where::Region, period, today),
        "the region, {period:?}"
    );
    let at_school = schools.iter().map(|c| Where::School(c.clone()));
    for at in municipalities.iter().cloned().chain(at_school) {
        assert_eq!(
            tallies(store, &at, period, today, TZ).await.unwrap(),
            tallies_of(&teachers, &school_facts, &at, period, today),
            "{at:?}, {period:?}"
        );
    }
    for school in schools {
        assert_eq!(
            school_members(store, school, period, today, TZ)
                .await
                .unwrap(),
            school_members_of(&teachers, &school_facts, school, period, today),
            "members of {school}, {period:?}"
        );
    }
    Indicator::ALL
        .iter()
        .map(|&i| {
            let s = sum(&region, i, |_| true);
            (i, s.numerator, s.denominator)
        })
        .collect()
}

async fn the_database_counts_the_indicators_as_the_domain_defines_them(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (db, pg) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("region.db").display()),
            None,
        ),
        Backend::Postgres => {
            let pg = store_postgres::testing::TempDatabase::create()
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL is required for this test: {e}"));
            (pg.url.clone(), Some(pg))
        }
    };
    import_generated_region(&db, dir.path());
    let store: Arc<dyn Store> = marshrut::open_store(&db).await.unwrap();
    let store = store.as_ref();

    let today = chrono::Utc::now().with_timezone(&TZ).date_naive();
    let this_year = school_year(today);
    let last_year = school_year(this_year.from - Days::new(1));
    let past_months = Period {
        from: today - Days::new(130),
        to: today - Days::new(40),
    };
    let periods = [this_year, last_year, past_months];
    let days = Calendar::new(&periods, today);
    let mut rng = ChaCha8Rng::seed_from_u64(2026);

    // A third of the schools with critical values, a few mentor schools.
    let generated = store.directory(&cli()).await.unwrap();
    let mut marked = DirectoryChanges {
        audit_action: "indicators test: critical schools".into(),
        ..DirectoryChanges::default()
    };
    for (i, s) in generated.schools.iter().enumerate() {
        let mut s = s.clone();
        s.critical_monitoring = i % 3 == 0;
        s.mentor_school = i % 7 == 1;
        marked.schools.push(s);
    }
    store.apply_directory(&cli(), marked, 0).await.unwrap();
    let directory = store.directory(&cli()).await.unwrap();
    let teachers: Vec<Login> = directory
        .accounts
        .iter()
        .filter(|a| a.has(Role::Teacher))
        .map(|a| a.login.clone())
        .collect();
    let everyone: Vec<Login> = directory.accounts.iter().map(|a| a.login.clone()).collect();
    let critical: Vec<SchoolCode> = directory
        .schools
        .iter()
        .filter(|s| s.critical_monitoring && s.active)
        .map(|s| s.code.clone())
        .collect();
    let mentors: Vec<SchoolCode> = directory
        .schools
        .iter()
        .filter(|s| s.mentor_school && s.active)
        .map(|s| s.code.clone())
        .collect();
    add_diagnostics(store, &everyone, &days, &mut rng).await;
    execute_routes(store, last_year, &days, &mut rng).await;
    let trained = add_trainings(store, &teachers, &days, &mut rng).await;
    let active_methodists: Vec<Methodist> = directory
        .methodists
        .iter()
        .filter(|m| {
            directory
                .accounts
                .iter()
                .any(|a| a.login == m.login && a.active)
        })
        .cloned()
        .collect();
    let (assigned, mentored) = assign(
        store,
        &teachers,
        &active_methodists,
        &critical,
        &mentors,
        &days,
        &mut rng,
    )
    .await;
    plant_edges(
        store,
        &directory,
        &periods,
        today,
        &trained,
        &assigned,
        &mentored,
        &active_methodists[0].login,
        &mentors,
    )
    .await;
    let closed = change_directory(store, &days, &mut rng).await;

    // Every municipality; the closed school, critical ones, and the
    // schools of the first teachers.
    let municipalities: Vec<Where> = directory
        .municipalities
        .iter()
        .map(|m| Where::Municipality(m.code.clone()))
        .collect();
    let mut schools = vec![closed];
    schools.extend(critical.iter().take(3).cloned());
    for a in directory.accounts.iter().filter(|a| a.has(Role::Teacher)) {
        if let Some(s) = &a.school
            && !schools.contains(s)
            && schools.len() < 8
        {
            schools.push(s.clone());
        }
    }

    let mut shares = Vec::new();
    for period in periods {
        shares.extend(check_period(store, period, today, &schools, &municipalities).await);
    }
    // The history gave every indicator members on both sides.
    for i in Indicator::ALL {
        let of_i = || shares.iter().filter(|(j, ..)| *j == i);
        assert!(of_i().any(|&(_, n, _)| n > 0), "nobody counted in {i}");
        assert!(of_i().any(|&(_, n, d)| n < d), "everybody counted in {i}");
    }
    if let Some(pg) = pg {
        pg.drop_db().await.unwrap();
    }
}

//! Matching methodists and mentor schools at the size of a region.
//!
//! - 10,000 teachers in need × 500 methodists: fewer places than teachers
//!   (the goal: 2 s);
//! - 10,000 × 1,500: more places than teachers, so the balance of the load
//!   decides among many optima — the flow's hardest case;
//! - 150,000 × 7,500 once;
//! - 3,000 schools in need × 600 mentor schools.
//!
//! Teachers have 1-2 of 15 subjects, 40 municipalities, classes mixed; one
//! methodist in three is a teacher in need too, 20% work remotely,
//! capacities 5..=15; a tenth of the teachers have an active methodist.
//!
//! `cargo bench -p domain --bench matching` (add `-- quick` to skip the
//! region of 150,000 teachers). Deterministic: the same figures on every
//! run but the times.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use domain::matching::{
    MatchPolicy, MentorSlot, MethodistMatch, MethodistSlot, NeedKind, SchoolMatch, SchoolNeed,
    TeacherNeed, match_methodists, match_schools,
};
use domain::{ClusterFlag, Level, LevelNames, Login, MunicipalityCode, SchoolCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MUNICIPALITIES: usize = 40;
const RUNS: usize = 5;

/// Subjects with how often teachers teach them (methodists alike).
const SUBJECTS: [(&str, u32); 15] = [
    ("Математика", 16),
    ("Русский язык", 16),
    ("Литература", 8),
    ("Английский язык", 9),
    ("История", 6),
    ("Обществознание", 4),
    ("Физика", 5),
    ("Химия", 4),
    ("Биология", 5),
    ("География", 4),
    ("Информатика", 5),
    ("Физическая культура", 7),
    ("Музыка", 3),
    ("Изобразительное искусство", 3),
    ("Технология", 5),
];

fn municipality(i: usize) -> MunicipalityCode {
    MunicipalityCode::parse(&format!("m{i:02}")).unwrap()
}

fn login(i: usize) -> Login {
    Login::parse(&format!("t{i:06}")).unwrap()
}

fn subject(rng: &mut StdRng) -> String {
    let total: u32 = SUBJECTS.iter().map(|s| s.1).sum();
    let mut x = rng.random_range(0..total);
    for (name, w) in SUBJECTS {
        if x < w {
            return name.to_string();
        }
        x -= w;
    }
    unreachable!()
}

/// One or two subjects; now and then spelled differently.
fn subjects(rng: &mut StdRng) -> Vec<String> {
    let n = if rng.random_bool(0.3) { 2 } else { 1 };
    let mut list: Vec<String> = Vec::new();
    while list.len() < n {
        let s = subject(rng);
        if !list.contains(&s) {
            list.push(s);
        }
    }
    if rng.random_bool(0.05) {
        list[0] = format!(" {} ", list[0].to_lowercase());
    }
    list
}

fn teacher(i: usize, rng: &mut StdRng) -> TeacherNeed {
    let (class, kind, level) = match rng.random_range(0..100) {
        0..=14 => (1, NeedKind::Critical, Some(Level::Critical)),
        15..=34 => (2, NeedKind::YoungOrNew, None),
        35..=69 => (3, NeedKind::High, Some(Level::High)),
        _ => (4, NeedKind::Reduced, Some(Level::Reduced)),
    };
    let young = kind == NeedKind::YoungOrNew && rng.random_bool(0.6);
    TeacherNeed {
        login: login(i),
        class,
        kind,
        subjects: subjects(rng),
        municipality: (!rng.random_bool(0.01))
            .then(|| municipality(rng.random_range(1..=MUNICIPALITIES))),
        level,
        young,
        newly_hired: kind == NeedKind::YoungOrNew && !young,
    }
}

/// Methodist `k`'s login: one in three is also a teacher in need (a
/// methodist is often a teacher too).
fn methodist_login(k: usize) -> Login {
    if k.is_multiple_of(3) {
        login(k)
    } else {
        Login::parse(&format!("m{k:05}")).unwrap()
    }
}

/// Methodists: 20% work remotely, a few have no municipality; capacities
/// 5..=15.
fn methodist(k: usize, rng: &mut StdRng) -> MethodistSlot {
    MethodistSlot {
        login: methodist_login(k),
        subjects: subjects(rng),
        municipality: (!rng.random_bool(0.03))
            .then(|| municipality(rng.random_range(1..=MUNICIPALITIES))),
        remote: rng.random_bool(0.2),
        capacity: rng.random_range(5..=15),
    }
}

struct Region {
    needs: Vec<TeacherNeed>,
    methodists: Vec<MethodistSlot>,
    active: Vec<(Login, Login)>,
}

/// `teachers` in need, `methodists` of them; a tenth of the teachers (and
/// some who need none any more) have an active methodist, a few of whom
/// left.
fn region(teachers: usize, methodists: usize, seed: u64) -> Region {
    let mut rng = StdRng::seed_from_u64(seed);
    let needs: Vec<TeacherNeed> = (0..teachers).map(|i| teacher(i, &mut rng)).collect();
    let list: Vec<MethodistSlot> = (0..methodists).map(|k| methodist(k, &mut rng)).collect();
    let mut active = Vec::new();
    for i in 0..teachers + teachers / 20 {
        if rng.random_bool(0.1) {
            // Teachers past `teachers` need no methodist any more; a
            // methodist past the list has left.
            let m = rng.random_range(0..methodists + methodists / 50);
            active.push((login(i), methodist_login(m)));
        }
    }
    Region {
        needs,
        methodists: list,
        active,
    }
}

fn times(runs: &[Duration]) -> String {
    runs.iter()
        .map(|t| format!("{:.3} s", t.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn median(runs: &[Duration]) -> Duration {
    let mut sorted = runs.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn methodists(teachers: usize, count: usize, runs: usize) {
    let r = region(teachers, count, 2027);
    let policy = MatchPolicy::default();
    let names = LevelNames::default();
    let mut elapsed = Vec::new();
    let mut result = MethodistMatch::default();
    for _ in 0..runs {
        let t = Instant::now();
        result = match_methodists(&policy, &names, &r.needs, &r.methodists, &r.active);
        elapsed.push(t.elapsed());
    }
    let capacity: u64 = r.methodists.iter().map(|m| u64::from(m.capacity)).sum();
    println!(
        "methodists: {teachers} teachers in need, {count} methodists (capacity {capacity}), \
         {} active pairs, {MUNICIPALITIES} municipalities, 15 subjects",
        r.active.len()
    );
    if runs > 1 {
        println!(
            "match_methodists: median {:.3} s of {runs} runs ({}), goal <= 2 s",
            median(&elapsed).as_secs_f64(),
            times(&elapsed)
        );
    } else {
        println!(
            "match_methodists: {:.3} s (one run)",
            elapsed[0].as_secs_f64()
        );
    }
    let per_class: Vec<String> = (1..=4)
        .map(|c| {
            let need = r.needs.iter().filter(|t| t.class == c).count();
            let got = result.assignments.iter().filter(|a| a.class == c).count();
            format!("class {c} {got}/{need}")
        })
        .collect();
    let kept = result.assignments.iter().filter(|a| a.kept).count();
    let subject = result
        .assignments
        .iter()
        .filter(|a| a.subject.is_some())
        .count();
    let place = result
        .assignments
        .iter()
        .filter(|a| a.municipality_match)
        .count();
    println!(
        "assigned: {} ({kept} kept, {} new): {}",
        result.assignments.len(),
        result.assignments.len() - kept,
        per_class.join(", ")
    );
    println!(
        "subject matches {subject}, municipality matches {place}; unassigned {}; endings {}",
        result.unassigned.len(),
        result.endings.len()
    );
    let mut by_methodist: HashMap<&Login, u32> = HashMap::new();
    for a in &result.assignments {
        *by_methodist.entry(&a.methodist).or_default() += 1;
    }
    let mut loads: Vec<(u32, u32)> = r
        .methodists
        .iter()
        .map(|m| (by_methodist.get(&m.login).copied().unwrap_or(0), m.capacity))
        .collect();
    let balance: f64 = loads
        .iter()
        .filter(|(_, c)| *c > 0)
        .map(|(l, c)| f64::from(*l) * f64::from(*l) / f64::from(*c))
        .sum();
    loads.sort();
    let over = loads.iter().filter(|(l, c)| l > c).count();
    println!("sum load^2/capacity {balance:.1}; methodists over capacity (kept) {over}");
    if let Some(u) = result.unassigned.first() {
        println!("e.g. unassigned {} (class {}): {}", u.who, u.class, u.why);
    }
    if let Some(a) = result.assignments.iter().find(|a| !a.kept) {
        println!(
            "e.g. {} -> {}: {}",
            a.teacher,
            a.methodist,
            a.reasons.join("; ")
        );
    }
}

fn school_code(i: usize) -> SchoolCode {
    SchoolCode::parse(&format!("S{i:05}")).unwrap()
}

fn schools(needing: usize, mentors: usize) {
    let mut rng = StdRng::seed_from_u64(7);
    let needs: Vec<SchoolNeed> = (0..needing)
        .map(|i| {
            let critical = rng.random_bool(0.3);
            let clusters = if critical && rng.random_bool(0.5) {
                Vec::new()
            } else {
                let mut c = vec![ClusterFlag::ALL[rng.random_range(0..3)]];
                if rng.random_bool(0.2) {
                    c.push(ClusterFlag::AdverseConditions);
                    c.dedup();
                }
                c
            };
            SchoolNeed {
                code: school_code(i),
                class: if critical { 1 } else { 2 },
                municipality: municipality(rng.random_range(1..=MUNICIPALITIES)),
                rural: rng.random_bool(0.6),
                critical_monitoring: critical,
                clusters,
            }
        })
        .collect();
    // Mentors: schools past the needing ones, and some critical schools
    // with no cluster flag that are mentors too.
    let list: Vec<MentorSlot> = (0..mentors)
        .map(|k| {
            let i = if k.is_multiple_of(20) { k } else { needing + k };
            MentorSlot {
                code: school_code(i),
                municipality: municipality(rng.random_range(1..=MUNICIPALITIES)),
                rural: rng.random_bool(0.4),
                capacity: rng.random_range(1..=4),
            }
        })
        .collect();
    // Schools past the needing ones need none any more: their pairs end.
    let mut active: Vec<(SchoolCode, SchoolCode)> = Vec::new();
    for i in 0..needing + needing / 20 {
        if rng.random_bool(0.1) {
            let m = &list[rng.random_range(0..mentors)];
            active.push((school_code(i), m.code.clone()));
        }
    }
    let policy = MatchPolicy::default();
    let mut elapsed = Vec::new();
    let mut result = SchoolMatch::default();
    for _ in 0..RUNS {
        let t = Instant::now();
        result = match_schools(&policy, &needs, &list, &active);
        elapsed.push(t.elapsed());
    }
    let capacity: u32 = list.iter().map(|m| m.capacity).sum();
    println!(
        "schools: {needing} needing, {mentors} mentors (capacity {capacity}), {} active pairs",
        active.len()
    );
    println!(
        "match_schools: median {:.3} s of {RUNS} runs ({})",
        median(&elapsed).as_secs_f64(),
        times(&elapsed)
    );
    let per_class: Vec<String> = (1..=2)
        .map(|c| {
            let need = needs.iter().filter(|s| s.class == c).count();
            let got = result.assignments.iter().filter(|a| a.class == c).count();
            format!("class {c} {got}/{need}")
        })
        .collect();
    println!(
        "assigned: {} ({} kept): {}; same municipality {}, same type {}; unassigned {}; endings {}",
        result.assignments.len(),
        result.assignments.iter().filter(|a| a.kept).count(),
        per_class.join(", "),
        result
            .assignments
            .iter()
            .filter(|a| a.same_municipality)
            .count(),
        result.assignments.iter().filter(|a| a.same_type).count(),
        result.unassigned.len(),
        result.endings.len()
    );
}

fn main() {
    // `cargo bench -p domain --bench matching -- quick` skips the large run.
    let quick = std::env::args().any(|a| a == "quick");
    methodists(10_000, 500, RUNS);
    println!();
    // More places than teachers: everyone is assigned, and the balance of
    // the load decides among the many optima (the hard case for the flow).
    methodists(10_000, 1_500, RUNS);
    println!();
    if !quick {
        methodists(150_000, 7_500, 1);
        println!();
    }
    schools(3_000, 600);
}

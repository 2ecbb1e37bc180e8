//! Route generation at the size of a region, and its exactness on small
//! instances against a brute force.
//!
//! `cargo bench -p domain --bench routes`. Deterministic: the same figures on
//! every run but the times.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use domain::routes::{Deficit, Mentor, Need, Proposal, fits, generate};
use domain::{
    ActivityKind, CompetenceRef, CourseCode, Entry, Format, Level, Login, MunicipalityCode, Period,
    RoutePolicy,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const TEACHERS: usize = 10_000;
const ENTRIES: usize = 1_000;
/// A thin catalogue, where seats run out.
const SCARCE_ENTRIES: usize = 150;
const MUNICIPALITIES: usize = 27;
const SMALL_INSTANCES: usize = 200;

/// Banks as shipped, with their number of competences (25 in all).
const BANKS: [(&str, usize); 4] = [
    ("pedagogy-core", 7),
    ("math-methods", 6),
    ("russian-methods", 6),
    ("management", 6),
];

fn period() -> Period {
    Period {
        from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
    }
}

fn municipality(i: usize) -> MunicipalityCode {
    MunicipalityCode::parse(&format!("m{i:02}")).unwrap()
}

fn bank_subjects(bank: &str) -> Vec<String> {
    match bank {
        "math-methods" => vec!["Математика".into()],
        "russian-methods" => vec!["Русский язык".into()],
        _ => Vec::new(),
    }
}

fn competences_of(bank: usize) -> Vec<CompetenceRef> {
    let (name, n) = BANKS[bank];
    (1..=n)
        .map(|k| CompetenceRef::new(name, &format!("K{k}")))
        .collect()
}

fn pick_kind(rng: &mut StdRng) -> ActivityKind {
    use ActivityKind::*;
    let table = [
        (Course, 35),
        (Seminar, 18),
        (Webinar, 15),
        (Internship, 10),
        (SelfStudy, 10),
        (MasterClass, 7),
        (Retraining, 3),
        (Mentoring, 2),
    ];
    let total: u32 = table.iter().map(|t| t.1).sum();
    let mut x = rng.random_range(0..total);
    for (kind, w) in table {
        if x < w {
            return kind;
        }
        x -= w;
    }
    unreachable!()
}

fn hours(kind: ActivityKind, rng: &mut StdRng) -> u32 {
    use ActivityKind::*;
    match kind {
        Course => *[16, 24, 36, 36, 72, 72, 108].choose(rng).unwrap(),
        Seminar | Webinar => rng.random_range(2..=8),
        MasterClass => rng.random_range(2..=4),
        Internship => rng.random_range(16..=36),
        SelfStudy => rng.random_range(10..=20),
        Retraining => rng.random_range(250..=520),
        Mentoring => rng.random_range(10..=36),
    }
}

/// A catalogue entry as a region writes them, on 1-3 of the first `comps`
/// competences of one of `banks` (few competences: entries overlap).
fn entry(i: usize, rng: &mut StdRng, banks: &[usize], comps: usize) -> Entry {
    let kind = pick_kind(rng);
    let bank = *banks.choose(rng).unwrap();
    let all: Vec<CompetenceRef> = competences_of(bank).into_iter().take(comps).collect();
    let n = rng.random_range(1..=3.min(all.len()));
    let competences: Vec<CompetenceRef> = all.choose_multiple(rng, n).cloned().collect();
    let format = match rng.random_range(0..10) {
        0..=4 => Format::InPerson,
        5..=7 => Format::Remote,
        _ => Format::Blended,
    };
    let municipal = format == Format::InPerson && rng.random_bool(0.3);
    let undated = matches!(kind, ActivityKind::SelfStudy | ActivityKind::Webinar)
        && rng.random_bool(0.5)
        || rng.random_bool(0.1);
    let (starts_on, ends_on) = if undated {
        (None, None)
    } else {
        // The school year around the period: some before, some after.
        let start =
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap() + Days::new(rng.random_range(0..330));
        let len = match kind {
            ActivityKind::Course | ActivityKind::Retraining => rng.random_range(5..=40),
            ActivityKind::Internship => rng.random_range(3..=10),
            ActivityKind::SelfStudy | ActivityKind::Mentoring => rng.random_range(14..=60),
            _ => 0,
        };
        (Some(start), Some(start + Days::new(len)))
    };
    let capacity = if format == Format::InPerson || rng.random_bool(0.3) {
        Some(rng.random_range(10..=40))
    } else {
        None
    };
    Entry {
        code: CourseCode::parse(&format!("C{i:04}")).unwrap(),
        title: format!("Мероприятие {i}"),
        kind,
        hours: hours(kind, rng),
        competences,
        provider: Some("ЦНППМ".into()),
        format,
        subjects: bank_subjects(BANKS[bank].0),
        municipality: municipal.then(|| municipality(rng.random_range(1..=MUNICIPALITIES))),
        starts_on,
        ends_on,
        capacity,
        url: None,
        active: rng.random_bool(0.95),
    }
}

fn level(rng: &mut StdRng) -> Level {
    match rng.random_range(0..100) {
        0..=14 => Level::Critical,
        15..=49 => Level::High,
        _ => Level::Reduced,
    }
}

/// A teacher with 1..=`most` deficits in the banks of their subject plus
/// pedagogy and management, over the first `comps` competences of each.
fn teacher(i: usize, rng: &mut StdRng, most: usize, comps: usize) -> Need {
    let (subjects, subject_bank) = match rng.random_range(0..10) {
        0..=4 => (vec!["Математика".to_string()], 1),
        5..=8 => (vec!["Русский язык".to_string()], 2),
        _ => (vec!["История".to_string()], 0),
    };
    let pool: Vec<CompetenceRef> = [0, subject_bank, 3]
        .iter()
        .enumerate()
        .filter(|(j, b)| *j == 0 || **b != 0)
        .flat_map(|(_, &b)| competences_of(b).into_iter().take(comps))
        .collect();
    let n = rng.random_range(1..=most.min(pool.len()));
    let deficits = pool
        .choose_multiple(rng, n)
        .map(|c| Deficit {
            competence: c.clone(),
            title: format!("Компетенция {c}"),
            level: level(rng),
        })
        .collect();
    let mentor = match rng.random_range(0..10) {
        0..=4 => Mentor::Methodist {
            login: Login::parse(&format!("metod{}", i % 40)).unwrap(),
            name: "Методист".into(),
        },
        5..=7 => Mentor::Colleague {
            login: Login::parse(&format!("koll{i}")).unwrap(),
            name: "Коллега".into(),
        },
        _ => Mentor::Unassigned,
    };
    Need {
        teacher: Login::parse(&format!("t{i:05}")).unwrap(),
        municipality: Some(municipality(rng.random_range(1..=MUNICIPALITIES))),
        rural: rng.random_bool(0.4),
        subjects,
        deficits,
        mentor,
    }
}

fn region(entries: usize) {
    let mut rng = StdRng::seed_from_u64(2027);
    let needs: Vec<Need> = (0..TEACHERS).map(|i| teacher(i, &mut rng, 8, 7)).collect();
    let catalogue: Vec<Entry> = (0..entries)
        .map(|i| entry(i, &mut rng, &[0, 1, 2, 3], 7))
        .collect();
    // Approved routes already hold some seats.
    let mut seats_left = HashMap::new();
    for e in &catalogue {
        if let Some(c) = e.capacity
            && rng.random_bool(0.2)
        {
            seats_left.insert(e.code.clone(), rng.random_range(0..=c));
        }
    }
    let policy = RoutePolicy::default();

    let mut times = Vec::new();
    let mut proposals: Vec<Proposal> = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        proposals = generate(&needs, &catalogue, &seats_left, &policy, period());
        times.push(t.elapsed());
    }
    let best = times.iter().min().copied().unwrap_or(Duration::ZERO);

    let steps: usize = proposals.iter().map(|p| p.steps.len()).sum();
    let count = |f: &dyn Fn(&domain::Step) -> bool| -> usize {
        proposals
            .iter()
            .map(|p| p.steps.iter().filter(|s| f(s)).count())
            .sum()
    };
    let mentoring = count(&|s| s.kind == ActivityKind::Mentoring);
    let mandatory = count(&|s| s.mandatory && s.kind != ActivityKind::Mentoring);
    let recommended = count(&|s| !s.mandatory);
    let mut why: BTreeMap<&str, usize> = BTreeMap::new();
    for u in proposals.iter().flat_map(|p| &p.uncovered) {
        *why.entry(u.why.as_str()).or_default() += 1;
    }
    let uncovered: usize = why.values().sum();
    let hours: u64 = proposals.iter().map(|p| p.hours() as u64).sum();
    let max_hours = proposals.iter().map(|p| p.hours()).max().unwrap_or(0);
    let mandatory_deficits: usize = needs
        .iter()
        .flat_map(|n| &n.deficits)
        .filter(|d| policy.mandatory_levels.contains(&d.level))
        .count();
    let mandatory_uncovered = proposals
        .iter()
        .flat_map(|p| &p.uncovered)
        .filter(|u| policy.mandatory_levels.contains(&u.level))
        .count();

    println!(
        "region: {TEACHERS} teachers, {entries} entries, 25 competences in 4 banks, \
         {MUNICIPALITIES} municipalities"
    );
    println!(
        "generate: best {:.3} s of 3 runs ({}), goal <= 2 s",
        best.as_secs_f64(),
        times
            .iter()
            .map(|t| format!("{:.3} s", t.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "proposals: {}; steps: {steps} ({mentoring} mentoring, {mandatory} mandatory, {recommended} recommended)",
        proposals.len()
    );
    println!(
        "uncovered: {uncovered} ({}); mandatory deficits covered: {}/{} ({:.1}%)",
        why.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        mandatory_deficits - mandatory_uncovered,
        mandatory_deficits,
        100.0 * (mandatory_deficits - mandatory_uncovered) as f64 / mandatory_deficits as f64
    );
    println!(
        "hours: mean {:.1} per route, max {max_hours} (budget {})",
        hours as f64 / proposals.len() as f64,
        policy.budget_hours
    );
}

/// (critical covered, mandatory covered, critical course given, -hours).
fn objective(need: &Need, chosen: &[&Entry], policy: &RoutePolicy) -> (usize, usize, bool, u32) {
    let covered = |pred: &dyn Fn(Level) -> bool| {
        let mut seen: Vec<&CompetenceRef> = Vec::new();
        for d in &need.deficits {
            if pred(d.level)
                && !seen.contains(&&d.competence)
                && chosen.iter().any(|e| e.covers(&d.competence))
            {
                seen.push(&d.competence);
            }
        }
        seen.len()
    };
    let requirement = chosen.iter().any(|e| {
        e.kind == ActivityKind::Course
            && e.hours >= policy.critical_course_hours
            && need
                .deficits
                .iter()
                .any(|d| d.level == Level::Critical && e.covers(&d.competence))
    });
    (
        covered(&|l| l == Level::Critical),
        covered(&|l| policy.mandatory_levels.contains(&l)),
        requirement,
        chosen.iter().map(|e| e.hours).sum(),
    )
}

fn small() {
    let mut rng = StdRng::seed_from_u64(7);
    let (mut generated, mut optimum) = (0u64, 0u64);
    let (mut equal, mut with_hours, mut brute_sets) = (0, 0, 0u64);
    let mut ratios: Vec<f64> = Vec::new();
    for k in 0..SMALL_INSTANCES {
        let budget = *[36, 72, 144].choose(&mut rng).unwrap();
        let policy = RoutePolicy {
            budget_hours: budget,
            ..RoutePolicy::default()
        };
        let n = rng.random_range(3..=10);
        let mut need = teacher(k, &mut rng, 5, 3);
        // The teacher's banks, three competences each: entries overlap.
        let banks = match need.subjects[0].as_str() {
            "Математика" => [0, 1, 3],
            "Русский язык" => [0, 2, 3],
            _ => [0, 3, 3],
        };
        let catalogue: Vec<Entry> = (0..n).map(|i| entry(i, &mut rng, &banks, 3)).collect();
        // Keep the teacher reachable by the municipal entries sometimes.
        if rng.random_bool(0.5) {
            need.municipality = catalogue.iter().find_map(|e| e.municipality.clone());
        }
        let seats = HashMap::new();
        let proposal = generate(
            std::slice::from_ref(&need),
            &catalogue,
            &seats,
            &policy,
            period(),
        )
        .remove(0);

        let usable: Vec<&Entry> = catalogue
            .iter()
            .filter(|e| {
                e.capacity != Some(0) && e.competences.iter().any(|c| fits(e, &need, c, period()))
            })
            .collect();
        let mut best: Option<(usize, usize, bool, std::cmp::Reverse<u32>)> = None;
        for set in 0u32..(1 << usable.len()) {
            brute_sets += 1;
            let chosen: Vec<&Entry> = (0..usable.len())
                .filter(|i| set & (1 << i) != 0)
                .map(|i| usable[i])
                .collect();
            let (c, m, r, h) = objective(&need, &chosen, &policy);
            if h <= budget {
                best = best.max(Some((c, m, r, std::cmp::Reverse(h))));
            }
        }
        let best = best.expect("the empty set");
        let by_code: HashMap<&CourseCode, &Entry> =
            catalogue.iter().map(|e| (&e.code, e)).collect();
        let mandatory: Vec<&Entry> = proposal
            .steps
            .iter()
            .filter(|s| s.mandatory && s.kind != ActivityKind::Mentoring)
            .map(|s| by_code[s.course.as_ref().unwrap()])
            .collect();
        let (c, m, r, h) = objective(&need, &mandatory, &policy);
        if (c, m, r, std::cmp::Reverse(h)) == best {
            equal += 1;
        }
        generated += h as u64;
        optimum += best.3.0 as u64;
        if best.3.0 > 0 {
            with_hours += 1;
            ratios.push(h as f64 / best.3.0 as f64);
        }
    }
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    println!(
        "small instances: {SMALL_INSTANCES} (1 teacher, 3-10 entries, budget 36/72/144 h; \
         {brute_sets} subsets brute-forced)"
    );
    println!(
        "objective (1)-(4) equal to the brute force: {equal}/{SMALL_INSTANCES}; \
         hours generated/optimum: {generated}/{optimum} = {:.3} \
         (per instance with hours, {with_hours}: min {lo:.3}, max {hi:.3})",
        generated as f64 / optimum.max(1) as f64
    );
}

fn main() {
    region(ENTRIES);
    println!();
    // Few entries per competence: seats and the budget bind.
    region(SCARCE_ENTRIES);
    println!();
    small();
}

//! The generated files: deterministic, consistent, importable by the rules
//! of `spec/imports.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use domain::{ClusterFlag, Login, MunicipalityCode, Role, SchoolCode};
use gen_region::{Options, Summary, generate};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

fn run(dir: &Path, teachers: u32, seed: u64, as_of: NaiveDate) -> Summary {
    generate(&Options {
        teachers,
        seed,
        as_of,
        out: dir.to_path_buf(),
        progress: false,
    })
    .unwrap()
}

type Row = BTreeMap<String, String>;

/// Reads a file as the importer would: header names, then one map per row.
fn read(path: &Path) -> (Vec<String>, Vec<Row>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "{}: ragged row", path.display());
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

fn list(cell: &str) -> Vec<&str> {
    cell.split('|').filter(|s| !s.is_empty()).collect()
}

fn boolean(cell: &str) -> bool {
    match cell {
        "true" => true,
        "false" | "" => false,
        other => panic!("not a boolean: {other:?}"),
    }
}

struct Region {
    municipalities: Vec<Row>,
    schools: Vec<Row>,
    staff: Vec<Row>,
    methodists: Vec<Row>,
}

fn load(dir: &Path) -> Region {
    let (h, municipalities) = read(&dir.join("municipalities.csv"));
    assert_eq!(h, ["code", "name"]);
    let (h, schools) = read(&dir.join("schools.csv"));
    assert_eq!(
        h,
        [
            "code",
            "municipality",
            "name",
            "short_name",
            "clusters",
            "rural",
            "critical_monitoring",
            "mentor_school",
            "mentor_capacity"
        ]
    );
    let (h, staff) = read(&dir.join("staff.csv"));
    assert_eq!(
        h,
        [
            "login",
            "full_name",
            "roles",
            "school",
            "municipality",
            "subjects",
            "position",
            "experience_years",
            "hired_on",
            "students_low_results"
        ]
    );
    let (h, methodists) = read(&dir.join("methodists.csv"));
    assert_eq!(
        h,
        [
            "login",
            "full_name",
            "subjects",
            "municipality",
            "capacity",
            "remote"
        ]
    );
    Region {
        municipalities,
        schools,
        staff,
        methodists,
    }
}

fn roles(row: &Row) -> BTreeSet<Role> {
    list(&row["roles"])
        .into_iter()
        .map(|r| Role::parse(r).unwrap())
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let sa = run(a.path(), 1500, 42, as_of());
    let sb = run(b.path(), 1500, 42, as_of());
    assert_eq!(sa.files.len(), 6);
    assert_eq!(
        sa,
        Summary {
            files: sa.files.clone(),
            ..sb.clone()
        }
    );
    let names: Vec<&str> = sa
        .files
        .iter()
        .map(|f| f.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "municipalities.csv",
            "schools.csv",
            "staff.csv",
            "methodists.csv",
            "catalogue.csv",
            "results.csv"
        ]
    );
    for (fa, fb) in sa.files.iter().zip(&sb.files) {
        assert_eq!(fa.file_name(), fb.file_name());
        assert_eq!(
            fs::read(fa).unwrap(),
            fs::read(fb).unwrap(),
            "{}",
            fa.display()
        );
    }
}

#[test]
fn other_seeds_and_dates_give_other_regions() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    run(a.path(), 800, 1, as_of());
    run(b.path(), 800, 2, as_of());
    let later = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    run(c.path(), 800, 1, later);
    let staff = |d: &Path| fs::read(d.join("staff.csv")).unwrap();
    assert_ne!(staff(a.path()), staff(b.path()));
    assert_ne!(staff(a.path()), staff(c.path()));
    let results = |d: &Path| fs::read(d.join("results.csv")).unwrap();
    assert_ne!(results(a.path()), results(b.path()));
    assert_ne!(results(a.path()), results(c.path()));
    let catalogue = |d: &Path| fs::read(d.join("catalogue.csv")).unwrap();
    assert_ne!(catalogue(a.path()), catalogue(b.path()));
    assert_ne!(catalogue(a.path()), catalogue(c.path()));
    // The region's 27 municipalities do not depend on the seed.
    assert_eq!(
        fs::read(a.path().join("municipalities.csv")).unwrap(),
        fs::read(b.path().join("municipalities.csv")).unwrap()
    );
    // Dates move with `as_of`: no hire date after it.
    for row in load(c.path()).staff {
        if let Ok(d) = NaiveDate::parse_from_str(&row["hired_on"], "%Y-%m-%d") {
            assert!(d <= later);
        }
    }
    for row in read(&c.path().join("results.csv")).1 {
        let d = NaiveDate::parse_from_str(&row["taken_on"], "%Y-%m-%d").unwrap();
        assert!(d <= later && d > NaiveDate::from_ymd_opt(2026, 4, 15).unwrap());
    }
    // The catalogue's school year moves with it too.
    for row in read(&c.path().join("catalogue.csv")).1 {
        if let Ok(d) = NaiveDate::parse_from_str(&row["starts_on"], "%Y-%m-%d") {
            assert!(d >= NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), "{row:?}");
        }
    }
}

#[test]
fn the_region_is_consistent_and_importable() {
    let dir = tempfile::tempdir().unwrap();
    let teachers = 3000;
    let summary = run(dir.path(), teachers, 7, as_of());
    let region = load(dir.path());

    // Municipalities: Smolensk oblast's 27, with valid unique codes.
    assert_eq!(summary.municipalities, 27);
    assert_eq!(region.municipalities.len(), 27);
    let municipality_codes: BTreeSet<&str> = region
        .municipalities
        .iter()
        .map(|m| m["code"].as_str())
        .collect();
    assert_eq!(municipality_codes.len(), 27);
    for m in &region.municipalities {
        MunicipalityCode::parse(&m["code"]).unwrap();
        assert!(!m["name"].is_empty());
    }
    let names: Vec<&str> = region
        .municipalities
        .iter()
        .map(|m| m["name"].as_str())
        .collect();
    assert!(names.contains(&"город Смоленск"));
    assert!(names.contains(&"город Десногорск"));
    assert!(names.contains(&"Холм-Жирковский муниципальный округ"));

    // Schools: unique codes, in existing municipalities, each one at least.
    assert_eq!(summary.schools, region.schools.len());
    let mut school_municipality = BTreeMap::new();
    for s in &region.schools {
        SchoolCode::parse(&s["code"]).unwrap();
        assert!(
            municipality_codes.contains(s["municipality"].as_str()),
            "{s:?}"
        );
        assert!(
            school_municipality
                .insert(s["code"].clone(), s["municipality"].clone())
                .is_none(),
            "school code {} twice",
            s["code"]
        );
        assert!(s["name"].starts_with("МБОУ "), "{}", s["name"]);
        assert!(!s["short_name"].is_empty());
        let clusters: Vec<ClusterFlag> = list(&s["clusters"])
            .into_iter()
            .map(|c| ClusterFlag::parse(c).unwrap())
            .collect();
        boolean(&s["rural"]);
        boolean(&s["critical_monitoring"]);
        if boolean(&s["mentor_school"]) {
            assert!(clusters.is_empty(), "a mentor school with clusters: {s:?}");
            let capacity: u32 = s["mentor_capacity"].parse().unwrap();
            assert!((1..=3).contains(&capacity));
        } else {
            assert_eq!(s["mentor_capacity"], "");
        }
    }
    for code in &municipality_codes {
        assert!(
            school_municipality.values().any(|m| m == code),
            "{code} has no school"
        );
    }

    // Staff: unique valid logins, roles placed as the spec requires.
    assert_eq!(summary.staff, region.staff.len());
    let mut logins = BTreeSet::new();
    let mut teacher_count = 0;
    let mut principals = BTreeMap::<&str, u32>::new();
    let mut deputies = BTreeMap::<&str, u32>::new();
    let mut coordinators = BTreeMap::<&str, u32>::new();
    let mut cnppm = 0;
    let mut admins = 0;
    let mut young = 0;
    let mut newly = 0;
    for row in &region.staff {
        let login = Login::parse(&row["login"]).unwrap();
        assert_eq!(
            login.as_str(),
            row["login"],
            "logins are written lower-case"
        );
        assert!(row["login"].is_ascii());
        assert!(logins.insert(login), "login {} twice", row["login"]);
        assert_eq!(
            row["full_name"].split(' ').count(),
            3,
            "{}",
            row["full_name"]
        );
        let roles = roles(row);
        assert!(!roles.is_empty());
        assert!(
            !roles.contains(&Role::Mentor),
            "mentor comes from methodists.csv"
        );
        if roles.iter().any(|r| r.needs_school()) {
            assert!(school_municipality.contains_key(&row["school"]), "{row:?}");
        } else {
            assert_eq!(row["school"], "");
        }
        if roles.contains(&Role::MunicipalCoordinator) {
            assert!(municipality_codes.contains(row["municipality"].as_str()));
            *coordinators.entry(&row["municipality"]).or_default() += 1;
        } else {
            assert_eq!(row["municipality"], "");
        }
        if roles.contains(&Role::Principal) {
            *principals.entry(&row["school"]).or_default() += 1;
        }
        if roles.contains(&Role::DeputyHead) {
            *deputies.entry(&row["school"]).or_default() += 1;
        }
        if roles.contains(&Role::CnppmMethodist) {
            cnppm += 1;
        }
        if roles.contains(&Role::Admin) {
            admins += 1;
            assert_eq!(row["login"], "admin");
        }
        if roles.contains(&Role::Teacher) {
            teacher_count += 1;
            let subjects = list(&row["subjects"]);
            assert!((1..=2).contains(&subjects.len()), "{row:?}");
            for s in &subjects {
                assert!(gen_region::SUBJECTS.contains(s), "{s}");
            }
            assert!(row["position"].contains("учитель"), "{row:?}");
            let experience: f64 = row["experience_years"].parse().unwrap();
            let hired = NaiveDate::parse_from_str(&row["hired_on"], "%Y-%m-%d").unwrap();
            assert!(hired <= as_of());
            let days = (as_of() - hired).num_days();
            assert!(days <= 40 * 366, "{row:?}");
            assert!(days as f64 / 365.25 < experience + 1.0, "{row:?}");
            boolean(&row["students_low_results"]);
            if experience < 3.0 {
                young += 1;
            }
            if days < 365 {
                newly += 1;
            }
        }
    }
    assert_eq!(teacher_count, teachers);
    assert_eq!(admins, 1);
    assert_eq!(cnppm, 3);
    assert_eq!(coordinators.len(), 27);
    assert!(coordinators.values().all(|&n| n == 1));
    assert_eq!(principals.len(), region.schools.len());
    assert!(principals.values().all(|&n| n == 1));
    assert_eq!(deputies.len(), region.schools.len());
    assert!(deputies.values().all(|&n| n == 1));
    assert!(young > 0 && newly > 0, "young {young}, newly hired {newly}");

    // Methodists: teachers of the region, as they are in staff.csv.
    assert_eq!(summary.methodists, region.methodists.len());
    assert_eq!(region.methodists.len(), (teachers / 25) as usize);
    let staff_by_login: BTreeMap<&str, &Row> = region
        .staff
        .iter()
        .map(|r| (r["login"].as_str(), r))
        .collect();
    let mut methodist_logins = BTreeSet::new();
    for m in &region.methodists {
        assert!(methodist_logins.insert(m["login"].clone()));
        let teacher = staff_by_login[m["login"].as_str()];
        assert_eq!(teacher["full_name"], m["full_name"]);
        assert!(roles(teacher).contains(&Role::Teacher));
        assert_eq!(m["subjects"], teacher["subjects"]);
        assert_eq!(m["municipality"], school_municipality[&teacher["school"]]);
        let capacity: u32 = m["capacity"].parse().unwrap();
        assert!((3..=8).contains(&capacity));
        boolean(&m["remote"]);
        let experience: f64 = teacher["experience_years"].parse().unwrap();
        assert!(experience >= 10.0, "{m:?}");
    }
}

#[test]
fn names_agree_with_gender() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), 2000, 3, as_of());
    let region = load(dir.path());
    let mut women = 0;
    for row in &region.staff {
        let parts: Vec<&str> = row["full_name"].split(' ').collect();
        let (surname, patronymic) = (parts[0], parts[2]);
        let female = patronymic.ends_with("вна") || patronymic.ends_with("чна");
        assert!(female || patronymic.ends_with("ич"), "{patronymic}");
        if female {
            women += 1;
            assert!(
                !["ов", "ев", "ёв", "ин", "ский", "цкий", "ой"]
                    .iter()
                    .any(|e| surname.ends_with(e)),
                "{}",
                row["full_name"]
            );
        } else {
            assert!(
                !["ова", "ева", "ёва", "ина", "ская", "цкая"]
                    .iter()
                    .any(|e| surname.ends_with(e)),
                "{}",
                row["full_name"]
            );
        }
    }
    // Russian schools are mostly women.
    assert!(women * 100 > region.staff.len() * 70, "{women}");
}

#[test]
fn shares_are_about_right() {
    let dir = tempfile::tempdir().unwrap();
    let summary = run(dir.path(), 40_000, 11, as_of());
    let region = load(dir.path());
    let n = region.schools.len() as f64;
    assert_eq!(summary.schools, 1600);
    let share = |f: &dyn Fn(&Row) -> bool| {
        region.schools.iter().filter(|s| f(s)).count() as f64 / n * 100.0
    };
    let has = |s: &Row, c: &str| list(&s["clusters"]).contains(&c);
    let low = share(&|s| has(s, "low_results"));
    let risk = share(&|s| has(s, "risk_low_results"));
    let adverse = share(&|s| has(s, "adverse_conditions"));
    let critical = share(&|s| boolean(&s["critical_monitoring"]));
    let mentor = share(&|s| boolean(&s["mentor_school"]));
    let rural = share(&|s| boolean(&s["rural"]));
    assert!((9.0..15.0).contains(&low), "low_results {low}");
    assert!((7.0..13.0).contains(&risk), "risk_low_results {risk}");
    assert!(
        (5.5..10.5).contains(&adverse),
        "adverse_conditions {adverse}"
    );
    assert!((3.0..7.5).contains(&critical), "critical {critical}");
    assert!((4.0..8.5).contains(&mentor), "mentor {mentor}");
    assert!(rural > 40.0, "rural {rural}");
    let critical_low = share(&|s| boolean(&s["critical_monitoring"]) && has(s, "low_results"));
    assert!(
        critical_low * 2.0 > critical,
        "critical mostly among low_results"
    );

    let teachers: Vec<&Row> = region
        .staff
        .iter()
        .filter(|r| roles(r).contains(&Role::Teacher))
        .collect();
    let t = teachers.len() as f64;
    let low_students = teachers
        .iter()
        .filter(|r| boolean(&r["students_low_results"]))
        .count() as f64
        / t
        * 100.0;
    assert!((11.0..19.0).contains(&low_students), "{low_students}");
    // Smolensk has the most schools.
    let mut per = BTreeMap::<&str, usize>::new();
    for s in &region.schools {
        *per.entry(s["municipality"].as_str()).or_default() += 1;
    }
    let most = per.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(*most.0, "m01");
}

#[test]
fn tiny_regions_still_work() {
    for teachers in [0, 5, 30] {
        let dir = tempfile::tempdir().unwrap();
        let summary = run(dir.path(), teachers, 1, as_of());
        let region = load(dir.path());
        assert_eq!(summary.schools, 27);
        let count = region
            .staff
            .iter()
            .filter(|r| roles(r).contains(&Role::Teacher))
            .count();
        assert_eq!(count, teachers as usize);
        assert_eq!(
            region
                .staff
                .iter()
                .filter(|r| roles(r).contains(&Role::Principal))
                .count(),
            27
        );
    }
}

#[test]
fn the_output_directory_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a").join("b");
    let summary = run(&out, 100, 1, as_of());
    for f in &summary.files {
        assert!(f.starts_with(&out) && f.is_file(), "{}", f.display());
    }
}

/// The competence codes of a bank file, by a plain scan of its
/// `[[competence]]` tables (no bank parser here).
fn competence_codes(toml: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut in_competence = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_competence = line == "[[competence]]";
        } else if in_competence
            && let Some(value) = line.strip_prefix("code")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            codes.push(value.trim().trim_matches('"').to_string());
            in_competence = false;
        }
    }
    codes
}

#[test]
fn results_use_the_shipped_bank() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assessment-banks")
        .join(format!("{}.toml", gen_region::RESULTS_BANK));
    let toml = fs::read_to_string(&path).unwrap();
    assert!(
        toml.contains(&format!("id = \"{}\"", gen_region::RESULTS_BANK)),
        "{}",
        path.display()
    );
    assert_eq!(competence_codes(&toml), gen_region::RESULTS_COMPETENCES);
}

#[test]
fn results_are_diagnostics_of_teachers() {
    let dir = tempfile::tempdir().unwrap();
    let teachers = 3000;
    let summary = run(dir.path(), teachers, 5, as_of());
    let region = load(dir.path());
    let (h, results) = read(&dir.path().join("results.csv"));
    assert_eq!(h, ["login", "bank", "competence", "percent", "taken_on"]);
    assert_eq!(summary.results, results.len());

    let teacher_logins: BTreeSet<&str> = region
        .staff
        .iter()
        .filter(|r| roles(r).contains(&Role::Teacher))
        .map(|r| r["login"].as_str())
        .collect();
    let earliest = NaiveDate::from_ymd_opt(2025, 4, 15).unwrap();
    // (login, date) → the competences, in the file's order.
    let mut diagnostics = BTreeMap::<(&str, NaiveDate), Vec<&str>>::new();
    let mut levels = BTreeMap::<&str, usize>::new();
    for row in &results {
        assert!(teacher_logins.contains(row["login"].as_str()), "{row:?}");
        assert_eq!(row["bank"], gen_region::RESULTS_BANK);
        let date = NaiveDate::parse_from_str(&row["taken_on"], "%Y-%m-%d").unwrap();
        assert!(date > earliest && date <= as_of(), "{row:?}");
        let (whole, hundredths) = row["percent"].split_once('.').unwrap();
        assert_eq!(hundredths.len(), 2, "{row:?}");
        let percent: u32 = whole.parse::<u32>().unwrap() * 100 + hundredths.parse::<u32>().unwrap();
        assert!(percent <= 10_000, "{row:?}");
        // pedagogy-core's thresholds: 40 / 60 / 80, no overrides.
        let level = match percent {
            0..4000 => "critical",
            4000..6000 => "high",
            6000..8000 => "reduced",
            _ => "none",
        };
        *levels.entry(level).or_default() += 1;
        diagnostics
            .entry((row["login"].as_str(), date))
            .or_default()
            .push(row["competence"].as_str());
    }
    for (key, codes) in &diagnostics {
        assert_eq!(codes, &gen_region::RESULTS_COMPETENCES, "{key:?}");
    }
    for level in ["critical", "high", "reduced", "none"] {
        assert!(
            levels.get(level).copied().unwrap_or(0) * 50 > results.len(),
            "{levels:?}"
        );
    }
    let tested: BTreeSet<&str> = diagnostics.keys().map(|k| k.0).collect();
    let share = tested.len() as f64 / f64::from(teachers) * 100.0;
    assert!((25.0..35.0).contains(&share), "{share}% of teachers");
    // Some teachers took it twice, months apart.
    let twice = tested.len() < diagnostics.len();
    assert!(twice, "no teacher has two diagnostics");
}

#[test]
fn the_catalogue_uses_the_shipped_banks() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
    for (bank, codes) in gen_region::CATALOGUE_COMPETENCES {
        let path = shipped.join(format!("{bank}.toml"));
        let toml = fs::read_to_string(&path).unwrap();
        assert!(
            toml.contains(&format!("id = \"{bank}\"")),
            "{}",
            path.display()
        );
        assert_eq!(competence_codes(&toml), codes, "{bank}");
    }
    // Every competence the catalogue names is one of those.
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), 2000, 3, as_of());
    let (_, rows) = read(&dir.path().join("catalogue.csv"));
    let mut named = BTreeSet::new();
    for row in &rows {
        for c in list(&row["competences"]) {
            let (bank, code) = c.split_once(':').unwrap();
            assert!(
                gen_region::CATALOGUE_COMPETENCES
                    .iter()
                    .any(|(b, codes)| *b == bank && codes.contains(&code)),
                "{c}"
            );
            named.insert(c.to_string());
        }
    }
    // All twenty are covered.
    assert_eq!(named.len(), 20);
}

fn day(cell: &str) -> Option<NaiveDate> {
    (!cell.is_empty()).then(|| NaiveDate::parse_from_str(cell, "%Y-%m-%d").unwrap())
}

#[test]
fn the_catalogue_is_a_regions_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let teachers = 2000;
    let summary = run(dir.path(), teachers, 7, as_of());
    let region = load(dir.path());
    let (h, rows) = read(&dir.path().join("catalogue.csv"));
    assert_eq!(h, gen_region::CATALOGUE_COLUMNS);
    assert_eq!(summary.catalogue, rows.len());
    assert_eq!(rows.len(), 200, "one entry per ten teachers");
    assert_eq!(gen_region::catalogue_size(100), 60, "at least 60");

    let municipality_codes: BTreeSet<&str> = region
        .municipalities
        .iter()
        .map(|m| m["code"].as_str())
        .collect();
    // The route period of 2026-03-15: January 1 – May 31, 2026.
    let period = (
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
    );
    let school_year = (
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 8, 31).unwrap(),
    );
    let mut codes = BTreeSet::new();
    let mut kinds = BTreeMap::<String, usize>::new();
    let (mut distance, mut municipal, mut in_period, mut after_as_of, mut undated) =
        (0, 0, 0, 0, 0);
    for row in &rows {
        assert!(
            codes.insert(row["code"].clone()),
            "code {} twice",
            row["code"]
        );
        domain::CourseCode::parse(&row["code"]).unwrap();
        assert!(!row["title"].is_empty());
        let kind = domain::ActivityKind::parse(&row["kind"]).unwrap();
        assert_eq!(kind.as_str(), row["kind"]);
        *kinds.entry(row["kind"].clone()).or_default() += 1;
        let hours: u32 = row["hours"].parse().unwrap();
        use domain::ActivityKind::*;
        let range = match kind {
            Course => 16..=108,
            Retraining => 250..=600,
            Internship => 16..=36,
            Seminar | Webinar => 2..=8,
            MasterClass => 2..=4,
            SelfStudy => 10..=20,
            Mentoring => panic!("mentoring is not a catalogue offer"),
        };
        assert!(range.contains(&hours), "{row:?}");
        if kind == Course {
            assert!([16, 24, 36, 72, 108].contains(&hours), "{row:?}");
        }
        let competences = list(&row["competences"]);
        assert!((1..=3).contains(&competences.len()), "{row:?}");
        let format = domain::Format::parse(&row["format"]).unwrap();
        if format.is_distance() {
            distance += 1;
        }
        // Subject courses are of their bank's subject; the others of none.
        let subject = if competences.iter().any(|c| c.starts_with("math-methods:")) {
            "Математика"
        } else if competences
            .iter()
            .any(|c| c.starts_with("russian-methods:"))
        {
            "Русский язык"
        } else {
            ""
        };
        assert_eq!(row["subjects"], subject, "{row:?}");
        if !row["municipality"].is_empty() {
            municipal += 1;
            assert!(municipality_codes.contains(row["municipality"].as_str()));
        }
        match (day(&row["starts_on"]), day(&row["ends_on"])) {
            (Some(start), Some(end)) => {
                assert!(start <= end, "{row:?}");
                assert!(start >= school_year.0 && start <= school_year.1, "{row:?}");
                if matches!(kind, Seminar | Webinar | MasterClass) {
                    assert_eq!(start, end, "{row:?}");
                }
                if start >= period.0 && end <= period.1 {
                    in_period += 1;
                    if start > as_of() {
                        after_as_of += 1;
                    }
                }
            }
            (None, None) => {
                undated += 1;
                assert!(matches!(kind, SelfStudy | Webinar | Course), "{row:?}");
            }
            _ => panic!("one date without the other: {row:?}"),
        }
        let capacity = row["capacity"].parse::<u32>().ok();
        match (format, capacity) {
            (domain::Format::InPerson, Some(c)) => assert!((15..=40).contains(&c), "{row:?}"),
            (domain::Format::InPerson, None) => panic!("in person without seats: {row:?}"),
            (_, Some(c)) => assert!(c >= 15, "{row:?}"),
            (_, None) => {}
        }
        let url = &row["url"];
        assert!(url.is_empty() || url.starts_with("https://"), "{row:?}");
        assert!(!row["provider"].is_empty() || kind == SelfStudy, "{row:?}");
    }
    let n = rows.len();
    // Courses most, a few retraining programmes, every other kind but
    // mentoring.
    let count = |k: &str| kinds.get(k).copied().unwrap_or(0);
    assert!(count("course") * 100 >= n * 30, "{kinds:?}");
    assert!((1..=n / 15).contains(&count("retraining")), "{kinds:?}");
    for k in [
        "internship",
        "seminar",
        "master_class",
        "webinar",
        "self_study",
    ] {
        assert!(count(k) > 0, "{kinds:?}");
    }
    assert_eq!(count("mentoring"), 0);
    // About half can be taken without travelling; most are regional.
    assert!(
        (40..=65).contains(&(distance * 100 / n)),
        "{distance} of {n}"
    );
    assert!(
        (5..=35).contains(&(municipal * 100 / n)),
        "{municipal} of {n}"
    );
    // Many fall into the route period, most of those still ahead; some have
    // no dates.
    assert!(in_period * 100 >= n * 40, "{in_period} of {n}");
    assert!(after_as_of * 100 >= n * 30, "{after_as_of} of {n}");
    assert!(undated * 100 >= n * 10, "{undated} of {n}");
}

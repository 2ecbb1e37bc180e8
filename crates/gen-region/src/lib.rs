#![forbid(unsafe_code)]
//! A deterministic synthetic region for demos, load tests and development.
//!
//! [`generate`] writes the region's registers as the import files of
//! `spec/imports.md` (`municipalities.csv`, `schools.csv`, `staff.csv`,
//! `methodists.csv`, `catalogue.csv`, `results.csv`; UTF-8 without BOM,
//! `,`-delimited, English headers). The region is Smolensk oblast's 27
//! municipal units with invented schools and people, and a course catalogue
//! on the shipped banks' competences. The same seed and `as_of` give
//! byte-identical files: `ChaCha8Rng` streams of the seed drive everything
//! (one for the registers, others for the diagnostic results and the
//! catalogue, so adding them left the registers of a seed as they were), no
//! hash-map order is ever observed and the clock is never read (every date is
//! relative to `as_of`).
//!
//! Staff rows are streamed to the writer, so memory stays small even for a
//! region of 150,000 teachers: the schools (about one per 25 teachers) and
//! one entry per distinct login stem are all that is held.

mod catalogue;
mod names;

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, Days, Months, NaiveDate};
use domain::{ClusterFlag, Role};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use catalogue::{
    CATALOGUE_COLUMNS, CATALOGUE_COMPETENCES, CATALOGUE_FILE, MIN_CATALOGUE_ENTRIES,
    TEACHERS_PER_CATALOGUE_ENTRY, catalogue_size,
};
pub use names::SUBJECTS;

/// What to generate and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// Accounts with the `teacher` role (teaching deputy heads included).
    pub teachers: u32,
    pub seed: u64,
    /// The day the region is generated "as of": every date is placed before it.
    pub as_of: NaiveDate,
    /// The directory the files are written to; created if missing.
    pub out: PathBuf,
    /// Show a progress bar over the staff and catalogue rows on stderr.
    pub progress: bool,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub municipalities: usize,
    pub schools: usize,
    /// Rows of `staff.csv` (every account, the admin included).
    pub staff: usize,
    /// Rows of `methodists.csv`.
    pub methodists: usize,
    /// Rows of `catalogue.csv`.
    pub catalogue: usize,
    /// Rows of `results.csv` (one per competence of each diagnostic).
    pub results: usize,
    /// The files written, in the order they should be imported (the banks
    /// loaded before `catalogue.csv` and `results.csv`).
    pub files: Vec<PathBuf>,
}

/// The counts in Russian, as the command line reports them: «муниципалитетов
/// 27, ОО 80, …».
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "муниципалитетов {}, ОО {}, сотрудников {}, методистов {}, мероприятий каталога {}, \
             строк результатов диагностик {}",
            self.municipalities,
            self.schools,
            self.staff,
            self.methodists,
            self.catalogue,
            self.results
        )
    }
}

pub const MUNICIPALITIES_FILE: &str = "municipalities.csv";
pub const SCHOOLS_FILE: &str = "schools.csv";
pub const STAFF_FILE: &str = "staff.csv";
pub const METHODISTS_FILE: &str = "methodists.csv";
pub const RESULTS_FILE: &str = "results.csv";

pub const MUNICIPALITY_COLUMNS: [&str; 2] = ["code", "name"];
pub const SCHOOL_COLUMNS: [&str; 9] = [
    "code",
    "municipality",
    "name",
    "short_name",
    "clusters",
    "rural",
    "critical_monitoring",
    "mentor_school",
    "mentor_capacity",
];
pub const STAFF_COLUMNS: [&str; 10] = [
    "login",
    "full_name",
    "roles",
    "school",
    "municipality",
    "subjects",
    "position",
    "experience_years",
    "hired_on",
    "students_low_results",
];
pub const METHODIST_COLUMNS: [&str; 6] = [
    "login",
    "full_name",
    "subjects",
    "municipality",
    "capacity",
    "remote",
];

pub const RESULT_COLUMNS: [&str; 5] = ["login", "bank", "competence", "percent", "taken_on"];

/// The bank of the diagnostics in `results.csv`: the shipped
/// `assessment-banks/pedagogy-core.toml`, which every teacher can take.
pub const RESULTS_BANK: &str = "pedagogy-core";
/// That bank's competence codes, in its file's order. They must match the
/// shipped file (a test of this crate reads its codes); the generator does
/// not depend on the bank parser.
pub const RESULTS_COMPETENCES: [&str; 5] = ["K1", "K2", "K3", "K4", "K5"];
/// How far back the generated diagnostics go: within this many months before
/// `as_of`.
pub const RESULTS_MONTHS: u32 = 11;

/// Teachers per school on average; the number of schools follows from it.
pub const TEACHERS_PER_SCHOOL: u32 = 25;
/// Teachers per regional methodist (`methodists.csv`).
pub const TEACHERS_PER_METHODIST: u32 = 25;
/// Teachers per ЦНППМ methodist account (at least [`MIN_CNPPM_METHODISTS`]).
pub const TEACHERS_PER_CNPPM_METHODIST: u32 = 2000;
pub const MIN_CNPPM_METHODISTS: u32 = 3;
/// The login of the one administrator account.
pub const ADMIN_LOGIN: &str = "admin";

/// How many schools a region of `teachers` teachers gets.
pub fn school_count(teachers: u32) -> u32 {
    let by_size =
        (u64::from(teachers) + u64::from(TEACHERS_PER_SCHOOL / 2)) / u64::from(TEACHERS_PER_SCHOOL);
    (by_size as u32).max(names::SMOLENSK_OBLAST.len() as u32)
}

/// Writes the region into `opts.out`; see the crate documentation.
pub fn generate(opts: &Options) -> Result<Summary> {
    fs::create_dir_all(&opts.out)
        .with_context(|| format!("cannot create the directory {}", opts.out.display()))?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let region = plan_region(&mut rng, opts.teachers);

    let municipalities = opts.out.join(MUNICIPALITIES_FILE);
    write_municipalities(&municipalities, &region)?;
    let schools = opts.out.join(SCHOOLS_FILE);
    write_schools(&schools, &region)?;
    let staff = opts.out.join(STAFF_FILE);
    let methodists = opts.out.join(METHODISTS_FILE);
    let results = opts.out.join(RESULTS_FILE);
    let catalogue = opts.out.join(CATALOGUE_FILE);
    let entries = catalogue_size(opts.teachers);
    let progress = progress_bar(opts, staff_rows(opts, &region) + u64::from(entries))?;
    progress.set_message(STAFF_FILE);
    let rows = write_staff(
        &mut rng,
        opts,
        &region,
        &staff,
        &methodists,
        &results,
        &progress,
    )?;
    progress.set_message(CATALOGUE_FILE);
    let catalogue_rows = catalogue::write_catalogue(
        opts.seed,
        opts.teachers,
        opts.as_of,
        &region,
        &catalogue,
        &progress,
    )?;
    progress.finish_and_clear();

    Ok(Summary {
        municipalities: region.municipalities.len(),
        schools: region.schools.len(),
        staff: rows.staff,
        methodists: rows.methodists,
        catalogue: catalogue_rows,
        results: rows.results,
        files: vec![
            municipalities,
            schools,
            staff,
            methodists,
            catalogue,
            results,
        ],
    })
}

/// A bar over `total` rows on stderr, or a hidden one.
fn progress_bar(opts: &Options, total: u64) -> Result<ProgressBar> {
    if !opts.progress {
        return Ok(ProgressBar::hidden());
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {human_pos}/{human_len} ({eta})")?
            .progress_chars("=> "),
    );
    Ok(bar)
}

/// The ЦНППМ methodist accounts of a region.
fn cnppm_count(teachers: u32) -> u32 {
    (teachers / TEACHERS_PER_CNPPM_METHODIST).max(MIN_CNPPM_METHODISTS)
}

/// The rows `staff.csv` will have: the administrator, the ЦНППМ
/// methodists, a coordinator per municipality and each school's staff.
fn staff_rows(opts: &Options, region: &Region) -> u64 {
    let school_staff: u64 = region
        .schools
        .iter()
        .map(|s| 2 + u64::from(s.teachers) - u64::from(s.deputy_teaches))
        .sum();
    1 + u64::from(cnppm_count(opts.teachers)) + region.municipalities.len() as u64 + school_staff
}

// ---------------------------------------------------------------------------
// The region's plan: municipalities and schools, held in memory.

struct MunicipalityPlan {
    code: String,
    name: &'static str,
    /// Its schools, as indices into `Region::schools`.
    schools: Range<usize>,
}

struct SchoolPlan {
    code: String,
    municipality: usize,
    name: String,
    short_name: String,
    clusters: Vec<ClusterFlag>,
    rural: bool,
    critical_monitoring: bool,
    mentor_capacity: Option<u32>,
    teachers: u32,
    /// The deputy head is one of the school's teachers.
    deputy_teaches: bool,
}

struct Region {
    municipalities: Vec<MunicipalityPlan>,
    schools: Vec<SchoolPlan>,
}

fn plan_region(rng: &mut ChaCha8Rng, teachers: u32) -> Region {
    let defs = &names::SMOLENSK_OBLAST;
    let total_schools = school_count(teachers);
    // Cities have fewer, larger schools than their population suggests.
    let weights: Vec<u64> = defs
        .iter()
        .map(|d| {
            let factor = if d.city_genitive.is_some() { 35 } else { 100 };
            u64::from(d.population) * factor
        })
        .collect();
    let per_municipality = apportion(u64::from(total_schools), &weights, 1);
    let width = total_schools.to_string().len().max(4);

    let mut municipalities = Vec::with_capacity(defs.len());
    let mut schools: Vec<SchoolPlan> = Vec::with_capacity(total_schools as usize);
    let mut size_weights: Vec<u64> = Vec::with_capacity(total_schools as usize);
    for (m, def) in defs.iter().enumerate() {
        let count = per_municipality[m] as u32;
        let centre = match (def.city_genitive, def.centre_share) {
            (Some(_), _) => count,
            (None, 0) => 0,
            (None, share) => ((count * share + 50) / 100).clamp(1, count),
        };
        let villages = shuffled(rng, names::VILLAGES.len());
        let mut next_number = 1;
        let first = schools.len();
        for i in 0..count {
            let (name, short_name, rural, size) = if let Some(genitive) = def.city_genitive {
                let number = next_number;
                // Register numbers have gaps: schools close and merge.
                next_number += 1 + u32::from(rng.random_bool(0.12));
                let (kind, short, size) = match rng.random_range(0..100u32) {
                    0..7 => ("Гимназия", "Гимназия", rng.random_range(50..=80u64)),
                    7..14 => ("Лицей", "Лицей", rng.random_range(45..=75)),
                    _ => ("Средняя школа", "СШ", rng.random_range(35..=90)),
                };
                let honoree = if rng.random_bool(0.1) {
                    format!(" {}", pick(rng, names::HONOREES))
                } else {
                    String::new()
                };
                (
                    format!("МБОУ \"{kind} № {number}{honoree}\" {genitive}"),
                    format!("{short} № {number}"),
                    false,
                    size,
                )
            } else if i < centre {
                let adjective = def.centre_adjective.unwrap_or("Центральная");
                let (name, short) = if centre == 1 {
                    (
                        format!("МБОУ {adjective} средняя школа"),
                        format!("{adjective} СШ"),
                    )
                } else {
                    let n = i + 1;
                    (
                        format!("МБОУ {adjective} СШ № {n}"),
                        format!("{adjective} СШ № {n}"),
                    )
                };
                let size = if def.centre_share >= 40 {
                    rng.random_range(35..=70)
                } else if def.centre_rural {
                    rng.random_range(15..=30)
                } else {
                    rng.random_range(25..=50)
                };
                (name, short, def.centre_rural, size)
            } else {
                let village = village_name(&villages, (i - centre) as usize);
                let basic = rng.random_bool(0.45);
                let (kind, short) = if basic {
                    ("основная школа", "ОШ")
                } else {
                    ("средняя школа", "СШ")
                };
                let suffix = village
                    .number
                    .map(|n| format!(" № {n}"))
                    .unwrap_or_default();
                let size = if basic {
                    rng.random_range(5..=12)
                } else {
                    rng.random_range(10..=24)
                };
                (
                    format!("МБОУ \"{} {kind}{suffix}\"", village.adjective),
                    format!("{} {short}{suffix}", village.adjective),
                    true,
                    size,
                )
            };
            let (clusters, critical_monitoring, mentor_capacity) = school_flags(rng, rural);
            schools.push(SchoolPlan {
                code: format!("s{:0width$}", schools.len() + 1),
                municipality: m,
                name,
                short_name,
                clusters,
                rural,
                critical_monitoring,
                mentor_capacity,
                teachers: 0,
                deputy_teaches: false,
            });
            size_weights.push(size);
        }
        municipalities.push(MunicipalityPlan {
            code: format!("m{:02}", m + 1),
            name: def.name,
            schools: first..schools.len(),
        });
    }

    let minimum = u64::from(teachers >= total_schools);
    let per_school = apportion(u64::from(teachers), &size_weights, minimum);
    for (school, count) in schools.iter_mut().zip(per_school) {
        school.teachers = count as u32;
        // A rural deputy head usually teaches too; a city one less often.
        let p = if school.rural { 0.85 } else { 0.5 };
        school.deputy_teaches = school.teachers > 0 && rng.random_bool(p);
    }
    Region {
        municipalities,
        schools,
    }
}

/// Cluster flags, critical monitoring values and mentor capacity of a school:
/// about 12% low results, 10% at risk, 8% adverse conditions (mostly together
/// with low results or in villages), 5% critical (mostly low-results schools)
/// and 6% mentor schools (only schools with no flag at all).
fn school_flags(rng: &mut ChaCha8Rng, rural: bool) -> (Vec<ClusterFlag>, bool, Option<u32>) {
    let mut clusters = Vec::new();
    let (p_low, p_risk, p_adverse) = if rural {
        (0.14, 0.11, 0.085)
    } else {
        (0.09, 0.085, 0.03)
    };
    let draw: f64 = rng.random();
    let low = draw < p_low;
    let risk = !low && draw < p_low + p_risk;
    if low {
        clusters.push(ClusterFlag::LowResults);
    }
    if risk {
        clusters.push(ClusterFlag::RiskLowResults);
    }
    let adverse_p = if low { p_adverse + 0.17 } else { p_adverse };
    if rng.random_bool(adverse_p) {
        clusters.push(ClusterFlag::AdverseConditions);
    }
    let critical_p = if low {
        0.3
    } else if risk {
        0.06
    } else if clusters.is_empty() {
        0.01
    } else {
        0.05
    };
    let critical = rng.random_bool(critical_p);
    let mentor_p = if rural { 0.05 } else { 0.12 };
    let mentor = clusters.is_empty() && !critical && rng.random_bool(mentor_p);
    let capacity = mentor.then(|| rng.random_range(1..=3u32));
    (clusters, critical, capacity)
}

struct Village {
    adjective: String,
    number: Option<usize>,
}

/// The `index`-th rural school name of a municipality: the village names in
/// the municipality's shuffled order, then with prefixes («Новоникольская»),
/// then numbered.
fn village_name(order: &[usize], index: usize) -> Village {
    let n = order.len();
    let round = index / n;
    let base = names::VILLAGES[order[index % n]];
    let prefixes = names::VILLAGE_PREFIXES;
    if round == 0 {
        Village {
            adjective: base.to_string(),
            number: None,
        }
    } else if round <= prefixes.len() {
        Village {
            adjective: format!("{}{}", prefixes[round - 1], base.to_lowercase()),
            number: None,
        }
    } else {
        Village {
            adjective: base.to_string(),
            number: Some(round - prefixes.len() + 1),
        }
    }
}

/// Splits `total` in proportion to `weights` (largest remainder, ties to the
/// earlier index), giving each at least `minimum`. Integer-only, so the same
/// on every platform.
fn apportion(total: u64, weights: &[u64], minimum: u64) -> Vec<u64> {
    let mut out = vec![minimum; weights.len()];
    let reserved = minimum * weights.len() as u64;
    let sum: u64 = weights.iter().sum();
    if weights.is_empty() || total <= reserved || sum == 0 {
        return out;
    }
    let rest = total - reserved;
    let mut given = 0u64;
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let share = u128::from(rest) * u128::from(w);
        let whole = (share / u128::from(sum)) as u64;
        out[i] += whole;
        given += whole;
        remainders.push((share % u128::from(sum), i));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take((rest - given) as usize) {
        out[i] += 1;
    }
    out
}

fn shuffled(rng: &mut ChaCha8Rng, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i as u32) as usize;
        v.swap(i, j);
    }
    v
}

/// A uniform pick; indices are drawn as `u32` so the stream is the same on
/// every platform.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len() as u32) as usize]
}

fn write_municipalities(path: &Path, region: &Region) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(MUNICIPALITY_COLUMNS)?;
    for m in &region.municipalities {
        w.write_record([m.code.as_str(), m.name])?;
    }
    finish(w, path)
}

fn write_schools(path: &Path, region: &Region) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(SCHOOL_COLUMNS)?;
    for s in &region.schools {
        let clusters: Vec<&str> = s.clusters.iter().map(|c| c.as_str()).collect();
        let capacity = s.mentor_capacity.map(|c| c.to_string()).unwrap_or_default();
        w.write_record([
            s.code.as_str(),
            region.municipalities[s.municipality].code.as_str(),
            &s.name,
            &s.short_name,
            &clusters.join("|"),
            yes_no(s.rural),
            yes_no(s.critical_monitoring),
            yes_no(s.mentor_capacity.is_some()),
            &capacity,
        ])?;
    }
    finish(w, path)
}

// ---------------------------------------------------------------------------
// People, streamed.

/// Hands out unique logins: the stem («ivanova.ap»), then the stem with a
/// number («ivanova.ap2»). A stem always ends in a letter, so a numbered
/// login can never equal another stem; one entry per distinct stem.
#[derive(Default)]
struct Logins {
    next: HashMap<String, u32>,
}

impl Logins {
    fn claim(&mut self, stem: String) -> String {
        match self.next.get_mut(&stem) {
            Some(n) => {
                *n += 1;
                format!("{stem}{n}")
            }
            None => {
                self.next.insert(stem.clone(), 1);
                stem
            }
        }
    }
}

struct Person {
    login: String,
    full_name: String,
}

/// A person of the given sex born in `born` (a year): the first name and the
/// patronymic follow the fashions of the birth year.
fn person(rng: &mut ChaCha8Rng, logins: &mut Logins, female: bool, born: i32) -> Person {
    let masculine = *pick(rng, names::SURNAMES);
    let surname = if female {
        names::feminine_surname(masculine)
    } else {
        masculine.to_string()
    };
    let mut generation = if born < 1968 {
        0
    } else if born < 1988 {
        1
    } else {
        2
    };
    // Names drift across generations: a fifth come from a neighbouring one.
    if rng.random_bool(0.2) {
        generation = if generation == 1 {
            if rng.random_bool(0.5) { 0 } else { 2 }
        } else {
            1
        };
    }
    let first_names = match (female, generation) {
        (true, 0) => names::FEMALE_OLD,
        (true, 1) => names::FEMALE_MID,
        (true, _) => names::FEMALE_YOUNG,
        (false, 0) => names::MALE_OLD,
        (false, 1) => names::MALE_MID,
        (false, _) => names::MALE_YOUNG,
    };
    let first = *pick(rng, first_names);
    let fathers = if born < 1975 {
        names::PATRONYMICS_OLD
    } else {
        names::PATRONYMICS_YOUNG
    };
    let (his, hers) = *pick(rng, fathers);
    let patronymic = if female { hers } else { his };

    let mut stem = String::with_capacity(24);
    names::transliterate(&surname, &mut stem);
    stem.push('.');
    for word in [first, patronymic] {
        if let Some(initial) = word.chars().next() {
            names::transliterate(initial.encode_utf8(&mut [0; 4]), &mut stem);
        }
    }
    Person {
        login: logins.claim(stem),
        full_name: format!("{surname} {first} {patronymic}"),
    }
}

#[derive(Clone, Copy)]
enum CareerKind {
    /// An ordinary teacher: some young, some newly hired.
    Teacher,
    /// A teacher with ten years or more, as regional methodists are.
    Experienced,
    /// A principal, a deputy head, a coordinator, a ЦНППМ methodist.
    Leader,
}

struct Career {
    /// Days of pedagogical experience up to `as_of`.
    career_days: u32,
    hired_on: NaiveDate,
    born: i32,
}

impl Career {
    /// Experience as registers write it: whole years, rounded down; under
    /// three years, to a tenth (rounded down).
    fn experience(&self) -> String {
        let tenths = u64::from(self.career_days) * 1000 / u64::from(DAYS_PER_TENTH_MILLI);
        if tenths >= 30 || tenths % 10 == 0 {
            (tenths / 10).to_string()
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    }
}

/// 365.25 days per year: days per tenth of a year, times 1000.
const DAYS_PER_TENTH_MILLI: u32 = 36_525;
const DAYS_PER_YEAR: u32 = 365;
/// Nobody in the region was hired more than 40 years ago.
const MAX_HIRE_DAYS: u32 = 40 * 365 + 10;

/// Two uniforms make a triangle: most careers sit in the middle of the span.
fn triangle(rng: &mut ChaCha8Rng, from: u32, span: u32) -> u32 {
    from + (rng.random_range(0..=span) + rng.random_range(0..=span)) / 2
}

/// `years` whole years and part of the next.
fn years_and_days(rng: &mut ChaCha8Rng, years: u32) -> u32 {
    years * DAYS_PER_YEAR + rng.random_range(0..DAYS_PER_YEAR)
}

fn career(rng: &mut ChaCha8Rng, as_of: NaiveDate, kind: CareerKind) -> Career {
    let (career_days, newly_p) = match kind {
        CareerKind::Teacher => {
            if rng.random_bool(0.13) {
                // A young teacher: less than three years.
                (rng.random_range(0..3 * DAYS_PER_YEAR), 0.07)
            } else {
                let years = triangle(rng, 3, 40);
                (years_and_days(rng, years), 0.07)
            }
        }
        CareerKind::Experienced => {
            let years = triangle(rng, 10, 30);
            (years_and_days(rng, years), 0.02)
        }
        CareerKind::Leader => {
            let years = triangle(rng, 8, 32);
            (years_and_days(rng, years), 0.05)
        }
    };
    let newly = career_days < DAYS_PER_YEAR || rng.random_bool(newly_p);
    let (hired_days_ago, snap) = if newly {
        (
            rng.random_range(0..=career_days.min(DAYS_PER_YEAR - 1)),
            false,
        )
    } else if matches!(kind, CareerKind::Teacher) && rng.random_bool(0.45) {
        // The whole career in this school.
        (career_days.min(MAX_HIRE_DAYS), true)
    } else {
        let longest = career_days.min(MAX_HIRE_DAYS);
        (
            rng.random_range(DAYS_PER_YEAR..=longest),
            rng.random_bool(0.6),
        )
    };
    let mut hired_on = as_of - Days::new(u64::from(hired_days_ago));
    if snap {
        // Schools hire for the school year: move the date forward (so never
        // before the career began) to the end of August, but not into the
        // last year before `as_of`.
        let back = Days::new(rng.random_range(0..=7u64));
        let start = |y: i32| NaiveDate::from_ymd_opt(y, 9, 1).map(|d| d - back);
        let snapped = match start(hired_on.year()) {
            Some(d) if d >= hired_on => Some(d),
            _ => start(hired_on.year() + 1),
        };
        if let Some(d) = snapped
            && d <= as_of - Days::new(u64::from(DAYS_PER_YEAR))
        {
            hired_on = d;
        }
    }
    let start_age = 21 + rng.random_range(0..=5u32);
    let age = start_age + career_days / DAYS_PER_YEAR;
    Career {
        career_days,
        hired_on,
        born: as_of.year() - age as i32,
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The staff rows written so far and a progress bar over them.
struct StaffWriter {
    out: csv::Writer<fs::File>,
    rows: usize,
    progress: ProgressBar,
    pending: u64,
}

struct StaffRow<'a> {
    login: &'a str,
    full_name: &'a str,
    roles: &'a str,
    school: &'a str,
    municipality: &'a str,
    subjects: &'a str,
    position: &'a str,
    career: Option<&'a Career>,
    students_low_results: Option<bool>,
}

impl StaffWriter {
    fn write(&mut self, row: StaffRow<'_>) -> Result<()> {
        let (experience, hired_on) = match row.career {
            Some(c) => (c.experience(), c.hired_on.format("%Y-%m-%d").to_string()),
            None => (String::new(), String::new()),
        };
        self.out.write_record([
            row.login,
            row.full_name,
            row.roles,
            row.school,
            row.municipality,
            row.subjects,
            row.position,
            &experience,
            &hired_on,
            row.students_low_results.map(yes_no).unwrap_or(""),
        ])?;
        self.rows += 1;
        self.pending += 1;
        if self.pending == 1024 {
            self.progress.inc(self.pending);
            self.pending = 0;
        }
        Ok(())
    }
}

/// Rows written by [`write_staff`].
struct PeopleRows {
    staff: usize,
    methodists: usize,
    results: usize,
}

fn write_staff(
    rng: &mut ChaCha8Rng,
    opts: &Options,
    region: &Region,
    staff_path: &Path,
    methodists_path: &Path,
    results_path: &Path,
    progress: &ProgressBar,
) -> Result<PeopleRows> {
    let as_of = opts.as_of;
    let cnppm = cnppm_count(opts.teachers);
    let methodists_wanted = match opts.teachers {
        0 => 0,
        n => ((n + TEACHERS_PER_METHODIST / 2) / TEACHERS_PER_METHODIST).max(1),
    };

    let mut staff = StaffWriter {
        out: csv_writer(staff_path)?,
        rows: 0,
        progress: progress.clone(),
        pending: 0,
    };
    staff.out.write_record(STAFF_COLUMNS)?;
    let mut methodists = csv_writer(methodists_path)?;
    methodists.write_record(METHODIST_COLUMNS)?;
    let mut methodist_rows = 0usize;
    let mut results = ResultsWriter::new(opts, results_path)?;
    let mut logins = Logins::default();

    let teacher_role = Role::Teacher.as_str();
    let deputy_roles = format!("{}|{}", Role::Teacher.as_str(), Role::DeputyHead.as_str());

    // The region: the administrator and the ЦНППМ methodists.
    let c = career(rng, as_of, CareerKind::Leader);
    let female = rng.random_bool(0.6);
    let admin = person(rng, &mut logins, female, c.born);
    staff.write(StaffRow {
        login: ADMIN_LOGIN,
        full_name: &admin.full_name,
        roles: Role::Admin.as_str(),
        school: "",
        municipality: "",
        subjects: "",
        position: "администратор системы",
        career: None,
        students_low_results: None,
    })?;
    for _ in 0..cnppm {
        let c = career(rng, as_of, CareerKind::Leader);
        let female = rng.random_bool(0.85);
        let p = person(rng, &mut logins, female, c.born);
        staff.write(StaffRow {
            login: &p.login,
            full_name: &p.full_name,
            roles: Role::CnppmMethodist.as_str(),
            school: "",
            municipality: "",
            subjects: "",
            position: "методист ЦНППМ",
            career: None,
            students_low_results: None,
        })?;
    }

    // Regional methodists are drawn uniformly from the teacher stream
    // (selection sampling: exactly `methodists_wanted` of them).
    let mut teachers_left = opts.teachers;
    let mut methodists_left = methodists_wanted;

    for municipality in &region.municipalities {
        let c = career(rng, as_of, CareerKind::Leader);
        let female = rng.random_bool(0.85);
        let p = person(rng, &mut logins, female, c.born);
        let position = if rng.random_bool(0.6) {
            "главный специалист отдела образования"
        } else {
            "методист муниципального методического центра"
        };
        staff.write(StaffRow {
            login: &p.login,
            full_name: &p.full_name,
            roles: Role::MunicipalCoordinator.as_str(),
            school: "",
            municipality: &municipality.code,
            subjects: "",
            position,
            career: None,
            students_low_results: None,
        })?;

        for school in &region.schools[municipality.schools.clone()] {
            let c = career(rng, as_of, CareerKind::Leader);
            let female = rng.random_bool(0.75);
            let p = person(rng, &mut logins, female, c.born);
            staff.write(StaffRow {
                login: &p.login,
                full_name: &p.full_name,
                roles: Role::Principal.as_str(),
                school: &school.code,
                municipality: "",
                subjects: "",
                position: "директор",
                career: Some(&c),
                students_low_results: None,
            })?;
            if !school.deputy_teaches {
                let c = career(rng, as_of, CareerKind::Leader);
                let female = rng.random_bool(0.85);
                let p = person(rng, &mut logins, female, c.born);
                staff.write(StaffRow {
                    login: &p.login,
                    full_name: &p.full_name,
                    roles: Role::DeputyHead.as_str(),
                    school: &school.code,
                    municipality: "",
                    subjects: "",
                    position: "заместитель директора по УВР",
                    career: Some(&c),
                    students_low_results: None,
                })?;
            }

            let low_p = if school.clusters.contains(&ClusterFlag::LowResults) {
                0.38
            } else if school.clusters.contains(&ClusterFlag::RiskLowResults) {
                0.28
            } else if !school.clusters.is_empty() {
                0.22
            } else {
                0.13
            };
            for t in 0..school.teachers {
                let deputy = t == 0 && school.deputy_teaches;
                let methodist =
                    methodists_left > 0 && rng.random_range(0..teachers_left) < methodists_left;
                teachers_left -= 1;
                if methodist {
                    methodists_left -= 1;
                }
                let subjects = pick_profile(rng);
                let male_p = if names::is_male_leaning(subjects[0]) {
                    0.45
                } else {
                    0.1
                };
                let kind = if methodist {
                    CareerKind::Experienced
                } else {
                    CareerKind::Teacher
                };
                let c = career(rng, as_of, kind);
                let female = !rng.random_bool(male_p);
                let p = person(rng, &mut logins, female, c.born);
                let subject_p = if names::is_unassessed(subjects[0]) {
                    0.25
                } else {
                    1.0
                };
                let low = !methodist && rng.random_bool(low_p * subject_p);
                let subject_list = subjects.join("|");
                let mut position = if subjects[0] == "Начальные классы" {
                    "учитель начальных классов".to_string()
                } else {
                    let genitives: Vec<&str> = subjects
                        .iter()
                        .map(|s| names::subject_genitive(s))
                        .collect();
                    format!("учитель {}", genitives.join(" и "))
                };
                if deputy {
                    position = format!("заместитель директора по УВР, {position}");
                }
                staff.write(StaffRow {
                    login: &p.login,
                    full_name: &p.full_name,
                    roles: if deputy { &deputy_roles } else { teacher_role },
                    school: &school.code,
                    municipality: "",
                    subjects: &subject_list,
                    position: &position,
                    career: Some(&c),
                    students_low_results: Some(low),
                })?;
                results.teacher(&p.login, low)?;
                if methodist {
                    let capacity = rng.random_range(3..=8u32).to_string();
                    let remote = yes_no(rng.random_bool(0.3));
                    methodists.write_record([
                        p.login.as_str(),
                        &p.full_name,
                        &subject_list,
                        &municipality.code,
                        &capacity,
                        remote,
                    ])?;
                    methodist_rows += 1;
                }
            }
        }
    }

    staff.progress.inc(staff.pending);
    let rows = staff.rows;
    finish(staff.out, staff_path)?;
    finish(methodists, methodists_path)?;
    let result_rows = results.rows;
    finish(results.out, results_path)?;
    Ok(PeopleRows {
        staff: rows,
        methodists: methodist_rows,
        results: result_rows,
    })
}

// ---------------------------------------------------------------------------
// Diagnostic results taken elsewhere, streamed along with the teachers.

/// Writes `results.csv`: diagnostics on [`RESULTS_BANK`] taken on another
/// platform by about 30% of the teachers (more often by those whose students
/// have low results), a fifth of them with an earlier one too, all within
/// [`RESULTS_MONTHS`] months before `as_of`. Percents have two decimals and
/// spread over every level of the bank's thresholds (40/60/80). Its own
/// random stream of the seed keeps the other files as they were.
struct ResultsWriter {
    out: csv::Writer<fs::File>,
    rng: ChaCha8Rng,
    as_of: NaiveDate,
    /// The earliest date a diagnostic may have.
    earliest: NaiveDate,
    rows: usize,
}

/// The share of teachers with a diagnostic, by `students_low_results`.
const RESULTS_SHARE: f64 = 0.27;
const RESULTS_SHARE_LOW: f64 = 0.45;
/// The share of those with an earlier diagnostic too.
const REPEAT_SHARE: f64 = 0.2;
/// Days at least between a teacher's two diagnostics.
const REPEAT_GAP_DAYS: i64 = 60;

impl ResultsWriter {
    fn new(opts: &Options, path: &Path) -> Result<ResultsWriter> {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(1);
        let mut out = csv_writer(path)?;
        out.write_record(RESULT_COLUMNS)?;
        let earliest = opts
            .as_of
            .checked_sub_months(Months::new(RESULTS_MONTHS))
            .unwrap_or(opts.as_of)
            .succ_opt()
            .unwrap_or(opts.as_of);
        Ok(ResultsWriter {
            out,
            rng,
            as_of: opts.as_of,
            earliest,
            rows: 0,
        })
    }

    /// Maybe some diagnostics of one teacher.
    fn teacher(&mut self, login: &str, low: bool) -> Result<()> {
        let share = if low {
            RESULTS_SHARE_LOW
        } else {
            RESULTS_SHARE
        };
        if !self.rng.random_bool(share) {
            return Ok(());
        }
        let span = (self.as_of - self.earliest).num_days();
        let taken_on = self.earliest + Days::new(self.rng.random_range(0..=span) as u64);
        // A teacher's standing, in hundredths of a percent: two uniforms
        // centred on 60%, lower where the students have low results.
        let shift = if low { -800 } else { 0 };
        let standing =
            (self.rng.random_range(2000..=10_000i64) + self.rng.random_range(2000..=10_000i64)) / 2
                + shift;
        let before = (taken_on - self.earliest).num_days() - REPEAT_GAP_DAYS;
        if before >= 0 && self.rng.random_bool(REPEAT_SHARE) {
            let earlier = self.earliest + Days::new(self.rng.random_range(0..=before) as u64);
            // Mostly some progress since.
            let progress = self.rng.random_range(-500..=1500i64);
            self.diagnostic(login, earlier, standing - progress)?;
        }
        self.diagnostic(login, taken_on, standing)
    }

    fn diagnostic(&mut self, login: &str, taken_on: NaiveDate, standing: i64) -> Result<()> {
        let date = taken_on.format("%Y-%m-%d").to_string();
        for code in RESULTS_COMPETENCES {
            let hundredths = (standing + self.rng.random_range(-2000..=2000i64)).clamp(0, 10_000);
            let percent = format!("{}.{:02}", hundredths / 100, hundredths % 100);
            self.out
                .write_record([login, RESULTS_BANK, code, &percent, &date])?;
            self.rows += 1;
        }
        Ok(())
    }
}

fn pick_profile(rng: &mut ChaCha8Rng) -> &'static [&'static str] {
    let total: u32 = names::TEACHING_PROFILES.iter().map(|p| p.1).sum();
    let mut draw = rng.random_range(0..total);
    for &(subjects, weight) in names::TEACHING_PROFILES {
        if draw < weight {
            return subjects;
        }
        draw -= weight;
    }
    names::TEACHING_PROFILES[0].0
}

fn csv_writer(path: &Path) -> Result<csv::Writer<fs::File>> {
    csv::WriterBuilder::new()
        .from_path(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn finish(mut w: csv::Writer<fs::File>, path: &Path) -> Result<()> {
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact_and_proportional() {
        let out = apportion(100, &[1, 1, 2], 0);
        assert_eq!(out, vec![25, 25, 50]);
        let out = apportion(10, &[1, 1, 1], 1);
        assert_eq!(out.iter().sum::<u64>(), 10);
        assert_eq!(out, vec![4, 3, 3]);
        assert_eq!(apportion(2, &[5, 5, 5], 1), vec![1, 1, 1]);
        assert_eq!(apportion(0, &[5, 5], 0), vec![0, 0]);
    }

    #[test]
    fn logins_get_numbers_only_when_taken() {
        let mut l = Logins::default();
        assert_eq!(l.claim("ivanova.ap".into()), "ivanova.ap");
        assert_eq!(l.claim("ivanova.ap".into()), "ivanova.ap2");
        assert_eq!(l.claim("ivanova.ap".into()), "ivanova.ap3");
        assert_eq!(l.claim("ivanov.ap".into()), "ivanov.ap");
    }

    #[test]
    fn village_names_run_through_prefixes_then_numbers() {
        let order: Vec<usize> = (0..names::VILLAGES.len()).collect();
        let n = order.len();
        assert_eq!(village_name(&order, 0).adjective, "Богородицкая");
        assert_eq!(village_name(&order, n).adjective, "Новобогородицкая");
        let late = village_name(&order, n * 7);
        assert_eq!(
            (late.adjective.as_str(), late.number),
            ("Богородицкая", Some(2))
        );
    }

    #[test]
    fn careers_are_consistent_with_hire_dates() {
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for kind in [
            CareerKind::Teacher,
            CareerKind::Experienced,
            CareerKind::Leader,
        ] {
            for _ in 0..2000 {
                let c = career(&mut rng, as_of, kind);
                assert!(c.hired_on <= as_of);
                let days = (as_of - c.hired_on).num_days();
                assert!(days <= i64::from(MAX_HIRE_DAYS), "{days}");
                assert!(
                    days <= i64::from(c.career_days),
                    "{days} > {}",
                    c.career_days
                );
                // The written experience covers the time in this school.
                let written: f64 = c.experience().parse().unwrap();
                assert!(
                    (days as f64) / 365.25 < written + 1.0,
                    "{days} vs {written}"
                );
            }
        }
    }
}

//! Matching (`rules.md`, «Methodists» and «Mentor schools»): who needs a
//! regional methodist or a mentor school, in which priority class, and the
//! optimal assignment with its reasons in Russian.
//!
//! The policy is data ([`MatchPolicy`], stored as JSON under
//! [`MATCH_POLICY_KEY`]) with the defaults of `rules.md`.
//!
//! [`match_methodists`] and [`match_schools`] return an exact optimum of the
//! lexicographic objective of `rules.md`, found as a minimum-cost flow
//! ([`crate::mcf`]) with the objective as a vector cost; the tests compare
//! it with a brute force. [`methodist_warnings`] and
//! [`mentor_school_warnings`] check a hand-made assignment.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Add, Neg, Sub};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::normalize_subject;
use crate::ids::ParseError;
use crate::mcf::{self, Goal, Network, Node, UNLIMITED};
use crate::words::plural_word as plural;
use crate::{Level, LevelNames, Login, MunicipalityCode, School, SchoolCode, TeacherAttrs};

/// The settings key the matching policy is stored under.
pub const MATCH_POLICY_KEY: &str = "policy.matching";

/// Why a teacher needs a regional methodist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedKind {
    /// The teacher's level is `critical`.
    Critical,
    /// A young teacher (experience under the policy's years) or a newly
    /// hired one (hired the policy's days or less before today).
    YoungOrNew,
    /// The teacher's level is `high`.
    High,
    /// The teacher's level is `reduced`.
    Reduced,
}

impl NeedKind {
    pub const ALL: [NeedKind; 4] = [
        NeedKind::Critical,
        NeedKind::YoungOrNew,
        NeedKind::High,
        NeedKind::Reduced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedKind::Critical => "critical",
            NeedKind::YoungOrNew => "young_or_new",
            NeedKind::High => "high",
            NeedKind::Reduced => "reduced",
        }
    }

    /// How the settings page names the kind.
    pub fn title(self, names: &LevelNames) -> String {
        match self {
            NeedKind::Critical => format!("уровень «{}»", names.critical),
            NeedKind::YoungOrNew => "молодые и вновь принятые педагоги".into(),
            NeedKind::High => format!("уровень «{}»", names.high),
            NeedKind::Reduced => format!("уровень «{}»", names.reduced),
        }
    }
}

/// What `rules.md` says about matching, as values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchPolicy {
    /// Who needs a regional methodist, the highest priority first: class 1
    /// is the first kind. A kind absent from the list needs none.
    pub methodist_priority: Vec<NeedKind>,
    /// Young: experience (стаж) under this many years.
    pub young_under_years: u32,
    /// Newly hired: hired this many days or less before today.
    pub newly_hired_days: u32,
    /// Preference (2): subject matches.
    pub prefer_subject: bool,
    /// Preference (3): municipality matches (same municipality, or the
    /// methodist works remotely or has no municipality).
    pub prefer_municipality: bool,
    /// Preference (4): balanced load (the smallest sum of load²/capacity).
    pub balance_load: bool,
    /// Mentor schools, class 1: schools with critical monitoring values.
    pub schools_critical: bool,
    /// Mentor schools, class 2: other schools with a cluster flag.
    pub schools_cluster: bool,
    /// Schools a mentor school takes when its own `mentor_capacity` is empty.
    pub mentor_capacity: u32,
    /// Preference: a mentor school of the same municipality.
    pub prefer_same_municipality: bool,
    /// Preference: a mentor school of the same type (rural or urban).
    pub prefer_same_type: bool,
}

impl Default for MatchPolicy {
    fn default() -> Self {
        MatchPolicy {
            methodist_priority: NeedKind::ALL.to_vec(),
            young_under_years: 3,
            newly_hired_days: 365,
            prefer_subject: true,
            prefer_municipality: true,
            balance_load: true,
            schools_critical: true,
            schools_cluster: true,
            mentor_capacity: 2,
            prefer_same_municipality: true,
            prefer_same_type: true,
        }
    }
}

impl MatchPolicy {
    /// Checks the values make sense; the message names the setting.
    pub fn check(&self) -> Result<(), ParseError> {
        let mut seen = std::collections::BTreeSet::new();
        for kind in &self.methodist_priority {
            if !seen.insert(*kind) {
                return Err(ParseError(
                    "Каждая группа педагогов может стоять в порядке приоритета один раз".into(),
                ));
            }
        }
        Ok(())
    }

    /// The teacher's priority class (1 = highest) and why, `None` when the
    /// teacher needs no methodist. `level` is the teacher's current level
    /// (`None`: no current diagnostic). A teacher takes the highest class
    /// that applies.
    pub fn teacher_need(
        &self,
        level: Option<Level>,
        attrs: &TeacherAttrs,
        today: NaiveDate,
    ) -> Option<(u8, NeedKind)> {
        let applies = |kind: NeedKind| match kind {
            NeedKind::Critical => level == Some(Level::Critical),
            NeedKind::High => level == Some(Level::High),
            NeedKind::Reduced => level == Some(Level::Reduced),
            NeedKind::YoungOrNew => self.is_young(attrs) || self.is_newly_hired(attrs, today),
        };
        self.methodist_priority
            .iter()
            .position(|k| applies(*k))
            .map(|i| (i as u8 + 1, self.methodist_priority[i]))
    }

    /// Experience under [`young_under_years`](Self::young_under_years).
    pub fn is_young(&self, attrs: &TeacherAttrs) -> bool {
        attrs
            .experience_years
            .is_some_and(|y| y < f64::from(self.young_under_years))
    }

    /// Hired [`newly_hired_days`](Self::newly_hired_days) or less before
    /// `today` (and not in the future).
    pub fn is_newly_hired(&self, attrs: &TeacherAttrs, today: NaiveDate) -> bool {
        attrs.hired_on.is_some_and(|h| {
            h <= today && (today - h).num_days() <= i64::from(self.newly_hired_days)
        })
    }

    /// A school's priority class for a mentor school (1: critical
    /// monitoring values; 2: another school with a cluster flag), `None`
    /// when it needs none. Inactive schools need none.
    pub fn school_need(&self, school: &School) -> Option<u8> {
        if !school.active {
            None
        } else if self.schools_critical && school.critical_monitoring {
            Some(1)
        } else if self.schools_cluster && !school.clusters.is_empty() {
            Some(2)
        } else {
            None
        }
    }

    /// How many schools `school` can mentor, `None` when it is no mentor
    /// (`rules.md`: `mentor_school` and no cluster flag; active).
    pub fn mentor_places(&self, school: &School) -> Option<u32> {
        (school.active && school.mentor_school && school.clusters.is_empty())
            .then(|| school.mentor_capacity.unwrap_or(self.mentor_capacity))
    }
}

// ---- methodists ↔ teachers ------------------------------------------------------

/// A teacher who needs a regional methodist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeacherNeed {
    pub login: Login,
    /// The priority class, 1 = highest.
    pub class: u8,
    pub kind: NeedKind,
    pub subjects: Vec<String>,
    /// The municipality of the teacher's school.
    pub municipality: Option<MunicipalityCode>,
    /// The current level, for the reasons.
    pub level: Option<Level>,
    pub young: bool,
    pub newly_hired: bool,
}

/// A regional methodist who can take mentees (an active account with a
/// methodist record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodistSlot {
    pub login: Login,
    pub subjects: Vec<String>,
    pub municipality: Option<MunicipalityCode>,
    pub remote: bool,
    pub capacity: u32,
}

/// One assignment of a matching run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodistAssignment {
    pub teacher: Login,
    pub methodist: Login,
    /// An existing active assignment the run keeps.
    pub kept: bool,
    pub class: u8,
    /// A subject both teach (as the methodist writes it), if any.
    pub subject: Option<String>,
    /// Same municipality, or the methodist works remotely or has none.
    pub municipality_match: bool,
    /// The methodist's load after the run (kept plus new) and capacity.
    pub load: u32,
    pub capacity: u32,
    pub reasons: Vec<String>,
}

/// A teacher who needs a methodist and gets none, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    /// A teacher's login or a school's code.
    pub who: String,
    pub class: u8,
    pub why: String,
}

/// An active assignment the run would end, and why (the teacher needs no
/// methodist any more, the methodist left, the school needs no mentor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    /// A teacher's login or a school's code.
    pub who: String,
    /// The methodist's login or the mentor school's code.
    pub with: String,
    pub why: String,
}

/// The result of matching methodists to teachers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodistMatch {
    /// Kept and new, ordered by teacher login.
    pub assignments: Vec<MethodistAssignment>,
    /// Ordered by class, then login.
    pub unassigned: Vec<Unmatched>,
    /// Ordered by teacher login.
    pub endings: Vec<Ending>,
}

// ---- mentor schools ↔ schools ---------------------------------------------------

/// A school that needs a mentor school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolNeed {
    pub code: SchoolCode,
    pub class: u8,
    pub municipality: MunicipalityCode,
    pub rural: bool,
    /// For the reasons: «критические значения», «ШНОР» …
    pub critical_monitoring: bool,
    pub clusters: Vec<crate::ClusterFlag>,
}

/// A school that can mentor others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorSlot {
    pub code: SchoolCode,
    pub municipality: MunicipalityCode,
    pub rural: bool,
    pub capacity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolAssignment {
    pub school: SchoolCode,
    pub mentor_school: SchoolCode,
    pub kept: bool,
    pub class: u8,
    pub same_municipality: bool,
    pub same_type: bool,
    pub load: u32,
    pub capacity: u32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolMatch {
    /// Kept and new, ordered by school code.
    pub assignments: Vec<SchoolAssignment>,
    /// Ordered by class, then code.
    pub unassigned: Vec<Unmatched>,
    /// Ordered by school code.
    pub endings: Vec<Ending>,
}

// ---- the objective as a cost ----------------------------------------------------

/// The objective of `rules.md` as one cost to minimise, compared in field
/// order: minus the number assigned per class, minus the
/// preference matches, then the load term. A flow's cost is this vector
/// summed over its arcs, so the cheapest flow is the lexicographic optimum,
/// with no weights that could overflow or trade one level for another.
#[derive(Debug, Clone, Copy, Default)]
struct Lex {
    classes: [i64; 4],
    prefs: [i64; 2],
    /// Σ load²/capacity, as an integer (see [`load_scale`]).
    load: i128,
}

impl Lex {
    /// The components in order, for comparisons written out.
    fn key(&self) -> (i64, i64, i64, i64, i64, i64, i128) {
        let [a, b, c, d] = self.classes;
        let [e, f] = self.prefs;
        (a, b, c, d, e, f, self.load)
    }
}

/// Equality as one fold of differences: LLVM merges a chain of field
/// equalities (derived, or through `cmp`) into a call to `memcmp` of 64
/// bytes, which the flow's inner loops feel.
impl PartialEq for Lex {
    fn eq(&self, o: &Lex) -> bool {
        let (a, b) = (self.key(), o.key());
        let low = (a.0 ^ b.0) | (a.1 ^ b.1) | (a.2 ^ b.2) | (a.3 ^ b.3) | (a.4 ^ b.4) | (a.5 ^ b.5);
        low == 0 && a.6 ^ b.6 == 0
    }
}

impl Eq for Lex {}

impl PartialOrd for Lex {
    fn partial_cmp(&self, o: &Lex) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Lex {
    fn cmp(&self, o: &Lex) -> std::cmp::Ordering {
        self.key().cmp(&o.key())
    }
}

impl Add for Lex {
    type Output = Lex;
    fn add(self, o: Lex) -> Lex {
        let (a, b) = (self.classes, o.classes);
        Lex {
            classes: [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]],
            prefs: [self.prefs[0] + o.prefs[0], self.prefs[1] + o.prefs[1]],
            load: self.load + o.load,
        }
    }
}

impl Sub for Lex {
    type Output = Lex;
    fn sub(self, o: Lex) -> Lex {
        let (a, b) = (self.classes, o.classes);
        Lex {
            classes: [a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]],
            prefs: [self.prefs[0] - o.prefs[0], self.prefs[1] - o.prefs[1]],
            load: self.load - o.load,
        }
    }
}

impl Neg for Lex {
    type Output = Lex;
    fn neg(self) -> Lex {
        Lex {
            classes: self.classes.map(|c| -c),
            prefs: self.prefs.map(|p| -p),
            load: -self.load,
        }
    }
}

impl mcf::Cost for Lex {
    const ZERO: Lex = Lex {
        classes: [0; 4],
        prefs: [0; 2],
        load: 0,
    };
    fn times(self, n: i64) -> Lex {
        Lex {
            classes: self.classes.map(|c| c * n),
            prefs: self.prefs.map(|p| p * n),
            load: self.load * i128::from(n),
        }
    }
}

impl Lex {
    /// One more assigned in `class`.
    fn class(class: u8) -> Lex {
        let mut c = <Lex as mcf::Cost>::ZERO;
        c.classes[class_index(class)] = -1;
        c
    }

    /// One more match of the first and/or the second preference.
    fn prefs(first: bool, second: bool) -> Lex {
        Lex {
            prefs: [-i64::from(first), -i64::from(second)],
            ..Default::default()
        }
    }

    fn load(load: i128) -> Lex {
        Lex {
            load,
            ..Default::default()
        }
    }
}

/// Classes are 1..=4 (`rules.md` has four kinds, schools two); anything
/// else counts as the nearest.
fn class_index(class: u8) -> usize {
    usize::from(class.clamp(1, 4)) - 1
}

/// The factor that makes Σ load²/capacity an integer: the i-th new teacher
/// of a methodist with `k` kept and capacity `c` adds
/// ((k+i)² − (k+i−1)²)/c = (2(k+i) − 1)/c, so times L = lcm of the
/// capacities in play every term is an integer and the balance is exact.
/// Regions have a handful of distinct capacities (lcm(1..=40) ≈ 5·10¹⁵);
/// should the lcm pass 10¹⁸, L is 2⁶⁰ and each L/c is rounded down, which
/// can only confuse two balances closer than 2⁻⁶⁰ apart. The sums stay far
/// inside `i128` either way.
fn load_scale(capacities: impl Iterator<Item = u32>) -> i128 {
    const BOUND: i128 = 1_000_000_000_000_000_000;
    let mut lcm: i128 = 1;
    for c in capacities.filter(|c| *c > 0).map(i128::from) {
        let (mut a, mut b) = (lcm, c);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        lcm = lcm / a * c;
        if lcm > BOUND {
            return 1 << 60;
        }
    }
    lcm
}

/// The first occurrence of each key, ordered by the key.
fn first_by<T, K: Ord>(items: &[T], key: impl Fn(&T) -> &K) -> Vec<&T> {
    let mut seen = BTreeMap::new();
    for item in items {
        seen.entry(key(item)).or_insert(item);
    }
    seen.into_values().collect()
}

/// Normalised (see [`normalize_subject`]), sorted, without duplicates or
/// blanks.
fn subject_set(subjects: &[String]) -> Vec<String> {
    let mut set: Vec<String> = subjects
        .iter()
        .map(|s| normalize_subject(s))
        .filter(|s| !s.is_empty())
        .collect();
    set.sort();
    set.dedup();
    set
}

fn intersect<T: Ord>(a: &[T], b: &[T]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// `names` as a list, each subject once (as first written).
fn subject_list(names: &[String]) -> String {
    let mut seen = BTreeSet::new();
    names
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && seen.insert(normalize_subject(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// «по предмету физика» / «по предметам физика, химия».
fn by_subjects(names: &[String]) -> String {
    let list = subject_list(names);
    if list.contains(", ") {
        format!("по предметам {list}")
    } else {
        format!("по предмету {list}")
    }
}

/// «; все 5 мест заняты педагогами с приоритетом не ниже 2», when true:
/// `places` is the capacity of the methodists (schools) the sentence is
/// about, `worst` the largest class among all they hold.
fn taken_by(places: u64, worst: u8, class: u8, by_whom: (&str, &str)) -> String {
    if places == 0 || worst > class {
        String::new()
    } else if places == 1 {
        format!(
            "; единственное место занято {} с приоритетом не ниже {class}",
            by_whom.0
        )
    } else {
        format!(
            "; все {places} {} заняты {} с приоритетом не ниже {class}",
            plural(places, "место", "места", "мест"),
            by_whom.1
        )
    }
}

// ---- methodists: preferences and reasons ----------------------------------------

/// How a teacher's and a methodist's places relate (preference (3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Same,
    Remote,
    Unbound,
    Other,
}

impl Place {
    fn of(teacher: Option<&MunicipalityCode>, methodist: &MethodistSlot) -> Place {
        if methodist.municipality.is_some() && teacher == methodist.municipality.as_ref() {
            Place::Same
        } else if methodist.remote {
            Place::Remote
        } else if methodist.municipality.is_none() {
            Place::Unbound
        } else {
            Place::Other
        }
    }

    fn matches(self) -> bool {
        self != Place::Other
    }

    fn reason(self) -> &'static str {
        match self {
            Place::Same => "тот же муниципалитет",
            Place::Remote => "методист работает дистанционно",
            Place::Unbound => "методист без привязки к муниципалитету",
            Place::Other => "другой муниципалитет",
        }
    }
}

/// The methodist's first subject (as the methodist writes it) in the
/// teacher's normalised `subjects`.
fn shared_subject<'a>(subjects: &[String], methodist: &'a MethodistSlot) -> Option<&'a str> {
    methodist
        .subjects
        .iter()
        .find(|s| subjects.binary_search(&normalize_subject(s)).is_ok())
        .map(|s| s.trim())
}

/// «приоритет 2: молодой педагог (стаж менее 3 лет)» and the like.
fn priority_reason(policy: &MatchPolicy, names: &LevelNames, teacher: &TeacherNeed) -> String {
    let what = match teacher.kind {
        NeedKind::Critical => format!("уровень «{}»", names.critical),
        NeedKind::High => format!("уровень «{}»", names.high),
        NeedKind::Reduced => format!("уровень «{}»", names.reduced),
        NeedKind::YoungOrNew if teacher.young => {
            let y = policy.young_under_years;
            format!(
                "молодой педагог (стаж менее {y} {})",
                plural(y.into(), "года", "лет", "лет")
            )
        }
        NeedKind::YoungOrNew if teacher.newly_hired => {
            let d = policy.newly_hired_days;
            format!(
                "принят на работу не более {d} {} назад",
                plural(d.into(), "дня", "дней", "дней")
            )
        }
        NeedKind::YoungOrNew => "молодой или вновь принятый педагог".into(),
    };
    format!("приоритет {}: {what}", teacher.class)
}

/// The reasons of one assignment, in the order of the brief: kept,
/// priority, subject, place, load.
fn methodist_assignment(
    policy: &MatchPolicy,
    names: &LevelNames,
    teacher: &TeacherNeed,
    subjects: &[String],
    methodist: &MethodistSlot,
    kept: bool,
    load: u32,
) -> MethodistAssignment {
    let mut reasons = Vec::with_capacity(5);
    if kept {
        reasons.push("назначение сохраняется".to_string());
    }
    reasons.push(priority_reason(policy, names, teacher));
    let subject = shared_subject(subjects, methodist);
    reasons.push(match subject {
        _ if subjects.is_empty() => "у педагога не указан предмет".into(),
        Some(s) => format!("совпадает предмет: {s}"),
        None => match subject_list(&methodist.subjects) {
            list if list.is_empty() => {
                "предмет не совпадает (у методиста не указан предмет)".into()
            }
            list => format!("предмет не совпадает (у методиста: {list})"),
        },
    });
    let place = Place::of(teacher.municipality.as_ref(), methodist);
    reasons.push(place.reason().into());
    reasons.push(format!("нагрузка {load} из {}", methodist.capacity));
    MethodistAssignment {
        teacher: teacher.login.clone(),
        methodist: methodist.login.clone(),
        kept,
        class: teacher.class,
        subject: subject.map(str::to_string),
        municipality_match: place.matches(),
        load,
        capacity: methodist.capacity,
        reasons,
    }
}

// ---- methodists: the run --------------------------------------------------------

/// Matches regional methodists to the teachers who need one (`rules.md`,
/// «Methodists»), exactly optimal for the policy's objective.
///
/// `needs`: every teacher who needs a methodist, with the class
/// [`MatchPolicy::teacher_need`] gives; `methodists`: every active
/// methodist; `active`: the existing active assignments (teacher,
/// methodist). A login listed twice counts once (the first entry).
///
/// - An active assignment whose teacher still needs one and whose methodist
///   is still active is kept, even over the capacity; any other becomes an
///   [`Ending`], and its teacher, if still in need, is matched anew. A
///   teacher with several such assignments keeps the best one (subject,
///   then place, then the smaller methodist login); a pair of a teacher
///   with themselves is never kept.
/// - A methodist takes at most `capacity − kept` new teachers, and never
///   themselves.
/// - Among the new assignments the run maximises, in strict order, the
///   number assigned in class 1, 2, 3, 4, then subject matches, then
///   municipality matches (each when the policy asks), and minimises
///   Σ load²/capacity (when it asks). Between equal options the teacher
///   with the smaller login is served first.
///
/// How: a minimum-cost flow ([`crate::mcf`]) with the objective as a
/// lexicographic cost, which is exact where weights would overflow. Each
/// teacher not kept has a unit arc from the source, priced by their class
/// and added in login order, into the node of their profile (subjects,
/// municipality). A profile reaches the methodists through a relay per
/// subject it has and one for any subject, and the relays through hubs,
/// one per subject (or any) and kind of place (municipality m, remote or
/// without one, anywhere); each arc is priced by the match it promises. A
/// hub promises no more than its members give, and each pair's true match
/// has its hub, so the cheapest flow never takes a worse hub when a better
/// one reaches the same methodist: the optimum is exact with arcs in the
/// order of profiles and subjects × municipalities instead of teachers ×
/// methodists (10,000 × 500 would be five million). A teacher who is also
/// a methodist has a node of their own, which reaches each hub holding
/// them through the pieces of a segment tree over its members that leave
/// them out. A methodist's load term is a chain of unit arcs to the sink
/// with increasing marginal costs (the term is convex), needed only when
/// the places may not all be filled.
pub fn match_methodists(
    policy: &MatchPolicy,
    names: &LevelNames,
    needs: &[TeacherNeed],
    methodists: &[MethodistSlot],
    active: &[(Login, Login)],
) -> MethodistMatch {
    let teachers = first_by(needs, |t| &t.login);
    let ms = first_by(methodists, |m| &m.login);
    let t_at: HashMap<&Login, usize> = teachers
        .iter()
        .enumerate()
        .map(|(i, t)| (&t.login, i))
        .collect();
    let m_at: HashMap<&Login, usize> = ms.iter().enumerate().map(|(j, m)| (&m.login, j)).collect();
    let t_subj: Vec<Vec<String>> = teachers.iter().map(|t| subject_set(&t.subjects)).collect();
    let m_subj: Vec<Vec<String>> = ms.iter().map(|m| subject_set(&m.subjects)).collect();

    // Kept assignments and endings.
    let mut kept: Vec<Option<usize>> = vec![None; teachers.len()];
    let mut endings = Vec::new();
    let mut candidates: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let pairs: BTreeSet<(&Login, &Login)> = active.iter().map(|(t, m)| (t, m)).collect();
    for (t, m) in pairs {
        let why = match (t_at.get(t), m_at.get(m)) {
            (None, _) => "педагог больше не нуждается в сопровождении",
            (Some(_), None) => "методист больше не ведёт подопечных",
            _ if t == m => "педагог не может быть своим методистом",
            (Some(&i), Some(&j)) => {
                candidates.entry(i).or_default().push(j);
                continue;
            }
        };
        endings.push(Ending {
            who: t.to_string(),
            with: m.to_string(),
            why: why.into(),
        });
    }
    for (i, list) in candidates {
        let place = |j: usize| Place::of(teachers[i].municipality.as_ref(), ms[j]).matches();
        let best = *list
            .iter()
            .max_by_key(|&&j| {
                (
                    intersect(&t_subj[i], &m_subj[j]),
                    place(j),
                    std::cmp::Reverse(&ms[j].login),
                )
            })
            .expect("a candidate");
        kept[i] = Some(best);
        for j in list.into_iter().filter(|&j| j != best) {
            endings.push(Ending {
                who: teachers[i].login.to_string(),
                with: ms[j].login.to_string(),
                why: format!("у педагога сохраняется другой методист: {}", ms[best].login),
            });
        }
    }
    endings.sort_by(|a, b| (&a.who, &a.with).cmp(&(&b.who, &b.with)));

    let mut load = vec![0u32; ms.len()];
    for &j in kept.iter().flatten() {
        load[j] += 1;
    }
    let open: Vec<u32> = ms
        .iter()
        .zip(&load)
        .map(|(m, k)| m.capacity.saturating_sub(*k))
        .collect();
    let fresh = MethodistGraph::solve(
        policy, &teachers, &t_subj, &ms, &m_subj, &load, &open, &kept,
    );

    let mut worst = vec![0u8; ms.len()];
    for (i, t) in teachers.iter().enumerate() {
        if let Some(j) = kept[i].or(fresh[i]) {
            worst[j] = worst[j].max(t.class);
            if fresh[i].is_some() {
                load[j] += 1;
            }
        }
    }

    let mut result = MethodistMatch {
        endings,
        ..Default::default()
    };
    // By the subjects as the teacher writes them: the reason names them so.
    let mut facts: HashMap<&[String], WhyFacts> = HashMap::new();
    for (i, t) in teachers.iter().enumerate() {
        let (j, was_kept) = match (kept[i], fresh[i]) {
            (Some(j), _) => (j, true),
            (None, Some(j)) => (j, false),
            (None, None) => {
                let why = MethodistWhy {
                    teacher: t,
                    subjects: &t_subj[i],
                    ms: &ms,
                    m_subj: &m_subj,
                    load: &load,
                    worst: &worst,
                };
                let f = match m_at.get(&t.login) {
                    Some(&me) => why.facts(Some(me)),
                    None => facts
                        .entry(&t.subjects)
                        .or_insert_with(|| why.facts(None))
                        .clone(),
                };
                result.unassigned.push(Unmatched {
                    who: t.login.to_string(),
                    class: t.class,
                    why: f.text(t.class, ("педагогом", "педагогами")),
                });
                continue;
            }
        };
        result.assignments.push(methodist_assignment(
            policy, names, t, &t_subj[i], ms[j], was_kept, load[j],
        ));
    }
    result
        .unassigned
        .sort_by(|a, b| (a.class, &a.who).cmp(&(b.class, &b.who)));
    result
}

/// What an unassigned teacher's (school's) reason says, before its class.
#[derive(Debug, Clone)]
struct WhyFacts {
    text: String,
    /// The capacity of the methodists the text is about.
    places: u64,
    /// The largest class they hold.
    worst: u8,
}

impl WhyFacts {
    fn text(&self, class: u8, by_whom: (&str, &str)) -> String {
        format!(
            "{}{}",
            self.text,
            taken_by(self.places, self.worst, class, by_whom)
        )
    }
}

struct MethodistWhy<'a> {
    teacher: &'a TeacherNeed,
    subjects: &'a [String],
    ms: &'a [&'a MethodistSlot],
    m_subj: &'a [Vec<String>],
    load: &'a [u32],
    worst: &'a [u8],
}

impl MethodistWhy<'_> {
    /// The facts behind the reason, computed, not assumed: `me` is the
    /// teacher's own methodist record, if any.
    fn facts(&self, me: Option<usize>) -> WhyFacts {
        let others: Vec<usize> = (0..self.ms.len()).filter(|j| Some(*j) != me).collect();
        let about = |text: String, set: &[usize]| {
            let full = set.iter().all(|&j| self.load[j] >= self.ms[j].capacity);
            debug_assert!(full, "a teacher left while a methodist has room");
            WhyFacts {
                text: if full {
                    text
                } else {
                    "не удалось подобрать методиста".into()
                },
                places: set.iter().map(|&j| u64::from(self.ms[j].capacity)).sum(),
                worst: set.iter().map(|&j| self.worst[j]).max().unwrap_or(0),
            }
        };
        let none = |text: &str| WhyFacts {
            text: text.into(),
            places: 0,
            worst: 0,
        };
        if self.ms.is_empty() {
            return none("в регионе нет региональных методистов");
        }
        if others.is_empty() {
            return none("в регионе нет других региональных методистов");
        }
        if self.subjects.is_empty() {
            return about("нет свободных мест у методистов".into(), &others);
        }
        let sharing: Vec<usize> = others
            .iter()
            .copied()
            .filter(|&j| intersect(self.subjects, &self.m_subj[j]))
            .collect();
        if sharing.is_empty() {
            let text = format!(
                "нет методистов {}, а у остальных нет свободных мест",
                by_subjects(&self.teacher.subjects)
            );
            return about(text, &others);
        }
        let shared: Vec<String> = self
            .teacher
            .subjects
            .iter()
            .filter(|s| {
                let n = normalize_subject(s);
                sharing
                    .iter()
                    .any(|&j| self.m_subj[j].binary_search(&n).is_ok())
            })
            .cloned()
            .collect();
        let text = format!("нет свободных мест у методистов {}", by_subjects(&shared));
        about(text, &sharing)
    }
}

/// Where a group of teachers may go: a subject (interned) or any, and a
/// place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum HubPlace {
    /// Methodists of this municipality (interned) who are not remote.
    Local(u32),
    /// Remote methodists and those without a municipality.
    Remote,
    Anywhere,
}

type HubKey = (Option<u32>, HubPlace);

/// The flow network of one run of [`match_methodists`].
struct MethodistGraph<'a> {
    net: Network<Lex>,
    ms: &'a [&'a MethodistSlot],
    m_sid: Vec<Vec<u32>>,
    m_mid: Vec<Option<u32>>,
    /// Methodists with room for a new teacher have a node.
    m_node: Vec<Option<Node>>,
    hub_of: HashMap<HubKey, Option<usize>>,
    relays: HashMap<(Option<u32>, Option<u32>), Option<Node>>,
    /// Each hub's node and its members (methodist indices, ascending).
    hubs: Vec<(Node, Vec<usize>)>,
    /// Nodes for parts of a hub (hub, from, to), for those who must not
    /// reach one of its members: themselves.
    ranges: HashMap<(usize, usize, usize), Node>,
}

impl<'a> MethodistGraph<'a> {
    /// The new methodist of each teacher not kept, `None` when none.
    #[allow(clippy::too_many_arguments)]
    fn solve(
        policy: &MatchPolicy,
        teachers: &[&TeacherNeed],
        t_subj: &[Vec<String>],
        ms: &'a [&'a MethodistSlot],
        m_subj: &[Vec<String>],
        kept_load: &[u32],
        open: &[u32],
        kept: &[Option<usize>],
    ) -> Vec<Option<usize>> {
        let mut fresh = vec![None; teachers.len()];
        if kept.iter().all(Option::is_some) || open.iter().all(|r| *r == 0) {
            return fresh;
        }
        // Interned subjects and municipalities: hub keys are small.
        let mut subject_id: HashMap<&str, u32> = HashMap::new();
        let mut m_sid: Vec<Vec<u32>> = Vec::with_capacity(ms.len());
        for set in m_subj {
            let mut ids = Vec::with_capacity(set.len());
            for s in set {
                let next = subject_id.len() as u32;
                ids.push(*subject_id.entry(s.as_str()).or_insert(next));
            }
            ids.sort_unstable();
            m_sid.push(ids);
        }
        let mut muni_id: HashMap<&MunicipalityCode, u32> = HashMap::new();
        let mut m_mid: Vec<Option<u32>> = Vec::with_capacity(ms.len());
        for m in ms {
            m_mid.push(m.municipality.as_ref().map(|code| {
                let next = muni_id.len() as u32;
                *muni_id.entry(code).or_insert(next)
            }));
        }

        let mut g = MethodistGraph {
            net: Network::new(),
            ms,
            m_sid,
            m_mid,
            m_node: vec![None; ms.len()],
            hub_of: HashMap::new(),
            relays: HashMap::new(),
            hubs: Vec::new(),
            ranges: HashMap::new(),
        };
        let source = g.net.add_node();
        let sink = g.net.add_node();
        let scale = load_scale(
            (0..ms.len())
                .filter(|&j| open[j] > 0)
                .map(|j| ms[j].capacity),
        );
        // With more teachers than places, plus one per methodist (who
        // cannot take themselves), Hall's condition holds: every place can
        // be filled, and every optimum fills them all (the class order
        // makes the number assigned maximal: a greedy basis of a transversal
        // matroid). Then every optimum has the same balance, and the load
        // needs no chain of marginal costs — the chains are what make the
        // flow take many phases.
        let free = kept.iter().filter(|k| k.is_none()).count() as u64;
        let seats: u64 = open.iter().map(|r| u64::from(*r)).sum();
        let open_count = open.iter().filter(|r| **r > 0).count() as u64;
        let balance = policy.balance_load && free < seats + open_count;
        for j in (0..ms.len()).filter(|&j| open[j] > 0) {
            let v = g.net.add_node();
            g.m_node[j] = Some(v);
            if balance {
                let unit = scale / i128::from(ms[j].capacity);
                for k in 1..=open[j] {
                    let after = i128::from(kept_load[j] + k);
                    g.net.add_arc(v, sink, 1, Lex::load((2 * after - 1) * unit));
                }
            } else {
                g.net.add_arc(v, sink, i64::from(open[j]), Lex::default());
            }
        }

        // Teachers the objective cannot tell apart but by class share a
        // node (a profile: subjects, municipality); a teacher who is a
        // methodist with room has a node of their own, so that no path
        // leads to themselves.
        type Profile = (Vec<u32>, Option<u32>);
        let mut profiles: BTreeMap<Profile, Vec<usize>> = BTreeMap::new();
        let mut alone: Vec<(usize, usize)> = Vec::new();
        let m_at: HashMap<&Login, usize> =
            ms.iter().enumerate().map(|(j, m)| (&m.login, j)).collect();
        let mut t_sid: Vec<Vec<u32>> = vec![Vec::new(); teachers.len()];
        let mut t_mid: Vec<Option<u32>> = vec![None; teachers.len()];
        for (i, t) in teachers.iter().enumerate() {
            if kept[i].is_some() {
                continue;
            }
            if policy.prefer_subject {
                // A subject no methodist teaches leads nowhere.
                t_sid[i] = t_subj[i]
                    .iter()
                    .filter_map(|s| subject_id.get(s.as_str()).copied())
                    .collect();
                t_sid[i].sort_unstable();
            }
            if policy.prefer_municipality {
                t_mid[i] = t
                    .municipality
                    .as_ref()
                    .and_then(|m| muni_id.get(m).copied());
            }
            match m_at
                .get(&t.login)
                .copied()
                .filter(|&j| g.m_node[j].is_some())
            {
                Some(me) => alone.push((i, me)),
                None => profiles
                    .entry((t_sid[i].clone(), t_mid[i]))
                    .or_default()
                    .push(i),
            }
        }

        let mut node_of: Vec<Option<Node>> = vec![None; teachers.len()];
        for ((subjects, place), members) in profiles {
            let v = g.net.add_node();
            for subject in &subjects {
                if let Some(q) = g.relay(Some(*subject), place, policy) {
                    g.net.add_arc(v, q, UNLIMITED, Lex::prefs(true, false));
                }
            }
            if let Some(q) = g.relay(None, place, policy) {
                g.net.add_arc(v, q, UNLIMITED, Lex::default());
            }
            for i in members {
                node_of[i] = Some(v);
            }
        }
        for (i, me) in alone {
            let v = g.net.add_node();
            let subject_options = t_sid[i].iter().map(|s| Some(*s)).chain([None]);
            for subject in subject_options {
                for p in places(t_mid[i], policy) {
                    let cost = Lex::prefs(subject.is_some(), p != HubPlace::Anywhere);
                    g.connect(v, (subject, p), cost, Some(me));
                }
            }
            node_of[i] = Some(v);
        }
        // One unit arc per teacher, in login order: each phase pushes flow
        // along the source's arcs in that order, so between equal options
        // the smaller login is served first.
        let entries: Vec<(usize, Node, mcf::Arc)> = node_of
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let v = (*v)?;
                Some((
                    i,
                    v,
                    g.net.add_arc(source, v, 1, Lex::class(teachers[i].class)),
                ))
            })
            .collect();

        g.net.solve(source, sink, Goal::Cheapest);

        // Back from flows to teachers: the teachers each node serves, and
        // the methodists its flow reaches, followed down through relays,
        // hubs and parts of hubs.
        let mut served: BTreeMap<Node, Vec<usize>> = BTreeMap::new();
        for &(i, v, arc) in &entries {
            if g.net.flow(arc) > 0 {
                served.entry(v).or_default().push(i);
            }
        }
        let n = g.net.node_count();
        let mut node_m: Vec<Option<usize>> = vec![None; n];
        for (j, v) in g.m_node.iter().enumerate() {
            if let Some(v) = v {
                node_m[*v] = Some(j);
            }
        }
        let out: Vec<Vec<mcf::Arc>> = (0..n).map(|u| g.net.arcs_from(u).collect()).collect();
        let mut rest = vec![0i64; g.net.arc_count()];
        for a in out.iter().flatten() {
            rest[a.index()] = g.net.flow(*a);
        }
        let mut next = vec![0usize; n];
        let mut path = Vec::new();
        for (v, who) in served {
            let mut left = who.len() as i64;
            let mut units: Vec<(usize, i64)> = Vec::new();
            while left > 0 {
                path.clear();
                let mut u = v;
                while node_m[u].is_none() {
                    while rest[out[u][next[u]].index()] == 0 {
                        next[u] += 1;
                    }
                    let a = out[u][next[u]];
                    path.push(a);
                    u = g.net.head(a);
                }
                let f = path
                    .iter()
                    .map(|a| rest[a.index()])
                    .min()
                    .unwrap_or(left)
                    .min(left);
                for a in &path {
                    rest[a.index()] -= f;
                }
                left -= f;
                units.push((node_m[u].expect("a methodist"), f));
            }
            units.sort_unstable();
            let to = units
                .iter()
                .flat_map(|&(j, f)| std::iter::repeat_n(j, f as usize));
            for (i, j) in who.into_iter().zip(to) {
                fresh[i] = Some(j);
            }
        }
        fresh
    }

    /// The node through which teachers of municipality `place` reach the
    /// methodists of `subject` (or of any subject): arcs to the hubs of each
    /// place kind, priced by the place match; made on first use, `None`
    /// when no hub has a member.
    fn relay(
        &mut self,
        subject: Option<u32>,
        place: Option<u32>,
        policy: &MatchPolicy,
    ) -> Option<Node> {
        if let Some(v) = self.relays.get(&(subject, place)) {
            return *v;
        }
        let hubs: Vec<(Node, Lex)> = places(place, policy)
            .into_iter()
            .filter_map(|p| {
                let hub = self.hub((subject, p))?;
                Some((self.hubs[hub].0, Lex::prefs(false, p != HubPlace::Anywhere)))
            })
            .collect();
        let relay = (!hubs.is_empty()).then(|| {
            let v = self.net.add_node();
            for (hub, cost) in hubs {
                self.net.add_arc(v, hub, UNLIMITED, cost);
            }
            v
        });
        self.relays.insert((subject, place), relay);
        relay
    }

    /// An arc from a group to a hub, or, for a teacher who is the hub's
    /// member `me`, to the parts of the hub without them.
    fn connect(&mut self, from: Node, key: HubKey, cost: Lex, me: Option<usize>) {
        let Some(hub) = self.hub(key) else {
            return;
        };
        let (node, members) = &self.hubs[hub];
        let (node, len) = (*node, members.len());
        match me.and_then(|j| members.binary_search(&j).ok()) {
            None => {
                self.net.add_arc(from, node, UNLIMITED, cost);
            }
            Some(p) => {
                let mut parts = Vec::new();
                cover(0, len, 0, p, &mut parts);
                cover(0, len, p + 1, len, &mut parts);
                for (lo, hi) in parts {
                    let to = self.range(hub, lo, hi);
                    self.net.add_arc(from, to, UNLIMITED, cost);
                }
            }
        }
    }

    /// The hub of `key`, made on first use; `None` when it has no member.
    fn hub(&mut self, key: HubKey) -> Option<usize> {
        if let Some(h) = self.hub_of.get(&key) {
            return *h;
        }
        let (subject, place) = key;
        let members: Vec<usize> = (0..self.ms.len())
            .filter(|&j| {
                let m = self.ms[j];
                self.m_node[j].is_some()
                    && subject.is_none_or(|s| self.m_sid[j].binary_search(&s).is_ok())
                    && match place {
                        HubPlace::Local(p) => !m.remote && self.m_mid[j] == Some(p),
                        HubPlace::Remote => m.remote || m.municipality.is_none(),
                        HubPlace::Anywhere => true,
                    }
            })
            .collect();
        let hub = (!members.is_empty()).then(|| {
            let node = self.net.add_node();
            for &j in &members {
                let to = self.m_node[j].expect("a member has room");
                self.net.add_arc(node, to, UNLIMITED, Lex::default());
            }
            self.hubs.push((node, members));
            self.hubs.len() - 1
        });
        self.hub_of.insert(key, hub);
        hub
    }

    /// The node for members `lo..hi` of a hub: a segment tree, so that
    /// "all but one" is O(log n) arcs.
    fn range(&mut self, hub: usize, lo: usize, hi: usize) -> Node {
        if hi - lo == 1 {
            let j = self.hubs[hub].1[lo];
            return self.m_node[j].expect("a member has room");
        }
        if let Some(&v) = self.ranges.get(&(hub, lo, hi)) {
            return v;
        }
        let v = self.net.add_node();
        let mid = (lo + hi) / 2;
        for (a, b) in [(lo, mid), (mid, hi)] {
            let to = self.range(hub, a, b);
            self.net.add_arc(v, to, UNLIMITED, Lex::default());
        }
        self.ranges.insert((hub, lo, hi), v);
        v
    }
}

/// The place kinds a teacher of municipality `place` may be matched
/// through, the best first.
fn places(place: Option<u32>, policy: &MatchPolicy) -> Vec<HubPlace> {
    let mut places = Vec::with_capacity(3);
    if policy.prefer_municipality {
        places.extend(place.map(HubPlace::Local));
        places.push(HubPlace::Remote);
    }
    places.push(HubPlace::Anywhere);
    places
}

/// The canonical segment-tree pieces of `a..b` within `lo..hi`.
fn cover(lo: usize, hi: usize, a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
    if b <= lo || hi <= a || a >= b {
        return;
    }
    if a <= lo && hi <= b {
        out.push((lo, hi));
        return;
    }
    let mid = (lo + hi) / 2;
    cover(lo, mid, a, b, out);
    cover(mid, hi, a, b, out);
}

// ---- mentor schools: the run ----------------------------------------------------

/// «приоритет 1: критические значения мониторинга», «приоритет 2: кластер
/// ШНОР, ШсРНР».
fn school_priority(need: &SchoolNeed) -> String {
    let clusters = need
        .clusters
        .iter()
        .map(|c| c.short())
        .collect::<Vec<_>>()
        .join(", ");
    let what = if need.class <= 1 || (clusters.is_empty() && need.critical_monitoring) {
        "критические значения мониторинга".to_string()
    } else if clusters.is_empty() {
        "кластер не указан".to_string()
    } else {
        format!("кластер {clusters}")
    };
    format!("приоритет {}: {what}", need.class)
}

fn school_type(rural: bool) -> &'static str {
    if rural {
        "сельская"
    } else {
        "городская"
    }
}

fn school_assignment(
    need: &SchoolNeed,
    mentor: &MentorSlot,
    kept: bool,
    load: u32,
) -> SchoolAssignment {
    let same_municipality = need.municipality == mentor.municipality;
    let same_type = need.rural == mentor.rural;
    let mut reasons = Vec::with_capacity(5);
    if kept {
        reasons.push("назначение сохраняется".to_string());
    }
    reasons.push(school_priority(need));
    reasons.push(
        if same_municipality {
            "тот же муниципалитет"
        } else {
            "другой муниципалитет"
        }
        .into(),
    );
    reasons.push(if same_type {
        format!("тот же тип школы: {}", school_type(need.rural))
    } else {
        "другой тип школы".into()
    });
    reasons.push(format!("нагрузка {load} из {}", mentor.capacity));
    SchoolAssignment {
        school: need.code.clone(),
        mentor_school: mentor.code.clone(),
        kept,
        class: need.class,
        same_municipality,
        same_type,
        load,
        capacity: mentor.capacity,
        reasons,
    }
}

/// Matches mentor schools to the schools that need one (`rules.md`,
/// «Mentor schools»), exactly optimal.
///
/// Like [`match_methodists`]: an active pair is kept while the school needs
/// a mentor and the mentor can still be one (even over its capacity),
/// otherwise it ends; a mentor takes at most `capacity − kept` new schools
/// and never itself. The run maximises, in strict order, the number
/// assigned in class 1, then 2, then those of the same municipality, then
/// those of the same rural/urban type (each when the policy asks); between
/// equal options the smaller school code is served first.
///
/// How: the same minimum-cost flow with a lexicographic cost. The graph is
/// small — schools of equal class, municipality and type form one node
/// (a school that is also a mentor stands alone) with an arc to each
/// mentor — so it needs no hubs.
pub fn match_schools(
    policy: &MatchPolicy,
    needs: &[SchoolNeed],
    mentors: &[MentorSlot],
    active: &[(SchoolCode, SchoolCode)],
) -> SchoolMatch {
    let schools = first_by(needs, |s| &s.code);
    let ms = first_by(mentors, |m| &m.code);
    let s_at: HashMap<&SchoolCode, usize> = schools
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.code, i))
        .collect();
    let m_at: HashMap<&SchoolCode, usize> =
        ms.iter().enumerate().map(|(j, m)| (&m.code, j)).collect();

    let mut kept: Vec<Option<usize>> = vec![None; schools.len()];
    let mut endings = Vec::new();
    let mut candidates: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let pairs: BTreeSet<(&SchoolCode, &SchoolCode)> = active.iter().map(|(s, m)| (s, m)).collect();
    for (s, m) in pairs {
        let why = match (s_at.get(s), m_at.get(m)) {
            (None, _) => "школа больше не нуждается в школе-наставнике",
            (Some(_), None) => "школа больше не может быть наставником",
            _ if s == m => "школа не может быть наставником самой себе",
            (Some(&i), Some(&j)) => {
                candidates.entry(i).or_default().push(j);
                continue;
            }
        };
        endings.push(Ending {
            who: s.to_string(),
            with: m.to_string(),
            why: why.into(),
        });
    }
    for (i, list) in candidates {
        let s = schools[i];
        let best = *list
            .iter()
            .max_by_key(|&&j| {
                (
                    s.municipality == ms[j].municipality,
                    s.rural == ms[j].rural,
                    std::cmp::Reverse(&ms[j].code),
                )
            })
            .expect("a candidate");
        kept[i] = Some(best);
        for j in list.into_iter().filter(|&j| j != best) {
            endings.push(Ending {
                who: s.code.to_string(),
                with: ms[j].code.to_string(),
                why: format!(
                    "у школы сохраняется другая школа-наставник: {}",
                    ms[best].code
                ),
            });
        }
    }
    endings.sort_by(|a, b| (&a.who, &a.with).cmp(&(&b.who, &b.with)));

    let mut load = vec![0u32; ms.len()];
    for &j in kept.iter().flatten() {
        load[j] += 1;
    }
    let open: Vec<u32> = ms
        .iter()
        .zip(&load)
        .map(|(m, k)| m.capacity.saturating_sub(*k))
        .collect();
    let fresh = solve_schools(policy, &schools, &ms, &open, &kept, &m_at);

    let mut worst = vec![0u8; ms.len()];
    for (i, s) in schools.iter().enumerate() {
        if let Some(j) = kept[i].or(fresh[i]) {
            worst[j] = worst[j].max(s.class);
            if fresh[i].is_some() {
                load[j] += 1;
            }
        }
    }
    let facts = |me: Option<usize>| {
        let others: Vec<usize> = (0..ms.len()).filter(|j| Some(*j) != me).collect();
        if ms.is_empty() || others.is_empty() {
            let text = if ms.is_empty() {
                "в регионе нет школ-наставников"
            } else {
                "в регионе нет других школ-наставников"
            };
            return WhyFacts {
                text: text.into(),
                places: 0,
                worst: 0,
            };
        }
        let full = others.iter().all(|&j| load[j] >= ms[j].capacity);
        debug_assert!(full, "a school left while a mentor has room");
        WhyFacts {
            text: if full {
                "нет свободных мест у школ-наставников"
            } else {
                "не удалось подобрать школу-наставника"
            }
            .into(),
            places: others.iter().map(|&j| u64::from(ms[j].capacity)).sum(),
            worst: others.iter().map(|&j| worst[j]).max().unwrap_or(0),
        }
    };
    let mut everyone: Option<WhyFacts> = None;

    let mut result = SchoolMatch {
        endings,
        ..Default::default()
    };
    for (i, s) in schools.iter().enumerate() {
        match (kept[i], fresh[i]) {
            (Some(j), _) => result
                .assignments
                .push(school_assignment(s, ms[j], true, load[j])),
            (None, Some(j)) => result
                .assignments
                .push(school_assignment(s, ms[j], false, load[j])),
            (None, None) => {
                let f = match m_at.get(&s.code) {
                    Some(&me) => facts(Some(me)),
                    None => everyone.get_or_insert_with(|| facts(None)).clone(),
                };
                result.unassigned.push(Unmatched {
                    who: s.code.to_string(),
                    class: s.class,
                    why: f.text(s.class, ("школой", "школами")),
                });
            }
        }
    }
    result
        .unassigned
        .sort_by(|a, b| (a.class, &a.who).cmp(&(b.class, &b.who)));
    result
}

/// The new mentor of each school not kept, `None` when none.
fn solve_schools(
    policy: &MatchPolicy,
    schools: &[&SchoolNeed],
    ms: &[&MentorSlot],
    open: &[u32],
    kept: &[Option<usize>],
    m_at: &HashMap<&SchoolCode, usize>,
) -> Vec<Option<usize>> {
    let mut fresh = vec![None; schools.len()];
    if kept.iter().all(Option::is_some) || open.iter().all(|r| *r == 0) {
        return fresh;
    }
    let mut net: Network<Lex> = Network::new();
    let source = net.add_node();
    let sink = net.add_node();
    let mut m_node = vec![None; ms.len()];
    for j in (0..ms.len()).filter(|&j| open[j] > 0) {
        let v = net.add_node();
        m_node[j] = Some(v);
        net.add_arc(v, sink, i64::from(open[j]), Lex::default());
    }
    type GroupKey<'k> = (
        usize,
        Option<&'k MunicipalityCode>,
        Option<bool>,
        Option<usize>,
    );
    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (i, s) in schools.iter().enumerate() {
        if kept[i].is_some() {
            continue;
        }
        let me = m_at.get(&s.code).copied().filter(|&j| m_node[j].is_some());
        groups
            .entry((
                class_index(s.class),
                policy.prefer_same_municipality.then_some(&s.municipality),
                policy.prefer_same_type.then_some(s.rural),
                me,
            ))
            .or_default()
            .push(i);
    }
    let mut node_of: Vec<Option<Node>> = vec![None; schools.len()];
    let mut arcs = Vec::with_capacity(groups.len());
    for ((_, municipality, rural, me), members) in &groups {
        let v = net.add_node();
        let mut to = Vec::new();
        for (j, m) in ms.iter().enumerate() {
            let Some(w) = m_node[j] else { continue };
            if Some(j) == *me {
                continue;
            }
            let cost = Lex::prefs(
                municipality.is_some_and(|c| *c == m.municipality),
                rural.is_some_and(|r| r == m.rural),
            );
            to.push((j, net.add_arc(v, w, UNLIMITED, cost)));
        }
        for &i in members {
            node_of[i] = Some(v);
        }
        arcs.push((members, to));
    }
    // One unit arc per school, in code order: between equal options the
    // smaller code is served first.
    let entries: Vec<(usize, mcf::Arc)> = node_of
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            Some((
                i,
                net.add_arc(source, (*v)?, 1, Lex::class(schools[i].class)),
            ))
        })
        .collect();
    net.solve(source, sink, Goal::Cheapest);
    let served: BTreeSet<usize> = entries
        .iter()
        .filter(|(_, a)| net.flow(*a) > 0)
        .map(|(i, _)| *i)
        .collect();
    for (members, to) in arcs {
        let who = members.iter().filter(|i| served.contains(i));
        let units = to
            .iter()
            .flat_map(|&(j, a)| std::iter::repeat_n(j, net.flow(a) as usize));
        for (&i, j) in who.zip(units) {
            fresh[i] = Some(j);
        }
    }
    fresh
}

// ---- warnings for hand-made assignments -----------------------------------------

/// Warnings the matching board shows before a hand-made assignment of a
/// teacher to `methodist` (Russian): over capacity, no shared subject,
/// another municipality (when the methodist is neither remote nor without
/// one), the teacher needs no methodist by the rules. The subject and place
/// warnings follow the policy: a preference the region switched off warns
/// of nothing. `load_before` is the methodist's load without this teacher.
pub fn methodist_warnings(
    policy: &MatchPolicy,
    teacher_subjects: &[String],
    teacher_municipality: Option<&MunicipalityCode>,
    needs_one: bool,
    methodist: &MethodistSlot,
    load_before: u32,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let after = load_before.saturating_add(1);
    if after > methodist.capacity {
        warnings.push(format!(
            "у методиста {} будет {after} {} при лимите {}",
            methodist.login,
            plural(after.into(), "подопечный", "подопечных", "подопечных"),
            methodist.capacity
        ));
    }
    let subjects = subject_set(teacher_subjects);
    if policy.prefer_subject
        && !subjects.is_empty()
        && !intersect(&subjects, &subject_set(&methodist.subjects))
    {
        let theirs = match subject_list(&methodist.subjects) {
            list if list.is_empty() => "не указан".to_string(),
            list => list,
        };
        warnings.push(format!(
            "предмет не совпадает: у педагога {}, у методиста {theirs}",
            subject_list(teacher_subjects)
        ));
    }
    if policy.prefer_municipality && Place::of(teacher_municipality, methodist) == Place::Other {
        let ours = teacher_municipality.map_or("не указан".to_string(), |m| m.to_string());
        let theirs = methodist
            .municipality
            .as_ref()
            .map_or(String::new(), |m| m.to_string());
        warnings.push(format!(
            "другой муниципалитет: у педагога {ours}, у методиста {theirs}"
        ));
    }
    if !needs_one {
        warnings.push("педагогу не нужен методист по правилам".into());
    }
    warnings
}

/// Warnings before a hand-made assignment of a school to `mentor`
/// (Russian): the school itself, over capacity, another municipality,
/// another rural/urban type (these two as the policy prefers), the school
/// needs no mentor by the rules (`need` is `None`). `load_before` is the
/// mentor's load without this school.
pub fn mentor_school_warnings(
    policy: &MatchPolicy,
    need: Option<&SchoolNeed>,
    school_municipality: &MunicipalityCode,
    school_rural: bool,
    mentor: &MentorSlot,
    load_before: u32,
    same_school: bool,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if same_school {
        warnings.push("школа не может быть наставником самой себе".into());
    }
    let after = load_before.saturating_add(1);
    if after > mentor.capacity {
        warnings.push(format!(
            "у школы-наставника {} будет {after} {} при лимите {}",
            mentor.code,
            plural(
                after.into(),
                "подопечная школа",
                "подопечные школы",
                "подопечных школ"
            ),
            mentor.capacity
        ));
    }
    if policy.prefer_same_municipality && *school_municipality != mentor.municipality {
        warnings.push(format!(
            "другой муниципалитет: у школы {school_municipality}, у школы-наставника {}",
            mentor.municipality
        ));
    }
    if policy.prefer_same_type && school_rural != mentor.rural {
        warnings.push(format!(
            "другой тип школы: школа {}, школа-наставник {}",
            school_type(school_rural),
            school_type(mentor.rural)
        ));
    }
    if need.is_none() {
        warnings.push("школе не нужна школа-наставник по правилам".into());
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClusterFlag;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn login(s: &str) -> Login {
        Login::parse(s).unwrap()
    }

    fn muni(s: &str) -> MunicipalityCode {
        MunicipalityCode::parse(s).unwrap()
    }

    fn code(s: &str) -> SchoolCode {
        SchoolCode::parse(s).unwrap()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// A teacher of `class` (the kind as the default policy orders them).
    fn teacher(name: &str, class: u8, subjects: &[&str], place: Option<&str>) -> TeacherNeed {
        let kind = NeedKind::ALL[usize::from(class) - 1];
        TeacherNeed {
            login: login(name),
            class,
            kind,
            subjects: strings(subjects),
            municipality: place.map(muni),
            level: match kind {
                NeedKind::Critical => Some(Level::Critical),
                NeedKind::High => Some(Level::High),
                NeedKind::Reduced => Some(Level::Reduced),
                NeedKind::YoungOrNew => None,
            },
            young: kind == NeedKind::YoungOrNew,
            newly_hired: false,
        }
    }

    fn methodist(
        name: &str,
        subjects: &[&str],
        place: Option<&str>,
        remote: bool,
        capacity: u32,
    ) -> MethodistSlot {
        MethodistSlot {
            login: login(name),
            subjects: strings(subjects),
            municipality: place.map(muni),
            remote,
            capacity,
        }
    }

    fn pair(t: &str, m: &str) -> (Login, Login) {
        (login(t), login(m))
    }

    fn run(
        needs: &[TeacherNeed],
        ms: &[MethodistSlot],
        active: &[(Login, Login)],
    ) -> MethodistMatch {
        match_methodists(
            &MatchPolicy::default(),
            &LevelNames::default(),
            needs,
            ms,
            active,
        )
    }

    fn pairs(r: &MethodistMatch) -> Vec<(&str, &str)> {
        r.assignments
            .iter()
            .map(|a| (a.teacher.as_str(), a.methodist.as_str()))
            .collect()
    }

    fn left(r: &MethodistMatch) -> Vec<(&str, &str)> {
        r.unassigned
            .iter()
            .map(|u| (u.who.as_str(), u.why.as_str()))
            .collect()
    }

    #[test]
    fn the_highest_class_gets_the_last_place() {
        let needs = [
            teacher("a", 3, &["Математика"], Some("m1")),
            teacher("b", 1, &["Математика"], Some("m1")),
        ];
        let ms = [methodist("x", &["Математика"], Some("m1"), false, 1)];
        let r = run(&needs, &ms, &[]);
        assert_eq!(pairs(&r), [("b", "x")]);
        assert_eq!(
            left(&r),
            [(
                "a",
                "нет свободных мест у методистов по предмету Математика; \
                 единственное место занято педагогом с приоритетом не ниже 3"
            )]
        );
        assert_eq!(r.unassigned[0].class, 3);
    }

    #[test]
    fn subject_before_municipality_before_balance() {
        let needs = [teacher("a", 2, &["математика "], Some("m1"))];
        let ms = [
            methodist("near", &["Физика"], Some("m1"), false, 5),
            methodist("far", &["Математика"], Some("m2"), false, 5),
        ];
        let r = run(&needs, &ms, &[]);
        assert_eq!(pairs(&r), [("a", "far")]);
        let a = &r.assignments[0];
        assert_eq!(a.subject.as_deref(), Some("Математика"));
        assert!(!a.municipality_match);

        // Same subject: the municipality decides; a remote methodist or one
        // without a municipality matches everyone.
        for (far, remote, place) in [
            (Some("m2"), true, "методист работает дистанционно"),
            (None, false, "методист без привязки к муниципалитету"),
        ] {
            let ms = [
                methodist("busy", &["Математика"], Some("m2"), false, 5),
                methodist("z", &["Математика"], far, remote, 5),
            ];
            let r = run(&needs, &ms, &[]);
            assert_eq!(pairs(&r), [("a", "z")]);
            assert!(r.assignments[0].municipality_match);
            assert!(r.assignments[0].reasons.contains(&place.to_string()));
        }
    }

    #[test]
    fn the_load_is_balanced_exactly() {
        // Three equal teachers, capacities 2 and 4: loads (1, 2) give
        // 1/2 + 4/4 = 1.5, better than (2, 1) = 2.25 or (0, 3) = 2.25.
        let needs: Vec<TeacherNeed> = ["a", "b", "c"]
            .iter()
            .map(|t| teacher(t, 3, &["Химия"], Some("m1")))
            .collect();
        let ms = [
            methodist("x", &["Химия"], Some("m1"), false, 2),
            methodist("y", &["Химия"], Some("m1"), false, 4),
        ];
        let r = run(&needs, &ms, &[]);
        let on = |m: &str| {
            r.assignments
                .iter()
                .filter(|a| a.methodist.as_str() == m)
                .count()
        };
        assert_eq!((on("x"), on("y")), (1, 2));
        // Kept ones count in the load: with c kept on x, a and b on y give
        // 1/2 + 4/4 = 1.5, one each 4/2 + 1/4 = 2.25.
        let r = run(&needs, &ms, &[pair("c", "x")]);
        assert_eq!(pairs(&r), [("a", "y"), ("b", "y"), ("c", "x")]);
        assert!(r.assignments[2].kept);
        // A teacher who needs none any more frees the place.
        let r = run(&needs[..2], &ms, &[pair("c", "x")]);
        assert_eq!(pairs(&r), [("a", "x"), ("b", "y")]);
        assert_eq!(r.endings.len(), 1);
    }

    #[test]
    fn reasons_name_everything_in_order() {
        let names = LevelNames {
            critical: "красный".into(),
            ..LevelNames::default()
        };
        let needs = [teacher("a", 1, &[" математика"], Some("m1"))];
        let ms = [methodist(
            "x",
            &["Математика", "Физика"],
            Some("m1"),
            false,
            5,
        )];
        let r = match_methodists(&MatchPolicy::default(), &names, &needs, &ms, &[]);
        assert_eq!(
            r.assignments[0].reasons,
            [
                "приоритет 1: уровень «красный»",
                "совпадает предмет: Математика",
                "тот же муниципалитет",
                "нагрузка 1 из 5",
            ]
        );
        let r = match_methodists(
            &MatchPolicy::default(),
            &names,
            &needs,
            &ms,
            &[pair("a", "x")],
        );
        assert!(r.assignments[0].kept);
        assert_eq!(r.assignments[0].reasons[0], "назначение сохраняется");
        assert_eq!(r.assignments[0].reasons.len(), 5);
    }

    #[test]
    fn priority_reasons() {
        let policy = MatchPolicy {
            young_under_years: 1,
            newly_hired_days: 21,
            ..MatchPolicy::default()
        };
        let names = LevelNames::default();
        let mut t = teacher("a", 2, &[], None);
        assert_eq!(
            priority_reason(&policy, &names, &t),
            "приоритет 2: молодой педагог (стаж менее 1 года)"
        );
        t.young = false;
        t.newly_hired = true;
        assert_eq!(
            priority_reason(&policy, &names, &t),
            "приоритет 2: принят на работу не более 21 дня назад"
        );
        let d = MatchPolicy::default();
        assert_eq!(
            priority_reason(&d, &names, &t),
            "приоритет 2: принят на работу не более 365 дней назад"
        );
        t.young = true;
        assert_eq!(
            priority_reason(&d, &names, &t),
            "приоритет 2: молодой педагог (стаж менее 3 лет)"
        );
        // The class is the actual one, whatever the kind.
        let mut h = teacher("b", 3, &[], None);
        h.class = 1;
        assert_eq!(
            priority_reason(&d, &names, &h),
            "приоритет 1: уровень «высокий»"
        );
        assert_eq!(
            priority_reason(&d, &names, &teacher("c", 4, &[], None)),
            "приоритет 4: уровень «пониженный»"
        );
    }

    #[test]
    fn subject_and_place_reasons_when_nothing_matches() {
        let needs = [
            teacher("a", 3, &["Биология"], Some("m1")),
            teacher("b", 3, &[], Some("m1")),
        ];
        let ms = [methodist(
            "x",
            &["Физика", " химия", "физика"],
            Some("m2"),
            false,
            5,
        )];
        let r = run(&needs, &ms, &[]);
        assert_eq!(
            r.assignments[0].reasons[1..3],
            [
                "предмет не совпадает (у методиста: Физика, химия)",
                "другой муниципалитет"
            ]
        );
        assert_eq!(r.assignments[1].reasons[1], "у педагога не указан предмет");
        assert_eq!(r.assignments[1].subject, None);
        let ms = [methodist("x", &[], Some("m2"), false, 5)];
        let r = run(&needs[..1], &ms, &[]);
        assert_eq!(
            r.assignments[0].reasons[1],
            "предмет не совпадает (у методиста не указан предмет)"
        );
    }

    #[test]
    fn kept_even_over_capacity_and_endings() {
        let needs = [
            teacher("a", 4, &["Физика"], Some("m1")),
            teacher("b", 4, &["Физика"], Some("m1")),
            teacher("c", 1, &["Физика"], Some("m1")),
            teacher("d", 2, &["Физика"], Some("m1")),
        ];
        let ms = [
            methodist("x", &["Физика"], Some("m1"), false, 1),
            methodist("y", &["Химия"], Some("m2"), false, 1),
        ];
        let active = [
            pair("a", "x"),
            pair("b", "x"),
            pair("b", "x"),
            pair("gone", "x"),
            pair("d", "left"),
        ];
        let r = run(&needs, &ms, &active);
        // a and b keep x (load 2 of 1); c (class 1) takes y; d's methodist
        // left and nothing is free.
        assert_eq!(pairs(&r), [("a", "x"), ("b", "x"), ("c", "y")]);
        assert!(r.assignments[0].kept && r.assignments[1].kept);
        assert!(!r.assignments[2].kept);
        assert_eq!((r.assignments[0].load, r.assignments[0].capacity), (2, 1));
        assert_eq!(
            r.endings,
            [
                Ending {
                    who: "d".into(),
                    with: "left".into(),
                    why: "методист больше не ведёт подопечных".into()
                },
                Ending {
                    who: "gone".into(),
                    with: "x".into(),
                    why: "педагог больше не нуждается в сопровождении".into()
                },
            ]
        );
        // All 2 places are taken, but by a class 4 teacher among others:
        // the reason does not claim priority.
        assert_eq!(
            left(&r),
            [("d", "нет свободных мест у методистов по предмету Физика")]
        );
    }

    #[test]
    fn one_kept_methodist_per_teacher() {
        let needs = [teacher("a", 1, &["Физика"], Some("m1"))];
        let ms = [
            methodist("x", &["Химия"], Some("m1"), false, 3),
            methodist("y", &["Физика"], Some("m2"), false, 3),
            methodist("z", &["Физика"], Some("m1"), false, 3),
        ];
        let active = [pair("a", "x"), pair("a", "y"), pair("a", "z")];
        let r = run(&needs, &ms, &active);
        assert_eq!(pairs(&r), [("a", "z")]);
        assert!(r.assignments[0].kept);
        assert_eq!(r.endings.len(), 2);
        assert!(
            r.endings
                .iter()
                .all(|e| e.why == "у педагога сохраняется другой методист: z")
        );
    }

    #[test]
    fn nobody_is_their_own_methodist() {
        // x needs a methodist and is one: the best hub (Физика, m1) holds x
        // itself, so x goes to y.
        let needs = [
            teacher("x", 1, &["Физика"], Some("m1")),
            teacher("t", 4, &["Физика"], Some("m1")),
        ];
        let ms = [
            methodist("x", &["Физика"], Some("m1"), false, 1),
            methodist("y", &["Физика"], Some("m1"), false, 1),
        ];
        let r = run(&needs, &ms, &[pair("x", "x")]);
        assert_eq!(pairs(&r), [("t", "x"), ("x", "y")]);
        assert_eq!(r.endings[0].why, "педагог не может быть своим методистом");
        // Alone in the region.
        let r = run(&needs[..1], &ms[..1], &[]);
        assert_eq!(
            left(&r),
            [("x", "в регионе нет других региональных методистов")]
        );
        let r = run(&needs[..1], &[], &[]);
        assert_eq!(left(&r), [("x", "в регионе нет региональных методистов")]);
    }

    #[test]
    fn self_exclusion_in_a_large_hub() {
        // Many methodists in one hub, several of them teachers in need:
        // each such teacher reaches all but themselves.
        let names: Vec<String> = (0..9).map(|k| format!("m{k}")).collect();
        let ms: Vec<MethodistSlot> = names
            .iter()
            .map(|n| methodist(n, &["Физика"], Some("m1"), false, 1))
            .collect();
        let needs: Vec<TeacherNeed> = names
            .iter()
            .map(|n| teacher(n, 1, &["Физика"], Some("m1")))
            .collect();
        let r = run(&needs, &ms, &[]);
        assert_eq!(r.assignments.len(), 9);
        assert!(r.assignments.iter().all(|a| a.teacher != a.methodist));
        assert!(
            r.assignments
                .iter()
                .all(|a| a.subject.is_some() && a.municipality_match)
        );
    }

    #[test]
    fn smaller_logins_win_ties() {
        let one = [methodist("x", &["Математика"], None, false, 1)];
        // Equal teachers.
        let needs = [
            teacher("b", 2, &["Физика"], Some("m1")),
            teacher("a", 2, &["Физика"], Some("m1")),
        ];
        assert_eq!(pairs(&run(&needs, &one, &[])), [("a", "x")]);
        // Different, but equal for this methodist.
        let needs = [
            teacher("b", 2, &["Физика"], Some("m1")),
            teacher("a", 2, &["Химия"], Some("m2")),
        ];
        assert_eq!(pairs(&run(&needs, &one, &[])), [("a", "x")]);
        let needs = [
            teacher("a", 2, &["Физика"], Some("m1")),
            teacher("b", 2, &["Химия"], Some("m2")),
        ];
        assert_eq!(pairs(&run(&needs, &one, &[])), [("a", "x")]);
        // Two places; a and z are equal, b differs but is as good for x:
        // a and b, not z.
        let two = [methodist("x", &["Математика"], None, false, 2)];
        let needs = [
            teacher("z", 2, &["Физика"], Some("m1")),
            teacher("a", 2, &["Физика"], Some("m1")),
            teacher("b", 2, &["Химия"], Some("m2")),
        ];
        assert_eq!(pairs(&run(&needs, &two, &[])), [("a", "x"), ("b", "x")]);
        // Schools alike.
        let needs = [
            school("Z", 2, "m1", true, &[ClusterFlag::LowResults]),
            school("A", 2, "m1", true, &[ClusterFlag::LowResults]),
            school("B", 2, "m2", false, &[ClusterFlag::LowResults]),
        ];
        let r = match_schools(
            &MatchPolicy::default(),
            &needs,
            &[mentor("M", "m3", true, 2)],
            &[],
        );
        let policy = MatchPolicy {
            prefer_same_type: false,
            ..MatchPolicy::default()
        };
        assert_eq!(school_pairs(&r), [("A", "M"), ("Z", "M")], "the same type");
        let r = match_schools(&policy, &needs, &[mentor("M", "m3", true, 2)], &[]);
        assert_eq!(school_pairs(&r), [("A", "M"), ("B", "M")]);
    }

    #[test]
    fn why_nobody_took_the_teacher() {
        let ms = [
            methodist("x", &["Физика"], Some("m1"), false, 1),
            methodist("y", &["Химия"], Some("m1"), false, 1),
        ];
        let needs = [
            teacher("a", 1, &["Физика"], Some("m1")),
            teacher("b", 1, &["Химия"], Some("m1")),
            teacher("c", 2, &["Физика", "Химия"], Some("m1")),
            teacher("d", 2, &["Биология", "История"], Some("m1")),
            teacher("e", 3, &[], Some("m1")),
        ];
        let r = run(&needs, &ms, &[]);
        assert_eq!(
            left(&r),
            [
                (
                    "c",
                    "нет свободных мест у методистов по предметам Физика, Химия; \
                     все 2 места заняты педагогами с приоритетом не ниже 2"
                ),
                (
                    "d",
                    "нет методистов по предметам Биология, История, а у остальных \
                     нет свободных мест; все 2 места заняты педагогами с приоритетом \
                     не ниже 2"
                ),
                (
                    "e",
                    "нет свободных мест у методистов; все 2 места заняты педагогами \
                     с приоритетом не ниже 3"
                ),
            ]
        );
        // Unassigned: by class, then login.
        let classes: Vec<u8> = r.unassigned.iter().map(|u| u.class).collect();
        assert_eq!(classes, [2, 2, 3]);
    }

    #[test]
    fn preferences_the_policy_switched_off_do_not_count() {
        let needs = [teacher("a", 1, &["Физика"], Some("m1"))];
        let ms = [
            methodist("x", &["Физика"], Some("m1"), false, 1),
            methodist("y", &["Химия"], Some("m2"), false, 10),
        ];
        let policy = MatchPolicy {
            prefer_subject: false,
            prefer_municipality: false,
            ..MatchPolicy::default()
        };
        // Only the balance is left: 1/10 beats 1/1.
        let r = match_methodists(&policy, &LevelNames::default(), &needs, &ms, &[]);
        assert_eq!(pairs(&r), [("a", "y")]);
        // The reasons still tell the truth.
        assert_eq!(
            r.assignments[0].reasons[1],
            "предмет не совпадает (у методиста: Химия)"
        );
    }

    #[test]
    fn warnings_before_a_hand_made_assignment() {
        let policy = MatchPolicy::default();
        let x = methodist("x", &["Химия"], Some("m2"), false, 5);
        let w = methodist_warnings(
            &policy,
            &strings(&["Физика"]),
            Some(&muni("m1")),
            false,
            &x,
            5,
        );
        assert_eq!(
            w,
            [
                "у методиста x будет 6 подопечных при лимите 5",
                "предмет не совпадает: у педагога Физика, у методиста Химия",
                "другой муниципалитет: у педагога m1, у методиста m2",
                "педагогу не нужен методист по правилам",
            ]
        );
        let remote = methodist("r", &["химия "], Some("m2"), true, 1);
        assert!(
            methodist_warnings(&policy, &strings(&["Химия"]), None, true, &remote, 0).is_empty()
        );
        let w = methodist_warnings(&policy, &strings(&["Химия"]), None, true, &x, 0);
        assert_eq!(
            w,
            ["другой муниципалитет: у педагога не указан, у методиста m2"]
        );
        let none = methodist("n", &[], None, false, 0);
        let w = methodist_warnings(&policy, &strings(&["Химия"]), None, true, &none, 0);
        assert_eq!(
            w,
            [
                "у методиста n будет 1 подопечный при лимите 0",
                "предмет не совпадает: у педагога Химия, у методиста не указан",
            ]
        );
        let off = MatchPolicy {
            prefer_subject: false,
            prefer_municipality: false,
            ..MatchPolicy::default()
        };
        assert!(methodist_warnings(&off, &strings(&["Физика"]), None, true, &x, 0).is_empty());

        let mentor = MentorSlot {
            code: code("S2"),
            municipality: muni("m2"),
            rural: false,
            capacity: 2,
        };
        let w = mentor_school_warnings(&policy, None, &muni("m1"), true, &mentor, 2, true);
        assert_eq!(
            w,
            [
                "школа не может быть наставником самой себе",
                "у школы-наставника S2 будет 3 подопечные школы при лимите 2",
                "другой муниципалитет: у школы m1, у школы-наставника m2",
                "другой тип школы: школа сельская, школа-наставник городская",
                "школе не нужна школа-наставник по правилам",
            ]
        );
        let need = school("S1", 1, "m2", false, &[]);
        assert!(
            mentor_school_warnings(&policy, Some(&need), &muni("m2"), false, &mentor, 1, false)
                .is_empty()
        );
    }

    #[test]
    fn plural_forms_and_the_load_scale() {
        let f = |n| plural(n, "место", "места", "мест");
        assert_eq!(
            [1, 2, 5, 11, 12, 21, 22, 25, 111, 101].map(f),
            [
                "место",
                "места",
                "мест",
                "мест",
                "мест",
                "место",
                "места",
                "мест",
                "мест",
                "место"
            ]
        );
        assert_eq!(load_scale([5, 10, 15, 0, 6].into_iter()), 30);
        assert_eq!(load_scale(std::iter::empty()), 1);
        // Too many distinct capacities: a fixed scale.
        assert_eq!(load_scale(1..=200), 1 << 60);
    }

    // ---- schools ----

    fn school(
        c: &str,
        class: u8,
        place: &str,
        rural: bool,
        clusters: &[ClusterFlag],
    ) -> SchoolNeed {
        SchoolNeed {
            code: code(c),
            class,
            municipality: muni(place),
            rural,
            critical_monitoring: class == 1,
            clusters: clusters.to_vec(),
        }
    }

    fn mentor(c: &str, place: &str, rural: bool, capacity: u32) -> MentorSlot {
        MentorSlot {
            code: code(c),
            municipality: muni(place),
            rural,
            capacity,
        }
    }

    fn school_pairs(r: &SchoolMatch) -> Vec<(&str, &str)> {
        r.assignments
            .iter()
            .map(|a| (a.school.as_str(), a.mentor_school.as_str()))
            .collect()
    }

    #[test]
    fn schools_by_class_then_municipality_then_type() {
        use ClusterFlag::*;
        let needs = [
            school("A", 2, "m1", true, &[LowResults, RiskLowResults]),
            school("B", 1, "m1", true, &[]),
            school("C", 2, "m2", false, &[AdverseConditions]),
        ];
        let mentors = [mentor("M1", "m1", false, 1), mentor("M2", "m1", true, 1)];
        let r = match_schools(&MatchPolicy::default(), &needs, &mentors, &[]);
        // B (class 1) first; A and C compete for the other place: A has
        // the same municipality.
        assert_eq!(school_pairs(&r), [("A", "M1"), ("B", "M2")]);
        assert_eq!(
            r.assignments[0].reasons,
            [
                "приоритет 2: кластер ШНОР, ШсРНР",
                "тот же муниципалитет",
                "другой тип школы",
                "нагрузка 1 из 1",
            ]
        );
        assert_eq!(
            r.assignments[1].reasons,
            [
                "приоритет 1: критические значения мониторинга",
                "тот же муниципалитет",
                "тот же тип школы: сельская",
                "нагрузка 1 из 1",
            ]
        );
        assert_eq!(
            r.unassigned,
            [Unmatched {
                who: "C".into(),
                class: 2,
                why: "нет свободных мест у школ-наставников; все 2 места заняты \
                      школами с приоритетом не ниже 2"
                    .into()
            }]
        );
    }

    #[test]
    fn schools_kept_ended_and_never_their_own_mentor() {
        let needs = [
            school("A", 1, "m1", false, &[]),
            school("B", 2, "m1", false, &[ClusterFlag::LowResults]),
        ];
        let mentors = [mentor("A", "m1", false, 1), mentor("M", "m2", true, 1)];
        let active = [
            (code("B"), code("A")),
            (code("A"), code("A")),
            (code("Z"), code("M")),
            (code("B"), code("Q")),
        ];
        let r = match_schools(&MatchPolicy::default(), &needs, &mentors, &active);
        assert_eq!(school_pairs(&r), [("A", "M"), ("B", "A")]);
        assert!(!r.assignments[0].kept && r.assignments[1].kept);
        assert_eq!(r.assignments[1].reasons[0], "назначение сохраняется");
        let whys: Vec<(&str, &str, &str)> = r
            .endings
            .iter()
            .map(|e| (e.who.as_str(), e.with.as_str(), e.why.as_str()))
            .collect();
        assert_eq!(
            whys,
            [
                ("A", "A", "школа не может быть наставником самой себе"),
                ("B", "Q", "школа больше не может быть наставником"),
                ("Z", "M", "школа больше не нуждается в школе-наставнике"),
            ]
        );
        let r = match_schools(&MatchPolicy::default(), &needs[..1], &mentors[..1], &[]);
        assert_eq!(r.unassigned[0].why, "в регионе нет других школ-наставников");
        let r = match_schools(&MatchPolicy::default(), &needs[..1], &[], &[]);
        assert_eq!(r.unassigned[0].why, "в регионе нет школ-наставников");
    }

    #[test]
    fn room_to_spare_leaves_nobody_and_claims_nothing() {
        let needs = [
            school("A", 2, "m2", true, &[ClusterFlag::LowResults]),
            school("B", 2, "m2", false, &[ClusterFlag::LowResults]),
        ];
        let mentors = [mentor("M0", "m1", true, 2), mentor("M1", "m2", true, 3)];
        let r = match_schools(&MatchPolicy::default(), &needs, &mentors, &[]);
        assert_eq!(school_pairs(&r), [("A", "M1"), ("B", "M1")]);
        assert!(r.unassigned.is_empty() && r.endings.is_empty());
        let t = [teacher("a", 1, &["Физика"], Some("m1"))];
        let ms = [methodist("x", &["Физика"], Some("m1"), false, 9)];
        assert!(run(&t, &ms, &[]).unassigned.is_empty());
    }

    // ---- brute force and properties ----

    /// A small random region: up to 7 teachers, up to 3 methodists (some
    /// of them teachers in need), 3 subjects spelled variously, 2
    /// municipalities, remote flags, capacities 0..=3, some active pairs.
    #[derive(Debug, Clone)]
    struct Small {
        policy: MatchPolicy,
        needs: Vec<TeacherNeed>,
        ms: Vec<MethodistSlot>,
        active: Vec<(Login, Login)>,
    }

    const SUBJECTS: [[&str; 2]; 3] = [
        ["Физика", " физика"],
        ["Химия", "ХИМИЯ "],
        ["Математика", "математика"],
    ];

    fn random_subjects(rng: &mut StdRng) -> Vec<String> {
        let mut list = Vec::new();
        for spellings in SUBJECTS {
            if rng.random_bool(0.4) {
                list.push(spellings[rng.random_range(0..2)].to_string());
            }
        }
        list
    }

    fn random_place(rng: &mut StdRng) -> Option<MunicipalityCode> {
        match rng.random_range(0..5) {
            0 => None,
            1 | 2 => Some(muni("m1")),
            _ => Some(muni("m2")),
        }
    }

    fn small(seed: u64) -> Small {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.random_range(0..=7);
        let m = rng.random_range(0..=3);
        let needs: Vec<TeacherNeed> = (0..n)
            .map(|i| {
                let class = rng.random_range(1..=4);
                let mut t = teacher(&format!("t{i}"), class, &[], None);
                t.subjects = random_subjects(&mut rng);
                t.municipality = random_place(&mut rng);
                t
            })
            .collect();
        let ms: Vec<MethodistSlot> = (0..m)
            .map(|k| MethodistSlot {
                login: login(&if rng.random_bool(0.4) {
                    format!("t{k}")
                } else {
                    format!("m{k}")
                }),
                subjects: random_subjects(&mut rng),
                municipality: random_place(&mut rng),
                remote: rng.random_bool(0.3),
                capacity: rng.random_range(0..=3),
            })
            .collect();
        // At most one active pair per teacher (the brute force keeps it as
        // the rules say); some with teachers or methodists that left.
        let mut active = Vec::new();
        for i in 0..9 {
            if rng.random_bool(0.3) {
                let k = rng.random_range(0..5);
                let with = ms.get(k).map_or(format!("m{k}"), |m| m.login.to_string());
                active.push(pair(&format!("t{i}"), &with));
            }
        }
        Small {
            policy: MatchPolicy {
                prefer_subject: rng.random_bool(0.8),
                prefer_municipality: rng.random_bool(0.8),
                balance_load: rng.random_bool(0.8),
                ..MatchPolicy::default()
            },
            needs,
            ms,
            active,
        }
    }

    fn same_subject(t: &TeacherNeed, m: &MethodistSlot) -> bool {
        let norm = |s: &String| s.trim().to_lowercase();
        t.subjects
            .iter()
            .any(|a| m.subjects.iter().any(|b| norm(a) == norm(b)))
    }

    fn same_place(t: &TeacherNeed, m: &MethodistSlot) -> bool {
        m.remote || m.municipality.is_none() || t.municipality == m.municipality
    }

    /// (class counts, subject matches, municipality matches, −Σ
    /// load²·6/capacity), each preference only when the policy asks; to be
    /// maximised. `pairs`: (teacher, methodist) indices, kept included.
    type Value = ([usize; 4], usize, usize, i64);

    fn value(inst: &Small, pairs: &[(usize, usize)]) -> Value {
        let p = &inst.policy;
        let mut classes = [0; 4];
        let (mut subject, mut place) = (0, 0);
        let mut load = vec![0i64; inst.ms.len()];
        for &(i, j) in pairs {
            let (t, m) = (&inst.needs[i], &inst.ms[j]);
            classes[usize::from(t.class) - 1] += 1;
            subject += usize::from(p.prefer_subject && same_subject(t, m));
            place += usize::from(p.prefer_municipality && same_place(t, m));
            load[j] += 1;
        }
        let balance: i64 = if p.balance_load {
            inst.ms
                .iter()
                .zip(&load)
                .filter(|(m, _)| m.capacity > 0)
                .map(|(m, l)| l * l * 6 / i64::from(m.capacity))
                .sum()
        } else {
            0
        };
        (classes, subject, place, -balance)
    }

    /// The kept pairs by the rules, and the best value over every
    /// assignment of the others.
    fn brute(inst: &Small) -> (Vec<(usize, usize)>, Value) {
        let at = |l: &Login| inst.ms.iter().position(|m| &m.login == l);
        let mut kept = Vec::new();
        for (t, m) in &inst.active {
            if let (Some(i), Some(j)) = (inst.needs.iter().position(|n| &n.login == t), at(m))
                && t != m
            {
                kept.push((i, j));
            }
        }
        let free: Vec<usize> = (0..inst.needs.len())
            .filter(|i| !kept.iter().any(|k| k.0 == *i))
            .collect();
        let mut room: Vec<i64> = inst
            .ms
            .iter()
            .enumerate()
            .map(|(j, m)| i64::from(m.capacity) - kept.iter().filter(|k| k.1 == j).count() as i64)
            .collect();
        let mut best = None;
        let mut chosen = kept.clone();
        fn walk(
            inst: &Small,
            free: &[usize],
            room: &mut [i64],
            chosen: &mut Vec<(usize, usize)>,
            best: &mut Option<Value>,
        ) {
            let Some((&i, rest)) = free.split_first() else {
                let v = value(inst, chosen);
                if best.is_none_or(|b| v > b) {
                    *best = Some(v);
                }
                return;
            };
            walk(inst, rest, room, chosen, best);
            for j in 0..inst.ms.len() {
                if room[j] > 0 && inst.ms[j].login != inst.needs[i].login {
                    room[j] -= 1;
                    chosen.push((i, j));
                    walk(inst, rest, room, chosen, best);
                    chosen.pop();
                    room[j] += 1;
                }
            }
        }
        walk(inst, &free, &mut room, &mut chosen, &mut best);
        (kept, best.expect("the empty assignment"))
    }

    fn solve(inst: &Small) -> MethodistMatch {
        match_methodists(
            &inst.policy,
            &LevelNames::default(),
            &inst.needs,
            &inst.ms,
            &inst.active,
        )
    }

    /// The result as index pairs, checking its shape on the way.
    fn checked(inst: &Small, r: &MethodistMatch) -> Vec<(usize, usize)> {
        let ti = |l: &Login| inst.needs.iter().position(|n| &n.login == l).unwrap();
        let mj = |l: &Login| inst.ms.iter().position(|m| &m.login == l).unwrap();
        let out: Vec<(usize, usize)> = r
            .assignments
            .iter()
            .map(|a| (ti(&a.teacher), mj(&a.methodist)))
            .collect();
        // Every teacher once, in the documented orders.
        let mut seen: Vec<&str> = r
            .assignments
            .iter()
            .map(|a| a.teacher.as_str())
            .chain(r.unassigned.iter().map(|u| u.who.as_str()))
            .collect();
        seen.sort();
        let mut all: Vec<&str> = inst.needs.iter().map(|t| t.login.as_str()).collect();
        all.sort();
        assert_eq!(seen, all);
        assert!(
            r.assignments
                .windows(2)
                .all(|w| w[0].teacher < w[1].teacher)
        );
        assert!(
            r.unassigned
                .windows(2)
                .all(|w| (w[0].class, &w[0].who) < (w[1].class, &w[1].who))
        );
        assert!(r.endings.windows(2).all(|w| w[0].who <= w[1].who));
        let mut load = vec![0u32; inst.ms.len()];
        for &(_, j) in &out {
            load[j] += 1;
        }
        for (a, &(i, j)) in r.assignments.iter().zip(&out) {
            let (t, m) = (&inst.needs[i], &inst.ms[j]);
            assert_ne!(a.teacher, a.methodist, "their own methodist");
            assert_eq!(a.class, t.class);
            assert_eq!((a.load, a.capacity), (load[j], m.capacity));
            assert_eq!(a.subject.is_some(), same_subject(t, m));
            assert_eq!(a.municipality_match, same_place(t, m));
        }
        // Nobody left while a place they could take is free.
        for u in &r.unassigned {
            for (j, m) in inst.ms.iter().enumerate() {
                assert!(
                    m.login.as_str() == u.who || load[j] >= m.capacity,
                    "{} left, {} has room",
                    u.who,
                    m.login
                );
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The run's objective equals the best of every feasible
        /// assignment.
        #[test]
        fn methodists_match_the_brute_force(seed in any::<u64>()) {
            let inst = small(seed);
            let r = solve(&inst);
            let got = checked(&inst, &r);
            let (kept, best) = brute(&inst);
            // Kept exactly as the rules say; the limits hold.
            let mut marked: Vec<(usize, usize)> = r
                .assignments
                .iter()
                .zip(&got)
                .filter(|(a, _)| a.kept)
                .map(|(_, p)| *p)
                .collect();
            marked.sort();
            let mut want = kept.clone();
            want.sort();
            prop_assert_eq!(&marked, &want);
            for (j, m) in inst.ms.iter().enumerate() {
                let k = kept.iter().filter(|p| p.1 == j).count() as u32;
                let new = got.iter().filter(|p| p.1 == j).count() as u32 - k;
                prop_assert!(new <= m.capacity.saturating_sub(k));
            }
            prop_assert_eq!(value(&inst, &got), best, "{:?}", r);
        }

        /// More room for a methodist never serves fewer teachers in any
        /// prefix of the classes.
        #[test]
        fn more_capacity_never_serves_fewer(seed in any::<u64>(), extra in 1u32..=2) {
            let inst = small(seed);
            prop_assume!(!inst.ms.is_empty());
            let before = value(&inst, &checked(&inst, &solve(&inst))).0;
            let mut more = inst.clone();
            let k = (seed % more.ms.len() as u64) as usize;
            more.ms[k].capacity += extra;
            let after = value(&more, &checked(&more, &solve(&more))).0;
            for c in 1..=4 {
                let sum = |v: [usize; 4]| v[..c].iter().sum::<usize>();
                prop_assert!(sum(after) >= sum(before), "{:?} then {:?}", before, after);
            }
        }

        /// Applying a run's assignments and running again keeps them all.
        #[test]
        fn an_applied_match_is_kept(seed in any::<u64>()) {
            let inst = small(seed);
            let first = solve(&inst);
            let applied = Small {
                active: first
                    .assignments
                    .iter()
                    .map(|a| (a.teacher.clone(), a.methodist.clone()))
                    .collect(),
                ..inst.clone()
            };
            let again = solve(&applied);
            prop_assert!(again.assignments.iter().all(|a| a.kept));
            prop_assert!(again.endings.is_empty());
            prop_assert_eq!(pairs(&again), pairs(&first));
        }
    }

    // ---- schools, brute force ----

    #[derive(Debug, Clone)]
    struct SmallSchools {
        policy: MatchPolicy,
        needs: Vec<SchoolNeed>,
        mentors: Vec<MentorSlot>,
        active: Vec<(SchoolCode, SchoolCode)>,
    }

    fn small_schools(seed: u64) -> SmallSchools {
        let mut rng = StdRng::seed_from_u64(seed);
        let place = |rng: &mut StdRng| muni(if rng.random_bool(0.5) { "m1" } else { "m2" });
        let needs: Vec<SchoolNeed> = (0..rng.random_range(0..=7))
            .map(|i| SchoolNeed {
                code: code(&format!("S{i}")),
                class: rng.random_range(1..=2),
                municipality: place(&mut rng),
                rural: rng.random_bool(0.5),
                critical_monitoring: false,
                clusters: vec![ClusterFlag::LowResults],
            })
            .collect();
        let mentors: Vec<MentorSlot> = (0..rng.random_range(0..=3))
            .map(|k| MentorSlot {
                code: code(&if rng.random_bool(0.3) {
                    format!("S{k}")
                } else {
                    format!("M{k}")
                }),
                municipality: place(&mut rng),
                rural: rng.random_bool(0.5),
                capacity: rng.random_range(0..=3),
            })
            .collect();
        let mut active = Vec::new();
        for i in 0..9 {
            if rng.random_bool(0.3) {
                let k = rng.random_range(0..5);
                let with = mentors
                    .get(k)
                    .map_or(code(&format!("M{k}")), |m| m.code.clone());
                active.push((code(&format!("S{i}")), with));
            }
        }
        SmallSchools {
            policy: MatchPolicy {
                prefer_same_municipality: rng.random_bool(0.8),
                prefer_same_type: rng.random_bool(0.8),
                ..MatchPolicy::default()
            },
            needs,
            mentors,
            active,
        }
    }

    type SchoolValue = ([usize; 2], usize, usize);

    fn school_value(inst: &SmallSchools, pairs: &[(usize, usize)]) -> SchoolValue {
        let mut v = ([0; 2], 0, 0);
        for &(i, j) in pairs {
            let (s, m) = (&inst.needs[i], &inst.mentors[j]);
            v.0[usize::from(s.class) - 1] += 1;
            v.1 += usize::from(
                inst.policy.prefer_same_municipality && s.municipality == m.municipality,
            );
            v.2 += usize::from(inst.policy.prefer_same_type && s.rural == m.rural);
        }
        v
    }

    fn school_brute(inst: &SmallSchools) -> (Vec<(usize, usize)>, SchoolValue) {
        let mut kept = Vec::new();
        for (s, m) in &inst.active {
            let i = inst.needs.iter().position(|n| &n.code == s);
            let j = inst.mentors.iter().position(|x| &x.code == m);
            if let (Some(i), Some(j)) = (i, j)
                && s != m
            {
                kept.push((i, j));
            }
        }
        let free: Vec<usize> = (0..inst.needs.len())
            .filter(|i| !kept.iter().any(|k| k.0 == *i))
            .collect();
        let mut room: Vec<i64> = inst
            .mentors
            .iter()
            .enumerate()
            .map(|(j, m)| i64::from(m.capacity) - kept.iter().filter(|k| k.1 == j).count() as i64)
            .collect();
        fn walk(
            inst: &SmallSchools,
            free: &[usize],
            room: &mut [i64],
            chosen: &mut Vec<(usize, usize)>,
            best: &mut Option<SchoolValue>,
        ) {
            let Some((&i, rest)) = free.split_first() else {
                let v = school_value(inst, chosen);
                if best.is_none_or(|b| v > b) {
                    *best = Some(v);
                }
                return;
            };
            walk(inst, rest, room, chosen, best);
            for j in 0..inst.mentors.len() {
                if room[j] > 0 && inst.mentors[j].code != inst.needs[i].code {
                    room[j] -= 1;
                    chosen.push((i, j));
                    walk(inst, rest, room, chosen, best);
                    chosen.pop();
                    room[j] += 1;
                }
            }
        }
        let mut best = None;
        let mut chosen = kept.clone();
        walk(inst, &free, &mut room, &mut chosen, &mut best);
        (kept, best.expect("the empty assignment"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn schools_match_the_brute_force(seed in any::<u64>()) {
            let inst = small_schools(seed);
            let r = match_schools(&inst.policy, &inst.needs, &inst.mentors, &inst.active);
            let si = |c: &SchoolCode| inst.needs.iter().position(|n| &n.code == c).unwrap();
            let mj = |c: &SchoolCode| inst.mentors.iter().position(|m| &m.code == c).unwrap();
            let got: Vec<(usize, usize)> = r
                .assignments
                .iter()
                .map(|a| (si(&a.school), mj(&a.mentor_school)))
                .collect();
            prop_assert_eq!(got.len() + r.unassigned.len(), inst.needs.len());
            prop_assert!(r.assignments.windows(2).all(|w| w[0].school < w[1].school));
            prop_assert!(r.assignments.iter().all(|a| a.school != a.mentor_school));
            let (kept, best) = school_brute(&inst);
            let mut marked: Vec<(usize, usize)> = r
                .assignments
                .iter()
                .zip(&got)
                .filter(|(a, _)| a.kept)
                .map(|(_, p)| *p)
                .collect();
            marked.sort();
            let mut want = kept.clone();
            want.sort();
            prop_assert_eq!(marked, want);
            for (j, m) in inst.mentors.iter().enumerate() {
                let k = kept.iter().filter(|p| p.1 == j).count() as u32;
                let all = got.iter().filter(|p| p.1 == j).count() as u32;
                prop_assert!(all - k <= m.capacity.saturating_sub(k));
                for a in r.assignments.iter().filter(|a| a.mentor_school == m.code) {
                    prop_assert_eq!(a.load, all);
                }
            }
            prop_assert_eq!(school_value(&inst, &got), best);
        }
    }
}

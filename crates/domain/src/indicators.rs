//! The region's indicators (`imports.md`, «Indicators»): seven shares with an
//! exact numerator and denominator, for the region, a municipality or a
//! school, over a period, and the targets they are held against.
//!
//! Everything here is computed from [`TeacherFacts`] and [`SchoolFacts`],
//! the stored facts the server reads from the store; nothing is stored.
//!
//! Two kinds of rule meet in the definitions:
//! - a **state** (a teacher's level, an active methodist or mentor school, an
//!   approved or completed route) is taken as of the state date
//!   `d = min(period.to, today)` ([`state_date`]);
//! - an **event** (a diagnostic taken, a course completed, a route's period
//!   ending) counts when its date lies in the period `[from, to]`, both days
//!   included.
//!
//! A teacher counts in the scope where it works: its school and the school's
//! municipality. A teacher without a school counts only region-wide, and only
//! where the definition does not need a school (`diagnostics_coverage` does).
//! The facts carry the current placement, so "where it is at that moment" is
//! where it is now. The server passes active teachers and active schools only.
//!
//! Percents are for display ([`RoundedPercent`], half away from zero to one
//! decimal); whether a target is met is decided exactly ([`Share::meets`]).

use std::cmp::Ordering;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize, Serializer};

use crate::bank::cmp_products;
use crate::matching::MatchPolicy;
use crate::profile::{self, Taken};
use crate::{
    ActivityKind, Decimal, Level, Login, MunicipalityCode, ParseError, Period, Rational,
    SchoolCode, TeacherAttrs,
};

// ---------------------------------------------------------------------------
// The indicators
// ---------------------------------------------------------------------------

/// One of the seven indicators of `imports.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// «Диагностика профессиональных дефицитов»
    DiagnosticsCoverage,
    /// «Назначены ИОМ»
    RouteAssigned,
    /// «Освоили ИОМ»
    RouteCompletion,
    /// «Охват повышением квалификации» (охват ПК)
    TrainingCoverage,
    /// «Сопровождаются региональными методистами»
    MethodistCoverage,
    /// «Сопровождаются школами-наставниками»
    MentorSchoolCoverage,
    /// «Положительная динамика»
    Growth,
}

impl Indicator {
    /// In the order of the spec's table (and of a report).
    pub const ALL: [Indicator; 7] = [
        Indicator::DiagnosticsCoverage,
        Indicator::RouteAssigned,
        Indicator::RouteCompletion,
        Indicator::TrainingCoverage,
        Indicator::MethodistCoverage,
        Indicator::MentorSchoolCoverage,
        Indicator::Growth,
    ];

    /// The name used in files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::DiagnosticsCoverage => "diagnostics_coverage",
            Indicator::RouteAssigned => "route_assigned",
            Indicator::RouteCompletion => "route_completion",
            Indicator::TrainingCoverage => "training_coverage",
            Indicator::MethodistCoverage => "methodist_coverage",
            Indicator::MentorSchoolCoverage => "mentor_school_coverage",
            Indicator::Growth => "growth",
        }
    }

    /// The Russian name a page or a report shows.
    pub fn title(self) -> &'static str {
        match self {
            Indicator::DiagnosticsCoverage => "Диагностика профессиональных дефицитов",
            Indicator::RouteAssigned => "Назначены ИОМ",
            Indicator::RouteCompletion => "Освоили ИОМ",
            Indicator::TrainingCoverage => "Охват повышением квалификации",
            Indicator::MethodistCoverage => "Сопровождаются региональными методистами",
            Indicator::MentorSchoolCoverage => "Сопровождаются школами-наставниками",
            Indicator::Growth => "Положительная динамика",
        }
    }

    /// One line for a page: who is counted (the denominator) and who of them
    /// makes the share (the numerator).
    pub fn explanation(self) -> &'static str {
        match self {
            Indicator::DiagnosticsCoverage => {
                "Из педагогов ШНОР, ШсРНР и ШФНСУ, обучающиеся которых показали низкие \
                 результаты, — доля прошедших диагностику профессиональных дефицитов за период"
            }
            Indicator::RouteAssigned => {
                "Из педагогов с высоким или критическим уровнем дефицитов — доля тех, \
                 у кого есть утверждённый ИОМ"
            }
            Indicator::RouteCompletion => {
                "Из педагогов с утверждённым ИОМ, срок которого заканчивается в периоде, — \
                 доля освоивших ИОМ (все обязательные шаги выполнены и подтверждены)"
            }
            Indicator::TrainingCoverage => {
                "Из педагогов, обучающиеся которых показали низкие результаты, — доля \
                 прошедших курсы ПК или ПП за период"
            }
            Indicator::MethodistCoverage => {
                "Из педагогов с критическим уровнем дефицитов, молодых и вновь принятых \
                 педагогов — доля тех, за кем закреплён региональный методист"
            }
            Indicator::MentorSchoolCoverage => {
                "Из школ с критическими значениями по результатам мониторингов — доля тех, \
                 за которыми закреплена школа-наставник"
            }
            Indicator::Growth => {
                "Из педагогов, прошедших диагностику по одному банку не менее двух раз \
                 (последний раз — в периоде), — доля тех, чей общий результат вырос"
            }
        }
    }

    /// Parses the English name, the Russian name of the spec's table
    /// («диагностика», «освоили ИОМ», «охват ПК», «положительная динамика»)
    /// or the [`title`](Self::title), case-insensitively.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        let found = Indicator::ALL.into_iter().find(|i| {
            v == i.as_str()
                || v == i.title().to_lowercase()
                || match i {
                    Indicator::DiagnosticsCoverage => v == "диагностика",
                    Indicator::RouteCompletion => v == "освоили иом",
                    Indicator::TrainingCoverage => v == "охват пк",
                    _ => false,
                }
        });
        found.ok_or_else(|| {
            ParseError(format!(
                "неизвестный показатель «{}»; допустимы: {}",
                value.trim(),
                Indicator::ALL.map(Indicator::as_str).join(", ")
            ))
        })
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an indicator is computed (and where a target is set).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Where {
    Region,
    Municipality(MunicipalityCode),
    School(SchoolCode),
}

impl Where {
    /// The `scope.level` of a report: `region`, `municipality` or `school`.
    pub fn level(&self) -> &'static str {
        match self {
            Where::Region => "region",
            Where::Municipality(_) => "municipality",
            Where::School(_) => "school",
        }
    }

    /// The municipality's or the school's code; `None` for the region.
    pub fn code(&self) -> Option<&str> {
        match self {
            Where::Region => None,
            Where::Municipality(m) => Some(m.as_str()),
            Where::School(s) => Some(s.as_str()),
        }
    }

    /// Reads the `scope` and `code` cells of a `targets` row: an empty scope
    /// is the region; `municipality` and `school` (also «муниципалитет»,
    /// «ОО», «школа») need a code, the region takes none.
    pub fn parse(scope: Option<&str>, code: Option<&str>) -> Result<Where, ParseError> {
        let scope = scope.map(|s| s.trim().to_lowercase()).unwrap_or_default();
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        let need_code = |what: &str| {
            code.ok_or_else(|| ParseError(format!("для уровня «{what}» нужно указать код")))
        };
        match scope.as_str() {
            "" | "region" | "регион" | "региональный" => match code {
                None => Ok(Where::Region),
                Some(c) => Err(ParseError(format!(
                    "код «{c}» указан для уровня региона; укажите уровень municipality или school"
                ))),
            },
            "municipality" | "муниципалитет" | "муниципальный" => Ok(
                Where::Municipality(MunicipalityCode::parse(need_code("municipality")?)?),
            ),
            "school" | "оо" | "школа" => {
                Ok(Where::School(SchoolCode::parse(need_code("school")?)?))
            }
            other => Err(ParseError(format!(
                "неизвестный уровень «{other}»; допустимы: region, municipality, school"
            ))),
        }
    }
}

// ---------------------------------------------------------------------------
// The facts
// ---------------------------------------------------------------------------

/// The facts the indicators count about one teacher, as stored (the server
/// fills them from the store).
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherFacts {
    pub login: Login,
    pub school: Option<SchoolCode>,
    /// The municipality of the teacher's school.
    pub municipality: Option<MunicipalityCode>,
    /// The teacher's school carries any cluster flag (ШНОР, ШсРНР, ШФНСУ).
    pub school_has_cluster: bool,
    /// Experience, hire date and `students_low_results` (the one place the
    /// latter is kept, so it cannot disagree with itself).
    pub attrs: TeacherAttrs,
    /// Every completed diagnostic, attempts and imported results alike.
    pub diagnostics: Vec<DiagnosticFact>,
    pub routes: Vec<RouteFact>,
    /// Further training imported from outside routes (`trainings` import).
    pub trainings: Vec<TrainingFact>,
    /// The teacher's regional methodist assignments, past and present.
    pub methodist: Vec<Interval>,
}

/// One completed diagnostic (an attempt or an imported result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticFact {
    pub bank: String,
    pub taken_on: NaiveDate,
    /// Breaks ties between two diagnostics of one bank on one day: the one
    /// recorded later wins (as in [`profile::Taken`]).
    pub order: i64,
    /// The overall percent (`None` if a record has none: such a diagnostic
    /// still gives a level, but takes no part in `growth`).
    pub overall_percent: Option<Rational>,
    pub level: Level,
}

/// One of the teacher's routes (ИОМ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFact {
    pub period: Period,
    /// `None` while a draft.
    pub approved_on: Option<NaiveDate>,
    /// The day every mandatory step was done and confirmed; `None` before.
    pub completed_on: Option<NaiveDate>,
    /// The confirmation days of its `course` and `retraining` steps.
    pub courses_confirmed_on: Vec<NaiveDate>,
}

/// One further training imported from outside routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFact {
    pub kind: ActivityKind,
    pub completed_on: NaiveDate,
}

/// An assignment's life: active on `d` when `from ≤ d` and it had not
/// ended by then (`to` is the day it ended: no longer active on `to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub from: NaiveDate,
    /// `None`: still active.
    pub to: Option<NaiveDate>,
}

impl Interval {
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.from <= d && self.to.is_none_or(|to| to > d)
    }
}

/// The facts the indicators count about one school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolFacts {
    pub code: SchoolCode,
    pub municipality: MunicipalityCode,
    /// Critical values in the monitoring (критические значения).
    pub critical_monitoring: bool,
    /// The school's mentor-school assignments, past and present.
    pub mentor: Vec<Interval>,
}

// ---------------------------------------------------------------------------
// Shares and percents
// ---------------------------------------------------------------------------

/// A share: `numerator` of `denominator` counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Share {
    pub numerator: u64,
    pub denominator: u64,
}

impl Share {
    /// The exact percent, `None` for a zero denominator («нет данных»).
    pub fn exact(&self) -> Option<Rational> {
        Rational::new(
            i128::from(self.numerator) * 100,
            i128::from(self.denominator),
        )
    }

    /// The percent rounded half away from zero to one decimal; `None` for a
    /// zero denominator (never 0% or 100%).
    pub fn percent(&self) -> Option<RoundedPercent> {
        let tenths = self.exact()?.round_scaled(1)?;
        Some(RoundedPercent {
            tenths: u64::try_from(tenths).ok()?,
        })
    }

    /// Whether the share reaches `threshold`, decided exactly:
    /// 100 × numerator ≥ threshold × denominator. `None` for a zero
    /// denominator.
    pub fn meets(&self, threshold: Percent) -> Option<bool> {
        if self.denominator == 0 {
            return None;
        }
        let t = threshold.value();
        // 100·n / 1 ≥ p/q · den  ⇔  100·n·q ≥ p·den (q > 0).
        let lhs = [100, i128::from(self.numerator), t.denom()];
        let rhs = [t.numer(), i128::from(self.denominator)];
        Some(cmp_products(&lhs, &rhs) != Ordering::Less)
    }
}

/// A percent for display: rounded half away from zero to one decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoundedPercent {
    tenths: u64,
}

impl RoundedPercent {
    /// The value in tenths of a percent (33.3 % → 333).
    pub fn tenths(self) -> u64 {
        self.tenths
    }

    /// The nearest `f64` (what JSON prints).
    pub fn as_f64(self) -> f64 {
        // Exact operands; the quotient is the f64 nearest the decimal.
        self.tenths as f64 / 10.0
    }
}

/// `33.3`, `100.0`.
impl fmt::Display for RoundedPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.tenths / 10, self.tenths % 10)
    }
}

/// A JSON number (`33.3`).
impl Serialize for RoundedPercent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

/// An exact percent from 0 to 100: a target's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(Rational);

impl Percent {
    /// `None` outside 0..=100.
    pub fn new(value: Rational) -> Option<Percent> {
        (value >= Rational::ZERO && value <= Rational::integer(100)).then_some(Percent(value))
    }

    /// A whole percent; `None` above 100.
    pub fn whole(n: u8) -> Option<Percent> {
        Percent::new(Rational::integer(i128::from(n)))
    }

    /// Reads `75`, `66,7`, `66.7`, `75 %`.
    pub fn parse(text: &str) -> Result<Percent, ParseError> {
        let t = text.trim();
        let t = t.strip_suffix('%').unwrap_or(t);
        let d = Decimal::parse(t)?;
        Rational::from_decimal(&d)
            .and_then(Percent::new)
            .ok_or_else(|| {
                ParseError(format!(
                    "«{}»: целевое значение должно быть процентом от 0 до 100",
                    text.trim()
                ))
            })
    }

    pub fn value(self) -> Rational {
        self.0
    }

    /// The nearest `f64` (what JSON prints).
    pub fn as_f64(self) -> f64 {
        let places = self.0.decimal_places().unwrap_or(6).min(15);
        self.0.to_f64_rounded(places)
    }
}

/// `75`, `66.7`.
impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A JSON number (`66.7`).
impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

// ---------------------------------------------------------------------------
// Computing
// ---------------------------------------------------------------------------

/// The day states are taken on: the period's last day or today, whichever
/// is earlier.
pub fn state_date(period: Period, today: NaiveDate) -> NaiveDate {
    period.to.min(today)
}

/// The school year (September 1 – August 31) containing `today`: the
/// default period of a report.
pub fn school_year(today: NaiveDate) -> Period {
    let start = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    Period {
        from: NaiveDate::from_ymd_opt(start, 9, 1).expect("September 1 exists"),
        to: NaiveDate::from_ymd_opt(start + 1, 8, 31).expect("August 31 exists"),
    }
}

/// The indicator's share in `at` over `period`.
pub fn compute(
    indicator: Indicator,
    teachers: &[TeacherFacts],
    schools: &[SchoolFacts],
    at: &Where,
    period: Period,
    today: NaiveDate,
) -> Share {
    let mut share = Share::default();
    for_each_member(
        indicator,
        teachers,
        schools,
        at,
        period,
        today,
        |_, counted| {
            share.denominator += 1;
            share.numerator += u64::from(counted);
        },
    );
    share
}

/// Who is counted: the logins (for `mentor_school_coverage`, the school
/// codes) in the denominator, each with whether it is in the numerator —
/// the list to act on («кто сдерживает»), in the order of the facts.
pub fn members(
    indicator: Indicator,
    teachers: &[TeacherFacts],
    schools: &[SchoolFacts],
    at: &Where,
    period: Period,
    today: NaiveDate,
) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for_each_member(
        indicator,
        teachers,
        schools,
        at,
        period,
        today,
        |id, counted| {
            out.push((id.to_string(), counted));
        },
    );
    out
}

/// Calls `f(id, in_numerator)` for each member of the denominator.
fn for_each_member(
    indicator: Indicator,
    teachers: &[TeacherFacts],
    schools: &[SchoolFacts],
    at: &Where,
    period: Period,
    today: NaiveDate,
    mut f: impl FnMut(&str, bool),
) {
    let d = state_date(period, today);
    if indicator == Indicator::MentorSchoolCoverage {
        for s in schools {
            let here = match at {
                Where::Region => true,
                Where::Municipality(m) => &s.municipality == m,
                Where::School(c) => &s.code == c,
            };
            if here && s.critical_monitoring {
                f(s.code.as_str(), s.mentor.iter().any(|i| i.active_on(d)));
            }
        }
        return;
    }
    for t in teachers {
        let here = match at {
            Where::Region => true,
            // Without a school a teacher belongs to no municipality.
            Where::Municipality(m) => t.school.is_some() && t.municipality.as_ref() == Some(m),
            Where::School(c) => t.school.as_ref() == Some(c),
        };
        if !here {
            continue;
        }
        if let Some(counted) = teacher_member(indicator, t, period, d) {
            f(t.login.as_str(), counted);
        }
    }
}

/// `None` when the teacher is not in the indicator's denominator, else
/// whether it is in the numerator. `d` is the state date.
fn teacher_member(
    indicator: Indicator,
    t: &TeacherFacts,
    period: Period,
    d: NaiveDate,
) -> Option<bool> {
    let in_period = |day: NaiveDate| period.from <= day && day <= period.to;
    let approved = |r: &RouteFact| r.approved_on.is_some_and(|a| a <= d);
    match indicator {
        Indicator::DiagnosticsCoverage => {
            (t.school.is_some() && t.school_has_cluster && t.attrs.students_low_results)
                .then(|| t.diagnostics.iter().any(|x| in_period(x.taken_on)))
        }
        Indicator::RouteAssigned => matches!(level_on(t, d), Some(Level::High | Level::Critical))
            .then(|| t.routes.iter().any(approved)),
        Indicator::RouteCompletion => {
            let mut due = t
                .routes
                .iter()
                .filter(|r| approved(r) && in_period(r.period.to))
                .peekable();
            due.peek()?;
            // Several such routes (unusual): «освоил» only when all are done.
            Some(due.all(|r| r.completed_on.is_some_and(|c| c <= d)))
        }
        Indicator::TrainingCoverage => t.attrs.students_low_results.then(|| {
            t.routes
                .iter()
                .flat_map(|r| &r.courses_confirmed_on)
                .any(|&c| in_period(c))
                || t.trainings.iter().any(|x| {
                    matches!(x.kind, ActivityKind::Course | ActivityKind::Retraining)
                        && in_period(x.completed_on)
                })
        }),
        Indicator::MethodistCoverage => {
            // Priority classes 1 and 2 of `rules.md` with their default
            // thresholds: critical level; young or newly hired.
            let policy = MatchPolicy::default();
            (level_on(t, d) == Some(Level::Critical)
                || policy.is_young(&t.attrs)
                || policy.is_newly_hired(&t.attrs, d))
            .then(|| t.methodist.iter().any(|i| i.active_on(d)))
        }
        Indicator::MentorSchoolCoverage => None,
        Indicator::Growth => growth(t, period),
    }
}

/// The teacher's level as of `d` (`rules.md`: per bank the latest
/// diagnostic of the 12 months before `d`, the most severe of their levels).
fn level_on(t: &TeacherFacts, d: NaiveDate) -> Option<Level> {
    let taken: Vec<Taken<'_>> = t
        .diagnostics
        .iter()
        .map(|x| Taken {
            bank: &x.bank,
            taken_on: x.taken_on,
            order: x.order,
            level: x.level,
        })
        .collect();
    profile::level(&taken, d)
}

/// `growth` for one teacher. Per bank, among the diagnostics with an overall
/// percent taken on or before the period's last day: the latest and the one
/// before it. The bank qualifies when the latest was taken in the period
/// and there is one before it; it shows growth when the latest percent is
/// higher. A teacher counts once, on any bank: in the denominator when some
/// bank qualifies, in the numerator when some qualifying bank shows growth
/// (a fall on one bank does not cancel a rise on another).
fn growth(t: &TeacherFacts, period: Period) -> Option<bool> {
    let usable: Vec<(&DiagnosticFact, Rational)> = t
        .diagnostics
        .iter()
        .filter(|x| x.taken_on <= period.to)
        .filter_map(|x| x.overall_percent.map(|p| (x, p)))
        .collect();
    let mut banks: Vec<&str> = usable.iter().map(|(x, _)| x.bank.as_str()).collect();
    banks.sort_unstable();
    banks.dedup();
    let mut counted = None;
    for bank in banks {
        let mut on_bank: Vec<&(&DiagnosticFact, Rational)> =
            usable.iter().filter(|(x, _)| x.bank == bank).collect();
        on_bank.sort_by_key(|(x, _)| (x.taken_on, x.order));
        let [.., (_, p0), (latest, p1)] = on_bank.as_slice() else {
            continue;
        };
        if latest.taken_on < period.from {
            continue;
        }
        counted = Some(counted.unwrap_or(false) || p1 > p0);
    }
    counted
}

// ---------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------

/// A target (целевое значение): the indicator should reach `threshold` in
/// `at` by `due_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub indicator: Indicator,
    pub threshold: Percent,
    pub at: Where,
    pub due_on: Option<NaiveDate>,
}

/// The target that applies to `indicator` in `at`: the school's, then its
/// municipality's (`school_municipality`, needed only for a school), then
/// the region's — the most specific first.
pub fn target_for<'a>(
    targets: &'a [Target],
    indicator: Indicator,
    at: &Where,
    school_municipality: Option<&MunicipalityCode>,
) -> Option<&'a Target> {
    let find = |w: &Where| {
        targets
            .iter()
            .find(|t| t.indicator == indicator && &t.at == w)
    };
    let municipality = match at {
        Where::Region => None,
        Where::Municipality(m) => Some(m),
        Where::School(_) => school_municipality,
    };
    let school = matches!(at, Where::School(_)).then_some(at);
    school
        .and_then(find)
        .or_else(|| municipality.and_then(|m| find(&Where::Municipality(m.clone()))))
        .or_else(|| find(&Where::Region))
}

/// The region's default targets, read from the seed roadmaps, due at the
/// period's end.
///
/// Each is a number a seed sets, word for word, on what an indicator counts:
/// - `route_completion` ≥ 75: «Не менее 75% учителей освоили ИОМ» (Ершичский
///   район 2023/2024, 3.4 «Реализация ИОМ»).
/// - `training_coverage` 100: «Охват ПК, при необходимости ПП 100% учителей,
///   обучающиеся которых показали низкие результаты» (Шумячский округ
///   2025/2026, 3.6) — exactly the indicator's denominator.
/// - `methodist_coverage` ≥ 50: «Не менее 50% педагогов, имеющих критический
///   уровень профессиональных дефицитов, молодых педагогов, вновь нанятых
///   учителей сопровождаются региональными методистами» (СОИРО 2022/2023,
///   3.10). The «50%» belongs to the whole list, so it is this indicator (whose
///   denominator is that very list), not `route_assigned` or
///   `diagnostics_coverage`. The Шумячский 2025/2026 plan repeats the item
///   (3.10) without a number; that sets no higher threshold, so 50 stands.
/// - `mentor_school_coverage` ≥ 20: «Не менее 20% образовательных организаций,
///   имеющих критические значения по мониторингов, результатам сопровождаются
///   региональной «Лигой наставников»» (Шумячский 2025/2026, 3.11 «Закрепление
///   за школами школ-наставников»).
///
/// No seed gives a number for `diagnostics_coverage`, `route_assigned` or
/// `growth`: they get no default. The seeds' other percents are about what
/// the product does not record (75% of such schools connected to «500+», 75%
/// of management teams at seminars, 100% of schools with mentoring
/// programmes): custom indicators, not defaults.
pub fn default_targets(period: Period) -> Vec<Target> {
    [
        (Indicator::RouteCompletion, 75),
        (Indicator::TrainingCoverage, 100),
        (Indicator::MethodistCoverage, 50),
        (Indicator::MentorSchoolCoverage, 20),
    ]
    .into_iter()
    .map(|(indicator, n)| Target {
        indicator,
        threshold: Percent::whole(n).expect("a default threshold is a percent"),
        at: Where::Region,
        due_on: Some(period.to),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn year() -> Period {
        Period {
            from: d(2025, 9, 1),
            to: d(2026, 8, 31),
        }
    }

    fn mc(c: &str) -> MunicipalityCode {
        MunicipalityCode::parse(c).unwrap()
    }

    fn sc(c: &str) -> SchoolCode {
        SchoolCode::parse(c).unwrap()
    }

    /// A teacher of school `s1` in municipality `m1`, with nothing else.
    fn teacher(login: &str) -> TeacherFacts {
        TeacherFacts {
            login: Login::parse(login).unwrap(),
            school: Some(sc("s1")),
            municipality: Some(mc("m1")),
            school_has_cluster: false,
            attrs: TeacherAttrs::default(),
            diagnostics: Vec::new(),
            routes: Vec::new(),
            trainings: Vec::new(),
            methodist: Vec::new(),
        }
    }

    fn diag(
        bank: &str,
        taken_on: NaiveDate,
        percent: Option<i128>,
        level: Level,
    ) -> DiagnosticFact {
        DiagnosticFact {
            bank: bank.into(),
            taken_on,
            order: 0,
            overall_percent: percent.map(Rational::integer),
            level,
        }
    }

    fn route(
        to: NaiveDate,
        approved_on: Option<NaiveDate>,
        completed_on: Option<NaiveDate>,
    ) -> RouteFact {
        RouteFact {
            period: Period {
                from: d(2026, 1, 1),
                to,
            },
            approved_on,
            completed_on,
            courses_confirmed_on: Vec::new(),
        }
    }

    fn share(n: u64, den: u64) -> Share {
        Share {
            numerator: n,
            denominator: den,
        }
    }

    fn region(i: Indicator, ts: &[TeacherFacts], today: NaiveDate) -> Share {
        compute(i, ts, &[], &Where::Region, year(), today)
    }

    fn pct(text: &str) -> Percent {
        Percent::parse(text).unwrap()
    }

    #[test]
    fn names_round_trip_and_accept_russian() {
        for i in Indicator::ALL {
            assert_eq!(Indicator::parse(i.as_str()).unwrap(), i);
            assert_eq!(Indicator::parse(&i.title().to_uppercase()).unwrap(), i);
            assert!(!i.explanation().is_empty());
            assert_eq!(
                serde_json::to_string(&i).unwrap(),
                format!("\"{}\"", i.as_str())
            );
        }
        assert_eq!(
            Indicator::parse(" Охват ПК ").unwrap(),
            Indicator::TrainingCoverage
        );
        assert_eq!(
            Indicator::parse("освоили ИОМ").unwrap(),
            Indicator::RouteCompletion
        );
        assert_eq!(
            Indicator::parse("Диагностика").unwrap(),
            Indicator::DiagnosticsCoverage
        );
        assert!(Indicator::parse("охват").unwrap_err().0.contains("growth"));
    }

    #[test]
    fn scopes_parse_from_a_targets_row() {
        assert_eq!(Where::parse(None, None).unwrap(), Where::Region);
        assert_eq!(Where::parse(Some(" "), Some("")).unwrap(), Where::Region);
        assert_eq!(
            Where::parse(Some("Муниципалитет"), Some("m1")).unwrap(),
            Where::Municipality(mc("m1"))
        );
        assert_eq!(
            Where::parse(Some("school"), Some("s1")).unwrap(),
            Where::School(sc("s1"))
        );
        assert!(Where::parse(Some("school"), None).is_err());
        assert!(Where::parse(None, Some("m1")).is_err());
        assert!(Where::parse(Some("district"), Some("m1")).is_err());
        let w = Where::School(sc("s1"));
        assert_eq!((w.level(), w.code()), ("school", Some("s1")));
        assert_eq!(
            (Where::Region.level(), Where::Region.code()),
            ("region", None)
        );
    }

    #[test]
    fn percents_round_half_away_from_zero() {
        let shown = |n, den| share(n, den).percent().unwrap().to_string();
        assert_eq!(shown(1, 3), "33.3");
        assert_eq!(shown(2, 3), "66.7");
        assert_eq!(shown(1, 8), "12.5");
        assert_eq!(shown(1, 16), "6.3");
        assert_eq!(shown(0, 7), "0.0");
        assert_eq!(shown(7, 7), "100.0");
        assert_eq!(share(1, 16).percent().unwrap().tenths(), 63);
        assert_eq!(share(2, 3).percent().unwrap().as_f64(), 66.7);
        assert_eq!(
            serde_json::to_string(&share(1, 3).percent()).unwrap(),
            "33.3"
        );
        assert_eq!(share(0, 0).percent(), None);
        assert_eq!(share(0, 0).exact(), None);
    }

    #[test]
    fn targets_are_met_exactly() {
        assert_eq!(share(3, 4).meets(pct("75")), Some(true));
        assert_eq!(share(2, 3).meets(pct("66,7")), Some(false));
        assert_eq!(share(2, 3).meets(pct("66.6")), Some(true));
        assert_eq!(share(1, 3).meets(pct("33.3")), Some(true));
        assert_eq!(share(0, 5).meets(pct("0")), Some(true));
        assert_eq!(share(4, 5).meets(pct("100")), Some(false));
        assert_eq!(share(5, 5).meets(pct("100 %")), Some(true));
        assert_eq!(share(0, 0).meets(pct("0")), None);
        let big = share(u64::MAX - 1, u64::MAX);
        assert_eq!(big.meets(pct("99.9999")), Some(true));
        assert_eq!(big.meets(pct("100")), Some(false));
    }

    #[test]
    fn thresholds_stay_between_0_and_100() {
        assert_eq!(pct("66,70").to_string(), "66.7");
        assert_eq!(pct("75").as_f64(), 75.0);
        assert_eq!(serde_json::to_string(&pct("66.7")).unwrap(), "66.7");
        assert!(Percent::parse("100.01").is_err());
        assert!(Percent::parse("-1").is_err());
        assert!(Percent::parse("много").is_err());
        assert_eq!(Percent::whole(101), None);
    }

    #[test]
    fn school_year_runs_september_to_august() {
        assert_eq!(school_year(d(2025, 9, 1)), year());
        assert_eq!(school_year(d(2026, 8, 31)), year());
        assert_eq!(school_year(d(2026, 1, 15)), year());
        assert_eq!(school_year(d(2026, 9, 1)).from, d(2026, 9, 1));
    }

    #[test]
    fn the_state_date_is_the_earlier_of_the_period_end_and_today() {
        // A critical diagnostic taken after the state date does not count.
        let mut t = teacher("a");
        t.diagnostics
            .push(diag("b", d(2026, 3, 1), Some(10), Level::Critical));
        let ts = [t];
        assert_eq!(
            region(Indicator::RouteAssigned, &ts, d(2026, 2, 28)),
            share(0, 0)
        );
        assert_eq!(
            region(Indicator::RouteAssigned, &ts, d(2026, 3, 1)),
            share(0, 1)
        );
        let past = Period {
            from: d(2025, 9, 1),
            to: d(2026, 2, 28),
        };
        let later = d(2027, 1, 1);
        assert_eq!(
            compute(
                Indicator::RouteAssigned,
                &ts,
                &[],
                &Where::Region,
                past,
                later
            ),
            share(0, 0)
        );
    }

    #[test]
    fn a_level_looks_back_twelve_months() {
        let mut t = teacher("a");
        t.diagnostics
            .push(diag("b", d(2025, 3, 1), Some(10), Level::Critical));
        t.routes
            .push(route(d(2026, 5, 31), Some(d(2025, 12, 1)), None));
        let ts = [t];
        // On 2026-02-28 the diagnostic is within the 12 months; on
        // 2026-03-01 it is not (the profile's boundary).
        assert_eq!(
            region(Indicator::RouteAssigned, &ts, d(2026, 2, 28)),
            share(1, 1)
        );
        assert_eq!(
            region(Indicator::RouteAssigned, &ts, d(2026, 3, 1)),
            share(0, 0)
        );
        // The most severe bank decides; a newer diagnostic on the same bank
        // replaces the older.
        let mut t = teacher("b");
        t.diagnostics
            .push(diag("x", d(2025, 10, 1), Some(10), Level::Critical));
        t.diagnostics
            .push(diag("x", d(2025, 11, 1), Some(80), Level::None));
        t.diagnostics
            .push(diag("y", d(2025, 10, 1), Some(60), Level::Reduced));
        assert_eq!(
            region(Indicator::RouteAssigned, &[t.clone()], d(2026, 1, 1)),
            share(0, 0)
        );
        t.diagnostics
            .push(diag("y", d(2025, 12, 1), Some(40), Level::High));
        assert_eq!(
            region(Indicator::RouteAssigned, &[t], d(2026, 1, 1)),
            share(0, 1)
        );
    }

    #[test]
    fn route_assigned_counts_approval_by_the_state_date() {
        let today = d(2026, 1, 10);
        let high = |login: &str, approved_on: Option<NaiveDate>| {
            let mut t = teacher(login);
            t.diagnostics
                .push(diag("b", d(2025, 11, 1), Some(30), Level::High));
            t.routes.push(route(d(2026, 5, 31), approved_on, None));
            t
        };
        let mut reduced = teacher("r");
        reduced
            .diagnostics
            .push(diag("b", d(2025, 11, 1), Some(70), Level::Reduced));
        let ts = [
            high("on-the-day", Some(today)),
            high("after", Some(d(2026, 1, 11))),
            high("draft", None),
            reduced,
            teacher("no-diagnostic"),
        ];
        assert_eq!(region(Indicator::RouteAssigned, &ts, today), share(1, 3));
        assert_eq!(
            members(
                Indicator::RouteAssigned,
                &ts,
                &[],
                &Where::Region,
                year(),
                today
            ),
            vec![
                ("on-the-day".to_string(), true),
                ("after".to_string(), false),
                ("draft".to_string(), false),
            ]
        );
    }

    #[test]
    fn route_completion_takes_routes_ending_in_the_period() {
        let today = d(2026, 6, 15);
        let with = |login: &str, r: RouteFact| {
            let mut t = teacher(login);
            t.routes.push(r);
            t
        };
        let ts = [
            with(
                "done",
                route(d(2026, 5, 31), Some(d(2025, 12, 1)), Some(d(2026, 5, 20))),
            ),
            with("open", route(d(2026, 5, 31), Some(d(2025, 12, 1)), None)),
            // Completed after the state date: not yet.
            with(
                "late",
                route(d(2026, 5, 31), Some(d(2025, 12, 1)), Some(d(2026, 6, 16))),
            ),
            // Its period ended before this one: not counted.
            with(
                "old",
                route(d(2025, 5, 31), Some(d(2024, 12, 1)), Some(d(2025, 5, 1))),
            ),
            // Ends after the period: not counted.
            with("next", route(d(2026, 9, 30), Some(d(2026, 1, 10)), None)),
            // A draft is not counted.
            with("draft", route(d(2026, 5, 31), None, None)),
            // Approved after the state date: not counted.
            with(
                "unapproved",
                route(d(2026, 8, 31), Some(d(2026, 7, 1)), None),
            ),
        ];
        assert_eq!(region(Indicator::RouteCompletion, &ts, today), share(1, 3));
        // Two routes ending in the period: completed when both are.
        let mut two = ts[0].clone();
        two.routes
            .push(route(d(2026, 8, 31), Some(d(2026, 2, 1)), None));
        assert_eq!(
            region(Indicator::RouteCompletion, &[two], today),
            share(0, 1)
        );
    }

    #[test]
    fn training_coverage_counts_courses_and_retraining_in_the_period() {
        let today = d(2026, 6, 1);
        let low = |login: &str| {
            let mut t = teacher(login);
            t.attrs.students_low_results = true;
            t
        };
        let mut step = low("step");
        let mut r = route(d(2026, 5, 31), Some(d(2025, 12, 1)), None);
        r.courses_confirmed_on.push(d(2026, 3, 1));
        step.routes.push(r);
        let mut retraining = low("retraining");
        retraining.trainings.push(TrainingFact {
            kind: ActivityKind::Retraining,
            completed_on: d(2025, 9, 1),
        });
        let mut internship = low("internship");
        internship.trainings.push(TrainingFact {
            kind: ActivityKind::Internship,
            completed_on: d(2026, 2, 1),
        });
        let mut before = low("before");
        before.trainings.push(TrainingFact {
            kind: ActivityKind::Course,
            completed_on: d(2025, 8, 31),
        });
        let mut not_low = teacher("not-low");
        not_low.trainings.push(TrainingFact {
            kind: ActivityKind::Course,
            completed_on: d(2026, 2, 1),
        });
        let mut no_school = low("no-school");
        no_school.school = None;
        no_school.municipality = None;
        let ts = [step, retraining, internship, before, not_low, no_school];
        assert_eq!(region(Indicator::TrainingCoverage, &ts, today), share(2, 5));
        // The teacher without a school counts only region-wide.
        let m1 = Where::Municipality(mc("m1"));
        assert_eq!(
            compute(Indicator::TrainingCoverage, &ts, &[], &m1, year(), today),
            share(2, 4)
        );
    }

    #[test]
    fn diagnostics_coverage_needs_a_cluster_school_and_low_results() {
        let today = d(2026, 6, 1);
        let target = |login: &str| {
            let mut t = teacher(login);
            t.attrs.students_low_results = true;
            t.school_has_cluster = true;
            t
        };
        let mut taken = target("taken");
        taken
            .diagnostics
            .push(diag("b", d(2025, 9, 1), None, Level::Reduced));
        let mut earlier = target("earlier");
        earlier
            .diagnostics
            .push(diag("b", d(2025, 8, 31), Some(50), Level::High));
        let mut no_cluster = target("no-cluster");
        no_cluster.school_has_cluster = false;
        no_cluster
            .diagnostics
            .push(diag("b", d(2026, 1, 1), Some(50), Level::High));
        let mut not_low = target("not-low");
        not_low.attrs.students_low_results = false;
        let mut no_school = target("no-school");
        no_school.school = None;
        let ts = [taken, earlier, no_cluster, not_low, no_school];
        assert_eq!(
            region(Indicator::DiagnosticsCoverage, &ts, today),
            share(1, 2)
        );
    }

    #[test]
    fn methodist_coverage_takes_classes_one_and_two() {
        let today = d(2026, 1, 10);
        let active = Interval {
            from: d(2025, 10, 1),
            to: None,
        };
        let mut critical = teacher("critical");
        critical
            .diagnostics
            .push(diag("b", d(2025, 11, 1), Some(10), Level::Critical));
        critical.methodist.push(active);
        let mut young = teacher("young");
        young.attrs.experience_years = Some(2.9);
        // Ended on the state date: no longer active.
        young.methodist.push(Interval {
            from: d(2025, 10, 1),
            to: Some(today),
        });
        let mut hired = teacher("hired");
        hired.attrs.hired_on = Some(d(2025, 1, 10)); // 365 days before
        hired.methodist.push(Interval {
            from: d(2025, 10, 1),
            to: Some(d(2026, 1, 11)),
        });
        let mut hired_earlier = teacher("hired-earlier");
        hired_earlier.attrs.hired_on = Some(d(2025, 1, 9)); // 366 days
        let mut experienced = teacher("experienced");
        experienced.attrs.experience_years = Some(3.0);
        let mut high = teacher("high");
        high.diagnostics
            .push(diag("b", d(2025, 11, 1), Some(30), Level::High));
        high.methodist.push(active);
        // Assigned after the state date: not yet.
        let mut soon = teacher("soon");
        soon.attrs.experience_years = Some(0.0);
        soon.methodist.push(Interval {
            from: d(2026, 1, 11),
            to: None,
        });
        let ts = [
            critical,
            young,
            hired,
            hired_earlier,
            experienced,
            high,
            soon,
        ];
        assert_eq!(
            members(
                Indicator::MethodistCoverage,
                &ts,
                &[],
                &Where::Region,
                year(),
                today
            ),
            vec![
                ("critical".to_string(), true),
                ("young".to_string(), false),
                ("hired".to_string(), true),
                ("soon".to_string(), false),
            ]
        );
    }

    #[test]
    fn mentor_school_coverage_counts_schools() {
        let today = d(2026, 1, 10);
        let school = |code: &str, m: &str, critical: bool, mentor: Vec<Interval>| SchoolFacts {
            code: sc(code),
            municipality: mc(m),
            critical_monitoring: critical,
            mentor,
        };
        let active = Interval {
            from: d(2025, 9, 1),
            to: None,
        };
        let ended = Interval {
            from: d(2025, 9, 1),
            to: Some(d(2025, 12, 31)),
        };
        let schools = [
            school("a", "m1", true, vec![ended, active]),
            school("b", "m1", true, vec![ended]),
            school("c", "m2", true, vec![]),
            school("d", "m2", false, vec![active]),
        ];
        let at = |w: &Where| {
            compute(
                Indicator::MentorSchoolCoverage,
                &[],
                &schools,
                w,
                year(),
                today,
            )
        };
        assert_eq!(at(&Where::Region), share(1, 3));
        assert_eq!(at(&Where::Municipality(mc("m1"))), share(1, 2));
        assert_eq!(at(&Where::School(sc("c"))), share(0, 1));
        assert_eq!(at(&Where::School(sc("d"))), share(0, 0));
        assert_eq!(at(&Where::School(sc("d"))).percent(), None);
        assert_eq!(at(&Where::School(sc("d"))).meets(pct("20")), None);
        assert_eq!(
            members(
                Indicator::MentorSchoolCoverage,
                &[],
                &schools,
                &Where::Region,
                year(),
                today
            ),
            vec![
                ("a".to_string(), true),
                ("b".to_string(), false),
                ("c".to_string(), false),
            ]
        );
    }

    #[test]
    fn growth_counts_a_teacher_once_on_any_bank() {
        let today = d(2026, 6, 1);
        let with = |login: &str, ds: Vec<DiagnosticFact>| {
            let mut t = teacher(login);
            t.diagnostics = ds;
            t
        };
        let crit = Level::Critical;
        let ts = [
            // Rose on bank x (the later in the period).
            with(
                "rose",
                vec![
                    diag("x", d(2025, 3, 1), Some(40), crit),
                    diag("x", d(2026, 2, 1), Some(55), crit),
                ],
            ),
            // Fell on x, rose on y: counted once, in the numerator.
            with(
                "mixed",
                vec![
                    diag("x", d(2025, 10, 1), Some(60), crit),
                    diag("x", d(2026, 2, 1), Some(50), crit),
                    diag("y", d(2025, 10, 1), Some(20), crit),
                    diag("y", d(2026, 3, 1), Some(30), crit),
                ],
            ),
            // Equal: no growth.
            with(
                "flat",
                vec![
                    diag("x", d(2025, 10, 1), Some(50), crit),
                    diag("x", d(2026, 2, 1), Some(50), crit),
                ],
            ),
            // Both before the period: not counted.
            with(
                "before",
                vec![
                    diag("x", d(2024, 10, 1), Some(20), crit),
                    diag("x", d(2025, 8, 31), Some(50), crit),
                ],
            ),
            // One per bank: not counted.
            with(
                "two-banks",
                vec![
                    diag("x", d(2025, 10, 1), Some(20), crit),
                    diag("y", d(2026, 2, 1), Some(50), crit),
                ],
            ),
            // The latest compared with the one right before it, not the
            // first: 30 → 70 → 60 is no growth.
            with(
                "latest",
                vec![
                    diag("x", d(2025, 1, 1), Some(30), crit),
                    diag("x", d(2025, 10, 1), Some(70), crit),
                    diag("x", d(2026, 2, 1), Some(60), crit),
                ],
            ),
            // A diagnostic without a percent takes no part.
            with(
                "no-percent",
                vec![
                    diag("x", d(2025, 10, 1), Some(20), crit),
                    diag("x", d(2026, 2, 1), None, crit),
                ],
            ),
        ];
        assert_eq!(
            members(Indicator::Growth, &ts, &[], &Where::Region, year(), today),
            vec![
                ("rose".to_string(), true),
                ("mixed".to_string(), true),
                ("flat".to_string(), false),
                ("latest".to_string(), false),
            ]
        );
        // Same day on one bank: the later record is the latest.
        let mut same_day = with(
            "same-day",
            vec![
                diag("x", d(2026, 2, 1), Some(80), crit),
                diag("x", d(2026, 2, 1), Some(40), crit),
            ],
        );
        same_day.diagnostics[0].order = 2;
        same_day.diagnostics[1].order = 1;
        assert_eq!(region(Indicator::Growth, &[same_day], today), share(1, 1));
        // A diagnostic after the period's end is not the latest.
        let after = with(
            "after",
            vec![
                diag("x", d(2025, 10, 1), Some(50), crit),
                diag("x", d(2026, 2, 1), Some(40), crit),
                diag("x", d(2026, 9, 1), Some(90), crit),
            ],
        );
        assert_eq!(
            region(Indicator::Growth, &[after], d(2026, 10, 1)),
            share(0, 1)
        );
    }

    #[test]
    fn empty_denominators_give_no_data() {
        let today = d(2026, 1, 10);
        for i in Indicator::ALL {
            let s = compute(i, &[teacher("a")], &[], &Where::Region, year(), today);
            assert_eq!(s, share(0, 0), "{i}");
            assert_eq!(s.percent(), None);
            assert_eq!(s.meets(pct("0")), None);
        }
    }

    #[test]
    fn the_most_specific_target_applies() {
        let t = |indicator, n, at| Target {
            indicator,
            threshold: Percent::whole(n).unwrap(),
            at,
            due_on: None,
        };
        let targets = [
            t(Indicator::Growth, 10, Where::Region),
            t(Indicator::Growth, 20, Where::Municipality(mc("m1"))),
            t(Indicator::Growth, 30, Where::School(sc("s1"))),
            t(Indicator::RouteAssigned, 40, Where::Region),
        ];
        let threshold = |i, at: &Where, m: Option<&MunicipalityCode>| {
            target_for(&targets, i, at, m).map(|t| t.threshold.to_string())
        };
        let g = Indicator::Growth;
        let m1 = mc("m1");
        let m2 = mc("m2");
        assert_eq!(
            threshold(g, &Where::School(sc("s1")), Some(&m1)).as_deref(),
            Some("30")
        );
        assert_eq!(
            threshold(g, &Where::School(sc("s2")), Some(&m1)).as_deref(),
            Some("20")
        );
        assert_eq!(
            threshold(g, &Where::School(sc("s2")), Some(&m2)).as_deref(),
            Some("10")
        );
        assert_eq!(
            threshold(g, &Where::School(sc("s2")), None).as_deref(),
            Some("10")
        );
        assert_eq!(
            threshold(g, &Where::Municipality(m1.clone()), None).as_deref(),
            Some("20")
        );
        assert_eq!(
            threshold(g, &Where::Region, Some(&m1)).as_deref(),
            Some("10")
        );
        assert_eq!(
            threshold(
                Indicator::RouteAssigned,
                &Where::School(sc("s1")),
                Some(&m1)
            )
            .as_deref(),
            Some("40")
        );
        assert_eq!(
            threshold(Indicator::TrainingCoverage, &Where::Region, None),
            None
        );
    }

    #[test]
    fn default_targets_come_from_the_seeds() {
        let ts = default_targets(year());
        let by = |i| target_for(&ts, i, &Where::Region, None).map(|t| t.threshold.to_string());
        assert_eq!(by(Indicator::RouteCompletion).as_deref(), Some("75"));
        assert_eq!(by(Indicator::TrainingCoverage).as_deref(), Some("100"));
        assert_eq!(by(Indicator::MethodistCoverage).as_deref(), Some("50"));
        assert_eq!(by(Indicator::MentorSchoolCoverage).as_deref(), Some("20"));
        assert_eq!(by(Indicator::Growth), None);
        assert!(
            ts.iter()
                .all(|t| t.due_on == Some(d(2026, 8, 31)) && t.at == Where::Region)
        );
    }

    // -----------------------------------------------------------------------
    // Property: the scopes add up
    // -----------------------------------------------------------------------

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        // 2024-09-01 .. 2027-03-01, around the test period.
        (0u64..912).prop_map(|n| d(2024, 9, 1) + chrono::Days::new(n))
    }

    fn any_interval() -> impl Strategy<Value = Interval> {
        (any_day(), proptest::option::of(0u64..400)).prop_map(|(from, len)| Interval {
            from,
            to: len.map(|n| from + chrono::Days::new(n)),
        })
    }

    fn any_level() -> impl Strategy<Value = Level> {
        proptest::sample::select(Level::ALL.to_vec())
    }

    fn any_diag() -> impl Strategy<Value = DiagnosticFact> {
        (
            proptest::sample::select(vec!["x", "y"]),
            any_day(),
            0i64..3,
            proptest::option::of(0i128..=100),
            any_level(),
        )
            .prop_map(|(bank, taken_on, order, p, level)| DiagnosticFact {
                bank: bank.into(),
                taken_on,
                order,
                overall_percent: p.map(Rational::integer),
                level,
            })
    }

    fn any_route() -> impl Strategy<Value = RouteFact> {
        (
            any_day(),
            0u64..200,
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::collection::vec(any_day(), 0..2),
        )
            .prop_map(
                |(from, len, approved_on, completed_on, courses)| RouteFact {
                    period: Period {
                        from,
                        to: from + chrono::Days::new(len),
                    },
                    approved_on,
                    completed_on,
                    courses_confirmed_on: courses,
                },
            )
    }

    fn any_teacher() -> impl Strategy<Value = TeacherFacts> {
        (
            (0usize..9, any::<bool>(), any::<bool>()),
            (
                proptest::option::of(0u8..6),
                proptest::option::of(any_day()),
            ),
            proptest::collection::vec(any_diag(), 0..4),
            proptest::collection::vec(any_route(), 0..2),
            proptest::collection::vec(
                (
                    proptest::sample::select(ActivityKind::ALL.to_vec()),
                    any_day(),
                ),
                0..2,
            ),
            proptest::collection::vec(any_interval(), 0..2),
        )
            .prop_map(
                |(
                    (school, cluster, low),
                    (years, hired_on),
                    diagnostics,
                    routes,
                    trainings,
                    methodist,
                )| {
                    TeacherFacts {
                        // Logins are filled in after, to keep them unique.
                        login: Login::parse("t").unwrap(),
                        school: Some(sc(&format!("s{school}"))),
                        municipality: Some(mc(&format!("m{}", school / 3))),
                        school_has_cluster: cluster,
                        attrs: TeacherAttrs {
                            experience_years: years.map(f64::from),
                            hired_on,
                            students_low_results: low,
                            ..TeacherAttrs::default()
                        },
                        diagnostics,
                        routes,
                        trainings: trainings
                            .into_iter()
                            .map(|(kind, completed_on)| TrainingFact { kind, completed_on })
                            .collect(),
                        methodist,
                    }
                },
            )
    }

    fn any_schools() -> impl Strategy<Value = Vec<SchoolFacts>> {
        proptest::collection::vec(
            (
                any::<bool>(),
                proptest::collection::vec(any_interval(), 0..2),
            ),
            9,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (critical, mentor))| SchoolFacts {
                    code: sc(&format!("s{i}")),
                    municipality: mc(&format!("m{}", i / 3)),
                    critical_monitoring: critical,
                    mentor,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn scopes_add_up(
            mut teachers in proptest::collection::vec(any_teacher(), 0..30),
            schools in any_schools(),
            from in any_day(),
            len in 0u64..500,
            today in any_day(),
        ) {
            for (i, t) in teachers.iter_mut().enumerate() {
                t.login = Login::parse(&format!("t{i}")).unwrap();
            }
            let period = Period { from, to: from + chrono::Days::new(len) };
            for i in Indicator::ALL {
                let at = |w: &Where| compute(i, &teachers, &schools, w, period, today);
                let region = at(&Where::Region);
                let mut sum = Share::default();
                for m in 0..3 {
                    let municipality = at(&Where::Municipality(mc(&format!("m{m}"))));
                    let mut in_schools = Share::default();
                    for s in 0..3 {
                        let school = at(&Where::School(sc(&format!("s{}", m * 3 + s))));
                        prop_assert!(school.numerator <= school.denominator);
                        in_schools.numerator += school.numerator;
                        in_schools.denominator += school.denominator;
                    }
                    prop_assert_eq!(municipality, in_schools, "{} in m{}", i, m);
                    sum.numerator += municipality.numerator;
                    sum.denominator += municipality.denominator;
                }
                prop_assert_eq!(region, sum, "{}", i);
                let listed = members(i, &teachers, &schools, &Where::Region, period, today);
                prop_assert_eq!(listed.len() as u64, region.denominator);
                prop_assert_eq!(
                    listed.iter().filter(|(_, n)| *n).count() as u64,
                    region.numerator
                );
            }
        }
    }
}

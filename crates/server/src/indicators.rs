//! The indicators on the server side: gathering the stored facts the
//! domain's definitions count (`domain::indicators`) and writing `report
//! indicators` as `spec/cli.md` says (JSON, CSV, XLSX).
//!
//! Every figure is computed from stored facts (accounts, schools,
//! diagnostics, routes and their confirmed steps, assignments with their
//! start and end), never from a counter kept on the side.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::indicators::{
    DiagnosticFact, Indicator, Interval, RouteFact, SchoolFacts, Share, Target, TeacherFacts,
    TrainingFact, Where, default_targets, members,
};
use domain::{
    ActivityKind, Login, MunicipalityCode, Period, RegionAuthority, Role, SchoolCode, Scope,
};
use serde_json::{Value, json};
use store::{
    AssignmentFilter, IndicatorMember, IndicatorQuery, IndicatorTally, RouteFilter,
    SchoolAssignmentFilter, StepStatus, Store,
};

use crate::error::Failure;
use crate::roadmap::{excel_csv, iso_day};

/// The region's day of a stored instant.
fn day_of(ms: store::Millis, tz: Tz) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or(NaiveDate::MIN)
}

/// A stored percent (`"72.50"`) as an exact rational.
fn percent_of(text: &str) -> Option<domain::Rational> {
    let hundredths = store::parse_percent(text).ok()?;
    domain::Rational::new(i128::from(hundredths), 100)
}

/// Everything the indicators count, read from the store region-wide.
pub async fn facts(
    store: &dyn Store,
    auth: &RegionAuthority,
    tz: Tz,
) -> Result<(Vec<TeacherFacts>, Vec<SchoolFacts>), Failure> {
    let directory = store.directory(auth).await?;
    let schools: HashMap<&SchoolCode, &domain::School> =
        directory.schools.iter().map(|s| (&s.code, s)).collect();
    let mut diagnostics: HashMap<Login, Vec<DiagnosticFact>> = HashMap::new();
    // Every diagnostic: the day before 0001-01-01, which PostgreSQL's
    // `date` holds (`NaiveDate::MIN` it does not).
    let before_all = NaiveDate::from_ymd_opt(0, 12, 31).expect("a valid day");
    for d in store.diagnostics_since(auth, before_all).await? {
        diagnostics
            .entry(d.login.clone())
            .or_default()
            .push(DiagnosticFact {
                bank: d.bank_id.clone(),
                taken_on: d.taken_on,
                order: d.id,
                overall_percent: percent_of(&d.overall_percent),
                level: d.overall_level,
            });
    }
    let mut routes: HashMap<Login, Vec<RouteFact>> = HashMap::new();
    for r in store
        .routes_where(&Scope::region(), &RouteFilter::default())
        .await?
    {
        routes
            .entry(r.teacher.clone())
            .or_default()
            .push(RouteFact {
                period: r.period,
                approved_on: r.approved_at.map(|ms| day_of(ms, tz)),
                completed_on: r.completed_at.map(|ms| day_of(ms, tz)),
                courses_confirmed_on: r
                    .steps
                    .iter()
                    .filter(|s| {
                        matches!(s.step.kind, ActivityKind::Course | ActivityKind::Retraining)
                            && s.status == StepStatus::Confirmed
                    })
                    .filter_map(|s| s.reviewed_at.map(|ms| day_of(ms, tz)))
                    .collect(),
            });
    }
    let mut trainings: HashMap<Login, Vec<TrainingFact>> = HashMap::new();
    for t in store.trainings(auth).await? {
        let t = t.training;
        trainings.entry(t.login).or_default().push(TrainingFact {
            kind: t.kind,
            completed_on: t.completed_on,
        });
    }
    let mut methodists: HashMap<Login, Vec<Interval>> = HashMap::new();
    for a in store
        .methodist_assignments(&Scope::region(), &AssignmentFilter::default())
        .await?
    {
        methodists
            .entry(a.teacher.clone())
            .or_default()
            .push(Interval {
                from: day_of(a.started_at, tz),
                to: a.ended_at.map(|ms| day_of(ms, tz)),
            });
    }
    let mut mentors: HashMap<SchoolCode, Vec<Interval>> = HashMap::new();
    for a in store
        .mentor_school_assignments(&Scope::region(), &SchoolAssignmentFilter::default())
        .await?
    {
        mentors.entry(a.school.clone()).or_default().push(Interval {
            from: day_of(a.started_at, tz),
            to: a.ended_at.map(|ms| day_of(ms, tz)),
        });
    }
    let teachers = directory
        .accounts
        .iter()
        .filter(|a| a.active && a.has(Role::Teacher))
        .map(|a| {
            let school = a.school.as_ref().and_then(|c| schools.get(c));
            TeacherFacts {
                login: a.login.clone(),
                school: a.school.clone(),
                municipality: school.map(|s| s.municipality.clone()),
                school_has_cluster: school.is_some_and(|s| !s.clusters.is_empty()),
                attrs: a.attrs.clone(),
                diagnostics: diagnostics.remove(&a.login).unwrap_or_default(),
                routes: routes.remove(&a.login).unwrap_or_default(),
                trainings: trainings.remove(&a.login).unwrap_or_default(),
                methodist: methodists.remove(&a.login).unwrap_or_default(),
            }
        })
        .collect();
    let school_facts = directory
        .schools
        .iter()
        .filter(|s| s.active)
        .map(|s| SchoolFacts {
            code: s.code.clone(),
            municipality: s.municipality.clone(),
            critical_monitoring: s.critical_monitoring,
            mentor: mentors.remove(&s.code).unwrap_or_default(),
        })
        .collect();
    Ok((teachers, school_facts))
}

/// Every indicator's share per school within `at` over `period`: what the
/// dashboards and reports sum. Counted by the database
/// ([`Store::indicator_tallies`]), so that a region of any size is never
/// read into memory; [`tallies_of`] is the definition it is held to.
pub async fn tallies(
    store: &dyn Store,
    at: &Where,
    period: Period,
    today: NaiveDate,
    tz: Tz,
) -> Result<Vec<IndicatorTally>, Failure> {
    let q = IndicatorQuery::new(period, today, &tz);
    Ok(store
        .indicator_tallies(&RegionAuthority::command_line(), &q, at)
        .await?)
}

/// [`tallies`] computed by the domain over facts already read: the
/// reference the database's aggregation is held to (same rows, same order).
pub fn tallies_of(
    teachers: &[TeacherFacts],
    schools: &[SchoolFacts],
    at: &Where,
    period: Period,
    today: NaiveDate,
) -> Vec<IndicatorTally> {
    let teacher_school: HashMap<&str, (Option<&SchoolCode>, Option<&MunicipalityCode>)> = teachers
        .iter()
        .map(|t| {
            (
                t.login.as_str(),
                (t.school.as_ref(), t.municipality.as_ref()),
            )
        })
        .collect();
    let school_municipality: HashMap<&str, &MunicipalityCode> = schools
        .iter()
        .map(|s| (s.code.as_str(), &s.municipality))
        .collect();
    let mut out = Vec::new();
    for indicator in Indicator::ALL {
        let mut by_school: BTreeMap<Option<String>, (Option<MunicipalityCode>, Share)> =
            BTreeMap::new();
        for (id, counted) in members(indicator, teachers, schools, at, period, today) {
            let (school, municipality) = if indicator == Indicator::MentorSchoolCoverage {
                (
                    Some(id.clone()),
                    school_municipality.get(id.as_str()).map(|m| (*m).clone()),
                )
            } else {
                let (s, m) = teacher_school
                    .get(id.as_str())
                    .copied()
                    .unwrap_or((None, None));
                (s.map(|c| c.as_str().to_string()), m.cloned())
            };
            let entry = by_school
                .entry(school)
                .or_insert((municipality, Share::default()));
            entry.1.denominator += 1;
            entry.1.numerator += u64::from(counted);
        }
        for (school, (municipality, share)) in by_school {
            out.push(IndicatorTally {
                indicator,
                school: school.map(|c| SchoolCode::parse(&c).expect("a stored school code")),
                municipality,
                share,
            });
        }
    }
    out
}

/// The members of every indicator's denominator in one school, each with
/// whether it is counted: the list to act on. Read from the database
/// ([`Store::indicator_members`]); [`school_members_of`] is the definition.
pub async fn school_members(
    store: &dyn Store,
    school: &SchoolCode,
    period: Period,
    today: NaiveDate,
    tz: Tz,
) -> Result<Vec<IndicatorMember>, Failure> {
    let q = IndicatorQuery::new(period, today, &tz);
    Ok(store
        .indicator_members(&RegionAuthority::command_line(), &q, school)
        .await?)
}

/// [`school_members`] by the domain over facts already read, in the
/// store's order (by indicator, then id).
pub fn school_members_of(
    teachers: &[TeacherFacts],
    schools: &[SchoolFacts],
    school: &SchoolCode,
    period: Period,
    today: NaiveDate,
) -> Vec<IndicatorMember> {
    let at = Where::School(school.clone());
    let mut out: Vec<IndicatorMember> = Indicator::ALL
        .iter()
        .flat_map(|&indicator| {
            members(indicator, teachers, schools, &at, period, today)
                .into_iter()
                .map(move |(id, counted)| IndicatorMember {
                    indicator,
                    id,
                    counted,
                })
        })
        .collect();
    store::indicators::sort_members(&mut out);
    out
}

/// The share of `indicator` summed over the tallies `keep` selects.
pub fn sum(
    tallies: &[IndicatorTally],
    indicator: Indicator,
    keep: impl Fn(&IndicatorTally) -> bool,
) -> Share {
    let mut share = Share::default();
    for t in tallies
        .iter()
        .filter(|t| t.indicator == indicator && keep(t))
    {
        share.numerator += t.share.numerator;
        share.denominator += t.share.denominator;
    }
    share
}

/// One indicator's line of a report.
#[derive(Debug, Clone)]
pub struct Line {
    pub indicator: Indicator,
    pub share: Share,
    pub target: Option<Target>,
}

impl Line {
    pub fn met(&self) -> Option<bool> {
        self.target
            .as_ref()
            .and_then(|t| self.share.meets(t.threshold))
    }
}

/// The region's targets: the stored ones (`import targets`), and the
/// defaults the seed roadmaps set (`domain::indicators::default_targets`)
/// for each indicator whose region-wide target is not stored.
pub async fn targets(store: &dyn Store, period: Period) -> Result<Vec<Target>, Failure> {
    let stored: Vec<Target> = store
        .targets()
        .await?
        .into_iter()
        .map(|r| r.target.target())
        .collect();
    Ok(with_defaults(stored, period))
}

/// `stored` plus each default whose indicator has no stored region target.
fn with_defaults(mut stored: Vec<Target>, period: Period) -> Vec<Target> {
    for d in default_targets(period) {
        if !stored
            .iter()
            .any(|t| t.indicator == d.indicator && t.at == d.at)
        {
            stored.push(d);
        }
    }
    stored
}

/// `report indicators --format json` as `spec/cli.md` writes it.
pub fn report_json(at: &Where, period: Period, lines: &[Line]) -> Value {
    json!({
        "scope": {
            "level": at.level(),
            "code": at.code(),
            "from": iso_day(period.from),
            "to": iso_day(period.to),
        },
        "indicators": lines.iter().map(|l| json!({
            "indicator": l.indicator.as_str(),
            "title": l.indicator.title(),
            "numerator": l.share.numerator,
            "denominator": l.share.denominator,
            "percent": l.share.percent().map(|p| p.as_f64()),
            "target": l.target.as_ref().map(|t| t.threshold.as_f64()),
            "met": l.met(),
        })).collect::<Vec<_>>(),
    })
}

const COLUMNS: [&str; 7] = [
    "Показатель",
    "Код показателя",
    "Числитель",
    "Знаменатель",
    "Значение, %",
    "Целевое значение, %",
    "Достигнуто",
];

fn rows(lines: &[Line]) -> Vec<[String; 7]> {
    lines
        .iter()
        .map(|l| {
            [
                l.indicator.title().to_string(),
                l.indicator.as_str().to_string(),
                l.share.numerator.to_string(),
                l.share.denominator.to_string(),
                l.share
                    .percent()
                    .map_or_else(|| "нет данных".to_string(), |p| p.to_string()),
                l.target
                    .as_ref()
                    .map(|t| t.threshold.to_string())
                    .unwrap_or_default(),
                match l.met() {
                    Some(true) => "да".into(),
                    Some(false) => "нет".into(),
                    None => String::new(),
                },
            ]
        })
        .collect()
}

/// The report as CSV (UTF-8 with a BOM and `;`, as Excel opens it).
pub fn report_csv(lines: &[Line]) -> Vec<u8> {
    excel_csv(&COLUMNS, &rows(lines))
}

/// The report as an XLSX workbook; numbers are numbers, unmet targets red.
pub fn report_xlsx(at: &Where, period: Period, lines: &[Line]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Показатели").map_err(err)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let missed = Format::new()
        .set_font_color(Color::RGB(0xB0_00_20))
        .set_bold();
    let scope = match at.code() {
        Some(code) => format!("{} {code}", at.level()),
        None => at.level().to_string(),
    };
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "Показатели: {scope}, {} – {}",
                period.from.format("%d.%m.%Y"),
                period.to.format("%d.%m.%Y")
            ),
            &bold,
        )
        .map_err(err)?;
    for (c, title) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(2, c as u16, *title, &bold)
            .map_err(err)?;
    }
    for (c, w) in [46.0, 24.0, 11.0, 12.0, 12.0, 14.0, 11.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w).map_err(err)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 3;
        sheet.write_string(r, 0, l.indicator.title()).map_err(err)?;
        sheet
            .write_string(r, 1, l.indicator.as_str())
            .map_err(err)?;
        sheet
            .write_number(r, 2, l.share.numerator as f64)
            .map_err(err)?;
        sheet
            .write_number(r, 3, l.share.denominator as f64)
            .map_err(err)?;
        match l.share.percent() {
            Some(p) => sheet.write_number(r, 4, p.as_f64()).map_err(err)?,
            None => sheet.write_string(r, 4, "нет данных").map_err(err)?,
        };
        if let Some(t) = &l.target {
            sheet
                .write_number(r, 5, t.threshold.as_f64())
                .map_err(err)?;
        }
        match l.met() {
            Some(true) => sheet.write_string(r, 6, "да").map_err(err)?,
            Some(false) => sheet
                .write_string_with_format(r, 6, "нет", &missed)
                .map_err(err)?,
            None => sheet,
        };
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::MunicipalityCode;
    use domain::indicators::{Percent, target_for};

    /// The instants the database compares with are the first instants of
    /// the days `day_of` reads, in any zone: São Paulo skipped midnight on
    /// 2018-11-04 (00:00 became 01:00), Moscow has no change.
    #[test]
    fn query_bounds_are_the_first_instants_of_the_region_days() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        for (tz, day) in [
            (chrono_tz::America::Sao_Paulo, d(2018, 11, 4)),
            (chrono_tz::America::Sao_Paulo, d(2018, 11, 5)),
            (chrono_tz::Europe::Moscow, d(2026, 3, 15)),
        ] {
            let start = store::indicators::start_of_day(day, &tz);
            assert_eq!(day_of(start, tz), day, "{tz} {day}");
            assert_eq!(day_of(start - 1, tz), day.pred_opt().unwrap(), "{tz} {day}");
        }
        let gap = store::indicators::start_of_day(d(2018, 11, 4), &chrono_tz::America::Sao_Paulo);
        assert_eq!(
            chrono::DateTime::from_timestamp_millis(gap)
                .unwrap()
                .to_rfc3339(),
            "2018-11-04T03:00:00+00:00"
        );
        let q = IndicatorQuery::new(
            Period {
                from: d(2025, 9, 1),
                to: d(2026, 8, 31),
            },
            d(2026, 3, 15),
            &chrono_tz::Europe::Moscow,
        );
        assert_eq!(
            day_of(q.state_end, chrono_tz::Europe::Moscow),
            d(2026, 3, 16)
        );
        assert_eq!(
            day_of(q.state_end - 1, chrono_tz::Europe::Moscow),
            d(2026, 3, 15)
        );
    }

    #[test]
    fn stored_targets_replace_the_default_of_their_indicator_and_scope_only() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let period = Period {
            from: d(2025, 9, 1),
            to: d(2026, 8, 31),
        };
        let target = |indicator, threshold: &str, at| Target {
            indicator,
            threshold: Percent::parse(threshold).unwrap(),
            at,
            due_on: None,
        };
        let m01 = Where::Municipality(MunicipalityCode::parse("m01").unwrap());
        let stored = vec![
            target(Indicator::TrainingCoverage, "90", Where::Region),
            target(Indicator::RouteCompletion, "80", m01.clone()),
        ];
        let all = with_defaults(stored.clone(), period);
        // The stored two, then the three defaults not replaced.
        assert_eq!(all[..2], stored[..]);
        let defaults: Vec<Indicator> = all[2..].iter().map(|t| t.indicator).collect();
        assert_eq!(
            defaults,
            [
                Indicator::RouteCompletion,
                Indicator::MethodistCoverage,
                Indicator::MentorSchoolCoverage
            ]
        );
        assert!(all[2..].iter().all(|t| t.at == Where::Region));
        let applies = target_for(&all, Indicator::RouteCompletion, &m01, None).unwrap();
        assert_eq!(applies.threshold, Percent::parse("80").unwrap());
        assert_eq!(
            target_for(&all, Indicator::TrainingCoverage, &m01, None)
                .unwrap()
                .threshold,
            Percent::parse("90").unwrap()
        );
    }
}

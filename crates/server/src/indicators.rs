//! The indicators on the server side: gathering the stored facts the
//! domain's definitions count (`domain::indicators`) and writing `report
//! indicators` as `spec/cli.md` says (JSON, CSV, XLSX).
//!
//! Every figure is computed from stored facts (accounts, schools,
//! diagnostics, routes and their confirmed steps, assignments with their
//! start and end), never from a counter kept on the side.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::indicators::{
    DiagnosticFact, Indicator, Interval, RouteFact, SchoolFacts, Share, Target, TeacherFacts,
    TrainingFact, Where, compute, default_targets, target_for,
};
use domain::{ActivityKind, Login, Period, RegionAuthority, Role, SchoolCode, Scope};
use serde_json::{Value, json};
use store::{AssignmentFilter, RouteFilter, SchoolAssignmentFilter, StepStatus, Store};

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
    for d in store.diagnostics_since(auth, NaiveDate::MIN).await? {
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

/// Every indicator for `at` over `period`, against its target.
pub fn lines(
    teachers: &[TeacherFacts],
    schools: &[SchoolFacts],
    targets: &[Target],
    at: &Where,
    period: Period,
    today: NaiveDate,
) -> Vec<Line> {
    let school_municipality = match at {
        Where::School(code) => schools
            .iter()
            .find(|s| &s.code == code)
            .map(|s| s.municipality.clone()),
        _ => None,
    };
    Indicator::ALL
        .iter()
        .map(|&indicator| Line {
            indicator,
            share: compute(indicator, teachers, schools, at, period, today),
            target: target_for(targets, indicator, at, school_municipality.as_ref()).cloned(),
        })
        .collect()
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
    use domain::indicators::Percent;

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

//! «Показатели» in the browser: the dashboards of the region, a
//! municipality and a school, the indicators report to download (XLSX,
//! CSV) and the analytical report («аналитическая справка», DOCX/PDF).
//!
//! Who sees what: the region's dashboard is for ЦНППМ and administrators; a
//! municipality's for them and the municipality's coordinator; a school's
//! for them, the coordinator of its municipality and the school's deputy
//! head and principal. A coordinator also sees the region's dashboard (its
//! figures are aggregates) but opens only the own municipality from it. A
//! scope outside the caller's answers 404, as if it did not exist.
//! `/indicators` takes each caller to the widest dashboard they may see.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::indicators::{Indicator, Share, Where, school_year};
use domain::trend::{Forecast, Standing};
use domain::{Caller, MunicipalityCode, Period, Role, SchoolCode};
use serde::Deserialize;
use store::StaffFilter;

use crate::dashboard::{Board, Figure, board, holding_back};
use crate::error::{Failure, PageError};
use crate::indicators::Line;
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::{chrome, html};

type PageResult = Result<Response, PageError>;

/// How many rows a list of who holds a target back shows.
const BEHIND_SHOWN: usize = 50;

const REGION: &[Role] = &[Role::CnppmMethodist, Role::Admin];

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    school: Option<String>,
}

impl PeriodQuery {
    /// The period asked for: both dates or neither (the school year
    /// containing today).
    pub fn period(&self, today: NaiveDate) -> Result<Period, Failure> {
        let day = |v: &str, field: &str| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
                Failure::bad_request(
                    format!("«{}»: укажите дату в виде ГГГГ-ММ-ДД", v.trim()),
                    Some(field),
                )
            })
        };
        let from = self.from.as_deref().filter(|v| !v.trim().is_empty());
        let to = self.to.as_deref().filter(|v| !v.trim().is_empty());
        match (from, to) {
            (None, None) => Ok(school_year(today)),
            (Some(f), Some(t)) => {
                let (from, to) = (day(f, "from")?, day(t, "to")?);
                if from > to {
                    return Err(Failure::bad_request(
                        "Начало периода позже его конца: исправьте даты",
                        Some("from"),
                    ));
                }
                Ok(Period { from, to })
            }
            (Some(_), None) => Err(Failure::bad_request("Укажите и конец периода", Some("to"))),
            (None, Some(_)) => Err(Failure::bad_request(
                "Укажите и начало периода",
                Some("from"),
            )),
        }
    }

    /// The scope asked for (`municipality=` or `school=`, else the region).
    pub fn scope(&self) -> Result<Where, Failure> {
        Where::parse(
            match (&self.municipality, &self.school) {
                (_, Some(s)) if !s.trim().is_empty() => Some("school"),
                (Some(m), _) if !m.trim().is_empty() => Some("municipality"),
                _ => None,
            },
            self.school
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .or(self.municipality.as_deref())
                .map(str::trim),
        )
        .map_err(|e| Failure::bad_request(e.0, Some("municipality")))
    }
}

/// A scope the caller may see, with its title and (for a school) its
/// municipality; `NotFound` otherwise.
pub struct Seen {
    pub at: Where,
    pub title: String,
    pub municipality: Option<(MunicipalityCode, String)>,
}

pub async fn seen(state: &AppState, c: &Caller, at: &Where) -> Result<Seen, Failure> {
    let scope = c.scope();
    match at {
        // The region's figures are aggregates, not personal data: a
        // municipal coordinator compares the municipality with the others.
        Where::Region if scope.region || c.has(Role::MunicipalCoordinator) => Ok(Seen {
            at: Where::Region,
            title: "регион".into(),
            municipality: None,
        }),
        Where::Region => Err(Failure::NotFound),
        Where::Municipality(m) => {
            if !(scope.region || scope.municipalities.contains(m)) {
                return Err(Failure::NotFound);
            }
            let name = state
                .store
                .municipality_names()
                .await?
                .into_iter()
                .find(|x| &x.code == m)
                .map(|x| x.name)
                .ok_or(Failure::NotFound)?;
            Ok(Seen {
                at: at.clone(),
                title: name,
                municipality: None,
            })
        }
        Where::School(code) => {
            let s = state
                .store
                .school(&scope, code)
                .await?
                .ok_or(Failure::NotFound)?;
            Ok(Seen {
                at: at.clone(),
                title: s.school.short_name.clone().unwrap_or(s.school.name.clone()),
                municipality: Some((s.school.municipality.clone(), s.municipality_name)),
            })
        }
    }
}

/// A decimal as Russian writes it: «72,5».
pub(crate) fn decimal_comma(value: impl std::fmt::Display) -> String {
    value.to_string().replace('.', ",")
}

/// «72,5 %».
pub fn ru_percent(share: Share) -> String {
    share.percent().map_or_else(
        || "нет данных".into(),
        |p| format!("{} %", decimal_comma(p)),
    )
}

/// Teachers or schools, by the indicator.
fn members_word(indicator: Indicator, n: u64) -> &'static str {
    if indicator == Indicator::MentorSchoolCoverage {
        domain::words::plural_word(n, "школа", "школы", "школ")
    } else {
        domain::words::plural_word(n, "педагог", "педагога", "педагогов")
    }
}

fn members_genitive(indicator: Indicator, n: u64) -> &'static str {
    if indicator == Indicator::MentorSchoolCoverage {
        domain::words::plural_word(n, "школы", "школ", "школ")
    } else {
        domain::words::plural_word(n, "педагога", "педагогов", "педагогов")
    }
}

/// What an uncounted member of the indicator lacks.
fn missing(indicator: Indicator) -> &'static str {
    match indicator {
        Indicator::DiagnosticsCoverage => "не прошёл диагностику в периоде",
        Indicator::RouteAssigned => "нет утверждённого ИОМ",
        Indicator::RouteCompletion => "ИОМ не освоен",
        Indicator::TrainingCoverage => "нет курсов ПК или ПП в периоде",
        Indicator::MethodistCoverage => "не закреплён региональный методист",
        Indicator::MentorSchoolCoverage => "не закреплена школа-наставник",
        Indicator::Growth => "нет роста по повторной диагностике",
    }
}

/// The status line of a standing; `unit` names the members short
/// («не хватает 3 педагогов до цели»), if known.
pub fn status_text(standing: Standing, unit: Option<Indicator>) -> String {
    match standing {
        Standing::NoData => "нет данных".into(),
        Standing::NoTarget => "цель не установлена".into(),
        Standing::Met => "цель достигнута".into(),
        Standing::Short(n) => match unit {
            Some(i) => format!("не хватает {n} {} до цели", members_genitive(i, n)),
            None => format!("не хватает {n} до цели"),
        },
    }
}

/// A standing as the analytical report's status column says it.
fn report_status(standing: Standing) -> &'static str {
    match standing {
        Standing::NoData => iom_doc::STATUS_NO_DATA,
        Standing::NoTarget => iom_doc::STATUS_NO_TARGET,
        Standing::Met => iom_doc::STATUS_MET,
        Standing::Short(_) => iom_doc::STATUS_MISSED,
    }
}

/// The forecast in words.
pub fn forecast_text(f: &Figure) -> String {
    let due = f
        .target
        .as_ref()
        .and_then(|t| t.due_on)
        .map(|d| d.format("%d.%m.%Y").to_string());
    match (f.forecast, due) {
        (Forecast::Met | Forecast::NoTarget, _) => String::new(),
        (Forecast::OnTrack { projected }, Some(due)) => format!(
            "Прогноз: при текущем темпе к {due} — около {} %, цель будет достигнута.",
            decimal_comma(format!("{projected:.1}"))
        ),
        (Forecast::AtRisk { projected }, Some(due)) => format!(
            "Прогноз: при текущем темпе к {due} — около {} %, цель не будет достигнута.",
            decimal_comma(format!("{projected:.1}"))
        ),
        (Forecast::Missed, Some(due)) => format!("Срок {due} прошёл, цель не достигнута."),
        (Forecast::TooLittleHistory, Some(_)) => format!(
            "Для прогноза мало истории: нужны ежедневные снимки хотя бы за {} дней.",
            domain::trend::MIN_PACE_SPAN_DAYS
        ),
        (_, None) => "Срок цели не указан: прогноз не строится.".into(),
    }
}

/// A target's mark on a card's bar and its words («цель ≥ 75 % к 31.08.2026»).
fn target_mark(threshold: domain::indicators::Percent, due_on: Option<NaiveDate>) -> (f64, String) {
    let due = due_on
        .map(|d| format!(" к {}", d.format("%d.%m.%Y")))
        .unwrap_or_default();
    (
        threshold.as_f64(),
        format!("цель ≥ {} %{due}", decimal_comma(threshold)),
    )
}

fn card(f: &Figure, period: Period) -> app::IndicatorCard {
    let light = f.light().as_str();
    let span = (period.to - period.from).num_days().max(1) as f64;
    app::IndicatorCard {
        key: f.indicator.as_str().into(),
        title: f.indicator.title().into(),
        explanation: f.indicator.explanation().into(),
        value: ru_percent(f.share),
        counts: format!(
            "{} из {} {}",
            f.share.numerator,
            f.share.denominator,
            members_genitive(f.indicator, f.share.denominator)
        ),
        tenths: f.share.percent().map(|p| p.tenths()),
        target: f
            .target
            .as_ref()
            .map(|t| target_mark(t.threshold, t.due_on)),
        light,
        status: status_text(f.standing(), Some(f.indicator)),
        forecast: forecast_text(f),
        trend: f
            .history
            .iter()
            .filter_map(|p| {
                p.share
                    .percent()
                    .map(|v| ((p.day - period.from).num_days() as f64 / span, v.as_f64()))
            })
            .collect(),
        evidence: None,
    }
}

/// The dashboard's path of a scope.
pub fn board_href(at: &Where) -> String {
    match at {
        Where::Region => "/indicators".into(),
        Where::Municipality(m) => format!("/indicators/municipalities/{m}"),
        Where::School(s) => format!("/indicators/schools/{s}"),
    }
}

fn scope_query(at: &Where, period: Period) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    match at {
        Where::Region => {}
        Where::Municipality(m) => {
            q.append_pair("municipality", m.as_str());
        }
        Where::School(s) => {
            q.append_pair("school", s.as_str());
        }
    }
    q.append_pair("from", &period.from.format("%Y-%m-%d").to_string());
    q.append_pair("to", &period.to.format("%Y-%m-%d").to_string());
    q.finish()
}

async fn dashboard_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    at: Where,
    q: &PeriodQuery,
) -> PageResult {
    let today = state.config.today();
    let seen = seen(state, c, &at).await?;
    let (period, error) = match q.period(today) {
        Ok(p) => (p, None),
        Err(Failure::BadRequest { message, .. }) => (school_year(today), Some(message)),
        Err(e) => return Err(e.into()),
    };
    let b = board(
        state.store.as_ref(),
        &at,
        seen.municipality.as_ref().map(|(m, _)| m),
        period,
        today,
        state.config.timezone,
    )
    .await?;
    let scope = c.scope();
    let mut crumbs = Vec::new();
    if (scope.region || c.has(Role::MunicipalCoordinator)) && at != Where::Region {
        crumbs.push(("Регион".to_string(), "/indicators".to_string()));
    }
    if let Some((m, name)) = &seen.municipality
        && (scope.region || scope.municipalities.contains(m))
    {
        crumbs.push((name.clone(), board_href(&Where::Municipality(m.clone()))));
    }
    let names = part_names(state, &at).await?;
    let (parts_title, parts) = match &at {
        Where::Region => (
            Some("Муниципалитеты".to_string()),
            part_rows(&b, &names, &scope),
        ),
        Where::Municipality(_) => (Some("Школы".to_string()), part_rows(&b, &names, &scope)),
        Where::School(_) => (None, Vec::new()),
    };
    let behind = match &at {
        Where::School(code) => school_behind(state, c, code, &b).await?,
        _ => parts_behind(&b, &names, &at, &scope),
    };
    let query = scope_query(&at, period);
    let mut downloads = vec![
        (
            "XLSX".to_string(),
            format!("/indicators/report.xlsx?{query}"),
        ),
        ("CSV".to_string(), format!("/indicators/report.csv?{query}")),
    ];
    if !matches!(at, Where::School(_)) {
        downloads.push((
            "Аналитическая справка (DOCX)".to_string(),
            format!("/indicators/spravka.docx?{query}"),
        ));
        downloads.push((
            "Аналитическая справка (PDF)".to_string(),
            format!("/indicators/spravka.pdf?{query}"),
        ));
    }
    let custom = crate::custom_indicators::custom_lines(state.store.as_ref(), &scope, &at)
        .await?
        .iter()
        .map(custom_card)
        .collect();
    Ok(html(app::render_dashboard(&app::DashboardPage {
        chrome: chrome(c, csrf, "/indicators"),
        scope_title: seen.title,
        crumbs,
        period_text: format!(
            "Период: {} – {}, по состоянию на {}.",
            period.from.format("%d.%m.%Y"),
            period.to.format("%d.%m.%Y"),
            b.as_of().format("%d.%m.%Y")
        ),
        action: board_href(&at),
        from: period.from.format("%Y-%m-%d").to_string(),
        to: period.to.format("%Y-%m-%d").to_string(),
        downloads,
        indicators: b.figures.iter().map(|f| card(f, period)).collect(),
        custom,
        parts_title,
        columns: Indicator::ALL
            .iter()
            .map(|i| i.title().to_string())
            .collect(),
        parts,
        behind,
        error,
    })))
}

fn custom_card(l: &crate::custom_indicators::CustomLine) -> app::IndicatorCard {
    let standing = Standing::of(l.share, l.threshold);
    app::IndicatorCard {
        key: format!("custom-{}", l.id),
        title: l.title.clone(),
        explanation: match (l.as_of, l.summed) {
            (_, Some(summed)) => format!(
                "Значение — {}.",
                crate::custom_indicators::summed_text(summed)
            ),
            (Some(d), None) => format!("Значение введено на {}.", d.format("%d.%m.%Y")),
            (None, None) => "Значение ещё не введено.".into(),
        },
        value: ru_percent(l.share),
        counts: format!("{} из {}", l.share.numerator, l.share.denominator),
        tenths: l.share.percent().map(|p| p.tenths()),
        target: l.threshold.map(|t| target_mark(t, l.due_on)),
        light: standing.light().as_str(),
        status: status_text(standing, None),
        forecast: String::new(),
        trend: Vec::new(),
        evidence: l.evidence.clone(),
    }
}

/// The names of the scope's parts (municipalities of the region, schools
/// of a municipality).
async fn part_names(state: &AppState, at: &Where) -> Result<HashMap<Where, String>, Failure> {
    // Names are public; the caller may see `at` (checked before).
    Ok(match at {
        Where::Region => state
            .store
            .municipality_names()
            .await?
            .into_iter()
            .map(|m| (Where::Municipality(m.code), m.name))
            .collect(),
        Where::Municipality(m) => state
            .store
            .school_names(m)
            .await?
            .into_iter()
            .map(|(code, name, short)| (Where::School(code), short.unwrap_or(name)))
            .collect(),
        Where::School(_) => HashMap::new(),
    })
}

fn part_name(names: &HashMap<Where, String>, at: &Where) -> String {
    names
        .get(at)
        .cloned()
        .unwrap_or_else(|| at.code().unwrap_or_default().to_string())
}

/// The dashboard's link of a part, when the caller may open it.
fn part_href(scope: &domain::Scope, at: &Where) -> Option<String> {
    let open = scope.region
        || match at {
            Where::Municipality(m) => scope.municipalities.contains(m),
            // A school's part row appears only on its municipality's
            // dashboard, which the caller could open.
            Where::School(_) => true,
            Where::Region => false,
        };
    open.then(|| board_href(at))
}

fn part_rows(
    b: &Board,
    names: &HashMap<Where, String>,
    scope: &domain::Scope,
) -> Vec<app::PartRowView> {
    let mut rows: Vec<app::PartRowView> = b
        .parts
        .iter()
        .map(|p| app::PartRowView {
            name: part_name(names, &p.at),
            href: part_href(scope, &p.at),
            cells: Indicator::ALL
                .iter()
                .map(|&i| {
                    let (share, threshold) = p.get(i);
                    (
                        share.percent().map_or_else(|| "—".into(), decimal_comma),
                        Standing::of(share, threshold).light().as_str(),
                    )
                })
                .collect(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

fn parts_behind(
    b: &Board,
    names: &HashMap<Where, String>,
    at: &Where,
    scope: &domain::Scope,
) -> Vec<app::BehindView> {
    let part_word = if matches!(at, Where::Region) {
        "муниципалитеты"
    } else {
        "школы"
    };
    b.figures
        .iter()
        .filter_map(|f| {
            let behind = holding_back(&b.parts, f.indicator);
            if behind.is_empty() {
                return None;
            }
            let rows: Vec<app::BehindRowView> = behind
                .iter()
                .map(|(p, share, gap)| app::BehindRowView {
                    name: part_name(names, &p.at),
                    href: part_href(scope, &p.at),
                    value: format!(
                        "{} из {} ({})",
                        share.numerator,
                        share.denominator,
                        ru_percent(*share)
                    ),
                    gap: format!("{gap} {}", members_word(f.indicator, *gap)),
                })
                .collect();
            let more = rows.len().saturating_sub(BEHIND_SHOWN);
            Some(app::BehindView {
                key: f.indicator.as_str().into(),
                title: format!(
                    "{}: {part_word} ниже цели ({})",
                    f.indicator.title(),
                    rows.len()
                ),
                open: f.shortfall().is_some_and(|n| n > 0),
                columns: [
                    if matches!(at, Where::Region) {
                        "Муниципалитет".into()
                    } else {
                        "Школа".into()
                    },
                    "Значение".into(),
                    "Не хватает до цели".into(),
                ],
                rows: rows.into_iter().take(BEHIND_SHOWN).collect(),
                more,
            })
        })
        .collect()
}

/// A school's lists: per indicator, the teachers (or the school itself)
/// in its denominator and not counted — the list to act on.
async fn school_behind(
    state: &AppState,
    c: &Caller,
    code: &SchoolCode,
    b: &Board,
) -> Result<Vec<app::BehindView>, Failure> {
    let members = crate::indicators::school_members(
        state.store.as_ref(),
        code,
        b.period,
        b.today,
        state.config.timezone,
    )
    .await?;
    let staff: HashMap<String, String> = state
        .store
        .staff(
            &c.scope(),
            &StaffFilter {
                school: Some(code.clone()),
                include_inactive: true,
                ..StaffFilter::default()
            },
        )
        .await?
        .into_iter()
        .map(|a| (a.login.as_str().to_string(), a.full_name))
        .collect();
    let mut out = Vec::new();
    for f in &b.figures {
        let mut rows: Vec<app::BehindRowView> = members
            .iter()
            .filter(|m| m.indicator == f.indicator && !m.counted)
            .map(|m| app::BehindRowView {
                name: if f.indicator == Indicator::MentorSchoolCoverage {
                    "школа".into()
                } else {
                    staff.get(&m.id).cloned().unwrap_or_else(|| m.id.clone())
                },
                href: None,
                value: missing(f.indicator).into(),
                gap: if f.indicator == Indicator::MentorSchoolCoverage {
                    String::new()
                } else {
                    m.id.clone()
                },
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        let more = rows.len().saturating_sub(BEHIND_SHOWN);
        out.push(app::BehindView {
            key: f.indicator.as_str().into(),
            title: format!("{}: не учтены ({})", f.indicator.title(), rows.len()),
            open: f.shortfall().is_some_and(|n| n > 0),
            columns: ["Педагог".into(), "Чего не хватает".into(), "Логин".into()],
            rows: rows.into_iter().take(BEHIND_SHOWN).collect(),
            more,
        });
    }
    Ok(out)
}

// ---- handlers ------------------------------------------------------------------

/// `/indicators`: the widest dashboard the caller may see.
pub async fn index(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    // A coordinator starts from the region too: the figures are aggregates,
    // and only the own municipality opens further.
    if c.has_any(REGION) || c.has(Role::MunicipalCoordinator) {
        return dashboard_page(&state, &c, &csrf, Where::Region, &q).await;
    }
    let Some(school) = &c.school else {
        return Err(Failure::NotFound.into());
    };
    Ok(Redirect::to(&board_href(&Where::School(school.clone()))).into_response())
}

pub async fn municipality(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let code = MunicipalityCode::parse(&code).map_err(|_| Failure::NotFound)?;
    dashboard_page(&state, &c, &csrf, Where::Municipality(code), &q).await
}

pub async fn school(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let code = SchoolCode::parse(&code).map_err(|_| Failure::NotFound)?;
    dashboard_page(&state, &c, &csrf, Where::School(code), &q).await
}

/// The figures of a scope the caller may see, as report lines.
pub async fn report_lines(
    state: &AppState,
    c: &Caller,
    q: &PeriodQuery,
) -> Result<(Seen, Period, Board), Failure> {
    let at = q.scope().map_err(|_| Failure::NotFound)?;
    let seen = seen(state, c, &at).await?;
    let period = q.period(state.config.today())?;
    let b = board(
        state.store.as_ref(),
        &at,
        seen.municipality.as_ref().map(|(m, _)| m),
        period,
        state.config.today(),
        state.config.timezone,
    )
    .await?;
    Ok((seen, period, b))
}

pub fn lines_of(b: &Board) -> Vec<Line> {
    b.figures
        .iter()
        .map(|f| Line {
            indicator: f.indicator,
            share: f.share,
            target: f.target.clone(),
        })
        .collect()
}

fn file_stem(seen: &Seen, period: Period) -> String {
    format!(
        "Показатели — {} — {}–{}",
        seen.title,
        period.from.format("%d.%m.%Y"),
        period.to.format("%d.%m.%Y")
    )
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let (seen, period, b) = report_lines(&state, &c, &q).await?;
    let bytes =
        crate::indicators::report_xlsx(&b.at, period, &lines_of(&b)).map_err(Failure::internal)?;
    Ok(crate::web_routes::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "indicators",
        format!("{}.xlsx", file_stem(&seen, period)),
    ))
}

pub async fn report_csv(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let (seen, period, b) = report_lines(&state, &c, &q).await?;
    Ok(crate::web_routes::download(
        crate::indicators::report_csv(&lines_of(&b)),
        "text/csv; charset=utf-8",
        "indicators",
        format!("{}.csv", file_stem(&seen, period)),
    ))
}

// ---- the analytical report («аналитическая справка») ----------------------------

/// The analytical report of a municipality or the region: the indicators
/// against their targets with the forecast, the roadmap's status with its
/// overdue items, and the lists of what is behind.
async fn analytical_report(
    state: &AppState,
    c: &Caller,
    q: &PeriodQuery,
) -> Result<(Seen, Period, iom_doc::AnalyticalReport), Failure> {
    let (seen, period, b) = report_lines(state, c, q).await?;
    if matches!(b.at, Where::School(_)) {
        return Err(Failure::NotFound);
    }
    let indicators = b
        .figures
        .iter()
        .map(|f| iom_doc::ReportIndicator {
            title: f.indicator.title().into(),
            numerator: f.share.numerator,
            denominator: f.share.denominator,
            percent: f.share.percent().map(decimal_comma),
            target: f.target.as_ref().map(|t| decimal_comma(t.threshold)),
            status: report_status(f.standing()).into(),
            forecast: forecast_text(f),
            evidence: None,
        })
        .collect();
    let names = part_names(state, &b.at).await?;
    let behind = parts_behind(&b, &names, &b.at, &c.scope())
        .into_iter()
        .map(|v| iom_doc::BehindList {
            title: v.title,
            columns: v.columns,
            rows: v
                .rows
                .into_iter()
                .map(|r| [r.name, r.value, r.gap])
                .collect(),
        })
        .collect();
    let custom = crate::custom_indicators::custom_lines(state.store.as_ref(), &c.scope(), &b.at)
        .await?
        .into_iter()
        .map(|l| iom_doc::ReportIndicator {
            status: report_status(Standing::of(l.share, l.threshold)).into(),
            title: l.title,
            numerator: l.share.numerator,
            denominator: l.share.denominator,
            percent: l.share.percent().map(decimal_comma),
            target: l.threshold.map(decimal_comma),
            forecast: String::new(),
            evidence: match (l.evidence, l.summed) {
                (Some(e), _) => Some(e),
                (None, Some(summed)) => Some(crate::custom_indicators::summed_text(summed)),
                (None, None) => None,
            },
        })
        .collect();
    let as_of = b.as_of();
    let mut roadmap = iom_doc::ReportRoadmap::default();
    for row in state
        .store
        .roadmap(as_of)
        .await?
        .into_iter()
        .filter(|r| r.period.from <= as_of && as_of <= r.period.to)
    {
        match crate::roadmap::item_status(&row, as_of) {
            domain::roadmap::ItemStatus::Planned => roadmap.planned += 1,
            domain::roadmap::ItemStatus::InProgress => roadmap.in_progress += 1,
            domain::roadmap::ItemStatus::Done => roadmap.done += 1,
            domain::roadmap::ItemStatus::Overdue => {
                roadmap.overdue += 1;
                roadmap.overdue_items.push(iom_doc::RoadmapLine {
                    number: row.number,
                    title: row.title,
                    responsible: row.responsible,
                    due_text: row.due_text,
                });
            }
        }
    }
    let role = if c.has(Role::MunicipalCoordinator) && !c.has_any(REGION) {
        "Муниципальный координатор"
    } else {
        "Методист ЦНППМ"
    };
    let report = iom_doc::AnalyticalReport {
        scope: match &b.at {
            Where::Region => match state
                .store
                .setting(crate::web_routes::REGION_NAME_KEY)
                .await?
            {
                Some(name) => format!("{name}: все муниципалитеты"),
                None => "Регион (все муниципалитеты)".into(),
            },
            _ => format!("Муниципальное образование «{}»", seen.title),
        },
        prepared_by: Some(format!("{role}: {}", c.full_name)),
        period_from: period.from,
        period_to: period.to,
        as_of,
        indicators,
        custom,
        roadmap,
        behind,
    };
    Ok((seen, period, report))
}

/// The analytical report of the scope asked for, rendered by `render`
/// off the async workers, as a download of `content_type` with `ext`.
async fn spravka(
    state: &AppState,
    c: &Caller,
    q: &PeriodQuery,
    render: fn(&iom_doc::AnalyticalReport) -> Vec<u8>,
    content_type: &'static str,
    ext: &str,
) -> PageResult {
    let (seen, period, report) = analytical_report(state, c, q).await?;
    let bytes = tokio::task::spawn_blocking(move || render(&report))
        .await
        .map_err(|e| Failure::internal(e.to_string()))?;
    Ok(crate::web_routes::download(
        bytes,
        content_type,
        "spravka",
        format!(
            "Аналитическая справка — {} — {}–{}.{ext}",
            seen.title,
            period.from.format("%d.%m.%Y"),
            period.to.format("%d.%m.%Y")
        ),
    ))
}

pub async fn spravka_docx(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    spravka(
        &state,
        &c,
        &q,
        iom_doc::report_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    )
    .await
}

pub async fn spravka_pdf(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    spravka(
        &state,
        &c,
        &q,
        iom_doc::report_pdf,
        "application/pdf",
        "pdf",
    )
    .await
}

/// The indicators' panel of the school and municipality pages: the cards of
/// `at` and the link to its dashboard, for the staff who read indicators
/// (nothing for the others).
pub async fn panel(
    state: &AppState,
    c: &Caller,
    at: Where,
    school_municipality: Option<&MunicipalityCode>,
) -> Result<(Vec<app::IndicatorCard>, Option<String>), Failure> {
    let readers = [
        Role::CnppmMethodist,
        Role::Admin,
        Role::MunicipalCoordinator,
        Role::DeputyHead,
        Role::Principal,
    ];
    if !c.has_any(&readers) {
        return Ok((Vec::new(), None));
    }
    let today = state.config.today();
    let period = school_year(today);
    let b = board(
        state.store.as_ref(),
        &at,
        school_municipality,
        period,
        today,
        state.config.timezone,
    )
    .await?;
    Ok((
        b.figures.iter().map(|f| card(f, period)).collect(),
        Some(board_href(&at)),
    ))
}

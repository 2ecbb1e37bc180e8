//! The route pages: the list (with the generation button for ЦНППМ
//! methodists), one route with the teacher's profile beside its steps, the
//! methodist's edits and approval, the teacher's marks with evidence, the
//! deputy head's confirmation.
//!
//! Who may do what: a ЦНППМ methodist or an administrator edits and approves
//! drafts; the route's teacher marks steps of an approved route; a deputy
//! head or principal of the teacher's school (never the teacher) confirms
//! or returns them. Drafts are seen only by methodists and administrators;
//! everyone else sees a route of a teacher in their scope once approved.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::routes::{Deficit, Step, Uncovered, expected_result, step_from_entry};
use domain::{
    ActivityKind, Caller, CompetenceRef, Entry, Level, Login, RegionAuthority, Role, Scope,
};
use serde::Deserialize;
use store::{
    EvidenceKind, NewEvidence, RouteFilter, RouteRow, RouteStatus, StepStatus, StoreError,
};

use crate::auth::now_millis;
use crate::error::{Failure, PageError};
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::{chrome, local_time, percent_ru};

type PageResult = Result<Response, PageError>;

/// Rows a list shows at most.
const LIST_LIMIT: usize = 300;

fn ru_day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn input_day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn dates_text(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    dates_or(from, to, "в течение периода")
}

/// «16.02.2027 – 01.03.2027», «с 16.02.2027», or `undated`.
pub(crate) fn dates_or(from: Option<NaiveDate>, to: Option<NaiveDate>, undated: &str) -> String {
    match (from, to) {
        (Some(a), Some(b)) if a == b => ru_day(a),
        (Some(a), Some(b)) => format!("{} – {}", ru_day(a), ru_day(b)),
        (Some(a), None) => format!("с {}", ru_day(a)),
        (None, Some(b)) => format!("до {}", ru_day(b)),
        (None, None) => undated.into(),
    }
}

fn route_status_title(s: RouteStatus) -> &'static str {
    match s {
        RouteStatus::Draft => "черновик",
        RouteStatus::Approved => "выполняется",
        RouteStatus::Completed => "выполнен",
    }
}

fn step_status_title(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Planned => "запланирован",
        StepStatus::Submitted => "ждёт подтверждения",
        StepStatus::Confirmed => "выполнен",
        StepStatus::Returned => "возвращён на доработку",
    }
}

/// A route as the school's staff list shows it.
pub(crate) fn staff_route(r: &RouteRow) -> app::StaffRoute {
    app::StaffRoute {
        id: r.id,
        status_key: r.status.as_str(),
        status: route_status_title(r.status).into(),
        progress: progress(r),
        waiting: r
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::Submitted)
            .count(),
    }
}

/// Confirmed mandatory steps, mandatory steps.
fn progress(r: &RouteRow) -> (usize, usize) {
    let mandatory = r.steps.iter().filter(|s| s.step.mandatory);
    let total = mandatory.clone().count();
    let done = mandatory
        .filter(|s| s.status == StepStatus::Confirmed)
        .count();
    (done, total)
}

fn hours(r: &RouteRow) -> u32 {
    r.steps
        .iter()
        .filter(|s| s.step.kind != ActivityKind::Mentoring)
        .map(|s| s.step.hours)
        .sum()
}

fn uncovered_of(r: &RouteRow) -> Vec<Uncovered> {
    serde_json::from_str(&r.uncovered_json).unwrap_or_default()
}

use crate::iom::level_names;

/// A teacher's current profile (as `iom::current_profiles` reads it) and
/// whether a diagnostic was recorded after `approved_at`.
struct CurrentProfile {
    level: Option<Level>,
    /// Competence, stored percent, level, the day the diagnostic was taken.
    competences: Vec<(CompetenceRef, Option<String>, Level, NaiveDate)>,
    newer_than_approval: bool,
}

async fn current_profile(
    state: &AppState,
    scope: &Scope,
    login: &Login,
    approved_at: Option<store::Millis>,
) -> Result<CurrentProfile, Failure> {
    let rows = state.store.diagnostics_of(scope, login).await?;
    let newer_than_approval = approved_at.is_some_and(|at| rows.iter().any(|d| d.recorded_at > at));
    let profile = crate::iom::current_profiles(&rows, state.config.today()).remove(login);
    Ok(CurrentProfile {
        level: profile.as_ref().map(|p| p.level),
        competences: profile.map(|p| p.competences).unwrap_or_default(),
        newer_than_approval,
    })
}

/// Competence titles by `BANK:CODE`, from the loaded banks.
async fn competence_titles(state: &AppState) -> Result<HashMap<CompetenceRef, String>, Failure> {
    let banks = state.diagnostics.current_banks().await?;
    Ok(banks
        .iter()
        .flat_map(|b| {
            b.competences
                .iter()
                .map(move |c| (CompetenceRef::new(&b.id, &c.code), c.title.clone()))
        })
        .collect())
}

// ---- the list ------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    done: String,
}

pub async fn routes(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let policy = crate::iom::policy(state.store.as_ref()).await?;
    let period = policy.period(state.config.today());
    let scope = c.scope();
    let all = state
        .store
        .routes_where(
            &scope,
            &RouteFilter {
                period_from: Some(period.from),
                ..RouteFilter::default()
            },
        )
        .await?;
    let drafts = crate::iom::works_on_routes(&c);
    let visible: Vec<&RouteRow> = all
        .iter()
        .filter(|r| drafts || r.status != RouteStatus::Draft)
        .collect();
    let count = |s: RouteStatus| visible.iter().filter(|r| r.status == s).count();
    let counts = [
        count(RouteStatus::Draft),
        count(RouteStatus::Approved),
        count(RouteStatus::Completed),
    ];
    let waiting_of = |r: &RouteRow| {
        r.steps
            .iter()
            .filter(|s| s.status == StepStatus::Submitted)
            .count()
    };
    let wanted = RouteStatus::parse(&q.status).ok();
    let only_waiting = q.status == "waiting";
    let chosen: Vec<&RouteRow> = visible
        .into_iter()
        .filter(|r| wanted.is_none_or(|w| r.status == w))
        .filter(|r| !only_waiting || waiting_of(r) > 0)
        .collect();
    let names = level_names(state.store.as_ref()).await?;
    let directory_scope = c.scope();
    let mut rows = Vec::new();
    for r in chosen.iter().take(LIST_LIMIT) {
        let account = state.store.account(&directory_scope, &r.teacher).await?;
        let school = match account.as_ref().and_then(|a| a.school.clone()) {
            Some(code) => state
                .store
                .school(&directory_scope, &code)
                .await?
                .map_or_else(|| code.to_string(), |s| s.school.display_name().to_string()),
            None => "—".into(),
        };
        let profile = current_profile(&state, &directory_scope, &r.teacher, r.approved_at).await?;
        rows.push(app::RouteListRow {
            id: r.id,
            teacher_name: account.map_or_else(|| r.teacher.to_string(), |a| a.full_name),
            school,
            level: profile.level,
            level_title: profile
                .level
                .map(|l| names.name(l).to_string())
                .unwrap_or_default(),
            status_key: r.status.as_str(),
            status: route_status_title(r.status).into(),
            edited: r.edited,
            needs_review: r.status != RouteStatus::Draft && profile.newer_than_approval,
            steps: r.steps.len(),
            hours: hours(r),
            uncovered: uncovered_of(r).len(),
            progress: progress(r),
            waiting: waiting_of(r),
        });
    }
    let notice = match q.done.as_str() {
        "" => None,
        text => Some(text.to_string()),
    };
    let page = app::render_routes(&app::RoutesPage {
        chrome: chrome(&c, &csrf, "/routes"),
        csrf: csrf.0.clone(),
        period: format!("{} – {}", ru_day(period.from), ru_day(period.to)),
        status_filter: if only_waiting {
            "waiting".into()
        } else {
            wanted.map(|w| w.as_str().to_string()).unwrap_or_default()
        },
        counts,
        more: chosen.len().saturating_sub(LIST_LIMIT),
        rows,
        notice,
        can_generate: drafts,
        campaigns: if drafts {
            state
                .store
                .campaigns()
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c.title))
                .collect()
        } else {
            Vec::new()
        },
        municipalities: if drafts {
            state
                .store
                .municipalities(&Scope::region())
                .await?
                .into_iter()
                .map(|m| (m.municipality.code.to_string(), m.municipality.name))
                .collect()
        } else {
            Vec::new()
        },
    });
    Ok(Html(page).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct GenerateForm {
    /// A campaign's id: those who finished it.
    #[serde(default)]
    campaign: String,
    /// `""` (everyone), or a municipality's code.
    #[serde(default)]
    municipality: String,
    /// A school's code, which narrows to that school.
    #[serde(default)]
    school: String,
}

pub async fn generate(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    axum::Form(f): axum::Form<GenerateForm>,
) -> PageResult {
    let auth = RegionAuthority::for_route_work(&c).ok_or(Failure::Forbidden)?;
    let refuse = |text: String| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("done", &text)
            .finish();
        Ok(Redirect::to(&format!("/routes?{query}")).into_response())
    };
    let group = match (f.school.trim(), f.municipality.trim()) {
        ("", "") if !f.campaign.trim().is_empty() => match f.campaign.trim().parse::<i64>() {
            Ok(id) if state.store.campaign(id).await?.is_some() => crate::iom::Group::Campaign(id),
            _ => return refuse("Такой диагностической кампании нет".into()),
        },
        ("", "") => crate::iom::Group::All,
        ("", m) => match domain::MunicipalityCode::parse(m) {
            Ok(code) => crate::iom::Group::Municipality(code),
            Err(e) => return refuse(format!("Муниципалитет: {}", e.0)),
        },
        (school, _) => match domain::SchoolCode::parse(school) {
            Ok(code) if state.store.school(&c.scope(), &code).await?.is_some() => {
                crate::iom::Group::School(code)
            }
            _ => return refuse(format!("ОО с кодом «{school}» нет: проверьте код")),
        },
    };
    let titles_banks = crate::import::current_banks(state.store.as_ref())
        .await
        .map_err(|e| Failure::internal(format!("banks: {e:?}")))?;
    let generated = crate::iom::generate_routes(
        state.store.as_ref(),
        &auth,
        &titles_banks,
        state.config.today(),
        &group,
    )
    .await?;
    let c_ = generated.counts;
    let kept = generated.kept + (c_.kept_approved + c_.kept_edited) as usize;
    let text = format!(
        "Черновиков сформировано: {} (новых {}, обновлено {}); не тронуты утверждённые и изменённые вручную: {kept}.",
        generated.proposals.len(),
        c_.created,
        c_.replaced
    );
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("status", "draft")
        .append_pair("done", &text)
        .finish();
    Ok(Redirect::to(&format!("/routes?{query}")).into_response())
}

// ---- one route ---------------------------------------------------------------------

/// The route if the caller may see it: in scope, and a draft only for
/// methodists and administrators.
async fn visible_route(state: &AppState, c: &Caller, id: i64) -> Result<RouteRow, Failure> {
    let route = state
        .store
        .route(&c.scope(), id)
        .await?
        .ok_or(Failure::NotFound)?;
    if route.status == RouteStatus::Draft && !crate::iom::works_on_routes(c) {
        return Err(Failure::NotFound);
    }
    Ok(route)
}

/// The caller may confirm the route's steps: a deputy head or principal who
/// sees the teacher, and is not the teacher.
fn reviews(c: &Caller, route: &RouteRow) -> bool {
    c.has_any(&[Role::DeputyHead, Role::Principal]) && c.login != route.teacher
}

async fn route_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let route = visible_route(state, c, id).await?;
    let scope = c.scope();
    let account = state.store.account(&scope, &route.teacher).await?;
    let school = match account.as_ref().and_then(|a| a.school.clone()) {
        Some(code) => state.store.school(&scope, &code).await?,
        None => None,
    };
    let names = level_names(state.store.as_ref()).await?;
    let titles = competence_titles(state).await?;
    let title_of = |c: &CompetenceRef| titles.get(c).cloned().unwrap_or_else(|| c.to_string());
    let profile = current_profile(state, &scope, &route.teacher, route.approved_at).await?;
    let catalogue = state.store.catalogue().await?;
    let by_code: HashMap<_, _> = catalogue.iter().map(|e| (&e.code, e)).collect();
    let policy = crate::iom::policy(state.store.as_ref()).await?;
    let can_edit = crate::iom::works_on_routes(c) && route.status == RouteStatus::Draft;
    let can_submit = c.login == route.teacher && route.status == RouteStatus::Approved;
    let can_review = reviews(c, &route) && route.status == RouteStatus::Approved;
    // Who may name a colleague as the mentor of a mentoring step: the school's
    // deputy head or principal (and the ЦНППМ methodist), until it completes.
    let names_mentor = (reviews(c, &route) || crate::iom::works_on_routes(c))
        && route.status != RouteStatus::Completed;
    let colleagues: Vec<(String, String)> = match (&school, names_mentor) {
        (Some(s), true) => state
            .store
            .staff(
                &scope,
                &store::StaffFilter {
                    school: Some(s.school.code.clone()),
                    role: Some(Role::Teacher),
                    ..store::StaffFilter::default()
                },
            )
            .await?
            .into_iter()
            .filter(|a| a.active && a.login != route.teacher)
            .map(|a| (a.login.to_string(), a.full_name))
            .collect(),
        _ => Vec::new(),
    };

    let mut steps = Vec::new();
    for (i, s) in route.steps.iter().enumerate() {
        let evidence = if s.submitted_at.is_some() {
            state
                .store
                .step_evidence(&scope, route.id, i as u32)
                .await?
                .into_iter()
                .map(|e| app::EvidenceView {
                    when: local_time(state, e.submitted_at),
                    text: e.text,
                    url: e.url,
                    file: e.file_name.map(|n| {
                        (
                            n,
                            format!("/routes/{}/steps/{i}/evidence/{}", route.id, e.id),
                        )
                    }),
                })
                .collect()
        } else {
            Vec::new()
        };
        let st = &s.step;
        steps.push(app::StepView {
            position: i as u32,
            kind: st.kind.title().to_string(),
            title: st.title.clone(),
            course: st.course.as_ref().map(|c| c.to_string()),
            provider: st
                .course
                .as_ref()
                .and_then(|code| by_code.get(code))
                .and_then(|e| e.provider.clone()),
            competences: st.competences.iter().map(&title_of).collect(),
            hours: st.hours,
            mandatory: st.mandatory,
            dates: dates_text(st.starts_on, st.ends_on),
            starts_on: input_day(st.starts_on),
            ends_on: input_day(st.ends_on),
            mentor: st
                .mentor_name
                .clone()
                .or_else(|| st.mentor.as_ref().map(|l| l.to_string())),
            expected_result: st.expected_result.clone(),
            reporting_form: st.reporting_form.clone(),
            status_key: s.status.as_str(),
            status: step_status_title(s.status).into(),
            comment: s.comment.clone(),
            evidence,
            mentor_options: if st.kind == ActivityKind::Mentoring {
                colleagues.clone()
            } else {
                Vec::new()
            },
        });
    }

    let deficits: Vec<Deficit> = profile
        .competences
        .iter()
        .filter(|(_, _, l, _)| *l > Level::None)
        .map(|(c, _, l, _)| Deficit {
            competence: c.clone(),
            title: title_of(c),
            level: *l,
        })
        .collect();
    let options = if can_edit {
        let need = domain::routes::Need {
            teacher: route.teacher.clone(),
            municipality: school.as_ref().map(|s| s.school.municipality.clone()),
            rural: school.as_ref().is_some_and(|s| s.school.rural),
            subjects: account
                .as_ref()
                .map(|a| a.attrs.subjects.clone())
                .unwrap_or_default(),
            deficits: deficits.clone(),
            mentor: domain::routes::Mentor::Unassigned,
        };
        catalogue
            .iter()
            .filter(|e| {
                e.active
                    && deficits.iter().any(|d| {
                        domain::routes::fits_under(e, &need, &d.competence, route.period, &policy)
                    })
            })
            .map(|e| app::CatalogueOption {
                code: e.code.to_string(),
                label: format!(
                    "{} · {} · {} · {} ч · {}",
                    e.code,
                    e.title,
                    e.kind.title(),
                    e.hours,
                    dates_text(e.starts_on, e.ends_on)
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let approved = match (route.approved_at, &route.approved_by) {
        (Some(at), by) => Some(format!(
            "Утверждён {}{}",
            local_time(state, at),
            by.as_ref().map(|l| format!(" ({l})")).unwrap_or_default()
        )),
        _ => None,
    };
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let missing: Vec<String> = profile
        .competences
        .iter()
        .filter(|(comp, _, l, _)| {
            policy.mandatory_levels.contains(l)
                && !route
                    .steps
                    .iter()
                    .any(|s| s.step.competences.contains(comp))
        })
        .map(|(comp, _, _, _)| title_of(comp))
        .collect();
    let current = if c.login == route.teacher {
        "/my-route"
    } else {
        "/routes"
    };
    let page = app::render_route(&app::RoutePage {
        chrome: chrome(c, csrf, current),
        missing,
        csrf: csrf.0.clone(),
        id: route.id,
        teacher_name: account
            .as_ref()
            .map_or_else(|| route.teacher.to_string(), |a| a.full_name.clone()),
        position: account
            .as_ref()
            .and_then(|a| a.attrs.position.clone())
            .unwrap_or_else(|| "не указана".into()),
        subjects: account
            .as_ref()
            .map(|a| a.attrs.subjects.join(", "))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "не указаны".into()),
        school: school
            .as_ref()
            .map_or_else(|| "—".into(), |s| s.school.name.clone()),
        municipality: school
            .as_ref()
            .map_or_else(|| "—".into(), |s| s.municipality_name.clone()),
        period: format!(
            "{} – {}",
            ru_day(route.period.from),
            ru_day(route.period.to)
        ),
        period_bounds: (
            input_day(Some(route.period.from)),
            input_day(Some(route.period.to)),
        ),
        status_key: route.status.as_str(),
        status: route_status_title(route.status).into(),
        approved,
        needs_review: route.status != RouteStatus::Draft && profile.newer_than_approval,
        profile: profile
            .competences
            .iter()
            .map(|(c, p, l, _)| app::DeficitRow {
                competence: c.to_string(),
                title: title_of(c),
                percent: p.as_deref().map_or_else(|| "—".into(), percent_ru),
                level: *l,
                level_title: names.name(*l).to_string(),
            })
            .collect(),
        uncovered: uncovered_of(&route).into_iter().map(|u| u.text).collect(),
        hours: hours(&route),
        budget: policy.budget_hours,
        progress: progress(&route),
        steps,
        can_edit,
        can_submit,
        can_review,
        catalogue: options,
        notice,
        error,
    });
    Ok((status, Html(page)).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn route(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = (!q.done.is_empty()).then_some(q.done);
    route_page(&state, &c, &csrf, id, notice, None).await
}

/// After a write: back to the route with a notice, or the page again with
/// the refusal.
async fn after_write(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    id: i64,
    outcome: Result<RouteRow, StoreError>,
    done: &str,
    step: Option<u32>,
) -> PageResult {
    match outcome {
        Ok(_) => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("done", done)
                .finish();
            // Back to the step acted on, not the top of a long page.
            let anchor = step.map(|p| format!("#step-{p}")).unwrap_or_default();
            Ok(Redirect::to(&format!("/routes/{id}?{query}{anchor}")).into_response())
        }
        Err(StoreError::Conflict(message)) => {
            route_page(state, c, csrf, id, None, Some(message)).await
        }
        Err(StoreError::NotFound) => Err(Failure::NotFound.into()),
        Err(e) => Err(Failure::from(e).into()),
    }
}

/// A methodist's edit of a draft: the new steps, or the reason it is refused.
async fn edit(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    id: i64,
    change: impl FnOnce(&mut Vec<Step>) -> Result<(), String>,
    done: &str,
    step: Option<u32>,
) -> PageResult {
    if !crate::iom::works_on_routes(c) {
        return Err(Failure::Forbidden.into());
    }
    let route = visible_route(state, c, id).await?;
    let mut steps: Vec<Step> = route.steps.into_iter().map(|s| s.step).collect();
    if let Err(message) = change(&mut steps) {
        return route_page(state, c, csrf, id, None, Some(message)).await;
    }
    let outcome = state
        .store
        .update_draft(&c.login, id, steps, now_millis())
        .await;
    after_write(state, c, csrf, id, outcome, done, step).await
}

fn step_at(steps: &[Step], position: u32) -> Result<usize, String> {
    let i = position as usize;
    if i < steps.len() {
        Ok(i)
    } else {
        Err("Такого шага в маршруте нет: обновите страницу".into())
    }
}

pub async fn remove_step(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, position)): Path<(i64, u32)>,
) -> PageResult {
    edit(
        &state,
        &c,
        &csrf,
        id,
        |steps| {
            let i = step_at(steps, position)?;
            steps.remove(i);
            Ok(())
        },
        "Шаг удалён.",
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
}

pub async fn move_step(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, position)): Path<(i64, u32)>,
    axum::Form(f): axum::Form<MoveForm>,
) -> PageResult {
    edit(
        &state,
        &c,
        &csrf,
        id,
        |steps| {
            let i = step_at(steps, position)?;
            let j = match f.direction.as_str() {
                "up" if i > 0 => i - 1,
                "down" if i + 1 < steps.len() => i + 1,
                _ => return Err("Шаг некуда переместить".into()),
            };
            steps.swap(i, j);
            Ok(())
        },
        "Порядок шагов изменён.",
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct DatesForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

/// An optional date field: empty is none; else `YYYY-MM-DD` inside the period.
fn date_field(
    value: &str,
    what: &str,
    period: domain::Period,
) -> Result<Option<NaiveDate>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| format!("{what}: укажите дату в виде ГГГГ-ММ-ДД"))?;
    if d < period.from || d > period.to {
        return Err(format!(
            "{what}: дата {} вне периода маршрута ({} – {})",
            ru_day(d),
            ru_day(period.from),
            ru_day(period.to)
        ));
    }
    Ok(Some(d))
}

fn date_pair(
    from: &str,
    to: &str,
    period: domain::Period,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let from = date_field(from, "Начало", period)?;
    let to = date_field(to, "Окончание", period)?;
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        return Err("Окончание раньше начала".into());
    }
    Ok((from, to))
}

pub async fn date_step(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, position)): Path<(i64, u32)>,
    axum::Form(f): axum::Form<DatesForm>,
) -> PageResult {
    let period = visible_route(&state, &c, id).await?.period;
    edit(
        &state,
        &c,
        &csrf,
        id,
        |steps| {
            let i = step_at(steps, position)?;
            let (from, to) = date_pair(&f.starts_on, &f.ends_on, period)?;
            steps[i].starts_on = from;
            steps[i].ends_on = to;
            Ok(())
        },
        "Сроки шага изменены.",
        Some(position),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    course: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    competence: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    mandatory: Option<String>,
}

pub async fn add_step(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AddForm>,
) -> PageResult {
    let route = visible_route(&state, &c, id).await?;
    let titles = competence_titles(&state).await?;
    let profile = current_profile(&state, &c.scope(), &route.teacher, None).await?;
    let deficits: Vec<Deficit> = profile
        .competences
        .iter()
        .filter(|(_, _, l, _)| *l > Level::None)
        .map(|(comp, _, l, _)| Deficit {
            competence: comp.clone(),
            title: titles
                .get(comp)
                .cloned()
                .unwrap_or_else(|| comp.to_string()),
            level: *l,
        })
        .collect();
    let catalogue: Vec<Entry> = state.store.catalogue().await?;
    let period = route.period;
    let step: Result<Step, String> = match f.course.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => catalogue
            .iter()
            .find(|e| e.code.as_str() == code)
            .map(|e| step_from_entry(e, &deficits, true))
            .ok_or_else(|| format!("Мероприятия с кодом «{code}» в каталоге нет")),
        _ => (|| {
            let kind = ActivityKind::parse(&f.kind).map_err(|e| e.0)?;
            let title = f.title.trim();
            if title.is_empty() {
                return Err("Укажите название мероприятия".to_string());
            }
            let competence = CompetenceRef::parse(&f.competence)
                .map_err(|_| "Выберите дефицит, на который направлен шаг".to_string())?;
            let hours: u32 = match f.hours.trim() {
                "" => 0,
                h => h
                    .parse()
                    .ok()
                    .filter(|h| *h <= 1000)
                    .ok_or("Часы: целое число от 0 до 1000")?,
            };
            let (starts_on, ends_on) = date_pair(&f.starts_on, &f.ends_on, period)?;
            let competence_title = titles
                .get(&competence)
                .cloned()
                .unwrap_or_else(|| competence.to_string());
            Ok(Step {
                kind,
                course: None,
                title: title.to_string(),
                competences: vec![competence],
                hours,
                mandatory: f.mandatory.is_some(),
                starts_on,
                ends_on,
                mentor: None,
                mentor_name: (kind == ActivityKind::Mentoring)
                    .then(|| "наставник не назначен".to_string()),
                expected_result: expected_result(None, &[competence_title]),
                reporting_form: kind.reporting_form().to_string(),
            })
        })(),
    };
    edit(
        &state,
        &c,
        &csrf,
        id,
        |steps| {
            steps.push(step?);
            Ok(())
        },
        "Шаг добавлен.",
        None,
    )
    .await
}

pub async fn approve(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
) -> PageResult {
    if !crate::iom::works_on_routes(&c) {
        return Err(Failure::Forbidden.into());
    }
    visible_route(&state, &c, id).await?;
    let outcome = state.store.approve_route(&c.login, id, now_millis()).await;
    after_write(
        &state,
        &c,
        &csrf,
        id,
        outcome,
        "Маршрут утверждён: педагог видит его на своей странице.",
        None,
    )
    .await
}

/// What a teacher sent for a step: words, a link, a file (name, bytes).
#[derive(Debug, Default)]
struct Submission {
    text: String,
    url: String,
    file: Option<(String, Vec<u8>)>,
}

/// The kinds of file a step's evidence may be, by their first bytes (the
/// name the browser sends is never trusted for the type): content type and
/// the extensions that go with it.
fn sniff(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Office documents are zip files: the extension says which.
        match ext.as_str() {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => {
                Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
            }
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            _ => None,
        }
    } else {
        None
    }
}

/// A file name fit to store and to send back: its last path part, without
/// control characters or quotes, at most 120 characters.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "файл".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Reads the submission form: urlencoded, or multipart when it carries a
/// file.
async fn read_submission(request: axum::extract::Request) -> Result<Submission, String> {
    use axum::extract::FromRequest;
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut out = Submission::default();
    if !multipart {
        let bytes = axum::body::to_bytes(request.into_body(), 64 * 1024)
            .await
            .map_err(|_| "Слишком большой объём формы".to_string())?;
        for (k, v) in form_urlencoded::parse(&bytes) {
            match k.as_ref() {
                "text" => out.text = v.into_owned(),
                "url" => out.url = v.into_owned(),
                _ => {}
            }
        }
        return Ok(out);
    }
    let mut form = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|_| "Форма отправлена не полностью: попробуйте ещё раз".to_string())?;
    let too_big = "Файл слишком большой: не более 10 МБ";
    while let Some(field) = form.next_field().await.map_err(|_| too_big.to_string())? {
        match field.name() {
            Some("text") => out.text = field.text().await.map_err(|_| too_big.to_string())?,
            Some("url") => out.url = field.text().await.map_err(|_| too_big.to_string())?,
            Some("file") => {
                let name = field.file_name().map(clean_name).unwrap_or_default();
                let bytes = field.bytes().await.map_err(|_| too_big.to_string())?;
                if !bytes.is_empty() {
                    if bytes.len() > crate::session::MAX_UPLOAD_BYTES {
                        return Err(too_big.into());
                    }
                    out.file = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

pub async fn submit_step(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, position)): Path<(i64, u32)>,
    request: axum::extract::Request,
) -> PageResult {
    let route = visible_route(&state, &c, id).await?;
    if route.teacher != c.login {
        return Err(Failure::Forbidden.into());
    }
    let f = match read_submission(request).await {
        Ok(f) => f,
        Err(message) => return route_page(&state, &c, &csrf, id, None, Some(message)).await,
    };
    let text = f.text.trim();
    let url = f.url.trim();
    let sniffed = f.file.as_ref().map(|(name, bytes)| sniff(name, bytes));
    let problem = if text.is_empty() && url.is_empty() && f.file.is_none() {
        Some("Опишите, что сделано, дайте ссылку или приложите файл подтверждения")
    } else if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        Some("Ссылка должна начинаться с https:// или http://")
    } else if text.chars().count() > 4000 || url.len() > 2000 {
        Some("Слишком длинный текст: до 4000 знаков, ссылка до 2000")
    } else if sniffed == Some(None) {
        Some("Такой файл не принимается: приложите PDF, JPEG, PNG, DOCX, XLSX, PPTX или ODT")
    } else {
        None
    };
    if let Some(p) = problem {
        return route_page(&state, &c, &csrf, id, None, Some(p.into())).await;
    }
    let (kind, file_name, content_type, bytes) = match f.file {
        Some((name, bytes)) => (
            EvidenceKind::File,
            Some(name),
            sniffed.flatten().map(str::to_string),
            Some(bytes),
        ),
        None if !url.is_empty() => (EvidenceKind::Link, None, None, None),
        None => (EvidenceKind::Text, None, None, None),
    };
    let evidence = NewEvidence {
        kind,
        text: (!text.is_empty()).then(|| text.to_string()),
        url: (!url.is_empty()).then(|| url.to_string()),
        file_name,
        content_type,
        bytes,
    };
    let outcome = state
        .store
        .submit_step(&c.login, id, position, evidence, now_millis())
        .await;
    after_write(
        &state,
        &c,
        &csrf,
        id,
        outcome,
        "Выполнение отмечено: шаг ждёт подтверждения заместителя директора.",
        Some(position),
    )
    .await
}

/// A file a teacher attached to a step, for those who see the route; sent
/// as an attachment with the type found when it was uploaded.
pub async fn evidence_file(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Path((id, position, evidence_id)): Path<(i64, u32, i64)>,
) -> PageResult {
    visible_route(&state, &c, id).await?;
    let evidence = state
        .store
        .step_evidence(&c.scope(), id, position)
        .await?
        .into_iter()
        .find(|e| e.id == evidence_id)
        .ok_or(Failure::NotFound)?;
    let (Some(name), Some(bytes)) = (evidence.file_name, evidence.bytes) else {
        return Err(Failure::NotFound.into());
    };
    let content_type = evidence
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut response = download(bytes, "application/octet-stream", "evidence", name);
    if let Ok(v) = axum::http::HeaderValue::from_str(&content_type) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, v);
    }
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn review_step(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, position)): Path<(i64, u32)>,
    axum::Form(f): axum::Form<ReviewForm>,
) -> PageResult {
    let route = visible_route(&state, &c, id).await?;
    if !reviews(&c, &route) {
        return Err(Failure::Forbidden.into());
    }
    let confirm = match f.decision.as_str() {
        "confirm" => true,
        "return" => false,
        _ => {
            return route_page(
                &state,
                &c,
                &csrf,
                id,
                None,
                Some("Выберите: подтвердить или вернуть".into()),
            )
            .await;
        }
    };
    let comment = f.comment.trim();
    if !confirm && comment.is_empty() {
        return route_page(
            &state,
            &c,
            &csrf,
            id,
            None,
            Some("Напишите, что доработать: без комментария шаг не возвращается".into()),
        )
        .await;
    }
    let outcome = state
        .store
        .review_step(
            &c.login,
            id,
            position,
            confirm,
            (!comment.is_empty()).then(|| comment.to_string()),
            now_millis(),
        )
        .await;
    let done = if confirm {
        "Выполнение шага подтверждено."
    } else {
        "Шаг возвращён педагогу с комментарием."
    };
    after_write(&state, &c, &csrf, id, outcome, done, Some(position)).await
}

#[derive(Debug, Deserialize)]
pub struct MentorForm {
    #[serde(default)]
    mentor: String,
}

/// A deputy head (or the methodist) names a colleague as the mentor of a
/// mentoring step: school «учитель – учитель» mentoring.
pub async fn name_mentor(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, position)): Path<(i64, u32)>,
    axum::Form(f): axum::Form<MentorForm>,
) -> PageResult {
    let route = visible_route(&state, &c, id).await?;
    if !(reviews(&c, &route) || crate::iom::works_on_routes(&c)) {
        return Err(Failure::Forbidden.into());
    }
    let scope = c.scope();
    let teacher = state.store.account(&scope, &route.teacher).await?;
    let mentor = Login::parse(&f.mentor).ok();
    let colleague = match &mentor {
        Some(l) if l != &route.teacher => state.store.account(&scope, l).await?,
        _ => None,
    };
    let same_school = colleague.as_ref().is_some_and(|m| {
        m.active
            && m.has(Role::Teacher)
            && m.school.is_some()
            && m.school == teacher.as_ref().and_then(|t| t.school.clone())
    });
    let Some(colleague) = colleague.filter(|_| same_school) else {
        return route_page(
            &state,
            &c,
            &csrf,
            id,
            None,
            Some("Выберите наставника из педагогов той же школы".into()),
        )
        .await;
    };
    let outcome = state
        .store
        .set_step_mentor(
            Some(&c.login),
            id,
            position,
            &colleague.login,
            &colleague.full_name,
            now_millis(),
        )
        .await;
    let done = format!("Наставник назначен: {}.", colleague.full_name);
    after_write(&state, &c, &csrf, id, outcome, &done, Some(position)).await
}

/// «Мой маршрут»: the teacher's newest approved or completed route.
pub async fn my_route(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let routes = state.store.routes_of(&c.scope(), &c.login).await?;
    match routes.iter().find(|r| r.status != RouteStatus::Draft) {
        Some(r) => Ok(Redirect::to(&format!("/routes/{}", r.id)).into_response()),
        None => Ok(Html(app::render_error(&app::ErrorPage {
            chrome: Some(chrome(&c, &csrf, "/my-route")),
            status: 200,
            title: "Мой маршрут".into(),
            message: "Ваш индивидуальный образовательный маршрут ещё не утверждён. \
                      Он появится здесь, когда методист ЦНППМ его утвердит."
                .into(),
        }))
        .into_response()),
    }
}

// ---- the ИОМ document ----------------------------------------------------------

/// The settings key of the region's name, printed at the top of the ИОМ.
pub const REGION_NAME_KEY: &str = "region_name";

fn completion(s: &store::RouteStep, state: &AppState) -> String {
    match s.status {
        StepStatus::Confirmed => match s.reviewed_at {
            Some(at) => format!("выполнено, подтверждено {}", local_time(state, at)),
            None => "выполнено".into(),
        },
        StepStatus::Submitted => "отмечено педагогом, ожидает подтверждения".into(),
        StepStatus::Returned => "возвращено на доработку".into(),
        StepStatus::Planned => String::new(),
    }
}

async fn document(state: &AppState, c: &Caller, id: i64) -> Result<iom_doc::IomDocument, Failure> {
    let route = visible_route(state, c, id).await?;
    let scope = c.scope();
    let account = state.store.account(&scope, &route.teacher).await?;
    let school = match account.as_ref().and_then(|a| a.school.clone()) {
        Some(code) => state.store.school(&scope, &code).await?,
        None => None,
    };
    let names = level_names(state.store.as_ref()).await?;
    let titles = competence_titles(state).await?;
    let title_of = |c: &CompetenceRef| titles.get(c).cloned().unwrap_or_else(|| c.to_string());
    let profile = current_profile(state, &scope, &route.teacher, route.approved_at).await?;
    let catalogue = state.store.catalogue().await?;
    let by_code: HashMap<_, _> = catalogue.iter().map(|e| (&e.code, e)).collect();
    let approver = match &route.approved_by {
        Some(l) => state
            .store
            .account(&scope, l)
            .await?
            .map_or_else(|| l.to_string(), |a| a.full_name),
        None => String::new(),
    };
    let day_of = |ms: store::Millis| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&state.config.timezone).date_naive())
            .unwrap_or(route.period.from)
    };
    let deficits: Vec<_> = profile
        .competences
        .iter()
        .filter(|(_, _, l, _)| *l > Level::None)
        .collect();
    let mut expected: Vec<String> = Vec::new();
    for s in &route.steps {
        if !expected.contains(&s.step.expected_result) {
            expected.push(s.step.expected_result.clone());
        }
    }
    let mentor = route
        .steps
        .iter()
        .filter(|s| s.step.kind == ActivityKind::Mentoring)
        .find_map(|s| s.step.mentor_name.clone())
        .filter(|m| m != "наставник не назначен");
    Ok(iom_doc::IomDocument {
        region: state
            .store
            .setting(REGION_NAME_KEY)
            .await?
            .unwrap_or_default(),
        teacher: account
            .as_ref()
            .map_or_else(|| route.teacher.to_string(), |a| a.full_name.clone()),
        position: account.as_ref().and_then(|a| a.attrs.position.clone()),
        subjects: account
            .as_ref()
            .map(|a| a.attrs.subjects.clone())
            .unwrap_or_default(),
        school: school
            .as_ref()
            .map_or_else(|| "—".into(), |s| s.school.name.clone()),
        municipality: school
            .as_ref()
            .map_or_else(|| "—".into(), |s| s.municipality_name.clone()),
        period_from: route.period.from,
        period_to: route.period.to,
        methodist: mentor,
        status: match route.status {
            RouteStatus::Draft => "черновик",
            RouteStatus::Approved => "утверждён",
            RouteStatus::Completed => "выполнен",
        }
        .into(),
        approved: route.approved_at.map(|at| (approver, day_of(at))),
        diagnostics: profile
            .competences
            .iter()
            .map(|(c, p, l, taken_on)| iom_doc::DiagnosticLine {
                competence: title_of(c),
                percent: p.as_deref().map_or_else(|| "—".into(), percent_ru),
                level: names.name(*l).to_string(),
                taken_on: *taken_on,
            })
            .collect(),
        goal: "Преодоление профессиональных дефицитов, выявленных диагностикой, \
               и развитие профессиональных компетенций педагога в соответствии \
               с профессиональным стандартом «Педагог» и обновлёнными ФГОС"
            .into(),
        tasks: deficits
            .iter()
            .map(|(c, _, l, _)| {
                format!(
                    "Преодолеть дефицит «{}» (уровень: {})",
                    title_of(c),
                    names.name(*l)
                )
            })
            .collect(),
        activities: route
            .steps
            .iter()
            .map(|s| {
                let entry = s.step.course.as_ref().and_then(|c| by_code.get(c));
                let form = match entry {
                    Some(e) => format!("{}, {}", s.step.kind.title(), e.format.title()),
                    None => s.step.kind.title().to_string(),
                };
                iom_doc::ActivityLine {
                    deficit: s.step.competences.iter().map(&title_of).collect(),
                    topic: s.step.title.clone(),
                    form,
                    provider: entry
                        .and_then(|e| e.provider.clone())
                        .or_else(|| s.step.mentor_name.clone())
                        .unwrap_or_else(|| "образовательная организация".into()),
                    dates: dates_text(s.step.starts_on, s.step.ends_on),
                    reporting_form: s.step.reporting_form.clone(),
                    hours: s.step.hours,
                    mandatory: s.step.mandatory,
                    completion: completion(s, state),
                }
            })
            .collect(),
        expected_results: expected,
        signatures: vec![
            "Педагог".into(),
            "Заместитель директора по УВР".into(),
            "Методист ЦНППМ".into(),
        ],
    })
}

/// A file to save: `fallback` is the plain ASCII name for old browsers,
/// `name` the real one (RFC 5987).
pub(crate) fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    fallback: &str,
    name: String,
) -> Response {
    let disposition = format!(
        "attachment; filename=\"{fallback}.{}\"; filename*=UTF-8''{}",
        name.rsplit('.').next().unwrap_or("bin"),
        form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

fn file_name(doc: &iom_doc::IomDocument, ext: &str) -> String {
    format!("ИОМ {} {}.{ext}", doc.teacher, doc.period_from.format("%Y"))
}

/// The ИОМ as a file: DOCX or PDF, rendered off the async threads.
async fn iom_file(state: &AppState, c: &Caller, id: i64, pdf: bool) -> PageResult {
    let doc = document(state, c, id).await?;
    let (ext, content_type) = if pdf {
        ("pdf", "application/pdf")
    } else {
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    };
    let name = file_name(&doc, ext);
    let bytes = tokio::task::spawn_blocking(move || {
        if pdf {
            iom_doc::pdf(&doc)
        } else {
            iom_doc::docx(&doc)
        }
    })
    .await
    .map_err(|e| Failure::internal(format!("{ext}: {e}")))?;
    Ok(download(bytes, content_type, "iom", name))
}

pub async fn iom_docx(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Path(id): Path<i64>,
) -> PageResult {
    iom_file(&state, &c, id, false).await
}

pub async fn iom_pdf(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Path(id): Path<i64>,
) -> PageResult {
    iom_file(&state, &c, id, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff("a.pdf", b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff("photo.txt", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff("scan.png", b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert!(
            sniff("report.docx", b"PK\x03\x04....")
                .unwrap()
                .contains("wordprocessingml")
        );
        // A zip that does not say it is a document, a program named .pdf.
        assert_eq!(sniff("archive.zip", b"PK\x03\x04...."), None);
        assert_eq!(sniff("cert.pdf", b"MZ\x90\x00"), None);
        assert_eq!(sniff("page.html", b"<html><script>"), None);
    }

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(clean_name("C:\\Users\\ivanova\\отчёт.pdf"), "отчёт.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"b;c\r\n.pdf"), "abc.pdf");
        assert_eq!(clean_name("  "), "файл");
    }
}

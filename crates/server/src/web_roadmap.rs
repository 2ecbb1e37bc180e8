//! «Дорожная карта» in the browser: the imported roadmap of a period with
//! each item's control points and status (overdue ones stand out), marking
//! an item done with what confirms it, and the same report as `report
//! roadmap` to download (XLSX, CSV).
//!
//! The roadmap is the region's plan, not personal data: every staff role
//! reads it; a ЦНППМ methodist or an administrator marks items.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::roadmap::ItemStatus;
use domain::{Caller, Period, Role};
use serde::Deserialize;
use store::{RoadmapItemRow, StoreError};

use crate::auth::now_millis;
use crate::error::{Failure, PageError};
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::{chrome, html, local_time};

type PageResult = Result<Response, PageError>;

#[derive(Debug, Deserialize, Default)]
pub struct RoadmapQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    done: String,
}

fn can_mark(c: &Caller) -> bool {
    c.has_any(&[Role::CnppmMethodist, Role::Admin])
}

fn period_value(p: &Period) -> String {
    format!("{}..{}", p.from.format("%Y-%m-%d"), p.to.format("%Y-%m-%d"))
}

fn period_title(p: &Period) -> String {
    format!(
        "{} – {}",
        p.from.format("%d.%m.%Y"),
        p.to.format("%d.%m.%Y")
    )
}

/// The period asked for, else the one containing today, else the newest.
async fn chosen_period(
    state: &AppState,
    asked: &str,
) -> Result<(Option<Period>, Vec<Period>), Failure> {
    let periods = state.store.roadmap_periods().await?;
    let today = state.config.today();
    let asked = crate::roadmap::parse_period(asked).ok();
    let chosen = asked
        .filter(|a| periods.contains(a))
        .or_else(|| {
            periods
                .iter()
                .find(|p| p.from <= today && today <= p.to)
                .copied()
        })
        .or_else(|| periods.first().copied());
    Ok((chosen, periods))
}

async fn items_of(
    state: &AppState,
    period: Option<Period>,
) -> Result<Vec<RoadmapItemRow>, Failure> {
    Ok(match period {
        Some(p) => state
            .store
            .roadmap(p.from)
            .await?
            .into_iter()
            .filter(|r| r.period == p)
            .collect(),
        None => Vec::new(),
    })
}

async fn page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    q: &RoadmapQuery,
    error: Option<String>,
) -> PageResult {
    let (period, periods) = chosen_period(state, &q.period).await?;
    let rows = items_of(state, period).await?;
    let today = state.config.today();
    let mut counts = [0usize; 4];
    let mut items = Vec::new();
    let mut names = std::collections::HashMap::new();
    for r in &rows {
        let status = crate::roadmap::item_status(r, today);
        counts[match status {
            ItemStatus::Planned => 0,
            ItemStatus::InProgress => 1,
            ItemStatus::Done => 2,
            ItemStatus::Overdue => 3,
        }] += 1;
        if !q.status.is_empty() && q.status != status.as_str() {
            continue;
        }
        let done = match (r.done_at, &r.done_by) {
            (Some(at), Some(by)) => {
                if !names.contains_key(by) {
                    let name = state
                        .store
                        .account(&domain::Scope::region(), by)
                        .await?
                        .map_or_else(|| by.to_string(), |a| a.full_name);
                    names.insert(by.clone(), name);
                }
                Some(format!("{}, {}", local_time(state, at), names[by]))
            }
            (Some(at), None) => Some(local_time(state, at)),
            _ => None,
        };
        items.push(app::RoadmapItemView {
            id: r.id,
            number: r.number.clone(),
            direction: r.direction.clone(),
            title: r.title.clone(),
            responsible: r.responsible.clone(),
            due_text: if r.due_text.is_empty() {
                "срок не указан".into()
            } else {
                r.due_text.clone()
            },
            points: crate::roadmap::points_text(r),
            recurrence: crate::roadmap::recurrence_title(r).map(str::to_string),
            status_key: status.as_str(),
            status: status.title().to_string(),
            evidence: r.evidence.clone(),
            done,
        });
    }
    let page = app::RoadmapPage {
        chrome: chrome(c, csrf, "/roadmap"),
        csrf: csrf.0.clone(),
        period: period.as_ref().map(period_title),
        period_value: period.as_ref().map(period_value).unwrap_or_default(),
        periods: periods
            .iter()
            .map(|p| (period_value(p), period_title(p)))
            .collect(),
        status_filter: q.status.clone(),
        counts,
        items,
        can_mark: can_mark(c),
        notice: (!q.done.is_empty()).then(|| q.done.clone()),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html(app::render_roadmap(&page))).into_response())
}

pub async fn roadmap(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    page(&state, &c, &csrf, &q, None).await
}

/// Back to the list the form was sent from (only a roadmap address).
fn back_to(fields: &[(String, String)], done: &str, id: i64) -> Response {
    let back = fields
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.as_str())
        .filter(|b| b.starts_with("/roadmap?") && !b.contains("done="))
        .unwrap_or("/roadmap?");
    let sep = if back.ends_with('?') { "" } else { "&" };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", done)
        .finish();
    Redirect::to(&format!("{back}{sep}{query}#item-{id}")).into_response()
}

async fn mark(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    id: i64,
    body: &Bytes,
    done: bool,
) -> PageResult {
    if !can_mark(c) {
        return Err(Failure::Forbidden.into());
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let evidence = fields
        .iter()
        .find(|(k, _)| k == "evidence")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let outcome = state
        .store
        .mark_roadmap_item(&c.login, id, done, evidence, now_millis())
        .await;
    match outcome {
        Ok(item) => Ok(back_to(
            &fields,
            &if done {
                format!("Пункт {} отмечен выполненным.", item.number)
            } else {
                format!("Отметка о выполнении пункта {} снята.", item.number)
            },
            id,
        )),
        Err(StoreError::Conflict(message)) => {
            page(state, c, csrf, &RoadmapQuery::default(), Some(message)).await
        }
        Err(StoreError::NotFound) => Err(Failure::NotFound.into()),
        Err(e) => Err(Failure::from(e).into()),
    }
}

pub async fn mark_done(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    mark(&state, &c, &csrf, id, &body, true).await
}

pub async fn mark_undone(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    mark(&state, &c, &csrf, id, &body, false).await
}

pub async fn download_xlsx(
    State(state): State<AppState>,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let (period, _) = chosen_period(&state, &q.period).await?;
    let rows = items_of(&state, period).await?;
    if rows.is_empty() {
        return Err(Failure::NotFound.into());
    }
    let bytes =
        crate::roadmap::roadmap_xlsx(&rows, state.config.today()).map_err(Failure::internal)?;
    Ok(crate::web_routes::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "roadmap",
        "Дорожная карта.xlsx".into(),
    ))
}

pub async fn download_csv(
    State(state): State<AppState>,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let (period, _) = chosen_period(&state, &q.period).await?;
    let rows = items_of(&state, period).await?;
    if rows.is_empty() {
        return Err(Failure::NotFound.into());
    }
    Ok(crate::web_routes::download(
        crate::roadmap::roadmap_csv(&rows, state.config.today()),
        "text/csv; charset=utf-8",
        "roadmap",
        "Дорожная карта.csv".into(),
    ))
}

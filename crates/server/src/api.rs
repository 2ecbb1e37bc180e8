//! The JSON API (`/api/v1`), described by `openapi.json` beside this file.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Caller;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{LoginOutcome, SESSION_TTL};
use crate::error::{ApiError, Failure};
use crate::session::{self, ApiCaller};
use crate::state::AppState;

/// The OpenAPI description served at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => {
            Json(json!({ "status": "ok", "database": state.store.backend() })).into_response()
        }
        Err(e) => {
            tracing::error!(cause = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": state.store.backend() })),
            )
                .into_response()
        }
    }
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

fn user_json(c: &Caller) -> Value {
    json!({
        "login": c.login,
        "full_name": c.full_name,
        "roles": c.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    login: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| {
        Failure::bad_request(
            format!(
                "Тело запроса должно быть JSON вида {{\"login\", \"password\"}}: {}",
                e.body_text()
            ),
            None,
        )
    })?;
    match state.auth.login(&body.login, &body.password).await? {
        LoginOutcome::Ok { caller, session } => {
            let body = json!({
                "token": session.token,
                "expires_at": session.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "user": user_json(&caller),
            });
            let mut response = Json(body).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session::session_cookie(&state, &session.token, SESSION_TTL.as_secs() as i64),
            );
            Ok(response)
        }
        LoginOutcome::Rejected => Ok(rejected()),
        LoginOutcome::Throttled { retry_after_secs } => {
            Err(ApiError(Failure::TooMany { retry_after_secs }))
        }
    }
}

/// Bad credentials: one answer for an unknown login and a wrong password.
fn rejected() -> Response {
    let body = json!({ "error": {
        "code": "invalid_credentials",
        "message": "Неверный логин или пароль",
        "field": null,
    }});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> Result<Response, ApiError> {
    state.auth.logout(&c.login).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::clear_session_cookie(&state));
    Ok(response)
}

pub async fn me(ApiCaller(c): ApiCaller) -> Json<Value> {
    let mut user = user_json(&c);
    user["school"] = json!(c.school);
    user["municipality"] = json!(c.municipality);
    Json(user)
}

// ---- diagnostics ------------------------------------------------------------

fn attempt_items(bank: &domain::Bank, row: &store::AttemptRow) -> Result<Value, Failure> {
    let form = crate::diagnostics::Diagnostics::form(row)?;
    serde_json::to_value(domain::attempt::view_form(bank, &form))
        .map_err(|e| Failure::internal(format!("items: {e}")))
}

pub async fn campaigns(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> Result<Json<Value>, ApiError> {
    let list = state.diagnostics.campaigns_for(&c).await?;
    let campaigns: Vec<Value> = list
        .into_iter()
        .map(|(c, window)| {
            json!({
                "id": c.id,
                "title": c.title,
                "bank": c.bank_id,
                "from": c.opens_on,
                "to": c.closes_on,
                "status": window.as_str(),
            })
        })
        .collect();
    Ok(Json(json!({ "campaigns": campaigns })))
}

pub async fn start_attempt(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, ApiError> {
    let (row, created) = state.diagnostics.start(&c, id).await?;
    let bank = state.diagnostics.bank(row.bank_version_id).await?;
    let body = json!({ "attempt": {
        "id": row.id,
        "deadline": crate::diagnostics::rfc3339(row.deadline),
        "items": attempt_items(&bank, &row)?,
    }});
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(body)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResponseBody {
    response: Value,
}

pub async fn save_response(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Path((id, item)): axum::extract::Path<(i64, String)>,
    body: Result<Json<ResponseBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let body = match body {
        Ok(Json(b)) => b,
        Err(_) => {
            // Someone else's attempt is 404 whatever the body.
            state.diagnostics.own_attempt(&c, id).await?;
            return Err(Failure::Unprocessable {
                message: "Тело запроса должно быть JSON вида {\"response\": …}".into(),
                field: Some("response".into()),
            }
            .into());
        }
    };
    state
        .diagnostics
        .save(&c, id, &item, &body.response)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn get_attempt(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let row = state.diagnostics.own_attempt(&c, id).await?;
    let bank = state.diagnostics.bank(row.bank_version_id).await?;
    let responses = state.diagnostics.responses(id).await?;
    Ok(Json(json!({ "attempt": {
        "id": row.id,
        "status": row.status.as_str(),
        "deadline": crate::diagnostics::rfc3339(row.deadline),
        "items": attempt_items(&bank, &row)?,
        "responses": responses,
    }})))
}

pub async fn submit_attempt(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let row = state.diagnostics.submit(&c, id).await?;
    let profile: Value = row
        .profile_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| Failure::internal(format!("stored profile: {e}")))?
        .unwrap_or(Value::Null);
    Ok(Json(json!({ "profile": profile })))
}

fn profile_json(d: &store::DiagnosticRow) -> Result<Value, Failure> {
    let mut v: Value = serde_json::from_str(&d.profile_json)
        .map_err(|e| Failure::internal(format!("stored profile: {e}")))?;
    v["taken_on"] = json!(d.taken_on);
    v["source"] = json!(d.source.as_str());
    Ok(v)
}

pub async fn teacher_routes(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Path(login): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let login = domain::Login::parse(&login).map_err(|_| Failure::NotFound)?;
    let scope = c.scope();
    if state.store.account(&scope, &login).await?.is_none() {
        return Err(Failure::NotFound.into());
    }
    let drafts = crate::iom::works_on_routes(&c);
    let routes: Vec<Value> = state
        .store
        .routes_of(&scope, &login)
        .await?
        .iter()
        .filter(|r| drafts || r.status != store::RouteStatus::Draft)
        .map(crate::iom::route_json)
        .collect();
    Ok(Json(json!({ "routes": routes })))
}

pub async fn teacher_profile(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Path(login): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let login = domain::Login::parse(&login).map_err(|_| Failure::NotFound)?;
    let scope = c.scope();
    if state.store.account(&scope, &login).await?.is_none() {
        return Err(Failure::NotFound.into());
    }
    let history = state.store.diagnostics_of(&scope, &login).await?;
    let taken: Vec<domain::profile::Taken<'_>> = history
        .iter()
        .map(|d| domain::profile::Taken {
            bank: &d.bank_id,
            taken_on: d.taken_on,
            order: d.id,
            level: d.overall_level,
        })
        .collect();
    let today = state.config.today();
    let current = domain::profile::current(&taken, today);
    let level = domain::profile::level(&taken, today);
    let profiles = current
        .iter()
        .map(|&i| profile_json(&history[i]))
        .collect::<Result<Vec<_>, _>>()?;
    let history = history
        .iter()
        .map(profile_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({
        "level": level.map(|l| l.as_str()),
        "profiles": profiles,
        "history": history,
    })))
}

/// `GET /api/v1/indicators?municipality=&school=&from=&to=`: the report of
/// `report indicators --format json`, for a scope the caller may see
/// (anything else answers 404).
pub async fn indicators(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    axum::extract::Query(q): axum::extract::Query<crate::web_dashboard::PeriodQuery>,
) -> Result<Json<Value>, ApiError> {
    let readers = [
        domain::Role::CnppmMethodist,
        domain::Role::Admin,
        domain::Role::MunicipalCoordinator,
        domain::Role::DeputyHead,
        domain::Role::Principal,
    ];
    if !c.has_any(&readers) {
        return Err(Failure::NotFound.into());
    }
    let (_, period, board) = crate::web_dashboard::report_lines(&state, &c, &q).await?;
    Ok(Json(crate::indicators::report_json(
        &board.at,
        period,
        &crate::web_dashboard::lines_of(&board),
    )))
}

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

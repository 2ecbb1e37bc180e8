//! The error policy.
//!
//! Handlers fail with a [`Failure`]. The JSON API turns it into
//! `{ "error": { "code", "message", "field" } }` ([`ApiError`]); pages turn
//! it into a Russian error page ([`PageError`]). An internal failure is
//! logged with its cause and answered with a generic message: details of a
//! 500 never reach the client. Out-of-scope objects are `NotFound`, exactly
//! like missing ones.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("not found")]
    NotFound,
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("csrf")]
    Csrf,
    #[error("bad request: {message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    #[error("unprocessable: {message}")]
    Unprocessable {
        message: String,
        field: Option<String>,
    },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("too many requests")]
    TooMany { retry_after_secs: u64 },
    #[error("overloaded")]
    Overloaded,
    #[error("internal: {0}")]
    Internal(String),
}

impl Failure {
    pub fn internal(cause: impl Into<String>) -> Self {
        Failure::Internal(cause.into())
    }

    pub fn bad_request(message: impl Into<String>, field: Option<&str>) -> Self {
        Failure::BadRequest {
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::Unauthenticated => StatusCode::UNAUTHORIZED,
            Failure::Forbidden | Failure::Csrf => StatusCode::FORBIDDEN,
            Failure::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Failure::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Failure::Conflict(_) => StatusCode::CONFLICT,
            Failure::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Failure::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Failure::NotFound => "not_found",
            Failure::Unauthenticated => "unauthenticated",
            Failure::Forbidden => "forbidden",
            Failure::Csrf => "csrf",
            Failure::BadRequest { .. } => "bad_request",
            Failure::Unprocessable { .. } => "unprocessable",
            Failure::Conflict(_) => "conflict",
            Failure::TooMany { .. } => "too_many_requests",
            Failure::Overloaded => "overloaded",
            Failure::Internal(_) => "internal",
        }
    }

    /// The Russian message fit to show a user.
    pub fn message(&self) -> String {
        match self {
            Failure::NotFound => "Не найдено".into(),
            Failure::Unauthenticated => "Требуется вход в систему".into(),
            Failure::Forbidden => "Недостаточно прав для этого действия".into(),
            Failure::Csrf => {
                "Форма устарела или отправлена с другого сайта. Обновите страницу и повторите"
                    .into()
            }
            Failure::BadRequest { message, .. } | Failure::Unprocessable { message, .. } => {
                message.clone()
            }
            Failure::Conflict(m) => m.clone(),
            Failure::TooMany { retry_after_secs } => format!(
                "Слишком много неудачных попыток входа. Повторите через {} мин.",
                retry_after_secs.div_ceil(60).max(1)
            ),
            Failure::Overloaded => "Сервер перегружен. Повторите попытку через минуту".into(),
            Failure::Internal(_) => {
                "Внутренняя ошибка сервера. Мы уже знаем о ней; повторите попытку позже".into()
            }
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Failure::BadRequest { field, .. } | Failure::Unprocessable { field, .. } => {
                field.as_deref()
            }
            _ => None,
        }
    }

    fn log(&self) {
        if let Failure::Internal(cause) = self {
            tracing::error!(%cause, "internal failure");
        }
    }
}

impl From<store::StoreError> for Failure {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => Failure::NotFound,
            store::StoreError::Conflict(c) => Failure::Conflict(c),
            store::StoreError::Other(o) => Failure::Internal(o),
        }
    }
}

/// A failure answered as JSON (the API).
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let f = self.0;
        f.log();
        let body =
            json!({ "error": { "code": f.code(), "message": f.message(), "field": f.field() } });
        let mut response = (f.status(), axum::Json(body)).into_response();
        if let Failure::TooMany { retry_after_secs } = f {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// A failure answered as a Russian error page.
#[derive(Debug)]
pub struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let f = self.0;
        f.log();
        if let Failure::Unauthenticated = f {
            return axum::response::Redirect::to("/login").into_response();
        }
        let title = match f.status() {
            StatusCode::NOT_FOUND => "Страница не найдена",
            StatusCode::FORBIDDEN => "Доступ запрещён",
            StatusCode::TOO_MANY_REQUESTS => "Слишком много попыток",
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Ошибка в запросе",
            _ => "Ошибка",
        };
        let html = app::render_error(&app::ErrorPage {
            chrome: None,
            status: f.status().as_u16(),
            title: title.into(),
            message: f.message(),
        });
        let mut response = (f.status(), axum::response::Html(html)).into_response();
        if let Failure::TooMany { retry_after_secs } = f {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

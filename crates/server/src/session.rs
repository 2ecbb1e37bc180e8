//! Who is calling, for every request, and CSRF protection.
//!
//! [`identify`] runs before every handler: it reads the session from the
//! `Authorization: Bearer` header or the HttpOnly session cookie, checks it
//! (signature, expiry, revocation, disabled account) and records the
//! [`Identity`] in the request's extensions. It also gives every browser a
//! CSRF cookie and enforces it: a state-changing request that relies on
//! cookies must repeat the cookie's value (the `csrf` form field, or the
//! `X-CSRF-Token` header for the API). Bearer requests carry no ambient
//! credentials and need no CSRF token.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Caller;
use subtle::ConstantTimeEq;

use crate::auth::new_token;
use crate::error::{ApiError, Failure, PageError};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "marshrut_session";
pub const CSRF_COOKIE: &str = "marshrut_csrf";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Forms are small; anything larger is refused before parsing.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The largest file a page form may upload (evidence of a route step), and
/// the multipart body that carries it with the form's other fields.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_MULTIPART_BYTES: usize = MAX_UPLOAD_BYTES + 256 * 1024;

/// The request's caller, if any, and how it proved itself.
#[derive(Debug, Clone)]
pub struct Identity {
    pub caller: Option<Caller>,
    pub via_cookie: bool,
}

/// This browser's CSRF token, to put in every form.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

pub fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie is visible ASCII")
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    session_cookie(state, "", 0)
}

pub fn csrf_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("cookie is visible ASCII")
}

/// A `multipart/form-data` body (a form with a file).
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Reads the `csrf` field of a multipart body (the pages put it first).
async fn multipart_csrf(headers: &HeaderMap, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest;
    let mut request = Request::new(Body::from(bytes));
    *request.headers_mut() = headers.clone();
    let mut form = axum::extract::Multipart::from_request(request, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// Reads the `csrf` field of an urlencoded form body.
fn form_csrf(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
}

pub async fn identify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let api = is_api(parts.uri.path());

    // Who is calling.
    let (token, via_cookie) = match bearer(&parts.headers) {
        Some(t) => (Some(t.to_string()), false),
        None => (
            cookie(&parts.headers, SESSION_COOKIE).map(str::to_string),
            true,
        ),
    };
    let caller = match token.filter(|t| !t.is_empty()) {
        Some(t) => match state.auth.authenticate(&t).await {
            Ok(c) => c,
            Err(f) => return fail(api, f),
        },
        None => None,
    };

    // CSRF: the browser's token, minted on first contact.
    let existing = cookie(&parts.headers, CSRF_COOKIE)
        .filter(|v| v.len() >= 32)
        .map(str::to_string);
    let (csrf, fresh) = match existing {
        Some(v) => (v, false),
        None => (new_token().0, true),
    };

    let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = body;
    if changes_state {
        let cookie_based = if api {
            via_cookie && caller.is_some()
        } else {
            true
        };
        if cookie_based {
            let presented = if api {
                parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            } else {
                let multipart = is_multipart(&parts.headers);
                let limit = if multipart {
                    MAX_MULTIPART_BYTES
                } else {
                    MAX_FORM_BYTES
                };
                let bytes = match to_bytes(body, limit).await {
                    Ok(b) => b,
                    Err(_) => {
                        let message = if multipart {
                            "Файл слишком большой: не более 10 МБ"
                        } else {
                            "Слишком большой объём формы"
                        };
                        return fail(api, Failure::bad_request(message, None));
                    }
                };
                let v = if multipart {
                    multipart_csrf(&parts.headers, bytes.clone()).await
                } else {
                    form_csrf(&bytes)
                };
                body = Body::from(bytes);
                v
            };
            let ok = !fresh && presented.is_some_and(|p| same(&p, &csrf));
            if !ok {
                return fail(api, Failure::Csrf);
            }
        }
    }

    parts.extensions.insert(Identity { caller, via_cookie });
    parts.extensions.insert(Csrf(csrf.clone()));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if fresh {
        response
            .headers_mut()
            .append(header::SET_COOKIE, csrf_cookie(&state, &csrf));
    }
    response
}

fn fail(api: bool, f: Failure) -> Response {
    if api {
        ApiError(f).into_response()
    } else {
        PageError(f).into_response()
    }
}

/// The signed-in caller of a page; without one the page redirects to the
/// login form.
pub struct PageCaller(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for PageCaller {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .and_then(|i| i.caller.clone())
            .map(PageCaller)
            .ok_or(PageError(Failure::Unauthenticated))
    }
}

/// The signed-in caller of an API request; without one, `401`.
pub struct ApiCaller(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .and_then(|i| i.caller.clone())
            .map(ApiCaller)
            .ok_or(ApiError(Failure::Unauthenticated))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Csrf>()
            .cloned()
            .ok_or_else(|| PageError(Failure::internal("csrf layer missing")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; marshrut_csrf=xyz; b=2"),
        );
        assert_eq!(cookie(&h, CSRF_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn finds_the_csrf_field() {
        assert_eq!(form_csrf(b"login=a&csrf=t%2Bk&x=1").as_deref(), Some("t+k"));
        assert_eq!(form_csrf(b"login=a"), None);
    }
}

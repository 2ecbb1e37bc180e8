//! Every route the server answers, with who may use it.
//!
//! The router is built from [`table`] and nothing else, so every route has
//! an access class; the authorization test walks the same table. Role gates
//! are checked here; scope (which school, which municipality) is checked by
//! the handlers through scoped store reads, and answers 404 when it fails.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use domain::Role;

use axum::extract::DefaultBodyLimit;

use crate::error::{ApiError, Failure, PageError};
use crate::session::Identity;
use crate::state::AppState;
use crate::{
    api, web, web_catalogue, web_dashboard, web_diagnostics, web_matching, web_roadmap, web_routes,
    web_settings, web_targets,
};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// A signed-in account holding at least one of these roles.
    Roles(&'static [Role]),
}

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: fn() -> MethodRouter<AppState>,
}

const SCHOOL_STAFF: &[Role] = &[Role::DeputyHead, Role::Principal];
const INVITERS: &[Role] = &[Role::DeputyHead, Role::Principal, Role::Admin];
const REGION: &[Role] = &[Role::CnppmMethodist, Role::Admin];
/// Route lists: the region's methodists, and the school and municipality
/// staff who follow their teachers' routes.
const ROUTE_READERS: &[Role] = &[
    Role::CnppmMethodist,
    Role::Admin,
    Role::DeputyHead,
    Role::Principal,
    Role::MunicipalCoordinator,
];
const ROUTE_MANAGERS: &[Role] = REGION;
/// The indicators' targets and custom indicators: whoever reads the
/// indicators (the route readers).
const INDICATOR_READERS: &[Role] = ROUTE_READERS;
/// Who enters a custom indicator's value: a municipal coordinator for its
/// municipality, the region for any (the store checks the scope).
const VALUE_ENTERERS: &[Role] = &[
    Role::MunicipalCoordinator,
    Role::CnppmMethodist,
    Role::Admin,
];
const ROUTE_REVIEWERS: &[Role] = SCHOOL_STAFF;
const MENTOR_NAMERS: &[Role] = &[
    Role::DeputyHead,
    Role::Principal,
    Role::CnppmMethodist,
    Role::Admin,
];

macro_rules! route {
    ($method:ident $path:literal, $access:expr, $verb:ident($handler:path)) => {
        RouteSpec {
            method: Method::$method,
            path: $path,
            access: $access,
            handler: || $verb($handler),
        }
    };
    ($method:ident $path:literal, $access:expr, $verb:ident($handler:path).layer($layer:expr)) => {
        RouteSpec {
            method: Method::$method,
            path: $path,
            access: $access,
            handler: || $verb($handler).layer($layer),
        }
    };
}

pub fn table() -> Vec<RouteSpec> {
    use Access::*;
    vec![
        route!(GET "/", SignedIn, get(web::home)),
        route!(GET "/login", Public, get(web::login_form)),
        route!(POST "/login", Public, post(web::login_submit)),
        route!(POST "/logout", Public, post(web::logout)),
        route!(GET "/invite/{token}", Public, get(web::invitation_form)),
        route!(POST "/invite/{token}", Public, post(web::invitation_submit)),
        route!(GET "/me", SignedIn, get(web::me)),
        route!(GET "/school", Roles(SCHOOL_STAFF), get(web::own_school)),
        route!(GET "/municipality", Roles(&[Role::MunicipalCoordinator]), get(web::own_municipality)),
        route!(GET "/region", Roles(REGION), get(web::region)),
        route!(GET "/mentees", Roles(&[Role::Mentor]), get(web::mentees)),
        route!(GET "/mentees/{login}", Roles(&[Role::Mentor]), get(web::mentee)),
        route!(POST "/mentees/{login}/consultations", Roles(&[Role::Mentor]), post(web::add_consultation)),
        route!(GET "/schools/{code}", SignedIn, get(web::school)),
        route!(GET "/municipalities/{code}", SignedIn, get(web::municipality)),
        route!(POST "/schools/{code}/invitations/{login}", Roles(INVITERS), post(web::reissue_invitation)),
        route!(POST "/campaigns/{id}/start", SignedIn, post(web_diagnostics::start)),
        route!(GET "/attempts/{id}", SignedIn, get(web_diagnostics::question)),
        route!(POST "/attempts/{id}/items/{item_id}", SignedIn, post(web_diagnostics::answer)),
        route!(GET "/attempts/{id}/finish", SignedIn, get(web_diagnostics::finish_form)),
        route!(POST "/attempts/{id}/submit", SignedIn, post(web_diagnostics::submit)),
        route!(GET "/diagnostics/{id}", SignedIn, get(web_diagnostics::profile)),
        route!(GET "/campaigns", Roles(REGION), get(web_diagnostics::campaigns)),
        route!(POST "/campaigns", Roles(REGION), post(web_diagnostics::open_campaign)),
        route!(GET "/campaigns/{id}", Roles(REGION), get(web_diagnostics::campaign)),
        route!(GET "/banks", Roles(REGION), get(web_diagnostics::banks)),
        route!(GET "/banks/{id}", Roles(REGION), get(web_diagnostics::bank_analysis)),
        route!(GET "/static/app.css", Public, get(web::stylesheet)),
        route!(GET "/static/app.js", Public, get(web::script)),
        route!(GET "/healthz", Public, get(api::healthz)),
        route!(GET "/api/openapi.json", Public, get(api::openapi)),
        route!(POST "/api/v1/auth/login", Public, post(api::login)),
        route!(POST "/api/v1/auth/logout", SignedIn, post(api::logout)),
        route!(GET "/api/v1/me", SignedIn, get(api::me)),
        route!(GET "/api/v1/campaigns", SignedIn, get(api::campaigns)),
        route!(POST "/api/v1/campaigns/{id}/attempts", SignedIn, post(api::start_attempt)),
        route!(GET "/api/v1/attempts/{id}", SignedIn, get(api::get_attempt)),
        route!(PUT "/api/v1/attempts/{id}/responses/{item_id}", SignedIn, put(api::save_response)),
        route!(POST "/api/v1/attempts/{id}/submit", SignedIn, post(api::submit_attempt)),
        route!(GET "/api/v1/teachers/{login}/profile", SignedIn, get(api::teacher_profile)),
        route!(GET "/api/v1/teachers/{login}/routes", SignedIn, get(api::teacher_routes)),
        route!(GET "/api/v1/indicators", SignedIn, get(api::indicators)),
        route!(GET "/routes", Roles(ROUTE_READERS), get(web_routes::routes)),
        route!(POST "/routes/generate", Roles(ROUTE_MANAGERS), post(web_routes::generate)),
        route!(GET "/routes/{id}", SignedIn, get(web_routes::route)),
        route!(POST "/routes/{id}/approve", Roles(ROUTE_MANAGERS), post(web_routes::approve)),
        route!(POST "/routes/{id}/steps", Roles(ROUTE_MANAGERS), post(web_routes::add_step)),
        route!(POST "/routes/{id}/steps/{position}/remove", Roles(ROUTE_MANAGERS), post(web_routes::remove_step)),
        route!(POST "/routes/{id}/steps/{position}/move", Roles(ROUTE_MANAGERS), post(web_routes::move_step)),
        route!(POST "/routes/{id}/steps/{position}/dates", Roles(ROUTE_MANAGERS), post(web_routes::date_step)),
        route!(
            POST "/routes/{id}/steps/{position}/submit",
            SignedIn,
            post(web_routes::submit_step)
                .layer(DefaultBodyLimit::max(crate::session::MAX_MULTIPART_BYTES))
        ),
        route!(GET "/routes/{id}/steps/{position}/evidence/{evidence_id}", SignedIn, get(web_routes::evidence_file)),
        route!(POST "/routes/{id}/steps/{position}/review", Roles(ROUTE_REVIEWERS), post(web_routes::review_step)),
        route!(POST "/routes/{id}/steps/{position}/mentor", Roles(MENTOR_NAMERS), post(web_routes::name_mentor)),
        route!(GET "/my-route", SignedIn, get(web_routes::my_route)),
        route!(GET "/routes/{id}/iom.docx", SignedIn, get(web_routes::iom_docx)),
        route!(GET "/routes/{id}/iom.pdf", SignedIn, get(web_routes::iom_pdf)),
        route!(GET "/catalogue", Roles(ROUTE_READERS), get(web_catalogue::catalogue)),
        route!(POST "/catalogue", Roles(REGION), post(web_catalogue::create_entry)),
        route!(GET "/catalogue/new", Roles(REGION), get(web_catalogue::new_entry)),
        route!(GET "/catalogue/{code}", Roles(REGION), get(web_catalogue::entry)),
        route!(POST "/catalogue/{code}", Roles(REGION), post(web_catalogue::update_entry)),
        route!(GET "/matching", Roles(REGION), get(web_matching::index)),
        route!(GET "/matching/methodists", Roles(REGION), get(web_matching::methodists)),
        route!(POST "/matching/methodists/run", Roles(REGION), post(web_matching::run_methodists)),
        route!(POST "/matching/methodists/accept", Roles(REGION), post(web_matching::accept_methodists)),
        route!(GET "/matching/methodists/{login}", Roles(REGION), get(web_matching::methodist_assignment)),
        route!(POST "/matching/methodists/{login}/assign", Roles(REGION), post(web_matching::assign_methodist)),
        route!(POST "/matching/methodists/{login}/end", Roles(REGION), post(web_matching::end_methodist)),
        route!(GET "/matching/schools", Roles(REGION), get(web_matching::schools)),
        route!(POST "/matching/schools/run", Roles(REGION), post(web_matching::run_schools)),
        route!(POST "/matching/schools/accept", Roles(REGION), post(web_matching::accept_schools)),
        route!(GET "/matching/schools/{code}", Roles(REGION), get(web_matching::school_assignment)),
        route!(POST "/matching/schools/{code}/assign", Roles(REGION), post(web_matching::assign_school)),
        route!(POST "/matching/schools/{code}/end", Roles(REGION), post(web_matching::end_school)),
        route!(GET "/roadmap", Roles(ROUTE_READERS), get(web_roadmap::roadmap)),
        route!(GET "/roadmap.xlsx", Roles(ROUTE_READERS), get(web_roadmap::download_xlsx)),
        route!(GET "/roadmap.csv", Roles(ROUTE_READERS), get(web_roadmap::download_csv)),
        route!(POST "/roadmap/{id}/done", Roles(REGION), post(web_roadmap::mark_done)),
        route!(POST "/roadmap/{id}/undo", Roles(REGION), post(web_roadmap::mark_undone)),
        route!(GET "/targets", Roles(INDICATOR_READERS), get(web_targets::targets)),
        route!(POST "/targets", Roles(REGION), post(web_targets::set_target)),
        route!(POST "/targets/{id}/remove", Roles(REGION), post(web_targets::remove_target)),
        route!(GET "/custom-indicators", Roles(INDICATOR_READERS), get(web_targets::custom_indicators)),
        route!(POST "/custom-indicators", Roles(REGION), post(web_targets::define_custom)),
        route!(GET "/custom-indicators/{id}", Roles(INDICATOR_READERS), get(web_targets::custom_indicator)),
        route!(POST "/custom-indicators/{id}", Roles(REGION), post(web_targets::update_custom)),
        route!(POST "/custom-indicators/{id}/values", Roles(VALUE_ENTERERS), post(web_targets::add_custom_value)),
        route!(GET "/indicators", Roles(ROUTE_READERS), get(web_dashboard::index)),
        route!(GET "/indicators/municipalities/{code}", Roles(ROUTE_READERS), get(web_dashboard::municipality)),
        route!(GET "/indicators/schools/{code}", Roles(ROUTE_READERS), get(web_dashboard::school)),
        route!(GET "/indicators/report.xlsx", Roles(ROUTE_READERS), get(web_dashboard::report_xlsx)),
        route!(GET "/indicators/report.csv", Roles(ROUTE_READERS), get(web_dashboard::report_csv)),
        route!(GET "/indicators/spravka.docx", Roles(ROUTE_READERS), get(web_dashboard::spravka_docx)),
        route!(GET "/indicators/spravka.pdf", Roles(ROUTE_READERS), get(web_dashboard::spravka_pdf)),
        route!(GET "/settings", Roles(REGION), get(web_settings::settings)),
        route!(POST "/settings", Roles(REGION), post(web_settings::save_settings)),
    ]
}

async fn gate(State(access): State<Access>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let caller = request
        .extensions()
        .get::<Identity>()
        .and_then(|i| i.caller.as_ref());
    let failure = match (access, caller) {
        (Access::Public, _) => None,
        (_, None) => Some(Failure::Unauthenticated),
        (Access::SignedIn, Some(_)) => None,
        (Access::Roles(roles), Some(c)) => (!c.has_any(roles)).then_some(Failure::Forbidden),
    };
    match failure {
        None => next.run(request).await,
        Some(f) if api => ApiError(f).into_response(),
        Some(f) => PageError(f).into_response(),
    }
}

/// Logs each request by its route pattern, never its concrete path: paths
/// can hold invitation tokens and logins.
async fn trace(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".into());
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for spec in table() {
        let method_router =
            (spec.handler)().route_layer(middleware::from_fn_with_state(spec.access, gate));
        router = router.route(spec.path, method_router);
    }
    router
        .fallback(web::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::session::identify,
        ))
        .layer(middleware::from_fn(trace))
        .with_state(state)
}

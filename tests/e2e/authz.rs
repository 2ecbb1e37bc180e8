//! The authorization matrix, built from the router's own route table: every
//! route × every role (and anonymous) × own / other school / other
//! municipality. A route the table gains without an expectation here fails
//! the test. The expectations are written out by hand from DESIGN.md's role
//! table, independently of `domain::Scope`.

use std::collections::HashMap;

use axum::http::Method;
use domain::Role;

use crate::helpers::{Backend, Browser, ROLE_LOGINS, TestApp, client};

on_both_databases!(every_route_answers_each_role_as_designed);

/// Which object a parameterised path points at, relative to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// In the caller's school (s1) / municipality (m1).
    Own,
    /// Another school in the same municipality (s2).
    OtherSchool,
    /// A school (s3) or municipality (m2) elsewhere.
    OtherMunicipality,
}

const TARGETS: [Target; 3] = [Target::Own, Target::OtherSchool, Target::OtherMunicipality];

fn school_of(t: Target) -> (&'static str, &'static str) {
    match t {
        Target::Own => ("s1", "teacher1"),
        Target::OtherSchool => ("s2", "teacher2"),
        Target::OtherMunicipality => ("s3", "teacher3"),
    }
}

fn municipality_of(t: Target) -> &'static str {
    match t {
        Target::Own | Target::OtherSchool => "m1",
        Target::OtherMunicipality => "m2",
    }
}

/// Schools each test account may see, by DESIGN.md's role table.
fn sees_school(login: &str, school: &str) -> bool {
    match login {
        "deputy1" | "principal1" => school == "s1",
        "coord1" => school == "s1" || school == "s2",
        "cnppm1" | "admin1" => true,
        _ => false,
    }
}

fn sees_municipality(login: &str, m: &str) -> bool {
    match login {
        "coord1" => m == "m1",
        "cnppm1" | "admin1" => true,
        _ => false,
    }
}

fn path_for(template: &str, target: Target) -> String {
    let (school, teacher) = school_of(target);
    template
        .replace(
            "{code}",
            if template.starts_with("/municipalities")
                || template.starts_with("/indicators/municipalities")
            {
                municipality_of(target)
            } else {
                school
            },
        )
        .replace("{login}", teacher)
        .replace("{token}", "no-such-invitation-token-000000000000000000")
        .replace("{id}", "999999")
        .replace("{item_id}", "K1-001")
        .replace("{position}", "0")
        .replace("{evidence_id}", "1")
}

/// The staff who read indicators, targets and the roadmap.
const READERS: &[&str] = &["cnppm1", "admin1", "deputy1", "principal1", "coord1"];

/// What `who` (None: anonymous) must get from `method path` at `target`.
fn expected(method: &Method, template: &str, who: Option<(&str, Role)>, target: Target) -> u16 {
    let login = who.map(|(l, _)| l);
    let signed_in = who.is_some();
    let (school, _) = school_of(target);
    let muni = municipality_of(target);
    let page_gate = |allowed: &[&str]| match login {
        None => 303,
        Some(l) if allowed.contains(&l) => 200,
        Some(_) => 403,
    };
    match (method.as_str(), template) {
        ("GET", "/") => 303,
        ("GET", "/login") => {
            if signed_in {
                303
            } else {
                200
            }
        }
        ("POST", "/login") => 400, // the matrix posts an empty form
        ("POST", "/logout") => 303,
        ("GET", "/invite/{token}") | ("POST", "/invite/{token}") => 404,
        ("GET", "/me") => {
            if signed_in {
                200
            } else {
                303
            }
        }
        ("GET", "/school") => page_gate(&["deputy1", "principal1"]),
        ("GET", "/municipality") => page_gate(&["coord1"]),
        ("GET", "/region") => page_gate(&["cnppm1", "admin1"]),
        ("GET", "/mentees") => page_gate(&["mentor1"]),
        // Only one's active mentees; the test region assigns none.
        ("GET", "/mentees/{login}") | ("POST", "/mentees/{login}/consultations") => {
            match page_gate(&["mentor1"]) {
                200 => 404,
                other => other,
            }
        }
        ("GET", "/schools/{code}") => match login {
            None => 303,
            Some(l) if sees_school(l, school) => 200,
            Some(_) => 404,
        },
        ("GET", "/municipalities/{code}") => match login {
            None => 303,
            Some(l) if sees_municipality(l, muni) => 200,
            Some(_) => 404,
        },
        ("POST", "/schools/{code}/invitations/{login}") => match login {
            None => 303,
            Some("admin1") => 200,
            // The test region's teachers have set their passwords: a school
            // may not reset them (an administrator may).
            Some(l @ ("deputy1" | "principal1")) => {
                if sees_school(l, school) {
                    403
                } else {
                    404
                }
            }
            Some(_) => 403,
        },
        ("GET", "/static/app.css")
        | ("GET", "/static/app.js")
        | ("GET", "/healthz")
        | ("GET", "/api/openapi.json") => 200,
        // Pages of one's own attempts and results; the test region has none.
        ("POST", "/campaigns/{id}/start")
        | ("GET", "/attempts/{id}")
        | ("POST", "/attempts/{id}/items/{item_id}")
        | ("GET", "/attempts/{id}/finish")
        | ("POST", "/attempts/{id}/submit")
        | ("GET", "/diagnostics/{id}") => {
            if signed_in {
                404
            } else {
                303
            }
        }
        ("GET", "/campaigns") | ("GET", "/banks") => page_gate(&["cnppm1", "admin1"]),
        ("GET", "/banks/{id}") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 404, // no such bank version
            other => other,
        },
        ("POST", "/campaigns") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 422, // the matrix posts an empty form
            other => other,
        },
        ("GET", "/campaigns/{id}") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 404,
            other => other,
        },
        ("POST", "/api/v1/auth/login") => 401, // wrong credentials
        ("POST", "/api/v1/auth/logout") => {
            if signed_in {
                204
            } else {
                401
            }
        }
        ("GET", "/api/v1/me") | ("GET", "/api/v1/campaigns") => {
            if signed_in {
                200
            } else {
                401
            }
        }
        // The test region has no campaigns and no attempts.
        ("POST", "/api/v1/campaigns/{id}/attempts")
        | ("GET", "/api/v1/attempts/{id}")
        | ("PUT", "/api/v1/attempts/{id}/responses/{item_id}")
        | ("POST", "/api/v1/attempts/{id}/submit") => {
            if signed_in {
                404
            } else {
                401
            }
        }
        ("GET", "/api/v1/teachers/{login}/profile")
        | ("GET", "/api/v1/teachers/{login}/routes") => match login {
            None => 401,
            // One's own profile; else a teacher of a visible school.
            Some(l) if l == school_of(target).1 || sees_school(l, school) => 200,
            Some(_) => 404,
        },
        ("GET", "/routes") => page_gate(&["cnppm1", "admin1", "deputy1", "principal1", "coord1"]),
        // Generation on the test region (no diagnostics): back to the list.
        ("POST", "/routes/generate") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 303,
            other => other,
        },
        // The test region has no routes.
        ("GET", "/routes/{id}")
        | ("GET", "/routes/{id}/steps/{position}/evidence/{evidence_id}")
        | ("GET", "/routes/{id}/iom.docx")
        | ("GET", "/routes/{id}/iom.pdf")
        | ("POST", "/routes/{id}/steps/{position}/submit") => {
            if signed_in {
                404
            } else {
                303
            }
        }
        ("POST", "/routes/{id}/approve")
        | ("POST", "/routes/{id}/steps")
        | ("POST", "/routes/{id}/steps/{position}/remove")
        | ("POST", "/routes/{id}/steps/{position}/move")
        | ("POST", "/routes/{id}/steps/{position}/dates") => match page_gate(&["cnppm1", "admin1"])
        {
            200 => 404,
            other => other,
        },
        ("POST", "/routes/{id}/steps/{position}/mentor") => {
            match page_gate(&["deputy1", "principal1", "cnppm1", "admin1"]) {
                200 => 404,
                other => other,
            }
        }
        ("POST", "/routes/{id}/steps/{position}/review") => {
            match page_gate(&["deputy1", "principal1"]) {
                200 => 404,
                other => other,
            }
        }
        ("GET", "/settings") => page_gate(&["cnppm1", "admin1"]),
        ("GET", "/roadmap") => page_gate(&["cnppm1", "admin1", "deputy1", "principal1", "coord1"]),
        // The test region has no roadmap to download or mark.
        ("GET", "/roadmap.xlsx") | ("GET", "/roadmap.csv") => {
            match page_gate(&["cnppm1", "admin1", "deputy1", "principal1", "coord1"]) {
                200 => 404,
                other => other,
            }
        }
        // An empty form: no evidence, refused before the item is looked up.
        ("POST", "/roadmap/{id}/done") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 422,
            other => other,
        },
        ("POST", "/roadmap/{id}/undo") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 404,
            other => other,
        },
        // The region's dashboard (and its downloads, region-wide without a
        // query) for ЦНППМ, administrators and coordinators; a school's
        // staff are sent to their school's dashboard and see no region.
        ("GET", "/indicators") => match page_gate(READERS) {
            200 if matches!(login, Some("deputy1" | "principal1")) => 303,
            other => other,
        },
        ("GET", "/indicators/report.xlsx")
        | ("GET", "/indicators/report.csv")
        | ("GET", "/indicators/spravka.docx")
        | ("GET", "/indicators/spravka.pdf") => match page_gate(READERS) {
            200 if matches!(login, Some("deputy1" | "principal1")) => 404,
            other => other,
        },
        ("GET", "/indicators/municipalities/{code}") => match page_gate(READERS) {
            200 if !sees_municipality(login.unwrap_or_default(), muni) => 404,
            other => other,
        },
        ("GET", "/indicators/schools/{code}") => match page_gate(READERS) {
            200 if !sees_school(login.unwrap_or_default(), school) => 404,
            other => other,
        },
        ("GET", "/api/v1/indicators") => match login {
            None => 401,
            Some("cnppm1" | "admin1" | "coord1") => 200,
            Some(_) => 404,
        },
        ("GET", "/targets") | ("GET", "/custom-indicators") => {
            page_gate(&["cnppm1", "admin1", "deputy1", "principal1", "coord1"])
        }
        // The matrix posts empty forms: no indicator, no code — refused.
        ("POST", "/targets") | ("POST", "/custom-indicators") => {
            match page_gate(&["cnppm1", "admin1"]) {
                200 => 422,
                other => other,
            }
        }
        // No such target or custom indicator in the test region.
        ("POST", "/targets/{id}/remove") | ("POST", "/custom-indicators/{id}") => {
            match page_gate(&["cnppm1", "admin1"]) {
                200 => 404,
                other => other,
            }
        }
        ("GET", "/custom-indicators/{id}") => {
            match page_gate(&["cnppm1", "admin1", "deputy1", "principal1", "coord1"]) {
                200 => 404,
                other => other,
            }
        }
        ("POST", "/custom-indicators/{id}/values") => {
            match page_gate(&["coord1", "cnppm1", "admin1"]) {
                200 => 404,
                other => other,
            }
        }
        // The board: the run redirects back to it, «/matching» to the
        // methodists' board.
        ("GET", "/matching")
        | ("POST", "/matching/methodists/run")
        | ("POST", "/matching/schools/run") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 303,
            other => other,
        },
        ("GET", "/matching/methodists")
        | ("GET", "/matching/schools")
        | ("GET", "/matching/methodists/{login}")
        | ("GET", "/matching/schools/{code}") => page_gate(&["cnppm1", "admin1"]),
        // The matrix posts empty forms: nothing chosen, no reason — refused.
        ("POST", "/matching/methodists/accept")
        | ("POST", "/matching/schools/accept")
        | ("POST", "/matching/methodists/{login}/assign")
        | ("POST", "/matching/methodists/{login}/end")
        | ("POST", "/matching/schools/{code}/assign")
        | ("POST", "/matching/schools/{code}/end") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 409,
            other => other,
        },
        ("GET", "/catalogue") => {
            page_gate(&["cnppm1", "admin1", "deputy1", "principal1", "coord1"])
        }
        ("GET", "/catalogue/new") => page_gate(&["cnppm1", "admin1"]),
        ("POST", "/catalogue") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 422, // the matrix posts an empty form
            other => other,
        },
        // The test region's catalogue is empty.
        ("GET", "/catalogue/{code}") | ("POST", "/catalogue/{code}") => {
            match page_gate(&["cnppm1", "admin1"]) {
                200 => 404,
                other => other,
            }
        }
        ("POST", "/settings") => match page_gate(&["cnppm1", "admin1"]) {
            200 => 422, // the matrix posts an empty form
            other => other,
        },
        ("GET", "/my-route") => {
            if signed_in {
                200
            } else {
                303
            }
        }
        (m, p) => panic!("route {m} {p} has no expectation in the authorization test: classify it"),
    }
}

async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    browser: &Browser,
    token: Option<&str>,
    n: usize,
) -> reqwest::Response {
    if path.starts_with("/api/") {
        let mut req = client().request(method.clone(), app.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if path == "/api/v1/auth/login" {
            req = req
                .json(&serde_json::json!({ "login": format!("matrix-{n}"), "password": "wrong" }));
        }
        req.send().await.unwrap()
    } else if *method == Method::GET {
        browser.get(app, path).await
    } else {
        browser.post_form(app, path, &[]).await
    }
}

async fn every_route_answers_each_role_as_designed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut browsers: HashMap<&str, (Browser, String)> = HashMap::new();
    for (login, _) in ROLE_LOGINS {
        let b = Browser::signed_in(&app, login).await;
        let token = b.session.clone().unwrap();
        browsers.insert(login, (b, token));
    }
    let anonymous = Browser::anonymous();
    let mut callers: Vec<Option<(&str, Role)>> = vec![None];
    callers.extend(ROLE_LOGINS.iter().map(|(l, r)| Some((*l, *r))));

    let mut failures = Vec::new();
    let mut n = 0;
    for route in marshrut::routes::table() {
        let parameterised = route.path.contains('{');
        let targets: &[Target] = if parameterised {
            &TARGETS
        } else {
            &TARGETS[..1]
        };
        for &target in targets {
            let path = path_for(route.path, target);
            for who in &callers {
                n += 1;
                let want = expected(&route.method, route.path, *who, target);
                let response = match who {
                    None => call(&app, &route.method, &path, &anonymous, None, n).await,
                    Some((login, _)) => {
                        let (b, t) = &browsers[login];
                        call(&app, &route.method, &path, b, Some(t), n).await
                    }
                };
                let got = response.status().as_u16();
                if got == 303 && who.is_none() && want == 303 && route.path != "/logout" {
                    let location = response.headers()["location"].to_str().unwrap().to_string();
                    if location != "/login" {
                        failures.push(format!(
                            "{} {path} anonymous: redirect to {location}, not /login",
                            route.method
                        ));
                    }
                }
                if got != want {
                    failures.push(format!(
                        "{} {path} as {}: got {got}, want {want}",
                        route.method,
                        who.map_or("anonymous", |(l, _)| l)
                    ));
                }
                // Logging out ends the caller's sessions: sign in again.
                if let Some((login, _)) = who
                    && (route.path == "/logout" || route.path == "/api/v1/auth/logout")
                {
                    let b = Browser::signed_in(&app, login).await;
                    let token = b.session.clone().unwrap();
                    browsers.insert(login, (b, token));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}

//! The JSON API core of `spec/api.md`: login, logout, me.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, client};

on_both_databases!(
    login_me_logout,
    bad_credentials_answer_alike,
    repeated_failures_are_throttled_per_login,
    parallel_guesses_get_no_more_tries,
    cookie_sessions_need_the_csrf_token,
    disabling_an_account_ends_its_sessions,
    health_and_openapi,
);

async fn login_me_logout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "login": "Deputy1", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("marshrut_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["login"], "deputy1");
    assert_eq!(body["user"]["full_name"], "Кузнецова Ольга Викторовна");
    assert_eq!(body["user"]["roles"], json!(["teacher", "deputy_head"]));
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    let token = body["token"].as_str().unwrap();

    let me: Value = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me,
        json!({ "login": "deputy1", "full_name": "Кузнецова Ольга Викторовна",
                "roles": ["teacher", "deputy_head"], "school": "s1", "municipality": null })
    );

    let r = client()
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the token stops working after logout");
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"]["code"], "unauthenticated");
    assert!(err["error"]["message"].as_str().unwrap().contains("вход"));

    // Logging in again right after works: only the old sessions were ended.
    let token2 = app.token("deputy1").await;
    let r = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.stop().await;
}

async fn bad_credentials_answer_alike(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let attempt = |login: &'static str, password: &'static str| {
        let url = app.url("/api/v1/auth/login");
        async move {
            let r = client()
                .post(url)
                .json(&json!({ "login": login, "password": password }))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let wrong_password = attempt("teacher1", "not-the-password").await;
    let unknown_login = attempt("nobody-at-all", "not-the-password").await;
    assert_eq!(wrong_password.0, 401);
    assert_eq!(wrong_password, unknown_login);

    // A malformed body is a 400 with a Russian message.
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"login\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let err: Value = r.json().await.unwrap();
    assert!(err["error"]["message"].as_str().unwrap().contains("JSON"));
    app.stop().await;
}

async fn repeated_failures_are_throttled_per_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for login in ["teacher1", "no-such-person"] {
        for _ in 0..5 {
            let r = client()
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({ "login": login, "password": "wrong-password" }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
        // Now even the right password is refused for a while, the same way
        // whether or not the account exists.
        let r = client()
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "login": login.to_uppercase(), "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429, "{login}");
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 15 * 60);
    }
    // Another login is not affected.
    app.token("deputy1").await;
    app.stop().await;
}

async fn cookie_sessions_need_the_csrf_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("teacher1").await;
    let csrf = "k".repeat(43);
    let cookie = format!("marshrut_session={token}; marshrut_csrf={csrf}");
    let r = client()
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "reads need no CSRF token");
    let r = client()
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        403,
        "a cookie-authenticated write without the token is refused"
    );
    let r = client()
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &cookie)
        .header("x-csrf-token", "x".repeat(43))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a wrong token is refused");
    let r = client()
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    app.stop().await;
}

async fn disabling_an_account_ends_its_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("teacher2").await;
    let mut changes = crate::helpers::region();
    let mut account = changes
        .accounts
        .iter()
        .find(|a| a.login.as_str() == "teacher2")
        .unwrap()
        .clone();
    account.active = false;
    changes = store::DirectoryChanges {
        accounts: vec![account],
        audit_action: "disable".into(),
        ..Default::default()
    };
    app.store
        .apply_directory(
            &domain::RegionAuthority::command_line(),
            changes,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
    let r = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "login": "teacher2", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a disabled account cannot log in");
    app.stop().await;
}

async fn health_and_openapi(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let health: Value = client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let spec: Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    // The description matches the server: every API route is described with
    // its method, and every described path is served.
    let paths = spec["paths"].as_object().unwrap();
    let table = marshrut::routes::table();
    for route in table
        .iter()
        .filter(|r| r.path.starts_with("/api/") || r.path == "/healthz")
    {
        let described = paths
            .get(route.path)
            .and_then(|p| p.get(route.method.as_str().to_lowercase()));
        assert!(
            described.is_some(),
            "{} {} is not in openapi.json",
            route.method,
            route.path
        );
    }
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                table
                    .iter()
                    .any(|r| r.path == path && r.method.as_str().eq_ignore_ascii_case(method)),
                "openapi.json describes {method} {path}, which the server does not serve"
            );
        }
    }
    app.stop().await;
}

async fn parallel_guesses_get_no_more_tries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let guesses = (0..20).map(|i| {
        let url = app.url("/api/v1/auth/login");
        async move {
            client()
                .post(url)
                .json(&json!({ "login": "teacher1", "password": format!("guess-{i}") }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let tried = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        tried <= 5,
        "{tried} passwords were tried at once: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 20 - tried);
    app.stop().await;
}

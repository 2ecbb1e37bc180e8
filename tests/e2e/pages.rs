//! The pages as a browser without JavaScript uses them: forms and redirects.

use crate::helpers::{Backend, Browser, PASSWORD, TestApp, client, login};

on_both_databases!(
    login_form_signs_in_and_out,
    forms_without_the_csrf_token_are_refused,
    an_invitation_sets_the_password_once,
    home_pages_show_scoped_data,
);

fn csrf_from_set_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("marshrut_csrf="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("a CSRF cookie")
}

async fn login_form_signs_in_and_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csrf = csrf_from_set_cookie(&r);
    let page = r.text().await.unwrap();
    assert!(page.contains("<html lang=\"ru\""));
    assert!(
        page.contains(&format!("value=\"{csrf}\"")),
        "the form carries the token"
    );

    let post = |password: &'static str| {
        let csrf = csrf.clone();
        let url = app.url("/login");
        async move {
            client()
                .post(url)
                .header("cookie", format!("marshrut_csrf={csrf}"))
                .form(&[
                    ("login", "coord1"),
                    ("password", password),
                    ("csrf", csrf.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = post("wrong-password").await;
    assert_eq!(wrong.status(), 401);
    let text = wrong.text().await.unwrap();
    assert!(text.contains("Неверный логин или пароль"));
    assert!(
        text.contains("value=\"coord1\""),
        "the login is kept in the form"
    );

    let ok = post(PASSWORD).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/municipality");
    let session = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("marshrut_session="))
        .unwrap()
        .to_string();
    assert!(session.contains("HttpOnly"));
    let token = session
        .trim_start_matches("marshrut_session=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let b = Browser {
        session: Some(token),
        csrf: csrf.clone(),
    };
    let page = b.get(&app, "/municipality").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ярцевский район"));
    assert!(html.contains("МБОУ Ярцевская СШ № 1"));
    assert!(
        !html.contains("Средняя школа № 33"),
        "another municipality's school is not listed"
    );

    let out = b.post_form(&app, "/logout", &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(
        b.get(&app, "/municipality").await.status(),
        303,
        "the session has ended"
    );
    app.stop().await;
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let b = Browser::signed_in(&app, "deputy1").await;
    // No csrf field, though the cookie is there: refused, nothing done.
    let r = client()
        .post(app.url("/schools/s1/invitations/teacher1"))
        .header(
            "cookie",
            format!(
                "marshrut_session={}; marshrut_csrf={}",
                b.session.as_ref().unwrap(),
                b.csrf
            ),
        )
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Обновите страницу"));
    // The login form too (login CSRF).
    let r = client()
        .post(app.url("/login"))
        .form(&[("login", "deputy1"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

async fn an_invitation_sets_the_password_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A teacher imported today, who has no password yet.
    let mut newcomer = crate::helpers::region().accounts[0].clone();
    newcomer.login = login("newteacher");
    newcomer.full_name = "Новикова Вера Андреевна".into();
    app.store
        .apply_directory(
            &domain::RegionAuthority::command_line(),
            store::DirectoryChanges {
                accounts: vec![newcomer],
                audit_action: "test".into(),
                ..Default::default()
            },
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
    let deputy = Browser::signed_in(&app, "deputy1").await;
    // A set password or a management account is not the school's to reset.
    let r = deputy
        .post_form(&app, "/schools/s1/invitations/teacher1", &[])
        .await;
    assert_eq!(r.status(), 403);
    let r = deputy
        .post_form(&app, "/schools/s1/invitations/principal1", &[])
        .await;
    assert_eq!(r.status(), 403);
    // The deputy head hands out a link for the new teacher of the school.
    let r = deputy
        .post_form(&app, "/schools/s1/invitations/newteacher", &[])
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let start = html
        .find(&format!("{}/invite/", app.base))
        .expect("the link is shown");
    let link: String = html[start..]
        .chars()
        .take_while(|c| !matches!(c, '"' | '<' | ' '))
        .collect();
    let path = link.trim_start_matches(&app.base).to_string();

    let visitor = Browser::anonymous();
    let page = visitor.get(&app, &path).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Новикова Вера Андреевна")
    );

    let short = visitor
        .post_form(
            &app,
            &path,
            &[("password", "short"), ("password2", "short")],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("не менее 10"));

    let new_password = "новый-пароль-учителя";
    let ok = visitor
        .post_form(
            &app,
            &path,
            &[("password", new_password), ("password2", new_password)],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/login?done=password");

    let again = visitor
        .post_form(
            &app,
            &path,
            &[
                ("password", "другой-пароль-123"),
                ("password2", "другой-пароль-123"),
            ],
        )
        .await;
    assert_eq!(again.status(), 410, "a link works once");

    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": "newteacher", "password": new_password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let creds = app
        .store
        .credentials(&login("newteacher"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !creds.password_hash.unwrap().contains(new_password),
        "only a hash is stored"
    );
    app.stop().await;
}

async fn home_pages_show_scoped_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (who, home, shows, hides) in [
        ("teacher1", "/me", "Иванова Анна Петровна", "Петров Пётр"),
        ("deputy1", "/school", "Иванова Анна Петровна", "Петров Пётр"),
        ("cnppm1", "/region", "Средняя школа № 33", "Иванова Анна"),
        ("mentor1", "/mentees", "Подопечные", "Иванова Анна"),
    ] {
        let b = Browser::signed_in(&app, who).await;
        let r = b.get(&app, "/").await;
        assert_eq!(r.headers()["location"], home, "{who}'s main page");
        let r = b.get(&app, home).await;
        assert_eq!(r.status(), 200, "{who}");
        let html = r.text().await.unwrap();
        assert!(html.contains(shows), "{who} sees {shows}");
        assert!(!html.contains(hides), "{who} does not see {hides}");
    }
    // The region page filters by cluster flag.
    let b = Browser::signed_in(&app, "cnppm1").await;
    let html = b
        .get(&app, "/region?cluster=adverse_conditions")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Средняя школа № 33"));
    assert!(!html.contains("Ярцевская СШ № 2"));
    let r = b.get(&app, "/region?cluster=nonsense").await;
    assert_eq!(r.status(), 400);
    app.stop().await;
}

on_both_databases!(a_methodist_opens_a_campaign_and_watches_participation);

async fn a_methodist_opens_a_campaign_and_watches_participation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.open_campaign("math-methods").await;
    let version = app
        .store
        .current_bank_version("pedagogy-core")
        .await
        .unwrap()
        .unwrap();
    let b = Browser::signed_in(&app, "cnppm1").await;
    let today = marshrut::Config::new("").today();
    let from = today.format("%Y-%m-%d").to_string();
    let to = (today + chrono::Days::new(10))
        .format("%Y-%m-%d")
        .to_string();
    let bank = version.id.to_string();
    let bad = b
        .post_form(
            &app,
            "/campaigns",
            &[
                ("title", ""),
                ("bank", &bank),
                ("from", &from),
                ("to", &to),
                ("audience_kind", "all"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Укажите название"));
    let r = b
        .post_form(
            &app,
            "/campaigns",
            &[
                ("title", "Диагностика педагогов ШНОР"),
                ("bank", &bank),
                ("from", &from),
                ("to", &to),
                ("audience_kind", "clusters"),
                ("audience_value", "ШНОР"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_string();
    let html = b.get(&app, &page).await.text().await.unwrap();
    assert!(html.contains("Диагностика педагогов ШНОР"));
    assert!(
        html.contains("Ярцевский район"),
        "participation by municipality"
    );
    // Only s1 carries ШНОР: its two teachers (teacher1, deputy1) are addressed.
    let teacher = Browser::signed_in(&app, "teacher1").await;
    let me = teacher.get(&app, "/me").await.text().await.unwrap();
    assert!(me.contains("Диагностика педагогов ШНОР"));
    let other = Browser::signed_in(&app, "teacher3").await;
    let me = other.get(&app, "/me").await.text().await.unwrap();
    assert!(
        !me.contains("Диагностика педагогов ШНОР"),
        "not addressed to another cluster"
    );

    // Bank authors see each version and its item statistics.
    let banks = b.get(&app, "/banks").await.text().await.unwrap();
    assert!(banks.contains("Психолого-педагогические"));
    let analysis = b.get(&app, &format!("/banks/{}", version.id)).await;
    assert_eq!(analysis.status(), 200);
    let html = analysis.text().await.unwrap();
    assert!(html.contains("Альфа Кронбаха") && html.contains("K1-001"));
    assert_eq!(teacher.get(&app, "/banks").await.status(), 403);
    app.stop().await;
}

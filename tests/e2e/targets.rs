//! Targets and custom indicators in the browser: a ЦНППМ methodist sets a
//! target and `report indicators` holds the indicator to it; removing the
//! region's target brings the seed roadmaps' default back. A custom
//! indicator is defined; the coordinator enters its municipality's value
//! with evidence (and only its own); the region shows the sum.

use std::process::Command;

use chrono::Days;
use domain::indicators::Where;
use domain::{Caller, Role, Scope};

use crate::helpers::{Backend, Browser, TestApp, muni_code};

on_both_databases!(
    targets_are_set_applied_and_removed,
    custom_indicators_take_values_within_the_scope,
);

/// `marshrut report indicators --format json` on the test database: the
/// line of `indicator`.
fn reported(app: &TestApp, indicator: &str, at: &[&str]) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_marshrut"))
        .args(["--database-url", &app.database_url])
        .args(["report", "indicators", "--format", "json"])
        .args(at)
        .env_remove("DATABASE_URL")
        .env_remove("MARSHRUT_PUBLIC_URL")
        .output()
        .expect("run marshrut");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["indicator"] == indicator)
        .unwrap_or_else(|| panic!("{indicator} in {report}"))
        .clone()
}

/// A value entry to post.
struct Entry {
    path: String,
    fields: [(&'static str, String); 5],
}

impl Entry {
    async fn by(&self, app: &TestApp, b: &Browser) -> reqwest::Response {
        let fields: Vec<(&str, &str)> = self.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_form(app, &self.path, &fields).await
    }
}

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn targets_are_set_applied_and_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let methodist = Browser::signed_in(&app, "cnppm1").await;
    let page = text(methodist.get(&app, "/targets").await).await;
    assert!(page.contains("Освоили ИОМ"), "{page}");
    assert!(page.contains("по умолчанию из дорожной карты"), "{page}");
    assert!(
        page.contains("action=\"/targets\""),
        "the region sets targets"
    );
    assert_eq!(
        reported(&app, "route_completion", &[])["target"].as_f64(),
        Some(75.0),
        "the seeds' default"
    );

    // Bad input: the form again, the field named in Russian, nothing stored.
    let set = |fields: Vec<(&'static str, &'static str)>| {
        let methodist = &methodist;
        let app = &app;
        async move { methodist.post_form(app, "/targets", &fields).await }
    };
    for (fields, expected) in [
        (
            vec![
                ("indicator", "route_completion"),
                ("threshold", "150"),
                ("scope", "region"),
            ],
            "Целевое значение: «150»",
        ),
        (
            vec![
                ("indicator", "training_coverage"),
                ("threshold", "50"),
                ("scope", "municipality"),
                ("code", "m9"),
            ],
            "Код: муниципалитет с кодом «m9» не найден",
        ),
        (
            vec![
                ("indicator", "training_coverage"),
                ("threshold", "50"),
                ("scope", "school"),
                ("code", "s9"),
            ],
            "Код: школа (ОО) с кодом «s9» не найдена",
        ),
        (
            vec![
                ("indicator", "training_coverage"),
                ("threshold", "50"),
                ("scope", "region"),
                ("due_on", "31.02.2026"),
            ],
            "Срок: «31.02.2026»",
        ),
    ] {
        let r = set(fields).await;
        assert_eq!(r.status(), 422);
        let body = text(r).await;
        assert!(body.contains(expected), "{expected}: {body}");
        assert!(body.contains("aria-invalid=\"true\""));
    }
    assert!(app.store.targets().await.unwrap().is_empty());
    let deputy = Browser::signed_in(&app, "deputy1").await;
    let r = deputy
        .post_form(
            &app,
            "/targets",
            &[("indicator", "growth"), ("threshold", "10")],
        )
        .await;
    assert_eq!(r.status(), 403);

    // Set: the region's target and a municipality's own.
    let r = set(vec![
        ("indicator", "route_completion"),
        ("threshold", "80"),
        ("scope", "region"),
        ("due_on", "2026-06-30"),
    ])
    .await;
    assert_eq!(r.status(), 303);
    let r = set(vec![
        ("indicator", "training_coverage"),
        ("threshold", "66,7"),
        ("scope", "municipality"),
        ("code", "m1"),
    ])
    .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = text(methodist.get(&app, &location).await).await;
    assert!(page.contains("сохранено"), "{page}");
    assert!(
        page.contains("Муниципалитет: Ярцевский район (m1)"),
        "{page}"
    );
    assert!(page.contains("66,7 %"));
    assert!(page.contains("30.06.2026"));

    assert_eq!(
        reported(&app, "route_completion", &[])["target"].as_f64(),
        Some(80.0),
        "the stored region target replaces the default"
    );
    assert_eq!(
        reported(&app, "training_coverage", &["--municipality", "m1"])["target"].as_f64(),
        Some(66.7)
    );
    assert_eq!(
        reported(&app, "training_coverage", &["--school", "s1"])["target"].as_f64(),
        Some(66.7),
        "a school takes its municipality's target"
    );
    assert_eq!(
        reported(&app, "training_coverage", &["--municipality", "m2"])["target"].as_f64(),
        Some(100.0),
        "another municipality keeps the region's"
    );

    // Staff read the targets, without the forms.
    let page = text(deputy.get(&app, "/targets").await).await;
    assert!(page.contains("66,7 %"), "{page}");
    assert!(!page.contains("action=\"/targets\""));
    assert!(!page.contains("/remove\""));
    let teacher = Browser::signed_in(&app, "teacher1").await;
    assert_eq!(teacher.get(&app, "/targets").await.status(), 403);

    // Removing the region's target brings the default back.
    let stored = app.store.targets().await.unwrap();
    let region = stored
        .iter()
        .find(|r| r.target.at == Where::Region)
        .unwrap();
    let path = format!("/targets/{}/remove", region.id);
    assert_eq!(deputy.post_form(&app, &path, &[]).await.status(), 403);
    let r = methodist.post_form(&app, &path, &[]).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = text(methodist.get(&app, &location).await).await;
    assert!(
        page.contains("Действует значение по умолчанию из дорожной карты: 75 %"),
        "{page}"
    );
    assert_eq!(
        reported(&app, "route_completion", &[])["target"].as_f64(),
        Some(75.0)
    );
    assert_eq!(app.store.targets().await.unwrap().len(), 1);
    assert_eq!(methodist.post_form(&app, &path, &[]).await.status(), 404);
    let audit = app
        .store
        .audit_log(&domain::RegionAuthority::command_line(), 1)
        .await
        .unwrap();
    assert_eq!(audit[0].action, "target remove");
    app.stop().await;
}

fn caller(login: &str, roles: &[Role], municipality: Option<&str>) -> Caller {
    Caller {
        login: crate::helpers::login(login),
        full_name: login.into(),
        roles: roles.iter().copied().collect(),
        school: None,
        municipality: municipality.map(muni_code),
    }
}

async fn custom_indicators_take_values_within_the_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let today = marshrut::Config::new("").today();
    let today_text = today.format("%Y-%m-%d").to_string();
    let methodist = Browser::signed_in(&app, "cnppm1").await;
    let r = methodist
        .post_form(
            &app,
            "/custom-indicators",
            &[
                ("code", "school_500"),
                (
                    "title",
                    "ОО с критическими значениями подключены к проекту «500+»",
                ),
                (
                    "description",
                    "Из ОО с критическими значениями по результатам мониторингов — \
                     доля подключённых к методической помощи проекта «500+»",
                ),
                ("threshold", "75"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let defined = app.store.custom_indicators().await.unwrap();
    assert_eq!(defined.len(), 1);
    let id = defined[0].id;
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&format!("/custom-indicators/{id}?"))
    );
    for (code, expected) in [("500", "Код: код «500»"), ("school_500", "уже есть")] {
        let r = methodist
            .post_form(
                &app,
                "/custom-indicators",
                &[("code", code), ("title", "Ещё один")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let body = text(r).await;
        assert!(body.contains(expected), "{expected}: {body}");
    }
    let coordinator = Browser::signed_in(&app, "coord1").await;
    assert_eq!(
        coordinator
            .post_form(
                &app,
                "/custom-indicators",
                &[("code", "mine"), ("title", "Мой")]
            )
            .await
            .status(),
        403
    );

    // The coordinator enters its municipality's figure with evidence.
    let values = format!("/custom-indicators/{id}/values");
    let entry = |m: &'static str, n: &'static str, d: &'static str, e: &'static str| Entry {
        path: values.clone(),
        fields: [
            ("municipality", m),
            ("as_of", today_text.as_str()),
            ("numerator", n),
            ("denominator", d),
            ("evidence", e),
        ]
        .map(|(k, v)| (k, v.to_string())),
    };
    let r = entry("m1", "3", "4", "Приказ ОМСУ № 15")
        .by(&app, &coordinator)
        .await;
    assert_eq!(r.status(), 303);
    // Another municipality, or the region: as if there were no such thing.
    assert_eq!(
        entry("m2", "1", "2", "Справка")
            .by(&app, &coordinator)
            .await
            .status(),
        404
    );
    assert_eq!(
        entry("", "1", "2", "Справка")
            .by(&app, &coordinator)
            .await
            .status(),
        404
    );
    // Without evidence: the form again, in Russian.
    let r = entry("m1", "1", "2", " ").by(&app, &coordinator).await;
    assert_eq!(r.status(), 422);
    let body = text(r).await;
    assert!(
        body.contains("Подтверждение: укажите, чем подтверждается значение"),
        "{body}"
    );
    let r = entry("m1", "5", "4", "Справка")
        .by(&app, &coordinator)
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        text(r)
            .await
            .contains("Числитель: 5 больше знаменателя (4)")
    );
    let tomorrow = (today + Days::new(1)).format("%Y-%m-%d").to_string();
    let r = coordinator
        .post_form(
            &app,
            &values,
            &[
                ("municipality", "m1"),
                ("as_of", &tomorrow),
                ("numerator", "1"),
                ("denominator", "2"),
                ("evidence", "Справка"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("Дата: "));
    let deputy = Browser::signed_in(&app, "deputy1").await;
    assert_eq!(
        entry("m1", "1", "2", "Справка")
            .by(&app, &deputy)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.store
            .custom_values(&Scope::region(), id)
            .await
            .unwrap()
            .len(),
        1,
        "refused entries write nothing"
    );

    // The region sums what the municipalities entered.
    let page = text(
        methodist
            .get(&app, &format!("/custom-indicators/{id}"))
            .await,
    )
    .await;
    assert!(page.contains("3 из 4 (75,0 %)"), "{page}");
    assert!(page.contains("сумма по 1 муниципалитету из 2"), "{page}");
    let r = entry("m2", "1", "2", "Письмо управления образования № 7")
        .by(&app, &methodist)
        .await;
    assert_eq!(r.status(), 303);
    let page = text(
        methodist
            .get(&app, &format!("/custom-indicators/{id}"))
            .await,
    )
    .await;
    assert!(page.contains("4 из 6 (66,7 %)"), "{page}");
    assert!(page.contains("сумма по 2 муниципалитетам из 2"), "{page}");
    assert!(page.contains("не достигнуто"));
    assert!(
        page.contains("Волкова Елена Николаевна"),
        "who entered: {page}"
    );
    let list = text(methodist.get(&app, "/custom-indicators").await).await;
    assert!(list.contains("4 из 6 (66,7 %)"), "{list}");

    let region = marshrut::custom_indicators::custom_lines(
        app.store.as_ref(),
        &Scope::region(),
        &Where::Region,
    )
    .await
    .unwrap();
    assert_eq!(region.len(), 1);
    assert_eq!(
        (
            region[0].share.numerator,
            region[0].share.denominator,
            region[0].summed,
            region[0].met()
        ),
        (4, 6, Some((2, 2)), Some(false))
    );
    let coord = caller("coord1", &[Role::MunicipalCoordinator], Some("m1"));
    let m1 = marshrut::custom_indicators::custom_lines(
        app.store.as_ref(),
        &coord.scope(),
        &Where::Municipality(muni_code("m1")),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            m1[0].share.numerator,
            m1[0].met(),
            m1[0].evidence.as_deref()
        ),
        (3, Some(true), Some("Приказ ОМСУ № 15"))
    );
    assert!(
        marshrut::custom_indicators::custom_lines(
            app.store.as_ref(),
            &coord.scope(),
            &Where::Municipality(muni_code("m2")),
        )
        .await
        .is_err(),
        "another municipality is out of the coordinator's scope"
    );

    // The coordinator sees its municipality's history, not another's.
    let page = text(
        coordinator
            .get(&app, &format!("/custom-indicators/{id}"))
            .await,
    )
    .await;
    assert!(page.contains("Приказ ОМСУ № 15"), "{page}");
    assert!(
        !page.contains("Письмо управления образования № 7"),
        "{page}"
    );
    assert!(page.contains("сумма по 2 муниципалитетам из 2"));

    // The region's own entry is its figure.
    let r = entry("", "5", "6", "Мониторинг СОИРО")
        .by(&app, &methodist)
        .await;
    assert_eq!(r.status(), 303);
    let region = marshrut::custom_indicators::custom_lines(
        app.store.as_ref(),
        &Scope::region(),
        &Where::Region,
    )
    .await
    .unwrap();
    assert_eq!(
        (region[0].share.numerator, region[0].summed, region[0].met()),
        (5, None, Some(true))
    );

    // Deactivated: no more values, off the dashboards.
    let r = methodist
        .post_form(
            &app,
            &format!("/custom-indicators/{id}"),
            &[("title", "«500+»"), ("threshold", "75")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        !app.store
            .custom_indicator(id)
            .await
            .unwrap()
            .unwrap()
            .active
    );
    let r = entry("m1", "4", "4", "Приказ ОМСУ № 20")
        .by(&app, &coordinator)
        .await;
    assert_eq!(r.status(), 422);
    assert!(text(r).await.contains("не действует"));
    assert!(
        marshrut::custom_indicators::custom_lines(
            app.store.as_ref(),
            &Scope::region(),
            &Where::Region
        )
        .await
        .unwrap()
        .is_empty()
    );
    app.stop().await;
}

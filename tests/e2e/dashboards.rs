//! The indicators' dashboards: who sees which scope (the rest answers 404),
//! the drill-down region → municipality → school, the lists of who holds a
//! target back, the daily snapshots behind the trend, the downloads (XLSX,
//! CSV, the analytical report as DOCX and PDF) and `GET /api/v1/indicators`.

use chrono::Days;
use domain::RegionAuthority;
use reqwest::StatusCode;
use serde_json::Value;
use store::NewAssignment;

use crate::helpers::{Backend, Browser, TestApp, client, login, prepare_matching};

on_both_databases!(dashboards_drill_down_within_each_callers_scope);

fn indicator<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == name)
        .unwrap_or_else(|| panic!("{name} in {report}"))
}

async fn page(b: &Browser, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = b.get(app, path).await;
    (r.status(), r.text().await.unwrap())
}

async fn dashboards_drill_down_within_each_callers_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Every teacher is young (methodist_coverage counts them all); one of
    // the four has a regional methodist.
    prepare_matching(&app).await;
    app.store
        .assign_methodists(
            &RegionAuthority::command_line(),
            vec![NewAssignment {
                teacher: login("teacher1"),
                methodist: login("mentor1"),
                reasons: vec!["тест".into()],
            }],
            true,
            "тест",
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
    // A snapshot a week ago and today's: the trend has two points.
    let tz = chrono_tz::Europe::Moscow;
    let today = marshrut::Config::new("").today();
    let store = app.store.as_ref();
    assert!(
        marshrut::dashboard::take_snapshot(store, today - Days::new(7), tz)
            .await
            .unwrap()
            > 0
    );
    marshrut::dashboard::take_snapshot(store, today, tz)
        .await
        .unwrap();
    // Taking a day twice writes nothing the second time.
    assert_eq!(
        marshrut::dashboard::take_snapshot(store, today, tz)
            .await
            .unwrap(),
        0
    );

    // The region: every municipality, drill-down links, the trend.
    let cnppm = Browser::signed_in(&app, "cnppm1").await;
    let (status, region) = page(&cnppm, &app, "/indicators").await;
    assert_eq!(status, StatusCode::OK, "{region}");
    assert!(region.contains("Показатели: регион"), "{region}");
    assert!(region.contains("href=\"/indicators/municipalities/m1\""));
    assert!(region.contains("href=\"/indicators/municipalities/m2\""));
    assert!(region.contains("1 из 4 педагогов"), "{region}");
    assert!(region.contains("<polyline"), "the trend is drawn: {region}");
    assert!(region.contains("цель ≥ 50 %"), "the seeds' default target");
    assert!(
        region.contains("id=\"behind-methodist_coverage\""),
        "the municipalities that miss it are listed: {region}"
    );

    // The API gives the same figures, scoped.
    let token = app.token("cnppm1").await;
    let api: Value = client()
        .get(app.url("/api/v1/indicators"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = indicator(&api, "methodist_coverage");
    assert_eq!(
        (m["numerator"].as_u64(), m["denominator"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(m["percent"].as_f64(), Some(25.0));
    assert_eq!(m["met"], false);
    assert_eq!(api["scope"]["level"], "region");
    let bad = client()
        .get(app.url("/api/v1/indicators?from=2025-09-01"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["field"], "to", "{bad}");

    // The coordinator: the region's aggregates, but only m1 opens.
    let coord = Browser::signed_in(&app, "coord1").await;
    let (status, region) = page(&coord, &app, "/indicators").await;
    assert_eq!(status, StatusCode::OK);
    assert!(region.contains("href=\"/indicators/municipalities/m1\""));
    assert!(!region.contains("href=\"/indicators/municipalities/m2\""));
    let (status, m1) = page(&coord, &app, "/indicators/municipalities/m1").await;
    assert_eq!(status, StatusCode::OK, "{m1}");
    assert!(m1.contains("Показатели: Ярцевский район"));
    assert!(m1.contains("href=\"/indicators/schools/s1\""), "{m1}");
    assert!(m1.contains("/indicators/spravka.pdf?municipality=m1"));
    let (status, _) = page(&coord, &app, "/indicators/municipalities/m2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&coord, &app, "/indicators/schools/s3").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, s1) = page(&coord, &app, "/indicators/schools/s1").await;
    assert_eq!(status, StatusCode::OK);
    // The list to act on names the teachers without a methodist.
    assert!(s1.contains("Кузнецова Ольга Викторовна"), "{s1}");
    assert!(s1.contains("не закреплён региональный методист"));
    let coord_api: Value = client()
        .get(app.url("/api/v1/indicators?municipality=m2"))
        .bearer_auth(app.token("coord1").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(coord_api["error"]["code"].is_string(), "{coord_api}");

    // Downloads: the report and the analytical report.
    let xlsx = coord
        .get(&app, "/indicators/report.xlsx?municipality=m1")
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let pdf = coord
        .get(&app, "/indicators/spravka.pdf?municipality=m1")
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let docx = coord
        .get(&app, "/indicators/spravka.docx?municipality=m1")
        .await;
    assert_eq!(docx.status(), StatusCode::OK);
    assert!(docx.bytes().await.unwrap().starts_with(b"PK"));
    let (status, _) = page(&coord, &app, "/indicators/spravka.pdf?school=s1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no справка for a school");
    let (status, _) = page(&coord, &app, "/indicators/report.xlsx?municipality=m2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The deputy head: the own school only, also on the school page.
    let deputy = Browser::signed_in(&app, "deputy1").await;
    let r = deputy.get(&app, "/indicators").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/indicators/schools/s1");
    let (status, _) = page(&deputy, &app, "/indicators/schools/s2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&deputy, &app, "/indicators/municipalities/m1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, school) = page(&deputy, &app, "/school").await;
    assert!(school.contains("id=\"indicators-title\""), "{school}");
    assert!(school.contains("href=\"/indicators/schools/s1\""));
    // A period with its end before its start: the page says what to fix.
    let (status, odd) = page(
        &deputy,
        &app,
        "/indicators/schools/s1?from=2026-05-01&to=2026-04-01",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(odd.contains("Начало периода позже его конца"), "{odd}");

    // A teacher reads no dashboard.
    let teacher = Browser::signed_in(&app, "teacher1").await;
    let (status, _) = page(&teacher, &app, "/indicators").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

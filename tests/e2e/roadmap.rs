//! The roadmap in the browser: staff read it with each item's status and
//! overdue items standing out; a ЦНППМ methodist marks an item done with
//! what confirms it; the report downloads as XLSX and CSV.

use chrono::{Datelike, Days, NaiveDate};
use domain::{Period, RegionAuthority};
use store::{NewRoadmapItem, RoadmapPoint};

use crate::helpers::{Backend, Browser, TestApp};

on_both_databases!(the_roadmap_is_read_marked_and_downloaded);

fn item(number: &str, title: &str, from: NaiveDate, to: NaiveDate) -> NewRoadmapItem {
    NewRoadmapItem {
        number: number.into(),
        direction: Some("Организационно-управленческое направление".into()),
        title: title.into(),
        audience: None,
        description: None,
        due_text: format!("{} – {}", from.format("%d.%m.%Y"), to.format("%d.%m.%Y")),
        control_points: vec![RoadmapPoint {
            from: Some(from),
            to,
        }],
        recurrence: None,
        unreadable: false,
        responsible: Some("ЦНППМ".into()),
        level: None,
        form: None,
    }
}

async fn the_roadmap_is_read_marked_and_downloaded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let today = marshrut::Config::new("").today();
    let start = NaiveDate::from_ymd_opt(
        if today.month() >= 9 {
            today.year()
        } else {
            today.year() - 1
        },
        9,
        1,
    )
    .unwrap();
    let period = Period {
        from: start,
        to: NaiveDate::from_ymd_opt(start.year() + 1, 8, 31).unwrap(),
    };
    let past = today - Days::new(40);
    let items = vec![
        item("1.1", "Мониторинг результатов", past, today - Days::new(10)),
        item(
            "1.2",
            "Семинар для руководителей",
            past,
            today + Days::new(10),
        ),
        item(
            "1.3",
            "Итоговая конференция",
            today + Days::new(20),
            today + Days::new(30),
        ),
    ];
    app.store
        .apply_roadmap(
            &RegionAuthority::command_line(),
            period,
            items,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();

    let deputy = Browser::signed_in(&app, "deputy1").await;
    let page = deputy.get(&app, "/roadmap").await.text().await.unwrap();
    assert!(page.contains("Мониторинг результатов"), "{page}");
    assert!(
        page.contains("roadmap-item--late"),
        "the overdue item stands out: {page}"
    );
    assert!(
        !page.contains("/done\""),
        "a deputy head does not mark items"
    );
    let teacher = Browser::signed_in(&app, "teacher1").await;
    assert_eq!(teacher.get(&app, "/roadmap").await.status(), 403);

    let methodist = Browser::signed_in(&app, "cnppm1").await;
    let rows = app.store.roadmap(today).await.unwrap();
    let late = rows.iter().find(|r| r.number == "1.1").unwrap();
    let path = format!("/roadmap/{}/done", late.id);
    let r = methodist.post_form(&app, &path, &[("evidence", " ")]).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("опишите, чем подтверждается")
    );
    let r = methodist
        .post_form(
            &app,
            &path,
            &[
                ("evidence", "Аналитическая справка, приказ № 12"),
                ("back", "/roadmap?"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = methodist
        .get(&app, "/roadmap?status=done")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Аналитическая справка, приказ № 12"),
        "{page}"
    );
    assert!(page.contains("Морозова Татьяна Александровна"), "{page}");
    assert!(
        !page.contains("Итоговая конференция"),
        "the filter shows done items only"
    );

    let x = methodist.get(&app, "/roadmap.xlsx").await;
    assert_eq!(x.status(), 200);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    let csv = methodist
        .get(&app, "/roadmap.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Мониторинг результатов;ЦНППМ"), "{csv}");
    assert!(csv.contains(";выполнено;Аналитическая справка"), "{csv}");
    app.stop().await;
}

//! A route's life through the pages, as people without JavaScript use them:
//! the ЦНППМ methodist proposes drafts, edits one and approves it; the
//! teacher marks steps done with evidence; the deputy head returns one with
//! a comment and confirms them; the route reads as completed.

use chrono::Days;
use domain::routes::Step;
use domain::{
    ActivityKind, CompetenceRef, CourseCode, Entry, Format, Level, RegionAuthority, Scope,
};
use store::{
    DiagnosticCompetence, DiagnosticSource, NewDiagnostic, RouteRow, RouteStatus, StepStatus,
};

use crate::helpers::{Backend, Browser, TestApp, client, login};

on_both_databases!(
    a_route_is_proposed_edited_approved_and_completed,
    settings_change_the_next_drafts,
    the_catalogue_is_browsed_and_edited,
);

fn entry(code: &str, kind: ActivityKind, hours: u32, competence: &str) -> Entry {
    Entry {
        code: CourseCode::parse(code).unwrap(),
        title: format!("Мероприятие {code}"),
        kind,
        hours,
        competences: vec![CompetenceRef::parse(competence).unwrap()],
        provider: Some("ЦНППМ".into()),
        format: Format::Remote,
        subjects: vec![],
        municipality: None,
        starts_on: None,
        ends_on: None,
        capacity: Some(10),
        url: None,
        active: true,
    }
}

async fn route_of(app: &TestApp, l: &str) -> RouteRow {
    app.store
        .routes_of(&Scope::region(), &login(l))
        .await
        .unwrap()
        .remove(0)
}

/// Posts a form with a file as a browser does (`multipart/form-data`), the
/// CSRF field first as the pages put it.
async fn post_file(
    b: &Browser,
    app: &TestApp,
    path: &str,
    text: &str,
    file: (&str, &[u8]),
) -> reqwest::Response {
    let boundary = "----marshrut-test-boundary";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in [("csrf", b.csrf.as_str()), ("text", text)] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client()
        .post(app.url(path))
        .header(
            "cookie",
            format!(
                "marshrut_session={}; marshrut_csrf={}",
                b.session.as_deref().unwrap_or_default(),
                b.csrf
            ),
        )
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

async fn a_route_is_proposed_edited_approved_and_completed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let campaign = app.open_campaign("pedagogy-core").await.to_string();
    let today = marshrut::Config::new("").today();
    let now = chrono::Utc::now().timestamp_millis();
    let competence = |code: &str, level| DiagnosticCompetence {
        competence: format!("pedagogy-core:{code}"),
        percent: Some("30.00".into()),
        level,
    };
    app.store
        .import_diagnostics(
            &RegionAuthority::command_line(),
            vec![NewDiagnostic {
                login: login("teacher1"),
                bank_id: "pedagogy-core".into(),
                bank_version_id: None,
                taken_on: today - Days::new(10),
                source: DiagnosticSource::Import,
                overall_percent: "35.00".into(),
                overall_level: Level::Critical,
                competences: vec![
                    competence("K1", Level::Critical),
                    competence("K2", Level::High),
                    competence("K3", Level::None),
                ],
                profile_json: "{}".into(),
            }],
            now,
        )
        .await
        .unwrap();
    app.store
        .apply_catalogue(
            &RegionAuthority::command_line(),
            vec![
                entry("pk-1", ActivityKind::Course, 36, "pedagogy-core:K1"),
                entry("web-2", ActivityKind::Webinar, 2, "pedagogy-core:K2"),
            ],
            now,
        )
        .await
        .unwrap();

    // The methodist proposes drafts: for another school, nobody; an unknown
    // school is named back; then for everyone.
    let methodist = Browser::signed_in(&app, "cnppm1").await;
    let r = methodist
        .post_form(&app, "/routes/generate", &[("school", "s2")])
        .await;
    let list = methodist
        .get(&app, &location(&r))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Черновиков сформировано: 0"), "{list}");
    // teacher1's diagnostic was imported, not taken in the campaign.
    let r = methodist
        .post_form(&app, "/routes/generate", &[("campaign", &campaign)])
        .await;
    let list = methodist
        .get(&app, &location(&r))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Черновиков сформировано: 0"), "{list}");
    let r = methodist
        .post_form(&app, "/routes/generate", &[("school", "s99")])
        .await;
    let list = methodist
        .get(&app, &location(&r))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("ОО с кодом «s99» нет"), "{list}");
    let r = methodist.post_form(&app, "/routes/generate", &[]).await;
    assert_eq!(r.status(), 303);
    let list = methodist
        .get(&app, &location(&r))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Черновиков сформировано: 1"), "{list}");
    assert!(list.contains("Иванова Анна Петровна"), "{list}");
    let route = route_of(&app, "teacher1").await;
    assert_eq!(route.status, RouteStatus::Draft);
    let kinds: Vec<ActivityKind> = route.steps.iter().map(|s| s.step.kind).collect();
    assert_eq!(
        kinds,
        [
            ActivityKind::Mentoring,
            ActivityKind::Course,
            ActivityKind::Webinar
        ]
    );
    let page = format!("/routes/{}", route.id);

    // A draft is the methodist's: the teacher does not see it yet.
    let teacher = Browser::signed_in(&app, "teacher1").await;
    assert_eq!(teacher.get(&app, &page).await.status(), 404);
    let mine = teacher.get(&app, "/my-route").await.text().await.unwrap();
    assert!(mine.contains("ещё не утверждён"), "{mine}");

    // The methodist sees it beside the profile, adds an open lesson, moves
    // it up, and cannot date it outside the period.
    let html = methodist.get(&app, &page).await.text().await.unwrap();
    assert!(html.contains("Профиль дефицитов") && html.contains("Утвердить маршрут"));
    let r = methodist
        .post_form(
            &app,
            &format!("{page}/steps"),
            &[
                ("kind", "master_class"),
                ("title", "Открытый урок «Проектирование урока по ФОП»"),
                ("competence", "pedagogy-core:K1"),
                ("hours", "2"),
                ("mandatory", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = methodist
        .post_form(
            &app,
            &format!("{page}/steps/3/move"),
            &[("direction", "up")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let late = (today + Days::new(3000)).format("%Y-%m-%d").to_string();
    let r = methodist
        .post_form(
            &app,
            &format!("{page}/steps/1/dates"),
            &[("starts_on", &late)],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("вне периода маршрута"));
    let edited = route_of(&app, "teacher1").await;
    assert!(edited.edited);
    let titles: Vec<&str> = edited.steps.iter().map(|s| s.step.title.as_str()).collect();
    assert_eq!(titles[2], "Открытый урок «Проектирование урока по ФОП»");
    assert_eq!(edited.steps.len(), 4);

    // Regeneration keeps the edited draft.
    methodist.post_form(&app, "/routes/generate", &[]).await;
    assert_eq!(route_of(&app, "teacher1").await.steps, edited.steps);

    let r = methodist
        .post_form(&app, &format!("{page}/approve"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        route_of(&app, "teacher1").await.status,
        RouteStatus::Approved
    );

    // The teacher sees it at once and marks steps done.
    let r = teacher.get(&app, "/my-route").await;
    assert_eq!(location(&r), page);
    let html = teacher.get(&app, &page).await.text().await.unwrap();
    assert!(html.contains("Отметить выполнение"), "{html}");
    let r = teacher
        .post_form(
            &app,
            &format!("{page}/steps/1/submit"),
            &[("text", ""), ("url", "")],
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = teacher
        .post_form(
            &app,
            &format!("{page}/steps/1/submit"),
            &[
                ("text", "Прошла курс, получила удостоверение"),
                ("url", "https://example.org/cert/1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // Another school's teacher cannot see it; the deputy head of the school
    // names a colleague as the mentor (not someone from another school),
    // returns the step (a comment is required), then confirms it.
    let stranger = Browser::signed_in(&app, "teacher3").await;
    assert_eq!(stranger.get(&app, &page).await.status(), 404);
    let deputy = Browser::signed_in(&app, "deputy1").await;
    let mentor = format!("{page}/steps/0/mentor");
    let r = deputy
        .post_form(&app, &mentor, &[("mentor", "teacher3")])
        .await;
    assert_eq!(r.status(), 409);
    let r = deputy
        .post_form(&app, &mentor, &[("mentor", "deputy1")])
        .await;
    assert_eq!(r.status(), 303);
    let named = route_of(&app, "teacher1").await;
    assert_eq!(named.steps[0].step.mentor, Some(login("deputy1")));
    assert_eq!(
        named.steps[0].step.mentor_name.as_deref(),
        Some("Кузнецова Ольга Викторовна")
    );
    let html = deputy.get(&app, &page).await.text().await.unwrap();
    assert!(html.contains("https://example.org/cert/1") && html.contains("Подтвердить"));
    let review = format!("{page}/steps/1/review");
    let r = deputy
        .post_form(&app, &review, &[("decision", "return"), ("comment", " ")])
        .await;
    assert_eq!(r.status(), 409);
    let r = deputy
        .post_form(
            &app,
            &review,
            &[
                ("decision", "return"),
                ("comment", "Приложите номер удостоверения"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = teacher.get(&app, &page).await.text().await.unwrap();
    assert!(html.contains("Приложите номер удостоверения"));
    // A file that is not a document is refused; a PDF is kept as given.
    let submit = format!("{page}/steps/1/submit");
    let r = post_file(&teacher, &app, &submit, "", ("virus.exe", b"MZ\x90\x00")).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Такой файл не принимается")
    );
    let pdf: &[u8] = b"%PDF-1.4\n% certificate 672400012345\n%%EOF\n";
    let r = post_file(
        &teacher,
        &app,
        &submit,
        "Удостоверение № 672400012345",
        ("удостоверение.pdf", pdf),
    )
    .await;
    assert_eq!(r.status(), 303);
    let evidence = app
        .store
        .step_evidence(&Scope::region(), route.id, 1)
        .await
        .unwrap();
    assert_eq!(evidence.len(), 2, "a resubmission keeps the first evidence");
    let file = format!("{page}/steps/1/evidence/{}", evidence[1].id);
    let r = deputy.get(&app, &file).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(&r.bytes().await.unwrap()[..], pdf);
    assert_eq!(stranger.get(&app, &file).await.status(), 404);

    // Every mandatory step confirmed: the route is completed.
    let approved = route_of(&app, "teacher1").await;
    for (i, s) in approved.steps.iter().enumerate() {
        if !s.step.mandatory {
            continue;
        }
        if s.status != StepStatus::Submitted {
            let r = teacher
                .post_form(
                    &app,
                    &format!("{page}/steps/{i}/submit"),
                    &[("text", "Выполнено")],
                )
                .await;
            assert_eq!(r.status(), 303, "step {i}");
        }
        let r = deputy
            .post_form(
                &app,
                &format!("{page}/steps/{i}/review"),
                &[("decision", "confirm")],
            )
            .await;
        assert_eq!(r.status(), 303, "step {i}");
    }
    let done = route_of(&app, "teacher1").await;
    assert_eq!(done.status, RouteStatus::Completed);
    let school = deputy.get(&app, "/school").await.text().await.unwrap();
    assert!(
        school.contains(&format!("href=\"/routes/{}\"", route.id))
            && school.contains("выполнено обязательных"),
        "the deputy head's school page shows each teacher's route"
    );
    let list = deputy.get(&app, "/routes").await.text().await.unwrap();
    assert!(
        list.contains("выполнен") && list.contains("Иванова Анна Петровна"),
        "{list}"
    );

    // The ИОМ downloads as DOCX and PDF; not for another school's teacher.
    for (ext, magic, kind) in [
        ("docx", &b"PK"[..], "wordprocessingml"),
        ("pdf", &b"%PDF"[..], "application/pdf"),
    ] {
        let r = deputy.get(&app, &format!("{page}/iom.{ext}")).await;
        assert_eq!(r.status(), 200, "{ext}");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(content_type.contains(kind), "{content_type}");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(magic), "{ext}");
        assert_eq!(
            stranger
                .get(&app, &format!("{page}/iom.{ext}"))
                .await
                .status(),
            404
        );
    }

    // The API shows the same route to the teacher.
    let token = app.token("teacher1").await;
    let api: serde_json::Value = client()
        .get(app.url("/api/v1/teachers/teacher1/routes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["routes"][0]["status"], "completed");
    let steps: Vec<Step> = done.steps.iter().map(|s| s.step.clone()).collect();
    assert_eq!(
        api["routes"][0]["steps"].as_array().unwrap().len(),
        steps.len()
    );
    app.stop().await;
}

/// The methodist changes the policy on the settings page; the next drafts
/// follow it, and the level names show as the region words them.
async fn settings_change_the_next_drafts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.open_campaign("pedagogy-core").await;
    let methodist = Browser::signed_in(&app, "cnppm1").await;
    let page = methodist.get(&app, "/settings").await.text().await.unwrap();
    assert!(
        page.contains("value=\"144\""),
        "the default budget is shown"
    );
    let fields = [
        ("budget_hours", "40"),
        ("critical_course_hours", "36"),
        ("period_start", "01-10"),
        ("period_end", "05-31"),
        ("route_levels", "critical"),
        ("route_levels", "high"),
        ("mandatory_levels", "critical"),
        ("mandatory_levels", "high"),
        ("critical_mentoring", "true"),
        ("fit_subjects", "true"),
        ("name_critical", "критический"),
        ("name_high", "значительный"),
        ("name_reduced", "умеренный"),
        ("name_none", "нет"),
        ("priority_critical", "1"),
        ("priority_young_or_new", "2"),
        ("priority_high", "3"),
        ("priority_reduced", ""),
        ("young_under_years", "3"),
        ("newly_hired_days", "365"),
        ("prefer_subject", "true"),
        ("mentor_capacity", "3"),
    ];
    let bad = methodist
        .post_form(&app, "/settings", &[("budget_hours", "сто")])
        .await;
    assert_eq!(bad.status(), 422);
    let r = methodist.post_form(&app, "/settings", &fields).await;
    assert_eq!(r.status(), 303);
    let policy = marshrut::iom::policy(app.store.as_ref()).await.unwrap();
    assert_eq!(policy.budget_hours, 40);
    assert!(!policy.recommend_reduced);
    assert!(policy.fit_subjects && !policy.fit_place && !policy.prefer_remote_rural);
    assert_eq!(
        policy.period_start,
        domain::MonthDay::parse("01-10").unwrap()
    );
    let matching = marshrut::matching::policy(app.store.as_ref())
        .await
        .unwrap();
    assert_eq!(
        matching.methodist_priority.len(),
        3,
        "reduced needs none now"
    );
    assert_eq!(matching.mentor_capacity, 3);
    assert!(matching.prefer_subject && !matching.prefer_municipality);

    let today = marshrut::Config::new("").today();
    let now = chrono::Utc::now().timestamp_millis();
    app.store
        .import_diagnostics(
            &RegionAuthority::command_line(),
            vec![NewDiagnostic {
                login: login("teacher1"),
                bank_id: "pedagogy-core".into(),
                bank_version_id: None,
                taken_on: today - Days::new(3),
                source: DiagnosticSource::Import,
                overall_percent: "55.00".into(),
                overall_level: Level::High,
                competences: vec![
                    DiagnosticCompetence {
                        competence: "pedagogy-core:K1".into(),
                        percent: Some("45.00".into()),
                        level: Level::High,
                    },
                    DiagnosticCompetence {
                        competence: "pedagogy-core:K2".into(),
                        percent: Some("50.00".into()),
                        level: Level::High,
                    },
                ],
                profile_json: "{}".into(),
            }],
            now,
        )
        .await
        .unwrap();
    app.store
        .apply_catalogue(
            &RegionAuthority::command_line(),
            vec![
                entry("pk-1", ActivityKind::Course, 36, "pedagogy-core:K1"),
                entry("pk-2", ActivityKind::Course, 36, "pedagogy-core:K2"),
            ],
            now,
        )
        .await
        .unwrap();
    methodist.post_form(&app, "/routes/generate", &[]).await;
    let route = route_of(&app, "teacher1").await;
    let hours: u32 = route.steps.iter().map(|s| s.step.hours).sum();
    assert_eq!(hours, 36, "the 40-hour budget takes one course of two");
    assert_eq!(route.period.from.format("%m-%d").to_string(), "01-10");
    let html = methodist
        .get(&app, &format!("/routes/{}", route.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("значительный"), "the region's level name");
    assert!(html.contains("не помещаются в бюджет 40 ч"), "{html}");
    assert!(
        html.contains("Не покрыты обязательные дефициты"),
        "the methodist is warned before approving"
    );
    app.stop().await;
}

/// The methodist adds and edits catalogue entries on the page; everyone
/// who follows routes can browse and filter it, with the seats routes take.
async fn the_catalogue_is_browsed_and_edited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.open_campaign("pedagogy-core").await;
    let methodist = Browser::signed_in(&app, "cnppm1").await;
    let fields = [
        ("code", "pk-77"),
        ("title", "Формирующее оценивание на уроке"),
        ("kind", "course"),
        ("hours", "36"),
        ("competences", "pedagogy-core:K2"),
        ("competences", "pedagogy-core:K3"),
        ("format", "remote"),
        ("capacity", "20"),
        ("starts_on", "2027-02-01"),
        ("ends_on", "2027-02-20"),
        ("active", "true"),
    ];
    let mut bad = fields.to_vec();
    bad[3] = ("hours", "полтора");
    let r = methodist.post_form(&app, "/catalogue", &bad).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Часов: целое число"));
    assert!(app.store.catalogue().await.unwrap().is_empty());
    let r = methodist.post_form(&app, "/catalogue", &fields).await;
    assert_eq!(r.status(), 303);
    let again = methodist.post_form(&app, "/catalogue", &fields).await;
    assert_eq!(again.status(), 422, "a code is added once");

    let stored = app.store.catalogue().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].capacity, Some(20));
    assert_eq!(stored[0].competences.len(), 2);

    let mut changed = fields.to_vec();
    changed[7] = ("capacity", "");
    let r = methodist
        .post_form(&app, "/catalogue/pk-77", &changed)
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.store.catalogue().await.unwrap()[0].capacity, None);

    let deputy = Browser::signed_in(&app, "deputy1").await;
    let list = deputy
        .get(&app, "/catalogue?competence=pedagogy-core%3AK2&seats=left")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Формирующее оценивание на уроке"), "{list}");
    assert!(list.contains("не ограничено"));
    let none = deputy
        .get(&app, "/catalogue?competence=pedagogy-core%3AK1")
        .await
        .text()
        .await
        .unwrap();
    assert!(!none.contains("Формирующее оценивание на уроке"));
    assert_eq!(deputy.get(&app, "/catalogue/new").await.status(), 403);
    app.stop().await;
}

//! Matching through the pages, as a ЦНППМ methodist uses the board without
//! JavaScript: run, accept some, accept the rest, reassign one teacher by
//! hand past the board's warnings, end an assignment with a reason; the
//! mentor sees the mentee; mentor schools the same way. History is kept.

use domain::Scope;
use store::{AssignmentFilter, SchoolAssignmentFilter};

use crate::helpers::{Backend, Browser, TestApp, login, prepare_matching, school_code};

on_both_databases!(
    the_board_assigns_reassigns_and_ends,
    mentor_schools_are_matched_on_the_board,
);

async fn active_methodist(app: &TestApp, teacher: &str) -> Option<String> {
    app.store
        .methodist_assignments(
            &Scope::region(),
            &AssignmentFilter {
                active_only: true,
                teacher: Some(login(teacher)),
                methodist: None,
            },
        )
        .await
        .unwrap()
        .first()
        .map(|r| r.methodist.to_string())
}

async fn the_board_assigns_reassigns_and_ends(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    prepare_matching(&app).await;
    let board = Browser::signed_in(&app, "cnppm1").await;

    let page = board
        .get(&app, "/matching/methodists")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Подбор ещё не запускался"), "{page}");

    let r = board.post_form(&app, "/matching/methodists/run", &[]).await;
    assert_eq!(r.status(), 303);
    let page = board
        .get(&app, "/matching/methodists")
        .await
        .text()
        .await
        .unwrap();
    // teacher1 (mathematics, m1) goes to mentor1 (mathematics, m1); the
    // reasons say why.
    assert!(page.contains("совпадает предмет: Математика"), "{page}");
    assert!(page.contains("тот же муниципалитет"), "{page}");
    assert!(page.contains("Иванова Анна Петровна"), "{page}");
    // A run records nothing.
    assert_eq!(active_methodist(&app, "teacher1").await, None);

    // Accept one row, then the rest.
    let r = board
        .post_form(&app, "/matching/methodists/accept", &[("pick", "teacher1")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        active_methodist(&app, "teacher1").await.as_deref(),
        Some("mentor1")
    );
    assert_eq!(active_methodist(&app, "teacher2").await, None);
    let r = board
        .post_form(&app, "/matching/methodists/accept", &[("all", "1")])
        .await;
    assert_eq!(r.status(), 303);
    assert!(active_methodist(&app, "teacher2").await.is_some());

    // The teacher sees who accompanies her.
    let teacher = Browser::signed_in(&app, "teacher1").await;
    let me = teacher.get(&app, "/me").await.text().await.unwrap();
    assert!(me.contains("Орлова Светлана Юрьевна"), "{me}");

    // The mentor sees the new mentee.
    let mentor = Browser::signed_in(&app, "mentor1").await;
    let mentees = mentor.get(&app, "/mentees").await.text().await.unwrap();
    assert!(mentees.contains("Иванова Анна Петровна"), "{mentees}");

    // Reassign teacher1 to the physics methodist of m2: the board warns
    // first (another subject, another municipality), then records it.
    let r = board
        .post_form(
            &app,
            "/matching/methodists/teacher1/assign",
            &[("target", "teacher3"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let warned = r.text().await.unwrap();
    assert!(warned.contains("Всё равно назначить"), "{warned}");
    assert!(warned.contains("предмет не совпадает"), "{warned}");
    assert_eq!(
        active_methodist(&app, "teacher1").await.as_deref(),
        Some("mentor1"),
        "nothing changes before the confirmation"
    );
    let r = board
        .post_form(
            &app,
            "/matching/methodists/teacher1/assign",
            &[
                ("target", "teacher3"),
                ("reason", "просьба педагога"),
                ("confirm", "teacher3"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        active_methodist(&app, "teacher1").await.as_deref(),
        Some("teacher3")
    );
    let new_mentor = Browser::signed_in(&app, "teacher3").await;
    let mentees = new_mentor.get(&app, "/mentees").await.text().await.unwrap();
    assert!(mentees.contains("Иванова Анна Петровна"), "{mentees}");
    let mentees = mentor.get(&app, "/mentees").await.text().await.unwrap();
    assert!(!mentees.contains("Иванова Анна Петровна"), "{mentees}");

    // Ending needs a reason.
    let r = board
        .post_form(
            &app,
            "/matching/methodists/teacher1/end",
            &[("reason", " ")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Укажите причину"));
    let r = board
        .post_form(
            &app,
            "/matching/methodists/teacher1/end",
            &[("reason", "педагог уволился")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(active_methodist(&app, "teacher1").await, None);

    // Nothing is overwritten: two assignments, both ended, with who and why.
    let history = app
        .store
        .methodist_assignments(
            &Scope::region(),
            &AssignmentFilter {
                active_only: false,
                teacher: Some(login("teacher1")),
                methodist: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history.iter().all(|h| h.ended_at.is_some()));
    assert!(
        history
            .iter()
            .all(|h| h.started_by.as_ref().map(|l| l.as_str()) == Some("cnppm1"))
    );
    let reasons: Vec<_> = history
        .iter()
        .filter_map(|h| h.end_reason.clone())
        .collect();
    assert!(
        reasons.contains(&"просьба педагога".to_string()),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"педагог уволился".to_string()),
        "{reasons:?}"
    );
    let page = board
        .get(&app, "/matching/methodists/teacher1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("педагог уволился"), "{page}");
    assert!(page.contains("Сейчас назначения нет"), "{page}");
    app.stop().await;
}

async fn mentor_schools_are_matched_on_the_board(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    prepare_matching(&app).await;
    let board = Browser::signed_in(&app, "cnppm1").await;
    let r = board.post_form(&app, "/matching/schools/run", &[]).await;
    assert_eq!(r.status(), 303);
    let page = board
        .get(&app, "/matching/schools")
        .await
        .text()
        .await
        .unwrap();
    // s3 has critical values (class 1), s1 a cluster flag (class 2); s2 is
    // the one mentor school with two places (the default).
    assert!(
        page.contains("приоритет 1: критические значения мониторинга"),
        "{page}"
    );
    assert!(page.contains("тот же муниципалитет"), "{page}");
    let r = board
        .post_form(&app, "/matching/schools/accept", &[("all", "1")])
        .await;
    assert_eq!(r.status(), 303);
    let pairs = app
        .store
        .mentor_school_assignments(
            &Scope::region(),
            &SchoolAssignmentFilter {
                active_only: true,
                ..SchoolAssignmentFilter::default()
            },
        )
        .await
        .unwrap();
    let mut got: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p.school.to_string(), p.mentor_school.to_string()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("s1".to_string(), "s2".to_string()),
            ("s3".to_string(), "s2".to_string())
        ]
    );
    // The coordinator of m1 sees the pair of the municipality.
    let coord = Browser::signed_in(&app, "coord1").await;
    let page = coord
        .get(&app, "/municipalities/m1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Школы-наставники"), "{page}");
    assert!(page.contains("МБОУ Ярцевская СШ № 2"), "{page}");
    // Ending one: refused without a reason, kept in the history with it.
    let r = board
        .post_form(&app, "/matching/schools/s1/end", &[("reason", "")])
        .await;
    assert_eq!(r.status(), 409);
    let r = board
        .post_form(
            &app,
            "/matching/schools/s1/end",
            &[("reason", "школа вышла из проекта")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let history = app
        .store
        .mentor_school_assignments(
            &Scope::region(),
            &SchoolAssignmentFilter {
                active_only: false,
                school: Some(school_code("s1")),
                municipality: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        history[0].end_reason.as_deref(),
        Some("школа вышла из проекта")
    );
    app.stop().await;
}

//! Diagnostics over the JSON API of `spec/api.md`: campaigns, attempts that
//! never lose an answer, submission exactly once, the teacher's profile.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, client};

on_both_databases!(
    an_attempt_from_start_to_profile,
    concurrent_starts_make_one_attempt_and_concurrent_submits_finish_once,
    an_overdue_attempt_is_finalised_by_the_server,
);

/// A valid response of the item's kind (not necessarily right).
fn some_response(item: &Value) -> Value {
    let first = |key: &str| item[key][0]["index"].clone();
    match item["kind"].as_str().unwrap() {
        "single" => first("options"),
        "multiple" => json!([first("options")]),
        "matching" => json!([[first("left"), first("right")]]),
        "ordering" => Value::Array(
            item["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["index"].clone())
                .collect(),
        ),
        "numeric" => json!(1),
        "text" => json!("ответ"),
        other => panic!("unknown kind {other}"),
    }
}

async fn put(app: &TestApp, token: &str, attempt: i64, item: &str, body: Value) -> u16 {
    client()
        .put(app.url(&format!("/api/v1/attempts/{attempt}/responses/{item}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn start(app: &TestApp, token: &str, campaign: i64) -> (u16, Value) {
    let r = client()
        .post(app.url(&format!("/api/v1/campaigns/{campaign}/attempts")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn an_attempt_from_start_to_profile(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let campaign = app.open_campaign("pedagogy-core").await;
    let token = app.token("teacher1").await;

    let list: Value = client()
        .get(app.url("/api/v1/campaigns"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["campaigns"][0]["id"], campaign);
    assert_eq!(list["campaigns"][0]["status"], "open");
    assert_eq!(list["campaigns"][0]["bank"], "pedagogy-core");

    let (status, body) = start(&app, &token, campaign).await;
    assert_eq!(status, 201);
    let attempt = &body["attempt"];
    let id = attempt["id"].as_i64().unwrap();
    let items = attempt["items"].as_array().unwrap();
    assert_eq!(items.len(), 20, "4 items from each of 5 competences");
    let text = body.to_string();
    assert!(
        !text.contains("\"answer") && !text.contains("explanation"),
        "no key leaves the server"
    );
    assert!(attempt["deadline"].as_str().unwrap().ends_with('Z'));

    // Answers: durable on 204, idempotent, checked against their item.
    let first = &items[0];
    let item_id = first["id"].as_str().unwrap();
    let response = some_response(first);
    assert_eq!(
        put(&app, &token, id, item_id, json!({ "response": response })).await,
        204
    );
    assert_eq!(
        put(&app, &token, id, item_id, json!({ "response": response })).await,
        204
    );
    assert_eq!(
        put(&app, &token, id, item_id, json!({ "response": { "x": 1 } })).await,
        422
    );
    assert_eq!(
        put(&app, &token, id, "NO-SUCH", json!({ "response": 0 })).await,
        404
    );
    let other = app.token("teacher2").await;
    assert_eq!(
        put(&app, &other, id, item_id, json!({ "response": response })).await,
        404,
        "not yours"
    );
    for item in &items[1..10] {
        let id_ = item["id"].as_str().unwrap();
        assert_eq!(
            put(
                &app,
                &token,
                id,
                id_,
                json!({ "response": some_response(item) })
            )
            .await,
            204
        );
    }

    // Resuming shows every saved answer.
    let resumed: Value = client()
        .get(app.url(&format!("/api/v1/attempts/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resumed["attempt"]["status"], "in_progress");
    assert_eq!(
        resumed["attempt"]["responses"].as_object().unwrap().len(),
        10
    );
    assert_eq!(resumed["attempt"]["responses"][item_id], response);
    assert_eq!(
        resumed["attempt"]["items"], attempt["items"],
        "the same form, same order"
    );

    let (again, same) = start(&app, &token, campaign).await;
    assert_eq!(again, 200, "starting again returns the attempt in progress");
    assert_eq!(same["attempt"]["id"], id);

    let r = client()
        .post(app.url(&format!("/api/v1/attempts/{id}/submit")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let submitted: Value = r.json().await.unwrap();
    let profile = &submitted["profile"];
    assert_eq!(profile["bank"], "pedagogy-core");
    assert_eq!(profile["competences"].as_array().unwrap().len(), 5);
    assert_eq!(profile["overall"]["max"], 20.0);

    assert_eq!(
        put(&app, &token, id, item_id, json!({ "response": response })).await,
        409
    );
    assert_eq!(
        start(&app, &token, campaign).await.0,
        409,
        "one attempt per campaign"
    );

    let me: Value = client()
        .get(app.url("/api/v1/teachers/teacher1/profile"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["level"], profile["overall"]["level"]);
    assert_eq!(me["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(me["history"][0]["source"], "attempt");
    assert_eq!(me["history"][0]["overall"], profile["overall"]);

    // The deputy head of the school sees it; a teacher elsewhere does not.
    let deputy = app.token("deputy1").await;
    let r = client()
        .get(app.url("/api/v1/teachers/teacher1/profile"))
        .bearer_auth(&deputy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(app.url("/api/v1/teachers/teacher1/profile"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
}

async fn concurrent_starts_make_one_attempt_and_concurrent_submits_finish_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let campaign = app.open_campaign("pedagogy-core").await;
    let token = app.token("teacher3").await;
    let starts = (0..100).map(|_| start(&app, &token, campaign));
    let results = futures_join(starts).await;
    let ids: std::collections::BTreeSet<i64> = results
        .iter()
        .map(|(s, b)| {
            assert!(*s == 200 || *s == 201, "{s}");
            b["attempt"]["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one attempt however many starts");
    assert_eq!(results.iter().filter(|(s, _)| *s == 201).count(), 1);
    let id = *ids.iter().next().unwrap();

    let submits = (0..50).map(|_| {
        let url = app.url(&format!("/api/v1/attempts/{id}/submit"));
        let token = token.clone();
        async move {
            let r = client().post(url).bearer_auth(token).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    });
    let results = futures_join(submits).await;
    assert!(results.iter().all(|(s, _)| *s == 200));
    let first = &results[0].1;
    assert!(
        results.iter().all(|(_, b)| b == first),
        "every submit answers the same profile"
    );
    let history = app
        .store
        .diagnostics_of(
            &domain::Scope::region(),
            &domain::Login::parse("teacher3").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "finished exactly once");
    app.stop().await;
}

async fn an_overdue_attempt_is_finalised_by_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let campaign = app.open_campaign("pedagogy-core").await;
    let token = app.token("teacher1").await;
    let (_, body) = start(&app, &token, campaign).await;
    let id = body["attempt"]["id"].as_i64().unwrap();
    let item = &body["attempt"]["items"][0];
    let item_id = item["id"].as_str().unwrap().to_string();
    assert_eq!(
        put(
            &app,
            &token,
            id,
            &item_id,
            json!({ "response": some_response(item) })
        )
        .await,
        204
    );

    // Time runs out: the deadline and the 30 s grace are in the past.
    let past = chrono::Utc::now().timestamp_millis() - 31_000;
    app.execute_sql(&format!(
        "UPDATE attempts SET deadline = {past} WHERE id = {id}"
    ))
    .await;
    assert_eq!(
        put(
            &app,
            &token,
            id,
            &item_id,
            json!({ "response": some_response(item) })
        )
        .await,
        409,
        "no answers after the deadline plus grace"
    );
    let mut status = String::new();
    for _ in 0..50 {
        let v: Value = client()
            .get(app.url(&format!("/api/v1/attempts/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        status = v["attempt"]["status"].as_str().unwrap().to_string();
        if status != "in_progress" {
            assert_eq!(v["attempt"]["responses"].as_object().unwrap().len(), 1);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        status, "expired",
        "the server finalised the attempt from its saved answers"
    );
    let history = app
        .store
        .diagnostics_of(
            &domain::Scope::region(),
            &domain::Login::parse("teacher1").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    app.stop().await;
}

/// Runs futures concurrently and collects their outputs in order.
async fn futures_join<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    futures_util::future::join_all(futures).await
}

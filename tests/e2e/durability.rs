//! An answer acknowledged with 204 survives `kill -9` of the server.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_marshrut");

fn run(db: &str, args: &[&str], stdin: Option<&str>) {
    let mut child = Command::new(BIN)
        .args(["--database-url", db])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn serve(db: &str, port: u16) -> Child {
    Command::new(BIN)
        .args([
            "--database-url",
            db,
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env(
            "MARSHRUT_SESSION_SECRET",
            "a-test-secret-that-is-long-enough-0123456789",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_healthy(base: &str) {
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not come up");
}

#[tokio::test]
async fn an_acknowledged_answer_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("region.db").display());
    std::fs::write(
        dir.path().join("m.csv"),
        "code,name\nm1,Ярцевский муниципальный округ\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.csv"),
        "code,municipality,name\ns1,m1,МБОУ Ярцевская СШ № 1\n",
    )
    .unwrap();
    run(
        &db,
        &[
            "import",
            "municipalities",
            dir.path().join("m.csv").to_str().unwrap(),
        ],
        None,
    );
    run(
        &db,
        &[
            "import",
            "schools",
            dir.path().join("s.csv").to_str().unwrap(),
        ],
        None,
    );
    run(
        &db,
        &[
            "user",
            "add",
            "--login",
            "t1",
            "--full-name",
            "Иванова Анна Петровна",
            "--role",
            "teacher",
            "--school",
            "s1",
            "--password-stdin",
        ],
        Some("a-long-password-1\n"),
    );
    let banks = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
    run(&db, &["bank", "load", banks.to_str().unwrap()], None);
    run(
        &db,
        &[
            "campaign",
            "open",
            "--bank",
            "pedagogy-core",
            "--title",
            "Диагностика",
        ],
        None,
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&db, port);
    wait_healthy(&base).await;
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "login": "t1", "password": "a-long-password-1" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let campaigns: Value = http
        .get(format!("{base}/api/v1/campaigns"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let campaign = campaigns["campaigns"][0]["id"].as_i64().unwrap();
    let started: Value = http
        .post(format!("{base}/api/v1/campaigns/{campaign}/attempts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attempt = started["attempt"]["id"].as_i64().unwrap();
    let mut saved = serde_json::Map::new();
    for item in started["attempt"]["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        // Text and numbers fit every kind's shape check only for their
        // kinds; answer the kinds that take an index or a string.
        let response = match item["kind"].as_str().unwrap() {
            "single" => item["options"][0]["index"].clone(),
            "text" => json!("ответ"),
            "numeric" => json!(7),
            _ => continue,
        };
        let r = http
            .put(format!("{base}/api/v1/attempts/{attempt}/responses/{id}"))
            .bearer_auth(&token)
            .json(&json!({ "response": response }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        saved.insert(id.to_string(), response);
    }
    assert!(!saved.is_empty());
    // Right after the last 204: SIGKILL, no chance to flush anything.
    server.kill().unwrap();
    server.wait().unwrap();

    let mut server = serve(&db, port);
    wait_healthy(&base).await;
    let resumed: Value = http
        .get(format!("{base}/api/v1/attempts/{attempt}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        resumed["attempt"]["responses"],
        Value::Object(saved),
        "every acknowledged answer is there"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

//! Real-browser tests: Debian's Chromium driven over WebDriver
//! (chromedriver), against the real server on port 0.
//!
//! They are `#[ignore]`d so that `cargo test` passes on a machine without a
//! browser; CI installs Chromium and runs them with `--ignored`, and there a
//! missing browser fails the run.

#![forbid(unsafe_code)]

#[path = "../e2e/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::{Backend, PASSWORD, TestApp};
use serde_json::json;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary} (install chromium-driver): {e}"));
    let driver = Driver { child, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &Driver, javascript: bool, width: u32, height: u32) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let profile = tempfile::tempdir().unwrap().keep();
    let mut caps = serde_json::Map::new();
    let mut prefs = serde_json::Map::new();
    if !javascript {
        prefs.insert(
            "profile.managed_default_content_settings.javascript".into(),
            json!(2),
        );
    }
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": prefs,
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver")
}

async fn sign_in(c: &Client, app: &TestApp, login: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys(login)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The landing page has the logout form; wait for the navigation.
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap_or_else(|e| panic!("{login} did not reach a signed-in page: {e}"));
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form[action='/login']"))
        .await
        .expect("back on the login form");
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (CI does)"]
async fn each_role_signs_in_to_its_russian_home_page_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let driver = start_driver().await;
    let c = browser(&driver, false, 1280, 900).await;
    let cases = [
        ("teacher1", "/me", "Иванова Анна Петровна"),
        ("deputy1", "/school", "МБОУ Ярцевская СШ № 1"),
        ("principal1", "/school", "МБОУ Ярцевская СШ № 1"),
        ("coord1", "/municipality", "Ярцевский район"),
        ("mentor1", "/mentees", "Подопечные"),
        ("cnppm1", "/region", "город Смоленск"),
        ("admin1", "/region", "Ярцевский район"),
    ];
    for (login, home, shows) in cases {
        sign_in(&c, &app, login).await;
        let url = c.current_url().await.unwrap();
        assert_eq!(url.path(), home, "{login} lands on its home page");
        let text = body_text(&c).await;
        assert!(
            text.contains(shows),
            "{login}'s page shows {shows}:\n{text}"
        );
        assert!(
            text.contains("Выйти"),
            "{login}'s page has the Russian logout button"
        );
        sign_out(&c).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/login");
    }
    // A wrong password shows the Russian error on the form.
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys("teacher1")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("wrong-password")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[role=alert]"))
        .await
        .expect("an error message");
    assert!(body_text(&c).await.contains("Неверный логин или пароль"));
    c.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (CI does)"]
async fn pages_fit_a_phone_screen() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let driver = start_driver().await;
    let c = browser(&driver, true, 360, 740).await;
    sign_in(&c, &app, "cnppm1").await;
    for path in ["/region", "/schools/s1", "/me"] {
        c.goto(&app.url(path)).await.unwrap();
        let overflow = c
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{path} scrolls sideways on a 360 px screen by {overflow} px"
        );
    }
    let png = c.screenshot().await.unwrap();
    assert!(png.len() > 1000);
    c.close().await.unwrap();
    app.stop().await;
}

/// Answers the question on screen through its form, by its kind.
async fn answer_on_screen(c: &Client) {
    let form = c.find(Locator::Css("form[data-kind]")).await.unwrap();
    let kind = form.attr("data-kind").await.unwrap().unwrap();
    match kind.as_str() {
        "single" | "multiple" => {
            c.find(Locator::Css("input[name=choice]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        "matching" => {
            for select in c
                .find_all(Locator::Css("select[name^=match_]"))
                .await
                .unwrap()
            {
                select.select_by_index(1).await.unwrap();
            }
        }
        "ordering" => {
            let selects = c
                .find_all(Locator::Css("select[name^=pos_]"))
                .await
                .unwrap();
            for (place, select) in selects.into_iter().enumerate() {
                select
                    .select_by_value(&(place + 1).to_string())
                    .await
                    .unwrap();
            }
        }
        "numeric" => {
            c.find(Locator::Css("input[name=number]"))
                .await
                .unwrap()
                .send_keys("12,5")
                .await
                .unwrap();
        }
        "text" => {
            c.find(Locator::Css("input[name=text]"))
                .await
                .unwrap()
                .send_keys("ответ")
                .await
                .unwrap();
        }
        other => panic!("unknown item kind {other}"),
    }
}

/// Clicks a button that submits a form and waits for the next page.
async fn submit_and_wait(c: &Client, selector: &str) {
    let before = c.current_url().await.unwrap();
    c.find(Locator::Css(selector))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if c.current_url().await.unwrap() != before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{selector} did not lead to another page");
}

async fn take_a_diagnostic(javascript: bool, login: &str) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.open_campaign("pedagogy-core").await;
    let driver = start_driver().await;
    let c = browser(&driver, javascript, 1280, 900).await;
    sign_in(&c, &app, login).await;
    c.goto(&app.url("/me")).await.unwrap();
    c.find(Locator::Css("form[action$='/start'] button"))
        .await
        .expect("a «Начать диагностику» button")
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form[data-kind]"))
        .await
        .unwrap();
    let mut answered = 0;
    for step in 0..20 {
        answer_on_screen(&c).await;
        answered += 1;
        if step == 9 {
            // The connection drops, the browser is closed and reopened:
            // the answers given so far are there.
            submit_and_wait(&c, ".attempt-actions button[name=go][value=stay]").await;
            let here = c.current_url().await.unwrap();
            c.goto("about:blank").await.unwrap();
            c.goto(here.as_str()).await.unwrap();
            let text = body_text(&c).await;
            assert!(
                text.contains(&format!("отвечено {answered}")),
                "after reload:\n{text}"
            );
        }
        submit_and_wait(
            &c,
            ".attempt-actions button[name=go][value=next], .attempt-actions button[name=go][value=finish]",
        )
        .await;
        c.wait()
            .for_element(Locator::Css("form[data-kind], form[action$='/submit']"))
            .await
            .unwrap();
    }
    let text = body_text(&c).await;
    assert!(
        !text.contains("Без ответа"),
        "every question was answered:\n{text}"
    );
    c.find(Locator::Css("form[action$='/submit'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("svg[role=img]"))
        .await
        .expect("the profile chart");
    let text = body_text(&c).await;
    assert!(text.contains("Результаты диагностики"), "{text}");
    assert!(text.contains("Уровень профессиональных дефицитов"));
    assert!(text.contains("Разбор заданий"));
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/diagnostics/")
    );
    c.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (CI does)"]
async fn a_teacher_takes_a_diagnostic_without_javascript() {
    take_a_diagnostic(false, "teacher1").await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (CI does)"]
async fn a_teacher_takes_a_diagnostic_with_javascript() {
    take_a_diagnostic(true, "teacher2").await;
}

//! The exam-start load test (issue 3): N teachers, logged in beforehand,
//! start one diagnostic within a few seconds of each other, then answer every
//! item with a think time, and submit.
//!
//! Phases, each a goose attack against a running `marshrut serve`:
//! 1. passwords: every teacher accepts the invitation from `import staff
//!    --invitations-out` (argon2, not measured as a target);
//! 2. login throughput: every teacher logs in through the API (argon2 is meant
//!    to be slow: this is reported on its own, never mixed with the spike);
//! 3. the spike: N users start within `--startup` seconds, answer each item
//!    after 5–20 s, read the attempt back once half-way (a reload), submit;
//! 4. saturation: a few extra teachers save answers back to back, which gives
//!    the server's ceiling for answer saves;
//! 5. the raw limit: single-row upserts, each its own transaction, straight
//!    into the server's SQLite file with the server's settings.
//!
//! It prints requests/s and p50/p95/p99 per request type, and errors.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use goose::config::{GooseConfiguration, GooseDefault, GooseDefaultType};
use goose::goose::GooseResponse;
use goose::metrics::GooseMetrics;
use goose::prelude::*;
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

const PASSWORD: &str = "Нагрузка-2026-тест";

#[derive(Parser, Debug)]
#[command(about = "Нагрузочный тест начала диагностики (Маршрут)")]
struct Args {
    /// The server, e.g. http://127.0.0.1:3000.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    host: String,
    /// staff.csv of the imported region (to tell teachers from other staff).
    #[arg(long)]
    staff: PathBuf,
    /// The invitation links written by `import staff --invitations-out`.
    #[arg(long)]
    invitations: PathBuf,
    /// Teachers in the spike.
    #[arg(long, default_value_t = 5000)]
    teachers: usize,
    /// Seconds within which every teacher starts.
    #[arg(long, default_value_t = 10)]
    startup: u64,
    /// Think time before each answer, in milliseconds: MIN..MAX.
    #[arg(long, default_value = "5000..20000")]
    think_ms: String,
    /// Concurrent clients in the password and login phases.
    #[arg(long, default_value_t = 4)]
    login_clients: usize,
    /// Extra teachers who save answers back to back after the spike.
    #[arg(long, default_value_t = 32)]
    saturation_clients: usize,
    /// Seconds of the saturation phase (0 skips it).
    #[arg(long, default_value_t = 15)]
    saturation_secs: u64,
    /// The server's SQLite file, for the raw upsert limit (omit to skip).
    #[arg(long)]
    sqlite: Option<PathBuf>,
    /// Seconds of raw upserts.
    #[arg(long, default_value_t = 5)]
    raw_secs: u64,
    /// Where to write goose's HTML report of the spike, if anywhere.
    #[arg(long)]
    report: Option<String>,
}

struct Teacher {
    login: String,
    invitation_path: String,
}

/// What every goose user reads: the roster, the tokens, the campaign.
struct Shared {
    teachers: Vec<Teacher>,
    tokens: Vec<OnceLock<String>>,
    campaign: OnceLock<String>,
    think: (u64, u64),
    spike: usize,
    next_password: AtomicUsize,
    next_login: AtomicUsize,
    next_spike: AtomicUsize,
    next_saturation: AtomicUsize,
    problems: Mutex<Vec<String>>,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared() -> &'static Shared {
    SHARED.get().expect("roster loaded before any attack")
}

fn problem(text: String) -> Box<TransactionError> {
    let mut problems = shared().problems.lock().expect("problems lock");
    if problems.len() < 20 {
        problems.push(text.clone());
    }
    Box::new(TransactionError::Custom(text))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let outcome = run().await;
    if let Some(shared) = SHARED.get() {
        let problems = shared.problems.lock().expect("problems lock");
        if !problems.is_empty() {
            eprintln!("\nПервые ошибки:");
            for p in problems.iter() {
                eprintln!("  {p}");
            }
        }
    }
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nОшибка: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    let think = parse_range(&args.think_ms)?;
    let teachers = roster(&args)?;
    let needed = args.teachers + args.saturation_clients;
    if teachers.len() < needed {
        bail!(
            "в списке приглашений {} учителей, а нужно {needed} ({} для пика и {} для насыщения)",
            teachers.len(),
            args.teachers,
            args.saturation_clients
        );
    }
    let teachers: Vec<Teacher> = teachers.into_iter().take(needed).collect();
    let tokens = (0..teachers.len()).map(|_| OnceLock::new()).collect();
    SHARED
        .set(Shared {
            teachers,
            tokens,
            campaign: OnceLock::new(),
            think,
            spike: args.teachers,
            next_password: AtomicUsize::new(0),
            next_login: AtomicUsize::new(0),
            next_spike: AtomicUsize::new(0),
            next_saturation: AtomicUsize::new(args.teachers),
            problems: Mutex::new(Vec::new()),
        })
        .map_err(|_| anyhow::anyhow!("roster set twice"))?;

    println!(
        "Маршрут, нагрузочный тест: {} учителей в пике (старт в течение {} с, обдумывание {}–{} мс), {} в насыщении; сервер {}",
        args.teachers, args.startup, think.0, think.1, args.saturation_clients, args.host
    );

    // 1. Passwords (invitations).
    let (metrics, elapsed) = attack(
        &args.host,
        scenario!("Пароли").register_transaction(transaction!(accept_invitation)),
        args.login_clients,
        None,
        needed.div_ceil(args.login_clients),
    )
    .await?;
    print_phase("Установка паролей по приглашениям", &metrics, elapsed);

    // 2. Login throughput.
    let (metrics, elapsed) = attack(
        &args.host,
        scenario!("Вход").register_transaction(transaction!(log_in)),
        args.login_clients,
        None,
        needed.div_ceil(args.login_clients),
    )
    .await?;
    print_phase("Вход (argon2id, отдельно от пика)", &metrics, elapsed);
    let logged_in = shared().tokens.iter().filter(|t| t.get().is_some()).count();
    if logged_in < needed {
        bail!("вошли только {logged_in} из {needed} учителей; пик не начат");
    }
    find_campaign(&args.host).await?;

    // 3. The spike.
    let rate = (args.teachers as f64 / args.startup.max(1) as f64).max(1.0);
    let (spike, elapsed) = attack_with(
        &args.host,
        scenario!("Диагностика").register_transaction(transaction!(take_diagnostic)),
        args.teachers,
        Some(format!("{rate}")),
        1,
        args.report.as_deref(),
    )
    .await?;
    print_phase(
        "Пик: старт, ответы, возобновление, завершение",
        &spike,
        elapsed,
    );
    let spike_saves = count(&spike, "ответ");
    let spike_rate = spike_saves as f64 / elapsed.as_secs_f64();

    // 4. Saturation.
    let saturation_rate = if args.saturation_secs > 0 && args.saturation_clients > 0 {
        let (metrics, elapsed) = attack_for(
            &args.host,
            scenario!("Насыщение")
                .register_transaction(transaction!(saturation_start).set_on_start())
                .register_transaction(transaction!(saturation_save)),
            args.saturation_clients,
            args.saturation_secs,
        )
        .await?;
        print_phase("Насыщение: ответы без пауз", &metrics, elapsed);
        Some(count(&metrics, "ответ (без пауз)") as f64 / elapsed.as_secs_f64())
    } else {
        None
    };

    // 5. The raw limit.
    if let Some(path) = &args.sqlite {
        let raw = raw_upserts(path, Duration::from_secs(args.raw_secs))?;
        println!("\n== Предел базы данных: одиночные upsert, каждый в своей транзакции ==");
        println!(
            "{raw:.0} upsert/с (SQLite WAL, synchronous=NORMAL, файл {})",
            path.display()
        );
        println!(
            "Сохранения ответов в пике: {spike_rate:.1}/с в среднем — {:.1}% предела",
            100.0 * spike_rate / raw
        );
        if let Some(sat) = saturation_rate {
            println!(
                "Потолок сервера (насыщение): {sat:.0} сохранений/с — {:.1}% предела",
                100.0 * sat / raw
            );
        }
    }

    let errors: usize = spike.requests.values().map(|r| r.fail_count).sum();
    if errors > 0 {
        bail!("в пике {errors} ошибок");
    }
    Ok(())
}

/// MIN..MAX in milliseconds.
fn parse_range(text: &str) -> anyhow::Result<(u64, u64)> {
    let (a, b) = text
        .split_once("..")
        .context("--think-ms: нужен диапазон МИН..МАКС, например 5000..20000")?;
    let (a, b): (u64, u64) = (a.trim().parse()?, b.trim().parse()?);
    if a > b {
        bail!("--think-ms: минимум больше максимума");
    }
    Ok((a, b))
}

/// Teachers (by staff.csv) with their invitation links, in file order.
fn roster(args: &Args) -> anyhow::Result<Vec<Teacher>> {
    let mut teachers = HashSet::new();
    let mut staff = csv::Reader::from_path(&args.staff)
        .with_context(|| format!("не удалось открыть {}", args.staff.display()))?;
    let headers = staff.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: нет столбца {name}", args.staff.display()))
    };
    let (login, roles) = (col("login")?, col("roles")?);
    for row in staff.records() {
        let row = row?;
        if row[roles].split('|').any(|r| r.trim() == "teacher") {
            teachers.insert(row[login].to_lowercase());
        }
    }
    let mut links = csv::Reader::from_path(&args.invitations)
        .with_context(|| format!("не удалось открыть {}", args.invitations.display()))?;
    let headers = links.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: нет столбца {name}", args.invitations.display()))
    };
    let (login, link) = (col("login")?, col("link")?);
    let mut out = Vec::new();
    for row in links.records() {
        let row = row?;
        if !teachers.contains(&row[login].to_lowercase()) {
            continue;
        }
        let path = row[link]
            .find("/invite/")
            .map(|at| row[link][at..].to_string())
            .with_context(|| format!("ссылка без /invite/: {}", &row[link]))?;
        out.push(Teacher {
            login: row[login].to_string(),
            invitation_path: path,
        });
    }
    Ok(out)
}

fn configuration(host: &str) -> GooseConfiguration {
    let mut config = GooseConfiguration::default();
    config.host = Some(host.to_string());
    config
}

async fn attack(
    host: &str,
    scenario: Scenario,
    users: usize,
    rate: Option<String>,
    iterations: usize,
) -> anyhow::Result<(GooseMetrics, Duration)> {
    attack_with(host, scenario, users, rate, iterations, None).await
}

fn quiet(attack: GooseAttack) -> anyhow::Result<GooseAttack> {
    Ok(*attack
        .set_default(GooseDefault::NoPrintMetrics, true)?
        .set_default(GooseDefault::NoTelnet, true)?
        .set_default(GooseDefault::Quiet, 1)?
        .set_default(GooseDefault::Timeout, "60")?)
}

async fn attack_with(
    host: &str,
    scenario: Scenario,
    users: usize,
    rate: Option<String>,
    iterations: usize,
    report: Option<&str>,
) -> anyhow::Result<(GooseMetrics, Duration)> {
    let rate = rate.unwrap_or_else(|| users.to_string());
    let mut goose = GooseAttack::initialize_with_config(configuration(host))?
        .register_scenario(scenario)
        .set_default(GooseDefault::Users, users)?
        .set_default(GooseDefault::IncreaseRate, rate.as_str())?
        .set_default(GooseDefault::Iterations, iterations)?;
    if let Some(report) = report {
        goose = goose.set_default(GooseDefault::ReportFile, report)?;
    }
    let goose = quiet(*goose)?;
    let started = Instant::now();
    let metrics = goose.execute().await.map_err(goose_error)?;
    Ok((metrics, started.elapsed()))
}

async fn attack_for(
    host: &str,
    scenario: Scenario,
    users: usize,
    secs: u64,
) -> anyhow::Result<(GooseMetrics, Duration)> {
    let goose = GooseAttack::initialize_with_config(configuration(host))?
        .register_scenario(scenario)
        .set_default(GooseDefault::Users, users)?
        .set_default(GooseDefault::IncreaseRate, users.to_string().as_str())?
        .set_default(GooseDefault::RunTime, secs as usize)?
        .set_default(GooseDefault::NoResetMetrics, true)?;
    let goose = quiet(*goose)?;
    let started = Instant::now();
    let metrics = goose.execute().await.map_err(goose_error)?;
    Ok((metrics, started.elapsed()))
}

/// Goose's errors say which option is wrong only in their Debug form.
fn goose_error(e: GooseError) -> anyhow::Error {
    anyhow::anyhow!("goose: {e:?}")
}

fn count(metrics: &GooseMetrics, name: &str) -> usize {
    metrics
        .requests
        .values()
        .filter(|r| r.path == name)
        .map(|r| r.success_count)
        .sum()
}

fn print_phase(title: &str, metrics: &GooseMetrics, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!("\n== {title} — {secs:.1} с ==");
    println!(
        "{:<28} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "запрос", "всего", "ошибок", "запр/с", "p50 мс", "p95 мс", "p99 мс"
    );
    let mut rows: Vec<_> = metrics.requests.values().collect();
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    for r in rows {
        let total = r.success_count + r.fail_count;
        let ms = |p: f32| r.raw_data.percentile_us(p) as f64 / 1000.0;
        println!(
            "{:<28} {:>8} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            r.path,
            total,
            r.fail_count,
            total as f64 / secs,
            ms(0.50),
            ms(0.95),
            ms(0.99)
        );
    }
}

/// The next teacher for a phase, or None when the phase's list is done.
fn next(counter: &AtomicUsize, end: usize) -> Option<usize> {
    let i = counter.fetch_add(1, Ordering::Relaxed);
    (i < end).then_some(i)
}

async fn accept_invitation(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let Some(i) = next(&s.next_password, s.teachers.len()) else {
        return Ok(());
    };
    let path = s.teachers[i].invitation_path.as_str();
    // The form's CSRF check is a double-submit cookie: send both halves.
    let builder = user
        .get_request_builder(&GooseMethod::Post, path)?
        .header(
            "Cookie",
            "marshrut_csrf=loadtest-loadtest-loadtest-loadtest",
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("password", PASSWORD),
            ("password2", PASSWORD),
            ("csrf", "loadtest-loadtest-loadtest-loadtest"),
        ]));
    let request = GooseRequest::builder()
        .name("приглашение")
        .method(GooseMethod::Post)
        .path(path)
        .set_request_builder(builder)
        .expect_status_code(200)
        .build();
    let response = user.request(request).await?;
    match response.response {
        Ok(r) if r.url().path() == "/login" => Ok(()),
        Ok(r) => Err(problem(format!(
            "приглашение {}: ответ {} {}",
            s.teachers[i].login,
            r.status(),
            r.url().path()
        ))),
        Err(e) => Err(problem(format!("приглашение {}: {e}", s.teachers[i].login))),
    }
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn log_in(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let Some(i) = next(&s.next_login, s.teachers.len()) else {
        return Ok(());
    };
    let login = s.teachers[i].login.as_str();
    let body = json!({ "login": login, "password": PASSWORD });
    let builder = user
        .get_request_builder(&GooseMethod::Post, "/api/v1/auth/login")?
        .json(&body);
    let request = GooseRequest::builder()
        .name("вход")
        .method(GooseMethod::Post)
        .path("/api/v1/auth/login")
        .set_request_builder(builder)
        .expect_status_code(200)
        .build();
    let value = json_of(user.request(request).await?, login).await?;
    let token = value["token"]
        .as_str()
        .ok_or_else(|| problem(format!("вход {login}: нет token в ответе")))?;
    let _ = s.tokens[i].set(token.to_string());
    Ok(())
}

async fn json_of(response: GooseResponse, who: &str) -> Result<Value, Box<TransactionError>> {
    let name = response.request.name.to_string();
    match response.response {
        Ok(r) if r.status().is_success() => r
            .json::<Value>()
            .await
            .map_err(|e| problem(format!("{name} {who}: не JSON: {e}"))),
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            Err(problem(format!("{name} {who}: {status} {text}")))
        }
        Err(e) => Err(problem(format!("{name} {who}: {e}"))),
    }
}

/// The campaign the spike starts: the first one open to the first teacher.
async fn find_campaign(host: &str) -> anyhow::Result<()> {
    let s = shared();
    let token = s.tokens[0].get().context("no token")?;
    let answer: Value = reqwest::Client::new()
        .get(format!("{host}/api/v1/campaigns"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = answer["campaigns"]
        .as_array()
        .and_then(|c| c.first())
        .and_then(|c| id_text(&c["id"]))
        .context("учителю не открыта ни одна кампания: откройте её (marshrut campaign open)")?;
    let _ = s.campaign.set(id);
    Ok(())
}

/// An id as the API writes it: a number or a string.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

async fn send(
    user: &mut GooseUser,
    name: &str,
    method: GooseMethod,
    path: &str,
    token: &str,
    body: Option<&Value>,
    expect: u16,
) -> Result<GooseResponse, Box<TransactionError>> {
    let mut builder = user.get_request_builder(&method, path)?.bearer_auth(token);
    if let Some(body) = body {
        builder = builder.json(body);
    }
    let request = GooseRequest::builder()
        .name(name)
        .method(method)
        .path(path)
        .set_request_builder(builder)
        .expect_status_code(expect)
        .build();
    user.request(request).await
}

/// Starts (or resumes) the campaign's attempt: its id and items.
async fn start(
    user: &mut GooseUser,
    i: usize,
) -> Result<(String, String, Vec<Value>), Box<TransactionError>> {
    let s = shared();
    let login = s.teachers[i].login.as_str();
    let token = s.tokens[i]
        .get()
        .ok_or_else(|| problem(format!("{login}: нет токена")))?
        .clone();
    let campaign = s.campaign.get().expect("campaign found before the spike");
    let path = format!("/api/v1/campaigns/{campaign}/attempts");
    let response = send(user, "старт", GooseMethod::Post, &path, &token, None, 201).await?;
    let value = json_of(response, login).await?;
    let attempt = &value["attempt"];
    let id =
        id_text(&attempt["id"]).ok_or_else(|| problem(format!("старт {login}: нет attempt.id")))?;
    let items = attempt["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(problem(format!("старт {login}: попытка без заданий")));
    }
    Ok((token, id, items))
}

async fn save(
    user: &mut GooseUser,
    name: &str,
    token: &str,
    attempt: &str,
    item: &Value,
) -> TransactionResult {
    let id = item["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/attempts/{attempt}/responses/{id}");
    let body = json!({ "response": answer(item) });
    let response = send(user, name, GooseMethod::Put, &path, token, Some(&body), 204).await?;
    match response.response {
        Ok(r) if r.status().as_u16() == 204 => Ok(()),
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            Err(problem(format!("{name} {attempt}/{id}: {status} {text}")))
        }
        Err(e) => Err(problem(format!("{name} {attempt}/{id}: {e}"))),
    }
}

/// One teacher's diagnostic, start to submit, with think time.
async fn take_diagnostic(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let Some(i) = next(&s.next_spike, s.spike) else {
        return Ok(());
    };
    let login = s.teachers[i].login.clone();
    let (token, attempt, items) = start(user, i).await?;
    let half = items.len() / 2;
    for (n, item) in items.iter().enumerate() {
        let pause = rand::rng().random_range(s.think.0..=s.think.1);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        save(user, "ответ", &token, &attempt, item).await?;
        if n + 1 == half {
            // A reload half-way: the page asks for the attempt and its answers.
            let path = format!("/api/v1/attempts/{attempt}");
            let response = send(
                user,
                "возобновление",
                GooseMethod::Get,
                &path,
                &token,
                None,
                200,
            )
            .await?;
            let value = json_of(response, &login).await?;
            let saved = value["attempt"]["responses"]
                .as_object()
                .map_or(0, |r| r.len());
            if saved != half {
                return Err(problem(format!(
                    "возобновление {login}: сохранено {saved} ответов из {half}"
                )));
            }
        }
    }
    let path = format!("/api/v1/attempts/{attempt}/submit");
    let response = send(
        user,
        "завершение",
        GooseMethod::Post,
        &path,
        &token,
        None,
        200,
    )
    .await?;
    json_of(response, &login).await?;
    Ok(())
}

#[derive(Clone)]
struct Saturating {
    token: String,
    attempt: String,
    items: Vec<Value>,
    next: usize,
}

async fn saturation_start(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let Some(i) = next(&s.next_saturation, s.teachers.len()) else {
        return Err(problem("насыщение: не хватило учителей".into()));
    };
    let (token, attempt, items) = start(user, i).await?;
    user.set_session_data(Saturating {
        token,
        attempt,
        items,
        next: 0,
    });
    Ok(())
}

async fn saturation_save(user: &mut GooseUser) -> TransactionResult {
    let Some(state) = user.get_session_data_mut::<Saturating>() else {
        return Ok(());
    };
    let item = state.items[state.next % state.items.len()].clone();
    state.next += 1;
    let (token, attempt) = (state.token.clone(), state.attempt.clone());
    save(user, "ответ (без пауз)", &token, &attempt, &item).await
}

/// A well-formed response for an item, chosen at random.
fn answer(item: &Value) -> Value {
    let mut rng = rand::rng();
    let indices = |key: &str| -> Vec<u64> {
        item[key]
            .as_array()
            .map(|a| a.iter().filter_map(|o| o["index"].as_u64()).collect())
            .unwrap_or_default()
    };
    match item["kind"].as_str().unwrap_or_default() {
        "single" => {
            let options = indices("options");
            json!(options[rng.random_range(0..options.len())])
        }
        "multiple" => {
            let mut options = indices("options");
            options.shuffle(&mut rng);
            let take = rng.random_range(1..=options.len());
            json!(options[..take])
        }
        "ordering" => {
            let mut options = indices("options");
            options.shuffle(&mut rng);
            json!(options)
        }
        "matching" => {
            let left = indices("left");
            let mut right = indices("right");
            right.shuffle(&mut rng);
            let pairs: Vec<[u64; 2]> = left.iter().zip(right).map(|(&l, r)| [l, r]).collect();
            json!(pairs)
        }
        "numeric" => json!(rng.random_range(0..100)),
        _ => json!("ответ"),
    }
}

/// Durable single-row upserts per second on the server's database file.
fn raw_upserts(path: &PathBuf, run: Duration) -> anyhow::Result<f64> {
    let db = rusqlite::Connection::open(path)
        .with_context(|| format!("не удалось открыть {}", path.display()))?;
    db.busy_timeout(Duration::from_secs(5))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS loadtest_raw (attempt INTEGER NOT NULL, item TEXT NOT NULL,
             response TEXT NOT NULL, saved_at INTEGER NOT NULL, PRIMARY KEY (attempt, item))",
    )?;
    let mut upsert = db.prepare(
        "INSERT INTO loadtest_raw (attempt, item, response, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (attempt, item) DO UPDATE SET response = excluded.response,
             saved_at = excluded.saved_at",
    )?;
    let started = Instant::now();
    let mut n: u64 = 0;
    while started.elapsed() < run {
        // Autocommit: each upsert is its own transaction, as each answer is.
        upsert.execute(rusqlite::params![
            (n % 5000) as i64,
            format!("item-{}", n % 20),
            "[2,0,1]",
            n as i64
        ])?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(upsert);
    db.execute_batch("DROP TABLE loadtest_raw")?;
    Ok(rate)
}

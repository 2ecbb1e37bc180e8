//! The indicators' dashboards of a region the size of the largest Russian
//! regions, on PostgreSQL, timed over HTTP against the real server.
//!
//! Setup (once; minutes at 150,000 teachers): a database
//! `marshrut_bench_<teachers>` with a `gen-region` region imported the way
//! an administrator imports one (municipalities, schools, staff,
//! methodists, diagnostic results as profiles, the catalogue), both
//! matchings run and applied, routes generated for every teacher who needs
//! one, about two thirds of them approved and a third of the approved
//! completed, and the indicator snapshots of the past two weeks and today.
//! A finished setup marks the database; the next run reuses it and only
//! times (`MARSHRUT_BENCH_REBUILD=1` or `-- --rebuild` builds it afresh).
//!
//! Timing: the server is started in-process on port 0 over that database,
//! and a ЦНППМ methodist's session GETs the region's dashboard, the largest
//! municipality's and the largest school's, and `GET /api/v1/indicators`:
//! one warm-up each, then ten timed requests, min / median / max printed.
//!
//! ```sh
//! cargo bench -p marshrut --bench dashboards
//! MARSHRUT_BENCH_TEACHERS=5000 cargo bench -p marshrut --bench dashboards
//! ```
//!
//! `MARSHRUT_BENCH_PG` names the server (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); the bench database is
//! created beside the one in the URL. Not built by `cargo test`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use chrono::Days;
use domain::{Login, MunicipalityCode, RegionAuthority, Role, SchoolCode};
use marshrut::cli::CliError;
use marshrut::{AppState, Config};
use sqlx::{Connection, Executor, PgConnection};
use store::Store;

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_TEACHERS: u32 = 150_000;
const SEED: u64 = 2026;
/// The setting a finished setup writes (its value: the day it was built).
const SETUP_MARK: &str = "bench_dashboards_setup";
/// Days of snapshots before today: enough for the trend's pace
/// (`domain::trend::MIN_PACE_SPAN_DAYS`).
const PAST_DAYS: u64 = 14;
/// Timed requests per page.
const RUNS: usize = 10;
/// The dashboards' goal (issue): each page within this.
const GOAL: Duration = Duration::from_millis(500);

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

async fn run() -> Result<()> {
    let server = env_or("MARSHRUT_BENCH_PG", DEFAULT_SERVER);
    let teachers: u32 = env_or("MARSHRUT_BENCH_TEACHERS", &DEFAULT_TEACHERS.to_string())
        .parse()
        .context("MARSHRUT_BENCH_TEACHERS: a number of teachers")?;
    // `cargo bench` passes `--bench`; only `--rebuild` is ours.
    let rebuild = std::env::args().any(|a| a == "--rebuild")
        || std::env::var("MARSHRUT_BENCH_REBUILD").is_ok_and(|v| !v.is_empty() && v != "0");
    let name = format!("marshrut_bench_{teachers}");
    let url = database_url(&server, &name);

    let store = match reusable(&server, &name, &url, rebuild).await? {
        Some(store) => {
            eprintln!(
                "База {name} уже подготовлена: только замеры (--rebuild — подготовить заново)."
            );
            store
        }
        None => {
            recreate(&server, &name).await?;
            let store = marshrut::open_store(&url).await?;
            let started = Instant::now();
            setup(store.clone(), &url, teachers).await?;
            let took = started.elapsed().as_secs_f64();
            eprintln!("Подготовка заняла {took:.0} с ({:.1} мин).", took / 60.0);
            store
        }
    };
    time_dashboards(store, &name, teachers).await
}

// ---- the database ---------------------------------------------------------------

/// `server` with its database (the URL path) replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let start = base.find("://").map_or(0, |i| i + 3);
    let end = base[start..].find('/').map_or(base.len(), |i| start + i);
    let mut url = format!("{}/{name}", &base[..end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The bench database when it exists, a finished setup marked it, and no
/// rebuild is asked for.
async fn reusable(
    server: &str,
    name: &str,
    url: &str,
    rebuild: bool,
) -> Result<Option<Arc<dyn Store>>> {
    if rebuild {
        return Ok(None);
    }
    let mut conn = PgConnection::connect(server)
        .await
        .with_context(|| format!("PostgreSQL at {server} (MARSHRUT_BENCH_PG)"))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    conn.close().await.ok();
    if !exists {
        return Ok(None);
    }
    // Opening migrates: a schema changed since the setup is brought up to
    // date, as a deployment's would be. One that cannot be (a migration
    // edited after it was applied, as happens while one is written) is
    // built afresh.
    let store = match marshrut::open_store(url).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("База {name} не открывается ({e:#}): готовлю её заново.");
            return Ok(None);
        }
    };
    match store.setting(SETUP_MARK).await? {
        Some(day) => {
            eprintln!("Подготовлена {day}.");
            Ok(Some(store))
        }
        None => Ok(None),
    }
}

async fn recreate(server: &str, name: &str) -> Result<()> {
    let mut conn = PgConnection::connect(server)
        .await
        .with_context(|| format!("PostgreSQL at {server} (MARSHRUT_BENCH_PG)"))?;
    conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
        .await?;
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await?;
    conn.close().await.ok();
    Ok(())
}

// ---- setup ----------------------------------------------------------------------

fn cli(e: CliError) -> anyhow::Error {
    match e {
        CliError::Refused(message) => anyhow!(message),
        CliError::Internal(e) => e,
    }
}

/// Prints a step's line with how long it took.
struct Step(Instant);

impl Step {
    fn start(what: &str) -> Step {
        eprintln!("{what}…");
        Step(Instant::now())
    }

    fn done(self, what: impl std::fmt::Display) {
        eprintln!("  {what} [{:.1} с]", self.0.elapsed().as_secs_f64());
    }
}

async fn setup(store: Arc<dyn Store>, url: &str, teachers: u32) -> Result<()> {
    let config = Config::new("http://127.0.0.1");
    let today = config.today();
    let auth = RegionAuthority::command_line();
    let work = tempfile::tempdir()?;

    let step = Step::start(&format!(
        "Создаю регион на {teachers} педагогов (gen-region)"
    ));
    let summary = gen_region::generate(&gen_region::Options {
        teachers,
        seed: SEED,
        as_of: today,
        out: work.path().to_path_buf(),
        progress: true,
    })?;
    step.done(&summary);

    for kind in ["municipalities", "schools", "staff", "methodists"] {
        let step = Step::start(&format!("Импорт {kind}"));
        let file = work.path().join(format!("{kind}.csv"));
        let report = marshrut::import::run(store.as_ref(), kind, &file, false, None, &config, true)
            .await
            .map_err(cli)?;
        step.done(format!("создано {}", report.created));
    }

    let step = Step::start("Загружаю банки");
    marshrut::diagnostics::load_banks(store.as_ref(), &auth, shipped_banks()?).await?;
    step.done("готово");
    for kind in ["results", "catalogue"] {
        let step = Step::start(&format!("Импорт {kind}"));
        let file = work.path().join(format!("{kind}.csv"));
        let report = marshrut::import::run(store.as_ref(), kind, &file, false, None, &config, true)
            .await
            .map_err(cli)?;
        step.done(format!("создано {}", report.created));
    }

    // Matching before routes, as a region works (and as `demo` does): a
    // route's mentoring step then names the teacher's methodist when it is
    // generated, rather than being rewritten step by step afterwards.
    let step = Step::start("Подбор методистов (match methodists --apply)");
    let (m, _) = marshrut::matching::propose_methodists(store.as_ref(), &auth, today).await?;
    let applied =
        marshrut::matching::apply_methodists(store.as_ref(), &auth, &m, None, now()).await?;
    step.done(format!(
        "назначено {}, без назначения {}",
        applied.counts.started,
        m.unassigned.len()
    ));
    let step = Step::start("Подбор школ-наставников (match schools --apply)");
    let (s, facts) = marshrut::matching::propose_schools(store.as_ref(), &auth).await?;
    let applied = marshrut::matching::apply_schools(
        store.as_ref(),
        &auth,
        &s,
        None,
        facts.policy.mentor_capacity,
        now(),
    )
    .await?;
    step.done(format!(
        "назначено {}, без назначения {}",
        applied.counts.started,
        s.unassigned.len()
    ));

    let step = Step::start("Формирую ИОМ (routes generate)");
    let banks = marshrut::import::current_banks(store.as_ref())
        .await
        .map_err(cli)?;
    let generated = marshrut::iom::generate_routes(
        store.as_ref(),
        &auth,
        &banks,
        today,
        &marshrut::iom::Group::All,
    )
    .await?;
    step.done(format!("черновиков {}", generated.counts.created));

    let step = Step::start("Утверждаю и выполняю маршруты");
    let (approved, completed) = approve_and_complete(store.as_ref()).await?;
    step.done(format!("утверждено {approved}, выполнено {completed}"));

    // Fresh planner statistics, as autovacuum gathers them on a live
    // database soon after such bulk changes: the snapshots and the timings
    // then do not depend on whether it has got round to them yet.
    let mut conn = PgConnection::connect(url).await?;
    conn.execute("ANALYZE").await?;
    conn.close().await.ok();

    let step = Step::start("Снимки показателей");
    let from = today - Days::new(PAST_DAYS);
    let bar = indicatif::ProgressBar::new(PAST_DAYS + 1);
    let written =
        marshrut::dashboard::backfill(store.as_ref(), from, today, config.timezone, |_| bar.inc(1))
            .await;
    bar.finish_and_clear();
    step.done(format!("с {}: строк {}", from.format("%d.%m.%Y"), written?));

    store
        .set_setting(SETUP_MARK, &today.format("%d.%m.%Y").to_string())
        .await?;
    Ok(())
}

fn now() -> store::Millis {
    marshrut::auth::now_millis()
}

/// The banks the product ships, as `demo` loads them.
fn shipped_banks() -> Result<Vec<(domain::Bank, String, String)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bank = banks::parse(&name, &text).map_err(|e| anyhow!("{e}"))?;
            Ok((bank, name, text))
        })
        .collect()
}

/// Approves two drafts in three and completes one approved route in three
/// (every mandatory step submitted by the teacher and confirmed by the
/// school's deputy head or principal), through the store as the pages do:
/// each approval re-checks its courses' seats, each step is its own
/// transaction with its audit entry. At 150,000 teachers that is some
/// 60,000 transactions; a few at a time keep both cores busy.
///
/// Approvals are spread over the past six weeks and completions over the
/// days after them, so the backfilled snapshots show a pace. Answers
/// (approved, completed).
async fn approve_and_complete(store: &dyn Store) -> Result<(usize, usize)> {
    use futures_util::StreamExt;

    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    const AT_ONCE: usize = 4;
    let directory = store.directory(&RegionAuthority::command_line()).await?;
    let methodist = directory
        .accounts
        .iter()
        .filter(|a| a.active && a.has(Role::CnppmMethodist))
        .map(|a| a.login.clone())
        .min()
        .ok_or_else(|| anyhow!("the region has no ЦНППМ methodist"))?;
    let school_of: HashMap<&Login, &SchoolCode> = directory
        .accounts
        .iter()
        .filter_map(|a| a.school.as_ref().map(|s| (&a.login, s)))
        .collect();
    let mut reviewer_at: HashMap<&SchoolCode, &Login> = HashMap::new();
    for a in &directory.accounts {
        if a.active
            && (a.has(Role::DeputyHead) || a.has(Role::Principal))
            && let Some(s) = &a.school
        {
            let r = reviewer_at.entry(s).or_insert(&a.login);
            if a.login < **r {
                *r = &a.login;
            }
        }
    }
    let mut drafts = store
        .routes_where(
            &domain::Scope::region(),
            &store::RouteFilter {
                status: Some(store::RouteStatus::Draft),
                ..store::RouteFilter::default()
            },
        )
        .await?;
    drafts.sort_by_key(|r| r.id);
    let now = now();
    let bar = indicatif::ProgressBar::new(drafts.len() as u64);
    let results: Vec<Result<(bool, bool)>> = futures_util::stream::iter(drafts.iter().enumerate())
        .map(|(n, route)| {
            let (methodist, bar) = (&methodist, &bar);
            let reviewer = school_of
                .get(&route.teacher)
                .and_then(|s| reviewer_at.get(*s))
                .copied();
            async move {
                let n = n as i64;
                let outcome = work_on(store, methodist, reviewer, route, n, now, DAY_MS).await;
                bar.inc(1);
                outcome
            }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    bar.finish_and_clear();
    let (mut approved, mut completed) = (0, 0);
    for r in results {
        let (a, c) = r?;
        approved += usize::from(a);
        completed += usize::from(c);
    }
    Ok((approved, completed))
}

/// One draft's part of [`approve_and_complete`]: `n` is its rank by id.
/// Approved when `n % 3 != 0`; completed when `n % 9` is 1 or 2 (two in
/// nine, a third of the approved) and its school has someone to confirm.
async fn work_on(
    store: &dyn Store,
    methodist: &Login,
    reviewer: Option<&Login>,
    route: &store::RouteRow,
    n: i64,
    now: store::Millis,
    day_ms: i64,
) -> Result<(bool, bool)> {
    if n % 3 == 0 {
        return Ok((false, false));
    }
    let approved_at = now - (1 + (n * 7) % 42) * day_ms;
    match store.approve_route(methodist, route.id, approved_at).await {
        Ok(_) => {}
        // No seat left on one of its courses: it stays a draft.
        Err(store::StoreError::Conflict(_)) => return Ok((false, false)),
        Err(e) => return Err(e.into()),
    }
    let Some(reviewer) = reviewer.filter(|_| matches!(n % 9, 1 | 2)) else {
        return Ok((true, false));
    };
    let done_at = now.min(approved_at + (1 + (n * 5) % 14) * day_ms);
    let mut completed = false;
    for (i, s) in route.steps.iter().enumerate() {
        if !s.step.mandatory {
            continue;
        }
        let evidence = store::NewEvidence {
            kind: store::EvidenceKind::Text,
            text: Some("Выполнено; материалы у заместителя директора по УВР.".into()),
            url: None,
            file_name: None,
            content_type: None,
            bytes: None,
        };
        store
            .submit_step(&route.teacher, route.id, i as u32, evidence, done_at)
            .await?;
        // The last mandatory step's confirmation completes the route.
        completed = store
            .review_step(reviewer, route.id, i as u32, true, None, done_at)
            .await?
            .status
            == store::RouteStatus::Completed;
    }
    Ok((true, completed))
}

// ---- timing ---------------------------------------------------------------------

struct Picked {
    methodist: Login,
    school: (SchoolCode, usize),
    municipality: (MunicipalityCode, usize),
}

/// A ЦНППМ methodist, and the school and municipality with most teachers.
async fn pick(store: &dyn Store) -> Result<Picked> {
    let directory = store.directory(&RegionAuthority::command_line()).await?;
    let methodist = directory
        .accounts
        .iter()
        .filter(|a| a.active && a.has(Role::CnppmMethodist))
        .map(|a| a.login.clone())
        .min()
        .ok_or_else(|| anyhow!("the region has no ЦНППМ methodist"))?;
    let municipality_of: HashMap<&SchoolCode, &MunicipalityCode> = directory
        .schools
        .iter()
        .map(|s| (&s.code, &s.municipality))
        .collect();
    let mut per_school: HashMap<&SchoolCode, usize> = HashMap::new();
    let mut per_municipality: HashMap<&MunicipalityCode, usize> = HashMap::new();
    for a in &directory.accounts {
        if a.active
            && a.has(Role::Teacher)
            && let Some(s) = &a.school
        {
            *per_school.entry(s).or_default() += 1;
            if let Some(m) = municipality_of.get(s) {
                *per_municipality.entry(m).or_default() += 1;
            }
        }
    }
    let school = per_school
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(s, n)| (s.clone(), n))
        .ok_or_else(|| anyhow!("the region has no teachers"))?;
    let municipality = per_municipality
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(m, n)| (m.clone(), n))
        .ok_or_else(|| anyhow!("the region has no municipalities"))?;
    Ok(Picked {
        methodist,
        school,
        municipality,
    })
}

/// One page's timings.
struct Timed {
    what: String,
    path: String,
    bytes: usize,
    times: Vec<Duration>,
}

impl Timed {
    fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        let n = t.len();
        if n % 2 == 1 {
            t[n / 2]
        } else {
            (t[n / 2 - 1] + t[n / 2]) / 2
        }
    }

    fn min(&self) -> Duration {
        self.times.iter().copied().min().unwrap_or_default()
    }

    fn max(&self) -> Duration {
        self.times.iter().copied().max().unwrap_or_default()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn get(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: &str,
    api: bool,
) -> Result<String> {
    let request = client.get(format!("{base}{path}"));
    let request = if api {
        request.bearer_auth(token)
    } else {
        request.header("cookie", format!("marshrut_session={token}"))
    };
    let response = request.send().await?;
    let status = response.status();
    let body = response.text().await?;
    if status != reqwest::StatusCode::OK {
        return Err(anyhow!(
            "GET {path}: {status}: {}",
            body.chars().take(300).collect::<String>()
        ));
    }
    Ok(body)
}

async fn time_page(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    what: &str,
    path: &str,
) -> Result<Timed> {
    let api = path.starts_with("/api/");
    let body = get(client, base, path, token, api).await?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        get(client, base, path, token, api).await?;
        times.push(t.elapsed());
    }
    Ok(Timed {
        what: what.to_string(),
        path: path.to_string(),
        bytes: body.len(),
        times,
    })
}

async fn time_dashboards(store: Arc<dyn Store>, name: &str, teachers: u32) -> Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let config = Config::new(&base);
    // Today's snapshot before the server starts, so that its own snapshot
    // task (which takes a missing one at once) does not run beside the
    // timings on a day after the setup.
    let taken =
        marshrut::dashboard::take_snapshot(store.as_ref(), config.today(), config.timezone).await?;
    if taken > 0 {
        eprintln!("Снимок показателей за сегодня: строк {taken}.");
    }
    let picked = pick(store.as_ref()).await?;
    let state = AppState::new(store.clone(), config).await?;
    let token = state.auth.issue(&picked.methodist)?.token;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(marshrut::launch(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    let (school, school_teachers) = &picked.school;
    let (municipality, municipality_teachers) = &picked.municipality;
    let pages = [
        ("регион".to_string(), "/indicators".to_string()),
        (
            format!("муниципалитет {municipality} ({municipality_teachers} педагогов)"),
            format!("/indicators/municipalities/{municipality}"),
        ),
        (
            format!("школа {school} ({school_teachers} педагогов)"),
            format!("/indicators/schools/{school}"),
        ),
        ("API, регион".to_string(), "/api/v1/indicators".to_string()),
    ];
    let mut timed = Vec::new();
    for (what, path) in &pages {
        eprintln!("Замер {path}…");
        timed.push(time_page(&client, &base, &token, what, path).await?);
    }
    let region: serde_json::Value =
        serde_json::from_str(&get(&client, &base, "/api/v1/indicators", &token, true).await?)?;
    let _ = stop.send(());
    server.await??;

    println!();
    println!(
        "Дашборды показателей: PostgreSQL, база {name}, {teachers} педагогов; \
         методист ЦНППМ {}; {RUNS} запросов после одного прогревочного",
        picked.methodist
    );
    // Other work on the machine slows every figure down: say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!(
            "Загрузка машины (loadavg за 1, 5, 15 мин): {}; ядер: {}",
            load.join(" "),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
    println!();
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9}  путь",
        "страница", "мин, мс", "медиана", "макс", "КБ"
    );
    for t in &timed {
        let median = t.median();
        println!(
            "{:<44} {:>9} {:>9} {:>9} {:>9}  {}{}",
            t.what,
            ms(t.min()),
            ms(median),
            ms(t.max()),
            t.bytes / 1024,
            t.path,
            if median > GOAL {
                "  (медиана выше цели 500 мс)"
            } else {
                ""
            }
        );
    }
    println!();
    println!(
        "Показатели региона ({} – {}):",
        region["scope"]["from"].as_str().unwrap_or("?"),
        region["scope"]["to"].as_str().unwrap_or("?")
    );
    for i in region["indicators"].as_array().into_iter().flatten() {
        println!(
            "  {:<26} {:>7} / {:<7} {}",
            i["indicator"].as_str().unwrap_or("?"),
            i["numerator"],
            i["denominator"],
            i["percent"]
                .as_f64()
                .map_or_else(|| "нет данных".to_string(), |p| format!("{p:.1} %"))
        );
    }
    Ok(())
}

//! `marshrut demo`: a fresh synthetic region in `data/demo.db`, served.
//!
//! The database is marked as the demo's when it is created; an existing
//! `data/demo.db` without that mark is never overwritten.

use std::path::{Path, PathBuf};

use domain::{Account, RegionAuthority, Role};
use store::Store;

use crate::auth::{hash_password_blocking, now_millis};
use crate::cli::{CliResult, refused};
use crate::state::Config;

pub const DEMO_DB: &str = "data/demo.db";
/// The one password all demo accounts share. Demo data only.
pub const DEMO_PASSWORD: &str = "demo-marshrut";
const DEMO_MARK: &str = "demo_database";
const SEED: u64 = 2026;

/// The banks the product ships, built into the binary so that `demo` works
/// from any directory.
const SHIPPED_BANKS: [(&str, &str); 4] = [
    (
        "pedagogy-core.toml",
        include_str!("../../../assessment-banks/pedagogy-core.toml"),
    ),
    (
        "math-methods.toml",
        include_str!("../../../assessment-banks/math-methods.toml"),
    ),
    (
        "russian-methods.toml",
        include_str!("../../../assessment-banks/russian-methods.toml"),
    ),
    (
        "management.toml",
        include_str!("../../../assessment-banks/management.toml"),
    ),
];

/// Deletes a previous demo database, refusing one the demo did not make.
async fn clear_previous(path: &Path) -> CliResult {
    if !path.exists() {
        return Ok(());
    }
    let url = format!("sqlite://{}", path.display());
    let marked = match store_sqlite::SqliteStore::connect(&url).await {
        Ok(s) => {
            let mark = s.setting(DEMO_MARK).await.ok().flatten();
            s.close().await;
            mark.as_deref() == Some("yes")
        }
        Err(e) => {
            return refused(format!(
                "Не удалось открыть прежнюю демонстрационную базу {}: {e}. \
                 Удалите её сами (rm {}*) и запустите demo снова.",
                path.display(),
                path.display()
            ));
        }
    };
    if !marked {
        return refused(format!(
            "{} существует, но создан не командой demo; не перезаписываю его. \
             Переместите или удалите файл сами.",
            path.display()
        ));
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}

/// One account of each role, from a school that shows the product best:
/// a school with a cluster flag and the most teachers.
fn pick_accounts(directory: &store::Directory) -> Vec<Account> {
    let mut picked: Vec<Account> = Vec::new();
    let flagged: std::collections::HashSet<_> = directory
        .schools
        .iter()
        .filter(|s| !s.clusters.is_empty())
        .map(|s| s.code.clone())
        .collect();
    let mut teachers_per_school = std::collections::HashMap::new();
    for a in &directory.accounts {
        if a.has(Role::Teacher)
            && let Some(s) = &a.school
        {
            *teachers_per_school.entry(s.clone()).or_insert(0usize) += 1;
        }
    }
    let showcase = teachers_per_school
        .iter()
        .filter(|(s, _)| flagged.contains(*s))
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(s, _)| s.clone());
    let in_showcase = |a: &&Account| showcase.is_some() && a.school == showcase;
    let mut take = |pred: &dyn Fn(&&Account) -> bool| {
        if let Some(a) = directory
            .accounts
            .iter()
            .filter(|a| a.active && !picked.iter().any(|p| p.login == a.login))
            .find(pred)
        {
            picked.push(a.clone());
        }
    };
    take(&|a| a.has(Role::Admin));
    take(&|a| a.has(Role::CnppmMethodist));
    take(&|a| a.has(Role::MunicipalCoordinator));
    take(&|a| a.has(Role::Principal) && in_showcase(a));
    take(&|a| a.has(Role::DeputyHead) && in_showcase(a));
    take(&|a| a.roles == [Role::Teacher].into() && in_showcase(a));
    take(&|a| a.has(Role::Mentor));
    picked
}

pub async fn run(addr: &str, teachers: u32) -> CliResult {
    let path = PathBuf::from(DEMO_DB);
    clear_previous(&path).await?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let url = format!("sqlite://{}", path.display());
    let store = crate::cli::open(&url).await?;
    store.set_setting(DEMO_MARK, "yes").await?;
    store
        .set_setting(
            crate::web_routes::REGION_NAME_KEY,
            "Смоленская область (демонстрационные данные)",
        )
        .await?;
    let public_url = format!("http://{addr}");
    store
        .set_setting(crate::cli::PUBLIC_URL_SETTING, &public_url)
        .await?;

    let config = Config::new(&public_url);
    let work = tempfile_dir()?;
    eprintln!("Создаю синтетический регион ({teachers} педагогов)…");
    gen_region::generate(&gen_region::Options {
        teachers,
        seed: SEED,
        as_of: config.today(),
        out: work.clone(),
        progress: true,
    })?;
    for kind in ["municipalities", "schools", "staff", "methodists"] {
        let file = work.join(format!("{kind}.csv"));
        let report =
            crate::import::run(store.as_ref(), kind, &file, false, None, &config, true).await?;
        eprintln!("  {kind}: создано {}", report.created);
    }

    let directory = store.directory(&RegionAuthority::command_line()).await?;
    let accounts = pick_accounts(&directory);
    eprintln!("Загружаю банки и провожу демонстрационные диагностики…");
    demo_diagnostics(store.clone(), &config, &directory, &accounts).await?;
    // Diagnostics taken on the federal platform, as regions import them.
    let report = crate::import::run(
        store.as_ref(),
        "results",
        &work.join("results.csv"),
        false,
        None,
        &config,
        true,
    )
    .await?;
    eprintln!("  results: диагностик {}", report.created);
    let report = crate::import::run(
        store.as_ref(),
        "catalogue",
        &work.join("catalogue.csv"),
        false,
        None,
        &config,
        true,
    )
    .await?;
    eprintln!("  catalogue: мероприятий {}", report.created);
    let matched = demo_matching(store.as_ref(), &config, &accounts).await?;
    eprintln!(
        "  подбор: методистов назначено {}, ждут решения {}; консультаций {}; школ-наставников назначено {}, ждут решения {}",
        matched.0, matched.1, matched.2, matched.3, matched.4
    );
    let (items, marked, overdue) = demo_roadmap(store.as_ref(), &config, &work, &accounts).await?;
    eprintln!("  дорожная карта: пунктов {items}, выполнено {marked}, просрочено {overdue}");
    let banks = crate::import::current_banks(store.as_ref()).await?;
    let generated = crate::iom::generate_routes(
        store.as_ref(),
        &RegionAuthority::command_line(),
        &banks,
        config.today(),
        &crate::iom::Group::All,
    )
    .await?;
    eprintln!("  маршруты: черновиков {}", generated.counts.created);
    let shown = demo_routes(store.as_ref(), &directory, &accounts).await?;
    eprintln!(
        "  маршруты: утверждено {}, ждут подтверждения {}, выполнено {}",
        shown.0, shown.1, shown.2
    );
    let set = demo_targets(store.as_ref(), &config, &directory).await?;
    eprintln!("  целевые значения: задано {set} (остальные — по умолчанию из дорожных карт)");
    let entered = demo_custom(store.as_ref(), &config, &directory, &accounts).await?;
    eprintln!("  показатели координаторов: значений введено {entered}");
    let today = config.today();
    let from = domain::indicators::school_year(today).from;
    let bar = indicatif::ProgressBar::new((today - from).num_days() as u64 + 1);
    let written =
        crate::dashboard::backfill(store.as_ref(), from, today, config.timezone, |_| bar.inc(1))
            .await
            .map_err(|f| anyhow::anyhow!("{f}"));
    bar.finish_and_clear();
    eprintln!(
        "  снимки показателей с {}: строк {}",
        from.format("%d.%m.%Y"),
        written?
    );
    let _ = std::fs::remove_dir_all(&work);
    let hash = tokio::task::spawn_blocking(|| hash_password_blocking(DEMO_PASSWORD))
        .await?
        .map_err(|f| anyhow::anyhow!("{f}"))?;
    let now = now_millis();
    for a in &accounts {
        store.set_password(&a.login, &hash, now).await?;
    }
    print_accounts(&accounts, &public_url);
    crate::cli::serve(store, addr, &public_url).await
}

/// The region's own targets on top of the seeds' defaults: the share of
/// routes assigned and of diagnostics taken (which the seeds set no number
/// for), and a stricter route-completion target for one municipality.
/// Answers how many were set.
async fn demo_targets(
    store: &dyn Store,
    config: &Config,
    directory: &store::Directory,
) -> CliResult<usize> {
    use domain::indicators::{Indicator, Percent, Where, school_year};
    let due = Some(school_year(config.today()).to);
    let pct = |p: &str| Percent::parse(p).expect("a demo threshold");
    let mut rows = vec![
        store::NewTarget {
            indicator: Indicator::RouteAssigned,
            threshold: pct("60"),
            at: Where::Region,
            due_on: due,
        },
        store::NewTarget {
            indicator: Indicator::DiagnosticsCoverage,
            threshold: pct("90"),
            at: Where::Region,
            due_on: due,
        },
        store::NewTarget {
            indicator: Indicator::Growth,
            threshold: pct("30"),
            at: Where::Region,
            due_on: due,
        },
    ];
    if let Some(m) = directory.municipalities.first() {
        rows.push(store::NewTarget {
            indicator: Indicator::RouteCompletion,
            threshold: pct("80"),
            at: Where::Municipality(m.code.clone()),
            due_on: due,
        });
    }
    let n = rows.len();
    store
        .apply_targets(&RegionAuthority::command_line(), rows, now_millis())
        .await?;
    Ok(n)
}

/// A custom indicator the seeds set a target on and the product does not
/// record — the share of schools with low results connected to the
/// «500+» project (≥ 75 %) — with values the coordinators entered for
/// some municipalities (the demo coordinator's own among them), each with
/// the document that confirms it. Answers how many values were entered.
async fn demo_custom(
    store: &dyn Store,
    config: &Config,
    directory: &store::Directory,
    accounts: &[Account],
) -> CliResult<usize> {
    use domain::indicators::{Percent, Share, school_year};
    let year = school_year(config.today());
    let defined = store
        .define_custom_indicator(
            &RegionAuthority::command_line(),
            store::NewCustomIndicator {
                code: "school_500".into(),
                title: "Школы с низкими результатами, подключённые к проекту «500+»".into(),
                description: "Из школ ШНОР и ШсРНР муниципалитета — доля подключённых к \
                              федеральному проекту адресной помощи «500+»"
                    .into(),
                threshold: Some(Percent::parse("75").expect("a demo threshold")),
                due_on: Some(year.to),
                active: true,
            },
            now_millis(),
        )
        .await?;
    let caller_of = |a: &Account| domain::Caller {
        login: a.login.clone(),
        full_name: a.full_name.clone(),
        roles: a.roles.clone(),
        school: a.school.clone(),
        municipality: a.municipality.clone(),
    };
    let coordinator = accounts.iter().find(|a| a.has(Role::MunicipalCoordinator));
    let methodist = accounts
        .iter()
        .find(|a| a.has(Role::CnppmMethodist))
        .ok_or_else(|| anyhow::anyhow!("the demo region has no ЦНППМ methodist"))?;
    let mut entered = 0;
    for (n, m) in directory.municipalities.iter().enumerate() {
        let own = coordinator.filter(|c| c.municipality.as_ref() == Some(&m.code));
        // Every third municipality has reported, and the coordinator's own.
        if own.is_none() && n % 3 != 0 {
            continue;
        }
        let flagged = directory
            .schools
            .iter()
            .filter(|s| s.active && s.municipality == m.code && !s.clusters.is_empty())
            .count() as u64;
        if flagged == 0 {
            continue;
        }
        let connected = (flagged * (2 + n as u64 % 3)).div_ceil(4).min(flagged);
        let caller = caller_of(own.unwrap_or(methodist));
        store
            .add_custom_value(
                &caller,
                store::NewCustomValue {
                    indicator_id: defined.id,
                    municipality: Some(m.code.clone()),
                    as_of: config.today() - chrono::Days::new(3 + n as u64 % 20),
                    share: Share {
                        numerator: connected,
                        denominator: flagged,
                    },
                    evidence: format!(
                        "Письмо органа управления образованием № {}-{} о школах проекта «500+»",
                        100 + n,
                        year.from.format("%Y")
                    ),
                },
                now_millis(),
            )
            .await?;
        entered += 1;
    }
    Ok(entered)
}

/// The roadmap the project ships (`demo/roadmap.txt`, written the way
/// regions write theirs), imported for the current school year; items whose
/// time has passed are marked done by the ЦНППМ methodist, except one left
/// overdue so the page shows how it stands out. Answers (items, done,
/// overdue).
async fn demo_roadmap(
    store: &dyn Store,
    config: &Config,
    work: &Path,
    accounts: &[Account],
) -> CliResult<(usize, usize, usize)> {
    use chrono::Datelike;
    let today = config.today();
    let start_year = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let period = format!("{start_year}-09-01..{}-08-31", start_year + 1);
    let file = work.join("roadmap.txt");
    std::fs::write(&file, include_str!("../demo/roadmap.txt"))?;
    crate::roadmap::import(store, &file, Some(&period), false, false).await?;
    let methodist = accounts
        .iter()
        .find(|a| a.has(Role::CnppmMethodist))
        .map(|a| a.login.clone())
        .ok_or_else(|| anyhow::anyhow!("the demo region has no ЦНППМ methodist"))?;
    let rows = store.roadmap(today).await?;
    let (mut marked, mut overdue) = (0, 0);
    let mut left_one = false;
    for r in &rows {
        if crate::roadmap::item_status(r, today) != domain::roadmap::ItemStatus::Overdue {
            continue;
        }
        if !left_one {
            left_one = true;
            overdue += 1;
            continue;
        }
        store
            .mark_roadmap_item(
                &methodist,
                r.id,
                true,
                Some(
                    "Выполнено: материалы размещены на сайте ЦНППМ (демонстрационные данные)."
                        .into(),
                ),
                now_millis(),
            )
            .await?;
        marked += 1;
    }
    Ok((rows.len(), marked, overdue))
}

/// Matching in every state: the ЦНППМ methodist ran both matchings and
/// accepted most proposals — the demo mentor's all, with a few
/// consultations logged — and left the rest waiting on the board. Answers
/// (methodist assignments, waiting, consultations, mentor-school pairs,
/// waiting).
async fn demo_matching(
    store: &dyn Store,
    config: &Config,
    accounts: &[Account],
) -> CliResult<(u32, usize, usize, u32, usize)> {
    let methodist = accounts
        .iter()
        .find(|a| a.has(Role::CnppmMethodist))
        .map(|a| a.login.clone())
        .ok_or_else(|| anyhow::anyhow!("the demo region has no ЦНППМ methodist"))?;
    let mentor = accounts.iter().find(|a| a.has(Role::Mentor));
    let auth = RegionAuthority::for_route_work(&domain::Caller {
        login: methodist.clone(),
        full_name: String::new(),
        roles: [Role::CnppmMethodist].into(),
        school: None,
        municipality: None,
    })
    .expect("a ЦНППМ methodist works on routes");
    let today = config.today();
    let now = now_millis();
    let failed = |f: crate::error::Failure| anyhow::anyhow!("{f}");

    let (m, _) = crate::matching::propose_methodists(store, &auth, today)
        .await
        .map_err(failed)?;
    crate::matching::save_methodist_run(store, &auth, &m, now)
        .await
        .map_err(failed)?;
    // Every fifth proposal waits for a decision; the mentor's all go through.
    let chosen: Vec<domain::Login> = m
        .assignments
        .iter()
        .enumerate()
        .filter(|(n, a)| n % 5 != 4 || mentor.is_some_and(|t| t.login == a.methodist))
        .map(|(_, a)| a.teacher.clone())
        .collect();
    let waiting = m.assignments.len() - chosen.len();
    let applied = crate::matching::apply_methodists(store, &auth, &m, Some(&chosen), now)
        .await
        .map_err(failed)?;

    let mut consultations = 0;
    if let Some(mentor) = mentor {
        let mentees = crate::matching::active_methodists(store, &domain::Scope::region())
            .await
            .map_err(failed)?;
        let topics = [
            (
                "очно",
                "Разбор результатов диагностики и плана ИОМ",
                "Определены приоритетные дефициты, согласован план на полугодие.",
            ),
            (
                "посещение урока",
                "Посещение урока: организация работы с отстающими обучающимися",
                "Даны рекомендации по дифференциации заданий.",
            ),
            (
                "дистанционно",
                "Подготовка к открытому уроку",
                "Согласован конспект урока.",
            ),
        ];
        for (n, teacher) in mentees
            .iter()
            .filter(|(_, m)| **m == mentor.login)
            .map(|(t, _)| t)
            .enumerate()
        {
            for (k, (form, topic, result)) in topics.iter().enumerate().take(1 + n % 3) {
                store
                    .add_consultation(
                        &mentor.login,
                        store::NewConsultation {
                            teacher: teacher.clone(),
                            held_on: today - chrono::Days::new(7 * (3 - k as u64)),
                            form: (*form).into(),
                            topic: (*topic).into(),
                            result: (*result).into(),
                        },
                        now,
                    )
                    .await?;
                consultations += 1;
            }
        }
    }

    let (s, facts) = crate::matching::propose_schools(store, &auth)
        .await
        .map_err(failed)?;
    crate::matching::save_school_run(store, &auth, &s, now)
        .await
        .map_err(failed)?;
    let chosen: Vec<domain::SchoolCode> = s
        .assignments
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 4 != 3)
        .map(|(_, a)| a.school.clone())
        .collect();
    let schools_waiting = s.assignments.len() - chosen.len();
    let schools = crate::matching::apply_schools(
        store,
        &auth,
        &s,
        Some(&chosen),
        facts.policy.mentor_capacity,
        now,
    )
    .await
    .map_err(failed)?;
    Ok((
        applied.counts.started,
        waiting,
        consultations,
        schools.counts.started,
        schools_waiting,
    ))
}

/// Routes in every state: the showcase school's drafts approved, half of
/// them with a step waiting for the deputy head; across the region every
/// third draft approved and every sixth completed (each mandatory step
/// marked by the teacher and confirmed by the school's deputy head). The
/// rest stay drafts for the ЦНППМ methodist. Answers (approved, waiting,
/// completed).
async fn demo_routes(
    store: &dyn Store,
    directory: &store::Directory,
    accounts: &[Account],
) -> CliResult<(usize, usize, usize)> {
    let methodist = accounts
        .iter()
        .find(|a| a.has(Role::CnppmMethodist))
        .map(|a| a.login.clone())
        .ok_or_else(|| anyhow::anyhow!("the demo region has no ЦНППМ methodist"))?;
    let showcase = accounts
        .iter()
        .find(|a| a.has(Role::DeputyHead))
        .and_then(|a| a.school.clone());
    let school_of: std::collections::HashMap<_, _> = directory
        .accounts
        .iter()
        .filter_map(|a| a.school.clone().map(|s| (a.login.clone(), s)))
        .collect();
    let reviewer_at = |school: &domain::SchoolCode| {
        directory
            .accounts
            .iter()
            .find(|a| {
                a.active
                    && a.school.as_ref() == Some(school)
                    && (a.has(Role::DeputyHead) || a.has(Role::Principal))
            })
            .map(|a| a.login.clone())
    };
    let drafts = store
        .routes_where(&domain::Scope::region(), &store::RouteFilter::default())
        .await?;
    let (mut approved, mut waiting, mut completed) = (0, 0, 0);
    // Routes were approved and steps confirmed over the past weeks, not all
    // today: the dashboards' history (backfilled from these facts) shows
    // the pace of the work.
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let now = now_millis();
    for (n, route) in drafts.iter().enumerate() {
        let approved_at = now - (20 + (n as i64 * 7) % 60) * DAY;
        let done_at = approved_at + (1 + (n as i64 * 5) % 18) * DAY;
        let school = school_of.get(&route.teacher);
        let in_showcase = school.is_some() && school == showcase.as_ref();
        if !in_showcase && n % 3 != 0 {
            continue;
        }
        if store
            .approve_route(&methodist, route.id, approved_at)
            .await
            .is_err()
        {
            // No seat left on one of its courses: it stays a draft.
            continue;
        }
        approved += 1;
        let Some(reviewer) = school.and_then(reviewer_at) else {
            continue;
        };
        let evidence = || store::NewEvidence {
            kind: store::EvidenceKind::Text,
            text: Some("Выполнено; материалы у заместителя директора по УВР.".into()),
            url: None,
            file_name: None,
            content_type: None,
            bytes: None,
        };
        if in_showcase && n % 2 == 0 {
            store
                .submit_step(&route.teacher, route.id, 0, evidence(), now)
                .await?;
            waiting += 1;
        } else if !in_showcase && n % 6 == 0 {
            for (i, s) in route.steps.iter().enumerate() {
                if s.step.mandatory {
                    store
                        .submit_step(&route.teacher, route.id, i as u32, evidence(), done_at)
                        .await?;
                    store
                        .review_step(&reviewer, route.id, i as u32, true, None, done_at)
                        .await?;
                }
            }
            completed += 1;
        }
    }
    Ok((approved, waiting, completed))
}

fn tempfile_dir() -> CliResult<PathBuf> {
    let dir = std::env::temp_dir().join(format!("marshrut-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn print_accounts(accounts: &[Account], public_url: &str) {
    println!();
    println!("=== ДЕМОНСТРАЦИОННЫЕ ДАННЫЕ: синтетический регион, все люди вымышлены ===");
    println!("Откройте {public_url}/ и войдите под любой из учётных записей.");
    println!("Общий пароль демо-учётных записей: {DEMO_PASSWORD}");
    println!();
    println!("{:<24} {:<34} ФИО", "логин", "роли");
    for a in accounts {
        let roles: Vec<&str> = a.roles.iter().map(|r| r.title()).collect();
        println!(
            "{:<24} {:<34} {}",
            a.login.as_str(),
            roles.join(", "),
            a.full_name
        );
    }
    println!();
}

/// A response to `item`: right, or plausibly wrong.
fn simulated_response(item: &domain::Item, right: bool) -> domain::Response {
    use domain::{ItemKind, Response};
    match (&item.kind, right) {
        (ItemKind::Single { answer, .. }, true) => Response::Index(*answer),
        (ItemKind::Single { options, answer }, false) => {
            Response::Index((answer + 1) % options.len())
        }
        (ItemKind::Multiple { answer, .. }, true) => Response::Indices(answer.clone()),
        (ItemKind::Multiple { options, answer }, false) => Response::Indices(
            (0..options.len())
                .filter(|i| !answer.contains(i))
                .take(1)
                .collect(),
        ),
        (ItemKind::Matching { answer, .. }, true) => Response::Pairs(answer.clone()),
        (ItemKind::Matching { answer, .. }, false) => {
            let n = answer.len();
            Response::Pairs(
                (0..n)
                    .map(|i| (answer[i].0, answer[(i + 1) % n].1))
                    .collect(),
            )
        }
        (ItemKind::Ordering { answer, .. }, true) => Response::Indices(answer.clone()),
        (ItemKind::Ordering { answer, .. }, false) => {
            Response::Indices(answer.iter().rev().copied().collect())
        }
        (ItemKind::Numeric { value, .. }, true) => Response::Number(value.clone()),
        (ItemKind::Numeric { .. }, false) => {
            Response::Number(domain::Decimal::parse("-99999").expect("a number"))
        }
        (ItemKind::Text { accepted }, true) => Response::Text(accepted[0].clone()),
        (ItemKind::Text { .. }, false) => Response::Text("не знаю".into()),
    }
}

/// The shipped banks, an open campaign for every teacher, and finished
/// diagnostics at every level: online attempts for about a tenth of the
/// teachers (the demo teacher keeps hers to take now), and for the demo
/// mentor an imported diagnostic a year ago besides a current one.
async fn demo_diagnostics(
    store: std::sync::Arc<dyn store::Store>,
    config: &Config,
    directory: &store::Directory,
    shown: &[Account],
) -> CliResult {
    use rand::{Rng, SeedableRng};

    let mut with_sources = Vec::new();
    for (name, text) in SHIPPED_BANKS {
        let bank = banks::parse(name, text).map_err(|e| anyhow::anyhow!("shipped bank: {e}"))?;
        with_sources.push((bank, name.to_string(), text.to_string()));
    }
    let auth = RegionAuthority::command_line();
    crate::diagnostics::load_banks(store.as_ref(), &auth, with_sources)
        .await
        .map_err(|f| anyhow::anyhow!("{f}"))?;
    let today = config.today();
    let version = store
        .current_bank_version("pedagogy-core")
        .await?
        .ok_or_else(|| anyhow::anyhow!("pedagogy-core is not loaded"))?;
    let campaign = store
        .create_campaign(
            None,
            store::NewCampaign {
                title: "Диагностика профессиональных дефицитов педагогов".into(),
                bank_version_id: version.id,
                opens_on: today - chrono::Days::new(14),
                closes_on: today + chrono::Days::new(30),
                audience: "all".into(),
            },
            now_millis(),
        )
        .await?;

    let service =
        crate::diagnostics::Diagnostics::new(store.clone(), std::sync::Arc::new(config.clone()));
    let bank = service
        .bank(version.id)
        .await
        .map_err(|f| anyhow::anyhow!("{f}"))?;
    let keep_free: std::collections::HashSet<_> = shown
        .iter()
        .filter(|a| a.roles == [Role::Teacher].into())
        .map(|a| a.login.clone())
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let teachers: Vec<&Account> = directory
        .accounts
        .iter()
        .filter(|a| a.active && a.has(Role::Teacher) && !keep_free.contains(&a.login))
        .collect();
    let count = (teachers.len() / 10).max(8);
    let bar = indicatif::ProgressBar::new(count as u64);
    for (n, account) in teachers
        .iter()
        .step_by((teachers.len() / count).max(1))
        .take(count)
        .enumerate()
    {
        // Abilities spread over every level: critical, high, reduced, none.
        let ability: f64 = [0.25, 0.5, 0.7, 0.92][n % 4] + rng.random_range(-0.08..0.08);
        let caller = domain::Caller {
            login: account.login.clone(),
            full_name: account.full_name.clone(),
            roles: account.roles.clone(),
            school: account.school.clone(),
            municipality: account.municipality.clone(),
        };
        let (attempt, _) = service
            .start(&caller, campaign)
            .await
            .map_err(|f| anyhow::anyhow!("{f}"))?;
        let form =
            crate::diagnostics::Diagnostics::form(&attempt).map_err(|f| anyhow::anyhow!("{f}"))?;
        for f in &form.items {
            let item = bank.item(&f.id).expect("form items are the bank's");
            let response = simulated_response(item, rng.random_bool(ability.clamp(0.0, 1.0)));
            let json = serde_json::to_string(&response)?;
            store
                .save_response(
                    attempt.id,
                    &f.id,
                    &json,
                    now_millis(),
                    crate::diagnostics::grace_ms(),
                )
                .await?;
        }
        service
            .finish(attempt.id, store::AttemptStatus::Submitted)
            .await
            .map_err(|f| anyhow::anyhow!("{f}"))?;
        bar.inc(1);
    }
    bar.finish_and_clear();

    // The demo mentor took the diagnostic a year ago too (imported from
    // the federal platform), so the profile shows the change.
    if let Some(mentor) = shown.iter().find(|a| a.has(Role::Mentor)) {
        let caller = domain::Caller {
            login: mentor.login.clone(),
            full_name: mentor.full_name.clone(),
            roles: mentor.roles.clone(),
            school: mentor.school.clone(),
            municipality: mentor.municipality.clone(),
        };
        let mut earlier = std::collections::BTreeMap::new();
        for item in &bank.items {
            earlier.insert(
                item.id.clone(),
                simulated_response(item, rng.random_bool(0.45)),
            );
        }
        let profile = domain::score_attempt(&bank, &earlier).map_err(|e| anyhow::anyhow!("{e}"))?;
        let taken_on = today - chrono::Days::new(360);
        let mut diagnostic =
            crate::diagnostics::diagnostic_of(&mentor.login, &bank, version.id, taken_on, &profile)
                .map_err(|f| anyhow::anyhow!("{f}"))?;
        diagnostic.source = store::DiagnosticSource::Import;
        diagnostic.bank_version_id = None;
        store
            .import_diagnostics(&auth, vec![diagnostic], now_millis())
            .await?;
        if store.attempt_for(campaign, &mentor.login).await?.is_none() {
            let (attempt, _) = service
                .start(&caller, campaign)
                .await
                .map_err(|f| anyhow::anyhow!("{f}"))?;
            let form = crate::diagnostics::Diagnostics::form(&attempt)
                .map_err(|f| anyhow::anyhow!("{f}"))?;
            for f in &form.items {
                let item = bank.item(&f.id).expect("form items are the bank's");
                let json = serde_json::to_string(&simulated_response(item, rng.random_bool(0.75)))?;
                store
                    .save_response(
                        attempt.id,
                        &f.id,
                        &json,
                        now_millis(),
                        crate::diagnostics::grace_ms(),
                    )
                    .await?;
            }
            service
                .finish(attempt.id, store::AttemptStatus::Submitted)
                .await
                .map_err(|f| anyhow::anyhow!("{f}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_carries_every_shipped_bank() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        files.sort();
        let mut built_in: Vec<String> = SHIPPED_BANKS.iter().map(|(n, _)| n.to_string()).collect();
        built_in.sort();
        assert_eq!(files, built_in);
        for (name, text) in SHIPPED_BANKS {
            banks::parse(name, text).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

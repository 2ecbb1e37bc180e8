//! `marshrut demo`: a fresh synthetic region in `data/demo.db`, served.
//!
//! The database is marked as the demo's when it is created; an existing
//! `data/demo.db` without that mark is never overwritten.

use std::path::{Path, PathBuf};

use domain::{Account, RegionAuthority, Role};
use store::Store as _;

use crate::auth::{hash_password_blocking, now_millis};
use crate::cli::{CliResult, refused};
use crate::state::Config;

pub const DEMO_DB: &str = "data/demo.db";
/// The one password all demo accounts share. Demo data only.
pub const DEMO_PASSWORD: &str = "demo-marshrut";
const DEMO_MARK: &str = "demo_database";
const SEED: u64 = 2026;

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
    let _ = std::fs::remove_dir_all(&work);

    let directory = store.directory(&RegionAuthority::command_line()).await?;
    let accounts = pick_accounts(&directory);
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

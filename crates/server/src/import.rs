//! `marshrut import KIND FILE`: read, validate, merge, write — all or nothing.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use domain::RegionAuthority;
use indicatif::{ProgressBar, ProgressStyle};
use store::Store;

use crate::auth::{Auth, now_millis};
use crate::cli::{CliError, CliResult, refused};
use crate::state::Config;

/// What an import did, printed for the operator.
#[derive(Debug, Clone)]
pub struct Report {
    pub kind: String,
    pub file: String,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub invitations: usize,
    pub invitations_file: Option<String>,
    pub warnings: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in &self.warnings {
            writeln!(f, "Предупреждение: {w}")?;
        }
        let head = if self.dry_run {
            "Проверка без записи"
        } else {
            "Импорт выполнен"
        };
        write!(
            f,
            "{head} ({}, {}): создано {}, изменено {}, без изменений {}.",
            self.kind, self.file, self.created, self.updated, self.unchanged
        )?;
        if self.invitations > 0 {
            match &self.invitations_file {
                Some(p) => write!(
                    f,
                    "\nСсылки-приглашения ({}) записаны в {p}.",
                    self.invitations
                )?,
                None if self.dry_run => {
                    write!(f, "\nБудет создано приглашений: {}.", self.invitations)?
                }
                None => write!(
                    f,
                    "\nСоздано приглашений: {}. Ссылки не сохранены: укажите --invitations-out ФАЙЛ \
                     или выдайте приглашения на странице школы.",
                    self.invitations
                )?,
            }
        }
        Ok(())
    }
}

pub fn spinner(show: bool, message: &'static str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

pub async fn run(
    store: &dyn Store,
    kind: &str,
    file: &Path,
    dry_run: bool,
    invitations_out: Option<&Path>,
    config: &Config,
    progress: bool,
) -> CliResult<Report> {
    match kind {
        "roadmap" => {
            return refused(
                "import roadmap: укажите период дорожной карты: --period 2025-09-01..2026-08-31",
            );
        }
        "results" => return run_results(store, file, dry_run, config, progress).await,
        "catalogue" => return run_catalogue(store, file, dry_run, progress).await,
        "trainings" => return run_trainings(store, file, dry_run, progress).await,
        "targets" => return run_targets(store, file, dry_run, progress).await,
        _ => {}
    }
    let Some(parsed_kind) = imports::Kind::parse(kind) else {
        return refused(format!(
            "Неизвестный вид импорта «{kind}». Допустимы: municipalities, schools, staff, methodists, results, catalogue, trainings, targets, roadmap"
        ));
    };
    let (file_name, bytes) = read_file(file)?;
    let auth = RegionAuthority::command_line();

    let bar = spinner(progress, "Чтение базы данных…");
    let existing = store.directory(&auth).await?;
    bar.set_message("Проверка файла…");
    let plan = imports::plan(parsed_kind, &file_name, &bytes, &existing);
    bar.finish_and_clear();
    let mut plan = match plan {
        Ok(p) => p,
        Err(errors) => {
            return Err(CliError::Refused(format!(
                "{errors}\nИмпорт не выполнен: исправьте строки выше; ничего не записано."
            )));
        }
    };

    let mut report = Report {
        kind: parsed_kind.as_str().to_string(),
        file: file_name,
        dry_run,
        created: plan.created,
        updated: plan.updated,
        unchanged: plan.unchanged,
        invitations: plan.created_accounts.len(),
        invitations_file: None,
        warnings: plan.warnings.clone(),
    };
    if dry_run {
        return Ok(report);
    }

    // One invitation per account this import creates.
    let mut links = Vec::with_capacity(plan.created_accounts.len());
    for login in &plan.created_accounts {
        let (token, invitation) = Auth::invitation(login);
        links.push((
            login.clone(),
            config.invitation_link(&token),
            invitation.expires_at,
        ));
        plan.changes.invitations.push(invitation);
    }
    let accounts_by_login: std::collections::HashMap<_, _> = plan
        .changes
        .accounts
        .iter()
        .map(|a| (a.login.clone(), (a.full_name.clone(), a.school.clone())))
        .collect();

    // Write the links first: if the file cannot be written, nothing is imported.
    let mut pending_file = None;
    if let Some(path) = invitations_out.filter(|_| !links.is_empty()) {
        let tmp = path.with_extension("csv.part");
        let mut w = match csv::Writer::from_path(&tmp) {
            Ok(w) => w,
            Err(e) => return refused(format!("Не удалось создать файл {}: {e}", path.display())),
        };
        w.write_record(["login", "full_name", "school", "link", "expires"])?;
        for (login, link, expires) in &links {
            let (name, school) = accounts_by_login.get(login).cloned().unwrap_or_default();
            let expires = chrono::DateTime::from_timestamp_millis(*expires)
                .map(|t| {
                    t.with_timezone(&config.timezone)
                        .format("%d.%m.%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            w.write_record([
                login.as_str(),
                name.as_str(),
                school.as_ref().map(|s| s.as_str()).unwrap_or(""),
                link.as_str(),
                expires.as_str(),
            ])?;
        }
        w.flush()?;
        pending_file = Some((tmp, path.to_path_buf()));
    }

    let bar = spinner(progress, "Запись в базу данных…");
    let applied = store
        .apply_directory(&auth, plan.changes, now_millis())
        .await;
    bar.finish_and_clear();
    if let Err(e) = applied {
        if let Some((tmp, _)) = &pending_file {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(match e {
            store::StoreError::Conflict(c) => {
                CliError::Refused(format!("Импорт не выполнен, ничего не записано: {c}"))
            }
            other => CliError::Internal(other.into()),
        });
    }
    if let Some((tmp, path)) = pending_file {
        std::fs::rename(&tmp, &path)?;
        report.invitations_file = Some(path.display().to_string());
    }
    Ok(report)
}

/// `import results`: diagnostics taken on another platform, against the
/// banks loaded now; all or nothing.
async fn run_results(
    store: &dyn Store,
    file: &Path,
    dry_run: bool,
    config: &Config,
    progress: bool,
) -> CliResult<Report> {
    let (file_name, bytes) = read_file(file)?;
    let auth = RegionAuthority::command_line();
    let bar = spinner(progress, "Чтение базы данных…");
    let existing = store.directory(&auth).await?;
    let banks = current_banks(store).await?;
    bar.set_message("Проверка файла…");
    let plan = imports::plan_results_on(&file_name, &bytes, &banks, &existing, config.today());
    bar.finish_and_clear();
    let plan = match plan {
        Ok(p) => p,
        Err(errors) => {
            return Err(CliError::Refused(format!(
                "{errors}\nИмпорт не выполнен: исправьте строки выше; ничего не записано."
            )));
        }
    };
    let mut report = Report {
        kind: "results".into(),
        file: file_name,
        dry_run,
        created: plan.diagnostics.len(),
        updated: 0,
        unchanged: 0,
        invitations: 0,
        invitations_file: None,
        warnings: plan.warnings.clone(),
    };
    if dry_run {
        return Ok(report);
    }
    let bar = spinner(progress, "Запись в базу данных…");
    let counts = store
        .import_diagnostics(&auth, plan.diagnostics, now_millis())
        .await;
    bar.finish_and_clear();
    let counts = counts.map_err(|e| match e {
        store::StoreError::Conflict(c) => {
            CliError::Refused(format!("Импорт не выполнен, ничего не записано: {c}"))
        }
        other => CliError::Internal(other.into()),
    })?;
    report.created = counts.inserted as usize;
    report.updated = counts.updated as usize;
    report.unchanged = counts.unchanged as usize;
    Ok(report)
}

/// The file's name (for error locations) and its bytes.
fn read_file(file: &Path) -> CliResult<(String, Vec<u8>)> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return refused(format!("Не удалось прочитать файл {}: {e}", file.display())),
    };
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    Ok((file_name, bytes))
}

/// The current version of every loaded bank, parsed (newest load first per
/// bank). Imports of results and of the catalogue check against these.
pub async fn current_banks(store: &dyn Store) -> CliResult<Vec<domain::Bank>> {
    let mut banks = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for v in store.bank_versions().await? {
        // Newest load first: the first of each bank is its current version.
        if seen.insert(v.bank_id.clone())
            && let Some(full) = store.bank_version(v.id).await?
            && let Some(source) = full.source
        {
            let bank = banks::parse(&full.file_name, &source)
                .map_err(|e| anyhow::anyhow!("stored bank {} no longer parses: {e}", v.bank_id))?;
            banks.push(bank);
        }
    }
    Ok(banks)
}

async fn run_catalogue(
    store: &dyn Store,
    file: &Path,
    dry_run: bool,
    progress: bool,
) -> CliResult<Report> {
    let (file_name, bytes) = read_file(file)?;
    let auth = RegionAuthority::command_line();
    let bar = spinner(progress, "Чтение базы данных…");
    let directory = store.directory(&auth).await?;
    let existing = store.catalogue().await?;
    let banks = current_banks(store).await?;
    bar.set_message("Проверка файла…");
    let plan = imports::plan_catalogue(&file_name, &bytes, &existing, &banks, &directory);
    bar.finish_and_clear();
    let plan = plan.map_err(|errors| {
        CliError::Refused(format!(
            "{errors}\nИмпорт не выполнен: исправьте строки выше; ничего не записано."
        ))
    })?;
    let report = Report {
        kind: "catalogue".into(),
        file: file_name,
        dry_run,
        created: plan.created,
        updated: plan.updated,
        unchanged: plan.unchanged,
        invitations: 0,
        invitations_file: None,
        warnings: plan.warnings.clone(),
    };
    if dry_run || plan.changes.is_empty() {
        return Ok(report);
    }
    let bar = spinner(progress, "Запись в базу данных…");
    let applied = store
        .apply_catalogue(&auth, plan.changes, now_millis())
        .await;
    bar.finish_and_clear();
    applied.map_err(|e| match e {
        store::StoreError::Conflict(c) => {
            CliError::Refused(format!("Импорт не выполнен, ничего не записано: {c}"))
        }
        other => CliError::Internal(other.into()),
    })?;
    Ok(report)
}

/// The refusal of a file with wrong rows.
fn refused_rows(errors: imports::ImportErrors) -> CliError {
    CliError::Refused(format!(
        "{errors}\nИмпорт не выполнен: исправьте строки выше; ничего не записано."
    ))
}

/// A store refusal as the operator's, anything else as internal.
fn refused_write(e: store::StoreError) -> CliError {
    match e {
        store::StoreError::Conflict(c) => {
            CliError::Refused(format!("Импорт не выполнен, ничего не записано: {c}"))
        }
        other => CliError::Internal(other.into()),
    }
}

/// `import trainings`: further training completed outside routes, merged
/// on (login, title, completed_on); all or nothing.
async fn run_trainings(
    store: &dyn Store,
    file: &Path,
    dry_run: bool,
    progress: bool,
) -> CliResult<Report> {
    let (file_name, bytes) = read_file(file)?;
    let auth = RegionAuthority::command_line();
    let bar = spinner(progress, "Чтение базы данных…");
    let directory = store.directory(&auth).await?;
    let existing = store.trainings(&auth).await?;
    bar.set_message("Проверка файла…");
    let plan = imports::plan_trainings(&file_name, &bytes, &existing, &directory);
    bar.finish_and_clear();
    let plan = plan.map_err(refused_rows)?;
    let report = Report {
        kind: "trainings".into(),
        file: file_name,
        dry_run,
        created: plan.created,
        updated: plan.updated,
        unchanged: plan.unchanged,
        invitations: 0,
        invitations_file: None,
        warnings: plan.warnings.clone(),
    };
    if dry_run || plan.changes.is_empty() {
        return Ok(report);
    }
    let bar = spinner(progress, "Запись в базу данных…");
    let applied = store
        .apply_trainings(&auth, plan.changes, now_millis())
        .await;
    bar.finish_and_clear();
    applied.map_err(refused_write)?;
    Ok(report)
}

/// `import targets`: the indicators' targets, merged on (indicator, scope,
/// code); all or nothing.
async fn run_targets(
    store: &dyn Store,
    file: &Path,
    dry_run: bool,
    progress: bool,
) -> CliResult<Report> {
    let (file_name, bytes) = read_file(file)?;
    let auth = RegionAuthority::command_line();
    let bar = spinner(progress, "Чтение базы данных…");
    let directory = store.directory(&auth).await?;
    let existing = store.targets().await?;
    bar.set_message("Проверка файла…");
    let plan = imports::plan_targets(&file_name, &bytes, &existing, &directory);
    bar.finish_and_clear();
    let plan = plan.map_err(refused_rows)?;
    let report = Report {
        kind: "targets".into(),
        file: file_name,
        dry_run,
        created: plan.created,
        updated: plan.updated,
        unchanged: plan.unchanged,
        invitations: 0,
        invitations_file: None,
        warnings: plan.warnings.clone(),
    };
    if dry_run || plan.changes.is_empty() {
        return Ok(report);
    }
    let bar = spinner(progress, "Запись в базу данных…");
    let applied = store.apply_targets(&auth, plan.changes, now_millis()).await;
    bar.finish_and_clear();
    applied.map_err(refused_write)?;
    Ok(report)
}

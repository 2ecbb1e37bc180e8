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

fn spinner(show: bool, message: &'static str) -> ProgressBar {
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
    let Some(parsed_kind) = imports::Kind::parse(kind) else {
        return refused(format!(
            "Неизвестный вид импорта «{kind}». Допустимы: municipalities, schools, staff, methodists"
        ));
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return refused(format!("Не удалось прочитать файл {}: {e}", file.display())),
    };
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
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

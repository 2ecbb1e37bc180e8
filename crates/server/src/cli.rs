//! The `marshrut` command (`../shared/spec/cli.md`).
//!
//! Exit status: 0 success; 1 bad input or a refused action, with a message
//! that says what to do; 2 wrong usage (clap reports it); 3 an internal
//! error. Messages go to stderr, data to stdout.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use domain::{Account, Login, MunicipalityCode, RegionAuthority, Role, SchoolCode, TeacherAttrs};
use store::{DirectoryChanges, Store};

use crate::auth::{Auth, check_new_password, hash_password_blocking, now_millis};
use crate::state::{AppState, Config};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/marshrut.db";
pub const PUBLIC_URL_SETTING: &str = "public_url";

#[derive(Debug, Parser)]
#[command(
    name = "marshrut",
    version,
    about = "Маршрут — адресное методическое сопровождение школ с низкими образовательными результатами"
)]
struct Cli {
    /// База данных: sqlite://ПУТЬ или postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Создаёт демонстрационную базу data/demo.db и запускает сервер
    Demo {
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: String,
        /// Число педагогов в синтетическом регионе
        #[arg(long, default_value_t = 2000)]
        teachers: u32,
    },
    /// Запускает веб-приложение и JSON API
    Serve {
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: String,
        /// Адрес, по которому сервер доступен пользователям (для ссылок-приглашений)
        #[arg(long, env = "MARSHRUT_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Применяет миграции базы данных и завершает работу
    Migrate,
    /// Учётные записи
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Импорт реестров региона (CSV или XLSX)
    Import {
        /// municipalities | schools | staff | methodists | results | catalogue | trainings | targets | roadmap
        kind: String,
        file: PathBuf,
        /// Проверить файл, ничего не записывая
        #[arg(long)]
        dry_run: bool,
        /// Записать ссылки-приглашения для созданных учётных записей в CSV
        #[arg(long)]
        invitations_out: Option<PathBuf>,
        /// Период дорожной карты (для roadmap): ГГГГ-ММ-ДД..ГГГГ-ММ-ДД
        #[arg(long)]
        period: Option<String>,
    },
    /// Банки оценочных материалов: проверка, загрузка, подсчёт результата
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
    /// Диагностические кампании
    Campaign {
        #[command(subcommand)]
        command: CampaignCommand,
    },
    /// Индивидуальные образовательные маршруты (ИОМ)
    Routes {
        #[command(subcommand)]
        command: RoutesCommand,
    },
    /// Подбор региональных методистов педагогам и школ-наставников школам
    Match {
        #[command(subcommand)]
        command: MatchCommand,
    },
    /// Отчёты: показатели и дорожная карта
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Снимок показателей за сегодня (для динамики и прогноза на панелях);
    /// с --from — и за каждый пропущенный день с этой даты
    Snapshot {
        /// Первый день, за который снять пропущенные снимки
        #[arg(long)]
        from: Option<NaiveDate>,
    },
    /// Создаёт синтетический регион в виде файлов импорта
    GenRegion {
        #[arg(long)]
        teachers: u32,
        #[arg(long)]
        seed: u64,
        /// Дата, относительно которой строятся даты (по умолчанию сегодня)
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum BankCommand {
    /// Проверяет файлы банков; каждая ошибка — «файл:строка: что не так»
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Загружает банки из папки (по умолчанию assessment-banks/) в базу данных
    Load { dir: Option<PathBuf> },
    /// Подсчитывает результат по файлу ответов (без базы данных) и печатает профиль в JSON
    Score { file: PathBuf, answers: PathBuf },
}

#[derive(Debug, Subcommand)]
enum RoutesCommand {
    /// Предлагает черновики маршрутов всем, кому они нужны (или одному педагогу)
    Generate {
        /// Логин педагога: маршрут только ему, на любом уровне дефицитов
        #[arg(long)]
        teacher: Option<String>,
        /// Напечатать предложения в JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Показатели (imports.md) с целевыми значениями: регион, муниципалитет или школа
    Indicators {
        /// Код муниципалитета
        #[arg(long, conflicts_with = "school")]
        municipality: Option<String>,
        /// Код ОО
        #[arg(long)]
        school: Option<String>,
        /// Начало периода (по умолчанию — текущий учебный год)
        #[arg(long, requires = "to")]
        from: Option<NaiveDate>,
        /// Конец периода, включительно
        #[arg(long, requires = "from")]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
        /// Файл для отчёта (по умолчанию — стандартный вывод; для xlsx обязателен)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Дорожная карта с контрольными точками и статусом каждого пункта
    Roadmap {
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
        /// Файл для отчёта (по умолчанию — стандартный вывод; для xlsx обязателен)
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum MatchCommand {
    /// Региональные методисты ↔ педагоги
    Methodists {
        /// Записать назначения (иначе только предложить)
        #[arg(long)]
        apply: bool,
        /// Напечатать предложения в JSON
        #[arg(long)]
        json: bool,
    },
    /// Школы-наставники ↔ школы
    Schools {
        /// Записать назначения (иначе только предложить)
        #[arg(long)]
        apply: bool,
        /// Напечатать предложения в JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum CampaignCommand {
    /// Открывает диагностическую кампанию на текущей версии банка
    Open {
        /// Идентификатор банка (bank.id)
        #[arg(long)]
        bank: String,
        #[arg(long)]
        title: String,
        /// Первый день (по умолчанию сегодня)
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Последний день включительно (по умолчанию через 30 дней после начала)
        #[arg(long)]
        to: Option<NaiveDate>,
        /// all | clusters:Ф|Ф | students_low_results | schools:К|К | municipalities:К|К | roles:Р|Р
        #[arg(long, default_value = "all")]
        audience: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Создаёт учётную запись и печатает одноразовую ссылку-приглашение
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        full_name: String,
        /// Роль (можно несколько): teacher, deputy_head, principal, municipal_coordinator, cnppm_methodist, admin
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        school: Option<String>,
        #[arg(long)]
        municipality: Option<String>,
        /// Прочитать пароль из стандартного ввода вместо ссылки-приглашения
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Why a command failed, and so its exit status.
#[derive(Debug)]
pub enum CliError {
    /// Bad input or a refused action (exit 1); the message says what to do.
    Refused(String),
    /// Something broke (exit 3).
    Internal(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError::Internal(e.into())
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

pub fn refused<T>(message: impl Into<String>) -> CliResult<T> {
    Err(CliError::Refused(message.into()))
}

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // One JSON object a line for log collectors: MARSHRUT_LOG_FORMAT=json.
    let _ = if std::env::var("MARSHRUT_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve { .. } | Command::Demo { .. });
    init_tracing(if serving { "info,sqlx=warn" } else { "warn" });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Внутренняя ошибка: не удалось запустить среду выполнения: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Refused(message)) => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
        Err(CliError::Internal(e)) => {
            eprintln!("Внутренняя ошибка: {e:#}");
            ExitCode::from(3)
        }
    }
}

async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Demo { addr, teachers } => crate::demo::run(&addr, teachers).await,
        Command::Serve { addr, public_url } => {
            let store = open(&cli.database_url).await?;
            let public_url = match public_url {
                Some(u) => {
                    store.set_setting(PUBLIC_URL_SETTING, &u).await?;
                    u
                }
                None => public_url_of(store.as_ref(), &addr).await?,
            };
            serve(store, &addr, &public_url).await
        }
        Command::Migrate => {
            let store = open(&cli.database_url).await?;
            eprintln!("Миграции применены ({}).", store.backend());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    login,
                    full_name,
                    roles,
                    school,
                    municipality,
                    password_stdin,
                },
        } => {
            let store = open(&cli.database_url).await?;
            user_add(
                store.as_ref(),
                &login,
                &full_name,
                &roles,
                school.as_deref(),
                municipality.as_deref(),
                password_stdin,
            )
            .await
        }
        Command::Import {
            kind,
            file,
            dry_run,
            invitations_out,
            period,
        } => {
            let store = open(&cli.database_url).await?;
            if kind == "roadmap" {
                let report =
                    crate::roadmap::import(store.as_ref(), &file, period.as_deref(), dry_run, true)
                        .await?;
                eprintln!("{report}");
                return Ok(());
            }
            let public_url = public_url_of(store.as_ref(), "127.0.0.1:3000").await?;
            let report = crate::import::run(
                store.as_ref(),
                &kind,
                &file,
                dry_run,
                invitations_out.as_deref(),
                &Config::new(&public_url),
                true,
            )
            .await?;
            eprintln!("{report}");
            Ok(())
        }
        Command::Bank { command } => match command {
            BankCommand::Check { files } => bank_check(&files),
            BankCommand::Score { file, answers } => bank_score(&file, &answers),
            BankCommand::Load { dir } => {
                let store = open(&cli.database_url).await?;
                bank_load(store.as_ref(), dir.as_deref()).await
            }
        },
        Command::Campaign {
            command:
                CampaignCommand::Open {
                    bank,
                    title,
                    from,
                    to,
                    audience,
                    json,
                },
        } => {
            let store = open(&cli.database_url).await?;
            campaign_open(store.as_ref(), &bank, &title, from, to, &audience, json).await
        }
        Command::Routes {
            command: RoutesCommand::Generate { teacher, json },
        } => {
            let store = open(&cli.database_url).await?;
            routes_generate(store.as_ref(), teacher.as_deref(), json).await
        }
        Command::Report {
            command:
                ReportCommand::Indicators {
                    municipality,
                    school,
                    from,
                    to,
                    format,
                    out,
                },
        } => {
            let store = open(&cli.database_url).await?;
            report_indicators(
                store.as_ref(),
                municipality.as_deref(),
                school.as_deref(),
                from.zip(to),
                format,
                out.as_deref(),
            )
            .await
        }
        Command::Report {
            command: ReportCommand::Roadmap { format, out },
        } => {
            let store = open(&cli.database_url).await?;
            report_roadmap(store.as_ref(), format, out.as_deref()).await
        }
        Command::Match { command } => {
            let store = open(&cli.database_url).await?;
            match command {
                MatchCommand::Methodists { apply, json } => {
                    match_methodists(store.as_ref(), apply, json).await
                }
                MatchCommand::Schools { apply, json } => {
                    match_schools(store.as_ref(), apply, json).await
                }
            }
        }
        Command::Snapshot { from } => {
            let store = open(&cli.database_url).await?;
            snapshot(store.as_ref(), from).await
        }
        Command::GenRegion {
            teachers,
            seed,
            as_of,
            out,
        } => {
            if teachers == 0 {
                return refused("--teachers должно быть больше нуля");
            }
            let as_of = as_of.unwrap_or_else(|| Config::new("").today());
            let summary = gen_region::generate(&gen_region::Options {
                teachers,
                seed,
                as_of,
                out: out.clone(),
                progress: true,
            })?;
            eprintln!(
                "Синтетический регион записан в {}: {summary}.",
                out.display()
            );
            Ok(())
        }
    }
}

pub async fn open(url: &str) -> CliResult<Arc<dyn Store>> {
    crate::open_store(url).await.map_err(|e| {
        CliError::Refused(format!(
            "Не удалось открыть базу данных {}: {e:#}",
            redact(url)
        ))
    })
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn public_url_of(store: &dyn Store, addr: &str) -> CliResult<String> {
    if let Ok(u) = std::env::var("MARSHRUT_PUBLIC_URL") {
        return Ok(u);
    }
    Ok(match store.setting(PUBLIC_URL_SETTING).await? {
        Some(u) => u,
        None => format!("http://{addr}"),
    })
}

pub async fn serve(store: Arc<dyn Store>, addr: &str, public_url: &str) -> CliResult {
    let state = AppState::new(store, Config::new(public_url))
        .await
        .map_err(|f| anyhow::anyhow!("{f}"))?;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            return refused(format!(
                "Не удалось занять адрес {addr}: {e}. Укажите другой: --addr 127.0.0.1:ПОРТ"
            ));
        }
    };
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, backend = state.store.backend(), "serving");
    eprintln!("Маршрут работает: http://{local}/ (остановить: Ctrl+C)");
    crate::launch(listener, state, crate::shutdown_signal()).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn user_add(
    store: &dyn Store,
    login: &str,
    full_name: &str,
    roles: &[String],
    school: Option<&str>,
    municipality: Option<&str>,
    password_stdin: bool,
) -> CliResult {
    let login = Login::parse(login).map_err(|e| CliError::Refused(format!("--login: {e}")))?;
    let full_name = full_name.trim();
    if full_name.is_empty() {
        return refused("--full-name: ФИО не может быть пустым");
    }
    let mut role_set = std::collections::BTreeSet::new();
    for r in roles {
        let role = Role::parse(r).map_err(|e| CliError::Refused(format!("--role {r}: {e}")))?;
        if role == Role::Mentor {
            return refused(
                "--role mentor: роль регионального методиста назначается импортом методистов (marshrut import methodists)",
            );
        }
        role_set.insert(role);
    }
    let auth = RegionAuthority::command_line();
    let directory = store.directory(&auth).await?;
    if directory.accounts.iter().any(|a| a.login == login) {
        return refused(format!("Учётная запись {login} уже существует"));
    }
    let school = match school {
        Some(code) => {
            let code =
                SchoolCode::parse(code).map_err(|e| CliError::Refused(format!("--school: {e}")))?;
            if !directory.schools.iter().any(|s| s.code == code) {
                return refused(format!(
                    "--school: ОО с кодом {code} не найдена; сначала импортируйте ОО"
                ));
            }
            Some(code)
        }
        None => None,
    };
    let municipality = match municipality {
        Some(code) => {
            let code = MunicipalityCode::parse(code)
                .map_err(|e| CliError::Refused(format!("--municipality: {e}")))?;
            if !directory.municipalities.iter().any(|m| m.code == code) {
                return refused(format!(
                    "--municipality: муниципалитет с кодом {code} не найден; сначала импортируйте муниципалитеты"
                ));
            }
            Some(code)
        }
        None => None,
    };
    let account = Account {
        login: login.clone(),
        full_name: full_name.to_string(),
        roles: role_set,
        school,
        municipality,
        attrs: TeacherAttrs::default(),
        active: true,
    };
    account
        .check_placement()
        .map_err(|e| CliError::Refused(e.0))?;

    let password = if password_stdin {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input)?;
        let password = input.trim_end_matches(['\r', '\n']).to_string();
        check_new_password(&password, &password).map_err(CliError::Refused)?;
        Some(password)
    } else {
        None
    };

    let mut changes = DirectoryChanges {
        accounts: vec![account],
        audit_action: format!("user add: {login}"),
        ..DirectoryChanges::default()
    };
    let mut link = None;
    if password.is_none() {
        let (token, invitation) = Auth::invitation(&login);
        changes.invitations.push(invitation);
        let public_url = public_url_of(store, "127.0.0.1:3000").await?;
        link = Some(Config::new(&public_url).invitation_link(&token));
    }
    let now = now_millis();
    store.apply_directory(&auth, changes, now).await?;
    if let Some(password) = password {
        let hash = tokio::task::spawn_blocking(move || hash_password_blocking(&password))
            .await?
            .map_err(|f| anyhow::anyhow!("{f}"))?;
        store.set_password(&login, &hash, now).await?;
        eprintln!("Учётная запись {login} создана, пароль установлен.");
    }
    if let Some(link) = link {
        eprintln!(
            "Учётная запись {login} создана. Одноразовая ссылка для установки пароля (действует 14 дней):"
        );
        println!("{link}");
    }
    Ok(())
}

fn bank_check(files: &[PathBuf]) -> CliResult {
    match banks::load_files(files) {
        Ok(found) => {
            for b in &found {
                eprintln!(
                    "{}: «{}» версии {} в порядке (компетенций {}, заданий {})",
                    b.id,
                    b.title,
                    b.version,
                    b.competences.len(),
                    b.items.len()
                );
            }
            Ok(())
        }
        Err(errors) => refused(format!("{errors}\nИсправьте ошибки выше.")),
    }
}

fn bank_score(file: &Path, answers: &Path) -> CliResult {
    let bank = banks::load_file(file).map_err(|e| CliError::Refused(e.to_string()))?;
    let json = std::fs::read_to_string(answers).map_err(|e| {
        CliError::Refused(format!("Не удалось прочитать {}: {e}", answers.display()))
    })?;
    let profile = banks::score_file(&bank, &json)
        .map_err(|e| CliError::Refused(format!("{}: {e}", answers.display())))?;
    println!("{}", serde_json::to_string_pretty(&profile)?);
    Ok(())
}

async fn bank_load(store: &dyn Store, dir: Option<&Path>) -> CliResult {
    let dir = dir.unwrap_or(Path::new("assessment-banks"));
    let found = banks::load_dir(dir)
        .map_err(|e| CliError::Refused(format!("{e}\nНичего не загружено.")))?;
    if found.is_empty() {
        return refused(format!("В {} нет файлов банков (*.toml)", dir.display()));
    }
    let mut sources = bank_sources(dir)?;
    let mut with_sources = Vec::new();
    for bank in found {
        let (file_name, source) = sources
            .remove(&bank.content_hash)
            .ok_or_else(|| anyhow::anyhow!("the file of bank {} vanished", bank.id))?;
        with_sources.push((bank, file_name, source));
    }
    let auth = RegionAuthority::command_line();
    match crate::diagnostics::load_banks(store, &auth, with_sources).await {
        Ok(loaded) => {
            for (id, version, load) in loaded {
                let what = match load {
                    store::BankLoad::Inserted(_) => "загружен",
                    store::BankLoad::Unchanged(_) => "уже загружен, без изменений",
                };
                eprintln!("{id} {version}: {what}");
            }
            Ok(())
        }
        Err(crate::error::Failure::Conflict(message)) => refused(message),
        Err(e) => Err(CliError::Internal(anyhow::anyhow!("{e}"))),
    }
}

/// The bank files of `dir` by content hash (what `Bank::content_hash`
/// holds), with their names and text, to store beside each parsed bank.
fn bank_sources(dir: &Path) -> CliResult<std::collections::HashMap<String, (String, String)>> {
    let mut sources = std::collections::HashMap::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let bytes = std::fs::read(&path)?;
            let hash = crate::auth::sha256_hex(&bytes);
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            sources.insert(hash, (name, text));
        }
    }
    Ok(sources)
}

#[allow(clippy::too_many_arguments)]
async fn routes_generate(store: &dyn Store, teacher: Option<&str>, json: bool) -> CliResult {
    let only = match teacher {
        Some(t) => {
            let login =
                Login::parse(t).map_err(|e| CliError::Refused(format!("--teacher: {e}")))?;
            let known = store
                .account(&domain::Scope::region(), &login)
                .await?
                .is_some_and(|a| a.has(Role::Teacher));
            if !known {
                return refused(format!("--teacher: педагога с логином «{login}» нет"));
            }
            Some(login)
        }
        None => None,
    };
    let bar = crate::import::spinner(true, "Подбор мероприятий…");
    let banks = crate::import::current_banks(store).await?;
    let today = Config::new("").today();
    let generated = crate::iom::generate_routes(
        store,
        &RegionAuthority::command_line(),
        &banks,
        today,
        &only.map_or(crate::iom::Group::All, crate::iom::Group::Teacher),
    )
    .await;
    bar.finish_and_clear();
    let generated = generated?;
    if json {
        println!("{}", crate::iom::proposals_json(&generated.proposals));
    }
    let c = generated.counts;
    let uncovered: usize = generated.proposals.iter().map(|p| p.uncovered.len()).sum();
    let kept = generated.kept + (c.kept_approved + c.kept_edited) as usize;
    eprintln!(
        "Черновиков маршрутов: {} (новых {}, обновлено {}). Не тронуты утверждённые и изменённые вручную: {kept}. Непокрытых дефицитов: {uncovered}.",
        generated.proposals.len(),
        c.created,
        c.replaced,
    );
    Ok(())
}

/// Writes a report's bytes to `out`, or to standard output.
fn write_report(bytes: &[u8], out: Option<&Path>, what: &str) -> CliResult {
    match out {
        Some(path) => {
            std::fs::write(path, bytes)?;
            eprintln!("{what}: записано в {}", path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(bytes)?;
        }
    }
    Ok(())
}

async fn report_indicators(
    store: &dyn Store,
    municipality: Option<&str>,
    school: Option<&str>,
    period: Option<(NaiveDate, NaiveDate)>,
    format: ReportFormat,
    out: Option<&Path>,
) -> CliResult {
    use domain::indicators::{Where, school_year};
    let region = domain::Scope::region();
    let at = match (municipality, school) {
        (Some(m), _) => {
            let code = domain::MunicipalityCode::parse(m)
                .map_err(|e| CliError::Refused(format!("--municipality: {e}")))?;
            if !store
                .municipalities(&region)
                .await?
                .iter()
                .any(|x| x.municipality.code == code)
            {
                return refused(format!(
                    "--municipality: муниципалитета с кодом «{code}» нет"
                ));
            }
            Where::Municipality(code)
        }
        (None, Some(s)) => {
            let code = domain::SchoolCode::parse(s)
                .map_err(|e| CliError::Refused(format!("--school: {e}")))?;
            if store.school(&region, &code).await?.is_none() {
                return refused(format!("--school: ОО с кодом «{code}» нет"));
            }
            Where::School(code)
        }
        (None, None) => Where::Region,
    };
    let config = Config::new("");
    let today = config.today();
    let period = match period {
        Some((from, to)) if to < from => {
            return refused("--to: последний день раньше первого");
        }
        Some((from, to)) => domain::Period { from, to },
        None => school_year(today),
    };
    if format == ReportFormat::Xlsx && out.is_none() {
        return refused("--format xlsx: укажите файл: --out indicators.xlsx");
    }
    let school_municipality = match &at {
        Where::School(code) => store
            .school(&region, code)
            .await?
            .map(|s| s.school.municipality),
        _ => None,
    };
    let bar = crate::import::spinner(true, "Подсчёт показателей…");
    let board = crate::dashboard::board(
        store,
        &at,
        school_municipality.as_ref(),
        period,
        today,
        config.timezone,
    )
    .await;
    bar.finish_and_clear();
    let lines = crate::web_dashboard::lines_of(&board.map_err(refusal_or_internal)?);
    let bytes = match format {
        ReportFormat::Json => {
            let mut text = crate::indicators::report_json(&at, period, &lines).to_string();
            text.push('\n');
            text.into_bytes()
        }
        ReportFormat::Csv => crate::indicators::report_csv(&lines),
        ReportFormat::Xlsx => {
            crate::indicators::report_xlsx(&at, period, &lines).map_err(|e| anyhow::anyhow!(e))?
        }
    };
    write_report(&bytes, out, "Показатели")
}

async fn snapshot(store: &dyn Store, from: Option<NaiveDate>) -> CliResult {
    let config = Config::new("");
    let today = config.today();
    let from = from.unwrap_or(today);
    if from > today {
        return refused("--from: дата в будущем; снимки снимаются за прошедшие дни и сегодня");
    }
    let days = (today - from).num_days() as u64 + 1;
    let bar = indicatif::ProgressBar::new(days);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "Снимки показателей {bar:30} {pos}/{len} [{elapsed}]",
        )
        .expect("valid template"),
    );
    let written = crate::dashboard::backfill(store, from, today, config.timezone, |_| bar.inc(1))
        .await
        .map_err(refusal_or_internal);
    bar.finish_and_clear();
    let written = written?;
    eprintln!(
        "Снимки показателей за {} – {}: записано строк: {written}.",
        from.format("%d.%m.%Y"),
        today.format("%d.%m.%Y")
    );
    Ok(())
}

async fn report_roadmap(store: &dyn Store, format: ReportFormat, out: Option<&Path>) -> CliResult {
    let today = Config::new("").today();
    let rows = store.roadmap(today).await?;
    if rows.is_empty() {
        return refused(
            "Дорожная карта на текущий период не загружена: marshrut import roadmap ФАЙЛ --period ГГГГ-ММ-ДД..ГГГГ-ММ-ДД",
        );
    }
    let bytes = match format {
        ReportFormat::Json => {
            let mut text = crate::roadmap::roadmap_json(&rows, today).to_string();
            text.push('\n');
            text.into_bytes()
        }
        ReportFormat::Csv => crate::roadmap::roadmap_csv(&rows, today),
        ReportFormat::Xlsx => {
            if out.is_none() {
                return refused("--format xlsx: укажите файл: --out roadmap.xlsx");
            }
            crate::roadmap::roadmap_xlsx(&rows, today).map_err(|e| anyhow::anyhow!(e))?
        }
    };
    let overdue = rows
        .iter()
        .filter(|r| crate::roadmap::item_status(r, today) == domain::roadmap::ItemStatus::Overdue)
        .count();
    write_report(
        &bytes,
        out,
        &format!(
            "Дорожная карта: пунктов {}, просрочено {overdue}",
            rows.len()
        ),
    )
}

/// A refused action exits with 1 and its message; anything else is internal.
fn refusal_or_internal(e: crate::error::Failure) -> CliError {
    match e {
        crate::error::Failure::Conflict(message) => CliError::Refused(message),
        other => CliError::Internal(anyhow::anyhow!("{other}")),
    }
}

/// What a match run prints on stderr, in a person's words.
fn match_summary(kept: usize, new: usize, unassigned: usize, ended: usize) -> String {
    format!("сохраняются {kept}, новых {new}, без назначения {unassigned}, завершаются {ended}")
}

async fn match_methodists(store: &dyn Store, apply: bool, json: bool) -> CliResult {
    let auth = RegionAuthority::command_line();
    let bar = crate::import::spinner(true, "Подбор методистов…");
    let today = Config::new("").today();
    let proposed = crate::matching::propose_methodists(store, &auth, today).await;
    bar.finish_and_clear();
    let (m, _) = proposed?;
    if json {
        println!("{}", crate::matching::methodists_json(&m));
    }
    let kept = m.assignments.iter().filter(|a| a.kept).count();
    let summary = match_summary(
        kept,
        m.assignments.len() - kept,
        m.unassigned.len(),
        m.endings.len(),
    );
    if apply {
        let applied = crate::matching::apply_methodists(store, &auth, &m, None, now_millis())
            .await
            .map_err(refusal_or_internal)?;
        eprintln!(
            "Методисты назначены: {summary}. Записано новых: {}, завершено: {}.",
            applied.counts.started, applied.ended
        );
    } else {
        crate::matching::save_methodist_run(store, &auth, &m, now_millis()).await?;
        eprintln!(
            "Предложение (не записано; --apply записывает, принять можно и на странице «Подбор»): {summary}."
        );
    }
    Ok(())
}

async fn match_schools(store: &dyn Store, apply: bool, json: bool) -> CliResult {
    let auth = RegionAuthority::command_line();
    let (m, facts) = crate::matching::propose_schools(store, &auth).await?;
    if json {
        println!("{}", crate::matching::schools_json(&m));
    }
    let kept = m.assignments.iter().filter(|a| a.kept).count();
    let summary = match_summary(
        kept,
        m.assignments.len() - kept,
        m.unassigned.len(),
        m.endings.len(),
    );
    if apply {
        let applied = crate::matching::apply_schools(
            store,
            &auth,
            &m,
            None,
            facts.policy.mentor_capacity,
            now_millis(),
        )
        .await
        .map_err(refusal_or_internal)?;
        eprintln!(
            "Школы-наставники назначены: {summary}. Записано новых: {}, завершено: {}.",
            applied.counts.started, applied.ended
        );
    } else {
        crate::matching::save_school_run(store, &auth, &m, now_millis()).await?;
        eprintln!(
            "Предложение (не записано; --apply записывает, принять можно и на странице «Подбор»): {summary}."
        );
    }
    Ok(())
}

async fn campaign_open(
    store: &dyn Store,
    bank_id: &str,
    title: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    audience: &str,
    json: bool,
) -> CliResult {
    let title = title.trim();
    if title.is_empty() {
        return refused("--title: название кампании не может быть пустым");
    }
    let audience = domain::Audience::parse(audience)
        .map_err(|e| CliError::Refused(format!("--audience: {e}")))?;
    let Some(version) = store.current_bank_version(bank_id).await? else {
        return refused(format!(
            "--bank: банк «{bank_id}» не загружен; загрузите его: marshrut bank load"
        ));
    };
    let today = Config::new("").today();
    let from = from.unwrap_or(today);
    let to = to.unwrap_or(from + chrono::Days::new(30));
    if to < from {
        return refused("--to: последний день раньше первого");
    }
    let id = store
        .create_campaign(
            None,
            store::NewCampaign {
                title: title.to_string(),
                bank_version_id: version.id,
                opens_on: from,
                closes_on: to,
                audience: audience.to_string(),
            },
            now_millis(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(m) => CliError::Refused(m),
            other => CliError::Internal(other.into()),
        })?;
    if json {
        println!("{}", serde_json::json!({ "id": id }));
    } else {
        eprintln!(
            "Кампания «{title}» открыта: банк {bank_id} {}, {} – {}, аудитория: {}.",
            version.version,
            from.format("%d.%m.%Y"),
            to.format("%d.%m.%Y"),
            audience.describe()
        );
        println!("{id}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@db:5432/x"),
            "postgres://u:***@db:5432/x"
        );
        assert_eq!(redact("sqlite://data/m.db"), "sqlite://data/m.db");
    }

    #[test]
    fn usage_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

//! Test harness: the real server on port 0 over a fresh database, a small
//! region with one account per role, and HTTP clients that act as them.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use domain::{
    Account, ClusterFlag, Login, Methodist, Municipality, MunicipalityCode, RegionAuthority, Role,
    School, SchoolCode, TeacherAttrs,
};
use marshrut::{AppState, Config};
use reqwest::redirect::Policy;
use store::{DirectoryChanges, Store};

pub const PASSWORD: &str = "test-password-1";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    /// The database URL, for tests that must reach past the store (moving
    /// a deadline into the past).
    pub database_url: String,
    pub store: Arc<dyn Store>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<store_postgres::testing::TempDatabase>,
}

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| marshrut::auth::hash_password_blocking(PASSWORD).expect("hash"))
}

pub fn login(s: &str) -> Login {
    Login::parse(s).unwrap()
}
pub fn school_code(s: &str) -> SchoolCode {
    SchoolCode::parse(s).unwrap()
}
pub fn muni_code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn school(code: &str, muni: &str, name: &str, clusters: &[ClusterFlag]) -> School {
    School {
        code: school_code(code),
        municipality: muni_code(muni),
        name: name.into(),
        short_name: None,
        clusters: clusters.iter().copied().collect(),
        rural: false,
        critical_monitoring: false,
        mentor_school: false,
        mentor_capacity: None,
        active: true,
    }
}

fn person(
    l: &str,
    name: &str,
    roles: &[Role],
    school: Option<&str>,
    muni: Option<&str>,
) -> Account {
    Account {
        login: login(l),
        full_name: name.into(),
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
        school: school.map(school_code),
        municipality: muni.map(muni_code),
        attrs: TeacherAttrs {
            subjects: vec!["Математика".into()],
            ..TeacherAttrs::default()
        },
        active: true,
    }
}

/// Two municipalities: m1 with schools s1 and s2, m2 with s3. One account
/// per role; the school staff work in s1, the coordinator in m1.
pub fn region() -> DirectoryChanges {
    DirectoryChanges {
        municipalities: vec![
            Municipality {
                code: muni_code("m1"),
                name: "Ярцевский район".into(),
            },
            Municipality {
                code: muni_code("m2"),
                name: "город Смоленск".into(),
            },
        ],
        schools: vec![
            school(
                "s1",
                "m1",
                "МБОУ Ярцевская СШ № 1",
                &[ClusterFlag::LowResults],
            ),
            school("s2", "m1", "МБОУ Ярцевская СШ № 2", &[]),
            school(
                "s3",
                "m2",
                "МБОУ \"Средняя школа № 33\" города Смоленска",
                &[ClusterFlag::AdverseConditions],
            ),
        ],
        accounts: vec![
            person(
                "teacher1",
                "Иванова Анна Петровна",
                &[Role::Teacher],
                Some("s1"),
                None,
            ),
            person(
                "teacher2",
                "Петров Пётр Сергеевич",
                &[Role::Teacher],
                Some("s2"),
                None,
            ),
            person(
                "teacher3",
                "Сидорова Мария Ивановна",
                &[Role::Teacher],
                Some("s3"),
                None,
            ),
            person(
                "deputy1",
                "Кузнецова Ольга Викторовна",
                &[Role::Teacher, Role::DeputyHead],
                Some("s1"),
                None,
            ),
            person(
                "principal1",
                "Смирнов Андрей Павлович",
                &[Role::Principal],
                Some("s1"),
                None,
            ),
            person(
                "coord1",
                "Волкова Елена Николаевна",
                &[Role::MunicipalCoordinator],
                None,
                Some("m1"),
            ),
            person(
                "mentor1",
                "Орлова Светлана Юрьевна",
                &[Role::Teacher, Role::Mentor],
                Some("s2"),
                None,
            ),
            person(
                "cnppm1",
                "Морозова Татьяна Александровна",
                &[Role::CnppmMethodist],
                None,
                None,
            ),
            person(
                "admin1",
                "Администратор Системы",
                &[Role::Admin],
                None,
                None,
            ),
        ],
        methodists: vec![Methodist {
            login: login("mentor1"),
            subjects: vec!["Математика".into()],
            municipality: Some(muni_code("m1")),
            capacity: 5,
            remote: false,
        }],
        invitations: vec![],
        audit_action: "test region".into(),
    }
}

pub const ROLE_LOGINS: &[(&str, Role)] = &[
    ("teacher1", Role::Teacher),
    ("deputy1", Role::DeputyHead),
    ("principal1", Role::Principal),
    ("coord1", Role::MunicipalCoordinator),
    ("mentor1", Role::Mentor),
    ("cnppm1", Role::CnppmMethodist),
    ("admin1", Role::Admin),
];

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let (url, dir, pg): (String, _, _) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("t.db").display());
                (url, Some(dir), None)
            }
            Backend::Postgres => {
                let db = store_postgres::testing::TempDatabase::create()
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL is required for this test: {e}"));
                (db.url.clone(), None, Some(db))
            }
        };
        let store = marshrut::open_store(&url).await.expect("open store");
        let now = chrono::Utc::now().timestamp_millis();
        store
            .apply_directory(&RegionAuthority::command_line(), region(), now)
            .await
            .expect("seed region");
        for account in region().accounts {
            store
                .set_password(&account.login, password_hash(), now)
                .await
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::new(&base);
        // Overdue attempts are looked for often, so tests need not wait.
        config.sweep_every = std::time::Duration::from_millis(200);
        let state = AppState::new(store.clone(), config).await.expect("state");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(marshrut::launch(listener, state, async {
            let _ = rx.await;
        }));
        TestApp {
            base,
            database_url: url,
            store,
            shutdown: Some(tx),
            server: Some(server),
            _dir: dir,
            pg,
        }
    }

    /// Loads the shipped banks and opens a campaign on `bank` for every
    /// teacher, from today for 30 days. Answers its id.
    pub async fn open_campaign(&self, bank: &str) -> i64 {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let parsed = banks::parse(&name, &text).unwrap();
                found.push((parsed, name, text));
            }
        }
        marshrut::diagnostics::load_banks(
            self.store.as_ref(),
            &RegionAuthority::command_line(),
            found,
        )
        .await
        .unwrap();
        let version = self
            .store
            .current_bank_version(bank)
            .await
            .unwrap()
            .unwrap();
        let today = Config::new("").today();
        self.store
            .create_campaign(
                None,
                store::NewCampaign {
                    title: format!("Диагностика {bank}"),
                    bank_version_id: version.id,
                    opens_on: today,
                    closes_on: today + chrono::Days::new(30),
                    audience: "all".into(),
                },
                chrono::Utc::now().timestamp_millis(),
            )
            .await
            .unwrap()
    }

    /// Runs one SQL statement on the test database.
    pub async fn execute_sql(&self, sql: &str) {
        if self.database_url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server and drops a PostgreSQL test database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        if let Some(pg) = self.pg.take() {
            pg.drop_db().await.expect("drop the test database");
        }
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, l: &str) -> String {
        let r = client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": l, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login as {l}");
        let body: serde_json::Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }
}

/// A client that does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A browser-like caller: a session cookie and a CSRF cookie it repeats in
/// forms, as the pages do.
pub struct Browser {
    pub session: Option<String>,
    pub csrf: String,
}

impl Browser {
    pub fn anonymous() -> Browser {
        Browser {
            session: None,
            csrf: "c".repeat(43),
        }
    }

    pub async fn signed_in(app: &TestApp, l: &str) -> Browser {
        Browser {
            session: Some(app.token(l).await),
            csrf: "c".repeat(43),
        }
    }

    fn cookie(&self) -> String {
        match &self.session {
            Some(s) => format!("marshrut_session={s}; marshrut_csrf={}", self.csrf),
            None => format!("marshrut_csrf={}", self.csrf),
        }
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        client()
            .get(app.url(path))
            .header("cookie", self.cookie())
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut body: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        body.extend_from_slice(fields);
        client()
            .post(app.url(path))
            .header("cookie", self.cookie())
            .form(&body)
            .send()
            .await
            .unwrap()
    }
}

/// The test region with every teacher young (class 2: experience under 3
/// years), teacher3 also a regional methodist of physics in m2 with one
/// place, and s2 a mentor school.
pub async fn prepare_matching(app: &TestApp) {
    let mut changes = region();
    for a in &mut changes.accounts {
        if a.has(domain::Role::Teacher) && a.login.as_str() != "mentor1" {
            a.attrs.experience_years = Some(1.0);
        }
        if a.login.as_str() == "teacher3" {
            a.roles.insert(domain::Role::Mentor);
        }
    }
    changes.methodists.push(domain::Methodist {
        login: login("teacher3"),
        subjects: vec!["Физика".into()],
        municipality: Some(muni_code("m2")),
        capacity: 1,
        remote: false,
    });
    for s in &mut changes.schools {
        if s.code.as_str() == "s2" {
            s.mentor_school = true;
        }
        if s.code.as_str() == "s3" {
            s.critical_monitoring = true;
        }
    }
    app.store
        .apply_directory(
            &domain::RegionAuthority::command_line(),
            changes,
            chrono::Utc::now().timestamp_millis(),
        )
        .await
        .unwrap();
}

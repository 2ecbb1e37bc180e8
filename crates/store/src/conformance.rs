//! The behaviour every [`Store`] backend must show.
//!
//! Each case is a `pub async fn` taking a fresh, empty, migrated store and
//! panicking on the first deviation. A backend runs them all with
//! [`conformance_suite!`](crate::conformance_suite), one `#[tokio::test]`
//! per case:
//!
//! ```ignore
//! store::conformance_suite! {
//!     #[ignore = "needs PostgreSQL"]          // optional attributes
//!     setup: async { (make_store().await, context) },
//!     teardown: |store, context| async move { /* … */ }, // optional
//! }
//! ```
//!
//! `setup` is an async expression giving `(store, context)`; the context
//! (a temporary directory, a temporary database) is handed to `teardown`
//! with the store once the case has run, even when the case failed. The
//! crate using the macro needs `tokio` (with `macros` and `rt-multi-thread`)
//! among its dev-dependencies.

use std::collections::BTreeSet;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::Poll;

use chrono::NaiveDate;
use domain::{
    Account, Caller, ClusterFlag, Login, Methodist, Municipality, MunicipalityCode,
    RegionAuthority, Role, School, SchoolCode, Scope, TeacherAttrs,
};

use crate::{
    AuditEntry, Credentials, Directory, DirectoryChanges, InvitationState, LoginFailures, Millis,
    NewInvitation, SchoolFilter, StaffFilter, Store, StoreError,
};

/// Expands to one `#[tokio::test]` per conformance case; see the
/// [module documentation](crate::conformance).
#[macro_export]
macro_rules! conformance_suite {
    (
        $(#[$attr:meta])*
        setup: $setup:expr,
        teardown: $teardown:expr $(,)?
    ) => {
        $crate::__conformance_tests! {
            [$(#[$attr])*] [$setup] [$teardown]
            backend_answers,
            apply_round_trips_every_field,
            reapplying_changes_nothing,
            updates_replace_fields_and_roles,
            later_rows_in_one_change_win,
            unknown_municipality_is_a_conflict_and_writes_nothing,
            failed_change_leaves_earlier_data_untouched,
            unknown_references_are_conflicts,
            region_scope_sees_everything,
            municipality_scope_sees_its_schools_and_people,
            school_scope_sees_its_school_only,
            own_scope_sees_only_the_caller,
            empty_and_mentee_scopes_see_nothing_more,
            school_filters,
            staff_filters,
            summaries_count_active_schools_and_teachers,
            directory_holds_inactive_rows,
            credentials_describe_the_account,
            disabling_ends_sessions,
            revoke_sessions_only_moves_forward,
            invitation_lifecycle,
            expired_and_unknown_invitations,
            reissue_voids_the_old_link,
            invitations_in_one_change_void_earlier_ones,
            concurrent_accepts_only_one_succeeds,
            set_password_sets_the_hash,
            login_failures_count_within_a_window,
            concurrent_login_failures_are_all_counted,
            settings_round_trip,
            audit_log_is_newest_first,
            bulk_apply_spans_many_statements,
        }
    };
    (
        $(#[$attr:meta])*
        setup: $setup:expr $(,)?
    ) => {
        $crate::conformance_suite! {
            $(#[$attr])*
            setup: $setup,
            teardown: |_store, _context| async {},
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($attrs:tt $setup:tt $teardown:tt $($case:ident),* $(,)?) => {
        $( $crate::__conformance_test! { $attrs $setup $teardown $case } )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_test {
    ([$(#[$attr:meta])*] [$setup:expr] [$teardown:expr] $case:ident) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn $case() {
            let (store, context) = $setup.await;
            let teardown = $teardown;
            let outcome =
                $crate::conformance::__catch_unwind($crate::conformance::$case(&store)).await;
            teardown(store, context).await;
            if let ::std::result::Result::Err(panic) = outcome {
                ::std::panic::resume_unwind(panic);
            }
        }
    };
}

/// Runs `future`, turning a panic into an `Err`, so teardown still runs.
#[doc(hidden)]
pub async fn __catch_unwind<F: Future>(future: F) -> std::thread::Result<F::Output> {
    let mut future = Box::pin(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Polls all `futures` concurrently (within one task) until all are done.
async fn join_all<T>(futures: Vec<BoxFuture<'_, T>>) -> Vec<T> {
    let mut futures = futures;
    let mut results: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, result) in futures.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *result = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

// ---- fixture -----------------------------------------------------------------

const NOW: Millis = 1_750_000_000_000;
const DAY: Millis = 86_400_000;

fn login(value: &str) -> Login {
    Login::parse(value).unwrap()
}

fn mcode(value: &str) -> MunicipalityCode {
    MunicipalityCode::parse(value).unwrap()
}

fn scode(value: &str) -> SchoolCode {
    SchoolCode::parse(value).unwrap()
}

fn cli() -> RegionAuthority {
    RegionAuthority::command_line()
}

fn municipality(code: &str, name: &str) -> Municipality {
    Municipality {
        code: mcode(code),
        name: name.into(),
    }
}

fn school(code: &str, municipality: &str, name: &str) -> School {
    School {
        code: scode(code),
        municipality: mcode(municipality),
        name: name.into(),
        short_name: None,
        clusters: BTreeSet::new(),
        rural: false,
        critical_monitoring: false,
        mentor_school: false,
        mentor_capacity: None,
        active: true,
    }
}

fn account(login_: &str, full_name: &str, roles: &[Role], school: Option<&str>) -> Account {
    Account {
        login: login(login_),
        full_name: full_name.into(),
        roles: roles.iter().copied().collect(),
        school: school.map(scode),
        municipality: None,
        attrs: TeacherAttrs::default(),
        active: true,
    }
}

fn changes(action: &str) -> DirectoryChanges {
    DirectoryChanges {
        audit_action: action.into(),
        ..DirectoryChanges::default()
    }
}

/// The region the cases share. Codes, logins and names sort differently,
/// so every ordering is visible:
///
/// * `m2` «Алексеевский район»: `s-b1` (active teacher `t4`);
/// * `m3` «Борисовский район»: nothing;
/// * `m1` «Вязовский муниципальный округ»: `s-a1` (teachers `t1`, `t2`),
///   `s-a2` (inactive teacher `t3`), inactive `s-a3`; coordinator `coord`;
/// * methodists `metod` (in `m2`) and `metod2` (remote); administrator `admin`.
fn fixture() -> DirectoryChanges {
    let mut s_a1 = school("s-a1", "m1", "Средняя школа № 2");
    s_a1.short_name = Some("СШ № 2".into());
    s_a1.clusters = [ClusterFlag::LowResults].into();
    s_a1.rural = true;
    s_a1.critical_monitoring = true;
    let s_a2 = school("s-a2", "m1", "Гимназия № 1");
    let mut s_a3 = school("s-a3", "m1", "Основная школа № 9");
    s_a3.active = false;
    let mut s_b1 = school("s-b1", "m2", "Лицей № 5");
    s_b1.clusters = [ClusterFlag::RiskLowResults, ClusterFlag::AdverseConditions].into();
    s_b1.mentor_school = true;
    s_b1.mentor_capacity = Some(3);

    let t1 = account(
        "t1",
        "Петров Пётр Петрович",
        &[Role::Teacher, Role::DeputyHead],
        Some("s-a1"),
    );
    let mut t2 = account(
        "t2",
        "Иванова Анна Сергеевна",
        &[Role::Teacher],
        Some("s-a1"),
    );
    t2.municipality = Some(mcode("m1"));
    t2.attrs = TeacherAttrs {
        subjects: vec!["Математика".into(), "Физика".into()],
        position: Some("учитель математики".into()),
        experience_years: Some(12.5),
        hired_on: NaiveDate::from_ymd_opt(2015, 9, 1),
        students_low_results: true,
    };
    let mut t3 = account("t3", "Сидорова Светлана", &[Role::Teacher], Some("s-a2"));
    t3.active = false;
    let t4 = account("t4", "Кузнецов Илья", &[Role::Teacher], Some("s-b1"));
    let mut coord = account("coord", "Орлова Ольга", &[Role::MunicipalCoordinator], None);
    coord.municipality = Some(mcode("m1"));
    let metod = account("metod", "Методистова Мария", &[Role::Mentor], None);
    let metod2 = account("metod2", "Лебедева Любовь", &[Role::Mentor], None);
    let admin = account("admin", "Администратор Системы", &[Role::Admin], None);

    DirectoryChanges {
        municipalities: vec![
            municipality("m1", "Вязовский муниципальный округ"),
            municipality("m2", "Алексеевский район"),
            municipality("m3", "Борисовский район"),
        ],
        schools: vec![s_a1, s_a2, s_a3, s_b1],
        accounts: vec![t1, t2, t3, t4, coord, metod, metod2, admin],
        methodists: vec![
            Methodist {
                login: login("metod"),
                subjects: vec!["Русский язык".into(), "Литература".into()],
                municipality: Some(mcode("m2")),
                capacity: 5,
                remote: false,
            },
            Methodist {
                login: login("metod2"),
                subjects: vec![],
                municipality: None,
                capacity: 0,
                remote: true,
            },
        ],
        invitations: vec![],
        audit_action: "import fixture".into(),
    }
}

async fn apply_fixture(store: &dyn Store) {
    store
        .apply_directory(&cli(), fixture(), NOW)
        .await
        .expect("the fixture applies");
}

/// The fixture as `directory()` must return it.
fn fixture_directory() -> Directory {
    let f = fixture();
    let mut d = Directory {
        municipalities: f.municipalities,
        schools: f.schools,
        accounts: f.accounts,
        methodists: f.methodists,
    };
    d.municipalities.sort_by(|a, b| a.code.cmp(&b.code));
    d.schools.sort_by(|a, b| a.code.cmp(&b.code));
    d.accounts.sort_by(|a, b| a.login.cmp(&b.login));
    d.methodists.sort_by(|a, b| a.login.cmp(&b.login));
    d
}

fn fixture_account(l: &str) -> Account {
    fixture()
        .accounts
        .into_iter()
        .find(|a| a.login.as_str() == l)
        .unwrap()
}

fn fixture_school(code: &str) -> School {
    fixture()
        .schools
        .into_iter()
        .find(|s| s.code.as_str() == code)
        .unwrap()
}

fn codes_of_schools(list: &[crate::SchoolSummary]) -> Vec<&str> {
    list.iter().map(|s| s.school.code.as_str()).collect()
}

fn codes_of_municipalities(list: &[crate::MunicipalitySummary]) -> Vec<&str> {
    list.iter().map(|m| m.municipality.code.as_str()).collect()
}

fn logins_of(list: &[Account]) -> Vec<&str> {
    list.iter().map(|a| a.login.as_str()).collect()
}

async fn credentials_of(store: &dyn Store, l: &str) -> Credentials {
    store
        .credentials(&login(l))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no credentials for {l}"))
}

fn invitation(l: &str, token_hash: &str, expires_at: Millis) -> NewInvitation {
    NewInvitation {
        login: login(l),
        token_hash: token_hash.into(),
        expires_at,
    }
}

fn valid(l: &str, full_name: &str) -> InvitationState {
    InvitationState::Valid {
        login: login(l),
        full_name: full_name.into(),
    }
}

fn assert_conflict_naming<T: std::fmt::Debug>(result: crate::Result<T>, name: &str) {
    match result {
        Err(StoreError::Conflict(message)) => assert!(
            message.contains(name),
            "the conflict should name {name:?}: {message}"
        ),
        other => panic!("expected a conflict naming {name:?}, got {other:?}"),
    }
}

// ---- cases ---------------------------------------------------------------------

/// `backend()` names the database and `ping()` reaches it.
pub async fn backend_answers(store: &dyn Store) {
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
    store.ping().await.unwrap();
    assert_eq!(
        store.directory(&cli()).await.unwrap(),
        Directory::default(),
        "a fresh store is empty"
    );
}

/// Every field of every record is stored and read back unchanged.
pub async fn apply_round_trips_every_field(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    assert_eq!(store.directory(&cli()).await.unwrap(), fixture_directory());

    for a in fixture().accounts {
        assert_eq!(
            store.account(&region, &a.login).await.unwrap().as_ref(),
            Some(&a)
        );
    }
    for s in fixture().schools {
        let found = store.school(&region, &s.code).await.unwrap().unwrap();
        assert_eq!(found.school, s);
    }
    for m in fixture().methodists {
        assert_eq!(
            store.methodist(&region, &m.login).await.unwrap().as_ref(),
            Some(&m)
        );
    }
    assert_eq!(store.methodist(&region, &login("t1")).await.unwrap(), None);
    let names: Vec<_> = store
        .municipalities(&region)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.municipality)
        .collect();
    assert_eq!(
        names,
        vec![
            municipality("m2", "Алексеевский район"),
            municipality("m3", "Борисовский район"),
            municipality("m1", "Вязовский муниципальный округ"),
        ]
    );
    let s_a1 = store
        .school(&region, &scode("s-a1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s_a1.municipality_name, "Вязовский муниципальный округ");
    assert_eq!(s_a1.school.display_name(), "СШ № 2");
}

/// Applying the same change twice leaves the same directory.
pub async fn reapplying_changes_nothing(store: &dyn Store) {
    apply_fixture(store).await;
    let first = store.directory(&cli()).await.unwrap();
    store
        .apply_directory(&cli(), fixture(), NOW + 1000)
        .await
        .unwrap();
    assert_eq!(store.directory(&cli()).await.unwrap(), first);
    assert_eq!(first, fixture_directory());
    assert_eq!(store.audit_log(&cli(), 10).await.unwrap().len(), 2);
}

/// Upserts replace every field; an account's roles are replaced, not merged.
pub async fn updates_replace_fields_and_roles(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .set_password(&login("t2"), "hash-t2", NOW + 1)
        .await
        .unwrap();

    let mut t1 = fixture_account("t1");
    t1.roles = [Role::Principal].into();
    let mut t2 = fixture_account("t2");
    t2.full_name = "Иванова-Смирнова Анна Сергеевна".into();
    t2.school = Some(scode("s-b1"));
    t2.municipality = None;
    t2.attrs = TeacherAttrs::default();
    let mut s_a1 = fixture_school("s-a1");
    s_a1.municipality = mcode("m3");
    s_a1.name = "Средняя школа № 2 им. Пушкина".into();
    s_a1.short_name = None;
    s_a1.clusters = [ClusterFlag::AdverseConditions].into();
    s_a1.rural = false;
    s_a1.critical_monitoring = false;
    s_a1.mentor_school = true;
    s_a1.mentor_capacity = Some(0);
    let metod = Methodist {
        login: login("metod"),
        subjects: vec!["История".into()],
        municipality: None,
        capacity: 7,
        remote: true,
    };
    let change = DirectoryChanges {
        municipalities: vec![municipality("m3", "Борисовский муниципальный округ")],
        schools: vec![s_a1.clone()],
        accounts: vec![t1.clone(), t2.clone()],
        methodists: vec![metod.clone()],
        ..changes("update")
    };
    store
        .apply_directory(&cli(), change, NOW + 2)
        .await
        .unwrap();

    let region = Scope::region();
    assert_eq!(store.account(&region, &t1.login).await.unwrap(), Some(t1));
    assert_eq!(
        store.account(&region, &t2.login).await.unwrap(),
        Some(t2.clone())
    );
    let found = store.school(&region, &s_a1.code).await.unwrap().unwrap();
    assert_eq!(found.school, s_a1);
    assert_eq!(found.municipality_name, "Борисовский муниципальный округ");
    assert_eq!(
        store.methodist(&region, &metod.login).await.unwrap(),
        Some(metod)
    );
    // What the directory does not carry is kept.
    let c = credentials_of(store, "t2").await;
    assert_eq!(c.password_hash.as_deref(), Some("hash-t2"));
    assert!(c.active);
    // Untouched rows stay as they were.
    let d = store.directory(&cli()).await.unwrap();
    assert_eq!(d.accounts.len(), fixture().accounts.len());
    assert!(d.accounts.contains(&fixture_account("t4")));
}

/// Two rows for one key in a single change: the later one is stored.
pub async fn later_rows_in_one_change_win(store: &dyn Store) {
    let mut change = changes("duplicates");
    change.municipalities = vec![
        municipality("m1", "Старое имя"),
        municipality("m1", "Новое имя"),
    ];
    change.schools = vec![
        school("s1", "m1", "Школа 1"),
        school("s1", "m1", "Школа 1 новая"),
    ];
    change.accounts = vec![
        account("u1", "Первый", &[Role::Teacher], Some("s1")),
        account("u1", "Второй", &[Role::Principal], Some("s1")),
    ];
    store.apply_directory(&cli(), change, NOW).await.unwrap();
    let d = store.directory(&cli()).await.unwrap();
    assert_eq!(d.municipalities, vec![municipality("m1", "Новое имя")]);
    assert_eq!(d.schools, vec![school("s1", "m1", "Школа 1 новая")]);
    assert_eq!(
        d.accounts,
        vec![account("u1", "Второй", &[Role::Principal], Some("s1"))]
    );
}

/// A school naming an unknown municipality fails the whole change.
pub async fn unknown_municipality_is_a_conflict_and_writes_nothing(store: &dyn Store) {
    let mut change = changes("bad import");
    change.municipalities = vec![municipality("m-ok", "Хороший район")];
    change.schools = vec![
        school("s-ok", "m-ok", "Хорошая школа"),
        school("s-bad", "m-nowhere", "Плохая школа"),
    ];
    change.accounts = vec![account(
        "u-ok",
        "Хороший Учитель",
        &[Role::Teacher],
        Some("s-ok"),
    )];
    change.invitations = vec![invitation("u-ok", "token-ok", NOW + DAY)];
    let result = store.apply_directory(&cli(), change, NOW).await;
    assert_conflict_naming(result, "m-nowhere");

    assert_eq!(store.directory(&cli()).await.unwrap(), Directory::default());
    assert!(store.audit_log(&cli(), 10).await.unwrap().is_empty());
    assert_eq!(
        store.invitation("token-ok", NOW).await.unwrap(),
        InvitationState::Unknown
    );
}

/// A failed change over existing data leaves that data as it was.
pub async fn failed_change_leaves_earlier_data_untouched(store: &dyn Store) {
    apply_fixture(store).await;
    let before = store.directory(&cli()).await.unwrap();
    let mut change = changes("bad update");
    change.municipalities = vec![municipality("m1", "Переименованный")];
    change.accounts = vec![
        account("new-1", "Новый Педагог", &[Role::Teacher], Some("s-a1")),
        {
            let mut a = fixture_account("t1");
            a.active = false;
            a
        },
        account("new-2", "Без Школы", &[Role::Teacher], Some("s-missing")),
    ];
    let result = store.apply_directory(&cli(), change, NOW + 5).await;
    assert_conflict_naming(result, "s-missing");
    assert_eq!(store.directory(&cli()).await.unwrap(), before);
    let t1 = credentials_of(store, "t1").await;
    assert!(t1.active, "disabling in the failed change did not happen");
    assert!(t1.valid_after <= NOW, "nor did it end the sessions");
    assert_eq!(store.audit_log(&cli(), 10).await.unwrap().len(), 1);

    // A clash with a stored invitation's token also writes nothing.
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                invitations: vec![invitation("t2", "dup-token", NOW + DAY)],
                ..changes("invite")
            },
            NOW + 6,
        )
        .await
        .unwrap();
    let change = DirectoryChanges {
        municipalities: vec![municipality("m9", "Девятый район")],
        invitations: vec![
            invitation("t4", "fresh-token", NOW + DAY),
            invitation("t1", "dup-token", NOW + DAY),
        ],
        ..changes("invite again")
    };
    assert!(matches!(
        store.apply_directory(&cli(), change, NOW + 7).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.directory(&cli()).await.unwrap(), before);
    assert_eq!(
        store.invitation("fresh-token", NOW + 8).await.unwrap(),
        InvitationState::Unknown
    );
    assert_eq!(
        store.invitation("dup-token", NOW + 8).await.unwrap(),
        valid("t2", "Иванова Анна Сергеевна")
    );
}

/// Unknown schools, municipalities and logins are conflicts naming them.
pub async fn unknown_references_are_conflicts(store: &dyn Store) {
    apply_fixture(store).await;
    let before = store.directory(&cli()).await.unwrap();

    let mut a = account("x1", "Икс", &[Role::MunicipalCoordinator], None);
    a.municipality = Some(mcode("m-unknown"));
    let change = DirectoryChanges {
        accounts: vec![a],
        ..changes("x")
    };
    assert_conflict_naming(
        store.apply_directory(&cli(), change, NOW).await,
        "m-unknown",
    );

    let change = DirectoryChanges {
        methodists: vec![Methodist {
            login: login("nobody"),
            subjects: vec![],
            municipality: None,
            capacity: 1,
            remote: false,
        }],
        ..changes("x")
    };
    assert_conflict_naming(store.apply_directory(&cli(), change, NOW).await, "nobody");

    let change = DirectoryChanges {
        methodists: vec![Methodist {
            login: login("metod"),
            subjects: vec![],
            municipality: Some(mcode("m-void")),
            capacity: 1,
            remote: false,
        }],
        ..changes("x")
    };
    assert_conflict_naming(store.apply_directory(&cli(), change, NOW).await, "m-void");

    let change = DirectoryChanges {
        invitations: vec![invitation("ghost", "h-ghost", NOW + DAY)],
        ..changes("x")
    };
    assert_conflict_naming(store.apply_directory(&cli(), change, NOW).await, "ghost");

    assert_eq!(store.directory(&cli()).await.unwrap(), before);
    assert_eq!(store.audit_log(&cli(), 10).await.unwrap().len(), 1);

    // A methodist may name an account created earlier in the same change.
    let change = DirectoryChanges {
        accounts: vec![account("metod3", "Новый Методист", &[Role::Mentor], None)],
        methodists: vec![Methodist {
            login: login("metod3"),
            subjects: vec!["Химия".into()],
            municipality: Some(mcode("m3")),
            capacity: 2,
            remote: false,
        }],
        ..changes("methodist")
    };
    store.apply_directory(&cli(), change, NOW).await.unwrap();
    assert!(
        store
            .methodist(&Scope::region(), &login("metod3"))
            .await
            .unwrap()
            .is_some()
    );
}

/// The region scope sees every municipality, school and person.
pub async fn region_scope_sees_everything(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    assert_eq!(
        codes_of_municipalities(&store.municipalities(&region).await.unwrap()),
        ["m2", "m3", "m1"]
    );
    assert_eq!(
        codes_of_schools(
            &store
                .schools(&region, &SchoolFilter::default())
                .await
                .unwrap()
        ),
        ["s-b1", "s-a2", "s-a1"]
    );
    assert_eq!(
        logins_of(&store.staff(&region, &StaffFilter::default()).await.unwrap()),
        ["admin", "t2", "t4", "metod2", "metod", "coord", "t1"]
    );
    // Inactive rows are still found one by one.
    assert!(
        store
            .account(&region, &login("t3"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .school(&region, &scode("s-a3"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .methodist(&region, &login("metod"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.account(&region, &login("nobody")).await.unwrap(),
        None
    );
    assert_eq!(
        store.school(&region, &scode("nowhere")).await.unwrap(),
        None
    );
}

/// A municipal coordinator sees the municipality, its schools, the people
/// working there and the people attached to the municipality itself.
pub async fn municipality_scope_sees_its_schools_and_people(store: &dyn Store) {
    apply_fixture(store).await;
    let caller = credentials_of(store, "coord").await.caller;
    let scope = caller.scope();
    assert_eq!(scope.municipalities, [mcode("m1")].into());

    assert_eq!(
        codes_of_municipalities(&store.municipalities(&scope).await.unwrap()),
        ["m1"]
    );
    assert_eq!(
        codes_of_schools(
            &store
                .schools(&scope, &SchoolFilter::default())
                .await
                .unwrap()
        ),
        ["s-a2", "s-a1"]
    );
    assert!(
        store
            .school(&scope, &scode("s-a1"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.school(&scope, &scode("s-b1")).await.unwrap(), None);
    assert_eq!(
        logins_of(&store.staff(&scope, &StaffFilter::default()).await.unwrap()),
        ["t2", "coord", "t1"]
    );
    assert!(store.account(&scope, &login("t3")).await.unwrap().is_some());
    assert_eq!(store.account(&scope, &login("t4")).await.unwrap(), None);
    assert_eq!(store.account(&scope, &login("admin")).await.unwrap(), None);
    assert_eq!(
        store.methodist(&scope, &login("metod")).await.unwrap(),
        None
    );

    // A person attached only to the municipality (no school) is visible too.
    let mut only = Scope::default();
    only.municipalities.insert(mcode("m2"));
    let mut a = account(
        "m2-staff",
        "Работник Управления",
        &[Role::Teacher],
        Some("s-a1"),
    );
    a.municipality = Some(mcode("m2"));
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                accounts: vec![a],
                ..changes("m2 staff")
            },
            NOW,
        )
        .await
        .unwrap();
    assert!(
        store
            .account(&only, &login("m2-staff"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        logins_of(&store.staff(&only, &StaffFilter::default()).await.unwrap()),
        ["t4", "m2-staff"]
    );
}

/// A deputy head sees the school and its people, and nothing else.
pub async fn school_scope_sees_its_school_only(store: &dyn Store) {
    apply_fixture(store).await;
    let caller = credentials_of(store, "t1").await.caller;
    let scope = caller.scope();
    assert_eq!(scope.schools, [scode("s-a1")].into());

    assert!(store.municipalities(&scope).await.unwrap().is_empty());
    assert_eq!(
        codes_of_schools(
            &store
                .schools(&scope, &SchoolFilter::default())
                .await
                .unwrap()
        ),
        ["s-a1"]
    );
    assert_eq!(store.school(&scope, &scode("s-a2")).await.unwrap(), None);
    assert_eq!(
        logins_of(&store.staff(&scope, &StaffFilter::default()).await.unwrap()),
        ["t2", "t1"]
    );
    assert_eq!(store.account(&scope, &login("t3")).await.unwrap(), None);
    assert_eq!(store.account(&scope, &login("coord")).await.unwrap(), None);
}

/// A teacher sees their own account only.
pub async fn own_scope_sees_only_the_caller(store: &dyn Store) {
    apply_fixture(store).await;
    let caller = credentials_of(store, "t4").await.caller;
    let scope = caller.scope();
    assert_eq!(scope.own, Some(login("t4")));

    assert!(store.municipalities(&scope).await.unwrap().is_empty());
    assert!(
        store
            .schools(&scope, &SchoolFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.school(&scope, &scode("s-b1")).await.unwrap(), None);
    assert_eq!(
        logins_of(&store.staff(&scope, &StaffFilter::default()).await.unwrap()),
        ["t4"]
    );
    assert_eq!(
        store.account(&scope, &login("t4")).await.unwrap(),
        Some(fixture_account("t4"))
    );
    assert_eq!(store.account(&scope, &login("t1")).await.unwrap(), None);

    // A regional methodist sees their own account and methodist record.
    let scope = credentials_of(store, "metod").await.caller.scope();
    assert!(
        store
            .methodist(&scope, &login("metod"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.methodist(&scope, &login("metod2")).await.unwrap(),
        None
    );
}

/// An empty scope sees nothing; `mentees_of` adds nothing yet.
pub async fn empty_and_mentee_scopes_see_nothing_more(store: &dyn Store) {
    apply_fixture(store).await;
    let empty = Scope::default();
    let mentees = Scope {
        mentees_of: Some(login("metod")),
        ..Scope::default()
    };
    for scope in [&empty, &mentees] {
        assert!(store.municipalities(scope).await.unwrap().is_empty());
        assert!(
            store
                .schools(
                    scope,
                    &SchoolFilter {
                        include_inactive: true,
                        ..SchoolFilter::default()
                    }
                )
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .staff(
                    scope,
                    &StaffFilter {
                        include_inactive: true,
                        ..StaffFilter::default()
                    }
                )
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.account(scope, &login("metod")).await.unwrap(), None);
        assert_eq!(store.methodist(scope, &login("metod")).await.unwrap(), None);
        assert_eq!(store.school(scope, &scode("s-a1")).await.unwrap(), None);
    }
}

/// School filters: municipality, cluster, critical values, inactive.
pub async fn school_filters(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    let list = async |filter: SchoolFilter| -> Vec<String> {
        store
            .schools(&region, &filter)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.school.code.as_str().to_owned())
            .collect()
    };
    assert_eq!(
        list(SchoolFilter {
            municipality: Some(mcode("m2")),
            ..SchoolFilter::default()
        })
        .await,
        ["s-b1"]
    );
    assert_eq!(
        list(SchoolFilter {
            cluster: Some(ClusterFlag::LowResults),
            ..SchoolFilter::default()
        })
        .await,
        ["s-a1"]
    );
    assert_eq!(
        list(SchoolFilter {
            cluster: Some(ClusterFlag::RiskLowResults),
            ..SchoolFilter::default()
        })
        .await,
        ["s-b1"]
    );
    assert_eq!(
        list(SchoolFilter {
            cluster: Some(ClusterFlag::AdverseConditions),
            ..SchoolFilter::default()
        })
        .await,
        ["s-b1"]
    );
    assert_eq!(
        list(SchoolFilter {
            critical_monitoring: Some(true),
            ..SchoolFilter::default()
        })
        .await,
        ["s-a1"]
    );
    assert_eq!(
        list(SchoolFilter {
            critical_monitoring: Some(false),
            ..SchoolFilter::default()
        })
        .await,
        ["s-b1", "s-a2"]
    );
    assert_eq!(
        list(SchoolFilter {
            include_inactive: true,
            ..SchoolFilter::default()
        })
        .await,
        ["s-b1", "s-a2", "s-a3", "s-a1"]
    );
    assert_eq!(
        list(SchoolFilter {
            municipality: Some(mcode("m1")),
            critical_monitoring: Some(false),
            include_inactive: true,
            ..SchoolFilter::default()
        })
        .await,
        ["s-a2", "s-a3"]
    );
    // A filter never widens the scope.
    let scope = credentials_of(store, "coord").await.caller.scope();
    assert!(
        store
            .schools(
                &scope,
                &SchoolFilter {
                    municipality: Some(mcode("m2")),
                    ..SchoolFilter::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
}

/// Staff filters: school, municipality (the school's or the person's own),
/// role, inactive.
pub async fn staff_filters(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    let list = async |scope: &Scope, filter: StaffFilter| -> Vec<String> {
        store
            .staff(scope, &filter)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.login.as_str().to_owned())
            .collect()
    };
    assert_eq!(
        list(
            &region,
            StaffFilter {
                school: Some(scode("s-a1")),
                ..StaffFilter::default()
            }
        )
        .await,
        ["t2", "t1"]
    );
    assert_eq!(
        list(
            &region,
            StaffFilter {
                municipality: Some(mcode("m1")),
                ..StaffFilter::default()
            }
        )
        .await,
        ["t2", "coord", "t1"]
    );
    assert_eq!(
        list(
            &region,
            StaffFilter {
                role: Some(Role::DeputyHead),
                ..StaffFilter::default()
            }
        )
        .await,
        ["t1"]
    );
    assert_eq!(
        list(
            &region,
            StaffFilter {
                role: Some(Role::Teacher),
                ..StaffFilter::default()
            }
        )
        .await,
        ["t2", "t4", "t1"]
    );
    assert_eq!(
        list(
            &region,
            StaffFilter {
                role: Some(Role::Teacher),
                include_inactive: true,
                ..StaffFilter::default()
            }
        )
        .await,
        ["t2", "t4", "t1", "t3"]
    );
    assert_eq!(
        list(
            &region,
            StaffFilter {
                school: Some(scode("s-a2")),
                ..StaffFilter::default()
            }
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        list(
            &region,
            StaffFilter {
                municipality: Some(mcode("m1")),
                role: Some(Role::Teacher),
                include_inactive: true,
                ..StaffFilter::default()
            }
        )
        .await,
        ["t2", "t1", "t3"]
    );
    // A filter never widens the scope.
    let scope = credentials_of(store, "t1").await.caller.scope();
    assert_eq!(
        list(
            &scope,
            StaffFilter {
                municipality: Some(mcode("m2")),
                ..StaffFilter::default()
            }
        )
        .await,
        Vec::<String>::new()
    );
    // Staff come back whole.
    let all = store
        .staff(
            &region,
            &StaffFilter {
                include_inactive: true,
                ..StaffFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(all.contains(&fixture_account("t2")));
    assert!(all.contains(&fixture_account("t3")));
}

/// Counts: active schools, active teachers; each teacher once.
pub async fn summaries_count_active_schools_and_teachers(store: &dyn Store) {
    apply_fixture(store).await;
    let region = Scope::region();
    let counts: Vec<(String, u32, u32)> = store
        .municipalities(&region)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                m.municipality.code.as_str().to_owned(),
                m.schools,
                m.teachers,
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("m2".to_owned(), 1, 1),
            ("m3".to_owned(), 0, 0),
            ("m1".to_owned(), 2, 2),
        ]
    );
    let schools: Vec<(String, u32, String)> = store
        .schools(
            &region,
            &SchoolFilter {
                include_inactive: true,
                ..SchoolFilter::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|s| {
            (
                s.school.code.as_str().to_owned(),
                s.teachers,
                s.municipality_name,
            )
        })
        .collect();
    assert_eq!(
        schools,
        vec![
            ("s-b1".to_owned(), 1, "Алексеевский район".to_owned()),
            (
                "s-a2".to_owned(),
                0,
                "Вязовский муниципальный округ".to_owned()
            ),
            (
                "s-a3".to_owned(),
                0,
                "Вязовский муниципальный округ".to_owned()
            ),
            (
                "s-a1".to_owned(),
                2,
                "Вязовский муниципальный округ".to_owned()
            ),
        ]
    );
    // The scope filters rows, not counts.
    let scope = credentials_of(store, "t1").await.caller.scope();
    let one = store.school(&scope, &scode("s-a1")).await.unwrap().unwrap();
    assert_eq!(one.teachers, 2);

    // Disabling a teacher and a school changes the counts.
    let mut t2 = fixture_account("t2");
    t2.active = false;
    let mut s_a2 = fixture_school("s-a2");
    s_a2.active = false;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                schools: vec![s_a2],
                accounts: vec![t2],
                ..changes("disable")
            },
            NOW,
        )
        .await
        .unwrap();
    let m1 = store
        .municipalities(&region)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.municipality.code.as_str() == "m1")
        .unwrap();
    assert_eq!((m1.schools, m1.teachers), (1, 1));
}

/// `directory()` returns every row, active or not, ordered by code/login.
pub async fn directory_holds_inactive_rows(store: &dyn Store) {
    apply_fixture(store).await;
    let d = store.directory(&cli()).await.unwrap();
    assert!(
        d.schools
            .iter()
            .any(|s| s.code.as_str() == "s-a3" && !s.active)
    );
    assert!(
        d.accounts
            .iter()
            .any(|a| a.login.as_str() == "t3" && !a.active)
    );
    let logins: Vec<&str> = logins_of(&d.accounts);
    assert_eq!(
        logins,
        ["admin", "coord", "metod", "metod2", "t1", "t2", "t3", "t4"]
    );
    let codes: Vec<&str> = d.schools.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["s-a1", "s-a2", "s-a3", "s-b1"]);
}

/// Credentials carry the caller as the auth module builds it.
pub async fn credentials_describe_the_account(store: &dyn Store) {
    apply_fixture(store).await;
    let c = credentials_of(store, "t1").await;
    assert_eq!(
        c.caller,
        Caller {
            login: login("t1"),
            full_name: "Петров Пётр Петрович".into(),
            roles: [Role::Teacher, Role::DeputyHead].into(),
            school: Some(scode("s-a1")),
            municipality: None,
        }
    );
    assert_eq!(c.password_hash, None);
    assert!(c.active);
    assert!(
        c.valid_after <= NOW,
        "a new account's sessions are not void"
    );

    let c = credentials_of(store, "coord").await;
    assert_eq!(c.caller.municipality, Some(mcode("m1")));
    assert_eq!(c.caller.school, None);
    assert_eq!(c.caller.roles, [Role::MunicipalCoordinator].into());

    let c = credentials_of(store, "t3").await;
    assert!(!c.active, "inactive accounts still have credentials");
    assert_eq!(store.credentials(&login("nobody")).await.unwrap(), None);
}

/// Disabling an account ends its sessions at that moment.
pub async fn disabling_ends_sessions(store: &dyn Store) {
    apply_fixture(store).await;
    let mut t1 = fixture_account("t1");
    t1.active = false;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                accounts: vec![t1.clone()],
                ..changes("disable")
            },
            NOW + 10,
        )
        .await
        .unwrap();
    let c = credentials_of(store, "t1").await;
    assert!(!c.active);
    assert_eq!(c.valid_after, NOW + 10);

    t1.active = true;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                accounts: vec![t1],
                ..changes("enable")
            },
            NOW + 20,
        )
        .await
        .unwrap();
    let c = credentials_of(store, "t1").await;
    assert!(c.active);
    assert_eq!(c.valid_after, NOW + 10, "enabling does not move the mark");
}

/// `revoke_sessions` moves the mark forward, never back.
pub async fn revoke_sessions_only_moves_forward(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .revoke_sessions(&login("t2"), NOW + 100)
        .await
        .unwrap();
    assert_eq!(credentials_of(store, "t2").await.valid_after, NOW + 100);
    store.revoke_sessions(&login("t2"), NOW + 50).await.unwrap();
    assert_eq!(credentials_of(store, "t2").await.valid_after, NOW + 100);
    store
        .revoke_sessions(&login("t2"), NOW + 200)
        .await
        .unwrap();
    assert_eq!(credentials_of(store, "t2").await.valid_after, NOW + 200);
    assert!(
        credentials_of(store, "t1").await.valid_after <= NOW,
        "other accounts are untouched"
    );
    assert!(matches!(
        store.revoke_sessions(&login("nobody"), NOW).await,
        Err(StoreError::NotFound)
    ));
}

/// Valid → accepted → used; a second acceptance changes nothing.
pub async fn invitation_lifecycle(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                invitations: vec![invitation("t2", "h1", NOW + DAY)],
                ..changes("invite")
            },
            NOW,
        )
        .await
        .unwrap();
    let t2 = valid("t2", "Иванова Анна Сергеевна");
    assert_eq!(store.invitation("h1", NOW).await.unwrap(), t2);
    assert_eq!(store.invitation("h1", NOW + DAY - 1).await.unwrap(), t2);

    assert_eq!(
        store
            .accept_invitation("h1", "argon-hash-1", NOW + 5)
            .await
            .unwrap(),
        t2
    );
    let c = credentials_of(store, "t2").await;
    assert_eq!(c.password_hash.as_deref(), Some("argon-hash-1"));
    assert_eq!(c.valid_after, NOW + 5);

    assert_eq!(
        store.invitation("h1", NOW + 6).await.unwrap(),
        InvitationState::Used
    );
    assert_eq!(
        store
            .accept_invitation("h1", "argon-hash-2", NOW + 7)
            .await
            .unwrap(),
        InvitationState::Used
    );
    let c = credentials_of(store, "t2").await;
    assert_eq!(c.password_hash.as_deref(), Some("argon-hash-1"));
    assert_eq!(c.valid_after, NOW + 5);
}

/// Expired and unknown links answer so and change nothing.
pub async fn expired_and_unknown_invitations(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                invitations: vec![invitation("t4", "h2", NOW + 100)],
                ..changes("invite")
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store.invitation("h2", NOW + 99).await.unwrap(),
        valid("t4", "Кузнецов Илья")
    );
    assert_eq!(
        store.invitation("h2", NOW + 100).await.unwrap(),
        InvitationState::Expired
    );
    assert_eq!(
        store
            .accept_invitation("h2", "hash", NOW + 100)
            .await
            .unwrap(),
        InvitationState::Expired
    );
    let c = credentials_of(store, "t4").await;
    assert_eq!(c.password_hash, None);
    assert!(c.valid_after <= NOW);

    assert_eq!(
        store.invitation("no-such-hash", NOW).await.unwrap(),
        InvitationState::Unknown
    );
    assert_eq!(
        store
            .accept_invitation("no-such-hash", "hash", NOW)
            .await
            .unwrap(),
        InvitationState::Unknown
    );
}

/// A re-issued link voids the earlier unused one.
pub async fn reissue_voids_the_old_link(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                invitations: vec![
                    invitation("t4", "old", NOW + DAY),
                    invitation("t1", "other", NOW + DAY),
                ],
                ..changes("invite")
            },
            NOW,
        )
        .await
        .unwrap();
    store
        .reissue_invitation(invitation("t4", "new", NOW + 2 * DAY), NOW + 1)
        .await
        .unwrap();
    assert_eq!(
        store.invitation("old", NOW + 2).await.unwrap(),
        InvitationState::Used
    );
    assert_eq!(
        store
            .accept_invitation("old", "hash-old", NOW + 2)
            .await
            .unwrap(),
        InvitationState::Used
    );
    assert_eq!(
        store.invitation("new", NOW + 2).await.unwrap(),
        valid("t4", "Кузнецов Илья")
    );
    assert_eq!(
        store.invitation("other", NOW + 2).await.unwrap(),
        valid("t1", "Петров Пётр Петрович"),
        "another account's link is untouched"
    );
    assert_eq!(
        store
            .accept_invitation("new", "hash-new", NOW + 3)
            .await
            .unwrap(),
        valid("t4", "Кузнецов Илья")
    );
    assert_eq!(
        credentials_of(store, "t4").await.password_hash.as_deref(),
        Some("hash-new")
    );

    // A used link stays used when another is issued.
    store
        .reissue_invitation(invitation("t4", "newer", NOW + 2 * DAY), NOW + 4)
        .await
        .unwrap();
    assert_eq!(
        store.invitation("new", NOW + 5).await.unwrap(),
        InvitationState::Used
    );
    assert!(matches!(
        store
            .reissue_invitation(invitation("nobody", "x", NOW + DAY), NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .reissue_invitation(invitation("t1", "newer", NOW + DAY), NOW + 6)
            .await,
        Err(StoreError::Conflict(_))
    ));
    // The failed re-issue voided nothing.
    assert_eq!(
        store.invitation("other", NOW + 7).await.unwrap(),
        valid("t1", "Петров Пётр Петрович")
    );
}

/// Invitations written by a change void the account's earlier ones, and
/// within one change the last per account is the live one.
pub async fn invitations_in_one_change_void_earlier_ones(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                invitations: vec![
                    invitation("t1", "a", NOW + DAY),
                    invitation("t2", "b", NOW + DAY),
                    invitation("t1", "c", NOW + DAY),
                ],
                ..changes("invite")
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store.invitation("a", NOW).await.unwrap(),
        InvitationState::Used
    );
    assert_eq!(
        store.invitation("b", NOW).await.unwrap(),
        valid("t2", "Иванова Анна Сергеевна")
    );
    assert_eq!(
        store.invitation("c", NOW).await.unwrap(),
        valid("t1", "Петров Пётр Петрович")
    );

    // A new account and its invitation in one change.
    store
        .apply_directory(
            &cli(),
            DirectoryChanges {
                accounts: vec![account(
                    "newbie",
                    "Новиков Никита",
                    &[Role::Teacher],
                    Some("s-a2"),
                )],
                invitations: vec![
                    invitation("newbie", "d", NOW + DAY),
                    invitation("t1", "e", NOW + DAY),
                ],
                ..changes("invite again")
            },
            NOW + 1,
        )
        .await
        .unwrap();
    assert_eq!(
        store.invitation("c", NOW + 2).await.unwrap(),
        InvitationState::Used
    );
    assert_eq!(
        store.invitation("b", NOW + 2).await.unwrap(),
        valid("t2", "Иванова Анна Сергеевна")
    );
    assert_eq!(
        store.invitation("d", NOW + 2).await.unwrap(),
        valid("newbie", "Новиков Никита")
    );
    assert_eq!(
        store.invitation("e", NOW + 2).await.unwrap(),
        valid("t1", "Петров Пётр Петрович")
    );
}

/// Two redemptions of one link at once: exactly one succeeds.
pub async fn concurrent_accepts_only_one_succeeds(store: &dyn Store) {
    apply_fixture(store).await;
    for round in 0..5 {
        let token = format!("race-{round}");
        store
            .reissue_invitation(invitation("t2", &token, NOW + DAY), NOW)
            .await
            .unwrap();
        let hashes: Vec<String> = (0..4).map(|n| format!("hash-{round}-{n}")).collect();
        let attempts = hashes
            .iter()
            .map(|h| store.accept_invitation(&token, h, NOW + 1))
            .collect();
        let outcomes = join_all(attempts).await;
        let winners: Vec<usize> = outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| matches!(o, Ok(InvitationState::Valid { .. })))
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "exactly one redemption wins: {outcomes:?}"
        );
        for (n, outcome) in outcomes.iter().enumerate() {
            if n != winners[0] {
                assert!(
                    matches!(outcome, Ok(InvitationState::Used)),
                    "the others see a used link: {outcome:?}"
                );
            }
        }
        assert_eq!(
            credentials_of(store, "t2").await.password_hash,
            Some(hashes[winners[0]].clone())
        );
    }
}

/// `set_password` sets the hash and voids earlier sessions.
pub async fn set_password_sets_the_hash(store: &dyn Store) {
    apply_fixture(store).await;
    store
        .set_password(&login("admin"), "hash-admin", NOW + 30)
        .await
        .unwrap();
    let c = credentials_of(store, "admin").await;
    assert_eq!(c.password_hash.as_deref(), Some("hash-admin"));
    assert_eq!(c.valid_after, NOW + 30, "earlier sessions end");
    assert_eq!(credentials_of(store, "t1").await.password_hash, None);
    assert!(matches!(
        store.set_password(&login("nobody"), "hash", NOW).await,
        Err(StoreError::NotFound)
    ));
}

/// Failures count within a window; an old window starts anew.
pub async fn login_failures_count_within_a_window(store: &dyn Store) {
    const WINDOW: Millis = 600_000;
    let t0 = NOW;
    assert_eq!(store.login_failures("ivanova").await.unwrap(), None);
    let expect = |failures, window_started| LoginFailures {
        failures,
        window_started,
    };
    assert_eq!(
        store
            .record_login_failure("ivanova", t0, WINDOW)
            .await
            .unwrap(),
        expect(1, t0)
    );
    assert_eq!(
        store
            .record_login_failure("ivanova", t0 + 1000, WINDOW)
            .await
            .unwrap(),
        expect(2, t0)
    );
    assert_eq!(
        store
            .record_login_failure("ivanova", t0 + WINDOW - 1, WINDOW)
            .await
            .unwrap(),
        expect(3, t0)
    );
    assert_eq!(
        store.login_failures("ivanova").await.unwrap(),
        Some(expect(3, t0))
    );
    // Keys are independent.
    assert_eq!(
        store
            .record_login_failure("petrov", t0 + 10, WINDOW)
            .await
            .unwrap(),
        expect(1, t0 + 10)
    );
    // A window `window` old starts anew at `now` with one failure.
    assert_eq!(
        store
            .record_login_failure("ivanova", t0 + WINDOW, WINDOW)
            .await
            .unwrap(),
        expect(1, t0 + WINDOW)
    );
    assert_eq!(
        store
            .record_login_failure("ivanova", t0 + WINDOW + 5, WINDOW)
            .await
            .unwrap(),
        expect(2, t0 + WINDOW)
    );
    assert_eq!(
        store.login_failures("ivanova").await.unwrap(),
        Some(expect(2, t0 + WINDOW))
    );

    store.clear_login_failures("ivanova").await.unwrap();
    assert_eq!(store.login_failures("ivanova").await.unwrap(), None);
    store.clear_login_failures("never-failed").await.unwrap();
    assert_eq!(
        store.login_failures("petrov").await.unwrap(),
        Some(expect(1, t0 + 10))
    );
    assert_eq!(
        store
            .record_login_failure("ivanova", t0 + WINDOW + 6, WINDOW)
            .await
            .unwrap(),
        expect(1, t0 + WINDOW + 6)
    );
}

/// Concurrent failures for one key are all counted.
pub async fn concurrent_login_failures_are_all_counted(store: &dyn Store) {
    const N: u32 = 12;
    let attempts = (0..N)
        .map(|_| store.record_login_failure("target", NOW, 600_000))
        .collect();
    let outcomes = join_all(attempts).await;
    let mut seen: Vec<u32> = outcomes
        .into_iter()
        .map(|o| {
            let f = o.unwrap();
            assert_eq!(f.window_started, NOW);
            f.failures
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=N).collect::<Vec<_>>());
    assert_eq!(
        store.login_failures("target").await.unwrap(),
        Some(LoginFailures {
            failures: N,
            window_started: NOW
        })
    );
}

/// Settings: absent, set, overwritten.
pub async fn settings_round_trip(store: &dyn Store) {
    assert_eq!(store.setting("level.critical").await.unwrap(), None);
    store
        .set_setting("level.critical", "критический")
        .await
        .unwrap();
    store.set_setting("other", "").await.unwrap();
    assert_eq!(
        store.setting("level.critical").await.unwrap().as_deref(),
        Some("критический")
    );
    store
        .set_setting("level.critical", "очень высокий")
        .await
        .unwrap();
    assert_eq!(
        store.setting("level.critical").await.unwrap().as_deref(),
        Some("очень высокий")
    );
    assert_eq!(store.setting("other").await.unwrap().as_deref(), Some(""));
}

/// The audit log is newest first, limited, and records imports with their actor.
pub async fn audit_log_is_newest_first(store: &dyn Store) {
    let entry = |at, actor: Option<&str>, action: &str| AuditEntry {
        at,
        actor: actor.map(login),
        action: action.into(),
        object: format!("объект {action}"),
    };
    store.audit(entry(NOW + 10, None, "first")).await.unwrap();
    store
        .audit(entry(NOW + 30, Some("admin"), "third"))
        .await
        .unwrap();
    store.audit(entry(NOW + 20, None, "second")).await.unwrap();
    store.audit(entry(NOW + 30, None, "fourth")).await.unwrap();

    let log = store.audit_log(&cli(), 10).await.unwrap();
    assert_eq!(
        log,
        vec![
            entry(NOW + 30, None, "fourth"),
            entry(NOW + 30, Some("admin"), "third"),
            entry(NOW + 20, None, "second"),
            entry(NOW + 10, None, "first"),
        ]
    );
    let actions: Vec<String> = store
        .audit_log(&cli(), 2)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["fourth", "third"]);
    assert!(store.audit_log(&cli(), 0).await.unwrap().is_empty());

    // apply_directory writes one entry with the acting administrator.
    let admin = Caller {
        login: login("root"),
        full_name: "Админ".into(),
        roles: [Role::Admin].into(),
        school: None,
        municipality: None,
    };
    let auth = RegionAuthority::for_caller(&admin).unwrap();
    store
        .apply_directory(&auth, fixture(), NOW + 40)
        .await
        .unwrap();
    let newest = store.audit_log(&cli(), 1).await.unwrap().remove(0);
    assert_eq!(newest.at, NOW + 40);
    assert_eq!(newest.actor, Some(login("root")));
    assert_eq!(newest.action, "import fixture");
    assert!(!newest.object.is_empty());
}

/// A change larger than any one statement's batch is applied whole.
pub async fn bulk_apply_spans_many_statements(store: &dyn Store) {
    const SCHOOLS: usize = 30;
    const TEACHERS: usize = 2_345;
    let mut change = changes("bulk");
    change.municipalities = vec![municipality("bulk-m", "Крупный район")];
    change.schools = (0..SCHOOLS)
        .map(|n| school(&format!("bulk-s{n:03}"), "bulk-m", &format!("Школа {n:03}")))
        .collect();
    change.accounts = (0..TEACHERS)
        .map(|n| {
            let mut a = account(
                &format!("bulk-t{n:05}"),
                &format!("Педагог {n:05}"),
                &[Role::Teacher],
                Some(&format!("bulk-s{:03}", n % SCHOOLS)),
            );
            a.attrs.subjects = vec![format!("Предмет {}", n % 7)];
            a
        })
        .collect();
    change.invitations = (0..TEACHERS)
        .map(|n| {
            invitation(
                &format!("bulk-t{n:05}"),
                &format!("bulk-h{n:05}"),
                NOW + DAY,
            )
        })
        .collect();
    store
        .apply_directory(&cli(), change.clone(), NOW)
        .await
        .unwrap();

    let d = store.directory(&cli()).await.unwrap();
    assert_eq!(d.schools.len(), SCHOOLS);
    assert_eq!(d.accounts.len(), TEACHERS);
    assert_eq!(d.accounts, change.accounts);
    let summary = store.municipalities(&Scope::region()).await.unwrap();
    assert_eq!(summary[0].schools as usize, SCHOOLS);
    assert_eq!(summary[0].teachers as usize, TEACHERS);
    assert_eq!(
        store.invitation("bulk-h01234", NOW).await.unwrap(),
        valid("bulk-t01234", "Педагог 01234")
    );

    // Re-applying with new roles replaces every account's roles.
    for a in &mut change.accounts {
        a.roles = [Role::Teacher, Role::DeputyHead].into();
    }
    change.invitations.clear();
    store
        .apply_directory(&cli(), change.clone(), NOW + 1)
        .await
        .unwrap();
    let deputies = store
        .staff(
            &Scope::region(),
            &StaffFilter {
                role: Some(Role::DeputyHead),
                ..StaffFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(deputies.len(), TEACHERS);
    assert_eq!(
        store.directory(&cli()).await.unwrap().accounts,
        change.accounts
    );
}

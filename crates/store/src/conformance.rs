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

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::Poll;

mod custom;
mod indicators;
mod matching;
mod roadmap;
mod routes;
mod snapshots;
mod trainings;
pub use custom::*;
pub use indicators::*;
pub use matching::*;
pub use roadmap::*;
pub use routes::*;
pub use snapshots::*;
pub use trainings::*;

use chrono::NaiveDate;
use domain::{
    Account, Caller, ClusterFlag, Level, Login, Methodist, Municipality, MunicipalityCode,
    RegionAuthority, Role, School, SchoolCode, Scope, TeacherAttrs,
};

use crate::{
    AttemptStatus, AuditEntry, BankLoad, Credentials, DiagnosticCompetence, DiagnosticRow,
    DiagnosticSource, Directory, DirectoryChanges, FinishAttempt, FinishOutcome, ImportCounts,
    InvitationState, LoginFailures, Millis, NewAttempt, NewBankVersion, NewCampaign, NewDiagnostic,
    NewInvitation, ParticipationRow, SaveOutcome, SchoolFilter, StaffFilter, Store, StoreError,
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
            empty_and_mentee_scopes_see_only_active_mentees,
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
            bank_versions_load_once_per_version,
            concurrent_bank_loads_store_one_version,
            campaigns_round_trip,
            start_attempt_keeps_one_attempt_per_account,
            concurrent_starts_create_one_attempt,
            responses_are_saved_while_the_attempt_is_open,
            item_statistics_read_finished_attempts_of_a_version,
            finishing_stores_the_profile_and_one_diagnostic,
            concurrent_finishes_finish_once,
            saves_racing_a_finish_are_refused_or_scored,
            overdue_attempts_are_listed,
            diagnostics_of_is_scoped_and_newest_first,
            import_diagnostics_matches_login_bank_and_date,
            campaign_participation_counts_by_school,
            campaign_finishers_are_the_finished_attempts,
            bulk_import_spans_many_statements,
            diagnostics_since_reads_the_region,
            catalogue_round_trips_by_code,
            unknown_catalogue_municipality_is_a_conflict,
            drafts_are_created_then_replaced_and_scoped,
            seat_use_counts_steps_by_route_state,
            edited_drafts_are_kept_by_regeneration,
            approval_holds_seats_and_regeneration_keeps_it,
            the_last_seat_is_approved_once,
            concurrent_approvals_take_the_last_seat_once,
            steps_are_submitted_returned_and_confirmed,
            a_route_completes_with_its_last_mandatory_step,
            refused_route_writes_change_nothing,
            routes_where_filters_and_keeps_to_the_scope,
            step_evidence_is_scoped,
            step_mentors_are_named_on_drafts_and_approved_routes,
            refused_mentor_assignments_change_nothing,
            methodist_assignments_round_trip_with_history,
            reassigning_the_same_methodist_is_unchanged,
            reassigning_ends_the_old_assignment_with_the_reason,
            refused_methodist_assignments_write_nothing,
            methodist_places_are_enforced_when_asked,
            concurrent_assignments_take_the_last_place_once,
            methodist_assignments_keep_to_the_scope,
            mentee_scope_follows_the_active_assignments,
            mentor_school_assignments_round_trip_and_refuse,
            mentor_school_places_are_enforced_when_asked,
            concurrent_school_assignments_take_the_last_place_once,
            mentor_school_assignments_keep_to_the_scope,
            match_runs_are_replaced_by_kind,
            consultations_need_an_active_mentee,
            consultations_are_newest_first_and_scoped,
            roadmap_round_trips_every_field,
            reimporting_a_roadmap_changes_nothing,
            changed_roadmap_items_are_updated_keeping_their_done_state,
            roadmap_items_follow_the_file_order,
            duplicate_roadmap_numbers_are_refused_and_write_nothing,
            roadmap_periods_are_newest_first,
            roadmap_on_a_day_picks_its_period,
            concurrent_roadmap_imports_create_each_item_once,
            roadmap_items_are_marked_done_and_undone,
            unknown_roadmap_items_are_not_found,
            trainings_round_trip_and_reimport_unchanged,
            changed_trainings_are_updated_on_their_key,
            refused_trainings_write_nothing,
            targets_round_trip_reimport_and_update,
            targets_are_removed_and_audited,
            custom_indicators_are_defined_and_updated,
            custom_values_keep_history_within_the_scope,
            snapshots_are_taken_once_per_day_and_read_by_scope,
            names_are_read_without_counts,
            concurrent_region_counts_all_finish_alike,
            indicators_take_states_on_the_edge_days,
            indicators_keep_to_their_scope,
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

/// An empty scope sees nothing; `mentees_of` sees exactly the mentor's
/// active mentees (not ended ones, not another mentor's), and no places.
pub async fn empty_and_mentee_scopes_see_only_active_mentees(store: &dyn Store) {
    apply_fixture(store).await;
    let empty = Scope::default();
    let mentees = Scope {
        mentees_of: Some(login("metod")),
        ..Scope::default()
    };
    let everyone = StaffFilter {
        include_inactive: true,
        ..StaffFilter::default()
    };
    let sees_no_place = async |scope: &Scope| {
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
        assert_eq!(store.school(scope, &scode("s-a1")).await.unwrap(), None);
    };
    for scope in [&empty, &mentees] {
        sees_no_place(scope).await;
        assert!(store.staff(scope, &everyone).await.unwrap().is_empty());
        assert_eq!(store.account(scope, &login("metod")).await.unwrap(), None);
        assert_eq!(store.methodist(scope, &login("metod")).await.unwrap(), None);
    }

    // metod: t1 and t2 (t2's then ended); metod2: t4.
    let assign = |teacher: &str, methodist: &str| crate::NewAssignment {
        teacher: login(teacher),
        methodist: login(methodist),
        reasons: vec![],
    };
    store
        .assign_methodists(
            &cli(),
            vec![
                assign("t1", "metod"),
                assign("t2", "metod"),
                assign("t4", "metod2"),
            ],
            false,
            "замена",
            NOW,
        )
        .await
        .unwrap();
    store
        .end_methodist_assignment(&cli(), &login("t2"), "переведена", NOW + 1)
        .await
        .unwrap();
    store
        .import_diagnostics(
            &cli(),
            vec![
                imported("t1", "pedagogy-core", date(2025, 3, 1), "40"),
                imported("t2", "pedagogy-core", date(2025, 3, 1), "50"),
            ],
            NOW + 2,
        )
        .await
        .unwrap();

    sees_no_place(&mentees).await;
    assert_eq!(
        logins_of(&store.staff(&mentees, &everyone).await.unwrap()),
        ["t1"]
    );
    assert_eq!(
        store.account(&mentees, &login("t1")).await.unwrap(),
        Some(fixture_account("t1"))
    );
    for other in ["t2", "t3", "t4", "metod", "metod2"] {
        assert_eq!(
            store.account(&mentees, &login(other)).await.unwrap(),
            None,
            "{other} is not an active mentee of metod"
        );
    }
    assert_eq!(
        store
            .diagnostics_of(&mentees, &login("t1"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .diagnostics_of(&mentees, &login("t2"))
            .await
            .unwrap()
            .is_empty()
    );
    // The other mentor sees theirs only; an empty scope still nothing.
    let mentees2 = Scope {
        mentees_of: Some(login("metod2")),
        ..Scope::default()
    };
    assert_eq!(
        logins_of(&store.staff(&mentees2, &everyone).await.unwrap()),
        ["t4"]
    );
    assert!(store.staff(&empty, &everyone).await.unwrap().is_empty());
    // A mentor's own scope: their account and their active mentees.
    let scope = credentials_of(store, "metod").await.caller.scope();
    assert_eq!(scope.mentees_of, Some(login("metod")));
    assert_eq!(
        logins_of(&store.staff(&scope, &StaffFilter::default()).await.unwrap()),
        ["metod", "t1"]
    );
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

// ---- diagnostics: fixture ------------------------------------------------------

const HOUR: Millis = 3_600_000;
/// The grace after a deadline during which responses are still accepted.
const GRACE: Millis = 30_000;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn admin_authority() -> RegionAuthority {
    let admin = Caller {
        login: login("admin"),
        full_name: "Администратор Системы".into(),
        roles: [Role::Admin].into(),
        school: None,
        municipality: None,
    };
    RegionAuthority::for_caller(&admin).unwrap()
}

fn bank(id: &str, version: &str, hash: &str) -> NewBankVersion {
    NewBankVersion {
        bank_id: id.into(),
        version: version.into(),
        content_hash: hash.into(),
        title: format!("Банк «{id}»"),
        file_name: format!("{id}.toml"),
        source: format!("[bank]\nid = \"{id}\"\nversion = \"{version}\"\n# {hash}\n"),
    }
}

fn new_campaign(title: &str, bank_version_id: i64, opens_on: NaiveDate) -> NewCampaign {
    NewCampaign {
        title: title.into(),
        bank_version_id,
        opens_on,
        closes_on: opens_on + chrono::Days::new(30),
        audience: "clusters:low_results|adverse_conditions".into(),
    }
}

/// The directory fixture, bank `pedagogy-core` 2026.1 and one campaign on
/// it: `(bank version id, campaign id)`.
async fn campaign_fixture(store: &dyn Store) -> (i64, i64) {
    apply_fixture(store).await;
    let bank_version_id = store
        .load_bank_version(&cli(), bank("pedagogy-core", "2026.1", "h1"), NOW)
        .await
        .unwrap()
        .id();
    let campaign_id = store
        .create_campaign(
            None,
            new_campaign("Весенняя диагностика", bank_version_id, date(2025, 6, 1)),
            NOW,
        )
        .await
        .unwrap();
    (bank_version_id, campaign_id)
}

fn new_attempt(campaign_id: i64, bank_version_id: i64, l: &str, deadline: Millis) -> NewAttempt {
    NewAttempt {
        campaign_id,
        login: login(l),
        bank_version_id,
        deadline,
        form_json: format!(r#"{{"items":["K1-001","K2-003"],"for":"{l}"}}"#),
    }
}

fn competence(code: &str, percent: Option<&str>, level: Level) -> DiagnosticCompetence {
    DiagnosticCompetence {
        competence: code.into(),
        percent: percent.map(str::to_owned),
        level,
    }
}

fn diagnostic(
    l: &str,
    bank_id: &str,
    taken_on: NaiveDate,
    source: DiagnosticSource,
    overall: &str,
) -> NewDiagnostic {
    NewDiagnostic {
        login: login(l),
        bank_id: bank_id.into(),
        bank_version_id: None,
        taken_on,
        source,
        overall_percent: overall.into(),
        overall_level: Level::Reduced,
        // Deliberately not in code order: the given order is kept.
        competences: vec![
            competence(&format!("{bank_id}:K2"), Some("55"), Level::High),
            competence(&format!("{bank_id}:K1"), Some("70.00"), Level::Reduced),
            competence(&format!("{bank_id}:K3"), None, Level::None),
        ],
        profile_json: format!(r#"{{"bank":"{bank_id}","overall":{{"percent":{overall}}}}}"#),
    }
}

fn imported(l: &str, bank_id: &str, taken_on: NaiveDate, overall: &str) -> NewDiagnostic {
    diagnostic(l, bank_id, taken_on, DiagnosticSource::Import, overall)
}

fn finishing(
    status: AttemptStatus,
    scored: BTreeMap<String, String>,
    l: &str,
    profile: &str,
) -> FinishAttempt {
    let mut d = diagnostic(
        l,
        "pedagogy-core",
        date(2025, 6, 10),
        DiagnosticSource::Attempt,
        "62.5",
    );
    d.profile_json = profile.into();
    FinishAttempt {
        status,
        scored_responses: scored,
        profile_json: profile.into(),
        diagnostic: d,
    }
}

/// The stored form of the fixture's competences (percents with two decimals).
fn stored_competences(bank_id: &str) -> Vec<DiagnosticCompetence> {
    vec![
        competence(&format!("{bank_id}:K2"), Some("55.00"), Level::High),
        competence(&format!("{bank_id}:K1"), Some("70.00"), Level::Reduced),
        competence(&format!("{bank_id}:K3"), None, Level::None),
    ]
}

async fn diagnostics_in_region(store: &dyn Store, l: &str) -> Vec<DiagnosticRow> {
    store
        .diagnostics_of(&Scope::region(), &login(l))
        .await
        .unwrap()
}

// ---- diagnostics: cases --------------------------------------------------------

/// A bank version is stored once; the same content again changes nothing,
/// another content under the same version is refused.
pub async fn bank_versions_load_once_per_version(store: &dyn Store) {
    assert!(store.bank_versions().await.unwrap().is_empty());
    assert_eq!(
        store.current_bank_version("pedagogy-core").await.unwrap(),
        None
    );

    let admin = admin_authority();
    let v1 = bank("pedagogy-core", "2026.1", "h1");
    let id1 = match store.load_bank_version(&admin, v1.clone(), NOW).await {
        Ok(BankLoad::Inserted(id)) => id,
        other => panic!("the first load inserts: {other:?}"),
    };
    assert_eq!(
        store
            .load_bank_version(&cli(), v1.clone(), NOW + 1)
            .await
            .unwrap(),
        BankLoad::Unchanged(id1)
    );
    let mut changed = bank("pedagogy-core", "2026.1", "h1-edited");
    changed.file_name = "pedagogy-core-edited.toml".into();
    match store.load_bank_version(&cli(), changed, NOW + 2).await {
        Err(StoreError::Conflict(message)) => {
            assert!(message.contains("pedagogy-core"), "{message}");
            assert!(message.contains("2026.1"), "{message}");
            assert!(
                message.contains("version"),
                "tells to change the version: {message}"
            );
        }
        other => panic!("another content under a loaded version is a conflict: {other:?}"),
    }
    let v2 = bank("pedagogy-core", "2026.2", "h2");
    let id2 = match store.load_bank_version(&cli(), v2.clone(), NOW + 10).await {
        Ok(BankLoad::Inserted(id)) => id,
        other => panic!("a new version inserts: {other:?}"),
    };
    let m1 = bank("management", "1", "hm");
    let id3 = store
        .load_bank_version(&cli(), m1, NOW + 20)
        .await
        .unwrap()
        .id();
    assert!(id1 != id2 && id2 != id3 && id1 != id3);

    // The list: newest load first, without sources.
    let list = store.bank_versions().await.unwrap();
    let ids: Vec<i64> = list.iter().map(|b| b.id).collect();
    assert_eq!(ids, [id3, id2, id1]);
    assert!(list.iter().all(|b| b.source.is_none()));

    // One version with its source and every field.
    let one = store.bank_version(id1).await.unwrap().unwrap();
    assert_eq!(one.bank_id, "pedagogy-core");
    assert_eq!(one.version, "2026.1");
    assert_eq!(one.content_hash, "h1", "the refused load changed nothing");
    assert_eq!(one.title, v1.title);
    assert_eq!(one.file_name, "pedagogy-core.toml");
    assert_eq!(one.source.as_deref(), Some(v1.source.as_str()));
    assert_eq!(one.loaded_at, NOW);
    assert_eq!(one.loaded_by, Some(login("admin")));
    assert_eq!(
        list[2],
        crate::BankVersionRow {
            source: None,
            ..one
        }
    );
    assert_eq!(store.bank_version(id3 + 1000).await.unwrap(), None);

    // The current version is the latest loaded; reloading an older one
    // unchanged does not make it current.
    let current = store
        .current_bank_version("pedagogy-core")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.id, id2);
    assert_eq!(current.source.as_deref(), Some(v2.source.as_str()));
    assert_eq!(current.loaded_by, None);
    assert_eq!(
        store.load_bank_version(&cli(), v1, NOW + 30).await.unwrap(),
        BankLoad::Unchanged(id1)
    );
    assert_eq!(
        store
            .current_bank_version("pedagogy-core")
            .await
            .unwrap()
            .unwrap()
            .id,
        id2
    );
    assert_eq!(
        store
            .current_bank_version("management")
            .await
            .unwrap()
            .unwrap()
            .id,
        id3
    );
    assert_eq!(store.current_bank_version("nope").await.unwrap(), None);

    // One audit entry per stored version, with its actor.
    let log = store.audit_log(&cli(), 10).await.unwrap();
    let loads: Vec<&AuditEntry> = log.iter().filter(|e| e.action == "bank load").collect();
    assert_eq!(loads.len(), 3, "{log:?}");
    assert_eq!(loads[2].actor, Some(login("admin")));
    assert!(loads[2].object.contains("pedagogy-core"));
}

/// Racing loads of one version store it once; all agree on its id.
pub async fn concurrent_bank_loads_store_one_version(store: &dyn Store) {
    let auth = cli();
    let loads = (0..10)
        .map(|n| store.load_bank_version(&auth, bank("race", "1", "h"), NOW + n))
        .collect();
    let outcomes = join_all(loads).await;
    let ids: BTreeSet<i64> = outcomes.iter().map(|o| o.as_ref().unwrap().id()).collect();
    assert_eq!(ids.len(), 1, "{outcomes:?}");
    let inserted = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(BankLoad::Inserted(_))))
        .count();
    assert_eq!(inserted, 1, "{outcomes:?}");
    assert_eq!(store.bank_versions().await.unwrap().len(), 1);
}

/// Campaigns round-trip with their bank; bad windows and versions are refused.
pub async fn campaigns_round_trip(store: &dyn Store) {
    apply_fixture(store).await;
    let bv = store
        .load_bank_version(&cli(), bank("pedagogy-core", "2026.1", "h1"), NOW)
        .await
        .unwrap()
        .id();
    let spring = store
        .create_campaign(
            Some(&login("admin")),
            new_campaign("Весенняя диагностика", bv, date(2025, 3, 1)),
            NOW + 5,
        )
        .await
        .unwrap();
    let autumn = store
        .create_campaign(
            None,
            NewCampaign {
                title: "Осенняя диагностика".into(),
                bank_version_id: bv,
                opens_on: date(2025, 9, 1),
                closes_on: date(2025, 9, 1),
                audience: "all".into(),
            },
            NOW + 6,
        )
        .await
        .unwrap();
    assert_ne!(spring, autumn);

    let row = store.campaign(spring).await.unwrap().unwrap();
    assert_eq!(
        row,
        crate::CampaignRow {
            id: spring,
            title: "Весенняя диагностика".into(),
            bank_version_id: bv,
            bank_id: "pedagogy-core".into(),
            bank_version: "2026.1".into(),
            bank_title: "Банк «pedagogy-core»".into(),
            opens_on: date(2025, 3, 1),
            closes_on: date(2025, 3, 31),
            audience: "clusters:low_results|adverse_conditions".into(),
            created_by: Some(login("admin")),
            created_at: NOW + 5,
        }
    );
    let all = store.campaigns().await.unwrap();
    let ids: Vec<i64> = all.iter().map(|c| c.id).collect();
    assert_eq!(ids, [autumn, spring], "the latest opening first");
    assert_eq!(all[1], row);
    assert_eq!(all[0].created_by, None);
    assert_eq!(all[0].closes_on, date(2025, 9, 1));

    let mut backwards = new_campaign("Наоборот", bv, date(2025, 5, 10));
    backwards.closes_on = date(2025, 5, 9);
    assert!(matches!(
        store.create_campaign(None, backwards, NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .create_campaign(
                None,
                new_campaign("Без банка", bv + 1000, date(2025, 5, 1)),
                NOW
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.campaigns().await.unwrap().len(), 2);
    assert_eq!(store.campaign(autumn + 1000).await.unwrap(), None);
}

/// Starting again finds the same attempt, whatever its status.
pub async fn start_attempt_keeps_one_attempt_per_account(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let (first, created) = store
        .start_attempt(new_attempt(campaign, bv, "t1", NOW + HOUR), NOW)
        .await
        .unwrap();
    assert!(created);
    assert_eq!(first.campaign_id, campaign);
    assert_eq!(first.login, login("t1"));
    assert_eq!(first.bank_version_id, bv);
    assert_eq!(first.status, AttemptStatus::InProgress);
    assert_eq!(first.started_at, NOW);
    assert_eq!(first.deadline, NOW + HOUR);
    assert_eq!(first.finished_at, None);
    assert_eq!(
        first.form_json,
        new_attempt(campaign, bv, "t1", 0).form_json
    );
    assert_eq!(first.profile_json, None);

    // Again, with another form and deadline: the stored attempt, unchanged.
    let mut again = new_attempt(campaign, bv, "t1", NOW + 2 * HOUR);
    again.form_json = "{}".into();
    let (second, created) = store.start_attempt(again, NOW + 5).await.unwrap();
    assert!(!created);
    assert_eq!(second, first);

    assert_eq!(
        store.attempt(first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    assert_eq!(
        store
            .attempt_for(campaign, &login("t1"))
            .await
            .unwrap()
            .as_ref(),
        Some(&first)
    );
    assert_eq!(
        store.attempt_for(campaign, &login("t2")).await.unwrap(),
        None
    );
    assert_eq!(store.attempt(first.id + 1000).await.unwrap(), None);

    // Another campaign: another attempt; the latest started first.
    let other = store
        .create_campaign(None, new_campaign("Вторая", bv, date(2025, 7, 1)), NOW)
        .await
        .unwrap();
    let (later, created) = store
        .start_attempt(
            new_attempt(other, bv, "t1", NOW + 11 * HOUR),
            NOW + 10 * HOUR,
        )
        .await
        .unwrap();
    assert!(created);
    assert_ne!(later.id, first.id);
    assert_eq!(
        store.attempts_of(&login("t1")).await.unwrap(),
        vec![later.clone(), first.clone()]
    );
    assert!(store.attempts_of(&login("t2")).await.unwrap().is_empty());

    assert!(matches!(
        store
            .start_attempt(new_attempt(campaign, bv, "nobody", NOW + HOUR), NOW)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .start_attempt(new_attempt(other + 1000, bv, "t2", NOW + HOUR), NOW)
            .await,
        Err(StoreError::NotFound)
    ));

    // A finished attempt is still the one found.
    let outcome = store
        .finish_attempt(
            first.id,
            finishing(AttemptStatus::Submitted, BTreeMap::new(), "t1", "{}"),
            NOW + 20,
        )
        .await
        .unwrap();
    assert_eq!(outcome, FinishOutcome::Finished);
    let (found, created) = store
        .start_attempt(new_attempt(campaign, bv, "t1", NOW + 3 * HOUR), NOW + 30)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(found.id, first.id);
    assert_eq!(found.status, AttemptStatus::Submitted);
}

/// A hundred racing starts make exactly one attempt, and none fails.
pub async fn concurrent_starts_create_one_attempt(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let starts = (0..100)
        .map(|n| {
            let mut a = new_attempt(campaign, bv, "t2", NOW + HOUR + n);
            a.form_json = format!(r#"{{"form":{n}}}"#);
            store.start_attempt(a, NOW + n)
        })
        .collect();
    let outcomes = join_all(starts).await;
    let mut ids = BTreeSet::new();
    let mut winners = Vec::new();
    for (n, outcome) in outcomes.into_iter().enumerate() {
        let (row, created) = outcome.unwrap_or_else(|e| panic!("start {n} failed: {e}"));
        ids.insert(row.id);
        if created {
            winners.push((n, row));
        }
    }
    assert_eq!(ids.len(), 1, "one attempt for all: {ids:?}");
    assert_eq!(winners.len(), 1, "exactly one start creates it");
    let (n, winner) = &winners[0];
    assert_eq!(winner.form_json, format!(r#"{{"form":{n}}}"#));
    let stored = store.attempts_of(&login("t2")).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(&stored[0], winner);
}

/// Responses are saved (idempotently) only while the attempt is open.
pub async fn responses_are_saved_while_the_attempt_is_open(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let deadline = NOW + HOUR;
    let (a, _) = store
        .start_attempt(new_attempt(campaign, bv, "t1", deadline), NOW)
        .await
        .unwrap();
    let (b, _) = store
        .start_attempt(new_attempt(campaign, bv, "t2", deadline), NOW)
        .await
        .unwrap();
    assert!(store.responses(a.id).await.unwrap().is_empty());

    let save = |item: &'static str, value: &'static str, at: Millis| {
        store.save_response(a.id, item, value, at, GRACE)
    };
    assert_eq!(
        save("K1-001", "0", NOW + 1).await.unwrap(),
        SaveOutcome::Saved
    );
    assert_eq!(
        save("K1-001", "0", NOW + 2).await.unwrap(),
        SaveOutcome::Saved
    );
    let expect = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        store.responses(a.id).await.unwrap(),
        expect(&[("K1-001", "0")])
    );
    assert_eq!(
        save("K1-001", "2", NOW + 3).await.unwrap(),
        SaveOutcome::Saved
    );
    assert_eq!(
        save("K2-003", r#"[[0,1],[1,0]]"#, NOW + 4).await.unwrap(),
        SaveOutcome::Saved
    );
    assert_eq!(
        save("K3-010", "null", NOW + 5).await.unwrap(),
        SaveOutcome::Saved
    );
    // The last moment of the grace still counts; the next one does not.
    assert_eq!(
        save("K3-011", r#""ответ""#, deadline + GRACE)
            .await
            .unwrap(),
        SaveOutcome::Saved
    );
    assert_eq!(
        save("K3-012", "1", deadline + GRACE + 1).await.unwrap(),
        SaveOutcome::Closed
    );
    assert_eq!(
        save("K1-001", "3", deadline + GRACE + 1).await.unwrap(),
        SaveOutcome::Closed
    );
    let saved = expect(&[
        ("K1-001", "2"),
        ("K2-003", r#"[[0,1],[1,0]]"#),
        ("K3-010", "null"),
        ("K3-011", r#""ответ""#),
    ]);
    assert_eq!(store.responses(a.id).await.unwrap(), saved);
    assert!(
        store.responses(b.id).await.unwrap().is_empty(),
        "attempts are separate"
    );

    // After finishing, saves are refused even before the deadline.
    assert_eq!(
        store
            .save_response(b.id, "K1-001", "1", NOW + 10, GRACE)
            .await
            .unwrap(),
        SaveOutcome::Saved
    );
    let scored = store.responses(b.id).await.unwrap();
    assert_eq!(
        store
            .finish_attempt(
                b.id,
                finishing(AttemptStatus::Submitted, scored.clone(), "t2", "{}"),
                NOW + 20
            )
            .await
            .unwrap(),
        FinishOutcome::Finished
    );
    assert_eq!(
        store
            .save_response(b.id, "K1-001", "0", NOW + 21, GRACE)
            .await
            .unwrap(),
        SaveOutcome::Closed
    );
    assert_eq!(
        store
            .save_response(b.id, "K1-002", "0", NOW + 21, GRACE)
            .await
            .unwrap(),
        SaveOutcome::Closed
    );
    assert_eq!(store.responses(b.id).await.unwrap(), scored);

    assert!(matches!(
        store
            .save_response(b.id + 1000, "K1-001", "0", NOW, GRACE)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store.responses(b.id + 1000).await.unwrap().is_empty());
}

/// Finishing stores the status, the profile and one diagnostic; a second
/// finishing writes nothing; stale scoring is refused.
pub async fn finishing_stores_the_profile_and_one_diagnostic(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let (a, _) = store
        .start_attempt(new_attempt(campaign, bv, "t2", NOW + HOUR), NOW)
        .await
        .unwrap();
    for (item, value) in [("K1-001", "1"), ("K2-003", "[0,2]")] {
        store
            .save_response(a.id, item, value, NOW + 1, GRACE)
            .await
            .unwrap();
    }
    let scored = store.responses(a.id).await.unwrap();

    // Checked before anything is written.
    assert!(
        store
            .finish_attempt(
                a.id,
                finishing(AttemptStatus::InProgress, scored.clone(), "t2", "{}"),
                NOW + 2
            )
            .await
            .is_err()
    );
    let mut wrong_source = finishing(AttemptStatus::Submitted, scored.clone(), "t2", "{}");
    wrong_source.diagnostic.source = DiagnosticSource::Import;
    assert!(
        store
            .finish_attempt(a.id, wrong_source, NOW + 2)
            .await
            .is_err()
    );
    assert!(matches!(
        store
            .finish_attempt(
                a.id,
                finishing(AttemptStatus::Submitted, scored.clone(), "t1", "{}"),
                NOW + 2
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let mut other_bank = finishing(AttemptStatus::Submitted, scored.clone(), "t2", "{}");
    other_bank.diagnostic.bank_id = "management".into();
    assert!(matches!(
        store.finish_attempt(a.id, other_bank, NOW + 2).await,
        Err(StoreError::Conflict(_))
    ));
    let mut bad_percent = finishing(AttemptStatus::Submitted, scored.clone(), "t2", "{}");
    bad_percent.diagnostic.overall_percent = "62.555".into();
    assert!(matches!(
        store.finish_attempt(a.id, bad_percent, NOW + 2).await,
        Err(StoreError::Conflict(_))
    ));
    // Scored on responses that are not the stored ones: nothing written.
    let mut stale = scored.clone();
    stale.remove("K2-003");
    assert_eq!(
        store
            .finish_attempt(
                a.id,
                finishing(AttemptStatus::Submitted, stale, "t2", "{}"),
                NOW + 2
            )
            .await
            .unwrap(),
        FinishOutcome::ResponsesChanged
    );
    let still = store.attempt(a.id).await.unwrap().unwrap();
    assert_eq!(still, a, "nothing was written");
    assert!(diagnostics_in_region(store, "t2").await.is_empty());
    assert_eq!(
        store
            .save_response(a.id, "K2-004", "1", NOW + 3, GRACE)
            .await
            .unwrap(),
        SaveOutcome::Saved,
        "the attempt is still open"
    );
    let scored = store.responses(a.id).await.unwrap();

    let profile = r#"{"bank":"pedagogy-core","overall":{"percent":62.5}}"#;
    assert_eq!(
        store
            .finish_attempt(
                a.id,
                finishing(AttemptStatus::Submitted, scored.clone(), "t2", profile),
                NOW + 100
            )
            .await
            .unwrap(),
        FinishOutcome::Finished
    );
    let finished = store.attempt(a.id).await.unwrap().unwrap();
    assert_eq!(finished.status, AttemptStatus::Submitted);
    assert_eq!(finished.finished_at, Some(NOW + 100));
    assert_eq!(finished.profile_json.as_deref(), Some(profile));
    assert_eq!(finished.form_json, a.form_json);
    assert_eq!(finished.deadline, a.deadline);

    let diagnostics = diagnostics_in_region(store, "t2").await;
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(d.login, login("t2"));
    assert_eq!(d.bank_id, "pedagogy-core");
    assert_eq!(d.bank_version_id, Some(bv), "the attempt's version");
    assert_eq!(d.taken_on, date(2025, 6, 10));
    assert_eq!(d.source, DiagnosticSource::Attempt);
    assert_eq!(d.attempt_id, Some(a.id));
    assert_eq!(d.overall_percent, "62.50");
    assert_eq!(d.overall_level, Level::Reduced);
    assert_eq!(d.competences, stored_competences("pedagogy-core"));
    assert_eq!(d.profile_json, profile);
    assert_eq!(d.recorded_at, NOW + 100);

    // Again (say, the overdue sweep): nothing changes.
    match store
        .finish_attempt(
            a.id,
            finishing(AttemptStatus::Expired, scored.clone(), "t2", "{\"late\":1}"),
            NOW + 200,
        )
        .await
        .unwrap()
    {
        FinishOutcome::AlreadyFinished(row) => assert_eq!(row, finished),
        other => panic!("a second finishing writes nothing: {other:?}"),
    }
    assert_eq!(diagnostics_in_region(store, "t2").await, diagnostics);
    assert!(matches!(
        store
            .finish_attempt(
                a.id + 1000,
                finishing(AttemptStatus::Submitted, BTreeMap::new(), "t2", "{}"),
                NOW
            )
            .await,
        Err(StoreError::NotFound)
    ));

    // Expiry is a finishing too.
    let (b, _) = store
        .start_attempt(new_attempt(campaign, bv, "t1", NOW + HOUR), NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .finish_attempt(
                b.id,
                finishing(AttemptStatus::Expired, BTreeMap::new(), "t1", "{}"),
                NOW + HOUR + GRACE + 1
            )
            .await
            .unwrap(),
        FinishOutcome::Finished
    );
    let expired = store.attempt(b.id).await.unwrap().unwrap();
    assert_eq!(expired.status, AttemptStatus::Expired);
    assert_eq!(expired.finished_at, Some(NOW + HOUR + GRACE + 1));
    assert_eq!(diagnostics_in_region(store, "t1").await.len(), 1);
}

/// Fifty racing finishings: one finishes, the others see it finished, and
/// one diagnostic is stored.
pub async fn concurrent_finishes_finish_once(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let (a, _) = store
        .start_attempt(new_attempt(campaign, bv, "t4", NOW + HOUR), NOW)
        .await
        .unwrap();
    store
        .save_response(a.id, "K1-001", "1", NOW + 1, GRACE)
        .await
        .unwrap();
    let scored = store.responses(a.id).await.unwrap();
    let status = |n: usize| {
        if n.is_multiple_of(2) {
            AttemptStatus::Submitted
        } else {
            AttemptStatus::Expired
        }
    };
    let finishes = (0..50)
        .map(|n| {
            store.finish_attempt(
                a.id,
                finishing(status(n), scored.clone(), "t4", &format!("{{\"n\":{n}}}")),
                NOW + 10 + n as Millis,
            )
        })
        .collect();
    let outcomes = join_all(finishes).await;
    let winners: Vec<usize> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o, Ok(FinishOutcome::Finished)))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one finishes: {outcomes:?}");
    let w = winners[0];
    let stored = store.attempt(a.id).await.unwrap().unwrap();
    assert_eq!(stored.status, status(w));
    assert_eq!(stored.profile_json, Some(format!("{{\"n\":{w}}}")));
    assert_eq!(stored.finished_at, Some(NOW + 10 + w as Millis));
    for (n, outcome) in outcomes.into_iter().enumerate() {
        if n != w {
            match outcome {
                Ok(FinishOutcome::AlreadyFinished(row)) => assert_eq!(row, stored),
                other => panic!("finishing {n} should see it finished: {other:?}"),
            }
        }
    }
    let diagnostics = diagnostics_in_region(store, "t4").await;
    assert_eq!(diagnostics.len(), 1, "one diagnostic");
    assert_eq!(diagnostics[0].profile_json, format!("{{\"n\":{w}}}"));
}

/// Saves racing the finishing of their attempt are each either refused or
/// seen by the finishing: an accepted response is never left out of the
/// profile. The finishing is the server's loop: read the responses, score
/// them, finish; read again when they changed meanwhile.
pub async fn saves_racing_a_finish_are_refused_or_scored(store: &dyn Store) {
    enum Raced {
        /// The items a chain of saves got accepted.
        Saves(Vec<String>),
        /// The responses the winning finishing scored.
        Finished(BTreeMap<String, String>),
    }
    const CHAINS: usize = 4;
    const SAVES_PER_CHAIN: usize = 25;
    let (bv, _) = campaign_fixture(store).await;
    for round in 0..4 {
        let campaign = store
            .create_campaign(
                None,
                new_campaign(&format!("Раунд {round}"), bv, date(2025, 6, 1)),
                NOW,
            )
            .await
            .unwrap();
        let (a, _) = store
            .start_attempt(new_attempt(campaign, bv, "t1", NOW + HOUR), NOW)
            .await
            .unwrap();
        store
            .save_response(a.id, "K0-000", "0", NOW + 1, GRACE)
            .await
            .unwrap();
        let mut futures: Vec<BoxFuture<'_, Raced>> = Vec::new();
        for chain in 0..CHAINS {
            futures.push(Box::pin(async move {
                let mut saved = Vec::new();
                for n in 0..SAVES_PER_CHAIN {
                    let item = format!("K{}-{round}{n:02}", chain + 1);
                    match store
                        .save_response(a.id, &item, "1", NOW + 5, GRACE)
                        .await
                        .unwrap()
                    {
                        SaveOutcome::Saved => saved.push(item),
                        SaveOutcome::Closed => break,
                    }
                }
                Raced::Saves(saved)
            }));
            if chain == round % CHAINS {
                futures.push(Box::pin(async move {
                    loop {
                        let scored = store.responses(a.id).await.unwrap();
                        let finish =
                            finishing(AttemptStatus::Submitted, scored.clone(), "t1", "{}");
                        match store.finish_attempt(a.id, finish, NOW + 5).await.unwrap() {
                            FinishOutcome::Finished => return Raced::Finished(scored),
                            FinishOutcome::ResponsesChanged => continue,
                            other => panic!("round {round}: unexpected {other:?}"),
                        }
                    }
                }));
            }
        }
        let mut scored = None;
        let mut accepted = BTreeSet::new();
        for outcome in join_all(futures).await {
            match outcome {
                Raced::Saves(items) => accepted.extend(items),
                Raced::Finished(s) => scored = Some(s),
            }
        }
        let scored = scored.unwrap();
        for item in &accepted {
            assert!(
                scored.contains_key(item),
                "round {round}: {item} was accepted but left out of the profile"
            );
        }
        assert_eq!(scored.len(), accepted.len() + 1, "round {round}");
        assert_eq!(
            store.responses(a.id).await.unwrap(),
            scored,
            "round {round}"
        );
        assert_eq!(
            store.attempt(a.id).await.unwrap().unwrap().status,
            AttemptStatus::Submitted
        );
        assert_eq!(diagnostics_in_region(store, "t1").await.len(), round + 1);
    }
}

/// The overdue sweep lists running attempts past their deadline plus grace.
pub async fn overdue_attempts_are_listed(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let start = |l: &'static str, deadline: Millis| {
        store.start_attempt(new_attempt(campaign, bv, l, deadline), NOW)
    };
    let (t1, _) = start("t1", NOW + HOUR).await.unwrap();
    let (t2, _) = start("t2", NOW + 2 * HOUR).await.unwrap();
    let (t4, _) = start("t4", NOW + HOUR - 1).await.unwrap();
    assert!(store.overdue_attempts(NOW, GRACE).await.unwrap().is_empty());
    assert_eq!(
        store
            .overdue_attempts(NOW + HOUR + GRACE, GRACE)
            .await
            .unwrap(),
        [t4.id],
        "deadline + grace must be before now"
    );
    assert_eq!(
        store
            .overdue_attempts(NOW + HOUR + GRACE + 1, GRACE)
            .await
            .unwrap(),
        [t4.id, t1.id],
        "the earliest deadline first"
    );
    store
        .finish_attempt(
            t4.id,
            finishing(AttemptStatus::Expired, BTreeMap::new(), "t4", "{}"),
            NOW + HOUR + GRACE + 1,
        )
        .await
        .unwrap();
    assert_eq!(
        store.overdue_attempts(NOW + 3 * HOUR, GRACE).await.unwrap(),
        [t1.id, t2.id],
        "finished attempts are not overdue"
    );
}

/// A teacher's diagnostics (attempts and imports) are newest first and
/// visible only where the teacher is.
pub async fn diagnostics_of_is_scoped_and_newest_first(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let counts = store
        .import_diagnostics(
            &cli(),
            vec![
                imported("t1", "pedagogy-core", date(2025, 3, 1), "40"),
                imported("t1", "management", date(2025, 6, 10), "85.25"),
                imported("t4", "pedagogy-core", date(2025, 3, 1), "10"),
            ],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        counts,
        ImportCounts {
            inserted: 3,
            updated: 0,
            unchanged: 0
        }
    );
    let (a, _) = store
        .start_attempt(new_attempt(campaign, bv, "t1", NOW + HOUR), NOW)
        .await
        .unwrap();
    store
        .finish_attempt(
            a.id,
            finishing(AttemptStatus::Submitted, BTreeMap::new(), "t1", "{\"a\":1}"),
            NOW + 10,
        )
        .await
        .unwrap();

    let all = diagnostics_in_region(store, "t1").await;
    let order: Vec<(NaiveDate, DiagnosticSource, &str)> = all
        .iter()
        .map(|d| (d.taken_on, d.source, d.bank_id.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            (
                date(2025, 6, 10),
                DiagnosticSource::Attempt,
                "pedagogy-core"
            ),
            (date(2025, 6, 10), DiagnosticSource::Import, "management"),
            (date(2025, 3, 1), DiagnosticSource::Import, "pedagogy-core"),
        ],
        "by date, then the latest stored"
    );
    let imported_row = &all[1];
    assert_eq!(imported_row.login, login("t1"));
    assert_eq!(imported_row.overall_percent, "85.25");
    assert_eq!(imported_row.overall_level, Level::Reduced);
    assert_eq!(imported_row.bank_version_id, None);
    assert_eq!(imported_row.attempt_id, None);
    assert_eq!(imported_row.competences, stored_competences("management"));
    assert_eq!(
        imported_row.profile_json,
        imported("t1", "management", date(2025, 6, 10), "85.25").profile_json
    );
    assert_eq!(imported_row.recorded_at, NOW);
    assert_eq!(all[2].overall_percent, "40.00");

    let count = |scope: Scope, l: &'static str| async move {
        store.diagnostics_of(&scope, &login(l)).await.unwrap().len()
    };
    let schools = |codes: &[&str]| Scope {
        schools: codes.iter().map(|c| scode(c)).collect(),
        ..Scope::default()
    };
    let municipalities = |codes: &[&str]| Scope {
        municipalities: codes.iter().map(|c| mcode(c)).collect(),
        ..Scope::default()
    };
    let own = |l: &str| Scope {
        own: Some(login(l)),
        ..Scope::default()
    };
    assert_eq!(count(schools(&["s-a1"]), "t1").await, 3);
    assert_eq!(count(schools(&["s-b1"]), "t1").await, 0);
    assert_eq!(count(schools(&["s-b1"]), "t4").await, 1);
    assert_eq!(count(municipalities(&["m1"]), "t1").await, 3);
    assert_eq!(count(municipalities(&["m2"]), "t1").await, 0);
    assert_eq!(count(own("t1"), "t1").await, 3);
    assert_eq!(count(own("t2"), "t1").await, 0);
    assert_eq!(count(Scope::default(), "t1").await, 0);
    assert_eq!(count(Scope::region(), "t2").await, 0);
    assert_eq!(count(Scope::region(), "nobody").await, 0);
    // What a scope shows is exactly what the region shows.
    assert_eq!(
        store
            .diagnostics_of(&own("t1"), &login("t1"))
            .await
            .unwrap(),
        all
    );
}

/// Imports match on (login, bank, date): identical rows change nothing,
/// changed ones are replaced in place, and a bad row writes nothing.
pub async fn import_diagnostics_matches_login_bank_and_date(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let mut with_version = imported("t2", "pedagogy-core", date(2025, 2, 1), "33.33");
    with_version.bank_version_id = Some(bv);
    with_version.overall_level = Level::Critical;
    let first = vec![
        imported("t1", "pedagogy-core", date(2025, 2, 1), "50"),
        with_version.clone(),
        imported("t1", "management", date(2025, 2, 1), "75.5"),
    ];
    let admin = admin_authority();
    assert_eq!(
        store
            .import_diagnostics(&admin, first.clone(), NOW)
            .await
            .unwrap(),
        ImportCounts {
            inserted: 3,
            updated: 0,
            unchanged: 0
        }
    );
    let t1_before = diagnostics_in_region(store, "t1").await;
    let t2_before = diagnostics_in_region(store, "t2").await;
    assert_eq!(t1_before.len(), 2);
    assert_eq!(t2_before.len(), 1);
    assert_eq!(t2_before[0].bank_version_id, Some(bv));
    assert_eq!(t2_before[0].overall_level, Level::Critical);
    assert_eq!(t2_before[0].overall_percent, "33.33");

    // The same file again: nothing changes, not even the recording time.
    assert_eq!(
        store
            .import_diagnostics(&cli(), first.clone(), NOW + 10)
            .await
            .unwrap(),
        ImportCounts {
            inserted: 0,
            updated: 0,
            unchanged: 3
        }
    );
    assert_eq!(diagnostics_in_region(store, "t1").await, t1_before);
    assert_eq!(diagnostics_in_region(store, "t2").await, t2_before);
    // "50" and "50.00" are the same percent.
    let mut same = first.clone();
    same[0].overall_percent = "50.00".into();
    same[0].competences[0].percent = Some("55.00".into());
    assert_eq!(
        store
            .import_diagnostics(&cli(), same, NOW + 15)
            .await
            .unwrap()
            .unchanged,
        3
    );

    // A changed diagnostic is replaced whole, in place; a new date is new.
    let mut changed = with_version.clone();
    changed.overall_percent = "41".into();
    changed.overall_level = Level::High;
    changed.competences = vec![competence("pedagogy-core:K1", Some("41"), Level::High)];
    let second = vec![
        first[0].clone(),
        changed,
        first[2].clone(),
        imported("t2", "pedagogy-core", date(2025, 4, 1), "90"),
    ];
    assert_eq!(
        store
            .import_diagnostics(&cli(), second.clone(), NOW + 20)
            .await
            .unwrap(),
        ImportCounts {
            inserted: 1,
            updated: 1,
            unchanged: 2
        }
    );
    let t2_after = diagnostics_in_region(store, "t2").await;
    assert_eq!(t2_after.len(), 2);
    assert_eq!(t2_after[0].taken_on, date(2025, 4, 1));
    let replaced = &t2_after[1];
    assert_eq!(replaced.id, t2_before[0].id, "replaced in place");
    assert_eq!(replaced.overall_percent, "41.00");
    assert_eq!(replaced.overall_level, Level::High);
    assert_eq!(
        replaced.competences,
        [competence("pedagogy-core:K1", Some("41.00"), Level::High)]
    );
    assert_eq!(replaced.recorded_at, NOW + 20);
    assert_eq!(diagnostics_in_region(store, "t1").await, t1_before);

    // All or nothing: an unknown login or a bad percent writes nothing.
    let mut bad = second.clone();
    bad[0].overall_percent = "99".into();
    bad.push(imported("ghost", "pedagogy-core", date(2025, 4, 1), "90"));
    assert_conflict_naming(
        store.import_diagnostics(&cli(), bad, NOW + 30).await,
        "ghost",
    );
    let mut bad = second.clone();
    bad[0].overall_percent = "99".into();
    bad[3].competences[1].percent = Some("100.5".into());
    assert_conflict_naming(
        store.import_diagnostics(&cli(), bad, NOW + 30).await,
        "100.5",
    );
    let mut bad = second.clone();
    bad[0].overall_percent = "99".into();
    bad[3].source = DiagnosticSource::Attempt;
    assert!(
        store
            .import_diagnostics(&cli(), bad, NOW + 30)
            .await
            .is_err()
    );
    assert_eq!(diagnostics_in_region(store, "t1").await, t1_before);
    assert_eq!(diagnostics_in_region(store, "t2").await, t2_after);

    // Within one import, a later diagnostic with the same key wins.
    let twice = vec![
        imported("t4", "pedagogy-core", date(2025, 5, 5), "10"),
        imported("t4", "pedagogy-core", date(2025, 5, 5), "20"),
    ];
    assert_eq!(
        store
            .import_diagnostics(&cli(), twice, NOW + 40)
            .await
            .unwrap(),
        ImportCounts {
            inserted: 1,
            updated: 0,
            unchanged: 0
        }
    );
    let t4 = diagnostics_in_region(store, "t4").await;
    assert_eq!(t4.len(), 1);
    assert_eq!(t4[0].overall_percent, "20.00");

    // An attempt's diagnostic on the same bank and day is not an import's
    // match: importing leaves it alone.
    let (a, _) = store
        .start_attempt(new_attempt(campaign, bv, "t4", NOW + HOUR), NOW)
        .await
        .unwrap();
    let mut f = finishing(AttemptStatus::Submitted, BTreeMap::new(), "t4", "{}");
    f.diagnostic.taken_on = date(2025, 5, 5);
    store.finish_attempt(a.id, f, NOW + 50).await.unwrap();
    assert_eq!(
        store
            .import_diagnostics(
                &cli(),
                vec![imported("t4", "pedagogy-core", date(2025, 5, 5), "30")],
                NOW + 60
            )
            .await
            .unwrap(),
        ImportCounts {
            inserted: 0,
            updated: 1,
            unchanged: 0
        }
    );
    let t4 = diagnostics_in_region(store, "t4").await;
    assert_eq!(t4.len(), 2);
    assert_eq!(t4[0].source, DiagnosticSource::Attempt);
    assert_eq!(t4[0].overall_percent, "62.50");
    assert_eq!(t4[1].overall_percent, "30.00");

    // An empty import is fine; each successful import is audited once.
    assert_eq!(
        store
            .import_diagnostics(&cli(), vec![], NOW + 70)
            .await
            .unwrap(),
        ImportCounts::default()
    );
    let log = store.audit_log(&cli(), 50).await.unwrap();
    let imports: Vec<&AuditEntry> = log
        .iter()
        .filter(|e| e.action == "import results")
        .collect();
    assert_eq!(imports.len(), 7, "{log:?}");
    assert_eq!(imports.last().unwrap().actor, Some(login("admin")));
}

/// Participation counts a campaign's attempts by school, in scope.
pub async fn campaign_participation_counts_by_school(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let other = store
        .create_campaign(None, new_campaign("Другая", bv, date(2025, 6, 1)), NOW)
        .await
        .unwrap();
    for l in ["t1", "t2", "t3", "t4", "coord"] {
        store
            .start_attempt(new_attempt(campaign, bv, l, NOW + HOUR), NOW)
            .await
            .unwrap();
    }
    store
        .start_attempt(new_attempt(other, bv, "t1", NOW + HOUR), NOW)
        .await
        .unwrap();
    for l in ["t2", "t4"] {
        let a = store
            .attempt_for(campaign, &login(l))
            .await
            .unwrap()
            .unwrap();
        store
            .finish_attempt(
                a.id,
                finishing(AttemptStatus::Submitted, BTreeMap::new(), l, "{}"),
                NOW + 10,
            )
            .await
            .unwrap();
    }

    let row = |school: &str, school_name: &str, m: &str, m_name: &str, started, finished| {
        ParticipationRow {
            school: scode(school),
            school_name: school_name.into(),
            municipality: mcode(m),
            municipality_name: m_name.into(),
            started,
            finished,
        }
    };
    let b1 = row("s-b1", "Лицей № 5", "m2", "Алексеевский район", 0, 1);
    let a2 = row(
        "s-a2",
        "Гимназия № 1",
        "m1",
        "Вязовский муниципальный округ",
        1,
        0,
    );
    let a1 = row(
        "s-a1",
        "Средняя школа № 2",
        "m1",
        "Вязовский муниципальный округ",
        1,
        1,
    );
    let participation = |scope: Scope, id: i64| async move {
        store.campaign_participation(&scope, id).await.unwrap()
    };
    assert_eq!(
        participation(Scope::region(), campaign).await,
        vec![b1.clone(), a2.clone(), a1.clone()],
        "by municipality name, then school name; the coordinator has no school"
    );
    assert_eq!(
        participation(
            Scope {
                municipalities: [mcode("m1")].into(),
                ..Scope::default()
            },
            campaign
        )
        .await,
        vec![a2, a1.clone()]
    );
    assert_eq!(
        participation(
            Scope {
                schools: [scode("s-a1")].into(),
                ..Scope::default()
            },
            campaign
        )
        .await,
        vec![a1]
    );
    assert_eq!(
        participation(
            Scope {
                own: Some(login("t4")),
                ..Scope::default()
            },
            campaign
        )
        .await,
        vec![b1]
    );
    assert!(participation(Scope::default(), campaign).await.is_empty());
    assert_eq!(
        participation(Scope::region(), other).await,
        vec![row(
            "s-a1",
            "Средняя школа № 2",
            "m1",
            "Вязовский муниципальный округ",
            1,
            0
        )]
    );
    assert!(
        participation(Scope::region(), other + 1000)
            .await
            .is_empty()
    );
}

/// A campaign's finishers: the accounts of its submitted and expired
/// attempts, by login; not the ones still in progress, nor another
/// campaign's.
pub async fn campaign_finishers_are_the_finished_attempts(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let other = store
        .create_campaign(None, new_campaign("Другая", bv, date(2025, 6, 1)), NOW)
        .await
        .unwrap();
    assert!(
        store
            .campaign_finishers(&cli(), campaign)
            .await
            .unwrap()
            .is_empty()
    );
    for l in ["t4", "t1", "t2", "coord"] {
        store
            .start_attempt(new_attempt(campaign, bv, l, NOW + HOUR), NOW)
            .await
            .unwrap();
    }
    store
        .start_attempt(new_attempt(other, bv, "t1", NOW + HOUR), NOW)
        .await
        .unwrap();
    let finish = |id: i64, l: &'static str, status: AttemptStatus| async move {
        let a = store.attempt_for(id, &login(l)).await.unwrap().unwrap();
        store
            .finish_attempt(a.id, finishing(status, BTreeMap::new(), l, "{}"), NOW + 10)
            .await
            .unwrap();
    };
    finish(campaign, "t4", AttemptStatus::Submitted).await;
    finish(campaign, "t2", AttemptStatus::Expired).await;
    finish(campaign, "coord", AttemptStatus::Submitted).await;
    finish(other, "t1", AttemptStatus::Submitted).await;

    assert_eq!(
        store.campaign_finishers(&cli(), campaign).await.unwrap(),
        vec![login("coord"), login("t2"), login("t4")],
        "submitted and expired, by login; t1 is still in progress here"
    );
    assert_eq!(
        store.campaign_finishers(&cli(), other).await.unwrap(),
        vec![login("t1")]
    );
    assert!(
        store
            .campaign_finishers(&cli(), other + 1000)
            .await
            .unwrap()
            .is_empty()
    );
}

/// An import larger than any one statement's batch is applied whole, and
/// re-importing it is recognised row by row.
pub async fn bulk_import_spans_many_statements(store: &dyn Store) {
    const DAYS: u64 = 2_100;
    apply_fixture(store).await;
    let first_day = date(2015, 1, 1);
    let rows: Vec<NewDiagnostic> = (0..DAYS)
        .flat_map(|n| {
            let day = first_day + chrono::Days::new(n);
            let percent = format!("{}.{:02}", n % 100, n % 97);
            [
                imported("t1", "pedagogy-core", day, &percent),
                imported("t2", "management", day, &percent),
            ]
        })
        .collect();
    let total = rows.len() as u32;
    assert_eq!(
        store
            .import_diagnostics(&cli(), rows.clone(), NOW)
            .await
            .unwrap(),
        ImportCounts {
            inserted: total,
            updated: 0,
            unchanged: 0
        }
    );
    let t1 = diagnostics_in_region(store, "t1").await;
    assert_eq!(t1.len() as u64, DAYS);
    assert_eq!(t1[0].taken_on, first_day + chrono::Days::new(DAYS - 1));
    assert!(
        t1.iter()
            .all(|d| d.competences == stored_competences("pedagogy-core")),
        "every diagnostic has its own competences"
    );
    let last = &t1[0];
    let n = DAYS - 1;
    assert_eq!(last.overall_percent, format!("{}.{:02}", n % 100, n % 97));

    // Again, with every third one changed.
    let mut again = rows;
    for d in again.iter_mut().step_by(3) {
        d.overall_level = Level::Critical;
        d.competences.pop();
    }
    let changed = again.iter().step_by(3).count() as u32;
    assert_eq!(
        store
            .import_diagnostics(&cli(), again, NOW + 1)
            .await
            .unwrap(),
        ImportCounts {
            inserted: 0,
            updated: changed,
            unchanged: total - changed
        }
    );
    let t1 = diagnostics_in_region(store, "t1").await;
    assert_eq!(t1.len() as u64, DAYS);
    let first = t1.last().unwrap();
    assert_eq!(first.taken_on, first_day);
    assert_eq!(first.overall_level, Level::Critical);
    assert_eq!(first.competences.len(), 2);
    assert_eq!(first.recorded_at, NOW + 1);
    assert_eq!(t1[t1.len() - 2].competences.len(), 3, "unchanged");
}

pub async fn item_statistics_read_finished_attempts_of_a_version(store: &dyn Store) {
    let (bv, campaign) = campaign_fixture(store).await;
    let (done, _) = store
        .start_attempt(new_attempt(campaign, bv, "t1", NOW + HOUR), NOW)
        .await
        .unwrap();
    let (open, _) = store
        .start_attempt(new_attempt(campaign, bv, "t2", NOW + HOUR), NOW)
        .await
        .unwrap();
    for (attempt, item, value) in [
        (done.id, "K1-001", "1"),
        (done.id, "K2-003", "[0,2]"),
        (open.id, "K1-001", "0"),
    ] {
        store
            .save_response(attempt, item, value, NOW + 1, GRACE)
            .await
            .unwrap();
    }
    let scored = store.responses(done.id).await.unwrap();
    let finished = store
        .finish_attempt(
            done.id,
            finishing(AttemptStatus::Submitted, scored.clone(), "t1", "{}"),
            NOW + 2,
        )
        .await
        .unwrap();
    assert_eq!(finished, FinishOutcome::Finished);
    let region = Scope::region();
    let rows = store
        .finished_attempts_of_version(&region, bv)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "only finished attempts count");
    assert_eq!(rows[0].0.id, done.id);
    assert_eq!(rows[0].0.status, AttemptStatus::Submitted);
    assert_eq!(rows[0].1, scored);
    assert!(
        store
            .finished_attempts_of_version(&region, bv + 1000)
            .await
            .unwrap()
            .is_empty()
    );
}

//! The shared store behaviour suite, each case on its own temporary
//! PostgreSQL database (`MARSHRUT_TEST_PG`, default local trust auth).

use store_postgres::PgStore;
use store_postgres::testing::TempDatabase;

store::conformance_suite! {
    #[ignore = "needs PostgreSQL: run with --ignored (CI does)"]
    setup: async {
        let db = TempDatabase::create().await.unwrap_or_else(|e| panic!("{e}"));
        let store = PgStore::connect(&db.url).await.expect("connect to the test database");
        (store, db)
    },
    teardown: |store: PgStore, db: TempDatabase| async move {
        store.close().await;
        db.drop_db().await.unwrap_or_else(|e| panic!("{e}"));
    },
}

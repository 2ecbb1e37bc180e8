//! The shared store behaviour suite, on a temporary SQLite file per case.

use store_sqlite::SqliteStore;

store::conformance_suite! {
    setup: async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("conformance.db").display());
        let store = SqliteStore::connect(&url).await.expect("open the SQLite store");
        (store, dir)
    },
    teardown: |store: SqliteStore, dir: tempfile::TempDir| async move {
        store.close().await;
        drop(dir);
    },
}

//! End-to-end: the real server over HTTP on SQLite and PostgreSQL, and the
//! real `marshrut` binary from the command line.
//!
//! Every HTTP case runs on both databases. The PostgreSQL variants are
//! `#[ignore]`d so that `cargo test` passes on a machine without it; CI runs
//! them with `--ignored`, and there they fail (not skip) when PostgreSQL
//! cannot be reached.

#![forbid(unsafe_code)]

/// Runs an async test case `fn(Backend)` on SQLite and on PostgreSQL.
macro_rules! on_both_databases {
    ($($case:ident),* $(,)?) => {
        $(
            mod $case {
                use crate::helpers::Backend;

                #[tokio::test]
                async fn sqlite() {
                    super::$case(Backend::Sqlite).await
                }

                #[tokio::test]
                #[ignore = "needs PostgreSQL: run with --ignored (CI does)"]
                async fn postgres() {
                    super::$case(Backend::Postgres).await
                }
            }
        )*
    };
}

mod helpers;

mod api;
mod authz;
mod cli;
mod dashboards;
mod diagnostics;
mod durability;
mod indicators;
mod matching;
mod pages;
mod roadmap;
mod routes;
mod targets;

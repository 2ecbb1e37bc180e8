#![forbid(unsafe_code)]
//! The `marshrut` server and command.
//!
//! A thin layer over the domain and the store: configuration, sessions and
//! scoping, the pages ([`web`]) and the JSON API ([`api`]), both reached
//! through one route table ([`routes`]), and the command line ([`cli`]).

pub mod api;
pub mod auth;
pub mod cli;
pub mod custom_indicators;
pub mod dashboard;
pub mod demo;
pub mod diagnostics;
pub mod error;
pub mod import;
pub mod indicators;
pub mod iom;
pub mod matching;
pub mod roadmap;
pub mod routes;
pub mod session;
pub mod state;
pub mod web;
pub mod web_catalogue;
pub mod web_dashboard;
pub mod web_diagnostics;
pub mod web_matching;
pub mod web_roadmap;
pub mod web_routes;
pub mod web_settings;
pub mod web_targets;

use std::future::Future;
use std::sync::Arc;

use store::Store;
use tokio::net::TcpListener;

pub use state::{AppState, Config};

/// Opens the database a URL names (`sqlite://…` or `postgres://…`) and
/// brings its schema up to date.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(store_postgres::PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(store_sqlite::SqliteStore::connect(url).await?))
    } else {
        anyhow::bail!("Неизвестный адрес базы данных: ожидается sqlite://ПУТЬ или postgres://…")
    }
}

/// Serves the application on `listener` until `shutdown` completes, then
/// finishes the requests in flight.
pub async fn launch(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(diagnostics::run_sweeper(
        state.diagnostics.clone(),
        state.config.sweep_every,
    ));
    let snapshots = tokio::spawn(dashboard::run_snapshots(
        state.store.clone(),
        state.config.timezone,
        state.config.snapshot_every,
    ));
    let router = routes::router(state);
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    snapshots.abort();
    served
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

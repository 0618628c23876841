//! Server-only persistence and request plumbing, one file per concern. Compiled with the
//! `ssr` feature only, so none of it (sqlx, argon2, tokio) reaches the wasm bundle.
pub mod assignment;
pub mod auth;
pub mod blacklist;
pub mod cache;
pub mod campaigns;
pub mod clicks;
pub mod compliance;
pub mod content;
pub mod dashboard;
pub mod db;
pub mod deals;
pub mod events;
pub mod follow_up;
pub mod group_commit;
pub mod leads;
pub mod media;
pub mod outbox;
pub mod rate_limit;
pub mod review;
pub mod rewards;
pub mod seed;
pub mod settings;
pub mod settlement;
pub mod users;

use crate::error::AppError;
use axum::extract::FromRef;
use axum::http::request::Parts;
use leptos::prelude::*;
use std::sync::Arc;

pub use settings::OrgSettings;

/// Runtime configuration, from the environment (see `server::config`).
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Seed the demo organization into an empty database.
    pub demo_data: bool,
    pub session_ttl_s: i64,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// First administrator for an empty database without demo data.
    pub bootstrap_admin: Option<(String, String)>,
    /// Deliver the outbox to this HTTP webhook (an SMS / WeCom gateway); log it otherwise.
    pub notify_webhook: Option<String>,
    /// First retry delay of a failed delivery; doubles with every attempt.
    pub notify_backoff_ms: i64,
    /// Referral-form submissions a minute from one IP above which the answer is 429.
    pub lead_burst_per_minute: i64,
}

/// The one state handed to every route, handler and server function. One pointer: axum
/// clones the state for every request, and the redirect is answered tens of thousands of times a
/// second.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    pub options: LeptosOptions,
    pub pool: sqlx::AnyPool,
    pub config: Arc<Config>,
    pub org: Arc<OrgSettings>,
    pub backend: db::Backend,
    /// SQLite's single writer, taken in turn (see `db::begin_write`).
    pub sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// Referral-form submissions, screened and stored in group commits.
    pub lead_writer: group_commit::GroupCommit<leads::Submission>,
    /// Link and campaign lookups of the hot paths.
    pub caches: Arc<cache::Caches>,
    /// Clicks, stored in batches behind the redirect.
    pub click_writer: clicks::ClickWriter,
    /// The lead policy (protection window, daily cap, business calendar).
    pub policy: Arc<settings::PolicyCache>,
    /// The live stream's fan-out to dashboards.
    pub events: events::EventBus,
}

impl AppState {
    pub async fn policy(&self) -> Arc<settings::Policy> {
        self.policy.get(&self.pool).await
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.options.clone()
    }
}

/// The state inside a server function or a rendered route.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal("AppState missing from context"))
}

/// The request being served, inside a server function or a rendered route.
pub fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| internal("request parts missing from context"))
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Logs an internal failure; the client only ever sees the generic message.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    tracing::error!(%cause, "internal error");
    AppError::Internal
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        internal(e)
    }
}

/// True when the error is a unique-constraint violation (on either database).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Finishes a server function: an error sets the response's HTTP status to the error's.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if let (Some(res), Ok(status)) =
            (use_context::<leptos_axum::ResponseOptions>(), axum::http::StatusCode::from_u16(e.status()))
        {
            res.set_status(status);
        }
    }
    result
}

/// Reads a cookie from request headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::CookieJar::from_headers(headers).get(name).map(|c| c.value().to_string())
}

/// `scheme://host` of the request, for absolute links people share.
pub fn base_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if auth::is_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

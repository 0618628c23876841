//! The state every route, handler and server function sees: configuration, the database,
//! the organization's settings, the live-event bus, and each feature's own part (its caches,
//! writers and policies), which the shared layers never name.
use super::db::Db;
use super::errors::AppError;
use super::events::EventBus;
use super::settings::OrgSettings;
use axum::extract::FromRef;
use axum::http::request::Parts;
use leptos::prelude::*;
use std::sync::Arc;

/// Runtime configuration, from the environment (see `server::config`).
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Seed the demo organization into an empty database.
    pub demo_data: bool,
    /// A session's absolute lifetime.
    pub session_ttl_s: i64,
    /// A session unused this long ends.
    pub session_idle_s: i64,
    /// How often an open live stream checks that its session still may read it.
    pub live_recheck_s: u64,
    /// Mark cookies `Secure`: on unless the server listens on loopback for development.
    pub secure_cookies: bool,
    /// Proxies (load balancers) whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// First administrator for an empty database without demo data.
    pub bootstrap_admin: Option<(String, String)>,
    /// Deliver the outbox to this HTTP webhook (an SMS / WeCom gateway); log it otherwise.
    pub notify_webhook: Option<String>,
    /// First retry delay of a failed delivery; doubles with every attempt.
    pub notify_backoff_ms: i64,
    /// Requests an API key may make a minute (then 429 with `Retry-After`).
    pub api_key_per_minute: i64,
    /// Who may read `/metrics` besides loopback: `Authorization: Bearer` with this token.
    pub metrics_token: Option<String>,
    /// First retry delay of a webhook delivery; doubles with every attempt, at most an hour.
    pub webhook_backoff_ms: i64,
}

/// The one state handed to every route, handler and server function. One pointer: axum
/// clones the state for every request, and the redirect is answered tens of thousands of
/// times a second.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }

    /// A feature's part of the state.
    pub fn part<T: Send + Sync + 'static>(&self) -> Result<&T, AppError> {
        self.0.parts.get::<T>().ok_or_else(|| internal(format!("state part {} missing", std::any::type_name::<T>())))
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
    pub db: Db,
    pub config: Arc<Config>,
    pub org: Arc<OrgSettings>,
    /// The live stream's fan-out to dashboards.
    pub events: EventBus,
    /// Each feature's own part, by type.
    parts: axum::http::Extensions,
}

impl Shared {
    pub fn new(options: LeptosOptions, db: Db, config: Config, org: OrgSettings) -> Self {
        Shared {
            options,
            db,
            config: Arc::new(config),
            org: Arc::new(org),
            events: EventBus::default(),
            parts: Default::default(),
        }
    }

    /// Adds a feature's part; one of each type.
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, part: T) {
        self.parts.insert(part);
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
    /// The database out of reach or out of room is a 503 (nothing was done; try again), said
    /// in words; anything else is an internal error.
    fn from(e: sqlx::Error) -> Self {
        if is_outage(&e) {
            tracing::warn!(error = %e, "database unavailable");
            return AppError::Unavailable { retry_after_s: 5 };
        }
        // PostgreSQL refuses text it cannot hold (a NUL byte) that got past a check: the input's
        // fault, not ours.
        if matches!(&e, sqlx::Error::Database(db) if db.code().as_deref() == Some("22021")) {
            return AppError::BadRequest("text with a NUL character".into());
        }
        internal(e)
    }
}

/// The database is down, restarting, unreachable or its disk is full: passing, not a bug.
pub fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL: connection exceptions (08…), shutting down (57P01–57P03), out of disk
            // (53100). SQLite: disk full (13), I/O error (10), cannot open (14).
            code.starts_with("08")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53100" | "13" | "10" | "14")
                || db.message().contains("disk is full")
        }
        _ => false,
    }
}

/// True when the error is a unique-constraint violation (on either database).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_unavailable_not_internal() {
        for e in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            assert!(matches!(AppError::from(e), AppError::Unavailable { retry_after_s: 5 }));
        }
        assert!(!matches!(AppError::from(sqlx::Error::RowNotFound), AppError::Unavailable { .. }));
    }
}

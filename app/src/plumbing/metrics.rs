//! Prometheus metrics at `/metrics` (text format), for the operator only: answered on
//! loopback, or to `Authorization: Bearer` with `ALLHANDS_METRICS_TOKEN`. Requests are counted
//! by route and status with a latency histogram as they are answered; the database pool, the
//! lag of the outbox and of the webhooks, the live streams and what the wiring adds (`Gauges`)
//! are read at each scrape.
use super::auth::token_hash;
use super::edge::Client;
use super::errors::AppError;
use super::state::{now_ms, AppState};
use ::metrics::{Counter, Histogram};
use axum::extract::{MatchedPath, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// The process's recorder (one per process, whatever number of servers a test starts).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
        let sizes = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), &buckets)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_batch_size".into()), &sizes))
            .map(PrometheusBuilder::build_recorder);
        match recorder {
            Ok(recorder) => {
                let handle = recorder.handle();
                // Fails only when another recorder is installed: then this one renders nothing.
                let _ = ::metrics::set_global_recorder(recorder);
                handle
            }
            Err(e) => {
                tracing::error!(error = %e, "metrics recorder not installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// Folds the histograms' samples into their buckets (the exporter keeps raw samples until
/// then); the server calls it every few seconds, so memory does not grow between scrapes.
pub fn upkeep() {
    handle().run_upkeep();
}

/// Each route's handles by method and status, registered once each. `counter!` with labels
/// builds, hashes and looks up its key on every call: about a tenth of a redirect's
/// instructions (callgrind, issue 21).
type Handles = HashMap<String, Vec<(Method, u16, Counter, Histogram)>>;

fn handles() -> &'static RwLock<Handles> {
    static HANDLES: OnceLock<RwLock<Handles>> = OnceLock::new();
    HANDLES.get_or_init(Default::default)
}

/// The counter and histogram of a request, registered on first use (the registry gives the
/// statuses of one method and route the same histogram).
fn handles_of(method: &Method, route: &str, status: u16) -> (Counter, Histogram) {
    let find = |all: &Handles| {
        all.get(route)?
            .iter()
            .find(|(m, s, _, _)| m == method && *s == status)
            .map(|(_, _, c, h)| (c.clone(), h.clone()))
    };
    // A poisoned lock only means a panic elsewhere while it was held: the map is still whole.
    if let Some(both) = find(&handles().read().unwrap_or_else(|e| e.into_inner())) {
        return both;
    }
    let mut all = handles().write().unwrap_or_else(|e| e.into_inner());
    if let Some(both) = find(&all) {
        return both;
    }
    let (m, r) = (method.as_str().to_string(), route.to_string());
    let counter = ::metrics::counter!("http_requests_total", "method" => m.clone(), "route" => r.clone(), "status" => status.to_string());
    let histogram = ::metrics::histogram!("http_request_duration_seconds", "method" => m, "route" => r);
    all.entry(route.to_string()).or_default().push((method.clone(), status, counter.clone(), histogram.clone()));
    (counter, histogram)
}

/// Counts an answered request by method, route (its pattern, never its values) and status,
/// with how long it took. Called by the edge, which every request passes (a middleware of its
/// own cost a redirect about 7,000 instructions, nearly a tenth: callgrind, issue 21).
pub fn record(method: &Method, route: Option<&MatchedPath>, status: u16, took: std::time::Duration) {
    handle();
    let (counter, histogram) = handles_of(method, route.map_or("other", |p| p.as_str()), status);
    counter.increment(1);
    histogram.record(took.as_secs_f64());
}

/// A batch written together (group commit, clicks), by kind.
pub fn batch(kind: &'static str, size: usize) {
    ::metrics::histogram!("write_batch_size", "kind" => kind).record(size as f64);
}

/// Figures the wiring reads at each scrape (a feature's lag), as (name, help, value).
pub type Gauges = Arc<dyn Fn(AppState) -> BoxFuture<'static, Vec<(&'static str, f64)>> + Send + Sync>;

/// Whether the caller may read the metrics: loopback (as the edge established the client:
/// behind a trusted proxy, the client it names), or the token.
pub fn allowed(client: &Client, headers: &HeaderMap, token: Option<&str>) -> bool {
    let sent = super::http::bearer(headers);
    match (token, sent) {
        // Compared as hashes: no early exit that tells how much matched.
        (Some(t), Some(s)) if !t.is_empty() && token_hash(t) == token_hash(s) => true,
        _ => client.ip.is_loopback(),
    }
}

/// How long the oldest message and webhook delivery still to go out have waited.
async fn database(state: &AppState) -> Result<Vec<(&'static str, f64)>, AppError> {
    let pool = &state.db.pool;
    let lag = |oldest: Option<i64>| oldest.map(|t| (now_ms() - t).max(0) as f64 / 1000.0).unwrap_or(0.0);
    let outbox: Option<i64> =
        sqlx::query_scalar("SELECT MIN(created_at) FROM outbox WHERE status = 'queued'").fetch_one(pool).await?;
    let webhooks: Option<i64> =
        sqlx::query_scalar("SELECT MIN(occurred_at) FROM webhook_deliveries WHERE status = 'queued'")
            .fetch_one(pool)
            .await?;
    Ok(vec![("outbox_lag_seconds", lag(outbox)), ("webhook_lag_seconds", lag(webhooks))])
}

/// `GET /metrics`.
pub async fn scrape(State((state, extra)): State<(AppState, Gauges)>, client: Client, headers: HeaderMap) -> Response {
    if !allowed(&client, &headers, state.config.metrics_token.as_deref()) {
        return AppError::Forbidden.into_response();
    }
    let pool = &state.db.pool;
    let mut gauges = vec![
        ("db_pool_connections", pool.size() as f64),
        ("db_pool_idle_connections", pool.num_idle() as f64),
        ("live_stream_subscribers", state.events.subscribers() as f64),
    ];
    match database(&state).await {
        Ok(g) => gauges.extend(g),
        Err(e) => tracing::warn!(error = %e, "metrics: database figures not read"),
    }
    gauges.extend(extra(state.clone()).await);
    for (name, value) in gauges {
        ::metrics::gauge!(name).set(value);
    }
    let body = handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

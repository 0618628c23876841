//! Wiring: configuration, each feature's part of the state and its routes merged into one
//! router, the background jobs, and serving with graceful shutdown. The product's rules live
//! in `app`; this crate only connects them to HTTP.
pub mod assets;
pub mod config;
pub mod edge;
pub mod jobs;
pub mod notify;
pub mod routes;
pub mod security;
pub mod serve;
pub mod webhooks;

pub use serve::serve;

use app::features::{campaigns, dashboard, deals, leads, promotion, rewards, settlement};
use app::plumbing::db::{self, Db};
use app::plumbing::group_commit::{self, GroupCommit};
use app::plumbing::state::{AppState, Config, Shared};
use app::plumbing::{events, settings};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Password hashing (argon2) allocates 19 MiB per hash. glibc raises its mmap threshold after
/// the first such buffer is freed and from then on keeps them in the heap, so a few sign-ins
/// would hold ~100 MB for good. A fixed threshold sends large buffers back to the OS on free.
/// Called first in `main` (the server's and the benchmarks'), before any other thread starts.
pub fn return_large_buffers_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// What `build` needs besides the configuration.
pub struct Build {
    pub options: LeptosOptions,
    /// Referral-form submissions a minute from one IP before 429.
    pub lead_burst_per_minute: i64,
    /// Extra routes, wrapped like every other (tests use it for a route that panics).
    pub extra: Router<AppState>,
    /// Seed the demo organization's weeks of activity with it (tests start from the bare
    /// demo organization instead).
    pub demo_activity: bool,
    /// Requests served at once (the live stream aside); more wait a second, then get 503.
    pub max_in_flight: usize,
    /// The longest a request may take (the live stream aside).
    pub request_timeout: std::time::Duration,
    /// Draft the settlement runs that fall due by the calendar (tests and benchmarks, which
    /// draft what they measure, run without them: a run drafted by the date would race them).
    pub scheduled_drafts: bool,
}

impl Build {
    pub fn new(options: LeptosOptions) -> Self {
        Build {
            options,
            lead_burst_per_minute: leads::BURST_PER_MINUTE,
            extra: Router::new(),
            demo_activity: true,
            max_in_flight: 512,
            request_timeout: std::time::Duration::from_secs(60),
            scheduled_drafts: true,
        }
    }
}

/// Connects the database (creating and migrating it), seeds a first start, and builds the
/// router with every route.
pub async fn build(
    config: Config,
    options: LeptosOptions,
) -> Result<(Router, AppState), Box<dyn std::error::Error + Send + Sync>> {
    build_with(config, Build::new(options)).await
}

pub async fn build_with(
    config: Config,
    b: Build,
) -> Result<(Router, AppState), Box<dyn std::error::Error + Send + Sync>> {
    if db::Backend::of_url(&config.database_url) == db::Backend::Sqlite {
        config::ensure_sqlite_dir(&config.database_url);
    }
    let db = Db::connect(&config.database_url).await?;
    use app::features::admin::store::seed::{first_start, FirstStart, SETUP_LINK_HOURS};
    let org = settings::load(&db).await?;
    // Before any fact is written (the demo's included): the days the counters file facts under.
    dashboard::store::counters::prepare(&db, &org).await.map_err(|e| format!("dashboard counters: {e}"))?;
    let first = first_start(&db, &config).await.map_err(|e| format!("first start: {e}"))?;
    if let FirstStart::SetupLink(token) = &first {
        // The token is a secret: it goes to the console of whoever started the server, never
        // to the log.
        tracing::warn!("no administrator yet: open the one-time setup link printed on the console");
        println!(
            "\nAllhands has no administrator yet. Create the first one within {SETUP_LINK_HOURS} hours at:\n  http://{}/setup?token={token}\n",
            b.options.site_addr
        );
    }
    let policy = leads::store::policy::load_policy(&db.pool).await?;
    let (lead_writer, lead_queue) = GroupCommit::new();
    let (click_writer, click_queue) = promotion::store::clicks::ClickWriter::new();
    let mut shared = Shared::new(b.options.clone(), db, config, org);
    shared.insert(campaigns::Part::default());
    shared.insert(promotion::Part::new(click_writer).counted_by(dashboard::store::counted_clicks::hook()));
    shared.insert(leads::Part {
        writer: lead_writer,
        policy: Arc::new(leads::store::policy::PolicyCache::new(policy)),
        burst_per_minute: b.lead_burst_per_minute,
    });
    let (deal_writer, deal_queue) = GroupCommit::new();
    shared.insert(deals::Part::default().on_paid(rewards::on_paid()).pushes(deal_writer));
    shared.insert(dashboard::Part::default().fresh_for(crate::config::dashboard_fresh()));
    shared.insert(Dispatching::default());
    shared.insert(app::plumbing::api_keys::Hits::default());
    let state = AppState::new(shared);
    match state.db.backend {
        db::Backend::Postgres => {
            tokio::spawn(events::listen(state.clone()));
        }
        db::Backend::Sqlite => {
            tokio::spawn(db::checkpoints(state.db.pool.clone()));
        }
    }
    tokio::spawn(group_commit::run(state.clone(), lead_queue));
    tokio::spawn(group_commit::run(state.clone(), deal_queue));
    tokio::spawn(promotion::store::clicks::run(state.clone(), click_queue));
    notify::spawn_dispatcher(state.clone(), notify::notifier_for(&state));
    webhooks::spawn(state.clone());
    if first == FirstStart::DemoSeeded && b.demo_activity {
        // Before serving: the demo's first page already shows its figures.
        app::features::admin::store::demo_activity::seed(&state).await.map_err(|e| format!("demo activity: {e}"))?;
    }
    jobs::spawn(&state, b.scheduled_drafts);
    // Once per process: generating the list suppresses resource loads process-wide while it
    // runs (leptos-rs/leptos#4773), so a second server starting in the same process (the
    // integration tests start many) could leave a page another is rendering pending forever.
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(app::App)).clone();
    let router = Router::new()
        .merge(assets::routes(&b.options))
        .merge(routes::routes())
        .merge(campaigns::routes::routes())
        .merge(promotion::routes::routes())
        .merge(leads::routes::routes())
        .merge(api(&state))
        .merge(
            Router::new()
                .route("/metrics", axum::routing::get(app::plumbing::metrics::scrape))
                .with_state((state.clone(), rewards::gauges())),
        )
        .merge(settlement::routes::routes())
        .merge(dashboard::routes::routes())
        .merge(app::features::scorecards::routes::routes())
        .merge(app::features::admin::routes::routes())
        .merge(b.extra)
        .leptos_routes(&state, routes, {
            let options = b.options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        // A panic in one request answers 500; the server, its streams and its queues go on.
        .layer(CatchPanicLayer::custom(routes::panicked))
        // Who the client is, cross-origin writes refused, errors answered one way, security
        // headers and Secure cookies: one middleware (`edge`).
        .layer(axum::middleware::from_fn_with_state(
            edge::Edge::new(state.clone(), b.max_in_flight, b.request_timeout),
            edge::edge,
        ))
        .layer(CompressionLayer::new())
        // One structured log line per request: method, path, status, latency. The path only:
        // a query string can carry a secret (a setup or reset link's token).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state.clone());
    Ok((router, state))
}

/// Each feature's operations of the JSON API.
fn operations() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .merge(deals::api::api())
        .merge(leads::api::api())
        .merge(dashboard::api::api())
        .merge(app::features::admin::api::api())
}

/// The JSON API: the operations, `Idempotency-Key` on their POSTs, and the OpenAPI document
/// made from them with its reference page.
pub fn api(state: &AppState) -> Router<AppState> {
    let (operations, doc) = operations().split_for_parts();
    operations
        .layer(axum::middleware::from_fn_with_state(state.clone(), app::plumbing::idempotency::idempotent))
        .merge(app::plumbing::api::routes(app::plumbing::api::document(doc)))
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    app::plumbing::api::document(operations().split_for_parts().1)
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Every click answered before a shutdown is stored before the process ends, and every
/// message or webhook sent is recorded as sent (so another instance does not send it again).
pub async fn flush(state: &AppState) {
    if let Ok(p) = promotion::part(state) {
        p.clicks.flush().await;
    }
    if let Ok(d) = state.part::<Dispatching>() {
        d.stop().await;
    }
    if let Err(e) = app::plumbing::api_keys::flush_hits(state).await {
        tracing::warn!(error = %e, "API key hits not written");
    }
}

/// The dispatchers' turn: a batch runs whole (claimed, sent, recorded) or not at all once
/// the instance is stopping.
#[derive(Clone, Default)]
pub struct Dispatching {
    stopping: Arc<std::sync::atomic::AtomicBool>,
    batches: Arc<tokio::sync::RwLock<()>>,
}

impl Dispatching {
    /// Runs one batch, unless the instance is stopping (`None`).
    pub async fn run<F: std::future::Future>(&self, batch: F) -> Option<F::Output> {
        let _turn = self.batches.read().await;
        if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        Some(batch.await)
    }

    /// No batch starts from now on; returns once those running are recorded.
    pub async fn stop(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        let _all = self.batches.write().await;
    }
}

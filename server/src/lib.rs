//! Wiring: configuration, the router, and serving with graceful shutdown. The product's
//! rules live in `app`; this crate only connects them to HTTP.
pub mod config;
pub mod live;
pub mod notify;
pub mod routes;
pub mod security;

use app::ssr::{clicks, db, group_commit, seed, settings, AppState, Config};
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

/// Connects the database (creating and migrating it), seeds a first start, and builds the
/// router with every route.
pub async fn build(
    config: Config,
    options: LeptosOptions,
) -> Result<(Router, AppState), Box<dyn std::error::Error + Send + Sync>> {
    if db::Backend::of_url(&config.database_url) == db::Backend::Sqlite {
        config::ensure_sqlite_dir(&config.database_url);
    }
    let pool = db::connect(&config.database_url).await?;
    seed::first_start(&pool, &config).await.map_err(|e| format!("first start: {e}"))?;
    let org = settings::load(&pool).await?;
    let policy = settings::load_policy(&pool).await?;
    let backend = db::Backend::of_url(&config.database_url);
    let (lead_writer, lead_queue) = group_commit::GroupCommit::new();
    let (click_writer, click_queue) = clicks::ClickWriter::new();
    let state = AppState::new(app::ssr::Shared {
        options: options.clone(),
        pool,
        config: Arc::new(config),
        org: Arc::new(org),
        backend,
        sqlite_writer: Arc::new(tokio::sync::Mutex::new(())),
        lead_writer,
        click_writer,
        caches: Default::default(),
        policy: Arc::new(settings::PolicyCache::new(policy)),
        events: Default::default(),
    });
    match backend {
        db::Backend::Postgres => {
            tokio::spawn(app::ssr::events::listen(state.clone()));
        }
        db::Backend::Sqlite => {
            tokio::spawn(db::checkpoints(state.pool.clone()));
        }
    }
    tokio::spawn(group_commit::run(state.clone(), lead_queue));
    tokio::spawn(clicks::run(state.clone(), click_queue));
    notify::spawn_dispatcher(state.clone(), notify::notifier_for(&state));
    notify::spawn_overdue_check(state.clone());
    notify::spawn_settlement_schedule(state.clone());
    let routes = generate_route_list(app::App);
    let router = Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/r/{code}", get(routes::personal_link))
        .route("/qr/{code}", get(routes::link_qr))
        .route("/media/{key}", get(routes::media))
        // Uploads: the image limit plus room for the multipart framing.
        .route(
            "/campaigns/{id}/artwork",
            post(routes::campaign_artwork)
                .layer(axum::extract::DefaultBodyLimit::max(app::domain::media::MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/content/{id}/image",
            post(routes::content_image)
                .layer(axum::extract::DefaultBodyLimit::max(app::domain::media::MAX_BYTES + 64 * 1024)),
        )
        .route("/c/{slug}/lead", post(routes::lead_form))
        .route("/settlement/{id}/{file}", get(routes::payout_file))
        .route("/api/v1/deals", post(routes::api_deals))
        .route("/live", get(live::live))
        .route("/dashboard/export.csv", get(routes::dashboard_export))
        .route("/lang/{code}", get(routes::switch_language))
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn(security::same_origin))
        .layer(CompressionLayer::new())
        // One structured log line per request: method, path, status, latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state.clone());
    Ok((router, state))
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
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

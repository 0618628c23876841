//! The built assets: `/pkg/` served as files (never through the app's 404 page). Pages do not
//! preload the split build's chunks (`app::shell::hydration`), so its preload manifest is not
//! read; the split loader names the chunks itself.
use axum::Router;
use leptos::config::LeptosOptions;

/// `/pkg/…` straight from the site directory, precompressed where built so.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    Router::new().route_service(
        &leptos_axum::site_pkg_dir_service_route_path(options),
        leptos_axum::site_pkg_dir_service(options),
    )
}

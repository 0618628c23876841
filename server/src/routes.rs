//! The server's own routes (health, the language switch) and the answer to a request that
//! panicked.
use app::plumbing::errors::AppError;
use app::plumbing::http::{lang_cookie, see_other};
use app::plumbing::i18n::Locale;
use app::plumbing::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/lang/{code}", get(switch_language))
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// `GET /lang/{code}`: remembers the language for a year and goes back to the page.
pub async fn switch_language(Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let locale = Locale::from_code(&code).unwrap_or_default();
    // Only paths on this site, as the browser will read them: never an open redirect.
    let next = q.next.as_deref().and_then(app::plumbing::edge::local_path).unwrap_or_else(|| "/".into());
    see_other(&next, &[lang_cookie(locale)])
}

/// `GET /healthz`: 200 when the database answers within two seconds, 503 while it does not.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let probe = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db.pool);
    let answered =
        tokio::time::timeout(std::time::Duration::from_secs(2), probe).await.unwrap_or(Err(sqlx::Error::PoolTimedOut));
    match answered {
        Ok(_) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], r#"{"status":"ok","database":"ok"}"#)
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"status":"unavailable","database":"down"}"#))
                .unwrap_or_default()
        }
    }
}

/// The answer to a request that panicked: logged, and a 500 like any internal error.
pub fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(not a string)");
    tracing::error!(%cause, "request panicked");
    AppError::Internal.into_response()
}

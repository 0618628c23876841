//! The server's own routes (health, the language switch) and the wrapping every route shares:
//! the friendly 404 page, and the answer to a request that panicked.
use app::plumbing::errors::AppError;
use app::plumbing::http::{carried, is_api, lang_cookie, message_page, see_other, with_problem_status};
use app::plumbing::i18n::Locale;
use app::plumbing::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
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
    // Only local paths: never an open redirect.
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    see_other(&next, &[lang_cookie(locale)])
}

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db.pool).await {
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

/// Middleware: the one way errors leave the server. On `/api/...` a failure is RFC 9457
/// problem details with the status it names; on a page it is a message in the user's language,
/// and "not found" (an unknown link, image or campaign) is the app's friendly 404 page. Only
/// what an error page needs is kept from the request.
/// Cross-origin writes are refused here too: one middleware, not two, on every request.
pub async fn answer_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let refused = crate::security::refuse_cross_origin(&req);
    if is_api(req.uri().path()) {
        let res = match refused {
            Some(res) => res,
            None => next.run(req).await,
        };
        return with_problem_status(res).await;
    }
    let (uri, cookie) = (req.uri().clone(), req.headers().get(header::COOKIE).cloned());
    let res = match refused {
        Some(res) => res,
        None => next.run(req).await,
    };
    let Some(error) = carried(&res) else { return res };
    if *error != AppError::NotFound {
        let locale = Locale::from_cookie_header(cookie.as_ref().and_then(|c| c.to_str().ok()).unwrap_or(""));
        return message_page(&res, error, locale);
    }
    let mut page = Request::new(Body::empty());
    *page.uri_mut() = uri.clone();
    if let Some(cookie) = cookie {
        page.headers_mut().insert(header::COOKIE, cookie);
    }
    let handler = leptos_axum::file_and_error_handler::<AppState, _>(app::shell);
    handler(uri, State(state), page).await
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

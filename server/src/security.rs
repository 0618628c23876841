//! Refuses state-changing requests from another origin (on top of SameSite=Lax cookies).
use app::plumbing::errors::AppError;
use axum::extract::Request;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};

fn host_of_origin(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'))
}

/// The refusal of a state-changing request from another origin, if it is one. Called by the
/// one middleware every request passes (`edge::edge`), so the refusal is answered
/// like any other error.
pub fn refuse_cross_origin(req: &Request) -> Option<Response> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross = match (origin, host) {
        // "null" is what sandboxed frames and some privacy modes send: not our page.
        (Some("null"), _) => true,
        (Some(o), Some(h)) => host_of_origin(o) != Some(h),
        (Some(_), None) => true,
        // No Origin: old browsers and non-browser clients; trust Fetch metadata when present.
        (None, _) => fetch_site == Some("cross-site"),
    };
    if cross {
        tracing::warn!(?origin, ?host, path = %req.uri().path(), "cross-origin request refused");
        return Some(AppError::CrossOrigin.into_response());
    }
    None
}

//! The one middleware every request passes, on the way in and out:
//! - who the client is (`edge::Client`: behind a trusted proxy, its forwarded address) and
//!   whether it came over TLS;
//! - state-changing requests from another origin are refused;
//! - errors leave one way: on `/api/...` RFC 9457 problem details with the status they name,
//!   on a page a message in the user's language, and "not found" the app's friendly 404 page;
//! - every response carries the security headers, and every cookie is `Secure` unless the
//!   server runs on loopback for development;
//! - at most `max_in_flight` requests are served at once (a request waits up to a second for a
//!   place, then gets 503), and none may take longer than `timeout` (503) — except the live
//!   stream, which is meant to stay open;
//! - every answer is counted for `/metrics` by method, route and status, with its latency.
//!
//! One middleware rather than several: each `from_fn` layer costs every redirect allocations.
use app::plumbing::edge::{cache_policy, harden, Client};
use app::plumbing::errors::AppError;
use app::plumbing::http::{carried, is_api, message_page, with_problem_status};
use app::plumbing::i18n::Locale;
use app::plumbing::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The edge's own state: the app's, and the limits on requests in flight.
#[derive(Clone)]
pub struct Edge {
    pub state: AppState,
    pub in_flight: Arc<Semaphore>,
    pub timeout: Duration,
}

impl Edge {
    pub fn new(state: AppState, max_in_flight: usize, timeout: Duration) -> Self {
        Edge { state, in_flight: Arc::new(Semaphore::new(max_in_flight)), timeout }
    }
}

/// Paths that stay open by design: the live stream and the live figures; and admin's recount
/// of the dashboard counters, which reads the whole history (minutes at years of a large
/// organization's clicks on PostgreSQL).
fn long_lived(path: &str) -> bool {
    matches!(path, "/live" | "/live/figures" | "/api/recount_dashboard")
}

pub async fn edge(State(edge): State<Edge>, mut req: Request, next: Next) -> Response {
    let state = edge.state;
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let client =
        Client::of(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(client);
    let (method, route, started) =
        (req.method().clone(), req.extensions().get::<MatchedPath>().cloned(), Instant::now());
    // Only a built asset's name is kept for the cache policy (a page's type says it is one).
    let asset = req.uri().path().strip_prefix("/pkg/").map(str::to_owned);
    let mut res = if long_lived(req.uri().path()) {
        answer(state.clone(), req, next).await
    } else {
        let busy = || AppError::Unavailable { retry_after_s: 1 }.into_response();
        // A free place costs one atomic operation; only a full server waits (at most a second).
        let permit = match edge.in_flight.try_acquire() {
            Ok(permit) => Ok(Ok(permit)),
            Err(_) => tokio::time::timeout(Duration::from_secs(1), edge.in_flight.acquire()).await,
        };
        match permit {
            Ok(Ok(_permit)) => match tokio::time::timeout(edge.timeout, answer(state.clone(), req, next)).await {
                Ok(res) => res,
                Err(_) => {
                    tracing::warn!(timeout_s = edge.timeout.as_secs(), "request timed out");
                    busy()
                }
            },
            _ => {
                tracing::warn!("too many requests in flight");
                busy()
            }
        }
    };
    harden(&mut res, client.https);
    cache_policy(asset.as_deref(), &mut res);
    if state.config.secure_cookies || client.https {
        secure_cookies(&mut res);
    }
    app::plumbing::metrics::record(&method, route.as_ref(), res.status().as_u16(), started.elapsed());
    res
}

async fn answer(state: AppState, req: Request, next: Next) -> Response {
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

/// Marks every cookie of the response `Secure` (they are built in many places; this is the
/// one that knows how the server is reached).
fn secure_cookies(res: &mut Response) {
    let cookies: Vec<HeaderValue> = res.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    res.headers_mut().remove(header::SET_COOKIE);
    for c in cookies {
        let secured = match c.to_str() {
            Ok(s) if !s.split(';').any(|part| part.trim().eq_ignore_ascii_case("secure")) => {
                HeaderValue::from_str(&format!("{s}; Secure")).unwrap_or(c)
            }
            _ => c,
        };
        res.headers_mut().append(header::SET_COOKIE, secured);
    }
}

//! Promotion's plain routes: the personal-link redirect (the hot path of every share) and the
//! link's QR code.
use super::model::Channel;
use super::store::clicks::{self, NewClick};
use crate::plumbing::auth::{keyed_hash, random_token, session_user, SESSION_COOKIE};
use crate::plumbing::edge::Client;
use crate::plumbing::errors::AppError;
use crate::plumbing::http::{base_url, cookie, set_cookie, set_location};
use crate::plumbing::state::{internal, now_ms, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    let upload_limit = axum::extract::DefaultBodyLimit::max(crate::features::campaigns::media::MAX_BYTES + 64 * 1024);
    Router::new()
        .route("/r/{code}", get(personal_link))
        .route("/qr/{code}", get(link_qr))
        .route("/stories/{id}/photos", axum::routing::post(story_photo).layer(upload_limit))
}

/// `POST /stories/{id}/photos` (multipart `file`): a photo on the promoter's own story, while
/// it waits for review; back to the stories page.
async fn story_photo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    use crate::plumbing::access::Access;
    let (author, key) =
        crate::features::campaigns::routes::upload_image(&state, &headers, form, Access::Promoters).await?;
    super::store::stories::add_photo(&state.db, author, id, &key).await?;
    Ok(crate::plumbing::http::see_other("/stories", &[]))
}

#[derive(Deserialize)]
struct LinkQuery {
    ch: Option<String>,
}

/// `GET /r/{code}`: records the click, sets the visitor and attribution cookies and sends
/// the visitor to the campaign's landing page. An unknown code is the friendly 404 page.
async fn personal_link(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LinkQuery>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let target = super::link(&state, &code).await?.ok_or(AppError::NotFound)?;
    let slug = crate::features::campaigns::slug(&state, target.campaign_id).await?.ok_or(AppError::NotFound)?;
    let (visitor, new_visitor) = match cookie(&headers, clicks::VISITOR_COOKIE) {
        Some(v) if v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()) => (v, false),
        _ => (random_token(16), true),
    };
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    // Only a browser with a session asks the database who it is: prospects never do.
    let own = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => session_user(&state, &token).await? == Some(target.promoter_id),
        None => false,
    };
    let channel = Channel::of_link(q.ch.as_deref());
    let click = NewClick {
        link_id: target.link_id,
        channel,
        visitor: visitor.clone(),
        ip_hash: keyed_hash(&state.org.secret, &client.ip.to_string()),
        ua_class: clicks::ua_class(ua),
        at_ms: now_ms(),
        own,
    };
    super::part(&state)?.clicks.record(click).await.map_err(internal)?;
    let mut cookies = vec![
        set_cookie(clicks::REF_COOKIE, &code, "/", 30 * 24 * 3600, true, false),
        set_cookie(clicks::CHANNEL_COOKIE, channel.as_str(), "/", 30 * 24 * 3600, true, false),
    ];
    if new_visitor {
        cookies.push(set_cookie(clicks::VISITOR_COOKIE, &visitor, "/", 365 * 24 * 3600, true, false));
    }
    let mut res = StatusCode::FOUND.into_response();
    set_location(&mut res, format!("/c/{slug}?ref={code}"), cookies);
    Ok(res)
}

/// `GET /qr/{code}` (with or without `.svg`): the QR code of a personal link, as SVG, for
/// print (`?ch=qr`, so scans are counted as the QR channel).
async fn link_qr(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LinkQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let code = code.trim_end_matches(".svg");
    super::link(&state, code).await?.ok_or(AppError::NotFound)?;
    let query = match Channel::of_link(q.ch.as_deref()) {
        Channel::Direct => String::new(),
        channel => format!("?ch={channel}"),
    };
    let link = format!("{}/r/{code}{query}", base_url(&headers));
    let svg = super::store::links::qr_svg(&link).ok_or_else(|| internal("link too long for a QR code"))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        svg,
    )
        .into_response())
}

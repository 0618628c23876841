//! Plain axum routes beside the Leptos ones: the personal-link redirect, the referral form
//! post (works without JavaScript), the language switch and the health check.
use app::error::AppError;
use app::i18n::{Locale, LANG_COOKIE};
use app::ssr::{self, auth, campaigns, clicks, leads, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;

/// Renders the app's friendly 404 page for this request.
async fn not_found(state: AppState, uri: Uri, req: Request) -> Response {
    let handler = leptos_axum::file_and_error_handler::<AppState, _>(app::shell);
    handler(uri, State(state), req).await
}

fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    set_headers(&mut res, location, cookies);
    res
}

fn set_headers(res: &mut Response, location: &str, cookies: &[String]) {
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// The target of a personal-link code (cached), or the response to give instead: the
/// friendly 404 page for an unknown code.
async fn link_target(
    state: &AppState,
    code: &str,
    uri: Uri,
    req: Request,
) -> Result<(campaigns::LinkTarget, Request), Response> {
    match state.caches.links.get_or_load(code, campaigns::resolve_code(&state.pool, code)).await {
        Ok(Some(t)) => Ok((t, req)),
        Ok(None) => Err(not_found(state.clone(), uri, req).await),
        Err(e) => Err(error_response(&e, req.headers())),
    }
}

#[derive(Deserialize)]
pub struct LinkQuery {
    ch: Option<String>,
}

/// `GET /r/{code}`: records the click, sets the visitor and attribution cookies and sends
/// the visitor to the campaign's landing page.
pub async fn personal_link(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LinkQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    req: Request,
) -> Response {
    let (target, req) = match link_target(&state, &code, uri, req).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let headers = req.headers();
    let (visitor, new_visitor) = match ssr::cookie(headers, clicks::VISITOR_COOKIE) {
        Some(v) if v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()) => (v, false),
        _ => (auth::random_token(16), true),
    };
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let click = clicks::NewClick {
        link_id: target.link_id,
        channel: clicks::channel(q.ch.as_deref()),
        visitor: visitor.clone(),
        ip_hash: auth::keyed_hash(&state.org.secret, &peer.ip().to_string()),
        ua_class: clicks::ua_class(ua),
        at_ms: ssr::now_ms(),
    };
    if let Err(e) = state.click_writer.record(click).await {
        return error_response(&ssr::internal(e), headers);
    }
    let mut cookies =
        vec![format!("{}={code}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}", clicks::REF_COOKIE, 30 * 24 * 3600)];
    if new_visitor {
        cookies.push(format!(
            "{}={visitor}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
            clicks::VISITOR_COOKIE,
            365 * 24 * 3600
        ));
    }
    let mut res = StatusCode::FOUND.into_response();
    set_headers(&mut res, &format!("/c/{}?ref={code}", target.campaign_slug), &cookies);
    res
}

#[derive(Deserialize)]
pub struct QrQuery {
    ch: Option<String>,
}

/// `GET /qr/{code}` (with or without `.svg`): the QR code of a personal link, as SVG — for
/// print, and for the share poster (`?ch=qr`, so scans are counted as the QR channel).
pub async fn link_qr(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<QrQuery>,
    uri: Uri,
    req: Request,
) -> Response {
    let code = code.trim_end_matches(".svg").to_string();
    let req = match link_target(&state, &code, uri, req).await {
        Ok((_, req)) => req,
        Err(res) => return res,
    };
    let channel = clicks::channel(q.ch.as_deref());
    let query = if channel == "direct" { String::new() } else { format!("?ch={channel}") };
    let link = format!("{}/r/{code}{query}", ssr::base_url(req.headers()));
    let Some(svg) = campaigns::qr_svg(&link) else {
        return error_response(&ssr::internal("link too long for a QR code"), req.headers());
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], svg)
        .into_response()
}

/// `POST /c/{slug}/lead`: the referral form. Success → the thank-you page; refused input →
/// back to the form with everything typed and every problem named; nothing is stored then.
pub async fn lead_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum_extra::extract::Form(form): axum_extra::extract::Form<leads::LeadForm>,
) -> Response {
    let origin = leads::Origin {
        visitor: ssr::cookie(&headers, clicks::VISITOR_COOKIE),
        ip_hash: auth::keyed_hash(&state.org.secret, &peer.ip().to_string()),
    };
    let ref_query = form.ref_code.clone().filter(|r| !r.is_empty()).map(|r| format!("?ref={r}")).unwrap_or_default();
    match leads::submit(&state, &slug, &form, origin).await {
        Ok(s) => {
            tracing::info!(lead_id = s.lead_id, status = s.status.as_str(), campaign = %slug, "lead submitted");
            see_other(&format!("/c/{slug}/thanks"), &[])
        }
        Err(app::error::AppError::Invalid(errors)) => {
            let cookie = leads::draft_cookie(&slug, form.into_draft(errors));
            see_other(&format!("/c/{slug}{ref_query}"), &[cookie])
        }
        Err(app::error::AppError::NotFound) => see_other(&format!("/c/{slug}"), &[]),
        Err(e) => error_response(&e, &headers),
    }
}

/// A plain page with the error in the user's language (a 429 also says when to retry).
pub(crate) fn error_response(e: &AppError, headers: &HeaderMap) -> Response {
    let locale = Locale::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or(""));
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.message(locale)).into_response();
    if let app::error::AppError::TooFast { retry_after_s } | app::error::AppError::TooManyAttempts { retry_after_s } = e
    {
        if let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
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
    see_other(&next, &[format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age={}", locale.code(), 365 * 24 * 3600)])
}

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.pool).await {
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

/// `GET /media/{key}`: an uploaded image. Keys are content hashes, so it never changes.
pub async fn media(State(state): State<AppState>, Path(key): Path<String>, uri: Uri, req: Request) -> Response {
    match ssr::media::load(&state.pool, &key).await {
        Ok(Some((content_type, bytes))) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found(state, uri, req).await,
        Err(e) => error_response(&e, req.headers()),
    }
}

/// Reads the `file` field of a multipart upload and stores it, for marketing.
async fn upload(state: &AppState, headers: &HeaderMap, mut form: axum::extract::Multipart) -> Result<String, AppError> {
    use app::model::Role;
    let user = auth::require_in(state, headers, &[Role::Marketing, Role::Admin]).await?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|_| {
                AppError::invalid(
                    app::error::Field::Image,
                    app::error::Problem::FileTooLarge { max_kb: (app::domain::media::MAX_BYTES / 1024) as i64 },
                )
            })?;
            return ssr::media::store(&state.pool, user.id, &bytes).await;
        }
    }
    Err(AppError::invalid(app::error::Field::Image, app::domain::text::TextError::Required))
}

/// `POST /campaigns/{id}/artwork` (multipart, works without JavaScript): the poster artwork.
pub async fn campaign_artwork(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    form: axum::extract::Multipart,
) -> Response {
    let result = async {
        let key = upload(&state, &headers, form).await?;
        ssr::campaigns::set_artwork(&state.pool, id, &key).await?;
        state.caches.campaign_changed();
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => see_other("/campaigns", &[]),
        Err(e) => error_response(&e, &headers),
    }
}

/// `POST /content/{id}/image` (multipart): a content item's picture.
pub async fn content_image(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    form: axum::extract::Multipart,
) -> Response {
    let result = async {
        let key = upload(&state, &headers, form).await?;
        ssr::content::set_image(&state.pool, id, &key).await
    }
    .await;
    match result {
        Ok(()) => see_other("/content", &[]),
        Err(e) => error_response(&e, &headers),
    }
}

/// `GET /settlement/{id}/{bank|wallet|payroll}.csv`: an approved run's payout file, for finance.
pub async fn payout_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
    headers: HeaderMap,
) -> Response {
    use app::model::Role;
    let result = async {
        auth::require_in(&state, &headers, &[Role::Finance, Role::Admin]).await?;
        let layout = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
        ssr::settlement::export(&state.pool, id, layout).await.map(|csv| (layout.to_string(), csv))
    }
    .await;
    match result {
        Ok((layout, csv)) => csv_response(&format!("allhands-run-{id}-{layout}.csv"), csv),
        Err(e) => error_response(&e, &headers),
    }
}

fn csv_response(filename: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        // A BOM so that spreadsheet programs read the Chinese names as UTF-8.
        format!("\u{feff}{csv}"),
    )
        .into_response()
}

/// The dashboard's filters and the cut to export, as the page's export links write them.
#[derive(Deserialize)]
pub struct ExportQuery {
    table: String,
    #[serde(default)]
    range: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    campaign_id: Option<String>,
    #[serde(default)]
    channel: String,
    department_id: Option<String>,
    #[serde(default)]
    promoter_kind: String,
}

/// `GET /dashboard/export.csv`: one table of the dashboard (a cut) as CSV. Marketing or admin.
pub async fn dashboard_export(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Response {
    use app::error::{Field, Problem};
    use app::model::{DashboardQuery, Role};
    let result = async {
        auth::require_in(&state, &headers, &[Role::Marketing, Role::Admin]).await?;
        let id = |v: Option<String>, field: Field| -> Result<Option<i64>, AppError> {
            match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| AppError::invalid(field, Problem::UnknownChoice)),
            }
        };
        let query = DashboardQuery {
            range: q.range,
            from: q.from,
            to: q.to,
            campaign_id: id(q.campaign_id, Field::Campaign)?,
            channel: q.channel,
            department_id: id(q.department_id, Field::Department)?,
            promoter_kind: q.promoter_kind,
        };
        let slice = ssr::dashboard::Slice::parse(&query, &state.org)?;
        let csv = ssr::dashboard::cut_csv(&state.pool, &state.org, &slice, &q.table).await?;
        Ok::<_, AppError>((slice, csv))
    }
    .await;
    match result {
        Ok((slice, csv)) => csv_response(&format!("allhands-{}-{}-{}.csv", q.table, slice.from, slice.to), csv),
        Err(e) => error_response(&e, &headers),
    }
}

/// `POST /api/v1/deals`: order systems push deals (a JSON array of deal rows, the CSV's
/// columns); the same order number twice changes nothing. Sales, finance or admin session.
pub async fn api_deals(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Json(deals): axum::Json<Vec<app::model::DealInput>>,
) -> Response {
    use app::model::{ImportReport, Role};
    let result = async {
        let user = auth::require_in(&state, &headers, &[Role::Sales, Role::Finance, Role::Admin]).await?;
        let inputs = deals.into_iter().enumerate().map(|(i, d)| (i as i64 + 1, d)).collect();
        let empty = ImportReport { created: 0, unchanged: 0, payments: 0, errors: Vec::new() };
        ssr::deals::import(&state, user.id, inputs, "api", empty).await
    }
    .await;
    match result {
        Ok(report) => axum::Json(report).into_response(),
        Err(e) => (
            axum::http::StatusCode::from_u16(e.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            axum::Json(e),
        )
            .into_response(),
    }
}

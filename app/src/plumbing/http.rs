//! HTTP plumbing for every feature's routes: cookies, the request's origin and address, and
//! the one way errors leave the server. [`AppError`] is a response: `/api/...` answers RFC
//! 9457 problem details, browser routes a message in the user's language (`message_page`;
//! the server's middleware chooses).
use super::errors::AppError;
use super::i18n::{Locale, LANG_COOKIE};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The token of `Authorization: Bearer <token>`, if one is sent.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

/// Reads a cookie from request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::CookieJar::from_headers(headers).get(name).map(|c| c.value().to_string())
}

/// A `Set-Cookie` value: path `/` unless given, HttpOnly, SameSite=Lax, `max_age_s` (0 clears it).
/// Written directly, in the `cookie` crate's format (a test holds them equal): its builder
/// cost about 2,900 instructions a cookie, and a redirect sets three.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age_s: i64, http_only: bool, secure: bool) -> String {
    let mut s = String::with_capacity(name.len() + value.len() + path.len() + 64);
    s.push_str(name);
    s.push('=');
    s.push_str(value);
    if http_only {
        s.push_str("; HttpOnly");
    }
    s.push_str("; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    s.push_str("; Path=");
    s.push_str(path);
    let _ = write!(s, "; Max-Age={max_age_s}");
    s
}

/// True when the request reached us over TLS (directly or through a proxy).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// `scheme://host` of the request, for absolute links people share.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = if is_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The locale of a request: its `lang` cookie.
pub fn locale(headers: &HeaderMap) -> Locale {
    Locale::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or(""))
}

/// A language cookie for a year.
pub fn lang_cookie(locale: Locale) -> String {
    set_cookie(LANG_COOKIE, locale.code(), "/", 365 * 24 * 3600, false, false)
}

/// `303 See Other` to `location`, with cookies.
pub fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    set_location(&mut res, location.to_string(), cookies.to_vec());
    res
}

/// Sets `Location` and the cookies, taking the strings as they are (no copy).
pub fn set_location(res: &mut Response, location: String, cookies: Vec<String>) {
    if let Ok(v) = HeaderValue::try_from(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::try_from(c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// A CSV download, with a BOM so that spreadsheet programs read Chinese as UTF-8.
pub fn csv_download(filename: &str, csv: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        format!("\u{feff}{csv}"),
    )
        .into_response()
}

/// The error a response carries, for [`error_pages`] to put in the user's words.
#[derive(Clone)]
struct Carried(AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response();
        if let Some(v) = self.retry_after_s().and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res.extensions_mut().insert(Carried(self));
        res
    }
}

/// The error a response was made from, if any.
pub fn carried(res: &Response) -> Option<&AppError> {
    res.extensions().get::<Carried>().map(|c| &c.0)
}

/// Paths whose errors are problem details; everything else is a page.
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// An error answered on a browser route, as a plain message in the user's language (a 429
/// keeps its `Retry-After`).
pub fn message_page(res: &Response, error: &AppError, locale: Locale) -> Response {
    let mut page =
        (res.status(), [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], error.message(locale)).into_response();
    if let Some(v) = res.headers().get(header::RETRY_AFTER) {
        page.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    page
}

/// A server function's answer: a failure gets the status its problem details name, as
/// `application/problem+json`, however it failed (in the body, or decoding the arguments
/// before the body ran). A plain form post (no JavaScript) is sent back to its page instead.
pub async fn with_problem_status(res: Response) -> Response {
    if !res.headers().contains_key("serverfnerror") || res.status().is_redirection() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Error bodies are a few hundred bytes; a larger one is not ours to rewrite.
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(v) = error.retry_after_s().and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            parts.headers.insert(header::RETRY_AFTER, v);
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The client's address: the TCP peer, or behind a trusted proxy the address it forwarded
/// (`edge::Client`, set by the edge middleware).
pub fn peer_ip(parts_extensions: &axum::http::Extensions) -> String {
    match parts_extensions.get::<super::edge::Client>() {
        Some(c) => c.ip.to_string(),
        None => parts_extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_built_whole() {
        let c = set_cookie("ah_session", "abc", "/", 3600, true, true);
        assert!(c.starts_with("ah_session=abc"), "{c}");
        for part in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=3600"] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        let cleared = set_cookie("ah_session", "", "/", 0, true, false);
        assert!(cleared.contains("Max-Age=0") && !cleared.contains("Secure"), "{cleared}");
    }

    /// The direct write is the `cookie` crate's format, byte for byte, and parses back.
    #[test]
    fn cookies_are_what_the_cookie_crate_writes() {
        use cookie::{Cookie, SameSite};
        for (name, value, path, max_age_s, http_only, secure) in [
            ("ah_ref", "k3x9q2", "/", 30 * 24 * 3600, true, false),
            ("ah_vid", "0123456789abcdef0123456789abcdef", "/", 365 * 24 * 3600, true, true),
            ("ah_draft", "", "/c/winter-home", 0, true, false),
            ("lang", "zh-CN", "/", 1, false, false),
            ("x", "a.b", "/p", 7, false, true),
        ] {
            let ours = set_cookie(name, value, path, max_age_s, http_only, secure);
            let theirs = Cookie::build((name, value))
                .path(path)
                .http_only(http_only)
                .same_site(SameSite::Lax)
                .secure(secure)
                .max_age(cookie::time::Duration::seconds(max_age_s))
                .build();
            assert_eq!(ours, theirs.to_string());
            let parsed = Cookie::parse(ours.as_str()).unwrap();
            assert_eq!((parsed.name(), parsed.value(), parsed.path()), (name, value, Some(path)));
            assert_eq!(parsed.max_age().map(|d| d.whole_seconds()), Some(max_age_s));
        }
    }

    #[tokio::test]
    async fn an_error_is_problem_details_with_its_status() {
        let res = AppError::TooFast { retry_after_s: 7 }.into_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(res.headers()[header::RETRY_AFTER], "7");
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["status"], 429);
        assert_eq!(json["retry_after_s"], 7);
    }
}

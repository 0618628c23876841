//! What every request and response passes at the edge: who the client is (behind a trusted
//! load balancer, from `X-Forwarded-For` read from the right; otherwise the TCP peer), whether
//! it arrived over TLS, the security headers of every response, and redirect targets that
//! stay on this site.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Response};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The client of a request, as the edge middleware established it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    /// Reached us over TLS: directly, or through a trusted proxy that says so.
    pub https: bool,
}

impl Client {
    /// From the TCP peer and the request's headers. `X-Forwarded-For` and
    /// `X-Forwarded-Proto` count only when the peer is a trusted proxy: anyone else could
    /// write them. Read from the right, skipping trusted proxies, the first other address is
    /// the client (the left part is whatever the client itself claimed).
    pub fn of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Client {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        if !is_trusted(&peer) {
            return Client { ip: peer, https: false };
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            // A list we cannot read is not believed in part: the proxy itself is the client.
            .unwrap_or_default();
        let ip = forwarded.iter().rev().find(|ip| !is_trusted(ip)).or(forwarded.first()).copied().unwrap_or(peer);
        let https = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Client { ip, https }
    }

    /// A request that did not pass the edge (a test calling a handler directly): the peer.
    pub fn of_parts(parts: &Parts) -> Client {
        parts.extensions.get::<Client>().copied().unwrap_or_else(|| {
            let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
            Client { ip: peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), https: false }
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client::of_parts(parts))
    }
}

/// `ALLHANDS_TRUSTED_PROXIES`: addresses and CIDR ranges, separated by commas or spaces.
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<IpNet>().or_else(|_| s.parse::<IpAddr>().map(IpNet::from)).map_err(|_| s.to_string()))
        .collect()
}

/// A redirect target people or links can choose (`?next=`): a path on this site, or nothing.
/// Parsed as the browser will read it, not matched against patterns: tabs and new lines are
/// dropped by browsers (`/\t/evil` is `//evil`), backslashes are slashes, and whatever
/// resolves to another origin is refused.
pub fn local_path(next: &str) -> Option<String> {
    if !next.starts_with('/') || next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let base = url::Url::parse("http://this.invalid/").ok()?;
    let joined = base.join(next).ok()?;
    if joined.origin() != base.origin() {
        return None;
    }
    let mut path = joined.path().to_string();
    if path.starts_with("//") {
        return None;
    }
    if let Some(q) = joined.query() {
        path.push('?');
        path.push_str(q);
    }
    Some(path)
}

/// The content security policy of a page: scripts only by this response's nonce (and what
/// they load), the wasm compiled, nothing framed, forms posted home.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Anything but a page (JSON, images, files, redirects) runs nothing and is framed nowhere.
const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The security headers of every response. A page brings its own policy (with its nonce).
pub fn harden<B>(res: &mut Response<B>, https: bool) {
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(OTHER_POLICY));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
    );
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
}

/// A built asset's name carries its content's hash (cargo-leptos `hash-files`: a 22-character
/// base64url digest before the extension, `allhands.<hash>.wasm`). The unhashed loader's
/// placeholder (`__wasm_split.____…_.js`) is not a hash.
fn content_hashed(file: &str) -> bool {
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3 && {
        let hash = parts[parts.len() - 2];
        hash.len() == 22
            && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && hash.bytes().any(|b| b != b'_')
    }
}

/// How long a response may be kept: a content-hashed asset for good (a new build has new
/// names), any other built asset only after asking again, a page never without asking (it
/// shows the person's own, live data). Responses that set their own policy keep it. `asset`:
/// the path under `/pkg/`, for a built asset.
pub fn cache_policy<B>(asset: Option<&str>, res: &mut Response<B>) {
    if res.headers().contains_key(header::CACHE_CONTROL) || !res.status().is_success() {
        return;
    }
    let value = if let Some(file) = asset {
        if content_hashed(file.rsplit('/').next().unwrap_or(file)) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    } else if res.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html")) {
        "private, no-cache"
    } else {
        return;
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy_read_from_the_right() {
        let trusted = parse_trusted("10.0.0.0/8, 192.168.1.1").unwrap();
        let lb: IpAddr = "10.0.0.5".parse().unwrap();
        let spoofed = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7"), ("x-forwarded-proto", "https")]);
        // Through the load balancer: the address it appended, not what the client claimed.
        assert_eq!(Client::of(lb, &spoofed, &trusted), Client { ip: "203.0.113.7".parse().unwrap(), https: true });
        // Two trusted hops: skip them.
        let two = headers(&[("x-forwarded-for", "203.0.113.7, 10.1.2.3")]);
        assert_eq!(Client::of(lb, &two, &trusted).ip, "203.0.113.7".parse::<IpAddr>().unwrap());
        // Straight from the internet: the headers are the client's own words.
        let direct: IpAddr = "198.51.100.9".parse().unwrap();
        assert_eq!(Client::of(direct, &spoofed, &trusted), Client { ip: direct, https: false });
        // No proxies configured: always the peer.
        assert_eq!(Client::of(lb, &spoofed, &[]).ip, lb);
        // A header split over two lines reads as one list; garbage means the proxy itself.
        let split = headers(&[("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.8")]);
        assert_eq!(Client::of(lb, &split, &trusted).ip, "203.0.113.8".parse::<IpAddr>().unwrap());
        let garbage = headers(&[("x-forwarded-for", "203.0.113.8, nonsense")]);
        assert_eq!(Client::of(lb, &garbage, &trusted).ip, lb);
        assert!(parse_trusted("10.0.0.0/33").is_err());
    }

    #[test]
    fn hashed_assets_are_kept_for_good_and_pages_never_without_asking() {
        let policy = |path: &str, content_type: &str| {
            let mut res = Response::new(());
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
            cache_policy(path.strip_prefix("/pkg/"), &mut res);
            res.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_string())
        };
        let forever = Some("public, max-age=31536000, immutable".to_string());
        assert_eq!(policy("/pkg/allhands.S2b6qLgqbqj0sUTvc6_VnA.wasm", "application/wasm"), forever);
        assert_eq!(policy("/pkg/chunk_12.S2b6qLgqbqj0sUTvc6-VnA.wasm", "application/wasm"), forever);
        assert_eq!(policy("/pkg/__wasm_split.S2b6qLgqbqj0sUTvc6_VnA.js", "text/javascript"), forever);
        // Unhashed (a development build) or the loader's placeholder: ask again.
        assert_eq!(policy("/pkg/allhands.wasm", "application/wasm").as_deref(), Some("no-cache"));
        assert_eq!(
            policy("/pkg/__wasm_split.______________________.js", "text/javascript").as_deref(),
            Some("no-cache")
        );
        assert_eq!(policy("/pkg/snippets/x/inline0.js", "text/javascript").as_deref(), Some("no-cache"));
        assert_eq!(policy("/c/winter-home", "text/html; charset=utf-8").as_deref(), Some("private, no-cache"));
        assert_eq!(policy("/api/leads", "application/json"), None);
        // A response's own policy stands; an error is not kept.
        let mut own = Response::new(());
        own.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
        cache_policy(Some("a.S2b6qLgqbqj0sUTvc6_VnA.js"), &mut own);
        assert_eq!(own.headers()[header::CACHE_CONTROL], "public, max-age=86400");
        let mut missing = Response::new(());
        *missing.status_mut() = axum::http::StatusCode::NOT_FOUND;
        cache_policy(Some("a.S2b6qLgqbqj0sUTvc6_VnA.js"), &mut missing);
        assert!(missing.headers().get(header::CACHE_CONTROL).is_none());
    }

    #[test]
    fn redirect_targets_stay_on_this_site() {
        for ok in ["/", "/me", "/c/winter-home?ref=abc", "/a/../b"] {
            assert!(local_path(ok).is_some(), "{ok}");
        }
        assert_eq!(local_path("/a/../b").as_deref(), Some("/b"));
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "evil.example",
            "/%2F/evil.example/..",
            "",
        ] {
            let target = local_path(bad);
            assert!(
                target.as_deref().is_none_or(|p| p.starts_with('/') && !p.starts_with("//")),
                "{bad:?} → {target:?}"
            );
        }
        assert_eq!(local_path("/\t/evil.example"), None);
        assert_eq!(local_path("//evil.example"), None);
    }

    proptest! {
        /// Whatever `next` says, the answer is a path on this site or nothing.
        #[test]
        fn no_target_leaves_the_site(next in "[/\\\\a-z.%0-9\t\n: ?#@]{0,24}") {
            if let Some(p) = local_path(&next) {
                prop_assert!(p.starts_with('/') && !p.starts_with("//"), "{:?} → {:?}", next, p);
                let again = url::Url::parse("http://this.invalid/").unwrap().join(&p).unwrap();
                prop_assert_eq!(again.host_str(), Some("this.invalid"));
            }
        }
    }
}

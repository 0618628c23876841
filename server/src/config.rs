//! Configuration from the environment. The defaults are safe for a real organization: no
//! demo data unless asked for.
use app::plumbing::state::Config;
use std::net::SocketAddr;

fn number(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).filter(|n: &i64| *n > 0).unwrap_or(default)
}

fn flag(name: &str, default: bool) -> bool {
    match std::env::var(name) {
        Ok(v) => !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "off" | "no" | ""),
        Err(_) => default,
    }
}

/// `ALLHANDS_SESSION_IDLE_S` (a session unused this long ends, default 3 days),
/// `ALLHANDS_LIVE_RECHECK_S` (how often a live stream re-checks its session, default 30 s),
/// `DATABASE_URL` (default: the SQLite file `data/allhands.db`), `ALLHANDS_DEMO_DATA`
/// (default off: only the demo command asks for the demo organization), `ALLHANDS_SESSION_TTL_S`,
/// `ALLHANDS_SECURE_COOKIES` (default: on unless listening on loopback), `ALLHANDS_TRUSTED_PROXIES`,
/// `ALLHANDS_ADMIN_LOGIN` + `ALLHANDS_ADMIN_PASSWORD` for the first administrator of an
/// organization started without demo data, `ALLHANDS_NOTIFY_WEBHOOK` and
/// `ALLHANDS_NOTIFY_BACKOFF_MS` for message delivery, `ALLHANDS_LEAD_BURST_PER_MINUTE`.
pub fn from_env() -> Config {
    let database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/allhands.db".into());
    Config {
        database_url,
        demo_data: flag("ALLHANDS_DEMO_DATA", false),
        session_ttl_s: std::env::var("ALLHANDS_SESSION_TTL_S")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(14 * 24 * 3600),
        session_idle_s: number("ALLHANDS_SESSION_IDLE_S", 3 * 24 * 3600),
        live_recheck_s: number("ALLHANDS_LIVE_RECHECK_S", 30) as u64,
        // Off only for development on loopback (`main` decides from the listen address).
        secure_cookies: flag("ALLHANDS_SECURE_COOKIES", true),
        trusted_proxies: trusted_proxies(),
        bootstrap_admin: match (std::env::var("ALLHANDS_ADMIN_LOGIN"), std::env::var("ALLHANDS_ADMIN_PASSWORD")) {
            (Ok(l), Ok(p)) if !l.is_empty() && !p.is_empty() => Some((l, p)),
            _ => None,
        },
        notify_webhook: std::env::var("ALLHANDS_NOTIFY_WEBHOOK").ok().filter(|u| !u.is_empty()),
        notify_backoff_ms: std::env::var("ALLHANDS_NOTIFY_BACKOFF_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000),
        api_key_per_minute: std::env::var("ALLHANDS_API_KEY_PER_MINUTE")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n: &i64| *n > 0)
            .unwrap_or(app::plumbing::api_keys::PER_MINUTE),
        metrics_token: std::env::var("ALLHANDS_METRICS_TOKEN").ok().filter(|t| !t.is_empty()),
        webhook_backoff_ms: std::env::var("ALLHANDS_WEBHOOK_BACKOFF_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n: &i64| *n > 0)
            .unwrap_or(5000),
    }
}

/// `ALLHANDS_TRUSTED_PROXIES`: the load balancers whose `X-Forwarded-For` is believed (IP
/// addresses or CIDR ranges, comma-separated; none by default). A bad entry stops the start.
fn trusted_proxies() -> Vec<ipnet::IpNet> {
    match app::plumbing::edge::parse_trusted(&std::env::var("ALLHANDS_TRUSTED_PROXIES").unwrap_or_default()) {
        Ok(list) => list,
        Err(bad) => {
            eprintln!("ALLHANDS_TRUSTED_PROXIES: {bad:?} is not an IP address or CIDR range");
            std::process::exit(2);
        }
    }
}

/// `ALLHANDS_SECURE_COOKIES` unset: cookies are `Secure` unless the server listens on
/// loopback (development: the browser reaches it over plain http).
pub fn secure_cookies_for(addr: SocketAddr) -> bool {
    match std::env::var("ALLHANDS_SECURE_COOKIES") {
        Ok(_) => flag("ALLHANDS_SECURE_COOKIES", true),
        Err(_) => !addr.ip().is_loopback(),
    }
}

/// `ALLHANDS_DEMO_ACTIVITY` (default on): with the demo organization, its weeks of activity
/// (the end-to-end tests and benchmarks turn it off to count what they make themselves).
pub fn demo_activity() -> bool {
    flag("ALLHANDS_DEMO_ACTIVITY", true)
}

/// `ALLHANDS_SCHEDULED_DRAFTS` (default on): draft the settlement runs that fall due by the
/// calendar (the end-to-end tests turn it off: they draft what they check).
pub fn scheduled_drafts() -> bool {
    flag("ALLHANDS_SCHEDULED_DRAFTS", true)
}

/// `ALLHANDS_DASHBOARD_FRESH_MS` (default 2000): how long a computed dashboard answers loads
/// of its slice while no event arrives; 0 computes every load (the benchmark of a load's cost).
pub fn dashboard_fresh() -> std::time::Duration {
    let ms = std::env::var("ALLHANDS_DASHBOARD_FRESH_MS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(2000);
    std::time::Duration::from_millis(ms)
}

/// `ALLHANDS_MAX_IN_FLIGHT` (requests served at once, default 512) and
/// `ALLHANDS_REQUEST_TIMEOUT_S` (the longest a request may take, default 60): the live stream
/// is exempt from both.
pub fn request_limits(build: &mut crate::Build) {
    build.max_in_flight = number("ALLHANDS_MAX_IN_FLIGHT", build.max_in_flight as i64) as usize;
    build.request_timeout = std::time::Duration::from_secs(number(
        "ALLHANDS_REQUEST_TIMEOUT_S",
        build.request_timeout.as_secs() as i64,
    ) as u64);
}

/// `ALLHANDS_LEAD_BURST_PER_MINUTE`: referral-form submissions a minute from one IP before 429.
pub fn lead_burst_per_minute() -> i64 {
    std::env::var("ALLHANDS_LEAD_BURST_PER_MINUTE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(app::features::leads::BURST_PER_MINUTE)
}

/// Leptos options as cargo-leptos passes them, with the output name filled in when the
/// binary runs on its own (tests, a plain `cargo run`).
pub fn leptos_options() -> leptos::config::LeptosOptions {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| leptos::config::LeptosOptions::builder().output_name("allhands").build());
    if options.output_name.is_empty() {
        options.output_name = "allhands".into();
    }
    // cargo-leptos names the built assets by their hashes and writes the names beside the
    // binary; it says so only to a server it starts itself.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = app::plumbing::built::hash_file(&options).is_some_and(|f| f.exists());
    }
    if let Ok(addr) = std::env::var("ALLHANDS_ADDR") {
        if let Ok(addr) = addr.parse::<SocketAddr>() {
            options.site_addr = addr;
        }
    }
    options
}

/// Creates the directory of a SQLite file URL, so the first start can create the file.
pub fn ensure_sqlite_dir(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
}

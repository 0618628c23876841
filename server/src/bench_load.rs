//! What the database benchmarks share (included by `bench-settlement` and `bench-whatif`):
//! their settings, memory high-water marks, and the bulk load of promoters and paid deals.
#![allow(dead_code)]

pub type Outcome = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub fn env(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Starts a new high-water mark at the current resident size (Linux: `clear_refs` 5), so a
/// phase's peak is its own, with whatever the process still holds from before counted in.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// PROMOTERS employees; returns the first one's id.
pub async fn load_promoters(pool: &sqlx::AnyPool, promoters: i64) -> Result<i64, sqlx::Error> {
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = pool.begin().await?;
    for chunk in (0..promoters).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from("INSERT INTO users (display_name, email, password_hash, created_at) VALUES ");
        for (i, p) in chunk.iter().enumerate() {
            sql += &format!("{}('promoter {p}', 'p{p}@bench.invalid', 'x', {now})", if i > 0 { ", " } else { "" });
        }
        sqlx::query(&sql).persistent(false).execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO user_roles (user_id, role) SELECT id, 'employee' FROM users WHERE email LIKE '%@bench.invalid'",
    )
    .execute(&mut *tx)
    .await?;
    let first: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM users WHERE email LIKE '%@bench.invalid'").fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(first)
}

/// `count` deals from number `from` on, each its own customer, signed and paid on time in `month`.
pub async fn load_deals(
    pool: &sqlx::AnyPool,
    first_user: i64,
    promoters: i64,
    from: i64,
    count: i64,
    month: &str,
) -> Result<(), sqlx::Error> {
    let now = chrono::Utc::now().timestamp_millis();
    let first_deal: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM deals").fetch_one(pool).await?;
    // A transaction per thousand deals: the dashboard counters they touch are not rewritten
    // thousands of times in one (PostgreSQL keeps every version until the end). Each INSERT
    // is used once: unprepared, so no connection keeps thousands of kilobytes of them.
    for start in (from..from + count).step_by(1000) {
        let mut tx = pool.begin().await?;
        let mut d = String::from(
            "INSERT INTO deals (order_no, customer_phone, promoter_id, amount_fen, signed_on, source, created_at) VALUES ",
        );
        let mut p = String::from("INSERT INTO payments (deal_id, paid_on, amount_fen, created_at) VALUES ");
        for i in start..(start + 1000).min(from + count) {
            let amount = 10_000 + (i * 7919) % 5_000_000;
            let day = 1 + i % 28;
            let sep = if i > start { ", " } else { "" };
            d += &format!(
                "{sep}('B-{i}', '+86139{:08}', {}, {amount}, '{month}-{day:02}', 'import', {now})",
                i,
                first_user + i % promoters
            );
            p += &format!("{sep}({}, '{month}-{day:02}', {amount}, {now})", first_deal + i - from + 1);
        }
        sqlx::query(&d).persistent(false).execute(&mut *tx).await?;
        sqlx::query(&p).persistent(false).execute(&mut *tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The server as the benchmarks run it, on DATABASE_URL: the demo organization, no limit on
/// referral forms, no demo activity and no scheduled drafts.
pub async fn build() -> Result<(axum::Router, app::plumbing::state::AppState), Box<dyn std::error::Error + Send + Sync>>
{
    let config = app::plumbing::state::Config {
        database_url: std::env::var("DATABASE_URL")?,
        demo_data: true,
        session_ttl_s: 3600,
        session_idle_s: 3600,
        live_recheck_s: 30,
        secure_cookies: false,
        trusted_proxies: Vec::new(),
        bootstrap_admin: None,
        notify_webhook: None,
        notify_backoff_ms: 1000,
        api_key_per_minute: app::plumbing::api_keys::PER_MINUTE,
        metrics_token: None,
        webhook_backoff_ms: 5000,
    };
    let options = leptos::config::LeptosOptions::builder().output_name("allhands").build();
    let build = server::Build {
        lead_burst_per_minute: i64::MAX / 2,
        demo_activity: false,
        scheduled_drafts: false,
        ..server::Build::new(options)
    };
    server::build_with(config, build).await
}

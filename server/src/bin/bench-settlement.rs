//! `bench/run settlement`: accrues DEALS deals with payments for PROMOTERS promoters into the
//! reward ledger, then drafts an employee settlement from it, on a fresh database
//! (DATABASE_URL), and times the same database's
//! `SELECT promoter_id, SUM(amount_fen) … GROUP BY promoter_id` over the same rows.
//! Prints `key: value` figures; the verdict is bench/settlement.sh's.
use app::features::rewards::engine::PromoterKind;
use app::features::rewards::store::facts;
use app::features::settlement::store::draft;
use app::features::settlement::Scope;
use app::plumbing::state::Config;
use std::time::Instant;

fn env(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // The draft's own log line (time reading, computing, writing) goes to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn,app::features::settlement=info"))
        .init();
    let deals = env("DEALS", 1_000_000);
    let promoters = env("PROMOTERS", 10_000);
    let url = std::env::var("DATABASE_URL")?;
    let config = Config {
        database_url: url,
        demo_data: false,
        session_ttl_s: 3600,
        session_idle_s: 3600,
        live_recheck_s: 30,
        secure_cookies: false,
        trusted_proxies: Vec::new(),
        bootstrap_admin: None,
        notify_webhook: None,
        notify_backoff_ms: 1000,
    };
    let options = leptos::config::LeptosOptions::builder().output_name("allhands").build();
    let (_router, state) = server::build(config, options).await?;
    let pool = &state.db.pool;
    let now = chrono::Utc::now().timestamp_millis();

    // Promoters (employees), then deals of November 2026 with one on-time payment each.
    let mut tx = pool.begin().await?;
    for chunk in (0..promoters).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from("INSERT INTO users (display_name, email, password_hash, created_at) VALUES ");
        for (i, p) in chunk.iter().enumerate() {
            sql += &format!("{}('promoter {p}', 'p{p}@bench.invalid', 'x', {now})", if i > 0 { ", " } else { "" });
        }
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO user_roles (user_id, role) SELECT id, 'employee' FROM users WHERE email LIKE '%@bench.invalid'",
    )
    .execute(&mut *tx)
    .await?;
    let first_user: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM users WHERE email LIKE '%@bench.invalid'").fetch_one(&mut *tx).await?;
    for start in (0..deals).step_by(1000) {
        let mut d = String::from(
            "INSERT INTO deals (order_no, customer_phone, promoter_id, amount_fen, signed_on, source, created_at) VALUES ",
        );
        let mut p = String::from("INSERT INTO payments (deal_id, paid_on, amount_fen, created_at) VALUES ");
        for i in start..(start + 1000).min(deals) {
            let amount = 10_000 + (i * 7919) % 5_000_000;
            let day = 1 + i % 28;
            let sep = if i > start { ", " } else { "" };
            d += &format!(
                "{sep}('B-{i}', '+86139{:08}', {}, {amount}, '2026-11-{day:02}', 'import', {now})",
                i,
                first_user + i % promoters
            );
            p += &format!("{sep}({}, '2026-11-{day:02}', {amount}, {now})", i + 1);
        }
        sqlx::query(&d).execute(&mut *tx).await?;
        sqlx::query(&p).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    // PostgreSQL in service has planner statistics (autovacuum analyzes); a fresh bulk load does
    // not until it is analyzed. SQLite never analyzes on its own, so it runs as loaded.
    if state.db.backend == app::plumbing::db::Backend::Postgres {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    let before_mb = peak_rss_mb();
    // The aggregate is timed three times (once before the draft, twice after) and the fastest
    // counts: the target is against the database's best, not a run slowed by the draft's
    // write-ahead log.
    let timed = |sql: &'static str| async move {
        let t = Instant::now();
        let rows = sqlx::query(sql).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((t.elapsed().as_secs_f64(), rows.len()))
    };
    let aggregate = || timed("SELECT promoter_id, CAST(SUM(amount_fen) AS BIGINT) FROM deals GROUP BY promoter_id");
    // The least any draft reads: each deal with its payments, by promoter. Nothing else the
    // draft needs (the customer's other deals, the engine, writing the statements) is in it.
    let with_payments = || {
        timed(
            "SELECT d.promoter_id, CAST(SUM(d.amount_fen) AS BIGINT), CAST(SUM(p.amount_fen) AS BIGINT) \
             FROM deals d LEFT JOIN payments p ON p.deal_id = d.id GROUP BY d.promoter_id",
        )
    };
    let (mut aggregate_s, aggregate_rows) = aggregate().await?;
    let mut with_payments_s = with_payments().await?.0;
    // The load queued every deal and payment for the ledger (its triggers); accruing them is
    // timed on its own, so the draft below reads a ledger that is up to date, as in service.
    let t = Instant::now();
    app::features::rewards::store::ledger::accrue_all(&state).await.map_err(|e| format!("accrual: {e}"))?;
    let accrual_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let run = draft::draft(&state, &app::plumbing::audit::Actor::system(), Scope::Employee, "2026-11")
        .await
        .map_err(|e| format!("draft: {e}"))?;
    let draft_s = t.elapsed().as_secs_f64();
    let statements: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM statements WHERE run_id = $1").bind(run).fetch_one(pool).await?;

    for _ in 0..2 {
        aggregate_s = aggregate_s.min(aggregate().await?.0);
        with_payments_s = with_payments_s.min(with_payments().await?.0);
    }
    let (db_read_s, db_write_s) = database_alone(&state, run).await?;
    // Reads spread over the cores; the lines are written in one transaction. No draft that
    // reads these facts and stores one row per line can take less than this.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let db_floor_s = db_write_s.max((db_read_s + db_write_s) / cores);

    println!("deals: {deals}");
    println!("promoters: {promoters}");
    println!("statements: {statements}");
    println!("aggregate_rows: {aggregate_rows}");
    println!("accrual_s: {accrual_s:.3}");
    println!("accrual_per_s: {:.0}", deals as f64 / accrual_s.max(1e-6));
    println!("draft_s: {draft_s:.3}");
    println!("aggregate_s: {aggregate_s:.3}");
    println!("ratio_vs_aggregate: {:.1}", draft_s / aggregate_s.max(1e-6));
    println!("deals_with_payments_s: {with_payments_s:.3}");
    println!("deals_with_payments_ratio_vs_aggregate: {:.1}", with_payments_s / aggregate_s.max(1e-6));
    println!("db_read_s: {db_read_s:.3}");
    println!("db_write_s: {db_write_s:.3}");
    println!("db_floor_s: {db_floor_s:.3}");
    println!("db_floor_ratio_vs_aggregate: {:.1}", db_floor_s / aggregate_s.max(1e-6));
    println!("rss_before_draft_mb: {before_mb:.0}");
    println!("peak_rss_mb: {:.0}", peak_rss_mb());
    pool.close().await;
    Ok(())
}

/// What the database alone takes, without the driver or the engine, for the draft's reads (the
/// same query per step of promoters, every column consumed inside the database) and for its
/// writes (the run's own statement lines inserted again from a copy, then rolled back; the
/// commit's fsync is left out, so this is the lower bound).
async fn database_alone(
    state: &app::plumbing::state::AppState,
    run: i64,
) -> Result<(f64, f64), Box<dyn std::error::Error + Send + Sync>> {
    let pool = &state.db.pool;
    let everyone = facts::promoters(pool).await.map_err(|e| format!("promoters: {e}"))?;
    let in_scope: Vec<i64> =
        everyone.iter().filter(|(_, p)| p.kind == PromoterKind::Employee).map(|(id, _)| *id).collect();
    let t = Instant::now();
    for step in in_scope.chunks(draft::PROMOTERS_PER_STEP) {
        sqlx::query(&format!(
            "SELECT COUNT(*), CAST(SUM(LENGTH(f.order_no) + LENGTH(f.customer_phone) + LENGTH(f.signed_on) + \
             LENGTH(COALESCE(f.due_on, '')) + LENGTH(f.audit) + LENGTH(COALESCE(f.paid_on, '')) + f.amount_fen + \
             COALESCE(f.cost_fen, 0) + f.promoter_id + COALESCE(f.sales_rep_id, 0) + COALESCE(f.campaign_id, 0) + \
             COALESCE(f.payment_id, 0) + COALESCE(f.deal_id, 0) + COALESCE(f.paid_fen, 0)) AS BIGINT) FROM ({}) f",
            facts::promoter_deals_sql(step)
        ))
        .fetch_one(pool)
        .await?;
    }
    let read_s = t.elapsed().as_secs_f64();

    use draft::LINE_COLUMNS as COLUMNS;
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "CREATE TEMPORARY TABLE line_copy AS SELECT {COLUMNS} FROM statement_lines \
         WHERE statement_id IN (SELECT id FROM statements WHERE run_id = {run})"
    ))
    .execute(&mut *tx)
    .await?;
    let t = Instant::now();
    sqlx::query(&format!("INSERT INTO statement_lines ({COLUMNS}) SELECT {COLUMNS} FROM line_copy"))
        .execute(&mut *tx)
        .await?;
    let write_s = t.elapsed().as_secs_f64();
    tx.rollback().await?;
    Ok((read_s, write_s))
}

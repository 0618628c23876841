//! `bench/run settlement`: accrues DEALS deals with payments for PROMOTERS promoters into the
//! reward ledger and drafts November's employee settlement from it; then accrues HISTORY
//! deals of October, drafts and approves October, and drafts November again while prospects
//! send referral forms, and approves it. On a fresh database (DATABASE_URL); the same database's
//! `SELECT promoter_id, SUM(amount_fen) … GROUP BY promoter_id` over November's rows is the yardstick.
//! Before each timed draft the database is settled as a month of service leaves it (`settle`).
//! Prints `key: value` figures; the verdict is bench/settlement.sh's.
#[path = "../bench_load.rs"]
mod bench_load;
use app::features::rewards::store::ledger;
use app::features::settlement::store::{draft, runs};
use app::features::settlement::Scope;
use bench_load::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The server's own allocator setting, then the benchmark.
fn main() -> Outcome {
    server::return_large_buffers_to_the_os();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> Outcome {
    // The draft's own log line (time reading, computing, writing) goes to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn,app::features::settlement=info"))
        .init();
    let deals = env("DEALS", 1_000_000);
    let history = env("HISTORY", 3_000_000);
    let promoters = env("PROMOTERS", 10_000);
    let (router, state) = build().await?;
    let pool = &state.db.pool;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_serving, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve::serve(listener, router, async {
        let _ = stopped.await;
    }));

    let times = env("REDRAFT", 0);
    if times > 0 {
        return redraft(&state, times).await;
    }
    let first_user = load_promoters(pool, promoters).await?;
    // The period drafted: November 2026, one on-time payment per deal.
    load_deals(pool, first_user, promoters, 0, deals, "2026-11").await?;
    // PostgreSQL in service has planner statistics (autovacuum analyzes); a fresh bulk load does
    // not until it is analyzed. SQLite never analyzes on its own, so it runs as loaded.
    if state.db.backend == app::plumbing::db::Backend::Postgres {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    // The load queued every deal and payment for the ledger (its triggers); accruing them is
    // timed on its own, so a draft reads a ledger that is up to date, as in service.
    reset_peak();
    let t = Instant::now();
    ledger::accrue_all(&state).await.map_err(|e| format!("accrual: {e}"))?;
    let accrual_s = t.elapsed().as_secs_f64();
    let accrual_peak_mb = peak_rss_mb();
    let mut settle_s = settle(&state).await?;
    // The aggregate is timed on the database each draft reads: here before the history (for
    // draft_without_history_s), and three times on the database of the measured draft (once
    // before it, twice after); the fastest of those three counts, the database's best, not a
    // run slowed by the draft's write-ahead log.
    let timed = |sql: &'static str| async move {
        let t = Instant::now();
        let rows = sqlx::query(sql).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((t.elapsed().as_secs_f64(), rows.len()))
    };
    let aggregate = || {
        timed("SELECT promoter_id, CAST(SUM(amount_fen) AS BIGINT) FROM deals WHERE signed_on >= '2026-11-01' GROUP BY promoter_id")
    };
    let (aggregate_without_history_s, _) = aggregate().await?;

    let system = app::plumbing::audit::Actor::system();
    let t = Instant::now();
    let run = draft::draft(&state, &system, Scope::Employee, "2026-11").await.map_err(|e| format!("draft: {e}"))?;
    let draft_alone_s = t.elapsed().as_secs_f64();
    // History: earlier deals, accrued, drafted and approved (settled), as years of service leave them.
    let mut history_accrual_s = 0.0;
    if history > 0 {
        load_deals(pool, first_user, promoters, deals, history, "2026-10").await?;
        if state.db.backend == app::plumbing::db::Backend::Postgres {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        let t = Instant::now();
        ledger::accrue_all(&state).await.map_err(|e| format!("accrual: {e}"))?;
        history_accrual_s = t.elapsed().as_secs_f64();
        let october =
            draft::draft(&state, &system, Scope::Employee, "2026-10").await.map_err(|e| format!("draft: {e}"))?;
        runs::approve(&state, &system, october).await.map_err(|e| format!("approve: {e}"))?;
        settle_s += settle(&state).await?;
    }
    // The same period drafted again, from nothing, with the history, while prospects send
    // referral forms (the first draft's run is removed, so the second does not also clear it).
    forget_run(pool, run).await?;
    let (mut aggregate_s, aggregate_rows) = aggregate().await?;
    let sending = Arc::new(AtomicBool::new(true));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let forms: Vec<_> =
        (0..4).map(|n| tokio::spawn(send_forms(client.clone(), base.clone(), n, sending.clone()))).collect();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let process_peak_mb = peak_rss_mb();
    reset_peak();
    let before_mb = peak_rss_mb();
    let t = Instant::now();
    let again = draft::draft(&state, &system, Scope::Employee, "2026-11").await.map_err(|e| format!("draft: {e}"))?;
    let draft_s = t.elapsed().as_secs_f64();
    let draft_peak_mb = peak_rss_mb();
    reset_peak();
    // Then approved, as finance does next: its statement lines are written then.
    let approving = Instant::now();
    if env("APPROVE", 1) == 1 {
        runs::approve(&state, &system, again).await.map_err(|e| format!("approve: {e}"))?;
    }
    let approve_s = approving.elapsed().as_secs_f64();
    sending.store(false, Ordering::Relaxed);
    let (mut during_draft, mut during_approval) = (Vec::new(), Vec::new());
    let mut acknowledged = 0;
    for f in forms {
        let (sent, ok) = f.await?;
        for (at, ms) in sent {
            if at < approving {
                during_draft.push(ms);
            } else {
                during_approval.push(ms);
            }
        }
        acknowledged += ok;
    }
    // p99 and the slowest: four senders wait one form each through a long stall, which p99 hides.
    let p99 = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let at = |q: usize| v.get((v.len() * q / 100).min(v.len().saturating_sub(1))).copied().unwrap_or(0.0);
        (v.len(), at(99), at(100))
    };
    let (sent_during_draft, p99_draft, max_draft) = p99(during_draft);
    let (sent_during_approval, p99_approval, max_approval) = p99(during_approval);
    let lines: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statement_lines sl JOIN statements s ON s.id = sl.statement_id WHERE s.run_id = $1",
    )
    .bind(again)
    .fetch_one(pool)
    .await?;
    server::flush(&state).await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE name = 'bench'").fetch_one(pool).await?;
    let statements: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM statements WHERE run_id = $1").bind(again).fetch_one(pool).await?;

    for _ in 0..2 {
        aggregate_s = aggregate_s.min(aggregate().await?.0);
    }
    println!("deals: {deals}");
    println!("history_deals: {history}");
    println!("promoters: {promoters}");
    println!("statements: {statements}");
    println!("aggregate_rows: {aggregate_rows}");
    println!("accrual_s: {accrual_s:.3}");
    println!("accrual_per_s: {:.0}", deals as f64 / accrual_s.max(1e-6));
    println!("history_accrual_s: {history_accrual_s:.3}");
    println!("settle_s: {settle_s:.3}");
    println!("draft_without_history_s: {draft_alone_s:.3}");
    println!("draft_s: {draft_s:.3}");
    println!("aggregate_s: {aggregate_s:.3}");
    println!("ratio_vs_aggregate: {:.2}", draft_s / aggregate_s.max(1e-6));
    // For comparison, not a target: the same GROUP BY before the history was loaded.
    println!("aggregate_without_history_s: {aggregate_without_history_s:.3}");
    println!("ratio_vs_aggregate_without_history: {:.2}", draft_s / aggregate_without_history_s.max(1e-6));
    println!("history_ratio: {:.2}", draft_s / draft_alone_s.max(1e-6));
    println!("peak_rss_accrual_mb: {accrual_peak_mb:.0}");
    println!("peak_rss_before_draft_mb: {process_peak_mb:.0}");
    println!("rss_before_draft_mb: {before_mb:.0}");
    println!("peak_rss_mb: {draft_peak_mb:.0}");
    println!("peak_rss_approval_mb: {:.0}", peak_rss_mb());
    println!("leads_during_draft: {sent_during_draft}");
    println!("lead_p99_during_draft_ms: {p99_draft:.1}");
    println!("lead_max_during_draft_ms: {max_draft:.1}");
    println!("approved_lines: {lines}");
    println!("approve_s: {approve_s:.3}");
    println!("leads_during_approval: {sent_during_approval}");
    println!("lead_p99_during_approval_ms: {p99_approval:.1}");
    println!("lead_max_during_approval_ms: {max_approval:.1}");
    println!("lost: {}", (acknowledged - stored).max(0));
    let _ = stop_serving.send(());
    let _ = serving.await;
    pool.close().await;
    Ok(())
}

/// Removes a drafted run and its hold, so the period is drafted again from nothing.
async fn forget_run(pool: &sqlx::AnyPool, run: i64) -> Result<(), sqlx::Error> {
    let read: Option<i64> =
        sqlx::query_scalar("SELECT ledger_read FROM settlement_runs WHERE id = $1").bind(run).fetch_one(pool).await?;
    for sql in [
        "DELETE FROM statement_lines WHERE statement_id IN (SELECT id FROM statements WHERE run_id = $1)",
        "DELETE FROM statements WHERE run_id = $1",
        "DELETE FROM settlement_runs WHERE id = $1",
    ] {
        sqlx::query(sql).bind(run).execute(pool).await?;
    }
    for sql in ["DELETE FROM ledger_kept WHERE read_id = $1", "DELETE FROM ledger_reads WHERE id = $1"] {
        sqlx::query(sql).bind(read).execute(pool).await?;
    }
    Ok(())
}

/// `REDRAFT=N` on a database an earlier run left (with `APPROVE=0`): November's draft is
/// removed and timed again N times beside the aggregate, for trying a change to the draft
/// without loading millions of deals each time.
async fn redraft(state: &app::plumbing::state::AppState, times: i64) -> Outcome {
    let pool = &state.db.pool;
    let system = app::plumbing::audit::Actor::system();
    for _ in 0..times {
        let run: Option<i64> =
            sqlx::query_scalar("SELECT id FROM settlement_runs WHERE period = '2026-11' AND status = 'draft'")
                .fetch_optional(pool)
                .await?;
        if let Some(run) = run {
            forget_run(pool, run).await?;
        }
        let settle_s = settle(state).await?;
        let t = Instant::now();
        sqlx::query("SELECT promoter_id, CAST(SUM(amount_fen) AS BIGINT) FROM deals WHERE signed_on >= '2026-11-01' GROUP BY promoter_id")
            .fetch_all(pool)
            .await?;
        let aggregate_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        draft::draft(state, &system, Scope::Employee, "2026-11").await.map_err(|e| format!("draft: {e}"))?;
        let draft_s = t.elapsed().as_secs_f64();
        println!(
            "settle_s: {settle_s:.3} aggregate_s: {aggregate_s:.3} draft_s: {draft_s:.3} ratio: {:.2}",
            draft_s / aggregate_s
        );
    }
    Ok(())
}

/// What a month of service does to the database between a load and a period's draft, done at
/// once before each draft is timed, and timed itself: on SQLite the write-ahead log is
/// checkpointed into the database (the auto-checkpoint does it as writes go on), on PostgreSQL
/// the tables are vacuumed and analyzed (autovacuum does). Without it the measured draft reads
/// through the log of the load, or of the approval made seconds before, and visits every heap
/// row PostgreSQL has not yet marked visible.
async fn settle(state: &app::plumbing::state::AppState) -> Result<f64, sqlx::Error> {
    let t = Instant::now();
    let sql = match state.db.backend {
        app::plumbing::db::Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        app::plumbing::db::Backend::Postgres => "VACUUM ANALYZE",
    };
    sqlx::query(sql).persistent(false).execute(&state.db.pool).await?;
    Ok(t.elapsed().as_secs_f64())
}

/// A prospect's referral forms, one after another with a pause, until told to stop: each
/// one's start and time to the answer (ms), and how many were acknowledged (303).
async fn send_forms(
    client: reqwest::Client,
    base: String,
    n: i64,
    sending: Arc<AtomicBool>,
) -> (Vec<(Instant, f64)>, i64) {
    let (mut ms, mut ok, mut i) = (Vec::new(), 0, 0);
    while sending.load(Ordering::Relaxed) {
        i += 1;
        let phone = format!("13{}{i:08}", 5 + n);
        let form = [("name", "bench"), ("consent", "1"), ("demand_tags", "刚需装修"), ("phone", phone.as_str())];
        let t = Instant::now();
        let res = client.post(format!("{base}/c/winter-home/lead")).form(&form).send().await;
        ms.push((t, t.elapsed().as_secs_f64() * 1000.0));
        if res.is_ok_and(|r| r.status() == reqwest::StatusCode::SEE_OTHER) {
            ok += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    (ms, ok)
}

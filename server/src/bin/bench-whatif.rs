//! `bench/run whatif`: loads DEALS deals with payments in the third quarter of 2026 for
//! PROMOTERS promoters, on a fresh database (DATABASE_URL), and replays the quarter under a
//! draft of employees' rule (3% instead of 2%) as marketing's what-if does, once the ledger has
//! taken the deals in (timed apart, as in service it does so as they arrive). The yardstick is
//! the same database joining the quarter's payments with their deals, every row fetched
//! (fastest of three). Prints `key: value` figures; the verdict is bench/whatif.sh's.
#[path = "../bench_load.rs"]
mod bench_load;
use app::features::rewards::engine::RuleSpec;
use app::features::rewards::store::{ledger, replay, rules};
use app::shared::period::Period;
use bench_load::*;
use futures_util::TryStreamExt;
use std::time::Instant;

fn main() -> Outcome {
    server::return_large_buffers_to_the_os();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> Outcome {
    let deals = env("DEALS", 1_000_000);
    let promoters = env("PROMOTERS", 10_000);
    let (_router, state) = build().await?;
    let pool = &state.db.pool;
    // BENCH_REUSE=1 replays a database an earlier run loaded and accrued (its load takes minutes
    // on PostgreSQL): for profiling the replay, not for the figures of record.
    let loaded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deals").fetch_one(pool).await?;
    let reuse = std::env::var("BENCH_REUSE").is_ok_and(|v| v == "1") && loaded >= deals;
    let load = Instant::now();
    if !reuse {
        let first_user = load_promoters(pool, promoters).await?;
        for (n, month) in ["2026-07", "2026-08", "2026-09"].iter().enumerate() {
            let n = n as i64;
            load_deals(pool, first_user, promoters, deals * n / 3, deals * (n + 1) / 3 - deals * n / 3, month).await?;
        }
    }
    let load_s = load.elapsed().as_secs_f64();
    // PostgreSQL in service has planner statistics (autovacuum analyzes); a fresh bulk load does
    // not until it is analyzed, and without them each customer's read of the accrual took
    // 0.1 s (about 280 facts a second instead of thousands).
    if state.db.backend == app::plumbing::db::Backend::Postgres && !reuse {
        sqlx::query("ANALYZE").persistent(false).execute(pool).await?;
    }
    // In service the ledger takes facts in as they arrive: the replay reads it up to date.
    let accrual = Instant::now();
    ledger::accrue_all(&state).await.map_err(|e| format!("accrual: {e}"))?;
    let accrual_s = accrual.elapsed().as_secs_f64();
    let settle = match state.db.backend {
        _ if reuse => "SELECT 1",
        app::plumbing::db::Backend::Postgres => "VACUUM ANALYZE",
        _ => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    sqlx::query(settle).persistent(false).execute(pool).await?;

    let quarter = Period::Quarter { year: 2026, quarter: 3 };
    let (first, last) = quarter.dates();
    let join = "SELECT d.id, d.order_no, d.customer_phone, d.promoter_id, d.sales_rep_id, d.service_id, d.campaign_id, \
        d.amount_fen, d.cost_fen, d.signed_on, d.due_on, d.audit, d.staff_booking, p.id AS payment_id, p.paid_on, \
        p.amount_fen AS paid_fen FROM payments p JOIN deals d ON d.id = p.deal_id WHERE p.paid_on >= $1 AND p.paid_on <= $2";
    let mut join_s = f64::MAX;
    let mut joined = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let mut rows = sqlx::query(join).bind(first.to_string()).bind(last.to_string()).fetch(pool);
        joined = 0;
        while rows.try_next().await?.is_some() {
            joined += 1;
        }
        join_s = join_s.min(t.elapsed().as_secs_f64());
    }

    let mut draft = rules::rules(pool).await?.into_iter().find(|r| r.id == 1).ok_or("no rule 1")?;
    draft.spec = serde_json::from_str::<RuleSpec>(r#"{"PercentOfDeal": {"rate": "0.03"}}"#)?;
    reset_peak();
    let before_mb = peak_rss_mb();
    let t = Instant::now();
    let w = replay::what_if(&state, &draft, quarter).await.map_err(|e| format!("what-if: {e}"))?;
    let whatif_s = t.elapsed().as_secs_f64();
    let peak_mb = peak_rss_mb();
    println!("deals: {deals}");
    println!("promoters: {promoters}");
    println!("load_s: {load_s:.1}");
    println!("accrual_s: {accrual_s:.1}");
    println!("joined_rows: {joined}");
    println!("before_fen: {}", w.before_fen);
    println!("after_fen: {}", w.after_fen);
    println!("promoters_changed: {}", w.promoters_changed);
    println!("whatif_s: {whatif_s:.3}");
    println!("deals_with_payments_s: {join_s:.3}");
    println!("ratio: {:.2}", whatif_s / join_s.max(1e-6));
    println!("rss_before_mb: {before_mb:.0}");
    println!("peak_rss_mb: {peak_mb:.0}");
    pool.close().await;
    Ok(())
}

//! Background jobs: the first-contact deadline check, the scheduled settlement drafts, the
//! reward ledger's accrual and the notices of rewards that vested after a hold.
use app::plumbing::state::AppState;
use std::time::Duration;

pub fn spawn(state: &AppState, scheduled_drafts: bool) {
    spawn_overdue_check(state.clone());
    if scheduled_drafts {
        spawn_settlement_schedule(state.clone());
    }
    spawn_accrual(state.clone());
    spawn_vesting_notices(state.clone());
}

/// Tells promoters, every minute, of deal rewards whose audit hold or holding period ended.
pub fn spawn_vesting_notices(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            match app::features::rewards::store::vesting::announce_vested(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(told = n, "rewards vested"),
                Err(e) if !state.db.pool.is_closed() => {
                    tracing::warn!(error = ?e, "vesting notices failed; will retry")
                }
                Err(_) => {}
            }
        }
    })
}

/// Accrues queued facts into the reward ledger as they arrive (they are queued in the facts'
/// own transactions, so whatever is queued when the server stops is taken up when it starts).
pub fn spawn_accrual(state: AppState) -> tokio::task::JoinHandle<()> {
    use app::features::rewards::store::ledger;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !state.db.pool.is_closed() {
            tick.tick().await;
            // A read first: an idle server does not take the writer ten times a second.
            let queued: Result<Option<i64>, _> =
                sqlx::query_scalar("SELECT id FROM accruals LIMIT 1").fetch_optional(&state.db.pool).await;
            if !matches!(queued, Ok(Some(_))) {
                continue;
            }
            loop {
                match ledger::accrue_pending(&state, ledger::BATCH).await {
                    Ok(n) if n as i64 == ledger::BATCH => continue,
                    Ok(_) => break,
                    Err(e) if !state.db.pool.is_closed() => {
                        tracing::warn!(error = ?e, "accrual failed; will retry");
                        break;
                    }
                    Err(_) => break,
                }
            }
        }
    })
}

/// Checks the first-contact deadline every minute until the pool closes.
pub fn spawn_overdue_check(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            match app::features::leads::store::follow_up::flag_overdue(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(flagged = n, "leads past the first-contact deadline"),
                Err(e) if !state.db.pool.is_closed() => tracing::warn!(error = ?e, "overdue check failed; will retry"),
                Err(_) => {}
            }
        }
    })
}

/// Drafts the settlement runs that are due (from the 5th, for the previous month; partners
/// quarterly), checking every hour.
pub fn spawn_settlement_schedule(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            match app::features::settlement::store::draft::draft_due(&state).await {
                Ok(runs) if runs.is_empty() => {}
                Ok(runs) => tracing::info!(?runs, "settlement runs drafted"),
                Err(e) if !state.db.pool.is_closed() => {
                    tracing::warn!(error = ?e, "scheduled settlement draft failed; will retry")
                }
                Err(_) => {}
            }
        }
    })
}

//! Background jobs: the first-contact deadline check and the scheduled settlement drafts.
use app::plumbing::state::AppState;
use std::time::Duration;

pub fn spawn(state: &AppState) {
    spawn_overdue_check(state.clone());
    spawn_settlement_schedule(state.clone());
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

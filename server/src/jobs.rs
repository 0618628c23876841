//! Background jobs: the first-contact deadline check, the scheduled settlement drafts, the
//! reward ledger's accrual, the notices of rewards that vested after a hold, and housekeeping.
use app::plumbing::state::AppState;
use std::time::Duration;

pub fn spawn(state: &AppState, scheduled_drafts: bool) {
    spawn_overdue_check(state.clone());
    if scheduled_drafts {
        spawn_settlement_schedule(state.clone());
    }
    spawn_accrual(state.clone());
    spawn_vesting_notices(state.clone());
    spawn_housekeeping(state.clone());
    spawn_api_hits(state.clone());
    spawn_metrics_upkeep(state.clone());
}

/// Folds the metrics' histogram samples every five seconds, scraped or not.
pub fn spawn_metrics_upkeep(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            app::plumbing::metrics::upkeep();
        }
    })
}

/// Writes the API keys' hits every second (their limits are shared by every instance).
pub fn spawn_api_hits(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            if let Err(e) = app::plumbing::api_keys::flush_hits(&state).await {
                if !state.db.pool.is_closed() {
                    tracing::warn!(error = %e, "API key hits not written; will retry");
                }
            }
        }
    })
}

/// Hourly: forgets idempotency keys older than a day and webhook deliveries finished more than
/// 30 days ago; reminds members of scorecards they have not acknowledged in time, and coaching
/// items' owners once a week while no progress is recorded.
pub fn spawn_housekeeping(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            let done = async {
                let keys = app::plumbing::idempotency::forget_expired(&state).await?;
                let (_turn, mut tx) = state.db.begin_write().await?;
                let deliveries = app::plumbing::webhooks::forget_old(&mut tx).await?;
                tx.commit().await?;
                drop(_turn);
                let reminded = app::features::scorecards::store::scoring::remind(&state).await?;
                let today = app::features::scorecards::store::cards::today(&state.org);
                let coaching = app::features::scorecards::store::coaching::remind_weekly(&state, today).await?;
                if reminded + coaching > 0 {
                    tracing::info!(reminded, coaching, "reminded members of scorecards and coaching items");
                }
                Ok::<_, app::plumbing::errors::AppError>((keys, deliveries))
            };
            match done.await {
                Ok((0, 0)) => {}
                Ok((keys, deliveries)) => {
                    tracing::info!(keys, deliveries, "forgot expired idempotency keys and old deliveries")
                }
                Err(e) if !state.db.pool.is_closed() => tracing::warn!(error = ?e, "housekeeping failed; will retry"),
                Err(_) => {}
            }
        }
    })
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

//! Rewards (PRODUCT.md §3): the reward rules as versioned data, the pure engine that turns
//! rules and facts into reward lines, rewards vesting as payments arrive, and code redemption
//! with the first-order benefit. Uses campaigns, promotion, leads and deals.
pub mod editor;
pub mod engine;
pub mod i18n;
pub mod model;
pub mod proposals;
pub mod redeem;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod whatif;

pub use model::*;

/// The ledger's figures for `/metrics`: how long the oldest fact has waited to be taken in.
#[cfg(feature = "ssr")]
pub fn gauges() -> crate::plumbing::metrics::Gauges {
    std::sync::Arc::new(|state| {
        Box::pin(async move {
            let oldest: Result<Option<i64>, sqlx::Error> =
                sqlx::query_scalar("SELECT MIN(queued_at) FROM accruals").fetch_one(&state.db.pool).await;
            let lag = match oldest {
                Ok(t) => t.map(|t| (crate::plumbing::state::now_ms() - t).max(0) as f64 / 1000.0).unwrap_or(0.0),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: accrual lag not read");
                    return Vec::new();
                }
            };
            vec![("accrual_lag_seconds", lag)]
        })
    })
}

/// The hook deals call once money arrives on a deal: the ledger takes it in (so the payer's
/// next read sees it), rewards vest and the promoters hear of it.
#[cfg(feature = "ssr")]
pub fn on_paid() -> crate::features::deals::PaidHook {
    std::sync::Arc::new(|state, deal_id| {
        Box::pin(async move {
            store::ledger::accrue_all(&state).await?;
            store::vesting::notify_vested(&state, deal_id).await
        })
    })
}

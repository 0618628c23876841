//! Rewards (PRODUCT.md §3): the reward rules as versioned data, the pure engine that turns
//! rules and facts into reward lines, rewards vesting as payments arrive, and code redemption
//! with the first-order benefit. Uses campaigns, promotion, leads and deals.
pub mod engine;
pub mod i18n;
pub mod model;
pub mod redeem;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use model::*;

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

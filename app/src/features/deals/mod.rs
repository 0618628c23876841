//! Deals (PRODUCT.md §4): deals recorded from won leads, typed in, imported or pushed by an
//! order system; payments and refunds; referral codes and coupons; the call-back audit sample.
//! Uses campaigns, promotion and leads.
#[cfg(feature = "ssr")]
pub mod api;
pub mod coupons;
pub mod i18n;
pub mod model;
pub mod records;
#[cfg(feature = "ssr")]
pub mod store;

pub use model::*;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use crate::plumbing::errors::AppError;
    use crate::plumbing::state::AppState;
    use futures_util::future::BoxFuture;
    use std::sync::Arc;

    /// Called once money is received on a deal (a payment, or a new deal with its first
    /// payment). Later features hook in here (rewards vest) without deals knowing them.
    pub type PaidHook = Arc<dyn Fn(AppState, i64) -> BoxFuture<'static, Result<(), AppError>> + Send + Sync>;

    /// Deals' part of the state.
    #[derive(Clone, Default)]
    pub struct Part {
        on_paid: Vec<PaidHook>,
        /// The order systems' pushes, group-committed (none: each in its own transaction).
        pub pushes: Option<crate::plumbing::group_commit::GroupCommit<super::store::import::Push>>,
    }

    impl Part {
        pub fn pushes(
            mut self,
            writer: crate::plumbing::group_commit::GroupCommit<super::store::import::Push>,
        ) -> Self {
            self.pushes = Some(writer);
            self
        }

        pub fn on_paid(mut self, hook: PaidHook) -> Self {
            self.on_paid.push(hook);
            self
        }
    }

    /// Money was received on `deal_id`: runs the hooks in order.
    pub async fn paid(state: &AppState, deal_id: i64) -> Result<(), AppError> {
        for hook in &state.part::<Part>()?.on_paid {
            hook(state.clone(), deal_id).await?;
        }
        Ok(())
    }
}

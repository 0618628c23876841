//! Dashboards (PRODUCT.md §6): marketing's live dashboard with every figure and its cuts and
//! CSV exports, the hero board, department targets, and the promoter's own numbers. Reads
//! every feature before it.
pub mod board;
pub mod charts;
pub mod heroes;
pub mod i18n;
pub mod live;
pub mod model;
pub mod my_numbers;
pub mod recount;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod targets;

pub use model::*;

#[cfg(feature = "ssr")]
mod server {
    use super::store::figures::Slice;
    use super::Dashboard;
    use crate::plumbing::cache::TtlCache;
    use crate::plumbing::errors::AppError;
    use crate::plumbing::state::AppState;
    use std::sync::Arc;
    use std::time::Duration;

    /// The dashboard's part of the state: loads shared between everyone watching the same slice.
    #[derive(Clone)]
    pub struct Part {
        /// By slice and the live stream's latest event: a burst of events makes every open
        /// dashboard reload at once, and one of them computes what all of them are shown. The
        /// time to live bounds what changes without an event (the response window).
        loads: Arc<TtlCache<(String, u64), Arc<Dashboard>>>,
    }

    impl Default for Part {
        fn default() -> Self {
            Part { loads: Arc::new(TtlCache::new(Duration::from_secs(2), 256)) }
        }
    }

    /// The dashboard of a slice, computed once per slice and event.
    pub async fn dashboard(state: &AppState, slice: &Slice) -> Result<Arc<Dashboard>, AppError> {
        let load = async { super::store::counters::dashboard(&state.db.pool, &state.org, slice).await.map(Arc::new) };
        match state.part::<Part>() {
            Ok(part) => part.loads.get_or_load(&(format!("{slice:?}"), state.events.latest()), load).await,
            Err(_) => load.await,
        }
    }
}
#[cfg(feature = "ssr")]
pub use server::*;

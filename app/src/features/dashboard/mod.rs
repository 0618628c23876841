//! Dashboards (PRODUCT.md §6): marketing's live dashboard with every figure and its cuts and
//! CSV exports, the hero board, department targets, and the promoter's own numbers. Reads
//! every feature before it.
#[cfg(feature = "ssr")]
pub mod api;
pub mod board;
pub mod charts;
pub mod heroes;
pub mod i18n;
pub mod live;
pub mod model;
pub mod my_numbers;
pub mod participation;
pub mod patch;
#[cfg(feature = "ssr")]
pub mod push;
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
    use crate::plumbing::errors::AppError;
    use crate::plumbing::state::AppState;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A slice's last computed dashboard: the live stream's latest event when it began, when.
    type Computed = Option<(u64, Instant, Arc<Dashboard>)>;

    /// The dashboard's part of the state: loads shared between everyone watching the same slice.
    #[derive(Clone)]
    pub struct Part {
        slices: Arc<quick_cache::sync::Cache<String, Arc<tokio::sync::Mutex<Computed>>>>,
        /// The live figures of the slices open dashboards show.
        pub live: super::push::Hub,
        /// What changes without an event (the first-contact window running out) shows within
        /// this; 0 computes every load (`bench/run dashboard` measures a load's own cost).
        fresh: Duration,
    }

    impl Part {
        pub fn fresh_for(self, fresh: Duration) -> Part {
            Part { fresh, ..self }
        }
    }

    impl Default for Part {
        fn default() -> Self {
            Part {
                slices: Arc::new(quick_cache::sync::Cache::new(256)),
                live: Default::default(),
                fresh: Duration::from_secs(2),
            }
        }
    }

    /// The dashboard of a slice showing every event published before the call. One computation
    /// per slice at a time (its lock queues the rest in order): a burst of events and a thousand
    /// open dashboards reloading make one computation after another, each answering everyone
    /// who asked before it began.
    pub async fn dashboard(state: &AppState, slice: &Slice) -> Result<Arc<Dashboard>, AppError> {
        let load =
            || async { super::store::counters::dashboard(&state.db.pool, &state.org, slice).await.map(Arc::new) };
        let Ok(part) = state.part::<Part>() else { return load().await };
        let asked = state.events.latest();
        let slot = part
            .slices
            .get_or_insert_with(&format!("{slice:?}"), || Ok::<_, std::convert::Infallible>(Default::default()))
            .unwrap_or_default();
        let mut computed = slot.lock().await;
        if let Some((seen, at, d)) = &*computed {
            if *seen >= asked && at.elapsed() < part.fresh {
                return Ok(d.clone());
            }
        }
        let seen = state.events.latest();
        let d = load().await?;
        *computed = Some((seen, Instant::now(), d.clone()));
        Ok(d)
    }
}
#[cfg(feature = "ssr")]
pub use server::*;

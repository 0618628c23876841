//! Promotion (PRODUCT.md §1–2): personal links and their QR codes, clicks, shares, the share
//! poster, and "my promotion" where promoters find all of it. Uses campaigns.
pub mod i18n;
pub mod model;
pub mod my_promotion;
pub mod poster;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod share_items;
#[cfg(feature = "ssr")]
pub mod store;
pub mod stories;

pub use model::*;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::store::clicks::{ClickWriter, CountHook};
    use super::store::links::{self, LinkTarget};
    use crate::plumbing::cache::TtlCache;
    use crate::plumbing::errors::AppError;
    use crate::plumbing::state::AppState;
    use std::sync::Arc;
    use std::time::Duration;

    /// Promotion's part of the state: the link lookup of the redirect, and the click writer.
    #[derive(Clone)]
    pub struct Part {
        links: Arc<TtlCache<String, Option<Arc<LinkTarget>>>>,
        /// Clicks, stored in batches behind the redirect.
        pub clicks: ClickWriter,
        /// Called with each batch's counts in the clicks' own transaction: later features
        /// (the dashboard's counters) count clicks here without promotion knowing them.
        pub(crate) on_stored: Vec<CountHook>,
    }

    impl Part {
        pub fn new(clicks: ClickWriter) -> Self {
            Part { links: Arc::new(TtlCache::new(Duration::from_secs(30), 100_000)), clicks, on_stored: Vec::new() }
        }

        pub fn counted_by(mut self, hook: CountHook) -> Self {
            self.on_stored.push(hook);
            self
        }
    }

    pub fn part(state: &AppState) -> Result<&Part, AppError> {
        state.part::<Part>()
    }

    /// What a personal-link code points at (cached; unknown codes too).
    pub async fn link(state: &AppState, code: &str) -> Result<Option<Arc<LinkTarget>>, AppError> {
        let load = async { Ok(links::resolve_code(&state.db.pool, code).await?.map(Arc::new)) };
        part(state)?.links.get_or_load(code, load).await
    }
}

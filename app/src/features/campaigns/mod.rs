//! Campaigns (PRODUCT.md §1, §5): marketing's campaigns with their period, pilot scope and
//! boost windows; the content library; the compliance word lists every publication is checked
//! against; uploaded images. First in the chain: it uses no other feature.
pub mod compliance;
pub mod content;
pub mod i18n;
pub mod manage;
pub mod media;
pub mod model;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;

pub use model::*;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::store::campaigns::{self, Campaign};
    use crate::plumbing::cache::TtlCache;
    use crate::plumbing::errors::AppError;
    use crate::plumbing::state::AppState;
    use std::sync::Arc;
    use std::time::Duration;

    /// The campaigns' part of the state: the lookups of the referral form and the redirect.
    #[derive(Clone)]
    pub struct Part {
        by_slug: Arc<TtlCache<String, Option<Arc<Campaign>>>>,
        slugs: Arc<TtlCache<i64, Option<Arc<str>>>>,
    }

    impl Default for Part {
        fn default() -> Self {
            Part {
                by_slug: Arc::new(TtlCache::new(Duration::from_secs(5), 1_000)),
                slugs: Arc::new(TtlCache::new(Duration::from_secs(30), 10_000)),
            }
        }
    }

    impl Part {
        /// After a campaign changed: its slug, period or scope may differ now.
        pub fn campaign_changed(&self) {
            self.by_slug.clear();
            self.slugs.clear();
        }
    }

    pub fn part(state: &AppState) -> Result<&Part, AppError> {
        state.part::<Part>()
    }

    /// The campaign behind a slug (cached a few seconds).
    pub async fn by_slug(state: &AppState, slug: &str) -> Result<Option<Arc<Campaign>>, AppError> {
        let load = async { Ok(campaigns::by_slug(&state.db.pool, slug).await?.map(Arc::new)) };
        part(state)?.by_slug.get_or_load(slug, load).await
    }

    /// A campaign's slug by id (cached), for the redirect of a personal link.
    pub async fn slug(state: &AppState, id: i64) -> Result<Option<Arc<str>>, AppError> {
        let load = async { Ok(campaigns::slug_of(&state.db.pool, id).await?.map(Arc::from)) };
        part(state)?.slugs.get_or_load(&id, load).await
    }
}

//! Leads (PRODUCT.md §2): the prospect's landing page and referral form, screening,
//! marketing's review and list, assignment to sales reps, the reps' follow-up, the blacklist,
//! the lead policy, and the promoter's own leads. Uses campaigns and promotion.
#[cfg(feature = "ssr")]
pub mod api;
pub mod follow_up;
pub mod i18n;
pub mod landing;
pub mod lead_settings;
pub mod list;
pub mod model;
pub mod my_leads;
pub mod review;
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
    use super::store::intake::Submission;
    use super::store::policy::{Policy, PolicyCache};
    use crate::plumbing::errors::AppError;
    use crate::plumbing::group_commit::GroupCommit;
    use crate::plumbing::state::AppState;
    use std::sync::Arc;

    /// Default submissions a minute from one IP above which the form answers 429 (far above
    /// human speed).
    pub const BURST_PER_MINUTE: i64 = 60;

    /// Leads' part of the state.
    #[derive(Clone)]
    pub struct Part {
        /// Referral-form submissions, screened and stored in group commits.
        pub writer: GroupCommit<Submission>,
        /// The lead policy (protection window, daily cap, business calendar).
        pub policy: Arc<PolicyCache>,
        /// Submissions a minute from one IP before 429.
        pub burst_per_minute: i64,
    }

    pub fn part(state: &AppState) -> Result<&Part, AppError> {
        state.part::<Part>()
    }

    /// The lead policy in force (re-read every few seconds, so all instances follow a change).
    pub async fn policy(state: &AppState) -> Arc<Policy> {
        match part(state) {
            Ok(p) => p.policy.get(&state.db.pool).await,
            Err(_) => Arc::new(Policy::default()),
        }
    }
}

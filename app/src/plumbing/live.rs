//! The live stream's wire types (`GET /live`, server-sent events); the fan-out is `events`.
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// What a live event is about.
    pub enum LiveKind("live event kind") {
        Click = "click",
        Share = "share",
        Lead = "lead",
        LeadStatus = "lead_status",
        Deal = "deal",
        Payment = "payment",
        Reward = "reward",
        /// Events may have been missed: reload the figures.
        Reset = "reset",
    }
}

/// One event of the live stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub kind: LiveKind,
    pub campaign_id: Option<i64>,
    pub promoter_id: Option<i64>,
    /// How many facts the event stands for (a batch of clicks is one event).
    pub count: i64,
    /// When it happened, microseconds since the epoch.
    pub at_us: i64,
}

//! The outbox's closed sets, which admins see on the wire too.

crate::closed_set! {
    /// What a message is.
    pub enum MessageKind("message kind") {
        /// 感谢参与短信 to a prospect.
        ThankYou = "thank_you",
        LeadAssigned = "lead_assigned",
        LeadOverdue = "lead_overdue",
        RewardVested = "reward_vested",
        RewardPaid = "reward_paid",
        /// To marketing: a campaign's thank-you messages reached today's budget.
        BudgetReached = "budget_reached",
        /// A one-time code that proves a phone is the sender's.
        PhoneCode = "phone_code",
        /// To admin: a webhook endpoint failed for three days and was disabled.
        WebhookDisabled = "webhook_disabled",
        /// To a member: their scorecard is scored, to acknowledge within a week.
        ScorecardFeedback = "scorecard_feedback",
        /// To a member who did not acknowledge their scorecard in time.
        ScorecardReminder = "scorecard_reminder",
        /// To a coaching item's owner: no progress recorded this week.
        CoachingReminder = "coaching_reminder",
    }
}

crate::closed_set! {
    /// Where a message stands.
    pub enum MessageStatus("message status") {
        Queued = "queued",
        Sent = "sent",
        /// Given up after `MAX_ATTEMPTS`.
        Failed = "failed",
    }
}

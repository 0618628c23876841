//! What crosses the wire for reward rules.
use super::engine::{PromoterKind, RuleSpec};
use crate::features::rewards::i18n::K;
use crate::plumbing::i18n::C;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of the rules form.
    pub enum Field {
        /// The rule as JSON.
        Rule => "spec", K::RuleLabel;
        StartsOn => "starts_on", C::StartsOnLabel;
        /// Why a version is published.
        Note => "note", K::PublishNoteLabel;
        /// The past period a draft is replayed on.
        Period => "period", C::PeriodLabel;
        Name => "name", K::RuleName;
        /// Orders within N months of the first count (empty: the first order only).
        Months => "months", K::MonthsLabel;
        Rate => "rate", K::RateLabel;
        LaterRate => "later_rate", K::LaterRateLabel;
        Amount => "amount", K::AmountLabel;
        Threshold => "threshold", K::ThresholdLabel;
        Bands => "bands", K::BandsLabel;
        Tiers => "tiers", K::TiersLabel;
        Steps => "steps", K::StepsLabel;
        LaterStep => "later_step", K::LaterStepLabel;
        FirstOrderShares => "first_order_shares", K::FirstOrderSharesLabel;
        RepeatShares => "repeat_shares", K::RepeatSharesLabel;
        Event => "event", K::EventLabel;
        Metric => "metric", K::MetricLabel;
        /// The rate paid one level above the referrer.
        Upline => "upline", K::UplineLabel;
    }
}

/// A promoter kind in words.
pub fn promoter_kind_label(k: PromoterKind) -> K {
    match k {
        PromoterKind::Employee => K::KindEmployee,
        PromoterKind::Customer => K::KindCustomer,
        PromoterKind::Partner => K::KindPartner,
    }
}

impl RuleKind {
    pub fn label(self) -> K {
        match self {
            RuleKind::PercentOfDeal => K::KindPercentOfDeal,
            RuleKind::PercentBand => K::KindPercentBand,
            RuleKind::MarginalTiers => K::KindMarginalTiers,
            RuleKind::FlatPerEvent => K::KindFlatPerEvent,
            RuleKind::ActivityTarget => K::KindActivityTarget,
            RuleKind::Split => K::KindSplit,
            RuleKind::CouponLadder => K::KindCouponLadder,
            RuleKind::NewCustomerBenefit => K::KindNewCustomerBenefit,
        }
    }
}

crate::closed_set! {
    /// The kinds of reward rule of PRODUCT.md §3.
    pub enum RuleKind("rule kind") {
        PercentOfDeal = "percent_of_deal",
        PercentBand = "percent_band",
        MarginalTiers = "marginal_tiers",
        FlatPerEvent = "flat_per_event",
        ActivityTarget = "activity_target",
        Split = "split",
        CouponLadder = "coupon_ladder",
        NewCustomerBenefit = "new_customer_benefit",
    }
}

impl RuleKind {
    pub fn of(spec: &RuleSpec) -> RuleKind {
        match spec {
            RuleSpec::PercentOfDeal { .. } => RuleKind::PercentOfDeal,
            RuleSpec::PercentBand { .. } => RuleKind::PercentBand,
            RuleSpec::MarginalTiers { .. } => RuleKind::MarginalTiers,
            RuleSpec::FlatPerEvent { .. } => RuleKind::FlatPerEvent,
            RuleSpec::ActivityTarget { .. } => RuleKind::ActivityTarget,
            RuleSpec::Split { .. } => RuleKind::Split,
            RuleSpec::CouponLadder { .. } => RuleKind::CouponLadder,
            RuleSpec::NewCustomerBenefit { .. } => RuleKind::NewCustomerBenefit,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    pub rule_id: i64,
    pub version: i64,
    pub name: String,
    pub promoter_kind: PromoterKind,
    /// The rule's scope: one department, one campaign (none: every one).
    pub department_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub kind: RuleKind,
    /// The rule as editable JSON.
    pub spec: String,
    /// Why this version was published; `None` for the defaults and versions from before notes.
    pub note: Option<String>,
    /// Who published it (`None`: the defaults, installed on first start).
    pub published_by: Option<String>,
    /// Who proposed it, when a second person published it.
    pub proposed_by: Option<String>,
    /// When, in the organization's time zone.
    pub published_at: String,
}

crate::closed_set! {
    /// What marketing does to rules that the audit log keeps.
    pub enum Audited("rewards audit action") {
        RulePublished = "rule.published",
        RuleProposed = "rule.proposed",
        RuleDeclined = "rule.declined",
    }
}

/// The setting: publishing a rule version needs a second person (off by default).
pub const RULES_FOUR_EYES_SETTING: &str = "rules_four_eyes";
/// Admin's switch for rewards one level above the referrer (禁止传销条例 art. 7: two levels
/// at most); dated, as it changes money. Off unless admin turns it on.
pub const SECOND_LEVEL_SETTING: &str = "second_level_rewards";

/// What became of a version typed on the rules page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Saved {
    Published {
        version: i64,
    },
    /// Waiting for a second person (the organization asks for one).
    Proposed {
        id: i64,
    },
    /// A proposal declined by the second person.
    Declined,
}

/// A version proposed and waiting for a second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: i64,
    pub rule_id: i64,
    pub name: String,
    pub kind: RuleKind,
    pub effective_from: String,
    pub note: String,
    pub proposed_by: String,
    pub proposed_at: String,
    /// The viewer proposed it (and cannot publish it).
    pub mine: bool,
    /// The rule as proposed (JSON).
    pub spec: String,
}

impl Audited {
    pub fn label(self) -> K {
        match self {
            Audited::RulePublished => K::AuditRulePublished,
            Audited::RuleProposed => K::AuditRuleProposed,
            Audited::RuleDeclined => K::AuditRuleDeclined,
        }
    }
}

/// Where the ledger and a full recompute of the engine disagree (finance's "verify the
/// ledger"): one reward line, by promoter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerDifference {
    pub promoter_id: i64,
    pub promoter: String,
    pub line_key: String,
    /// What the ledger holds (0: no line).
    pub ledger_fen: i64,
    /// What the engine computes from every fact (0: no line).
    pub engine_fen: i64,
}

/// The result of verifying the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerCheck {
    pub lines: i64,
    /// Facts still waiting to accrue when the check ran.
    pub waiting: i64,
    pub differences: Vec<LedgerDifference>,
}

/// A what-if replay: a past period's reward cost under the rules in force (what it paid)
/// against the same facts under a draft rule. Money in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    /// The period replayed (2026-11, 2026-Q3).
    pub period: String,
    pub before_fen: i64,
    pub after_fen: i64,
    /// Deal amount less cost of the period's deals.
    pub profit_fen: i64,
    /// ROI (profit ÷ reward cost) in hundredths; `None` without reward cost.
    pub roi_before_centi: Option<i64>,
    pub roi_after_centi: Option<i64>,
    /// 费效比 (reward cost ÷ profit) in basis points; `None` without profit.
    pub cost_ratio_before_bp: Option<i64>,
    pub cost_ratio_after_bp: Option<i64>,
    /// Promoters whose reward changes.
    pub promoters_changed: i64,
    /// By promoter kind and department.
    pub groups: Vec<WhatIfGroup>,
    /// The promoters whose rewards change most (at most 20), each with its lines.
    pub movers: Vec<WhatIfPromoter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfGroup {
    pub kind: PromoterKind,
    pub department: Option<String>,
    pub before_fen: i64,
    pub after_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfPromoter {
    pub promoter_id: i64,
    pub name: String,
    pub before_fen: i64,
    pub after_fen: i64,
    /// Its lines under the rules in force, and with the draft.
    pub before_lines: Vec<WhatIfLine>,
    pub after_lines: Vec<WhatIfLine>,
}

/// A reward line as explained, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfLine {
    pub explanation_zh: String,
    pub explanation_en: String,
    pub amount_fen: i64,
}

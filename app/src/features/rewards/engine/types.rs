//! The reward engine's vocabulary: rules and their kinds, the facts they run on, and the
//! reward lines they produce.
pub use crate::features::campaigns::rules::Boost;
pub use crate::features::deals::Audit;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// Who promotes: the company's employees (any staff member), customers, partners.
    pub enum PromoterKind("promoter kind") {
        Employee = "employee",
        Customer = "customer",
        Partner = "partner",
    }
}

/// Which orders of a referred customer earn under a rule (衍生项目也算业绩).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attribution {
    FirstOrder,
    /// Every order signed within N months of the customer's first order.
    Months(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SplitRole {
    Referrer,
    Sales,
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlatEvent {
    ValidLead,
    Deal,
    /// Bringing in a promoter, or someone signing up: never paid (禁止传销条例 art. 7). Named so
    /// that a rule asking for it is refused with the reason, not as an unknown word.
    Recruit,
    SignUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    Shares,
    UniqueVisitors,
    ValidLeads,
    /// Customer stories marketing approved (seed 000: 10 stories → ¥800).
    CustomerStories,
    /// Promoters brought in: never a target (禁止传销条例 art. 7), refused with the reason.
    Recruits,
}

impl FlatEvent {
    /// Paying for it would reward recruiting (禁止传销条例 art. 7).
    pub fn is_recruiting(self) -> bool {
        matches!(self, FlatEvent::Recruit | FlatEvent::SignUp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodKind {
    Month,
    Quarter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub min_fen: i64,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// Upper bound of the tier in fen; `None` for the last, open tier.
    pub up_to_fen: Option<i64>,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub amount_fen: i64,
    pub perk: bool,
}

/// The rule kinds of PRODUCT.md §3. (The boost multiplier is the campaign's, applied to all.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleSpec {
    /// A rate of every amount collected on the deal.
    PercentOfDeal {
        rate: Decimal,
    },
    /// First order: the rate of the highest band the deal amount reaches; later orders of the
    /// same customer: `later_rate`.
    PercentBand {
        bands: Vec<Band>,
        later_rate: Decimal,
    },
    /// Marginal tiers over the promoter's collected amount in each month or quarter.
    MarginalTiers {
        per: PeriodKind,
        tiers: Vec<Tier>,
    },
    FlatPerEvent {
        event: FlatEvent,
        amount_fen: i64,
    },
    /// A monthly activity target: reach `threshold` → `amount_fen`.
    ActivityTarget {
        metric: Metric,
        threshold: i64,
        amount_fen: i64,
    },
    /// A pool of `rate` of the collected amount, split between the referrer, the deal's sales
    /// rep and its service contact; the customer's first order and later orders split differently.
    Split {
        rate: Decimal,
        first_order: Vec<(SplitRole, Decimal)>,
        repeat: Vec<(SplitRole, Decimal)>,
    },
    /// Customers' coupons for successful referrals; counts reset every calendar year.
    CouponLadder {
        steps: Vec<Step>,
        later: Step,
    },
    /// The referred customer's first-order benefit, issued when a code is redeemed and taken
    /// off at checkout: `amount_fen` off, or with `percent`, that share of the first order up
    /// to `amount_fen`.
    NewCustomerBenefit {
        amount_fen: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Decimal>,
    },
}

impl RuleSpec {
    /// Commission rules compete: a deal earns under the single most specific one.
    pub fn is_commission(&self) -> bool {
        matches!(
            self,
            RuleSpec::PercentOfDeal { .. }
                | RuleSpec::PercentBand { .. }
                | RuleSpec::MarginalTiers { .. }
                | RuleSpec::Split { .. }
        )
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RuleSpec::PercentOfDeal { .. } => "percent_of_deal",
            RuleSpec::PercentBand { .. } => "percent_band",
            RuleSpec::MarginalTiers { .. } => "marginal_tiers",
            RuleSpec::FlatPerEvent { .. } => "flat_per_event",
            RuleSpec::ActivityTarget { .. } => "activity_target",
            RuleSpec::Split { .. } => "split",
            RuleSpec::CouponLadder { .. } => "coupon_ladder",
            RuleSpec::NewCustomerBenefit { .. } => "new_customer_benefit",
        }
    }
}

/// A first-order benefit as issued: a fixed amount off, or a share of the order up to a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    /// The amount off, or the cap of a percentage.
    pub amount_fen: i64,
    pub percent: Option<Decimal>,
}

/// One version of a rule. Versions are immutable; a change is a new version from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub promoter_kind: PromoterKind,
    pub department_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub effective_from: NaiveDate,
    /// Inclusive; `None` while current.
    pub effective_to: Option<NaiveDate>,
    pub attribution: Attribution,
    pub spec: RuleSpec,
    /// Rates of the collected amount paid above the referrer, nearest level first: the
    /// referrer's recruiter. At most one level (2 in all, 禁止传销条例 art. 7), paid only while
    /// admin has switched the second level on (`Terms::second_level`); commission rules only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upline: Vec<Decimal>,
}

/// How many levels above the direct referrer a rule may ever pay (禁止传销条例 art. 7).
pub const MAX_LEVELS_ABOVE: usize = 1;

impl Rule {
    pub(super) fn in_effect(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }

    pub(super) fn applies_to(&self, p: &Promoter, campaign_id: Option<i64>, day: NaiveDate) -> bool {
        self.promoter_kind == p.kind
            && self.department_id.is_none_or(|d| p.department_id == Some(d))
            && self.campaign_id.is_none_or(|c| campaign_id == Some(c))
            && self.in_effect(day)
    }

    /// Campaign and department scope make a rule more specific than the promoter-kind default.
    pub(super) fn specificity(&self) -> u8 {
        2 * u8::from(self.campaign_id.is_some()) + u8::from(self.department_id.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promoter {
    pub id: i64,
    pub kind: PromoterKind,
    pub department_id: Option<i64>,
    /// Who brought this promoter in, one level above: for a customer, the referrer of their
    /// first order. Paid only under a rule's `upline` while the second level is on.
    #[serde(default)]
    pub recruiter_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deal {
    pub id: i64,
    pub order_no: String,
    /// Who bought: orders of one customer are counted together (first order, N months).
    pub customer: String,
    /// The attributed referrer; later orders without one inherit the first order's.
    pub promoter_id: Option<i64>,
    pub sales_rep_id: Option<i64>,
    pub service_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub amount_fen: i64,
    pub cost_fen: Option<i64>,
    pub signed_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub audit: Audit,
    /// The customer is a staff member or a family member they registered (seed 004): no
    /// referral reward.
    #[serde(default)]
    pub staff_booking: bool,
}

/// Money received on a deal; a refund is a negative amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: i64,
    pub deal_id: i64,
    pub paid_on: NaiveDate,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidLead {
    pub id: i64,
    pub promoter_id: i64,
    pub campaign_id: Option<i64>,
    pub valid_on: NaiveDate,
}

/// A promoter's activity in one month (org-local) for one campaign (`None`: outside any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub promoter_id: i64,
    pub year: i32,
    pub month: u32,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    pub shares: i64,
    pub unique_visitors: i64,
    pub valid_leads: i64,
    /// Customer stories approved that month.
    #[serde(default)]
    pub stories: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub promoters: Vec<Promoter>,
    pub deals: Vec<Deal>,
    pub payments: Vec<Payment>,
    pub valid_leads: Vec<ValidLead>,
    pub activity: Vec<Activity>,
    /// Boost windows per campaign id.
    pub boosts: Vec<(i64, Vec<Boost>)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// Days after payment before a reward vests (a return window); 0 by default.
    pub holding_days: i64,
    /// The late-payment deductions (拖延回款).
    pub late: LateSteps,
    /// Admin's switch for the second level (a rule's `upline`); off by default.
    pub second_level: bool,
}

/// The terms over time (dated settings): each payment is rewarded under the terms in force on
/// the day it was paid, so a change applies from its date on and never rewrites a reward
/// already earned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatedTerms {
    /// In force before the first dated change.
    pub base: Terms,
    /// From each date on (any order).
    pub changes: Vec<(NaiveDate, Terms)>,
}

impl DatedTerms {
    /// The terms in force on `day`.
    pub fn on(&self, day: NaiveDate) -> Terms {
        self.changes
            .iter()
            .filter(|(from, _)| *from <= day)
            .max_by_key(|(from, _)| *from)
            .map_or(self.base, |(_, t)| *t)
    }
}

impl From<Terms> for DatedTerms {
    fn from(base: Terms) -> Self {
        DatedTerms { base, changes: Vec::new() }
    }
}

/// Paid at least `days` late: `percent` of the reward is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateStep {
    pub days: i64,
    pub percent: u32,
}

/// The three late-payment steps of PRODUCT.md §3, an organization setting: by default ≥ 30
/// days → −20%, ≥ 60 → −50%, ≥ 180 → −100%. Written `30:20, 60:50, 180:100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateSteps(pub [LateStep; 3]);

impl Default for LateSteps {
    fn default() -> Self {
        LateSteps([
            LateStep { days: 30, percent: 20 },
            LateStep { days: 60, percent: 50 },
            LateStep { days: 180, percent: 100 },
        ])
    }
}

/// Why typed late-payment steps are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateStepsError {
    /// Not three `days:percent` pairs.
    Form,
    /// Days must rise from at least 1, percents must not fall and stay within 0–100.
    Order,
}

impl LateSteps {
    /// The organization setting (dated: it changes money).
    pub const SETTING: &str = "late_payment_steps";

    /// The share withheld for paying `days` late: that of the last step reached.
    pub fn percent(&self, days: i64) -> u32 {
        self.0.iter().rev().find(|s| days >= s.days).map_or(0, |s| s.percent)
    }

    /// `30:20, 60:50, 180:100` (full-width digits and punctuation, 、 and ；as separators too).
    pub fn parse(typed: &str) -> Result<LateSteps, LateStepsError> {
        let folded = crate::shared::text::fold_width(typed.trim());
        let pairs: Vec<&str> =
            folded.split([',', ';', '、', '，', '；', ' ']).map(str::trim).filter(|p| !p.is_empty()).collect();
        let [a, b, c] = pairs.as_slice() else { return Err(LateStepsError::Form) };
        let step = |p: &str| -> Result<LateStep, LateStepsError> {
            let (days, percent) = p.split_once([':', '：']).ok_or(LateStepsError::Form)?;
            let days = days.trim().parse().map_err(|_| LateStepsError::Form)?;
            let percent = percent.trim().trim_end_matches('%').parse().map_err(|_| LateStepsError::Form)?;
            Ok(LateStep { days, percent })
        };
        let steps = [step(a)?, step(b)?, step(c)?];
        let rising = steps.windows(2).all(|w| w[0].days < w[1].days && w[0].percent <= w[1].percent);
        if steps[0].days < 1 || steps[2].percent > 100 || !rising {
            return Err(LateStepsError::Order);
        }
        Ok(LateSteps(steps))
    }

    /// As stored and typed: `30:20, 60:50, 180:100`.
    pub fn format(&self) -> String {
        self.0.iter().map(|s| format!("{}:{}", s.days, s.percent)).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Deduction {
    AtOrBelowCost,
    /// Paid `days` late: `percent` of the reward is withheld.
    LatePayment {
        days: i64,
        percent: u32,
    },
    AuditRejected,
    Refunded,
    /// The customer is staff or staff's registered family.
    StaffBooking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    Cash,
    Coupon { perk: bool },
}

/// What a line is about, for its explanation sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Payment {
        order_no: String,
        paid_on: NaiveDate,
    },
    Refund {
        order_no: String,
        paid_on: NaiveDate,
    },
    Share {
        order_no: String,
        paid_on: NaiveDate,
        role: SplitRole,
        pool_fen: i64,
        weight: Decimal,
    },
    Period {
        key: String,
    },
    Lead {
        lead_id: i64,
    },
    Deal {
        order_no: String,
    },
    Target {
        month: String,
        metric: Metric,
        reached: i64,
        threshold: i64,
    },
    Referral {
        order_no: String,
        nth: i64,
        year: i32,
    },
    /// One level above: a payment on a deal that `referrer`, whom this promoter brought in,
    /// referred.
    Upline {
        order_no: String,
        paid_on: NaiveDate,
        referrer: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardLine {
    /// Stable across recomputation: the same fact under the same rule version.
    pub key: String,
    pub promoter_id: i64,
    pub rule_id: i64,
    pub rule_version: i64,
    pub kind: LineKind,
    pub deal_id: Option<i64>,
    /// The payment or refund a cash line on collected money comes from.
    #[serde(default)]
    pub payment_id: Option<i64>,
    pub basis_fen: i64,
    pub rate: Decimal,
    pub multiplier: Decimal,
    pub deductions: Vec<Deduction>,
    pub amount_fen: i64,
    /// When it vests (payment received + holding days); `None` while its deal awaits audit.
    pub vests_on: Option<NaiveDate>,
    pub subject: Subject,
}

/// One payment's part of a marginal-tier pool: a promoter's collected amount in a month or
/// quarter spans customers, so the ledger keeps the parts and makes the pool's line from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPart {
    /// The rule version and the payment: `tierpart:{rule}:{version}:{payment}`.
    pub key: String,
    /// The pool's line: `tier:{rule}:{version}:{promoter}:{period}`.
    pub tier_key: String,
    pub rule_id: i64,
    pub rule_version: i64,
    pub promoter_id: i64,
    /// The month or quarter key (2026-11, 2026-Q4).
    pub period: String,
    /// The amount after cost, lateness and boost, unrounded.
    pub basis: Decimal,
    pub collected_fen: i64,
    pub multiplier: Decimal,
}

impl TierPart {
    pub fn tier_key(rule_id: i64, version: i64, promoter_id: i64, period: &str) -> String {
        format!("tier:{rule_id}:{version}:{promoter_id}:{period}")
    }
}

/// What one customer's deals and payments earn, as the ledger accrues it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accrued {
    pub lines: Vec<RewardLine>,
    pub tier_parts: Vec<TierPart>,
}

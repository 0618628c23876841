//! The reward engine (激励规则), PRODUCT.md §3: a pure function from rules and facts to reward
//! lines. Every line carries its rule id and version, basis, rate, multiplier, deductions and
//! amount, and explains itself. Lines have stable keys so that settlement can tell what was
//! already paid from what changed since (refunds, audits, late facts).
//!
//! Deductions apply in this order: at or below cost → late payment → boost multiplier → audit
//! hold. Each line is rounded once to the fen; a split rounds the pool once and hands it out
//! by largest remainder.
use super::campaign::{multiplier_on, Boost};
use super::money::{format_yuan, round_fen, split_largest_remainder};
use super::period::Period;
use crate::i18n::Locale;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PromoterKind {
    Employee,
    Customer,
    Partner,
}

impl PromoterKind {
    pub const ALL: [PromoterKind; 3] = [PromoterKind::Employee, PromoterKind::Customer, PromoterKind::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            PromoterKind::Employee => "employee",
            PromoterKind::Customer => "customer",
            PromoterKind::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    Shares,
    UniqueVisitors,
    ValidLeads,
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
    /// The referred customer's first-order benefit, issued when a code is redeemed.
    NewCustomerBenefit {
        amount_fen: i64,
    },
}

impl RuleSpec {
    /// Commission rules compete: a deal earns under the single most specific one.
    fn is_commission(&self) -> bool {
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
}

impl Rule {
    fn in_effect(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }

    fn applies_to(&self, p: &Promoter, campaign_id: Option<i64>, day: NaiveDate) -> bool {
        self.promoter_kind == p.kind
            && self.department_id.is_none_or(|d| p.department_id == Some(d))
            && self.campaign_id.is_none_or(|c| campaign_id == Some(c))
            && self.in_effect(day)
    }

    /// Campaign and department scope make a rule more specific than the promoter-kind default.
    fn specificity(&self) -> u8 {
        2 * u8::from(self.campaign_id.is_some()) + u8::from(self.department_id.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promoter {
    pub id: i64,
    pub kind: PromoterKind,
    pub department_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audit {
    NotSampled,
    /// Sampled, waiting for the call-back: its rewards do not vest yet.
    Pending,
    Verified,
    Rejected,
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

/// A promoter's activity in one month (org-local).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub promoter_id: i64,
    pub year: i32,
    pub month: u32,
    pub shares: i64,
    pub unique_visitors: i64,
    pub valid_leads: i64,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    Cash,
    Coupon { perk: bool },
}

/// What a line is about, for its explanation sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Payment { order_no: String, paid_on: NaiveDate },
    Refund { order_no: String, paid_on: NaiveDate },
    Share { order_no: String, paid_on: NaiveDate, role: SplitRole, pool_fen: i64, weight: Decimal },
    Period { key: String },
    Lead { lead_id: i64 },
    Deal { order_no: String },
    Target { month: String, metric: Metric, reached: i64, threshold: i64 },
    Referral { order_no: String, nth: i64, year: i32 },
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
    pub basis_fen: i64,
    pub rate: Decimal,
    pub multiplier: Decimal,
    pub deductions: Vec<Deduction>,
    pub amount_fen: i64,
    /// When it vests (payment received + holding days); `None` while its deal awaits audit.
    pub vests_on: Option<NaiveDate>,
    pub subject: Subject,
}

/// Share withheld for paying `days` late (拖延回款): ≥30 → 20%, ≥60 → 50%, ≥180 → 100%.
pub fn late_percent(days: i64) -> u32 {
    match days {
        d if d >= 180 => 100,
        d if d >= 60 => 50,
        d if d >= 30 => 20,
        _ => 0,
    }
}

struct Ctx<'a> {
    rules: &'a [Rule],
    terms: Terms,
    promoters: BTreeMap<i64, &'a Promoter>,
    boosts: BTreeMap<i64, &'a [Boost]>,
    deals: BTreeMap<i64, &'a Deal>,
    /// The first order of each customer.
    first_order: BTreeMap<&'a str, &'a Deal>,
    /// Each deal's referrer and commission rule, found once instead of once per payment.
    commission: BTreeMap<i64, (&'a Promoter, &'a Rule)>,
}

impl<'a> Ctx<'a> {
    fn multiplier(&self, d: &Deal) -> Decimal {
        d.campaign_id.and_then(|c| self.boosts.get(&c)).map_or(Decimal::ONE, |b| multiplier_on(b, d.signed_on))
    }

    fn is_first_order(&self, d: &Deal) -> bool {
        self.first_order.get(d.customer.as_str()).is_some_and(|f| f.id == d.id)
    }

    fn attributed(&self, rule: &Rule, d: &Deal) -> bool {
        let Some(first) = self.first_order.get(d.customer.as_str()) else { return false };
        match rule.attribution {
            Attribution::FirstOrder => first.id == d.id,
            Attribution::Months(n) => {
                first.signed_on.checked_add_months(Months::new(n)).is_some_and(|until| d.signed_on < until)
            }
        }
    }

    /// The referrer credited with a deal: its own, else its customer's first order's.
    fn referrer(&self, d: &Deal) -> Option<&'a Promoter> {
        let id = d.promoter_id.or_else(|| self.first_order.get(d.customer.as_str()).and_then(|f| f.promoter_id))?;
        self.promoters.get(&id).copied()
    }

    /// The single most specific commission rule for a deal (ties: the lower rule id).
    fn commission_rule(&self, p: &Promoter, d: &Deal) -> Option<&'a Rule> {
        self.rules
            .iter()
            .filter(|r| r.spec.is_commission() && r.applies_to(p, d.campaign_id, d.signed_on) && self.attributed(r, d))
            .max_by(|a, b| a.specificity().cmp(&b.specificity()).then(b.id.cmp(&a.id)))
    }

    fn vests_on(&self, d: &Deal, paid_on: NaiveDate) -> Option<NaiveDate> {
        match d.audit {
            Audit::Pending => None,
            _ => Some(paid_on + chrono::Duration::days(self.terms.holding_days)),
        }
    }
}

/// Cost, late payment and multiplier applied to one payment: (factor on the basis, deductions).
fn deductions(d: &Deal, paid_on: NaiveDate) -> (Decimal, Vec<Deduction>) {
    let mut out = Vec::new();
    if d.audit == Audit::Rejected {
        return (Decimal::ZERO, vec![Deduction::AuditRejected]);
    }
    if d.cost_fen.is_some_and(|c| d.amount_fen <= c) {
        return (Decimal::ZERO, vec![Deduction::AtOrBelowCost]);
    }
    let mut factor = Decimal::ONE;
    if let Some(due) = d.due_on {
        let days = (paid_on - due).num_days();
        let percent = late_percent(days);
        if percent > 0 {
            factor = Decimal::from(100 - percent) / dec!(100);
            out.push(Deduction::LatePayment { days, percent });
        }
    }
    (factor, out)
}

/// Computes every reward line the facts earn under the rules. The result does not depend on
/// the order of the inputs: lines come out sorted by promoter, vesting date and key.
pub fn compute(rules: &[Rule], facts: &Facts, terms: Terms) -> Vec<RewardLine> {
    let mut deals: Vec<&Deal> = facts.deals.iter().collect();
    deals.sort_by_key(|d| (d.signed_on, d.id));
    let mut first_order: BTreeMap<&str, &Deal> = BTreeMap::new();
    for d in &deals {
        first_order.entry(d.customer.as_str()).or_insert(d);
    }
    let mut ctx = Ctx {
        rules,
        terms,
        promoters: facts.promoters.iter().map(|p| (p.id, p)).collect(),
        boosts: facts.boosts.iter().map(|(c, b)| (*c, b.as_slice())).collect(),
        deals: facts.deals.iter().map(|d| (d.id, d)).collect(),
        first_order,
        commission: BTreeMap::new(),
    };
    ctx.commission = deals
        .iter()
        .filter_map(|d| {
            let referrer = ctx.referrer(d)?;
            Some((d.id, (referrer, ctx.commission_rule(referrer, d)?)))
        })
        .collect();
    let mut payments: Vec<&Payment> = facts.payments.iter().filter(|p| ctx.deals.contains_key(&p.deal_id)).collect();
    payments.sort_by_key(|p| (p.paid_on, p.id));

    let mut lines = Vec::new();
    payment_lines(&ctx, &payments, &mut lines);
    tier_lines(&ctx, &payments, &mut lines);
    flat_deal_lines(&ctx, &deals, &payments, &mut lines);
    lead_lines(&ctx, facts, &mut lines);
    target_lines(&ctx, facts, &mut lines);
    coupon_lines(&ctx, &payments, &mut lines);
    lines.sort_by(|a, b| (a.promoter_id, a.vests_on, &a.key).cmp(&(b.promoter_id, b.vests_on, &b.key)));
    lines
}

/// Running totals of one payee's lines on one deal under one rule, to reverse refunds pro rata.
#[derive(Default)]
struct Earned {
    collected_fen: i64,
    amount_fen: i64,
}

/// Percent of deal, percent band and split: one line per payment (and per split share).
fn payment_lines(ctx: &Ctx, payments: &[&Payment], out: &mut Vec<RewardLine>) {
    let mut earned: BTreeMap<(i64, i64, i64, SplitRole), Earned> = BTreeMap::new();
    for pay in payments {
        let d = ctx.deals[&pay.deal_id];
        let Some(&(referrer, rule)) = ctx.commission.get(&d.id) else { continue };
        let first = ctx.is_first_order(d);
        let (rate, shares): (Decimal, Vec<(SplitRole, Decimal)>) = match &rule.spec {
            RuleSpec::PercentOfDeal { rate } => (*rate, vec![(SplitRole::Referrer, Decimal::ONE)]),
            RuleSpec::PercentBand { bands, later_rate } => {
                let rate = if first {
                    bands.iter().filter(|b| d.amount_fen >= b.min_fen).map(|b| b.rate).max().unwrap_or_default()
                } else {
                    *later_rate
                };
                (rate, vec![(SplitRole::Referrer, Decimal::ONE)])
            }
            RuleSpec::Split { rate, first_order, repeat } => {
                (*rate, if first { first_order.clone() } else { repeat.clone() })
            }
            _ => continue,
        };
        let multiplier = ctx.multiplier(d);
        let (factor, deds) = deductions(d, pay.paid_on);
        let weights: Vec<Decimal> = shares.iter().map(|(_, w)| *w).collect();
        let is_split = matches!(rule.spec, RuleSpec::Split { .. });
        let payees: Vec<Option<i64>> = shares
            .iter()
            .map(|(role, _)| match role {
                SplitRole::Referrer => Some(referrer.id),
                SplitRole::Sales => d.sales_rep_id,
                SplitRole::Service => d.service_id,
            })
            .collect();
        let amounts: Vec<i64> = if pay.amount_fen >= 0 {
            let pool = round_fen(Decimal::from(pay.amount_fen) * rate * factor * multiplier);
            split_largest_remainder(pool, &weights)
        } else {
            // A refund takes back the same share of what the deal earned so far.
            shares
                .iter()
                .zip(&payees)
                .map(|((role, _), payee)| {
                    let e = payee.and_then(|p| earned.get(&(d.id, rule.id, p, *role)));
                    match e {
                        Some(e) if e.collected_fen > 0 => {
                            let back = round_fen(
                                Decimal::from(e.amount_fen) * Decimal::from(pay.amount_fen)
                                    / Decimal::from(e.collected_fen),
                            );
                            back.max(-e.amount_fen)
                        }
                        _ => 0,
                    }
                })
                .collect()
        };
        let pool_fen: i64 = amounts.iter().sum();
        for (((role, weight), payee), amount) in shares.iter().zip(&payees).zip(amounts) {
            let Some(payee) = *payee else { continue };
            let e = earned.entry((d.id, rule.id, payee, *role)).or_default();
            e.collected_fen += pay.amount_fen;
            e.amount_fen += amount;
            let subject = if pay.amount_fen < 0 {
                Subject::Refund { order_no: d.order_no.clone(), paid_on: pay.paid_on }
            } else if is_split {
                Subject::Share {
                    order_no: d.order_no.clone(),
                    paid_on: pay.paid_on,
                    role: *role,
                    pool_fen,
                    weight: *weight / weights.iter().copied().sum::<Decimal>() * dec!(100),
                }
            } else {
                Subject::Payment { order_no: d.order_no.clone(), paid_on: pay.paid_on }
            };
            out.push(RewardLine {
                key: format!("pay:{}:{}:{}:{}:{:?}", rule.id, rule.version, pay.id, payee, role),
                promoter_id: payee,
                rule_id: rule.id,
                rule_version: rule.version,
                kind: LineKind::Cash,
                deal_id: Some(d.id),
                basis_fen: pay.amount_fen,
                rate,
                multiplier,
                deductions: if pay.amount_fen < 0 { Vec::new() } else { deds.clone() },
                amount_fen: amount,
                vests_on: ctx.vests_on(d, pay.paid_on),
                subject,
            });
        }
    }
}

/// One promoter's collected amount in one month or quarter under one tier rule.
struct Pool {
    /// After cost, lateness and boost.
    basis: Decimal,
    collected_fen: i64,
    multiplier: Decimal,
}

/// Marginal tiers: one line per promoter and month or quarter, over the amounts collected in it.
/// Payments of deals waiting for their audit join the pool once verified.
fn tier_lines(ctx: &Ctx, payments: &[&Payment], out: &mut Vec<RewardLine>) {
    let mut pools: BTreeMap<(i64, i64, i64, Period), Pool> = BTreeMap::new();
    let mut specs: BTreeMap<(i64, i64), &Rule> = BTreeMap::new();
    for pay in payments {
        let d = ctx.deals[&pay.deal_id];
        let Some(&(referrer, rule)) = ctx.commission.get(&d.id) else { continue };
        let RuleSpec::MarginalTiers { per, .. } = &rule.spec else { continue };
        let period = match per {
            PeriodKind::Month => Period::Month { year: pay.paid_on.year(), month: pay.paid_on.month() },
            PeriodKind::Quarter => Period::Quarter { year: pay.paid_on.year(), quarter: pay.paid_on.month0() / 3 + 1 },
        };
        specs.insert((rule.id, rule.version), rule);
        let pool = pools.entry((rule.id, rule.version, referrer.id, period)).or_insert(Pool {
            basis: Decimal::ZERO,
            collected_fen: 0,
            multiplier: Decimal::ONE,
        });
        if d.audit == Audit::Pending {
            continue;
        }
        let (factor, _) = deductions(d, pay.paid_on);
        let m = ctx.multiplier(d);
        pool.basis += Decimal::from(pay.amount_fen) * factor * m;
        pool.collected_fen += pay.amount_fen;
        pool.multiplier = pool.multiplier.max(m);
    }
    for ((rule_id, version, promoter, period), pool) in pools {
        let rule = specs[&(rule_id, version)];
        let RuleSpec::MarginalTiers { tiers, .. } = &rule.spec else { continue };
        let basis = pool.basis;
        let exact = marginal(basis.max(Decimal::ZERO), tiers);
        let amount = round_fen(exact);
        let rate = if basis > Decimal::ZERO { (exact / basis).round_dp(6) } else { Decimal::ZERO };
        out.push(RewardLine {
            key: format!("tier:{rule_id}:{version}:{promoter}:{}", period.key()),
            promoter_id: promoter,
            rule_id,
            rule_version: version,
            kind: LineKind::Cash,
            deal_id: None,
            basis_fen: pool.collected_fen,
            rate,
            multiplier: pool.multiplier,
            deductions: Vec::new(),
            amount_fen: amount,
            vests_on: Some(period.dates().1),
            subject: Subject::Period { key: period.key() },
        });
    }
}

/// `amount` through marginal tiers: each tier's rate applies to the part inside it.
pub fn marginal(amount: Decimal, tiers: &[Tier]) -> Decimal {
    let mut total = Decimal::ZERO;
    let mut lower = Decimal::ZERO;
    for t in tiers {
        let upper = t.up_to_fen.map(Decimal::from);
        let top = upper.map_or(amount, |u| amount.min(u));
        if top > lower {
            total += (top - lower) * t.rate;
        }
        match upper {
            Some(u) if amount > u => lower = u,
            _ => break,
        }
    }
    total
}

/// Per deal: the date of its first payment and what it netted after refunds.
fn paid_totals(payments: &[&Payment]) -> (BTreeMap<i64, NaiveDate>, BTreeMap<i64, i64>) {
    let mut first_paid = BTreeMap::new();
    let mut net: BTreeMap<i64, i64> = BTreeMap::new();
    for p in payments {
        if p.amount_fen > 0 {
            first_paid.entry(p.deal_id).or_insert(p.paid_on);
        }
        *net.entry(p.deal_id).or_default() += p.amount_fen;
    }
    (first_paid, net)
}

/// Flat per deal: vests with the deal's first payment; nothing once it is fully refunded.
fn flat_deal_lines(ctx: &Ctx, deals: &[&Deal], payments: &[&Payment], out: &mut Vec<RewardLine>) {
    let (first_paid, net) = paid_totals(payments);
    for d in deals {
        let Some(paid_on) = first_paid.get(&d.id).copied() else { continue };
        let Some(referrer) = ctx.referrer(d) else { continue };
        for rule in
            ctx.rules.iter().filter(|r| r.applies_to(referrer, d.campaign_id, d.signed_on) && ctx.attributed(r, d))
        {
            let RuleSpec::FlatPerEvent { event: FlatEvent::Deal, amount_fen } = rule.spec else { continue };
            let multiplier = ctx.multiplier(d);
            let (factor, mut deds) = deductions(d, paid_on);
            // Lateness does not apply to a flat reward per deal; cost and audit do.
            let factor = if deds.iter().any(|x| matches!(x, Deduction::LatePayment { .. })) {
                deds.retain(|x| !matches!(x, Deduction::LatePayment { .. }));
                Decimal::ONE
            } else {
                factor
            };
            let refunded = net.get(&d.id).is_some_and(|n| *n <= 0);
            if refunded {
                deds.push(Deduction::Refunded);
            }
            let amount = if refunded { 0 } else { round_fen(Decimal::from(amount_fen) * factor * multiplier) };
            out.push(RewardLine {
                key: format!("deal:{}:{}:{}", rule.id, rule.version, d.id),
                promoter_id: referrer.id,
                rule_id: rule.id,
                rule_version: rule.version,
                kind: LineKind::Cash,
                deal_id: Some(d.id),
                basis_fen: amount_fen,
                rate: Decimal::ONE,
                multiplier,
                deductions: deds,
                amount_fen: amount,
                vests_on: ctx.vests_on(d, paid_on),
                subject: Subject::Deal { order_no: d.order_no.clone() },
            });
        }
    }
}

/// Flat per valid lead: vests when marketing marks the lead valid.
fn lead_lines(ctx: &Ctx, facts: &Facts, out: &mut Vec<RewardLine>) {
    for lead in &facts.valid_leads {
        let Some(p) = ctx.promoters.get(&lead.promoter_id) else { continue };
        for rule in ctx.rules.iter().filter(|r| r.applies_to(p, lead.campaign_id, lead.valid_on)) {
            let RuleSpec::FlatPerEvent { event: FlatEvent::ValidLead, amount_fen } = rule.spec else { continue };
            out.push(RewardLine {
                key: format!("lead:{}:{}:{}", rule.id, rule.version, lead.id),
                promoter_id: p.id,
                rule_id: rule.id,
                rule_version: rule.version,
                kind: LineKind::Cash,
                deal_id: None,
                basis_fen: amount_fen,
                rate: Decimal::ONE,
                multiplier: Decimal::ONE,
                deductions: Vec::new(),
                amount_fen,
                vests_on: Some(lead.valid_on),
                subject: Subject::Lead { lead_id: lead.id },
            });
        }
    }
}

/// Monthly activity targets: reached → the reward, vesting on the month's last day.
fn target_lines(ctx: &Ctx, facts: &Facts, out: &mut Vec<RewardLine>) {
    for a in &facts.activity {
        let Some(p) = ctx.promoters.get(&a.promoter_id) else { continue };
        let month = Period::Month { year: a.year, month: a.month };
        let last = month.dates().1;
        for rule in ctx.rules.iter().filter(|r| r.applies_to(p, None, last)) {
            let RuleSpec::ActivityTarget { metric, threshold, amount_fen } = rule.spec else { continue };
            let reached = match metric {
                Metric::Shares => a.shares,
                Metric::UniqueVisitors => a.unique_visitors,
                Metric::ValidLeads => a.valid_leads,
            };
            if reached < threshold {
                continue;
            }
            out.push(RewardLine {
                key: format!("target:{}:{}:{}:{}", rule.id, rule.version, p.id, month.key()),
                promoter_id: p.id,
                rule_id: rule.id,
                rule_version: rule.version,
                kind: LineKind::Cash,
                deal_id: None,
                basis_fen: amount_fen,
                rate: Decimal::ONE,
                multiplier: Decimal::ONE,
                deductions: Vec::new(),
                amount_fen,
                vests_on: Some(last),
                subject: Subject::Target { month: month.key(), metric, reached, threshold },
            });
        }
    }
}

/// Customers' coupon ladder: the nth successful referral of the calendar year (a referred
/// customer's first order, paid, not refunded, not failed or waiting for audit).
fn coupon_lines(ctx: &Ctx, payments: &[&Payment], out: &mut Vec<RewardLine>) {
    let (first_paid, net) = paid_totals(payments);
    let mut successes: Vec<(NaiveDate, &Deal, &Promoter)> = Vec::new();
    for (deal_id, paid_on) in &first_paid {
        let d = ctx.deals[deal_id];
        if !ctx.is_first_order(d) || matches!(d.audit, Audit::Pending | Audit::Rejected) || net[deal_id] <= 0 {
            continue;
        }
        let Some(p) = d.promoter_id.and_then(|id| ctx.promoters.get(&id)) else { continue };
        if p.kind == PromoterKind::Customer {
            successes.push((*paid_on, d, p));
        }
    }
    successes.sort_by_key(|(on, d, _)| (*on, d.id));
    let mut counts: BTreeMap<(i64, i32), i64> = BTreeMap::new();
    for (on, d, p) in successes {
        let nth = counts.entry((p.id, on.year())).or_default();
        *nth += 1;
        let Some(rule) = ctx
            .rules
            .iter()
            .filter(|r| matches!(r.spec, RuleSpec::CouponLadder { .. }) && r.applies_to(p, d.campaign_id, on))
            .max_by(|a, b| a.specificity().cmp(&b.specificity()).then(b.id.cmp(&a.id)))
        else {
            continue;
        };
        let RuleSpec::CouponLadder { steps, later } = &rule.spec else { continue };
        let step = steps.get((*nth - 1) as usize).unwrap_or(later);
        out.push(RewardLine {
            key: format!("coupon:{}:{}:{}", rule.id, rule.version, d.id),
            promoter_id: p.id,
            rule_id: rule.id,
            rule_version: rule.version,
            kind: LineKind::Coupon { perk: step.perk },
            deal_id: Some(d.id),
            basis_fen: step.amount_fen,
            rate: Decimal::ONE,
            multiplier: Decimal::ONE,
            deductions: Vec::new(),
            amount_fen: step.amount_fen,
            vests_on: Some(on),
            subject: Subject::Referral { order_no: d.order_no.clone(), nth: *nth, year: on.year() },
        });
    }
}

/// The new-customer benefit in effect on `day` for a code redeemed under `kind`'s rules.
pub fn new_customer_benefit(rules: &[Rule], kind: PromoterKind, day: NaiveDate) -> Option<i64> {
    rules
        .iter()
        .filter(|r| r.promoter_kind == kind && r.in_effect(day))
        .filter_map(|r| match r.spec {
            RuleSpec::NewCustomerBenefit { amount_fen } => Some((r.id, amount_fen)),
            _ => None,
        })
        .min_by_key(|(id, _)| *id)
        .map(|(_, a)| a)
}

fn percent(rate: Decimal) -> String {
    (rate * dec!(100)).normalize().to_string() + "%"
}

impl RewardLine {
    /// The line's explanation sentence, e.g. "2% of ¥12,345.67 paid on 2026-11-03, deal SO-1001".
    pub fn explain(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        let mut s = match &self.subject {
            Subject::Payment { order_no, paid_on } => {
                if zh {
                    format!(
                        "订单 {order_no} 于 {paid_on} 回款 {} 的 {}",
                        format_yuan(self.basis_fen),
                        percent(self.rate)
                    )
                } else {
                    format!(
                        "{} of {} paid on {paid_on}, deal {order_no}",
                        percent(self.rate),
                        format_yuan(self.basis_fen)
                    )
                }
            }
            Subject::Refund { order_no, paid_on } => {
                if zh {
                    format!("订单 {order_no} 于 {paid_on} 退款 {}，按比例冲回奖励", format_yuan(-self.basis_fen))
                } else {
                    format!(
                        "refund of {} on {paid_on}, deal {order_no}: reward reversed pro rata",
                        format_yuan(-self.basis_fen)
                    )
                }
            }
            Subject::Share { order_no, paid_on, role, pool_fen, weight } => {
                let role_zh = match role {
                    SplitRole::Referrer => "推荐人",
                    SplitRole::Sales => "销售",
                    SplitRole::Service => "服务",
                };
                let role_en = match role {
                    SplitRole::Referrer => "referrer",
                    SplitRole::Sales => "sales",
                    SplitRole::Service => "service",
                };
                if zh {
                    format!(
                        "订单 {order_no} 于 {paid_on} 回款 {} 的 {}，奖池 {}，{role_zh}分得 {}%",
                        format_yuan(self.basis_fen),
                        percent(self.rate),
                        format_yuan(*pool_fen),
                        weight.normalize()
                    )
                } else {
                    format!(
                        "{role_en} share {}% of a pool of {} ({} of {} paid on {paid_on}, deal {order_no})",
                        weight.normalize(),
                        format_yuan(*pool_fen),
                        percent(self.rate),
                        format_yuan(self.basis_fen)
                    )
                }
            }
            Subject::Period { key } => {
                if zh {
                    format!("{key} 回款合计 {} 按阶梯计算", format_yuan(self.basis_fen))
                } else {
                    format!("marginal tiers on {} collected in {key}", format_yuan(self.basis_fen))
                }
            }
            Subject::Lead { lead_id } => {
                if zh {
                    format!("有效线索 #{lead_id} 奖励 {}", format_yuan(self.basis_fen))
                } else {
                    format!("{} for valid lead #{lead_id}", format_yuan(self.basis_fen))
                }
            }
            Subject::Deal { order_no } => {
                if zh {
                    format!("成交订单 {order_no} 奖励 {}", format_yuan(self.basis_fen))
                } else {
                    format!("{} for deal {order_no}", format_yuan(self.basis_fen))
                }
            }
            Subject::Target { month, metric, reached, threshold } => {
                let (mzh, men) = match metric {
                    Metric::Shares => ("分享", "shares"),
                    Metric::UniqueVisitors => ("访客", "unique visitors"),
                    Metric::ValidLeads => ("有效线索", "valid leads"),
                };
                if zh {
                    format!("{month} {mzh} {reached}（目标 {threshold}）达标奖励")
                } else {
                    format!("{month}: {reached} {men} (target {threshold}) reached")
                }
            }
            Subject::Referral { order_no, nth, year } => {
                let perk = matches!(self.kind, LineKind::Coupon { perk: true });
                match (zh, perk) {
                    (true, false) => format!(
                        "{year} 年第 {nth} 次成功推荐（订单 {order_no}）：{} 优惠券",
                        format_yuan(self.amount_fen)
                    ),
                    (true, true) => format!(
                        "{year} 年第 {nth} 次成功推荐（订单 {order_no}）：{} 优惠券 + 免费服务",
                        format_yuan(self.amount_fen)
                    ),
                    (false, false) => format!(
                        "referral no. {nth} in {year} (deal {order_no}): {} coupon",
                        format_yuan(self.amount_fen)
                    ),
                    (false, true) => format!(
                        "referral no. {nth} in {year} (deal {order_no}): {} coupon + free service",
                        format_yuan(self.amount_fen)
                    ),
                }
            }
        };
        if self.multiplier != Decimal::ONE {
            s += &if zh {
                format!("，加倍期 ×{}", self.multiplier.normalize())
            } else {
                format!(", boost ×{}", self.multiplier.normalize())
            };
        }
        for d in &self.deductions {
            s += &match (d, zh) {
                (Deduction::AtOrBelowCost, true) => "，低于或等于成本价，不计奖励".to_string(),
                (Deduction::AtOrBelowCost, false) => ", at or below cost: no reward".to_string(),
                (Deduction::LatePayment { days, percent }, true) => format!("，逾期回款 {days} 天，扣减 {percent}%"),
                (Deduction::LatePayment { days, percent }, false) => format!(", paid {days} days late: −{percent}%"),
                (Deduction::AuditRejected, true) => "，核验未通过，奖励撤销".to_string(),
                (Deduction::AuditRejected, false) => ", audit rejected: reward reversed".to_string(),
                (Deduction::Refunded, true) => "，订单已全额退款".to_string(),
                (Deduction::Refunded, false) => ", deal fully refunded".to_string(),
            };
        }
        s
    }
}

/// The defaults of PRODUCT.md §3, effective from `from`: employees 2% of collected amount
/// (the sales department 1%), partners 5% / 8% quarterly tiers above ¥100,000, customers'
/// coupon ladder, and the ¥200 new-customer benefit.
pub fn default_rules(from: NaiveDate, sales_department: Option<i64>) -> Vec<Rule> {
    let rule = |id: i64, name: &str, kind: PromoterKind, department_id: Option<i64>, spec: RuleSpec| Rule {
        id,
        version: 1,
        name: name.to_string(),
        promoter_kind: kind,
        department_id,
        campaign_id: None,
        effective_from: from,
        effective_to: None,
        attribution: Attribution::FirstOrder,
        spec,
    };
    let mut rules = vec![
        rule(1, "员工成交提成 2%", PromoterKind::Employee, None, RuleSpec::PercentOfDeal { rate: dec!(0.02) }),
        rule(
            3,
            "合作伙伴季度阶梯佣金",
            PromoterKind::Partner,
            None,
            RuleSpec::MarginalTiers {
                per: PeriodKind::Quarter,
                tiers: vec![
                    Tier { up_to_fen: Some(10_000_000), rate: dec!(0.05) },
                    Tier { up_to_fen: None, rate: dec!(0.08) },
                ],
            },
        ),
        rule(
            4,
            "老客推荐优惠券阶梯",
            PromoterKind::Customer,
            None,
            RuleSpec::CouponLadder {
                steps: vec![
                    Step { amount_fen: 20_000, perk: false },
                    Step { amount_fen: 20_000, perk: false },
                    Step { amount_fen: 80_000, perk: true },
                ],
                later: Step { amount_fen: 20_000, perk: false },
            },
        ),
        rule(5, "新客首单立减 ¥200", PromoterKind::Customer, None, RuleSpec::NewCustomerBenefit { amount_fen: 20_000 }),
        rule(6, "新客首单立减 ¥200", PromoterKind::Employee, None, RuleSpec::NewCustomerBenefit { amount_fen: 20_000 }),
        rule(7, "新客首单立减 ¥200", PromoterKind::Partner, None, RuleSpec::NewCustomerBenefit { amount_fen: 20_000 }),
    ];
    if let Some(dept) = sales_department {
        rules.push(rule(
            2,
            "销售部成交提成 1%",
            PromoterKind::Employee,
            Some(dept),
            RuleSpec::PercentOfDeal { rate: dec!(0.01) },
        ));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn employee(id: i64) -> Promoter {
        Promoter { id, kind: PromoterKind::Employee, department_id: Some(10) }
    }

    fn deal(id: i64, amount_fen: i64, signed_on: &str) -> Deal {
        Deal {
            id,
            order_no: format!("SO-{}", 1000 + id),
            customer: format!("customer-{id}"),
            promoter_id: Some(1),
            sales_rep_id: None,
            service_id: None,
            campaign_id: None,
            amount_fen,
            cost_fen: None,
            signed_on: day(signed_on),
            due_on: None,
            audit: Audit::NotSampled,
        }
    }

    fn paid(id: i64, deal_id: i64, on: &str, amount_fen: i64) -> Payment {
        Payment { id, deal_id, paid_on: day(on), amount_fen }
    }

    fn rules() -> Vec<Rule> {
        default_rules(day("2026-01-01"), Some(20))
    }

    fn amounts(lines: &[RewardLine]) -> Vec<i64> {
        lines.iter().map(|l| l.amount_fen).collect()
    }

    #[test]
    fn worked_example_1_two_deals_paid_on_time() {
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![deal(1, 1_234_567, "2026-11-02"), deal(2, 5_000_000, "2026-11-05")],
            payments: vec![paid(1, 1, "2026-11-03", 1_234_567), paid(2, 2, "2026-11-20", 5_000_000)],
            ..Facts::default()
        };
        let lines = compute(&rules(), &facts, Terms::default());
        assert_eq!(amounts(&lines), vec![24_691, 100_000]);
        assert_eq!(lines.iter().map(|l| l.amount_fen).sum::<i64>(), 124_691);
        assert_eq!(lines[0].explain(Locale::En), "2% of ¥12,345.67 paid on 2026-11-03, deal SO-1001");
        assert_eq!(lines[0].explain(Locale::ZhCn), "订单 SO-1001 于 2026-11-03 回款 ¥12,345.67 的 2%");
        assert_eq!((lines[0].rule_id, lines[0].rule_version), (1, 1));
    }

    #[test]
    fn worked_example_2_late_payment() {
        for (on, expected, percent) in
            [("2026-11-15", 16_000, 20), ("2026-12-05", 10_000, 50), ("2027-04-01", 0, 100), ("2026-10-30", 20_000, 0)]
        {
            let mut d = deal(1, 1_000_000, "2026-09-01");
            d.due_on = Some(day("2026-10-01"));
            let facts = Facts {
                promoters: vec![employee(1)],
                deals: vec![d],
                payments: vec![paid(1, 1, on, 1_000_000)],
                ..Facts::default()
            };
            let lines = compute(&rules(), &facts, Terms::default());
            assert_eq!(amounts(&lines), vec![expected], "paid on {on}");
            if percent > 0 {
                assert!(matches!(lines[0].deductions[0], Deduction::LatePayment { percent: p, .. } if p == percent));
            }
        }
    }

    #[test]
    fn late_payment_edges() {
        assert_eq!(late_percent(29), 0);
        assert_eq!(late_percent(30), 20);
        assert_eq!(late_percent(59), 20);
        assert_eq!(late_percent(60), 50);
        assert_eq!(late_percent(179), 50);
        assert_eq!(late_percent(180), 100);
    }

    #[test]
    fn worked_example_3_boost_window_doubles() {
        let mut d = deal(1, 1_000_000, "2026-11-11");
        d.campaign_id = Some(7);
        let boost = Boost { starts_on: day("2026-11-10"), ends_on: day("2026-11-12"), multiplier: dec!(2) };
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![d],
            payments: vec![paid(1, 1, "2026-11-20", 1_000_000)],
            boosts: vec![(7, vec![boost])],
            ..Facts::default()
        };
        let lines = compute(&rules(), &facts, Terms::default());
        assert_eq!(amounts(&lines), vec![40_000]);
        assert_eq!(lines[0].multiplier, dec!(2));
    }

    #[test]
    fn worked_example_4_at_or_below_cost_earns_nothing_but_keeps_the_line() {
        let mut d = deal(1, 800_000, "2026-11-11");
        d.cost_fen = Some(800_000);
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![d],
            payments: vec![paid(1, 1, "2026-11-20", 800_000)],
            ..Facts::default()
        };
        let lines = compute(&rules(), &facts, Terms::default());
        assert_eq!(amounts(&lines), vec![0]);
        assert_eq!(lines[0].deductions, vec![Deduction::AtOrBelowCost]);
        assert!(lines[0].explain(Locale::En).contains("at or below cost"));
    }

    #[test]
    fn worked_example_5_partner_marginal_tiers_per_quarter() {
        let partner = Promoter { id: 1, kind: PromoterKind::Partner, department_id: None };
        let facts = Facts {
            promoters: vec![partner],
            deals: vec![deal(1, 6_000_000, "2026-10-01"), deal(2, 7_000_000, "2026-11-01")],
            payments: vec![paid(1, 1, "2026-10-20", 6_000_000), paid(2, 2, "2026-11-20", 7_000_000)],
            ..Facts::default()
        };
        let lines = compute(&rules(), &facts, Terms::default());
        assert_eq!(amounts(&lines), vec![740_000]);
        assert_eq!(lines[0].vests_on, Some(day("2026-12-31")));
        assert_eq!(lines[0].key, "tier:3:1:1:2026-Q4");
    }

    #[test]
    fn worked_example_7_split_of_the_pool() {
        let split = Rule {
            id: 9,
            version: 1,
            name: "split".into(),
            promoter_kind: PromoterKind::Employee,
            department_id: None,
            campaign_id: Some(3),
            effective_from: day("2026-01-01"),
            effective_to: None,
            attribution: Attribution::Months(12),
            spec: RuleSpec::Split {
                rate: dec!(0.01),
                first_order: vec![(SplitRole::Referrer, dec!(70)), (SplitRole::Sales, dec!(30))],
                repeat: vec![
                    (SplitRole::Referrer, dec!(10)),
                    (SplitRole::Service, dec!(10)),
                    (SplitRole::Sales, dec!(80)),
                ],
            },
        };
        let mut d = deal(1, 1_000_100, "2026-11-01");
        d.campaign_id = Some(3);
        d.sales_rep_id = Some(2);
        let facts = Facts {
            promoters: vec![employee(1), employee(2)],
            deals: vec![d],
            payments: vec![paid(1, 1, "2026-11-02", 1_000_100)],
            ..Facts::default()
        };
        let mut all = rules();
        all.push(split);
        let lines = compute(&all, &facts, Terms::default());
        // The campaign's split is more specific than the employee 2% default: pool ¥100.01.
        assert_eq!(
            lines.iter().map(|l| (l.promoter_id, l.amount_fen)).collect::<Vec<_>>(),
            vec![(1, 7_001), (2, 3_000)]
        );
    }

    #[test]
    fn worked_example_8_customer_coupon_ladder_resets_yearly() {
        let customer = Promoter { id: 1, kind: PromoterKind::Customer, department_id: None };
        let dates = ["2026-02-01", "2026-05-01", "2026-08-01", "2026-11-01", "2027-01-10"];
        let deals: Vec<Deal> = (1..=5).map(|i| deal(i, 500_000, dates[i as usize - 1])).collect();
        let payments: Vec<Payment> = (1..=5).map(|i| paid(i, i, dates[i as usize - 1], 500_000)).collect();
        let facts = Facts { promoters: vec![customer], deals, payments, ..Facts::default() };
        let lines = compute(&rules(), &facts, Terms::default());
        let got: Vec<(i64, bool)> =
            lines.iter().map(|l| (l.amount_fen, matches!(l.kind, LineKind::Coupon { perk: true }))).collect();
        assert_eq!(got, vec![(20_000, false), (20_000, false), (80_000, true), (20_000, false), (20_000, false)]);
        assert!(lines[2].explain(Locale::ZhCn).contains("免费服务"));
        assert!(lines.iter().all(|l| matches!(l.kind, LineKind::Coupon { .. })));
    }

    #[test]
    fn the_sales_department_earns_its_own_rate() {
        let rep = Promoter { id: 1, kind: PromoterKind::Employee, department_id: Some(20) };
        let facts = Facts {
            promoters: vec![rep],
            deals: vec![deal(1, 1_000_000, "2026-11-01")],
            payments: vec![paid(1, 1, "2026-11-02", 1_000_000)],
            ..Facts::default()
        };
        assert_eq!(amounts(&compute(&rules(), &facts, Terms::default())), vec![10_000]);
    }

    #[test]
    fn a_new_version_applies_from_its_date_and_the_old_one_before() {
        let mut all = rules();
        all[0].effective_to = Some(day("2026-11-30"));
        let mut v2 = all[0].clone();
        v2.version = 2;
        v2.effective_from = day("2026-12-01");
        v2.effective_to = None;
        v2.spec = RuleSpec::PercentOfDeal { rate: dec!(0.03) };
        all.push(v2);
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![deal(1, 1_000_000, "2026-11-30"), deal(2, 1_000_000, "2026-12-01")],
            payments: vec![paid(1, 1, "2026-12-02", 1_000_000), paid(2, 2, "2026-12-02", 1_000_000)],
            ..Facts::default()
        };
        let lines = compute(&all, &facts, Terms::default());
        assert_eq!(
            lines.iter().map(|l| (l.rule_version, l.amount_fen)).collect::<Vec<_>>(),
            vec![(1, 20_000), (2, 30_000)]
        );
    }

    #[test]
    fn attribution_first_order_or_n_months() {
        let mut d1 = deal(1, 1_000_000, "2026-01-15");
        let mut d2 = deal(2, 1_000_000, "2026-06-01");
        let mut d3 = deal(3, 1_000_000, "2026-07-15");
        for d in [&mut d1, &mut d2, &mut d3] {
            d.customer = "same".into();
        }
        d2.promoter_id = None; // inherits the first order's referrer
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![d1, d2, d3],
            payments: vec![
                paid(1, 1, "2026-01-16", 1_000_000),
                paid(2, 2, "2026-06-02", 1_000_000),
                paid(3, 3, "2026-07-16", 1_000_000),
            ],
            ..Facts::default()
        };
        assert_eq!(compute(&rules(), &facts, Terms::default()).len(), 1);
        let mut six_months = rules();
        six_months[0].attribution = Attribution::Months(6);
        let lines = compute(&six_months, &facts, Terms::default());
        assert_eq!(lines.iter().map(|l| l.deal_id).collect::<Vec<_>>(), vec![Some(1), Some(2)]);
    }

    #[test]
    fn percent_band_first_order_by_amount_and_later_orders_at_the_later_rate() {
        let band = Rule {
            id: 11,
            version: 1,
            name: "储值卡".into(),
            promoter_kind: PromoterKind::Employee,
            department_id: None,
            campaign_id: Some(5),
            effective_from: day("2026-01-01"),
            effective_to: None,
            attribution: Attribution::Months(12),
            spec: RuleSpec::PercentBand {
                bands: vec![Band { min_fen: 300_000, rate: dec!(0.03) }, Band { min_fen: 500_000, rate: dec!(0.04) }],
                later_rate: dec!(0.02),
            },
        };
        let mk = |id, amount, on: &str| {
            let mut d = deal(id, amount, on);
            d.campaign_id = Some(5);
            d.customer = format!("c{}", if id <= 2 { id } else { 2 });
            d
        };
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![mk(1, 300_000, "2026-03-01"), mk(2, 600_000, "2026-03-01"), mk(3, 100_000, "2026-04-01")],
            payments: vec![
                paid(1, 1, "2026-03-01", 300_000),
                paid(2, 2, "2026-03-01", 600_000),
                paid(3, 3, "2026-04-01", 100_000),
            ],
            ..Facts::default()
        };
        let mut all = rules();
        all.push(band);
        let lines = compute(&all, &facts, Terms::default());
        assert_eq!(
            lines.iter().map(|l| (l.deal_id, l.amount_fen)).collect::<Vec<_>>(),
            vec![(Some(1), 9_000), (Some(2), 24_000), (Some(3), 2_000)]
        );
    }

    #[test]
    fn flat_per_event_and_activity_targets() {
        let flat = |id, event, amount_fen| Rule {
            id,
            version: 1,
            name: "flat".into(),
            promoter_kind: PromoterKind::Employee,
            department_id: None,
            campaign_id: None,
            effective_from: day("2026-01-01"),
            effective_to: None,
            attribution: Attribution::FirstOrder,
            spec: RuleSpec::FlatPerEvent { event, amount_fen },
        };
        let target = |id, threshold, amount_fen| Rule {
            spec: RuleSpec::ActivityTarget { metric: Metric::Shares, threshold, amount_fen },
            ..flat(id, FlatEvent::Deal, 0)
        };
        let all = vec![
            flat(1, FlatEvent::ValidLead, 5_000),
            flat(2, FlatEvent::Deal, 30_000),
            target(3, 5, 50_000),
            target(4, 6, 20_000),
        ];
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![deal(1, 1_000_000, "2026-11-01")],
            payments: vec![paid(1, 1, "2026-11-03", 1_000_000)],
            valid_leads: vec![ValidLead { id: 8, promoter_id: 1, campaign_id: None, valid_on: day("2026-11-02") }],
            activity: vec![
                Activity { promoter_id: 1, year: 2026, month: 11, shares: 5, unique_visitors: 0, valid_leads: 1 },
                Activity { promoter_id: 1, year: 2026, month: 10, shares: 6, unique_visitors: 0, valid_leads: 0 },
            ],
            ..Facts::default()
        };
        let lines = compute(&all, &facts, Terms::default());
        let got: Vec<(&str, i64)> = lines.iter().map(|l| (l.key.split(':').next().unwrap(), l.amount_fen)).collect();
        assert_eq!(
            got,
            vec![("target", 50_000), ("target", 20_000), ("lead", 5_000), ("deal", 30_000), ("target", 50_000)]
        );
    }

    #[test]
    fn audit_holds_then_verified_vests_and_rejected_reverses() {
        let mut d = deal(1, 1_000_000, "2026-11-01");
        d.audit = Audit::Pending;
        let mut facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![d],
            payments: vec![paid(1, 1, "2026-11-02", 1_000_000)],
            ..Facts::default()
        };
        assert_eq!(compute(&rules(), &facts, Terms::default())[0].vests_on, None);
        facts.deals[0].audit = Audit::Verified;
        assert_eq!(compute(&rules(), &facts, Terms::default())[0].vests_on, Some(day("2026-11-02")));
        facts.deals[0].audit = Audit::Rejected;
        let lines = compute(&rules(), &facts, Terms::default());
        assert_eq!((lines[0].amount_fen, lines[0].deductions.clone()), (0, vec![Deduction::AuditRejected]));
    }

    #[test]
    fn holding_days_delay_vesting() {
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![deal(1, 1_000_000, "2026-11-01")],
            payments: vec![paid(1, 1, "2026-11-20", 1_000_000)],
            ..Facts::default()
        };
        let lines = compute(&rules(), &facts, Terms { holding_days: 30 });
        assert_eq!(lines[0].vests_on, Some(day("2026-12-20")));
    }

    #[test]
    fn a_full_refund_takes_back_exactly_what_was_earned() {
        let mut d = deal(1, 1_234_567, "2026-11-01");
        d.due_on = Some(day("2026-10-01"));
        let facts = Facts {
            promoters: vec![employee(1)],
            deals: vec![d],
            payments: vec![
                paid(1, 1, "2026-11-02", 1_000_000),
                paid(2, 1, "2026-11-03", 234_567),
                paid(3, 1, "2026-12-10", -1_234_567),
            ],
            ..Facts::default()
        };
        let lines = compute(&rules(), &facts, Terms::default());
        assert_eq!(lines.iter().map(|l| l.amount_fen).sum::<i64>(), 0);
        assert!(lines[2].amount_fen < 0);
        assert_eq!(lines[2].vests_on, Some(day("2026-12-10")));
    }

    #[test]
    fn new_customer_benefit_defaults_to_200_yuan() {
        assert_eq!(new_customer_benefit(&rules(), PromoterKind::Employee, day("2026-11-01")), Some(20_000));
        assert_eq!(new_customer_benefit(&rules(), PromoterKind::Customer, day("2025-11-01")), None);
    }

    #[test]
    fn marginal_tiers_at_the_edges() {
        let tiers =
            vec![Tier { up_to_fen: Some(10_000_000), rate: dec!(0.05) }, Tier { up_to_fen: None, rate: dec!(0.08) }];
        assert_eq!(marginal(dec!(10_000_000), &tiers), dec!(500_000));
        assert_eq!(marginal(dec!(13_000_000), &tiers), dec!(740_000));
        assert_eq!(marginal(Decimal::ZERO, &tiers), Decimal::ZERO);
    }

    fn arb_facts() -> impl Strategy<Value = Facts> {
        let deals =
            prop::collection::vec((1i64..5_000_000, 0u32..60, 0u32..3, prop::option::of(0u32..90), 0u8..4), 1..12);
        (deals, prop::collection::vec((0usize..12, 0u32..120, 1i64..5_000_000, any::<bool>()), 0..20)).prop_map(
            |(ds, ps)| {
                let base = day("2026-09-01");
                let deals: Vec<Deal> = ds
                    .iter()
                    .enumerate()
                    .map(|(i, (amount, signed, customer, due, audit))| Deal {
                        id: i as i64 + 1,
                        order_no: format!("SO-{i}"),
                        customer: format!("c{customer}"),
                        promoter_id: Some(1 + (i as i64 % 3)),
                        sales_rep_id: Some(4),
                        service_id: None,
                        campaign_id: None,
                        amount_fen: *amount,
                        cost_fen: Some(amount / 2),
                        signed_on: base + chrono::Duration::days(i64::from(*signed)),
                        due_on: due.map(|d| base + chrono::Duration::days(i64::from(d))),
                        audit: [Audit::NotSampled, Audit::Pending, Audit::Verified, Audit::Rejected][*audit as usize],
                    })
                    .collect();
                let payments = ps
                    .iter()
                    .enumerate()
                    .map(|(i, (deal, on, amount, refund))| Payment {
                        id: i as i64 + 1,
                        deal_id: (*deal % deals.len()) as i64 + 1,
                        paid_on: base + chrono::Duration::days(i64::from(*on)),
                        amount_fen: if *refund { -amount / 3 } else { *amount },
                    })
                    .collect();
                Facts {
                    promoters: vec![
                        employee(1),
                        Promoter { id: 2, kind: PromoterKind::Partner, department_id: None },
                        Promoter { id: 3, kind: PromoterKind::Customer, department_id: None },
                        employee(4),
                    ],
                    deals,
                    payments,
                    ..Facts::default()
                }
            },
        )
    }

    proptest! {
        #[test]
        fn reordering_the_facts_changes_no_line(facts in arb_facts(), seed in any::<u64>()) {
            let all = rules();
            let before = compute(&all, &facts, Terms::default());
            let mut shuffled = facts.clone();
            let n = shuffled.deals.len();
            shuffled.deals.rotate_left((seed as usize) % n);
            shuffled.payments.reverse();
            shuffled.promoters.reverse();
            prop_assert_eq!(before, compute(&all, &shuffled, Terms::default()));
        }

        #[test]
        fn refunds_never_take_back_more_than_was_earned(facts in arb_facts()) {
            let lines = compute(&rules(), &facts, Terms::default());
            let mut per_deal: BTreeMap<(i64, i64), i64> = BTreeMap::new();
            for l in lines.iter().filter(|l| l.key.starts_with("pay:")) {
                *per_deal.entry((l.deal_id.unwrap(), l.promoter_id)).or_default() += l.amount_fen;
            }
            prop_assert!(per_deal.values().all(|v| *v >= 0));
        }
    }
}

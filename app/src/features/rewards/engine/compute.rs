//! Computing reward lines from rules and facts.
use super::types::*;
use crate::features::campaigns::rules::{multiplier_on, Boost};
use crate::shared::money::{round_fen, split_largest_remainder};
use crate::shared::period::Period;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use upline::upline_lines;

#[path = "upline.rs"]
mod upline;

/// Share withheld for paying `days` late (拖延回款) under the default steps: ≥30 → 20%,
/// ≥60 → 50%, ≥180 → 100%.
pub fn late_percent(days: i64) -> u32 {
    LateSteps::default().percent(days)
}

struct Ctx<'a> {
    rules: &'a [Rule],
    terms: DatedTerms,
    promoters: BTreeMap<i64, &'a Promoter>,
    boosts: BTreeMap<i64, &'a [Boost]>,
    deals: BTreeMap<i64, &'a Deal>,
    /// Each deal's customer's first order, by deal id (looked up by number: a what-if asks
    /// millions of times).
    first_order: BTreeMap<i64, &'a Deal>,
    /// Each deal's referrer and commission rule, found once instead of once per payment.
    commission: BTreeMap<i64, (&'a Promoter, &'a Rule)>,
}

impl<'a> Ctx<'a> {
    fn multiplier(&self, d: &Deal) -> Decimal {
        d.campaign_id.and_then(|c| self.boosts.get(&c)).map_or(Decimal::ONE, |b| multiplier_on(b, d.signed_on))
    }

    fn is_first_order(&self, d: &Deal) -> bool {
        self.first_order.get(&d.id).is_some_and(|f| f.id == d.id)
    }

    fn attributed(&self, rule: &Rule, d: &Deal) -> bool {
        let Some(first) = self.first_order.get(&d.id) else { return false };
        match rule.attribution {
            Attribution::FirstOrder => first.id == d.id,
            Attribution::Months(n) => {
                first.signed_on.checked_add_months(Months::new(n)).is_some_and(|until| d.signed_on < until)
            }
        }
    }

    /// The referrer credited with a deal: its own, else its customer's first order's.
    fn referrer(&self, d: &Deal) -> Option<&'a Promoter> {
        let id = d.promoter_id.or_else(|| self.first_order.get(&d.id).and_then(|f| f.promoter_id))?;
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
            _ => Some(paid_on + chrono::Duration::days(self.terms.on(paid_on).holding_days)),
        }
    }
}

/// Cost, late payment and multiplier applied to one payment: (factor on the basis, deductions).
fn deductions(d: &Deal, paid_on: NaiveDate, late: &LateSteps) -> (Decimal, Vec<Deduction>) {
    let mut out = Vec::new();
    if d.audit == Audit::Rejected {
        return (Decimal::ZERO, vec![Deduction::AuditRejected]);
    }
    if d.staff_booking {
        return (Decimal::ZERO, vec![Deduction::StaffBooking]);
    }
    if d.cost_fen.is_some_and(|c| d.amount_fen <= c) {
        return (Decimal::ZERO, vec![Deduction::AtOrBelowCost]);
    }
    let mut factor = Decimal::ONE;
    if let Some(due) = d.due_on {
        let days = (paid_on - due).num_days();
        let percent = late.percent(days);
        if percent > 0 {
            factor = Decimal::from(100 - percent) / dec!(100);
            out.push(Deduction::LatePayment { days, percent });
        }
    }
    (factor, out)
}

impl<'a> Ctx<'a> {
    fn new(rules: &'a [Rule], facts: &'a Facts, terms: DatedTerms) -> (Ctx<'a>, Vec<&'a Deal>, Vec<&'a Payment>) {
        let mut deals: Vec<&Deal> = facts.deals.iter().collect();
        deals.sort_by_key(|d| (d.signed_on, d.id));
        let mut firsts: BTreeMap<&str, &Deal> = BTreeMap::new();
        for d in &deals {
            firsts.entry(d.customer.as_str()).or_insert(d);
        }
        let first_order = deals.iter().filter_map(|d| Some((d.id, *firsts.get(d.customer.as_str())?))).collect();
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
        let mut payments: Vec<&Payment> =
            facts.payments.iter().filter(|p| ctx.deals.contains_key(&p.deal_id)).collect();
        payments.sort_by_key(|p| (p.paid_on, p.id));
        (ctx, deals, payments)
    }
}

fn sorted(mut lines: Vec<RewardLine>) -> Vec<RewardLine> {
    lines.sort_by(|a, b| (a.promoter_id, a.vests_on, &a.key).cmp(&(b.promoter_id, b.vests_on, &b.key)));
    lines
}

/// Computes every reward line the facts earn under the rules. The result does not depend on
/// the order of the inputs: lines come out sorted by promoter, vesting date and key. It is
/// what the ledger holds once every fact has accrued (`accrue`, `tier_lines`,
/// `activity_lines`), plus customers' coupons.
pub fn compute(rules: &[Rule], facts: &Facts, terms: impl Into<DatedTerms>) -> Vec<RewardLine> {
    let (ctx, deals, payments) = Ctx::new(rules, facts, terms.into());
    let mut lines = Vec::new();
    payment_lines(&ctx, &payments, &mut lines);
    upline_lines(&ctx, &payments, &mut lines);
    let parts = tier_parts(&ctx, &payments);
    lines.extend(tier_lines(rules, &parts));
    flat_deal_lines(&ctx, &deals, &payments, &mut lines);
    lead_lines(&ctx, facts, &mut lines);
    target_lines(&ctx, facts, &mut lines);
    coupon_lines(&ctx, &payments, &mut lines);
    sorted(lines)
}

/// What deals and payments earn, as the ledger accrues them one customer at a time: the
/// lines on collected money and per deal, and each payment's part of a marginal-tier pool
/// (the pool spans customers, so its line is made from the parts: `tier_lines`). A
/// customer's lines depend only on that customer's deals (first order, attribution).
pub fn accrue(rules: &[Rule], facts: &Facts, terms: impl Into<DatedTerms>) -> Accrued {
    let (ctx, deals, payments) = Ctx::new(rules, facts, terms.into());
    let mut lines = Vec::new();
    payment_lines(&ctx, &payments, &mut lines);
    upline_lines(&ctx, &payments, &mut lines);
    flat_deal_lines(&ctx, &deals, &payments, &mut lines);
    Accrued { lines: sorted(lines), tier_parts: tier_parts(&ctx, &payments) }
}

/// Lines per valid lead and monthly activity targets, from the facts' valid leads and activity.
pub fn activity_lines(rules: &[Rule], facts: &Facts) -> Vec<RewardLine> {
    let (ctx, _, _) = Ctx::new(rules, facts, DatedTerms::default());
    let mut lines = Vec::new();
    lead_lines(&ctx, facts, &mut lines);
    target_lines(&ctx, facts, &mut lines);
    sorted(lines)
}

/// Running totals of one payee's lines on one deal under one rule, to reverse refunds pro rata.
#[derive(Default)]
struct Earned {
    collected_fen: i64,
    amount_fen: i64,
}

impl Earned {
    /// What a refund of `refund_fen` (negative) takes back: the same share of what was earned
    /// as of what was collected, never more than was earned.
    fn taken_back(&self, refund_fen: i64) -> i64 {
        if self.collected_fen <= 0 {
            return 0;
        }
        round_fen(Decimal::from(self.amount_fen) * Decimal::from(refund_fen) / Decimal::from(self.collected_fen))
            .max(-self.amount_fen)
    }

    fn add(&mut self, collected_fen: i64, amount_fen: i64) {
        self.collected_fen += collected_fen;
        self.amount_fen += amount_fen;
    }
}

/// The whole of a commission to the referrer.
const REFERRER_ALONE: &[(SplitRole, Decimal)] = &[(SplitRole::Referrer, Decimal::ONE)];

/// Percent of deal, percent band and split: one line per payment (and per split share).
fn payment_lines(ctx: &Ctx, payments: &[&Payment], out: &mut Vec<RewardLine>) {
    let mut earned: BTreeMap<(i64, i64, i64, SplitRole), Earned> = BTreeMap::new();
    for pay in payments {
        let d = ctx.deals[&pay.deal_id];
        let Some(&(referrer, rule)) = ctx.commission.get(&d.id) else { continue };
        let first = ctx.is_first_order(d);
        let (rate, shares): (Decimal, &[(SplitRole, Decimal)]) = match &rule.spec {
            RuleSpec::PercentOfDeal { rate } => (*rate, REFERRER_ALONE),
            RuleSpec::PercentBand { bands, later_rate } => {
                let rate = if first {
                    bands.iter().filter(|b| d.amount_fen >= b.min_fen).map(|b| b.rate).max().unwrap_or_default()
                } else {
                    *later_rate
                };
                (rate, REFERRER_ALONE)
            }
            RuleSpec::Split { rate, first_order, repeat } => (*rate, if first { first_order } else { repeat }),
            _ => continue,
        };
        let multiplier = ctx.multiplier(d);
        let (factor, deds) = deductions(d, pay.paid_on, &ctx.terms.on(pay.paid_on).late);
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
                    payee
                        .and_then(|p| earned.get(&(d.id, rule.id, p, *role)))
                        .map_or(0, |e| e.taken_back(pay.amount_fen))
                })
                .collect()
        };
        let pool_fen: i64 = amounts.iter().sum();
        for (((role, weight), payee), amount) in shares.iter().zip(&payees).zip(amounts) {
            let Some(payee) = *payee else { continue };
            earned.entry((d.id, rule.id, payee, *role)).or_default().add(pay.amount_fen, amount);
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
                payment_id: Some(pay.id),
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

/// Marginal tiers: each payment's part of its referrer's pool for the month or quarter it was
/// paid in. Payments of deals waiting for their audit add nothing until verified, but make the
/// pool (and its line) exist.
fn tier_parts(ctx: &Ctx, payments: &[&Payment]) -> Vec<TierPart> {
    let mut parts = Vec::new();
    if !ctx.rules.iter().any(|r| matches!(r.spec, RuleSpec::MarginalTiers { .. })) {
        return parts;
    }
    for pay in payments {
        let d = ctx.deals[&pay.deal_id];
        let Some(&(referrer, rule)) = ctx.commission.get(&d.id) else { continue };
        let RuleSpec::MarginalTiers { per, .. } = &rule.spec else { continue };
        let period = match per {
            PeriodKind::Month => Period::Month { year: pay.paid_on.year(), month: pay.paid_on.month() },
            PeriodKind::Quarter => Period::Quarter { year: pay.paid_on.year(), quarter: pay.paid_on.month0() / 3 + 1 },
        };
        let (basis, collected_fen, multiplier) = if d.audit == Audit::Pending {
            (Decimal::ZERO, 0, Decimal::ONE)
        } else {
            let (factor, _) = deductions(d, pay.paid_on, &ctx.terms.on(pay.paid_on).late);
            let m = ctx.multiplier(d);
            (Decimal::from(pay.amount_fen) * factor * m, pay.amount_fen, m)
        };
        parts.push(TierPart {
            key: format!("tierpart:{}:{}:{}", rule.id, rule.version, pay.id),
            tier_key: TierPart::tier_key(rule.id, rule.version, referrer.id, &period.key()),
            rule_id: rule.id,
            rule_version: rule.version,
            promoter_id: referrer.id,
            period: period.key(),
            basis,
            collected_fen,
            multiplier,
        });
    }
    parts
}

/// Marginal tiers: one line per promoter and month or quarter, over the parts of its pool
/// (amounts after cost, lateness and boost). Parts of rules not in `rules` are ignored.
pub fn tier_lines(rules: &[Rule], parts: &[TierPart]) -> Vec<RewardLine> {
    let mut pools: BTreeMap<&str, Vec<&TierPart>> = BTreeMap::new();
    for p in parts {
        pools.entry(p.tier_key.as_str()).or_default().push(p);
    }
    let mut out = Vec::new();
    for pool in pools.values() {
        let first = pool[0];
        let Some(rule) = rules.iter().find(|r| r.id == first.rule_id && r.version == first.rule_version) else {
            continue;
        };
        let RuleSpec::MarginalTiers { tiers, .. } = &rule.spec else { continue };
        let Some(period) = Period::parse_key(&first.period) else { continue };
        let basis: Decimal = pool.iter().map(|p| p.basis).sum();
        let collected_fen: i64 = pool.iter().map(|p| p.collected_fen).sum();
        let multiplier = pool.iter().map(|p| p.multiplier).fold(Decimal::ONE, Decimal::max);
        let exact = marginal(basis.max(Decimal::ZERO), tiers);
        let rate = if basis > Decimal::ZERO { (exact / basis).round_dp(6) } else { Decimal::ZERO };
        out.push(RewardLine {
            key: first.tier_key.clone(),
            promoter_id: first.promoter_id,
            rule_id: rule.id,
            rule_version: rule.version,
            kind: LineKind::Cash,
            deal_id: None,
            payment_id: None,
            basis_fen: collected_fen,
            rate,
            multiplier,
            deductions: Vec::new(),
            amount_fen: round_fen(exact),
            vests_on: Some(period.dates().1),
            subject: Subject::Period { key: period.key() },
        });
    }
    out
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
    let per_deal = |r: &Rule| matches!(r.spec, RuleSpec::FlatPerEvent { event: FlatEvent::Deal, .. });
    if !ctx.rules.iter().any(per_deal) {
        return;
    }
    let (first_paid, net) = paid_totals(payments);
    for d in deals {
        let Some(paid_on) = first_paid.get(&d.id).copied() else { continue };
        let Some(referrer) = ctx.referrer(d) else { continue };
        for rule in ctx
            .rules
            .iter()
            .filter(|r| per_deal(r) && r.applies_to(referrer, d.campaign_id, d.signed_on) && ctx.attributed(r, d))
        {
            let RuleSpec::FlatPerEvent { event: FlatEvent::Deal, amount_fen } = rule.spec else { continue };
            let multiplier = ctx.multiplier(d);
            let (factor, mut deds) = deductions(d, paid_on, &ctx.terms.on(paid_on).late);
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
                payment_id: None,
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
                payment_id: None,
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

/// Monthly activity targets: reached → the reward, vesting on the month's last day. A rule
/// scoped to a campaign counts that campaign's activity; any other, all of the promoter's.
fn target_lines(ctx: &Ctx, facts: &Facts, out: &mut Vec<RewardLine>) {
    // (promoter, year, month) → activity per campaign.
    let mut months: BTreeMap<(i64, i32, u32), Vec<&Activity>> = BTreeMap::new();
    for a in &facts.activity {
        months.entry((a.promoter_id, a.year, a.month)).or_default().push(a);
    }
    for ((promoter_id, year, month), parts) in months {
        let Some(p) = ctx.promoters.get(&promoter_id) else { continue };
        let month = Period::Month { year, month };
        let last = month.dates().1;
        // A campaign's rule applies to the promoter's activity for that campaign, below.
        for rule in ctx.rules.iter().filter(|r| r.applies_to(p, r.campaign_id, last)) {
            let RuleSpec::ActivityTarget { metric, threshold, amount_fen } = rule.spec else { continue };
            let counted = parts.iter().filter(|a| rule.campaign_id.is_none_or(|c| a.campaign_id == Some(c)));
            let reached: i64 = counted
                .map(|a| match metric {
                    Metric::Shares => a.shares,
                    Metric::UniqueVisitors => a.unique_visitors,
                    Metric::ValidLeads => a.valid_leads,
                    Metric::CustomerStories => a.stories,
                    // Never counted: no target pays for recruiting (the rule is refused).
                    Metric::Recruits => 0,
                })
                .sum();
            if reached < threshold || metric == Metric::Recruits {
                continue;
            }
            out.push(RewardLine {
                key: format!("target:{}:{}:{}:{}", rule.id, rule.version, p.id, month.key()),
                promoter_id: p.id,
                rule_id: rule.id,
                rule_version: rule.version,
                kind: LineKind::Cash,
                deal_id: None,
                payment_id: None,
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
        // Referring staff or their family is no successful referral.
        if p.kind == PromoterKind::Customer && !d.staff_booking {
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
            payment_id: None,
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
pub fn new_customer_benefit(rules: &[Rule], kind: PromoterKind, day: NaiveDate) -> Option<Benefit> {
    rules
        .iter()
        .filter(|r| r.promoter_kind == kind && r.in_effect(day))
        .filter_map(|r| match r.spec {
            RuleSpec::NewCustomerBenefit { amount_fen, percent } => Some((r.id, Benefit { amount_fen, percent })),
            _ => None,
        })
        .min_by_key(|(id, _)| *id)
        .map(|(_, b)| b)
}

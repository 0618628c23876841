//! What-if replay: what a period's facts earn under a set of rules, built from the same pure
//! engine the ledger accrues with, batch by batch so that memory holds a batch of customers
//! and one figure per promoter, never the period's lines. Counted as a settlement run counts:
//! cash lines vesting within the period.
use super::compute::{accrue, activity_lines, tier_lines};
use super::types::{DatedTerms, Facts, LineKind, RewardLine, Rule, TierPart};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One set of rules' reward cost of a period, by promoter, as batches of facts arrive.
#[derive(Debug, Clone)]
pub struct Tally {
    first: NaiveDate,
    last: NaiveDate,
    /// Cash vesting within the period, by promoter (fen).
    by_promoter: BTreeMap<i64, i64>,
    /// Marginal-tier pools, their parts folded as they arrive (a pool spans customers).
    pools: BTreeMap<String, TierPart>,
}

impl Tally {
    pub fn new(first: NaiveDate, last: NaiveDate) -> Tally {
        Tally { first, last, by_promoter: BTreeMap::new(), pools: BTreeMap::new() }
    }

    /// Whether a line is part of the period's reward cost.
    pub fn counts(&self, l: &RewardLine) -> bool {
        l.kind == LineKind::Cash && l.vests_on.is_some_and(|d| d >= self.first && d <= self.last)
    }

    fn add(&mut self, lines: &[RewardLine]) {
        for l in lines {
            if self.counts(l) {
                *self.by_promoter.entry(l.promoter_id).or_default() += l.amount_fen;
            }
        }
    }

    /// Whole customers' deals and payments (a customer's lines depend only on its own deals).
    pub fn customers(&mut self, rules: &[Rule], facts: &Facts, terms: &DatedTerms) {
        let accrued = accrue(rules, facts, terms.clone());
        self.add(&accrued.lines);
        for part in accrued.tier_parts {
            match self.pools.get_mut(&part.tier_key) {
                // Tier lines read the sums of basis and collected, and the largest multiplier.
                Some(pool) => {
                    pool.basis += part.basis;
                    pool.collected_fen += part.collected_fen;
                    pool.multiplier = pool.multiplier.max(part.multiplier);
                }
                None => {
                    self.pools.insert(part.tier_key.clone(), part);
                }
            }
        }
    }

    /// Valid leads and monthly activity of some promoters.
    pub fn activity(&mut self, rules: &[Rule], facts: &Facts) {
        let lines = activity_lines(rules, facts);
        self.add(&lines);
    }

    /// Monthly activity targets only (the ledger holds the rest of what the rules in force pay).
    pub fn targets(&mut self, rules: &[Rule], facts: &Facts) {
        let lines: Vec<RewardLine> =
            activity_lines(rules, facts).into_iter().filter(|l| l.key.starts_with("target:")).collect();
        self.add(&lines);
    }

    /// The period's cost by promoter, the tier pools' lines included.
    pub fn finish(mut self, rules: &[Rule]) -> BTreeMap<i64, i64> {
        let parts: Vec<TierPart> = std::mem::take(&mut self.pools).into_values().collect();
        let lines = tier_lines(rules, &parts);
        self.add(&lines);
        self.by_promoter.retain(|_, fen| *fen != 0);
        self.by_promoter
    }
}

/// The rules a draft would make: `draft` in place of every version of its rule (or added, for a
/// new rule), in effect for every fact replayed (a deal signed before the period and paid in
/// it earns under the rule of its signing day).
pub fn with_draft(rules: &[Rule], draft: &Rule) -> Vec<Rule> {
    let mut out: Vec<Rule> = rules.iter().filter(|r| r.id != draft.id).cloned().collect();
    let mut replayed = draft.clone();
    replayed.effective_from = NaiveDate::MIN;
    replayed.effective_to = None;
    out.push(replayed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::deals::Audit;
    use crate::features::rewards::engine::{
        compute, default_rules, Attribution, Deal, Payment, PeriodKind, Promoter, PromoterKind, RuleSpec, Tier,
    };
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn deal(id: i64, customer: &str, promoter: i64, fen: i64, signed: &str) -> Deal {
        Deal {
            id,
            order_no: format!("SO-{id}"),
            customer: customer.to_string(),
            promoter_id: Some(promoter),
            sales_rep_id: None,
            service_id: None,
            campaign_id: None,
            amount_fen: fen,
            cost_fen: None,
            signed_on: day(signed),
            due_on: None,
            audit: Audit::NotSampled,
            staff_booking: false,
        }
    }

    fn partner_tiers() -> Rule {
        Rule {
            id: 9,
            version: 1,
            name: "partners".into(),
            promoter_kind: PromoterKind::Partner,
            department_id: None,
            campaign_id: None,
            effective_from: day("2000-01-01"),
            effective_to: None,
            attribution: Attribution::FirstOrder,
            upline: Vec::new(),
            spec: RuleSpec::MarginalTiers {
                per: PeriodKind::Quarter,
                tiers: vec![
                    Tier { up_to_fen: Some(10_000_000), rate: Decimal::from_str("0.05").unwrap() },
                    Tier { up_to_fen: None, rate: Decimal::from_str("0.08").unwrap() },
                ],
            },
        }
    }

    /// Batches of customers in any split give what the engine computes over all facts at once,
    /// tier pools that span batches included (PRODUCT.md §4 example 5: ¥7,400.00).
    #[test]
    fn batches_add_up_to_the_full_compute() {
        let rules = vec![partner_tiers()];
        let promoters = vec![Promoter { id: 7, kind: PromoterKind::Partner, department_id: None, recruiter_id: None }];
        let deals = vec![
            deal(1, "+8613800000001", 7, 6_000_000, "2026-10-10"),
            deal(2, "+8613800000002", 7, 7_000_000, "2026-11-10"),
        ];
        let payments = vec![
            Payment { id: 1, deal_id: 1, paid_on: day("2026-10-10"), amount_fen: 6_000_000 },
            Payment { id: 2, deal_id: 2, paid_on: day("2026-11-10"), amount_fen: 7_000_000 },
        ];
        let (first, last) = (day("2026-10-01"), day("2026-12-31"));
        let terms = DatedTerms::default();
        let all = Facts {
            promoters: promoters.clone(),
            deals: deals.clone(),
            payments: payments.clone(),
            ..Facts::default()
        };
        let mut whole = Tally::new(first, last);
        let expected: i64 =
            compute(&rules, &all, terms.clone()).iter().filter(|l| whole.counts(l)).map(|l| l.amount_fen).sum();
        assert_eq!(expected, 740_000);
        whole.customers(&rules, &all, &terms);
        assert_eq!(whole.finish(&rules), BTreeMap::from([(7, 740_000)]));
        let mut batched = Tally::new(first, last);
        for i in 0..2 {
            let one = Facts {
                promoters: promoters.clone(),
                deals: vec![deals[i].clone()],
                payments: vec![payments[i].clone()],
                ..Facts::default()
            };
            batched.customers(&rules, &one, &terms);
        }
        assert_eq!(batched.finish(&rules), BTreeMap::from([(7, 740_000)]));
        // Outside the period nothing counts.
        let mut november = Tally::new(day("2026-11-01"), day("2026-11-30"));
        november.customers(&rules, &all, &terms);
        assert!(november.finish(&rules).is_empty());
    }

    /// A draft replaces every version of its rule over the period; other rules stay.
    #[test]
    fn a_draft_replaces_its_rule() {
        let rules = default_rules(day("2000-01-01"), None);
        let mut draft = rules[0].clone();
        draft.effective_from = day("2027-01-01");
        let replayed = with_draft(&rules, &draft);
        assert_eq!(replayed.len(), rules.len());
        let mine = replayed.iter().find(|r| r.id == draft.id).unwrap();
        assert!(mine.in_effect(day("2000-01-01")));
        assert!(mine.effective_to.is_none());
    }
}

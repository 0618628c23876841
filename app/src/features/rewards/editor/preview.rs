//! The editor's preview: the rule being written, run by the same pure engine on a few example
//! deals the user can change (each paid in full the day it is signed, on the rule's first
//! day), so the figures are what the ledger would hold for them.
use crate::features::rewards::engine::*;
use chrono::Datelike;

/// An example deal as typed: who bought, and the amount in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub customer: String,
    pub amount_fen: i64,
}

/// The promoter the examples are referred by; a split's sales rep and service contact.
const PROMOTER: i64 = 1;
const SALES: i64 = 2;
const SERVICE: i64 = 3;

/// The reward lines `rule` makes for the examples (and `reached` of a monthly target's metric).
pub fn preview(rule: &Rule, examples: &[Example], reached: i64) -> Vec<RewardLine> {
    let on = rule.effective_from;
    let promoter =
        |id| Promoter { id, kind: rule.promoter_kind, department_id: rule.department_id, recruiter_id: None };
    let deals: Vec<Deal> = examples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let id = i as i64 + 1;
            Deal {
                id,
                order_no: format!("EX-{id}"),
                customer: e.customer.trim().to_string(),
                promoter_id: Some(PROMOTER),
                sales_rep_id: Some(SALES),
                service_id: Some(SERVICE),
                campaign_id: rule.campaign_id,
                amount_fen: e.amount_fen,
                cost_fen: None,
                signed_on: on,
                due_on: None,
                audit: Audit::NotSampled,
                staff_booking: false,
            }
        })
        .collect();
    let payments =
        deals.iter().map(|d| Payment { id: d.id, deal_id: d.id, paid_on: on, amount_fen: d.amount_fen }).collect();
    let valid_leads = deals
        .iter()
        .map(|d| ValidLead { id: d.id, promoter_id: PROMOTER, campaign_id: rule.campaign_id, valid_on: on })
        .collect();
    let activity = vec![Activity {
        promoter_id: PROMOTER,
        year: on.year(),
        month: on.month(),
        campaign_id: rule.campaign_id,
        shares: reached,
        unique_visitors: reached,
        valid_leads: reached,
        stories: reached,
    }];
    let facts = Facts {
        promoters: vec![promoter(PROMOTER), promoter(SALES), promoter(SERVICE)],
        deals,
        payments,
        valid_leads,
        activity,
        boosts: Vec::new(),
    };
    compute(std::slice::from_ref(rule), &facts, Terms::default())
}

/// A first-order benefit rule on the examples: each new customer's first order and what
/// checkout takes off it. Empty for other kinds.
pub fn benefits(rule: &Rule, examples: &[Example]) -> Vec<(i64, i64)> {
    let RuleSpec::NewCustomerBenefit { amount_fen, percent } = rule.spec else { return Vec::new() };
    let mut seen = std::collections::BTreeSet::new();
    examples
        .iter()
        .filter(|e| seen.insert(e.customer.trim().to_string()))
        .map(|e| (e.amount_fen, crate::shared::money::benefit_off(e.amount_fen, amount_fen, percent)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::rewards::editor::draft::RuleDraft;
    use crate::features::rewards::model::RuleKind;

    fn example(customer: &str, yuan: i64) -> Example {
        Example { customer: customer.into(), amount_fen: yuan * 100 }
    }

    fn rule(kind: RuleKind) -> Rule {
        let mut d = RuleDraft::new(9, kind, "2026-12-01".parse().unwrap());
        d.name = "示例".into();
        d.to_rule().unwrap()
    }

    fn total(lines: &[RewardLine]) -> i64 {
        lines.iter().map(|l| l.amount_fen).sum()
    }

    #[test]
    fn every_kind_previews_on_the_examples() {
        let ex = [example("王女士", 12_000), example("王女士", 3_000), example("李先生", 150_000)];
        // 2% of everything collected on the first orders (the second of 王女士 is a later order).
        assert_eq!(total(&preview(&rule(RuleKind::PercentOfDeal), &ex, 0)), 24_000 + 300_000);
        // Bands: ¥12,000 at 2%, ¥150,000 at 3%; the later order earns nothing under a
        // first-order rule, and 1% once orders within 12 months count.
        assert_eq!(total(&preview(&rule(RuleKind::PercentBand), &ex, 0)), 24_000 + 450_000);
        let mut months = rule(RuleKind::PercentBand);
        months.attribution = Attribution::Months(12);
        assert_eq!(total(&preview(&months, &ex, 0)), 24_000 + 3_000 + 450_000);
        // Quarterly tiers over ¥165,000 collected, first orders only: ¥162,000 → 100,000×5% + 62,000×8%.
        assert_eq!(total(&preview(&rule(RuleKind::MarginalTiers), &ex, 0)), 500_000 + 496_000);
        // ¥50 per valid lead, three leads.
        assert_eq!(total(&preview(&rule(RuleKind::FlatPerEvent), &ex, 0)), 15_000);
        // ¥800 once 10 valid leads are reached in the month, not at 9.
        assert_eq!(total(&preview(&rule(RuleKind::ActivityTarget), &ex, 10)), 80_000);
        assert_eq!(total(&preview(&rule(RuleKind::ActivityTarget), &ex, 9)), 0);
        // A pool of 3% of the first orders' ¥162,000 collected, all of it handed out.
        assert_eq!(total(&preview(&rule(RuleKind::Split), &ex, 0)), 486_000);
        // Customers' ladder: two distinct customers referred, ¥200 each.
        let mut ladder = rule(RuleKind::CouponLadder);
        ladder.promoter_kind = PromoterKind::Customer;
        assert_eq!(total(&preview(&ladder, &ex, 0)), 40_000);
        assert!(preview(&rule(RuleKind::NewCustomerBenefit), &ex, 0).is_empty());
        // ¥200 off each new customer's first order; or 10% of it, at most ¥300.
        assert_eq!(benefits(&rule(RuleKind::NewCustomerBenefit), &ex), [(1_200_000, 20_000), (15_000_000, 20_000)]);
        let mut share = rule(RuleKind::NewCustomerBenefit);
        share.spec =
            RuleSpec::NewCustomerBenefit { amount_fen: 30_000, percent: Some(rust_decimal_macros::dec!(0.01)) };
        assert_eq!(benefits(&share, &ex), [(1_200_000, 12_000), (15_000_000, 30_000)]);
    }
}

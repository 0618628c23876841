//! Settlement (结算), PRODUCT.md §4: from the reward engine's lines to one statement per
//! promoter for a period. A statement pays what vested in the period plus every difference
//! between what the engine says now and what approved runs already paid (refunds, failed
//! audits, late facts): those are the adjustment lines. A negative net, or one below the
//! minimum payout, is carried forward (before tax) and never paid.
use super::tax::TaxTreatment;
use crate::features::rewards::engine::{LineKind, RewardLine};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What approved runs paid for one line key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    pub key: String,
    pub promoter_id: i64,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub line: Option<RewardLine>,
    pub key: String,
    /// What this statement pays for the line: its amount, or the change since it was paid.
    pub amount_fen: i64,
    pub adjustment: bool,
    pub previously_paid_fen: i64,
}

crate::closed_set! {
    /// Why a statement's gross was carried to the next period instead of paid.
    pub enum CarryReason("carry reason") {
        Negative = "negative",
        BelowMinimum = "below_minimum",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub promoter_id: i64,
    pub treatment: TaxTreatment,
    pub lines: Vec<StatementLine>,
    pub carried_in_fen: i64,
    /// Lines and adjustments plus what was carried in.
    pub gross_fen: i64,
    pub tax_fen: i64,
    pub net_fen: i64,
    /// Gross carried to the next period instead of being paid.
    pub carry_out_fen: i64,
    pub carry_reason: Option<CarryReason>,
}

pub struct Draft<'a> {
    /// Promoters in the run's scope and how each is taxed.
    pub promoters: &'a BTreeMap<i64, TaxTreatment>,
    pub lines: &'a [RewardLine],
    pub settled: &'a [Settled],
    /// Carried forward to this period by the previous approved run.
    pub carried_in: &'a BTreeMap<i64, i64>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub minimum_payout_fen: i64,
}

/// Drafts the statements of one run. Deterministic: statements by promoter, lines by vesting
/// date and key, whatever order the inputs came in.
pub fn draft(d: &Draft) -> Vec<Statement> {
    let mut paid: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for s in d.settled {
        let e = paid.entry(s.key.as_str()).or_insert((s.promoter_id, 0));
        e.1 += s.amount_fen;
    }
    let mut per_promoter: BTreeMap<i64, Vec<StatementLine>> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut lines: Vec<&RewardLine> = d
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Cash && d.promoters.contains_key(&l.promoter_id))
        .filter(|l| l.vests_on.is_some_and(|v| v <= d.last_day))
        .collect();
    lines.sort_by(|a, b| (a.promoter_id, a.vests_on, &a.key).cmp(&(b.promoter_id, b.vests_on, &b.key)));
    for l in lines {
        seen.insert(l.key.as_str());
        let before = paid.get(l.key.as_str()).map_or(0, |p| p.1);
        let in_period = l.vests_on.is_some_and(|v| v >= d.first_day);
        let adjustment = !in_period || before != 0;
        let amount = l.amount_fen - before;
        if adjustment && amount == 0 {
            continue;
        }
        per_promoter.entry(l.promoter_id).or_default().push(StatementLine {
            line: Some(l.clone()),
            key: l.key.clone(),
            amount_fen: amount,
            adjustment,
            previously_paid_fen: before,
        });
    }
    // Paid lines the engine no longer produces are taken back in full.
    for (key, (promoter, amount)) in &paid {
        if !seen.contains(key) && *amount != 0 && d.promoters.contains_key(promoter) {
            per_promoter.entry(*promoter).or_default().push(StatementLine {
                line: None,
                key: key.to_string(),
                amount_fen: -amount,
                adjustment: true,
                previously_paid_fen: *amount,
            });
        }
    }
    for (promoter, carried) in d.carried_in {
        if *carried != 0 && d.promoters.contains_key(promoter) {
            per_promoter.entry(*promoter).or_default();
        }
    }
    per_promoter
        .into_iter()
        .map(|(promoter_id, lines)| {
            let fen = lines.iter().map(|l| l.amount_fen).sum::<i64>();
            let carried_in = d.carried_in.get(&promoter_id).copied().unwrap_or(0);
            statement(promoter_id, d.promoters[&promoter_id], lines, fen, carried_in, d.minimum_payout_fen)
        })
        .collect()
}

/// A promoter's statement from its lines (`lines_fen` their sum) and what is carried in: the
/// gross, the tax withheld, and what is paid or carried forward.
pub fn statement(
    promoter_id: i64,
    treatment: TaxTreatment,
    lines: Vec<StatementLine>,
    lines_fen: i64,
    carried_in: i64,
    minimum_payout_fen: i64,
) -> Statement {
    let gross = lines_fen + carried_in;
    let tax = treatment.withholding(gross);
    let (tax, net, carry, reason) = if gross < 0 {
        (0, 0, gross, Some(CarryReason::Negative))
    } else if gross > 0 && gross - tax < minimum_payout_fen {
        (0, 0, gross, Some(CarryReason::BelowMinimum))
    } else {
        (tax, gross - tax, 0, None)
    };
    Statement {
        promoter_id,
        treatment,
        lines,
        carried_in_fen: carried_in,
        gross_fen: gross,
        tax_fen: tax,
        net_fen: net,
        carry_out_fen: carry,
        carry_reason: reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::rewards::engine::{
        compute, default_rules, Audit, Deal, Facts, Payment, Promoter, PromoterKind, Terms,
    };
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(payments: Vec<(i64, i64, &str, i64)>) -> Facts {
        Facts {
            promoters: vec![Promoter { id: 1, kind: PromoterKind::Employee, department_id: None, recruiter_id: None }],
            deals: [(1, 1_234_567), (2, 5_000_000)]
                .into_iter()
                .map(|(id, amount_fen)| Deal {
                    id,
                    order_no: format!("SO-{id}"),
                    customer: format!("c{id}"),
                    promoter_id: Some(1),
                    sales_rep_id: None,
                    service_id: None,
                    campaign_id: None,
                    amount_fen,
                    cost_fen: None,
                    signed_on: day("2026-11-01"),
                    due_on: None,
                    audit: Audit::NotSampled,
                    staff_booking: false,
                })
                .collect(),
            payments: payments
                .into_iter()
                .map(|(id, deal_id, on, amount_fen)| Payment { id, deal_id, paid_on: day(on), amount_fen })
                .collect(),
            ..Facts::default()
        }
    }

    fn lines(f: &Facts) -> Vec<RewardLine> {
        compute(&default_rules(day("2026-01-01"), None), f, Terms::default())
    }

    fn run(
        lines: &[RewardLine],
        settled: &[Settled],
        carried: &BTreeMap<i64, i64>,
        month: &str,
        min: i64,
    ) -> Vec<Statement> {
        let first = day(&format!("{month}-01"));
        let last = first.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
        let promoters = BTreeMap::from([(1, TaxTreatment::Incidental)]);
        draft(&Draft {
            promoters: &promoters,
            lines,
            settled,
            carried_in: carried,
            first_day: first,
            last_day: last,
            minimum_payout_fen: min,
        })
    }

    fn settle(statements: &[Statement]) -> Vec<Settled> {
        statements
            .iter()
            .flat_map(|s| {
                s.lines.iter().map(|l| Settled {
                    key: l.key.clone(),
                    promoter_id: s.promoter_id,
                    amount_fen: l.amount_fen,
                })
            })
            .collect()
    }

    #[test]
    fn worked_example_1_statement() {
        let f = facts(vec![(1, 1, "2026-11-03", 1_234_567), (2, 2, "2026-11-20", 5_000_000)]);
        let s = run(&lines(&f), &[], &BTreeMap::new(), "2026-11", 0);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].gross_fen, s[0].tax_fen, s[0].net_fen), (124_691, 24_938, 99_753));
        assert!(s[0].lines.iter().all(|l| !l.adjustment));
    }

    #[test]
    fn lines_of_later_periods_wait_and_paid_lines_are_not_paid_twice() {
        let f = facts(vec![(1, 1, "2026-11-03", 1_234_567), (2, 2, "2026-12-02", 5_000_000)]);
        let l = lines(&f);
        let nov = run(&l, &[], &BTreeMap::new(), "2026-11", 0);
        assert_eq!(nov[0].gross_fen, 24_691);
        let dec = run(&l, &settle(&nov), &BTreeMap::new(), "2026-12", 0);
        assert_eq!(dec[0].gross_fen, 100_000);
        assert_eq!(dec[0].lines.len(), 1);
    }

    #[test]
    fn a_negative_net_is_carried_forward_and_offsets_the_next_period() {
        let f = facts(vec![
            (1, 2, "2026-11-03", 5_000_000),
            (2, 2, "2026-12-02", -5_000_000),
            (3, 1, "2027-01-05", 1_234_567),
        ]);
        let l = lines(&f);
        let nov = run(&l, &[], &BTreeMap::new(), "2026-11", 0);
        let dec = run(&l, &settle(&nov), &BTreeMap::new(), "2026-12", 0);
        assert_eq!((dec[0].gross_fen, dec[0].net_fen, dec[0].carry_out_fen), (-100_000, 0, -100_000));
        assert_eq!(dec[0].carry_reason, Some(CarryReason::Negative));
        let carried = BTreeMap::from([(1, dec[0].carry_out_fen)]);
        let settled: Vec<Settled> = settle(&nov).into_iter().chain(settle(&dec)).collect();
        let jan = run(&l, &settled, &carried, "2027-01", 0);
        assert_eq!((jan[0].gross_fen, jan[0].tax_fen, jan[0].net_fen), (24_691 - 100_000, 0, 0));
    }

    #[test]
    fn a_small_net_waits_for_the_minimum_payout() {
        let f = facts(vec![(1, 1, "2026-11-03", 1_234_567)]);
        let s = run(&lines(&f), &[], &BTreeMap::new(), "2026-11", 50_000);
        assert_eq!((s[0].tax_fen, s[0].net_fen, s[0].carry_out_fen), (0, 0, 24_691));
        assert_eq!(s[0].carry_reason, Some(CarryReason::BelowMinimum));
    }

    #[test]
    fn a_rejected_audit_after_payout_becomes_an_adjustment() {
        let mut f = facts(vec![(1, 2, "2026-11-03", 5_000_000)]);
        let nov = run(&lines(&f), &[], &BTreeMap::new(), "2026-11", 0);
        f.deals[1].audit = Audit::Rejected;
        let dec = run(&lines(&f), &settle(&nov), &BTreeMap::new(), "2026-12", 0);
        assert_eq!(dec[0].lines.len(), 1);
        assert!(dec[0].lines[0].adjustment);
        assert_eq!(dec[0].lines[0].amount_fen, -100_000);
    }

    proptest! {
        #[test]
        fn drafting_twice_gives_identical_statements(amounts in prop::collection::vec((0i64..2, 1i64..10_000_000, 0i64..60), 1..15)) {
            let payments: Vec<(i64, i64, String, i64)> = amounts
                .iter()
                .enumerate()
                .map(|(i, (deal, amount, d))| (i as i64 + 1, deal + 1, (day("2026-11-01") + chrono::Duration::days(*d)).to_string(), *amount))
                .collect();
            let f = facts(payments.iter().map(|(a, b, c, d)| (*a, *b, c.as_str(), *d)).collect());
            let l = lines(&f);
            let once = run(&l, &[], &BTreeMap::new(), "2026-11", 0);
            let mut reversed = l.clone();
            reversed.reverse();
            let twice = run(&reversed, &[], &BTreeMap::new(), "2026-11", 0);
            prop_assert_eq!(serde_json::to_string(&once).unwrap(), serde_json::to_string(&twice).unwrap());
        }

        #[test]
        fn a_refund_after_approval_is_exactly_offset_next_period(amount in 1i64..100_000_000, late in 0i64..200) {
            let mut f = facts(vec![(1, 1, "2026-11-10", amount)]);
            f.deals[0].amount_fen = amount;
            f.deals[0].due_on = Some(day("2026-11-10") - chrono::Duration::days(late));
            let nov = run(&lines(&f), &[], &BTreeMap::new(), "2026-11", 0);
            let paid_in_nov = nov.first().map_or(0, |s| s.gross_fen);
            f.payments.push(Payment { id: 2, deal_id: 1, paid_on: day("2026-12-03"), amount_fen: -amount });
            let dec = run(&lines(&f), &settle(&nov), &BTreeMap::new(), "2026-12", 0);
            let taken_back = dec.first().map_or(0, |s| s.gross_fen);
            prop_assert_eq!(taken_back, -paid_in_nov);
        }
    }
}

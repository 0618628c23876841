//! The multi-level guard (禁止传销条例 art. 7) in the engine: a rule's `upline` pays one level
//! above the referrer, only while admin has the second level on, and never a level more.
use super::tests::{day, deal, paid};
use super::*;
use crate::plumbing::i18n::Locale;
use rust_decimal_macros::dec;

/// Customers: 1 brought in 2 (2's first order was 1's referral), 2 brought in 3.
fn customer(id: i64, recruiter_id: Option<i64>) -> Promoter {
    Promoter { id, kind: PromoterKind::Customer, department_id: None, recruiter_id }
}

/// 2% to the referrer, 1% one level above.
fn two_levels() -> Vec<Rule> {
    vec![Rule {
        id: 1,
        version: 1,
        name: "老客二级佣金".into(),
        promoter_kind: PromoterKind::Customer,
        department_id: None,
        campaign_id: None,
        effective_from: day("2026-01-01"),
        effective_to: None,
        attribution: Attribution::FirstOrder,
        upline: vec![dec!(0.01)],
        spec: RuleSpec::PercentOfDeal { rate: dec!(0.02) },
    }]
}

fn on() -> Terms {
    Terms { second_level: true, ..Terms::default() }
}

/// A ¥10,000.00 first order referred by `referrer`, paid as given.
fn facts(referrer: i64, payments: Vec<Payment>) -> Facts {
    Facts {
        promoters: vec![customer(1, None), customer(2, Some(1)), customer(3, Some(2))],
        deals: vec![Deal { promoter_id: Some(referrer), ..deal(1, 1_000_000, "2026-11-02") }],
        payments,
        ..Facts::default()
    }
}

fn earned(lines: &[RewardLine]) -> Vec<(i64, i64)> {
    lines.iter().map(|l| (l.promoter_id, l.amount_fen)).collect()
}

#[test]
fn the_second_level_pays_whoever_brought_the_referrer_in() {
    let lines = compute(&two_levels(), &facts(2, vec![paid(1, 1, "2026-11-03", 1_000_000)]), on());
    assert_eq!(earned(&lines), [(1, 10_000), (2, 20_000)]);
    let up = &lines[0];
    assert_eq!(up.key, "up:1:1:1:1");
    assert_eq!(
        up.explain(Locale::ZhCn),
        "二级奖励：你发展的推广员 #2 推荐的订单 SO-1001 于 2026-11-03 回款 ¥10,000.00 的 1%"
    );
    // The ledger accrues the same lines.
    assert_eq!(accrue(&two_levels(), &facts(2, vec![paid(1, 1, "2026-11-03", 1_000_000)]), on()).lines, lines);
}

#[test]
fn never_a_third_level() {
    // 3 referred: 2, who brought 3 in, earns the second level; 1, above 2, earns nothing.
    let lines = compute(&two_levels(), &facts(3, vec![paid(1, 1, "2026-11-03", 1_000_000)]), on());
    assert_eq!(earned(&lines), [(2, 10_000), (3, 20_000)]);
    // Whoever nobody brought in has nobody above.
    let lines = compute(&two_levels(), &facts(1, vec![paid(1, 1, "2026-11-03", 1_000_000)]), on());
    assert_eq!(earned(&lines), [(1, 20_000)]);
}

#[test]
fn only_while_admin_has_the_second_level_on() {
    let payments = vec![paid(1, 1, "2026-11-03", 400_000), paid(2, 1, "2026-11-20", 600_000)];
    let off = compute(&two_levels(), &facts(2, payments.clone()), Terms::default());
    assert_eq!(earned(&off), [(2, 8_000), (2, 12_000)], "off by default");
    // Switched on from the 10th: the payment before it earns no second level, and stays so.
    let dated = DatedTerms { base: Terms::default(), changes: vec![(day("2026-11-10"), on())] };
    let lines = compute(&two_levels(), &facts(2, payments), dated);
    assert_eq!(earned(&lines), [(1, 6_000), (2, 8_000), (2, 12_000)]);
}

#[test]
fn the_second_level_takes_the_same_deductions_and_gives_back_refunds() {
    let mut late = facts(2, vec![paid(1, 1, "2026-12-15", 1_000_000), paid(2, 1, "2026-12-20", -500_000)]);
    late.deals[0].due_on = Some(day("2026-11-01"));
    let lines = compute(&two_levels(), &late, on());
    // 44 days late: −20%. Half refunded: half of each taken back.
    assert_eq!(earned(&lines), [(1, 8_000), (1, -4_000), (2, 16_000), (2, -8_000)]);
    assert!(matches!(lines[0].deductions[..], [Deduction::LatePayment { percent: 20, .. }]));
}

#[test]
fn a_rule_without_an_upline_and_a_recruiting_rule_pay_no_one_above() {
    let mut one_level = two_levels();
    one_level[0].upline.clear();
    let lines = compute(&one_level, &facts(2, vec![paid(1, 1, "2026-11-03", 1_000_000)]), on());
    assert_eq!(earned(&lines), [(2, 20_000)]);
    // A recruiting rule never reaches the engine (refused when written); were one stored, it
    // would pay nothing: no fact is a recruit.
    let recruit = Rule {
        spec: RuleSpec::FlatPerEvent { event: FlatEvent::Recruit, amount_fen: 5_000 },
        upline: Vec::new(),
        ..two_levels().remove(0)
    };
    let target = Rule {
        id: 2,
        spec: RuleSpec::ActivityTarget { metric: Metric::Recruits, threshold: 0, amount_fen: 5_000 },
        ..recruit.clone()
    };
    let mut f = facts(2, vec![paid(1, 1, "2026-11-03", 1_000_000)]);
    f.activity = vec![Activity {
        promoter_id: 2,
        year: 2026,
        month: 11,
        campaign_id: None,
        shares: 9,
        unique_visitors: 9,
        valid_leads: 9,
        stories: 0,
    }];
    assert!(compute(&[recruit, target], &f, on()).is_empty());
}

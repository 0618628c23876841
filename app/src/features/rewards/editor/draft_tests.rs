//! The editor's form of a rule reads back as the same rule, for every kind; what is wrong is
//! named by its field.
use super::*;
use crate::features::rewards::engine::default_rules;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn round_trip(rule: &Rule) -> Rule {
    RuleDraft::from_rule(rule, rule.effective_from).to_rule().unwrap_or_else(|e| panic!("{rule:?}: {e:?}"))
}

fn fields(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|e| e.field.to_string()).collect()
}

#[test]
fn the_defaults_and_every_kind_round_trip() {
    for rule in default_rules(day("2026-01-01"), Some(20)) {
        assert_eq!(round_trip(&rule), rule);
    }
    for kind in RuleKind::ALL {
        let mut d = RuleDraft::new(9, *kind, day("2027-01-01"));
        d.name = "新规则".into();
        d.months = "12".into();
        let rule = d.to_rule().unwrap();
        assert_eq!(RuleKind::of(&rule.spec), *kind);
        assert_eq!(round_trip(&rule), rule);
    }
}

#[test]
fn typed_figures_are_read_as_a_person_means_them() {
    let mut d = RuleDraft::new(9, RuleKind::MarginalTiers, day("2027-01-01"));
    d.name = " 伙伴阶梯 ".into();
    d.rows = vec![DraftRow::new("¥100,000", "５％"), DraftRow::new("", "8.5")];
    let rule = d.to_rule().unwrap();
    assert_eq!(rule.name, "伙伴阶梯");
    assert_eq!(
        rule.spec,
        RuleSpec::MarginalTiers {
            per: PeriodKind::Quarter,
            tiers: vec![
                Tier { up_to_fen: Some(10_000_000), rate: dec!(0.05) },
                Tier { up_to_fen: None, rate: dec!(0.085) }
            ],
        }
    );
    assert_eq!(rule.attribution, Attribution::FirstOrder);
    assert_eq!(rule.effective_to, None, "a new version stays open");
}

#[test]
fn what_is_wrong_is_named_by_its_field() {
    let mut d = RuleDraft::new(9, RuleKind::PercentOfDeal, day("2027-01-01"));
    d.rate = "150".into();
    d.months = "0".into();
    let e = d.to_rule().unwrap_err();
    assert_eq!(fields(&e), ["name", "months", "rate"]);
    assert_eq!(e[2].message(Locale::ZhCn), "比例（%）须为 0–100 之间的数");
    d.name = "x".into();
    d.starts_on = "2027-13-01".into();
    assert_eq!(fields(&d.to_rule().unwrap_err()), ["starts_on", "months", "rate"]);

    let mut tiers = RuleDraft::new(9, RuleKind::MarginalTiers, day("2027-01-01"));
    tiers.name = "t".into();
    tiers.rows = vec![DraftRow::new("200000", "5"), DraftRow::new("100000", "6"), DraftRow::new("", "8")];
    assert_eq!(fields(&tiers.to_rule().unwrap_err()), ["tiers"], "tiers must rise");
    tiers.rows = vec![DraftRow::new("100000", "5"), DraftRow::new("", "8"), DraftRow::new("", "9")];
    assert_eq!(fields(&tiers.to_rule().unwrap_err()), ["tiers"], "only the last is open");
    tiers.rows = vec![DraftRow::new("100000", "5"), DraftRow::new("", "abc")];
    let e = tiers.to_rule().unwrap_err();
    assert_eq!(e[0].message(Locale::En), "Tiers row 2: must be a number from 0 to 100");

    let mut split = RuleDraft::new(9, RuleKind::Split, day("2027-01-01"));
    split.name = "s".into();
    split.repeat = vec![DraftRow::share(SplitRole::Sales, "1"), DraftRow::share(SplitRole::Sales, "1")];
    assert_eq!(fields(&split.to_rule().unwrap_err()), ["repeat_shares"], "a role once");
    split.repeat = vec![DraftRow::share(SplitRole::Sales, "0")];
    assert_eq!(fields(&split.to_rule().unwrap_err()), ["repeat_shares"], "more than 0 in all");

    let mut benefit = RuleDraft::new(9, RuleKind::NewCustomerBenefit, day("2027-01-01"));
    benefit.name = "b".into();
    assert_eq!(benefit.to_rule().unwrap().spec, RuleSpec::NewCustomerBenefit { amount_fen: 20_000, percent: None });
    (benefit.rate, benefit.amount) = ("10".into(), "300".into());
    let spec = RuleSpec::NewCustomerBenefit { amount_fen: 30_000, percent: Some(dec!(0.1)) };
    assert_eq!(benefit.to_rule().unwrap().spec, spec);
    (benefit.rate, benefit.amount) = ("0".into(), "0".into());
    assert_eq!(fields(&benefit.to_rule().unwrap_err()), ["rate", "amount"], "a share, and a cap");

    let mut target = RuleDraft::new(9, RuleKind::ActivityTarget, day("2027-01-01"));
    target.name = "a".into();
    (target.threshold, target.amount) = ("0".into(), "-5".into());
    assert_eq!(fields(&target.to_rule().unwrap_err()), ["amount", "threshold"]);
}

/// 禁止传销条例 art. 7: one level above the referrer at most, on commissions only, and nothing
/// for recruiting promoters or signing up; each refusal says why.
#[test]
fn a_third_level_and_a_recruiting_reward_are_refused_with_the_reason() {
    let mut d = RuleDraft::new(9, RuleKind::PercentOfDeal, day("2027-01-01"));
    d.name = "二级佣金".into();
    d.upline = "1".into();
    let two_levels = d.to_rule().unwrap();
    assert_eq!(two_levels.upline, vec![dec!(0.01)]);
    assert_eq!(round_trip(&two_levels), two_levels);
    assert!(two_levels.describe(Locale::ZhCn).ends_with("；另按回款额 1% 奖励推荐人的上一级（二级，须管理员开启）"));

    d.upline = "1, 0.5".into();
    let e = d.to_rule().unwrap_err();
    assert_eq!(fields(&e), ["upline"], "a third level");
    assert!(e[0].message(Locale::ZhCn).contains("不能有第三级（《禁止传销条例》第七条）"), "{e:?}");
    assert!(e[0].message(Locale::En).contains("never a third"), "{e:?}");
    // However it is sent: the rule the server is given is checked the same way.
    let mut three = two_levels.clone();
    three.upline = vec![dec!(0.01), dec!(0.005)];
    assert_eq!(fields(&check(&three)), ["upline"]);

    let mut flat = RuleDraft::new(9, RuleKind::FlatPerEvent, day("2027-01-01"));
    flat.name = "拉新奖".into();
    flat.upline = "1".into();
    assert_eq!(fields(&flat.to_rule().unwrap_err()), ["upline"], "only a commission pays a level above");
    flat.upline.clear();
    for event in [FlatEvent::Recruit, FlatEvent::SignUp] {
        flat.event = event;
        let e = flat.to_rule().unwrap_err();
        assert_eq!(fields(&e), ["event"], "{event:?}");
        assert!(e[0].message(Locale::ZhCn).contains("不能为发展推广员或注册付奖励"), "{e:?}");
        assert!(e[0].message(Locale::ZhCn).contains("《禁止传销条例》第七条"), "{e:?}");
    }
    let mut target = RuleDraft::new(9, RuleKind::ActivityTarget, day("2027-01-01"));
    target.name = "发展目标".into();
    target.metric = Metric::Recruits;
    let e = target.to_rule().unwrap_err();
    assert_eq!(fields(&e), ["metric"]);
    assert!(e[0].message(Locale::En).contains("only for verified deals, leads or shares"), "{e:?}");
}

fn rate() -> impl Strategy<Value = Decimal> {
    (0u32..=10_000).prop_map(|bp| Decimal::new(bp.into(), 4))
}

fn fen() -> impl Strategy<Value = i64> {
    0i64..100_000_000
}

fn spec() -> impl Strategy<Value = RuleSpec> {
    let role = prop::sample::select(SPLIT_ROLES.to_vec());
    let shares = prop::collection::btree_map(role, 1u32..1000, 1..=3)
        .prop_map(|m| m.into_iter().map(|(r, w)| (r, Decimal::new(w.into(), 1))).collect::<Vec<_>>());
    prop_oneof![
        rate().prop_map(|rate| RuleSpec::PercentOfDeal { rate }),
        (prop::collection::btree_map(fen(), rate(), 1..4), rate()).prop_map(|(m, later_rate)| RuleSpec::PercentBand {
            bands: m.into_iter().map(|(min_fen, rate)| Band { min_fen, rate }).collect(),
            later_rate
        }),
        (prop::collection::btree_map(1i64..100_000_000, rate(), 0..3), rate(), any::<bool>()).prop_map(
            |(m, last, q)| {
                let mut tiers: Vec<Tier> = m.into_iter().map(|(up, rate)| Tier { up_to_fen: Some(up), rate }).collect();
                tiers.push(Tier { up_to_fen: None, rate: last });
                RuleSpec::MarginalTiers { per: if q { PeriodKind::Quarter } else { PeriodKind::Month }, tiers }
            }
        ),
        (any::<bool>(), fen()).prop_map(|(lead, amount_fen)| RuleSpec::FlatPerEvent {
            event: if lead { FlatEvent::ValidLead } else { FlatEvent::Deal },
            amount_fen
        }),
        (
            prop::sample::select(METRICS.iter().copied().filter(|m| *m != Metric::Recruits).collect::<Vec<_>>()),
            1i64..10_000,
            fen()
        )
            .prop_map(|(metric, threshold, amount_fen)| RuleSpec::ActivityTarget {
                metric,
                threshold,
                amount_fen
            }),
        (rate(), shares.clone(), shares).prop_map(|(rate, first_order, repeat)| RuleSpec::Split {
            rate,
            first_order,
            repeat
        }),
        (prop::collection::vec((fen(), any::<bool>()), 0..5), fen(), any::<bool>()).prop_map(|(steps, a, p)| {
            RuleSpec::CouponLadder {
                steps: steps.into_iter().map(|(amount_fen, perk)| Step { amount_fen, perk }).collect(),
                later: Step { amount_fen: a, perk: p },
            }
        }),
        (1i64..100_000_000, prop::option::of((1u32..=10_000).prop_map(|bp| Decimal::new(bp.into(), 4))))
            .prop_map(|(amount_fen, percent)| RuleSpec::NewCustomerBenefit { amount_fen, percent }),
    ]
}

proptest! {
    #[test]
    fn any_sound_rule_round_trips_through_the_form(
        spec in spec(),
        kind in prop::sample::select(PromoterKind::ALL.to_vec()),
        months in prop::option::of(1u32..=120),
        dept in prop::option::of(1i64..50),
        campaign in prop::option::of(1i64..50),
        name in "[a-z一-龥]{1,20}",
        upline in prop::option::of(rate()),
    ) {
        let upline = if spec.is_commission() { upline.into_iter().collect() } else { Vec::new() };
        let rule = Rule {
            id: 7, version: 3, name, promoter_kind: kind, department_id: dept, campaign_id: campaign,
            effective_from: day("2027-02-01"), effective_to: None,
            attribution: months.map_or(Attribution::FirstOrder, Attribution::Months), spec,
            upline,
        };
        prop_assert!(check(&rule).is_empty(), "{:?}", check(&rule));
        let back = round_trip(&rule);
        prop_assert_eq!(&back, &rule);
        // And through storage's form of it, the JSON.
        let stored: Rule = serde_json::from_str(&serde_json::to_string(&back).unwrap()).unwrap();
        prop_assert_eq!(stored, rule);
    }
}

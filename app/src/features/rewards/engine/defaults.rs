//! The default rules of PRODUCT.md §3.
use super::types::*;
use chrono::NaiveDate;
use rust_decimal_macros::dec;

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
        upline: Vec::new(),
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
        rule(
            5,
            "新客首单立减 ¥200",
            PromoterKind::Customer,
            None,
            RuleSpec::NewCustomerBenefit { amount_fen: 20_000, percent: None },
        ),
        rule(
            6,
            "新客首单立减 ¥200",
            PromoterKind::Employee,
            None,
            RuleSpec::NewCustomerBenefit { amount_fen: 20_000, percent: None },
        ),
        rule(
            7,
            "新客首单立减 ¥200",
            PromoterKind::Partner,
            None,
            RuleSpec::NewCustomerBenefit { amount_fen: 20_000, percent: None },
        ),
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

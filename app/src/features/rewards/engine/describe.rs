//! A rule in one sentence, in both languages, as marketing reads it before publishing:
//! "员工推荐的首单，按回款额 2% 计，回款后发放".
use super::types::*;
use crate::plumbing::i18n::Locale;
use crate::shared::money::format_yuan;
use rust_decimal::Decimal;

fn pct(rate: Decimal) -> String {
    (rate * Decimal::ONE_HUNDRED).normalize().to_string() + "%"
}

fn who(kind: PromoterKind, zh: bool) -> &'static str {
    match (kind, zh) {
        (PromoterKind::Employee, true) => "员工",
        (PromoterKind::Customer, true) => "老客",
        (PromoterKind::Partner, true) => "合作伙伴",
        (PromoterKind::Employee, false) => "employees",
        (PromoterKind::Customer, false) => "customers",
        (PromoterKind::Partner, false) => "partners",
    }
}

fn role(r: SplitRole, zh: bool) -> &'static str {
    match (r, zh) {
        (SplitRole::Referrer, true) => "推荐人",
        (SplitRole::Sales, true) => "销售",
        (SplitRole::Service, true) => "服务",
        (SplitRole::Referrer, false) => "referrer",
        (SplitRole::Sales, false) => "sales",
        (SplitRole::Service, false) => "service",
    }
}

fn shares(s: &[(SplitRole, Decimal)], zh: bool) -> String {
    let total: Decimal = s.iter().map(|(_, w)| *w).sum();
    let part = |w: Decimal| if total.is_zero() { "0%".into() } else { pct((w / total).round_dp(4)) };
    s.iter().map(|(r, w)| format!("{} {}", role(*r, zh), part(*w))).collect::<Vec<_>>().join(if zh {
        "、"
    } else {
        ", "
    })
}

impl Rule {
    /// What the rule pays, in a sentence.
    pub fn describe(&self, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        let who = who(self.promoter_kind, zh);
        let orders = match (self.attribution, zh) {
            (Attribution::FirstOrder, true) => "首单".to_string(),
            (Attribution::Months(n), true) => format!("客户首单起 {n} 个月内的订单"),
            (Attribution::FirstOrder, false) => "first order".to_string(),
            (Attribution::Months(n), false) => format!("orders within {n} months of the first"),
        };
        let y = |fen: i64| format_yuan(fen);
        let mut s = self.spec_sentence(who, &orders, zh, y);
        if let Some(rate) = self.upline.first() {
            s += &if zh {
                format!("；另按回款额 {} 奖励推荐人的上一级（二级，须管理员开启）", pct(*rate))
            } else {
                format!(
                    "; and {} to whoever brought the referrer in (second level, once admin switches it on)",
                    pct(*rate)
                )
            };
        }
        s
    }

    fn spec_sentence(&self, who: &str, orders: &str, zh: bool, y: impl Fn(i64) -> String) -> String {
        match (&self.spec, zh) {
            (RuleSpec::PercentOfDeal { rate }, true) => format!("{who}推荐的{orders}，按回款额 {} 计，回款后发放", pct(*rate)),
            (RuleSpec::PercentOfDeal { rate }, false) => {
                format!("For the {orders} {who} refer: {} of each amount collected, once collected", pct(*rate))
            }
            (RuleSpec::PercentBand { bands, later_rate }, _) => {
                let list: Vec<String> = bands
                    .iter()
                    .map(|b| if zh { format!("满 {} 按 {}", y(b.min_fen), pct(b.rate)) } else { format!("from {} at {}", y(b.min_fen), pct(b.rate)) })
                    .collect();
                if zh {
                    format!("{who}推荐的首单按成交额档位计：{}；之后的订单按 {}；回款后发放", list.join("，"), pct(*later_rate))
                } else {
                    format!("For deals {who} refer: the first order by its amount, {}; later orders {}; once collected", list.join(", "), pct(*later_rate))
                }
            }
            (RuleSpec::MarginalTiers { per, tiers }, _) => {
                let per = match (per, zh) {
                    (PeriodKind::Month, true) => "每月",
                    (PeriodKind::Quarter, true) => "每季度",
                    (PeriodKind::Month, false) => "month",
                    (PeriodKind::Quarter, false) => "quarter",
                };
                let mut below = 0;
                let list: Vec<String> = tiers
                    .iter()
                    .map(|t| {
                        let s = match (t.up_to_fen, zh) {
                            (Some(up), true) if below == 0 => format!("{} 以内的部分按 {}", y(up), pct(t.rate)),
                            (Some(up), false) if below == 0 => format!("up to {} at {}", y(up), pct(t.rate)),
                            (Some(up), true) => format!("{} 至 {} 的部分按 {}", y(below), y(up), pct(t.rate)),
                            (None, true) => format!("超过 {} 的部分按 {}", y(below), pct(t.rate)),
                            (Some(up), false) => format!("{} to {} at {}", y(below), y(up), pct(t.rate)),
                            (None, false) => format!("above {} at {}", y(below), pct(t.rate)),
                        };
                        below = t.up_to_fen.unwrap_or(below);
                        s
                    })
                    .collect();
                if zh {
                    format!("{who}推荐的{orders}，按{per}累计回款额分段计：{}", list.join("，"))
                } else {
                    format!("For the {orders} {who} refer: marginal tiers over each {per}'s amount collected, {}", list.join(", "))
                }
            }
            (RuleSpec::FlatPerEvent { event, amount_fen }, true) => {
                let e = match event {
                    FlatEvent::ValidLead => "每条有效线索",
                    FlatEvent::Deal => "每笔成交",
                    FlatEvent::Recruit => "每发展一名推广员",
                    FlatEvent::SignUp => "每一人注册",
                };
                format!("{who}带来的{e}奖励 {}", y(*amount_fen))
            }
            (RuleSpec::FlatPerEvent { event, amount_fen }, false) => {
                let e = match event {
                    FlatEvent::ValidLead => "valid lead",
                    FlatEvent::Deal => "deal",
                    FlatEvent::Recruit => "promoter recruited",
                    FlatEvent::SignUp => "sign-up",
                };
                format!("{} for each {e} {who} bring", y(*amount_fen))
            }
            (RuleSpec::ActivityTarget { metric, threshold, amount_fen }, _) => {
                let (mzh, men) = match metric {
                    Metric::Shares => ("分享", "shares"),
                    Metric::UniqueVisitors => ("独立访客", "unique visitors"),
                    Metric::ValidLeads => ("有效线索", "valid leads"),
                    Metric::CustomerStories => ("客户故事", "customer stories"),
                    Metric::Recruits => ("发展推广员", "promoters recruited"),
                };
                if zh {
                    format!("{who}每月{mzh}达到 {threshold}，奖励 {}", y(*amount_fen))
                } else {
                    format!("{} when one of the {who} reaches {threshold} {men} in a month", y(*amount_fen))
                }
            }
            (RuleSpec::Split { rate, first_order, repeat }, true) => format!(
                "{who}推荐的{orders}，回款额的 {} 作为奖池：首单{}；复购{}",
                pct(*rate),
                shares(first_order, true),
                shares(repeat, true)
            ),
            (RuleSpec::Split { rate, first_order, repeat }, false) => format!(
                "For the {orders} {who} refer: a pool of {} of each amount collected, the first order shared {}; later orders {}",
                pct(*rate),
                shares(first_order, false),
                shares(repeat, false)
            ),
            (RuleSpec::CouponLadder { steps, later }, _) => {
                let step = |n: usize, s: &Step| {
                    let perk = match (s.perk, zh) {
                        (true, true) => "（含专属权益）",
                        (true, false) => " with a perk",
                        _ => "",
                    };
                    if zh { format!("第 {n} 次 {} 券{perk}", y(s.amount_fen)) } else { format!("#{n} a {} coupon{perk}", y(s.amount_fen)) }
                };
                let list: Vec<String> = steps.iter().enumerate().map(|(i, s)| step(i + 1, s)).collect();
                let later_zh = format!("之后每次 {} 券", y(later.amount_fen));
                if zh {
                    format!("{who}每年成功推荐：{}，{later_zh}", list.join("，"))
                } else {
                    format!("Each year's successful referrals by {who}: {}, then a {} coupon each", list.join(", "), y(later.amount_fen))
                }
            }
            (RuleSpec::NewCustomerBenefit { amount_fen, percent: None }, true) => {
                format!("{who}推荐的新客户使用推荐码，首单立减 {}", y(*amount_fen))
            }
            (RuleSpec::NewCustomerBenefit { amount_fen, percent: None }, false) => {
                format!("A new customer referred by one of the {who} gets {} off the first order with the code", y(*amount_fen))
            }
            (RuleSpec::NewCustomerBenefit { amount_fen, percent: Some(p) }, true) => {
                format!("{who}推荐的新客户使用推荐码，首单立减 {}，最多 {}", pct(*p), y(*amount_fen))
            }
            (RuleSpec::NewCustomerBenefit { amount_fen, percent: Some(p) }, false) => format!(
                "A new customer referred by one of the {who} gets {} off the first order with the code, at most {}",
                pct(*p),
                y(*amount_fen)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::default_rules;
    use crate::plumbing::i18n::Locale;

    #[test]
    fn the_defaults_in_words() {
        let rules = default_rules("2026-01-01".parse().unwrap(), Some(20));
        let by_id = |id: i64| rules.iter().find(|r| r.id == id).unwrap();
        assert_eq!(by_id(1).describe(Locale::ZhCn), "员工推荐的首单，按回款额 2% 计，回款后发放");
        assert_eq!(
            by_id(1).describe(Locale::En),
            "For the first order employees refer: 2% of each amount collected, once collected"
        );
        assert_eq!(
            by_id(3).describe(Locale::ZhCn),
            "合作伙伴推荐的首单，按每季度累计回款额分段计：¥100,000.00 以内的部分按 5%，超过 ¥100,000.00 的部分按 8%"
        );
        assert_eq!(
            by_id(4).describe(Locale::ZhCn),
            "老客每年成功推荐：第 1 次 ¥200.00 券，第 2 次 ¥200.00 券，第 3 次 ¥800.00 券（含专属权益），之后每次 ¥200.00 券"
        );
        assert_eq!(
            by_id(5).describe(Locale::En),
            "A new customer referred by one of the customers gets ¥200.00 off the first order with the code"
        );
        let mut pct = by_id(5).clone();
        pct.spec =
            super::RuleSpec::NewCustomerBenefit { amount_fen: 30_000, percent: Some(rust_decimal_macros::dec!(0.1)) };
        assert_eq!(pct.describe(Locale::ZhCn), "老客推荐的新客户使用推荐码，首单立减 10%，最多 ¥300.00");
    }
}

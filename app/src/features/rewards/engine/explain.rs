//! The sentence each reward line explains itself with, in both languages.
use super::types::*;
use crate::plumbing::i18n::Locale;
use crate::shared::money::format_yuan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

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
                    Metric::Shares => ("分享（每项每天计一次）", "shares (each item once a day)"),
                    Metric::UniqueVisitors => (
                        "独立访客（按天与网络地址计，不含本人与机器人）",
                        "visitors (by day and address, not yourself or bots)",
                    ),
                    Metric::ValidLeads => ("有效线索", "valid leads"),
                    Metric::CustomerStories => ("审核通过的客户故事", "customer stories approved"),
                    Metric::Recruits => ("发展推广员", "promoters recruited"),
                };
                if zh {
                    format!("{month} {mzh} {reached}（目标 {threshold}）达标奖励")
                } else {
                    format!("{month}: {reached} {men} (target {threshold}) reached")
                }
            }
            Subject::Upline { order_no, paid_on, referrer } => {
                if zh {
                    format!(
                        "二级奖励：你发展的推广员 #{referrer} 推荐的订单 {order_no} 于 {paid_on} 回款 {} 的 {}",
                        format_yuan(self.basis_fen),
                        percent(self.rate)
                    )
                } else {
                    format!(
                        "second level: {} of {} paid on {paid_on}, deal {order_no} referred by promoter #{referrer}, whom you brought in",
                        percent(self.rate),
                        format_yuan(self.basis_fen)
                    )
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
                (Deduction::StaffBooking, true) => "，客户为员工本人或登记家属，不计推荐奖励".to_string(),
                (Deduction::StaffBooking, false) => {
                    ", the customer is staff or registered family: no referral reward".to_string()
                }
            };
        }
        s
    }
}

//! The second level (禁止传销条例 art. 7): what a commission rule's `upline` pays whoever
//! brought the referrer in.
use super::{deductions, Ctx, Earned};
use crate::features::rewards::engine::{LineKind, Payment, RewardLine, Subject};
use crate::shared::money::round_fen;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One level above the referrer (禁止传销条例 art. 7 allows one, never more): while admin has
/// the second level on, a commission rule's `upline` rate of each payment goes to whoever
/// brought the referrer in, after the same cost, lateness and boost; a refund takes back its
/// share. Nobody earns twice on one deal as referrer and as their recruiter.
pub(super) fn upline_lines(ctx: &Ctx, payments: &[&Payment], out: &mut Vec<RewardLine>) {
    if ctx.rules.iter().all(|r| r.upline.is_empty()) {
        return;
    }
    let mut earned: BTreeMap<(i64, i64), Earned> = BTreeMap::new();
    for pay in payments {
        let d = ctx.deals[&pay.deal_id];
        let Some(&(referrer, rule)) = ctx.commission.get(&d.id) else { continue };
        let (Some(&rate), Some(recruiter)) = (rule.upline.first(), referrer.recruiter_id) else { continue };
        if recruiter == referrer.id || !ctx.terms.on(pay.paid_on).second_level {
            continue;
        }
        let multiplier = ctx.multiplier(d);
        let (factor, deds) = deductions(d, pay.paid_on, &ctx.terms.on(pay.paid_on).late);
        let e = earned.entry((d.id, rule.id)).or_default();
        let amount = if pay.amount_fen >= 0 {
            round_fen(Decimal::from(pay.amount_fen) * rate * factor * multiplier)
        } else {
            e.taken_back(pay.amount_fen)
        };
        e.add(pay.amount_fen, amount);
        out.push(RewardLine {
            key: format!("up:{}:{}:{}:{}", rule.id, rule.version, pay.id, recruiter),
            promoter_id: recruiter,
            rule_id: rule.id,
            rule_version: rule.version,
            kind: LineKind::Cash,
            deal_id: Some(d.id),
            payment_id: Some(pay.id),
            basis_fen: pay.amount_fen,
            rate,
            multiplier,
            deductions: if pay.amount_fen < 0 { Vec::new() } else { deds },
            amount_fen: amount,
            vests_on: ctx.vests_on(d, pay.paid_on),
            subject: if pay.amount_fen < 0 {
                Subject::Refund { order_no: d.order_no.clone(), paid_on: pay.paid_on }
            } else {
                Subject::Upline { order_no: d.order_no.clone(), paid_on: pay.paid_on, referrer: referrer.id }
            },
        });
    }
}

//! A member's figures, from the system's own facts: the deals, valid leads, reach and reward
//! cost of the campaigns they run, in the period; and the quantitative lines made from them.
use crate::features::scorecards::model::{Figures, LineView};
use crate::features::scorecards::rules::{quantitative, total, Indicator, Measured};
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::Locale;
use crate::shared::money::format_yuan;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Integers only: nothing typed reaches the SQL.
fn ids(campaigns: &[i64]) -> String {
    if campaigns.is_empty() {
        "NULL".into()
    } else {
        campaigns.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

pub async fn figures(
    pool: &AnyPool,
    campaigns: &[i64],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Figures, AppError> {
    let list = ids(campaigns);
    let (from, to) = (first.to_string(), last.to_string());
    // Each deal with whether its customer ordered before it (any campaign): a first order is a
    // new customer, a later one a repurchase.
    let deals = sqlx::query(&format!(
        "SELECT d.customer_phone, d.amount_fen, COALESCE(d.cost_fen, 0) AS cost_fen, \
         (SELECT COUNT(*) FROM deals e WHERE e.customer_phone = d.customer_phone \
          AND (e.signed_on < d.signed_on OR (e.signed_on = d.signed_on AND e.id < d.id))) AS earlier \
         FROM deals d WHERE d.campaign_id IN ({list}) AND d.signed_on >= $1 AND d.signed_on <= $2"
    ))
    .persistent(false)
    .bind(&from)
    .bind(&to)
    .fetch_all(pool)
    .await?;
    let mut f = Figures::default();
    let (mut customers, mut repeat) = (BTreeSet::new(), BTreeSet::new());
    for r in &deals {
        let phone: String = r.try_get("customer_phone")?;
        let amount: i64 = r.try_get("amount_fen")?;
        f.sales_fen += amount;
        f.profit_fen += amount - r.try_get::<i64, _>("cost_fen")?;
        f.deals += 1;
        if r.try_get::<i64, _>("earlier")? == 0 {
            f.new_customers += 1;
        } else {
            repeat.insert(phone.clone());
        }
        customers.insert(phone);
    }
    (f.customers, f.repeat_customers) = (customers.len() as i64, repeat.len() as i64);
    // Valid leads and unique visitors from the dashboard's counters (per org-local day).
    let counted = sqlx::query(&format!(
        "SELECT CAST(COALESCE(SUM(leads_valid), 0) AS BIGINT) AS valid, CAST(COALESCE(SUM(unique_visitors), 0) AS BIGINT) AS reach \
         FROM figure_counts WHERE campaign_id IN ({list}) AND day >= $1 AND day <= $2"
    ))
    .persistent(false)
    .bind(&from)
    .bind(&to)
    .fetch_one(pool)
    .await?;
    (f.valid_leads, f.reach) = (counted.try_get("valid")?, counted.try_get("reach")?);
    // What those deals cost in rewards: the ledger's lines on them.
    f.reward_cost_fen = sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) FROM reward_ledger l JOIN deals d ON d.id = l.deal_id \
         WHERE d.campaign_id IN ({list}) AND d.signed_on >= $1 AND d.signed_on <= $2"
    ))
    .persistent(false)
    .bind(&from)
    .bind(&to)
    .fetch_one(pool)
    .await?;
    Ok(f)
}

fn ratio(num: i64, den: i64) -> Decimal {
    if den == 0 {
        Decimal::ZERO
    } else {
        Decimal::from(num) / Decimal::from(den)
    }
}

/// Each indicator's figure: fen, a count, or a ratio. ROI without any reward cost is `None`
/// (nothing spent: full marks when there was profit).
pub fn actual(indicator: Indicator, f: &Figures) -> Option<Decimal> {
    Some(match indicator {
        Indicator::Sales => Decimal::from(f.sales_fen),
        Indicator::NewCustomers => Decimal::from(f.new_customers),
        Indicator::Conversion => ratio(f.new_customers, f.valid_leads),
        Indicator::Repurchase => ratio(f.repeat_customers, f.customers),
        // Nobody acquired: what was spent is the cost of nothing.
        Indicator::AcquisitionCost if f.new_customers == 0 => Decimal::from(f.reward_cost_fen),
        Indicator::AcquisitionCost => ratio(f.reward_cost_fen, f.new_customers),
        Indicator::CampaignRoi if f.reward_cost_fen == 0 => return None,
        Indicator::CampaignRoi => ratio(f.profit_fen, f.reward_cost_fen),
        Indicator::ContentReach => Decimal::from(f.reach),
        _ => return None,
    })
}

/// A figure or target in its unit, as shown.
pub fn shown(indicator: Indicator, value: Decimal) -> String {
    match indicator {
        Indicator::Sales | Indicator::AcquisitionCost => format_yuan(round(value, 0).try_into().unwrap_or(i64::MAX)),
        Indicator::Conversion | Indicator::Repurchase => format!("{}%", round(value * Decimal::ONE_HUNDRED, 2)),
        Indicator::CampaignRoi => round(value, 2).to_string(),
        _ => round(value, 0).to_string(),
    }
}

fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn source(indicator: Indicator, f: &Figures, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    let y = format_yuan;
    match (indicator, zh) {
        (Indicator::Sales, true) => format!("负责活动的 {} 笔成交，合计 {}", f.deals, y(f.sales_fen)),
        (Indicator::Sales, false) => format!("{} deals in their campaigns, {} in all", f.deals, y(f.sales_fen)),
        (Indicator::NewCustomers, true) => format!("首单客户 {} 位（共 {} 位客户）", f.new_customers, f.customers),
        (Indicator::NewCustomers, false) => format!("{} first orders ({} customers)", f.new_customers, f.customers),
        (Indicator::Conversion, true) => format!("新客 {} ÷ 有效线索 {}", f.new_customers, f.valid_leads),
        (Indicator::Conversion, false) => format!("{} new customers ÷ {} valid leads", f.new_customers, f.valid_leads),
        (Indicator::Repurchase, true) => format!("复购客户 {} ÷ 成交客户 {}", f.repeat_customers, f.customers),
        (Indicator::Repurchase, false) => format!("{} returning ÷ {} customers", f.repeat_customers, f.customers),
        (Indicator::AcquisitionCost, true) => format!("奖励成本 {} ÷ 新客 {}", y(f.reward_cost_fen), f.new_customers),
        (Indicator::AcquisitionCost, false) => {
            format!("reward cost {} ÷ {} new customers", y(f.reward_cost_fen), f.new_customers)
        }
        (Indicator::CampaignRoi, true) => format!("成交利润 {} ÷ 奖励成本 {}", y(f.profit_fen), y(f.reward_cost_fen)),
        (Indicator::CampaignRoi, false) => format!("profit {} ÷ reward cost {}", y(f.profit_fen), y(f.reward_cost_fen)),
        (Indicator::ContentReach, true) => format!("推广链接独立访客 {}", f.reach),
        (Indicator::ContentReach, false) => format!("{} unique visitors of their links", f.reach),
        _ => String::new(),
    }
}

/// The quantitative lines: each figure against its target, through the curve capped at `cap`;
/// and their points' exact sum.
pub fn lines(
    f: &Figures,
    targets: &BTreeMap<Indicator, Decimal>,
    cap: Decimal,
    locale: Locale,
) -> (Vec<LineView>, Decimal) {
    let measured: Vec<Measured> = Indicator::QUANTITATIVE
        .iter()
        .map(|&indicator| {
            let target = targets.get(&indicator).copied();
            // ROI with nothing spent: reached in full if there was profit, else not at all.
            let actual = actual(indicator, f).unwrap_or_else(|| match target {
                Some(t) if f.profit_fen > 0 => t * cap,
                _ => Decimal::ZERO,
            });
            Measured { indicator, actual, target }
        })
        .collect();
    let points = quantitative(&measured, cap);
    let sum = points.iter().filter_map(|(_, p)| *p).sum();
    let views = measured
        .iter()
        .zip(points)
        .map(|(m, (_, p))| LineView {
            indicator: m.indicator,
            actual: match actual(m.indicator, f) {
                Some(a) => shown(m.indicator, a),
                None => "—".into(),
            },
            target: m.target.map(|t| shown(m.indicator, t)),
            points: p.map(|p| total([p]).to_string()),
            weight: m.indicator.weight().try_into().unwrap_or(0),
            source: source(m.indicator, f, locale),
        })
        .collect();
    (views, sum)
}

//! Rewards vesting as money arrives: when a payment is recorded, the promoters whose reward on
//! that deal it earns are told (奖励已确认), and customers' ladder coupons are issued.
use super::facts::{self, FactScope};
use crate::features::deals::store::codes::{issue_coupon, NewCoupon};
use crate::features::deals::store::deals::customers_of;
use crate::features::rewards::engine::{compute, LineKind};
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::events;
use crate::plumbing::i18n::{fill, MESSAGE_LOCALE};
use crate::plumbing::live::LiveKind;
use crate::plumbing::outbox::{self, MessageKind};
use crate::plumbing::state::AppState;
use crate::plumbing::webhooks::{self, WebhookEvent};
use crate::shared::money::format_yuan;
use crate::shared::period::local_date;
use sqlx::Row;

/// "Reward vested" (奖励已确认) to everyone whose reward on this deal vested with its payments.
pub async fn notify_vested(state: &AppState, deal_id: i64) -> Result<(), AppError> {
    let row = sqlx::query("SELECT customer_phone, promoter_id FROM deals WHERE id = $1")
        .bind(deal_id)
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(row) = row else { return Ok(()) };
    // The referrer's other customers too: a ladder counts every referral of the year.
    let mut customers = vec![row.try_get::<String, _>("customer_phone")?];
    if let Some(promoter) = row.try_get::<Option<i64>, _>("promoter_id")? {
        customers.extend(customers_of(&state.db.pool, promoter).await?);
        customers.sort();
        customers.dedup();
    }
    let rules = super::rules::rules(&state.db.pool).await?;
    let everyone = facts::promoters(&state.db.pool).await?;
    let facts = facts::facts(&state.db.pool, &state.org, &everyone, FactScope::Customers(&customers)).await?;
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let terms = facts::terms(&state.db.pool).await?;
    let latest: Option<i64> = facts.payments.iter().filter(|p| p.deal_id == deal_id).map(|p| p.id).max();
    let lines = compute(&rules, &facts, terms);
    let mut messages = Vec::new();
    let mut vested = Vec::new();
    for line in &lines {
        let is_latest = latest.is_some() && line.payment_id == latest;
        if line.deal_id == Some(deal_id) && line.amount_fen > 0 && line.kind == LineKind::Cash && is_latest {
            let when = line.vests_on.filter(|v| *v <= today);
            if when.is_some() {
                vested.push(vested_event(&line.key, line.promoter_id, Some(deal_id), line.amount_fen));
            }
            let template = if when.is_some() { K::SmsVested } else { K::SmsVestingHeld };
            let body = fill(template.text(MESSAGE_LOCALE), &[("amount", &format_yuan(line.amount_fen))]);
            messages.push((format!("user:{}", line.promoter_id), body));
        }
    }
    // Customers' ladder coupons are issued as they are earned.
    let coupons = lines.iter().filter(|l| matches!(l.kind, LineKind::Coupon { .. }));
    let (_turn, mut tx) = state.db.begin_write().await?;
    for c in coupons {
        let coupon = NewCoupon {
            source: &c.key,
            owner_user: Some(c.promoter_id),
            owner_phone: None,
            amount_fen: c.amount_fen,
            perk: matches!(c.kind, LineKind::Coupon { perk: true }),
            percent: None,
        };
        issue_coupon(&mut tx, coupon, today).await?;
    }
    let refs: Vec<(&str, &str)> = messages.iter().map(|(r, b)| (r.as_str(), b.as_str())).collect();
    outbox::enqueue_many(&mut tx, MessageKind::RewardVested, &refs).await?;
    for data in &vested {
        webhooks::emit(&mut tx, WebhookEvent::RewardVested, data).await?;
    }
    tx.commit().await?;
    if !messages.is_empty() {
        events::publish(state, LiveKind::Reward, None, None, messages.len() as i64).await;
    }
    Ok(())
}

/// A `reward.vested` webhook's data.
fn vested_event(line_key: &str, promoter_id: i64, deal_id: Option<i64>, amount_fen: i64) -> serde_json::Value {
    serde_json::json!({"line_key": line_key, "promoter_id": promoter_id, "deal_id": deal_id, "amount_fen": amount_fen, "currency": "CNY"})
}

/// "Reward vested" (奖励已确认) for deal rewards whose audit hold or holding period ended
/// after they were accrued (a reward vested when paid was announced with its payment). Each
/// line is announced once, even with several instances: the line is claimed as it is told.
pub async fn announce_vested(state: &AppState) -> Result<usize, AppError> {
    let pool = &state.db.pool;
    let today = local_date(chrono::Utc::now(), state.org.tz).to_string();
    let due = sqlx::query(
        "SELECT line_key, promoter_id, amount_fen, deal_id FROM reward_ledger WHERE announced = 0 AND vests_on <= $1 \
         ORDER BY vests_on LIMIT 500",
    )
    .bind(&today)
    .fetch_all(pool)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    let mut messages = Vec::new();
    for r in &due {
        let key: String = r.try_get("line_key")?;
        let claimed = sqlx::query("UPDATE reward_ledger SET announced = 1 WHERE line_key = $1 AND announced = 0")
            .bind(&key)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let amount: i64 = r.try_get("amount_fen")?;
        let deal: Option<i64> = r.try_get("deal_id")?;
        if claimed == 1 && amount > 0 {
            let data = vested_event(&key, r.try_get("promoter_id")?, deal, amount);
            webhooks::emit(&mut tx, WebhookEvent::RewardVested, &data).await?;
        }
        // Only money on a deal is told; period and lead lines are settled without a notice.
        if claimed == 1 && amount > 0 && deal.is_some() {
            let body = fill(K::SmsVested.text(MESSAGE_LOCALE), &[("amount", &format_yuan(amount))]);
            messages.push((format!("user:{}", r.try_get::<i64, _>("promoter_id")?), body));
        }
    }
    let refs: Vec<(&str, &str)> = messages.iter().map(|(r, b)| (r.as_str(), b.as_str())).collect();
    outbox::enqueue_many(&mut tx, MessageKind::RewardVested, &refs).await?;
    tx.commit().await?;
    if !messages.is_empty() {
        events::publish(state, LiveKind::Reward, None, None, messages.len() as i64).await;
    }
    Ok(messages.len())
}

//! Payments (回款) and refunds on a deal.
use super::deals::parse_date;
use crate::features::deals::i18n::K;
use crate::features::deals::model::{Audited, Field};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::money::parse_yuan;

/// A payment as recorded (a refund's amount is negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub id: i64,
    pub deal_id: i64,
    pub amount_fen: i64,
    pub paid_on: String,
}

/// Records a payment, or a refund (`refund`: the amount is taken back). A payment with an
/// `external_id` (an order system's own id) that is already recorded is not recorded again:
/// the one recorded is returned, for the caller to compare.
pub async fn record_payment(
    state: &AppState,
    actor: &Actor,
    deal_id: i64,
    paid_on: &str,
    amount: &str,
    refund: bool,
    external_id: Option<&str>,
) -> Result<Recorded, AppError> {
    let mut errors = Vec::new();
    let on = parse_date(paid_on);
    if on.is_none() {
        errors.push(FieldError::new(Field::PaidOn, Problem::Date));
    }
    let amount = match parse_yuan(amount) {
        Ok(a) if a > 0 => a,
        Ok(_) => {
            errors.push(FieldError::new(Field::Amount, Problem::NotPositive));
            0
        }
        Err(e) => {
            errors.push(FieldError::new(Field::Amount, e));
            0
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (turn, mut tx) = state.db.begin_write().await?;
    if let Some(known) = recorded(&mut tx, external_id).await? {
        return Ok(known);
    }
    let collected: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(COALESCE((SELECT SUM(amount_fen) FROM payments WHERE deal_id = d.id), 0) AS BIGINT) FROM deals d WHERE d.id = $1",
    )
    .bind(deal_id)
    .fetch_optional(&mut *tx)
    .await?;
    let collected = collected.ok_or(AppError::NotFound)?;
    if refund && amount > collected {
        return Err(AppError::invalid(Field::Amount, Problem::said(K::ProblemRefundTooLarge)));
    }
    let paid_on = on.unwrap_or_default().to_string();
    let signed = if refund { -amount } else { amount };
    // Another instance recording the same external id first wins; this one answers with it.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO payments (deal_id, paid_on, amount_fen, created_by, created_at, external_id) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (external_id) DO NOTHING RETURNING id",
    )
    .bind(deal_id)
    .bind(&paid_on)
    .bind(signed)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(external_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return recorded(&mut tx, external_id).await?.ok_or(AppError::Internal);
    };
    let change = Change {
        action: if refund { Audited::RefundRecorded } else { Audited::PaymentRecorded },
        subject: format!("deal #{deal_id}"),
        before: Some(collected.to_string()),
        after: Some((collected + signed).to_string()),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    drop(turn);
    events::publish(state, LiveKind::Payment, None, None, 1).await;
    if !refund {
        crate::features::deals::paid(state, deal_id).await?;
    }
    Ok(Recorded { id, deal_id, amount_fen: signed, paid_on })
}

async fn recorded(tx: &mut crate::plumbing::db::Tx, external_id: Option<&str>) -> Result<Option<Recorded>, AppError> {
    use sqlx::Row;
    let Some(external_id) = external_id else { return Ok(None) };
    let row = sqlx::query("SELECT id, deal_id, amount_fen, paid_on FROM payments WHERE external_id = $1")
        .bind(external_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => Some(Recorded {
            id: r.try_get("id")?,
            deal_id: r.try_get("deal_id")?,
            amount_fen: r.try_get("amount_fen")?,
            paid_on: r.try_get("paid_on")?,
        }),
        None => None,
    })
}

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

/// Records a payment, or a refund (`refund`: the amount is taken back).
pub async fn record_payment(
    state: &AppState,
    actor: &Actor,
    deal_id: i64,
    paid_on: &str,
    amount: &str,
    refund: bool,
) -> Result<i64, AppError> {
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
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO payments (deal_id, paid_on, amount_fen, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(deal_id)
    .bind(on.unwrap_or_default().to_string())
    .bind(if refund { -amount } else { amount })
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let change = Change {
        action: if refund { Audited::RefundRecorded } else { Audited::PaymentRecorded },
        subject: format!("deal #{deal_id}"),
        before: Some(collected.to_string()),
        after: Some((collected + if refund { -amount } else { amount }).to_string()),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    drop(turn);
    events::publish(state, LiveKind::Payment, None, None, 1).await;
    if !refund {
        crate::features::deals::paid(state, deal_id).await?;
    }
    Ok(id)
}

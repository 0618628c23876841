//! The promoter's rewards: what the ledger holds beyond what approved runs paid, their
//! statements, coupons and notices.
use super::runs::{statement_views, STATEMENT_COLUMNS};
use crate::features::deals::store::codes::{coupons, referral_code};
use crate::features::settlement::model::{MyRewards, RunStatus};
use crate::plumbing::access::UserView;
use crate::plumbing::errors::AppError;
use crate::plumbing::outbox::MessageKind;
use crate::plumbing::state::AppState;
use crate::shared::period::local_date;
use sqlx::Row;

/// The promoter's rewards and statements (drafts are not shown until finance approves them).
pub async fn my_rewards(state: &AppState, user: &UserView) -> Result<MyRewards, AppError> {
    let pool = &state.db.pool;
    let rows = sqlx::query(&format!(
        "SELECT {STATEMENT_COLUMNS} FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
         JOIN users u ON u.id = s.promoter_id WHERE s.promoter_id = $1 AND r.status IN ('approved', 'paid') ORDER BY r.period DESC"
    ))
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let statements = statement_views(pool, rows).await?;
    let approved_fen = statements.iter().filter(|s| s.run_status == RunStatus::Approved).map(|s| s.net_fen).sum();
    let paid_fen = statements.iter().filter(|s| s.run_status == RunStatus::Paid).map(|s| s.net_fen).sum();
    // What the ledger holds beyond what approved runs paid: vested, or still to vest.
    let today = local_date(chrono::Utc::now(), state.org.tz).to_string();
    let due = sqlx::query(&format!(
        "SELECT {} FROM reward_ledger l WHERE l.promoter_id = $1 AND l.amount_fen <> l.settled_fen",
        crate::features::rewards::store::ledger::DUE_COLUMNS
    ))
    .bind(user.id)
    .bind(&today)
    .fetch_one(pool)
    .await?;
    let (vested_fen, pending_fen): (i64, i64) = (due.try_get("vested")?, due.try_get("pending")?);
    Ok(MyRewards {
        referral_code: referral_code(state, user.id).await?,
        pending_fen,
        vested_fen,
        approved_fen,
        paid_fen,
        statements,
        coupons: coupons(pool, &state.org, user).await?,
        notices: sqlx::query_scalar(
            "SELECT body FROM outbox WHERE recipient = $1 AND kind IN ($2, $3) ORDER BY id DESC LIMIT 10",
        )
        .bind(format!("user:{}", user.id))
        .bind(MessageKind::RewardVested.as_str())
        .bind(MessageKind::RewardPaid.as_str())
        .fetch_all(pool)
        .await?,
    })
}

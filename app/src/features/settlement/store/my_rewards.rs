//! The promoter's rewards: what the engine says now against what approved runs cover, their
//! statements, coupons and notices.
use super::draft::settled;
use super::runs::{statement_views, STATEMENT_COLUMNS};
use crate::features::deals::store::codes::{coupons, referral_code};
use crate::features::rewards::engine::{compute, LineKind};
use crate::features::rewards::store::facts::{self, FactScope};
use crate::features::rewards::store::rules::rules;
use crate::features::settlement::model::{MyRewards, RunStatus, Scope};
use crate::plumbing::access::UserView;
use crate::plumbing::errors::AppError;
use crate::plumbing::outbox::MessageKind;
use crate::plumbing::state::AppState;
use crate::shared::period::local_date;
use std::collections::BTreeMap;

/// The promoter's rewards and statements (drafts are not shown until finance approves them).
pub async fn my_rewards(state: &AppState, user: &UserView) -> Result<MyRewards, AppError> {
    let pool = &state.db.pool;
    let rows = sqlx::query(&format!(
        "SELECT {STATEMENT_COLUMNS} FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
         JOIN users u ON u.id = s.promoter_id WHERE s.promoter_id = $1 AND r.status <> 'draft' ORDER BY r.period DESC"
    ))
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let statements = statement_views(pool, rows).await?;
    let approved_fen = statements.iter().filter(|s| s.run_status == RunStatus::Approved).map(|s| s.net_fen).sum();
    let paid_fen = statements.iter().filter(|s| s.run_status == RunStatus::Paid).map(|s| s.net_fen).sum();
    // What the engine says now, against what approved runs already cover.
    let rules = rules(pool).await?;
    let everyone = facts::promoters(pool).await?;
    let facts = facts::facts(pool, &state.org, &everyone, FactScope::Promoters(&[user.id])).await?;
    let today = crate::shared::period::local_date(chrono::Utc::now(), state.org.tz);
    let lines = compute(&rules, &facts, facts::terms(pool, today).await?);
    let mut covered: BTreeMap<String, i64> = BTreeMap::new();
    for &scope in Scope::ALL {
        for s in settled(pool, scope, &[user.id]).await? {
            *covered.entry(s.key).or_default() += s.amount_fen;
        }
    }
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let (mut pending_fen, mut vested_fen) = (0, 0);
    for l in lines.iter().filter(|l| l.promoter_id == user.id && l.kind == LineKind::Cash) {
        let due = l.amount_fen - covered.get(&l.key).copied().unwrap_or(0);
        match l.vests_on {
            Some(v) if v <= today => vested_fen += due,
            _ => pending_fen += due,
        }
    }
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

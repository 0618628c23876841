//! Verifying the ledger: the engine's full recompute over every fact, a few hundred promoters
//! at a time, against what the ledger holds. Activity targets are left out: a period's draft
//! writes them.
use super::facts::{self, id_list, FactScope};
use super::ledger;
use super::rules::rules;
use crate::features::rewards::engine::{compute, LineKind};
use crate::features::rewards::model::{LedgerCheck, LedgerDifference};
use crate::plumbing::errors::AppError;
use crate::plumbing::state::AppState;
use sqlx::Row;
use std::collections::BTreeMap;

/// Promoters compared at once.
const STEP: usize = 250;

pub async fn verify(state: &AppState) -> Result<LedgerCheck, AppError> {
    let pool = &state.db.pool;
    ledger::accrue_all(state).await?;
    let rules = rules(pool).await?;
    let terms = facts::terms(pool).await?;
    let everyone = facts::promoters(pool).await?;
    let ids: Vec<i64> = everyone.keys().copied().collect();
    let mut check = LedgerCheck::default();
    for step in ids.chunks(STEP) {
        let f = facts::facts(pool, &state.org, &everyone, FactScope::Promoters(step)).await?;
        let mut engine: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for l in compute(&rules, &f, terms.clone()) {
            if step.contains(&l.promoter_id) && l.kind == LineKind::Cash && !l.key.starts_with("target:") {
                engine.insert(l.key, (l.promoter_id, l.amount_fen));
            }
        }
        let rows = sqlx::query(&format!(
            "SELECT line_key, promoter_id, amount_fen FROM reward_ledger WHERE promoter_id IN ({}) \
             AND line_key NOT LIKE 'target:%' AND line IS NOT NULL",
            id_list(step)
        ))
        .persistent(false)
        .fetch_all(pool)
        .await?;
        check.lines += rows.len() as i64;
        let mut held: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in &rows {
            held.insert(r.try_get("line_key")?, (r.try_get("promoter_id")?, r.try_get("amount_fen")?));
        }
        for (key, (promoter_id, engine_fen)) in &engine {
            let ledger_fen = held.remove(key).map_or(0, |(_, a)| a);
            if ledger_fen != *engine_fen {
                check.differences.push(difference(key, *promoter_id, ledger_fen, *engine_fen));
            }
        }
        for (key, (promoter_id, ledger_fen)) in held {
            check.differences.push(difference(&key, promoter_id, ledger_fen, 0));
        }
    }
    let names = sqlx::query(&format!(
        "SELECT id, display_name FROM users WHERE id IN ({})",
        id_list(&check.differences.iter().map(|d| d.promoter_id).collect::<Vec<_>>())
    ))
    .persistent(false)
    .fetch_all(pool)
    .await?;
    let names: BTreeMap<i64, String> =
        names.iter().map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?))).collect::<Result<_, sqlx::Error>>()?;
    for d in &mut check.differences {
        d.promoter = names.get(&d.promoter_id).cloned().unwrap_or_default();
    }
    check.waiting = ledger::lag(pool).await?.0;
    Ok(check)
}

fn difference(key: &str, promoter_id: i64, ledger_fen: i64, engine_fen: i64) -> LedgerDifference {
    LedgerDifference { promoter_id, promoter: String::new(), line_key: key.to_string(), ledger_fen, engine_fen }
}

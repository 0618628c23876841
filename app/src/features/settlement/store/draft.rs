//! Drafting a settlement run (结算批次) for a period and scope (employees monthly, partners
//! quarterly); the scheduled drafts. One run per period and scope is a unique key in the
//! database.
use super::held::{self, Held};
use super::tax::treatments;
use crate::features::rewards::engine::{activity_lines, Facts, Promoter, Rule, RuleSpec};
use crate::features::rewards::store::facts::{self, id_list};
use crate::features::rewards::store::ledger;
use crate::features::rewards::store::revision;
use crate::features::rewards::store::rules::rules;
use crate::features::settlement::model::{Audited, Field, RunStatus, Scope};
use crate::features::settlement::statements::{CarryReason, Statement};
use crate::features::settlement::tax::TaxTreatment;
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::{self, SetColumn};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::settings;
use crate::plumbing::state::{internal, now_ms, AppState};
use crate::shared::period::{local_date, Period};
use chrono::Datelike;
use futures_util::StreamExt;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// Employees settle by month, partners by quarter.
fn check(scope: Scope, period: &str) -> Result<Period, AppError> {
    let p = Period::parse_key(period).ok_or(AppError::invalid(Field::Period, Problem::Date))?;
    match (scope, p) {
        (Scope::Employee, Period::Month { .. }) | (Scope::Partner, Period::Quarter { .. }) => Ok(p),
        _ => Err(AppError::invalid(Field::Period, Problem::UnknownChoice)),
    }
}

/// Carried forward to these promoters by the last approved run of the scope before `period`.
async fn carried_in(
    pool: &AnyPool,
    scope: Scope,
    period: &str,
    promoters: &[i64],
) -> Result<BTreeMap<i64, i64>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT promoter_id, carry_out_fen FROM statements WHERE promoter_id IN ({}) AND run_id = \
         (SELECT id FROM settlement_runs WHERE scope = $1 AND status IN ('approved', 'paid') AND period < $2 \
          ORDER BY period DESC LIMIT 1)",
        id_list(promoters)
    ))
    .persistent(false)
    .bind(scope.as_str())
    .bind(period)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("promoter_id")?, r.try_get("carry_out_fen")?))).collect()
}

/// Promoters per step of a draft: what a draft holds in memory, and each of its transactions
/// writes, depends on this, not on the number of deals.
pub const PROMOTERS_PER_STEP: usize = 250;

/// Steps read and computed at once, ahead of the one being written.
const STEPS_AHEAD: usize = 3;

use super::held::LEASE_MS;

/// Drafts (or re-drafts, while still a draft) the run for a period and scope; returns its id.
/// The ledger is brought up to date first; then the run is `drafting` (its statements shown
/// to nobody) while the draft writes them a few hundred promoters at a time, each step in a
/// short transaction, and becomes a draft, whole, at the end. A draft that dies midway is
/// taken over by the next once its lease runs out. Concurrent drafts of one period make one
/// run: the unique key decides, and the others wait for it.
pub async fn draft(state: &AppState, actor: &Actor, scope: Scope, period_key: &str) -> Result<i64, AppError> {
    let period = check(scope, period_key)?;
    let pool = &state.db.pool;
    ledger::accrue_all(state).await?;
    let started = now_ms();
    let (run_id, token) = loop {
        match claim(state, actor, scope, &period.key()).await? {
            Claim::Mine(run, token) => break (run, token),
            Claim::Busy(run) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT drafted_at FROM settlement_runs WHERE id = $1 AND status = 'draft'")
                        .bind(run)
                        .fetch_optional(pool)
                        .await?;
                if done.is_some_and(|at| at >= started) {
                    return Ok(run);
                }
            }
        }
    };
    let rules = rules(pool).await?;
    let (first_day, last_day) = period.dates();
    let minimum_payout_fen = settings::effective_number(pool, "minimum_payout_fen", last_day, 0).await?;
    let everyone = facts::promoters(pool).await?;
    let treatment = treatments(pool, &everyone, last_day).await?;
    let in_scope: Vec<i64> = everyone.iter().filter(|(_, p)| p.kind == scope.kind()).map(|(id, _)| *id).collect();
    clear(state, run_id, token).await?;

    let job = std::sync::Arc::new(Job {
        scope,
        period_key: period.key(),
        rules,
        everyone,
        treatment,
        first_day,
        last_day,
        minimum_payout_fen,
    });
    let steps: Vec<Vec<i64>> = in_scope.chunks(PROMOTERS_PER_STEP).map(<[i64]>::to_vec).collect();
    // The period's activity targets are written to the ledger first, so the hold sees them.
    // Without an activity target in any version of any rule no target line was ever written,
    // and there is nothing to read.
    let any_target = job.rules.iter().any(|r| matches!(r.spec, RuleSpec::ActivityTarget { .. }));
    let mut targets = futures_util::stream::iter(if any_target { steps.clone() } else { Vec::new() })
        .map(|step: Vec<i64>| {
            let (job, state) = (job.clone(), state.clone());
            tokio::spawn(async move { job.targets(&state, &step).await })
        })
        .buffered(STEPS_AHEAD);
    while let Some(done) = targets.next().await {
        done.map_err(internal)??;
    }
    let read = {
        let (_turn, mut tx) = state.db.begin_write().await?;
        renew(&mut tx, run_id, token).await?;
        let read = revision::hold(&mut tx).await?;
        sqlx::query("UPDATE settlement_runs SET ledger_read = $1 WHERE id = $2")
            .bind(read)
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        read
    };
    let held = Held { read, first_day, last_day };

    // Each step is a task of its own, so steps are read and computed on every core while
    // this task writes; they are taken in order, at most STEPS_AHEAD ahead.
    let mut ready = futures_util::stream::iter(steps)
        .map(|step: Vec<i64>| {
            let (job, state) = (job.clone(), state.clone());
            tokio::spawn(async move { job.statements(&state, held, &step).await })
        })
        .buffered(STEPS_AHEAD);
    let (mut statements, mut lines) = (0, 0);
    // Where the time went: waiting for steps, or writing them.
    let (mut waiting, mut writing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut clock = std::time::Instant::now();
    // The statements only (their lines are read through the hold), gathered across steps and
    // written a thousand a transaction: one short INSERT, so the writer is never held long
    // (referral forms wait for it on SQLite), and few commits.
    let mut pending: Vec<Statement> = Vec::new();
    let mut more = true;
    while more {
        match ready.next().await {
            Some(step) => {
                let step = step.map_err(internal)??;
                statements += step.len();
                lines += step.iter().map(|s| s.lines.len()).sum::<usize>();
                pending.extend(step);
            }
            None => more = false,
        }
        waiting += clock.elapsed();
        clock = std::time::Instant::now();
        while pending.len() >= STATEMENTS_PER_TRANSACTION || (!more && !pending.is_empty()) {
            let part: Vec<Statement> = pending.drain(..pending.len().min(STATEMENTS_PER_TRANSACTION)).collect();
            let (_turn, mut tx) = state.db.begin_write().await?;
            renew(&mut tx, run_id, token).await?;
            store(state.db.backend, &mut tx, run_id, &part).await?;
            tx.commit().await?;
        }
        writing += clock.elapsed();
        clock = std::time::Instant::now();
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    renew(&mut tx, run_id, token).await?;
    sqlx::query(
        "UPDATE settlement_runs SET status = 'draft', drafted_at = $1, drafted_by = $2, draft_token = NULL, \
         draft_beat = NULL WHERE id = $3",
    )
    .bind(now_ms())
    .bind(actor.user_id)
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    let after = format!("{} {}: {statements}", period.key(), scope.as_str());
    let change = Change {
        action: Audited::RunDrafted,
        subject: format!("run #{run_id}"),
        before: None,
        after: Some(after),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    tracing::info!(
        run_id,
        period = %period.key(),
        scope = scope.as_str(),
        statements,
        lines,
        waiting_s = waiting.as_secs_f64(),
        writing_s = writing.as_secs_f64(),
        commit_s = clock.elapsed().as_secs_f64(),
        "settlement drafted"
    );
    Ok(run_id)
}

enum Claim {
    /// The run is this draft's to write, under this token.
    Mine(i64, i64),
    /// Another draft is writing it.
    Busy(i64),
}

/// Takes the period's run for this draft: a new one, a draft, or a drafting run whose maker
/// stopped renewing its lease.
async fn claim(state: &AppState, actor: &Actor, scope: Scope, period: &str) -> Result<Claim, AppError> {
    let token = i64::from(rand::random::<u32>());
    let now = now_ms();
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO settlement_runs (period, scope, status, drafted_at, drafted_by, draft_token, draft_beat) \
         VALUES ($1, $2, 'drafting', $3, $4, $5, $3) ON CONFLICT (period, scope) DO NOTHING",
    )
    .bind(period)
    .bind(scope.as_str())
    .bind(now)
    .bind(actor.user_id)
    .bind(token)
    .execute(&mut *tx)
    .await?;
    let run = sqlx::query("SELECT id, status FROM settlement_runs WHERE period = $1 AND scope = $2")
        .bind(period)
        .bind(scope.as_str())
        .fetch_one(&mut *tx)
        .await?;
    let (run_id, status): (i64, RunStatus) = (run.try_get("id")?, run.set("settlement_runs", "status")?);
    // An approval that has begun to settle the run finishes it; it is not drafted again.
    let settling: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM statements WHERE run_id = $1 AND settled_at IS NOT NULL")
            .bind(run_id)
            .fetch_one(&mut *tx)
            .await?;
    if matches!(status, RunStatus::Approved | RunStatus::Paid) || settling > 0 {
        return Err(AppError::Frozen);
    }
    // On PostgreSQL a concurrent claim waits for this row and then finds it taken.
    let taken = sqlx::query(
        "UPDATE settlement_runs SET status = 'drafting', draft_token = $1, draft_beat = $2, drafted_by = $3, \
         settling_from = NULL WHERE id = $4 AND ((status = 'draft' AND draft_token IS NULL) OR draft_token = $1 OR draft_beat < $5)",
    )
    .bind(token)
    .bind(now)
    .bind(actor.user_id)
    .bind(run_id)
    .bind(now - LEASE_MS)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(if taken == 1 { Claim::Mine(run_id, token) } else { Claim::Busy(run_id) })
}

/// Renews the draft's lease, in the transaction of a step: refused if another draft took it over.
async fn renew(tx: &mut db::Tx, run_id: i64, token: i64) -> Result<(), AppError> {
    held::renew(tx, run_id, token, RunStatus::Drafting).await
}

/// Removes an earlier draft's statements, a few hundred per transaction, and its hold.
async fn clear(state: &AppState, run_id: i64, token: i64) -> Result<(), AppError> {
    loop {
        let (_turn, mut tx) = state.db.begin_write().await?;
        renew(&mut tx, run_id, token).await?;
        // Drafts made before holds copied their lines: those are removed with their statements.
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM statements WHERE run_id = $1 LIMIT 250")
            .bind(run_id)
            .fetch_all(&mut *tx)
            .await?;
        if ids.is_empty() {
            held::forget(&mut tx, run_id).await?;
            tx.commit().await?;
            return Ok(());
        }
        let list = id_list(&ids);
        sqlx::query(&format!("DELETE FROM statement_lines WHERE statement_id IN ({list})"))
            .persistent(false)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!("DELETE FROM statements WHERE id IN ({list})"))
            .persistent(false)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
}

/// What a draft computes with, for the task that reads and computes its steps.
struct Job {
    scope: Scope,
    period_key: String,
    rules: Vec<Rule>,
    everyone: BTreeMap<i64, Promoter>,
    treatment: BTreeMap<i64, TaxTreatment>,
    first_day: chrono::NaiveDate,
    last_day: chrono::NaiveDate,
    minimum_payout_fen: i64,
}

impl Job {
    /// Writes the period's activity-target lines of one step's promoters to the ledger.
    async fn targets(&self, state: &AppState, step: &[i64]) -> Result<(), AppError> {
        let activity = facts::activity_within(&state.db.pool, &state.org, step, self.first_day, self.last_day).await?;
        let promoters = step.iter().filter_map(|id| self.everyone.get(id).cloned()).collect();
        let targets = activity_lines(&self.rules, &Facts { promoters, activity, ..Facts::default() });
        ledger::put_targets(state, step, self.first_day, self.last_day, targets).await
    }

    /// The statements of one step's promoters, from the ledger as the draft holds it.
    async fn statements(&self, state: &AppState, held: Held, step: &[i64]) -> Result<Vec<Statement>, AppError> {
        let pool = &state.db.pool;
        let promoters: BTreeMap<i64, TaxTreatment> = step.iter().map(|id| (*id, self.treatment[id])).collect();
        let carried = carried_in(pool, self.scope, &self.period_key, step).await?;
        held::sums(pool, held, &promoters, &carried, self.minimum_payout_fen).await
    }
}

/// Statements written per transaction (one INSERT; 9 parameters each, 9,000 in all: under
/// both engines' limits).
const STATEMENTS_PER_TRANSACTION: usize = 1000;

async fn store(
    backend: db::Backend,
    tx: &mut db::Tx,
    run_id: i64,
    statements: &[Statement],
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO statements (run_id, promoter_id, treatment, carried_in_fen, gross_fen, tax_fen, net_fen, carry_out_fen, \
         carry_reason) VALUES {}",
        db::placeholders(backend, statements.len(), 9)
    );
    let mut q = sqlx::query(&sql);
    for s in statements {
        q = q
            .bind(run_id)
            .bind(s.promoter_id)
            .bind(s.treatment.as_str())
            .bind(s.carried_in_fen)
            .bind(s.gross_fen)
            .bind(s.tax_fen)
            .bind(s.net_fen)
            .bind(s.carry_out_fen)
            .bind(s.carry_reason.map(CarryReason::as_str));
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The scheduled job: from the draft day (the 5th unless the organization says otherwise),
/// the previous month's employee run (and in a quarter's first month, the previous quarter's
/// partner run) is drafted if it does not exist yet.
pub async fn draft_due(state: &AppState) -> Result<Vec<i64>, AppError> {
    use crate::features::settlement::model::{DRAFT_DAY, DRAFT_DAY_SETTING};
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let mut drafted = Vec::new();
    if (today.day() as i64) < settings::number(&state.db.pool, DRAFT_DAY_SETTING, DRAFT_DAY).await? {
        return Ok(drafted);
    }
    let month = Period::Month { year: today.year(), month: today.month() }.previous();
    let mut due = vec![(Scope::Employee, month.key())];
    if today.month() % 3 == 1 {
        let quarter = Period::Quarter { year: today.year(), quarter: today.month0() / 3 + 1 }.previous();
        due.push((Scope::Partner, quarter.key()));
    }
    for (scope, period) in due {
        // A run left drafting by a draft that died is drafted again.
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM settlement_runs WHERE period = $1 AND scope = $2 AND status <> 'drafting'",
        )
        .bind(&period)
        .bind(scope.as_str())
        .fetch_optional(&state.db.pool)
        .await?;
        if exists.is_none() {
            drafted.push(draft(state, &Actor::system(), scope, &period).await?);
        }
    }
    Ok(drafted)
}

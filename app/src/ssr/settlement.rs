//! Settlement runs (结算批次): drafted for a period and scope (employees monthly, partners
//! quarterly), approved by finance (then frozen), exported as payout files and marked paid.
//! One run per period and scope is a unique key in the database.
use super::db;
use super::rewards::{self, FactScope};
use super::{now_ms, outbox, AppState};
use crate::domain::money::format_yuan;
use crate::domain::period::{local_date, Period};
use crate::domain::reward::{compute, PromoterKind};
use crate::domain::settlement::{draft as draft_statements, CarryReason, Draft, Settled, Statement, StatementLine};
use crate::domain::tax::TaxTreatment;
use crate::error::{AppError, Field, Problem};
use crate::i18n::Locale;
use crate::model::{MyRewards, RunRow, StatementLineView, StatementView, UserView};
use chrono::Datelike;
use futures_util::StreamExt;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// Employees settle monthly, partners quarterly. Customers get coupons, not statements.
pub fn scope_kind(scope: &str) -> Option<PromoterKind> {
    match scope {
        "employee" => Some(PromoterKind::Employee),
        "partner" => Some(PromoterKind::Partner),
        _ => None,
    }
}

fn check(scope: &str, period: &str) -> Result<(PromoterKind, Period), AppError> {
    let kind = scope_kind(scope).ok_or(AppError::invalid(Field::Scope, Problem::UnknownChoice))?;
    let p = Period::parse_key(period).ok_or(AppError::invalid(Field::Period, Problem::Date))?;
    match (kind, p) {
        (PromoterKind::Employee, Period::Month { .. }) | (PromoterKind::Partner, Period::Quarter { .. }) => {
            Ok((kind, p))
        }
        _ => Err(AppError::invalid(Field::Period, Problem::UnknownChoice)),
    }
}

/// What approved (or paid) runs of a scope paid these promoters, per line key.
async fn settled(pool: &AnyPool, scope: &str, promoters: &[i64]) -> Result<Vec<Settled>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT sl.line_key, s.promoter_id, sl.amount_fen FROM statements s \
         JOIN statement_lines sl ON sl.statement_id = s.id JOIN settlement_runs r ON r.id = s.run_id \
         WHERE s.promoter_id IN ({}) AND r.scope = $1 AND r.status <> 'draft'",
        rewards::id_list(promoters)
    ))
    .bind(scope)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Settled {
            key: r.try_get("line_key")?,
            promoter_id: r.try_get("promoter_id")?,
            amount_fen: r.try_get("amount_fen")?,
        })
    })
    .collect()
}

/// Carried forward to these promoters by the last approved run of the scope before `period`.
async fn carried_in(
    pool: &AnyPool,
    scope: &str,
    period: &str,
    promoters: &[i64],
) -> Result<BTreeMap<i64, i64>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT promoter_id, carry_out_fen FROM statements WHERE promoter_id IN ({}) AND run_id = \
         (SELECT id FROM settlement_runs WHERE scope = $1 AND status <> 'draft' AND period < $2 ORDER BY period DESC LIMIT 1)",
        rewards::id_list(promoters)
    ))
    .bind(scope)
    .bind(period)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("promoter_id")?, r.try_get("carry_out_fen")?))).collect()
}

/// Promoters per step of a draft: what a draft holds in memory depends on this, not on the
/// number of deals.
pub const PROMOTERS_PER_STEP: usize = 250;

/// Steps read and computed at once, ahead of the one being written.
const STEPS_AHEAD: usize = 3;

/// Drafts (or re-drafts, while still a draft) the run for a period and scope; returns its id.
/// Two concurrent drafts of one period make one run: the unique key decides. The draft goes
/// through the promoters a few hundred at a time, in one transaction: the run appears whole
/// or not at all. The next steps are read and computed (tasks of their own, on connections
/// beside the transaction) while this one is written.
pub async fn draft(state: &AppState, actor: Option<i64>, scope: &str, period_key: &str) -> Result<i64, AppError> {
    let (kind, period) = check(scope, period_key)?;
    let pool = &state.pool;
    let rules = rewards::rules(pool).await?;
    let terms = rewards::terms(pool).await?;
    let minimum_payout_fen = rewards::minimum_payout_fen(pool).await?;
    let everyone = rewards::promoters(pool).await?;
    let in_scope: Vec<i64> = everyone.iter().filter(|(_, p)| p.promoter.kind == kind).map(|(id, _)| *id).collect();
    let (first_day, last_day) = period.dates();

    let (_turn, mut tx) = db::begin_write(state).await?;
    sqlx::query(
        "INSERT INTO settlement_runs (period, scope, status, drafted_at, drafted_by) VALUES ($1, $2, 'draft', $3, $4) \
         ON CONFLICT (period, scope) DO NOTHING",
    )
    .bind(period.key())
    .bind(scope)
    .bind(now_ms())
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    let run = sqlx::query("SELECT id, status FROM settlement_runs WHERE period = $1 AND scope = $2")
        .bind(period.key())
        .bind(scope)
        .fetch_one(&mut *tx)
        .await?;
    let (run_id, status): (i64, String) = (run.try_get("id")?, run.try_get("status")?);
    if status != "draft" {
        return Err(AppError::Frozen);
    }
    // Taking the run's row serializes concurrent re-drafts on PostgreSQL.
    sqlx::query("UPDATE settlement_runs SET drafted_at = $1, drafted_by = $2 WHERE id = $3")
        .bind(now_ms())
        .bind(actor)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM statement_lines WHERE statement_id IN (SELECT id FROM statements WHERE run_id = $1)")
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM statements WHERE run_id = $1").bind(run_id).execute(&mut *tx).await?;

    // Facts, and what earlier runs paid, are read beside the transaction: they are not what it
    // writes. Each step is a task of its own, so steps are read and computed on every core
    // while this task writes; they are taken in order, at most STEPS_AHEAD ahead.
    let job = std::sync::Arc::new(Job {
        scope: scope.to_string(),
        period_key: period.key(),
        rules,
        terms,
        everyone,
        first_day,
        last_day,
        minimum_payout_fen,
    });
    let steps: Vec<Vec<i64>> = in_scope.chunks(PROMOTERS_PER_STEP).map(<[i64]>::to_vec).collect();
    let mut ready = futures_util::stream::iter(steps)
        .map(|step: Vec<i64>| {
            let (job, state) = (job.clone(), state.clone());
            tokio::spawn(async move { job.step(&state, &step).await })
        })
        .buffered(STEPS_AHEAD);
    let (mut statements, mut lines, mut analyzed) = (0, 0, false);
    // Where the time went: waiting for steps, or writing them.
    let (mut waiting, mut writing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut clock = std::time::Instant::now();
    while let Some(step) = ready.next().await {
        let step = step.map_err(super::internal)??;
        waiting += clock.elapsed();
        clock = std::time::Instant::now();
        statements += step.len();
        lines += step.iter().map(|s| s.lines.len()).sum::<usize>();
        store(state.backend, &mut tx, run_id, step).await?;
        if state.backend == db::Backend::Postgres && !analyzed && statements > 0 {
            analyzed = true;
            // PostgreSQL checks each line's statement through a plan made for the table as it
            // was last analyzed; for the first run that is empty, and the plan scans the whole
            // table for every line. Statistics that count this step's statements make it an
            // index lookup.
            sqlx::query("ANALYZE statements").execute(&mut *tx).await?;
        }
        writing += clock.elapsed();
        clock = std::time::Instant::now();
    }
    tx.commit().await?;
    tracing::info!(
        run_id,
        period = %period.key(),
        scope,
        statements,
        lines,
        waiting_s = waiting.as_secs_f64(),
        writing_s = writing.as_secs_f64(),
        commit_s = clock.elapsed().as_secs_f64(),
        "settlement drafted"
    );
    Ok(run_id)
}

/// What a draft computes with, for the task that reads and computes its steps.
struct Job {
    scope: String,
    period_key: String,
    rules: Vec<crate::domain::reward::Rule>,
    terms: crate::domain::reward::Terms,
    everyone: BTreeMap<i64, rewards::PromoterInfo>,
    first_day: chrono::NaiveDate,
    last_day: chrono::NaiveDate,
    minimum_payout_fen: i64,
}

impl Job {
    /// The statements of one step's promoters, ready to store.
    async fn step(&self, state: &AppState, step: &[i64]) -> Result<Vec<StatementRows>, AppError> {
        let facts = rewards::facts(&state.pool, &state.org, &self.everyone, FactScope::Promoters(step)).await?;
        let lines = compute(&self.rules, &facts, self.terms);
        drop(facts);
        let promoters: BTreeMap<i64, TaxTreatment> = step.iter().map(|id| (*id, self.everyone[id].treatment)).collect();
        let drafted = draft_statements(&Draft {
            promoters: &promoters,
            lines: &lines,
            settled: &settled(&state.pool, &self.scope, step).await?,
            carried_in: &carried_in(&state.pool, &self.scope, &self.period_key, step).await?,
            first_day: self.first_day,
            last_day: self.last_day,
            minimum_payout_fen: self.minimum_payout_fen,
        });
        Ok(drafted.into_iter().map(StatementRows::from).collect())
    }
}

fn reason_key(r: Option<CarryReason>) -> Option<&'static str> {
    r.map(|r| match r {
        CarryReason::Negative => "negative",
        CarryReason::BelowMinimum => "below_minimum",
    })
}

/// A statement line as its row is written: its explanation sentences made beforehand, so the
/// transaction's task only binds and writes.
struct LineRow {
    key: String,
    rule_id: Option<i64>,
    rule_version: Option<i64>,
    deal_id: Option<i64>,
    basis_fen: i64,
    rate: String,
    multiplier: String,
    amount_fen: i64,
    adjustment: i64,
    vests_on: Option<String>,
    explanation_zh: String,
    explanation_en: String,
}

impl From<StatementLine> for LineRow {
    fn from(l: StatementLine) -> Self {
        let r = l.line.as_ref();
        let (explanation_zh, explanation_en) = match r {
            Some(r) if l.adjustment => (
                format!("调整：{}（已结 {}）", r.explain(Locale::ZhCn), format_yuan(l.previously_paid_fen)),
                format!("adjustment: {} (paid before {})", r.explain(Locale::En), format_yuan(l.previously_paid_fen)),
            ),
            Some(r) => (r.explain(Locale::ZhCn), r.explain(Locale::En)),
            None => ("调整：原奖励冲回".to_string(), "adjustment: earlier reward reversed".to_string()),
        };
        LineRow {
            rule_id: r.map(|r| r.rule_id),
            rule_version: r.map(|r| r.rule_version),
            deal_id: r.and_then(|r| r.deal_id),
            basis_fen: r.map_or(0, |r| r.basis_fen),
            rate: r.map_or("0".to_string(), |r| r.rate.normalize().to_string()),
            multiplier: r.map_or("1".to_string(), |r| r.multiplier.normalize().to_string()),
            amount_fen: l.amount_fen,
            adjustment: i64::from(l.adjustment),
            vests_on: r.and_then(|r| r.vests_on).map(|d| d.to_string()),
            key: l.key,
            explanation_zh,
            explanation_en,
        }
    }
}

/// A statement and its line rows.
struct StatementRows {
    statement: Statement,
    lines: Vec<LineRow>,
}

impl From<Statement> for StatementRows {
    fn from(mut statement: Statement) -> Self {
        let lines = std::mem::take(&mut statement.lines).into_iter().map(LineRow::from).collect();
        StatementRows { statement, lines }
    }
}

/// Statement lines per INSERT: 13 parameters each, under both engines' limits (SQLite 32,766).
const LINES_PER_INSERT: usize = 1000;

/// A statement line's columns, in the order `store_lines` binds them.
pub const LINE_COLUMNS: &str = "statement_id, line_key, rule_id, rule_version, deal_id, basis_fen, rate, multiplier, \
     amount_fen, adjustment, vests_on, explanation_zh, explanation_en";

async fn store(
    backend: db::Backend,
    tx: &mut db::Tx,
    run_id: i64,
    statements: Vec<StatementRows>,
) -> Result<(), sqlx::Error> {
    let mut lines: Vec<(i64, LineRow)> = Vec::new();
    for StatementRows { statement: s, lines: rows } in statements {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO statements (run_id, promoter_id, treatment, carried_in_fen, gross_fen, tax_fen, net_fen, carry_out_fen, carry_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(run_id)
        .bind(s.promoter_id)
        .bind(s.treatment.as_str())
        .bind(s.carried_in_fen)
        .bind(s.gross_fen)
        .bind(s.tax_fen)
        .bind(s.net_fen)
        .bind(s.carry_out_fen)
        .bind(reason_key(s.carry_reason))
        .fetch_one(&mut **tx)
        .await?;
        lines.extend(rows.into_iter().map(|l| (id, l)));
    }
    while !lines.is_empty() {
        let rest = lines.split_off(lines.len().min(LINES_PER_INSERT));
        store_lines(backend, tx, std::mem::replace(&mut lines, rest)).await?;
    }
    Ok(())
}

async fn store_lines(backend: db::Backend, tx: &mut db::Tx, lines: Vec<(i64, LineRow)>) -> Result<(), sqlx::Error> {
    let sql =
        format!("INSERT INTO statement_lines ({LINE_COLUMNS}) VALUES {}", db::placeholders(backend, lines.len(), 13));
    let mut q = sqlx::query(&sql);
    for (statement_id, l) in lines {
        q = q
            .bind(statement_id)
            .bind(l.key)
            .bind(l.rule_id)
            .bind(l.rule_version)
            .bind(l.deal_id)
            .bind(l.basis_fen)
            .bind(l.rate)
            .bind(l.multiplier)
            .bind(l.amount_fen)
            .bind(l.adjustment)
            .bind(l.vests_on)
            .bind(l.explanation_zh)
            .bind(l.explanation_en);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Finance approves a draft; from then on it is frozen.
pub async fn approve(state: &AppState, actor: i64, run_id: i64) -> Result<(), AppError> {
    transition(state, actor, run_id, "draft", "approved").await
}

/// Finance marks an approved run paid; every promoter with a payout is told (奖励到账提醒).
pub async fn mark_paid(state: &AppState, actor: i64, run_id: i64) -> Result<(), AppError> {
    let (_turn, mut tx) = db::begin_write(state).await?;
    let n = sqlx::query(
        "UPDATE settlement_runs SET status = 'paid', paid_at = $1, paid_by = $2 WHERE id = $3 AND status = 'approved'",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(run_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(exists_or_frozen(&state.pool, run_id).await?);
    }
    let rows = sqlx::query(
        "SELECT s.promoter_id, s.gross_fen, s.tax_fen, s.net_fen, r.period FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
         WHERE s.run_id = $1 AND s.net_fen > 0 ORDER BY s.promoter_id",
    )
    .bind(run_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut messages = Vec::new();
    for r in &rows {
        let period: String = r.try_get("period")?;
        messages.push((
            format!("user:{}", r.try_get::<i64, _>("promoter_id")?),
            format!(
                "【全员营销】{period} 推广奖励 {} 已到账（税前 {}，代扣个税 {}）。",
                format_yuan(r.try_get("net_fen")?),
                format_yuan(r.try_get("gross_fen")?),
                format_yuan(r.try_get("tax_fen")?)
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = messages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    outbox::enqueue_many(&mut tx, "reward_paid", &refs).await?;
    tx.commit().await?;
    super::events::publish(state, crate::model::LiveKind::Reward, None, None, rows.len() as i64).await;
    Ok(())
}

async fn exists_or_frozen(pool: &AnyPool, run_id: i64) -> Result<AppError, AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM settlement_runs WHERE id = $1")
        .bind(run_id)
        .fetch_optional(pool)
        .await?;
    Ok(if status.is_some() { AppError::Frozen } else { AppError::NotFound })
}

async fn transition(state: &AppState, actor: i64, run_id: i64, from: &str, to: &str) -> Result<(), AppError> {
    let (_turn, mut tx) = db::begin_write(state).await?;
    let n = sqlx::query(
        "UPDATE settlement_runs SET status = $1, approved_at = $2, approved_by = $3 WHERE id = $4 AND status = $5",
    )
    .bind(to)
    .bind(now_ms())
    .bind(actor)
    .bind(run_id)
    .bind(from)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(exists_or_frozen(&state.pool, run_id).await?);
    }
    tx.commit().await?;
    Ok(())
}

pub async fn runs(state: &AppState) -> Result<Vec<RunRow>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, r.period, r.scope, r.status, r.drafted_at, COUNT(s.id) AS n, CAST(COALESCE(SUM(s.gross_fen), 0) AS BIGINT) AS gross, \
         CAST(COALESCE(SUM(s.tax_fen), 0) AS BIGINT) AS tax, CAST(COALESCE(SUM(s.net_fen), 0) AS BIGINT) AS net FROM settlement_runs r \
         LEFT JOIN statements s ON s.run_id = r.id GROUP BY r.id, r.period, r.scope, r.status, r.drafted_at \
         ORDER BY r.period DESC, r.scope",
    )
    .fetch_all(&state.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RunRow {
                id: r.try_get("id")?,
                period: r.try_get("period")?,
                scope: r.try_get("scope")?,
                status: r.try_get("status")?,
                statements: r.try_get("n")?,
                gross_fen: r.try_get("gross")?,
                tax_fen: r.try_get("tax")?,
                net_fen: r.try_get("net")?,
                drafted_at: super::leads::local_time(&state.org, r.try_get("drafted_at")?),
            })
        })
        .collect()
}

const STATEMENT_COLUMNS: &str = "s.id, s.run_id, r.period, r.status AS run_status, u.display_name, s.treatment, \
     s.carried_in_fen, s.gross_fen, s.tax_fen, s.net_fen, s.carry_out_fen, s.carry_reason";

async fn statement_views(pool: &AnyPool, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<StatementView>, AppError> {
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let lines = sqlx::query(
            "SELECT amount_fen, adjustment, explanation_zh, explanation_en, rule_id, rule_version FROM statement_lines \
             WHERE statement_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|l| {
            let rule: Option<i64> = l.try_get("rule_id")?;
            let version: Option<i64> = l.try_get("rule_version")?;
            Ok(StatementLineView {
                explanation_zh: l.try_get("explanation_zh")?,
                explanation_en: l.try_get("explanation_en")?,
                amount_fen: l.try_get("amount_fen")?,
                adjustment: l.try_get::<i64, _>("adjustment")? != 0,
                rule: rule.map(|r| format!("#{r} v{}", version.unwrap_or(1))).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        out.push(StatementView {
            id,
            run_id: r.try_get("run_id")?,
            period: r.try_get("period")?,
            run_status: r.try_get("run_status")?,
            promoter: r.try_get("display_name")?,
            treatment: r.try_get("treatment")?,
            carried_in_fen: r.try_get("carried_in_fen")?,
            gross_fen: r.try_get("gross_fen")?,
            tax_fen: r.try_get("tax_fen")?,
            net_fen: r.try_get("net_fen")?,
            carry_out_fen: r.try_get("carry_out_fen")?,
            carry_reason: r.try_get("carry_reason")?,
            lines,
        });
    }
    Ok(out)
}

pub async fn statements(pool: &AnyPool, run_id: i64) -> Result<Vec<StatementView>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {STATEMENT_COLUMNS} FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
         JOIN users u ON u.id = s.promoter_id WHERE s.run_id = $1 ORDER BY s.promoter_id"
    ))
    .bind(run_id)
    .fetch_all(pool)
    .await?;
    statement_views(pool, rows).await
}

/// The promoter's rewards and statements (drafts are not shown until finance approves them).
pub async fn my_rewards(state: &AppState, user: &UserView) -> Result<MyRewards, AppError> {
    let pool = &state.pool;
    let rows = sqlx::query(&format!(
        "SELECT {STATEMENT_COLUMNS} FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
         JOIN users u ON u.id = s.promoter_id WHERE s.promoter_id = $1 AND r.status <> 'draft' ORDER BY r.period DESC"
    ))
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    let statements = statement_views(pool, rows).await?;
    let approved_fen = statements.iter().filter(|s| s.run_status == "approved").map(|s| s.net_fen).sum();
    let paid_fen = statements.iter().filter(|s| s.run_status == "paid").map(|s| s.net_fen).sum();
    // What the engine says now, against what approved runs already cover.
    let rules = rewards::rules(pool).await?;
    let everyone = rewards::promoters(pool).await?;
    let facts = rewards::facts(pool, &state.org, &everyone, FactScope::Promoters(&[user.id])).await?;
    let lines = compute(&rules, &facts, rewards::terms(pool).await?);
    let mut covered: BTreeMap<String, i64> = BTreeMap::new();
    for scope in ["employee", "partner"] {
        for s in settled(pool, scope, &[user.id]).await? {
            *covered.entry(s.key).or_default() += s.amount_fen;
        }
    }
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let (mut pending_fen, mut vested_fen) = (0, 0);
    for l in lines.iter().filter(|l| l.promoter_id == user.id && l.kind == crate::domain::reward::LineKind::Cash) {
        let due = l.amount_fen - covered.get(&l.key).copied().unwrap_or(0);
        match l.vests_on {
            Some(v) if v <= today => vested_fen += due,
            _ => pending_fen += due,
        }
    }
    Ok(MyRewards {
        referral_code: super::deals::referral_code(state, user.id).await?,
        pending_fen,
        vested_fen,
        approved_fen,
        paid_fen,
        statements,
        coupons: super::deals::coupons(pool, &state.org, user).await?,
        notices: sqlx::query_scalar(
            "SELECT body FROM outbox WHERE recipient = $1 AND kind IN ('reward_vested', 'reward_paid') ORDER BY id DESC LIMIT 10",
        )
        .bind(format!("user:{}", user.id))
        .fetch_all(pool)
        .await?,
    })
}

/// The payout file of an approved (or paid) run: `bank` (batch transfer), `wallet` (WeChat Pay
/// / Alipay batch, by phone) or `payroll` (promoters taxed as wages).
pub async fn export(pool: &AnyPool, run_id: i64, layout: &str) -> Result<String, AppError> {
    let run = sqlx::query("SELECT period, status FROM settlement_runs WHERE id = $1")
        .bind(run_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (period, status): (String, String) = (run.try_get("period")?, run.try_get("status")?);
    if status == "draft" {
        return Err(AppError::invalid(Field::Period, Problem::UnknownChoice));
    }
    let rows = sqlx::query(
        "SELECT s.id, s.treatment, s.gross_fen, s.tax_fen, s.net_fen, u.display_name, COALESCE(u.phone, '') AS phone, \
         u.payout_account, u.id AS user_id FROM statements s JOIN users u ON u.id = s.promoter_id WHERE s.run_id = $1 ORDER BY s.promoter_id",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await?;
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, (fen % 100).abs());
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: &[&str] = match layout {
        "bank" => &["promoter", "account", "gross", "tax", "net", "reference"],
        "wallet" => &["promoter", "phone", "net", "reference", "remark"],
        "payroll" => &["promoter", "employee_id", "gross", "period"],
        _ => return Err(AppError::invalid(Field::Scope, Problem::UnknownChoice)),
    };
    w.write_record(header).map_err(super::internal)?;
    for r in &rows {
        let treatment: String = r.try_get("treatment")?;
        let (gross, tax, net): (i64, i64, i64) =
            (r.try_get("gross_fen")?, r.try_get("tax_fen")?, r.try_get("net_fen")?);
        let name: String = r.try_get("display_name")?;
        let reference = format!("ALLHANDS-{period}-{}", r.try_get::<i64, _>("id")?);
        let wages = treatment == TaxTreatment::Wages.as_str();
        let record: Vec<String> = match layout {
            "bank" if !wages && net > 0 => {
                vec![name, r.try_get("payout_account")?, yuan(gross), yuan(tax), yuan(net), reference]
            }
            "wallet" if !wages && net > 0 => {
                let phone = crate::domain::phone::Phone::from_e164(r.try_get::<String, _>("phone")?);
                vec![name, phone.national().to_string(), yuan(net), reference, format!("{period} 推广奖励")]
            }
            "payroll" if wages && net > 0 => {
                vec![name, r.try_get::<i64, _>("user_id")?.to_string(), yuan(gross), period.clone()]
            }
            _ => continue,
        };
        w.write_record(&record).map_err(super::internal)?;
    }
    let bytes = w.into_inner().map_err(super::internal)?;
    String::from_utf8(bytes).map_err(super::internal)
}

/// The scheduled job: from the 5th, the previous month's employee run (and in a quarter's
/// first month, the previous quarter's partner run) is drafted if it does not exist yet.
pub async fn draft_due(state: &AppState) -> Result<Vec<i64>, AppError> {
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let mut drafted = Vec::new();
    if today.day() < 5 {
        return Ok(drafted);
    }
    let month = Period::Month { year: today.year(), month: today.month() }.previous();
    let mut due = vec![("employee", month.key())];
    if today.month() % 3 == 1 {
        let quarter = Period::Quarter { year: today.year(), quarter: today.month0() / 3 + 1 }.previous();
        due.push(("partner", quarter.key()));
    }
    for (scope, period) in due {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM settlement_runs WHERE period = $1 AND scope = $2")
            .bind(&period)
            .bind(scope)
            .fetch_optional(&state.pool)
            .await?;
        if exists.is_none() {
            drafted.push(draft(state, None, scope, &period).await?);
        }
    }
    Ok(drafted)
}

//! Runs after the draft: finance approves (frozen) and marks paid; the runs and statements as
//! finance and promoters read them.
use crate::features::settlement::i18n::K;
use crate::features::settlement::model::{Audited, RunRow, RunStatus, StatementLineView, StatementView};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::{SetColumn, Tx};
use crate::plumbing::errors::{AppError, Label};
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::outbox::{self, MessageKind};
use crate::plumbing::settings;
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::money::format_yuan;
use crate::shared::period::local_time;
use sqlx::{AnyPool, Row};

/// Finance approves a draft; from then on it is frozen. With four eyes on, the person who
/// drafted it may not (a run the server drafted on schedule has no drafter).
pub async fn approve(state: &AppState, actor: &Actor, run_id: i64) -> Result<(), AppError> {
    let pool = &state.db.pool;
    let four_eyes = settings::number(pool, crate::features::settlement::model::FOUR_EYES_SETTING, 1).await? != 0;
    let (_turn, mut tx) = state.db.begin_write().await?;
    let drafted_by: Option<Option<i64>> =
        sqlx::query_scalar("SELECT drafted_by FROM settlement_runs WHERE id = $1 AND status = 'draft'")
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(drafted_by) = drafted_by else {
        return Err(exists_or_frozen(pool, run_id).await?);
    };
    if four_eyes && drafted_by.is_some() && drafted_by == actor.user_id {
        return Err(AppError::Refused(Label::of(K::FourEyes)));
    }
    step(&mut tx, pool, actor, run_id, RunStatus::Draft, RunStatus::Approved).await?;
    settle(&mut tx, run_id).await?;
    tx.commit().await?;
    Ok(())
}

/// An approved run's lines are what the ledger now counts as paid; rule versions may no
/// longer start inside its period.
async fn settle(tx: &mut Tx, run_id: i64) -> Result<(), AppError> {
    use crate::features::rewards::store::ledger::SETTLED_THROUGH;
    sqlx::query(
        "UPDATE reward_ledger SET settled_fen = reward_ledger.settled_fen + paid.amount FROM \
         (SELECT sl.line_key, SUM(sl.amount_fen) AS amount FROM statement_lines sl JOIN statements s ON s.id = sl.statement_id \
          WHERE s.run_id = $1 GROUP BY sl.line_key) paid WHERE reward_ledger.line_key = paid.line_key",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    let period: String = sqlx::query_scalar("SELECT period FROM settlement_runs WHERE id = $1")
        .bind(run_id)
        .fetch_one(&mut **tx)
        .await?;
    let last = crate::shared::period::Period::parse_key(&period).map(|p| p.dates().1.to_string()).unwrap_or_default();
    let through: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(SETTLED_THROUGH)
        .fetch_optional(&mut **tx)
        .await?;
    if through.is_none_or(|t| t < last) {
        settings::put(tx, SETTLED_THROUGH, &last).await?;
    }
    Ok(())
}

/// Finance marks an approved run paid; every promoter with a payout is told (奖励到账提醒).
pub async fn mark_paid(state: &AppState, actor: &Actor, run_id: i64) -> Result<(), AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    step(&mut tx, &state.db.pool, actor, run_id, RunStatus::Approved, RunStatus::Paid).await?;
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
            crate::plumbing::i18n::fill(
                K::SmsPaid.text(crate::plumbing::i18n::MESSAGE_LOCALE),
                &[
                    ("period", &period),
                    ("net", &format_yuan(r.try_get("net_fen")?)),
                    ("gross", &format_yuan(r.try_get("gross_fen")?)),
                    ("tax", &format_yuan(r.try_get("tax_fen")?)),
                ],
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = messages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    outbox::enqueue_many(&mut tx, MessageKind::RewardPaid, &refs).await?;
    tx.commit().await?;
    events::publish(state, LiveKind::Reward, None, None, rows.len() as i64).await;
    Ok(())
}

/// Moves a run one step (draft → approved, approved → paid) with who and when, and its audit
/// entry; not found or frozen when it is not where the step starts.
async fn step(
    tx: &mut Tx,
    pool: &AnyPool,
    actor: &Actor,
    run_id: i64,
    from: RunStatus,
    to: RunStatus,
) -> Result<(), AppError> {
    let (sql, action) = match to {
        RunStatus::Paid => (
            "UPDATE settlement_runs SET status = $1, paid_at = $2, paid_by = $3 WHERE id = $4 AND status = $5",
            Audited::RunPaid,
        ),
        _ => (
            "UPDATE settlement_runs SET status = $1, approved_at = $2, approved_by = $3 WHERE id = $4 AND status = $5",
            Audited::RunApproved,
        ),
    };
    let n = sqlx::query(sql)
        .bind(to.as_str())
        .bind(now_ms())
        .bind(actor.user_id)
        .bind(run_id)
        .bind(from.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(exists_or_frozen(pool, run_id).await?);
    }
    let change = Change {
        action,
        subject: format!("run #{run_id}"),
        before: Some(from.as_str().into()),
        after: Some(to.as_str().into()),
        actor,
    };
    audit::record(tx, change).await?;
    Ok(())
}

async fn exists_or_frozen(pool: &AnyPool, run_id: i64) -> Result<AppError, AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM settlement_runs WHERE id = $1")
        .bind(run_id)
        .fetch_optional(pool)
        .await?;
    Ok(if status.is_some() { AppError::Frozen } else { AppError::NotFound })
}

pub async fn runs(state: &AppState) -> Result<Vec<RunRow>, AppError> {
    use crate::features::settlement::model::{pay_by, PAY_BY_DAY, PAY_BY_DAY_SETTING};
    let pay_by_day = settings::number(&state.db.pool, PAY_BY_DAY_SETTING, PAY_BY_DAY).await?;
    let today = crate::shared::period::local_date(chrono::Utc::now(), state.org.tz);
    let rows = sqlx::query(
        "SELECT r.id, r.period, r.scope, r.status, r.drafted_at, COUNT(s.id) AS n, CAST(COALESCE(SUM(s.gross_fen), 0) AS BIGINT) AS gross, \
         CAST(COALESCE(SUM(s.tax_fen), 0) AS BIGINT) AS tax, CAST(COALESCE(SUM(s.net_fen), 0) AS BIGINT) AS net, \
         (SELECT COUNT(*) FROM statements m JOIN users u ON u.id = m.promoter_id WHERE m.run_id = r.id AND r.status <> 'drafting' AND m.net_fen > 0 \
          AND m.treatment <> 'wages' AND u.payout_method IS NULL) AS missing FROM settlement_runs r \
         LEFT JOIN statements s ON s.run_id = r.id AND r.status <> 'drafting' GROUP BY r.id, r.period, r.scope, r.status, r.drafted_at \
         ORDER BY r.period DESC, r.scope",
    )
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let period: String = r.try_get("period")?;
            let status: RunStatus = r.set("settlement_runs", "status")?;
            let due = pay_by(&period, pay_by_day);
            Ok(RunRow {
                id: r.try_get("id")?,
                pay_by: due.map(|d| d.to_string()).unwrap_or_default(),
                overdue: status != RunStatus::Paid && due.is_some_and(|d| today > d),
                period,
                scope: r.set("settlement_runs", "scope")?,
                status,
                statements: r.try_get("n")?,
                gross_fen: r.try_get("gross")?,
                tax_fen: r.try_get("tax")?,
                net_fen: r.try_get("net")?,
                drafted_at: local_time(r.try_get("drafted_at")?, state.org.tz),
                may_mark_paid: false,
                missing_accounts: r.try_get("missing")?,
            })
        })
        .collect()
}

pub const STATEMENT_COLUMNS: &str = "s.id, s.run_id, r.period, r.status AS run_status, u.display_name, s.treatment, \
     s.carried_in_fen, s.gross_fen, s.tax_fen, s.net_fen, s.carry_out_fen, s.carry_reason";

pub async fn statement_views(pool: &AnyPool, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<StatementView>, AppError> {
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
            run_status: r.set("settlement_runs", "run_status")?,
            promoter: r.try_get("display_name")?,
            treatment: r.set("statements", "treatment")?,
            carried_in_fen: r.try_get("carried_in_fen")?,
            gross_fen: r.try_get("gross_fen")?,
            tax_fen: r.try_get("tax_fen")?,
            net_fen: r.try_get("net_fen")?,
            carry_out_fen: r.try_get("carry_out_fen")?,
            carry_reason: r.set_opt("statements", "carry_reason")?,
            lines,
        });
    }
    Ok(out)
}

pub async fn statements(pool: &AnyPool, run_id: i64) -> Result<Vec<StatementView>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {STATEMENT_COLUMNS} FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
         JOIN users u ON u.id = s.promoter_id WHERE s.run_id = $1 AND r.status <> 'drafting' ORDER BY s.promoter_id"
    ))
    .bind(run_id)
    .fetch_all(pool)
    .await?;
    statement_views(pool, rows).await
}

//! Runs after the draft: finance approves (frozen) and marks paid; the runs and statements as
//! finance and promoters read them.
use super::held::{self, Held};
use crate::features::settlement::i18n::K;
use crate::features::settlement::model::{Audited, RunRow, RunStatus, StatementView};
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
use std::collections::BTreeMap;

/// Finance approves a draft; from then on it is frozen. With four eyes on, the person who
/// drafted it may not (a run the server drafted on schedule has no drafter). A draft that holds
/// the ledger has its statement lines written and settled first, under a lease and in short
/// transactions (the writer is never held long: referral forms wait for it on SQLite); the
/// last one approves it. An approval that dies midway is finished by the next: a settled
/// statement is marked so, and is not settled twice; the run can no longer be drafted again,
/// and no other run of its scope is approved until it is.
pub async fn approve(state: &AppState, actor: &Actor, run_id: i64) -> Result<(), AppError> {
    let pool = &state.db.pool;
    let four_eyes = settings::number(pool, crate::features::settlement::model::FOUR_EYES_SETTING, 1).await? != 0;
    let held = approvable(pool, pool, actor, run_id, four_eyes).await?;
    let token = i64::from(rand::random::<u32>());
    if let Some((read, period)) = &held {
        let (turn, mut tx) = state.db.begin_write().await?;
        // One approval of a scope settles at a time, and only a draft no approval made stale
        // begins: one that began is never refused at its end. The ledger's turn row orders
        // these checks on PostgreSQL.
        crate::features::rewards::store::revision::tick(&mut tx).await?;
        if approvable(&mut *tx, pool, actor, run_id, four_eyes).await? != held {
            return Err(AppError::Frozen);
        }
        let settling: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM settlement_runs o JOIN settlement_runs r ON r.scope = o.scope AND r.id = $1 \
             WHERE o.id <> r.id AND o.status = 'draft' AND o.settling_from IS NOT NULL",
        )
        .bind(run_id)
        .fetch_one(&mut *tx)
        .await?;
        if settling > 0 {
            return Err(AppError::Refused(Label::of(K::AnotherApproval)));
        }
        let taken = sqlx::query(
            "UPDATE settlement_runs SET draft_token = $1, draft_beat = $2, settling_from = $2 WHERE id = $3 \
             AND status = 'draft' AND (draft_token IS NULL OR draft_beat < $4)",
        )
        .bind(token)
        .bind(now_ms())
        .bind(run_id)
        .bind(now_ms() - held::LEASE_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        drop(turn);
        if taken == 0 {
            return Err(AppError::Frozen);
        }
        held::record(state, run_id, Held::new(*read, period)?, token).await?;
        while settle_some(state, run_id, *read, token, STATEMENTS_PER_SETTLE).await? {}
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    if approvable(&mut *tx, pool, actor, run_id, four_eyes).await? != held {
        return Err(AppError::Frozen);
    }
    if held.is_some() {
        held::renew(&mut tx, run_id, token, RunStatus::Draft).await?;
    }
    step(&mut tx, pool, actor, run_id, RunStatus::Draft, RunStatus::Approved).await?;
    // A draft made before holds (its lines copied) is settled whole, here.
    loop {
        let ids = unsettled(&mut tx, run_id, STATEMENTS_PER_SETTLE).await?;
        if ids.is_empty() {
            break;
        }
        settle(&mut tx, &ids, None).await?;
    }
    settled_through(&mut tx, run_id).await?;
    held::forget(&mut tx, run_id).await?;
    sqlx::query("UPDATE settlement_runs SET draft_token = NULL, draft_beat = NULL WHERE id = $1")
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether this person may approve the run now; its hold on the ledger and period, if it has one.
async fn approvable<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
    pool: &AnyPool,
    actor: &Actor,
    run_id: i64,
    four_eyes: bool,
) -> Result<Option<(i64, String)>, AppError> {
    // A run of the scope approved after this draft read the ledger settled lines this draft
    // would pay again.
    let run = sqlx::query(
        "SELECT r.drafted_by, r.period, r.ledger_read, (SELECT COUNT(*) FROM settlement_runs o WHERE o.scope = r.scope \
         AND o.id <> r.id AND o.approved_at >= COALESCE(h.held_at, r.drafted_at)) AS later FROM settlement_runs r \
         LEFT JOIN ledger_reads h ON h.id = r.ledger_read WHERE r.id = $1 AND r.status = 'draft'",
    )
    .bind(run_id)
    .fetch_optional(db)
    .await?;
    let Some(run) = run else {
        return Err(exists_or_frozen(pool, run_id).await?);
    };
    let drafted_by: Option<i64> = run.try_get("drafted_by")?;
    if four_eyes && drafted_by.is_some() && drafted_by == actor.user_id {
        return Err(AppError::Refused(Label::of(K::FourEyes)));
    }
    if run.try_get::<i64, _>("later")? > 0 {
        return Err(AppError::Refused(Label::of(K::StaleDraft)));
    }
    let read: Option<i64> = run.try_get("ledger_read")?;
    Ok(match read {
        Some(read) => Some((read, run.try_get("period")?)),
        None => None,
    })
}

/// Statements settled per transaction: at a hundred lines each, ten thousand ledger rows.
const STATEMENTS_PER_SETTLE: i64 = 100;

/// The run's next `limit` statements not settled yet.
async fn unsettled(tx: &mut Tx, run_id: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM statements WHERE run_id = $1 AND settled_at IS NULL ORDER BY id LIMIT $2")
        .bind(run_id)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?)
}

/// Settles the run's next `limit` statements in one short transaction under the approver's
/// lease (`token`, on the run's hold `read`); false when none was left.
pub async fn settle_some(state: &AppState, run_id: i64, read: i64, token: i64, limit: i64) -> Result<bool, AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    held::renew(&mut tx, run_id, token, RunStatus::Draft).await?;
    let ids = unsettled(&mut tx, run_id, limit).await?;
    if !ids.is_empty() {
        settle(&mut tx, &ids, Some(read)).await?;
    }
    tx.commit().await?;
    Ok(!ids.is_empty())
}

/// These statements' lines are what the ledger now counts as paid, and the statements are
/// marked settled.
async fn settle(tx: &mut Tx, statements: &[i64], read: Option<i64>) -> Result<(), AppError> {
    use crate::features::rewards::store::facts::id_list;
    use crate::features::rewards::store::revision;
    let list = id_list(statements);
    let tick = revision::tick(tx).await?;
    // Other drafts keep seeing these lines as they read them.
    let keys = format!("SELECT line_key FROM statement_lines WHERE statement_id IN ({list})");
    revision::keep_lines(tx, &tick, read.unwrap_or(0), &keys).await?;
    // A line the facts stopped earning after the draft read it may be gone from the ledger: it
    // comes back at zero with what was paid, so the next run takes that back.
    sqlx::query(&format!(
        "INSERT INTO reward_ledger (line_key, customer, promoter_id, deal_id, amount_fen, settled_fen, vests_on, line, \
         accrued_at, announced, revision) \
         SELECT paid.line_key, d.customer_phone, paid.promoter_id, paid.deal_id, 0, paid.amount, paid.vests_on, NULL, $2, 1, $1 \
         FROM (SELECT sl.line_key, MAX(s.promoter_id) AS promoter_id, MAX(sl.deal_id) AS deal_id, MAX(sl.vests_on) AS vests_on, \
               CAST(SUM(sl.amount_fen) AS BIGINT) AS amount FROM statement_lines sl JOIN statements s ON s.id = sl.statement_id \
               WHERE sl.statement_id IN ({list}) GROUP BY sl.line_key) paid LEFT JOIN deals d ON d.id = paid.deal_id WHERE 1 = 1 \
         ON CONFLICT (line_key) DO UPDATE SET settled_fen = reward_ledger.settled_fen + excluded.settled_fen, \
         revision = excluded.revision"
    ))
    .persistent(false)
    .bind(tick.revision)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    sqlx::query(&format!("UPDATE statements SET settled_at = $1 WHERE id IN ({list})"))
        .persistent(false)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Rule versions may no longer start inside an approved run's period.
async fn settled_through(tx: &mut Tx, run_id: i64) -> Result<(), AppError> {
    use crate::features::rewards::store::ledger::SETTLED_THROUGH;
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

pub const STATEMENT_COLUMNS: &str = "s.id, s.run_id, r.period, r.status AS run_status, r.ledger_read, u.display_name, \
     s.promoter_id, s.treatment, s.carried_in_fen, s.gross_fen, s.tax_fen, s.net_fen, s.carry_out_fen, s.carry_reason, \
     s.settled_at";

pub async fn statement_views(pool: &AnyPool, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<StatementView>, AppError> {
    let mut out = Vec::new();
    // A draft's lines are read through its hold on the ledger, a few hundred promoters at a
    // time; an approved run's were written, as were those of a statement an approval settled.
    let mut drafted: BTreeMap<(i64, String), Vec<(usize, held::Payee)>> = BTreeMap::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let period: String = r.try_get("period")?;
        let treatment = r.set("statements", "treatment")?;
        let carried_in_fen = r.try_get("carried_in_fen")?;
        let settled = r.try_get::<Option<i64>, _>("settled_at")?.is_some();
        let lines = match r.try_get::<Option<i64>, _>("ledger_read")?.filter(|_| !settled) {
            Some(read) => {
                let promoter = r.try_get("promoter_id")?;
                let payee = (promoter, treatment, carried_in_fen);
                drafted.entry((read, period.clone())).or_default().push((out.len(), payee));
                Vec::new()
            }
            None => held::recorded(pool, id).await?,
        };
        out.push(StatementView {
            id,
            run_id: r.try_get("run_id")?,
            period,
            run_status: r.set("settlement_runs", "run_status")?,
            promoter: r.try_get("display_name")?,
            treatment,
            carried_in_fen,
            gross_fen: r.try_get("gross_fen")?,
            tax_fen: r.try_get("tax_fen")?,
            net_fen: r.try_get("net_fen")?,
            carry_out_fen: r.try_get("carry_out_fen")?,
            carry_reason: r.set_opt("statements", "carry_reason")?,
            lines,
        });
    }
    for ((read, period), statements) in drafted {
        let held = Held::new(read, &period)?;
        for part in statements.chunks(held::PROMOTERS_PER_READ) {
            let who: Vec<held::Payee> = part.iter().map(|(_, payee)| *payee).collect();
            let mut lines = held::lines(pool, held, &who).await?;
            for (at, (promoter, _, _)) in part {
                out[*at].lines = lines.remove(promoter).unwrap_or_default();
            }
        }
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

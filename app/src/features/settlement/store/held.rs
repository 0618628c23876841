//! A draft's statement lines are not copied: the draft holds the reward ledger as it stood
//! (`rewards::store::revision`), and its lines are read through the hold whenever they are
//! shown. Approval writes them as statement lines, the run's permanent record, and releases
//! the hold.
use crate::features::rewards::store::facts::id_list;
use crate::features::rewards::store::revision;
use crate::features::settlement::model::{RunStatus, StatementLineView};
use crate::features::settlement::statements::{
    draft as draft_statements, statement, Draft, Settled, Statement, StatementLine,
};
use crate::features::settlement::tax::TaxTreatment;
use crate::plumbing::db::{self, SetColumn};
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::Locale;
use crate::plumbing::state::{internal, now_ms, AppState};
use crate::shared::money::format_yuan;
use crate::shared::period::Period;
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// A drafted run's hold on the ledger and its period.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub read: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Held {
    pub fn new(read: i64, period: &str) -> Result<Held, AppError> {
        let (first_day, last_day) = Period::parse_key(period).ok_or_else(|| internal(period.to_string()))?.dates();
        Ok(Held { read, first_day, last_day })
    }
}

/// The statements of these promoters (how each is taxed, what each carries in), as the hold
/// sees the ledger, each line with the engine's line that explains it.
pub async fn statements(
    pool: &AnyPool,
    held: Held,
    promoters: &BTreeMap<i64, TaxTreatment>,
    carried_in: &BTreeMap<i64, i64>,
    minimum_payout_fen: i64,
) -> Result<Vec<Statement>, AppError> {
    let ids: Vec<i64> = promoters.keys().copied().collect();
    let (lines, paid) = revision::open(pool, held.read, &ids, held.first_day, held.last_day).await?;
    let settled: Vec<Settled> =
        paid.into_iter().map(|(key, promoter_id, amount_fen)| Settled { key, promoter_id, amount_fen }).collect();
    Ok(draft_statements(&Draft {
        promoters,
        lines: &lines,
        settled: &settled,
        carried_in,
        first_day: held.first_day,
        last_day: held.last_day,
        minimum_payout_fen,
    }))
}

/// The same statements without their lines, from per-promoter sums the database makes over
/// the ledger: what a draft stores (its lines are read through the hold when shown).
pub async fn sums(
    pool: &AnyPool,
    held: Held,
    promoters: &BTreeMap<i64, TaxTreatment>,
    carried_in: &BTreeMap<i64, i64>,
    minimum_payout_fen: i64,
) -> Result<Vec<Statement>, AppError> {
    let ids: Vec<i64> = promoters.keys().copied().collect();
    let sums = revision::sums(pool, held.read, &ids, held.first_day, held.last_day).await?;
    let mut out = Vec::new();
    for (promoter, treatment) in promoters {
        let (fen, lines) = sums.get(promoter).copied().unwrap_or((0, 0));
        let carried = carried_in.get(promoter).copied().unwrap_or(0);
        if lines > 0 || carried != 0 {
            out.push(statement(*promoter, *treatment, Vec::new(), fen, carried, minimum_payout_fen));
        }
    }
    Ok(out)
}

/// A drafted statement's promoter: who, how taxed, what is carried in.
pub type Payee = (i64, TaxTreatment, i64);

/// Drafted statements' lines as shown, by promoter.
pub async fn lines(
    pool: &AnyPool,
    held: Held,
    promoters: &[Payee],
) -> Result<BTreeMap<i64, Vec<StatementLineView>>, AppError> {
    let treatments = promoters.iter().map(|(p, t, _)| (*p, *t)).collect();
    let carried = promoters.iter().map(|(p, _, c)| (*p, *c)).collect();
    let drafted = statements(pool, held, &treatments, &carried, 0).await?;
    Ok(drafted
        .into_iter()
        .map(|s| (s.promoter_id, s.lines.into_iter().map(|l| LineRow::from(l).view()).collect()))
        .collect())
}

/// A run whose maker (drafting) or approver (writing its lines) has not renewed its lease for
/// this long is taken over.
pub const LEASE_MS: i64 = 10_000;

/// Renews a lease on a run in `status` (drafting, or a draft being approved), in the
/// transaction of a step: refused if another took the run over.
pub async fn renew(tx: &mut db::Tx, run_id: i64, token: i64, status: RunStatus) -> Result<(), AppError> {
    let n =
        sqlx::query("UPDATE settlement_runs SET draft_beat = $1 WHERE id = $2 AND status = $3 AND draft_token = $4")
            .bind(now_ms())
            .bind(run_id)
            .bind(status.as_str())
            .bind(token)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::Frozen)
    }
}

/// Promoters read at once when a run's lines are shown or written.
pub const PROMOTERS_PER_READ: usize = 250;

/// Statement lines written per transaction at approval, in one INSERT (13 parameters a line,
/// under both engines' limits): the writer is never held long.
const LINES_PER_TRANSACTION: usize = 1000;

/// Writes a held draft's statement lines before its approval: exactly what its statements
/// show, each statement's lines summing to its stored gross, a thousand lines a transaction
/// under the approver's lease (`token`). A statement an approval that died already settled
/// keeps the lines it was settled with (the hold no longer sees them unpaid).
pub async fn record(state: &AppState, run_id: i64, held: Held, token: i64) -> Result<(), AppError> {
    let pool = &state.db.pool;
    // Lines an approval that died left behind.
    loop {
        let (_turn, mut tx) = state.db.begin_write().await?;
        renew(&mut tx, run_id, token, RunStatus::Draft).await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT sl.statement_id FROM statement_lines sl JOIN statements s ON s.id = sl.statement_id \
             WHERE s.run_id = $1 AND s.settled_at IS NULL LIMIT 50",
        )
        .bind(run_id)
        .fetch_all(&mut *tx)
        .await?;
        if !ids.is_empty() {
            sqlx::query(&format!("DELETE FROM statement_lines WHERE statement_id IN ({})", id_list(&ids)))
                .persistent(false)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        if ids.is_empty() {
            break;
        }
    }
    let rows = sqlx::query(
        "SELECT id, promoter_id, treatment, carried_in_fen, gross_fen FROM statements WHERE run_id = $1 \
         AND settled_at IS NULL ORDER BY promoter_id",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await?;
    let mut stored = BTreeMap::new();
    for r in &rows {
        let treatment: TaxTreatment = r.set("statements", "treatment")?;
        let row: (i64, TaxTreatment, i64, i64) =
            (r.try_get("id")?, treatment, r.try_get("carried_in_fen")?, r.try_get("gross_fen")?);
        stored.insert(r.try_get::<i64, _>("promoter_id")?, row);
    }
    let ids: Vec<i64> = stored.keys().copied().collect();
    for part in ids.chunks(PROMOTERS_PER_READ) {
        let treatments = part.iter().map(|p| (*p, stored[p].1)).collect();
        let carried = part.iter().map(|p| (*p, stored[p].2)).collect();
        let mut out = Vec::new();
        let drafted = statements(pool, held, &treatments, &carried, 0).await?;
        if drafted.len() != part.len() {
            let why = format!("run {run_id}: {} statements read against {} stored", drafted.len(), part.len());
            return Err(internal(why));
        }
        for s in drafted {
            let Some(&(id, _, _, gross)) = stored.get(&s.promoter_id) else {
                return Err(internal(format!("run {run_id}: promoter {} has no statement", s.promoter_id)));
            };
            if s.gross_fen != gross {
                let why = format!("run {run_id}: promoter {} reads {} against {gross}", s.promoter_id, s.gross_fen);
                return Err(internal(why));
            }
            out.extend(s.lines.into_iter().map(|l| (id, LineRow::from(l))));
        }
        while !out.is_empty() {
            let rest = out.split_off(out.len().min(LINES_PER_TRANSACTION));
            let (_turn, mut tx) = state.db.begin_write().await?;
            renew(&mut tx, run_id, token, RunStatus::Draft).await?;
            store_lines(state.db.backend, &mut tx, std::mem::replace(&mut out, rest)).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// The lines of these statements as written at approval, in their order.
pub async fn recorded(pool: &AnyPool, statement_id: i64) -> Result<Vec<StatementLineView>, AppError> {
    let rows = sqlx::query(
        "SELECT amount_fen, adjustment, explanation_zh, explanation_en, rule_id, rule_version FROM statement_lines \
         WHERE statement_id = $1 ORDER BY id",
    )
    .bind(statement_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|l| {
            Ok(StatementLineView {
                explanation_zh: l.try_get("explanation_zh")?,
                explanation_en: l.try_get("explanation_en")?,
                amount_fen: l.try_get("amount_fen")?,
                adjustment: l.try_get::<i64, _>("adjustment")? != 0,
                rule: rule_label(l.try_get("rule_id")?, l.try_get("rule_version")?),
            })
        })
        .collect()
}

fn rule_label(rule: Option<i64>, version: Option<i64>) -> String {
    rule.map(|r| format!("#{r} v{}", version.unwrap_or(1))).unwrap_or_default()
}

/// A statement line as its row is written, its explanation sentences made.
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

impl LineRow {
    fn view(self) -> StatementLineView {
        StatementLineView {
            rule: rule_label(self.rule_id, self.rule_version),
            explanation_zh: self.explanation_zh,
            explanation_en: self.explanation_en,
            amount_fen: self.amount_fen,
            adjustment: self.adjustment != 0,
        }
    }
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

/// A statement line's columns, in the order `store_lines` binds them.
const LINE_COLUMNS: &str = "statement_id, line_key, rule_id, rule_version, deal_id, basis_fen, rate, multiplier, \
     amount_fen, adjustment, vests_on, explanation_zh, explanation_en";

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

/// Clears what a run's earlier draft left: its hold, and any lines written for it.
pub async fn forget(tx: &mut db::Tx, run_id: i64) -> Result<(), AppError> {
    let read: Option<Option<i64>> = sqlx::query_scalar("SELECT ledger_read FROM settlement_runs WHERE id = $1")
        .bind(run_id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(read) = read.flatten() {
        sqlx::query("UPDATE settlement_runs SET ledger_read = NULL WHERE id = $1")
            .bind(run_id)
            .execute(&mut **tx)
            .await?;
        revision::release(tx, read).await?;
    }
    Ok(())
}

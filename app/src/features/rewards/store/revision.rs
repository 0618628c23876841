//! The ledger's revisions. A reader (a settlement draft until its run is approved) holds the
//! ledger as it stood at one revision: a row that changes later is first kept as it was
//! (`ledger_kept`), so the reader sees the same lines however long it takes, without copying
//! the ledger when it starts. Every transaction that writes ledger rows takes a tick.
use super::facts::id_list;
use crate::features::rewards::engine::RewardLine;
use crate::plumbing::db::Tx;
use crate::plumbing::errors::AppError;
use crate::plumbing::state::{internal, now_ms};
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};

/// The ledger's clock in one writing transaction.
pub struct Tick {
    pub revision: i64,
    /// Whether some reader holds an earlier revision (rows must be kept before they change).
    held: bool,
}

/// Advances the ledger's clock. It takes the `accrual_turn` row, so on PostgreSQL a reader
/// taking its revision waits for the writer in flight: every row at or below it has committed,
/// and every later writer sees the hold.
pub async fn tick(tx: &mut Tx) -> Result<Tick, AppError> {
    let revision: i64 = sqlx::query_scalar(
        "UPDATE accrual_turn SET taken_at = $1, revision = revision + 1 WHERE id = 1 RETURNING revision",
    )
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let holds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_reads").fetch_one(&mut **tx).await?;
    Ok(Tick { revision, held: holds > 0 })
}

/// Starts holding the ledger as it stands now; returns the hold's id.
pub async fn hold(tx: &mut Tx) -> Result<i64, AppError> {
    let tick = tick(tx).await?;
    Ok(sqlx::query_scalar("INSERT INTO ledger_reads (revision, held_at) VALUES ($1, $2) RETURNING id")
        .bind(tick.revision)
        .bind(now_ms())
        .fetch_one(&mut **tx)
        .await?)
}

/// Stops holding: the rows kept for the hold go.
pub async fn release(tx: &mut Tx, read: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM ledger_kept WHERE read_id = $1").bind(read).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM ledger_reads WHERE id = $1").bind(read).execute(&mut **tx).await?;
    Ok(())
}

const KEEP: &str =
    "INSERT INTO ledger_kept (read_id, line_key, promoter_id, amount_fen, settled_fen, vests_on, cash, line) \
     SELECT r.id, l.line_key, l.promoter_id, l.amount_fen, l.settled_fen, l.vests_on, l.cash, l.line \
     FROM reward_ledger l JOIN ledger_reads r ON l.revision <= r.revision";

/// Keeps one row as every hold sees it, before it changes (the first change after a hold keeps it).
pub async fn keep_line(tx: &mut Tx, tick: &Tick, key: &str) -> Result<(), AppError> {
    if tick.held {
        sqlx::query(&format!("{KEEP} WHERE l.line_key = $1 ON CONFLICT (read_id, line_key) DO NOTHING"))
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Keeps the rows whose keys `keys` (a subquery, its ids written in) selects, for every hold
/// but `except`.
pub async fn keep_lines(tx: &mut Tx, tick: &Tick, except: i64, keys: &str) -> Result<(), AppError> {
    // Usually the only hold is the approving run's own: then nothing is kept, and the join
    // over the run's keys (seconds for a million lines) is not made at all.
    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_reads WHERE id <> $1")
        .bind(except)
        .fetch_one(&mut **tx)
        .await?;
    if tick.held && others > 0 {
        sqlx::query(&format!(
            "{KEEP} WHERE r.id <> $1 AND l.line_key IN ({keys}) ON CONFLICT (read_id, line_key) DO NOTHING"
        ))
        .persistent(false)
        .bind(except)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Criteria of the rows a draft reads, over columns of `x`: lines vested by the period's last
/// day (`$1`) that approved runs have not paid, and (to be explained, not paid) the lines of
/// the period (`$2`..`$1`) that earn nothing.
const DUE: &str = "((x.amount_fen <> x.settled_fen AND x.vests_on <= $1) \
     OR (x.amount_fen = 0 AND x.settled_fen = 0 AND x.vests_on >= $2 AND x.vests_on <= $1))";

/// What approved runs had paid per key: (key, promoter, fen).
pub type Paid = Vec<(String, i64, i64)>;

/// The rows a draft reads for these promoters, as the hold sees them: their lines, and what
/// approved runs had paid per key.
pub async fn open(
    pool: &AnyPool,
    read: i64,
    promoters: &[i64],
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> Result<(Vec<RewardLine>, Paid), AppError> {
    let select = "x.line_key, x.promoter_id, x.settled_fen, x.line";
    let rows = open_rows(pool, read, promoters, first_day, last_day, [select, select], "").await?;
    let (mut lines, mut settled) = (Vec::new(), Vec::new());
    for r in &rows {
        paid(r, &mut settled)?;
        if let Some(text) = r.try_get::<Option<String>, _>("line")? {
            lines.push(serde_json::from_str(&text).map_err(internal)?);
        }
    }
    Ok((lines, settled))
}

/// Per promoter, what the rows `open` reads come to as a draft pays them, summed by the
/// database: (fen, lines). A cash line pays what approved runs have not paid of it; a line the
/// facts no longer earn, or not cash, takes back what was paid. It makes a statement line
/// when it is in the period and unpaid, or pays or takes back something: the rule of
/// `settlement::statements::draft`, which a test holds this to.
pub async fn sums(
    pool: &AnyPool,
    read: i64,
    promoters: &[i64],
    first_day: NaiveDate,
    last_day: NaiveDate,
) -> Result<std::collections::BTreeMap<i64, (i64, i64)>, AppError> {
    const SUMS: &str = "x.promoter_id, \
        CAST(SUM(CASE WHEN x.line IS NOT NULL AND x.cash = 1 THEN x.amount_fen - x.settled_fen ELSE -x.settled_fen END) AS BIGINT) AS fen, \
        CAST(SUM(CASE WHEN x.line IS NOT NULL AND x.cash = 1 THEN \
            (CASE WHEN (x.vests_on >= $2 AND x.settled_fen = 0) OR x.amount_fen <> x.settled_fen THEN 1 ELSE 0 END) \
          WHEN x.settled_fen <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS lines";
    // The same over open rows (amount ≠ settled), from the columns their index holds: a line
    // the facts no longer earn is at zero (`ledger::vanish`), so it pays `amount − settled`
    // (= −settled) and makes a line (settled ≠ 0) whether cash or not, and whether its JSON is
    // NULL need not be read.
    const OPEN_SUMS: &str = "x.promoter_id, \
        CAST(SUM(CASE WHEN x.cash = 1 THEN x.amount_fen - x.settled_fen ELSE -x.settled_fen END) AS BIGINT) AS fen, \
        CAST(SUM(CASE WHEN x.cash = 1 OR x.settled_fen <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS lines";
    let rows =
        open_rows(pool, read, promoters, first_day, last_day, [OPEN_SUMS, SUMS], "GROUP BY x.promoter_id").await?;
    let mut out = std::collections::BTreeMap::new();
    for r in &rows {
        let e = out.entry(r.try_get::<i64, _>("promoter_id")?).or_insert((0, 0));
        e.0 += r.try_get::<i64, _>("fen")?;
        e.1 += r.try_get::<i64, _>("lines")?;
    }
    Ok(out)
}

fn paid(r: &sqlx::any::AnyRow, settled: &mut Paid) -> Result<(), sqlx::Error> {
    let fen: i64 = r.try_get("settled_fen")?;
    if fen != 0 {
        settled.push((r.try_get("line_key")?, r.try_get("promoter_id")?, fen));
    }
    Ok(())
}

/// The rows a draft reads for these promoters as the hold sees them: `select[0]` over the open
/// rows (amount ≠ settled) and `select[1]` over the others, as `x`, then `tail` (a grouping),
/// for each of the places they are read from.
async fn open_rows(
    pool: &AnyPool,
    read: i64,
    promoters: &[i64],
    first_day: NaiveDate,
    last_day: NaiveDate,
    select: [&str; 2],
    tail: &str,
) -> Result<Vec<sqlx::any::AnyRow>, AppError> {
    let ids = id_list(promoters);
    let kept: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ledger_kept WHERE read_id = $1 AND promoter_id IN ({ids})"))
            .persistent(false)
            .bind(read)
            .fetch_one(pool)
            .await?;
    // Rows kept for the hold are read from where they were kept (usually none are).
    let unchanged = if kept > 0 {
        "AND NOT EXISTS (SELECT 1 FROM ledger_kept k WHERE k.read_id = $3 AND k.line_key = x.line_key)"
    } else {
        ""
    };
    // Two statements, each on its own partial index (whose predicate must be spelled out).
    let mut rows = Vec::new();
    for (select, due) in select
        .iter()
        .zip(["x.amount_fen <> x.settled_fen AND x.vests_on <= $1", "x.amount_fen = 0 AND x.settled_fen = 0"])
    {
        rows.extend(
            sqlx::query(&format!(
                "SELECT {select} FROM reward_ledger x WHERE x.promoter_id IN ({ids}) \
                 AND {due} AND {DUE} AND x.revision <= (SELECT revision FROM ledger_reads WHERE id = $3) {unchanged} {tail}"
            )).persistent(false)
            .bind(last_day.to_string())
            .bind(first_day.to_string())
            .bind(read)
            .fetch_all(pool)
            .await?,
        );
    }
    if kept > 0 {
        rows.extend(
            sqlx::query(&format!(
                "SELECT {} FROM ledger_kept x WHERE x.read_id = $3 AND x.promoter_id IN ({ids}) AND {DUE} {tail}",
                select[1]
            ))
            .persistent(false)
            .bind(last_day.to_string())
            .bind(first_day.to_string())
            .bind(read)
            .fetch_all(pool)
            .await?,
        );
    }
    Ok(rows)
}

//! One code path for both engines through sqlx's `Any` driver: SQLite (embedded default,
//! WAL mode, created on first start) or PostgreSQL, chosen by the URL. SQL is written once,
//! with `$n` placeholders, which both drivers accept. Every write goes through
//! [`Db::begin_write`]: SQLite has one writer, taken in turn.
use super::errors::{AppError, FormField, Problem};
use super::state::is_unique_violation;
use crate::shared::closed_set::ClosedSet;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor, Row};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The database: the pool readers use, and the writer's turn.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite's single writer, taken in turn (see [`Db::begin_write`]).
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl Db {
    /// Connects (creating and migrating the database).
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        Ok(Db::of(connect(url).await?, Backend::of_url(url)))
    }

    pub fn of(pool: AnyPool, backend: Backend) -> Db {
        Db { pool, backend, writer: Arc::new(tokio::sync::Mutex::new(())) }
    }

    /// A transaction that will write. SQLite has one writer at a time: writers queue, first
    /// come first served, on an in-process lock (SQLite's own busy handler sleeps and retries,
    /// which is unfair under load), and the transaction takes the write lock up front (`BEGIN
    /// IMMEDIATE`) so another process cannot make it fail on a lock upgrade. PostgreSQL writers
    /// run concurrently. Keep the turn until the commit.
    pub async fn begin_write(&self) -> Result<(WriterTurn, Tx), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.writer.clone().lock_owned().await;
                loop {
                    let mut conn = self.pool.acquire().await?;
                    if conn.is_in_transaction() {
                        // Left inside a transaction whose COMMIT a full disk refused: it could
                        // never begin again. Retired; the pool opens a fresh one.
                        tracing::warn!("retiring a database connection left inside a transaction");
                        conn.close_on_drop();
                        continue;
                    }
                    return Ok((Some(turn), sqlx::Transaction::begin(conn, Some("BEGIN IMMEDIATE".into())).await?));
                }
            }
            Backend::Postgres => Ok((None, self.pool.begin().await?)),
        }
    }

    /// A read of many rows in an order an index gives, to be consumed as they come (a replay
    /// over a quarter's facts). PostgreSQL otherwise prefers to hash and then sort the whole
    /// result, which returns nothing until all of it is sorted: here the plan follows the
    /// index, so the first rows arrive at once and the reader works while the rest come
    /// (what-if on 1,000,000 deals: the sorted plan returned its first row after 2.4 s). One
    /// process serves it: parallel workers only take the cores the reader needs (the same
    /// what-if read 3.9 s with two workers, 3.4 s without). No JIT compilation: it costs more
    /// than a streamed read gains. The settings end with the transaction, even when the
    /// caller is dropped mid-read. SQLite's plans already stream from the index.
    pub async fn begin_streaming_read(&self) -> Result<Tx, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            for setting in ["enable_sort = off", "max_parallel_workers_per_gather = 0", "jit = off"] {
                sqlx::query(&format!("SET LOCAL {setting}")).execute(&mut *tx).await?;
            }
        }
        Ok(tx)
    }
}

/// Commits the transaction of an insert, or names `field` as taken when a unique key refused
/// the row (the database, not a check before it, decides between concurrent requests).
pub async fn commit_unless_taken<T>(
    tx: Tx,
    inserted: Result<T, sqlx::Error>,
    field: impl FormField,
) -> Result<T, AppError> {
    match inserted {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) if is_unique_violation(&e) => Err(AppError::invalid(field, Problem::Taken)),
        Err(e) => Err(e.into()),
    }
}

/// Deletes row `id` of `table`; not found when there is none.
pub async fn delete_by_id(db: &Db, table: &'static str, id: i64) -> Result<(), AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let gone = sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Sets one text column of row `id` of `table`; not found when there is none.
pub async fn set_by_id(
    db: &Db,
    table: &'static str,
    column: &'static str,
    value: &str,
    id: i64,
) -> Result<(), AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
    let changed = sqlx::query(&sql).bind(value).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Reads a closed-set column; a spelling not in the set is an error naming the table and value.
pub fn stored<E: ClosedSet>(table: &str, value: &str) -> Result<E, sqlx::Error> {
    E::parse(value).ok_or_else(|| sqlx::Error::Decode(format!("{table}: unknown {} {value:?}", E::NAME).into()))
}

/// Closed-set columns of a row.
pub trait SetColumn {
    fn set<E: ClosedSet>(&self, table: &str, column: &str) -> Result<E, sqlx::Error>;
    fn set_opt<E: ClosedSet>(&self, table: &str, column: &str) -> Result<Option<E>, sqlx::Error>;
}

impl SetColumn for sqlx::any::AnyRow {
    fn set<E: ClosedSet>(&self, table: &str, column: &str) -> Result<E, sqlx::Error> {
        stored(table, &self.try_get::<String, _>(column)?)
    }

    fn set_opt<E: ClosedSet>(&self, table: &str, column: &str) -> Result<Option<E>, sqlx::Error> {
        self.try_get::<Option<String>, _>(column)?.map(|v| stored(table, &v)).transpose()
    }
}

/// `n` rows cut into chunks of `max` (a power of two), then halves of it down to 1: their
/// (start, length). A writer's batches then use few distinct statement texts, so each stays
/// prepared on its connection (on SQLite, preparing an insert also compiles the triggers that
/// keep the counters).
pub fn statement_chunks(n: usize, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let len = max.min(1 << (n - start).ilog2());
        out.push((start, len));
        start += len;
    }
    out
}

/// A JSON column; text that is not the expected JSON is an error naming the table and column,
/// never an empty default (a campaign's boosts read as none would pay the wrong rewards).
pub fn stored_json<T: serde::de::DeserializeOwned>(table: &str, column: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(format!("{table}.{column}: {e}").into()))
}

/// JSON columns of a row.
pub trait JsonColumn {
    fn json<T: serde::de::DeserializeOwned>(&self, table: &str, column: &str) -> Result<T, sqlx::Error>;
}

impl JsonColumn for sqlx::any::AnyRow {
    fn json<T: serde::de::DeserializeOwned>(&self, table: &str, column: &str) -> Result<T, sqlx::Error> {
        stored_json(table, column, &self.try_get::<String, _>(column)?)
    }
}

async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url);
    let url = match backend {
        // Create the file on first start.
        Backend::Sqlite if !url.contains("mode=") => {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        }
        _ => url.to_string(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
        // A database that cannot be reached answers 503 well before the request's own limit
        // (60 s), while a busy moment (every connection taken) still waits its turn.
        .acquire_timeout(std::time::Duration::from_secs(15))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the writer; busy_timeout queues writers
                    // instead of failing them; FULL sync keeps every acknowledged commit.
                    // Checkpoints are [`checkpoints`]' job, not the committing writer's: a
                    // commit that also copies the log into the database keeps every request
                    // queued behind it waiting. Temporary storage stays on disk: in memory, a
                    // recount's sort of 7,000,000 clicks took 561 MB instead of 30 MB, and the
                    // referral form's writer gained nothing from it once its batch counts
                    // itself (issue 21, measured).
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; \
                         PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .after_release(|conn, _| {
            Box::pin(async move {
                if conn.is_in_transaction() {
                    // A transaction left open (dropped, or its COMMIT refused by a full disk):
                    // its rollback is flushed now, and a connection still inside one could
                    // never begin again, so it is retired instead of going back to the pool.
                    conn.ping().await?;
                    return Ok(!conn.is_in_transaction());
                }
                Ok(true)
            })
        })
        .connect(&url)
        .await?;
    migrate(&pool, backend).await?;
    Ok(pool)
}

/// SQLite: copies the write-ahead log into the database file a few times a second, on a
/// connection of its own, beside the writer (PASSIVE: it never blocks a reader or a writer).
/// Runs for the life of the pool.
pub async fn checkpoints(pool: AnyPool) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        tick.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if !pool.is_closed() {
                tracing::warn!(error = %e, "checkpoint failed; retrying");
            }
        }
    }
}

pub async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
        Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(pool).await?,
    }
    Ok(())
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The engine behind a connection (inside a transaction, where the pool's `AppState` is not at hand).
pub fn backend_of(conn: &sqlx::AnyConnection) -> Backend {
    if conn.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// `rows` groups of `cols` bind placeholders for a multi-row INSERT: `(?, ?), (?, ?)` on
/// SQLite, `($1, $2), ($3, $4)` on PostgreSQL. SQLite looks a numbered parameter's name up by
/// walking the list of names, which makes binding thousands of `$n` quadratic; anonymous `?`
/// bind in order at no cost.
pub fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 6);
    for r in 0..rows {
        sql += if r > 0 { ", (" } else { "(" };
        for c in 0..cols {
            if c > 0 {
                sql += ", ";
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql += &format!("${}", r * cols + c + 1),
            }
        }
        sql.push(')');
    }
    sql
}

/// Held for the length of a SQLite write transaction.
pub type WriterTurn = Option<tokio::sync::OwnedMutexGuard<()>>;

#[cfg(test)]
mod tests {
    use super::*;

    crate::closed_set! {
        enum Status("lead status") { Pending = "pending" }
    }

    #[test]
    fn an_unknown_stored_value_names_the_table_and_value() {
        assert_eq!(stored::<Status>("leads", "pending").unwrap(), Status::Pending);
        let e = stored::<Status>("leads", "bogus").unwrap_err().to_string();
        assert!(e.contains("leads: unknown lead status \"bogus\""), "{e}");
    }

    #[test]
    fn stored_json_that_does_not_parse_is_an_error_not_a_default() {
        let ids: Vec<i64> = stored_json("campaigns", "department_ids", "[1,2]").unwrap();
        assert_eq!(ids, [1, 2]);
        let e = stored_json::<Vec<i64>>("campaigns", "department_ids", "[1,").unwrap_err().to_string();
        assert!(e.contains("campaigns.department_ids"), "{e}");
        assert!(stored_json::<Vec<String>>("campaigns", "boosts", "").is_err());
    }

    #[test]
    fn statement_chunks_are_powers_of_two_up_to_the_most() {
        assert_eq!(statement_chunks(0, 64), vec![]);
        assert_eq!(statement_chunks(1, 64), vec![(0, 1)]);
        assert_eq!(statement_chunks(50, 64), vec![(0, 32), (32, 16), (48, 2)]);
        assert_eq!(statement_chunks(130, 64), vec![(0, 64), (64, 64), (128, 2)]);
        assert_eq!(statement_chunks(256, 64).len(), 4);
        assert_eq!(statement_chunks(1100, 512), vec![(0, 512), (512, 512), (1024, 64), (1088, 8), (1096, 4)]);
    }

    #[test]
    fn placeholders_per_engine() {
        assert_eq!(placeholders(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(placeholders(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
    }
}

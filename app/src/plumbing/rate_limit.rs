//! Request-burst limits, counted in the database so that every app instance sees the same
//! numbers. Fixed one-minute windows.
use super::state::now_ms;

const WINDOW_MS: i64 = 60_000;

/// Counts a hit for `key` on `conn` (a plain connection, or a transaction's) and returns how
/// many seconds to wait if `limit` per minute is exceeded.
pub async fn hit(conn: &mut sqlx::AnyConnection, key: &str, limit: i64) -> Result<Option<i64>, sqlx::Error> {
    let counted = hit_many(conn, key, 1).await?;
    Ok((counted.first > limit).then_some(counted.retry_after_s))
}

/// `n` hits counted at once.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    /// The number of the first of them in this window (1 for the window's first hit).
    pub first: i64,
    /// Seconds until the window ends.
    pub retry_after_s: i64,
}

/// Counts `n` hits for `key` in one statement.
pub async fn hit_many(conn: &mut sqlx::AnyConnection, key: &str, n: i64) -> Result<Counted, sqlx::Error> {
    let now = now_ms();
    let window_start = now - now.rem_euclid(WINDOW_MS);
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, $3) \
         ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + $3 RETURNING hits",
    )
    .bind(key)
    .bind(window_start)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    if hits == n {
        // The first hit of a window clears the windows before the previous one.
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(window_start - WINDOW_MS)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Counted { first: hits - n + 1, retry_after_s: (window_start + WINDOW_MS - now + 999) / 1000 })
}

//! API keys for the JSON API (`/api/v1`): an integration (a CRM, an order system, HR) sends
//! `Authorization: Bearer ak_…`. Only a key's SHA-256 is stored; a key has scopes, a limit per
//! minute, and shows when it was last used. A browser session never opens the JSON API: a
//! page's cookie is not a key.
crate::closed_set! {
    /// What a key may do.
    pub enum ApiScope("API key scope") {
        DealsWrite = "deals:write",
        PaymentsWrite = "payments:write",
        LeadsRead = "leads:read",
        LeadsReadPii = "leads:read_pii",
        StaffWrite = "staff:write",
        StatsRead = "stats:read",
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::ApiScope;
    use crate::plumbing::auth::{random_token, token_hash};
    use crate::plumbing::errors::AppError;
    use crate::plumbing::rate_limit;
    use crate::plumbing::state::{internal, now_ms, AppState};
    use axum::http::HeaderMap;
    use sqlx::Row;

    /// Requests a key may make a minute by default (then 429 with `Retry-After`).
    pub const PER_MINUTE: i64 = 600;

    /// The key a request came with.
    #[derive(Debug, Clone)]
    pub struct ApiKey {
        pub id: i64,
        /// Who created it: the person the API's changes are recorded as made by.
        pub created_by: i64,
        pub scopes: Vec<ApiScope>,
    }

    /// A new key's secret (shown once) and the prefix kept to tell it apart.
    pub fn new_secret() -> (String, String) {
        let secret = format!("ak_{}", random_token(24));
        let prefix = secret.chars().take(11).collect();
        (secret, prefix)
    }

    /// Scopes as stored (space-separated); an unknown one is an error, not ignored.
    pub fn parse_scopes(stored: &str) -> Result<Vec<ApiScope>, AppError> {
        stored
            .split_whitespace()
            .map(|s| ApiScope::parse(s).ok_or_else(|| internal(format!("unknown API scope {s:?} stored"))))
            .collect()
    }

    pub fn store_scopes(scopes: &[ApiScope]) -> String {
        scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The hits this instance counted and has not written yet, per key. Requests do not wait
    /// for the database to count them: `flush_hits` writes them every second, and learns from
    /// the shared count what the other instances counted (so a key over its limit anywhere is
    /// refused everywhere within a second).
    #[derive(Clone, Default)]
    pub struct Hits(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<i64, Window>>>);

    #[derive(Debug, Clone, Copy, Default)]
    pub struct Window {
        start: i64,
        /// Counted by every instance, as of the last flush.
        stored: i64,
        /// Counted here since.
        local: i64,
    }

    const WINDOW_MS: i64 = 60_000;

    impl Hits {
        /// Counts a hit for `key`; `Some(seconds)` when the key is over `limit` this minute.
        fn hit(&self, key: i64, limit: i64, now: i64) -> Option<i64> {
            let start = now - now.rem_euclid(WINDOW_MS);
            let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let w = all.entry(key).or_default();
            if w.start != start {
                *w = Window { start, stored: 0, local: 0 };
            }
            if w.stored + w.local >= limit {
                return Some((start + WINDOW_MS - now + 999) / 1000);
            }
            w.local += 1;
            None
        }
    }

    /// Writes the hits counted since the last flush, in one transaction.
    pub async fn flush_hits(state: &AppState) -> Result<(), AppError> {
        let Ok(hits) = state.part::<Hits>() else { return Ok(()) };
        let pending: Vec<(i64, Window)> = {
            let all = hits.0.lock().unwrap_or_else(|e| e.into_inner());
            all.iter().filter(|(_, w)| w.local > 0).map(|(k, w)| (*k, *w)).collect()
        };
        if pending.is_empty() {
            return Ok(());
        }
        let (_turn, mut tx) = state.db.begin_write().await?;
        let mut counted = Vec::with_capacity(pending.len());
        for (key, w) in &pending {
            counted.push((*key, w.start, rate_limit::hit_many(&mut tx, &format!("api_key:{key}"), w.local).await?));
        }
        tx.commit().await?;
        let mut all = hits.0.lock().unwrap_or_else(|e| e.into_inner());
        for ((key, sent), (_, start, c)) in pending.iter().zip(counted) {
            if let Some(w) = all.get_mut(key).filter(|w| w.start == start) {
                w.local -= sent.local;
                w.stored = w.stored.max(c.first + sent.local - 1);
            }
        }
        all.retain(|_, w| w.local > 0 || w.start + WINDOW_MS > now_ms());
        Ok(())
    }

    /// The request's key, counted against its limit, when it has every scope in `needs`:
    /// 401 without a live key, 403 without a scope, 429 over the limit. A read, not a write:
    /// the hit is written with others (`flush_hits`), the last use once a minute.
    pub async fn require_key(state: &AppState, headers: &HeaderMap, needs: &[ApiScope]) -> Result<ApiKey, AppError> {
        let token = crate::plumbing::http::bearer(headers).ok_or(AppError::Unauthenticated)?;
        let row = sqlx::query(
            "SELECT id, created_by, scopes, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::Unauthenticated)?;
        let key = ApiKey {
            id: row.try_get("id")?,
            created_by: row.try_get("created_by")?,
            scopes: parse_scopes(&row.try_get::<String, _>("scopes")?)?,
        };
        let now = now_ms();
        if let Ok(hits) = state.part::<Hits>() {
            if let Some(retry_after_s) = hits.hit(key.id, state.config.api_key_per_minute, now) {
                return Err(AppError::TooFast { retry_after_s });
            }
        }
        // The last use, to the minute.
        if row.try_get::<Option<i64>, _>("last_used_at")?.is_none_or(|at| at < now - 60_000) {
            let (_turn, mut tx) = state.db.begin_write().await?;
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(key.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        if needs.iter().all(|n| key.scopes.contains(n)) {
            Ok(key)
        } else {
            Err(AppError::Forbidden)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_key_is_refused_over_its_limit_until_the_next_minute() {
            let hits = Hits::default();
            let minute = 1_800_000_000_000 - 1_800_000_000_000 % WINDOW_MS;
            assert_eq!((hits.hit(1, 2, minute + 1), hits.hit(1, 2, minute + 2)), (None, None));
            assert_eq!(hits.hit(1, 2, minute + 30_000), Some(30), "over: retry when the minute ends");
            assert_eq!(hits.hit(2, 2, minute + 30_000), None, "per key");
            assert_eq!(hits.hit(1, 2, minute + WINDOW_MS), None, "a new minute");
            // What the other instances counted (learnt at a flush) counts too.
            hits.0.lock().unwrap().get_mut(&2).unwrap().stored = 5;
            assert!(hits.hit(2, 2, minute + 40_000).is_some());
        }
    }
}

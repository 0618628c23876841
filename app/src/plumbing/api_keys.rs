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
    use axum::http::{header, HeaderMap};
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

    /// The request's key, counted against its limit, when it has every scope in `needs`:
    /// 401 without a live key, 403 without a scope, 429 over the limit.
    pub async fn require_key(state: &AppState, headers: &HeaderMap, needs: &[ApiScope]) -> Result<ApiKey, AppError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthenticated)?;
        let (_turn, mut tx) = state.db.begin_write().await?;
        let row = sqlx::query(
            "SELECT id, created_by, scopes, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::Unauthenticated)?;
        let key = ApiKey {
            id: row.try_get("id")?,
            created_by: row.try_get("created_by")?,
            scopes: parse_scopes(&row.try_get::<String, _>("scopes")?)?,
        };
        if let Some(retry_after_s) =
            rate_limit::hit(&mut tx, &format!("api_key:{}", key.id), state.config.api_key_per_minute).await?
        {
            tx.commit().await?;
            return Err(AppError::TooFast { retry_after_s });
        }
        // The last use, to the minute: not a write per request.
        let now = now_ms();
        if row.try_get::<Option<i64>, _>("last_used_at")?.is_none_or(|at| at < now - 60_000) {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(key.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        if needs.iter().all(|n| key.scopes.contains(n)) {
            Ok(key)
        } else {
            Err(AppError::Forbidden)
        }
    }
}

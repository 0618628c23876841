//! API keys as stored: made (the secret shown once, its hash kept), listed, revoked.
use crate::features::admin::model::{ApiKeyRow, Audited, Field, NewApiKey};
use crate::plumbing::api_keys::{new_secret, parse_scopes, store_scopes, ApiScope};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::auth::token_hash;
use crate::plumbing::db::Db;
use crate::plumbing::errors::{AppError, FieldError};
use crate::plumbing::state::now_ms;
use crate::shared::period::local_time;
use crate::shared::text;
use chrono_tz::Tz;
use sqlx::{AnyPool, Row};

pub async fn list(pool: &AnyPool, tz: Tz) -> Result<Vec<ApiKeyRow>, AppError> {
    let rows = sqlx::query(
        "SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id DESC",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiKeyRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                prefix: r.try_get("prefix")?,
                scopes: parse_scopes(&r.try_get::<String, _>("scopes")?)?,
                created_at: local_time(r.try_get("created_at")?, tz),
                last_used_at: r.try_get::<Option<i64>, _>("last_used_at")?.map(|at| local_time(at, tz)),
                revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
            })
        })
        .collect()
}

/// A new key for `name` with `scopes` (at least one); its secret is returned this once.
pub async fn create(db: &Db, actor: &Actor, name: &str, scopes: &[ApiScope]) -> Result<NewApiKey, AppError> {
    let mut errors = Vec::new();
    let name = text::clean(name, 1, 60).map_err(|e| errors.push(FieldError::new(Field::ApiKeyName, e))).ok();
    if scopes.is_empty() {
        errors.push(FieldError::new(Field::ApiScopes, text::TextError::Required));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    let (secret, prefix) = new_secret();
    let (_turn, mut tx) = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id",
    )
    .bind(&name)
    .bind(&prefix)
    .bind(token_hash(&secret))
    .bind(store_scopes(&scopes))
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let change = Change {
        action: Audited::ApiKeyCreated,
        subject: format!("api key #{id}"),
        before: None,
        after: Some(format!("{name} ({prefix}…): {}", store_scopes(&scopes))),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(NewApiKey { id, secret })
}

/// Revokes a key: its next request is refused (401).
pub async fn revoke(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let n = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let change =
        Change { action: Audited::ApiKeyRevoked, subject: format!("api key #{id}"), before: None, after: None, actor };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

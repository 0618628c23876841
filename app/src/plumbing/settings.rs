//! Organization settings (key/value rows): identity and time zone, loaded once at start.
//! Features keep their own settings in the same table under their own keys.
use super::db::Db;
use crate::shared::period::{parse_tz, DEFAULT_TZ};
use chrono_tz::Tz;
use sqlx::AnyPool;

#[derive(Debug, Clone)]
pub struct OrgSettings {
    pub name: String,
    pub tz: Tz,
    pub demo: bool,
    pub allow_foreign_phones: bool,
    /// Keys hashes of IP addresses and visitor ids; never leaves the server.
    pub secret: String,
}

pub async fn get(pool: &AnyPool, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), sqlx::Error> {
    set_many(db, &[(key, value.to_string())]).await
}

/// Several settings in one transaction.
pub async fn set_many(db: &Db, values: &[(&str, String)]) -> Result<(), sqlx::Error> {
    let (_turn, mut tx) = db.begin_write().await?;
    for (key, value) in values {
        put(&mut tx, key, value).await?;
    }
    tx.commit().await
}

/// One setting, in a transaction of the caller's (with its audit entry, say).
pub async fn put(tx: &mut super::db::Tx, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A setting that changes money, as in effect on `on` (an org-local day): the newest value
/// that starts on or before it, else the plain setting.
pub async fn effective(pool: &AnyPool, key: &str, on: chrono::NaiveDate) -> Result<Option<String>, sqlx::Error> {
    let dated: Option<String> = sqlx::query_scalar(
        "SELECT value FROM setting_versions WHERE key = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1",
    )
    .bind(key)
    .bind(on.to_string())
    .fetch_optional(pool)
    .await?;
    match dated {
        Some(v) => Ok(Some(v)),
        None => get(pool, key).await,
    }
}

/// A dated number setting in effect on `on`, or `default`.
pub async fn effective_number(
    pool: &AnyPool,
    key: &str,
    on: chrono::NaiveDate,
    default: i64,
) -> Result<i64, sqlx::Error> {
    Ok(effective(pool, key, on).await?.and_then(|s| s.parse().ok()).unwrap_or(default))
}

/// Values of a dated setting from `from` on (scheduled or in force), oldest first.
pub async fn versions(pool: &AnyPool, key: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT effective_from, value FROM setting_versions WHERE key = $1 ORDER BY effective_from")
            .bind(key)
            .fetch_all(pool)
            .await?;
    Ok(rows)
}

/// Sets a dated value in a transaction of the caller's; the same day again replaces it.
pub async fn put_from(
    tx: &mut super::db::Tx,
    key: &str,
    value: &str,
    from: chrono::NaiveDate,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO setting_versions (key, effective_from, value, set_by, set_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (key, effective_from) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
    )
    .bind(key)
    .bind(from.to_string())
    .bind(value)
    .bind(by)
    .bind(super::state::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A number setting, or `default` when unset or not a number.
pub async fn number(pool: &AnyPool, key: &str, default: i64) -> Result<i64, sqlx::Error> {
    Ok(get(pool, key).await?.and_then(|s| s.parse().ok()).unwrap_or(default))
}

/// A number setting read in a transaction of the caller's (or any executor), or `default`.
pub async fn number_in<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    key: &str,
    default: i64,
) -> Result<i64, sqlx::Error> {
    let value: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(e).await?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// Loads the settings, creating the per-organization secret on first start.
pub async fn load(db: &Db) -> Result<OrgSettings, sqlx::Error> {
    let pool = &db.pool;
    let secret = match get(pool, "secret").await? {
        Some(s) => s,
        None => {
            use rand::Rng;
            let bytes: [u8; 32] = rand::thread_rng().gen();
            let fresh = hex::encode(bytes);
            // Two instances starting at once: the first writer wins, both read it back.
            let (_turn, mut tx) = db.begin_write().await?;
            sqlx::query("INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING")
                .bind(&fresh)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            get(pool, "secret").await?.unwrap_or(fresh)
        }
    };
    Ok(OrgSettings {
        name: get(pool, "org_name").await?.unwrap_or_else(|| "Allhands".into()),
        tz: get(pool, "timezone").await?.as_deref().and_then(parse_tz).unwrap_or(DEFAULT_TZ),
        demo: get(pool, "demo").await?.as_deref() == Some("1"),
        allow_foreign_phones: get(pool, "allow_foreign_phones").await?.as_deref() == Some("1"),
        secret,
    })
}

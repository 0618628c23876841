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

/// A number setting, or `default` when unset or not a number.
pub async fn number(pool: &AnyPool, key: &str, default: i64) -> Result<i64, sqlx::Error> {
    Ok(get(pool, key).await?.and_then(|s| s.parse().ok()).unwrap_or(default))
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

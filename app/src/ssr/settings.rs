//! Organization settings (key/value rows), loaded once at start.
use crate::domain::period::{parse_tz, DEFAULT_TZ};
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

pub async fn set(pool: &AnyPool, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(pool)
    .await?;
    Ok(())
}

/// Loads the settings, creating the per-organization secret on first start.
pub async fn load(pool: &AnyPool) -> Result<OrgSettings, sqlx::Error> {
    let secret = match get(pool, "secret").await? {
        Some(s) => s,
        None => {
            use rand::Rng;
            let bytes: [u8; 32] = rand::thread_rng().gen();
            let fresh = hex::encode(bytes);
            // Two instances starting at once: the first writer wins, both read it back.
            sqlx::query("INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING")
                .bind(&fresh)
                .execute(pool)
                .await?;
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

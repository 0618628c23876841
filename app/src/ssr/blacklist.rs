//! The lead blacklist (线索黑名单库): phones, devices (visitor ids) and IP addresses whose
//! submissions are rejected at screening. IPs are stored as the same keyed hash as leads.
use super::{auth::keyed_hash, is_unique_violation, now_ms, OrgSettings};
use crate::domain::{phone, text};
use crate::error::{AppError, Field, Problem};
use crate::model::BlacklistRow;
use sqlx::{AnyPool, Row};

/// Normalizes what marketing typed into the stored value for `kind`.
fn stored_value(org: &OrgSettings, kind: &str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    match kind {
        "phone" => phone::normalize(value, true)
            .map(|p| p.as_e164().to_string())
            .map_err(|e| AppError::invalid(Field::Phone, e)),
        "ip" => value
            .parse::<std::net::IpAddr>()
            .map(|ip| keyed_hash(&org.secret, &ip.to_string()))
            .map_err(|_| AppError::invalid(Field::BlacklistEntry, Problem::UnknownChoice)),
        "device" if value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit()) => Ok(value.to_ascii_lowercase()),
        _ => Err(AppError::invalid(Field::BlacklistEntry, Problem::UnknownChoice)),
    }
}

pub async fn add(pool: &AnyPool, org: &OrgSettings, kind: &str, value: &str, note: &str) -> Result<i64, AppError> {
    let stored = stored_value(org, kind, value)?;
    let note = text::clean(note, 0, 200).map_err(|e| AppError::invalid(Field::Note, e))?;
    match sqlx::query("INSERT INTO blacklist (kind, value, note, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(kind)
        .bind(stored)
        .bind(note)
        .bind(now_ms())
        .fetch_one(pool)
        .await
    {
        Ok(row) => Ok(row.try_get("id")?),
        Err(e) if is_unique_violation(&e) => Err(AppError::invalid(Field::BlacklistEntry, Problem::Taken)),
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(pool: &AnyPool, id: i64) -> Result<(), AppError> {
    let gone = sqlx::query("DELETE FROM blacklist WHERE id = $1").bind(id).execute(pool).await?.rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub async fn list(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<BlacklistRow>, AppError> {
    let rows = sqlx::query("SELECT id, kind, value, note, created_at FROM blacklist ORDER BY id DESC LIMIT 500")
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let value: String = r.try_get("value")?;
            Ok(BlacklistRow {
                id: r.try_get("id")?,
                // A phone reads as a phone; an IP only as the start of its hash (we never keep the IP).
                value: if kind == "ip" { format!("#{}", &value[..value.len().min(8)]) } else { value },
                kind,
                note: r.try_get("note")?,
                created_at: super::leads::local_time(org, r.try_get("created_at")?),
            })
        })
        .collect()
}

//! The lead blacklist (线索黑名单库): phones, devices (visitor ids) and IP addresses whose
//! submissions are rejected at screening. IPs are stored as the same keyed hash as leads.
use crate::features::leads::model::{BlacklistKind, BlacklistRow, Field};
use crate::plumbing::auth::keyed_hash;
use crate::plumbing::db::{commit_unless_taken, delete_by_id, Db, SetColumn};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::now_ms;
use crate::shared::period::local_time;
use crate::shared::{phone, text};
use sqlx::{AnyPool, Row};

/// Normalizes what marketing typed into the stored value for `kind`.
fn stored_value(org: &OrgSettings, kind: BlacklistKind, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    match kind {
        BlacklistKind::Phone => phone::normalize(value, true)
            .map(|p| p.as_e164().to_string())
            .map_err(|e| AppError::invalid(Field::Phone, e)),
        BlacklistKind::Ip => value
            .parse::<std::net::IpAddr>()
            .map(|ip| keyed_hash(&org.secret, &ip.to_string()))
            .map_err(|_| AppError::invalid(Field::BlacklistEntry, Problem::UnknownChoice)),
        BlacklistKind::Device if value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(value.to_ascii_lowercase())
        }
        BlacklistKind::Device => Err(AppError::invalid(Field::BlacklistEntry, Problem::UnknownChoice)),
    }
}

pub async fn add(db: &Db, org: &OrgSettings, kind: BlacklistKind, value: &str, note: &str) -> Result<i64, AppError> {
    let stored = stored_value(org, kind, value)?;
    let note = text::clean(note, 0, 200).map_err(|e| AppError::invalid(Field::Note, e))?;
    let (_turn, mut tx) = db.begin_write().await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO blacklist (kind, value, note, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(stored)
    .bind(note)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await;
    commit_unless_taken(tx, inserted, Field::BlacklistEntry).await
}

pub async fn remove(db: &Db, id: i64) -> Result<(), AppError> {
    delete_by_id(db, "blacklist", id).await
}

pub async fn list(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<BlacklistRow>, AppError> {
    let rows = sqlx::query("SELECT id, kind, value, note, created_at FROM blacklist ORDER BY id DESC LIMIT 500")
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            let kind: BlacklistKind = r.set("blacklist", "kind")?;
            let value: String = r.try_get("value")?;
            Ok(BlacklistRow {
                id: r.try_get("id")?,
                // A phone reads as a phone; an IP only as the start of its hash (we never keep the IP).
                value: if kind == BlacklistKind::Ip { format!("#{}", &value[..value.len().min(8)]) } else { value },
                kind,
                note: r.try_get("note")?,
                created_at: local_time(r.try_get("created_at")?, org.tz),
            })
        })
        .collect()
}

//! Uploaded images, stored in the database (every instance serves them) under the SHA-256
//! of their bytes, so the same picture uploaded twice is stored once.
use crate::features::campaigns::media::{self, Refusal};
use crate::features::campaigns::model::Field;
use crate::plumbing::db::Db;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::now_ms;
use sha2::Digest;
use sqlx::{AnyPool, Row};

/// Checks and stores an image; returns its key.
pub async fn store(db: &Db, uploaded_by: i64, bytes: &[u8]) -> Result<String, AppError> {
    let content_type = media::check(bytes).map_err(|r| {
        AppError::invalid(
            Field::Image,
            match r {
                Refusal::Empty => Problem::Text(crate::shared::text::TextError::Required),
                Refusal::TooLarge => Problem::FileTooLarge { max_kb: (media::MAX_BYTES / 1024) as i64 },
                Refusal::NotAnImage => Problem::FileType,
            },
        )
    })?;
    let key = hex::encode(sha2::Sha256::digest(bytes));
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO media (sha256, content_type, bytes, size, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&key)
    .bind(content_type)
    .bind(bytes.to_vec())
    .bind(bytes.len() as i64)
    .bind(uploaded_by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(key)
}

/// The content type and bytes of a stored image.
pub async fn load(pool: &AnyPool, key: &str) -> Result<Option<(String, Vec<u8>)>, AppError> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row =
        sqlx::query("SELECT content_type, bytes FROM media WHERE sha256 = $1").bind(key).fetch_optional(pool).await?;
    Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get("content_type")?, r.try_get("bytes")?))).transpose()?)
}

/// The path an image is served at.
pub fn url(key: &str) -> String {
    format!("/media/{key}")
}

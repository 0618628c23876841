//! A person's own account: their password and their sessions.
use crate::features::admin::i18n::K;
use crate::features::admin::model::{Audited, Field, SessionRow};
use crate::features::admin::store::users::check_password;
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::auth;
use crate::plumbing::db::Db;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::shared::period::local_time;
use sqlx::{AnyPool, Row};

/// Changes one's own password after checking the current one; every other session of theirs
/// ends (the one in use, `keep`, goes on).
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    current: &str,
    new: &str,
    keep: &str,
) -> Result<(), AppError> {
    check_password(new).map_err(|e| AppError::invalid(Field::NewPassword, e))?;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(user_id).fetch_one(&db.pool).await?;
    if !auth::verify_password(current.to_string(), hash).await {
        return Err(AppError::invalid(Field::CurrentPassword, Problem::said(K::WrongPassword)));
    }
    let fresh = auth::hash_password(new.to_string()).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    set_password(&mut tx, actor, user_id, &fresh, keep, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a new password hash and ends every session of the person but `keep` (the one in
/// use; empty: none), with its audit entry.
async fn set_password(
    tx: &mut crate::plumbing::db::Tx,
    actor: &Actor,
    user_id: i64,
    hash: &str,
    keep: &str,
    how: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    let change = Change {
        action: Audited::PasswordChanged,
        subject: format!("user #{user_id}"),
        before: None,
        after: how.map(str::to_string),
        actor,
    };
    audit::record(tx, change).await?;
    Ok(())
}

/// One's own sessions, newest first; `current` is the hash of the one in use.
pub async fn sessions(
    pool: &AnyPool,
    org: &OrgSettings,
    user_id: i64,
    current: &str,
) -> Result<Vec<SessionRow>, AppError> {
    let rows = sqlx::query(
        "SELECT id, created_at, last_seen_at, agent FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
    )
    .bind(user_id)
    .bind(crate::plumbing::state::now_ms())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let last: Option<i64> = r.try_get("last_seen_at")?;
            Ok(SessionRow {
                current: id == current,
                // A handle, not the stored hash: enough to tell sessions apart and revoke one.
                handle: id[..16].to_string(),
                signed_in_at: local_time(r.try_get("created_at")?, org.tz),
                last_seen_at: last.map(|t| local_time(t, org.tz)),
                device: crate::plumbing::auth::device_of(&r.try_get::<Option<String>, _>("agent")?.unwrap_or_default()),
            })
        })
        .collect()
}

/// Ends one of one's own sessions.
pub async fn revoke(db: &Db, actor: &Actor, user_id: i64, handle: &str) -> Result<(), AppError> {
    if handle.len() != 16 || !handle.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let (_turn, mut tx) = db.begin_write().await?;
    let gone = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND substr(id, 1, 16) = $2")
        .bind(user_id)
        .bind(handle)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Change::bare(Audited::SessionRevoked, format!("user #{user_id}"), actor)).await?;
    tx.commit().await?;
    Ok(())
}

/// How long a reset link works.
pub const RESET_LINK_HOURS: i64 = 72;

/// An administrator issues a one-time link that sets `user_id`'s password; returns its token
/// (shown once; only its hash is stored).
pub async fn issue_reset(db: &Db, actor: &Actor, user_id: i64) -> Result<String, AppError> {
    let token = auth::random_token(24);
    let (_turn, mut tx) = db.begin_write().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    sqlx::query("INSERT INTO password_resets (token_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(auth::token_hash(&token))
        .bind(user_id)
        .bind(actor.user_id)
        .bind(crate::plumbing::state::now_ms() + RESET_LINK_HOURS * 3_600_000)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, Change::bare(Audited::ResetLinkIssued, format!("user #{user_id}"), actor)).await?;
    tx.commit().await?;
    Ok(token)
}

/// Sets a password through a reset link: the link is used up and every session of the person
/// ends, in one transaction.
pub async fn reset_password(db: &Db, token: &str, password: &str) -> Result<(), AppError> {
    check_password(password).map_err(|e| AppError::invalid(Field::NewPassword, e))?;
    let hash = auth::hash_password(password.to_string()).await?;
    let now = crate::plumbing::state::now_ms();
    let (_turn, mut tx) = db.begin_write().await?;
    let user: Option<i64> = sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(auth::token_hash(token.trim()))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user else {
        return Err(AppError::Refused(crate::plumbing::errors::Label::of(K::ResetLinkUsed)));
    };
    let actor = Actor { user_id: Some(user_id), ip_hash: None };
    set_password(&mut tx, &actor, user_id, &hash, "", Some("reset link")).await?;
    tx.commit().await?;
    Ok(())
}

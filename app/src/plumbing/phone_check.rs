//! One-time codes that prove a phone belongs to whoever typed it: a six-digit code goes to the
//! phone through the outbox (the SMS gateway), the browser holds a handle, and the action
//! waiting on the check (say, tying the phone to a referral code) runs only when the code
//! comes back. A code lives 10 minutes and allows 5 tries; a phone gets at most one a minute.
use super::auth::{keyed_hash, random_token, token_hash};
use super::db::Db;
use super::errors::AppError;
use super::i18n::{fill, MESSAGE_LOCALE};
use super::outbox::{self, MessageKind};
use super::rate_limit;
use super::state::now_ms;
use sqlx::Row;

pub const CODE_TTL_MS: i64 = 10 * 60_000;
pub const MAX_TRIES: i64 = 5;

/// Why a check did not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckError {
    /// The code typed is not the one sent (a try is used up).
    Wrong,
    /// Unknown, used, expired or out of tries: a new code is needed.
    Expired,
}

fn code_hash(token: &str, code: &str) -> String {
    token_hash(&format!("{token}:{code}"))
}

/// Sends a code to `phone` (E.164) for `purpose`, keeping `payload` for when it comes back;
/// answers the handle the browser keeps. `message` is the text, with `{code}` in it.
pub async fn issue(
    db: &Db,
    secret: &str,
    phone: &str,
    purpose: &str,
    payload: &str,
    message: &str,
) -> Result<String, AppError> {
    use rand::Rng;
    let token = random_token(16);
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let now = now_ms();
    let (_turn, mut tx) = db.begin_write().await?;
    let key = format!("phone_code:{}", keyed_hash(secret, phone));
    if let Some(retry_after_s) = rate_limit::hit(&mut tx, &key, 1).await? {
        return Err(AppError::TooFast { retry_after_s });
    }
    sqlx::query("DELETE FROM phone_checks WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO phone_checks (token_hash, phone, purpose, payload, code_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(phone)
    .bind(purpose)
    .bind(payload)
    .bind(code_hash(&token, &code))
    .bind(now + CODE_TTL_MS)
    .execute(&mut *tx)
    .await?;
    outbox::enqueue(&mut tx, MessageKind::PhoneCode, phone, &fill(message, &[("code", &code)])).await?;
    tx.commit().await?;
    Ok(token)
}

/// Checks a typed code; a pass uses the check up and answers its phone and payload.
pub async fn verify(
    db: &Db,
    token: &str,
    code: &str,
    purpose: &str,
) -> Result<Result<(String, String), CheckError>, AppError> {
    let now = now_ms();
    let (_turn, mut tx) = db.begin_write().await?;
    let row = sqlx::query(
        "UPDATE phone_checks SET tries = tries + 1 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL \
         AND expires_at > $3 AND tries < $4 RETURNING phone, payload, code_hash",
    )
    .bind(token_hash(token))
    .bind(purpose)
    .bind(now)
    .bind(MAX_TRIES)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Err(CheckError::Expired));
    };
    let typed = crate::shared::text::fold_width(code.trim());
    if row.try_get::<String, _>("code_hash")? != code_hash(token, &typed) {
        tx.commit().await?;
        return Ok(Err(CheckError::Wrong));
    }
    sqlx::query("UPDATE phone_checks SET used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash(token))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok((row.try_get("phone")?, row.try_get("payload")?)))
}

/// The message text of a code, in the message language.
pub fn message(org_name: &str) -> String {
    fill(super::i18n::C::SmsPhoneCode.text(MESSAGE_LOCALE), &[("org", org_name), ("code", "{code}")])
}

//! The outbox: messages are written in the transaction of the event that causes them, so a
//! message is never lost and sending never blocks or fails that event. The dispatcher
//! (server::notify) delivers them through a notifier, with retries and backoff.
use super::db::SetColumn;
use super::errors::AppError;
pub use super::message::{MessageKind, MessageStatus};
use super::state::now_ms;
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};

/// Give up after this many failed attempts.
pub const MAX_ATTEMPTS: i64 = 8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub kind: MessageKind,
    pub recipient: String,
    pub body: String,
    pub status: MessageStatus,
    pub attempts: i64,
    pub created_at: i64,
    pub last_error: Option<String>,
}

pub async fn enqueue(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    kind: MessageKind,
    recipient: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    enqueue_many(tx, kind, &[(recipient, body)]).await
}

/// Several messages of one kind in as few statements as possible (200 rows each).
pub async fn enqueue_many(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    kind: MessageKind,
    messages: &[(&str, &str)],
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let backend = super::db::backend_of(tx);
    for chunk in messages.chunks(200) {
        let sql = format!(
            "INSERT INTO outbox (kind, recipient, body, next_attempt_at, created_at) VALUES {}",
            super::db::placeholders(backend, chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (to, body) in chunk {
            q = q.bind(kind.as_str()).bind(*to).bind(*body).bind(now).bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Message, sqlx::Error> {
    Ok(Message {
        id: r.try_get("id")?,
        kind: r.set("outbox", "kind")?,
        recipient: r.try_get("recipient")?,
        body: r.try_get("body")?,
        status: r.set("outbox", "status")?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
        last_error: r.try_get("last_error")?,
    })
}

const COLUMNS: &str = "id, kind, recipient, body, status, attempts, created_at, last_error";

/// Messages claimed at once by a dispatcher.
pub const CLAIM: i64 = 50;

/// How long a claim lasts: every claimed message sent at the notifier's longest (10 s), and
/// a minute more. A dispatcher that dies leaves its messages to another after this.
pub const CLAIM_MS: i64 = CLAIM * 10_000 + 60_000;

/// Claims the oldest messages due for (another) attempt: they are this dispatcher's until the
/// claim runs out. With several instances on one database each message goes to one of them:
/// on PostgreSQL a second claim waits for the first's rows, then finds them no longer due.
pub async fn claim(tx: &mut sqlx::AnyConnection, limit: i64) -> Result<Vec<Message>, sqlx::Error> {
    let now = now_ms();
    let rows = sqlx::query(&format!(
        "UPDATE outbox SET next_attempt_at = $1 WHERE status = 'queued' AND next_attempt_at <= $2 AND id IN \
         (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $2 ORDER BY id LIMIT $3) RETURNING {COLUMNS}"
    ))
    .bind(now + CLAIM_MS)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let mut claimed = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

pub async fn mark_sent(conn: &mut sqlx::AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried after `base_ms × 2^attempts` (at most an hour), given
/// up as `failed` after `MAX_ATTEMPTS`.
pub async fn mark_attempt_failed(
    conn: &mut sqlx::AnyConnection,
    message: &Message,
    error: &str,
    base_ms: i64,
) -> Result<(), sqlx::Error> {
    let attempts = message.attempts + 1;
    let delay = (base_ms << attempts.min(20)).min(3_600_000);
    let status = if attempts >= MAX_ATTEMPTS { MessageStatus::Failed } else { MessageStatus::Queued };
    sqlx::query("UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5")
        .bind(status.as_str())
        .bind(attempts)
        .bind(now_ms() + delay)
        .bind(error.chars().take(500).collect::<String>())
        .bind(message.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The newest messages, for the admins' outbox page.
pub async fn recent(pool: &AnyPool, limit: i64) -> Result<Vec<Message>, AppError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}
/// Where a message goes, as a gateway can deliver it: `user:<id>` is that person's phone
/// (else their email), `role:<role>` every active holder's, anything else is an address
/// already (a prospect's phone). Empty when nobody is on file.
pub async fn addresses(pool: &AnyPool, recipient: &str) -> Result<Vec<String>, sqlx::Error> {
    let of_users = |rows: Vec<(Option<String>, Option<String>)>| -> Vec<String> {
        rows.into_iter().filter_map(|(phone, email)| phone.or(email)).collect()
    };
    if let Some(id) = recipient.strip_prefix("user:").and_then(|id| id.parse::<i64>().ok()) {
        let rows = sqlx::query_as("SELECT phone, email FROM users WHERE id = $1 AND active = 1")
            .bind(id)
            .fetch_all(pool)
            .await?;
        return Ok(of_users(rows));
    }
    if let Some(role) = recipient.strip_prefix("role:") {
        let rows = sqlx::query_as(
            "SELECT u.phone, u.email FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 AND u.active = 1 ORDER BY u.id",
        )
        .bind(role)
        .fetch_all(pool)
        .await?;
        return Ok(of_users(rows));
    }
    Ok(vec![recipient.to_string()])
}

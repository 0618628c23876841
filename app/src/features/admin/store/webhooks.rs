//! Webhook endpoints as stored: registered (the secret shown once), listed with their latest
//! deliveries, disabled and enabled, a delivery queued again by hand; and what happens when
//! the dispatcher disables one that failed for three days (admin is told).
use crate::features::admin::i18n::K;
use crate::features::admin::model::{Audited, DeliveryRow, Field, NewWebhook, WebhookRow};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::{Db, SetColumn, Tx};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::i18n::{fill, MESSAGE_LOCALE};
use crate::plumbing::outbox::{self, MessageKind};
use crate::plumbing::state::now_ms;
use crate::plumbing::webhooks::{new_secret, WebhookEvent, RETRY_MS};
use crate::shared::period::local_time;
use chrono_tz::Tz;
use sqlx::{AnyPool, Row};

/// Deliveries shown per endpoint.
const SHOWN: i64 = 10;

fn events_of(stored: &str) -> Result<Vec<WebhookEvent>, AppError> {
    stored
        .split_whitespace()
        .map(|e| crate::plumbing::db::stored("webhook_endpoints", e).map_err(AppError::from))
        .collect()
}

pub async fn list(pool: &AnyPool, tz: Tz) -> Result<Vec<WebhookRow>, AppError> {
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT id, url, events, created_at, failing_since, disabled_at FROM webhook_endpoints ORDER BY id DESC",
    )
    .fetch_all(pool)
    .await?
    {
        let id: i64 = r.try_get("id")?;
        let deliveries = sqlx::query(
            "SELECT id, event, status, attempts, response_status, last_error, occurred_at FROM webhook_deliveries \
             WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(id)
        .bind(SHOWN)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|d| {
            Ok(DeliveryRow {
                id: d.try_get("id")?,
                event: d.set("webhook_deliveries", "event")?,
                status: d.set("webhook_deliveries", "status")?,
                attempts: d.try_get("attempts")?,
                response_status: d.try_get("response_status")?,
                last_error: d.try_get("last_error")?,
                occurred_at: local_time(d.try_get("occurred_at")?, tz),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        let at = |column: &str| -> Result<Option<String>, sqlx::Error> {
            Ok(r.try_get::<Option<i64>, _>(column)?.map(|t| local_time(t, tz)))
        };
        out.push(WebhookRow {
            id,
            url: r.try_get("url")?,
            events: events_of(&r.try_get::<String, _>("events")?)?,
            created_at: local_time(r.try_get("created_at")?, tz),
            failing_since: at("failing_since")?,
            disabled_at: at("disabled_at")?,
            deliveries,
        });
    }
    Ok(out)
}

/// Registers an endpoint for `events` (at least one); its secret is returned this once.
pub async fn create(db: &Db, actor: &Actor, url: &str, events: &[WebhookEvent]) -> Result<NewWebhook, AppError> {
    let mut errors = Vec::new();
    let url = url.trim();
    let parsed = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if parsed.is_none() || url.len() > 500 {
        errors.push(FieldError::new(Field::WebhookUrl, Problem::said(K::ProblemWebhookUrl)));
    }
    if events.is_empty() {
        errors.push(FieldError::new(Field::WebhookEvents, crate::shared::text::TextError::Required));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut events = events.to_vec();
    events.sort();
    events.dedup();
    // A space at each end, so that one LIKE finds a subscriber.
    let stored = format!(" {} ", events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(" "));
    let secret = new_secret();
    let (_turn, mut tx) = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_endpoints (url, events, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(url)
    .bind(&stored)
    .bind(&secret)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    let change = Change {
        action: Audited::WebhookCreated,
        subject: format!("webhook #{id}"),
        before: None,
        after: Some(format!("{url}:{}", stored.trim_end())),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(NewWebhook { id, secret })
}

/// Disables an endpoint (nothing more is written for it) or enables it again (its queued
/// deliveries go out).
pub async fn set_enabled(db: &Db, actor: &Actor, id: i64, enabled: bool) -> Result<(), AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let n = if enabled {
        sqlx::query("UPDATE webhook_endpoints SET disabled_at = NULL, failing_since = NULL WHERE id = $1 AND disabled_at IS NOT NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?
    } else {
        sqlx::query("UPDATE webhook_endpoints SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?
    }
    .rows_affected();
    if n == 1 {
        let action = if enabled { Audited::WebhookEnabled } else { Audited::WebhookDisabled };
        audit::record(&mut tx, Change { action, subject: format!("webhook #{id}"), before: None, after: None, actor })
            .await?;
    } else {
        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if known == 0 {
            return Err(AppError::NotFound);
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Queues a delivery again, now, for another 24 hours of tries (same `webhook-id`).
pub async fn redeliver(db: &Db, actor: &Actor, delivery_id: i64) -> Result<(), AppError> {
    let now = now_ms();
    let (_turn, mut tx) = db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = $1, give_up_at = $2 WHERE id = $3",
    )
    .bind(now)
    .bind(now + RETRY_MS)
    .bind(delivery_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let change = Change {
        action: Audited::WebhookRedelivered,
        subject: format!("webhook delivery #{delivery_id}"),
        before: None,
        after: None,
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The dispatcher disabled `endpoint` (failing for three days): the audit log says so and
/// every admin is told.
pub async fn disabled_by_dispatcher(tx: &mut Tx, endpoint: i64) -> Result<(), AppError> {
    let url: String = sqlx::query_scalar("SELECT url FROM webhook_endpoints WHERE id = $1")
        .bind(endpoint)
        .fetch_one(&mut **tx)
        .await?;
    let system = Actor::system();
    let change = Change {
        action: Audited::WebhookDisabled,
        subject: format!("webhook #{endpoint}"),
        before: None,
        after: Some("failing for 3 days".into()),
        actor: &system,
    };
    audit::record(tx, change).await?;
    let admins: Vec<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'admin' AND u.active = 1 ORDER BY u.id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let body = fill(K::SmsWebhookDisabled.text(MESSAGE_LOCALE), &[("url", &url)]);
    let recipients: Vec<String> = admins.iter().map(|id| format!("user:{id}")).collect();
    let refs: Vec<(&str, &str)> = recipients.iter().map(|r| (r.as_str(), body.as_str())).collect();
    outbox::enqueue_many(tx, MessageKind::WebhookDisabled, &refs).await?;
    Ok(())
}

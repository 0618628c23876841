//! Outgoing webhooks, as Standard Webhooks has them (standardwebhooks.com): an endpoint admin
//! registers gets each event it subscribes to as a POST signed with its secret
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), retried
//! with exponential backoff for 24 hours. The database writes a delivery per subscribed
//! endpoint in the transaction of the event (triggers on leads, deals, payments and runs; code
//! for what has no row of its own, through `emit`), so none is lost and none is written when
//! nobody subscribes.
crate::closed_set! {
    /// What an endpoint can subscribe to.
    pub enum WebhookEvent("webhook event") {
        LeadCreated = "lead.created",
        LeadStatusChanged = "lead.status_changed",
        DealCreated = "deal.created",
        PaymentRecorded = "payment.recorded",
        RewardVested = "reward.vested",
        RunApproved = "run.approved",
        PayoutPaid = "payout.paid",
    }
}

crate::closed_set! {
    /// Where a delivery stands.
    pub enum DeliveryStatus("webhook delivery status") {
        Queued = "queued",
        Delivered = "delivered",
        /// Given up after 24 hours of failures (admin can deliver it again by hand).
        Failed = "failed",
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::{DeliveryStatus, WebhookEvent};
    use crate::plumbing::db::SetColumn;
    use crate::plumbing::state::now_ms;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    use sqlx::Row;

    /// How long a delivery is retried.
    pub const RETRY_MS: i64 = 24 * 3600 * 1000;
    /// An endpoint whose deliveries have all failed this long is disabled (and admin told).
    pub const DISABLE_AFTER_MS: i64 = 3 * 24 * 3600 * 1000;
    /// How long a dispatcher holds the deliveries it claimed (then another may take them).
    pub const CLAIM_MS: i64 = 60_000;

    /// A new endpoint's secret: `whsec_` and 24 random bytes in base64.
    pub fn new_secret() -> String {
        use rand::RngCore;
        let mut key = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut key);
        format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key))
    }

    /// The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of
    /// `{id}.{timestamp}.{body}` keyed with the secret's bytes.
    pub fn sign(secret: &str, id: &str, timestamp_s: i64, body: &str) -> String {
        let key = base64::engine::general_purpose::STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
            .unwrap_or_default();
        // HMAC takes a key of any length; were it ever refused, the empty signature is one no
        // receiver accepts, and the delivery is retried and shown as failing.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else { return String::new() };
        mac.update(format!("{id}.{timestamp_s}.{body}").as_bytes());
        format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// The next try after `attempts` failures: 5 s, 10 s, 20 s, … at most an hour apart
    /// (`base_ms` instead of 5 s in tests).
    pub fn backoff_ms(attempts: i64, base_ms: i64) -> i64 {
        (base_ms << attempts.clamp(0, 20).saturating_sub(1)).min(3_600_000)
    }

    /// Writes a delivery of `event` for every endpoint that subscribes to it, in the caller's
    /// transaction (the events that have no row a trigger could watch).
    pub async fn emit(
        conn: &mut sqlx::AnyConnection,
        event: WebhookEvent,
        data: &serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO webhook_deliveries (endpoint_id, event, payload, occurred_at, next_attempt_at, give_up_at) \
             SELECT e.id, $1, $2, $3, $3, $4 FROM webhook_endpoints e WHERE e.disabled_at IS NULL AND e.events LIKE $5",
        )
        .bind(event.as_str())
        .bind(data.to_string())
        .bind(now)
        .bind(now + RETRY_MS)
        .bind(format!("% {} %", event.as_str()))
        .execute(conn)
        .await?;
        Ok(())
    }

    /// How long a finished delivery stays on the settings page's record.
    pub const KEEP_MS: i64 = 30 * 24 * 3600 * 1000;

    /// Forgets deliveries delivered or given up more than `KEEP_MS` ago.
    pub async fn forget_old(conn: &mut sqlx::AnyConnection) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query("DELETE FROM webhook_deliveries WHERE status <> 'queued' AND occurred_at < $1")
            .bind(now_ms() - KEEP_MS)
            .execute(conn)
            .await?
            .rows_affected())
    }

    /// A delivery claimed for sending, with its endpoint.
    #[derive(Debug, Clone)]
    pub struct Due {
        pub id: i64,
        pub endpoint_id: i64,
        pub url: String,
        pub secret: String,
        pub event: WebhookEvent,
        pub payload: String,
        pub occurred_at: i64,
        pub attempts: i64,
        pub give_up_at: i64,
    }

    impl Due {
        /// `webhook-id`: the same for every try of this delivery.
        pub fn message_id(&self) -> String {
            format!("msg_{}", self.id)
        }

        /// The body: `{"type", "timestamp", "data"}`.
        pub fn body(&self) -> String {
            let at = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(self.occurred_at).unwrap_or_default();
            let data: serde_json::Value = serde_json::from_str(&self.payload).unwrap_or(serde_json::Value::Null);
            serde_json::json!({"type": self.event.as_str(), "timestamp": at.to_rfc3339(), "data": data}).to_string()
        }
    }

    /// Claims up to `limit` due deliveries of live endpoints: no other dispatcher takes them
    /// for `CLAIM_MS`.
    pub async fn claim(conn: &mut sqlx::AnyConnection, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
        let now = now_ms();
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id IN \
             (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
              WHERE d.status = 'queued' AND d.next_attempt_at <= $2 AND e.disabled_at IS NULL ORDER BY d.id LIMIT $3) \
             AND status = 'queued' AND next_attempt_at <= $2 RETURNING id",
        )
        .bind(now + CLAIM_MS)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        let mut due = Vec::with_capacity(ids.len());
        for id in ids {
            let r = sqlx::query(
                "SELECT d.id, d.endpoint_id, e.url, e.secret, d.event, d.payload, d.occurred_at, d.attempts, d.give_up_at \
                 FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            due.push(Due {
                id: r.try_get("id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                url: r.try_get("url")?,
                secret: r.try_get("secret")?,
                event: r.set("webhook_deliveries", "event")?,
                payload: r.try_get("payload")?,
                occurred_at: r.try_get("occurred_at")?,
                attempts: r.try_get("attempts")?,
                give_up_at: r.try_get("give_up_at")?,
            });
        }
        Ok(due)
    }

    /// What came of a try: the endpoint's answer (`Some(status)`), or no answer.
    pub struct Outcome<'a> {
        pub response_status: Option<u16>,
        pub error: Option<&'a str>,
    }

    /// Records a try. Returns the endpoint's id when this failure disabled it (failing for
    /// three days): the caller tells admin.
    pub async fn record(
        conn: &mut sqlx::AnyConnection,
        d: &Due,
        outcome: Outcome<'_>,
        base_backoff_ms: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        let now = now_ms();
        let delivered = outcome.error.is_none() && outcome.response_status.is_some_and(|s| (200..300).contains(&s));
        let status = match (delivered, now >= d.give_up_at) {
            (true, _) => DeliveryStatus::Delivered,
            (false, true) => DeliveryStatus::Failed,
            (false, false) => DeliveryStatus::Queued,
        };
        let error = match (delivered, outcome.error, outcome.response_status) {
            (true, _, _) => None,
            (false, Some(e), _) => Some(e.chars().take(300).collect::<String>()),
            (false, None, Some(s)) => Some(format!("endpoint answered {s}")),
            (false, None, None) => Some("no answer".to_string()),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, response_status = $3, \
             last_error = $4, delivered_at = $5 WHERE id = $6",
        )
        .bind(status.as_str())
        .bind(now + backoff_ms(d.attempts + 1, base_backoff_ms))
        .bind(outcome.response_status.map(i64::from))
        .bind(error)
        .bind(delivered.then_some(now))
        .bind(d.id)
        .execute(&mut *conn)
        .await?;
        if delivered {
            sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
                .bind(d.endpoint_id)
                .execute(&mut *conn)
                .await?;
            return Ok(None);
        }
        sqlx::query("UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $1) WHERE id = $2")
            .bind(now)
            .bind(d.endpoint_id)
            .execute(&mut *conn)
            .await?;
        let disabled = sqlx::query(
            "UPDATE webhook_endpoints SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL AND failing_since <= $3",
        )
        .bind(now)
        .bind(d.endpoint_id)
        .bind(now - DISABLE_AFTER_MS)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok((disabled == 1).then_some(d.endpoint_id))
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!((backoff_ms(1, 5000), backoff_ms(2, 5000), backoff_ms(3, 5000)), (5000, 10_000, 20_000));
        assert_eq!(backoff_ms(30, 5000), 3_600_000);
    }
}

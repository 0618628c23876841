//! The webhook dispatcher: claims due deliveries (each by one instance, however many run),
//! POSTs them signed as Standard Webhooks has it, and records each answer; an endpoint failing
//! for three days is disabled and admin told.
use app::plumbing::errors::AppError;
use app::plumbing::state::{now_ms, AppState};
use app::plumbing::webhooks::{self, Due, Outcome};
use std::time::Duration;

/// Deliveries claimed at once (sent concurrently).
const CLAIM: i64 = 50;

/// Delivers due webhooks every half second until the pool closes.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let gate = state.part::<crate::Dispatching>().cloned().unwrap_or_default();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            // Until nothing is due: a burst of events goes out without waiting for the tick.
            loop {
                let Some(done) = gate.run(dispatch_once(&state, &client)).await else { return };
                match done {
                    Ok(n) if n as i64 == CLAIM => continue,
                    Ok(_) => break,
                    Err(e) => {
                        if !state.db.pool.is_closed() {
                            tracing::warn!(error = %e, "webhook dispatch failed; will retry");
                        }
                        break;
                    }
                }
            }
        }
    })
}

async fn send(client: &reqwest::Client, d: &Due) -> (Option<u16>, Option<String>) {
    let body = d.body();
    let (id, at) = (d.message_id(), now_ms() / 1000);
    let res = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", at.to_string())
        .header("webhook-signature", webhooks::sign(&d.secret, &id, at, &body))
        .body(body)
        .send()
        .await;
    match res {
        Ok(r) => (Some(r.status().as_u16()), None),
        // The endpoint's address never reaches the log: only that it did not answer.
        Err(e) => (None, Some(if e.is_timeout() { "timed out".into() } else { "no answer".into() })),
    }
}

/// Claims due deliveries, sends them and records each answer.
pub async fn dispatch_once(state: &AppState, client: &reqwest::Client) -> Result<usize, AppError> {
    // Looked for first without the writer: most ticks find nothing.
    let any: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM webhook_deliveries WHERE status = 'queued' AND next_attempt_at <= $1 LIMIT 1",
    )
    .bind(now_ms())
    .fetch_optional(&state.db.pool)
    .await?;
    if any.is_none() {
        return Ok(0);
    }
    let due = {
        let (_turn, mut tx) = state.db.begin_write().await?;
        let due = webhooks::claim(&mut tx, CLAIM).await?;
        tx.commit().await?;
        due
    };
    if due.is_empty() {
        return Ok(0);
    }
    let answers = futures_util::future::join_all(due.iter().map(|d| send(client, d))).await;
    let (_turn, mut tx) = state.db.begin_write().await?;
    for (d, (status, error)) in due.iter().zip(&answers) {
        let outcome = Outcome { response_status: *status, error: error.as_deref() };
        if let Some(endpoint) = webhooks::record(&mut tx, d, outcome, state.config.webhook_backoff_ms).await? {
            tracing::warn!(endpoint, "webhook endpoint failed for 3 days: disabled");
            app::features::admin::store::webhooks::disabled_by_dispatcher(&mut tx, endpoint).await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

//! Message delivery: the dispatcher claims due messages from the outbox (each message by one
//! instance, however many run) and hands them to a notifier — the log (development) or an
//! HTTP webhook (a real SMS / WeCom gateway).
use app::plumbing::outbox::{self, Message};
use app::plumbing::state::AppState;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A message and the addresses it resolved to (phones, else emails).
pub struct Outgoing<'a> {
    pub message: &'a Message,
    pub to: Vec<String>,
}

pub trait Notifier: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing<'a>) -> SendResult<'a>;
}

/// Development: the outbox table is the record, the log line says it went out.
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn send<'a>(&'a self, o: &'a Outgoing<'a>) -> SendResult<'a> {
        // Neither the numbers nor the text reach the log: the outbox table is the record.
        Box::pin(async move {
            tracing::info!(id = o.message.id, kind = %o.message.kind, addresses = o.to.len(), "message sent (log notifier)");
            Ok(())
        })
    }
}

/// POSTs each message as JSON; any non-2xx answer or network error is retried later.
pub struct WebhookNotifier {
    url: String,
    client: reqwest::Client,
}

impl WebhookNotifier {
    pub fn new(url: String) -> Self {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        WebhookNotifier { url, client }
    }
}

impl Notifier for WebhookNotifier {
    fn send<'a>(&'a self, o: &'a Outgoing<'a>) -> SendResult<'a> {
        Box::pin(async move {
            let m = o.message;
            let payload = serde_json::json!({
                "id": m.id, "kind": m.kind.as_str(), "recipient": m.recipient, "to": o.to, "body": m.body,
            });
            let res = self.client.post(&self.url).json(&payload).send().await.map_err(|e| e.to_string())?;
            if res.status().is_success() {
                Ok(())
            } else {
                Err(format!("gateway answered {}", res.status()))
            }
        })
    }
}

pub fn notifier_for(state: &AppState) -> Arc<dyn Notifier> {
    match &state.config.notify_webhook {
        Some(url) => Arc::new(WebhookNotifier::new(url.clone())),
        None => Arc::new(LogNotifier),
    }
}

/// Delivers due messages every half second until the pool closes.
pub fn spawn_dispatcher(state: AppState, notifier: Arc<dyn Notifier>) -> tokio::task::JoinHandle<()> {
    let gate = state.part::<crate::Dispatching>().cloned().unwrap_or_default();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        while !state.db.pool.is_closed() {
            tick.tick().await;
            let Some(done) = gate.run(dispatch_once(&state, notifier.as_ref())).await else { return };
            if let Err(e) = done {
                if !state.db.pool.is_closed() {
                    tracing::warn!(error = %e, "outbox dispatch failed; will retry");
                }
            }
        }
    })
}

/// Claims due messages, delivers them and records each outcome.
pub async fn dispatch_once(state: &AppState, notifier: &dyn Notifier) -> Result<usize, sqlx::Error> {
    // The claim is a write, taken in turn with the other writers.
    let due = {
        let (_turn, mut tx) = state.db.begin_write().await?;
        let due = outbox::claim(&mut tx, outbox::CLAIM).await?;
        tx.commit().await?;
        due
    };
    if due.is_empty() {
        return Ok(0);
    }
    let mut outcomes = Vec::with_capacity(due.len());
    for m in &due {
        let to = outbox::addresses(&state.db.pool, &m.recipient).await?;
        outcomes.push(if to.is_empty() {
            Err("no phone or email on file for the recipient".to_string())
        } else {
            notifier.send(&Outgoing { message: m, to }).await
        });
    }
    // The outcomes in one write, taken in turn with the other writers (on SQLite a write
    // outside the queue would make the lead writer wait in SQLite's busy handler).
    let (_turn, mut tx) = state.db.begin_write().await?;
    for (m, outcome) in due.iter().zip(outcomes) {
        match outcome {
            Ok(()) => outbox::mark_sent(&mut tx, m.id).await?,
            Err(e) => {
                tracing::warn!(id = m.id, attempt = m.attempts + 1, error = %e, "message not delivered");
                outbox::mark_attempt_failed(&mut tx, m, &e, state.config.notify_backoff_ms).await?
            }
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

//! The live stream (实时数据): every click, share, lead status change, deal, payment and reward
//! becomes an event that dashboards receive over server-sent events.
//!
//! Fan-out: events go into a ring buffer with a sequence number, and subscribers are woken
//! through a `watch` of the latest number. A woken subscriber takes everything after the last
//! number it sent, so a slow or busy subscriber gets one batch instead of a backlog, and
//! nothing is cloned per subscriber until it is written.
//!
//! On SQLite (one instance) events are published in process. On PostgreSQL every instance
//! publishes with NOTIFY and delivers what it hears on LISTEN, so a dashboard connected to any
//! instance sees every instance's events.
//!
//! Catch-up: an event's SSE id is `epoch-seq`. A reconnecting client sends the last id it got;
//! if this instance still holds what came after it, it is replayed, otherwise the client is
//! told to reload its figures (`reset`). Figures themselves always come from the database.
use super::db::Backend;
use super::live::{LiveEvent, LiveKind};
use super::state::AppState;
use std::collections::VecDeque;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Events kept for catch-up after a dropped connection.
const RING: usize = 4096;
/// The event that tells a dashboard to reload its figures.
pub const RESET: &str = r#"{"kind":"reset","campaign_id":null,"promoter_id":null,"count":0,"at_us":0}"#;
/// The PostgreSQL NOTIFY channel.
pub const CHANNEL: &str = "allhands_events";

struct Ring {
    /// Sequence number of `events[0]`.
    first: u64,
    events: VecDeque<Arc<str>>,
}

#[derive(Clone)]
pub struct EventBus {
    /// Distinguishes this process's sequence numbers from another's (or an earlier run's).
    epoch: Arc<str>,
    ring: Arc<RwLock<Ring>>,
    latest: watch::Sender<u64>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            epoch: super::auth::random_token(4).into(),
            ring: Arc::new(RwLock::new(Ring { first: 1, events: VecDeque::new() })),
            latest: watch::channel(0).0,
        }
    }
}

/// What a subscriber receives when it wakes.
pub enum Batch {
    /// Events as JSON, and the sequence number of the last one.
    Events(Vec<Arc<str>>, u64),
    /// Something was missed: reload the figures. The number to continue from.
    Reset(u64),
}

impl EventBus {
    /// Live streams open on this instance now.
    pub fn subscribers(&self) -> i64 {
        self.latest.receiver_count() as i64
    }

    /// Delivers an event (JSON) to this instance's subscribers.
    pub fn deliver(&self, json: Arc<str>) {
        let seq = {
            let mut ring = self.ring.write().unwrap_or_else(|e| e.into_inner());
            ring.events.push_back(json);
            if ring.events.len() > RING {
                ring.events.pop_front();
                ring.first += 1;
            }
            ring.first + ring.events.len() as u64 - 1
        };
        self.latest.send_replace(seq);
    }

    /// Tells subscribers that events may have been missed (the LISTEN connection dropped).
    pub fn deliver_reset(&self) {
        self.deliver(Arc::from(RESET));
    }

    pub fn latest(&self) -> u64 {
        *self.latest.borrow()
    }

    pub fn id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.epoch)
    }

    /// Where a (re)connecting client starts: after its last id if this instance gave it and
    /// still holds what followed; `None` when it must reload its figures.
    pub fn resume_point(&self, last_id: Option<&str>) -> Option<u64> {
        let latest = self.latest();
        let Some(last) = last_id else { return Some(latest) };
        let (epoch, seq) = last.split_once('-')?;
        let seq: u64 = seq.parse().ok()?;
        let first = self.ring.read().unwrap_or_else(|e| e.into_inner()).first;
        (epoch == &*self.epoch && seq <= latest && seq + 1 >= first).then_some(seq)
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }

    /// Everything after `after`, or a reset when some of it has left the ring.
    pub fn since(&self, after: u64) -> Batch {
        let ring = self.ring.read().unwrap_or_else(|e| e.into_inner());
        let last = ring.first + ring.events.len() as u64 - 1;
        if after + 1 < ring.first {
            return Batch::Reset(last);
        }
        let skip = (after + 1 - ring.first) as usize;
        let events: Vec<Arc<str>> = ring.events.iter().skip(skip).cloned().collect();
        Batch::Events(events, last)
    }
}

/// Publishes an event: in process on SQLite, through NOTIFY on PostgreSQL (every instance,
/// this one included, delivers it from LISTEN). Never fails the caller: a lost live update only
/// delays a dashboard until its next reload.
pub async fn publish(state: &AppState, kind: LiveKind, campaign_id: Option<i64>, promoter_id: Option<i64>, count: i64) {
    let event = LiveEvent { kind, campaign_id, promoter_id, count, at_us: now_us() };
    let Ok(json) = serde_json::to_string(&event) else { return };
    match state.db.backend {
        Backend::Sqlite => state.events.deliver(json.into()),
        Backend::Postgres => {
            if let Err(e) =
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(json).execute(&state.db.pool).await
            {
                tracing::warn!(error = %e, "live event not published");
            }
        }
    }
}

/// Microseconds since the epoch: event-to-client latency is measured from this.
pub fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// On PostgreSQL: delivers every instance's events to this instance's subscribers. After a
/// dropped LISTEN connection, subscribers are told to reload.
pub async fn listen(state: AppState) {
    let url = state.config.database_url.clone();
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    state.events.deliver_reset();
                    while let Ok(n) = listener.try_recv().await {
                        match n {
                            Some(n) => state.events.deliver(n.payload().into()),
                            // The connection dropped and was re-established: something may be missed.
                            None => state.events.deliver_reset(),
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "LISTEN connection failed"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bus() -> EventBus {
        EventBus::default()
    }

    #[test]
    fn a_subscriber_gets_everything_after_its_last_id() {
        let b = bus();
        for i in 0..3 {
            b.deliver(format!("{{\"n\":{i}}}").into());
        }
        let Batch::Events(events, last) = b.since(1) else { panic!("reset") };
        assert_eq!(events.iter().map(|e| e.to_string()).collect::<Vec<_>>(), vec!["{\"n\":1}", "{\"n\":2}"]);
        assert_eq!(last, 3);
        assert_eq!(b.resume_point(Some(&b.id(2))), Some(2));
        let reset: LiveEvent = serde_json::from_str(RESET).unwrap();
        assert_eq!(reset.kind, crate::plumbing::live::LiveKind::Reset);
    }

    #[test]
    fn a_client_too_far_behind_or_from_elsewhere_reloads() {
        let b = bus();
        for i in 0..(RING + 10) {
            b.deliver(format!("{i}").into());
        }
        assert!(matches!(b.since(3), Batch::Reset(_)));
        assert_eq!(b.resume_point(Some(&b.id(3))), None);
        assert_eq!(b.resume_point(Some("other-5")), None);
        assert_eq!(b.resume_point(Some("garbage")), None);
        assert_eq!(b.resume_point(None), Some(b.latest()));
        let Batch::Events(events, _) = b.since(b.latest() - 1) else { panic!("reset") };
        assert_eq!(events.len(), 1);
    }
}

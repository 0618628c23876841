//! The live figures on the server: one publisher per slice that open dashboards show. After a
//! burst of events (at most every `BURST`) it computes the slice's dashboard once and publishes
//! the whole and the patch from the previous one as JSON; each open dashboard's stream sends
//! the patch when it sent the previous version, else the whole. A publisher ends with its last
//! dashboard; a slice's figures are also refreshed every `FRESH` without events (the
//! first-contact window runs out by the clock).
use super::patch::{diff, Pushed};
use super::store::figures::Slice;
use super::Dashboard;
use crate::plumbing::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Events closer together than this make one computation.
const BURST: Duration = Duration::from_millis(100);
const FRESH: Duration = Duration::from_secs(2);
/// After a failed computation (the database away), the next try.
const RETRY: Duration = Duration::from_secs(1);

/// One published version of a slice's figures.
pub struct Published {
    pub version: u64,
    pub full: Arc<str>,
    pub patch: Option<Arc<str>>,
}

type Sender = Arc<watch::Sender<Option<Arc<Published>>>>;

#[derive(Clone, Default)]
pub struct Hub {
    slices: Arc<Mutex<HashMap<String, Sender>>>,
}

impl Hub {
    /// The slice's publications, starting its publisher when it has none.
    pub fn subscribe(&self, state: &AppState, slice: &Slice) -> watch::Receiver<Option<Arc<Published>>> {
        let key = format!("{slice:?}");
        let mut slices = self.slices.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = slices.get(&key) {
            return tx.subscribe();
        }
        let tx: Sender = Arc::new(watch::channel(None).0);
        let rx = tx.subscribe();
        slices.insert(key.clone(), tx.clone());
        tokio::spawn(publish(state.clone(), slice.clone(), key, tx, self.clone()));
        rx
    }
}

fn json(seq: u64, full: Option<&Dashboard>, patch: Option<&super::patch::Patch>) -> Arc<str> {
    let pushed = Pushed { seq: i64::try_from(seq).unwrap_or(i64::MAX), full: full.cloned(), patch: patch.cloned() };
    serde_json::to_string(&pushed).unwrap_or_default().into()
}

async fn publish(state: AppState, slice: Slice, key: String, tx: Sender, hub: Hub) {
    let mut events = state.events.subscribe();
    let mut last: Option<Arc<Dashboard>> = None;
    let mut version = 0u64;
    loop {
        let began = tokio::time::Instant::now();
        let seq = state.events.latest();
        match super::dashboard(&state, &slice).await {
            Ok(d) => {
                if last.as_deref() != Some(&*d) {
                    let patch = last.as_deref().and_then(|old| diff(old, &d));
                    version += 1;
                    let published = Published {
                        version,
                        full: json(seq, Some(&d), None),
                        patch: patch.map(|p| json(seq, None, Some(&p))),
                    };
                    tx.send_replace(Some(Arc::new(published)));
                    last = Some(d);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "live figures: the dashboard could not be computed");
                tokio::time::sleep(RETRY).await;
            }
        }
        // The next burst: an event after this computation began, or the time to refresh.
        tokio::select! {
            _ = tx.closed() => {}
            _ = async {
                while state.events.latest() <= seq {
                    if events.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
            } => {}
            _ = tokio::time::sleep(FRESH) => {}
        }
        tokio::time::sleep_until(began + BURST).await;
        // Gone with the last dashboard showing it (checked under the lock new ones come in by).
        {
            let mut slices = hub.slices.lock().unwrap_or_else(|e| e.into_inner());
            if tx.receiver_count() == 0 {
                slices.remove(&key);
                return;
            }
        }
    }
}

//! `GET /live`: the live stream as server-sent events, for dashboards (marketing, admin).
//! Each message is a JSON array of events (`model::LiveEvent`); its id lets a reconnecting
//! browser catch up, or be told to reload (an event of kind `reset`). See `app::ssr::events`.
use app::model::Role;
use app::ssr::events::{Batch, EventBus};
use app::ssr::{auth, AppState};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use tokio::sync::watch;

fn reset() -> String {
    format!("[{}]", app::ssr::events::RESET)
}

pub async fn live(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = auth::require_in(&state, &headers, &[Role::Marketing, Role::Admin]).await {
        return super::routes::error_response(&e, &headers);
    }
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let bus = state.events.clone();
    let start = bus.resume_point(last_id);
    let receiver = bus.subscribe();
    let stream = futures_util::stream::unfold((bus, receiver, start), next);
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

type Cursor = (EventBus, watch::Receiver<u64>, Option<u64>);

/// The next message: everything after the cursor, once there is something.
async fn next((bus, mut receiver, after): Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    let Some(after) = after else {
        // Too far behind, or from another instance: reload, then follow from here.
        let latest = bus.latest();
        let event = Event::default().id(bus.id(latest)).data(reset());
        return Some((Ok(event), (bus, receiver, Some(latest))));
    };
    while bus.latest() <= after {
        receiver.changed().await.ok()?;
    }
    let (data, last) = match bus.since(after) {
        Batch::Events(events, last) => {
            let mut data = String::with_capacity(events.iter().map(|e| e.len() + 1).sum::<usize>() + 2);
            data.push('[');
            for (i, e) in events.iter().enumerate() {
                if i > 0 {
                    data.push(',');
                }
                data.push_str(e);
            }
            data.push(']');
            (data, last)
        }
        Batch::Reset(last) => (reset(), last),
    };
    Some((Ok(Event::default().id(bus.id(last)).data(data)), (bus, receiver, Some(last))))
}

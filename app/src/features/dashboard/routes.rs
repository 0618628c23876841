//! The dashboard's plain routes: the live stream (server-sent events) and the CSV export.
use super::model::{DashboardQuery, Dimension, Field};
use super::store::figures::{cut_csv, Slice};
use crate::plumbing::access::Access;
use crate::plumbing::auth::require_in;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::events::{Batch, EventBus, RESET};
use crate::plumbing::http::csv_download;
use crate::plumbing::state::AppState;
use crate::shared::closed_set::Sent;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::convert::Infallible;
use tokio::sync::watch;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/live", get(live))
        .route("/live/figures", get(live_figures))
        .route("/dashboard/export.csv", get(export))
        .route("/dashboard/participation.csv", get(participation))
}

/// `GET /live` (marketing, admin): the live stream as server-sent events. Each message is a
/// JSON array of events (`plumbing::live::LiveEvent`); its id lets a reconnecting browser
/// catch up, or be told to reload (an event of kind `reset`). See `plumbing::events`.
async fn live(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    require_in(&state, &headers, Access::Marketing).await?;
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let bus = state.events.clone();
    let start = bus.resume_point(last_id);
    let receiver = bus.subscribe();
    // A deactivated person's (or a revoked session's) stream ends within this time.
    let recheck = std::time::Duration::from_secs(state.config.live_recheck_s.max(1));
    let recheck_at = tokio::time::Instant::now() + recheck;
    let cursor = Cursor { bus, receiver, after: start, state, headers, recheck, recheck_at };
    let stream = futures_util::stream::unfold(cursor, next);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

fn reset() -> String {
    format!("[{RESET}]")
}

struct Cursor {
    bus: EventBus,
    receiver: watch::Receiver<u64>,
    after: Option<u64>,
    /// The request's session, checked again every `recheck`.
    state: AppState,
    headers: HeaderMap,
    recheck: std::time::Duration,
    recheck_at: tokio::time::Instant,
}

/// The next message: everything after the cursor, once there is something. `None` ends the
/// stream: the bus is gone, or the session may no longer read it.
async fn next(mut c: Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    let Some(after) = c.after else {
        // Too far behind, or from another instance: reload, then follow from here.
        let latest = c.bus.latest();
        let event = Event::default().id(c.bus.id(latest)).data(reset());
        c.after = Some(latest);
        return Some((Ok(event), c));
    };
    while c.bus.latest() <= after {
        tokio::select! {
            changed = c.receiver.changed() => changed.ok()?,
            _ = tokio::time::sleep_until(c.recheck_at) => {
                require_in(&c.state, &c.headers, Access::Marketing).await.ok()?;
                c.recheck_at = tokio::time::Instant::now() + c.recheck;
            }
        }
    }
    // A stream that is never idle is checked too.
    if tokio::time::Instant::now() >= c.recheck_at {
        require_in(&c.state, &c.headers, Access::Marketing).await.ok()?;
        c.recheck_at = tokio::time::Instant::now() + c.recheck;
    }
    let bus = &c.bus;
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
    let event = Event::default().id(bus.id(last)).data(data);
    c.after = Some(last);
    Some((Ok(event), c))
}

/// The dashboard's filters and the cut to export, as the page's export links write them.
#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    table: String,
    #[serde(default)]
    range: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    campaign_id: Option<String>,
    #[serde(default)]
    channel: String,
    department_id: Option<String>,
    #[serde(default)]
    promoter_kind: String,
}

/// A link's value of a closed set, as sent; empty is none.
fn sent<T: std::str::FromStr>(value: String) -> Option<Sent<T>> {
    (!value.is_empty()).then(|| match value.parse() {
        Ok(t) => Sent::Known(t),
        Err(_) => Sent::Unknown(value),
    })
}

/// `GET /dashboard/export.csv`: one table of the dashboard (a cut) as CSV. Marketing or admin.
async fn export(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    require_in(&state, &headers, Access::Marketing).await?;
    let dimension = Dimension::parse(&q.table).ok_or(AppError::invalid(Field::Dimension, Problem::UnknownChoice))?;
    let slice = slice_of(q, &state)?;
    let csv = cut_csv(&state.db.pool, &state.org, &slice, dimension).await?;
    Ok(csv_download(&format!("allhands-{dimension}-{}-{}.csv", slice.from, slice.to), csv))
}

/// The slice a dashboard's link names (its filters as the page writes them).
fn slice_of(q: ExportQuery, state: &AppState) -> Result<Slice, AppError> {
    let id = |v: Option<String>, field: Field| -> Result<Option<i64>, AppError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| AppError::invalid(field, Problem::UnknownChoice)),
        }
    };
    let query = DashboardQuery {
        range: sent(q.range),
        from: q.from,
        to: q.to,
        campaign_id: id(q.campaign_id, Field::Campaign)?,
        channel: sent(q.channel),
        department_id: id(q.department_id, Field::Department)?,
        promoter_kind: sent(q.promoter_kind),
    };
    Slice::parse(&query, &state.org)
}

/// `GET /live/figures?range=…` (marketing, admin): the dashboard of a slice as server-sent
/// events, computed once per burst for every dashboard showing it (`super::push`). Each message
/// is a `patch::Pushed`: the whole dashboard first, then what changed.
async fn live_figures(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    require_in(&state, &headers, Access::Marketing).await?;
    let slice = slice_of(q, &state)?;
    let receiver = state.part::<super::Part>()?.live.subscribe(&state, &slice);
    let recheck = std::time::Duration::from_secs(state.config.live_recheck_s.max(1));
    let recheck_at = tokio::time::Instant::now() + recheck;
    let cursor = Figures { receiver, sent: 0, first: true, state, headers, recheck, recheck_at };
    let stream = futures_util::stream::unfold(cursor, next_figures);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

struct Figures {
    receiver: watch::Receiver<Option<std::sync::Arc<super::push::Published>>>,
    /// The version last sent.
    sent: u64,
    first: bool,
    state: AppState,
    headers: HeaderMap,
    recheck: std::time::Duration,
    recheck_at: tokio::time::Instant,
}

async fn next_figures(mut c: Figures) -> Option<(Result<Event, Infallible>, Figures)> {
    loop {
        if !c.first || c.receiver.borrow().is_none() {
            tokio::select! {
                changed = c.receiver.changed() => changed.ok()?,
                _ = tokio::time::sleep_until(c.recheck_at) => {}
            }
        }
        c.first = false;
        if tokio::time::Instant::now() >= c.recheck_at {
            require_in(&c.state, &c.headers, Access::Marketing).await.ok()?;
            c.recheck_at = tokio::time::Instant::now() + c.recheck;
        }
        let Some(p) = c.receiver.borrow_and_update().clone() else { continue };
        if p.version == c.sent {
            continue;
        }
        let data = match &p.patch {
            Some(patch) if p.version == c.sent + 1 => patch.clone(),
            _ => p.full.clone(),
        };
        c.sent = p.version;
        return Some((Ok(Event::default().data(&*data)), c));
    }
}

#[derive(Deserialize)]
struct MonthQuery {
    month: String,
}

/// `GET /dashboard/participation.csv?month=2026-11` (marketing, admin): every employee's
/// participation for payroll and HR, with its weight in the performance review.
async fn participation(
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    use crate::features::dashboard::participation::{weighted, WEIGHT_DEFAULT, WEIGHT_SETTING};
    use crate::shared::period::Period;
    require_in(&state, &headers, Access::Marketing).await?;
    let month = match Period::parse_key(q.month.trim()) {
        Some(m @ Period::Month { .. }) => m,
        _ => return Err(AppError::invalid(Field::Month, Problem::Date)),
    };
    let weight = crate::plumbing::settings::number(&state.db.pool, WEIGHT_SETTING, WEIGHT_DEFAULT).await?;
    let rows = super::store::participation::month(&state.db.pool, &state.org, month).await?;
    let target =
        |t: Option<rust_decimal::Decimal>| t.map(|t| t.round_dp(2).normalize().to_string()).unwrap_or_default();
    let mut sheet = crate::plumbing::sheet::Sheet::new([
        "employee",
        "department",
        "month",
        "shares",
        "shares_target",
        "valid_leads",
        "leads_target",
        "deals",
        "deals_target",
        "score",
        "weight_percent",
        "weighted",
    ])?;
    for r in rows {
        let f = r.figures;
        sheet.row([
            r.name,
            r.department,
            month.key(),
            f.shares.to_string(),
            target(f.shares_target),
            f.valid_leads.to_string(),
            target(f.leads_target),
            f.deals.to_string(),
            target(f.deals_target),
            r.score.to_string(),
            weight.to_string(),
            weighted(r.score, weight).to_string(),
        ])?;
    }
    Ok(csv_download(&format!("allhands-participation-{}.csv", month.key()), sheet.finish()?))
}

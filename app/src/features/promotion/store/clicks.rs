//! Clicks on personal links: classification, and the batched writer that stores them.
use crate::features::promotion::model::{Channel, UaClass};
use crate::plumbing::db::{self, Backend, Tx};
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::state::AppState;
use crate::shared::period::local_day;
use futures_util::future::BoxFuture;
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

pub const VISITOR_COOKIE: &str = "ah_vid";
pub const REF_COOKIE: &str = "ah_ref";
/// The channel of the visitor's last click (on the link in `REF_COOKIE`): a lead keeps it.
pub const CHANNEL_COOKIE: &str = "ah_ch";

/// A coarse user-agent class; link-preview fetchers and crawlers are `bot`.
pub fn ua_class(ua: &str) -> UaClass {
    let l = ua.to_ascii_lowercase();
    const BOTS: [&str; 12] = [
        "bot",
        "spider",
        "crawl",
        "preview",
        "slurp",
        "facebookexternalhit",
        "curl",
        "wget",
        "python-requests",
        "headlesschrome-preview",
        "whatsapp",
        "telegram",
    ];
    if l.is_empty() || BOTS.iter().any(|b| l.contains(b)) {
        UaClass::Bot
    } else if l.contains("micromessenger") {
        UaClass::Wechat
    } else if l.contains("mobile") || l.contains("android") || l.contains("iphone") {
        UaClass::Mobile
    } else {
        UaClass::Desktop
    }
}

/// A click as the redirect answers it; stored by the [`ClickWriter`].
#[derive(Debug, Clone)]
pub struct NewClick {
    pub link_id: i64,
    pub channel: Channel,
    pub visitor: String,
    pub ip_hash: String,
    pub ua_class: UaClass,
    pub at_ms: i64,
    /// The promoter opening their own link (signed in): not a visitor that can pay a reward.
    pub own: bool,
}

/// Stored clicks of people (bots left out) on one day, link and channel: what a batch gives
/// the features that count clicks.
#[derive(Debug, Clone, PartialEq)]
pub struct ClickCount {
    /// The time of the first of them: they all fall on the same day of the organization.
    pub at_ms: i64,
    pub link_id: i64,
    pub channel: Channel,
    pub clicks: i64,
    pub unique_visitors: i64,
}

/// Counts a batch's clicks in the batch's transaction (see `Part::counted_by`).
pub type CountHook =
    Arc<dyn for<'a> Fn(Backend, &'a mut Tx, &'a [ClickCount]) -> BoxFuture<'a, Result<(), sqlx::Error>> + Send + Sync>;

enum Message {
    Click(NewClick),
    /// Answered once every click queued before it is committed.
    Flush(oneshot::Sender<()>),
}

/// Clicks are stored in batches, a few milliseconds behind the redirect: the redirect is the
/// hot path of every share, and a commit per click would cap it at the disk's fsync rate. The
/// batch commits as soon as the previous one is done; [`ClickWriter::flush`] (called on clean
/// shutdown) waits for everything queued, so every answered click is recorded.
#[derive(Clone)]
pub struct ClickWriter {
    sender: mpsc::Sender<Message>,
}

pub struct ClickQueue(mpsc::Receiver<Message>);

/// Clicks one transaction takes at most.
const MAX_BATCH: usize = 2000;
/// Rows a statement takes at most, in powers of two (see `db::statement_chunks`): a busy
/// moment's batch of hundreds of clicks is a few statements, each already prepared (8
/// parameters a row: 4,096 a statement, well within both engines' limits).
const CHUNK: usize = 512;

impl ClickWriter {
    pub fn new() -> (ClickWriter, ClickQueue) {
        let (sender, receiver) = mpsc::channel(MAX_BATCH * 32);
        (ClickWriter { sender }, ClickQueue(receiver))
    }

    /// Queues a click; waits only when the queue is full (the writer is far behind).
    pub async fn record(&self, click: NewClick) -> Result<(), sqlx::Error> {
        self.sender.send(Message::Click(click)).await.map_err(|_| sqlx::Error::PoolClosed)
    }

    /// Returns once every click queued so far is committed.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.sender.send(Message::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

pub async fn run(state: AppState, mut queue: ClickQueue) {
    let mut clicks = Vec::with_capacity(MAX_BATCH);
    let mut flushes = Vec::new();
    while let Some(first) = queue.0.recv().await {
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Message::Click(c) => clicks.push(c),
                Message::Flush(f) => flushes.push(f),
            }
            if clicks.len() < MAX_BATCH {
                next = queue.0.try_recv().ok();
            }
        }
        if !clicks.is_empty() {
            // An answered click is kept until it is stored: through a database restart or a
            // full disk the batch waits here (and new clicks queue behind it, up to the
            // channel's bound, after which the redirect waits too).
            crate::plumbing::metrics::batch("clicks", clicks.len());
            let mut attempt = 0u32;
            while let Err(e) = write(&state, &clicks).await {
                attempt += 1;
                tracing::warn!(error = %e, attempt, queued = clicks.len(), "click batch not stored yet; retrying");
                tokio::time::sleep(std::time::Duration::from_millis((50u64 << attempt.min(6)).min(2_000))).await;
            }
            // Bots and link previews are not clicks on the dashboard.
            let n = clicks.iter().filter(|c| c.ua_class != UaClass::Bot).count() as i64;
            if n > 0 {
                events::publish(&state, LiveKind::Click, None, None, n).await;
            }
            clicks.clear();
        }
        for f in flushes.drain(..) {
            let _ = f.send(());
        }
    }
}

/// One transaction: the day's first visits (`link_visitors`), then the clicks, each marked
/// whether it was its visitor's first of the day on that link. Bots never count as visitors.
async fn write(state: &AppState, clicks: &[NewClick]) -> Result<(), sqlx::Error> {
    let days: Vec<String> = clicks.iter().map(|c| local_day(c.at_ms, state.org.tz).to_string()).collect();
    let mut keys: Vec<(i64, &str, &str)> = clicks
        .iter()
        .zip(&days)
        .filter(|(c, _)| c.ua_class != UaClass::Bot)
        .map(|(c, d)| (c.link_id, d.as_str(), c.visitor.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let (_turn, mut tx) = state.db.begin_write().await?;
    let mut first_visits: HashSet<(i64, String, String)> = HashSet::new();
    for (start, len) in db::statement_chunks(keys.len(), CHUNK) {
        let chunk = &keys[start..start + len];
        let sql = format!(
            "INSERT INTO link_visitors (link_id, day, visitor) VALUES {} ON CONFLICT DO NOTHING RETURNING link_id, day, visitor",
            db::placeholders(state.db.backend, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (link, d, v) in chunk {
            q = q.bind(*link).bind(*d).bind(*v);
        }
        for r in q.fetch_all(&mut *tx).await? {
            first_visits.insert((r.try_get("link_id")?, r.try_get("day")?, r.try_get("visitor")?));
        }
    }
    let rows: Vec<(&NewClick, &str, bool)> = clicks
        .iter()
        .zip(&days)
        // The first click of a new visitor carries the unique visit, later ones do not.
        .map(|(c, d)| {
            let first = c.ua_class != UaClass::Bot && first_visits.remove(&(c.link_id, d.clone(), c.visitor.clone()));
            (c, d.as_str(), first)
        })
        .collect();
    // What activity rewards count: a visitor once per link, day and address, people only.
    let mut counted: Vec<(i64, &str, &str)> = rows
        .iter()
        .filter(|(c, _, _)| c.ua_class != UaClass::Bot && !c.own)
        .map(|(c, d, _)| (c.link_id, *d, c.ip_hash.as_str()))
        .collect();
    counted.sort_unstable();
    counted.dedup();
    for (start, len) in db::statement_chunks(counted.len(), CHUNK) {
        let chunk = &counted[start..start + len];
        let sql = format!(
            "INSERT INTO counted_visitors (link_id, day, ip_hash) VALUES {} ON CONFLICT DO NOTHING",
            db::placeholders(state.db.backend, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (link, d, ip) in chunk {
            q = q.bind(*link).bind(*d).bind(*ip);
        }
        q.execute(&mut *tx).await?;
    }
    insert(state, &mut tx, &rows).await?;
    tx.commit().await
}

/// Stores clicks within `tx`, each with its organization day (`period::local_day`) and whether it is
/// its visitor's first of the day on its link, and has them counted (`Part::counted_by`): the
/// writer's last step, and how tests store clicks of their own making.
pub async fn insert(state: &AppState, tx: &mut Tx, rows: &[(&NewClick, &str, bool)]) -> Result<(), sqlx::Error> {
    for (start, len) in db::statement_chunks(rows.len(), CHUNK) {
        let chunk = &rows[start..start + len];
        let sql = format!(
            "INSERT INTO clicks (link_id, channel, visitor, ip_hash, ua_class, at, unique_visit, own) VALUES {}",
            db::placeholders(state.db.backend, chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for (c, _, unique) in chunk {
            q = q
                .bind(c.link_id)
                .bind(c.channel.as_str())
                .bind(c.visitor.as_str())
                .bind(c.ip_hash.as_str())
                .bind(c.ua_class.as_str())
                .bind(c.at_ms)
                .bind(*unique as i64)
                .bind(c.own as i64);
        }
        q.execute(&mut **tx).await?;
    }
    let hooks = super::super::part(state).map(|p| p.on_stored.as_slice()).unwrap_or_default();
    if !hooks.is_empty() {
        let counts = counts(rows);
        for hook in hooks {
            hook(state.db.backend, &mut *tx, &counts).await?;
        }
    }
    Ok(())
}

/// A batch's clicks of people by day, link and channel: a handful of rows for hundreds of
/// clicks, counted in one statement instead of a trigger's work per click.
fn counts(rows: &[(&NewClick, &str, bool)]) -> Vec<ClickCount> {
    let mut by: BTreeMap<(&str, i64, Channel), ClickCount> = BTreeMap::new();
    for (c, day, unique) in rows.iter().filter(|(c, _, _)| c.ua_class != UaClass::Bot) {
        let n = by.entry((*day, c.link_id, c.channel)).or_insert(ClickCount {
            at_ms: c.at_ms,
            link_id: c.link_id,
            channel: c.channel,
            clicks: 0,
            unique_visitors: 0,
        });
        n.clicks += 1;
        n.unique_visitors += i64::from(*unique);
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_user_agents_and_channels() {
        assert_eq!(ua_class("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0"), UaClass::Wechat);
        assert_eq!(ua_class("Slackbot-LinkExpanding 1.0"), UaClass::Bot);
        assert_eq!(ua_class("Mozilla/5.0 (Linux; Android 14) Mobile Safari"), UaClass::Mobile);
        assert_eq!(ua_class("Mozilla/5.0 (X11; Linux x86_64) Chrome/120"), UaClass::Desktop);
        assert_eq!(Channel::of_link(Some("qr")), Channel::Qr);
        assert_eq!(Channel::of_link(Some("poster")), Channel::Poster);
        assert_eq!(Channel::of_link(Some("weibo")), Channel::Other);
        assert_eq!(Channel::of_link(None), Channel::Direct);
    }

    fn click(link_id: i64, channel: Channel, ua_class: UaClass, at_ms: i64) -> NewClick {
        NewClick { link_id, channel, visitor: "v".into(), ip_hash: "ip".into(), ua_class, at_ms, own: false }
    }

    #[test]
    fn a_batch_is_counted_by_day_link_and_channel_without_bots() {
        let a = click(1, Channel::Qr, UaClass::Wechat, 10);
        let b = click(1, Channel::Qr, UaClass::Mobile, 20);
        let other_day = click(1, Channel::Qr, UaClass::Mobile, 30);
        let bot = click(1, Channel::Qr, UaClass::Bot, 40);
        let other_link = click(2, Channel::Qr, UaClass::Desktop, 50);
        let other_channel = click(1, Channel::Moments, UaClass::Mobile, 60);
        let rows = [
            (&a, "2026-12-01", true),
            (&b, "2026-12-01", false),
            (&other_day, "2026-12-02", true),
            (&bot, "2026-12-01", false),
            (&other_link, "2026-12-01", true),
            (&other_channel, "2026-12-01", false),
        ];
        let count = |at_ms, link_id, channel, clicks, unique_visitors| ClickCount {
            at_ms,
            link_id,
            channel,
            clicks,
            unique_visitors,
        };
        let mut got = counts(&rows);
        got.sort_by_key(|c| c.at_ms);
        assert_eq!(
            got,
            vec![
                count(10, 1, Channel::Qr, 2, 1),
                count(30, 1, Channel::Qr, 1, 1),
                count(50, 2, Channel::Qr, 1, 1),
                count(60, 1, Channel::Moments, 1, 0),
            ]
        );
    }
}

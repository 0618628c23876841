//! Clicks on personal links: classification, and the batched writer that stores them.
use crate::features::promotion::model::{Channel, UaClass};
use crate::plumbing::db;
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::state::AppState;
use sqlx::Row;
use std::collections::HashSet;
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
    let tz = state.org.tz;
    let day = |at: i64| {
        chrono::DateTime::from_timestamp_millis(at).unwrap_or_default().with_timezone(&tz).date_naive().to_string()
    };
    let days: Vec<String> = clicks.iter().map(|c| day(c.at_ms)).collect();
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
    let rows: Vec<(&NewClick, bool)> = clicks
        .iter()
        .zip(&days)
        // The first click of a new visitor carries the unique visit, later ones do not.
        .map(|(c, d)| {
            (c, c.ua_class != UaClass::Bot && first_visits.remove(&(c.link_id, d.clone(), c.visitor.clone())))
        })
        .collect();
    // What activity rewards count: a visitor once per link, day and address, people only.
    let mut counted: Vec<(i64, &str, &str)> = clicks
        .iter()
        .zip(&days)
        .filter(|(c, _)| c.ua_class != UaClass::Bot && !c.own)
        .map(|(c, d)| (c.link_id, d.as_str(), c.ip_hash.as_str()))
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
    for (start, len) in db::statement_chunks(rows.len(), CHUNK) {
        let chunk = &rows[start..start + len];
        let sql = format!(
            "INSERT INTO clicks (link_id, channel, visitor, ip_hash, ua_class, at, unique_visit, own) VALUES {}",
            db::placeholders(state.db.backend, chunk.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for (c, unique) in chunk {
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
        q.execute(&mut *tx).await?;
    }
    tx.commit().await
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
}

//! The audit log: who changed what, when, from where (a keyed hash of the address, never the
//! address), before → after. An entry is written in the change's own transaction, so a change
//! and its entry commit together; the database refuses to update or delete an entry (a
//! trigger on both engines). Each feature names its audited actions as a closed set.
use super::db::Tx;
use crate::shared::closed_set::ClosedSet;
use sqlx::{AnyPool, Row};

/// Who made a change.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The signed-in person; `None` for the server's own jobs.
    pub user_id: Option<i64>,
    pub ip_hash: Option<String>,
}

impl Actor {
    /// A scheduled job of the server itself.
    pub fn system() -> Actor {
        Actor::default()
    }

    /// A signed-in person, from a request's extensions (its peer address).
    pub fn person(user_id: i64, org_secret: &str, request: &axum::http::Extensions) -> Actor {
        let ip = super::http::peer_ip(request);
        Actor { user_id: Some(user_id), ip_hash: Some(super::auth::keyed_hash(org_secret, &ip)) }
    }
}

/// One change as it is recorded.
pub struct Change<'a, A: ClosedSet> {
    pub action: A,
    /// What changed, in words a reader can search: "run #3", "user #12".
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub actor: &'a Actor,
}

impl<'a, A: ClosedSet> Change<'a, A> {
    /// A change that keeps no before or after (a link issued, a session ended).
    pub fn bare(action: A, subject: String, actor: &'a Actor) -> Self {
        Change { action, subject, before: None, after: None, actor }
    }
}

/// Appends `change` in the transaction that makes it.
pub async fn record<A: ClosedSet>(tx: &mut Tx, change: Change<'_, A>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, subject, before_value, after_value, ip_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(super::state::now_ms())
    .bind(change.actor.user_id)
    .bind(change.action.as_str())
    .bind(change.subject)
    .bind(change.before)
    .bind(change.after)
    .bind(change.actor.ip_hash.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_id: Option<i64>,
    /// Exact action code.
    pub action: Option<String>,
    /// Text the subject contains.
    pub subject: Option<String>,
    /// Unix milliseconds, inclusive / exclusive.
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// Entries older than this id (the next page).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// An entry as stored, with the actor's name.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub ip_hash: Option<String>,
}

pub async fn entries(pool: &AnyPool, f: &Filter) -> Result<Vec<Entry>, sqlx::Error> {
    // Every condition is always present and switched off by a NULL, so the SQL is one text.
    let rows = sqlx::query(
        "SELECT a.id, a.at, a.actor_id, u.display_name, a.action, a.subject, a.before_value, a.after_value, a.ip_hash \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
         WHERE ($1 IS NULL OR a.actor_id = $1) AND ($2 IS NULL OR a.action = $2) \
         AND ($3 IS NULL OR LOWER(a.subject) LIKE $3) AND ($4 IS NULL OR a.at >= $4) AND ($5 IS NULL OR a.at < $5) \
         AND ($6 IS NULL OR a.id < $6) ORDER BY a.id DESC LIMIT $7",
    )
    .bind(f.actor_id)
    .bind(f.action.as_deref())
    .bind(f.subject.as_ref().map(|s| format!("%{}%", s.to_lowercase().replace(['%', '_'], ""))))
    .bind(f.from_ms)
    .bind(f.until_ms)
    .bind(f.before_id)
    .bind(f.limit.clamp(1, 10_000))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                actor: r.try_get("display_name")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                before: r.try_get("before_value")?,
                after: r.try_get("after_value")?,
                ip_hash: r.try_get("ip_hash")?,
            })
        })
        .collect()
}

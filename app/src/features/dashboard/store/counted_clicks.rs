//! Clicks counted as the click writer stores them (`promotion::Part::counted_by`): a batch of
//! hundreds of clicks is one upsert per day, campaign, channel, department and promoter kind,
//! and one per promoter's month. A trigger did this per click until migration
//! `20261218000001_clicks_counted_by_batch`: on SQLite it ran inside the redirect's writer, and
//! the redirect served fewer clicks a second than before the counters. The day, the facets and
//! the bits are the recount's own expressions, so that a recount changes nothing.
use super::recount::{add, day, promoter_months, KEY};
use crate::features::promotion::store::clicks::{ClickCount, CountHook};
use crate::plumbing::db::{self, Backend, Tx};
use futures_util::future::BoxFuture;
use std::sync::Arc;

/// Count rows a statement takes at most (5 parameters a row), in powers of two.
const CHUNK: usize = 256;

/// The hook `server` gives promotion.
pub fn hook() -> CountHook {
    fn counting<'a>(
        backend: Backend,
        tx: &'a mut Tx,
        counts: &'a [ClickCount],
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(count(backend, tx, counts))
    }
    Arc::new(counting)
}

/// Adds a batch's clicks to `figure_counts` and `promoter_months` within `tx`.
pub async fn count(backend: Backend, tx: &mut Tx, counts: &[ClickCount]) -> Result<(), sqlx::Error> {
    for (start, len) in db::statement_chunks(counts.len(), CHUNK) {
        let chunk = &counts[start..start + len];
        let batch = format!(
            "WITH b (at_ms, link_id, channel, clicks, uniques) AS (VALUES {})",
            db::placeholders(backend, len, 5)
        );
        let facts = "FROM b JOIN promo_links pl ON pl.id = b.link_id JOIN promoter_facets f ON f.id = pl.promoter_id";
        let figures = format!(
            "{batch} INSERT INTO figure_counts ({KEY}, clicks, unique_visitors) \
             SELECT {day}, pl.campaign_id, b.channel, f.department_id, f.promoter_kind, SUM(b.clicks), SUM(b.uniques) \
             {facts} WHERE true GROUP BY 1, 2, 3, 4, 5 ON CONFLICT ({KEY}) DO UPDATE SET {add}",
            day = day("b.at_ms"),
            add = add(&["clicks", "unique_visitors"]),
        );
        let active = format!(
            "SELECT DISTINCT {day} AS day, pl.promoter_id AS promoter_id, pl.campaign_id AS campaign_id, b.channel AS channel, \
             f.department_id AS department_id, f.promoter_kind AS promoter_kind {facts}",
            day = day("b.at_ms"),
        );
        for sql in [figures, format!("{batch} {}", promoter_months(&active))] {
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q.bind(c.at_ms).bind(c.link_id).bind(c.channel.as_str()).bind(c.clicks).bind(c.unique_visitors);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

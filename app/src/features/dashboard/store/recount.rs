//! The counters rebuilt from the facts, in SQL and in one transaction (concurrent facts wait for
//! it and then count on top of it): after a time-zone change, when someone moved department,
//! or as a repair. `recount` says how many counted figures it corrected; `drift` does the same
//! and rolls back, which the tests and `bench/run dashboard` use to prove the counters exact.
use super::active::COLUMNS;
use crate::plumbing::db::{Db, Tx};
use crate::plumbing::errors::AppError;
use sqlx::Row;
use std::collections::BTreeMap;

use crate::shared::period::OUTSIDE_DAY as OUTSIDE;

pub(super) const KEY: &str = "day, campaign_id, channel, department_id, promoter_kind";

/// The day of the fact whose time (ms) is `at`.
pub(super) fn day(at: &str) -> String {
    format!("COALESCE((SELECT d.day FROM org_days d WHERE d.start_ms <= {at} ORDER BY d.start_ms DESC LIMIT 1), '{OUTSIDE}')")
}

pub(super) fn add(columns: &[&str]) -> String {
    columns.iter().map(|c| format!("{c} = figure_counts.{c} + excluded.{c}")).collect::<Vec<_>>().join(", ")
}

/// The hours bucket of a first contact later than any window a policy may set.
const LATE_HOURS: i64 = crate::features::leads::store::policy::Policy::FIRST_CONTACT_HOURS.1 + 1;

const STATUSES: [&str; 6] = ["pending", "held", "valid", "duplicate", "invalid", "rejected"];

/// Files the active days of `active` (rows of day, promoter_id, campaign_id, channel,
/// department_id, promoter_kind, each once) into `promoter_months`: a promoter's days of a month
/// as bits per channel (distinct days, summed, are or-ed), or-ed into what is there.
pub(super) fn promoter_months(active: &str) -> String {
    let columns = COLUMNS.iter().map(|(_, col)| *col).collect::<Vec<_>>().join(", ");
    let bits = COLUMNS
        .iter()
        .map(|(channel, _)| {
            let spelling = channel.map_or("", |c| c.as_str());
            format!("SUM(CASE a.channel WHEN '{spelling}' THEN CAST(1 AS BIGINT) << (CAST(substr(a.day, 9, 2) AS INTEGER) - 1) ELSE 0 END)")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let or =
        COLUMNS.iter().map(|(_, c)| format!("{c} = promoter_months.{c} | excluded.{c}")).collect::<Vec<_>>().join(", ");
    format!(
        "INSERT INTO promoter_months (month, promoter_id, campaign_id, department_id, promoter_kind, {columns}) \
         SELECT substr(a.day, 1, 7), a.promoter_id, a.campaign_id, a.department_id, a.promoter_kind, {bits} \
         FROM ({active}) a \
         WHERE true GROUP BY substr(a.day, 1, 7), a.promoter_id, a.campaign_id, a.department_id, a.promoter_kind \
         ON CONFLICT (month, promoter_id, campaign_id, department_id, promoter_kind) DO UPDATE SET {or}"
    )
}

/// Rebuilds every counter from the facts within `tx`.
pub async fn recount_in(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM figure_counts").execute(&mut **tx).await?;
    sqlx::query("DELETE FROM promoter_months").execute(&mut **tx).await?;
    sqlx::query("DELETE FROM response_counts").execute(&mut **tx).await?;
    let lead_cols: Vec<String> = STATUSES.iter().map(|s| format!("leads_{s}")).collect();
    let lead_sums: Vec<String> =
        STATUSES.iter().map(|s| format!("SUM(CASE status WHEN '{s}' THEN 1 ELSE 0 END)")).collect();
    let lead_col_refs: Vec<&str> = lead_cols.iter().map(String::as_str).collect();
    let parts = [
        (
            "clicks, unique_visitors".to_string(),
            format!(
                "SELECT {day}, pl.campaign_id, c.channel, f.department_id, f.promoter_kind, COUNT(*), SUM(c.unique_visit) \
                 FROM clicks c JOIN promo_links pl ON pl.id = c.link_id JOIN promoter_facets f ON f.id = pl.promoter_id \
                 WHERE c.ua_class <> 'bot' GROUP BY 1, 2, 3, 4, 5",
                day = day("c.at")
            ),
            add(&["clicks", "unique_visitors"]),
        ),
        (
            "shares".to_string(),
            format!(
                "SELECT {day}, pl.campaign_id, '', f.department_id, f.promoter_kind, COUNT(*) \
                 FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id JOIN promoter_facets f ON f.id = pl.promoter_id \
                 WHERE true GROUP BY 1, 2, 3, 4, 5",
                day = day("sh.at")
            ),
            add(&["shares"]),
        ),
        (
            lead_cols.join(", "),
            format!(
                "SELECT {day}, l.campaign_id, l.channel, COALESCE(f.department_id, l.department_id, 0), COALESCE(f.promoter_kind, ''), {sums} \
                 FROM leads l LEFT JOIN promoter_facets f ON f.id = l.promoter_id WHERE true GROUP BY 1, 2, 3, 4, 5",
                day = day("l.submitted_at"),
                sums = lead_sums.join(", ")
            ),
            add(&lead_col_refs),
        ),
        (
            "deals, deal_amount_fen, deal_profit_fen".to_string(),
            "SELECT d.signed_on, COALESCE(d.campaign_id, 0), COALESCE(l.channel, 'direct'), COALESCE(f.department_id, 0), \
             COALESCE(f.promoter_kind, ''), COUNT(*), SUM(d.amount_fen), SUM(d.amount_fen - COALESCE(d.cost_fen, 0)) \
             FROM deals d LEFT JOIN leads l ON l.id = d.lead_id LEFT JOIN promoter_facets f ON f.id = d.promoter_id \
             WHERE true GROUP BY 1, 2, 3, 4, 5"
                .to_string(),
            add(&["deals", "deal_amount_fen", "deal_profit_fen"]),
        ),
    ];
    for (columns, select, update) in parts {
        sqlx::query(&format!(
            "INSERT INTO figure_counts ({KEY}, {columns}) {select} ON CONFLICT ({KEY}) DO UPDATE SET {update}"
        ))
        .execute(&mut **tx)
        .await?;
    }
    // Each promoter's active days of a month as bits, per channel: distinct days, summed, are or-ed.
    let active = format!(
        "SELECT {clicks} AS day, pl.promoter_id AS promoter_id, pl.campaign_id AS campaign_id, c.channel AS channel, \
         f.department_id AS department_id, f.promoter_kind AS promoter_kind \
         FROM clicks c JOIN promo_links pl ON pl.id = c.link_id JOIN promoter_facets f ON f.id = pl.promoter_id WHERE c.ua_class <> 'bot' \
         UNION SELECT {shares}, pl.promoter_id, pl.campaign_id, '', f.department_id, f.promoter_kind \
         FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id JOIN promoter_facets f ON f.id = pl.promoter_id \
         UNION SELECT {leads}, l.promoter_id, l.campaign_id, l.channel, f.department_id, f.promoter_kind \
         FROM leads l JOIN promoter_facets f ON f.id = l.promoter_id",
        clicks = day("c.at"),
        shares = day("sh.at"),
        leads = day("l.submitted_at"),
    );
    sqlx::query(&promoter_months(&active)).execute(&mut **tx).await?;
    // Assigned leads by day, facet and whole hours to first contact (as the migration's triggers).
    sqlx::query(&format!(
        "INSERT INTO response_counts (day, campaign_id, channel, department_id, promoter_kind, hours, leads) \
         SELECT {day}, l.campaign_id, l.channel, COALESCE(f.department_id, l.department_id, 0), COALESCE(f.promoter_kind, ''), \
         CASE WHEN l.first_contact_at IS NULL THEN -1 WHEN l.first_contact_at <= l.assigned_at THEN 0 \
         WHEN l.first_contact_at - l.assigned_at > {late} * 3600000 THEN {late} \
         ELSE (l.first_contact_at - l.assigned_at + 3599999) / 3600000 END, COUNT(*) \
         FROM leads l LEFT JOIN promoter_facets f ON f.id = l.promoter_id WHERE l.assigned_at IS NOT NULL AND l.channel IS NOT NULL \
         GROUP BY 1, 2, 3, 4, 5, 6",
        day = day("l.assigned_at"),
        late = LATE_HOURS,
    ))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every counted figure, by its row's key and its column.
async fn snapshot(tx: &mut Tx) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let mut all = BTreeMap::new();
    for r in sqlx::query(
        "SELECT day, campaign_id, channel, department_id, promoter_kind, clicks, unique_visitors, shares, leads_pending, \
         leads_held, leads_valid, leads_duplicate, leads_invalid, leads_rejected, deals, deal_amount_fen, deal_profit_fen \
         FROM figure_counts",
    )
    .fetch_all(&mut **tx)
    .await?
    {
        let key = format!(
            "{}|{}|{}|{}|{}",
            r.try_get::<String, _>(0)?,
            r.try_get::<i64, _>(1)?,
            r.try_get::<String, _>(2)?,
            r.try_get::<i64, _>(3)?,
            r.try_get::<String, _>(4)?
        );
        for i in 5..17 {
            let n: i64 = r.try_get(i)?;
            if n != 0 {
                all.insert(format!("{key}|{i}"), n);
            }
        }
    }
    let columns = COLUMNS.iter().map(|(_, col)| *col).collect::<Vec<_>>().join(", ");
    for r in sqlx::query(&format!(
        "SELECT month, promoter_id, campaign_id, department_id, promoter_kind, {columns} FROM promoter_months"
    ))
    .fetch_all(&mut **tx)
    .await?
    {
        let key = format!(
            "active|{}|{}|{}|{}|{}",
            r.try_get::<String, _>(0)?,
            r.try_get::<i64, _>(1)?,
            r.try_get::<i64, _>(2)?,
            r.try_get::<i64, _>(3)?,
            r.try_get::<String, _>(4)?
        );
        for i in 0..COLUMNS.len() {
            let days: i64 = r.try_get(5 + i)?;
            if days != 0 {
                all.insert(format!("{key}|{i}"), days);
            }
        }
    }
    for r in sqlx::query(
        "SELECT day, campaign_id, channel, department_id, promoter_kind, hours, leads FROM response_counts WHERE leads <> 0",
    )
    .fetch_all(&mut **tx)
    .await?
    {
        let key = format!(
            "response|{}|{}|{}|{}|{}|{}",
            r.try_get::<String, _>(0)?,
            r.try_get::<i64, _>(1)?,
            r.try_get::<String, _>(2)?,
            r.try_get::<i64, _>(3)?,
            r.try_get::<String, _>(4)?,
            r.try_get::<i64, _>(5)?
        );
        all.insert(key, r.try_get(6)?);
    }
    Ok(all)
}

fn differences(a: &BTreeMap<String, i64>, b: &BTreeMap<String, i64>) -> i64 {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).count() as i64
}

/// Rebuilds the counters; answers how many counted figures changed.
pub async fn recount(db: &Db) -> Result<i64, AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let before = snapshot(&mut tx).await?;
    recount_in(&mut tx).await?;
    let after = snapshot(&mut tx).await?;
    tx.commit().await?;
    Ok(differences(&before, &after))
}

/// How many counted figures a recount would change, changing nothing.
pub async fn drift(db: &Db) -> Result<i64, AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let before = snapshot(&mut tx).await?;
    recount_in(&mut tx).await?;
    let after = snapshot(&mut tx).await?;
    tx.rollback().await?;
    Ok(differences(&before, &after))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_late_bucket_is_the_one_the_triggers_use() {
        // migrations/*/20261204000001_dashboard_reads.sql writes 169 for a later first contact.
        assert_eq!(super::LATE_HOURS, 169);
    }
}

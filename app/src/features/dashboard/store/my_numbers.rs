//! The promoter's own numbers this month (我的数据).
use super::figures::{scalar, Slice};
use super::heroes::ranked;
use super::targets::targets;
use crate::features::dashboard::model::MyNumbers;
use crate::features::leads::LeadStatus;
use crate::features::rewards::store::facts::kind_of;
use crate::plumbing::access::UserView;
use crate::plumbing::db::SetColumn;
use crate::plumbing::errors::AppError;
use crate::plumbing::state::AppState;
use crate::shared::period::Period;
use chrono::Utc;
use sqlx::Row;

/// The promoter's own numbers this month (我的数据).
pub async fn my_numbers(state: &AppState, user: &UserView) -> Result<MyNumbers, AppError> {
    let (pool, org) = (&state.db.pool, &*state.org);
    let month = Period::month_of(Utc::now(), org.tz);
    let (from, to) = month.dates();
    let (start, end) = Slice::days(from, to).bounds_ms(org);
    let me = user.id;
    let clicks = sqlx::query(&format!(
        "SELECT COUNT(*) AS n, CAST(SUM(c.unique_visit) AS BIGINT) AS u FROM clicks c JOIN promo_links pl ON pl.id = c.link_id \
         WHERE c.ua_class <> 'bot' AND c.at >= {start} AND c.at < {end} AND pl.promoter_id = {me}"
    ))
    .fetch_one(pool)
    .await?;
    let shares = scalar(
        pool,
        &format!(
            "SELECT COUNT(*) FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id \
             WHERE sh.at >= {start} AND sh.at < {end} AND pl.promoter_id = {me}"
        ),
    )
    .await?;
    let mut n = MyNumbers {
        month: month.key(),
        clicks: clicks.try_get("n")?,
        unique_visitors: clicks.try_get::<Option<i64>, _>("u")?.unwrap_or(0),
        shares,
        leads: 0,
        leads_pending: 0,
        leads_valid: 0,
        leads_duplicate: 0,
        leads_invalid: 0,
        deals: 0,
        deal_amount_fen: 0,
        pending_fen: 0,
        vested_fen: 0,
        paid_fen: 0,
        rank: ranked(pool, org, month).await?.into_iter().find(|(_, f)| f.promoter_id == me).map(|(rank, _)| rank),
        leads_from_shares: scalar(
            pool,
            &format!(
                "SELECT COUNT(*) FROM leads WHERE promoter_id = {me} AND link_id IS NOT NULL \
                 AND submitted_at >= {start} AND submitted_at < {end}"
            ),
        )
        .await?,
        department_targets: match sqlx::query_scalar::<_, Option<i64>>("SELECT department_id FROM users WHERE id = $1")
            .bind(me)
            .fetch_one(pool)
            .await?
        {
            Some(d) => targets(pool, org, &month.key(), Some(d)).await?,
            None => Vec::new(),
        },
    };
    for r in sqlx::query(&format!(
        "SELECT status, COUNT(*) AS c FROM leads WHERE promoter_id = {me} AND submitted_at >= {start} AND submitted_at < {end} \
         GROUP BY status"
    ))
    .fetch_all(pool)
    .await?
    {
        let c: i64 = r.try_get("c")?;
        n.leads += c;
        match r.set("leads", "status")? {
            LeadStatus::Pending | LeadStatus::Held => n.leads_pending += c,
            LeadStatus::Valid => n.leads_valid += c,
            LeadStatus::Duplicate => n.leads_duplicate += c,
            LeadStatus::Invalid | LeadStatus::Rejected => n.leads_invalid += c,
        }
    }
    let deals = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM deals \
         WHERE promoter_id = $1 AND signed_on >= $2 AND signed_on <= $3",
    )
    .bind(me)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(pool)
    .await?;
    n.deals = deals.try_get("n")?;
    n.deal_amount_fen = deals.try_get::<Option<i64>, _>("amount")?.unwrap_or(0);
    if kind_of(&user.roles).is_some() {
        // One read, no writes: what the ledger holds beyond approved runs (vested or still to
        // vest), and what approved runs pay (vested too, until marked paid) and paid.
        let today = crate::shared::period::local_date(chrono::Utc::now(), state.org.tz).to_string();
        let r = sqlx::query(&format!(
            "SELECT {}, (SELECT CAST(COALESCE(SUM(s.net_fen), 0) AS BIGINT) FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
              WHERE s.promoter_id = $1 AND r.status = 'approved') AS approved, \
             (SELECT CAST(COALESCE(SUM(s.net_fen), 0) AS BIGINT) FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
              WHERE s.promoter_id = $1 AND r.status = 'paid') AS paid \
             FROM reward_ledger l WHERE l.promoter_id = $1 AND l.amount_fen <> l.settled_fen",
            crate::features::rewards::store::ledger::DUE_COLUMNS
        ))
        .bind(me)
        .bind(&today)
        .fetch_one(pool)
        .await?;
        n.pending_fen = r.try_get("pending")?;
        n.vested_fen = r.try_get::<i64, _>("vested")? + r.try_get::<i64, _>("approved")?;
        n.paid_fen = r.try_get("paid")?;
    }
    Ok(n)
}

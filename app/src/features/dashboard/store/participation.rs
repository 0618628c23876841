//! Every active employee's participation in a month: their own shares, valid leads and deals,
//! against their department's targets for the month (valid leads and deals spread over its
//! active people, as the targets' progress counts them).
use super::figures::Slice;
use crate::features::dashboard::model::TargetMetric;
use crate::features::dashboard::participation::{per_employee, score, Participation, ParticipationRow};
use crate::plumbing::db::SetColumn;
use crate::plumbing::errors::AppError;
use crate::plumbing::settings::OrgSettings;
use crate::shared::period::Period;
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// Counts per promoter from one grouped statement (`promoter_id`, `n`) with two bound values.
async fn per_promoter<A, B>(pool: &AnyPool, sql: &str, a: A, b: B) -> Result<BTreeMap<i64, i64>, AppError>
where
    A: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
    B: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
{
    let mut out = BTreeMap::new();
    for r in sqlx::query(sql).bind(a).bind(b).fetch_all(pool).await? {
        out.insert(r.try_get("promoter_id")?, r.try_get("n")?);
    }
    Ok(out)
}

pub async fn month(pool: &AnyPool, org: &OrgSettings, month: Period) -> Result<Vec<ParticipationRow>, AppError> {
    let (from, to) = month.dates();
    let (start, end) = Slice::days(from, to).bounds_ms(org);
    let shares = per_promoter(
        pool,
        "SELECT pl.promoter_id, COUNT(*) AS n FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id \
         WHERE sh.at >= $1 AND sh.at < $2 GROUP BY pl.promoter_id",
        start,
        end,
    )
    .await?;
    let leads = per_promoter(
        pool,
        "SELECT promoter_id, COUNT(*) AS n FROM leads WHERE status = 'valid' AND submitted_at >= $1 AND submitted_at < $2 \
         AND promoter_id IS NOT NULL GROUP BY promoter_id",
        start,
        end,
    )
    .await?;
    let deals = per_promoter(
        pool,
        "SELECT promoter_id, COUNT(*) AS n FROM deals WHERE signed_on >= $1 AND signed_on <= $2 AND promoter_id IS NOT NULL \
         GROUP BY promoter_id",
        from.to_string(),
        to.to_string(),
    )
    .await?;
    let mut targets: BTreeMap<(i64, TargetMetric), i64> = BTreeMap::new();
    for r in sqlx::query("SELECT department_id, metric, target FROM department_targets WHERE month = $1")
        .bind(month.key())
        .fetch_all(pool)
        .await?
    {
        targets.insert((r.try_get("department_id")?, r.set("department_targets", "metric")?), r.try_get("target")?);
    }
    let mut heads: BTreeMap<i64, i64> = BTreeMap::new();
    for r in sqlx::query("SELECT department_id, COUNT(*) AS n FROM users WHERE active = 1 AND department_id IS NOT NULL GROUP BY department_id")
        .fetch_all(pool)
        .await?
    {
        heads.insert(r.try_get("department_id")?, r.try_get("n")?);
    }
    let people = sqlx::query(
        "SELECT u.id, u.display_name, u.department_id, COALESCE(d.name, '') AS department FROM users u \
         LEFT JOIN departments d ON d.id = u.department_id WHERE u.active = 1 AND u.promoter_kind = 'employee' ORDER BY u.id",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(people.len());
    for p in &people {
        let id: i64 = p.try_get("id")?;
        let dept: Option<i64> = p.try_get("department_id")?;
        let target = |m: TargetMetric| dept.and_then(|d| targets.get(&(d, m)).copied());
        let people_in = dept.and_then(|d| heads.get(&d).copied()).unwrap_or(1);
        let figures = Participation {
            shares: shares.get(&id).copied().unwrap_or(0),
            valid_leads: leads.get(&id).copied().unwrap_or(0),
            deals: deals.get(&id).copied().unwrap_or(0),
            shares_target: target(TargetMetric::SharesPerEmployee).filter(|t| *t > 0).map(Decimal::from),
            leads_target: per_employee(target(TargetMetric::ValidLeads), people_in),
            deals_target: per_employee(target(TargetMetric::Deals), people_in),
        };
        out.push(ParticipationRow {
            user_id: id,
            name: p.try_get("display_name")?,
            department: p.try_get("department")?,
            score: score(&figures),
            figures,
        });
    }
    Ok(out)
}

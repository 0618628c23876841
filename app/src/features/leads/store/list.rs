//! Leads as marketing and promoters list them.
use crate::features::leads::model::{LeadRow, MyLeadRow};
use crate::plumbing::db::{JsonColumn, SetColumn};
use crate::plumbing::errors::AppError;
use crate::plumbing::settings::OrgSettings;
use crate::shared::period::local_time;
use crate::shared::phone;
use sqlx::{AnyPool, Row};

/// Columns `lead_row` reads, from `LEAD_ROW_FROM` (u: the promoter, a: the assigned rep).
pub const LEAD_ROW_COLUMNS: &str = "l.id, l.submitted_at, c.name AS campaign_name, l.name, l.phone, l.demand_tags, \
     u.display_name AS promoter_name, l.status, l.assigned_to, a.display_name AS assigned_name";
pub const LEAD_ROW_FROM: &str = "FROM leads l JOIN campaigns c ON c.id = l.campaign_id \
     LEFT JOIN users u ON u.id = l.promoter_id LEFT JOIN users a ON a.id = l.assigned_to";

/// A lead as marketing sees it (full phone number, org-local time).
pub fn lead_row(org: &OrgSettings, r: &sqlx::any::AnyRow) -> Result<LeadRow, sqlx::Error> {
    Ok(LeadRow {
        id: r.try_get("id")?,
        submitted_at: local_time(r.try_get("submitted_at")?, org.tz),
        campaign_name: r.try_get("campaign_name")?,
        name: r.try_get("name")?,
        phone: phone::Phone::from_e164(r.try_get::<String, _>("phone")?).national().to_string(),
        demand_tags: r.json("leads", "demand_tags")?,
        promoter_name: r.try_get("promoter_name")?,
        status: r.set("leads", "status")?,
        assigned_to: r.try_get("assigned_to")?,
        assigned_name: r.try_get("assigned_name")?,
    })
}

/// The newest leads, for marketing.
pub async fn list_recent(pool: &AnyPool, org: &OrgSettings, limit: i64) -> Result<Vec<LeadRow>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {LEAD_ROW_COLUMNS} {LEAD_ROW_FROM} ORDER BY l.submitted_at DESC, l.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(|r| lead_row(org, r)).collect::<Result<_, _>>()?)
}

/// A promoter's own leads: masked phones, never anyone else's.
pub async fn for_promoter(pool: &AnyPool, org: &OrgSettings, promoter_id: i64) -> Result<Vec<MyLeadRow>, AppError> {
    let rows = sqlx::query(
        "SELECT l.submitted_at, l.name, l.phone, l.status, l.stage, c.name AS campaign_name FROM leads l \
         JOIN campaigns c ON c.id = l.campaign_id WHERE l.promoter_id = $1 ORDER BY l.submitted_at DESC, l.id DESC LIMIT 200",
    )
    .bind(promoter_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MyLeadRow {
                submitted_at: local_time(r.try_get("submitted_at")?, org.tz),
                campaign_name: r.try_get("campaign_name")?,
                name: r.try_get("name")?,
                phone_masked: phone::Phone::from_e164(r.try_get::<String, _>("phone")?).masked(),
                status: r.set("leads", "status")?,
                stage: r.set_opt("leads", "stage")?,
            })
        })
        .collect()
}

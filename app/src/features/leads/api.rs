//! Leads' part of the JSON API: a CRM pulls leads page by page, oldest change first, with
//! filters; full phone numbers only with `leads:read_pii`.
use super::model::{Field, LeadStatus, Stage};
use crate::features::promotion::Channel;
use crate::plumbing::api::{answer, ApiQuery, ApiResult};
use crate::plumbing::api_keys::{require_key, ApiScope};
use crate::plumbing::db::{JsonColumn, SetColumn};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::AppState;
use crate::shared::phone::Phone;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub const MAX_PAGE: i64 = 500;
const DEFAULT_PAGE: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadsQuery {
    /// Only leads in this status.
    pub status: Option<LeadStatus>,
    /// Only leads of this campaign.
    pub campaign_id: Option<i64>,
    /// Only leads changed at or after this instant (RFC 3339, e.g. `2026-12-01T00:00:00+08:00`).
    pub updated_since: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Leads per page, 1–500 (100 by default).
    pub limit: Option<i64>,
}

/// A lead as an integration sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiLead {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub name: String,
    /// E.164 (`+8613812345678`) with `leads:read_pii`; masked (`138****5678`) otherwise.
    pub phone: String,
    pub status: LeadStatus,
    pub stage: Option<Stage>,
    pub channel: Option<Channel>,
    pub demand_tags: Vec<String>,
    pub promoter_id: Option<i64>,
    pub assigned_to: Option<i64>,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub submitted_at: String,
    /// When its status, stage or assignment last changed (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A page of leads, oldest change first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadsPage {
    pub leads: Vec<ApiLead>,
    /// Pass as `cursor` for the next page, and keep the last one: asked again later, it gives
    /// what changed since. Absent only when nothing was found and no cursor was given.
    pub next_cursor: Option<String>,
    /// Whether more leads follow at once.
    pub has_more: bool,
}

fn instant(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Where a page starts: after (updated_at, id).
fn start(q: &LeadsQuery) -> Result<(i64, i64), AppError> {
    if let Some(cursor) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        let parsed = cursor.split_once('.').and_then(|(u, id)| Some((u.parse().ok()?, id.parse().ok()?)));
        return parsed.ok_or_else(|| AppError::invalid(Field::Cursor, Problem::UnknownChoice));
    }
    match q.updated_since.as_deref().filter(|s| !s.is_empty()) {
        None => Ok((i64::MIN, i64::MAX)),
        Some(s) => {
            let since =
                DateTime::parse_from_rfc3339(s).map_err(|_| AppError::invalid(Field::UpdatedSince, Problem::Date))?;
            Ok((since.timestamp_millis().saturating_sub(1), i64::MAX))
        }
    }
}

/// Pull leads
///
/// Leads in the order they last changed, a page at a time: follow `next_cursor` until it is
/// absent, keep the last cursor, and ask again later for what changed since. Phone numbers are
/// masked unless the key has `leads:read_pii`.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(LeadsQuery),
    responses((status = 200, description = "A page of leads", body = LeadsPage)),
    security(("api_key" = ["leads:read"])))]
async fn pull_leads(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<LeadsQuery>,
) -> ApiResult<LeadsPage> {
    let key = require_key(&state, &headers, &[ApiScope::LeadsRead]).await?;
    let pii = key.scopes.contains(&ApiScope::LeadsReadPii);
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid(Field::Limit, Problem::OutOfRange { min: 1, max: MAX_PAGE }));
    }
    let (after, after_id) = start(&q)?;
    let mut filters = String::new();
    if q.status.is_some() {
        filters.push_str(" AND l.status = $4");
    }
    if q.campaign_id.is_some() {
        filters.push_str(if q.status.is_some() { " AND l.campaign_id = $5" } else { " AND l.campaign_id = $4" });
    }
    // When a lead last changed: `updated_at`, or while it is 0 (never changed) `submitted_at`.
    // Each from its own index, then merged.
    let branch = |changed: &str, which: &str| {
        format!(
            "SELECT * FROM (SELECT l.id, l.campaign_id, l.name, l.phone, l.status, l.stage, l.channel, l.demand_tags, \
             l.promoter_id, l.assigned_to, l.submitted_at, {changed} AS changed_at FROM leads l \
             WHERE {which} AND ({changed} > $1 OR ({changed} = $1 AND l.id > $2)){filters} ORDER BY {changed}, l.id LIMIT $3) b"
        )
    };
    let sql = format!(
        "SELECT x.*, c.name AS campaign_name FROM ({} UNION ALL {}) x JOIN campaigns c ON c.id = x.campaign_id \
         ORDER BY x.changed_at, x.id LIMIT $3",
        branch("l.submitted_at", "l.updated_at = 0"),
        branch("l.updated_at", "l.updated_at > 0"),
    );
    let mut query = sqlx::query(&sql).bind(after).bind(after_id).bind(limit + 1);
    if let Some(status) = q.status {
        query = query.bind(status.as_str());
    }
    if let Some(campaign) = q.campaign_id {
        query = query.bind(campaign);
    }
    let rows = query.fetch_all(&state.db.pool).await?;
    let more = rows.len() as i64 > limit;
    let mut leads = Vec::new();
    let mut last = None;
    for r in rows.iter().take(limit as usize) {
        let phone = Phone::from_e164(r.try_get::<String, _>("phone")?);
        let updated: i64 = r.try_get("changed_at")?;
        let id: i64 = r.try_get("id")?;
        last = Some(format!("{updated}.{id}"));
        leads.push(ApiLead {
            id,
            campaign_id: r.try_get("campaign_id")?,
            campaign_name: r.try_get("campaign_name")?,
            name: r.try_get("name")?,
            phone: if pii { phone.as_e164().to_string() } else { phone.masked() },
            status: r.set("leads", "status")?,
            stage: r.set_opt("leads", "stage")?,
            channel: r.set_opt("leads", "channel")?,
            demand_tags: r.json("leads", "demand_tags")?,
            promoter_id: r.try_get("promoter_id")?,
            assigned_to: r.try_get("assigned_to")?,
            submitted_at: instant(r.try_get("submitted_at")?),
            updated_at: instant(updated),
        });
    }
    answer(LeadsPage { leads, next_cursor: last.or(q.cursor.filter(|c| !c.is_empty())), has_more: more })
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(pull_leads))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(cursor: Option<&str>, since: Option<&str>) -> LeadsQuery {
        LeadsQuery {
            status: None,
            campaign_id: None,
            updated_since: since.map(Into::into),
            cursor: cursor.map(Into::into),
            limit: None,
        }
    }

    #[test]
    fn a_page_starts_after_its_cursor_or_at_the_instant_asked() {
        assert_eq!(start(&q(Some("1700000000000.42"), Some("2026-01-01T00:00:00Z"))).unwrap(), (1_700_000_000_000, 42));
        assert_eq!(start(&q(None, Some("2026-12-01T00:00:00+08:00"))).unwrap(), (1_796_054_399_999, i64::MAX));
        assert_eq!(start(&q(None, None)).unwrap(), (i64::MIN, i64::MAX));
        assert!(start(&q(Some("x.1"), None)).unwrap_err().field_errors()[0].is(Field::Cursor));
        assert!(start(&q(None, Some("yesterday"))).unwrap_err().field_errors()[0].is(Field::UpdatedSince));
    }
}

//! The dashboard's part of the JSON API: figures per campaign, link or promoter for a period.
use super::model::{DashboardQuery, Field, Range};
use super::store::figures::Slice;
use crate::plumbing::api::{answer, ApiQuery, ApiResult};
use crate::plumbing::api_keys::{require_key, ApiScope};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::AppState;
use crate::shared::closed_set::Sent;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

crate::closed_set! {
    /// What figures are given per.
    pub enum FiguresBy("figures by") {
        Campaign = "campaign",
        Link = "link",
        Promoter = "promoter",
    }
}

const MAX_ROWS: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// The first day, `YYYY-MM-DD` (organization-local).
    #[param(format = Date)]
    pub from: String,
    /// The last day, included (at most 366 days after `from`).
    #[param(format = Date)]
    pub to: String,
    pub by: FiguresBy,
    /// Only this campaign.
    pub campaign_id: Option<i64>,
    /// Rows, 1–1000 (100 by default), the largest deal amount first.
    pub limit: Option<i64>,
}

/// One campaign's, link's or promoter's figures over the period. Clicks leave out bots;
/// leads count by the day they arrived, deals by the day they were signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FigureRow {
    /// The campaign's, link's or promoter's id.
    pub id: i64,
    pub name: String,
    pub clicks: i64,
    pub leads: i64,
    pub valid_leads: i64,
    pub deals: i64,
    pub deal_amount_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FiguresPage {
    pub from: String,
    pub to: String,
    pub by: FiguresBy,
    pub currency: crate::features::deals::api::Currency,
    pub rows: Vec<FigureRow>,
}

/// (key column of clicks, of leads, of deals; the join deals need; names)
fn columns(by: FiguresBy) -> (&'static str, &'static str, &'static str, &'static str, &'static str) {
    match by {
        FiguresBy::Campaign => ("pl.campaign_id", "l.campaign_id", "d.campaign_id", "", "SELECT id, name FROM campaigns WHERE id IN"),
        FiguresBy::Promoter => ("pl.promoter_id", "l.promoter_id", "d.promoter_id", "", "SELECT id, display_name AS name FROM users WHERE id IN"),
        FiguresBy::Link => (
            "c.link_id",
            "l.link_id",
            "dl.link_id",
            "JOIN leads dl ON dl.id = d.lead_id",
            "SELECT pl.id, u.display_name || ' · ' || pl.code AS name FROM promo_links pl JOIN users u ON u.id = pl.promoter_id WHERE pl.id IN",
        ),
    }
}

async fn rows(state: &AppState, s: &Slice, by: FiguresBy, limit: i64) -> Result<Vec<FigureRow>, AppError> {
    let pool = &state.db.pool;
    let (start, end) = s.bounds_ms(&state.org);
    let (clicks_key, leads_key, deals_key, deals_join, names) = columns(by);
    let campaign = |col: &str| s.campaign_id.map(|id| format!(" AND {col} = {id}")).unwrap_or_default();
    let mut out: BTreeMap<i64, FigureRow> = BTreeMap::new();
    let clicks = format!(
        "SELECT {clicks_key} AS k, COUNT(*) AS n FROM clicks c JOIN promo_links pl ON pl.id = c.link_id \
         WHERE c.ua_class <> 'bot' AND c.at >= $1 AND c.at < $2{} GROUP BY {clicks_key}",
        campaign("pl.campaign_id")
    );
    for r in sqlx::query(&clicks).bind(start).bind(end).fetch_all(pool).await? {
        let id: i64 = r.try_get("k")?;
        out.entry(id).or_insert_with(|| FigureRow { id, ..Default::default() }).clicks = r.try_get("n")?;
    }
    let leads = format!(
        "SELECT {leads_key} AS k, COUNT(*) AS n, CAST(SUM(CASE WHEN l.status = 'valid' THEN 1 ELSE 0 END) AS BIGINT) AS v \
         FROM leads l WHERE l.submitted_at >= $1 AND l.submitted_at < $2 AND {leads_key} IS NOT NULL{} GROUP BY {leads_key}",
        campaign("l.campaign_id")
    );
    for r in sqlx::query(&leads).bind(start).bind(end).fetch_all(pool).await? {
        let id: i64 = r.try_get("k")?;
        let row = out.entry(id).or_insert_with(|| FigureRow { id, ..Default::default() });
        row.leads = r.try_get("n")?;
        row.valid_leads = r.try_get("v")?;
    }
    let deals = format!(
        "SELECT {deals_key} AS k, COUNT(*) AS n, CAST(SUM(d.amount_fen) AS BIGINT) AS a FROM deals d {deals_join} \
         WHERE d.signed_on >= $1 AND d.signed_on <= $2 AND {deals_key} IS NOT NULL{} GROUP BY {deals_key}",
        campaign("d.campaign_id")
    );
    for r in sqlx::query(&deals).bind(s.from.to_string()).bind(s.to.to_string()).fetch_all(pool).await? {
        let id: i64 = r.try_get("k")?;
        let row = out.entry(id).or_insert_with(|| FigureRow { id, ..Default::default() });
        row.deals = r.try_get("n")?;
        row.deal_amount_fen = r.try_get("a")?;
    }
    let mut rows: Vec<FigureRow> = out.into_values().collect();
    rows.sort_by(|a, b| {
        (b.deal_amount_fen, b.leads, b.clicks, a.id).cmp(&(a.deal_amount_fen, a.leads, a.clicks, b.id))
    });
    rows.truncate(limit as usize);
    if !rows.is_empty() {
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        let named: BTreeMap<i64, String> = sqlx::query(&format!("{names} ({})", ids.join(",")))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        for row in &mut rows {
            row.name = named.get(&row.id).cloned().unwrap_or_default();
        }
    }
    Ok(rows)
}

/// Read figures
///
/// Clicks, leads, valid leads, deals and deal amount per campaign, link or promoter over a
/// period of at most 366 days.
#[utoipa::path(get, path = "/api/v1/figures", tag = "figures", params(FiguresQuery),
    responses((status = 200, description = "The figures, the largest deal amount first", body = FiguresPage)),
    security(("api_key" = ["stats:read"])))]
async fn read_figures(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<FiguresPage> {
    require_key(&state, &headers, &[ApiScope::StatsRead]).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_ROWS).contains(&limit) {
        return Err(AppError::invalid(Field::Limit, Problem::OutOfRange { min: 1, max: MAX_ROWS }));
    }
    let query = DashboardQuery {
        range: Some(Sent::Known(Range::Custom)),
        from: q.from,
        to: q.to,
        campaign_id: q.campaign_id,
        ..Default::default()
    };
    let slice = Slice::parse(&query, &state.org)?;
    answer(FiguresPage {
        from: slice.from.to_string(),
        to: slice.to.to_string(),
        by: q.by,
        currency: crate::features::deals::api::Currency::Cny,
        rows: rows(&state, &slice, q.by, limit).await?,
    })
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read_figures))
}

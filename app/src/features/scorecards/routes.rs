//! The scorecards' plain route: a period's scorecards as CSV for HR and payroll.
use crate::plumbing::access::{Access, Role};
use crate::plumbing::auth::require_in;
use crate::plumbing::errors::AppError;
use crate::plumbing::http::csv_download;
use crate::plumbing::sheet::Sheet;
use crate::plumbing::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/scorecards/export.csv", get(export))
}

#[derive(Deserialize)]
struct ExportQuery {
    period: String,
}

/// `GET /scorecards/export.csv?period=2026-11`: the members the viewer sees (their reports, or
/// everyone for the committee and admin).
async fn export(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let user = require_in(&state, &headers, Access::Staff).await?;
    let rows = super::store::team::csv(&state, user.id, user.has_any(&[Role::Admin]), &q.period).await?;
    let mut rows = rows.into_iter();
    let mut sheet = Sheet::new(rows.next().unwrap_or_default())?;
    for r in rows {
        sheet.row(r)?;
    }
    Ok(csv_download(&format!("allhands-scorecards-{}.csv", q.period.trim()), sheet.finish()?))
}

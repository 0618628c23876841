//! Administration's plain routes: the audit log as a CSV download.
use super::model::AuditQuery;
use crate::plumbing::access::Access;
use crate::plumbing::auth::require_in;
use crate::plumbing::errors::AppError;
use crate::plumbing::http::csv_download;
use crate::plumbing::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit.csv", get(audit_csv))
}

/// `GET /admin/audit.csv?action=&subject=&from=&until=`: the entries on screen, up to 10,000.
async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    require_in(&state, &headers, Access::Admin).await?;
    let rows = super::store::audit_log::read(&state.db.pool, &state.org, &query, 10_000).await?;
    Ok(csv_download("allhands-audit-log.csv", super::store::audit_log::csv(&rows)?))
}

//! Settlement's plain routes: the payout files finance downloads.
use super::model::PayoutLayout;
use crate::plumbing::access::Access;
use crate::plumbing::audit::Actor;
use crate::plumbing::auth::require_in;
use crate::plumbing::errors::AppError;
use crate::plumbing::http::csv_download;
use crate::plumbing::state::AppState;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settlement/{id}/{file}", get(payout_file))
}

/// `GET /settlement/{id}/{bank|wallet|payroll}.csv`: an approved run's payout file, for finance.
async fn payout_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
    request: Request,
) -> Result<Response, AppError> {
    let user = require_in(&state, request.headers(), Access::Finance).await?;
    let layout = file.strip_suffix(".csv").and_then(PayoutLayout::parse).ok_or(AppError::NotFound)?;
    let csv = super::store::payout::export(&state.db.pool, id, layout).await?;
    let actor = Actor::person(user.id, &state.org.secret, request.extensions());
    super::store::payout::record_export(&state, &actor, id, layout).await?;
    Ok(csv_download(&format!("allhands-run-{id}-{layout}.csv"), csv))
}

//! Deals' plain routes: order systems push deals as JSON.
use super::model::{DealInput, DealSource, ImportReport};
use crate::plumbing::access::Access;
use crate::plumbing::audit::Actor;
use crate::plumbing::auth::require_in;
use crate::plumbing::errors::AppError;
use crate::plumbing::state::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::routing::post;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/deals", post(api_deals))
}

/// `POST /api/v1/deals`: order systems push deals (a JSON array of deal rows, the CSV's
/// columns); the same order number twice changes nothing. Sales, finance or admin session.
async fn api_deals(
    State(state): State<AppState>,
    parts: Parts,
    Json(deals): Json<Vec<DealInput>>,
) -> Result<Json<ImportReport>, AppError> {
    let user = require_in(&state, &parts.headers, Access::Payments).await?;
    let actor = Actor::person(user.id, &state.org.secret, &parts.extensions);
    let recorder = super::store::deals::Recorder::of(&actor, &user);
    let inputs = deals.into_iter().enumerate().map(|(i, d)| (i as i64 + 1, d)).collect();
    let empty = ImportReport { created: 0, unchanged: 0, payments: 0, errors: Vec::new() };
    Ok(Json(super::store::import::import(&state, &recorder, inputs, DealSource::Api, empty).await?))
}

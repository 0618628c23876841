//! Deals' plain routes: order systems push deals as JSON, with an API key.
use super::model::{DealInput, DealSource, ImportReport};
use crate::plumbing::api_keys::{require_key, ApiScope};
use crate::plumbing::audit::Actor;
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
/// columns); the same order number twice changes nothing. An API key with `deals:write`, and
/// `payments:write` when a row carries a payment; the changes are recorded as made by the
/// key's creator.
async fn api_deals(
    State(state): State<AppState>,
    parts: Parts,
    Json(deals): Json<Vec<DealInput>>,
) -> Result<Json<ImportReport>, AppError> {
    let mut needs = vec![ApiScope::DealsWrite];
    if deals.iter().any(|d| !d.paid_amount.trim().is_empty()) {
        needs.push(ApiScope::PaymentsWrite);
    }
    let key = require_key(&state, &parts.headers, &needs).await?;
    let actor = Actor::person(key.created_by, &state.org.secret, &parts.extensions);
    let recorder = super::store::deals::Recorder::trusted(&actor);
    let inputs = deals.into_iter().enumerate().map(|(i, d)| (i as i64 + 1, d)).collect();
    let empty = ImportReport { created: 0, unchanged: 0, payments: 0, errors: Vec::new() };
    Ok(Json(super::store::import::import(&state, &recorder, inputs, DealSource::Api, empty).await?))
}

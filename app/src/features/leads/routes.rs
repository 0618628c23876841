//! Leads' plain routes: the referral form's post, which works without JavaScript.
use super::store::intake::{self, LeadForm, Origin};
use crate::features::promotion::store::clicks::{CHANNEL_COOKIE, REF_COOKIE, VISITOR_COOKIE};
use crate::features::promotion::Channel;
use crate::plumbing::auth::keyed_hash;
use crate::plumbing::edge::Client;
use crate::plumbing::errors::AppError;
use crate::plumbing::http::{cookie, see_other};
use crate::plumbing::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/c/{slug}/lead", post(lead_form))
}

/// `POST /c/{slug}/lead`: the referral form. Success → the thank-you page; refused input →
/// back to the form with everything typed and every problem named; nothing is stored then.
async fn lead_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    client: Client,
    headers: HeaderMap,
    axum_extra::extract::Form(form): axum_extra::extract::Form<LeadForm>,
) -> Result<Response, AppError> {
    let origin = Origin {
        visitor: cookie(&headers, VISITOR_COOKIE),
        // The last click's channel, if that click was on the link this lead names.
        channel: (form.ref_code.is_some() && cookie(&headers, REF_COOKIE) == form.ref_code)
            .then(|| cookie(&headers, CHANNEL_COOKIE).as_deref().and_then(Channel::parse))
            .flatten(),
        ip_hash: keyed_hash(&state.org.secret, &client.ip.to_string()),
    };
    let ref_query = form.ref_code.clone().filter(|r| !r.is_empty()).map(|r| format!("?ref={r}")).unwrap_or_default();
    match intake::submit(&state, &slug, &form, origin).await {
        Ok(s) => {
            tracing::info!(lead_id = s.lead_id, status = s.status.as_str(), campaign = %slug, "lead submitted");
            Ok(see_other(&format!("/c/{slug}/thanks"), &[]))
        }
        Err(AppError::Invalid(errors)) => {
            let cookie = intake::draft_cookie(&slug, form.into_draft(errors));
            Ok(see_other(&format!("/c/{slug}{ref_query}"), &[cookie]))
        }
        Err(AppError::NotFound) => Ok(see_other(&format!("/c/{slug}"), &[])),
        Err(e) => Err(e),
    }
}

//! Campaigns' plain routes: uploaded images and the two upload forms (work without
//! JavaScript).
use super::model::Field;
use crate::plumbing::access::Access;
use crate::plumbing::auth::require_in;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::http::see_other;
use crate::plumbing::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    // Uploads: the image limit plus room for the multipart framing.
    let upload_limit = DefaultBodyLimit::max(super::media::MAX_BYTES + 64 * 1024);
    Router::new()
        .route("/media/{key}", get(media))
        .route("/campaigns/{id}/artwork", post(campaign_artwork).layer(upload_limit))
        .route("/content/{id}/image", post(content_image).layer(upload_limit))
}

/// `GET /media/{key}`: an uploaded image. Keys are content hashes, so it never changes.
async fn media(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, AppError> {
    let (content_type, bytes) = super::store::media::load(&state.db.pool, &key).await?.ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// Reads the `file` field of a multipart upload by someone `access` allows and stores it;
/// returns who uploaded it and the image's key. Promoters' story photos come through here too.
pub async fn upload_image(
    state: &AppState,
    headers: &HeaderMap,
    mut form: Multipart,
    access: Access,
) -> Result<(i64, String), AppError> {
    let user = require_in(state, headers, access).await?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let too_large = Problem::FileTooLarge { max_kb: (super::media::MAX_BYTES / 1024) as i64 };
            let bytes = field.bytes().await.map_err(|_| AppError::invalid(Field::Image, too_large))?;
            return Ok((user.id, super::store::media::store(&state.db, user.id, &bytes).await?));
        }
    }
    Err(AppError::invalid(Field::Image, crate::shared::text::TextError::Required))
}

/// An upload by marketing.
async fn upload(state: &AppState, headers: &HeaderMap, form: Multipart) -> Result<String, AppError> {
    Ok(upload_image(state, headers, form, Access::Marketing).await?.1)
}

/// `POST /campaigns/{id}/artwork` (multipart): the poster artwork.
async fn campaign_artwork(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, AppError> {
    let key = upload(&state, &headers, form).await?;
    super::store::campaigns::set_artwork(&state.db, id, &key).await?;
    super::part(&state)?.campaign_changed();
    Ok(see_other("/campaigns", &[]))
}

/// `POST /content/{id}/image` (multipart): a content item's picture.
async fn content_image(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, AppError> {
    let key = upload(&state, &headers, form).await?;
    super::store::content::set_image(&state.db, id, &key).await?;
    Ok(see_other("/content", &[]))
}

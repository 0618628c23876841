//! `Idempotency-Key` on the JSON API's POSTs: the first request under a key is run and its
//! answer kept for 24 hours; the same request again gets that answer without being run, another
//! request under the same key gets 409, and one that arrives while the first is still running
//! gets 409 too (retry shortly). Keys belong to the API key that sent them.
use super::auth::token_hash;
use super::errors::{AppError, FieldError, FormField, Label, Problem};
use super::i18n::C;
use super::state::{now_ms, AppState};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const HEADER: &str = "idempotency-key";
/// How long a key's answer is kept.
const KEEP_MS: i64 = 24 * 3600 * 1000;
/// The largest body or answer kept (a batch of deals).
const MAX_BYTES: usize = 8 * 1024 * 1024;
/// A first request still unanswered after this long was cut off (longer than any request runs).
const ABANDONED_MS: i64 = 120_000;

#[derive(Clone, Copy)]
struct KeyField;

impl FormField for KeyField {
    fn name(self) -> &'static str {
        "Idempotency-Key"
    }
    fn label(self) -> Label {
        Label::of(C::IdempotencyKeyLabel)
    }
}

/// Whether an answer is kept for the key: what the same request would be answered again.
/// Refusals that depend on the moment (no key yet, over the limit, busy) are not.
fn kept(status: StatusCode) -> bool {
    status.is_success() || matches!(status.as_u16(), 400 | 404 | 409 | 422)
}

enum Claim {
    Run,
    Replay(StatusCode, Option<String>, String),
}

async fn claim(state: &AppState, owner: &str, key: &str, fingerprint: &str) -> Result<Claim, AppError> {
    let now = now_ms();
    let (_turn, mut tx) = state.db.begin_write().await?;
    // Keys older than a day are forgotten (the first use after that starts afresh).
    sqlx::query("DELETE FROM api_idempotency WHERE owner = $1 AND idem_key = $2 AND created_at < $3")
        .bind(owner)
        .bind(key)
        .bind(now - KEEP_MS)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO api_idempotency (owner, idem_key, fingerprint, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (owner, idem_key) DO NOTHING",
    )
    .bind(owner)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let claim = if inserted == 1 {
        Claim::Run
    } else {
        let row = sqlx::query(
            "SELECT fingerprint, status, content_type, body, created_at FROM api_idempotency WHERE owner = $1 AND idem_key = $2",
        )
        .bind(owner)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        if row.try_get::<String, _>("fingerprint")? != fingerprint {
            return Err(AppError::Conflict(vec![FieldError::new(
                KeyField,
                Problem::said(C::ProblemIdempotencyReused),
            )]));
        }
        match row.try_get::<Option<i64>, _>("status")? {
            // The first never finished (its instance stopped): this one runs instead.
            None if row.try_get::<i64, _>("created_at")? < now - ABANDONED_MS => {
                sqlx::query("UPDATE api_idempotency SET created_at = $1 WHERE owner = $2 AND idem_key = $3")
                    .bind(now)
                    .bind(owner)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                Claim::Run
            }
            None => {
                return Err(AppError::Conflict(vec![FieldError::new(
                    KeyField,
                    Problem::said(C::ProblemIdempotencyInFlight),
                )]))
            }
            Some(status) => Claim::Replay(
                StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK),
                row.try_get("content_type")?,
                row.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
            ),
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// Forgets keys older than a day (hourly, from the server's jobs).
pub async fn forget_expired(state: &AppState) -> Result<u64, AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    let n = sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
        .bind(now_ms() - KEEP_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Keeps the answer (or forgets the key, so that the request can be made again).
async fn settle(
    state: &AppState,
    owner: &str,
    key: &str,
    answer: Option<(StatusCode, Option<&str>, &str)>,
) -> Result<(), AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    match answer {
        Some((status, content_type, body)) => {
            sqlx::query("UPDATE api_idempotency SET status = $1, content_type = $2, body = $3 WHERE owner = $4 AND idem_key = $5")
                .bind(i64::from(status.as_u16()))
                .bind(content_type)
                .bind(body)
                .bind(owner)
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        None => {
            sqlx::query("DELETE FROM api_idempotency WHERE owner = $1 AND idem_key = $2")
                .bind(owner)
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The middleware, on the API's routes.
pub async fn idempotent(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get(HEADER).cloned() else { return next.run(req).await };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    // Without a key the handler answers 401; nothing to keep.
    let Some(owner) = super::http::bearer(req.headers()).map(token_hash) else { return next.run(req).await };
    let key = match key.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= 255) {
        Some(k) => k.to_string(),
        None => {
            return AppError::invalid(KeyField, crate::shared::text::TextError::TooLong { max: 255 }).into_response()
        }
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BYTES).await else {
        return AppError::BadRequest("the body is too large".into()).into_response();
    };
    let mut hash = Sha256::new();
    hash.update(parts.uri.path().as_bytes());
    hash.update([0]);
    hash.update(parts.uri.query().unwrap_or("").as_bytes());
    hash.update([0]);
    hash.update(&bytes);
    let fingerprint = hex::encode(hash.finalize());
    match claim(&state, &owner, &key, &fingerprint).await {
        Err(e) => e.into_response(),
        Ok(Claim::Replay(status, content_type, body)) => {
            let mut res = (status, body).into_response();
            if let Some(v) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                res.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            res
        }
        Ok(Claim::Run) => {
            let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (parts, body) = res.into_parts();
            let bytes = to_bytes(body, MAX_BYTES).await.unwrap_or_default();
            let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let text = String::from_utf8_lossy(&bytes);
            let answer = kept(parts.status).then_some((parts.status, content_type, text.as_ref()));
            if let Err(e) = settle(&state, &owner, &key, answer).await {
                // The answer was made; only its keeping failed: the key may run it again.
                tracing::error!(error = %e, "idempotency key not settled");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

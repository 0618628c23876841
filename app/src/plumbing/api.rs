//! The JSON API's plumbing (`/api/v1`): a body and a query that answer problem details when
//! they cannot be read, the OpenAPI document's shared parts (the key's security scheme,
//! problem details on every operation, `Idempotency-Key` on every POST) and the document's
//! routes: `/api/v1/openapi.json` and a reference page made from it by this binary (no CDN).
//! Each feature declares its own operations (`#[utoipa::path]`, in its `api.rs`).
use super::errors::AppError;
use super::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, Required, ResponseBuilder, Type};
use utoipa::ToSchema;

/// A JSON body; one that does not read is a 400 problem saying why.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// A query string; one that does not read is a 400 problem saying why.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// RFC 9457 problem details, as every error of the API is answered (the document's view of
/// [`AppError`]'s wire form).
#[derive(ToSchema)]
#[schema(as = Problem)]
#[allow(dead_code)]
pub struct ProblemDoc {
    /// `urn:allhands:problem:{code}`: invalid, conflict, unauthenticated, forbidden, not-found,
    /// too-fast, bad-request, …
    #[schema(rename = "type")]
    kind: String,
    title: String,
    status: i64,
    /// In English.
    detail: String,
    /// What is wrong, field by field (invalid and conflict).
    errors: Option<Vec<FieldErrorDoc>>,
    retry_after_s: Option<i64>,
}

/// One field's problem: its name, its label in both languages and the message in English.
#[derive(ToSchema)]
#[schema(as = FieldError)]
#[allow(dead_code)]
pub struct FieldErrorDoc {
    field: String,
    label: LabelDoc,
    /// What is wrong, as a code (with its parameters).
    problem: Value,
    detail: String,
}

#[derive(ToSchema)]
#[schema(as = Label)]
#[allow(dead_code)]
pub struct LabelDoc {
    #[schema(rename = "zh-CN")]
    zh: String,
    en: String,
}

/// The statuses every operation may answer with problem details.
const ERRORS: [(&str, &str); 6] = [
    ("400", "The request could not be read (malformed JSON, a wrong type, a bad query)."),
    ("401", "No key, an unknown key or a revoked key."),
    ("403", "The key lacks a scope the operation needs."),
    ("409", "Conflicts with what is recorded, or an Idempotency-Key reused for another request."),
    ("422", "Invalid input: `errors` names each field."),
    ("429", "Over the key's limit per minute: retry after `Retry-After` seconds."),
];

/// The whole document: the features' operations with what every operation shares.
pub fn document(mut doc: OpenApi) -> OpenApi {
    doc.info.title = "Allhands API".into();
    doc.info.version = "1".into();
    doc.info.description = Some(
        "The JSON API for CRMs, order and HR systems. Authenticate with `Authorization: Bearer ak_…` \
         (a key admin makes on the settings page, with scopes). Money is integer fen (CNY); ids are \
         64-bit integers; dates are `YYYY-MM-DD` in the organization's time zone. Errors are RFC 9457 \
         problem details. A POST with `Idempotency-Key` answers the same again for the same body, \
         and 409 for another body under the same key (kept 24 hours)."
            .into(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "api_key",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    let mut schemas = Vec::new();
    <ProblemDoc as ToSchema>::schemas(&mut schemas);
    schemas.push((ProblemDoc::name().into(), <ProblemDoc as utoipa::PartialSchema>::schema()));
    components.schemas.extend(schemas);
    for item in doc.paths.paths.values_mut() {
        for (op, post) in [(&mut item.get, false), (&mut item.post, true)] {
            if let Some(op) = op {
                shared(op, post);
            }
        }
    }
    doc
}

fn shared(op: &mut Operation, post: bool) {
    for (status, description) in ERRORS {
        op.responses.responses.entry(status.into()).or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                )
                .into()
        });
    }
    if post {
        let key = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Any unique string up to 255 characters: the same request again answers as the first time.",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255))))
            .build();
        op.parameters.get_or_insert_with(Vec::new).push(key);
    }
}

/// `GET /api/v1/openapi.json` and `GET /api/v1/reference` (the same, for people).
pub fn routes(doc: OpenApi) -> Router<AppState> {
    let json = doc.to_pretty_json().unwrap_or_default();
    let page = super::api_reference::page(&serde_json::from_str(&json).unwrap_or(Value::Null));
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move { (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], json).into_response() }
            }),
        )
        .route(
            "/api/v1/reference",
            get(move || {
                let page = page.clone();
                // Its own policy: its inline style, and nothing else (no script at all).
                let policy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
                async move {
                    let headers = [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, policy)];
                    (StatusCode::OK, headers, page).into_response()
                }
            }),
        )
}

/// What an API handler answers: JSON, or problem details.
pub type ApiResult<T> = Result<axum::Json<T>, AppError>;

/// Turns a handler's value into its JSON answer.
pub fn answer<T>(value: T) -> ApiResult<T> {
    Ok(axum::Json(value))
}

//! Pages, each with the server functions it calls. Every server function authorizes on the
//! server through `ssr::auth::require` and finishes through `ssr::respond`.
pub mod admin;
pub mod campaigns;
pub mod content;
pub mod dashboard;
pub mod deals;
pub mod follow_up;
pub mod home;
pub mod landing;
pub mod layout;
pub mod lead_settings;
pub mod leads;
pub mod login;
pub mod my_promotion;
pub mod not_found;
pub mod poster;
pub mod review;
pub mod rewards;
pub mod settlement;

use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use leptos::prelude::*;

/// A translated error message block.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = (error == AppError::Unauthenticated).then(|| view! { " " <a href="/login">{i18n.t(K::SignIn)}</a> });
    view! { <p class="error" role="alert" data-testid="error">{move || error.message(i18n.locale())} {sign_in}</p> }
}

/// Renders a loaded resource, or its error.
pub fn show_result<T, V>(result: Result<T, AppError>, ok: impl FnOnce(T) -> V) -> AnyView
where
    V: IntoView + 'static,
{
    match result {
        Ok(value) => ok(value).into_any(),
        Err(error) => view! { <ErrorNote error /> }.into_any(),
    }
}

/// JSON for resources, decoded from bytes like server-function responses are: one serde_json
/// reader type, so each response type is compiled into the wasm once instead of twice
/// (`bench/run bundle`).
pub struct Json;

impl<T: serde::Serialize> codee::Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: serde::de::DeserializeOwned> codee::Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// `Resource::new` with the `Json` codec above.
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

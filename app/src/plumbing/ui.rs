//! What every feature's views share: the error note, loaded-resource rendering, checkboxes
//! over a closed set, the JSON
//! codec for resources, and the friendly 404 page.
use super::errors::AppError;
use super::i18n::{use_i18n, C};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// A translated error message block.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = (error == AppError::Unauthenticated).then(|| view! { " " <a href="/login">{i18n.t(C::SignIn)}</a> });
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

/// A set of checkboxes over a closed set's `choices`, with its `legend`: `chosen` holds the
/// ticked ones, in the order ticked; `label` shows each choice.
pub fn checkboxes<T, L, V>(
    legend: impl IntoView,
    choices: &'static [T],
    chosen: RwSignal<Vec<T>>,
    label: L,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
    L: Fn(T) -> V,
    V: IntoView,
{
    view! {
        <fieldset class="tags">
            <legend>{legend}</legend>
            {choices.iter().copied().map(|choice| view! {
                <label class="tag">
                    <input type="checkbox" prop:checked=move || chosen.get().contains(&choice) on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        chosen.update(|c| { c.retain(|x| *x != choice); if on { c.push(choice) } });
                    } />
                    {label(choice)}
                </label>
            }).collect_view()}
        </fieldset>
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

/// The friendly 404 page; an unknown promotion link gets its own words.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let is_link = use_location().pathname.get_untracked().starts_with("/r/");
    let (title, body) =
        if is_link { (C::LinkNotFoundTitle, C::LinkNotFoundBody) } else { (C::NotFoundTitle, C::NotFoundBody) };
    view! {
        <section class="card center" data-testid="not-found">
            <h1>{i18n.t(title)}</h1>
            <p>{i18n.t(body)}</p>
            <a href="/" class="button">{i18n.t(C::BackHome)}</a>
        </section>
    }
}

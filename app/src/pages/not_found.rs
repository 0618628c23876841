use crate::i18n::{use_i18n, K};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
        if is_link { (K::LinkNotFoundTitle, K::LinkNotFoundBody) } else { (K::NotFoundTitle, K::NotFoundBody) };
    view! {
        <section class="card center" data-testid="not-found">
            <h1>{i18n.t(title)}</h1>
            <p>{i18n.t(body)}</p>
            <a href="/" class="button">{i18n.t(K::BackHome)}</a>
        </section>
    }
}

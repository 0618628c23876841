//! Allhands: the Leptos app shared by the server (SSR) and the browser (hydration).
pub mod domain;
pub mod error;
pub mod i18n;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use i18n::{I18n, Locale, K};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The locale of this request (SSR) or page (browser): the `lang` cookie, zh-CN by default.
pub fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| {
                p.headers.get(axum::http::header::COOKIE).and_then(|v| v.to_str().ok()).map(Locale::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        use wasm_bindgen::JsCast;
        document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
            .and_then(|d| d.cookie().ok())
            .map(|c| Locale::from_cookie_header(&c))
            .unwrap_or_default()
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_locale().code();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#c2410c" />
                <link rel="icon" href="data:," />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n(RwSignal::new(initial_locale()));
    provide_context(i18n);

    // Tests and people alike must not click before the page is interactive.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/allhands.css" />
        <Title text=move || K::AppName.text(i18n.locale()) />
        <Router>
            <pages::layout::Header />
            <main class="page">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home />
                    <Route path=path!("/login") view=pages::login::Login />
                    <Route path=path!("/me") view=pages::my_promotion::MyPromotion />
                    // The prospect's pages must work without JavaScript: render them whole
                    // (out-of-order streaming would leave parts in <template>s for a script).
                    <Route path=path!("/c/:slug") view=pages::landing::Landing ssr=SsrMode::Async />
                    <Route path=path!("/c/:slug/thanks") view=pages::landing::Thanks ssr=SsrMode::Async />
                    <Route path=path!("/campaigns") view=pages::campaigns::Campaigns />
                    <Route path=path!("/content") view=pages::content::Content />
                    <Route path=path!("/leads") view=pages::leads::Leads />
                    <Route path=path!("/leads/settings") view=pages::lead_settings::LeadSettings />
                    <Route path=path!("/review") view=pages::review::Review />
                    <Route path=path!("/follow-up") view=pages::follow_up::FollowUp />
                    <Route path=path!("/admin") view=pages::admin::Admin />
                    <Route path=path!("/deals") view=pages::deals::Deals />
                    <Route path=path!("/settlement") view=pages::settlement::Settlement />
                    <Route path=path!("/me/rewards") view=pages::rewards::MyRewardsPage />
                    <Route path=path!("/redeem") view=pages::rewards::Redeem />
                    <Route path=path!("/rewards/rules") view=pages::rewards::Rules />
                    <Route path=path!("/dashboard") view=pages::dashboard::DashboardPage />
                    <Route path=path!("/heroes") view=pages::dashboard::HeroBoardPage />
                </Routes>
            </main>
        </Router>
    }
}

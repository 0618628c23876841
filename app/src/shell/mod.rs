//! The app's shell, on top of every feature: the document, the routes, the header with its
//! navigation, the home, sign-in and "my promotion" pages. The one place that names every
//! feature.
pub mod header;
pub mod home;
pub mod hydration;
pub mod i18n;
pub mod login;
pub mod me;
pub mod pages;

use crate::features::{leads, rewards};
use crate::plumbing::access::Access;
use crate::plumbing::i18n::{I18n, Locale};
use crate::shell::i18n::K;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

/// A link of the header and who sees it: the same table the server functions behind each
/// page are authorized against.
pub struct NavItem {
    pub path: &'static str,
    pub label: K,
    pub access: Access,
}

pub const NAV: &[NavItem] = &[
    NavItem { path: "/me", label: K::NavMyPromotion, access: Access::Promoters },
    NavItem { path: "/me/rewards", label: K::NavMyRewards, access: Access::Promoters },
    NavItem { path: "/me/payout", label: K::NavPayoutAccount, access: Access::Promoters },
    NavItem { path: "/stories", label: K::NavStories, access: Access::Promoters },
    NavItem { path: "/dashboard", label: K::NavDashboard, access: Access::Marketing },
    NavItem { path: "/heroes", label: K::NavHeroes, access: Access::Staff },
    NavItem { path: "/me/scorecard", label: K::NavMyScorecard, access: Access::Staff },
    NavItem { path: "/scorecards", label: K::NavScorecards, access: Access::Staff },
    NavItem { path: "/campaigns", label: K::NavCampaigns, access: Access::Marketing },
    NavItem { path: "/content", label: K::NavContent, access: Access::Marketing },
    NavItem { path: "/review", label: K::NavReview, access: Access::Marketing },
    NavItem { path: "/leads", label: K::NavLeads, access: Access::Marketing },
    NavItem { path: "/leads/settings", label: K::NavLeadSettings, access: Access::Marketing },
    NavItem { path: "/rewards/rules", label: K::NavRules, access: Access::Marketing },
    NavItem { path: "/follow-up", label: K::NavFollowUp, access: Access::Sales },
    NavItem { path: "/deals", label: K::NavDeals, access: Access::Deals },
    NavItem { path: "/settlement", label: K::NavSettlement, access: Access::Finance },
    NavItem { path: "/admin", label: K::NavAdmin, access: Access::Admin },
    NavItem { path: "/admin/settings", label: K::NavSettings, access: Access::Admin },
    NavItem { path: "/admin/audit", label: K::NavAudit, access: Access::Admin },
    NavItem { path: "/account", label: K::NavAccount, access: Access::SignedIn },
];

/// The locale of this request (SSR) or page (browser): the `lang` cookie, zh-CN by default.
pub fn initial_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .map(|p| crate::plumbing::http::locale(&p.headers))
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
    let hydrate = hydration::this_page().body_marker();
    // The page's content security policy names this response's nonce, which the hydration
    // scripts carry: no other script runs.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&crate::plumbing::edge::page_policy(&nonce)) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#c2410c" />
                <link rel="icon" href="data:," />
                // Built assets carry their content's hash in their names (kept for good).
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <hydration::Hydration options />
                <MetaTags />
            </head>
            <body data-hydrate=hydrate>
                <App />
            </body>
        </html>
    }
}

/// Marks the page interactive: tests and people alike must not click before. The last part of
/// every page's view, so that on a lazily loaded page it runs only once the page's chunk has
/// loaded and the page has hydrated.
#[component]
pub fn Hydrated() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n(RwSignal::new(initial_locale()));
    provide_context(i18n);

    view! {
        <Title text=move || K::AppName.text(i18n.locale()) />
        <Router>
            <header::Header />
            <main class="page">
                <Routes fallback=|| view! { <crate::plumbing::ui::NotFound /> <Hydrated /> }>
                    // The public pages are in the first download; the staff's load when opened.
                    <Route path=path!("/") view=|| view! { <home::Home /> <Hydrated /> } />
                    <Route path=path!("/login") view=|| view! { <login::Login /> <Hydrated /> } />
                    // The prospect's pages must work without JavaScript: render them whole
                    // (out-of-order streaming would leave parts in <template>s for a script).
                    <Route path=path!("/c/:slug") view=|| view! { <leads::landing::Landing /> <Hydrated /> } ssr=SsrMode::Async />
                    <Route path=path!("/c/:slug/thanks") view=|| view! { <leads::landing::Thanks /> <Hydrated /> } ssr=SsrMode::Async />
                    <Route path=path!("/redeem") view=|| view! { <rewards::redeem::Redeem /> <Hydrated /> } />
                    <Route path=path!("/me") view={Lazy::<pages::MyPromotion>::new()} />
                    <Route path=path!("/campaigns") view={Lazy::<pages::Campaigns>::new()} />
                    <Route path=path!("/content") view={Lazy::<pages::Content>::new()} />
                    <Route path=path!("/leads") view={Lazy::<pages::Leads>::new()} />
                    <Route path=path!("/leads/settings") view={Lazy::<pages::LeadSettings>::new()} />
                    <Route path=path!("/review") view={Lazy::<pages::Review>::new()} />
                    <Route path=path!("/follow-up") view={Lazy::<pages::FollowUp>::new()} />
                    <Route path=path!("/admin") view={Lazy::<pages::Admin>::new()} />
                    <Route path=path!("/admin/audit") view={Lazy::<pages::AuditLog>::new()} />
                    <Route path=path!("/admin/settings") view={Lazy::<pages::Settings>::new()} />
                    <Route path=path!("/account") view={Lazy::<pages::Account>::new()} />
                    <Route path=path!("/setup") view={Lazy::<pages::Setup>::new()} />
                    <Route path=path!("/reset") view={Lazy::<pages::Reset>::new()} />
                    <Route path=path!("/deals") view={Lazy::<pages::Deals>::new()} />
                    <Route path=path!("/settlement") view={Lazy::<pages::Settlement>::new()} />
                    <Route path=path!("/me/rewards") view={Lazy::<pages::MyRewards>::new()} />
                    <Route path=path!("/me/payout") view={Lazy::<pages::PayoutAccount>::new()} />
                    <Route path=path!("/rewards/rules") view={Lazy::<pages::Rules>::new()} />
                    <Route path=path!("/dashboard") view={Lazy::<pages::Dashboard>::new()} />
                    <Route path=path!("/heroes") view={Lazy::<pages::Heroes>::new()} />
                    <Route path=path!("/stories") view={Lazy::<pages::Stories>::new()} />
                    <Route path=path!("/me/scorecard") view={Lazy::<pages::MyScorecard>::new()} />
                    <Route path=path!("/scorecards") view={Lazy::<pages::Scorecards>::new()} />
                </Routes>
            </main>
        </Router>
    }
}

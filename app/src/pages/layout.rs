use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{Role, SessionInfo};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

#[server(endpoint = "get_session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::ssr;
    ssr::respond(
        async {
            let state = ssr::state()?;
            let parts = ssr::request_parts()?;
            let user = ssr::auth::current_user(&state, &parts.headers).await?;
            Ok(SessionInfo { user, demo: state.org.demo })
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr;
    ssr::respond(
        async {
            let state = ssr::state()?;
            let parts = ssr::request_parts()?;
            if let Some(token) = ssr::cookie(&parts.headers, ssr::auth::SESSION_COOKIE) {
                ssr::auth::sign_out(&state.pool, &token).await?;
            }
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(v) = axum::http::HeaderValue::from_str(&ssr::auth::clear_session_cookie()) {
                    res.append_header(axum::http::header::SET_COOKIE, v);
                }
            }
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // Refetched on every navigation so the header follows sign-in and sign-out.
    let session = super::resource(move || location.pathname.get(), |_| get_session());
    let sign_out = ServerAction::<SignOut>::new();
    let lang_href = move || {
        let next = location.pathname.get();
        format!("/lang/{}?next={}", i18n.locale().other().code(), next)
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">{i18n.t(K::AppName)}</A>
            <nav class="nav">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let info = session.await.ok();
                        let user = info.as_ref().and_then(|i| i.user.clone());
                        let demo = info.map(|i| i.demo).unwrap_or(false);
                        view! {
                            {demo.then(|| view! { <span class="demo-badge" data-testid="demo-badge" title=i18n.t(K::DemoBanner)>"DEMO"</span> })}
                            {match user {
                                Some(u) => {
                                    let promoter = u.has_any(&Role::PROMOTERS);
                                    let marketing = u.has_any(&[Role::Marketing, Role::Admin]);
                                    let admin = u.has_any(&[Role::Admin]);
                                    let sales = u.has_any(&[Role::Sales]);
                                    let deals = u.has_any(&[Role::Sales, Role::Marketing, Role::Finance, Role::Admin]);
                                    let finance = u.has_any(&[Role::Finance, Role::Admin]);
                                    let staff = u.has_any(&Role::STAFF);
                                    view! {
                                        {promoter.then(|| view! { <A href="/me">{i18n.t(K::NavMyPromotion)}</A> <A href="/me/rewards">{i18n.t(K::NavMyRewards)}</A> })}
                                        {marketing.then(|| view! { <A href="/dashboard">{i18n.t(K::NavDashboard)}</A> })}
                                        {staff.then(|| view! { <A href="/heroes">{i18n.t(K::NavHeroes)}</A> })}
                                        {marketing.then(|| view! { <A href="/campaigns">{i18n.t(K::NavCampaigns)}</A> <A href="/content">{i18n.t(K::NavContent)}</A> <A href="/review">{i18n.t(K::NavReview)}</A> <A href="/leads">{i18n.t(K::NavLeads)}</A> <A href="/leads/settings">{i18n.t(K::NavLeadSettings)}</A> <A href="/rewards/rules">{i18n.t(K::NavRules)}</A> })}
                                        {sales.then(|| view! { <A href="/follow-up">{i18n.t(K::NavFollowUp)}</A> })}
                                        {deals.then(|| view! { <A href="/deals">{i18n.t(K::NavDeals)}</A> })}
                                        {finance.then(|| view! { <A href="/settlement">{i18n.t(K::NavSettlement)}</A> })}
                                        {admin.then(|| view! { <A href="/admin">{i18n.t(K::NavAdmin)}</A> })}
                                        <span class="who" data-testid="signed-in-user">{u.display_name}</span>
                                        <ActionForm action=sign_out attr:class="inline">
                                            <button type="submit" class="link-button" data-testid="sign-out">{i18n.t(K::SignOut)}</button>
                                        </ActionForm>
                                    }.into_any()
                                }
                                None => view! { <A href="/login">{i18n.t(K::SignIn)}</A> }.into_any(),
                            }}
                        }
                    })}
                </Suspense>
                <a href=lang_href rel="external" class="lang" data-testid="lang-switch">{i18n.t(K::LanguageSwitch)}</a>
            </nav>
        </header>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let demo = session.await.map(|i| i.demo).unwrap_or(false);
                demo.then(|| view! { <div class="demo-banner" data-testid="demo-banner">{i18n.t(K::DemoBanner)}</div> })
            })}
        </Suspense>
    }
}

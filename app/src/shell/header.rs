//! The header on every page: the navigation (from the role table in `NAV`), who is signed in,
//! the language switch, and the demo banner.
use super::NAV;
use crate::plumbing::access::SessionInfo;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::resource;
use crate::shell::i18n::K;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

#[server(endpoint = "get_session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    Ok(SessionInfo { user: cx.user, demo: cx.state.org.demo })
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::plumbing::auth;
    use crate::plumbing::http::cookie;
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    if let Some(token) = cookie(&cx.parts.headers, auth::SESSION_COOKIE) {
        auth::sign_out(&cx.state, &token).await?;
    }
    set_cookie(&auth::clear_session_cookie());
    leptos_axum::redirect("/");
    Ok(())
}

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // Refetched on every navigation so the header follows sign-in and sign-out.
    let session = resource(move || location.pathname.get(), |_| get_session());
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
                                    view! {
                                        {NAV.iter().filter(|n| u.may(n.access)).map(|n| view! { <A href=n.path>{i18n.t(n.label)}</A> }).collect_view()}
                                        <span class="who" data-testid="signed-in-user">{u.display_name}</span>
                                        <ActionForm action=sign_out attr:class="inline">
                                            <button type="submit" class="link-button" data-testid="sign-out">{i18n.t(K::SignOut)}</button>
                                        </ActionForm>
                                    }.into_any()
                                }
                                None => view! { <A href="/login">{i18n.t(C::SignIn)}</A> }.into_any(),
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

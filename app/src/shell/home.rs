//! The home page; in the demo organization it lists the demo sign-in names.
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::resource;
use crate::shell::i18n::K;
use leptos::prelude::*;

/// Demo sign-in names, shown on the home page of the demo organization only.
#[server(endpoint = "demo_accounts")]
pub async fn demo_accounts() -> Result<Vec<(String, String)>, AppError> {
    use crate::features::admin::store::seed::DEMO_USERS;
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    if !cx.state.org.demo {
        return Ok(Vec::new());
    }
    Ok(DEMO_USERS.iter().map(|u| (u.name.to_string(), u.email.to_string())).collect())
}

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let accounts = resource(|| (), |_| demo_accounts());
    view! {
        <leptos_meta::Meta name="description" content=i18n.t(K::HomeWelcome) />
        <section class="hero">
            <h1>{i18n.t(K::AppName)}</h1>
            <p>{i18n.t(K::HomeWelcome)}</p>
            <a href="/login" class="button primary">{i18n.t(C::SignIn)}</a>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = accounts.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card">
                        <h2>{i18n.t(K::DemoAccounts)}</h2>
                        <ul class="plain">
                            {list.into_iter().map(|(name, email)| view! { <li><b>{name}</b>" · "<code>{email}</code></li> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

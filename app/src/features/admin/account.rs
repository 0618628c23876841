//! My account: change my password, see my sessions and end one.
use super::model::SessionRow;
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

/// The hash of the session this request came with.
#[cfg(feature = "ssr")]
fn this_session(cx: &crate::plumbing::serve::Cx) -> String {
    use crate::plumbing::auth;
    crate::plumbing::http::cookie(&cx.parts.headers, auth::SESSION_COOKIE)
        .map(|t| auth::token_hash(&t))
        .unwrap_or_default()
}

#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::SignedIn).await?;
    let keep = this_session(&cx);
    super::store::account::change_password(
        &cx.state.db,
        &cx.actor(),
        cx.user.id,
        &current_password,
        &new_password,
        &keep,
    )
    .await
}

#[server(endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::SignedIn).await?;
    super::store::account::sessions(&cx.state.db.pool, &cx.state.org, cx.user.id, &this_session(&cx)).await
}

#[server(endpoint = "revoke_session")]
pub async fn revoke_session(handle: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::SignedIn).await?;
    super::store::account::revoke(&cx.state.db, &cx.actor(), cx.user.id, &handle).await
}

#[component]
pub fn Account() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let revoke = ServerAction::<RevokeSession>::new();
    let sessions = resource(move || (change.version().get(), revoke.version().get()), |_| my_sessions());
    view! {
        <h1>{i18n.t(K::AccountTitle)}</h1>
        <section class="card">
            <h2>{i18n.t(K::ChangePassword)}</h2>
            <ActionForm action=change attr:class="form" attr:data-testid="password-form">
                <label><span>{i18n.t(K::CurrentPasswordLabel)}</span><input type="password" name="current_password" maxlength="128" autocomplete="current-password" required /></label>
                <label><span>{i18n.t(K::NewPasswordLabel)}</span><input type="password" name="new_password" maxlength="128" autocomplete="new-password" required /></label>
                {move || change.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="ok">{i18n.t(K::PasswordChanged)}</p> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(K::Save)}</button>
            </ActionForm>
        </section>
        <super::family::FamilyCard />
        <section class="card">
            <h2>{i18n.t(K::Sessions)}</h2>
            <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(sessions.await, |rows| view! {
                        <ul class="plain" data-testid="sessions">
                            {rows.into_iter().map(|s| {
                                let handle = s.handle.clone();
                                view! {
                                    <li data-testid="session">
                                        {(!s.device.is_empty()).then(|| view! { <b data-testid="session-device">{s.device.clone()}</b>" · " })}
                                        {i18n.t(K::SignedInAt)}" "{s.signed_in_at}
                                        {s.last_seen_at.map(|t| view! { <span class="muted">" · "{i18n.t(K::LastSeen)}" "{t}</span> })}
                                        {if s.current {
                                            view! { " "<span class="status">{i18n.t(K::ThisSession)}</span> }.into_any()
                                        } else {
                                            view! { " "<button type="button" class="link-button" data-testid="session-revoke" on:click=move |_| { revoke.dispatch(RevokeSession { handle: handle.clone() }); }>{i18n.t(K::Revoke)}</button> }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Suspense>
        </section>
    }
}

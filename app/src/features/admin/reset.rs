//! A one-time link an administrator issued: the person sets their password.
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// An administrator's one-time link for `id`, as an absolute URL to hand over.
#[server(endpoint = "issue_reset_link")]
pub async fn issue_reset_link(id: i64) -> Result<String, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let token = super::store::account::issue_reset(&cx.state.db, &cx.actor(), id).await?;
    Ok(format!("{}/reset?token={token}", cx.base_url()))
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    super::store::account::reset_password(&cx.state.db, &token, &password).await
}

#[component]
pub fn Reset() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<ResetPassword>::new();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    view! {
        <h1>{i18n.t(K::ResetTitle)}</h1>
        <section class="card">
            <ActionForm action attr:class="form" attr:data-testid="reset-form">
                <input type="hidden" name="token" prop:value=token />
                <label><span>{i18n.t(K::NewPasswordLabel)}</span><input type="password" name="password" maxlength="128" autocomplete="new-password" required data-testid="reset-password" /></label>
                {move || action.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="ok" data-testid="reset-done">{i18n.t(K::ResetDone)}" "<a href="/login">{i18n.t(C::SignIn)}</a></p> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(K::Save)}</button>
            </ActionForm>
        </section>
    }
}

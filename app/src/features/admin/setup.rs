//! The first start of an organization without demo data: the one-time setup link printed on
//! the server's console opens this page, which creates the first administrator.
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    display_name: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    password: String,
) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    let input = super::store::users::NewUser {
        display_name,
        phone,
        email,
        password,
        roles: vec![Role::Admin],
        department_id: None,
    };
    let hash = crate::plumbing::auth::token_hash(token.trim());
    super::store::users::create_first_admin(&cx.state.db, &hash, input).await
}

#[component]
pub fn Setup() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<CompleteSetup>::new();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    view! {
        <h1>{i18n.t(K::SetupTitle)}</h1>
        <section class="card">
            <p>{i18n.t(K::SetupIntro)}</p>
            <ActionForm action attr:class="form" attr:data-testid="setup-form">
                <input type="hidden" name="token" prop:value=token />
                <label><span>{i18n.t(K::DisplayNameLabel)}</span><input type="text" name="display_name" maxlength="50" required /></label>
                <label><span>{i18n.t(K::UserPhoneLabel)}</span><input type="tel" name="phone" maxlength="32" /></label>
                <label><span>{i18n.t(K::EmailLabel)}</span><input type="email" name="email" maxlength="254" /></label>
                <label><span>{i18n.t(C::PasswordLabel)}</span><input type="password" name="password" maxlength="128" autocomplete="new-password" required /></label>
                {move || action.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="ok" data-testid="setup-done">{i18n.t(K::SetupDone)}" "<a href="/login">{i18n.t(C::SignIn)}</a></p> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(C::Create)}</button>
            </ActionForm>
        </section>
    }
}

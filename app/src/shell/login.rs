//! Signing in.
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use crate::shell::i18n::K;
use leptos::prelude::*;

crate::fields! {
    /// The sign-in form's inputs.
    pub enum Field {
        Login => "login", K::LoginLabel;
        Password => "password", C::PasswordLabel;
    }
}

/// Signs in with phone or email and password; sets the session cookie and sends the user
/// to the page of their main role. Works as a plain form post without JavaScript.
#[server(endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String) -> Result<(), AppError> {
    use crate::plumbing::auth;
    use crate::plumbing::edge::Client;
    use crate::plumbing::http::{cookie, peer_ip};
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    use crate::plumbing::errors::FieldError;
    use crate::shared::text::TextError;
    let mut too_long = Vec::new();
    for (field, value, max) in [(Field::Login, &login, 254), (Field::Password, &password, 128)] {
        if value.chars().count() > max {
            too_long.push(FieldError::new(field, TextError::TooLong { max: max as i64 }));
        }
    }
    if !too_long.is_empty() {
        return Err(AppError::Invalid(too_long));
    }
    let agent = cx.parts.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = auth::sign_in(&cx.state, &login, &password, &peer_ip(&cx.parts.extensions), agent).await?;
    // A new session id at every sign-in: a session planted before it (fixation) ends here.
    if let Some(old) = cookie(&cx.parts.headers, auth::SESSION_COOKIE) {
        auth::sign_out(&cx.state, &old).await?;
    }
    set_cookie(&auth::session_cookie(&cx.state, &token, Client::of_parts(&cx.parts).https));
    // The new session is not in this request's cookies yet: look the roles up directly.
    let roles = {
        let mut headers = axum::http::HeaderMap::new();
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{}={token}", auth::SESSION_COOKIE)) {
            headers.insert(axum::http::header::COOKIE, v);
        }
        auth::current_user(&cx.state, &headers).await?.map(|u| u.roles).unwrap_or_default()
    };
    let home = if roles.contains(&Role::Admin) {
        "/admin"
    } else if roles.contains(&Role::Marketing) {
        "/leads"
    } else if roles.iter().any(|r| Role::PROMOTERS.contains(r)) {
        "/me"
    } else {
        "/"
    };
    leptos_axum::redirect(home);
    Ok(())
}

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let pending = action.pending();
    view! {
        <leptos_meta::Meta name="description" content=i18n.t(K::HomeWelcome) />
        <section class="card narrow">
            <h1>{i18n.t(K::SignInTitle)}</h1>
            <ActionForm action=action attr:class="form">
                <label>
                    <span>{i18n.t(K::LoginLabel)}</span>
                    <input type="text" name="login" autocomplete="username" required maxlength="254" data-testid="login" />
                </label>
                <label>
                    <span>{i18n.t(C::PasswordLabel)}</span>
                    <input type="password" name="password" autocomplete="current-password" required maxlength="128" data-testid="password" />
                </label>
                {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
                <button type="submit" class="button primary" data-testid="sign-in" disabled=pending>
                    {move || if pending.get() { K::SigningIn.text(i18n.locale()) } else { C::SignIn.text(i18n.locale()) }}
                </button>
            </ActionForm>
        </section>
    }
}

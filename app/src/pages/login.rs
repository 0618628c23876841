use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use leptos::prelude::*;

/// Signs in with phone or email and password; sets the session cookie and sends the user
/// to the page of their main role. Works as a plain form post without JavaScript.
#[server(endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let state = ssr::state()?;
            let parts = ssr::request_parts()?;
            if login.chars().count() > 254 || password.chars().count() > 128 {
                return Err(AppError::BadCredentials);
            }
            let ip = parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default();
            let token = ssr::auth::sign_in(&state, &login, &password, &ip).await?;
            let cookie = ssr::auth::session_cookie(&state, &token, ssr::auth::is_https(&parts.headers));
            if let (Some(res), Ok(v)) =
                (use_context::<leptos_axum::ResponseOptions>(), axum::http::HeaderValue::from_str(&cookie))
            {
                res.append_header(axum::http::header::SET_COOKIE, v);
            }
            // The new session is not in this request's cookies yet: look the roles up directly.
            let roles = {
                let mut headers = axum::http::HeaderMap::new();
                if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{}={token}", ssr::auth::SESSION_COOKIE)) {
                    headers.insert(axum::http::header::COOKIE, v);
                }
                ssr::auth::current_user(&state, &headers).await?.map(|u| u.roles).unwrap_or_default()
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
        .await,
    )
}

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let pending = action.pending();
    view! {
        <section class="card narrow">
            <h1>{i18n.t(K::SignInTitle)}</h1>
            <ActionForm action=action attr:class="form">
                <label>
                    <span>{i18n.t(K::LoginLabel)}</span>
                    <input type="text" name="login" autocomplete="username" required maxlength="254" data-testid="login" />
                </label>
                <label>
                    <span>{i18n.t(K::PasswordLabel)}</span>
                    <input type="password" name="password" autocomplete="current-password" required maxlength="128" data-testid="password" />
                </label>
                {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
                <button type="submit" class="button primary" data-testid="sign-in" disabled=pending>
                    {move || if pending.get() { K::SigningIn.text(i18n.locale()) } else { K::SignIn.text(i18n.locale()) }}
                </button>
            </ActionForm>
        </section>
    }
}

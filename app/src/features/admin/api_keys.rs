//! API keys on the settings page: admin makes a key for an integration with the scopes it
//! needs, sees its secret once, sees when each key was last used, and revokes it.
use super::model::{ApiKeyRow, NewApiKey};
use crate::features::admin::i18n::K;
use crate::plumbing::api_keys::ApiScope;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{checkboxes, resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

pub fn scope_label(scope: ApiScope) -> K {
    match scope {
        ApiScope::DealsWrite => K::ScopeDealsWrite,
        ApiScope::PaymentsWrite => K::ScopePaymentsWrite,
        ApiScope::LeadsRead => K::ScopeLeadsRead,
        ApiScope::LeadsReadPii => K::ScopeLeadsReadPii,
        ApiScope::StaffWrite => K::ScopeStaffWrite,
        ApiScope::StatsRead => K::ScopeStatsRead,
    }
}

#[server(endpoint = "api_keys")]
pub async fn api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::api_keys::list(&cx.state.db.pool, cx.state.org.tz).await
}

#[server(endpoint = "create_api_key")]
pub async fn create_api_key(
    name: String,
    #[server(default)] scopes: Vec<Sent<ApiScope>>,
) -> Result<NewApiKey, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let scopes = scopes
        .into_iter()
        .map(|s| s.known(|| AppError::unknown(super::Field::ApiScopes)))
        .collect::<Result<Vec<ApiScope>, _>>()?;
    super::store::api_keys::create(&cx.state.db, &cx.actor(), &name, &scopes).await
}

#[server(endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::api_keys::revoke(&cx.state.db, &cx.actor(), id).await
}

#[component]
pub fn ApiKeysCard() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let rows = resource(move || (create.version().get(), revoke.version().get()), |_| api_keys());
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<ApiScope>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateApiKey {
            name: name.get_untracked(),
            scopes: scopes.get_untracked().into_iter().map(Sent::from).collect(),
        });
    };
    view! {
        <section class="card" data-testid="api-keys">
            <h2>{i18n.t(K::ApiKeysTitle)}</h2>
            <p class="muted">{i18n.t(K::ApiKeysHint)}</p>
            <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(rows.await, move |rows| if rows.is_empty() {
                        view! { <p class="muted">{i18n.t(K::ApiKeyNone)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {rows.into_iter().map(|k| key_row(k, revoke)).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
            <form class="form" on:submit=submit data-testid="new-api-key">
                <label><span>{i18n.t(K::ApiKeyNameLabel)}</span><input type="text" maxlength="60" bind:value=name /></label>
                {checkboxes(i18n.t(K::ApiScopesLabel), ApiScope::ALL, scopes, move |scope| view! {
                    {i18n.t(scope_label(scope))}" "<code>{scope.as_str()}</code>
                })}
                {move || create.value().get().map(|r| match r {
                    Ok(key) => view! {
                        <p class="ok">{i18n.t(K::ApiKeyShownOnce)}" "<code class="api-key-secret" data-testid="api-key-secret">{key.secret}</code></p>
                    }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(C::Create)}</button>
            </form>
        </section>
    }
}

fn key_row(k: ApiKeyRow, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let i18n = use_i18n();
    let id = k.id;
    let scopes = k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
    let used = k.last_used_at;
    view! {
        <li data-testid="api-key">
            <strong>{k.name}</strong>" · "<code>{k.prefix}"…"</code>" · "<code>{scopes}</code>
            <br />
            <span class="muted">
                {i18n.t(K::ApiKeyCreatedAt)}" "{k.created_at}" · "
                {match used {
                    Some(at) => view! { {i18n.t(K::ApiKeyLastUsed)}" "{at} }.into_any(),
                    None => view! { {i18n.t(K::ApiKeyNeverUsed)} }.into_any(),
                }}" · "
                {i18n.t(if k.revoked { K::ApiKeyRevoked } else { K::ApiKeyActive })}
            </span>
            {(!k.revoked).then(|| view! {
                " "<button type="button" class="link-button" data-testid="revoke-api-key"
                    on:click=move |_| { revoke.dispatch(RevokeApiKey { id }); }>{i18n.t(K::ApiKeyRevoke)}</button>
            })}
        </li>
    }
}

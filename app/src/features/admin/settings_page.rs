//! The organization's settings on one screen, each with its PRODUCT.md section.
use super::org_settings::{SettingKey, SettingKind, SettingView};
use crate::features::admin::i18n::K;
use crate::features::settlement::model::treatment_label;
use crate::features::settlement::tax::TaxTreatment;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

#[server(endpoint = "org_settings")]
pub async fn org_settings() -> Result<Vec<SettingView>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::org_settings::list(&cx.state.db.pool, &cx.state.org).await
}

/// `effective_from` (YYYY-MM-DD, today or later) only for settings that change money.
#[server(endpoint = "save_setting")]
pub async fn save_setting(
    key: Sent<SettingKey>,
    value: String,
    #[server(default)] effective_from: String,
) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let key = key.known(|| AppError::unknown(super::Field::SettingValue))?;
    super::store::org_settings::save(&cx.state.db, &cx.state.org, &cx.actor(), key, &value, &effective_from).await
}

#[component]
fn SettingRow(s: SettingView, action: ServerAction<SaveSetting>) -> impl IntoView {
    let i18n = use_i18n();
    let key = s.key;
    let value = RwSignal::new(match key.kind() {
        SettingKind::Yuan => {
            crate::shared::money::format_yuan(s.value.parse().unwrap_or(0)).trim_start_matches('¥').replace(',', "")
        }
        _ => s.value.clone(),
    });
    let from = RwSignal::new(String::new());
    // The setting's name labels its field.
    let label = format!("setting-{}", key.as_str());
    let input = match key.kind() {
        SettingKind::Switch => view! {
            <select on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get() aria-labelledby=label.clone() data-testid="setting-input">
                <option value="1">{i18n.t(K::On)}</option>
                <option value="0">{i18n.t(K::Off)}</option>
            </select>
        }
        .into_any(),
        SettingKind::Treatment => view! {
            <select on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get() aria-labelledby=label.clone() data-testid="setting-input">
                {TaxTreatment::ALL.iter().map(|t| view! { <option value=t.as_str()>{i18n.t(treatment_label(*t))}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        SettingKind::LateSteps | SettingKind::Grades => view! { <input type="text" maxlength="60" bind:value=value aria-labelledby=label.clone() data-testid="setting-input" /> }.into_any(),
        _ => view! { <input type="text" inputmode="decimal" maxlength="12" bind:value=value aria-labelledby=label.clone() data-testid="setting-input" /> }.into_any(),
    };
    let mine = move || action.input().get().map(|i| i.key == Sent::Known(key)).unwrap_or(false);
    view! {
        <li class="setting" data-testid="setting" data-key=key.as_str()>
            <p><b id=label>{i18n.t(key.label())}</b>" "<span class="muted">"PRODUCT.md "{key.section()}</span></p>
            <p class="muted">{i18n.t(K::InForce)}": "<span data-testid="setting-shown">{move || s.shown.text(i18n.locale()).to_string()}</span>
                {s.scheduled.iter().map(|(day, v)| { let v = v.clone(); view! { " · "{i18n.t(K::Scheduled)}" "{day.clone()}": "{move || v.text(i18n.locale()).to_string()} } }).collect_view()}
            </p>
            <div class="form inline-form">
                {input}
                {key.dated().then(|| view! {
                    <label><span>{i18n.t(K::EffectiveFrom)}</span><input type="date" bind:value=from data-testid="setting-from" /></label>
                })}
                <button type="button" class="button" data-testid="setting-save" on:click=move |_| {
                    action.dispatch(SaveSetting { key: key.into(), value: value.get_untracked(), effective_from: from.get_untracked() });
                }>{i18n.t(K::Save)}</button>
            </div>
            {move || (mine() && !action.pending().get()).then(|| action.value().get().and_then(|r| r.err())).flatten().map(|error| view! { <ErrorNote error /> })}
        </li>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSetting>::new();
    let rows = resource(move || save.version().get(), |_| org_settings());
    view! {
        <h1>{i18n.t(K::SettingsTitle)}</h1>
        <section class="card">
            <p class="muted">{i18n.t(K::SettingsHint)}</p>
            <p class="muted"><a href="/leads/settings" data-testid="settings-lead-policy">{i18n.t(K::SettingsLeadPolicy)}</a></p>
            <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(rows.await, move |rows| view! {
                        <ul class="plain settings" data-testid="settings">
                            {rows.into_iter().map(|s| view! { <SettingRow s action=save /> }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="ok" data-testid="setting-saved">{i18n.t(K::Saved)}</p> })}
        </section>
        <section class="card">
            <crate::features::dashboard::recount::RecountButton />
        </section>
        <super::api_keys::ApiKeysCard />
        <super::webhooks::WebhooksCard />
    }
}

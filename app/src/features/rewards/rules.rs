//! Marketing's reward rules: every version of every rule with who published it and why, and a
//! new version published from its start date (earlier rewards never change).
use super::model::{RuleRow, Saved};
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

#[server(endpoint = "reward_rules")]
pub async fn reward_rules() -> Result<Vec<RuleRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::RulesRead).await?;
    super::store::rules::list(&cx.state.db.pool, cx.state.org.tz).await
}

/// Publishes a rule (JSON) as a new version from its `effective_from`, with a note saying why;
/// proposes it instead when the organization asks for a second person.
#[server(endpoint = "save_rule")]
pub async fn save_rule(spec: String, #[server(default)] note: String) -> Result<Saved, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::publishing::save(&cx.state, &cx.actor(), &spec, &note).await
}

/// What a save or a decision came to, in words.
pub(super) fn saved_note(saved: Saved) -> impl IntoView {
    let i18n = use_i18n();
    match saved {
        Saved::Published { version } => {
            view! { <p class="ok" data-testid="rule-saved">{i18n.t(C::Saved)}" v"{version}</p> }.into_any()
        }
        Saved::Proposed { .. } => {
            view! { <p class="ok" data-testid="rule-saved">{i18n.t(K::SavedProposed)}</p> }.into_any()
        }
        Saved::Declined => view! { <p class="ok" data-testid="rule-saved">{i18n.t(K::SavedDeclined)}</p> }.into_any(),
    }
}

#[component]
pub fn Rules() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveRule>::new();
    let decide = ServerAction::<super::proposals::DecideProposal>::new();
    let rules = resource(move || (save.version().get(), decide.version().get()), |_| reward_rules());
    let spec = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    view! {
        <h1>{i18n.t(K::RulesTitle)}</h1>
        <p class="muted">{i18n.t(K::RulesHint)}</p>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(rules.await, move |rows: Vec<RuleRow>| view! {
                    <table class="table cards" data-testid="rules">
                        <thead><tr><th>"#"</th><th>{i18n.t(K::RuleLabel)}</th><th>{i18n.t(C::PeriodLabel)}</th><th>{i18n.t(K::PublishedBy)}</th><th></th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| {
                                let json = r.spec.clone();
                                view! {
                                    <tr>
                                        <td data-label="#">{r.rule_id}" v"{r.version}</td>
                                        <td data-label=i18n.t(K::RuleLabel)>{r.name}" · "{i18n.t(r.kind.label())}" · "{i18n.t(super::model::promoter_kind_label(r.promoter_kind))}
                                            {r.department_id.map(|d| view! { " · "{i18n.t(K::ScopeDepartment)}" #"{d} })}
                                            {r.campaign_id.map(|c| view! { " · "{i18n.t(K::ScopeCampaign)}" #"{c} })}</td>
                                        <td data-label=i18n.t(C::PeriodLabel)>{r.effective_from}" – "{r.effective_to.unwrap_or_default()}</td>
                                        <td data-label=i18n.t(K::PublishedBy)><span>
                                            {r.published_by.map_or_else(|| i18n.t(K::DefaultRule).into_any(), |who| who.into_any())}
                                            {r.proposed_by.map(|who| view! { " ("{i18n.t(K::ProposedBy)}" "{who}")" })}" · "{r.published_at}
                                            {r.note.map(|n| view! { <br /><span class="muted" data-testid="rule-note-shown">{n}</span> })}
                                        </span></td>
                                        <td><button type="button" class="link-button" on:click=move |_| spec.set(json.clone())>{i18n.t(C::EditCampaign)}</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            })}
        </Transition>
        <section class="card">
            <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); save.dispatch(SaveRule { spec: spec.get_untracked(), note: note.get_untracked() }); }>
                <textarea rows="14" class="mono" bind:value=spec data-testid="rule-spec"></textarea>
                <label>{i18n.t(K::PublishNoteLabel)}
                    <input type="text" name="note" maxlength="200" required bind:value=note data-testid="rule-note" />
                </label>
                <button type="submit" class="button primary">{i18n.t(K::SaveNewVersion)}</button>
                {move || save.value().get().map(|r| match r {
                    Ok(saved) => saved_note(saved).into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
            </form>
        </section>
        <super::proposals::Proposals save decide />
        <super::whatif::WhatIfPanel spec />
    }
}

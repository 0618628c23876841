//! Marketing's reward rules: every version of every rule with who published it and why, and a
//! new version published from its start date (earlier rewards never change).
use super::editor::draft::RuleDraft;
use super::editor::{Checked, RuleEditor};
use super::engine::Rule;
use super::model::{RuleKind, RuleRow, Saved};
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use chrono::NaiveDate;
use leptos::prelude::*;

#[server(endpoint = "reward_rules")]
pub async fn reward_rules() -> Result<Vec<RuleRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::RulesRead).await?;
    super::store::rules::list(&cx.state.db.pool, cx.state.org.tz).await
}

/// Publishes a rule (the engine's `Rule` as JSON, as the editor sends it) as a new version from its `effective_from`, with a note saying why;
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

/// The first day a new version is offered from: the first of next month, in the
/// organization's calendar (it may be changed to any day from today on).
#[server(endpoint = "new_version_starts")]
pub async fn new_version_starts() -> Result<String, AppError> {
    use crate::plumbing::serve::*;
    use crate::shared::period::Period;
    let cx = authorize(Access::Marketing).await?;
    Ok(Period::month_of(chrono::Utc::now(), cx.state.org.tz).next().dates().0.to_string())
}

#[component]
pub fn Rules() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveRule>::new();
    let decide = ServerAction::<super::proposals::DecideProposal>::new();
    let rules = resource(move || (save.version().get(), decide.version().get()), |_| reward_rules());
    let starts = resource(|| (), |_| new_version_starts());
    let draft = RwSignal::new(RuleDraft::new(0, RuleKind::PercentOfDeal, NaiveDate::default()));
    let editing = RwSignal::new(false);
    let checked: Checked = Memo::new(move |_| draft.with(RuleDraft::to_rule));
    let spec = Signal::derive(move || {
        checked.with(|c| c.as_ref().ok().and_then(|r| serde_json::to_string(r).ok()).unwrap_or_default())
    });
    let note = RwSignal::new(String::new());
    let not_ready = RwSignal::new(false);
    view! {
        <h1>{i18n.t(K::RulesTitle)}</h1>
        <p class="muted">{i18n.t(K::RulesHint)}</p>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                let start = starts.await.ok().and_then(|s| s.parse::<NaiveDate>().ok()).unwrap_or_default();
                show_result(rules.await, move |rows: Vec<RuleRow>| {
                    let next_id = rows.iter().map(|r| r.rule_id).max().unwrap_or(0) + 1;
                    // Another rule: what was said about the last one goes.
                    let open = move |d: RuleDraft| {
                        draft.set(d);
                        note.set(String::new());
                        save.value().set(None);
                        editing.set(true);
                    };
                    view! {
                        <table class="table cards" data-testid="rules">
                            <thead><tr><th>"#"</th><th>{i18n.t(K::RuleLabel)}</th><th>{i18n.t(C::PeriodLabel)}</th><th>{i18n.t(K::PublishedBy)}</th><th></th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let rule = serde_json::from_str::<Rule>(&r.spec).ok();
                                    let sentence = rule.as_ref().map(|r| r.describe(i18n.locale()));
                                    view! {
                                        <tr>
                                            <td data-label="#">{r.rule_id}" v"{r.version}</td>
                                            <td class="text" data-label=i18n.t(K::RuleLabel)><span>{r.name}" · "{i18n.t(r.kind.label())}" · "{i18n.t(super::model::promoter_kind_label(r.promoter_kind))}
                                                {r.department_id.map(|d| view! { " · "{i18n.t(K::ScopeDepartment)}" #"{d} })}
                                                {r.campaign_id.map(|c| view! { " · "{i18n.t(K::ScopeCampaign)}" #"{c} })}
                                                <br /><span class="muted">{sentence}</span></span></td>
                                            <td data-label=i18n.t(C::PeriodLabel)>{r.effective_from}" – "{r.effective_to.clone().unwrap_or_default()}</td>
                                            <td class="text" data-label=i18n.t(K::PublishedBy)><span>
                                                {r.published_by.map_or_else(|| i18n.t(K::DefaultRule).into_any(), |who| who.into_any())}
                                                {r.proposed_by.map(|who| view! { " ("{i18n.t(K::ProposedBy)}" "{who}")" })}" · "{r.published_at}
                                                {r.note.map(|n| view! { <br /><span class="muted" data-testid="rule-note-shown">{n}</span> })}
                                            </span></td>
                                            // Only the version in force is changed: an ended one has a successor.
                                            <td>{rule.filter(|_| r.effective_to.is_none()).map(|rule| view! {
                                                <button type="button" class="link-button" data-testid="rule-edit"
                                                    on:click=move |_| open(RuleDraft::from_rule(&rule, start))>{i18n.t(C::EditCampaign)}</button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <button type="button" class="button" data-testid="rule-new"
                            on:click=move |_| open(RuleDraft::new(next_id, RuleKind::MarginalTiers, start))>{i18n.t(K::NewRule)}</button>
                    }
                })
            })}
        </Transition>
        <Show when=move || editing.get()>
            <RuleEditor draft checked />
            <section class="card">
                <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let spec = spec.get_untracked();
                    not_ready.set(spec.is_empty());
                    if !spec.is_empty() {
                        save.dispatch(SaveRule { spec, note: note.get_untracked() });
                    }
                }>
                    <label>{i18n.t(K::PublishNoteLabel)}
                        <input type="text" name="note" maxlength="200" required bind:value=note data-testid="rule-note" />
                    </label>
                    <button type="submit" class="button primary">{i18n.t(K::SaveNewVersion)}</button>
                    {move || not_ready.get().then(|| view! { <p class="error" role="alert">{i18n.t(K::ProblemFixErrors)}</p> })}
                    {move || save.value().get().map(|r| match r {
                        Ok(saved) => saved_note(saved).into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    })}
                </form>
            </section>
            <super::whatif::WhatIfPanel spec />
        </Show>
        <super::proposals::Proposals save decide />
    }
}

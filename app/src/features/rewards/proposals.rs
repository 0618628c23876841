//! Versions waiting for a second person (setting `rules_four_eyes`): someone other than the
//! proposer publishes or declines each.
use super::model::{Proposal, Saved};
use super::rules::{saved_note, SaveRule};
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

#[server(endpoint = "rule_proposals")]
pub async fn rule_proposals() -> Result<Vec<Proposal>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::RulesRead).await?;
    super::store::publishing::open(&cx.state, cx.user.id).await
}

/// Publishes (`publish`) or declines a proposed version; never the proposer's own.
#[server(endpoint = "decide_proposal")]
pub async fn decide_proposal(id: i64, publish: bool) -> Result<Saved, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::publishing::decide(&cx.state, &cx.actor(), id, publish).await
}

/// Shown only while some version waits.
#[component]
pub fn Proposals(save: ServerAction<SaveRule>, decide: ServerAction<DecideProposal>) -> impl IntoView {
    let i18n = use_i18n();
    let open = resource(move || (save.version().get(), decide.version().get()), |_| rule_proposals());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(open.await, move |list: Vec<Proposal>| {
                    (!list.is_empty()).then(|| view! {
                        <section class="card" data-testid="proposals">
                            <h2>{i18n.t(K::ProposalsTitle)}</h2>
                            <p class="muted">{i18n.t(K::ProposalsHint)}</p>
                            <ul class="list">
                                {list.into_iter().map(|p| view! { <ProposalItem p decide /> }).collect_view()}
                            </ul>
                        </section>
                    })
                })
            })}
        </Transition>
        {move || decide.value().get().map(|r| match r {
            Ok(saved) => saved_note(saved).into_any(),
            Err(error) => view! { <ErrorNote error /> }.into_any(),
        })}
    }
}

#[component]
fn ProposalItem(p: Proposal, decide: ServerAction<DecideProposal>) -> impl IntoView {
    let i18n = use_i18n();
    let id = p.id;
    view! {
        <li data-testid="proposal">
            <strong>{p.name}</strong>" · "{i18n.t(p.kind.label())}" · "{i18n.t(C::StartsOnLabel)}" "{p.effective_from}
            <br />{i18n.t(K::ProposedBy)}" "{p.proposed_by}" · "{p.proposed_at}
            <br /><span class="muted">{p.note}</span>
            <p data-testid="proposal-explained">{serde_json::from_str::<super::engine::Rule>(&p.spec).map(|r| r.describe(i18n.locale())).unwrap_or_default()}</p>
            <div class="inline-form">
                <button type="button" class="button primary" disabled=p.mine
                    on:click=move |_| { decide.dispatch(DecideProposal { id, publish: true }); }>{i18n.t(K::PublishProposal)}</button>
                <button type="button" class="button" disabled=p.mine
                    on:click=move |_| { decide.dispatch(DecideProposal { id, publish: false }); }>{i18n.t(K::DeclineProposal)}</button>
            </div>
        </li>
    }
}

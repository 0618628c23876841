//! Admin's setup: who is scored, their direct manager, team and campaigns; the committee.
use super::i18n::K;
use super::team::{scorecard_choices, PutCommitteeMember, PutScorecardMember};
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::Choice;
use leptos::prelude::*;

fn people(name: &'static str, people: &[Choice]) -> impl IntoView {
    view! {
        <select name=name data-testid=format!("setup-{name}")>
            {people.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
        </select>
    }
}

#[component]
pub fn Setup(setup: ServerAction<PutScorecardMember>) -> impl IntoView {
    let i18n = use_i18n();
    let committee = ServerAction::<PutCommitteeMember>::new();
    let choices = resource(|| (), |_| scorecard_choices());
    view! {
        <details class="card" data-testid="setup">
            <summary>{i18n.t(K::SetupTitle)}</summary>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    show_result(choices.await, move |(staff, campaigns): (Vec<Choice>, Vec<Choice>)| {
                        let (members, managers, committee_people) = (people("member_id", &staff), people("manager_id", &staff), people("user_id", &staff));
                        view! {
                        <ActionForm action=setup attr:class="form">
                            <label>{i18n.t(K::MemberLabel)}{members}</label>
                            <label>{i18n.t(K::ManagerLabel)}{managers}</label>
                            <label>{i18n.t(K::TeamLabel)}<input type="text" name="team" maxlength="50" required data-testid="setup-team" /></label>
                            <fieldset class="rule-rows"><legend>{i18n.t(K::CampaignsLabel)}</legend>
                                {campaigns.iter().enumerate().map(|(i, c)| view! {
                                    <label><input type="checkbox" name=format!("campaigns[{i}]") value=c.id.to_string() data-testid=format!("setup-campaign-{}", c.id) />" "{c.name.clone()}</label>
                                }).collect_view()}
                            </fieldset>
                            <button type="submit" class="button primary" data-testid="setup-save">{i18n.t(K::AddMember)}</button>
                        </ActionForm>
                        <h3>{i18n.t(K::CommitteeTitle)}</h3>
                        <ActionForm action=committee attr:class="form inline-form">
                            {committee_people}
                            <button type="submit" class="button" data-testid="committee-add">{i18n.t(K::CommitteeAdd)}</button>
                        </ActionForm>
                        {move || committee.value().get().map(|r| match r {
                            Ok(()) => view! { <p class="ok">{i18n.t(C::Saved)}</p> }.into_any(),
                            Err(error) => view! { <ErrorNote error /> }.into_any(),
                        })}
                    }})
                })}
            </Suspense>
        </details>
    }
}

//! Marketing's lead rules: the protection window, the daily cap per device or IP, the
//! business calendar of the review deadline, and how valid leads are assigned.
use super::model::{AssignmentOverview, CampaignAssignment, InactiveCredit, PolicyView, RepOption};
use crate::features::leads::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

#[server(endpoint = "lead_policy")]
pub async fn lead_policy() -> Result<PolicyView, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    use super::store::policy::{load_policy, policy_view};
    Ok(policy_view(&load_policy(&state.db.pool).await?))
}

/// Numbers arrive as text so that anything typed gets a message naming its field.
#[server(endpoint = "save_lead_policy")]
pub async fn save_lead_policy(
    protection_days: String,
    daily_cap: String,
    #[server(default)] holidays: String,
    #[server(default)] extra_workdays: String,
    #[server(default)] first_contact_hours: String,
    #[server(default)] inactive_credit: String,
) -> Result<(), AppError> {
    use super::store::policy::{load_policy, parse_policy, PolicyForm};
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    let form = PolicyForm {
        protection_days: &protection_days,
        daily_cap: &daily_cap,
        holidays: &holidays,
        extra_workdays: &extra_workdays,
        first_contact_hours: &first_contact_hours,
        inactive_credit: &inactive_credit,
    };
    let policy = parse_policy(&form, &load_policy(&state.db.pool).await?)?;
    super::store::policy::save_policy(&state.db, &cx.actor(), &policy).await?;
    super::part(state)?.policy.set(policy);
    Ok(())
}

#[server(endpoint = "load_assignment")]
pub async fn load_assignment() -> Result<AssignmentOverview, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::assignment::overview(&cx.state.db.pool).await
}

/// Replaces a campaign's sales team (none: every active rep takes part).
#[server(endpoint = "set_sales_team")]
pub async fn set_sales_team(campaign_id: i64, #[server(default)] reps: Vec<i64>) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::assignment::set_team(&cx.state, campaign_id, &reps).await
}

#[server(endpoint = "add_assignment_rule")]
pub async fn add_assignment_rule(campaign_id: i64, demand_tag: String, rep_id: i64) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::assignment::add_rule(&cx.state, campaign_id, &demand_tag, rep_id).await
}

#[server(endpoint = "remove_assignment_rule")]
pub async fn remove_assignment_rule(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::assignment::remove_rule(&cx.state, id).await
}

#[component]
fn PolicyForm(policy: PolicyView) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveLeadPolicy>::new();
    let protection_days = RwSignal::new(policy.protection_days.to_string());
    let daily_cap = RwSignal::new(policy.daily_cap.to_string());
    let holidays = RwSignal::new(policy.holidays);
    let extra_workdays = RwSignal::new(policy.extra_workdays);
    let first_contact_hours = RwSignal::new(policy.first_contact_hours.to_string());
    let inactive_credit = RwSignal::new(policy.inactive_credit.as_str().to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveLeadPolicy {
            protection_days: protection_days.get_untracked(),
            daily_cap: daily_cap.get_untracked(),
            holidays: holidays.get_untracked(),
            extra_workdays: extra_workdays.get_untracked(),
            first_contact_hours: first_contact_hours.get_untracked(),
            inactive_credit: inactive_credit.get_untracked(),
        });
    };
    view! {
        <form class="form" on:submit=submit data-testid="policy-form">
            <label>
                <span>{i18n.t(K::ProtectionDaysLabel)}</span>
                <input type="text" inputmode="numeric" maxlength="4" bind:value=protection_days data-testid="protection-days" />
                <small class="muted">{i18n.t(K::ProtectionDaysHelp)}</small>
            </label>
            <label>
                <span>{i18n.t(K::DailyCapLabel)}</span>
                <input type="text" inputmode="numeric" maxlength="4" bind:value=daily_cap data-testid="daily-cap" />
                <small class="muted">{i18n.t(K::DailyCapHelp)}</small>
            </label>
            <label>
                <span>{i18n.t(K::FirstContactHoursLabel)}</span>
                <input type="text" inputmode="numeric" maxlength="4" bind:value=first_contact_hours data-testid="first-contact-hours" />
                <small class="muted">{i18n.t(K::FirstContactHoursHelp)}</small>
            </label>
            <label>
                <span>{i18n.t(K::InactiveCreditLabel)}</span>
                <select on:change=move |ev| inactive_credit.set(event_target_value(&ev)) prop:value=move || inactive_credit.get() data-testid="inactive-credit">
                    {InactiveCredit::ALL.iter().map(|c| view! { <option value=c.as_str()>{i18n.t(c.label())}</option> }).collect_view()}
                </select>
                <small class="muted">{i18n.t(K::InactiveCreditHelp)}</small>
            </label>
            <label>
                <span>{i18n.t(K::HolidaysLabel)}</span>
                <textarea rows="4" maxlength="4000" bind:value=holidays data-testid="holidays"></textarea>
                <small class="muted">{i18n.t(K::DatesHelp)}</small>
            </label>
            <label>
                <span>{i18n.t(K::ExtraWorkdaysLabel)}</span>
                <textarea rows="2" maxlength="4000" bind:value=extra_workdays data-testid="extra-workdays"></textarea>
            </label>
            {move || action.value().get().map(|r| match r {
                Ok(()) => view! { <p class="ok" data-testid="policy-saved">{i18n.t(C::Saved)}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            <button type="submit" class="button primary">{i18n.t(C::Save)}</button>
        </form>
    }
}

#[component]
fn CampaignAssignmentCard(campaign: CampaignAssignment, reps: Vec<RepOption>, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let campaign_id = campaign.id;
    let team = RwSignal::new(campaign.team.clone());
    let save_team = ServerAction::<SetSalesTeam>::new();
    let add_rule = ServerAction::<AddAssignmentRule>::new();
    let remove_rule = ServerAction::<RemoveAssignmentRule>::new();
    Effect::new(move |_| {
        if add_rule.value().get().is_some_and(|r| r.is_ok()) || remove_rule.value().get().is_some_and(|r| r.is_ok()) {
            changed.update(|n| *n += 1);
        }
    });
    let tag = RwSignal::new(campaign.demand_tags.first().cloned().unwrap_or_default());
    let rule_rep = RwSignal::new(reps.first().map(|r| r.id.to_string()).unwrap_or_default());
    let team_boxes = reps
        .iter()
        .map(|r| {
            let id = r.id;
            view! {
                <label class="tag">
                    <input type="checkbox" prop:checked=move || team.get().contains(&id) on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        team.update(|t| { t.retain(|x| *x != id); if on { t.push(id) } });
                    } />
                    {r.name.clone()}
                </label>
            }
        })
        .collect_view();
    let rep_options =
        reps.iter().map(|r| view! { <option value=r.id.to_string()>{r.name.clone()}</option> }).collect_view();
    view! {
        <article class="card" data-testid="campaign-assignment">
            <h3>{campaign.name}</h3>
            <fieldset class="tags">
                <legend>{i18n.t(K::SalesTeam)}</legend>
                {team_boxes}
            </fieldset>
            <div class="actions">
                <button type="button" class="button" data-testid="save-team"
                    on:click=move |_| { save_team.dispatch(SetSalesTeam { campaign_id, reps: team.get_untracked() }); }>
                    {i18n.t(K::SaveTeam)}
                </button>
                {move || save_team.value().get().map(|r| match r {
                    Ok(()) => view! { <span class="ok">{i18n.t(C::Saved)}</span> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
            </div>
            <h4>{i18n.t(K::TagRules)}</h4>
            <ul class="plain" data-testid="tag-rules">
                {if campaign.rules.is_empty() {
                    view! { <li class="muted">{i18n.t(K::NoTagRules)}</li> }.into_any()
                } else {
                    campaign.rules.into_iter().map(|rule| {
                        let id = rule.id;
                        view! {
                            <li>
                                <span class="tag">{rule.demand_tag}</span>" → "{rule.rep_name}" "
                                <button type="button" class="link-button" on:click=move |_| { remove_rule.dispatch(RemoveAssignmentRule { id }); }>
                                    {i18n.t(C::Remove)}
                                </button>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
            <div class="form inline-form">
                <label>
                    <span>{i18n.t(K::DemandTagsLabel)}</span>
                    <select on:change=move |ev| tag.set(event_target_value(&ev)) data-testid="rule-tag">
                        {campaign.demand_tags.into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{i18n.t(K::RepLabel)}</span>
                    <select on:change=move |ev| rule_rep.set(event_target_value(&ev)) data-testid="rule-rep">{rep_options}</select>
                </label>
                <button type="button" class="button" data-testid="add-rule" on:click=move |_| {
                    add_rule.dispatch(AddAssignmentRule {
                        campaign_id,
                        demand_tag: tag.get_untracked(),
                        rep_id: rule_rep.get_untracked().parse().unwrap_or_default(),
                    });
                }>{i18n.t(K::AddRule)}</button>
            </div>
            {move || add_rule.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        </article>
    }
}

#[component]
pub fn LeadSettings() -> impl IntoView {
    let i18n = use_i18n();
    let policy = resource(|| (), |_| lead_policy());
    let changed = RwSignal::new(0u32);
    let overview = resource(move || changed.get(), |_| load_assignment());
    view! {
        <h1>{i18n.t(K::LeadSettingsTitle)}</h1>
        <section class="card">
            <h2>{i18n.t(K::PolicyTitle)}</h2>
            <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(policy.await, |policy| view! { <PolicyForm policy /> })
                })}
            </Suspense>
        </section>
        <section>
            <h2>{i18n.t(K::AssignmentTitle)}</h2>
            <p class="muted">{i18n.t(K::AssignmentHelp)}</p>
            <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(overview.await, move |o| {
                        o.campaigns.into_iter().map(|campaign| {
                            view! { <CampaignAssignmentCard campaign reps=o.reps.clone() changed /> }
                        }).collect_view()
                    })
                })}
            </Transition>
        </section>
    }
}

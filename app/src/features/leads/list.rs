//! Marketing's list of the newest leads, with who brought each and the rep following it up.
use super::model::{LeadRow, LeadStatus, RepOption};
use crate::features::leads::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, Text, Words, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

/// The newest leads with their referrer, for marketing (full phone numbers).
#[server(endpoint = "list_leads")]
pub async fn list_leads() -> Result<Vec<LeadRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    super::store::list::list_recent(&state.db.pool, &state.org, 200).await
}

/// Active sales reps, for reassignment.
#[server(endpoint = "list_reps")]
pub async fn list_reps() -> Result<Vec<RepOption>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    Ok(super::store::assignment::active_reps(&cx.state.db.pool).await?)
}

/// Gives a valid lead to another sales rep; the new rep is notified.
#[server(endpoint = "reassign_lead")]
pub async fn reassign_lead(lead_id: i64, rep_id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::assignment::reassign(&cx.state, &cx.user, lead_id, rep_id).await
}

/// The rep of a valid lead, with a picker to give it to another.
#[component]
fn AssignedRep(row: LeadRow, reps: Vec<RepOption>, action: ServerAction<ReassignLead>) -> impl IntoView {
    let i18n = use_i18n();
    let lead_id = row.id;
    let name = row.assigned_name.clone();
    if row.status != LeadStatus::Valid {
        return name.map(|n| n.into_any()).unwrap_or_else(|| ().into_any());
    }
    let current = row.assigned_to;
    view! {
        <select aria-label=i18n.t(K::Reassign) data-testid="reassign" on:change=move |ev| {
            if let Ok(rep_id) = event_target_value(&ev).parse() {
                action.dispatch(ReassignLead { lead_id, rep_id });
            }
        }>
            {current.is_none().then(|| view! { <option value="" selected>{i18n.t(K::Unassigned)}</option> })}
            {reps.into_iter().map(|r| view! {
                <option value=r.id.to_string() selected=current == Some(r.id)>{r.name}</option>
            }).collect_view()}
        </select>
    }
    .into_any()
}

#[component]
pub fn Leads() -> impl IntoView {
    let i18n = use_i18n();
    let reassign = ServerAction::<ReassignLead>::new();
    let leads = resource(move || reassign.version().get(), |_| list_leads());
    let reps = resource(|| (), |_| list_reps());
    view! {
        <h1>{i18n.t(K::LeadsTitle)}</h1>
        {move || reassign.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                let reps = reps.await.unwrap_or_default();
                show_result(leads.await, move |rows| {
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::LeadsEmpty)}</p> }.into_any();
                    }
                    view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table cards" data-testid="leads-table">
                                <thead>
                                    <tr>
                                        <th>{i18n.t(K::ColTime)}</th>
                                        <th>{i18n.t(K::ColName)}</th>
                                        <th>{i18n.t(K::ColPhone)}</th>
                                        <th>{i18n.t(C::ColPromoter)}</th>
                                        <th>{i18n.t(C::ColCampaign)}</th>
                                        <th>{i18n.t(C::ColStatus)}</th>
                                        <th>{i18n.t(K::ColAssignedTo)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let assigned = view! { <AssignedRep row=r.clone() reps=reps.clone() action=reassign /> };
                                        // data-label names each cell when rows stack as cards on a phone.
                                        let label = move |k: Words| k.text(i18n.locale());
                                        view! {
                                            <tr data-testid="lead-row">
                                                <td data-label=move || label(K::ColTime.into())>{r.submitted_at}</td>
                                                <td data-label=move || label(K::ColName.into()) data-testid="lead-row-name">{r.name}</td>
                                                <td data-label=move || label(K::ColPhone.into())>{r.phone}</td>
                                                <td data-label=move || label(C::ColPromoter.into()) data-testid="lead-row-promoter">{match r.promoter_name {
                                                    Some(n) => n.into_any(),
                                                    None => view! { <span class="muted">{i18n.t(K::NoPromoter)}</span> }.into_any(),
                                                }}</td>
                                                <td data-label=move || label(C::ColCampaign.into())>{r.campaign_name}</td>
                                                <td data-label=move || label(C::ColStatus.into())><span class=format!("status status-{}", r.status.as_str())>{i18n.t(r.status.label())}</span></td>
                                                <td data-label=move || label(K::ColAssignedTo.into())>{assigned}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                })
            })}
        </Transition>
    }
}

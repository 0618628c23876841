use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{LeadRow, LeadStatus, RepOption};
use leptos::prelude::*;

/// The newest leads with their referrer, for marketing (full phone numbers).
#[server(endpoint = "list_leads")]
pub async fn list_leads() -> Result<Vec<LeadRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            ssr::leads::list_recent(&state.pool, &state.org, 200).await
        }
        .await,
    )
}

/// Active sales reps, for reassignment.
#[server(endpoint = "list_reps")]
pub async fn list_reps() -> Result<Vec<RepOption>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            Ok(ssr::assignment::active_reps(&ssr::state()?.pool).await?)
        }
        .await,
    )
}

/// Gives a valid lead to another sales rep; the new rep is notified.
#[server(endpoint = "reassign_lead")]
pub async fn reassign_lead(lead_id: i64, rep_id: i64) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let actor = ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            ssr::assignment::reassign(&ssr::state()?, &actor, lead_id, rep_id).await
        }
        .await,
    )
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
    let leads = super::resource(move || reassign.version().get(), |_| list_leads());
    let reps = super::resource(|| (), |_| list_reps());
    view! {
        <h1>{i18n.t(K::LeadsTitle)}</h1>
        {move || reassign.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                let reps = reps.await.unwrap_or_default();
                super::show_result(leads.await, move |rows| {
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::LeadsEmpty)}</p> }.into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table class="table cards" data-testid="leads-table">
                                <thead>
                                    <tr>
                                        <th>{i18n.t(K::ColTime)}</th>
                                        <th>{i18n.t(K::ColName)}</th>
                                        <th>{i18n.t(K::ColPhone)}</th>
                                        <th>{i18n.t(K::ColPromoter)}</th>
                                        <th>{i18n.t(K::ColCampaign)}</th>
                                        <th>{i18n.t(K::ColStatus)}</th>
                                        <th>{i18n.t(K::ColAssignedTo)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let assigned = view! { <AssignedRep row=r.clone() reps=reps.clone() action=reassign /> };
                                        // data-label names each cell when rows stack as cards on a phone.
                                        let label = move |k: K| k.text(i18n.locale());
                                        view! {
                                            <tr data-testid="lead-row">
                                                <td data-label=move || label(K::ColTime)>{r.submitted_at}</td>
                                                <td data-label=move || label(K::ColName) data-testid="lead-row-name">{r.name}</td>
                                                <td data-label=move || label(K::ColPhone)>{r.phone}</td>
                                                <td data-label=move || label(K::ColPromoter) data-testid="lead-row-promoter">{match r.promoter_name {
                                                    Some(n) => n.into_any(),
                                                    None => view! { <span class="muted">{i18n.t(K::NoPromoter)}</span> }.into_any(),
                                                }}</td>
                                                <td data-label=move || label(K::ColCampaign)>{r.campaign_name}</td>
                                                <td data-label=move || label(K::ColStatus)><span class=format!("status status-{}", r.status.as_str())>{i18n.t(r.status.label())}</span></td>
                                                <td data-label=move || label(K::ColAssignedTo)>{assigned}</td>
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

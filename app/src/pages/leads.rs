use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::LeadRow;
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

#[component]
pub fn Leads() -> impl IntoView {
    let i18n = use_i18n();
    let leads = Resource::new(|| (), |_| list_leads());
    view! {
        <h1>{i18n.t(K::LeadsTitle)}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(leads.await, |rows| {
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
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
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
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

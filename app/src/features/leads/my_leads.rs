//! The promoter's own leads (我的线索): phones masked, status and stage.
use super::model::MyLeadRow;
use crate::features::leads::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::use_i18n;
use crate::plumbing::ui::{resource, show_result};
use leptos::prelude::*;

/// The promoter's own leads, phones masked.
#[server(endpoint = "my_leads")]
pub async fn my_leads() -> Result<Vec<MyLeadRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    let state = &cx.state;
    super::store::list::for_promoter(&state.db.pool, &state.org, cx.user.id).await
}

#[component]
pub fn MyLeads() -> impl IntoView {
    let i18n = use_i18n();
    let leads = resource(|| (), |_| my_leads());
    view! {
        <h2>{i18n.t(K::MyLeadsTitle)}</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(leads.await, |rows| {
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::MyLeadsEmpty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="plain my-leads">
                            {rows.into_iter().map(|r| view! {
                                <li class="card" data-testid="my-lead">
                                    <b>{r.name}</b>" "<span data-testid="my-lead-phone">{r.phone_masked}</span>
                                    <br />
                                    <span class="muted">{r.submitted_at}" · "{r.campaign_name}</span>" "
                                    <span class=format!("status status-{}", r.status.as_str()) data-testid="my-lead-status">{i18n.t(r.status.label())}</span>
                                    {r.stage.map(|s| view! { " " <span class="status status-valid" data-testid="my-lead-stage">{i18n.t(s.label())}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

//! Deals (成交): sales records a won lead's deal or enters one, payments and refunds; anyone
//! handling orders imports a CSV; marketing verifies the audit sample.
use crate::domain::money::format_yuan;
use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{DealInput, DealRow, ImportReport, WonLead};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealsData {
    pub won: Vec<WonLead>,
    pub deals: Vec<DealRow>,
    pub can_audit: bool,
}

#[server(endpoint = "load_deals")]
pub async fn load_deals() -> Result<DealsData, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Sales, Role::Marketing, Role::Finance, Role::Admin]).await?;
            let state = ssr::state()?;
            Ok(DealsData {
                won: ssr::deals::won_leads(&state.pool, &user).await?,
                deals: ssr::deals::list(&state.pool, &user).await?,
                can_audit: user.has_any(&[Role::Marketing, Role::Admin]),
            })
        }
        .await,
    )
}

#[server(endpoint = "record_deal")]
pub async fn record_deal(deal: DealInput) -> Result<i64, AppError> {
    use crate::error::{Field, Problem};
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Sales, Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            let mut deal = deal;
            ssr::deals::fill_from_lead(&state.pool, &mut deal).await?;
            let valid = ssr::deals::validate(&state.org, &deal)?;
            if let Some(lead) = valid.lead_id {
                // A rep records deals of their own leads only.
                let own = ssr::deals::won_leads(&state.pool, &user).await?.iter().any(|w| w.id == lead);
                if !own {
                    return Err(AppError::Forbidden);
                }
            }
            let source = if valid.lead_id.is_some() { "lead" } else { "manual" };
            ssr::deals::record(&state, Some(user.id), &valid, source)
                .await?
                .ok_or(AppError::invalid(Field::OrderNo, Problem::Taken))
        }
        .await,
    )
}

#[server(endpoint = "record_payment")]
pub async fn record_payment(
    deal_id: i64,
    paid_on: String,
    amount: String,
    #[server(default)] refund: bool,
) -> Result<i64, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Sales, Role::Finance, Role::Admin]).await?;
            let state = ssr::state()?;
            // Reps record money on deals they can see; finance and admins on any.
            if !user.has_any(&[Role::Finance, Role::Admin])
                && !ssr::deals::is_reps(&state.pool, user.id, deal_id).await?
            {
                return Err(AppError::NotFound);
            }
            ssr::deals::record_payment(&state, user.id, deal_id, &paid_on, &amount, refund).await
        }
        .await,
    )
}

#[server(endpoint = "import_deals")]
pub async fn import_deals(csv: String) -> Result<ImportReport, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Sales, Role::Finance, Role::Admin]).await?;
            ssr::deals::import_csv(&ssr::state()?, user.id, &csv).await
        }
        .await,
    )
}

#[server(endpoint = "decide_audit")]
pub async fn decide_audit(deal_id: i64, verified: bool) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            ssr::deals::decide_audit(&ssr::state()?, user.id, deal_id, verified).await
        }
        .await,
    )
}

#[component]
pub fn Deals() -> impl IntoView {
    let i18n = use_i18n();
    let record = ServerAction::<RecordDeal>::new();
    let pay = ServerAction::<RecordPayment>::new();
    let import = ServerAction::<ImportDeals>::new();
    let audit = ServerAction::<DecideAudit>::new();
    let data = super::resource(
        move || (record.version().get(), pay.version().get(), import.version().get(), audit.version().get()),
        |_| load_deals(),
    );
    let lead = RwSignal::new(None::<i64>);
    view! {
        <h1>{i18n.t(K::DealsTitle)}</h1>
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(data.await, move |d: DealsData| view! {
                    {(!d.won.is_empty()).then(|| view! {
                        <section class="card">
                            <h2>{i18n.t(K::WonLeadsTitle)}</h2>
                            <ul class="plain">
                                {d.won.into_iter().map(|w| {
                                    let id = w.id;
                                    view! {
                                        <li data-testid="won-lead">
                                            <b>{w.name}</b>" "{w.phone}" · "{w.campaign}" · "{i18n.t(K::ColPromoter)}" "{w.referrer}" "
                                            <button type="button" class="button" data-testid="record-deal-for-lead" on:click=move |_| lead.set(Some(id))>{i18n.t(K::RecordDeal)}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                    <DealList deals=d.deals can_audit=d.can_audit pay audit />
                })
            })}
        </Transition>
        <DealForm record lead />
        <section class="card">
            <h2>{i18n.t(K::ImportDealsTitle)}</h2>
            <p class="muted">{i18n.t(K::ImportDealsHint)}</p>
            <ActionForm action=import attr:class="form">
                <textarea name="csv" rows="5" data-testid="import-csv" placeholder="order_no,customer_phone,amount,signed_on,due_on,referral_code,paid_on,paid_amount"></textarea>
                <button type="submit" class="button">{i18n.t(K::Import)}</button>
            </ActionForm>
            {move || import.value().get().map(|r| match r {
                Ok(rep) => view! {
                    <p data-testid="import-report">{i18n.t(K::ImportCreated)}" "{rep.created}" · "{i18n.t(K::ImportUnchanged)}" "{rep.unchanged}" · "{i18n.t(K::ImportErrors)}" "{rep.errors.len() as i64}</p>
                    <ul class="plain">{rep.errors.into_iter().map(|(line, errs)| view! {
                        <li class="error">{format!("#{line}: ")}{errs.iter().map(|e| e.message(i18n.locale())).collect::<Vec<_>>().join("；")}</li>
                    }).collect_view()}</ul>
                }.into_any(),
                Err(error) => view! { <super::ErrorNote error /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn DealList(
    deals: Vec<DealRow>,
    can_audit: bool,
    pay: ServerAction<RecordPayment>,
    audit: ServerAction<DecideAudit>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h2>{i18n.t(K::DealsListTitle)}</h2>
            {move || pay.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
            {deals.into_iter().map(|d| {
                let id = d.id;
                let paid_on = RwSignal::new(String::new());
                let amount = RwSignal::new(String::new());
                let pending_audit = can_audit && d.audit == "pending";
                view! {
                    <article class="deal" data-testid="deal-row">
                        <p><b data-testid="deal-order">{d.order_no}</b>" · "{d.customer}" · "<span data-testid="deal-amount">{format_yuan(d.amount_fen)}</span></p>
                        <p class="muted">
                            {i18n.t(K::ColPromoter)}" "{d.referrer.unwrap_or_default()}" · "{i18n.t(K::SignedOnLabel)}" "{d.signed_on}
                            {d.due_on.map(|due| format!(" · {due}"))}
                            " · "{i18n.t(K::Collected)}" "<span data-testid="deal-collected">{format_yuan(d.collected_fen)}</span>
                            {(d.audit != "not_sampled").then(|| view! { " · "<span class="status" data-testid="deal-audit">{d.audit.clone()}</span> })}
                        </p>
                        <ul class="plain small">{d.payments.into_iter().map(|p| view! { <li>{p.paid_on}" "{format_yuan(p.amount_fen)}</li> }).collect_view()}</ul>
                        <div class="actions">
                            <input type="date" bind:value=paid_on aria-label=i18n.t(K::PaidOnLabel) data-testid="payment-date" />
                            <input type="text" inputmode="decimal" bind:value=amount placeholder=i18n.t(K::AmountLabel) data-testid="payment-amount" />
                            <button type="button" class="button" data-testid="record-payment" on:click=move |_| {
                                pay.dispatch(RecordPayment { deal_id: id, paid_on: paid_on.get_untracked(), amount: amount.get_untracked(), refund: false });
                            }>{i18n.t(K::RecordPayment)}</button>
                            <button type="button" class="link-button" data-testid="record-refund" on:click=move |_| {
                                pay.dispatch(RecordPayment { deal_id: id, paid_on: paid_on.get_untracked(), amount: amount.get_untracked(), refund: true });
                            }>{i18n.t(K::RecordRefund)}</button>
                            {pending_audit.then(|| view! {
                                <button type="button" class="button" data-testid="audit-verify" on:click=move |_| { audit.dispatch(DecideAudit { deal_id: id, verified: true }); }>{i18n.t(K::AuditVerify)}</button>
                                <button type="button" class="link-button" on:click=move |_| { audit.dispatch(DecideAudit { deal_id: id, verified: false }); }>{i18n.t(K::AuditReject)}</button>
                            })}
                        </div>
                    </article>
                }
            }).collect_view()}
        </section>
    }
}

/// The deal form; every field is a signal so a refused save keeps what was typed.
#[component]
fn DealForm(record: ServerAction<RecordDeal>, lead: RwSignal<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let f = || RwSignal::new(String::new());
    let (order_no, phone, name, amount, cost, signed_on, due_on, code) = (f(), f(), f(), f(), f(), f(), f(), f());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        record.dispatch(RecordDeal {
            deal: DealInput {
                order_no: order_no.get_untracked(),
                customer_phone: phone.get_untracked(),
                customer_name: name.get_untracked(),
                amount: amount.get_untracked(),
                cost: cost.get_untracked(),
                signed_on: signed_on.get_untracked(),
                due_on: due_on.get_untracked(),
                referral_code: code.get_untracked(),
                lead_id: lead.get_untracked(),
                ..DealInput::default()
            },
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = record.value().get() {
            lead.set(None);
            order_no.set(String::new());
            amount.set(String::new());
        }
    });
    let input = move |label: K, sig: RwSignal<String>, kind: &'static str, testid: &'static str| {
        view! {
            <label><span>{i18n.t(label)}</span><input type=kind bind:value=sig data-testid=testid /></label>
        }
    };
    view! {
        <section class="card" id="deal-form">
            <h2>{i18n.t(K::RecordDeal)}</h2>
            {move || lead.get().map(|id| view! { <p class="status" data-testid="deal-lead">{i18n.t(K::FromLead)}" #"{id}" · "{i18n.t(K::FromLeadHint)}</p> })}
            <form class="form" on:submit=submit data-testid="deal-form">
                {input(K::OrderNoLabel, order_no, "text", "deal-order-no")}
                {input(K::PhoneLabel, phone, "tel", "deal-phone")}
                {input(K::NameLabel, name, "text", "deal-name")}
                {input(K::AmountLabel, amount, "text", "deal-amount-input")}
                {input(K::CostLabel, cost, "text", "deal-cost")}
                {input(K::SignedOnLabel, signed_on, "date", "deal-signed-on")}
                {input(K::DueOnLabel, due_on, "date", "deal-due-on")}
                {input(K::ReferralCodeLabel, code, "text", "deal-code")}
                <button type="submit" class="button primary" data-testid="deal-submit">{i18n.t(K::Save)}</button>
                {move || record.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
            </form>
        </section>
    }
}

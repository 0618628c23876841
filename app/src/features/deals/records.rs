//! Deals (成交): sales records a won lead's deal or enters one, payments and refunds; anyone
//! handling orders imports a CSV; marketing verifies the audit sample.
use super::model::{Audit, DealInput, DealRow, DealsData, ImportReport};
use crate::features::deals::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, Words, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[server(endpoint = "load_deals")]
pub async fn load_deals() -> Result<DealsData, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Deals).await?;
    let state = &cx.state;
    Ok(DealsData {
        won: super::store::deals::won_leads(&state.db.pool, &cx.user).await?,
        deals: super::store::deals::list(&state.db.pool, &cx.user).await?,
        can_audit: cx.user.may(Access::Marketing),
    })
}

#[server(endpoint = "record_deal")]
pub async fn record_deal(deal: DealInput) -> Result<i64, AppError> {
    use super::model::{DealSource, Field};
    use super::store::deals;
    use crate::plumbing::serve::*;
    let cx = authorize(Access::DealEntry).await?;
    let state = &cx.state;
    let mut deal = deal;
    deals::fill_from_lead(&state.db.pool, &mut deal).await?;
    let valid = deals::validate(&state.org, &deal)?;
    let source = if valid.lead_id.is_some() { DealSource::Lead } else { DealSource::Manual };
    let actor = cx.actor();
    let recorder = deals::Recorder::of(&actor, &cx.user);
    deals::record(state, &recorder, &valid, source).await?.ok_or(AppError::invalid(Field::OrderNo, Problem::Taken))
}

#[server(endpoint = "record_payment")]
pub async fn record_payment(
    deal_id: i64,
    paid_on: String,
    amount: String,
    #[server(default)] refund: bool,
) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Payments).await?;
    let state = &cx.state;
    // Reps record money on deals they can see; finance and admins on any.
    if !cx.user.may(Access::Finance) && !super::store::deals::is_reps(&state.db.pool, cx.user.id, deal_id).await? {
        return Err(AppError::NotFound);
    }
    super::store::payments::record_payment(state, &cx.actor(), deal_id, &paid_on, &amount, refund, None)
        .await
        .map(|r| r.id)
}

#[server(endpoint = "import_deals")]
pub async fn import_deals(csv: String) -> Result<ImportReport, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Payments).await?;
    let actor = cx.actor();
    let recorder = super::store::deals::Recorder::of(&actor, &cx.user);
    super::store::import::import_csv(&cx.state, &recorder, &csv).await
}

#[server(endpoint = "decide_audit")]
pub async fn decide_audit(deal_id: i64, verified: bool) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::deals::decide_audit(&cx.state, &cx.actor(), deal_id, verified).await
}

#[component]
pub fn Deals() -> impl IntoView {
    let i18n = use_i18n();
    let record = ServerAction::<RecordDeal>::new();
    let pay = ServerAction::<RecordPayment>::new();
    let import = ServerAction::<ImportDeals>::new();
    let audit = ServerAction::<DecideAudit>::new();
    let data = resource(
        move || (record.version().get(), pay.version().get(), import.version().get(), audit.version().get()),
        |_| load_deals(),
    );
    let lead = RwSignal::new(None::<i64>);
    view! {
        <h1>{i18n.t(K::DealsTitle)}</h1>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(data.await, move |d: DealsData| view! {
                    {(!d.won.is_empty()).then(|| view! {
                        <section class="card">
                            <h2>{i18n.t(K::WonLeadsTitle)}</h2>
                            <ul class="plain">
                                {d.won.into_iter().map(|w| {
                                    let id = w.id;
                                    view! {
                                        <li data-testid="won-lead">
                                            <b>{w.name}</b>" "{w.phone}" · "{w.campaign}" · "{i18n.t(C::ColPromoter)}" "{w.referrer}" "
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
                <textarea name="csv" rows="5" data-testid="import-csv" placeholder="order_no,customer_phone,amount,signed_on,due_on,referral_code,service,paid_on,paid_amount"></textarea>
                <button type="submit" class="button">{i18n.t(C::Import)}</button>
            </ActionForm>
            {move || import.value().get().map(|r| match r {
                Ok(rep) => view! {
                    <p data-testid="import-report">{i18n.t(K::ImportCreated)}" "{rep.created}" · "{i18n.t(K::ImportUnchanged)}" "{rep.unchanged}" · "{i18n.t(K::ImportErrors)}" "{rep.errors.len() as i64}</p>
                    <ul class="plain">{rep.errors.into_iter().map(|(line, errs)| view! {
                        <li class="error">{format!("#{line}: ")}{errs.iter().map(|e| e.message(i18n.locale())).collect::<Vec<_>>().join("；")}</li>
                    }).collect_view()}</ul>
                }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
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
            {move || pay.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            {deals.into_iter().map(|d| {
                let id = d.id;
                let paid_on = RwSignal::new(String::new());
                let amount = RwSignal::new(String::new());
                let pending_audit = can_audit && d.audit == Audit::Pending;
                view! {
                    <article class="deal" data-testid="deal-row">
                        <p><b data-testid="deal-order">{d.order_no}</b>" · "{d.customer}" · "<span data-testid="deal-amount">{format_yuan(d.amount_fen)}</span></p>
                        <p class="muted">
                            {i18n.t(C::ColPromoter)}" "{d.referrer.unwrap_or_default()}" · "{i18n.t(K::SignedOnLabel)}" "{d.signed_on}
                            {d.due_on.map(|due| format!(" · {due}"))}
                            " · "{i18n.t(K::Collected)}" "<span data-testid="deal-collected">{format_yuan(d.collected_fen)}</span>
                            {(d.audit != Audit::NotSampled).then(|| view! { " · "<span class="status" data-testid="deal-audit">{i18n.t(d.audit.label())}</span> })}
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
    let service = f();
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
                service: service.get_untracked(),
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
    let input = move |label: Words, sig: RwSignal<String>, kind: &'static str, testid: &'static str| {
        view! {
            <label><span>{i18n.t(label)}</span><input type=kind bind:value=sig data-testid=testid /></label>
        }
    };
    view! {
        <section class="card" id="deal-form">
            <h2>{i18n.t(K::RecordDeal)}</h2>
            {move || lead.get().map(|id| view! { <p class="status" data-testid="deal-lead">{i18n.t(K::FromLead)}" #"{id}" · "{i18n.t(K::FromLeadHint)}</p> })}
            <form class="form" on:submit=submit data-testid="deal-form">
                {input(K::OrderNoLabel.into(), order_no, "text", "deal-order-no")}
                {input(C::PhoneLabel.into(), phone, "tel", "deal-phone")}
                {input(C::NameLabel.into(), name, "text", "deal-name")}
                {input(K::AmountLabel.into(), amount, "text", "deal-amount-input")}
                {input(K::CostLabel.into(), cost, "text", "deal-cost")}
                {input(K::SignedOnLabel.into(), signed_on, "date", "deal-signed-on")}
                {input(K::DueOnLabel.into(), due_on, "date", "deal-due-on")}
                {input(C::ReferralCodeLabel.into(), code, "text", "deal-code")}
                {input(K::ServiceLabel.into(), service, "text", "deal-service")}
                <button type="submit" class="button primary" data-testid="deal-submit">{i18n.t(C::Save)}</button>
                {move || record.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            </form>
        </section>
    }
}

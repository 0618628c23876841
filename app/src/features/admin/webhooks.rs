//! Webhooks on the settings page: admin registers an endpoint for the events it wants (its
//! signing secret shown once), sees each endpoint's state and latest deliveries with the
//! endpoint's answer, delivers one again by hand, and disables or enables an endpoint.
use super::model::{DeliveryRow, NewWebhook, WebhookRow};
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{checkboxes, resource, show_result, ErrorNote};
use crate::plumbing::webhooks::{DeliveryStatus, WebhookEvent};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

pub fn event_label(event: WebhookEvent) -> K {
    match event {
        WebhookEvent::LeadCreated => K::EventLeadCreated,
        WebhookEvent::LeadStatusChanged => K::EventLeadStatusChanged,
        WebhookEvent::DealCreated => K::EventDealCreated,
        WebhookEvent::PaymentRecorded => K::EventPaymentRecorded,
        WebhookEvent::RewardVested => K::EventRewardVested,
        WebhookEvent::RunApproved => K::EventRunApproved,
        WebhookEvent::PayoutPaid => K::EventPayoutPaid,
    }
}

fn status_label(status: DeliveryStatus) -> K {
    match status {
        DeliveryStatus::Queued => K::DeliveryQueued,
        DeliveryStatus::Delivered => K::DeliveryDelivered,
        DeliveryStatus::Failed => K::DeliveryFailed,
    }
}

#[server(endpoint = "webhooks")]
pub async fn webhooks() -> Result<Vec<WebhookRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::webhooks::list(&cx.state.db.pool, cx.state.org.tz).await
}

#[server(endpoint = "create_webhook")]
pub async fn create_webhook(
    url: String,
    #[server(default)] events: Vec<Sent<WebhookEvent>>,
) -> Result<NewWebhook, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let events = events
        .into_iter()
        .map(|e| e.known(|| AppError::unknown(super::Field::WebhookEvents)))
        .collect::<Result<Vec<WebhookEvent>, _>>()?;
    super::store::webhooks::create(&cx.state.db, &cx.actor(), &url, &events).await
}

#[server(endpoint = "set_webhook_enabled")]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::webhooks::set_enabled(&cx.state.db, &cx.actor(), id, enabled).await
}

#[server(endpoint = "redeliver_webhook")]
pub async fn redeliver_webhook(delivery_id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::webhooks::redeliver(&cx.state.db, &cx.actor(), delivery_id).await
}

#[component]
pub fn WebhooksCard() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateWebhook>::new();
    let toggle = ServerAction::<SetWebhookEnabled>::new();
    let again = ServerAction::<RedeliverWebhook>::new();
    let rows =
        resource(move || (create.version().get(), toggle.version().get(), again.version().get()), |_| webhooks());
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(Vec::<WebhookEvent>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateWebhook {
            url: url.get_untracked(),
            events: events.get_untracked().into_iter().map(Sent::from).collect(),
        });
    };
    view! {
        <section class="card" data-testid="webhooks">
            <h2>{i18n.t(K::WebhooksTitle)}</h2>
            <p class="muted">{i18n.t(K::WebhooksHint)}</p>
            <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(rows.await, move |rows| if rows.is_empty() {
                        view! { <p class="muted">{i18n.t(K::WebhookNone)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {rows.into_iter().map(|w| endpoint(w, toggle, again)).collect_view()}
                            </ul>
                        }.into_any()
                    })
                })}
            </Transition>
            {move || again.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
            <form class="form" on:submit=submit data-testid="new-webhook">
                <label><span>{i18n.t(K::WebhookUrlLabel)}</span>
                    <input type="url" maxlength="500" placeholder="https://" bind:value=url /></label>
                {checkboxes(i18n.t(K::WebhookEventsLabel), WebhookEvent::ALL, events, move |event| view! {
                    {i18n.t(event_label(event))}" "<code>{event.as_str()}</code>
                })}
                {move || create.value().get().map(|r| match r {
                    Ok(hook) => view! {
                        <p class="ok">{i18n.t(K::WebhookSecretShownOnce)}" "
                            <code class="api-key-secret" data-testid="webhook-secret">{hook.secret}</code></p>
                    }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(C::Create)}</button>
            </form>
        </section>
    }
}

fn endpoint(
    w: WebhookRow,
    toggle: ServerAction<SetWebhookEnabled>,
    again: ServerAction<RedeliverWebhook>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = w.id;
    let enabled = w.disabled_at.is_none();
    let events = w.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(" ");
    let state = match (w.disabled_at, w.failing_since) {
        (Some(at), _) => view! { {i18n.t(K::WebhookDisabledAt)}" "{at} }.into_any(),
        (None, Some(since)) => view! { {i18n.t(K::WebhookFailingSince)}" "{since} }.into_any(),
        (None, None) => view! { {i18n.t(K::WebhookActive)} }.into_any(),
    };
    let deliveries = w.deliveries;
    view! {
        <li data-testid="webhook">
            <code class="api-key-secret">{w.url}</code><br />
            <code>{events}</code><br />
            <span class="muted">{state}</span>" "
            <button type="button" class="link-button" data-testid="toggle-webhook"
                on:click=move |_| { toggle.dispatch(SetWebhookEnabled { id, enabled: !enabled }); }>
                {i18n.t(if enabled { K::WebhookDisable } else { K::WebhookEnable })}
            </button>
            {if deliveries.is_empty() {
                view! { <p class="muted">{i18n.t(K::WebhookNoDeliveries)}</p> }.into_any()
            } else {
                view! { <ul class="plain deliveries">{deliveries.into_iter().map(|d| delivery(d, again)).collect_view()}</ul> }.into_any()
            }}
        </li>
    }
}

fn delivery(d: DeliveryRow, again: ServerAction<RedeliverWebhook>) -> impl IntoView {
    let i18n = use_i18n();
    let id = d.id;
    let answer = match (d.response_status, d.last_error) {
        (Some(code), _) => format!("HTTP {code}"),
        (None, Some(e)) => e,
        (None, None) => String::new(),
    };
    view! {
        <li data-testid="webhook-delivery">
            <code>{d.event.as_str()}</code>" · "{d.occurred_at}" · "{i18n.t(status_label(d.status))}
            " · "{d.attempts}" "{i18n.t(K::WebhookAttempts)}" · "<span class="muted">{answer}</span>" "
            <button type="button" class="link-button" data-testid="redeliver-webhook"
                on:click=move |_| { again.dispatch(RedeliverWebhook { delivery_id: id }); }>{i18n.t(K::WebhookRedeliver)}</button>
        </li>
    }
}

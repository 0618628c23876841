//! The coaching plan on the card: items with owners and dates, the week's progress, closed by
//! the manager.
use super::i18n::K;
use super::model::CoachingView;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{fill, use_i18n};
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;

#[server(endpoint = "add_coaching_item")]
pub async fn add_coaching_item(plan_id: i64, item: String, owner_id: i64, due_on: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::coaching::add_item(&cx.state, cx.user.id, plan_id, &item, owner_id, &due_on).await
}

#[server(endpoint = "track_coaching_item")]
pub async fn track_coaching_item(
    item_id: i64,
    progress: String,
    #[server(default)] done: bool,
) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let today = super::store::cards::today(&cx.state.org);
    super::store::coaching::track(&cx.state, cx.user.id, item_id, &progress, done, today).await
}

#[server(endpoint = "close_coaching_plan")]
pub async fn close_coaching_plan(plan_id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::coaching::close(&cx.state, cx.user.id, plan_id).await
}

#[component]
pub fn Coaching(plan: CoachingView, manager: bool) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddCoachingItem>::new();
    let track = ServerAction::<TrackCoachingItem>::new();
    let close = ServerAction::<CloseCoachingPlan>::new();
    let month = plan.opened_for.clone();
    let open = !plan.closed;
    let (add_id, close_id) = (plan.id.to_string(), plan.id.to_string());
    let member = plan.member_id.to_string();
    view! {
        <section class="card" data-testid="coaching">
            <h2>{i18n.t(K::CoachingTitle)}</h2>
            <p>{move || fill(i18n.t(K::CoachingOpened)(), &[("month", &month)])}</p>
            {plan.closed.then(|| view! { <p class="muted" data-testid="coaching-closed">{i18n.t(K::CoachingClosed)}</p> })}
            <ul class="outbox">
                {plan.items.into_iter().map(|it| view! {
                    <li data-testid="coaching-item">
                        <strong>{it.item}</strong>" · "{it.owner}" · "{it.due_on}
                        {it.done.then_some(" ✓")}
                        {(!it.progress.is_empty()).then(|| view! { <br /><span class="muted small">{it.checked_on.unwrap_or_default()}": "{it.progress}</span> })}
                        {(open && !it.done).then(|| view! {
                            <ActionForm action=track attr:class="form inline-form">
                                <input type="hidden" name="item_id" value=it.id.to_string() />
                                <input type="text" name="progress" maxlength="500" placeholder=move || i18n.t(K::CoachingProgress)() />
                                <label class="consent"><input type="checkbox" name="done" value="true" />" "{i18n.t(K::CoachingDone)}</label>
                                <button type="submit" class="button">{i18n.t(K::CoachingTrack)}</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            {(manager && open).then(move || view! {
                <ActionForm action=add attr:class="form">
                    <input type="hidden" name="plan_id" value=add_id />
                    <label>{i18n.t(K::CoachingItem)}<input type="text" name="item" maxlength="200" /></label>
                    <input type="hidden" name="owner_id" value=member />
                    <label>{i18n.t(K::CoachingDue)}<input type="date" name="due_on" /></label>
                    <button type="submit" class="button">{i18n.t(K::CoachingAdd)}</button>
                </ActionForm>
                <ActionForm action=close>
                    <input type="hidden" name="plan_id" value=close_id />
                    <button type="submit" class="button" data-testid="coaching-close">{i18n.t(K::CoachingClose)}</button>
                </ActionForm>
            })}
            {move || add.value().get().or(track.value().get()).or(close.value().get()).and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}

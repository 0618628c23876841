//! Marketing's review (PRODUCT.md §2.5): pending and held leads within one business day,
//! decided one by one or in bulk; and the blacklist.
use super::model::{BlacklistKind, BlacklistRow, Decision, ReviewRow};
use crate::features::leads::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

#[server(endpoint = "review_queue")]
pub async fn review_queue() -> Result<Vec<ReviewRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    super::store::review::queue(&state.db.pool, &state.org).await
}

/// Marks leads valid (and assigns them), invalid (with a reason) or duplicate.
#[server(endpoint = "review_leads")]
pub async fn review_leads(
    ids: Vec<i64>,
    decision: Sent<Decision>,
    #[server(default)] note: String,
) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let decision = decision.known(|| AppError::unknown(super::Field::Selection))?;
    super::store::review::decide(&cx.state, &cx.user, &ids, decision, &note).await
}

#[server(endpoint = "list_blacklist")]
pub async fn list_blacklist() -> Result<Vec<BlacklistRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    super::store::blacklist::list(&state.db.pool, &state.org).await
}

#[server(endpoint = "add_blacklist")]
pub async fn add_blacklist(
    kind: Sent<BlacklistKind>,
    value: String,
    #[server(default)] note: String,
) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    let kind = kind.known(|| AppError::unknown(super::Field::BlacklistEntry))?;
    super::store::blacklist::add(&state.db, &state.org, kind, &value, &note).await
}

#[server(endpoint = "remove_blacklist")]
pub async fn remove_blacklist(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::blacklist::remove(&cx.state.db, id).await
}

#[component]
fn Blacklist() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddBlacklist>::new();
    let remove = ServerAction::<RemoveBlacklist>::new();
    let list = resource(move || (add.version().get(), remove.version().get()), |_| list_blacklist());
    view! {
        <section class="card">
            <h2>{i18n.t(K::BlacklistTitle)}</h2>
            <ActionForm action=add attr:class="form">
                <select name="kind" aria-label=i18n.t(K::BlacklistKindLabel)>
                    {BlacklistKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{i18n.t(k.label())}</option> }).collect_view()}
                </select>
                <input type="text" name="value" maxlength="64" required placeholder=i18n.t(K::BlacklistValue) />
                <input type="text" name="note" maxlength="200" placeholder=i18n.t(K::ReasonLabel) />
                <button type="submit" class="button">{i18n.t(C::Add)}</button>
                {move || add.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            </ActionForm>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    show_result(list.await, move |rows| view! {
                        <ul class="plain" data-testid="blacklist">
                            {rows.into_iter().map(|b| {
                                let id = b.id;
                                let kind = b.kind.label();
                                view! {
                                    <li>
                                        <span class="status">{i18n.t(kind)}</span>" "{b.value}" "
                                        <span class="muted">{b.note}" · "{b.created_at}</span>" "
                                        <button type="button" class="link-button" on:click=move |_| { remove.dispatch(RemoveBlacklist { id }); }>
                                            {i18n.t(C::Remove)}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn Review() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ReviewLeads>::new();
    let queue = resource(move || action.version().get(), |_| review_queue());
    let selected = RwSignal::new(Vec::<i64>::new());
    let note = RwSignal::new(String::new());
    let decide = move |ids: Vec<i64>, decision: Decision| {
        action.dispatch(ReviewLeads { ids, decision: decision.into(), note: note.get_untracked() });
        selected.set(Vec::new());
    };
    view! {
        <h1>{i18n.t(K::ReviewTitle)}</h1>
        <div class="card form">
            <label>
                <span>{i18n.t(K::ReasonLabel)}</span>
                <input type="text" maxlength="200" bind:value=note data-testid="review-note" />
            </label>
            <div class="actions">
                <span class="muted">{i18n.t(C::SelectedLeads)}</span>
                <button type="button" class="button" on:click=move |_| decide(selected.get_untracked(), Decision::Valid)>{i18n.t(K::MarkValid)}</button>
                <button type="button" class="button" on:click=move |_| decide(selected.get_untracked(), Decision::Invalid)>{i18n.t(K::MarkInvalid)}</button>
                <button type="button" class="button" on:click=move |_| decide(selected.get_untracked(), Decision::Duplicate)>{i18n.t(K::MarkDuplicate)}</button>
            </div>
            {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        </div>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(queue.await, |rows| {
                    if rows.is_empty() {
                        return view! { <p class="muted" data-testid="review-empty">{i18n.t(K::ReviewEmpty)}</p> }.into_any();
                    }
                    rows.into_iter().map(|row| {
                        let id = row.lead.id;
                        let r = row.lead;
                        view! {
                            <article class="card lead" data-testid="review-row">
                                <label class="pick">
                                    <input type="checkbox" on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        selected.update(|s| { s.retain(|x| *x != id); if on { s.push(id) } });
                                    } />
                                    <b data-testid="review-name">{r.name}</b>
                                    " " {r.phone}
                                </label>
                                <p class="muted">{r.campaign_name}" · "{r.submitted_at}" · "
                                    {r.promoter_name.unwrap_or_default()}</p>
                                <p>
                                    <span class=format!("status status-{}", r.status.as_str())>{i18n.t(r.status.label())}</span>
                                    {row.flag.map(|_| view! { " " <span class="status status-held">{i18n.t(K::FlagDeviceCap)}</span> })}
                                    " "
                                    <span class=if row.overdue { "due overdue" } else { "due" }>
                                        {i18n.t(K::ReviewDue)}": "{row.review_due}
                                        {row.overdue.then(|| view! { " · " {i18n.t(K::Overdue)} })}
                                    </span>
                                </p>
                                <div class="actions">
                                    <button type="button" class="button primary" data-testid="mark-valid" on:click=move |_| decide(vec![id], Decision::Valid)>{i18n.t(K::MarkValid)}</button>
                                    <button type="button" class="button" data-testid="mark-invalid" on:click=move |_| decide(vec![id], Decision::Invalid)>{i18n.t(K::MarkInvalid)}</button>
                                    <button type="button" class="button" on:click=move |_| decide(vec![id], Decision::Duplicate)>{i18n.t(K::MarkDuplicate)}</button>
                                </div>
                            </article>
                        }
                    }).collect_view().into_any()
                })
            })}
        </Transition>
        <Blacklist />
    }
}

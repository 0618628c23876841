use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{BlacklistRow, ReviewRow};
use leptos::prelude::*;

#[server(endpoint = "review_queue")]
pub async fn review_queue() -> Result<Vec<ReviewRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            ssr::review::queue(&state.pool, &state.org).await
        }
        .await,
    )
}

/// Marks leads valid (and assigns them), invalid (with a reason) or duplicate.
#[server(endpoint = "review_leads")]
pub async fn review_leads(ids: Vec<i64>, decision: String, #[server(default)] note: String) -> Result<i64, AppError> {
    use crate::error::{Field, Problem};
    use crate::model::{Decision, Role};
    use crate::ssr;
    ssr::respond(
        async {
            let reviewer = ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let decision =
                Decision::parse(&decision).ok_or(AppError::invalid(Field::Selection, Problem::UnknownChoice))?;
            ssr::review::decide(&ssr::state()?, &reviewer, &ids, decision, &note).await
        }
        .await,
    )
}

#[server(endpoint = "list_blacklist")]
pub async fn list_blacklist() -> Result<Vec<BlacklistRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            ssr::blacklist::list(&state.pool, &state.org).await
        }
        .await,
    )
}

#[server(endpoint = "add_blacklist")]
pub async fn add_blacklist(kind: String, value: String, #[server(default)] note: String) -> Result<i64, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            ssr::blacklist::add(&state.pool, &state.org, &kind, &value, &note).await
        }
        .await,
    )
}

#[server(endpoint = "remove_blacklist")]
pub async fn remove_blacklist(id: i64) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            ssr::blacklist::remove(&ssr::state()?.pool, id).await
        }
        .await,
    )
}

#[component]
fn Blacklist() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddBlacklist>::new();
    let remove = ServerAction::<RemoveBlacklist>::new();
    let list = super::resource(move || (add.version().get(), remove.version().get()), |_| list_blacklist());
    let kind_label = |kind: &str| match kind {
        "phone" => K::BlacklistKindPhone,
        "device" => K::BlacklistKindDevice,
        _ => K::BlacklistKindIp,
    };
    view! {
        <section class="card">
            <h2>{i18n.t(K::BlacklistTitle)}</h2>
            <ActionForm action=add attr:class="form">
                <select name="kind">
                    <option value="phone">{i18n.t(K::BlacklistKindPhone)}</option>
                    <option value="device">{i18n.t(K::BlacklistKindDevice)}</option>
                    <option value="ip">{i18n.t(K::BlacklistKindIp)}</option>
                </select>
                <input type="text" name="value" maxlength="64" required placeholder=i18n.t(K::BlacklistValue) />
                <input type="text" name="note" maxlength="200" placeholder=i18n.t(K::ReasonLabel) />
                <button type="submit" class="button">{i18n.t(K::Add)}</button>
                {move || add.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
            </ActionForm>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    super::show_result(list.await, move |rows| view! {
                        <ul class="plain" data-testid="blacklist">
                            {rows.into_iter().map(|b| {
                                let id = b.id;
                                let kind = kind_label(&b.kind);
                                view! {
                                    <li>
                                        <span class="status">{i18n.t(kind)}</span>" "{b.value}" "
                                        <span class="muted">{b.note}" · "{b.created_at}</span>" "
                                        <button type="button" class="link-button" on:click=move |_| { remove.dispatch(RemoveBlacklist { id }); }>
                                            {i18n.t(K::Remove)}
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
    let queue = super::resource(move || action.version().get(), |_| review_queue());
    let selected = RwSignal::new(Vec::<i64>::new());
    let note = RwSignal::new(String::new());
    let decide = move |ids: Vec<i64>, decision: &'static str| {
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
                <span class="muted">{i18n.t(K::SelectedLeads)}</span>
                <button type="button" class="button" on:click=move |_| decide(selected.get_untracked(), "valid")>{i18n.t(K::MarkValid)}</button>
                <button type="button" class="button" on:click=move |_| decide(selected.get_untracked(), "invalid")>{i18n.t(K::MarkInvalid)}</button>
                <button type="button" class="button" on:click=move |_| decide(selected.get_untracked(), "duplicate")>{i18n.t(K::MarkDuplicate)}</button>
            </div>
            {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
        </div>
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(queue.await, |rows| {
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
                                    <button type="button" class="button primary" data-testid="mark-valid" on:click=move |_| decide(vec![id], "valid")>{i18n.t(K::MarkValid)}</button>
                                    <button type="button" class="button" data-testid="mark-invalid" on:click=move |_| decide(vec![id], "invalid")>{i18n.t(K::MarkInvalid)}</button>
                                    <button type="button" class="button" on:click=move |_| decide(vec![id], "duplicate")>{i18n.t(K::MarkDuplicate)}</button>
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

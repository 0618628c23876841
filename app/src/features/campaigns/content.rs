//! The content library: marketing's calendar (default three items a week). Promoters copy the
//! published items from "my promotion" (`promotion::share_items`).
use super::model::{CampaignListRow, ContentEdit, ContentPlan, ContentRow};
use crate::features::campaigns::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

#[server(endpoint = "content_calendar")]
pub async fn content_calendar() -> Result<ContentPlan, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    super::store::content::calendar(&state.db.pool, &state.org).await
}

#[server(endpoint = "save_content")]
pub async fn save_content(item: ContentEdit) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::content::save(&cx.state.db, &item).await
}

#[server(endpoint = "publish_content")]
pub async fn publish_content(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::content::publish(&cx.state.db, id).await
}

/// Marketing's calendar: four weeks from this Monday, each against the weekly target.
#[component]
pub fn Content() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveContent>::new();
    let publish = ServerAction::<PublishContent>::new();
    let items = resource(move || (save.version().get(), publish.version().get()), |_| content_calendar());
    let campaigns = resource(|| (), |_| super::manage::list_campaigns());
    let campaign = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let publish_on = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveContent {
            item: ContentEdit {
                id: None,
                campaign_id: campaign.get_untracked().parse().unwrap_or_default(),
                title: title.get_untracked(),
                body: body.get_untracked(),
                publish_on: publish_on.get_untracked(),
            },
        });
    };
    view! {
        <h1>{i18n.t(C::ContentTitle)}</h1>
        <p class="muted">{i18n.t(K::ContentHelp)}</p>
        <section class="card">
            <h2>{i18n.t(K::NewContent)}</h2>
            <form class="form" on:submit=submit data-testid="content-form">
                <label>
                    <span>{i18n.t(C::ColCampaign)}</span>
                    <select on:change=move |ev| campaign.set(event_target_value(&ev)) data-testid="content-campaign">
                        <option value="">"—"</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                campaigns.await.unwrap_or_default().into_iter().map(|c: CampaignListRow| {
                                    view! { <option value=c.id.to_string()>{c.name}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label><span>{i18n.t(K::TitleLabel)}</span><input type="text" maxlength="50" bind:value=title data-testid="content-title" /></label>
                <label><span>{i18n.t(K::BodyLabel)}</span><textarea rows="4" maxlength="500" bind:value=body data-testid="content-body"></textarea></label>
                <label><span>{i18n.t(K::PublishOnLabel)}</span><input type="date" bind:value=publish_on data-testid="content-date" /></label>
                {move || save.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="ok">{i18n.t(C::Saved)}</p> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(C::Save)}</button>
            </form>
        </section>
        {move || publish.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(items.await, move |calendar: ContentPlan| {
                    let (per_week, rows) = (calendar.per_week, calendar.items);
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(C::ContentEmpty)}</p> }.into_any();
                    }
                    let weeks = weeks(&rows);
                    let summary = view! {
                        <ul class="plain weeks" data-testid="content-weeks">
                            {weeks.into_iter().map(|(monday, n)| {
                                let class = if n >= per_week { "ok" } else { "muted" };
                                view! {
                                <li class=class>
                                    {i18n.t(K::WeekOf)}" "{monday}": "{n}" / "{per_week}
                                </li>
                            }}).collect_view()}
                        </ul>
                    };
                    let list = rows.into_iter().map(|item| {
                        let id = item.id;
                        let upload = format!("/content/{id}/image");
                        view! {
                            <article class="card" data-testid="content-row">
                                <b>{item.publish_on}" · "{item.title}</b>" "
                                <span class="status">{if item.published { K::PhaseRunning } else { K::PhaseDraft }.text(i18n.locale())}</span>
                                <p class="muted">{item.campaign_name}" · "{i18n.t(K::SharesLabel)}": "{item.shares}</p>
                                <p class="share-text">{item.body}</p>
                                {item.image_url.map(|src| view! { <img class="share-image" src=src alt="" loading="lazy" /> })}
                                // A plain form: uploading works without JavaScript.
                                <form method="post" enctype="multipart/form-data" action=upload class="inline-form">
                                    <input type="file" name="file" accept="image/png,image/jpeg,image/webp" />
                                    <button type="submit" class="button">{i18n.t(C::Upload)}</button>
                                </form>
                                {(!item.published).then(|| view! {
                                    <button type="button" class="button primary" data-testid="publish-content"
                                        on:click=move |_| { publish.dispatch(PublishContent { id }); }>{i18n.t(K::Publish)}</button>
                                })}
                            </article>
                        }
                    }).collect_view();
                    view! { {summary} {list} }.into_any()
                })
            })}
        </Transition>
    }
}

/// Items a week by default (the product's calendar); the organization's setting overrides it.
pub const PER_WEEK: i64 = 3;
/// The setting's key.
pub const PER_WEEK_SETTING: &str = "content_per_week";

/// Items per week, in date order (weeks come from the server: no date parsing in the wasm).
fn weeks(rows: &[ContentRow]) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|(m, _)| *m == r.week_of) {
            Some((_, n)) => *n += 1,
            None => out.push((r.week_of.clone(), 1)),
        }
    }
    out
}

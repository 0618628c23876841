//! The content library: marketing's calendar (default three items a week) and the items a
//! promoter copies in one tap, their own link appended.
use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{CampaignListRow, ContentEdit, ContentRow, ShareItem};
use leptos::prelude::*;

#[server(endpoint = "content_calendar")]
pub async fn content_calendar() -> Result<Vec<ContentRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            ssr::content::calendar(&state.pool, &state.org).await
        }
        .await,
    )
}

#[server(endpoint = "save_content")]
pub async fn save_content(item: ContentEdit) -> Result<i64, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            ssr::content::save(&ssr::state()?.pool, &item).await
        }
        .await,
    )
}

#[server(endpoint = "publish_content")]
pub async fn publish_content(id: i64) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            ssr::content::publish(&ssr::state()?.pool, id).await
        }
        .await,
    )
}

#[server(endpoint = "my_content")]
pub async fn my_content() -> Result<Vec<ShareItem>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&Role::PROMOTERS).await?;
            let state = ssr::state()?;
            let parts = ssr::request_parts()?;
            ssr::content::for_promoter(&state.pool, &state.org, &user, &ssr::base_url(&parts.headers)).await
        }
        .await,
    )
}

#[server(endpoint = "share_content")]
pub async fn share_content(id: i64) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&Role::PROMOTERS).await?;
            ssr::content::record_share(&ssr::state()?, &user, id).await
        }
        .await,
    )
}

/// Items on "my promotion": copy the text (with the link) or save the picture, one tap each.
#[component]
pub fn ShareItems() -> impl IntoView {
    let i18n = use_i18n();
    let items = super::resource(|| (), |_| my_content());
    let share = ServerAction::<ShareContent>::new();
    view! {
        <h2>{i18n.t(K::ContentTitle)}</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                super::show_result(items.await, move |items| {
                    if items.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::ContentEmpty)}</p> }.into_any();
                    }
                    items.into_iter().map(|item| {
                        let id = item.id;
                        let text = item.text.clone();
                        let copied = RwSignal::new(false);
                        view! {
                            <article class="card" data-testid="share-item">
                                <b>{item.title}</b>" "<span class="muted">{item.publish_on}</span>
                                <p class="share-text" data-testid="share-text">{item.text}</p>
                                {item.image_url.clone().map(|src| view! { <img class="share-image" src=src alt="" loading="lazy" /> })}
                                <div class="actions">
                                    <button type="button" class="button primary" data-testid="copy-text" on:click=move |_| {
                                        let _ = window().navigator().clipboard().write_text(&text);
                                        copied.set(true);
                                        share.dispatch(ShareContent { id });
                                    }>
                                        {move || if copied.get() { K::Copied.text(i18n.locale()) } else { K::CopyText.text(i18n.locale()) }}
                                    </button>
                                    {item.image_url.map(|src| view! {
                                        <a class="button" href=src download="" on:click=move |_| { share.dispatch(ShareContent { id }); }>
                                            {i18n.t(K::SaveImage)}
                                        </a>
                                    })}
                                </div>
                            </article>
                        }
                    }).collect_view().into_any()
                })
            })}
        </Suspense>
    }
}

/// Marketing's calendar: four weeks from this Monday, each against the weekly target.
#[component]
pub fn Content() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveContent>::new();
    let publish = ServerAction::<PublishContent>::new();
    let items = super::resource(move || (save.version().get(), publish.version().get()), |_| content_calendar());
    let campaigns = super::resource(|| (), |_| super::campaigns::list_campaigns());
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
        <h1>{i18n.t(K::ContentTitle)}</h1>
        <p class="muted">{i18n.t(K::ContentHelp)}</p>
        <section class="card">
            <h2>{i18n.t(K::NewContent)}</h2>
            <form class="form" on:submit=submit data-testid="content-form">
                <label>
                    <span>{i18n.t(K::ColCampaign)}</span>
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
                    Ok(_) => view! { <p class="ok">{i18n.t(K::Saved)}</p> }.into_any(),
                    Err(error) => view! { <super::ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary">{i18n.t(K::Save)}</button>
            </form>
        </section>
        {move || publish.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(items.await, move |rows: Vec<ContentRow>| {
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::ContentEmpty)}</p> }.into_any();
                    }
                    let weeks = weeks(&rows);
                    let summary = view! {
                        <ul class="plain weeks" data-testid="content-weeks">
                            {weeks.into_iter().map(|(monday, n)| {
                                let class = if n >= PER_WEEK { "ok" } else { "muted" };
                                view! {
                                <li class=class>
                                    {i18n.t(K::WeekOf)}" "{monday}": "{n}" / "{PER_WEEK}
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
                                    <button type="submit" class="button">{i18n.t(K::Upload)}</button>
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

/// Items a week by default (the product's calendar).
pub const PER_WEEK: usize = 3;

/// Items per week, in date order (weeks come from the server: no date parsing in the wasm).
fn weeks(rows: &[ContentRow]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|(m, _)| *m == r.week_of) {
            Some((_, n)) => *n += 1,
            None => out.push((r.week_of.clone(), 1)),
        }
    }
    out
}

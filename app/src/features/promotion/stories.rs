//! Customer stories (seed 000), on `/stories`: a promoter writes one with the customer's
//! consent and adds photos; marketing approves or returns it, and publishes approved ones to
//! the content library. Approved stories count toward activity targets (rewards).
use super::i18n::K;
use super::model::{StoryRow, StoryStatus};
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::Choice;
use leptos::prelude::*;

#[server(endpoint = "submit_story")]
pub async fn submit_story(
    customer_name: String,
    story: String,
    #[server(default)] consent: bool,
    #[server(default)] campaign_id: String,
) -> Result<i64, AppError> {
    use super::model::Field;
    use super::store::stories::{submit, NewStory};
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    // The select's empty choice is no campaign.
    let campaign_id = match campaign_id.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| AppError::unknown(Field::Campaign))?),
    };
    let s = NewStory { customer_name: &customer_name, story: &story, consent, campaign_id };
    submit(&cx.state.db, cx.user.id, s).await
}

/// The viewer's own stories.
#[server(endpoint = "my_stories")]
pub async fn my_stories() -> Result<Vec<StoryRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    super::store::stories::list(&cx.state.db.pool, &cx.state.org, Some(cx.user.id)).await
}

/// The campaigns a story may belong to.
#[server(endpoint = "story_campaigns")]
pub async fn story_campaigns() -> Result<Vec<Choice>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    super::store::stories::campaigns(&cx.state.db.pool).await
}

/// Every story, for marketing to review; `None` for anyone else.
#[server(endpoint = "story_queue")]
pub async fn story_queue() -> Result<Option<Vec<StoryRow>>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::SignedIn).await?;
    if !cx.user.may(Access::Marketing) {
        return Ok(None);
    }
    Ok(Some(super::store::stories::list(&cx.state.db.pool, &cx.state.org, None).await?))
}

#[server(endpoint = "decide_story")]
pub async fn decide_story(id: i64, approve: bool, #[server(default)] note: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::stories::decide(&cx.state.db, &cx.state.org, cx.user.id, id, approve, &note).await
}

#[server(endpoint = "publish_story")]
pub async fn publish_story(id: i64) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::stories::publish(&cx.state.db, &cx.state.org, id).await
}

fn status_label(s: StoryStatus) -> K {
    match s {
        StoryStatus::Pending => K::StoryPending,
        StoryStatus::Approved => K::StoryApproved,
        StoryStatus::Rejected => K::StoryRejected,
    }
}

/// One story, with what its reader may do to it.
#[component]
fn Story(
    story: StoryRow,
    #[prop(optional)] review: Option<(ServerAction<DecideStory>, ServerAction<PublishStory>)>,
    #[prop(optional)] upload: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = story.id.to_string();
    let pending = story.status == StoryStatus::Pending;
    let can_publish = story.status == StoryStatus::Approved && !story.published;
    view! {
        <li class="card" data-testid="story">
            <p><strong>{story.customer_name.clone()}</strong>" · "{story.author.clone()}
                {story.campaign.clone().map(|c| view! { " · "{c} })}" · "
                <span class=format!("status status-{}", match story.status { StoryStatus::Pending => "pending", StoryStatus::Approved => "valid", StoryStatus::Rejected => "rejected" })
                    data-testid="story-status">{i18n.t(status_label(story.status))}</span>
                {story.published.then(|| view! { " · "<span class="muted">{i18n.t(K::StoryPublished)}</span> })}
            </p>
            <p class="share-text">{story.story.clone()}</p>
            <div class="word-list">
                {story.photos.iter().map(|p| view! { <img class="story-photo" src=p.clone() alt="" width="96" height="96" /> }).collect_view()}
            </div>
            {story.review_note.clone().map(|n| view! { <p class="muted small">{i18n.t(K::StoryNote)}": "{n}</p> })}
            {(upload && pending && story.photos.len() < 3).then(|| view! {
                <form method="post" action=format!("/stories/{}/photos", story.id) enctype="multipart/form-data" class="form inline-form">
                    <input type="file" name="file" accept="image/png,image/jpeg,image/webp" data-testid="story-photo" />
                    <button type="submit" class="button">{i18n.t(K::StoryUpload)}</button>
                </form>
            })}
            {review.map(|(decide, publish)| {
                let (a, r, p) = (id.clone(), id.clone(), id.clone());
                view! {
                    {pending.then(|| view! {
                        <ActionForm action=decide attr:class="form inline-form">
                            <input type="hidden" name="id" value=a />
                            <input type="hidden" name="approve" value="true" />
                            <button type="submit" class="button primary" data-testid="story-approve">{i18n.t(K::StoryApprove)}</button>
                        </ActionForm>
                        <ActionForm action=decide attr:class="form inline-form">
                            <input type="hidden" name="id" value=r />
                            <input type="hidden" name="approve" value="false" />
                            <input type="text" name="note" maxlength="200" placeholder=move || i18n.t(K::StoryNote)() />
                            <button type="submit" class="button">{i18n.t(K::StoryReject)}</button>
                        </ActionForm>
                    })}
                    {can_publish.then(|| view! {
                        <ActionForm action=publish>
                            <input type="hidden" name="id" value=p />
                            <button type="submit" class="button" data-testid="story-publish">{i18n.t(K::StoryPublish)}</button>
                        </ActionForm>
                    })}
                }
            })}
        </li>
    }
}

#[component]
pub fn StoriesPage() -> impl IntoView {
    let i18n = use_i18n();
    let submit = ServerAction::<SubmitStory>::new();
    let decide = ServerAction::<DecideStory>::new();
    let publish = ServerAction::<PublishStory>::new();
    let mine = resource(move || submit.version().get(), |_| my_stories());
    // The form stays as typed while the list below refreshes.
    let campaigns = resource(|| (), |_| story_campaigns());
    let queue = resource(move || (decide.version().get(), publish.version().get()), |_| story_queue());
    view! {
        <h1>{i18n.t(K::StoriesTitle)}</h1>
        <p class="muted">{i18n.t(K::StoriesHint)}</p>
        <ActionForm action=submit attr:class="form card" attr:data-testid="story-form">
            <label>{i18n.t(K::StoryCustomer)}<input type="text" name="customer_name" maxlength="50" data-testid="story-customer" /></label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = campaigns.await.unwrap_or_default();
                    view! {
                        <label>{i18n.t(K::StoryCampaign)}
                            <select name="campaign_id" data-testid="story-campaign">
                                <option value="">{i18n.t(K::StoryNoCampaign)}</option>
                                {choices.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Suspense>
            <label>{i18n.t(K::StoryText)}<textarea name="story" rows="5" maxlength="500" data-testid="story-text"></textarea></label>
            <label class="consent"><input type="checkbox" name="consent" value="true" data-testid="story-consent" />" "{i18n.t(K::StoryConsent)}</label>
            {move || submit.value().get().map(|r| match r {
                Ok(_) => view! { <p class="ok" data-testid="story-submitted">{i18n.t(K::StorySubmitted)}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            <button type="submit" class="button primary" data-testid="story-submit">{i18n.t(K::StorySubmit)}</button>
        </ActionForm>
        <h2>{i18n.t(K::StoryMine)}</h2>
        <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(mine.await, |stories: Vec<StoryRow>| if stories.is_empty() {
                    view! { <p class="muted">{i18n.t(K::StoryNone)}</p> }.into_any()
                } else {
                    view! { <ul class="stories">{stories.into_iter().map(|story| view! { <Story story upload=true /> }).collect_view()}</ul> }.into_any()
                })
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(queue.await, move |q: Option<Vec<StoryRow>>| q.map(|q| view! {
                    <h2>{i18n.t(K::StoryQueue)}</h2>
                    <ul class="stories" data-testid="story-queue">
                        {q.into_iter().map(|story| view! { <Story story review=(decide, publish) /> }).collect_view()}
                    </ul>
                    {move || decide.value().get().or(publish.value().get().map(|r| r.map(|_| ()))).and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
                }))
            })}
        </Suspense>
    }
}

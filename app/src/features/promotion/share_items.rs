//! The content library as promoters use it: published items with their own link appended,
//! copied or saved in one tap (each a share).
use super::model::ShareItem;
use crate::features::promotion::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use leptos::prelude::*;

#[server(endpoint = "my_content")]
pub async fn my_content() -> Result<Vec<ShareItem>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    let state = &cx.state;
    super::store::links::content_for(&state.db, &state.org, &cx.user, &cx.base_url()).await
}

#[server(endpoint = "share_content")]
pub async fn share_content(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    super::store::links::record_content_share(&cx.state, &cx.user, id).await
}

/// Items on "my promotion": copy the text (with the link) or save the picture, one tap each.
#[component]
pub fn ShareItems() -> impl IntoView {
    let i18n = use_i18n();
    let items = resource(|| (), |_| my_content());
    let share = ServerAction::<ShareContent>::new();
    view! {
        <h2>{i18n.t(C::ContentTitle)}</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(items.await, move |items| {
                    if items.is_empty() {
                        return view! { <p class="muted">{i18n.t(C::ContentEmpty)}</p> }.into_any();
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

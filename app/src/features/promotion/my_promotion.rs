//! "My promotion" (我的推广): the running campaigns a promoter takes part in, each with their
//! personal link, its numbers this month, the form to fill in for a customer, the QR code and
//! the poster.
use super::model::{PromoCard, ShareKind};
use crate::features::promotion::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use leptos::prelude::*;

/// The signed-in promoter's running campaigns with their personal links.
#[server(endpoint = "load_my_promotion")]
pub async fn load_my_promotion() -> Result<Vec<PromoCard>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    let state = &cx.state;
    super::store::links::cards(&state.db, &state.org, &cx.user, &cx.base_url()).await
}

#[component]
fn CampaignCard(card: PromoCard) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let url = card.link_url.clone();
    let share = ServerAction::<super::poster::RecordShare>::new();
    let code = card.code.clone();
    let copy = move |_| {
        // The input beside the button stays selectable where the clipboard API is blocked.
        let _ = window().navigator().clipboard().write_text(&url);
        copied.set(true);
        share.dispatch(super::poster::RecordShare { code: code.clone(), kind: ShareKind::Link.into() });
    };
    let poster_card = card.clone();
    view! {
        <article class="card campaign" data-testid="promo-card">
            <h2>{card.campaign_name}</h2>
            <p><span class="muted">{i18n.t(C::Product)}": "</span>{card.product}</p>
            <ul class="points">
                {card.selling_points.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <dl class="stats" data-testid="promo-stats">
                <div><dt>{i18n.t(C::StatClicks)}</dt><dd data-testid="stat-clicks">{card.clicks}</dd></div>
                <div><dt>{i18n.t(K::StatVisitors)}</dt><dd data-testid="stat-visitors">{card.unique_visitors}</dd></div>
                <div><dt>{i18n.t(C::StatShares)}</dt><dd data-testid="stat-shares">{card.shares}</dd></div>
            </dl>
            <label class="link-box">
                <span>{i18n.t(K::MyLink)}</span>
                <input type="text" readonly value=card.link_url data-testid="my-link" />
            </label>
            <div class="actions">
                <button type="button" class="button primary" on:click=copy data-testid="copy-link">
                    {move || if copied.get() { K::Copied.text(i18n.locale()) } else { K::CopyLink.text(i18n.locale()) }}
                </button>
                // The same form the prospect sees, credited to this promoter.
                <a href=card.on_behalf_path class="button" data-testid="on-behalf">{i18n.t(K::SubmitOnBehalf)}</a>
                // The same QR code as an SVG, sharp at any print size.
                <a href=format!("/qr/{}.svg?ch=qr", card.code) class="button" rel="external" target="_blank">{i18n.t(K::PrintQr)}</a>
            </div>
            <super::poster::Poster card=poster_card />
        </article>
    }
}

/// The promoter's campaign cards.
#[component]
pub fn PromoCards() -> impl IntoView {
    let i18n = use_i18n();
    let cards = resource(|| (), |_| load_my_promotion());
    view! {
        <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(cards.await, |cards| {
                    if cards.is_empty() {
                        view! { <p class="muted">{i18n.t(K::MyPromotionEmpty)}</p> }.into_any()
                    } else {
                        cards.into_iter().map(|card| view! { <CampaignCard card /> }).collect_view().into_any()
                    }
                })
            })}
        </Suspense>
    }
}

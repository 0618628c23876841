use crate::domain::money::format_yuan;
use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{MyLeadRow, MyNumbers, PromoCard};
use leptos::prelude::*;

/// The signed-in promoter's running campaigns with their personal links.
#[server(endpoint = "load_my_promotion")]
pub async fn load_my_promotion() -> Result<Vec<PromoCard>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&Role::PROMOTERS).await?;
            let state = ssr::state()?;
            let parts = ssr::request_parts()?;
            ssr::campaigns::my_promotion(&state.pool, &state.org, &user, &ssr::base_url(&parts.headers)).await
        }
        .await,
    )
}

/// The promoter's own leads, phones masked.
#[server(endpoint = "my_leads")]
pub async fn my_leads() -> Result<Vec<MyLeadRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&Role::PROMOTERS).await?;
            let state = ssr::state()?;
            ssr::leads::for_promoter(&state.pool, &state.org, user.id).await
        }
        .await,
    )
}

/// The promoter's numbers this month, rank and department targets.
#[server(endpoint = "load_my_numbers")]
pub async fn load_my_numbers() -> Result<MyNumbers, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&Role::PROMOTERS).await?;
            ssr::dashboard::my_numbers(&ssr::state()?, &user).await
        }
        .await,
    )
}

#[component]
fn MyNumbersCard() -> impl IntoView {
    let i18n = use_i18n();
    let numbers = super::resource(|| (), |_| load_my_numbers());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                super::show_result(numbers.await, move |n: MyNumbers| view! {
                    <section class="card" data-testid="my-numbers">
                        <h2>{i18n.t(K::MyNumbersTitle)}" "<span class="muted">{n.month.clone()}</span></h2>
                        <p class="headline" data-testid="shares-brought">{i18n.t(K::SharesBroughtPrefix)}" "<b>{n.leads_from_shares}</b>" "{i18n.t(K::SharesBroughtSuffix)}</p>
                        <dl class="stats">
                            <div><dt>{i18n.t(K::StatClicks)}</dt><dd data-testid="my-clicks">{n.clicks}</dd></div>
                            <div><dt>{i18n.t(K::StatShares)}</dt><dd data-testid="my-shares">{n.shares}</dd></div>
                            <div><dt>{i18n.t(K::StatLeads)}</dt><dd data-testid="my-leads-count">{n.leads}</dd></div>
                            <div><dt>{i18n.t(K::StatusValid)}</dt><dd>{n.leads_valid}</dd></div>
                            <div><dt>{i18n.t(K::StatusPending)}</dt><dd>{n.leads_pending}</dd></div>
                            <div><dt>{i18n.t(K::StatusDuplicate)}</dt><dd>{n.leads_duplicate}</dd></div>
                            <div><dt>{i18n.t(K::StatusInvalid)}</dt><dd>{n.leads_invalid}</dd></div>
                            <div><dt>{i18n.t(K::StatDeals)}</dt><dd data-testid="my-deals">{n.deals}</dd></div>
                            <div><dt>{i18n.t(K::DealAmount)}</dt><dd>{format_yuan(n.deal_amount_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardPending)}</dt><dd>{format_yuan(n.pending_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardVested)}</dt><dd>{format_yuan(n.vested_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardPaid)}</dt><dd>{format_yuan(n.paid_fen)}</dd></div>
                            <div><dt>{i18n.t(K::MyRank)}</dt><dd data-testid="my-rank">{match n.rank { Some(r) => format!("#{r}"), None => K::NoRankYet.text(i18n.locale()).to_string() }}</dd></div>
                        </dl>
                        {(!n.department_targets.is_empty()).then(|| view! {
                            <h3>{i18n.t(K::MyTeamTargets)}</h3>
                            <super::dashboard::Targets targets=n.department_targets.clone() />
                        })}
                    </section>
                })
            })}
        </Suspense>
    }
}

#[component]
fn MyLeads() -> impl IntoView {
    let i18n = use_i18n();
    let leads = super::resource(|| (), |_| my_leads());
    view! {
        <h2>{i18n.t(K::MyLeadsTitle)}</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                super::show_result(leads.await, |rows| {
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::MyLeadsEmpty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="plain my-leads">
                            {rows.into_iter().map(|r| view! {
                                <li class="card" data-testid="my-lead">
                                    <b>{r.name}</b>" "<span data-testid="my-lead-phone">{r.phone_masked}</span>
                                    <br />
                                    <span class="muted">{r.submitted_at}" · "{r.campaign_name}</span>" "
                                    <span class=format!("status status-{}", r.status.as_str()) data-testid="my-lead-status">{i18n.t(r.status.label())}</span>
                                    {r.stage.map(|s| view! { " " <span class="status status-valid" data-testid="my-lead-stage">{i18n.t(s.label())}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn MyPromotion() -> impl IntoView {
    let i18n = use_i18n();
    let cards = super::resource(|| (), |_| load_my_promotion());
    view! {
        <h1>{i18n.t(K::MyPromotionTitle)}</h1>
        <MyNumbersCard />
        <Suspense fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(cards.await, |cards| {
                    if cards.is_empty() {
                        view! { <p class="muted">{i18n.t(K::MyPromotionEmpty)}</p> }.into_any()
                    } else {
                        cards.into_iter().map(|card| view! { <CampaignCard card /> }).collect_view().into_any()
                    }
                })
            })}
        </Suspense>
        <super::content::ShareItems />
        <MyLeads />
    }
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
        share.dispatch(super::poster::RecordShare { code: code.clone(), kind: "link".into() });
    };
    let poster_card = card.clone();
    view! {
        <article class="card campaign" data-testid="promo-card">
            <h2>{card.campaign_name}</h2>
            <p><span class="muted">{i18n.t(K::Product)}": "</span>{card.product}</p>
            <ul class="points">
                {card.selling_points.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <dl class="stats" data-testid="promo-stats">
                <div><dt>{i18n.t(K::StatClicks)}</dt><dd data-testid="stat-clicks">{card.clicks}</dd></div>
                <div><dt>{i18n.t(K::StatVisitors)}</dt><dd data-testid="stat-visitors">{card.unique_visitors}</dd></div>
                <div><dt>{i18n.t(K::StatShares)}</dt><dd data-testid="stat-shares">{card.shares}</dd></div>
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

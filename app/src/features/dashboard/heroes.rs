//! The hero board (英雄榜): this month's and this quarter's Top 10 (a setting) by deal amount,
//! for staff.
use super::model::{HeroBoard, HeroRow};
use crate::features::dashboard::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[server(endpoint = "load_hero_board")]
pub async fn load_hero_board() -> Result<HeroBoard, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let state = &cx.state;
    super::store::heroes::hero_board(&state.db.pool, &state.org).await
}

#[component]
fn HeroTable(title: K, size: i64, period: String, rows: Vec<HeroRow>, id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let title = move || crate::plumbing::i18n::fill(title.text(i18n.locale()), &[("n", &size.to_string())]);
    view! {
        <section class="card" data-testid=id>
            <h2>{title}" "<span class="muted">{period}</span></h2>
            {if rows.is_empty() {
                view! { <p class="muted">{i18n.t(K::HeroEmpty)}</p> }.into_any()
            } else {
                view! {
                    <ol class="heroes">
                        {rows.into_iter().map(|r| view! {
                            <li data-testid="hero">
                                <span class="rank">{r.rank}</span>
                                <span class="who"><b data-testid="hero-name">{r.name}</b><br /><span class="muted">{r.department}</span></span>
                                <span class="num"><b data-testid="hero-amount">{format_yuan(r.deal_amount_fen)}</b><br />
                                    <span class="muted">{i18n.t(K::StatDeals)}" "{r.deals}" · "{i18n.t(K::StatLeads)}" "{r.leads}</span></span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn HeroBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u64);
    let board = resource(move || tick.get(), |_| load_hero_board());
    view! {
        <h1>{i18n.t(K::HeroBoardTitle)}</h1>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(board.await, |b: HeroBoard| view! {
                    {b.star.clone().map(|s| view! {
                        <section class="card headline" data-testid="star">
                            <h2>{i18n.t(K::StarTitle)}" "<span class="muted">{b.month.clone()}</span></h2>
                            <p><b data-testid="star-name">{s.name}</b>" · "<span class="muted">{s.department}</span>" · "
                                {i18n.t(K::StarScore)}" "<b data-testid="star-score">{s.score}</b></p>
                        </section>
                    })}
                    <HeroTable title=K::HeroMonthly size=b.size period=b.month rows=b.monthly id="heroes-monthly" />
                    <HeroTable title=K::HeroQuarterly size=b.size period=b.quarter rows=b.quarterly id="heroes-quarterly" />
                })
            })}
        </Transition>
    }
}

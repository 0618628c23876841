//! What-if: before a rule is published, marketing replays a past period's facts under it and
//! sees what the organization would have paid against what it did, by group and by the
//! promoters it changes most, each line explained. Nothing is written.
use super::model::{promoter_kind_label, WhatIf, WhatIfLine, WhatIfPromoter};
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, Locale, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::money::{format_bp, format_centi, format_yuan};
use leptos::prelude::*;

/// The past periods offered for a replay, newest first: the last four quarters and the last
/// six months, in the organization's calendar.
#[server(endpoint = "replay_periods")]
pub async fn replay_periods() -> Result<Vec<String>, AppError> {
    use crate::plumbing::serve::*;
    use crate::shared::period::Period;
    let cx = authorize(Access::Marketing).await?;
    let now = chrono::Utc::now();
    let tz = cx.state.org.tz;
    let quarters = std::iter::successors(Some(Period::quarter_of(now, tz).previous()), |p| Some(p.previous()));
    let months = std::iter::successors(Some(Period::month_of(now, tz).previous()), |p| Some(p.previous()));
    Ok(quarters.take(4).chain(months.take(6)).map(|p| p.key()).collect())
}

/// Replays `period` (a month or quarter that has ended) under the rule `spec` (as typed).
#[server(endpoint = "replay_rule")]
pub async fn replay_rule(spec: String, period: String) -> Result<WhatIf, AppError> {
    use super::model::Field;
    use crate::plumbing::serve::*;
    use crate::shared::period::{local_date, Period};
    let cx = authorize(Access::Marketing).await?;
    let rule = super::store::rules::parse_rule(&spec)?;
    let period = Period::parse_key(&period)
        .filter(|p| matches!(p, Period::Month { .. } | Period::Quarter { .. }))
        .ok_or(AppError::invalid(Field::Period, Problem::Date))?;
    if period.dates().1 >= local_date(chrono::Utc::now(), cx.state.org.tz) {
        return Err(AppError::invalid(Field::Period, Problem::said(K::ProblemPastPeriod)));
    }
    super::store::replay::what_if(&cx.state, &rule, period).await
}

/// The replay of the rule being edited (`spec`), on a period chosen from the recent ones.
#[component]
pub fn WhatIfPanel(spec: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let periods = resource(|| (), |_| replay_periods());
    let period = RwSignal::new(String::new());
    let replay = ServerAction::<ReplayRule>::new();
    // A result belongs to the rule it was replayed for: a change to the rule clears it.
    Effect::watch(move || spec.get(), move |_, _, _| replay.value().set(None), false);
    view! {
        <section class="card" data-testid="what-if">
            <h2>{i18n.t(K::WhatIfTitle)}</h2>
            <p class="muted">{i18n.t(K::WhatIfHint)}</p>
            <form class="form inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                replay.dispatch(ReplayRule { spec: spec.get_untracked(), period: period.get_untracked() });
            }>
                <label>{i18n.t(C::PeriodLabel)}
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            show_result(periods.await, move |list: Vec<String>| {
                                if period.get_untracked().is_empty() {
                                    period.set(list.first().cloned().unwrap_or_default());
                                }
                                view! {
                                    <select name="period" data-testid="what-if-period" on:change=move |ev| period.set(event_target_value(&ev))>
                                        {list.into_iter().map(|p| {
                                            let selected = p == period.get_untracked();
                                            view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                }
                            })
                        })}
                    </Transition>
                </label>
                <button type="submit" class="button" disabled=move || replay.pending().get() data-testid="what-if-run">
                    {move || if replay.pending().get() { i18n.t(K::WhatIfRunning) } else { i18n.t(K::WhatIfRun) }}
                </button>
            </form>
            {move || replay.value().get().map(|r| match r {
                Ok(w) => view! { <WhatIfResult w /> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
        </section>
    }
}

fn row(label: impl IntoView, before: String, after: String, delta: String) -> impl IntoView {
    view! { <tr><th scope="row">{label}</th><td class="num">{before}</td><td class="num">{after}</td><td class="num">{delta}</td></tr> }
}

fn change(before: i64, after: i64) -> String {
    let d = after - before;
    format!("{}{}", if d > 0 { "+" } else { "" }, format_yuan(d))
}

#[component]
fn WhatIfResult(w: WhatIf) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div data-testid="what-if-result">
            <p>{i18n.t(C::PeriodLabel)}" "{w.period.clone()}" · "{i18n.t(K::WhatIfChanged)}": "<strong data-testid="what-if-changed">{w.promoters_changed}</strong></p>
            // Wider than a phone: it scrolls sideways inside its box, not the page.
            <div class="table-wrap" tabindex="0"><table class="table">
                <thead><tr><th></th><th class="num">{i18n.t(K::WhatIfBefore)}</th><th class="num">{i18n.t(K::WhatIfAfter)}</th><th class="num">{i18n.t(K::WhatIfDelta)}</th></tr></thead>
                <tbody>
                    <tr data-testid="what-if-cost">
                        <th scope="row">{i18n.t(K::WhatIfCost)}</th>
                        <td class="num">{format_yuan(w.before_fen)}</td>
                        <td class="num">{format_yuan(w.after_fen)}</td>
                        <td class="num">{change(w.before_fen, w.after_fen)}</td>
                    </tr>
                    {row(i18n.t(K::WhatIfRoi), format_centi(w.roi_before_centi), format_centi(w.roi_after_centi), String::new())}
                    {row(i18n.t(K::WhatIfCostRatio), format_bp(w.cost_ratio_before_bp), format_bp(w.cost_ratio_after_bp), String::new())}
                    {w.groups.into_iter().map(|g| {
                        let label = view! { {i18n.t(promoter_kind_label(g.kind))}{g.department.map(|d| format!(" · {d}"))} };
                        row(label, format_yuan(g.before_fen), format_yuan(g.after_fen), change(g.before_fen, g.after_fen))
                    }).collect_view()}
                </tbody>
            </table></div>
            <h3>{i18n.t(K::WhatIfMovers)}</h3>
            <ul class="list" data-testid="what-if-movers">
                {w.movers.into_iter().map(|m| view! { <Mover m /> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn Mover(m: WhatIfPromoter) -> impl IntoView {
    let i18n = use_i18n();
    let lines = move |lines: Vec<WhatIfLine>| {
        lines
            .into_iter()
            .map(|l| {
                let text = if i18n.locale() == Locale::En { l.explanation_en } else { l.explanation_zh };
                view! { <li>{text}" → "{format_yuan(l.amount_fen)}</li> }
            })
            .collect_view()
    };
    view! {
        <li>
            <details>
                <summary>{m.name.clone()}": "{format_yuan(m.before_fen)}" → "{format_yuan(m.after_fen)}" ("{change(m.before_fen, m.after_fen)}")"</summary>
                <p class="muted">{i18n.t(K::WhatIfBefore)}</p>
                <ul>{lines(m.before_lines)}</ul>
                <p class="muted">{i18n.t(K::WhatIfAfter)}</p>
                <ul>{lines(m.after_lines)}</ul>
            </details>
        </li>
    }
}

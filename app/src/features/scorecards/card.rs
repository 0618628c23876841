//! A member's scorecard: each line with its figures, the manager's items, the grade, the last
//! 12 months; on their phone the member writes the self-assessment and acknowledges the result.
use super::i18n::K;
use super::model::{ScorecardView, SelfAssessment};
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{fill, use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

/// A member's card for a period (`""`: last month); `member` 0 is the viewer's own.
#[server(endpoint = "load_scorecard")]
pub async fn load_scorecard(
    #[server(default)] member_id: i64,
    #[server(default)] period: String,
) -> Result<ScorecardView, AppError> {
    use super::store::cards::{self, Viewer};
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let viewer = Viewer::of(&cx.state.db.pool, cx.user.id, cx.user.has_any(&[Role::Admin])).await?;
    let member = if member_id == 0 { cx.user.id } else { member_id };
    let period = if period.trim().is_empty() { cards::default_period(&cx.state.org) } else { period };
    let locale = crate::plumbing::http::locale(&cx.parts.headers);
    cards::load(&cx.state, &viewer, member, &period, locale).await
}

#[server(endpoint = "submit_self_assessment")]
pub async fn submit_self_assessment(
    period: String,
    results: String,
    shortfalls: String,
    plan: String,
) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let s = SelfAssessment { results, shortfalls, plan };
    super::store::scoring::self_assess(&cx.state, cx.user.id, &period, &s).await
}

#[server(endpoint = "acknowledge_scorecard")]
pub async fn acknowledge_scorecard(period: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::scoring::acknowledge(&cx.state, cx.user.id, &period).await
}

/// The last 12 months as bars out of 100.
#[component]
fn History(history: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    // Twelve slots, the latest month on the right.
    let first_slot = 12usize.saturating_sub(history.len());
    let bars = history
        .iter()
        .enumerate()
        .map(|(i, (period, score))| {
            let s: f64 = score.parse().unwrap_or(0.0);
            let h = (s.clamp(0.0, 110.0) / 110.0 * 100.0).round();
            let w = 25.0;
            let x = (first_slot + i) as f64 * w + w * 0.15;
            let label = period.get(5..).unwrap_or(period).to_string();
            view! {
                <g data-testid="history-bar">
                    <rect class=if s < 60.0 { "bar low" } else { "bar" } x=x y=110.0 - h width=w * 0.7 height=h><title>{format!("{period}: {score}")}</title></rect>
                    <text class="tick" x=x + w * 0.35 y=107.0 - h text-anchor="middle">{score.trim_end_matches(".00").to_string()}</text>
                    <text class="tick" x=x + w * 0.35 y="124" text-anchor="middle">{label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{i18n.t(K::History)}</h2>
            <svg class="trend history" viewBox="0 0 300 128" role="img" aria-label=move || i18n.t(K::History)()>
                <line class="axis" x1="0" x2="300" y1="55.5" y2="55.5" />
                {bars}
            </svg>
        </section>
    }
}

/// The card itself, shared by the member's page and the manager's.
#[component]
pub fn Card(card: ScorecardView) -> impl IntoView {
    let i18n = use_i18n();
    let counts = card.calibrated.clone().or(card.score.clone());
    let note = if card.frozen { K::Frozen } else { K::Live };
    let freeze_on = card.freeze_on.clone();
    let calibrated = card.calibrated.clone().map(|c| {
        let (score, reason) =
            (card.score.clone().unwrap_or_default(), card.calibration_reason.clone().unwrap_or_default());
        move || fill(i18n.t(K::CalibratedFrom)(), &[("score", &score), ("calibrated", &c), ("reason", &reason)])
    });
    let lines = card.lines.clone();
    let items = card.items.clone();
    view! {
        <section class="card" data-testid="scorecard">
            <p class="muted">{card.member.clone()}" · "{card.team.clone()}" · "{card.period.clone()}" · "
                {move || fill(i18n.t(note)(), &[("day", &freeze_on)])}</p>
            <dl class="kpis">
                <div class="kpi"><dt>{i18n.t(K::Total)}</dt><dd data-testid="scorecard-score">{counts.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div class="kpi"><dt>{i18n.t(K::Grade)}</dt><dd data-testid="scorecard-grade">{card.grade.map(|g| g.as_str().to_string()).unwrap_or_else(|| "—".into())}</dd></div>
                <div class="kpi"><dt>{i18n.t(K::Quantitative)}</dt><dd data-testid="scorecard-quantitative">{card.quantitative.clone()}</dd></div>
                <div class="kpi"><dt>{i18n.t(K::Qualitative)}</dt><dd>{card.qualitative.clone().unwrap_or_else(|| "—".into())}</dd></div>
                {card.bonus_factor.map(|f| view! { <div class="kpi"><dt>{i18n.t(K::BonusFactor)}</dt><dd data-testid="scorecard-factor">{f}"%"</dd></div> })}
            </dl>
            {counts.is_none().then(|| view! { <p class="muted">{i18n.t(K::NotScored)}</p> })}
            {calibrated.map(|text| view! { <p class="explained" data-testid="scorecard-calibrated">{text}</p> })}
            <div class="table-wrap" tabindex="0">
                <table class="table cards">
                    <thead><tr><th>{i18n.t(K::IndicatorLabel)}</th><th class="num">{i18n.t(K::Weight)}</th><th class="num">{i18n.t(K::Actual)}</th><th class="num">{i18n.t(K::TargetLabel)}</th><th class="num">{i18n.t(K::Points)}</th><th>{i18n.t(K::Source)}</th></tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| view! {
                            <tr data-testid=format!("line-{}", l.indicator.as_str())>
                                <td data-label=move || i18n.t(K::IndicatorLabel)()>{i18n.t(l.indicator.label())}</td>
                                <td class="num" data-label=move || i18n.t(K::Weight)()>{l.weight}</td>
                                <td class="num" data-label=move || i18n.t(K::Actual)()>{l.actual}</td>
                                <td class="num" data-label=move || i18n.t(K::TargetLabel)()>{l.target.unwrap_or_else(|| "—".into())}</td>
                                <td class="num" data-label=move || i18n.t(K::Points)() data-testid="line-points">
                                    {match l.points { Some(p) => view! { {p} }.into_any(), None => view! { <span class="muted small">{i18n.t(K::NoTarget)}</span> }.into_any() }}
                                </td>
                                <td class="muted small" data-label=move || i18n.t(K::Source)()>{l.source}</td>
                            </tr>
                        }).collect_view()}
                        {items.into_iter().map(|it| view! {
                            <tr data-testid=format!("line-{}", it.indicator.as_str())>
                                <td data-label=move || i18n.t(K::IndicatorLabel)()>{i18n.t(it.indicator.label())}</td>
                                <td class="num" data-label=move || i18n.t(K::Weight)()>{it.indicator.weight().to_string()}</td>
                                <td class="num" data-label=move || i18n.t(K::Actual)()>{it.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}
                                    {(!it.peers.is_empty()).then(|| format!(" ({})", it.peers.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")))}</td>
                                <td class="num" data-label=move || i18n.t(K::TargetLabel)()>"100"</td>
                                <td class="num" data-label=move || i18n.t(K::Points)() data-testid="line-points">{it.points.unwrap_or_else(|| "—".into())}</td>
                                <td class="small" data-label=move || i18n.t(K::ExampleLabel)()>{it.example}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {(!card.history.is_empty()).then(|| view! { <History history=card.history.clone() /> })}
        {card.coaching.clone().map(|plan| view! { <super::coaching_view::Coaching plan manager=card.can_score /> })}
    }
}

/// The member's own card, on their phone.
#[component]
pub fn MyScorecardPage() -> impl IntoView {
    let i18n = use_i18n();
    let period = RwSignal::new(String::new());
    let assess = ServerAction::<SubmitSelfAssessment>::new();
    let ack = ServerAction::<AcknowledgeScorecard>::new();
    let card =
        resource(move || (period.get(), assess.version().get(), ack.version().get()), |(p, _, _)| load_scorecard(0, p));
    view! {
        <h1>{i18n.t(K::MyTitle)}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(card.await, |c: ScorecardView| {
                    let key = c.period.clone();
                    let periods = c.periods.clone();
                    let (k1, k2) = (key.clone(), key.clone());
                    let ack_needed = c.score.is_some() && !c.acknowledged;
                    let by = c.acknowledge_by.clone().unwrap_or_default();
                    view! {
                        <label class="form">{i18n.t(K::PeriodLabel)}
                            <select data-testid="scorecard-period" prop:value=key.clone() on:change=move |ev| period.set(event_target_value(&ev))>
                                {periods.into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        {ack_needed.then(|| view! {
                            <section class="card" data-testid="acknowledge">
                                <p>{move || fill(i18n.t(K::AcknowledgeBy)(), &[("day", &by)])}</p>
                                <ActionForm action=ack>
                                    <input type="hidden" name="period" value=k1 />
                                    <button type="submit" class="button primary" data-testid="acknowledge-button">{i18n.t(K::Acknowledge)}</button>
                                </ActionForm>
                            </section>
                        })}
                        {c.acknowledged.then(|| view! { <p class="ok" data-testid="acknowledged">{i18n.t(K::Acknowledged)}</p> })}
                        <Card card=c.clone() />
                        <SelfForm assess period=k2 current=c.self_assessment.clone().unwrap_or_default() />
                    }
                })
            })}
        </Suspense>
        {move || ack.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
    }
}

#[component]
fn SelfForm(assess: ServerAction<SubmitSelfAssessment>, period: String, current: SelfAssessment) -> impl IntoView {
    let i18n = use_i18n();
    let area = move |name: &'static str, label: K, value: String| {
        view! {
            <label>{i18n.t(label)}<textarea name=name rows="3" maxlength="2000" data-testid=format!("self-{name}")>{value}</textarea></label>
        }
    };
    let first = current.results.is_empty();
    view! {
        <details class="card" open=first>
            <summary>{i18n.t(K::SelfTitle)}</summary>
            <ActionForm action=assess attr:class="form">
                <input type="hidden" name="period" value=period />
                {area("results", K::SelfResults, current.results)}
                {area("shortfalls", K::SelfShortfalls, current.shortfalls)}
                {area("plan", K::SelfPlan, current.plan)}
                {move || assess.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
                <button type="submit" class="button" data-testid="self-submit">{i18n.t(K::SelfSubmit)}</button>
            </ActionForm>
        </details>
    }
}

//! The manager's forms on a member's card: the period's targets, the qualitative scores with
//! their examples; the committee's calibration with its reason.
use super::i18n::K;
use super::model::{Field, ScorecardView};
use super::rules::Indicator;
use super::team::{CalibrateScorecard, ScoreMember, SetScorecardTarget};
use crate::plumbing::errors::{AppError, FormField};
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;

/// The error about one field of an action's last answer, shown under its input.
fn error_of<T: Clone + Send + Sync + 'static>(result: Option<Result<T, AppError>>, field: Field) -> Option<AppError> {
    match result {
        Some(Err(AppError::Invalid(errors))) => {
            let mine: Vec<_> = errors.into_iter().filter(|e| e.field == field.name()).collect();
            (!mine.is_empty()).then_some(AppError::Invalid(mine))
        }
        _ => None,
    }
}

#[component]
pub fn Targets(target: ServerAction<SetScorecardTarget>, card: ScorecardView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="card">
            <summary>{i18n.t(K::TargetsTitle)}</summary>
            <p class="muted">{i18n.t(K::TargetHint)}</p>
            {card.lines.into_iter().map(|l| {
                let (member, period) = (card.member_id.to_string(), card.period.clone());
                view! {
                    <ActionForm action=target attr:class="form inline-form">
                        <input type="hidden" name="member_id" value=member />
                        <input type="hidden" name="period" value=period />
                        <input type="hidden" name="indicator" value=l.indicator.as_str() />
                        <label>{i18n.t(l.indicator.label())}
                            <input type="text" name="target" inputmode="decimal" maxlength="20" value=l.target.clone().unwrap_or_default()
                                data-testid=format!("target-{}", l.indicator.as_str()) />
                        </label>
                        <button type="submit" class="button" data-testid=format!("target-save-{}", l.indicator.as_str())>{i18n.t(C::Save)}</button>
                    </ActionForm>
                }
            }).collect_view()}
            {move || target.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        </details>
    }
}

#[component]
pub fn Scores(score: ServerAction<ScoreMember>, card: ScorecardView) -> impl IntoView {
    let i18n = use_i18n();
    let item = move |indicator: Indicator, f: Field, ex: Field| {
        let current = card.items.iter().find(|i| i.indicator == indicator).cloned();
        let (value, example) =
            current.map(|c| (c.score.map(|s| s.to_string()).unwrap_or_default(), c.example)).unwrap_or_default();
        view! {
            <fieldset class="rule-rows">
                <legend>{i18n.t(indicator.label())}" ("{indicator.weight().to_string()}"%)"</legend>
                <label>{i18n.t(K::ScoreLabel)}
                    <input type="number" name=format!("scores[{}]", f.name()) min="0" max="100" inputmode="numeric" value=value data-testid=format!("score-{}", indicator.as_str()) />
                </label>
                {move || error_of(score.value().get(), f).map(|error| view! { <ErrorNote error /> })}
                <label>{i18n.t(K::ExampleLabel)}
                    <textarea name=format!("scores[{}]", ex.name()) rows="2" maxlength="500" data-testid=format!("example-{}", indicator.as_str())>{example}</textarea>
                </label>
                {move || error_of(score.value().get(), ex).map(|error| view! { <ErrorNote error /> })}
            </fieldset>
        }
    };
    let whole = move || match score.value().get() {
        Some(Err(AppError::Invalid(_))) | None => None,
        Some(Err(error)) => Some(view! { <ErrorNote error /> }.into_any()),
        Some(Ok(s)) => Some(view! { <p class="ok" data-testid="scored">{i18n.t(K::Total)}" "{s}</p> }.into_any()),
    };
    view! {
        <section class="card" data-testid="score-form">
            <h2>{i18n.t(K::ManagerScore)}</h2>
            <p class="muted">{i18n.t(K::ExampleHint)}</p>
            <ActionForm action=score attr:class="form">
                <input type="hidden" name="member_id" value=card.member_id.to_string() />
                <input type="hidden" name="period" value=card.period.clone() />
                {item(Indicator::Innovation, Field::Innovation, Field::InnovationExample)}
                {item(Indicator::Collaboration, Field::Collaboration, Field::CollaborationExample)}
                {item(Indicator::Execution, Field::Execution, Field::ExecutionExample)}
                {whole}
                <button type="submit" class="button primary" data-testid="score-submit">{i18n.t(K::ScoreSubmit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn Calibrate(calibrate: ServerAction<CalibrateScorecard>, card: ScorecardView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="card" data-testid="calibrate">
            <summary>{i18n.t(K::CalibrateTitle)}</summary>
            <ActionForm action=calibrate attr:class="form">
                <input type="hidden" name="member_id" value=card.member_id.to_string() />
                <input type="hidden" name="period" value=card.period.clone() />
                <label>{i18n.t(K::CalibratedLabel)}
                    <input type="text" name="calibrated" inputmode="decimal" value=card.calibrated.clone().unwrap_or_default() data-testid="calibrated" />
                </label>
                <label>{i18n.t(K::ReasonLabel)}
                    <textarea name="reason" rows="2" maxlength="500" data-testid="calibration-reason">{card.calibration_reason.clone().unwrap_or_default()}</textarea>
                </label>
                {move || calibrate.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
                <button type="submit" class="button" data-testid="calibrate-submit">{i18n.t(K::Calibrate)}</button>
            </ActionForm>
        </details>
    }
}

/// Collaboration scored by peers from other departments (seed 003: 部门互评).
#[component]
pub fn Peers(period: String) -> impl IntoView {
    let i18n = use_i18n();
    let peer = ServerAction::<super::team::PeerScore>::new();
    let members = crate::plumbing::ui::resource(|| (), |_| super::team::peer_candidates());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let period = period.clone();
                Suspend::new(async move {
                    let members = members.await.unwrap_or_default();
                    (!members.is_empty()).then(|| view! {
                        <details class="card" data-testid="peer-scores">
                            <summary>{i18n.t(K::PeerScore)}</summary>
                            <ActionForm action=peer attr:class="form">
                                <input type="hidden" name="period" value=period />
                                <label>{i18n.t(K::MemberLabel)}
                                    <select name="member_id" data-testid="peer-member">
                                        {members.into_iter().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label>{i18n.t(K::PeerScoreLabel)}<input type="number" name="score" min="0" max="100" inputmode="numeric" /></label>
                                <label>{i18n.t(K::ExampleLabel)}<textarea name="example" rows="2" maxlength="500"></textarea></label>
                                {move || peer.value().get().map(|r| match r {
                                    Ok(()) => view! { <p class="ok">{i18n.t(C::Saved)}</p> }.into_any(),
                                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                                })}
                                <button type="submit" class="button">{i18n.t(K::PeerScore)}</button>
                            </ActionForm>
                        </details>
                    })
                })
            }}
        </Suspense>
    }
}

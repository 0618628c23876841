//! The manager's team view (desktop and phone): each member's card, the targets, the scores
//! with their examples; the committee's calibration; peers' collaboration scores; admin's
//! setup of who is scored; the period's CSV.
use super::card::Card;
use super::i18n::K;
use super::model::{ScoreSheet, ScorecardView, Team};
use super::rules::Indicator;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use crate::shared::Choice;
use leptos::prelude::*;

#[server(endpoint = "load_scorecard_team")]
pub async fn load_scorecard_team(#[server(default)] period: String) -> Result<Team, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let locale = crate::plumbing::http::locale(&cx.parts.headers);
    super::store::team::load(&cx.state, cx.user.id, cx.user.has_any(&[Role::Admin]), &period, locale).await
}

/// The direct manager's scores: 0–100 each, each with a concrete example (`scores[innovation]`,
/// `scores[innovation_example]`, …).
#[server(endpoint = "score_member")]
pub async fn score_member(member_id: i64, period: String, scores: ScoreSheet) -> Result<String, AppError> {
    use super::store::scoring::{score, Scored};
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let s = &scores;
    let items = [
        Scored { indicator: Indicator::Innovation, score: &s.innovation, example: &s.innovation_example },
        Scored { indicator: Indicator::Collaboration, score: &s.collaboration, example: &s.collaboration_example },
        Scored { indicator: Indicator::Execution, score: &s.execution, example: &s.execution_example },
    ];
    Ok(score(&cx.state, &cx.actor(), member_id, &period, &items).await?.to_string())
}

#[server(endpoint = "set_scorecard_target")]
pub async fn set_scorecard_target(
    member_id: i64,
    period: String,
    indicator: Sent<Indicator>,
    target: String,
) -> Result<(), AppError> {
    use super::model::Field;
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let indicator = indicator.known(|| AppError::unknown(Field::Indicator))?;
    let key = super::store::cards::period(&period)?.key();
    let m = super::store::people::member(&cx.state.db.pool, member_id).await?.ok_or(AppError::NotFound)?;
    super::store::people::set_target(&cx.state, cx.user.id, &m, &key, indicator, &target).await
}

#[server(endpoint = "calibrate_scorecard")]
pub async fn calibrate_scorecard(
    member_id: i64,
    period: String,
    calibrated: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let viewer = super::store::cards::Viewer::of(&cx.state.db.pool, cx.user.id, false).await?;
    super::store::scoring::calibrate(&cx.state, &viewer, &cx.actor(), member_id, &period, &calibrated, &reason).await
}

#[server(endpoint = "peer_score")]
pub async fn peer_score(member_id: i64, period: String, score: String, example: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::scoring::peer_score(&cx.state, cx.user.id, member_id, &period, &score, &example).await
}

/// Year end, for the committee and admin.
#[server(endpoint = "load_year_review")]
pub async fn load_year_review(year: i32) -> Result<super::model::YearReview, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    let viewer =
        super::store::cards::Viewer::of(&cx.state.db.pool, cx.user.id, cx.user.has_any(&[Role::Admin])).await?;
    super::store::team::year_review(&cx.state, &viewer, year).await
}

/// The members a viewer may score for collaboration: those of other departments.
#[server(endpoint = "peer_candidates")]
pub async fn peer_candidates() -> Result<Vec<Choice>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::people::peers_of(&cx.state.db.pool, cx.user.id).await
}

/// Admin: who is scored, by whom, in which team, on which campaigns.
#[server(endpoint = "put_scorecard_member")]
pub async fn put_scorecard_member(
    member_id: i64,
    manager_id: i64,
    team: String,
    #[server(default)] campaigns: Vec<i64>,
) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::people::put_member(&cx.state, member_id, manager_id, &team, &campaigns).await
}

#[server(endpoint = "put_committee_member")]
pub async fn put_committee_member(user_id: i64, #[server(default)] remove: bool) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::people::put_committee(&cx.state, user_id, !remove).await
}

/// Staff and campaigns, for admin's setup form.
#[server(endpoint = "scorecard_choices")]
pub async fn scorecard_choices() -> Result<(Vec<Choice>, Vec<Choice>), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::people::choices(&cx.state.db.pool).await
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    let period = RwSignal::new(String::new());
    let open = RwSignal::new(0i64);
    let score = ServerAction::<ScoreMember>::new();
    let target = ServerAction::<SetScorecardTarget>::new();
    let calibrate = ServerAction::<CalibrateScorecard>::new();
    let setup = ServerAction::<PutScorecardMember>::new();
    let changed =
        move || (score.version().get(), target.version().get(), calibrate.version().get(), setup.version().get());
    let team = resource(move || (period.get(), changed()), |(p, _)| load_scorecard_team(p));
    let card = resource(
        move || (open.get(), period.get(), changed()),
        |(m, p, _)| async move {
            if m == 0 {
                Ok(None)
            } else {
                super::card::load_scorecard(m, p).await.map(Some)
            }
        },
    );
    view! {
        <h1>{i18n.t(K::TeamTitle)}</h1>
        <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(team.await, |t: Team| {
                    let key = t.period.clone();
                    view! {
                        <div class="actions">
                            <label>{i18n.t(K::PeriodLabel)}" "
                                <select data-testid="team-period" prop:value=key.clone() on:change=move |ev| period.set(event_target_value(&ev))>
                                    {t.periods.iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <a class="button" href=format!("/scorecards/export.csv?period={key}") rel="external" data-testid="team-export">{i18n.t(K::Export)}</a>
                        </div>
                        <super::team_rows::Rows team=t.clone() open />
                        <super::forms::Peers period=key.clone() />
                        {(t.admin || t.committee).then(|| view! { <super::team_rows::Year year=key.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026) /> })}
                        {t.admin.then(|| view! { <super::setup::Setup setup /> })}
                    }
                })
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(card.await, move |c: Option<ScorecardView>| c.map(|c| view! {
                    <h2 data-testid="member-card">{c.member.clone()}</h2>
                    {c.can_score.then(|| view! {
                        <super::forms::Targets target card=c.clone() />
                        <super::forms::Scores score card=c.clone() />
                    })}
                    {(c.can_calibrate && c.score.is_some()).then(|| view! { <super::forms::Calibrate calibrate card=c.clone() /> })}
                    <Card card=c />
                }))
            })}
        </Suspense>
        {move || setup.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
    }
}

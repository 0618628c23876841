//! The team view's table: each member's figures' points, score, grade, acknowledgement.
use super::i18n::K;
use super::model::Team;
use crate::plumbing::i18n::use_i18n;
use leptos::prelude::*;

#[component]
pub fn Rows(team: Team, open: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    if team.rows.is_empty() {
        return view! { <p class="muted" data-testid="team-empty">{i18n.t(K::NoMembers)}</p> }.into_any();
    }
    let dash = || "—".to_string();
    let teams = team.teams.clone();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table cards" data-testid="team-cards">
                <thead><tr>
                    <th>{i18n.t(K::TeamLabel)}</th><th class="num">{i18n.t(K::Members)}</th><th class="num">{i18n.t(K::Quantitative)}</th>
                    <th class="num">{i18n.t(K::Total)}</th><th>{i18n.t(K::Grade)}</th>
                </tr></thead>
                <tbody>
                    {teams.into_iter().map(|t| view! {
                        <tr data-testid="team-card">
                            <td data-label=move || i18n.t(K::TeamLabel)()><b>{t.team}</b></td>
                            <td class="num" data-label=move || i18n.t(K::Members)()>{t.members}</td>
                            <td class="num" data-label=move || i18n.t(K::Quantitative)()>{t.quantitative}</td>
                            <td class="num" data-label=move || i18n.t(K::Total)()>{t.score.unwrap_or_else(dash)}</td>
                            <td data-label=move || i18n.t(K::Grade)()>{t.grade.map(|g| g.as_str().to_string()).unwrap_or_else(dash)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="table-wrap" tabindex="0">
            <table class="table cards" data-testid="team">
                <thead><tr>
                    <th>{i18n.t(K::MemberLabel)}</th><th>{i18n.t(K::TeamLabel)}</th><th class="num">{i18n.t(K::Quantitative)}</th>
                    <th class="num">{i18n.t(K::Total)}</th><th class="num">{i18n.t(K::CalibratedLabel)}</th><th>{i18n.t(K::Grade)}</th>
                    <th>{i18n.t(K::Acknowledged)}</th><th></th>
                </tr></thead>
                <tbody>
                    {team.rows.into_iter().map(|r| {
                        let id = r.member_id;
                        view! {
                            <tr data-testid="team-row">
                                <td data-label=move || i18n.t(K::MemberLabel)()>{r.member.clone()}
                                    {r.coaching.then(|| view! { " " <span class="status status-held">{i18n.t(K::CoachingTitle)}</span> })}</td>
                                <td data-label=move || i18n.t(K::TeamLabel)()>{r.team}</td>
                                <td class="num" data-label=move || i18n.t(K::Quantitative)()>{r.quantitative}</td>
                                <td class="num" data-label=move || i18n.t(K::Total)() data-testid="team-score">{r.score.unwrap_or_else(dash)}</td>
                                <td class="num" data-label=move || i18n.t(K::CalibratedLabel)()>{r.calibrated.unwrap_or_else(dash)}</td>
                                <td data-label=move || i18n.t(K::Grade)()>{r.grade.map(|g| g.as_str().to_string()).unwrap_or_else(dash)}</td>
                                <td data-label=move || i18n.t(K::Acknowledged)()>{if r.acknowledged { "✓" } else { "" }}</td>
                                <td><button type="button" class="button" data-testid=format!("open-{}", r.member) on:click=move |_| open.set(id)>{i18n.t(K::Open)}</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Year end (seed 003): the top 3 teams for the review, and the bottom 20% of members.
#[component]
pub fn Year(year: i32) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(year);
    let review = crate::plumbing::ui::resource(move || chosen.get(), super::team::load_year_review);
    let list = |rows: Vec<(String, String)>| {
        view! { <ol>{rows.into_iter().map(|(who, score)| view! { <li>{who}" · "{score}</li> }).collect_view()}</ol> }
    };
    view! {
        <details class="card" data-testid="year-review">
            <summary>{i18n.t(K::YearTitle)}</summary>
            <label>{i18n.t(K::YearLabel)}" "
                <select prop:value=move || chosen.get().to_string() on:change=move |ev| if let Ok(y) = event_target_value(&ev).parse() { chosen.set(y) }>
                    {[year, year - 1].into_iter().map(|y| view! { <option value=y.to_string()>{y}</option> }).collect_view()}
                </select>
            </label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    crate::plumbing::ui::show_result(review.await, move |r: super::model::YearReview| view! {
                        <h3>{i18n.t(K::YearTop)}</h3>
                        {list(r.top_teams)}
                        <h3>{i18n.t(K::YearBottom)}</h3>
                        {list(r.bottom)}
                    })
                })}
            </Suspense>
        </details>
    }
}

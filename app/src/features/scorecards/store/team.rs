//! The team view and the period's CSV: every member a viewer may see, with their card's sums.
use super::cards::{self, period, Viewer};
use super::people;
use crate::features::scorecards::model::{ScorecardView, Team, TeamRow};
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::Locale;
use crate::plumbing::state::AppState;

/// The viewer's reports (everyone for the committee and admin), each with their card.
async fn cards_of(
    state: &AppState,
    viewer: &Viewer,
    key: &str,
    locale: Locale,
) -> Result<Vec<ScorecardView>, AppError> {
    let all = viewer.admin || viewer.committee;
    let members = people::members(&state.db.pool, if all { None } else { Some(viewer.id) }).await?;
    let mut out = Vec::new();
    for m in members {
        out.push(cards::load(state, viewer, m.id, key, locale).await?);
    }
    Ok(out)
}

pub async fn load(state: &AppState, user: i64, admin: bool, key: &str, locale: Locale) -> Result<Team, AppError> {
    let viewer = Viewer::of(&state.db.pool, user, admin).await?;
    let key = if key.trim().is_empty() { cards::default_period(&state.org) } else { period(key)?.key() };
    let rows = cards_of(state, &viewer, &key, locale)
        .await?
        .into_iter()
        .map(|c| TeamRow {
            member_id: c.member_id,
            member: c.member,
            team: c.team,
            quantitative: c.quantitative,
            score: c.score,
            calibrated: c.calibrated,
            grade: c.grade,
            acknowledged: c.acknowledged,
            coaching: c.coaching.is_some_and(|p| !p.closed),
        })
        .collect();
    Ok(Team { period: key, periods: cards::periods(&state.org), rows, committee: viewer.committee, admin })
}

/// One row per member and line: the period's scorecards as a sheet for HR.
pub async fn csv(state: &AppState, user: i64, admin: bool, key: &str) -> Result<Vec<Vec<String>>, AppError> {
    let viewer = Viewer::of(&state.db.pool, user, admin).await?;
    let key = period(key)?.key();
    let mut rows = vec![[
        "member",
        "team",
        "period",
        "frozen",
        "quantitative",
        "qualitative",
        "score",
        "calibrated",
        "reason",
        "grade",
        "bonus_factor",
        "acknowledged",
    ]
    .map(String::from)
    .to_vec()];
    for c in cards_of(state, &viewer, &key, Locale::ZhCn).await? {
        rows.push(vec![
            c.member,
            c.team,
            c.period,
            c.frozen.to_string(),
            c.quantitative,
            c.qualitative.unwrap_or_default(),
            c.score.unwrap_or_default(),
            c.calibrated.unwrap_or_default(),
            c.calibration_reason.unwrap_or_default(),
            c.grade.map(|g| g.as_str().to_string()).unwrap_or_default(),
            c.bonus_factor.map(|f| f.to_string()).unwrap_or_default(),
            c.acknowledged.to_string(),
        ]);
    }
    Ok(rows)
}

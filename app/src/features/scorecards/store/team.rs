//! The team view and the period's CSV: every member a viewer may see, with their card's sums.
use super::cards::{self, period, Viewer};
use super::people;
use crate::features::scorecards::model::{ScorecardView, Team, TeamCard, TeamRow};
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
    let cards = cards_of(state, &viewer, &key, locale).await?;
    let teams = team_cards(&cards, &super::cards::bands(&state.db.pool).await?);
    let rows = cards
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
    Ok(Team { period: key, periods: cards::periods(&state.org), rows, teams, committee: viewer.committee, admin })
}

/// Each team's means: of every member's figures, and of the scores that count of those scored.
fn team_cards(cards: &[ScorecardView], bands: &crate::features::scorecards::rules::Bands) -> Vec<TeamCard> {
    use crate::features::scorecards::rules::total;
    use rust_decimal::Decimal;
    let mut by: std::collections::BTreeMap<&str, Vec<&ScorecardView>> = Default::default();
    for c in cards {
        by.entry(c.team.as_str()).or_default().push(c);
    }
    let mean =
        |v: &[Decimal]| (!v.is_empty()).then(|| total([v.iter().copied().sum::<Decimal>() / Decimal::from(v.len())]));
    by.into_iter()
        .map(|(team, members)| {
            let q: Vec<Decimal> = members.iter().filter_map(|c| c.quantitative.parse().ok()).collect();
            let s: Vec<Decimal> =
                members.iter().filter_map(|c| c.calibrated.as_ref().or(c.score.as_ref())?.parse().ok()).collect();
            let score = mean(&s);
            TeamCard {
                team: team.to_string(),
                members: members.len() as i64,
                quantitative: mean(&q).unwrap_or_default().to_string(),
                score: score.map(|s| s.to_string()),
                grade: score.map(|s| bands.grade(s).0),
            }
        })
        .collect()
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

/// Year end, for the committee and admin: members' means of their monthly scores that count in
/// `year`, teams' means of their members'.
pub async fn year_review(
    state: &AppState,
    viewer: &Viewer,
    year: i32,
) -> Result<crate::features::scorecards::YearReview, AppError> {
    use crate::features::scorecards::rules::{total, year_review};
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    if !(viewer.admin || viewer.committee) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.display_name, m.team, COALESCE(c.calibrated_score, c.score) FROM scorecards c \
         JOIN scorecard_members m ON m.member_id = c.member_id JOIN users u ON u.id = c.member_id \
         WHERE c.score IS NOT NULL AND c.period >= $1 AND c.period <= $2 AND c.period NOT LIKE '%Q%' ORDER BY u.display_name",
    )
    .bind(format!("{year}-01"))
    .bind(format!("{year}-12"))
    .fetch_all(&state.db.pool)
    .await?;
    let mut members: BTreeMap<(String, String), Vec<Decimal>> = BTreeMap::new();
    for (name, team, score) in rows {
        members.entry((name, team)).or_default().push(score.parse().map_err(crate::plumbing::state::internal)?);
    }
    let mean = |v: &[Decimal]| total([v.iter().copied().sum::<Decimal>() / Decimal::from(v.len().max(1))]);
    let member_means: Vec<((String, String), Decimal)> = members.iter().map(|(k, v)| (k.clone(), mean(v))).collect();
    let mut teams: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    for ((_, team), m) in &member_means {
        teams.entry(team.clone()).or_default().push(*m);
    }
    let team_means: Vec<(String, Decimal)> = teams.iter().map(|(t, v)| (t.clone(), mean(v))).collect();
    let named: Vec<(String, Decimal)> = member_means.iter().map(|((n, t), m)| (format!("{n} · {t}"), *m)).collect();
    let (top, bottom) = year_review(&team_means, &named);
    let score_of = |list: &[(String, Decimal)], k: &String| {
        list.iter().find(|(n, _)| n == k).map(|(_, s)| s.to_string()).unwrap_or_default()
    };
    Ok(crate::features::scorecards::YearReview {
        year,
        top_teams: top.iter().map(|t| (t.clone(), score_of(&team_means, t))).collect(),
        bottom: bottom.iter().map(|m| (m.clone(), score_of(&named, m))).collect(),
    })
}

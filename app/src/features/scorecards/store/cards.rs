//! A member's scorecard for a period as stored: figures live until the 5th after the period,
//! then frozen; the manager's scores with their examples; the committee's calibration beside
//! the manager's score; the member's self-assessment and acknowledgement.
use super::figures::{self, lines};
use super::people::{self, Member};
use crate::features::scorecards::i18n::K;
use crate::features::scorecards::model::*;
use crate::features::scorecards::rules::{qualitative, total, Bands, Indicator, CAP_DEFAULT, CAP_SETTING};
use crate::plumbing::db::{stored, Tx};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::i18n::Locale;
use crate::plumbing::settings::{self, OrgSettings};
use crate::plumbing::state::{internal, now_ms, AppState};
use crate::shared::period::{local_date, Period};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// A month (2026-11) or a quarter (2026-Q4).
pub fn period(key: &str) -> Result<Period, AppError> {
    match Period::parse_key(key.trim()) {
        Some(p @ (Period::Month { .. } | Period::Quarter { .. })) => Ok(p),
        _ => Err(AppError::invalid(Field::Period, Problem::said(K::ProblemPeriod))),
    }
}

/// The figures of a period are frozen on the 5th of the month after it (seed 003).
pub fn freeze_on(p: &Period) -> NaiveDate {
    let after = p.dates().1 + chrono::Duration::days(1);
    after.with_day(5).unwrap_or(after)
}

pub async fn cap(pool: &AnyPool) -> Result<Decimal, sqlx::Error> {
    Ok(Decimal::from(settings::number(pool, CAP_SETTING, CAP_DEFAULT).await?) / Decimal::ONE_HUNDRED)
}

pub async fn bands(pool: &AnyPool) -> Result<Bands, sqlx::Error> {
    Ok(settings::get(pool, Bands::SETTING).await?.and_then(|v| Bands::parse(&v)).unwrap_or_default())
}

pub async fn targets(pool: &AnyPool, member: i64, period: &str) -> Result<BTreeMap<Indicator, Decimal>, AppError> {
    let rows = sqlx::query("SELECT indicator, target FROM scorecard_targets WHERE member_id = $1 AND period = $2")
        .bind(member)
        .bind(period)
        .fetch_all(pool)
        .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let indicator: Indicator = stored("scorecard_targets", &r.try_get::<String, _>("indicator")?)?;
        out.insert(indicator, r.try_get::<String, _>("target")?.parse().map_err(internal)?);
    }
    Ok(out)
}

/// A card's stored row.
struct CardRow {
    id: i64,
    figures: Option<Figures>,
    frozen_at: Option<i64>,
    self_assessment: Option<SelfAssessment>,
    score: Option<Decimal>,
    calibrated: Option<Decimal>,
    reason: Option<String>,
    acknowledge_by: Option<String>,
    acknowledged: bool,
}

async fn row(pool: &AnyPool, member: i64, period: &str) -> Result<Option<CardRow>, AppError> {
    let r = sqlx::query(
        "SELECT id, figures, frozen_at, self_results, self_shortfalls, self_plan, score, calibrated_score, \
         calibration_reason, acknowledge_by, acknowledged_at FROM scorecards WHERE member_id = $1 AND period = $2",
    )
    .bind(member)
    .bind(period)
    .fetch_optional(pool)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let decimal = |c: &str| -> Result<Option<Decimal>, AppError> {
        r.try_get::<Option<String>, _>(c)?.map(|s| s.parse().map_err(internal)).transpose()
    };
    let figures: Option<String> = r.try_get("figures")?;
    let results: Option<String> = r.try_get("self_results")?;
    Ok(Some(CardRow {
        id: r.try_get("id")?,
        figures: figures.map(|f| serde_json::from_str(&f).map_err(internal)).transpose()?,
        frozen_at: r.try_get("frozen_at")?,
        self_assessment: match results {
            Some(results) => Some(SelfAssessment {
                results,
                shortfalls: r.try_get::<Option<String>, _>("self_shortfalls")?.unwrap_or_default(),
                plan: r.try_get::<Option<String>, _>("self_plan")?.unwrap_or_default(),
            }),
            None => None,
        },
        score: decimal("score")?,
        calibrated: decimal("calibrated_score")?,
        reason: r.try_get("calibration_reason")?,
        acknowledge_by: r.try_get("acknowledge_by")?,
        acknowledged: r.try_get::<Option<i64>, _>("acknowledged_at")?.is_some(),
    }))
}

/// The card's id, made if missing, in the caller's transaction.
pub(super) async fn ensure(tx: &mut Tx, member: i64, period: &str) -> Result<i64, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM scorecards WHERE member_id = $1 AND period = $2")
        .bind(member)
        .bind(period)
        .fetch_optional(&mut **tx)
        .await?;
    match id {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar("INSERT INTO scorecards (member_id, period) VALUES ($1, $2) RETURNING id")
                .bind(member)
                .bind(period)
                .fetch_one(&mut **tx)
                .await
        }
    }
}

/// The period's figures: as frozen, else frozen now when the 5th has come, else live.
pub async fn figures_of(state: &AppState, m: &Member, p: &Period) -> Result<(Figures, bool), AppError> {
    let key = p.key();
    if let Some(CardRow { figures: Some(f), frozen_at: Some(_), .. }) = row(&state.db.pool, m.id, &key).await? {
        return Ok((f, true));
    }
    let (first, last) = p.dates();
    let f = figures::figures(&state.db.pool, &m.campaigns, first, last).await?;
    if local_date(chrono::Utc::now(), state.org.tz) < freeze_on(p) {
        return Ok((f, false));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    let id = ensure(&mut tx, m.id, &key).await?;
    sqlx::query("UPDATE scorecards SET figures = $1, frozen_at = $2 WHERE id = $3 AND frozen_at IS NULL")
        .bind(serde_json::to_string(&f).map_err(internal)?)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // Another instance may have frozen it first: what is stored is what counts.
    let stored = row(&state.db.pool, m.id, &key).await?.and_then(|r| r.figures);
    Ok((stored.unwrap_or(f), true))
}

/// The manager's items and the peers' collaboration scores.
async fn items(pool: &AnyPool, card: Option<i64>) -> Result<Vec<ItemView>, AppError> {
    let mut by: BTreeMap<Indicator, (Option<i64>, String)> = BTreeMap::new();
    let mut peers = Vec::new();
    if let Some(id) = card {
        for r in sqlx::query("SELECT indicator, score, example FROM scorecard_items WHERE scorecard_id = $1")
            .bind(id)
            .fetch_all(pool)
            .await?
        {
            let i: Indicator = stored("scorecard_items", &r.try_get::<String, _>("indicator")?)?;
            by.insert(i, (Some(r.try_get("score")?), r.try_get("example")?));
        }
        peers = sqlx::query_scalar("SELECT score FROM scorecard_peer_scores WHERE scorecard_id = $1 ORDER BY peer_id")
            .bind(id)
            .fetch_all(pool)
            .await?;
    }
    Ok(Indicator::QUALITATIVE
        .iter()
        .map(|&indicator| {
            let (score, example) = by.get(&indicator).cloned().unwrap_or_default();
            let peers = if indicator == Indicator::Collaboration { peers.clone() } else { Vec::new() };
            let points = score.map(|s| {
                let peer: Vec<Decimal> = peers.iter().map(|p| Decimal::from(*p)).collect();
                qualitative(indicator, Decimal::from(s), &peer)
            });
            ItemView { indicator, score, example, peers, points: points.map(|p| total([p]).to_string()) }
        })
        .collect())
}

/// The card as the viewer may see it (the member, their manager, the committee, admin).
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    member: i64,
    key: &str,
    locale: Locale,
) -> Result<ScorecardView, AppError> {
    let p = period(key)?;
    let key = p.key();
    let m = people::member(&state.db.pool, member).await?.ok_or(AppError::NotFound)?;
    if !viewer.may_read(&m) {
        return Err(AppError::Forbidden);
    }
    let pool = &state.db.pool;
    let (figures, frozen) = figures_of(state, &m, &p).await?;
    let (lines, quantitative) = lines(&figures, &targets(pool, m.id, &key).await?, cap(pool).await?, locale);
    let card = row(pool, m.id, &key).await?;
    let items = items(pool, card.as_ref().map(|c| c.id)).await?;
    let qualitative: Option<Decimal> =
        items.iter().map(|i| i.points.as_ref().and_then(|p| p.parse::<Decimal>().ok())).sum();
    let counts = card.as_ref().and_then(|c| c.calibrated.or(c.score));
    let bands = bands(pool).await?;
    let graded = counts.map(|s| bands.grade(s));
    let quarterly = matches!(p, Period::Quarter { .. });
    Ok(ScorecardView {
        member_id: m.id,
        member: m.name.clone(),
        team: m.team.clone(),
        manager: m.manager_name.clone(),
        period: key.clone(),
        periods: periods(&state.org),
        freeze_on: freeze_on(&p).to_string(),
        frozen,
        figures,
        lines,
        items,
        quantitative: total([quantitative]).to_string(),
        qualitative: qualitative.map(|q| total([q]).to_string()),
        score: card.as_ref().and_then(|c| c.score).map(|s| s.to_string()),
        calibrated: card.as_ref().and_then(|c| c.calibrated).map(|s| s.to_string()),
        calibration_reason: card.as_ref().and_then(|c| c.reason.clone()),
        grade: graded.map(|g| g.0),
        bonus_factor: graded.filter(|_| quarterly).map(|g| i64::from(g.1)),
        self_assessment: card.as_ref().and_then(|c| c.self_assessment.clone()),
        acknowledge_by: card.as_ref().and_then(|c| c.acknowledge_by.clone()),
        acknowledged: card.as_ref().is_some_and(|c| c.acknowledged),
        history: history(pool, m.id, &p).await?,
        coaching: super::coaching::plan(pool, m.id).await?,
        is_me: viewer.id == m.id,
        can_score: viewer.id == m.manager_id,
        can_calibrate: viewer.committee,
    })
}

/// The last 12 months' scores that count (calibrated, else the manager's), oldest first.
async fn history(pool: &AnyPool, member: i64, p: &Period) -> Result<Vec<(String, String)>, AppError> {
    let mut month = match p {
        Period::Quarter { year, quarter } => Period::Month { year: *year, month: quarter * 3 },
        other => *other,
    };
    let mut months = Vec::new();
    for _ in 0..12 {
        months.push(month.key());
        month = month.previous();
    }
    let rows = sqlx::query(
        "SELECT period, COALESCE(calibrated_score, score) AS counts FROM scorecards \
         WHERE member_id = $1 AND score IS NOT NULL AND period >= $2 AND period <= $3",
    )
    .bind(member)
    .bind(months.last().cloned().unwrap_or_default())
    .bind(months.first().cloned().unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let mut out: Vec<(String, String)> = rows
        .iter()
        .map(|r| Ok((r.try_get::<String, _>("period")?, r.try_get::<String, _>("counts")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?
        .into_iter()
        .filter(|(k, _)| months.contains(k))
        .collect();
    out.sort();
    Ok(out)
}

/// Who is looking, and what they may do.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: i64,
    pub admin: bool,
    pub committee: bool,
}

impl Viewer {
    pub async fn of(pool: &AnyPool, id: i64, admin: bool) -> Result<Viewer, AppError> {
        let committee: Option<i64> = sqlx::query_scalar("SELECT user_id FROM scorecard_committee WHERE user_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(Viewer { id, admin, committee: committee.is_some() })
    }

    pub fn may_read(&self, m: &Member) -> bool {
        self.admin || self.committee || self.id == m.id || self.id == m.manager_id
    }
}

/// Last month: the card scored after its figures freeze.
pub fn default_period(org: &OrgSettings) -> String {
    Period::Month { year: today(org).year(), month: today(org).month() }.previous().key()
}

/// This month and the 11 before it, then this quarter and the 3 before it.
pub fn periods(org: &OrgSettings) -> Vec<String> {
    let t = today(org);
    let mut out = Vec::new();
    let mut p = Period::Month { year: t.year(), month: t.month() };
    for _ in 0..12 {
        out.push(p.key());
        p = p.previous();
    }
    let mut q = Period::Quarter { year: t.year(), quarter: t.month0() / 3 + 1 };
    for _ in 0..4 {
        out.push(q.key());
        q = q.previous();
    }
    out
}

/// The organization's time zone, for the scorers' dates.
pub fn today(org: &OrgSettings) -> NaiveDate {
    local_date(chrono::Utc::now(), org.tz)
}

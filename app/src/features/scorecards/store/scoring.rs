//! The seed's process: the member's self-assessment, the manager's scores with an example
//! each, peers' collaboration scores, the committee's calibration (both scores kept), the
//! feedback with a deadline and a reminder, and the member's acknowledgement.
use super::cards::{self, figures_of, period, Viewer};
use super::coaching;
use super::figures::lines;
use super::people::{self, Member};
use crate::features::scorecards::i18n::K;
use crate::features::scorecards::model::{Audited, Field, SelfAssessment};
use crate::features::scorecards::rules::{qualitative, total, Indicator};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::i18n::{fill, Locale};
use crate::plumbing::message::MessageKind;
use crate::plumbing::outbox;
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::text;
use rust_decimal::Decimal;

/// Days the member has to acknowledge a result (fed back within a week).
pub const ACKNOWLEDGE_DAYS: i64 = 7;

async fn member(state: &AppState, id: i64) -> Result<Member, AppError> {
    people::member(&state.db.pool, id).await?.ok_or(AppError::NotFound)
}

/// One qualitative item as the manager sent it: 0–100 and a concrete example.
pub struct Scored<'a> {
    pub indicator: Indicator,
    pub score: &'a str,
    pub example: &'a str,
}

fn fields(i: Indicator) -> (Field, Field) {
    match i {
        Indicator::Innovation => (Field::Innovation, Field::InnovationExample),
        Indicator::Collaboration => (Field::Collaboration, Field::CollaborationExample),
        _ => (Field::Execution, Field::ExecutionExample),
    }
}

/// A score 0–100 and its example, or what is wrong with them (each field named).
fn check(items: &[Scored<'_>]) -> Result<Vec<(Indicator, i64, String)>, AppError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for s in items {
        let (score_field, example_field) = fields(s.indicator);
        let score = text::fold_width(s.score.trim()).parse::<i64>().ok().filter(|n| (0..=100).contains(n));
        if score.is_none() {
            errors.push(FieldError::new(score_field, Problem::OutOfRange { min: 0, max: 100 }));
        }
        let example = match text::clean(s.example, 1, 500) {
            Ok(e) => Some(e),
            Err(text::TextError::Required) => {
                errors.push(FieldError::new(example_field, Problem::said(K::ProblemExample)));
                None
            }
            Err(e) => {
                errors.push(FieldError::new(example_field, Problem::Text(e)));
                None
            }
        };
        if let (Some(score), Some(example)) = (score, example) {
            out.push((s.indicator, score, example));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The direct manager scores the frozen card; the score is the figures' points and the items'.
/// Fed back at once: the member has a week to acknowledge. A second month in a row below 60
/// opens a coaching plan.
pub async fn score(
    state: &AppState,
    actor: &Actor,
    member_id: i64,
    key: &str,
    items: &[Scored<'_>],
) -> Result<Decimal, AppError> {
    let p = period(key)?;
    let key = p.key();
    let m = member(state, member_id).await?;
    if actor.user_id != Some(m.manager_id) {
        return Err(AppError::invalid(Field::Scorecard, Problem::said(K::ProblemNotYours)));
    }
    let items = check(items)?;
    let (figures, frozen) = figures_of(state, &m, &p).await?;
    if !frozen {
        return Err(AppError::invalid(Field::Scorecard, Problem::said(K::ProblemNotFrozen)));
    }
    let pool = &state.db.pool;
    let (_, quantitative) =
        lines(&figures, &cards::targets(pool, m.id, &key).await?, cards::cap(pool).await?, Locale::ZhCn);
    let (_turn, mut tx) = state.db.begin_write().await?;
    let id = cards::ensure(&mut tx, m.id, &key).await?;
    let peers: Vec<i64> = sqlx::query_scalar("SELECT score FROM scorecard_peer_scores WHERE scorecard_id = $1")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
    let peers: Vec<Decimal> = peers.into_iter().map(Decimal::from).collect();
    let mut points = vec![quantitative];
    for (indicator, score, example) in &items {
        points.push(qualitative(*indicator, Decimal::from(*score), &peers));
        sqlx::query(
            "INSERT INTO scorecard_items (scorecard_id, indicator, score, example) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scorecard_id, indicator) DO UPDATE SET score = excluded.score, example = excluded.example",
        )
        .bind(id)
        .bind(indicator.as_str())
        .bind(score)
        .bind(example)
        .execute(&mut *tx)
        .await?;
    }
    let score = total(points);
    let by = cards::today(&state.org) + chrono::Duration::days(ACKNOWLEDGE_DAYS);
    sqlx::query(
        "UPDATE scorecards SET score = $1, scored_by = $2, scored_at = $3, acknowledge_by = $4, reminded_at = NULL, \
         acknowledged_at = NULL WHERE id = $5",
    )
    .bind(score.to_string())
    .bind(m.manager_id)
    .bind(now_ms())
    .bind(by.to_string())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let body = fill(
        K::FeedbackSms.text(Locale::ZhCn),
        &[("period", &key), ("score", &score.to_string()), ("day", &by.to_string())],
    );
    outbox::enqueue(&mut tx, MessageKind::ScorecardFeedback, &format!("user:{}", m.id), &body).await?;
    let change = Change {
        action: Audited::Scored,
        subject: format!("scorecard {} user #{}", key, m.id),
        before: None,
        after: Some(score.to_string()),
        actor,
    };
    audit::record(&mut tx, change).await?;
    coaching::open_if_due(&mut tx, m.id).await?;
    tx.commit().await?;
    Ok(score)
}

/// The member's self-assessment: results, shortfalls and an improvement plan.
pub async fn self_assess(state: &AppState, member_id: i64, key: &str, s: &SelfAssessment) -> Result<(), AppError> {
    let key = period(key)?.key();
    member(state, member_id).await?;
    let mut errors = Vec::new();
    let mut clean = |t: &str, f: Field| {
        text::clean(t, 1, 2000).map_err(|e| errors.push(FieldError::new(f, Problem::Text(e)))).unwrap_or_default()
    };
    let (results, shortfalls, plan) =
        (clean(&s.results, Field::Results), clean(&s.shortfalls, Field::Shortfalls), clean(&s.plan, Field::Plan));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    let id = cards::ensure(&mut tx, member_id, &key).await?;
    sqlx::query(
        "UPDATE scorecards SET self_results = $1, self_shortfalls = $2, self_plan = $3, self_at = $4 WHERE id = $5",
    )
    .bind(results)
    .bind(shortfalls)
    .bind(plan)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A peer from another department scores the member's collaboration.
pub async fn peer_score(
    state: &AppState,
    peer: i64,
    member_id: i64,
    key: &str,
    score: &str,
    example: &str,
) -> Result<(), AppError> {
    let key = period(key)?.key();
    let m = member(state, member_id).await?;
    let dept: Option<i64> = sqlx::query_scalar("SELECT department_id FROM users WHERE id = $1")
        .bind(peer)
        .fetch_one(&state.db.pool)
        .await?;
    if peer == m.id || dept.is_none() || dept == m.department_id {
        return Err(AppError::invalid(Field::PeerScore, Problem::said(K::ProblemSameDepartment)));
    }
    let score = text::fold_width(score.trim()).parse::<i64>().ok().filter(|n| (0..=100).contains(n));
    let score = score.ok_or_else(|| AppError::invalid(Field::PeerScore, Problem::OutOfRange { min: 0, max: 100 }))?;
    let example = text::clean(example, 1, 500)
        .map_err(|_| AppError::invalid(Field::PeerExample, Problem::said(K::ProblemExample)))?;
    let (_turn, mut tx) = state.db.begin_write().await?;
    let id = cards::ensure(&mut tx, m.id, &key).await?;
    sqlx::query(
        "INSERT INTO scorecard_peer_scores (scorecard_id, peer_id, score, example) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (scorecard_id, peer_id) DO UPDATE SET score = excluded.score, example = excluded.example",
    )
    .bind(id)
    .bind(peer)
    .bind(score)
    .bind(example)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The committee adjusts a scored card with a written reason; the manager's score stays.
pub async fn calibrate(
    state: &AppState,
    viewer: &Viewer,
    actor: &Actor,
    member_id: i64,
    key: &str,
    calibrated: &str,
    reason: &str,
) -> Result<(), AppError> {
    let key = period(key)?.key();
    let m = member(state, member_id).await?;
    if !viewer.committee {
        return Err(AppError::invalid(Field::Calibrated, Problem::said(K::ProblemCommittee)));
    }
    let value = text::fold_width(calibrated.trim())
        .parse::<Decimal>()
        .ok()
        .filter(|v| *v >= Decimal::ZERO && *v <= Decimal::ONE_HUNDRED);
    let reason = text::clean(reason, 1, 500).map_err(|e| FieldError::new(Field::Reason, Problem::Text(e)));
    let mut errors = Vec::new();
    if value.is_none() {
        errors.push(FieldError::new(Field::Calibrated, Problem::OutOfRange { min: 0, max: 100 }));
    }
    if let Err(e) = &reason {
        errors.push(e.clone());
    }
    let (Some(value), Ok(reason)) = (value, reason) else { return Err(AppError::Invalid(errors)) };
    let value = total([value]);
    let (_turn, mut tx) = state.db.begin_write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT score FROM scorecards WHERE member_id = $1 AND period = $2")
            .bind(m.id)
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    let Some(before) = before else {
        return Err(AppError::invalid(Field::Calibrated, Problem::said(K::ProblemNotScored)));
    };
    sqlx::query(
        "UPDATE scorecards SET calibrated_score = $1, calibration_reason = $2, calibrated_by = $3, calibrated_at = $4 \
         WHERE member_id = $5 AND period = $6",
    )
    .bind(value.to_string())
    .bind(&reason)
    .bind(viewer.id)
    .bind(now_ms())
    .bind(m.id)
    .bind(&key)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        action: Audited::Calibrated,
        subject: format!("scorecard {} user #{}", key, m.id),
        before: Some(before),
        after: Some(format!("{value}: {reason}")),
        actor,
    };
    audit::record(&mut tx, change).await?;
    coaching::open_if_due(&mut tx, m.id).await?;
    tx.commit().await?;
    Ok(())
}

/// The member acknowledges a scored card.
pub async fn acknowledge(state: &AppState, member_id: i64, key: &str) -> Result<(), AppError> {
    let key = period(key)?.key();
    let (_turn, mut tx) = state.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE scorecards SET acknowledged_at = $1 WHERE member_id = $2 AND period = $3 AND score IS NOT NULL",
    )
    .bind(now_ms())
    .bind(member_id)
    .bind(&key)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::invalid(Field::Scorecard, Problem::said(K::ProblemNotScored)));
    }
    tx.commit().await?;
    Ok(())
}

/// Reminds, once, every member whose acknowledgement is past its day (an hourly job).
pub async fn remind(state: &AppState) -> Result<usize, AppError> {
    let today = cards::today(&state.org).to_string();
    let (_turn, mut tx) = state.db.begin_write().await?;
    let due: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, member_id, period FROM scorecards WHERE score IS NOT NULL AND acknowledged_at IS NULL \
         AND reminded_at IS NULL AND acknowledge_by < $1",
    )
    .bind(&today)
    .fetch_all(&mut *tx)
    .await?;
    for (id, member, key) in &due {
        let body = fill(K::ReminderSms.text(Locale::ZhCn), &[("period", key)]);
        outbox::enqueue(&mut tx, MessageKind::ScorecardReminder, &format!("user:{member}"), &body).await?;
        sqlx::query("UPDATE scorecards SET reminded_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

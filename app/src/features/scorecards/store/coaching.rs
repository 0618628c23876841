//! The coaching plan (绩效辅导计划, seed 003): opened once when two consecutive monthly scores
//! are below 60; a list of improvement items with owners and dates, tracked weekly, closed by
//! the manager.
use super::people;
use crate::features::scorecards::i18n::K;
use crate::features::scorecards::model::{CoachingItemView, CoachingView, Field};
use crate::features::scorecards::rules::coaching_due;
use crate::plumbing::db::Tx;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::period::Period;
use crate::shared::text;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};

/// Opens the member's plan when their latest two monthly scores that count are of consecutive
/// months and both below 60 (at most once for that second month: the database's key).
pub async fn open_if_due(tx: &mut Tx, member: i64) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT period, COALESCE(calibrated_score, score) FROM scorecards \
         WHERE member_id = $1 AND score IS NOT NULL AND period NOT LIKE '%Q%' ORDER BY period DESC LIMIT 2",
    )
    .bind(member)
    .fetch_all(&mut **tx)
    .await?;
    let monthly: Vec<(i32, u32, Decimal)> = rows
        .iter()
        .filter_map(|(k, s)| match (Period::parse_key(k), s.parse::<Decimal>()) {
            (Some(Period::Month { year, month }), Ok(s)) => Some((year, month, s)),
            _ => None,
        })
        .collect();
    if let Some([_, (y, m)]) = coaching_due(&monthly) {
        sqlx::query(
            "INSERT INTO coaching_plans (member_id, opened_for, opened_at) VALUES ($1, $2, $3) \
             ON CONFLICT (member_id, opened_for) DO NOTHING",
        )
        .bind(member)
        .bind(Period::Month { year: y, month: m }.key())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The member's latest plan, with its items.
pub async fn plan(pool: &AnyPool, member: i64) -> Result<Option<CoachingView>, AppError> {
    let p = sqlx::query(
        "SELECT id, opened_for, closed_at FROM coaching_plans WHERE member_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(member)
    .fetch_optional(pool)
    .await?;
    let Some(p) = p else { return Ok(None) };
    let id: i64 = p.try_get("id")?;
    let rows = sqlx::query(
        "SELECT i.id, i.item, u.display_name, i.due_on, i.progress, i.checked_on, i.done_at FROM coaching_items i \
         JOIN users u ON u.id = i.owner_id WHERE i.plan_id = $1 ORDER BY i.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(CoachingItemView {
                id: r.try_get("id")?,
                item: r.try_get("item")?,
                owner: r.try_get("display_name")?,
                due_on: r.try_get("due_on")?,
                progress: r.try_get("progress")?,
                checked_on: r.try_get("checked_on")?,
                done: r.try_get::<Option<i64>, _>("done_at")?.is_some(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(CoachingView {
        id,
        member_id: member,
        opened_for: p.try_get("opened_for")?,
        closed: p.try_get::<Option<i64>, _>("closed_at")?.is_some(),
        items,
    }))
}

/// The plan's member's manager, and whether it is still open.
async fn managed(state: &AppState, manager: i64, plan: i64) -> Result<i64, AppError> {
    let r = sqlx::query("SELECT member_id, closed_at FROM coaching_plans WHERE id = $1")
        .bind(plan)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let member: i64 = r.try_get("member_id")?;
    let m = people::member(&state.db.pool, member).await?.ok_or(AppError::NotFound)?;
    if m.manager_id != manager {
        return Err(AppError::Forbidden);
    }
    if r.try_get::<Option<i64>, _>("closed_at")?.is_some() {
        return Err(AppError::invalid(Field::Item, Problem::said(K::ProblemPlanClosed)));
    }
    Ok(member)
}

/// The manager adds an improvement item with its owner and date.
pub async fn add_item(
    state: &AppState,
    manager: i64,
    plan: i64,
    item: &str,
    owner: i64,
    due_on: &str,
) -> Result<(), AppError> {
    managed(state, manager, plan).await?;
    let item = text::clean(item, 1, 200).map_err(|e| FieldError::new(Field::Item, Problem::Text(e)));
    let due =
        text::fold_width(due_on.trim()).parse::<NaiveDate>().map_err(|_| FieldError::new(Field::DueOn, Problem::Date));
    let errors: Vec<FieldError> = [item.as_ref().err(), due.as_ref().err()].into_iter().flatten().cloned().collect();
    let (Ok(item), Ok(due)) = (item, due) else { return Err(AppError::Invalid(errors)) };
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("INSERT INTO coaching_items (plan_id, item, owner_id, due_on) VALUES ($1, $2, $3, $4)")
        .bind(plan)
        .bind(item)
        .bind(owner)
        .bind(due.to_string())
        .execute(&mut *tx)
        .await
        .map_err(|_| AppError::invalid(Field::Owner, Problem::UnknownChoice))?;
    tx.commit().await?;
    Ok(())
}

/// The week's progress on an item (the manager or the member), or the item done.
pub async fn track(
    state: &AppState,
    user: i64,
    item: i64,
    progress: &str,
    done: bool,
    today: NaiveDate,
) -> Result<(), AppError> {
    let plan: i64 = sqlx::query_scalar("SELECT plan_id FROM coaching_items WHERE id = $1")
        .bind(item)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (member, manager): (i64, i64) = sqlx::query_as(
        "SELECT p.member_id, m.manager_id FROM coaching_plans p JOIN scorecard_members m ON m.member_id = p.member_id WHERE p.id = $1",
    )
    .bind(plan)
    .fetch_one(&state.db.pool)
    .await?;
    if user != member && user != manager {
        return Err(AppError::Forbidden);
    }
    let progress = text::clean(progress, 1, 500).map_err(|e| AppError::invalid(Field::Progress, Problem::Text(e)))?;
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("UPDATE coaching_items SET progress = $1, checked_on = $2, done_at = $3 WHERE id = $4")
        .bind(progress)
        .bind(today.to_string())
        .bind(done.then(now_ms))
        .bind(item)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The manager closes the plan.
pub async fn close(state: &AppState, manager: i64, plan: i64) -> Result<(), AppError> {
    managed(state, manager, plan).await?;
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("UPDATE coaching_plans SET closed_at = $1, closed_by = $2 WHERE id = $3")
        .bind(now_ms())
        .bind(manager)
        .bind(plan)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Weekly tracking: reminds each open item's owner whose progress was not recorded in the last
/// 7 days, at most once a week (an hourly job). Returns how many were reminded.
pub async fn remind_weekly(state: &AppState, today: NaiveDate) -> Result<usize, AppError> {
    use crate::features::scorecards::i18n::K;
    use crate::plumbing::i18n::{fill, Locale};
    let week_ago = (today - chrono::Duration::days(7)).to_string();
    let (_turn, mut tx) = state.db.begin_write().await?;
    let due: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT i.id, i.owner_id, i.item, i.due_on FROM coaching_items i JOIN coaching_plans p ON p.id = i.plan_id \
         WHERE p.closed_at IS NULL AND i.done_at IS NULL AND (i.checked_on IS NULL OR i.checked_on <= $1) \
         AND (i.reminded_on IS NULL OR i.reminded_on <= $1)",
    )
    .bind(&week_ago)
    .fetch_all(&mut *tx)
    .await?;
    for (id, owner, item, due_on) in &due {
        let body = fill(K::CoachingSms.text(Locale::ZhCn), &[("item", item), ("day", due_on)]);
        crate::plumbing::outbox::enqueue(
            &mut tx,
            crate::plumbing::message::MessageKind::CoachingReminder,
            &format!("user:{owner}"),
            &body,
        )
        .await?;
        sqlx::query("UPDATE coaching_items SET reminded_on = $1 WHERE id = $2")
            .bind(today.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

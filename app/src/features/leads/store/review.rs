//! Marketing's review of pending and held leads, assignment of valid leads to sales reps,
//! and re-evaluation of duplicates when the lead they lost to turns out invalid.
use super::list::{lead_row, LEAD_ROW_COLUMNS, LEAD_ROW_FROM};
use crate::features::leads::model::{AssignedBy, Decision, Field, LeadStatus, ReviewRow, Stage};
use crate::features::leads::rules::assignment::Choice;
use crate::plumbing::access::UserView;
use crate::plumbing::db::{JsonColumn, SetColumn, Tx};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::period::local_time;
use sqlx::{AnyPool, Row};

crate::closed_set! {
    /// A step in a lead's history (`lead_events`).
    pub enum LeadEvent("lead event") {
        Valid = "valid",
        Invalid = "invalid",
        Duplicate = "duplicate",
        /// A duplicate took the place of the lead it lost to, which turned out invalid.
        Promoted = "promoted",
        Assigned = "assigned",
        Deal = "deal",
        Contacted = "contacted",
        VisitBooked = "visit_booked",
        Visited = "visited",
        Won = "won",
        Lost = "lost",
    }
}

impl From<Stage> for LeadEvent {
    fn from(stage: Stage) -> Self {
        match stage {
            Stage::Contacted => LeadEvent::Contacted,
            Stage::VisitBooked => LeadEvent::VisitBooked,
            Stage::Visited => LeadEvent::Visited,
            Stage::Won => LeadEvent::Won,
            Stage::Lost => LeadEvent::Lost,
        }
    }
}

/// Pending and held leads, oldest first, with their review deadline.
pub async fn queue(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<ReviewRow>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {LEAD_ROW_COLUMNS}, l.flag, l.review_due_at {LEAD_ROW_FROM} \
         WHERE l.status IN ('pending', 'held') ORDER BY l.submitted_at, l.id LIMIT 500"
    ))
    .fetch_all(pool)
    .await?;
    let now = now_ms();
    rows.iter()
        .map(|r| {
            let due: Option<i64> = r.try_get("review_due_at")?;
            Ok(ReviewRow {
                lead: lead_row(org, r)?,
                flag: r.set_opt("leads", "flag")?,
                review_due: due.map(|d| local_time(d, org.tz)).unwrap_or_default(),
                overdue: due.is_some_and(|d| d < now),
            })
        })
        .collect()
}

/// One step in a lead's history.
pub async fn event(
    tx: &mut Tx,
    lead_id: i64,
    actor: Option<i64>,
    kind: LeadEvent,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO lead_events (lead_id, at, actor_id, kind, note) VALUES ($1, $2, $3, $4, $5)")
        .bind(lead_id)
        .bind(now_ms())
        .bind(actor)
        .bind(kind.as_str())
        .bind(note)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives up the lead's claim on its phone and promotes the earliest duplicate that lost to
/// it and is still inside its own protection window.
async fn release_and_promote(
    tx: &mut Tx,
    lead_id: i64,
    phone: &str,
    protection_days: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let released = sqlx::query("DELETE FROM lead_protections WHERE phone = $1 AND lead_id = $2")
        .bind(phone)
        .bind(lead_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if released == 0 {
        return Ok(None);
    }
    let window_ms = protection_days * 86_400_000;
    let candidate = sqlx::query(
        "SELECT id, submitted_at FROM leads WHERE duplicate_of = $1 AND status = 'duplicate' AND submitted_at > $2 \
         ORDER BY submitted_at, id LIMIT 1",
    )
    .bind(lead_id)
    .bind(now_ms() - window_ms)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = candidate else { return Ok(None) };
    let (promoted, submitted_at): (i64, i64) = (row.try_get("id")?, row.try_get("submitted_at")?);
    sqlx::query(
        "UPDATE leads SET status = 'pending', reason = NULL, duplicate_of = NULL, review_due_at = $1 WHERE id = $2",
    )
    .bind(now_ms())
    .bind(promoted)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE leads SET duplicate_of = $1 WHERE duplicate_of = $2 AND status = 'duplicate' AND id <> $1")
        .bind(promoted)
        .bind(lead_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO lead_protections (phone, lead_id, protected_until) VALUES ($1, $2, $3)")
        .bind(phone)
        .bind(promoted)
        .bind(submitted_at + window_ms)
        .execute(&mut **tx)
        .await?;
    event(tx, promoted, None, LeadEvent::Promoted, &format!("lead {lead_id} was marked invalid")).await?;
    Ok(Some(promoted))
}

/// Applies one decision to several leads at once; leads no longer waiting for review are
/// left alone. Returns how many were decided.
pub async fn decide(
    state: &AppState,
    reviewer: &UserView,
    ids: &[i64],
    decision: Decision,
    note: &str,
) -> Result<i64, AppError> {
    let note = crate::shared::text::clean(note, 0, 200).map_err(|e| AppError::invalid(Field::Note, e))?;
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::invalid(Field::Selection, Problem::UnknownChoice));
    }
    let rules = crate::features::leads::policy(state).await.rules;
    let (_turn, mut tx) = state.db.begin_write().await?;
    let mut decided = 0;
    for id in ids {
        let row = sqlx::query("SELECT campaign_id, phone, status, demand_tags FROM leads WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { continue };
        let status: LeadStatus = row.set("leads", "status")?;
        if !matches!(status, LeadStatus::Pending | LeadStatus::Held) {
            continue;
        }
        let (campaign_id, phone): (i64, String) = (row.try_get("campaign_id")?, row.try_get("phone")?);
        let now = now_ms();
        match decision {
            Decision::Valid => {
                let tags: Vec<String> = row.json("leads", "demand_tags")?;
                let choice = super::assignment::choose(&mut tx, campaign_id, &tags).await?;
                sqlx::query(
                    "UPDATE leads SET status = 'valid', flag = NULL, reviewed_at = $1, reviewed_by = $2 WHERE id = $3",
                )
                .bind(now)
                .bind(reviewer.id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                event(&mut tx, *id, Some(reviewer.id), LeadEvent::Valid, &note).await?;
                let how = match choice {
                    Choice::Rule(_) => AssignedBy::Rule,
                    _ => AssignedBy::RoundRobin,
                };
                if let Some(rep) = choice.rep() {
                    super::assignment::assign(&mut tx, *id, rep, how, reviewer.id).await?;
                }
            }
            Decision::Invalid | Decision::Duplicate => {
                let (status, reason) = match decision {
                    Decision::Invalid => {
                        (LeadStatus::Invalid, if note.is_empty() { "reviewed_invalid" } else { note.as_str() })
                    }
                    _ => (LeadStatus::Duplicate, "reviewed_duplicate"),
                };
                sqlx::query("UPDATE leads SET status = $1, reason = $2, flag = NULL, reviewed_at = $3, reviewed_by = $4 WHERE id = $5")
                    .bind(status.as_str())
                    .bind(reason)
                    .bind(now)
                    .bind(reviewer.id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let kind = if status == LeadStatus::Invalid { LeadEvent::Invalid } else { LeadEvent::Duplicate };
                event(&mut tx, *id, Some(reviewer.id), kind, &note).await?;
                release_and_promote(&mut tx, *id, &phone, rules.protection_days).await?;
            }
        }
        decided += 1;
    }
    tx.commit().await?;
    events::publish(state, LiveKind::LeadStatus, None, None, decided).await;
    Ok(decided)
}

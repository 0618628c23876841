//! The sales rep's follow-up: first contact within the lead policy's window of assignment (24
//! hours by default), then the stages.
use super::review::event;
use crate::features::leads::model::{Field, FollowUpRow, Stage};
use crate::plumbing::access::UserView;
use crate::plumbing::db::{JsonColumn, SetColumn};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::outbox::{self, MessageKind};
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::period::local_time;
use sqlx::{AnyPool, Row};

/// The rep's leads: open ones first, nearest deadline first.
pub async fn for_rep(state: &AppState, rep_id: i64) -> Result<Vec<FollowUpRow>, AppError> {
    let (pool, org) = (&state.db.pool, &state.org);
    let window_ms = crate::features::leads::policy(state).await.first_contact_ms();
    let rows = sqlx::query(
        "SELECT l.id, c.name AS campaign_name, l.name, l.phone, l.demand_tags, l.assigned_at, l.stage, l.first_contact_at \
         FROM leads l JOIN campaigns c ON c.id = l.campaign_id WHERE l.assigned_to = $1 AND l.status = 'valid' \
         ORDER BY CASE WHEN l.stage IN ('won', 'lost') THEN 1 ELSE 0 END, l.assigned_at, l.id LIMIT 500",
    )
    .bind(rep_id)
    .fetch_all(pool)
    .await?;
    let now = now_ms();
    rows.into_iter()
        .map(|r| {
            let assigned_at: i64 = r.try_get("assigned_at")?;
            let contacted: Option<i64> = r.try_get("first_contact_at")?;
            Ok(FollowUpRow {
                id: r.try_get("id")?,
                campaign_name: r.try_get("campaign_name")?,
                name: r.try_get("name")?,
                phone: crate::shared::phone::Phone::from_e164(r.try_get::<String, _>("phone")?).national().to_string(),
                demand_tags: r.json("leads", "demand_tags")?,
                assigned_at: local_time(assigned_at, org.tz),
                stage: r.set_opt("leads", "stage")?,
                first_contact_left_ms: contacted.is_none().then_some(assigned_at + window_ms - now),
            })
        })
        .collect()
}

/// Moves the rep's lead to `stage` with a note. The first update is the first contact.
pub async fn progress(
    state: &AppState,
    rep: &UserView,
    lead_id: i64,
    stage: Stage,
    note: &str,
) -> Result<(), AppError> {
    let note = crate::shared::text::clean(note, 0, 500).map_err(|e| AppError::invalid(Field::Note, e))?;
    let (_turn, mut tx) = state.db.begin_write().await?;
    let row = sqlx::query("SELECT assigned_to, stage FROM leads WHERE id = $1 AND status = 'valid'")
        .bind(lead_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    // Only the assigned rep moves a lead along; nobody sees that another rep's lead exists.
    if row.try_get::<Option<i64>, _>("assigned_to")? != Some(rep.id) {
        return Err(AppError::NotFound);
    }
    if row.set_opt::<Stage>("leads", "stage")?.is_some_and(Stage::is_final) {
        return Err(AppError::invalid(Field::Stage, Problem::UnknownChoice));
    }
    let now = now_ms();
    sqlx::query("UPDATE leads SET stage = $1, first_contact_at = COALESCE(first_contact_at, $2) WHERE id = $3")
        .bind(stage.as_str())
        .bind(now)
        .bind(lead_id)
        .execute(&mut *tx)
        .await?;
    event(&mut tx, lead_id, Some(rep.id), stage.into(), &note).await?;
    tx.commit().await?;
    events::publish(state, LiveKind::LeadStatus, None, None, 1).await;
    Ok(())
}

/// Flags assigned leads whose first contact is overdue, once each, and tells the rep and
/// marketing through the outbox. Returns how many were flagged.
pub async fn flag_overdue(state: &AppState) -> Result<i64, AppError> {
    let now = now_ms();
    let window_ms = crate::features::leads::policy(state).await.first_contact_ms();
    let (_turn, mut tx) = state.db.begin_write().await?;
    // The conditions are those of the partial index `leads_awaiting_contact`: the check reads
    // the leads waiting, not all of history.
    let rows = sqlx::query(
        "SELECT id, assigned_to, name FROM leads WHERE status = 'valid' AND first_contact_at IS NULL \
         AND overdue_at IS NULL AND assigned_at < $1 ORDER BY id LIMIT 200",
    )
    .bind(now - window_ms)
    .fetch_all(&mut *tx)
    .await?;
    for r in &rows {
        let (id, rep, name): (i64, Option<i64>, String) =
            (r.try_get("id")?, r.try_get("assigned_to")?, r.try_get("name")?);
        sqlx::query("UPDATE leads SET overdue_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await?;
        let body = crate::plumbing::i18n::fill(
            crate::features::leads::i18n::K::SmsOverdue.text(crate::plumbing::i18n::MESSAGE_LOCALE),
            &[("name", &name), ("id", &id.to_string()), ("hours", &(window_ms / 3_600_000).to_string())],
        );
        if let Some(rep) = rep {
            outbox::enqueue(&mut tx, MessageKind::LeadOverdue, &format!("user:{rep}"), &body).await?;
        }
        outbox::enqueue(&mut tx, MessageKind::LeadOverdue, "role:marketing", &body).await?;
    }
    tx.commit().await?;
    Ok(rows.len() as i64)
}

/// The response rate of the leads assigned in `[from, to)` (ms), as of now, against the lead
/// policy's first-contact window.
pub async fn response_rate(pool: &AnyPool, from: i64, to: i64) -> Result<Option<rust_decimal::Decimal>, AppError> {
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT assigned_at, first_contact_at FROM leads WHERE assigned_at IS NOT NULL AND assigned_at >= $1 AND assigned_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let window_ms = super::policy::first_contact_ms(pool).await?;
    Ok(crate::features::leads::rules::response::response_rate(&rows, now_ms(), window_ms))
}

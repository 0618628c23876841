//! Assignment of valid leads to sales reps: each campaign's sales team and demand-tag rules
//! (the choice itself is `domain::assignment`), and marketing's reassignment.
use super::review::{event, LeadEvent};
use crate::features::leads::model::{
    AssignedBy, AssignmentOverview, AssignmentRuleRow, CampaignAssignment, Field, LeadStatus, RepOption,
};
use crate::features::leads::rules::assignment::{self, Choice, TagRule};
use crate::plumbing::access::UserView;
use crate::plumbing::db::{commit_unless_taken, delete_by_id, JsonColumn, SetColumn, Tx};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::i18n::C;
use crate::plumbing::outbox::{self, MessageKind};
use crate::plumbing::state::{now_ms, AppState};
use sqlx::{AnyPool, Row};

/// Active sales reps, by id.
pub async fn active_reps<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
) -> Result<Vec<RepOption>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'sales' AND u.active = 1 ORDER BY u.id",
    )
    .fetch_all(ex)
    .await?;
    rows.iter().map(|r| Ok(RepOption { id: r.try_get("id")?, name: r.try_get("display_name")? })).collect()
}

/// The rep a valid lead of `campaign_id` with `tags` goes to.
pub async fn choose(tx: &mut Tx, campaign_id: i64, tags: &[String]) -> Result<Choice, sqlx::Error> {
    let active: Vec<i64> = active_reps(&mut **tx).await?.into_iter().map(|r| r.id).collect();
    let rules = sqlx::query("SELECT demand_tag, user_id FROM assignment_rules WHERE campaign_id = $1 ORDER BY id")
        .bind(campaign_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| Ok(TagRule { demand_tag: r.try_get("demand_tag")?, rep: r.try_get("user_id")? }))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let mut team: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM campaign_sales_team WHERE campaign_id = $1 ORDER BY user_id")
            .bind(campaign_id)
            .fetch_all(&mut **tx)
            .await?;
    if team.is_empty() {
        team = active.clone();
    }
    let last_round_robin: Option<i64> = sqlx::query_scalar(
        "SELECT assigned_to FROM leads WHERE campaign_id = $1 AND assigned_to IS NOT NULL \
         AND (assigned_by IS NULL OR assigned_by = 'round_robin') ORDER BY assigned_at DESC, id DESC LIMIT 1",
    )
    .bind(campaign_id)
    .fetch_optional(&mut **tx)
    .await?
    .flatten();
    Ok(assignment::choose(tags, &assignment::Pool { rules: &rules, team: &team, active: &active, last_round_robin }))
}

/// Gives the lead to `rep`, records how, and tells the rep (through the outbox).
pub async fn assign(tx: &mut Tx, lead_id: i64, rep: i64, how: AssignedBy, actor: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("UPDATE leads SET assigned_to = $1, assigned_at = $2, assigned_by = $3 WHERE id = $4")
        .bind(rep)
        .bind(now)
        .bind(how.as_str())
        .bind(lead_id)
        .execute(&mut **tx)
        .await?;
    event(tx, lead_id, Some(actor), LeadEvent::Assigned, &format!("{how}:{rep}")).await?;
    let row = sqlx::query("SELECT name, phone FROM leads WHERE id = $1").bind(lead_id).fetch_one(&mut **tx).await?;
    let (name, phone): (String, String) = (row.try_get("name")?, row.try_get("phone")?);
    let national = crate::shared::phone::Phone::from_e164(phone).national().to_string();
    let hours = super::policy::first_contact_hours(&mut **tx).await?.to_string();
    let body = crate::plumbing::i18n::fill(
        crate::features::leads::i18n::K::SmsAssigned.text(crate::plumbing::i18n::MESSAGE_LOCALE),
        &[("name", &name), ("phone", &national), ("hours", &hours)],
    );
    outbox::enqueue(tx, MessageKind::LeadAssigned, &format!("user:{rep}"), &body).await
}

/// Marketing gives a valid lead to another rep. The first-contact clock restarts
/// for the new rep, unless the lead was already contacted.
pub async fn reassign(state: &AppState, actor: &UserView, lead_id: i64, rep: i64) -> Result<(), AppError> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    if !active_reps(&mut *tx).await?.iter().any(|r| r.id == rep) {
        return Err(AppError::invalid(Field::Rep, Problem::UnknownChoice));
    }
    let row = sqlx::query("SELECT status, assigned_to FROM leads WHERE id = $1")
        .bind(lead_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.set::<LeadStatus>("leads", "status")? != LeadStatus::Valid {
        return Err(AppError::invalid(Field::Selection, Problem::said(C::ProblemNotValidLead)));
    }
    if row.try_get::<Option<i64>, _>("assigned_to")? == Some(rep) {
        return Ok(());
    }
    // A new owner gets a fresh overdue flag.
    sqlx::query("UPDATE leads SET overdue_at = NULL WHERE id = $1 AND first_contact_at IS NULL")
        .bind(lead_id)
        .execute(&mut *tx)
        .await?;
    assign(&mut tx, lead_id, rep, AssignedBy::Reassigned, actor.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Campaigns with their teams and rules, and the reps to choose from.
pub async fn overview(pool: &AnyPool) -> Result<AssignmentOverview, AppError> {
    let reps = active_reps(pool).await?;
    let campaigns = sqlx::query("SELECT id, name, demand_tags FROM campaigns ORDER BY id").fetch_all(pool).await?;
    let teams =
        sqlx::query("SELECT campaign_id, user_id FROM campaign_sales_team ORDER BY user_id").fetch_all(pool).await?;
    let rules = sqlx::query(
        "SELECT a.id, a.campaign_id, a.demand_tag, a.user_id, u.display_name FROM assignment_rules a \
         JOIN users u ON u.id = a.user_id ORDER BY a.id",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for c in &campaigns {
        let id: i64 = c.try_get("id")?;
        let mut team = Vec::new();
        for t in &teams {
            if t.try_get::<i64, _>("campaign_id")? == id {
                team.push(t.try_get("user_id")?);
            }
        }
        let mut campaign_rules = Vec::new();
        for r in &rules {
            if r.try_get::<i64, _>("campaign_id")? == id {
                campaign_rules.push(AssignmentRuleRow {
                    id: r.try_get("id")?,
                    demand_tag: r.try_get("demand_tag")?,
                    rep_id: r.try_get("user_id")?,
                    rep_name: r.try_get("display_name")?,
                });
            }
        }
        out.push(CampaignAssignment {
            id,
            name: c.try_get("name")?,
            demand_tags: c.json("campaigns", "demand_tags")?,
            team,
            rules: campaign_rules,
        });
    }
    Ok(AssignmentOverview { reps, campaigns: out })
}

async fn campaign_tags(pool: &AnyPool, campaign_id: i64) -> Result<Vec<String>, AppError> {
    let tags: String = sqlx::query_scalar("SELECT demand_tags FROM campaigns WHERE id = $1")
        .bind(campaign_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::invalid(Field::Campaign, Problem::UnknownChoice))?;
    Ok(crate::plumbing::db::stored_json("campaigns", "demand_tags", &tags)?)
}

/// Replaces a campaign's sales team; an empty team means every active rep.
pub async fn set_team(state: &AppState, campaign_id: i64, reps: &[i64]) -> Result<(), AppError> {
    campaign_tags(&state.db.pool, campaign_id).await?;
    let active = active_reps(&state.db.pool).await?;
    if reps.iter().any(|r| !active.iter().any(|a| a.id == *r)) {
        return Err(AppError::invalid(Field::Rep, Problem::UnknownChoice));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("DELETE FROM campaign_sales_team WHERE campaign_id = $1").bind(campaign_id).execute(&mut *tx).await?;
    let mut reps = reps.to_vec();
    reps.sort_unstable();
    reps.dedup();
    for rep in reps {
        sqlx::query("INSERT INTO campaign_sales_team (campaign_id, user_id) VALUES ($1, $2)")
            .bind(campaign_id)
            .bind(rep)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sends a campaign's leads with `demand_tag` to `rep`.
pub async fn add_rule(state: &AppState, campaign_id: i64, demand_tag: &str, rep: i64) -> Result<i64, AppError> {
    let tags = campaign_tags(&state.db.pool, campaign_id).await?;
    let mut errors = Vec::new();
    if !tags.iter().any(|t| t == demand_tag) {
        errors.push(FieldError::new(Field::DemandTag, Problem::UnknownChoice));
    }
    if !active_reps(&state.db.pool).await?.iter().any(|r| r.id == rep) {
        errors.push(FieldError::new(Field::Rep, Problem::UnknownChoice));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO assignment_rules (campaign_id, demand_tag, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(campaign_id)
    .bind(demand_tag)
    .bind(rep)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await;
    commit_unless_taken(tx, inserted, Field::DemandTag).await
}

pub async fn remove_rule(state: &AppState, id: i64) -> Result<(), AppError> {
    delete_by_id(&state.db, "assignment_rules", id).await
}

//! Publishing a rule version: from today or later (never inside an approved period), with a
//! note saying why; when the organization asks for a second person (`rules_four_eyes`), a
//! version is proposed first and published by another marketing user, or declined.
use super::rules::{insert, parse_rule, rules, Publisher};
use crate::features::rewards::engine::Rule;
use crate::features::rewards::i18n::K;
use crate::features::rewards::model::{
    Audited, Field, Proposal, RuleKind, Saved, RULES_FOUR_EYES_SETTING, SECOND_LEVEL_SETTING,
};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::Tx;
use crate::plumbing::errors::{AppError, Label, Problem};
use crate::plumbing::settings;
use crate::plumbing::state::{internal, is_unique_violation, now_ms, AppState};
use crate::shared::period::{local_date, local_time};
use crate::shared::text;
use sqlx::Row;

/// A version as typed, checked: the rule itself, a note, and a start date it may have today.
async fn checked(state: &AppState, json: &str, note: &str) -> Result<(Rule, String), AppError> {
    let rule = parse_rule(json)?;
    let note = text::clean(note, 1, 200).map_err(|e| AppError::invalid(Field::Note, Problem::Text(e)))?;
    if rule.effective_from < local_date(chrono::Utc::now(), state.org.tz) {
        return Err(AppError::invalid(Field::StartsOn, Problem::said(K::ProblemStartsBeforeToday)));
    }
    // A rule changes money from its date: never inside a period already approved.
    let settled = settings::get(&state.db.pool, super::ledger::SETTLED_THROUGH).await?;
    if settled.is_some_and(|through| rule.effective_from.to_string() <= through) {
        return Err(AppError::invalid(Field::StartsOn, Problem::said(K::ProblemSettledPeriod)));
    }
    // A second level pays only where admin has switched it on, from the rule's first day.
    if !rule.upline.is_empty()
        && settings::effective_number(&state.db.pool, SECOND_LEVEL_SETTING, rule.effective_from, 0).await? == 0
    {
        return Err(AppError::invalid(Field::Upline, Problem::said(K::ProblemSecondLevelOff)));
    }
    Ok((rule, note))
}

/// A version as the audit log keeps it: name, kind, start date and why.
fn summary(rule: &Rule, note: &str) -> String {
    format!("{} · {} · {}: {note}", rule.name, RuleKind::of(&rule.spec).as_str(), rule.effective_from)
}

/// Publishes the version, or proposes it when the organization asks for a second person.
pub async fn save(state: &AppState, actor: &Actor, json: &str, note: &str) -> Result<Saved, AppError> {
    let (rule, note) = checked(state, json, note).await?;
    if settings::number(&state.db.pool, RULES_FOUR_EYES_SETTING, 0).await? == 0 {
        let by = Publisher { published_by: actor.user_id, proposed_by: None, note: Some(&note) };
        return Ok(Saved::Published { version: publish(state, actor, rule, by, None).await? });
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rule_proposals (rule_id, spec, note, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(rule.id)
    .bind(serde_json::to_string(&rule).map_err(internal)?)
    .bind(&note)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { AppError::invalid(Field::Rule, Problem::said(K::ProblemProposalOpen)) } else { e.into() })?;
    let after = Some(summary(&rule, &note));
    let change =
        Change { action: Audited::RuleProposed, subject: format!("rule #{}", rule.id), before: None, after, actor };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(Saved::Proposed { id })
}

/// A new version from its `effective_from`: the previous version ends the day before, so
/// rewards already computed under it never change; a rule id not yet used starts at version 1.
/// The facts from its date on are accrued again; the proposal it comes from, if any, is closed
/// in the same transaction. Returns the version.
async fn publish(
    state: &AppState,
    actor: &Actor,
    mut rule: Rule,
    by: Publisher<'_>,
    proposal: Option<i64>,
) -> Result<i64, AppError> {
    let current = rules(&state.db.pool).await?.into_iter().filter(|r| r.id == rule.id).max_by_key(|r| r.version);
    let (_turn, mut tx) = state.db.begin_write().await?;
    if let Some(prev) = &current {
        if rule.effective_from <= prev.effective_from {
            return Err(AppError::invalid(Field::StartsOn, Problem::EndsBeforeStart));
        }
        rule.version = prev.version + 1;
        let ends = rule.effective_from.pred_opt().unwrap_or(rule.effective_from);
        let mut closed = prev.clone();
        closed.effective_to = Some(ends);
        sqlx::query("UPDATE reward_rules SET effective_to = $1, spec = $2 WHERE rule_id = $3 AND version = $4")
            .bind(ends.to_string())
            .bind(serde_json::to_string(&closed).map_err(internal)?)
            .bind(prev.id)
            .bind(prev.version)
            .execute(&mut *tx)
            .await?;
    } else {
        rule.version = 1;
    }
    insert(&mut tx, &rule, by).await.map_err(|e| {
        if is_unique_violation(&e) {
            AppError::invalid(Field::Rule, Problem::Taken)
        } else {
            AppError::from(e)
        }
    })?;
    // What the facts from its date earn is accrued again (a margin of a day either side of
    // the organization's midnight costs nothing: accruing twice writes the same lines).
    let from_ms = rule.effective_from.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis() - 86_400_000;
    sqlx::query("INSERT INTO accruals (customer) SELECT DISTINCT customer_phone FROM deals WHERE signed_on >= $1")
        .bind(rule.effective_from.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO accruals (lead_id) SELECT id FROM leads WHERE status = 'valid' AND reviewed_at >= $1")
        .bind(from_ms)
        .execute(&mut *tx)
        .await?;
    if let Some(id) = proposal {
        close(&mut tx, id, "published", actor, Some(rule.version)).await?;
    }
    let change = Change {
        action: Audited::RulePublished,
        subject: format!("rule #{} v{}", rule.id, rule.version),
        before: current.map(|prev| format!("v{} {} ({})", prev.version, prev.name, prev.effective_from)),
        after: Some(summary(&rule, by.note.unwrap_or_default())),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(rule.version)
}

/// Another marketing user publishes (checked again: a date may have passed meanwhile) or
/// declines an open proposal; the proposer cannot decide their own.
pub async fn decide(state: &AppState, actor: &Actor, id: i64, publish_it: bool) -> Result<Saved, AppError> {
    let row = sqlx::query("SELECT spec, note, proposed_by FROM rule_proposals WHERE id = $1 AND outcome IS NULL")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let proposed_by: i64 = row.try_get("proposed_by")?;
    if actor.user_id == Some(proposed_by) {
        return Err(AppError::Refused(Label::of(K::ProposalNeedsAnother)));
    }
    if publish_it {
        let (rule, note) =
            checked(state, &row.try_get::<String, _>("spec")?, &row.try_get::<String, _>("note")?).await?;
        let by = Publisher { published_by: actor.user_id, proposed_by: Some(proposed_by), note: Some(&note) };
        return Ok(Saved::Published { version: publish(state, actor, rule, by, Some(id)).await? });
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    close(&mut tx, id, "declined", actor, None).await?;
    audit::record(&mut tx, Change::bare(Audited::RuleDeclined, format!("proposal #{id}"), actor)).await?;
    tx.commit().await?;
    Ok(Saved::Declined)
}

/// Decides a proposal once: a second decision finds it closed.
async fn close(tx: &mut Tx, id: i64, outcome: &str, actor: &Actor, version: Option<i64>) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE rule_proposals SET outcome = $1, decided_by = $2, decided_at = $3, version = $4 WHERE id = $5 AND outcome IS NULL",
    )
    .bind(outcome)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(version)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Proposals waiting for a second person, oldest first.
pub async fn open(state: &AppState, viewer: i64) -> Result<Vec<Proposal>, AppError> {
    let rows = sqlx::query(
        "SELECT p.id, p.spec, p.note, p.proposed_by, p.proposed_at, u.display_name FROM rule_proposals p \
         JOIN users u ON u.id = p.proposed_by WHERE p.outcome IS NULL ORDER BY p.id",
    )
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let rule: Rule = serde_json::from_str(&row.try_get::<String, _>("spec")?).map_err(internal)?;
            Ok(Proposal {
                id: row.try_get("id")?,
                rule_id: rule.id,
                name: rule.name.clone(),
                kind: RuleKind::of(&rule.spec),
                effective_from: rule.effective_from.to_string(),
                note: row.try_get("note")?,
                proposed_by: row.try_get("display_name")?,
                proposed_at: local_time(row.try_get("proposed_at")?, state.org.tz),
                mine: row.try_get::<i64, _>("proposed_by")? == viewer,
                spec: serde_json::to_string_pretty(&rule).map_err(internal)?,
            })
        })
        .collect()
}

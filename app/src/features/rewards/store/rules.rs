//! Reward rules as versioned data: each version is a row holding the rule as JSON; a change is
//! a new version from a date, and the previous one ends the day before.
use crate::features::rewards::engine::{default_rules, Rule};
use crate::features::rewards::i18n::K;
use crate::features::rewards::model::{Field, RuleKind, RuleRow};
use crate::plumbing::db::{Db, Tx};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::{internal, now_ms};
use crate::shared::period::local_time;
use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::{AnyPool, Row};

/// The default rules of PRODUCT.md §3, on first start.
pub async fn seed_if_empty(db: &Db) -> Result<(), AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reward_rules").fetch_one(&db.pool).await?;
    if n > 0 {
        return Ok(());
    }
    let sales: Option<i64> =
        sqlx::query_scalar("SELECT id FROM departments WHERE name = '销售部'").fetch_optional(&db.pool).await?;
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let (_turn, mut tx) = db.begin_write().await?;
    for rule in default_rules(from, sales) {
        insert(&mut tx, &rule, Publisher::default()).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn insert(tx: &mut Tx, rule: &Rule, by: Publisher<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reward_rules (rule_id, version, name, promoter_kind, department_id, campaign_id, effective_from, \
         effective_to, spec, created_by, created_at, note, proposed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(rule.id)
    .bind(rule.version)
    .bind(&rule.name)
    .bind(rule.promoter_kind.as_str())
    .bind(rule.department_id)
    .bind(rule.campaign_id)
    .bind(rule.effective_from.to_string())
    .bind(rule.effective_to.map(|d| d.to_string()))
    .bind(serde_json::to_string(rule).unwrap_or_default())
    .bind(by.published_by)
    .bind(now_ms())
    .bind(by.note)
    .bind(by.proposed_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Who published a version and why (all `None`: the defaults, on first start).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Publisher<'a> {
    pub published_by: Option<i64>,
    pub proposed_by: Option<i64>,
    pub note: Option<&'a str>,
}

pub async fn rules(pool: &AnyPool) -> Result<Vec<Rule>, AppError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT spec FROM reward_rules ORDER BY rule_id, version").fetch_all(pool).await?;
    rows.iter().map(|s| serde_json::from_str(s).map_err(internal)).collect()
}

/// Every version of every rule, oldest first, with who published it, when and why.
pub async fn list(pool: &AnyPool, tz: Tz) -> Result<Vec<RuleRow>, AppError> {
    let rows = sqlx::query(
        "SELECT r.spec, r.note, r.created_at, u.display_name, p.display_name AS proposer FROM reward_rules r \
         LEFT JOIN users u ON u.id = r.created_by LEFT JOIN users p ON p.id = r.proposed_by \
         ORDER BY r.rule_id, r.version",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let r: Rule = serde_json::from_str(&row.try_get::<String, _>("spec")?).map_err(internal)?;
            Ok(RuleRow {
                rule_id: r.id,
                version: r.version,
                name: r.name.clone(),
                promoter_kind: r.promoter_kind,
                department_id: r.department_id,
                campaign_id: r.campaign_id,
                effective_from: r.effective_from.to_string(),
                effective_to: r.effective_to.map(|d| d.to_string()),
                kind: RuleKind::of(&r.spec),
                spec: serde_json::to_string_pretty(&r).unwrap_or_default(),
                note: row.try_get("note")?,
                published_by: row.try_get("display_name")?,
                proposed_by: row.try_get("proposer")?,
                published_at: local_time(row.try_get("created_at")?, tz),
            })
        })
        .collect()
}

/// A rule as sent (JSON), checked as the editor checks it: what is wrong is named by field.
pub fn parse_rule(json: &str) -> Result<Rule, AppError> {
    let rule: Rule =
        serde_json::from_str(json).map_err(|_| AppError::invalid(Field::Rule, Problem::said(K::ProblemRule)))?;
    let errors = crate::features::rewards::editor::draft::check(&rule);
    if errors.is_empty() {
        Ok(rule)
    } else {
        Err(AppError::Invalid(errors))
    }
}

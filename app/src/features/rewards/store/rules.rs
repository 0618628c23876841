//! Reward rules as versioned data: each version is a row holding the rule as JSON; a change is
//! a new version from a date, and the previous one ends the day before.
use crate::features::rewards::engine::{default_rules, Attribution, Rule};
use crate::features::rewards::i18n::K;
use crate::features::rewards::model::{Field, RuleKind, RuleRow};
use crate::plumbing::db::{Db, Tx};
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::{internal, is_unique_violation, now_ms};
use chrono::NaiveDate;
use sqlx::AnyPool;

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
        insert(&mut tx, &rule, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert(tx: &mut Tx, rule: &Rule, actor: Option<i64>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reward_rules (rule_id, version, name, promoter_kind, department_id, campaign_id, effective_from, \
         effective_to, spec, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .bind(actor)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn rules(pool: &AnyPool) -> Result<Vec<Rule>, AppError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT spec FROM reward_rules ORDER BY rule_id, version").fetch_all(pool).await?;
    rows.iter().map(|s| serde_json::from_str(s).map_err(internal)).collect()
}

pub async fn list(pool: &AnyPool) -> Result<Vec<RuleRow>, AppError> {
    Ok(rules(pool)
        .await?
        .into_iter()
        .map(|r| RuleRow {
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
        })
        .collect())
}

/// Saves an edited rule as a new version from its `effective_from`: the previous version ends
/// the day before, so rewards already computed under it never change. A rule id not yet used
/// starts at version 1.
/// A rule as typed (JSON), checked: anything else is refused naming the rule field.
pub fn parse_rule(json: &str) -> Result<Rule, AppError> {
    let bad = || AppError::invalid(Field::Rule, Problem::said(K::ProblemRule));
    let rule: Rule = serde_json::from_str(json).map_err(|_| bad())?;
    validate(&rule).map_err(|_| bad())?;
    Ok(rule)
}

pub async fn save(db: &Db, actor: i64, json: &str) -> Result<(i64, i64), AppError> {
    let mut rule = parse_rule(json)?;
    let current = rules(&db.pool).await?.into_iter().filter(|r| r.id == rule.id).max_by_key(|r| r.version);
    // A rule changes money from its date: never inside a period already approved.
    let settled = crate::plumbing::settings::get(&db.pool, super::ledger::SETTLED_THROUGH).await?;
    if settled.is_some_and(|through| rule.effective_from.to_string() <= through) {
        return Err(AppError::invalid(Field::StartsOn, Problem::said(K::ProblemSettledPeriod)));
    }
    let (_turn, mut tx) = db.begin_write().await?;
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
            .bind(serde_json::to_string(&closed).unwrap_or_default())
            .bind(prev.id)
            .bind(prev.version)
            .execute(&mut *tx)
            .await?;
    } else {
        rule.version = 1;
    }
    insert(&mut tx, &rule, Some(actor)).await.map_err(|e| {
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
    tx.commit().await?;
    Ok((rule.id, rule.version))
}

/// Rates between 0 and 1, amounts not negative, split weights adding up to something.
fn validate(rule: &Rule) -> Result<(), ()> {
    use crate::features::rewards::engine::RuleSpec::*;
    use rust_decimal::Decimal;
    let rate_ok = |r: &Decimal| *r >= Decimal::ZERO && *r <= Decimal::ONE;
    let ok = rule.id > 0
        && !rule.name.trim().is_empty()
        && rule.effective_to.is_none_or(|to| to >= rule.effective_from)
        && !matches!(rule.attribution, Attribution::Months(0))
        && match &rule.spec {
            PercentOfDeal { rate } => rate_ok(rate),
            PercentBand { bands, later_rate } => {
                bands.iter().all(|b| rate_ok(&b.rate) && b.min_fen >= 0) && rate_ok(later_rate)
            }
            MarginalTiers { tiers, .. } => !tiers.is_empty() && tiers.iter().all(|t| rate_ok(&t.rate)),
            FlatPerEvent { amount_fen, .. } | NewCustomerBenefit { amount_fen } => *amount_fen >= 0,
            ActivityTarget { threshold, amount_fen, .. } => *threshold > 0 && *amount_fen >= 0,
            Split { rate, first_order, repeat } => {
                rate_ok(rate)
                    && [first_order, repeat].iter().all(|s| {
                        !s.is_empty()
                            && s.iter().all(|(_, w)| *w >= Decimal::ZERO)
                            && s.iter().map(|(_, w)| *w).sum::<Decimal>() > Decimal::ZERO
                    })
            }
            CouponLadder { steps, later } => steps.iter().chain([later]).all(|s| s.amount_fen >= 0),
        };
    if ok {
        Ok(())
    } else {
        Err(())
    }
}

//! Reward rules as versioned data, and the facts the reward engine runs on, read from the
//! database. The engine itself is `domain::reward`.
use super::{now_ms, settings, OrgSettings};
use crate::domain::period::local_date;
use crate::domain::reward::{
    default_rules, Activity, Attribution, Audit, Deal, Facts, Promoter, PromoterKind, Rule, Terms, ValidLead,
};
use crate::domain::tax::TaxTreatment;
use crate::error::{AppError, Field, Problem};
use crate::model::RuleRow;
use chrono::{DateTime, Datelike, NaiveDate};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

pub(super) fn date(s: &str) -> Result<NaiveDate, sqlx::Error> {
    s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(Box::new(e)))
}

/// The default rules of PRODUCT.md §3, on first start.
pub async fn seed_if_empty(pool: &AnyPool) -> Result<(), AppError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reward_rules").fetch_one(pool).await?;
    if n > 0 {
        return Ok(());
    }
    let sales: Option<i64> =
        sqlx::query_scalar("SELECT id FROM departments WHERE name = '销售部'").fetch_optional(pool).await?;
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    for rule in default_rules(from, sales) {
        insert(pool, &rule, None).await?;
    }
    Ok(())
}

async fn insert(pool: &AnyPool, rule: &Rule, actor: Option<i64>) -> Result<(), sqlx::Error> {
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
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn rules(pool: &AnyPool) -> Result<Vec<Rule>, AppError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT spec FROM reward_rules ORDER BY rule_id, version").fetch_all(pool).await?;
    rows.iter().map(|s| serde_json::from_str(s).map_err(super::internal)).collect()
}

pub async fn list(pool: &AnyPool) -> Result<Vec<RuleRow>, AppError> {
    Ok(rules(pool)
        .await?
        .into_iter()
        .map(|r| RuleRow {
            rule_id: r.id,
            version: r.version,
            name: r.name.clone(),
            promoter_kind: r.promoter_kind.as_str().into(),
            scope: match (r.department_id, r.campaign_id) {
                (None, None) => String::new(),
                (d, c) => [d.map(|d| format!("department #{d}")), c.map(|c| format!("campaign #{c}"))]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            effective_from: r.effective_from.to_string(),
            effective_to: r.effective_to.map(|d| d.to_string()),
            kind: r.spec.kind().into(),
            spec: serde_json::to_string_pretty(&r).unwrap_or_default(),
        })
        .collect())
}

/// Saves an edited rule as a new version from its `effective_from`: the previous version ends
/// the day before, so rewards already computed under it never change. A rule id not yet used
/// starts at version 1.
pub async fn save(pool: &AnyPool, actor: i64, json: &str) -> Result<(i64, i64), AppError> {
    let bad = || AppError::invalid(Field::Rule, Problem::Rule);
    let mut rule: Rule = serde_json::from_str(json).map_err(|_| bad())?;
    validate(&rule).map_err(|_| bad())?;
    let current = rules(pool).await?.into_iter().filter(|r| r.id == rule.id).max_by_key(|r| r.version);
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
            .execute(pool)
            .await?;
    } else {
        rule.version = 1;
    }
    insert(pool, &rule, Some(actor)).await.map_err(|e| {
        if super::is_unique_violation(&e) {
            AppError::invalid(Field::Rule, Problem::Taken)
        } else {
            e.into()
        }
    })?;
    Ok((rule.id, rule.version))
}

/// Rates between 0 and 1, amounts not negative, split weights adding up to something.
fn validate(rule: &Rule) -> Result<(), ()> {
    use crate::domain::reward::RuleSpec::*;
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

/// A user's promoter kind: partner, customer, or (any staff member) employee.
pub fn kind_of(roles: &[String]) -> Option<PromoterKind> {
    if roles.iter().any(|r| r == "partner") {
        Some(PromoterKind::Partner)
    } else if roles.iter().any(|r| r == "customer") {
        Some(PromoterKind::Customer)
    } else if roles.iter().any(|r| matches!(r.as_str(), "employee" | "sales" | "marketing" | "finance" | "admin")) {
        Some(PromoterKind::Employee)
    } else {
        None
    }
}

/// How each kind is taxed unless a promoter has their own setting.
pub async fn default_treatment(pool: &AnyPool, kind: PromoterKind) -> Result<TaxTreatment, sqlx::Error> {
    let fallback = match kind {
        PromoterKind::Partner => TaxTreatment::Labour,
        _ => TaxTreatment::Incidental,
    };
    let set = settings::get(pool, &format!("tax_treatment_{}", kind.as_str())).await?;
    Ok(set.as_deref().and_then(TaxTreatment::parse).unwrap_or(fallback))
}

pub struct PromoterInfo {
    pub promoter: Promoter,
    pub treatment: TaxTreatment,
}

/// Every promoter with their kind, department and tax treatment.
pub async fn promoters(pool: &AnyPool) -> Result<BTreeMap<i64, PromoterInfo>, AppError> {
    let roles = sqlx::query("SELECT user_id, role FROM user_roles").fetch_all(pool).await?;
    let mut by_user: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in &roles {
        by_user.entry(r.try_get("user_id")?).or_default().push(r.try_get("role")?);
    }
    let mut defaults = BTreeMap::new();
    for k in PromoterKind::ALL {
        defaults.insert(k, default_treatment(pool, k).await?);
    }
    let users = sqlx::query("SELECT id, department_id, tax_treatment FROM users").fetch_all(pool).await?;
    let mut out = BTreeMap::new();
    for u in &users {
        let id: i64 = u.try_get("id")?;
        let Some(kind) = by_user.get(&id).and_then(|r| kind_of(r)) else { continue };
        let own: Option<String> = u.try_get("tax_treatment")?;
        let treatment = own.as_deref().and_then(TaxTreatment::parse).unwrap_or(defaults[&kind]);
        out.insert(
            id,
            PromoterInfo { promoter: Promoter { id, kind, department_id: u.try_get("department_id")? }, treatment },
        );
    }
    Ok(out)
}

pub async fn terms(pool: &AnyPool) -> Result<Terms, sqlx::Error> {
    let holding = settings::get(pool, "holding_days").await?.and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(Terms { holding_days: holding })
}

pub async fn minimum_payout_fen(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    Ok(settings::get(pool, "minimum_payout_fen").await?.and_then(|s| s.parse().ok()).unwrap_or(0))
}

pub(super) fn audit_of(s: &str) -> Audit {
    match s {
        "pending" => Audit::Pending,
        "verified" => Audit::Verified,
        "rejected" => Audit::Rejected,
        _ => Audit::NotSampled,
    }
}

pub(super) fn deal_of(r: &sqlx::any::AnyRow) -> Result<Deal, sqlx::Error> {
    let due: Option<String> = r.try_get("due_on")?;
    Ok(Deal {
        id: r.try_get("id")?,
        order_no: r.try_get("order_no")?,
        customer: r.try_get("customer_phone")?,
        promoter_id: r.try_get("promoter_id")?,
        sales_rep_id: r.try_get("sales_rep_id")?,
        service_id: None,
        campaign_id: r.try_get("campaign_id")?,
        amount_fen: r.try_get("amount_fen")?,
        cost_fen: r.try_get("cost_fen")?,
        signed_on: date(&r.try_get::<String, _>("signed_on")?)?,
        due_on: due.as_deref().map(date).transpose()?,
        audit: audit_of(&r.try_get::<String, _>("audit")?),
    })
}

pub(super) const DEAL_COLUMNS: &str =
    "id, order_no, customer_phone, promoter_id, sales_rep_id, campaign_id, amount_fen, cost_fen, signed_on, due_on, audit";

/// Which facts to read.
pub enum FactScope<'a> {
    /// The deals of these customers and their payments, for a quick look at one deal.
    Customers(&'a [String]),
    /// Everything these promoters can earn from: every deal of every customer they referred or
    /// sold to (a customer's first order decides later orders' rates and attribution), and
    /// their own activity and valid leads. Lines for other promoters come out too; ignore them.
    Promoters(&'a [i64]),
}

/// A list of ids for `IN (…)`: integers only, so nothing user-typed reaches the SQL.
pub(super) fn id_list(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    if list.is_empty() {
        "NULL".to_string()
    } else {
        list.join(",")
    }
}

/// The deals of every customer these promoters referred or sold to, each with its payments in
/// one pass (a deal's columns repeat on each of its payment rows), in deal order. Public for
/// the settlement benchmark, which times this very query inside the database.
pub fn promoter_deals_sql(ids: &[i64]) -> String {
    let ids = id_list(ids);
    format!(
        "SELECT {}, p.id AS payment_id, p.deal_id, p.paid_on, p.amount_fen AS paid_fen FROM deals d \
         LEFT JOIN payments p ON p.deal_id = d.id WHERE d.customer_phone IN \
         (SELECT customer_phone FROM deals WHERE promoter_id IN ({ids}) UNION \
          SELECT customer_phone FROM deals WHERE sales_rep_id IN ({ids})) ORDER BY d.id",
        DEAL_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
    )
}

/// Every fact the engine needs within `scope`. `promoters`: every promoter (the engine looks up
/// referrers and sales reps outside the scope too).
pub async fn facts(
    pool: &AnyPool,
    org: &OrgSettings,
    promoters: &BTreeMap<i64, PromoterInfo>,
    scope: FactScope<'_>,
) -> Result<Facts, AppError> {
    let (mut deals, mut payments) = (Vec::new(), Vec::new());
    match scope {
        FactScope::Customers(list) => {
            for c in list {
                for r in sqlx::query(&format!("SELECT {DEAL_COLUMNS} FROM deals WHERE customer_phone = $1"))
                    .bind(c)
                    .fetch_all(pool)
                    .await?
                {
                    deals.push(deal_of(&r)?);
                }
                for r in sqlx::query(
                    "SELECT p.id, p.deal_id, p.paid_on, p.amount_fen FROM payments p \
                     JOIN deals d ON d.id = p.deal_id WHERE d.customer_phone = $1",
                )
                .bind(c)
                .fetch_all(pool)
                .await?
                {
                    payments.push(payment_of(&r, "id", "amount_fen")?);
                }
            }
        }
        FactScope::Promoters(ids) => {
            let rows = sqlx::query(&promoter_deals_sql(ids)).fetch_all(pool).await?;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                if deals.last().is_none_or(|d: &Deal| d.id != id) {
                    deals.push(deal_of(r)?);
                }
                if r.try_get::<Option<i64>, _>("payment_id")?.is_some() {
                    payments.push(payment_of(r, "payment_id", "paid_fen")?);
                }
            }
        }
    }
    let mut boosts = Vec::new();
    for r in sqlx::query("SELECT id, boosts FROM campaigns").fetch_all(pool).await? {
        let list: Vec<crate::domain::campaign::Boost> =
            serde_json::from_str(&r.try_get::<String, _>("boosts")?).unwrap_or_default();
        if !list.is_empty() {
            boosts.push((r.try_get("id")?, list));
        }
    }
    let (valid_leads, activity) = match scope {
        FactScope::Customers(_) => (Vec::new(), Vec::new()),
        FactScope::Promoters(ids) => activity(pool, org, &id_list(ids)).await?,
    };
    Ok(Facts {
        promoters: promoters.values().map(|p| p.promoter.clone()).collect(),
        deals,
        payments,
        valid_leads,
        activity,
        boosts,
    })
}

fn payment_of(r: &sqlx::any::AnyRow, id: &str, amount: &str) -> Result<crate::domain::reward::Payment, sqlx::Error> {
    Ok(crate::domain::reward::Payment {
        id: r.try_get(id)?,
        deal_id: r.try_get("deal_id")?,
        paid_on: date(&r.try_get::<String, _>("paid_on")?)?,
        amount_fen: r.try_get(amount)?,
    })
}

fn local_day(org: &OrgSettings, ms: i64) -> NaiveDate {
    local_date(DateTime::from_timestamp_millis(ms).unwrap_or_default(), org.tz)
}

/// Valid leads, and shares, unique visitors and valid leads per promoter and month, of the
/// promoters in `ids` (an `id_list`).
async fn activity(pool: &AnyPool, org: &OrgSettings, ids: &str) -> Result<(Vec<ValidLead>, Vec<Activity>), AppError> {
    let mut months: BTreeMap<(i64, i32, u32), Activity> = BTreeMap::new();
    let mut slot = |promoter_id: i64, d: NaiveDate| -> (i64, i32, u32) {
        let key = (promoter_id, d.year(), d.month());
        months.entry(key).or_insert(Activity {
            promoter_id,
            year: d.year(),
            month: d.month(),
            shares: 0,
            unique_visitors: 0,
            valid_leads: 0,
        });
        key
    };
    let mut keys = Vec::new();
    for r in sqlx::query(&format!(
        "SELECT pl.promoter_id, s.at FROM shares s JOIN promo_links pl ON pl.id = s.link_id WHERE pl.promoter_id IN ({ids})"
    ))
        .fetch_all(pool)
        .await?
    {
        keys.push((slot(r.try_get("promoter_id")?, local_day(org, r.try_get("at")?)), 0));
    }
    for r in sqlx::query(&format!(
        "SELECT pl.promoter_id, v.day FROM link_visitors v JOIN promo_links pl ON pl.id = v.link_id WHERE pl.promoter_id IN ({ids})"
    ))
        .fetch_all(pool)
        .await?
    {
        keys.push((slot(r.try_get("promoter_id")?, date(&r.try_get::<String, _>("day")?)?), 1));
    }
    let mut leads = Vec::new();
    for r in sqlx::query(
        &format!(
            "SELECT id, promoter_id, campaign_id, reviewed_at FROM leads WHERE status = 'valid' AND promoter_id IN ({ids}) \
             AND reviewed_at IS NOT NULL"
        ),
    )
    .fetch_all(pool)
    .await?
    {
        let lead = ValidLead {
            id: r.try_get("id")?,
            promoter_id: r.try_get("promoter_id")?,
            campaign_id: r.try_get("campaign_id")?,
            valid_on: local_day(org, r.try_get("reviewed_at")?),
        };
        keys.push((slot(lead.promoter_id, lead.valid_on), 2));
        leads.push(lead);
    }
    for (key, what) in keys {
        if let Some(a) = months.get_mut(&key) {
            match what {
                0 => a.shares += 1,
                1 => a.unique_visitors += 1,
                _ => a.valid_leads += 1,
            }
        }
    }
    Ok((leads, months.into_values().collect()))
}

//! The lead policy marketing sets (protection window, daily cap, business calendar), kept in
//! the settings table and cached in memory.
use crate::features::leads::model::{Audited, Field, PolicyView};
use crate::features::leads::rules::screening::{Rules, RulesError};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::Db;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::settings::{get, put};
use crate::shared::period::{format_dates, parse_dates, BusinessCalendar};
use sqlx::AnyPool;
use std::sync::Arc;

/// The lead policy marketing sets: the protection window, the daily cap per device or IP and
/// the business calendar the review deadline counts in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub rules: Rules,
    pub calendar: BusinessCalendar,
}

fn dates(value: Option<String>) -> std::collections::BTreeSet<chrono::NaiveDate> {
    value.as_deref().and_then(|v| parse_dates(v).ok()).unwrap_or_default()
}

pub async fn load_policy(pool: &AnyPool) -> Result<Policy, sqlx::Error> {
    let defaults = Rules::default();
    let number = |v: Option<String>, default: i64| v.and_then(|v| v.parse().ok()).unwrap_or(default);
    Ok(Policy {
        rules: Rules {
            protection_days: number(get(pool, "protection_days").await?, defaults.protection_days),
            daily_cap: number(get(pool, "daily_cap").await?, defaults.daily_cap),
        },
        calendar: BusinessCalendar {
            holidays: dates(get(pool, "holidays").await?),
            extra_workdays: dates(get(pool, "extra_workdays").await?),
        },
    })
}

/// How a policy reads in the audit log.
fn described(policy: &Policy) -> String {
    let v = policy_view(policy);
    serde_json::json!({
        "protection_days": v.protection_days,
        "daily_cap": v.daily_cap,
        "holidays": v.holidays,
        "extra_workdays": v.extra_workdays,
    })
    .to_string()
}

/// Stores a validated policy, all keys in one transaction with its audit entry.
pub async fn save_policy(db: &Db, actor: &Actor, policy: &Policy) -> Result<(), sqlx::Error> {
    let before = load_policy(&db.pool).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let values = [
        ("protection_days", policy.rules.protection_days.to_string()),
        ("daily_cap", policy.rules.daily_cap.to_string()),
        ("holidays", format_dates(&policy.calendar.holidays)),
        ("extra_workdays", format_dates(&policy.calendar.extra_workdays)),
    ];
    for (key, value) in &values {
        put(&mut tx, key, value).await?;
    }
    let change = Change {
        action: Audited::PolicyChanged,
        subject: "lead policy".into(),
        before: Some(described(&before)),
        after: Some(described(policy)),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await
}

/// The policy in memory, read again from the database every few seconds so that every app
/// instance follows a change made on another.
pub struct PolicyCache {
    current: std::sync::RwLock<(std::time::Instant, Arc<Policy>)>,
}

const POLICY_TTL: std::time::Duration = std::time::Duration::from_secs(5);

impl PolicyCache {
    pub fn new(policy: Policy) -> Self {
        PolicyCache { current: std::sync::RwLock::new((std::time::Instant::now(), Arc::new(policy))) }
    }

    pub async fn get(&self, pool: &AnyPool) -> Arc<Policy> {
        let (loaded_at, policy) = match self.current.read() {
            Ok(c) => (c.0, c.1.clone()),
            Err(poisoned) => (poisoned.get_ref().0, poisoned.get_ref().1.clone()),
        };
        if loaded_at.elapsed() < POLICY_TTL {
            return policy;
        }
        match load_policy(pool).await {
            Ok(fresh) => self.set(fresh),
            Err(e) => {
                // Keep screening with the last known policy rather than failing submissions.
                tracing::warn!(error = %e, "could not reload the lead policy");
                policy
            }
        }
    }

    pub fn set(&self, policy: Policy) -> Arc<Policy> {
        let policy = Arc::new(policy);
        let mut c = self.current.write().unwrap_or_else(|p| p.into_inner());
        *c = (std::time::Instant::now(), policy.clone());
        policy
    }
}

pub fn policy_view(policy: &Policy) -> PolicyView {
    PolicyView {
        protection_days: policy.rules.protection_days,
        daily_cap: policy.rules.daily_cap,
        holidays: format_dates(&policy.calendar.holidays),
        extra_workdays: format_dates(&policy.calendar.extra_workdays),
    }
}

/// The policy form as typed; every field that is wrong is named at once.
pub fn parse_policy(protection_days: &str, daily_cap: &str, dates: &PolicyView) -> Result<Policy, AppError> {
    let number = |s: &str| crate::shared::text::fold_width(s.trim()).parse::<i64>().unwrap_or(i64::MIN);
    let rules = Rules { protection_days: number(protection_days), daily_cap: number(daily_cap) };
    let mut errors: Vec<FieldError> = rules
        .problems()
        .into_iter()
        .map(|p| match p {
            RulesError::ProtectionDays { min, max } => {
                FieldError::new(Field::ProtectionDays, Problem::OutOfRange { min, max })
            }
            RulesError::DailyCap { min, max } => FieldError::new(Field::DailyCap, Problem::OutOfRange { min, max }),
        })
        .collect();
    let holidays =
        parse_dates(&dates.holidays).map_err(|_| errors.push(FieldError::new(Field::Holidays, Problem::Date)));
    let extra_workdays = parse_dates(&dates.extra_workdays)
        .map_err(|_| errors.push(FieldError::new(Field::ExtraWorkdays, Problem::Date)));
    match (holidays, extra_workdays) {
        (Ok(holidays), Ok(extra_workdays)) if errors.is_empty() => {
            Ok(Policy { rules, calendar: BusinessCalendar { holidays, extra_workdays } })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

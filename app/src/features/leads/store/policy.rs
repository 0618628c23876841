//! The lead policy marketing sets (protection window, daily cap, business calendar), kept in
//! the settings table and cached in memory.
use crate::features::leads::model::{Audited, Field, InactiveCredit, PolicyView};
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
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub rules: Rules,
    pub calendar: BusinessCalendar,
    /// 24 hours by default (PRODUCT.md §2.7).
    pub first_contact_hours: i64,
    pub inactive_credit: InactiveCredit,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            rules: Rules::default(),
            calendar: BusinessCalendar::default(),
            first_contact_hours: 24,
            inactive_credit: InactiveCredit::Department,
        }
    }
}

impl Policy {
    /// What the first-contact hours may be: from one hour to a week.
    pub const FIRST_CONTACT_HOURS: (i64, i64) = (1, 168);

    pub fn first_contact_ms(&self) -> i64 {
        self.first_contact_hours * 3_600_000
    }
}

fn dates(value: Option<String>) -> std::collections::BTreeSet<chrono::NaiveDate> {
    value.as_deref().and_then(|v| parse_dates(v).ok()).unwrap_or_default()
}

pub async fn load_policy(pool: &AnyPool) -> Result<Policy, AppError> {
    let defaults = Policy::default();
    let number = |v: Option<String>, default: i64| v.and_then(|v| v.parse().ok()).unwrap_or(default);
    let inactive_credit = match get(pool, "inactive_credit").await? {
        Some(v) => crate::plumbing::db::stored("settings", &v)?,
        None => defaults.inactive_credit,
    };
    Ok(Policy {
        rules: Rules {
            protection_days: number(get(pool, "protection_days").await?, defaults.rules.protection_days),
            daily_cap: number(get(pool, "daily_cap").await?, defaults.rules.daily_cap),
        },
        calendar: BusinessCalendar {
            holidays: dates(get(pool, "holidays").await?),
            extra_workdays: dates(get(pool, "extra_workdays").await?),
        },
        first_contact_hours: number(get(pool, "first_contact_hours").await?, defaults.first_contact_hours),
        inactive_credit,
    })
}

/// The first-contact window alone, for a reader without the cached policy (the dashboard, a
/// transaction that assigns a lead).
pub async fn first_contact_hours<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(e: E) -> Result<i64, sqlx::Error> {
    crate::plumbing::settings::number_in(e, "first_contact_hours", Policy::default().first_contact_hours).await
}

pub async fn first_contact_ms(pool: &AnyPool) -> Result<i64, AppError> {
    Ok(first_contact_hours(pool).await? * 3_600_000)
}

/// How a policy reads in the audit log.
fn described(policy: &Policy) -> String {
    let v = policy_view(policy);
    serde_json::json!({
        "protection_days": v.protection_days,
        "daily_cap": v.daily_cap,
        "holidays": v.holidays,
        "extra_workdays": v.extra_workdays,
        "first_contact_hours": v.first_contact_hours,
        "inactive_credit": v.inactive_credit,
    })
    .to_string()
}

/// Stores a validated policy, all keys in one transaction with its audit entry.
pub async fn save_policy(db: &Db, actor: &Actor, policy: &Policy) -> Result<(), AppError> {
    let before = load_policy(&db.pool).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let values = [
        ("protection_days", policy.rules.protection_days.to_string()),
        ("daily_cap", policy.rules.daily_cap.to_string()),
        ("holidays", format_dates(&policy.calendar.holidays)),
        ("extra_workdays", format_dates(&policy.calendar.extra_workdays)),
        ("first_contact_hours", policy.first_contact_hours.to_string()),
        ("inactive_credit", policy.inactive_credit.as_str().to_string()),
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
    tx.commit().await?;
    Ok(())
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
        first_contact_hours: policy.first_contact_hours,
        inactive_credit: policy.inactive_credit,
    }
}

/// The policy form as typed. Every field that is wrong is named at once; a field left out
/// (an older client) keeps what is in force.
pub struct PolicyForm<'a> {
    pub protection_days: &'a str,
    pub daily_cap: &'a str,
    pub holidays: &'a str,
    pub extra_workdays: &'a str,
    pub first_contact_hours: &'a str,
    pub inactive_credit: &'a str,
}

pub fn parse_policy(form: &PolicyForm, current: &Policy) -> Result<Policy, AppError> {
    let number = |s: &str| crate::shared::text::fold_width(s.trim()).parse::<i64>().unwrap_or(i64::MIN);
    let rules = Rules { protection_days: number(form.protection_days), daily_cap: number(form.daily_cap) };
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
    let holidays = parse_dates(form.holidays).map_err(|_| errors.push(FieldError::new(Field::Holidays, Problem::Date)));
    let extra_workdays =
        parse_dates(form.extra_workdays).map_err(|_| errors.push(FieldError::new(Field::ExtraWorkdays, Problem::Date)));
    let first_contact_hours = match form.first_contact_hours.trim() {
        "" => current.first_contact_hours,
        typed => {
            let (min, max) = Policy::FIRST_CONTACT_HOURS;
            let n = number(typed);
            if !(min..=max).contains(&n) {
                errors.push(FieldError::new(Field::FirstContactHours, Problem::OutOfRange { min, max }));
            }
            n
        }
    };
    let inactive_credit = match form.inactive_credit.trim() {
        "" => current.inactive_credit,
        typed => InactiveCredit::parse(typed).unwrap_or_else(|| {
            errors.push(FieldError::new(Field::InactiveCredit, Problem::UnknownChoice));
            current.inactive_credit
        }),
    };
    match (holidays, extra_workdays) {
        (Ok(holidays), Ok(extra_workdays)) if errors.is_empty() => Ok(Policy {
            rules,
            calendar: BusinessCalendar { holidays, extra_workdays },
            first_contact_hours,
            inactive_credit,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

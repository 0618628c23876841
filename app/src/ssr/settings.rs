//! Organization settings (key/value rows): identity and time zone loaded once at start; the
//! lead policy cached and re-read (see [`PolicyCache`]).
use crate::domain::period::{format_dates, parse_dates, parse_tz, BusinessCalendar, DEFAULT_TZ};
use crate::domain::screening::Rules;
use chrono_tz::Tz;
use sqlx::AnyPool;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct OrgSettings {
    pub name: String,
    pub tz: Tz,
    pub demo: bool,
    pub allow_foreign_phones: bool,
    /// Keys hashes of IP addresses and visitor ids; never leaves the server.
    pub secret: String,
}

pub async fn get(pool: &AnyPool, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await
}

pub async fn set(pool: &AnyPool, key: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(pool)
    .await?;
    Ok(())
}

/// Loads the settings, creating the per-organization secret on first start.
pub async fn load(pool: &AnyPool) -> Result<OrgSettings, sqlx::Error> {
    let secret = match get(pool, "secret").await? {
        Some(s) => s,
        None => {
            use rand::Rng;
            let bytes: [u8; 32] = rand::thread_rng().gen();
            let fresh = hex::encode(bytes);
            // Two instances starting at once: the first writer wins, both read it back.
            sqlx::query("INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING")
                .bind(&fresh)
                .execute(pool)
                .await?;
            get(pool, "secret").await?.unwrap_or(fresh)
        }
    };
    Ok(OrgSettings {
        name: get(pool, "org_name").await?.unwrap_or_else(|| "Allhands".into()),
        tz: get(pool, "timezone").await?.as_deref().and_then(parse_tz).unwrap_or(DEFAULT_TZ),
        demo: get(pool, "demo").await?.as_deref() == Some("1"),
        allow_foreign_phones: get(pool, "allow_foreign_phones").await?.as_deref() == Some("1"),
        secret,
    })
}

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

/// Stores a validated policy, all keys in one transaction.
pub async fn save_policy(pool: &AnyPool, policy: &Policy) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for (key, value) in [
        ("protection_days", policy.rules.protection_days.to_string()),
        ("daily_cap", policy.rules.daily_cap.to_string()),
        ("holidays", format_dates(&policy.calendar.holidays)),
        ("extra_workdays", format_dates(&policy.calendar.extra_workdays)),
    ] {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
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

pub fn policy_view(policy: &Policy) -> crate::model::PolicyView {
    crate::model::PolicyView {
        protection_days: policy.rules.protection_days,
        daily_cap: policy.rules.daily_cap,
        holidays: format_dates(&policy.calendar.holidays),
        extra_workdays: format_dates(&policy.calendar.extra_workdays),
    }
}

/// The policy form as typed; every field that is wrong is named at once.
pub fn parse_policy(
    protection_days: &str,
    daily_cap: &str,
    dates: &crate::model::PolicyView,
) -> Result<Policy, crate::error::AppError> {
    use crate::domain::screening::RulesError;
    use crate::error::{AppError, Field, FieldError, Problem};
    let number = |s: &str| crate::domain::text::fold_width(s.trim()).parse::<i64>().unwrap_or(i64::MIN);
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

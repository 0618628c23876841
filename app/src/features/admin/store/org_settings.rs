//! The settings screen as stored: plain settings at once, settings that change money from a
//! date (`setting_versions`); every change in the audit log.
use crate::features::admin::model::{Audited, Field};
use crate::features::admin::org_settings::{SettingKey, SettingView};
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::Db;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::settings::{self, OrgSettings};
use crate::shared::period::local_date;
use chrono::NaiveDate;
use sqlx::AnyPool;

async fn in_force(pool: &AnyPool, key: SettingKey, today: NaiveDate) -> Result<String, sqlx::Error> {
    let stored = if key.dated() {
        settings::effective(pool, key.as_str(), today).await?
    } else {
        settings::get(pool, key.as_str()).await?
    };
    Ok(stored.unwrap_or_else(|| key.default_value().to_string()))
}

pub async fn list(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<SettingView>, AppError> {
    let today = local_date(chrono::Utc::now(), org.tz);
    let mut out = Vec::new();
    for &key in SettingKey::ALL {
        let value = in_force(pool, key, today).await?;
        let scheduled = if key.dated() {
            settings::versions(pool, key.as_str())
                .await?
                .into_iter()
                .filter(|(from, _)| from.as_str() > today.to_string().as_str())
                .map(|(from, v)| (from, key.shown(&v)))
                .collect()
        } else {
            Vec::new()
        };
        out.push(SettingView { key, shown: key.shown(&value), value, scheduled });
    }
    Ok(out)
}

/// Changes a setting: at once, or for one that changes money from `from` (today or later).
pub async fn save(
    db: &Db,
    org: &OrgSettings,
    actor: &Actor,
    key: SettingKey,
    typed: &str,
    from: &str,
) -> Result<(), AppError> {
    if typed.chars().count() > 200 {
        return Err(AppError::invalid(Field::SettingValue, crate::shared::text::TextError::TooLong { max: 200 }));
    }
    // A date is ten characters; longer is never one (even where the date is not used).
    if from.trim().chars().count() > 10 {
        return Err(AppError::invalid(Field::EffectiveFrom, Problem::Date));
    }
    let value = key.check(typed).map_err(|p| AppError::invalid(Field::SettingValue, p))?;
    let today = local_date(chrono::Utc::now(), org.tz);
    // A run is drafted before it is paid: the pay-by day is not before the draft day.
    let day = |k: SettingKey, v: &str| v.parse::<i64>().unwrap_or(k.default_value().parse().unwrap_or(1));
    let out_of_order = match key {
        SettingKey::DraftDay => {
            let pay_by = day(SettingKey::PayByDay, &in_force(&db.pool, SettingKey::PayByDay, today).await?);
            (day(key, &value) > pay_by).then_some(Problem::OutOfRange { min: 1, max: pay_by })
        }
        SettingKey::PayByDay => {
            let draft = day(SettingKey::DraftDay, &in_force(&db.pool, SettingKey::DraftDay, today).await?);
            (day(key, &value) < draft).then_some(Problem::OutOfRange { min: draft, max: 28 })
        }
        _ => None,
    };
    if let Some(problem) = out_of_order {
        return Err(AppError::invalid(Field::SettingValue, problem));
    }
    let before = in_force(&db.pool, key, today).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let after = if key.dated() {
        let from = match from.trim() {
            "" => today,
            d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| AppError::invalid(Field::EffectiveFrom, Problem::Date))?,
        };
        if from < today {
            return Err(AppError::invalid(
                Field::EffectiveFrom,
                Problem::said(crate::features::admin::i18n::K::ProblemPastDate),
            ));
        }
        settings::put_from(&mut tx, key.as_str(), &value, from, actor.user_id).await?;
        if key.changes_rewards() {
            crate::features::rewards::store::ledger::requeue_paid_from(&mut tx, from).await?;
        }
        format!("{value} from {from}")
    } else {
        settings::put(&mut tx, key.as_str(), &value).await?;
        value
    };
    let change = Change {
        action: Audited::SettingChanged,
        subject: key.as_str().to_string(),
        before: Some(before),
        after: Some(after),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

//! How each promoter is taxed: their own setting, else their kind's (a setting per kind).
use crate::features::rewards::engine::{Promoter, PromoterKind};
use crate::features::settlement::tax::TaxTreatment;
use crate::plumbing::db::stored;
use crate::plumbing::errors::AppError;
use crate::plumbing::settings;
use chrono::NaiveDate;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// How each kind is taxed unless a promoter has their own setting.
pub async fn default_treatment(pool: &AnyPool, kind: PromoterKind, on: NaiveDate) -> Result<TaxTreatment, sqlx::Error> {
    let fallback = match kind {
        PromoterKind::Partner => TaxTreatment::Labour,
        _ => TaxTreatment::Incidental,
    };
    match settings::effective(pool, &format!("tax_treatment_{}", kind.as_str()), on).await? {
        Some(set) => stored("settings", &set),
        None => Ok(fallback),
    }
}

/// The tax treatment of every promoter.
/// The tax treatment of every promoter, as in effect on `on` (a period's last day).
pub async fn treatments(
    pool: &AnyPool,
    promoters: &BTreeMap<i64, Promoter>,
    on: NaiveDate,
) -> Result<BTreeMap<i64, TaxTreatment>, AppError> {
    let mut defaults = BTreeMap::new();
    for &k in PromoterKind::ALL {
        defaults.insert(k, default_treatment(pool, k, on).await?);
    }
    let mut own = BTreeMap::new();
    for r in sqlx::query("SELECT id, tax_treatment FROM users WHERE tax_treatment IS NOT NULL").fetch_all(pool).await? {
        let id: i64 = r.try_get("id")?;
        own.insert(id, stored::<TaxTreatment>("users", &r.try_get::<String, _>("tax_treatment")?)?);
    }
    Ok(promoters.iter().map(|(id, p)| (*id, own.get(id).copied().unwrap_or(defaults[&p.kind]))).collect())
}

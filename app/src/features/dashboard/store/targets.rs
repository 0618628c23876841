//! Department targets (部门目标) and their progress.
use super::figures::{scalar, Slice};
use crate::features::dashboard::model::{Field, TargetMetric, TargetProgress};
use crate::features::dashboard::rules::target_progress;
use crate::plumbing::db::SetColumn;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::period::Period;
use sqlx::{AnyPool, Row};

/// Targets of a month with their progress; one department's or every one's.
pub async fn targets(
    pool: &AnyPool,
    org: &OrgSettings,
    month: &str,
    department_id: Option<i64>,
) -> Result<Vec<TargetProgress>, AppError> {
    let Some(period) = Period::parse_key(month) else { return Ok(Vec::new()) };
    let (from, to) = period.dates();
    let rows = sqlx::query(
        "SELECT t.department_id, d.name, t.metric, t.target FROM department_targets t JOIN departments d ON d.id = t.department_id \
         WHERE t.month = $1 ORDER BY d.id, t.metric",
    )
    .bind(month)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let dept: i64 = r.try_get("department_id")?;
        if department_id.is_some_and(|d| d != dept) {
            continue;
        }
        let metric: TargetMetric = r.set("department_targets", "metric")?;
        let target: i64 = r.try_get("target")?;
        let s = Slice { department_id: Some(dept), ..Slice::days(from, to) };
        let (start, end) = s.bounds_ms(org);
        let in_dept = format!("IN (SELECT id FROM users WHERE department_id = {dept})");
        let count = match metric {
            TargetMetric::SharesPerEmployee => {
                scalar(
                    pool,
                    &format!(
                        "SELECT COUNT(*) FROM shares sh JOIN promo_links pl ON pl.id = sh.link_id \
                         WHERE sh.at >= {start} AND sh.at < {end} AND pl.promoter_id {in_dept}"
                    ),
                )
                .await?
            }
            TargetMetric::ValidLeads => {
                scalar(
                    pool,
                    &format!(
                        "SELECT COUNT(*) FROM leads WHERE status = 'valid' AND submitted_at >= {start} AND submitted_at < {end} \
                         AND promoter_id {in_dept}"
                    ),
                )
                .await?
            }
            TargetMetric::Deals => {
                sqlx::query_scalar::<_, i64>(&format!(
                    "SELECT COUNT(*) FROM deals WHERE signed_on >= $1 AND signed_on <= $2 AND promoter_id {in_dept}"
                ))
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_one(pool)
                .await?
            }
        };
        let employees =
            scalar(pool, &format!("SELECT COUNT(*) FROM users WHERE active = 1 AND department_id = {dept}")).await?;
        let (actual_centi, percent) = target_progress(metric, target, count, employees);
        out.push(TargetProgress {
            department_id: dept,
            department: r.try_get("name")?,
            month: month.to_string(),
            metric,
            target,
            actual_centi,
            percent,
        });
    }
    Ok(out)
}

/// Marketing sets (or, with 0, clears) a department's target for a month.
pub async fn set_target(
    state: &AppState,
    actor: i64,
    department_id: i64,
    month: &str,
    metric: TargetMetric,
    target: i64,
) -> Result<(), AppError> {
    if !matches!(Period::parse_key(month), Some(Period::Month { .. })) {
        return Err(AppError::invalid(Field::Month, Problem::Date));
    }
    if !(0..=1_000_000).contains(&target) {
        return Err(AppError::invalid(Field::Target, Problem::OutOfRange { min: 0, max: 1_000_000 }));
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE id = $1")
        .bind(department_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if exists.is_none() {
        return Err(AppError::invalid(Field::Department, Problem::UnknownChoice));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("DELETE FROM department_targets WHERE department_id = $1 AND month = $2 AND metric = $3")
        .bind(department_id)
        .bind(month)
        .bind(metric.as_str())
        .execute(&mut *tx)
        .await?;
    if target > 0 {
        sqlx::query(
            "INSERT INTO department_targets (department_id, month, metric, target, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(department_id)
        .bind(month)
        .bind(metric.as_str())
        .bind(target)
        .bind(actor)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

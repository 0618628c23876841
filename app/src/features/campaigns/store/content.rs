//! The content library: share-ready items marketing schedules and publishes (after the
//! compliance check). Promoters share them from `promotion`.
use super::campaigns;
use crate::features::campaigns::content;
use crate::features::campaigns::model::{ContentEdit, ContentPlan, ContentRow, Field};
use crate::plumbing::db::{set_by_id, Db};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::settings::{self, OrgSettings};
use crate::plumbing::state::now_ms;
use crate::shared::period::local_date;
use sqlx::{AnyPool, Row};

fn today(org: &OrgSettings) -> chrono::NaiveDate {
    local_date(chrono::Utc::now(), org.tz)
}

pub async fn save(db: &Db, edit: &ContentEdit) -> Result<i64, AppError> {
    use crate::shared::text::clean;
    let pool = &db.pool;
    let mut errors = Vec::new();
    let title =
        clean(&edit.title, 1, 50).map_err(|p| errors.push(FieldError::new(Field::Title, p))).unwrap_or_default();
    let body = clean(&edit.body, 1, 500).map_err(|p| errors.push(FieldError::new(Field::Body, p))).unwrap_or_default();
    let date = chrono::NaiveDate::parse_from_str(edit.publish_on.trim(), "%Y-%m-%d");
    if date.is_err() {
        errors.push(FieldError::new(Field::PublishOn, Problem::Date));
    }
    if campaigns::by_id(pool, edit.campaign_id).await?.is_none() {
        errors.push(FieldError::new(Field::Campaign, Problem::UnknownChoice));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let publish_on = date.map(|d| d.to_string()).unwrap_or_default();
    let id = match edit.id {
        None => {
            let (_turn, mut tx) = db.begin_write().await?;
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO content_items (campaign_id, title, body, publish_on, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(edit.campaign_id)
            .bind(&title)
            .bind(&body)
            .bind(&publish_on)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        }
        Some(id) => {
            // A published item is live: its new text must pass the check first.
            let published: Option<i64> = sqlx::query_scalar("SELECT published_at FROM content_items WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(AppError::NotFound)?;
            if published.is_some() {
                super::compliance::require_clean(pool, &[(Field::Title, &title), (Field::Body, &body)]).await?;
            }
            let (_turn, mut tx) = db.begin_write().await?;
            sqlx::query(
                "UPDATE content_items SET campaign_id = $1, title = $2, body = $3, publish_on = $4 WHERE id = $5",
            )
            .bind(edit.campaign_id)
            .bind(&title)
            .bind(&body)
            .bind(&publish_on)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        }
    };
    Ok(id)
}

pub async fn set_image(db: &Db, id: i64, key: &str) -> Result<(), AppError> {
    set_by_id(db, "content_items", "image", key, id).await
}

/// Publishes an item once its title and text pass the compliance check.
pub async fn publish(db: &Db, id: i64) -> Result<(), AppError> {
    let pool = &db.pool;
    let row = sqlx::query("SELECT title, body FROM content_items WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (title, body): (String, String) = (row.try_get("title")?, row.try_get("body")?);
    super::compliance::require_clean(pool, &[(Field::Title, &title), (Field::Body, &body)]).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query("UPDATE content_items SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marketing's calendar: the items of the four weeks from this week's Monday, by date, with
/// how often promoters shared each.
pub async fn calendar(pool: &AnyPool, org: &OrgSettings) -> Result<ContentPlan, AppError> {
    use chrono::Datelike;
    let today = today(org);
    let monday = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
    let rows = sqlx::query(
        "SELECT i.id, i.campaign_id, c.name AS campaign_name, i.title, i.body, i.image, i.publish_on, i.published_at, \
         (SELECT COUNT(*) FROM shares s WHERE s.content_id = i.id) AS shares \
         FROM content_items i JOIN campaigns c ON c.id = i.campaign_id \
         WHERE i.publish_on >= $1 AND i.publish_on < $2 ORDER BY i.publish_on, i.id",
    )
    .bind(monday.to_string())
    .bind((monday + chrono::Duration::days(28)).to_string())
    .fetch_all(pool)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(ContentRow {
                id: r.try_get("id")?,
                campaign_id: r.try_get("campaign_id")?,
                campaign_name: r.try_get("campaign_name")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                image_url: r.try_get::<Option<String>, _>("image")?.map(|k| super::media::url(&k)),
                week_of: {
                    let day: String = r.try_get("publish_on")?;
                    let d = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap_or(monday);
                    (d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)).to_string()
                },
                publish_on: r.try_get("publish_on")?,
                published: r.try_get::<Option<i64>, _>("published_at")?.is_some(),
                shares: r.try_get("shares")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ContentPlan { per_week: per_week(pool).await?, items })
}

/// Items a week the calendar aims at (PRODUCT.md §2.2: three by default), a setting.
pub async fn per_week(pool: &AnyPool) -> Result<i64, AppError> {
    Ok(settings::number(pool, content::PER_WEEK_SETTING, content::PER_WEEK).await?)
}

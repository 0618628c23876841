//! The content library: share-ready items marketing schedules and publishes (after the
//! compliance check), and promoters copy with their own link appended.
use super::{campaigns, now_ms, OrgSettings};
use crate::domain::period::local_date;
use crate::error::{AppError, Field, FieldError, Problem};
use crate::model::{ContentEdit, ContentRow, ShareItem, UserView};
use sqlx::{AnyPool, Row};

fn today(org: &OrgSettings) -> chrono::NaiveDate {
    local_date(chrono::Utc::now(), org.tz)
}

pub async fn save(pool: &AnyPool, edit: &ContentEdit) -> Result<i64, AppError> {
    use crate::domain::text::clean;
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
        None => sqlx::query_scalar::<_, i64>(
            "INSERT INTO content_items (campaign_id, title, body, publish_on, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(edit.campaign_id)
        .bind(&title)
        .bind(&body)
        .bind(&publish_on)
        .bind(now_ms())
        .fetch_one(pool)
        .await?,
        Some(id) => {
            // A published item is live: its new text must pass the check first.
            let published: Option<i64> =
                sqlx::query_scalar("SELECT published_at FROM content_items WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(AppError::NotFound)?;
            if published.is_some() {
                super::compliance::require_clean(pool, &[(Field::Title, &title), (Field::Body, &body)]).await?;
            }
            sqlx::query("UPDATE content_items SET campaign_id = $1, title = $2, body = $3, publish_on = $4 WHERE id = $5")
                .bind(edit.campaign_id)
                .bind(&title)
                .bind(&body)
                .bind(&publish_on)
                .bind(id)
                .execute(pool)
                .await?;
            id
        }
    };
    Ok(id)
}

pub async fn set_image(pool: &AnyPool, id: i64, key: &str) -> Result<(), AppError> {
    let n = sqlx::query("UPDATE content_items SET image = $1 WHERE id = $2").bind(key).bind(id).execute(pool).await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Publishes an item once its title and text pass the compliance check.
pub async fn publish(pool: &AnyPool, id: i64) -> Result<(), AppError> {
    let row = sqlx::query("SELECT title, body FROM content_items WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (title, body): (String, String) = (row.try_get("title")?, row.try_get("body")?);
    super::compliance::require_clean(pool, &[(Field::Title, &title), (Field::Body, &body)]).await?;
    sqlx::query("UPDATE content_items SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Marketing's calendar: the items of the four weeks from this week's Monday, by date.
pub async fn calendar(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<ContentRow>, AppError> {
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
    rows.iter()
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
        .collect()
}

/// Published items of the last 30 days for campaigns this promoter shares, newest first,
/// each text ending with the promoter's own link.
pub async fn for_promoter(
    pool: &AnyPool,
    org: &OrgSettings,
    user: &UserView,
    base_url: &str,
) -> Result<Vec<ShareItem>, AppError> {
    let today = today(org);
    let running = campaigns::running_for(pool, org, user).await?;
    let rows = sqlx::query(
        "SELECT id, campaign_id, title, body, image, publish_on FROM content_items \
         WHERE published_at IS NOT NULL AND publish_on <= $1 AND publish_on > $2 ORDER BY publish_on DESC, id DESC LIMIT 50",
    )
    .bind(today.to_string())
    .bind((today - chrono::Duration::days(30)).to_string())
    .fetch_all(pool)
    .await?;
    let mut items = Vec::new();
    for r in &rows {
        let campaign_id: i64 = r.try_get("campaign_id")?;
        if !running.iter().any(|c| c.id == campaign_id) {
            continue;
        }
        let code = campaigns::link_for(pool, campaign_id, user.id).await?;
        items.push(ShareItem {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            text: format!("{}\n{base_url}/r/{code}?ch=moments", r.try_get::<String, _>("body")?),
            image_url: r.try_get::<Option<String>, _>("image")?.map(|k| super::media::url(&k)),
            publish_on: r.try_get("publish_on")?,
        });
    }
    Ok(items)
}

/// A promoter copied an item's text or saved its image: a share of their link.
pub async fn record_share(state: &super::AppState, user: &UserView, content_id: i64) -> Result<(), AppError> {
    let pool = &state.pool;
    let campaign_id: i64 =
        sqlx::query_scalar("SELECT campaign_id FROM content_items WHERE id = $1 AND published_at IS NOT NULL")
            .bind(content_id)
            .fetch_optional(pool)
            .await?
            .ok_or(AppError::NotFound)?;
    let code = campaigns::link_for(pool, campaign_id, user.id).await?;
    let link: i64 =
        sqlx::query_scalar("SELECT id FROM promo_links WHERE code = $1").bind(&code).fetch_one(pool).await?;
    sqlx::query("INSERT INTO shares (link_id, kind, content_id, at) VALUES ($1, 'content', $2, $3)")
        .bind(link)
        .bind(content_id)
        .bind(now_ms())
        .execute(pool)
        .await?;
    super::events::publish(state, crate::model::LiveKind::Share, Some(campaign_id), Some(user.id), 1).await;
    Ok(())
}

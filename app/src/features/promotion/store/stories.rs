//! Customer stories as stored: submitted with the customer's consent, up to three photos,
//! approved or returned by marketing, published to the content library.
use crate::features::campaigns::model::ContentEdit;
use crate::features::campaigns::store::content;
use crate::features::promotion::i18n::K;
use crate::features::promotion::model::{Field, StoryRow, StoryStatus};
use crate::plumbing::db::{Db, SetColumn};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::now_ms;
use crate::shared::period::{local_date, local_time};
use crate::shared::text;
use sqlx::{AnyPool, Row};

/// Photos a story may carry.
pub const MAX_PHOTOS: i64 = 3;

/// A story as typed.
pub struct NewStory<'a> {
    pub customer_name: &'a str,
    pub story: &'a str,
    pub consent: bool,
    pub campaign_id: Option<i64>,
}

pub async fn submit(db: &Db, author: i64, s: NewStory<'_>) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let name =
        text::person_name(s.customer_name).map_err(|e| errors.push(FieldError::new(Field::CustomerName, e))).ok();
    let story = text::clean(s.story, 10, 500).map_err(|e| errors.push(FieldError::new(Field::Story, e))).ok();
    if !s.consent {
        errors.push(FieldError::new(Field::Consent, Problem::said(K::ProblemConsent)));
    }
    if let Some(c) = s.campaign_id {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM campaigns WHERE id = $1").bind(c).fetch_one(&db.pool).await?;
        if n == 0 {
            errors.push(FieldError::new(Field::Campaign, Problem::UnknownChoice));
        }
    }
    let (Some(name), Some(story)) = (name, story) else { return Err(AppError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (_turn, mut tx) = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customer_stories (author_id, campaign_id, customer_name, story, consent, submitted_at) \
         VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(author)
    .bind(s.campaign_id)
    .bind(name)
    .bind(story)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A photo (already stored as media) on the author's own story, while it waits for review.
pub async fn add_photo(db: &Db, author: i64, story: i64, sha256: &str) -> Result<(), AppError> {
    let (_turn, mut tx) = db.begin_write().await?;
    let r = sqlx::query("SELECT author_id, status FROM customer_stories WHERE id = $1")
        .bind(story)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if r.try_get::<i64, _>("author_id")? != author {
        return Err(AppError::NotFound);
    }
    if r.set::<StoryStatus>("customer_stories", "status")? != StoryStatus::Pending {
        return Err(AppError::invalid(Field::StoryId, Problem::said(K::ProblemStoryDecided)));
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer_story_photos WHERE story_id = $1")
        .bind(story)
        .fetch_one(&mut *tx)
        .await?;
    if n >= MAX_PHOTOS {
        return Err(AppError::invalid(Field::Photo, Problem::said(K::ProblemTooManyPhotos)));
    }
    sqlx::query("INSERT INTO customer_story_photos (story_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(story)
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The author's stories (`Some`), or every story for marketing, waiting ones first; newest
/// first within each, at most 200.
pub async fn list(pool: &AnyPool, org: &OrgSettings, author: Option<i64>) -> Result<Vec<StoryRow>, AppError> {
    let rows = sqlx::query(
        "SELECT s.id, u.display_name, c.name AS campaign, s.customer_name, s.story, s.status, s.review_note, \
         s.approved_on, s.content_id, s.submitted_at FROM customer_stories s JOIN users u ON u.id = s.author_id \
         LEFT JOIN campaigns c ON c.id = s.campaign_id WHERE ($1 IS NULL OR s.author_id = $1) \
         ORDER BY CASE WHEN s.status = 'pending' THEN 0 ELSE 1 END, s.id DESC LIMIT 200",
    )
    .bind(author)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let photos: Vec<String> =
            sqlx::query_scalar("SELECT sha256 FROM customer_story_photos WHERE story_id = $1 ORDER BY sha256")
                .bind(id)
                .fetch_all(pool)
                .await?;
        out.push(StoryRow {
            id,
            author: r.try_get("display_name")?,
            campaign: r.try_get("campaign")?,
            customer_name: r.try_get("customer_name")?,
            story: r.try_get("story")?,
            photos: photos.into_iter().map(|p| format!("/media/{p}")).collect(),
            status: r.set("customer_stories", "status")?,
            review_note: r.try_get("review_note")?,
            approved_on: r.try_get("approved_on")?,
            published: r.try_get::<Option<i64>, _>("content_id")?.is_some(),
            submitted_at: local_time(r.try_get("submitted_at")?, org.tz),
        });
    }
    Ok(out)
}

/// Marketing approves (it counts from today, org-local) or returns a waiting story.
pub async fn decide(
    db: &Db,
    org: &OrgSettings,
    by: i64,
    story: i64,
    approve: bool,
    note: &str,
) -> Result<(), AppError> {
    let note = text::clean(note, 0, 200).map_err(|e| AppError::invalid(Field::Note, Problem::Text(e)))?;
    let today = local_date(chrono::Utc::now(), org.tz).to_string();
    let (status, approved_on) = if approve { ("approved", Some(today)) } else { ("rejected", None) };
    let (_turn, mut tx) = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE customer_stories SET status = $1, approved_on = $2, review_note = $3, reviewed_by = $4, reviewed_at = $5 \
         WHERE id = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(approved_on)
    .bind((!note.is_empty()).then_some(note))
    .bind(by)
    .bind(now_ms())
    .bind(story)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::invalid(Field::StoryId, Problem::said(K::ProblemStoryDecided)));
    }
    tx.commit().await?;
    Ok(())
}

/// An approved story becomes a content-library item of its campaign, published today, with
/// its first photo (the library's compliance check applies when marketing publishes it).
pub async fn publish(db: &Db, org: &OrgSettings, story: i64) -> Result<i64, AppError> {
    let r =
        sqlx::query("SELECT campaign_id, customer_name, story, status, content_id FROM customer_stories WHERE id = $1")
            .bind(story)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    if r.set::<StoryStatus>("customer_stories", "status")? != StoryStatus::Approved {
        return Err(AppError::invalid(Field::StoryId, Problem::said(K::StoryPending)));
    }
    if let Some(id) = r.try_get::<Option<i64>, _>("content_id")? {
        return Ok(id);
    }
    let campaign: Option<i64> = r.try_get("campaign_id")?;
    let campaign =
        campaign.ok_or_else(|| AppError::invalid(Field::Campaign, Problem::said(K::ProblemStoryCampaign)))?;
    let name: String = r.try_get("customer_name")?;
    let edit = ContentEdit {
        id: None,
        campaign_id: campaign,
        title: format!("客户故事 · {name}").chars().take(50).collect(),
        body: r.try_get("story")?,
        publish_on: local_date(chrono::Utc::now(), org.tz).to_string(),
    };
    let item = content::save(db, &edit).await?;
    let photo: Option<String> = sqlx::query_scalar("SELECT MIN(sha256) FROM customer_story_photos WHERE story_id = $1")
        .bind(story)
        .fetch_one(&db.pool)
        .await?;
    if let Some(photo) = photo {
        content::set_image(db, item, &photo).await?;
    }
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query("UPDATE customer_stories SET content_id = $1 WHERE id = $2")
        .bind(item)
        .bind(story)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(item)
}

/// The campaigns a story may belong to.
pub async fn campaigns(pool: &AnyPool) -> Result<Vec<crate::shared::Choice>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM campaigns ORDER BY id").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(id, name)| crate::shared::Choice { id, name }).collect())
}

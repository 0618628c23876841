//! Campaigns and personal promotion links.
use super::{is_unique_violation, now_ms, OrgSettings};
use crate::domain::period::local_date;
use crate::error::AppError;
use crate::model::{CampaignPublic, PromoCard, Role, UserView};
use sqlx::{any::AnyRow, AnyPool, Row};

/// Unambiguous characters for short codes people may read aloud or type.
const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A short, unguessable link code (10 characters, about 50 bits).
pub fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub public: CampaignPublic,
    pub starts_on: String,
    pub ends_on: String,
}

const CAMPAIGN_COLUMNS: &str = "id, slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on";

fn campaign_from_row(r: &AnyRow) -> Result<Campaign, sqlx::Error> {
    Ok(Campaign {
        id: r.try_get("id")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        public: CampaignPublic {
            slug: r.try_get("slug")?,
            name: r.try_get("name")?,
            product: r.try_get("product")?,
            selling_points: json_list(&r.try_get::<String, _>("selling_points")?),
            landing_copy: r.try_get("landing_copy")?,
            demand_tags: json_list(&r.try_get::<String, _>("demand_tags")?),
        },
    })
}

/// Any executor: the pool, or the connection of a transaction in progress (a request must
/// never hold one pooled connection while waiting for a second).
pub async fn by_slug<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    slug: &str,
) -> Result<Option<Campaign>, AppError> {
    let row = sqlx::query(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE slug = $1"))
        .bind(slug)
        .fetch_optional(ex)
        .await?;
    Ok(row.as_ref().map(campaign_from_row).transpose()?)
}

/// Campaigns running today (org-local) — what a promoter can share.
pub async fn running(pool: &AnyPool, org: &OrgSettings) -> Result<Vec<Campaign>, AppError> {
    let today = local_date(chrono::Utc::now(), org.tz).format("%Y-%m-%d").to_string();
    let rows = sqlx::query(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE starts_on <= $1 AND ends_on >= $1 ORDER BY id"
    ))
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(campaign_from_row).collect::<Result<_, _>>()?)
}

/// The promoter's link for a campaign, created on first view. Concurrent first views
/// converge on one link through the (campaign, promoter) unique key.
pub async fn link_for(pool: &AnyPool, campaign_id: i64, promoter_id: i64) -> Result<String, AppError> {
    let find = || {
        sqlx::query_scalar::<_, String>("SELECT code FROM promo_links WHERE campaign_id = $1 AND promoter_id = $2")
            .bind(campaign_id)
            .bind(promoter_id)
    };
    if let Some(code) = find().fetch_optional(pool).await? {
        return Ok(code);
    }
    for _ in 0..5 {
        let inserted =
            sqlx::query("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(new_code())
                .bind(campaign_id)
                .bind(promoter_id)
                .bind(now_ms())
                .execute(pool)
                .await;
        match inserted {
            Ok(_) => break,
            Err(e) if is_unique_violation(&e) => continue, // a code collision, or a racing first view
            Err(e) => return Err(e.into()),
        }
    }
    find().fetch_optional(pool).await?.ok_or_else(|| super::internal("link creation kept colliding"))
}

/// "My promotion": the running campaigns with the promoter's own link in each.
pub async fn my_promotion(
    pool: &AnyPool,
    org: &OrgSettings,
    user: &UserView,
    base_url: &str,
) -> Result<Vec<PromoCard>, AppError> {
    if !user.has_any(&Role::PROMOTERS) {
        return Err(AppError::Forbidden);
    }
    let mut cards = Vec::new();
    for c in running(pool, org).await? {
        let code = link_for(pool, c.id, user.id).await?;
        cards.push(PromoCard {
            campaign_name: c.public.name,
            product: c.public.product,
            selling_points: c.public.selling_points,
            link_url: format!("{base_url}/r/{code}"),
            on_behalf_path: format!("/c/{}?ref={code}", c.public.slug),
            code,
        });
    }
    Ok(cards)
}

/// What a personal link points at.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    pub link_id: i64,
    pub campaign_id: i64,
    pub campaign_slug: String,
    pub promoter_id: i64,
    pub promoter_name: String,
}

pub async fn resolve_code<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    code: &str,
) -> Result<Option<LinkTarget>, AppError> {
    if code.is_empty() || code.len() > 32 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT l.id, l.campaign_id, c.slug, l.promoter_id, u.display_name FROM promo_links l \
         JOIN campaigns c ON c.id = l.campaign_id JOIN users u ON u.id = l.promoter_id WHERE l.code = $1",
    )
    .bind(code)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(LinkTarget {
            link_id: r.try_get("id")?,
            campaign_id: r.try_get("campaign_id")?,
            campaign_slug: r.try_get("slug")?,
            promoter_id: r.try_get("promoter_id")?,
            promoter_name: r.try_get("display_name")?,
        })
    })
    .transpose()
}

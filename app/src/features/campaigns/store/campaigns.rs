//! Campaigns as stored: reading, validating and saving marketing's edits, publishing after
//! the compliance check.
use crate::features::campaigns::model::{CampaignEdit, CampaignListRow, CampaignPublic, Field, Phase};
use crate::features::campaigns::rules::{phase, Boost};
use crate::plumbing::access::{Role, UserView};
use crate::plumbing::db::{commit_unless_taken, set_by_id, Db, JsonColumn};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::now_ms;
use crate::shared::closed_set::Sent;
use crate::shared::period::local_date;
use crate::shared::Choice;
use sqlx::{any::AnyRow, AnyPool, Row};

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub public: CampaignPublic,
    pub starts_on: String,
    pub ends_on: String,
    pub published: bool,
    /// Promoter kinds taking part; empty: all.
    pub promoter_roles: Vec<Role>,
    /// Pilot departments; empty: all.
    pub department_ids: Vec<i64>,
    pub boosts: Vec<Boost>,
    pub accepts_repurchase: bool,
    /// Thank-you messages a day; past it they are not sent and marketing is told.
    pub sms_budget: i64,
}

impl Campaign {
    /// Where the campaign stands on the org-local day of now.
    pub fn phase(&self, org: &OrgSettings) -> Phase {
        let today = local_date(chrono::Utc::now(), org.tz);
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(today);
        phase(self.published, date(&self.starts_on), date(&self.ends_on), today)
    }

    /// Whether a promoter with these roles and department takes part (the pilot scope).
    pub fn includes(&self, roles: &[Role], department_id: Option<i64>) -> bool {
        let kind_ok = self.promoter_roles.is_empty() || roles.iter().any(|r| self.promoter_roles.contains(r));
        let department_ok =
            self.department_ids.is_empty() || department_id.is_some_and(|d| self.department_ids.contains(&d));
        kind_ok && department_ok
    }
}

const CAMPAIGN_COLUMNS: &str =
    "id, slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, \
     published_at, promoter_roles, department_ids, boosts, accepts_repurchase, artwork, sms_budget";

fn campaign_from_row(r: &AnyRow) -> Result<Campaign, sqlx::Error> {
    let roles: Vec<String> = r.json("campaigns", "promoter_roles")?;
    Ok(Campaign {
        id: r.try_get("id")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        published: r.try_get::<Option<i64>, _>("published_at")?.is_some(),
        promoter_roles: roles.iter().map(|k| crate::plumbing::db::stored("campaigns", k)).collect::<Result<_, _>>()?,
        department_ids: r.json("campaigns", "department_ids")?,
        boosts: r.json("campaigns", "boosts")?,
        accepts_repurchase: r.try_get::<i64, _>("accepts_repurchase")? != 0,
        sms_budget: r.try_get("sms_budget")?,
        public: CampaignPublic {
            artwork_url: r.try_get::<Option<String>, _>("artwork")?.map(|k| super::media::url(&k)),
            slug: r.try_get("slug")?,
            name: r.try_get("name")?,
            product: r.try_get("product")?,
            selling_points: r.json("campaigns", "selling_points")?,
            landing_copy: r.try_get("landing_copy")?,
            demand_tags: r.json("campaigns", "demand_tags")?,
        },
    })
}

/// Any executor: the pool, or the connection of a transaction in progress (a request must
/// never hold one pooled connection while waiting for a second).
/// What a campaign's slug may be: 3–40 of a–z, 0–9 and `-`.
pub fn is_slug(slug: &str) -> bool {
    (3..=40).contains(&slug.len()) && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub async fn by_slug<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    slug: &str,
) -> Result<Option<Campaign>, AppError> {
    // Anything else (a NUL byte among it, which PostgreSQL refuses to compare) is no campaign.
    if !is_slug(slug) {
        return Ok(None);
    }
    let row = sqlx::query(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE slug = $1"))
        .bind(slug)
        .fetch_optional(ex)
        .await?;
    Ok(row.as_ref().map(campaign_from_row).transpose()?)
}

/// Published campaigns running today (org-local) that this promoter takes part in — what
/// they can share.
pub async fn running_for(pool: &AnyPool, org: &OrgSettings, user: &UserView) -> Result<Vec<Campaign>, AppError> {
    let today = local_date(chrono::Utc::now(), org.tz).format("%Y-%m-%d").to_string();
    let rows = sqlx::query(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE published_at IS NOT NULL AND starts_on <= $1 AND ends_on >= $1 ORDER BY id"
    ))
    .bind(today)
    .fetch_all(pool)
    .await?;
    let department_id: Option<i64> =
        sqlx::query_scalar("SELECT department_id FROM users WHERE id = $1").bind(user.id).fetch_one(pool).await?;
    let promoter_roles: Vec<Role> = user.roles.iter().copied().filter(|r| Role::PROMOTERS.contains(r)).collect();
    Ok(rows
        .iter()
        .map(campaign_from_row)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|c| c.includes(&promoter_roles, department_id))
        .collect())
}

/// Every campaign, newest first, for marketing.
pub async fn all(pool: &AnyPool) -> Result<Vec<Campaign>, AppError> {
    let rows =
        sqlx::query(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY id DESC")).fetch_all(pool).await?;
    Ok(rows.iter().map(campaign_from_row).collect::<Result<_, _>>()?)
}

pub async fn by_id(pool: &AnyPool, id: i64) -> Result<Option<Campaign>, AppError> {
    let row = sqlx::query(&format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(campaign_from_row).transpose()?)
}

/// A campaign as stored, from a valid edit.
struct CampaignRecord {
    slug: String,
    name: String,
    product: String,
    selling_points: Vec<String>,
    landing_copy: String,
    demand_tags: Vec<String>,
    starts_on: String,
    ends_on: String,
    promoter_roles: Vec<Role>,
    department_ids: Vec<i64>,
    boosts: Vec<Boost>,
    accepts_repurchase: bool,
    sms_budget: i64,
}

/// Every field checked, every problem named at once.
async fn validate_edit(pool: &AnyPool, e: &CampaignEdit) -> Result<CampaignRecord, AppError> {
    use crate::features::campaigns::i18n::K;
    use crate::features::campaigns::rules::{lines, parse_boosts};
    use crate::shared::text::clean;
    let mut errors = Vec::new();
    let mut text = |field: Field, value: &str, min: usize, max: usize| {
        clean(value, min, max).map_err(|p| errors.push(FieldError::new(field, p))).unwrap_or_default()
    };
    let name = text(Field::CampaignName, &e.name, 1, 50);
    let product = text(Field::Product, &e.product, 1, 50);
    let landing_copy = text(Field::LandingCopy, &e.landing_copy, 0, 2000);
    let slug = e.slug.trim().to_string();
    if !is_slug(&slug) {
        errors.push(FieldError::new(Field::Slug, Problem::said(K::ProblemSlugFormat)));
    }
    let mut list = |field: Field, value: &str, max_items: usize, max_len: usize| {
        let items = lines(value);
        if items.len() > max_items {
            errors.push(FieldError::new(
                field,
                Problem::Text(crate::shared::text::TextError::TooLong { max: max_items as i64 }),
            ));
        } else if let Some(p) = items.iter().find_map(|i| clean(i, 1, max_len).err()) {
            errors.push(FieldError::new(field, p));
        }
        items
    };
    let selling_points = list(Field::SellingPoints, &e.selling_points, 8, 60);
    let demand_tags = list(Field::DemandTags, &e.demand_tags, 12, 20);
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (starts, ends) = (date(&e.starts_on), date(&e.ends_on));
    if starts.is_none() {
        errors.push(FieldError::new(Field::StartsOn, Problem::Date));
    }
    match (starts, ends) {
        (_, None) => errors.push(FieldError::new(Field::EndsOn, Problem::Date)),
        (Some(s), Some(end)) if end < s => errors.push(FieldError::new(Field::EndsOn, Problem::EndsBeforeStart)),
        _ => {}
    }
    let promoter_roles: Vec<Role> = e.promoter_roles.iter().filter_map(|r| r.known(|| ()).ok()).collect();
    if promoter_roles.len() != e.promoter_roles.len() || promoter_roles.iter().any(|r| !Role::PROMOTERS.contains(r)) {
        errors.push(FieldError::new(Field::PromoterKinds, Problem::UnknownChoice));
    }
    if !e.department_ids.is_empty() {
        let known: Vec<i64> = sqlx::query_scalar("SELECT id FROM departments").fetch_all(pool).await?;
        if e.department_ids.iter().any(|d| !known.contains(d)) {
            errors.push(FieldError::new(Field::Department, Problem::UnknownChoice));
        }
    }
    let boosts = parse_boosts(&e.boosts)
        .map_err(|_| errors.push(FieldError::new(Field::Boosts, Problem::said(K::ProblemBoosts))))
        .unwrap_or_default();
    let sms_budget = match crate::shared::text::fold_width(e.sms_budget.trim()).as_str() {
        "" => crate::features::campaigns::model::SMS_BUDGET,
        typed => match typed.parse::<i64>() {
            Ok(n) if (0..=1_000_000).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(Field::SmsBudget, Problem::OutOfRange { min: 0, max: 1_000_000 }));
                0
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut promoter_roles = promoter_roles;
    promoter_roles.sort();
    promoter_roles.dedup();
    let mut department_ids = e.department_ids.clone();
    department_ids.sort_unstable();
    department_ids.dedup();
    Ok(CampaignRecord {
        slug,
        name,
        product,
        selling_points,
        landing_copy,
        demand_tags,
        starts_on: starts.map(|d| d.to_string()).unwrap_or_default(),
        ends_on: ends.map(|d| d.to_string()).unwrap_or_default(),
        promoter_roles,
        department_ids,
        boosts,
        accepts_repurchase: e.accepts_repurchase,
        sms_budget,
    })
}

/// The texts of a campaign that the compliance check reads.
fn texts(c: &CampaignPublic) -> Vec<(Field, String)> {
    vec![
        (Field::CampaignName, c.name.clone()),
        (Field::Product, c.product.clone()),
        (Field::SellingPoints, c.selling_points.join("\n")),
        (Field::LandingCopy, c.landing_copy.clone()),
        (Field::DemandTags, c.demand_tags.join("\n")),
    ]
}

async fn require_compliant(pool: &AnyPool, c: &CampaignPublic) -> Result<(), AppError> {
    let texts = texts(c);
    let refs: Vec<(Field, &str)> = texts.iter().map(|(f, t)| (*f, t.as_str())).collect();
    super::compliance::require_clean(pool, &refs).await
}

/// Creates a draft, or updates a campaign. A published campaign is live, so its new text
/// must pass the compliance check before it is saved.
pub async fn save(db: &Db, edit: &CampaignEdit) -> Result<i64, AppError> {
    let pool = &db.pool;
    let r = validate_edit(pool, edit).await?;
    let public = CampaignPublic {
        artwork_url: None,
        slug: r.slug.clone(),
        name: r.name.clone(),
        product: r.product.clone(),
        selling_points: r.selling_points.clone(),
        landing_copy: r.landing_copy.clone(),
        demand_tags: r.demand_tags.clone(),
    };
    if let Some(id) = edit.id {
        let existing = by_id(pool, id).await?.ok_or(AppError::NotFound)?;
        if existing.published {
            require_compliant(pool, &public).await?;
        }
    }
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let roles: Vec<String> = r.promoter_roles.iter().map(|r| r.as_str().to_string()).collect();
    let departments = serde_json::to_string(&r.department_ids).unwrap_or_else(|_| "[]".into());
    let boosts = serde_json::to_string(&r.boosts).unwrap_or_else(|_| "[]".into());
    let (_turn, mut tx) = db.begin_write().await?;
    let result = match edit.id {
        None => sqlx::query_scalar::<_, i64>(
            "INSERT INTO campaigns (slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, \
             promoter_roles, department_ids, boosts, accepts_repurchase, sms_budget, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        ),
        Some(_) => sqlx::query_scalar::<_, i64>(
            "UPDATE campaigns SET slug = $1, name = $2, product = $3, selling_points = $4, landing_copy = $5, \
             demand_tags = $6, starts_on = $7, ends_on = $8, promoter_roles = $9, department_ids = $10, boosts = $11, \
             accepts_repurchase = $12, sms_budget = $13 WHERE id = $14 RETURNING id",
        ),
    }
    .bind(&r.slug)
    .bind(&r.name)
    .bind(&r.product)
    .bind(json(&r.selling_points))
    .bind(&r.landing_copy)
    .bind(json(&r.demand_tags))
    .bind(&r.starts_on)
    .bind(&r.ends_on)
    .bind(json(&roles))
    .bind(departments)
    .bind(boosts)
    .bind(r.accepts_repurchase as i64)
    .bind(r.sms_budget)
    // $14: created_at for a new campaign, the id for an update.
    .bind(edit.id.unwrap_or_else(now_ms))
    .fetch_one(&mut *tx)
    .await;
    commit_unless_taken(tx, result, Field::Slug).await
}

/// Publishes a draft once its text passes the compliance check.
pub async fn publish(db: &Db, id: i64) -> Result<(), AppError> {
    let c = by_id(&db.pool, id).await?.ok_or(AppError::NotFound)?;
    require_compliant(&db.pool, &c.public).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query("UPDATE campaigns SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

impl Campaign {
    /// The campaign as marketing edits it.
    pub fn edit(self) -> CampaignEdit {
        CampaignEdit {
            id: Some(self.id),
            slug: self.public.slug,
            name: self.public.name,
            product: self.public.product,
            selling_points: self.public.selling_points.join("\n"),
            landing_copy: self.public.landing_copy,
            demand_tags: self.public.demand_tags.join("\n"),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            promoter_roles: self.promoter_roles.into_iter().map(Sent::from).collect(),
            department_ids: self.department_ids,
            boosts: crate::features::campaigns::rules::format_boosts(&self.boosts),
            accepts_repurchase: self.accepts_repurchase,
            sms_budget: self.sms_budget.to_string(),
        }
    }

    pub fn list_row(&self, org: &OrgSettings) -> CampaignListRow {
        CampaignListRow {
            id: self.id,
            slug: self.public.slug.clone(),
            name: self.public.name.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            phase: self.phase(org),
        }
    }
}

/// Departments, for a campaign's pilot scope.
pub async fn departments(pool: &AnyPool) -> Result<Vec<Choice>, AppError> {
    let rows = sqlx::query("SELECT id, name FROM departments ORDER BY id").fetch_all(pool).await?;
    Ok(rows
        .iter()
        .map(|r| Ok(Choice { id: r.try_get("id")?, name: r.try_get("name")? }))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The slug of a campaign by id, for links that know only the id.
pub async fn slug_of(pool: &AnyPool, id: i64) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT slug FROM campaigns WHERE id = $1").bind(id).fetch_optional(pool).await?)
}

pub async fn set_artwork(db: &Db, id: i64, key: &str) -> Result<(), AppError> {
    set_by_id(db, "campaigns", "artwork", key, id).await
}

/// The demo organization's campaign, running from a month ago for a year.
pub const DEMO_CAMPAIGN_SLUG: &str = "winter-home";

pub async fn seed_demo(db: &Db, tz: chrono_tz::Tz) -> Result<(), AppError> {
    let today = local_date(chrono::Utc::now(), tz);
    let fmt = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO campaigns (slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, created_at, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(DEMO_CAMPAIGN_SLUG)
    .bind("冬季焕新家装节")
    .bind("全屋整装套餐")
    .bind(r#"["免费上门量房设计","环保板材，入住无忧","十年质保，售后有保障"]"#)
    .bind("老朋友推荐，专享首单立减 ¥200。留下联系方式，设计师为您免费出方案。")
    .bind(r#"["刚需装修","改善型装修","旧房翻新","软装搭配"]"#)
    .bind(fmt(today - chrono::Duration::days(30)))
    .bind(fmt(today + chrono::Duration::days(365)))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

//! Campaigns and personal promotion links.
use super::{is_unique_violation, now_ms, OrgSettings};
use crate::domain::campaign::{phase, Boost, Phase};
use crate::domain::period::local_date;
use crate::error::AppError;
use crate::model::{CampaignEdit, CampaignListRow, CampaignPublic, PromoCard, Role, UserView};
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
    pub published: bool,
    /// Promoter kinds taking part; empty: all.
    pub promoter_roles: Vec<String>,
    /// Pilot departments; empty: all.
    pub department_ids: Vec<i64>,
    pub boosts: Vec<Boost>,
    pub accepts_repurchase: bool,
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
        let kind_ok =
            self.promoter_roles.is_empty() || roles.iter().any(|r| self.promoter_roles.iter().any(|k| k == r.as_str()));
        let department_ok =
            self.department_ids.is_empty() || department_id.is_some_and(|d| self.department_ids.contains(&d));
        kind_ok && department_ok
    }
}

const CAMPAIGN_COLUMNS: &str =
    "id, slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, \
     published_at, promoter_roles, department_ids, boosts, accepts_repurchase, artwork";

fn campaign_from_row(r: &AnyRow) -> Result<Campaign, sqlx::Error> {
    Ok(Campaign {
        id: r.try_get("id")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        published: r.try_get::<Option<i64>, _>("published_at")?.is_some(),
        promoter_roles: json_list(&r.try_get::<String, _>("promoter_roles")?),
        department_ids: serde_json::from_str(&r.try_get::<String, _>("department_ids")?).unwrap_or_default(),
        boosts: serde_json::from_str(&r.try_get::<String, _>("boosts")?).unwrap_or_default(),
        accepts_repurchase: r.try_get::<i64, _>("accepts_repurchase")? != 0,
        public: CampaignPublic {
            artwork_url: r.try_get::<Option<String>, _>("artwork")?.map(|k| super::media::url(&k)),
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
    let (month_start, _) = crate::domain::period::Period::month_of(chrono::Utc::now(), org.tz).bounds(org.tz);
    let since = month_start.timestamp_millis();
    for c in running_for(pool, org, user).await? {
        let code = link_for(pool, c.id, user.id).await?;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM clicks k WHERE k.link_id = l.id AND k.at >= $2 AND k.ua_class <> 'bot') AS clicks, \
             (SELECT COUNT(*) FROM clicks k WHERE k.link_id = l.id AND k.at >= $2 AND k.unique_visit = 1) AS visitors, \
             (SELECT COUNT(*) FROM shares s WHERE s.link_id = l.id AND s.at >= $2) AS shares \
             FROM promo_links l WHERE l.code = $1",
        )
        .bind(&code)
        .bind(since)
        .fetch_one(pool)
        .await?;
        cards.push(PromoCard {
            campaign_name: c.public.name,
            product: c.public.product,
            selling_points: c.public.selling_points,
            link_url: format!("{base_url}/r/{code}"),
            on_behalf_path: format!("/c/{}?ref={code}", c.public.slug),
            promoter_name: user.display_name.clone(),
            artwork_url: c.public.artwork_url.clone(),
            qr_modules: qr_modules(&format!("{base_url}/r/{code}?ch=qr")),
            clicks: row.try_get("clicks")?,
            unique_visitors: row.try_get("visitors")?,
            shares: row.try_get("shares")?,
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
    promoter_roles: Vec<String>,
    department_ids: Vec<i64>,
    boosts: Vec<Boost>,
    accepts_repurchase: bool,
}

/// Every field checked, every problem named at once.
async fn validate_edit(pool: &AnyPool, e: &CampaignEdit) -> Result<CampaignRecord, AppError> {
    use crate::domain::campaign::{lines, parse_boosts};
    use crate::domain::text::clean;
    use crate::error::{Field, FieldError, Problem};
    let mut errors = Vec::new();
    let mut text = |field: Field, value: &str, min: usize, max: usize| {
        clean(value, min, max).map_err(|p| errors.push(FieldError::new(field, p))).unwrap_or_default()
    };
    let name = text(Field::CampaignName, &e.name, 1, 50);
    let product = text(Field::Product, &e.product, 1, 50);
    let landing_copy = text(Field::LandingCopy, &e.landing_copy, 0, 2000);
    let slug = e.slug.trim().to_string();
    if !(3..=40).contains(&slug.len())
        || !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.push(FieldError::new(Field::Slug, Problem::SlugFormat));
    }
    let mut list = |field: Field, value: &str, max_items: usize, max_len: usize| {
        let items = lines(value);
        if items.len() > max_items {
            errors.push(FieldError::new(
                field,
                Problem::Text(crate::domain::text::TextError::TooLong { max: max_items as i64 }),
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
    if e.promoter_roles.iter().any(|r| !Role::PROMOTERS.iter().any(|p| p.as_str() == r)) {
        errors.push(FieldError::new(Field::PromoterKinds, Problem::UnknownChoice));
    }
    if !e.department_ids.is_empty() {
        let known: Vec<i64> = sqlx::query_scalar("SELECT id FROM departments").fetch_all(pool).await?;
        if e.department_ids.iter().any(|d| !known.contains(d)) {
            errors.push(FieldError::new(Field::Department, Problem::UnknownChoice));
        }
    }
    let boosts = parse_boosts(&e.boosts)
        .map_err(|_| errors.push(FieldError::new(Field::Boosts, Problem::Boosts)))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut promoter_roles = e.promoter_roles.clone();
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
    })
}

/// The texts of a campaign that the compliance check reads.
fn texts(c: &CampaignPublic) -> Vec<(crate::error::Field, String)> {
    use crate::error::Field;
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
    let refs: Vec<(crate::error::Field, &str)> = texts.iter().map(|(f, t)| (*f, t.as_str())).collect();
    super::compliance::require_clean(pool, &refs).await
}

/// Creates a draft, or updates a campaign. A published campaign is live, so its new text
/// must pass the compliance check before it is saved.
pub async fn save(pool: &AnyPool, edit: &CampaignEdit) -> Result<i64, AppError> {
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
    let departments = serde_json::to_string(&r.department_ids).unwrap_or_else(|_| "[]".into());
    let boosts = serde_json::to_string(&r.boosts).unwrap_or_else(|_| "[]".into());
    let result = match edit.id {
        None => sqlx::query_scalar::<_, i64>(
            "INSERT INTO campaigns (slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, \
             promoter_roles, department_ids, boosts, accepts_repurchase, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        ),
        Some(_) => sqlx::query_scalar::<_, i64>(
            "UPDATE campaigns SET slug = $1, name = $2, product = $3, selling_points = $4, landing_copy = $5, \
             demand_tags = $6, starts_on = $7, ends_on = $8, promoter_roles = $9, department_ids = $10, boosts = $11, \
             accepts_repurchase = $12 WHERE id = $13 RETURNING id",
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
    .bind(json(&r.promoter_roles))
    .bind(departments)
    .bind(boosts)
    .bind(r.accepts_repurchase as i64)
    // $13: created_at for a new campaign, the id for an update.
    .bind(edit.id.unwrap_or_else(now_ms))
    .fetch_one(pool)
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(e) if is_unique_violation(&e) => {
            Err(AppError::invalid(crate::error::Field::Slug, crate::error::Problem::Taken))
        }
        Err(e) => Err(e.into()),
    }
}

/// Publishes a draft once its text passes the compliance check.
pub async fn publish(pool: &AnyPool, id: i64) -> Result<(), AppError> {
    let c = by_id(pool, id).await?.ok_or(AppError::NotFound)?;
    require_compliant(pool, &c.public).await?;
    sqlx::query("UPDATE campaigns SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub fn edit_of(c: Campaign) -> CampaignEdit {
    CampaignEdit {
        id: Some(c.id),
        slug: c.public.slug,
        name: c.public.name,
        product: c.public.product,
        selling_points: c.public.selling_points.join("\n"),
        landing_copy: c.public.landing_copy,
        demand_tags: c.public.demand_tags.join("\n"),
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        promoter_roles: c.promoter_roles,
        department_ids: c.department_ids,
        boosts: crate::domain::campaign::format_boosts(&c.boosts),
        accepts_repurchase: c.accepts_repurchase,
    }
}

pub fn list_row(c: &Campaign, org: &OrgSettings) -> CampaignListRow {
    CampaignListRow {
        id: c.id,
        slug: c.public.slug.clone(),
        name: c.public.name.clone(),
        starts_on: c.starts_on.clone(),
        ends_on: c.ends_on.clone(),
        phase: c.phase(org),
    }
}

/// The QR code of `url` as rows of modules (`1` dark), quiet zone left to the drawer.
pub fn qr_modules(url: &str) -> Vec<String> {
    match qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M) {
        Ok(qr) => {
            let width = qr.width();
            qr.to_colors()
                .chunks(width)
                .map(|row| row.iter().map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' }).collect())
                .collect()
        }
        Err(_) => Vec::new(),
    }
}

/// The QR code of `url` as SVG, for print.
pub fn qr_svg(url: &str) -> Option<String> {
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(qr.render::<qrcode::render::svg::Color>().min_dimensions(256, 256).quiet_zone(true).build())
}

/// Records a share (poster saved, link copied) of the promoter's own link.
pub async fn record_share(state: &super::AppState, user: &UserView, code: &str, kind: &str) -> Result<(), AppError> {
    let pool = &state.pool;
    if !["poster", "link", "content"].contains(&kind) {
        return Err(AppError::invalid(crate::error::Field::Selection, crate::error::Problem::UnknownChoice));
    }
    let link: Option<i64> = sqlx::query_scalar("SELECT id FROM promo_links WHERE code = $1 AND promoter_id = $2")
        .bind(code)
        .bind(user.id)
        .fetch_optional(pool)
        .await?;
    let link = link.ok_or(AppError::NotFound)?;
    sqlx::query("INSERT INTO shares (link_id, kind, at) VALUES ($1, $2, $3)")
        .bind(link)
        .bind(kind)
        .bind(now_ms())
        .execute(pool)
        .await?;
    super::events::publish(state, crate::model::LiveKind::Share, None, Some(user.id), 1).await;
    Ok(())
}

pub async fn set_artwork(pool: &AnyPool, id: i64, key: &str) -> Result<(), AppError> {
    let n = sqlx::query("UPDATE campaigns SET artwork = $1 WHERE id = $2").bind(key).bind(id).execute(pool).await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

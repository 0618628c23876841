//! Personal links (专属链接): one per promoter and campaign, made on first view; what a code
//! points at; the promoter's cards with this month's numbers; QR codes; shares.
use crate::features::campaigns::store::campaigns::running_for;
use crate::features::promotion::model::{Channel, PromoCard, ShareItem, ShareKind};
use crate::plumbing::access::{Role, UserView};
use crate::plumbing::auth::short_code;
use crate::plumbing::db::Db;
use crate::plumbing::errors::AppError;
use crate::plumbing::events;
use crate::plumbing::live::LiveKind;
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::{internal, is_unique_violation, now_ms, AppState};
use crate::shared::period::{local_date, Period};
use sqlx::{AnyPool, Row};

/// The promoter's link for a campaign, created on first view. Concurrent first views
/// converge on one link through the (campaign, promoter) unique key.
pub async fn link_for(db: &Db, campaign_id: i64, promoter_id: i64) -> Result<String, AppError> {
    let find = || {
        sqlx::query_scalar::<_, String>("SELECT code FROM promo_links WHERE campaign_id = $1 AND promoter_id = $2")
            .bind(campaign_id)
            .bind(promoter_id)
    };
    if let Some(code) = find().fetch_optional(&db.pool).await? {
        return Ok(code);
    }
    for _ in 0..5 {
        let (_turn, mut tx) = db.begin_write().await?;
        let inserted =
            sqlx::query("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(short_code())
                .bind(campaign_id)
                .bind(promoter_id)
                .bind(now_ms())
                .execute(&mut *tx)
                .await;
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                break;
            }
            Err(e) if is_unique_violation(&e) => continue, // a code collision, or a racing first view
            Err(e) => return Err(e.into()),
        }
    }
    find().fetch_optional(&db.pool).await?.ok_or_else(|| internal("link creation kept colliding"))
}

/// "My promotion": the running campaigns with the promoter's own link in each.
pub async fn cards(db: &Db, org: &OrgSettings, user: &UserView, base_url: &str) -> Result<Vec<PromoCard>, AppError> {
    if !user.has_any(&Role::PROMOTERS) {
        return Err(AppError::Forbidden);
    }
    let pool = &db.pool;
    let mut cards = Vec::new();
    let (month_start, _) = Period::month_of(chrono::Utc::now(), org.tz).bounds(org.tz);
    let since = month_start.timestamp_millis();
    for c in running_for(pool, org, user).await? {
        let code = link_for(db, c.id, user.id).await?;
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
            // Scans of the poster count as the poster channel (a printed QR code says `qr`).
            qr_modules: qr_modules(&format!("{base_url}/r/{code}?ch={}", Channel::Poster)),
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
    pub promoter_id: i64,
    pub promoter_name: String,
}

pub async fn resolve_code(pool: &AnyPool, code: &str) -> Result<Option<LinkTarget>, AppError> {
    // Codes are letters and digits: anything else (a NUL byte, which PostgreSQL refuses to
    // compare) is no link.
    if code.is_empty() || code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT l.id, l.campaign_id, l.promoter_id, u.display_name FROM promo_links l \
         JOIN users u ON u.id = l.promoter_id WHERE l.code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await?;
    Ok(row
        .map(|r| {
            Ok::<_, sqlx::Error>(LinkTarget {
                link_id: r.try_get("id")?,
                campaign_id: r.try_get("campaign_id")?,
                promoter_id: r.try_get("promoter_id")?,
                promoter_name: r.try_get("display_name")?,
            })
        })
        .transpose()?)
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

async fn insert_share(
    state: &AppState,
    link_id: i64,
    kind: ShareKind,
    content_id: Option<i64>,
) -> Result<(), AppError> {
    let now = now_ms();
    let day = crate::shared::period::local_day(now, state.org.tz).to_string();
    let item = content_id.map(|id| format!("content:{id}")).unwrap_or_else(|| kind.as_str().to_string());
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("INSERT INTO shares (link_id, kind, content_id, at) VALUES ($1, $2, $3, $4)")
        .bind(link_id)
        .bind(kind.as_str())
        .bind(content_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    // What an activity reward counts: each item once a day, however often it is tapped.
    sqlx::query("INSERT INTO counted_shares (link_id, day, item) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(link_id)
        .bind(day)
        .bind(item)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a share (poster saved, link copied) of the promoter's own link.
pub async fn record_share(state: &AppState, user: &UserView, code: &str, kind: ShareKind) -> Result<(), AppError> {
    let link: Option<i64> = sqlx::query_scalar("SELECT id FROM promo_links WHERE code = $1 AND promoter_id = $2")
        .bind(code)
        .bind(user.id)
        .fetch_optional(&state.db.pool)
        .await?;
    insert_share(state, link.ok_or(AppError::NotFound)?, kind, None).await?;
    events::publish(state, LiveKind::Share, None, Some(user.id), 1).await;
    Ok(())
}

/// Published items of the last 30 days for campaigns this promoter shares, newest first,
/// each text ending with the promoter's own link.
pub async fn content_for(
    db: &Db,
    org: &OrgSettings,
    user: &UserView,
    base_url: &str,
) -> Result<Vec<ShareItem>, AppError> {
    let pool = &db.pool;
    let today = local_date(chrono::Utc::now(), org.tz);
    let running = running_for(pool, org, user).await?;
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
        let code = link_for(db, campaign_id, user.id).await?;
        items.push(ShareItem {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            text: format!("{}\n{base_url}/r/{code}?ch={}", r.try_get::<String, _>("body")?, Channel::Moments),
            image_url: r
                .try_get::<Option<String>, _>("image")?
                .map(|k| crate::features::campaigns::store::media::url(&k)),
            publish_on: r.try_get("publish_on")?,
        });
    }
    Ok(items)
}

/// A promoter copied an item's text or saved its image: a share of their link.
pub async fn record_content_share(state: &AppState, user: &UserView, content_id: i64) -> Result<(), AppError> {
    let campaign_id: i64 =
        sqlx::query_scalar("SELECT campaign_id FROM content_items WHERE id = $1 AND published_at IS NOT NULL")
            .bind(content_id)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    let code = link_for(&state.db, campaign_id, user.id).await?;
    let link: i64 =
        sqlx::query_scalar("SELECT id FROM promo_links WHERE code = $1").bind(&code).fetch_one(&state.db.pool).await?;
    insert_share(state, link, ShareKind::Content, Some(content_id)).await?;
    events::publish(state, LiveKind::Share, Some(campaign_id), Some(user.id), 1).await;
    Ok(())
}

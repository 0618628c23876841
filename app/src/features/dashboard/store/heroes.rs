//! The hero board (英雄榜): the monthly and quarterly Top 10 by deal amount.
use super::figures::Slice;
use crate::features::dashboard::model::{HeroBoard, HeroRow, Star, HERO_BOARD_SETTING, HERO_BOARD_SIZE};
use crate::features::dashboard::rules::{rank_heroes, HeroFigures};
use crate::plumbing::errors::AppError;
use crate::plumbing::settings::{self, OrgSettings};
use crate::shared::period::Period;
use chrono::Utc;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// Deal amount, deals and leads per promoter for a period, ranked as the hero board ranks them
/// (every promoter with a deal).
pub async fn ranked(pool: &AnyPool, org: &OrgSettings, period: Period) -> Result<Vec<(i64, HeroFigures)>, AppError> {
    let (from, to) = period.dates();
    let (start, end) = Slice::days(from, to).bounds_ms(org);
    let mut figures: BTreeMap<i64, HeroFigures> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT promoter_id, COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM deals \
         WHERE promoter_id IS NOT NULL AND signed_on >= $1 AND signed_on <= $2 GROUP BY promoter_id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?
    {
        let id: i64 = r.try_get("promoter_id")?;
        figures.insert(
            id,
            HeroFigures { promoter_id: id, deal_amount_fen: r.try_get("amount")?, deals: r.try_get("n")?, leads: 0 },
        );
    }
    for r in sqlx::query(
        "SELECT promoter_id, COUNT(*) AS n FROM leads WHERE promoter_id IS NOT NULL AND submitted_at >= $1 AND submitted_at < $2 \
         GROUP BY promoter_id",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?
    {
        if let Some(f) = figures.get_mut(&r.try_get("promoter_id")?) {
            f.leads = r.try_get("n")?;
        }
    }
    Ok(rank_heroes(figures.into_values().collect(), usize::MAX))
}

async fn top(pool: &AnyPool, org: &OrgSettings, period: Period, size: i64) -> Result<Vec<HeroRow>, AppError> {
    let mut out = Vec::new();
    for (rank, f) in ranked(pool, org, period).await?.into_iter().take(size.max(0) as usize) {
        let who = sqlx::query(
            "SELECT u.display_name, COALESCE(d.name, '') AS department FROM users u LEFT JOIN departments d ON d.id = u.department_id \
             WHERE u.id = $1",
        )
        .bind(f.promoter_id)
        .fetch_one(pool)
        .await?;
        out.push(HeroRow {
            rank,
            promoter_id: f.promoter_id,
            name: who.try_get("display_name")?,
            department: who.try_get("department")?,
            deal_amount_fen: f.deal_amount_fen,
            deals: f.deals,
            leads: f.leads,
        });
    }
    Ok(out)
}

/// The monthly and quarterly Top 10 (英雄榜; the size is a setting) of the current org-local
/// month and quarter.
pub async fn hero_board(pool: &AnyPool, org: &OrgSettings) -> Result<HeroBoard, AppError> {
    let now = Utc::now();
    let (month, quarter) = (Period::month_of(now, org.tz), Period::quarter_of(now, org.tz));
    let size = settings::number(pool, HERO_BOARD_SETTING, HERO_BOARD_SIZE).await?;
    let rows = super::participation::month(pool, org, month).await?;
    let star = crate::features::dashboard::participation::star(&rows).map(|r| Star {
        name: r.name.clone(),
        department: r.department.clone(),
        score: r.score.to_string(),
    });
    Ok(HeroBoard {
        star,
        size,
        month: month.key(),
        quarter: quarter.key(),
        monthly: top(pool, org, month, size).await?,
        quarterly: top(pool, org, quarter, size).await?,
    })
}

//! Who is scored: each member's direct manager, team and campaigns; the calibration committee;
//! the manager's targets.
use crate::features::scorecards::i18n::K;
use crate::features::scorecards::model::Field;
use crate::features::scorecards::rules::Indicator;
use crate::plumbing::errors::{AppError, Problem};
use crate::plumbing::state::{now_ms, AppState};
use crate::shared::money::parse_yuan;
use crate::shared::text::{self, fold_width};
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};

#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub department_id: Option<i64>,
    pub team: String,
    pub manager_id: i64,
    pub manager_name: String,
    pub campaigns: Vec<i64>,
}

const MEMBER_SQL: &str = "SELECT m.member_id, u.display_name, u.department_id, m.team, m.manager_id, \
     g.display_name AS manager FROM scorecard_members m JOIN users u ON u.id = m.member_id \
     JOIN users g ON g.id = m.manager_id";

async fn campaigns(pool: &AnyPool, member: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT campaign_id FROM scorecard_campaigns WHERE member_id = $1 ORDER BY campaign_id")
        .bind(member)
        .fetch_all(pool)
        .await
}

async fn of_row(pool: &AnyPool, r: &sqlx::any::AnyRow) -> Result<Member, sqlx::Error> {
    let id: i64 = r.try_get("member_id")?;
    Ok(Member {
        id,
        name: r.try_get("display_name")?,
        department_id: r.try_get("department_id")?,
        team: r.try_get("team")?,
        manager_id: r.try_get("manager_id")?,
        manager_name: r.try_get("manager")?,
        campaigns: campaigns(pool, id).await?,
    })
}

pub async fn member(pool: &AnyPool, id: i64) -> Result<Option<Member>, AppError> {
    let r = sqlx::query(&format!("{MEMBER_SQL} WHERE m.member_id = $1")).bind(id).fetch_optional(pool).await?;
    match r {
        Some(r) => Ok(Some(of_row(pool, &r).await?)),
        None => Ok(None),
    }
}

/// The members a viewer sees on the team view: their own reports, or everyone for the
/// committee and admin; by team and name.
pub async fn members(pool: &AnyPool, manager: Option<i64>) -> Result<Vec<Member>, AppError> {
    let rows = match manager {
        Some(id) => {
            sqlx::query(&format!("{MEMBER_SQL} WHERE m.manager_id = $1 ORDER BY m.team, u.display_name"))
                .bind(id)
                .fetch_all(pool)
                .await?
        }
        None => sqlx::query(&format!("{MEMBER_SQL} ORDER BY m.team, u.display_name")).fetch_all(pool).await?,
    };
    let mut out = Vec::new();
    for r in &rows {
        out.push(of_row(pool, r).await?);
    }
    Ok(out)
}

async fn user_exists(pool: &AnyPool, id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND active = 1").bind(id).fetch_one(pool).await?;
    Ok(n > 0)
}

/// Admin puts a member on the scorecards (or changes their manager, team, campaigns).
pub async fn put_member(
    state: &AppState,
    member: i64,
    manager: i64,
    team: &str,
    campaigns: &[i64],
) -> Result<(), AppError> {
    let pool = &state.db.pool;
    let team = text::clean(team, 1, 50).map_err(|e| AppError::invalid(Field::Team, Problem::Text(e)))?;
    if !user_exists(pool, member).await? {
        return Err(AppError::invalid(Field::Member, Problem::UnknownChoice));
    }
    if manager == member || !user_exists(pool, manager).await? {
        return Err(AppError::invalid(Field::Manager, Problem::UnknownChoice));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO scorecard_members (member_id, manager_id, team, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (member_id) DO UPDATE SET manager_id = excluded.manager_id, team = excluded.team",
    )
    .bind(member)
    .bind(manager)
    .bind(&team)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM scorecard_campaigns WHERE member_id = $1").bind(member).execute(&mut *tx).await?;
    for c in campaigns {
        sqlx::query("INSERT INTO scorecard_campaigns (member_id, campaign_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(member)
            .bind(c)
            .execute(&mut *tx)
            .await
            .map_err(|_| AppError::invalid(Field::Campaigns, Problem::UnknownChoice))?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn put_committee(state: &AppState, user: i64, member: bool) -> Result<(), AppError> {
    if !user_exists(&state.db.pool, user).await? {
        return Err(AppError::invalid(Field::Member, Problem::UnknownChoice));
    }
    let (_turn, mut tx) = state.db.begin_write().await?;
    let sql = if member {
        "INSERT INTO scorecard_committee (user_id) VALUES ($1) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM scorecard_committee WHERE user_id = $1"
    };
    sqlx::query(sql).bind(user).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A target as the manager types it: money in yuan, conversion and repurchase in percent, ROI
/// as a multiple, counts as whole numbers. Stored in fen, as a ratio, or as the number.
pub fn parse_target(indicator: Indicator, typed: &str) -> Result<Decimal, Problem> {
    let folded = fold_width(typed.trim());
    let wrong = || Problem::said(K::TargetHint);
    let value = match indicator {
        Indicator::Sales | Indicator::AcquisitionCost => Decimal::from(parse_yuan(&folded)?),
        Indicator::Conversion | Indicator::Repurchase => {
            let p: Decimal = folded.trim_end_matches(['%', '％']).trim().parse().map_err(|_| wrong())?;
            if p > Decimal::ONE_HUNDRED {
                return Err(Problem::OutOfRange { min: 0, max: 100 });
            }
            p / Decimal::ONE_HUNDRED
        }
        Indicator::CampaignRoi => folded.trim_end_matches(['x', 'X', '倍']).trim().parse().map_err(|_| wrong())?,
        _ => Decimal::from(folded.parse::<i64>().map_err(|_| Problem::OutOfRange { min: 0, max: 100_000_000 })?),
    };
    if value < Decimal::ZERO || indicator.is_qualitative() {
        return Err(Problem::NotPositive);
    }
    Ok(value.normalize())
}

/// The manager sets a member's target for a period; empty clears it.
pub async fn set_target(
    state: &AppState,
    manager: i64,
    member: &Member,
    period: &str,
    indicator: Indicator,
    typed: &str,
) -> Result<(), AppError> {
    if member.manager_id != manager {
        return Err(AppError::invalid(Field::Target, Problem::said(K::ProblemNotYours)));
    }
    let value = if typed.trim().is_empty() {
        None
    } else {
        Some(parse_target(indicator, typed).map_err(|p| AppError::invalid(Field::Target, p))?)
    };
    let (_turn, mut tx) = state.db.begin_write().await?;
    sqlx::query("DELETE FROM scorecard_targets WHERE member_id = $1 AND period = $2 AND indicator = $3")
        .bind(member.id)
        .bind(period)
        .bind(indicator.as_str())
        .execute(&mut *tx)
        .await?;
    if let Some(v) = value {
        sqlx::query("INSERT INTO scorecard_targets (member_id, period, indicator, target) VALUES ($1, $2, $3, $4)")
            .bind(member.id)
            .bind(period)
            .bind(indicator.as_str())
            .bind(v.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Active staff and the campaigns, for admin's setup form.
pub async fn choices(pool: &AnyPool) -> Result<(Vec<crate::shared::Choice>, Vec<crate::shared::Choice>), AppError> {
    let staff: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM users u WHERE u.active = 1 AND EXISTS (SELECT 1 FROM user_roles r \
         WHERE r.user_id = u.id AND r.role IN ('employee', 'sales', 'marketing', 'finance', 'admin')) ORDER BY u.display_name",
    )
    .fetch_all(pool)
    .await?;
    let campaigns: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM campaigns ORDER BY id").fetch_all(pool).await?;
    let choice = |(id, name): (i64, String)| crate::shared::Choice { id, name };
    Ok((staff.into_iter().map(choice).collect(), campaigns.into_iter().map(choice).collect()))
}

/// The demo organization: marketing's 李娜 is scored by the administrator on every demo
/// campaign; the administrator sits on the committee.
pub async fn seed_demo(db: &crate::plumbing::db::Db) -> Result<(), AppError> {
    let id = |email: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(&db.pool).await
    };
    let (member, manager) = (id("marketing@demo.allhands.cn").await?, id("admin@demo.allhands.cn").await?);
    let (_turn, mut tx) = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO scorecard_members (member_id, manager_id, team, created_at) VALUES ($1, $2, '市场一组', $3)",
    )
    .bind(member)
    .bind(manager)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO scorecard_campaigns (member_id, campaign_id) SELECT $1, id FROM campaigns")
        .bind(member)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO scorecard_committee (user_id) VALUES ($1)").bind(manager).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Scored members outside the viewer's department (a viewer without one scores nobody).
pub async fn peers_of(pool: &AnyPool, viewer: i64) -> Result<Vec<crate::shared::Choice>, AppError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT m.member_id, u.display_name, m.team FROM scorecard_members m JOIN users u ON u.id = m.member_id \
         JOIN users v ON v.id = $1 WHERE v.department_id IS NOT NULL AND u.department_id IS NOT NULL \
         AND u.department_id <> v.department_id AND m.member_id <> $1 ORDER BY m.team, u.display_name",
    )
    .bind(viewer)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, team)| crate::shared::Choice { id, name: format!("{name} · {team}") })
        .collect())
}

//! Referral codes (推荐码), who redeemed which, and coupons.
use crate::features::deals::model::{CouponRow, CouponStatus};
use crate::features::deals::model::{COUPON_MONTHS, COUPON_MONTHS_SETTING};
use crate::plumbing::access::UserView;
use crate::plumbing::auth::short_code;
use crate::plumbing::db::{SetColumn, Tx};
use crate::plumbing::errors::AppError;
use crate::plumbing::settings::{self, OrgSettings};
use crate::plumbing::state::{internal, is_unique_violation, now_ms, AppState};
use crate::shared::period::local_date;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{AnyPool, Row};

/// A coupon to issue: a customer's ladder coupon (owned by the user) or a new customer's
/// first-order benefit (owned by the phone).
#[derive(Debug, Clone, Copy)]
pub struct NewCoupon<'a> {
    /// Once per source: a reward line key, or `benefit:{phone}`.
    pub source: &'a str,
    pub owner_user: Option<i64>,
    pub owner_phone: Option<&'a str>,
    /// The amount off, or the cap of a share of the first order.
    pub amount_fen: i64,
    pub perk: bool,
    pub percent: Option<Decimal>,
}

/// Issues a coupon once per source, valid for the organization's coupon months (12 by
/// default) from `today`.
pub async fn issue_coupon(tx: &mut Tx, c: NewCoupon<'_>, today: NaiveDate) -> Result<(), sqlx::Error> {
    let code = short_code().to_ascii_uppercase();
    let months = settings::number_in(&mut **tx, COUPON_MONTHS_SETTING, COUPON_MONTHS).await?.clamp(1, 120) as u32;
    let expires = today.checked_add_months(chrono::Months::new(months)).unwrap_or(today);
    sqlx::query(
        "INSERT INTO coupons (code, source, owner_user_id, owner_phone, amount_fen, perk, issued_at, expires_on, percent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source) DO NOTHING",
    )
    .bind(code)
    .bind(c.source)
    .bind(c.owner_user)
    .bind(c.owner_phone)
    .bind(c.amount_fen)
    .bind(i64::from(c.perk))
    .bind(now_ms())
    .bind(expires.to_string())
    .bind(c.percent.map(|p| p.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The promoter's referral code, made on first use.
pub async fn referral_code(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let existing: Option<String> = sqlx::query_scalar("SELECT code FROM referral_codes WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if let Some(code) = existing {
        return Ok(code);
    }
    for _ in 0..5 {
        let code = short_code()[..8].to_ascii_uppercase();
        let (_turn, mut tx) = state.db.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO referral_codes (code, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&code)
        .bind(user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
        match done {
            Ok(_) => {
                tx.commit().await?;
                let code: String = sqlx::query_scalar("SELECT code FROM referral_codes WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(&state.db.pool)
                    .await?;
                return Ok(code);
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(internal("no free referral code"))
}

pub fn coupon_row(r: &sqlx::any::AnyRow) -> Result<CouponRow, sqlx::Error> {
    Ok(CouponRow {
        code: r.try_get("code")?,
        amount_fen: r.try_get("amount_fen")?,
        perk: r.try_get::<i64, _>("perk")? != 0,
        status: r.set("coupons", "status")?,
        expires_on: r.try_get("expires_on")?,
        percent: r
            .try_get::<Option<String>, _>("percent")?
            .map(|p| p.parse::<Decimal>().map_err(|e| sqlx::Error::Decode(Box::new(e))))
            .transpose()?,
        discount_fen: r.try_get("discount_fen")?,
    })
}

/// A customer's coupon wallet: ladder coupons they earned and benefits issued to their phone;
/// expired ones shown as such.
pub async fn coupons(pool: &AnyPool, org: &OrgSettings, user: &UserView) -> Result<Vec<CouponRow>, AppError> {
    let phone: Option<String> =
        sqlx::query_scalar("SELECT phone FROM users WHERE id = $1").bind(user.id).fetch_one(pool).await?;
    let rows = sqlx::query(
        "SELECT code, amount_fen, perk, status, expires_on, percent, discount_fen FROM coupons WHERE owner_user_id = $1 OR owner_phone = $2 ORDER BY issued_at, id",
    )
    .bind(user.id)
    .bind(phone.unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let today = local_date(chrono::Utc::now(), org.tz).to_string();
    rows.iter()
        .map(|r| {
            let mut c = coupon_row(r)?;
            if c.status == CouponStatus::Issued && c.expires_on < today {
                c.status = CouponStatus::Expired;
            }
            Ok(c)
        })
        .collect()
}

/// Who owns a referral code.
pub async fn owner_of(pool: &AnyPool, code: &str) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT user_id FROM referral_codes WHERE code = $1").bind(code).fetch_optional(pool).await?)
}

/// Ties a phone to the code it redeemed; a phone keeps the first code it redeemed.
pub async fn record_redemption(
    tx: &mut Tx,
    phone: &str,
    code: &str,
    promoter: i64,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO redemptions (phone, code, promoter_id, name, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (phone) DO NOTHING",
    )
    .bind(phone)
    .bind(code)
    .bind(promoter)
    .bind(name)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The coupon issued for `source`, if any.
pub async fn coupon_of(pool: &AnyPool, source: &str) -> Result<Option<CouponRow>, AppError> {
    let row = sqlx::query(
        "SELECT code, amount_fen, perk, status, expires_on, percent, discount_fen FROM coupons WHERE source = $1",
    )
    .bind(source)
    .fetch_optional(pool)
    .await?;
    Ok(row.as_ref().map(coupon_row).transpose()?)
}

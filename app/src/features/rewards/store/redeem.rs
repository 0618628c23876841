//! Code redemption: the code ties the new customer's deals to its owner, and the first-order
//! benefit of the rules in force is issued as a coupon. A phone keeps the first code it
//! redeemed. The phone proves itself first (a one-time code by SMS): nobody can tie someone
//! else's phone to a code, or read back another person's coupon. Limited per address and per
//! code, and a code's owner cannot redeem it with their own phone.
use super::facts;
use crate::features::deals::model::{CouponRow, Field};
use crate::features::deals::store::codes::{coupon_of, issue_coupon, owner_of, record_redemption, NewCoupon};
use crate::features::rewards::engine::{new_customer_benefit, PromoterKind};
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::{AppError, FieldError, Label, Problem};
use crate::plumbing::i18n::C;
use crate::plumbing::phone_check::{self, CheckError};
use crate::plumbing::rate_limit;
use crate::plumbing::state::AppState;
use crate::shared::period::local_date;
use crate::shared::phone::{normalize, Phone};
use crate::shared::text::{clean, TextError};

const PURPOSE: &str = "redeem";
/// Redemption attempts a minute from one address, and on one code.
pub const PER_ADDRESS_PER_MINUTE: i64 = 5;
pub const PER_CODE_PER_MINUTE: i64 = 20;

#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    code: String,
    name: String,
    promoter: i64,
}

/// Step one: checks the code and the phone and sends the phone a one-time code. Answers the
/// check's handle; nothing is tied yet.
pub async fn start(state: &AppState, code: &str, name: &str, phone: &str, ip_hash: &str) -> Result<String, AppError> {
    let mut errors = Vec::new();
    let name = clean(name, 0, 50).map_err(|e| errors.push(FieldError::new(Field::Name, e))).unwrap_or_default();
    let phone: Option<Phone> = normalize(phone, state.org.allow_foreign_phones)
        .map_err(|e| errors.push(FieldError::new(Field::Phone, e)))
        .ok();
    let code = code.trim().to_ascii_uppercase();
    let too_long = code.chars().count() > 32;
    if too_long {
        errors.push(FieldError::new(Field::ReferralCode, TextError::TooLong { max: 32 }));
    }
    {
        let (_turn, mut tx) = state.db.begin_write().await?;
        for (key, limit) in [
            (format!("redeem:ip:{ip_hash}"), PER_ADDRESS_PER_MINUTE),
            (format!("redeem:code:{code}"), PER_CODE_PER_MINUTE),
        ] {
            if let Some(retry_after_s) = rate_limit::hit(&mut tx, &key, limit).await? {
                tx.commit().await?;
                return Err(AppError::TooFast { retry_after_s });
            }
        }
        tx.commit().await?;
    }
    let owner = if too_long { None } else { owner_of(&state.db.pool, &code).await? };
    if owner.is_none() && !too_long {
        let problem =
            if code.is_empty() { Problem::Text(TextError::Required) } else { Problem::said(C::ProblemUnknownCode) };
        errors.push(FieldError::new(Field::ReferralCode, problem));
    }
    if let (Some(owner), Some(phone)) = (owner, &phone) {
        let own: Option<String> = sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
            .bind(owner)
            .fetch_optional(&state.db.pool)
            .await?
            .flatten();
        if own.as_deref() == Some(phone.as_e164()) {
            errors.push(FieldError::new(Field::Phone, Problem::said(C::ProblemOwnCode)));
        }
    }
    // The first-order benefit is for new customers: a phone that bought before gets none.
    if let Some(phone) = &phone {
        let bought: Option<i64> = sqlx::query_scalar("SELECT id FROM deals WHERE customer_phone = $1 LIMIT 1")
            .bind(phone.as_e164())
            .fetch_optional(&state.db.pool)
            .await?;
        if bought.is_some() {
            errors.push(FieldError::new(Field::Phone, Problem::said(K::ProblemExistingCustomer)));
        }
    }
    let (Some(phone), Some(promoter), true) = (phone, owner, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let payload = serde_json::to_string(&Pending { code, name, promoter }).map_err(crate::plumbing::state::internal)?;
    let message = phone_check::message(&state.org.name);
    phone_check::issue(&state.db, &state.org.secret, phone.as_e164(), PURPOSE, &payload, &message).await
}

/// Step two: the code the phone received. Ties the phone to the referral code (unless it
/// redeemed one before) and issues the first-order benefit; answers this phone's coupon.
pub async fn confirm(state: &AppState, check: &str, otp: &str) -> Result<Option<CouponRow>, AppError> {
    let (phone, payload) = match phone_check::verify(&state.db, check, otp, PURPOSE).await? {
        Ok(passed) => passed,
        Err(CheckError::Wrong) => return Err(AppError::invalid(Field::Otp, Problem::said(C::ProblemWrongCode))),
        Err(CheckError::Expired) => return Err(AppError::Refused(Label::of(C::ErrCodeExpired))),
    };
    let p: Pending = serde_json::from_str(&payload).map_err(crate::plumbing::state::internal)?;
    let kind =
        facts::promoters(&state.db.pool).await?.get(&p.promoter).map(|p| p.kind).unwrap_or(PromoterKind::Employee);
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let benefit = new_customer_benefit(&super::rules::rules(&state.db.pool).await?, kind, today);
    let source = format!("benefit:{phone}");
    let (_turn, mut tx) = state.db.begin_write().await?;
    record_redemption(&mut tx, &phone, &p.code, p.promoter, &p.name).await?;
    if let Some(b) = benefit.filter(|b| b.amount_fen > 0) {
        let coupon = NewCoupon {
            source: &source,
            owner_user: None,
            owner_phone: Some(&phone),
            amount_fen: b.amount_fen,
            perk: false,
            percent: b.percent,
        };
        issue_coupon(&mut tx, coupon, today).await?;
    }
    tx.commit().await?;
    coupon_of(&state.db.pool, &source).await
}

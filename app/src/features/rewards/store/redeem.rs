//! Code redemption: the code ties the new customer's deals to its owner, and the first-order
//! benefit of the rules in force is issued as a coupon. A phone keeps the first code it redeemed.
use super::facts;
use crate::features::deals::model::{CouponRow, Field};
use crate::features::deals::store::codes::{coupon_of, issue_coupon, owner_of, record_redemption};
use crate::features::rewards::engine::{new_customer_benefit, PromoterKind};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::i18n::C;
use crate::plumbing::state::AppState;
use crate::shared::period::local_date;
use crate::shared::phone::{normalize, Phone};
use crate::shared::text::{clean, TextError};

/// A new customer redeems a code; the coupon of their first-order benefit, if the rules give one.
pub async fn redeem(state: &AppState, code: &str, name: &str, phone: &str) -> Result<Option<CouponRow>, AppError> {
    let mut errors = Vec::new();
    let name = clean(name, 0, 50).map_err(|e| errors.push(FieldError::new(Field::Name, e))).unwrap_or_default();
    let phone: Option<Phone> = normalize(phone, state.org.allow_foreign_phones)
        .map_err(|e| errors.push(FieldError::new(Field::Phone, e)))
        .ok();
    let code = code.trim().to_ascii_uppercase();
    let owner = owner_of(&state.db.pool, &code).await?;
    if owner.is_none() {
        let problem =
            if code.is_empty() { Problem::Text(TextError::Required) } else { Problem::said(C::ProblemUnknownCode) };
        errors.push(FieldError::new(Field::ReferralCode, problem));
    }
    let (Some(phone), Some(promoter), true) = (phone, owner, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let kind = facts::promoters(&state.db.pool).await?.get(&promoter).map(|p| p.kind).unwrap_or(PromoterKind::Employee);
    let today = local_date(chrono::Utc::now(), state.org.tz);
    let benefit = new_customer_benefit(&super::rules::rules(&state.db.pool).await?, kind, today).unwrap_or(0);
    let source = format!("benefit:{}", phone.as_e164());
    let (_turn, mut tx) = state.db.begin_write().await?;
    record_redemption(&mut tx, phone.as_e164(), &code, promoter, &name).await?;
    if benefit > 0 {
        issue_coupon(&mut tx, &source, None, Some(phone.as_e164()), benefit, false, today).await?;
    }
    tx.commit().await?;
    coupon_of(&state.db.pool, &source).await
}

//! Code redemption (兑换推荐码): a new customer types a referral code and their phone, the code
//! ties their deals to the referrer, and they get the first-order benefit as a coupon. Public.
use crate::features::deals::coupons::CouponList;
use crate::features::deals::CouponRow;
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;

/// Public: a new customer redeems a referral code and gets the first-order benefit.
#[server(endpoint = "redeem_code")]
pub async fn redeem_code(code: String, name: String, phone: String) -> Result<Option<CouponRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    super::store::redeem::redeem(&cx.state, &code, &name, &phone).await
}

#[component]
pub fn Redeem() -> impl IntoView {
    let i18n = use_i18n();
    let redeem = ServerAction::<RedeemCode>::new();
    let code = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("code").unwrap_or_default());
    view! {
        <h1>{i18n.t(K::RedeemTitle)}</h1>
        <section class="card">
            <p class="muted">{i18n.t(K::RedeemHint)}</p>
            <ActionForm action=redeem attr:class="form">
                <label><span>{i18n.t(C::ReferralCodeLabel)}</span><input type="text" name="code" value=code maxlength="16" required data-testid="redeem-code" /></label>
                <label><span>{i18n.t(C::NameLabel)}</span><input type="text" name="name" maxlength="50" data-testid="redeem-name" /></label>
                <label><span>{i18n.t(C::PhoneLabel)}</span><input type="tel" name="phone" maxlength="20" required data-testid="redeem-phone" /></label>
                <button type="submit" class="button primary" data-testid="redeem-submit">{i18n.t(K::Redeem)}</button>
            </ActionForm>
            {move || redeem.value().get().map(|r| match r {
                Ok(c) => view! { <div data-testid="redeemed"><p>{i18n.t(K::RedeemDone)}</p><CouponList coupons=c.into_iter().collect() /></div> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
        </section>
    }
}

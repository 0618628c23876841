//! Code redemption (兑换推荐码): a new customer types a referral code and their phone, proves
//! the phone with the code it receives by SMS, and then the referral code ties their deals to
//! the referrer and they get the first-order benefit as a coupon. Public.
use crate::features::deals::coupons::CouponList;
use crate::features::deals::CouponRow;
use crate::features::rewards::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;

/// Public, step one: checks the code and the phone and texts the phone a one-time code.
/// Answers the handle of the check (nothing is tied yet, nothing about the phone is shown).
#[server(endpoint = "redeem_code")]
pub async fn redeem_code(code: String, name: String, phone: String) -> Result<String, AppError> {
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    let ip = crate::plumbing::http::peer_ip(&cx.parts.extensions);
    let ip_hash = crate::plumbing::auth::keyed_hash(&cx.state.org.secret, &ip);
    super::store::redeem::start(&cx.state, &code, &name, &phone, &ip_hash).await
}

/// Public, step two: the code the phone received. Answers that phone's first-order coupon.
#[server(endpoint = "confirm_redemption")]
pub async fn confirm_redemption(check: String, otp: String) -> Result<Option<CouponRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    if check.len() > 64 || otp.chars().count() > 12 {
        return Err(AppError::invalid(
            crate::features::deals::Field::Otp,
            crate::plumbing::errors::Problem::said(C::ProblemWrongCode),
        ));
    }
    super::store::redeem::confirm(&cx.state, &check, &otp).await
}

#[component]
pub fn Redeem() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<RedeemCode>::new();
    let confirm = ServerAction::<ConfirmRedemption>::new();
    let code =
        RwSignal::new(leptos_router::hooks::use_query_map().with_untracked(|q| q.get("code").unwrap_or_default()));
    let (name, phone, otp) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let check = move || start.value().get().and_then(|r| r.ok());
    view! {
        <leptos_meta::Meta name="description" content=i18n.t(K::RedeemHint) />
        <h1>{i18n.t(K::RedeemTitle)}</h1>
        <section class="card">
            <p class="muted">{i18n.t(K::RedeemHint)}</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                start.dispatch(RedeemCode { code: code.get_untracked(), name: name.get_untracked(), phone: phone.get_untracked() });
            }>
                <label><span>{i18n.t(C::ReferralCodeLabel)}</span><input type="text" maxlength="16" required bind:value=code data-testid="redeem-code" /></label>
                <label><span>{i18n.t(C::NameLabel)}</span><input type="text" maxlength="50" bind:value=name data-testid="redeem-name" /></label>
                <label><span>{i18n.t(C::PhoneLabel)}</span><input type="tel" maxlength="20" required bind:value=phone data-testid="redeem-phone" /></label>
                <button type="submit" class="button primary" data-testid="redeem-submit" disabled=move || start.pending().get()>{i18n.t(K::SendCode)}</button>
            </form>
            {move || start.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            {move || check().map(|handle| view! {
                <form class="form" data-testid="redeem-confirm" on:submit=move |ev| {
                    ev.prevent_default();
                    confirm.dispatch(ConfirmRedemption { check: handle.clone(), otp: otp.get_untracked() });
                }>
                    <p class="muted">{i18n.t(K::CodeSent)}</p>
                    <label><span>{i18n.t(C::OtpLabel)}</span><input type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required bind:value=otp data-testid="redeem-otp" /></label>
                    <button type="submit" class="button primary" data-testid="redeem-confirm-submit">{i18n.t(K::Redeem)}</button>
                </form>
            })}
            {move || confirm.value().get().map(|r| match r {
                Ok(c) => view! { <div data-testid="redeemed"><p>{i18n.t(K::RedeemDone)}</p><CouponList coupons=c.into_iter().collect() /></div> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
        </section>
    }
}

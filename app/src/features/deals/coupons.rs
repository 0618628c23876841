//! A coupon wallet's list: amount, perk, code, status, expiry.
use super::model::CouponRow;
use crate::features::deals::i18n::K;
use crate::plumbing::i18n::use_i18n;
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[component]
pub fn CouponList(coupons: Vec<CouponRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="plain" data-testid="coupons">
            {coupons.into_iter().map(|c| view! {
                <li data-testid="coupon">
                    {match c.percent {
                        None => view! { <b>{format_yuan(c.amount_fen)}</b>" "{i18n.t(K::Coupon)} }.into_any(),
                        Some(p) => view! {
                            <b>{(p * rust_decimal::Decimal::ONE_HUNDRED).normalize().to_string()}"%"</b>" "{i18n.t(K::CouponShare)}" "{format_yuan(c.amount_fen)}
                        }.into_any(),
                    }}
                    {c.discount_fen.map(|d| view! { " · "{i18n.t(K::CouponTookOff)}" "{format_yuan(d)} })}
                    {c.perk.then(|| view! { " + "{i18n.t(K::FreeService)} })}
                    " · "<code>{c.code}</code>" · "{i18n.t(c.status.label())}" · "{i18n.t(K::ExpiresOn)}" "{c.expires_on}
                </li>
            }).collect_view()}
        </ul>
    }
}

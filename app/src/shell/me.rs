//! "My promotion" (`/me`): what a promoter sees first, put together from the features it
//! comes from.
use crate::features::dashboard::my_numbers::MyNumbersCard;
use crate::features::leads::my_leads::MyLeads;
use crate::features::promotion::my_promotion::PromoCards;
use crate::features::promotion::share_items::ShareItems;
use crate::plumbing::i18n::use_i18n;
use crate::shell::i18n::K;
use leptos::prelude::*;

#[component]
pub fn MyPromotion() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{i18n.t(K::MyPromotionTitle)}</h1>
        <MyNumbersCard />
        <PromoCards />
        <ShareItems />
        <MyLeads />
    }
}

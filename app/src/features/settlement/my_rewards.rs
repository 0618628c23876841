//! The promoter's rewards (我的奖励): referral code, pending / vested / approved / paid, their
//! statements line by line, notices, and customers' coupon wallet.
use super::model::MyRewards;
use super::runs::StatementCard;
use crate::features::deals::coupons::CouponList;
use crate::features::settlement::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[server(endpoint = "load_my_rewards")]
pub async fn load_my_rewards() -> Result<MyRewards, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    super::store::my_rewards::my_rewards(&cx.state, &cx.user).await
}

#[component]
pub fn MyRewardsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = resource(|| (), |_| load_my_rewards());
    view! {
        <h1>{i18n.t(K::MyRewardsTitle)}</h1>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(data.await, move |r: MyRewards| view! {
                    <section class="card">
                        <p>{i18n.t(C::ReferralCodeLabel)}" "<b class="code" data-testid="referral-code">{r.referral_code}</b></p>
                        <p class="muted">{i18n.t(K::ReferralCodeHint)}</p>
                        <dl class="figures">
                            <div><dt>{i18n.t(C::RewardPending)}</dt><dd data-testid="reward-pending">{format_yuan(r.pending_fen)}</dd></div>
                            <div><dt>{i18n.t(C::RewardVested)}</dt><dd data-testid="reward-vested">{format_yuan(r.vested_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardApproved)}</dt><dd data-testid="reward-approved">{format_yuan(r.approved_fen)}</dd></div>
                            <div><dt>{i18n.t(C::RewardPaid)}</dt><dd data-testid="reward-paid">{format_yuan(r.paid_fen)}</dd></div>
                        </dl>
                    </section>
                    {(!r.notices.is_empty()).then(|| view! {
                        <section class="card"><h2>{i18n.t(K::Notices)}</h2>
                            <ul class="plain" data-testid="notices">{r.notices.into_iter().map(|n| view! { <li data-testid="notice">{n}</li> }).collect_view()}</ul>
                        </section>
                    })}
                    {(!r.coupons.is_empty()).then(|| view! {
                        <section class="card"><h2>{i18n.t(K::CouponWallet)}</h2><CouponList coupons=r.coupons /></section>
                    })}
                    <h2>{i18n.t(K::Statements)}</h2>
                    {if r.statements.is_empty() {
                        view! { <p class="muted">{i18n.t(K::NoStatements)}</p> }.into_any()
                    } else {
                        r.statements.into_iter().map(|s| view! { <StatementCard s /> }).collect_view().into_any()
                    }}
                })
            })}
        </Transition>
    }
}

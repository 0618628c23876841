//! The promoter's own numbers this month (我的数据): clicks, shares, leads by status, deals,
//! rewards, place on the hero board and their department's targets.
use super::model::MyNumbers;
use super::targets::Targets;
use crate::features::dashboard::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use crate::shared::money::format_yuan;
use leptos::prelude::*;

/// The promoter's numbers this month, rank and department targets.
#[server(endpoint = "load_my_numbers")]
pub async fn load_my_numbers() -> Result<MyNumbers, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    super::store::my_numbers::my_numbers(&cx.state, &cx.user).await
}

#[component]
pub fn MyNumbersCard() -> impl IntoView {
    let i18n = use_i18n();
    let numbers = resource(|| (), |_| load_my_numbers());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(numbers.await, move |n: MyNumbers| view! {
                    <section class="card" data-testid="my-numbers">
                        <h2>{i18n.t(K::MyNumbersTitle)}" "<span class="muted">{n.month.clone()}</span></h2>
                        <p class="headline" data-testid="shares-brought">{i18n.t(K::SharesBroughtPrefix)}" "<b>{n.leads_from_shares}</b>" "{i18n.t(K::SharesBroughtSuffix)}</p>
                        <dl class="stats">
                            <div><dt>{i18n.t(C::StatClicks)}</dt><dd data-testid="my-clicks">{n.clicks}</dd></div>
                            <div><dt>{i18n.t(C::StatShares)}</dt><dd data-testid="my-shares">{n.shares}</dd></div>
                            <div><dt>{i18n.t(K::StatLeads)}</dt><dd data-testid="my-leads-count">{n.leads}</dd></div>
                            <div><dt>{i18n.t(C::StatusValid)}</dt><dd>{n.leads_valid}</dd></div>
                            <div><dt>{i18n.t(C::StatusPending)}</dt><dd>{n.leads_pending}</dd></div>
                            <div><dt>{i18n.t(C::StatusDuplicate)}</dt><dd>{n.leads_duplicate}</dd></div>
                            <div><dt>{i18n.t(C::StatusInvalid)}</dt><dd>{n.leads_invalid}</dd></div>
                            <div><dt>{i18n.t(K::StatDeals)}</dt><dd data-testid="my-deals">{n.deals}</dd></div>
                            <div><dt>{i18n.t(K::DealAmount)}</dt><dd>{format_yuan(n.deal_amount_fen)}</dd></div>
                            <div><dt>{i18n.t(C::RewardPending)}</dt><dd>{format_yuan(n.pending_fen)}</dd></div>
                            <div><dt>{i18n.t(C::RewardVested)}</dt><dd>{format_yuan(n.vested_fen)}</dd></div>
                            <div><dt>{i18n.t(C::RewardPaid)}</dt><dd>{format_yuan(n.paid_fen)}</dd></div>
                            <div><dt>{i18n.t(K::MyRank)}</dt><dd data-testid="my-rank">{match n.rank { Some(r) => format!("#{r}"), None => K::NoRankYet.text(i18n.locale()).to_string() }}</dd></div>
                        </dl>
                        {(!n.department_targets.is_empty()).then(|| view! {
                            <h3>{i18n.t(K::MyTeamTargets)}</h3>
                            <Targets targets=n.department_targets.clone() />
                        })}
                    </section>
                })
            })}
        </Suspense>
    }
}

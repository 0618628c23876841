//! The promoter's rewards (我的奖励): referral code, pending / vested / approved / paid, their
//! statements line by line, and customers' coupon wallet. Also the public code redemption
//! page and marketing's reward rules.
use crate::domain::money::format_yuan;
use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{CouponRow, MyRewards, RuleRow};
use leptos::prelude::*;

#[server(endpoint = "load_my_rewards")]
pub async fn load_my_rewards() -> Result<MyRewards, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&Role::PROMOTERS).await?;
            ssr::settlement::my_rewards(&ssr::state()?, &user).await
        }
        .await,
    )
}

/// Public: a new customer redeems a referral code and gets the first-order benefit.
#[server(endpoint = "redeem_code")]
pub async fn redeem_code(code: String, name: String, phone: String) -> Result<CouponRow, AppError> {
    use crate::ssr;
    ssr::respond(async { ssr::deals::redeem(&ssr::state()?, &code, &name, &phone).await }.await)
}

#[server(endpoint = "reward_rules")]
pub async fn reward_rules() -> Result<Vec<RuleRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Finance, Role::Admin]).await?;
            ssr::rewards::list(&ssr::state()?.pool).await
        }
        .await,
    )
}

/// Saves a rule (JSON) as a new version from its `effective_from`.
#[server(endpoint = "save_rule")]
pub async fn save_rule(spec: String) -> Result<i64, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            Ok(ssr::rewards::save(&ssr::state()?.pool, user.id, &spec).await?.1)
        }
        .await,
    )
}

fn coupon_status(s: &str) -> K {
    match s {
        "redeemed" => K::CouponRedeemed,
        "expired" => K::CouponExpired,
        _ => K::CouponIssued,
    }
}

#[component]
fn CouponList(coupons: Vec<CouponRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="plain" data-testid="coupons">
            {coupons.into_iter().map(|c| view! {
                <li data-testid="coupon">
                    <b>{format_yuan(c.amount_fen)}</b>" "{i18n.t(K::Coupon)}
                    {c.perk.then(|| view! { " + "{i18n.t(K::FreeService)} })}
                    " · "<code>{c.code}</code>" · "{i18n.t(coupon_status(&c.status))}" · "{i18n.t(K::ExpiresOn)}" "{c.expires_on}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn MyRewardsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = super::resource(|| (), |_| load_my_rewards());
    view! {
        <h1>{i18n.t(K::MyRewardsTitle)}</h1>
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(data.await, move |r: MyRewards| view! {
                    <section class="card">
                        <p>{i18n.t(K::ReferralCodeLabel)}" "<b class="code" data-testid="referral-code">{r.referral_code}</b></p>
                        <p class="muted">{i18n.t(K::ReferralCodeHint)}</p>
                        <dl class="figures">
                            <div><dt>{i18n.t(K::RewardPending)}</dt><dd data-testid="reward-pending">{format_yuan(r.pending_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardVested)}</dt><dd data-testid="reward-vested">{format_yuan(r.vested_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardApproved)}</dt><dd data-testid="reward-approved">{format_yuan(r.approved_fen)}</dd></div>
                            <div><dt>{i18n.t(K::RewardPaid)}</dt><dd data-testid="reward-paid">{format_yuan(r.paid_fen)}</dd></div>
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
                        r.statements.into_iter().map(|s| view! { <super::settlement::StatementCard s /> }).collect_view().into_any()
                    }}
                })
            })}
        </Transition>
    }
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
                <label><span>{i18n.t(K::ReferralCodeLabel)}</span><input type="text" name="code" value=code maxlength="16" required data-testid="redeem-code" /></label>
                <label><span>{i18n.t(K::NameLabel)}</span><input type="text" name="name" maxlength="50" data-testid="redeem-name" /></label>
                <label><span>{i18n.t(K::PhoneLabel)}</span><input type="tel" name="phone" maxlength="20" required data-testid="redeem-phone" /></label>
                <button type="submit" class="button primary" data-testid="redeem-submit">{i18n.t(K::Redeem)}</button>
            </ActionForm>
            {move || redeem.value().get().map(|r| match r {
                Ok(c) => view! { <div data-testid="redeemed"><p>{i18n.t(K::RedeemDone)}</p><CouponList coupons=vec![c] /></div> }.into_any(),
                Err(error) => view! { <super::ErrorNote error /> }.into_any(),
            })}
        </section>
    }
}

#[component]
pub fn Rules() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveRule>::new();
    let rules = super::resource(move || save.version().get(), |_| reward_rules());
    let spec = RwSignal::new(String::new());
    view! {
        <h1>{i18n.t(K::RulesTitle)}</h1>
        <p class="muted">{i18n.t(K::RulesHint)}</p>
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(rules.await, move |rows: Vec<RuleRow>| view! {
                    <table class="table cards" data-testid="rules">
                        <thead><tr><th>"#"</th><th>{i18n.t(K::RuleLabel)}</th><th>{i18n.t(K::PeriodLabel)}</th><th></th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| {
                                let json = r.spec.clone();
                                view! {
                                    <tr>
                                        <td data-label="#">{r.rule_id}" v"{r.version}</td>
                                        <td data-label=i18n.t(K::RuleLabel)>{r.name}" · "{r.kind}" · "{r.promoter_kind}" "{r.scope}</td>
                                        <td data-label=i18n.t(K::PeriodLabel)>{r.effective_from}" – "{r.effective_to.unwrap_or_default()}</td>
                                        <td><button type="button" class="link-button" on:click=move |_| spec.set(json.clone())>{i18n.t(K::EditCampaign)}</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            })}
        </Transition>
        <section class="card">
            <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); save.dispatch(SaveRule { spec: spec.get_untracked() }); }>
                <textarea rows="14" class="mono" bind:value=spec data-testid="rule-spec"></textarea>
                <button type="submit" class="button primary">{i18n.t(K::SaveNewVersion)}</button>
                {move || save.value().get().map(|r| match r {
                    Ok(v) => view! { <p class="ok">{i18n.t(K::Saved)}" v"{v}</p> }.into_any(),
                    Err(error) => view! { <super::ErrorNote error /> }.into_any(),
                })}
            </form>
        </section>
    }
}

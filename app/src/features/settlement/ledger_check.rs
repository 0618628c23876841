//! Finance's "verify the ledger": the engine's full recompute against the reward ledger,
//! every difference by promoter and line.
use crate::features::rewards::model::LedgerCheck;
use crate::features::settlement::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::use_i18n;
use crate::plumbing::ui::ErrorNote;
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[server(endpoint = "verify_ledger")]
pub async fn verify_ledger() -> Result<LedgerCheck, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Finance).await?;
    crate::features::rewards::store::verify::verify(&cx.state).await
}

#[component]
pub fn LedgerCheckCard() -> impl IntoView {
    let i18n = use_i18n();
    let check = ServerAction::<VerifyLedger>::new();
    view! {
        <section class="card">
            <h2>{i18n.t(K::VerifyLedger)}</h2>
            <p class="muted">{i18n.t(K::VerifyLedgerHint)}</p>
            <button type="button" class="button" data-testid="verify-ledger" disabled=move || check.pending().get()
                on:click=move |_| { check.dispatch(VerifyLedger {}); }>{i18n.t(K::VerifyLedger)}</button>
            {move || check.value().get().map(|r| match r {
                Err(error) => view! { <ErrorNote error /> }.into_any(),
                Ok(c) => view! {
                    <p data-testid="ledger-check">
                        {c.lines}" "{i18n.t(K::LedgerLines)}" · "{c.waiting}" "{i18n.t(K::LedgerWaiting)}" · "
                        {match c.differences.len() {
                            0 => view! { <span>{i18n.t(K::LedgerMatches)}</span> }.into_any(),
                            n => view! { <span class="field-error">{n}" "{i18n.t(K::LedgerDiffers)}</span> }.into_any(),
                        }}
                    </p>
                    {(!c.differences.is_empty()).then(|| view! {
                        <table class="table cards" data-testid="ledger-differences">
                            <thead><tr><th>{i18n.t(K::LineKey)}</th><th>{i18n.t(K::LedgerHolds)}</th><th>{i18n.t(K::EngineSays)}</th></tr></thead>
                            <tbody>
                                {c.differences.into_iter().map(|d| view! {
                                    <tr>
                                        <td data-label=i18n.t(K::LineKey)>{d.promoter}" · "{d.line_key}</td>
                                        <td data-label=i18n.t(K::LedgerHolds) class="num">{format_yuan(d.ledger_fen)}</td>
                                        <td data-label=i18n.t(K::EngineSays) class="num">{format_yuan(d.engine_fen)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                }.into_any(),
            })}
        </section>
    }
}

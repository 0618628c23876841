//! Finance's settlement (结算): draft a run for a period, read its statements, approve it,
//! export the payout files and mark it paid.
use super::model::{treatment_label, CarryReason, RunRow, RunStatus, RunStep, Scope, StatementView};
use crate::features::settlement::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, Locale, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[server(endpoint = "settlement_runs")]
pub async fn settlement_runs() -> Result<Vec<RunRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Finance).await?;
    let may_mark_paid = cx.user.may(RunStep::Paid.access());
    let runs = super::store::runs::runs(&cx.state).await?;
    Ok(runs.into_iter().map(|r| RunRow { may_mark_paid, ..r }).collect())
}

#[server(endpoint = "draft_run")]
pub async fn draft_run(scope: Sent<Scope>, period: String) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Finance).await?;
    let scope = scope.known(|| AppError::unknown(super::Field::Scope))?;
    super::store::draft::draft(&cx.state, &cx.actor(), scope, &period).await
}

/// `approve` (draft → approved, frozen) or `paid` (approved → paid, promoters notified).
#[server(endpoint = "run_action")]
pub async fn run_action(run_id: i64, action: Sent<RunStep>) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Finance).await?;
    let step = action.known(|| AppError::unknown(super::Field::Step))?;
    if !cx.user.may(step.access()) {
        return Err(AppError::Forbidden);
    }
    match step {
        RunStep::Approve => super::store::runs::approve(&cx.state, &cx.actor(), run_id).await,
        RunStep::Paid => super::store::runs::mark_paid(&cx.state, &cx.actor(), run_id).await,
    }
}

#[server(endpoint = "run_statements")]
pub async fn run_statements(run_id: i64) -> Result<Vec<StatementView>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Finance).await?;
    super::store::runs::statements(&cx.state.db.pool, run_id).await
}

/// One statement with every line's explanation.
#[component]
pub fn StatementCard(s: StatementView) -> impl IntoView {
    let i18n = use_i18n();
    let carry = s.carry_reason.map(|r| {
        let why = if r == CarryReason::Negative { K::CarryNegative } else { K::CarryBelowMinimum };
        view! { <p class="muted" data-testid="statement-carry">{i18n.t(why)}" "{format_yuan(s.carry_out_fen)}</p> }
    });
    view! {
        <article class="card statement" data-testid="statement">
            <h3>{s.promoter}" · "{s.period}" · "<span class="status">{i18n.t(s.run_status.label())}</span></h3>
            <table class="lines">
                <tbody>
                    {s.lines.into_iter().map(|l| view! {
                        <tr data-testid="statement-line">
                            <td>{l.adjustment.then(|| view! { <span class="status">{i18n.t(K::Adjustment)}</span>" " })}{move || if i18n.locale() == Locale::En { l.explanation_en.clone() } else { l.explanation_zh.clone() }}<span class="muted">" "{l.rule}</span></td>
                            <td class="num">{format_yuan(l.amount_fen)}</td>
                        </tr>
                    }).collect_view()}
                    {(s.carried_in_fen != 0).then(|| view! { <tr><td>{i18n.t(K::CarriedIn)}</td><td class="num">{format_yuan(s.carried_in_fen)}</td></tr> })}
                    <tr><th>{i18n.t(K::Gross)}</th><td class="num" data-testid="statement-gross">{format_yuan(s.gross_fen)}</td></tr>
                    <tr><th>{i18n.t(K::Tax)}" ("{i18n.t(treatment_label(s.treatment))}")"</th><td class="num" data-testid="statement-tax">{format_yuan(s.tax_fen)}</td></tr>
                    <tr><th>{i18n.t(K::Net)}</th><td class="num" data-testid="statement-net">{format_yuan(s.net_fen)}</td></tr>
                </tbody>
            </table>
            {carry}
        </article>
    }
}

#[component]
pub fn Settlement() -> impl IntoView {
    let i18n = use_i18n();
    let draft = ServerAction::<DraftRun>::new();
    let act = ServerAction::<RunAction>::new();
    let runs = resource(move || (draft.version().get(), act.version().get()), |_| settlement_runs());
    let open = RwSignal::new(None::<i64>);
    let statements = resource(
        move || (open.get(), act.version().get(), draft.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => run_statements(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <h1>{i18n.t(K::SettlementTitle)}</h1>
        <section class="card">
            <h2>{i18n.t(K::DraftRun)}</h2>
            <ActionForm action=draft attr:class="form inline-form">
                <select name="scope" aria-label=i18n.t(K::ScopeLabel) data-testid="run-scope">
                    {Scope::ALL.iter().map(|s| view! { <option value=s.as_str()>{i18n.t(s.label())}</option> }).collect_view()}
                </select>
                <input type="text" name="period" placeholder="2026-11 / 2026-Q4" required data-testid="run-period" />
                <button type="submit" class="button primary" data-testid="draft-run">{i18n.t(K::DraftRun)}</button>
            </ActionForm>
            {move || draft.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            {move || act.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        </section>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(runs.await, move |rows: Vec<RunRow>| view! {
                    <table class="table cards" data-testid="runs">
                        <thead><tr>
                            <th>{i18n.t(C::PeriodLabel)}</th><th>{i18n.t(C::ColStatus)}</th><th>{i18n.t(K::Gross)}</th><th>{i18n.t(K::Tax)}</th><th>{i18n.t(K::Net)}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| {
                                let id = r.id;
                                let scope = r.scope.label();
                                let status = r.status;
                                let may_mark_paid = r.may_mark_paid;
                                view! {
                                    <tr data-testid="run-row">
                                        <td data-label=i18n.t(C::PeriodLabel)>{r.period}" "{i18n.t(scope)}" · "{r.statements}" "{i18n.t(K::StatementCount)}</td>
                                        <td data-label=i18n.t(C::ColStatus)>
                                            <span data-testid="run-status">{i18n.t(r.status.label())}</span>
                                            <br /><span class=if r.overdue { "field-error" } else { "muted" } data-testid="run-pay-by">
                                                {i18n.t(K::PayBy)}" "{r.pay_by}{r.overdue.then(|| view! { " · "{i18n.t(K::PayOverdue)} })}
                                            </span>
                                            {(r.missing_accounts > 0).then(|| view! {
                                                <br /><span class="field-error" data-testid="run-missing-accounts">{r.missing_accounts}" "{i18n.t(K::MissingAccounts)}</span>
                                            })}
                                        </td>
                                        <td data-label=i18n.t(K::Gross) class="num">{format_yuan(r.gross_fen)}</td>
                                        <td data-label=i18n.t(K::Tax) class="num">{format_yuan(r.tax_fen)}</td>
                                        <td data-label=i18n.t(K::Net) class="num" data-testid="run-net">{format_yuan(r.net_fen)}</td>
                                        <td class="actions">
                                            <button type="button" class="link-button" data-testid="run-open" on:click=move |_| open.set(Some(id))>{i18n.t(K::Statements)}</button>
                                            {(status == RunStatus::Draft).then(|| view! {
                                                <button type="button" class="button" data-testid="run-approve" on:click=move |_| { act.dispatch(RunAction { run_id: id, action: RunStep::Approve.into() }); }>{i18n.t(K::Approve)}</button>
                                            })}
                                            {matches!(status, RunStatus::Approved | RunStatus::Paid).then(|| view! {
                                                <a href=format!("/settlement/{id}/bank.csv") rel="external" download data-testid="export-bank">{i18n.t(K::ExportBank)}</a>" "
                                                <a href=format!("/settlement/{id}/wallet.csv") rel="external" download>{i18n.t(K::ExportWallet)}</a>" "
                                                <a href=format!("/settlement/{id}/payroll.csv") rel="external" download>{i18n.t(K::ExportPayroll)}</a>
                                            })}
                                            {(status == RunStatus::Approved && may_mark_paid).then(|| view! {
                                                <button type="button" class="button" data-testid="run-paid" on:click=move |_| { act.dispatch(RunAction { run_id: id, action: RunStep::Paid.into() }); }>{i18n.t(K::MarkPaid)}</button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            })}
        </Transition>
        <super::ledger_check::LedgerCheckCard />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                show_result(statements.await, |list: Option<Vec<StatementView>>| {
                    list.map(|list| {
                        if list.is_empty() {
                            view! { <p class="muted" data-testid="no-statements">{move || K::NoStatements.text(use_i18n().locale())}</p> }.into_any()
                        } else {
                            list.into_iter().map(|s| view! { <StatementCard s /> }).collect_view().into_any()
                        }
                    })
                })
            })}
        </Transition>
    }
}

//! The audit log page: every change staff made, filtered, and exported as CSV.
use super::model::{AuditAction, AuditQuery, AuditRow};
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use leptos::prelude::*;

/// The newest 200 entries the query asks for.
#[server(endpoint = "audit_log")]
pub async fn audit_log(#[server(default)] query: AuditQuery) -> Result<Vec<AuditRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::audit_log::read(&cx.state.db.pool, &cx.state.org, &query, 200).await
}

#[server(endpoint = "audit_actions")]
pub async fn audit_actions() -> Result<Vec<AuditAction>, AppError> {
    use crate::plumbing::serve::*;
    authorize(Access::Admin).await?;
    Ok(super::store::audit_log::actions())
}

/// The query as a link's query string, for the CSV download of what is on screen.
fn csv_href(q: &AuditQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("action", &q.action), ("subject", &q.subject), ("from", &q.from), ("until", &q.until)] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", urlencoding(v)));
        }
    }
    format!("/admin/audit.csv?{}", parts.join("&"))
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn AuditLog() -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(AuditQuery::default());
    let (action, subject, from, until) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let rows = resource(move || query.get(), audit_log);
    let actions = resource(|| (), |_| audit_actions());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        query.set(AuditQuery {
            actor_id: None,
            action: action.get_untracked(),
            subject: subject.get_untracked(),
            from: from.get_untracked(),
            until: until.get_untracked(),
        });
    };
    view! {
        <h1>{i18n.t(K::AuditTitle)}</h1>
        <section class="card">
            <form class="form inline-form" on:submit=apply data-testid="audit-filter">
                <label>
                    <span>{i18n.t(K::ColAction)}</span>
                    <select on:change=move |ev| action.set(event_target_value(&ev)) data-testid="audit-action">
                        <option value="">{i18n.t(K::AllActions)}</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                actions.await.unwrap_or_default().into_iter()
                                    .map(|a| view! { <option value=a.code.clone()>{move || a.label.text(i18n.locale()).to_string()}</option> })
                                    .collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label><span>{i18n.t(K::SubjectLabel)}</span><input type="text" maxlength="50" bind:value=subject /></label>
                <label><span>{i18n.t(K::FromLabel)}</span><input type="date" bind:value=from /></label>
                <label><span>{i18n.t(K::UntilLabel)}</span><input type="date" bind:value=until /></label>
                <button type="submit" class="button">{i18n.t(K::Filter)}</button>
                <a class="button" rel="external" data-testid="audit-csv" href=move || csv_href(&query.get())>{i18n.t(K::ExportCsv)}</a>
            </form>
            <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(rows.await, |rows| view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table cards" data-testid="audit-table">
                                <thead><tr>
                                    <th>{i18n.t(K::ColWhen)}</th>
                                    <th>{i18n.t(K::ColWho)}</th>
                                    <th>{i18n.t(K::ColAction)}</th>
                                    <th>{i18n.t(K::ColSubject)}</th>
                                    <th>{i18n.t(K::ColChange)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let label = move |k: K| k.text(i18n.locale());
                                        let action_label = r.action_label.clone();
                                        view! {
                                            <tr data-testid="audit-row" data-action=r.action.clone()>
                                                <td data-label=move || label(K::ColWhen)>{r.at}</td>
                                                <td data-label=move || label(K::ColWho)>{r.actor.unwrap_or_else(|| K::SystemActor.text(i18n.locale()).to_string())}</td>
                                                <td data-label=move || label(K::ColAction)>{move || action_label.text(i18n.locale()).to_string()}</td>
                                                <td data-label=move || label(K::ColSubject)>{r.subject}</td>
                                                <td data-label=move || label(K::ColChange) class="audit-change">{r.change}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })
                })}
            </Suspense>
        </section>
    }
}

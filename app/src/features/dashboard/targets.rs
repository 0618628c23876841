//! Department targets (部门目标): progress bars, and marketing's form to set one.
use super::model::{Dashboard, TargetMetric, TargetProgress};
use super::rules::format_centi;
use crate::features::dashboard::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

/// Sets a department's monthly target; 0 clears it.
#[server(endpoint = "save_target")]
pub async fn save_target(
    department_id: i64,
    month: String,
    metric: Sent<TargetMetric>,
    target: String,
) -> Result<(), AppError> {
    use super::model::Field;
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let metric = metric.known(|| AppError::invalid(Field::Metric, Problem::UnknownChoice))?;
    let target: i64 = target
        .trim()
        .parse()
        .map_err(|_| AppError::invalid(Field::Target, Problem::OutOfRange { min: 0, max: 1_000_000 }))?;
    super::store::targets::set_target(&cx.state, cx.user.id, department_id, month.trim(), metric, target).await
}

#[component]
pub fn Targets(targets: Vec<TargetProgress>) -> impl IntoView {
    let i18n = use_i18n();
    (!targets.is_empty()).then(|| {
        view! {
            <section class="card" data-testid="targets">
                <h2>{i18n.t(K::TargetsTitle)}</h2>
                {targets.into_iter().map(|t| {
                    let actual = if t.metric == TargetMetric::SharesPerEmployee { format_centi(Some(t.actual_centi)) } else { (t.actual_centi / 100).to_string() };
                    view! {
                        <div class="target" data-testid="target">
                            <span>{t.department}" · "{i18n.t(t.metric.label())}" "{t.month}</span>
                            <span class="muted" data-testid="target-figures">{actual}" / "{t.target}</span>
                            <div class="bar" role="progressbar" aria-valuenow=t.percent aria-valuemin="0" aria-valuemax="100">
                                <div class="fill" style=format!("width: {}%", t.percent)></div>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </section>
        }
    })
}

#[component]
pub fn TargetForm(save: ServerAction<SaveTarget>, d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let month = d.from.get(..7).unwrap_or_default().to_string();
    view! {
        <details class="card">
            <summary>{i18n.t(K::SetTarget)}</summary>
            <ActionForm action=save attr:class="form inline-form">
                <select name="department_id" data-testid="target-department">
                    {d.departments.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                </select>
                <input type="text" name="month" value=month placeholder="2026-11" required data-testid="target-month" />
                <select name="metric" data-testid="target-metric">
                    {TargetMetric::ALL.iter().map(|m| view! { <option value=m.as_str()>{i18n.t(m.label())}</option> }).collect_view()}
                </select>
                <input type="number" name="target" min="0" required data-testid="target-value" />
                <button type="submit" class="button primary" data-testid="target-save">{i18n.t(C::Save)}</button>
            </ActionForm>
            {move || save.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        </details>
    }
}

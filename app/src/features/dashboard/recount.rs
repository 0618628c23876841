//! Admin's repair: the dashboard counters rebuilt from the facts (after a time-zone change, a
//! person moving department, or anything done to the database by hand).
use crate::features::dashboard::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::use_i18n;
use crate::plumbing::ui::show_result;
use leptos::prelude::*;

/// Rebuilds the counters while the server serves (facts arriving meanwhile wait for it and
/// count on top); answers how many counted figures it corrected.
#[server(endpoint = "recount_dashboard")]
pub async fn recount_dashboard() -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let corrected = super::store::recount::recount(&cx.state.db).await?;
    tracing::info!(corrected, by = cx.user.id, "dashboard counters recounted");
    Ok(corrected)
}

#[component]
pub fn RecountButton() -> impl IntoView {
    let i18n = use_i18n();
    let recount = ServerAction::<RecountDashboard>::new();
    view! {
        <ActionForm action=recount attr:class="form inline-form">
            <p class="muted">{i18n.t(K::RecountHint)}</p>
            <button type="submit" class="button" data-testid="recount" disabled=move || recount.pending().get()>{i18n.t(K::Recount)}</button>
        </ActionForm>
        {move || recount.value().get().map(|r| show_result(r, move |n| view! {
            <p class="ok" data-testid="recounted">{move || crate::plumbing::i18n::fill(K::Recounted.text(i18n.locale()), &[("n", &n.to_string())])}</p>
        }))}
    }
}

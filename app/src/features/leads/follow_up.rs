//! The sales rep's follow-up: their valid leads, the first-contact countdown, and the
//! stages up to won or lost.
use super::model::{FollowUpRow, Stage};
use crate::features::leads::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, Locale, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

#[server(endpoint = "my_follow_up")]
pub async fn my_follow_up() -> Result<Vec<FollowUpRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Sales).await?;
    let state = &cx.state;
    super::store::follow_up::for_rep(state, cx.user.id).await
}

#[server(endpoint = "update_stage")]
pub async fn update_stage(lead_id: i64, stage: Sent<Stage>, #[server(default)] note: String) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Sales).await?;
    let stage = stage.known(|| AppError::unknown(super::Field::Stage))?;
    super::store::follow_up::progress(&cx.state, &cx.user, lead_id, stage, &note).await
}

/// "5小时12分" / "5 h 12 min".
fn duration_text(ms: i64, locale: Locale) -> String {
    let minutes = ms.abs() / 60_000;
    let sep = if locale == Locale::En { " " } else { "" };
    format!("{}{sep}{}{sep}{}{sep}{}", minutes / 60, K::Hours.text(locale), minutes % 60, K::Minutes.text(locale))
}

#[component]
pub fn FollowUp() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<UpdateStage>::new();
    let leads = resource(move || action.version().get(), |_| my_follow_up());
    view! {
        <h1>{i18n.t(K::FollowUpTitle)}</h1>
        {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(leads.await, |rows| {
                    if rows.is_empty() {
                        return view! { <p class="muted">{i18n.t(K::FollowUpEmpty)}</p> }.into_any();
                    }
                    rows.into_iter().map(|r| {
                        let id = r.id;
                        let note = RwSignal::new(String::new());
                        let done = r.stage.is_some_and(Stage::is_final);
                        view! {
                            <article class="card lead" data-testid="follow-up-row">
                                <p><b data-testid="follow-up-name">{r.name}</b>" "<a href=format!("tel:{}", r.phone)>{r.phone.clone()}</a></p>
                                <p class="muted">{r.campaign_name}" · "{i18n.t(K::AssignedAt)}" "{r.assigned_at}</p>
                                {r.first_contact_left_ms.map(|left| view! {
                                    <p class=if left < 0 { "due overdue" } else { "due" } data-testid="countdown">
                                        {move || if left < 0 { K::FirstContactOverdue.text(i18n.locale()) } else { K::FirstContactLeft.text(i18n.locale()) }}
                                        " " {move || duration_text(left, i18n.locale())}
                                    </p>
                                })}
                                {r.stage.map(|s| view! { <p><span class="status status-valid" data-testid="stage">{i18n.t(s.label())}</span></p> })}
                                {(!done).then(|| view! {
                                    <input type="text" maxlength="500" bind:value=note placeholder=i18n.t(K::NoteLabel) class="note" />
                                    <div class="actions">
                                        {Stage::ALL.iter().copied().map(|stage| view! {
                                            <button type="button" class="button" data-testid=format!("stage-{}", stage.as_str())
                                                on:click=move |_| { action.dispatch(UpdateStage { lead_id: id, stage: stage.into(), note: note.get_untracked() }); }>
                                                {i18n.t(stage.label())}
                                            </button>
                                        }).collect_view()}
                                    </div>
                                })}
                            </article>
                        }
                    }).collect_view().into_any()
                })
            })}
        </Transition>
    }
}

use crate::error::AppError;
use crate::i18n::{use_i18n, Locale, K};
use crate::model::{FollowUpRow, Stage};
use leptos::prelude::*;

#[server(endpoint = "my_follow_up")]
pub async fn my_follow_up() -> Result<Vec<FollowUpRow>, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let rep = ssr::auth::require(&[Role::Sales]).await?;
            let state = ssr::state()?;
            ssr::follow_up::for_rep(&state.pool, &state.org, rep.id).await
        }
        .await,
    )
}

#[server(endpoint = "update_stage")]
pub async fn update_stage(lead_id: i64, stage: String, #[server(default)] note: String) -> Result<(), AppError> {
    use crate::error::{Field, Problem};
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let rep = ssr::auth::require(&[Role::Sales]).await?;
            let stage = Stage::parse(&stage).ok_or(AppError::invalid(Field::Stage, Problem::UnknownChoice))?;
            ssr::follow_up::progress(&ssr::state()?, &rep, lead_id, stage, &note).await
        }
        .await,
    )
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
    let leads = super::resource(move || action.version().get(), |_| my_follow_up());
    view! {
        <h1>{i18n.t(K::FollowUpTitle)}</h1>
        {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(leads.await, |rows| {
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
                                        {Stage::ALL.into_iter().map(|stage| view! {
                                            <button type="button" class="button" data-testid=format!("stage-{}", stage.as_str())
                                                on:click=move |_| { action.dispatch(UpdateStage { lead_id: id, stage: stage.as_str().into(), note: note.get_untracked() }); }>
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

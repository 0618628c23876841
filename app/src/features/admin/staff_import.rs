//! Admin imports staff from HR's spreadsheet: a preview of who is added, updated and
//! deactivated, and every bad row by line and field; then applying it (idempotent).
use super::model::StaffImport;
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::use_i18n;
use crate::plumbing::ui::ErrorNote;
use leptos::prelude::*;

/// `content` is the file, base64; nothing changes unless `apply`.
#[server(endpoint = "import_staff")]
pub async fn import_staff(content: String, #[server(default)] apply: bool) -> Result<StaffImport, AppError> {
    use crate::plumbing::serve::*;
    use base64::Engine;
    let cx = authorize(Access::Admin).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|_| AppError::invalid(super::Field::ImportFile, Problem::said(K::ProblemImportUnreadable)))?;
    super::store::staff_import::import(&cx.state.db, &cx.actor(), &bytes, apply, cx.state.org.allow_foreign_phones)
        .await
}

/// The chosen file's bytes as base64 (`btoa` of a binary string), read in the browser.
#[cfg(feature = "hydrate")]
async fn read_file(input: web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let binary: String = bytes.iter().map(|b| char::from(*b)).collect();
    window().btoa(&binary).ok()
}

#[component]
pub fn StaffImportCard(on_applied: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let content = RwSignal::new(String::new());
    let action = ServerAction::<ImportStaff>::new();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = input.get() {
            leptos::task::spawn_local(async move {
                content.set(read_file(el).await.unwrap_or_default());
            });
        }
    };
    let run = move |apply: bool| {
        action.dispatch(ImportStaff { content: content.get_untracked(), apply });
    };
    Effect::new(move |_| {
        if let Some(Ok(r)) = action.value().get() {
            if r.applied {
                on_applied.update(|n| *n += 1);
            }
        }
    });
    let lines = move |title: K, rows: Vec<super::model::ImportLine>, id: &'static str| {
        view! {
            <details data-testid=id>
                <summary>{i18n.t(title)}" "<b data-testid=format!("{id}-count")>{rows.len()}</b></summary>
                <ul class="plain">{rows.into_iter().take(200).map(|l| view! { <li>{i18n.t(K::LineLabel)}" "{l.line}" · "{l.name}" · "{l.key}</li> }).collect_view()}</ul>
            </details>
        }
    };
    view! {
        <section class="card" data-testid="staff-import">
            <h2>{i18n.t(K::ImportTitle)}</h2>
            <p class="muted">{i18n.t(K::ImportHint)}</p>
            <label>
                <span>{i18n.t(K::ImportFileLabel)}</span>
                <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    node_ref=input on:change=on_change data-testid="staff-file" />
            </label>
            <div class="row">
                <button type="button" class="button" data-testid="staff-preview" prop:disabled=move || content.get().is_empty() on:click=move |_| run(false)>{i18n.t(K::Preview)}</button>
                <button type="button" class="button primary" data-testid="staff-apply"
                    prop:disabled=move || !matches!(action.value().get(), Some(Ok(ref r)) if !r.applied)
                    on:click=move |_| run(true)>{i18n.t(K::ApplyImport)}</button>
            </div>
            {move || action.value().get().map(|r| match r {
                Ok(r) => {
                    let errors = r.errors.clone();
                    view! {
                        <div data-testid="staff-report">
                            {r.applied.then(|| view! { <p class="ok" data-testid="staff-applied">{i18n.t(K::Applied)}</p> })}
                            {lines(K::ToAdd, r.added, "staff-added")}
                            {lines(K::ToUpdate, r.updated, "staff-updated")}
                            {lines(K::ToDeactivate, r.deactivated, "staff-deactivated")}
                            <p class="muted">{i18n.t(K::Unchanged)}" "{r.unchanged}</p>
                            {(!errors.is_empty()).then(|| view! {
                                <h3>{i18n.t(K::ImportErrors)}" "<span data-testid="staff-errors-count">{errors.len()}</span></h3>
                                <ul class="plain" data-testid="staff-errors">
                                    {errors.into_iter().take(200).map(|(line, errs)| view! {
                                        <li class="field-error">{i18n.t(K::LineLabel)}" "{line}" · "{move || errs.iter().map(|e| e.message(i18n.locale())).collect::<Vec<_>>().join("；")}</li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </div>
                    }.into_any()
                }
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
        </section>
    }
}

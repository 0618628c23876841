//! Administration: people and departments, and the outbox of messages sent.
use super::model::{DepartmentRow, OutboxRow, UserRow};
use super::people_forms::{EditUserForm, NewUserForm};
use crate::features::admin::i18n::K;
use crate::plumbing::access::Role;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

/// The first 200 people, or those matching `search` (name, sign-in name, employee number).
#[server(endpoint = "list_users")]
pub async fn list_users(#[server(default)] search: String) -> Result<Vec<UserRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    if search.chars().count() > 50 {
        let too_long = crate::shared::text::TextError::TooLong { max: 50 };
        return Err(AppError::invalid(super::Field::Search, too_long));
    }
    super::store::users::list_users(&cx.state.db.pool, &search).await
}

/// The newest outgoing messages and whether they went out.
#[server(endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let state = &cx.state;
    let messages = crate::plumbing::outbox::recent(&state.db.pool, 100).await?;
    Ok(messages
        .into_iter()
        .map(|m| OutboxRow {
            created_at: crate::shared::period::local_time(m.created_at, state.org.tz),
            kind: m.kind,
            recipient: m.recipient,
            body: m.body,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
        })
        .collect())
}

#[server(endpoint = "list_departments")]
pub async fn list_departments() -> Result<Vec<DepartmentRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::users::list_departments(&cx.state.db.pool).await
}

#[server(endpoint = "create_user")]
pub async fn create_user(
    display_name: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    password: String,
    #[server(default)] department_id: Option<i64>,
    #[server(default)] roles: Vec<Sent<Role>>,
) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let state = &cx.state;
    let roles = roles
        .into_iter()
        .map(|r| r.known(|| AppError::unknown(super::Field::Roles)))
        .collect::<Result<Vec<Role>, _>>()?;
    let input = super::store::users::NewUser { display_name, phone, email, password, department_id, roles };
    super::store::users::create_user(&state.db, &cx.actor(), input, state.org.allow_foreign_phones).await
}

/// Admin edits a person: name, phone, email, department, roles.
#[server(endpoint = "update_user")]
pub async fn update_user(
    id: i64,
    display_name: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    #[server(default)] department_id: Option<i64>,
    #[server(default)] roles: Vec<Sent<Role>>,
    #[server(default)] tax_treatment: Option<Sent<crate::features::settlement::TaxTreatment>>,
) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    let roles = roles
        .into_iter()
        .map(|r| r.known(|| AppError::unknown(super::Field::Roles)))
        .collect::<Result<Vec<Role>, _>>()?;
    let tax = tax_treatment.map(|t| t.known(|| AppError::unknown(super::Field::TaxTreatment))).transpose()?;
    let input = super::store::users::NewUser { display_name, phone, email, department_id, roles, ..Default::default() };
    super::store::users::update_user(&cx.state.db, &cx.actor(), id, input, tax, cx.state.org.allow_foreign_phones).await
}

/// Deactivates a person (their sessions end at once) or reactivates them.
#[server(endpoint = "set_user_active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::users::set_active(&cx.state.db, &cx.actor(), id, active).await
}

#[server(endpoint = "create_department")]
pub async fn create_department(name: String) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::users::create_department(&cx.state.db, &cx.actor(), &name).await
}

#[component]
pub fn Admin() -> impl IntoView {
    let i18n = use_i18n();
    let new_user = ServerAction::<CreateUser>::new();
    let new_department = ServerAction::<CreateDepartment>::new();
    let update = ServerAction::<UpdateUser>::new();
    let activate = ServerAction::<SetUserActive>::new();
    let editing = RwSignal::new(None::<UserRow>);
    let imported = RwSignal::new(0i64);
    let reset = ServerAction::<super::reset::IssueResetLink>::new();
    let search = RwSignal::new(String::new());
    let users = resource(
        move || {
            (new_user.version().get(), update.version().get(), activate.version().get(), imported.get(), search.get())
        },
        |(_, _, _, _, search)| list_users(search),
    );
    let departments = resource(move || new_department.version().get(), |_| list_departments());
    let outbox = resource(|| (), |_| list_outbox());

    view! {
        <h1>{i18n.t(K::AdminTitle)}</h1>
        <section class="card">
            <h2>{i18n.t(K::Users)}</h2>
            <div class="form">
                <label>
                    <span>{i18n.t(K::SearchPeople)}</span>
                    <input type="search" maxlength="50" data-testid="user-search"
                        on:change=move |ev| search.set(event_target_value(&ev)) />
                </label>
            </div>
            <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(users.await, |rows| view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table cards" data-testid="users-table">
                                <thead><tr>
                                    <th>{i18n.t(K::DisplayNameLabel)}</th>
                                    <th>{i18n.t(K::ColLogin)}</th>
                                    <th>{i18n.t(K::ColDepartment)}</th>
                                    <th>{i18n.t(K::ColRoles)}</th>
                                    <th>{i18n.t(K::ColStatus)}</th>
                                    <th></th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|u| {
                                        let roles = u.roles.clone();
                                        let label = move |k: K| k.text(i18n.locale());
                                        let (id, active, row, login) = (u.id, u.active, u.clone(), u.login.clone());
                                        view! {
                                            <tr data-testid="user-row" data-login=login>
                                                <td data-label=move || label(K::DisplayNameLabel)>{u.display_name}</td>
                                                <td data-label=move || label(K::ColLogin)>{u.login}</td>
                                                <td data-label=move || label(K::ColDepartment)>{u.department.unwrap_or_default()}</td>
                                                <td data-label=move || label(K::ColRoles)>{move || roles.iter().map(|r| r.label().text(i18n.locale())).collect::<Vec<_>>().join("、")}</td>
                                                <td data-label=move || label(K::ColStatus)>
                                                    <span class=if active { "status" } else { "status muted" } data-testid="user-status">{i18n.t(if active { K::Active } else { K::Inactive })}</span>
                                                </td>
                                                <td class="actions">
                                                    <button type="button" class="link-button" data-testid="user-edit" on:click=move |_| editing.set(Some(row.clone()))>{i18n.t(K::Edit)}</button>
                                                    <button type="button" class="link-button" data-testid="user-reset" on:click=move |_| { reset.dispatch(super::reset::IssueResetLink { id }); }>{i18n.t(K::ResetLink)}</button>
                                                    <button type="button" class="link-button" data-testid=if active { "user-deactivate" } else { "user-reactivate" }
                                                        on:click=move |_| { activate.dispatch(SetUserActive { id, active: !active }); }>
                                                        {i18n.t(if active { K::Deactivate } else { K::Reactivate })}
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })
                })}
            </Suspense>
            {move || activate.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            {move || reset.value().get().map(|r| match r {
                Ok(link) => view! { <p class="ok">{i18n.t(K::ResetLinkHint)}" "<code data-testid="reset-link">{link}</code></p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            {move || editing.get().map(|user| view! { <EditUserForm user action=update editing departments /> })}
            <NewUserForm action=new_user departments />
        </section>
        <super::staff_import::StaffImportCard on_applied=imported />
        <section class="card">
            <h2>{i18n.t(K::Departments)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    show_result(departments.await, |rows| view! {
                        <ul class="plain" data-testid="departments">
                            {rows.into_iter().map(|d| view! { <li>{d.name}" ("{d.members}")"</li> }).collect_view()}
                        </ul>
                    })
                })}
            </Suspense>
            <ActionForm action=new_department attr:class="form inline-form">
                <label>
                    <span>{i18n.t(K::DepartmentNameLabel)}</span>
                    <input type="text" name="name" maxlength="50" required data-testid="department-name" />
                </label>
                <button type="submit" class="button">{i18n.t(C::Create)}</button>
                {move || new_department.value().get().map(|r| match r {
                    Ok(_) => view! { <span class="ok">{i18n.t(C::Created)}</span> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
            </ActionForm>
        </section>
        <section class="card">
            <h2>{i18n.t(K::OutboxTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    show_result(outbox.await, |rows| view! {
                        <ul class="plain outbox" data-testid="outbox">
                            {rows.into_iter().map(|m| view! {
                                <li>
                                    <span class=format!("status outbox-{}", m.status)>{i18n.t(super::model::message_status_label(m.status))}</span>" "
                                    <span class="muted">{m.created_at}" · "{i18n.t(super::model::message_kind_label(m.kind))}" → "{m.recipient}" · ×"{m.attempts}</span>
                                    <br />{m.body}
                                    {m.last_error.map(|e| view! { <br /><span class="field-error">{e}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Suspense>
        </section>
    }
}

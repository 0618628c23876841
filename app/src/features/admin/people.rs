//! Administration: people and departments, and the outbox of messages sent.
use super::model::{DepartmentRow, OutboxRow, UserRow};
use crate::features::admin::i18n::K;
use crate::plumbing::access::Role;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::users::list_users(&cx.state.db.pool).await
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
    super::store::users::create_user(&state.db, input, state.org.allow_foreign_phones).await
}

#[server(endpoint = "create_department")]
pub async fn create_department(name: String) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Admin).await?;
    super::store::users::create_department(&cx.state.db, &name).await
}

#[component]
pub fn Admin() -> impl IntoView {
    let i18n = use_i18n();
    let new_user = ServerAction::<CreateUser>::new();
    let new_department = ServerAction::<CreateDepartment>::new();
    let users = resource(move || new_user.version().get(), |_| list_users());
    let departments = resource(move || new_department.version().get(), |_| list_departments());
    let outbox = resource(|| (), |_| list_outbox());

    view! {
        <h1>{i18n.t(K::AdminTitle)}</h1>
        <section class="card">
            <h2>{i18n.t(K::Users)}</h2>
            <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(users.await, |rows| view! {
                        <div class="table-wrap">
                            <table class="table cards" data-testid="users-table">
                                <thead><tr>
                                    <th>{i18n.t(K::DisplayNameLabel)}</th>
                                    <th>{i18n.t(K::ColLogin)}</th>
                                    <th>{i18n.t(K::ColDepartment)}</th>
                                    <th>{i18n.t(K::ColRoles)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|u| {
                                        let roles = u.roles.clone();
                                        let label = move |k: K| k.text(i18n.locale());
                                        view! {
                                            <tr>
                                                <td data-label=move || label(K::DisplayNameLabel)>{u.display_name}</td>
                                                <td data-label=move || label(K::ColLogin)>{u.login}</td>
                                                <td data-label=move || label(K::ColDepartment)>{u.department.unwrap_or_default()}</td>
                                                <td data-label=move || label(K::ColRoles)>{move || roles.iter().map(|r| r.label().text(i18n.locale())).collect::<Vec<_>>().join("、")}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })
                })}
            </Suspense>
            <NewUserForm action=new_user departments />
        </section>
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
                                    <span class=format!("status outbox-{}", m.status)>{m.status.as_str()}</span>" "
                                    <span class="muted">{m.created_at}" · "{m.kind.as_str()}" → "{m.recipient}" · ×"{m.attempts}</span>
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

#[component]
fn NewUserForm(
    action: ServerAction<CreateUser>,
    departments: Resource<Result<Vec<DepartmentRow>, AppError>, crate::plumbing::ui::Json>,
) -> impl IntoView {
    let i18n = use_i18n();
    let display_name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());
    let roles = RwSignal::new(Vec::<Role>::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(CreateUser {
            display_name: display_name.get_untracked(),
            phone: phone.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            department_id: department.get_untracked().parse().ok(),
            roles: roles.get_untracked().into_iter().map(Sent::from).collect(),
        });
    };
    view! {
        <h3>{i18n.t(K::NewUser)}</h3>
        <form class="form" on:submit=submit data-testid="new-user-form">
            <label><span>{i18n.t(K::DisplayNameLabel)}</span><input type="text" maxlength="50" bind:value=display_name /></label>
            <label><span>{i18n.t(K::UserPhoneLabel)}</span><input type="tel" maxlength="32" bind:value=phone /></label>
            <label><span>{i18n.t(K::EmailLabel)}</span><input type="email" maxlength="254" bind:value=email /></label>
            <label><span>{i18n.t(C::PasswordLabel)}</span><input type="password" maxlength="128" autocomplete="new-password" bind:value=password /></label>
            <label>
                <span>{i18n.t(C::DepartmentLabel)}</span>
                <select on:change=move |ev| department.set(event_target_value(&ev))>
                    <option value="">{i18n.t(K::NoDepartment)}</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            departments.await.unwrap_or_default().into_iter()
                                .map(|d| view! { <option value=d.id.to_string()>{d.name}</option> })
                                .collect_view()
                        })}
                    </Suspense>
                </select>
            </label>
            <fieldset class="tags">
                <legend>{i18n.t(K::RolesLabel)}</legend>
                {Role::ALL.iter().copied().map(|role| view! {
                    <label class="tag">
                        <input type="checkbox" on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            roles.update(|rs| { rs.retain(|r| *r != role); if on { rs.push(role) } });
                        } />
                        {i18n.t(role.label())}
                    </label>
                }).collect_view()}
            </fieldset>
            {move || action.value().get().map(|r| match r {
                Ok(_) => view! { <p class="ok">{i18n.t(C::Created)}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            <button type="submit" class="button primary">{i18n.t(C::Create)}</button>
        </form>
    }
}

//! The forms of the people page: a new person, and editing one.
use super::model::{DepartmentRow, UserRow};
use super::people::{CreateUser, UpdateUser};
use crate::features::admin::i18n::K;
use crate::features::settlement::model::treatment_label;
use crate::features::settlement::TaxTreatment;
use crate::plumbing::access::Role;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::ErrorNote;
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

type Departments = Resource<Result<Vec<DepartmentRow>, AppError>, crate::plumbing::ui::Json>;

#[component]
pub fn NewUserForm(action: ServerAction<CreateUser>, departments: Departments) -> impl IntoView {
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
            <DepartmentPicker department departments />
            <RolePicker roles />
            {move || action.value().get().map(|r| match r {
                Ok(_) => view! { <p class="ok">{i18n.t(C::Created)}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            <button type="submit" class="button primary">{i18n.t(C::Create)}</button>
        </form>
    }
}

/// Edits one person; closes when saved.
#[component]
pub fn EditUserForm(
    user: UserRow,
    action: ServerAction<UpdateUser>,
    editing: RwSignal<Option<UserRow>>,
    departments: Departments,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.id;
    let display_name = RwSignal::new(user.display_name.clone());
    let phone = RwSignal::new(user.phone.clone());
    let email = RwSignal::new(user.email.clone());
    let department = RwSignal::new(user.department_id.map(|d| d.to_string()).unwrap_or_default());
    let roles = RwSignal::new(user.roles.clone());
    let tax = RwSignal::new(user.tax_treatment.map(|t| t.as_str().to_string()).unwrap_or_default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(UpdateUser {
            tax_treatment: TaxTreatment::parse(&tax.get_untracked()).map(Sent::from),
            id,
            display_name: display_name.get_untracked(),
            phone: phone.get_untracked(),
            email: email.get_untracked(),
            department_id: department.get_untracked().parse().ok(),
            roles: roles.get_untracked().into_iter().map(Sent::from).collect(),
        });
    };
    // Saved: close the form (its values are in the table now).
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            editing.set(None);
        }
    });
    view! {
        <h3>{i18n.t(K::Edit)}" · "{user.display_name.clone()}</h3>
        <form class="form" on:submit=submit data-testid="edit-user-form">
            <label><span>{i18n.t(K::DisplayNameLabel)}</span><input type="text" maxlength="50" bind:value=display_name /></label>
            <label><span>{i18n.t(K::UserPhoneLabel)}</span><input type="tel" maxlength="32" bind:value=phone /></label>
            <label><span>{i18n.t(K::EmailLabel)}</span><input type="email" maxlength="254" bind:value=email /></label>
            <DepartmentPicker department departments />
            <RolePicker roles />
            <label>
                <span>{i18n.t(K::TaxTreatmentLabel)}</span>
                <select on:change=move |ev| tax.set(event_target_value(&ev)) prop:value=move || tax.get() data-testid="user-tax">
                    <option value="">{i18n.t(K::ByKind)}</option>
                    {TaxTreatment::ALL.iter().map(|t| view! { <option value=t.as_str()>{i18n.t(treatment_label(*t))}</option> }).collect_view()}
                </select>
            </label>
            {move || action.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            <div class="row">
                <button type="submit" class="button primary" data-testid="edit-user-save">{i18n.t(K::Save)}</button>
                <button type="button" class="button" on:click=move |_| editing.set(None)>{i18n.t(K::Cancel)}</button>
            </div>
        </form>
    }
}

/// The department select of both forms.
#[component]
fn DepartmentPicker(department: RwSignal<String>, departments: Departments) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            <span>{i18n.t(C::DepartmentLabel)}</span>
            <select on:change=move |ev| department.set(event_target_value(&ev)) prop:value=move || department.get()>
                <option value="">{i18n.t(K::NoDepartment)}</option>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        departments.await.unwrap_or_default().into_iter()
                            .map(|d| {
                                let value = d.id.to_string();
                                let selected = department.get_untracked() == value;
                                view! { <option value=value selected=selected>{d.name}</option> }
                            })
                            .collect_view()
                    })}
                </Suspense>
            </select>
        </label>
    }
}

/// The role checkboxes of both forms.
#[component]
fn RolePicker(roles: RwSignal<Vec<Role>>) -> impl IntoView {
    let i18n = use_i18n();
    crate::plumbing::ui::checkboxes(i18n.t(K::RolesLabel), Role::ALL, roles, move |role| i18n.t(role.label()))
}

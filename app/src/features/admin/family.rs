//! Staff register their family members (seed 004): a deal whose customer is one of them, or
//! the staff member themself, earns no referral reward.
use super::model::FamilyRow;
use crate::features::admin::i18n::K;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use leptos::prelude::*;

#[server(endpoint = "my_family")]
pub async fn my_family() -> Result<Vec<FamilyRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::family::list(&cx.state.db.pool, cx.user.id).await
}

#[server(endpoint = "add_family_member")]
pub async fn add_family_member(name: String, phone: String) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::family::add(&cx.state.db, &cx.actor(), cx.user.id, &name, &phone, cx.state.org.allow_foreign_phones)
        .await
}

#[server(endpoint = "remove_family_member")]
pub async fn remove_family_member(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Staff).await?;
    super::store::family::remove(&cx.state.db, &cx.actor(), cx.user.id, id).await
}

#[component]
pub fn FamilyCard() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddFamilyMember>::new();
    let remove = ServerAction::<RemoveFamilyMember>::new();
    let rows = resource(move || (add.version().get(), remove.version().get()), |_| my_family());
    // Customers and partners have no staff bookings: no card for them.
    let staff = resource(|| (), |_| my_family());
    let card = move || {
        view! {
            <section class="card" data-testid="family">
                <h2>{i18n.t(K::FamilyTitle)}</h2>
                <p class="muted">{i18n.t(K::FamilyHint)}</p>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        show_result(rows.await, |rows| view! {
                            <ul class="plain">
                                {rows.into_iter().map(|f| {
                                    let id = f.id;
                                    view! { <li data-testid="family-member">{f.name}" · "<code>{f.phone}</code>" "
                                        <button type="button" class="link-button" on:click=move |_| { remove.dispatch(RemoveFamilyMember { id }); }>{i18n.t(C::Remove)}</button></li> }
                                }).collect_view()}
                            </ul>
                        })
                    })}
                </Suspense>
                <ActionForm action=add attr:class="form inline-form">
                    <label><span>{i18n.t(K::DisplayNameLabel)}</span><input type="text" name="name" maxlength="50" required /></label>
                    <label><span>{i18n.t(C::PhoneLabel)}</span><input type="tel" name="phone" maxlength="32" required /></label>
                    <button type="submit" class="button">{i18n.t(C::Create)}</button>
                    {move || add.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
                </ActionForm>
            </section>
        }
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { (staff.await != Err(AppError::Forbidden)).then(card) })}
        </Suspense>
    }
}

//! Marketing's campaigns: drafts, editing, publishing after the compliance check, and the
//! compliance word lists themselves.
use super::model::{CampaignEdit, CampaignListRow, Phase, WordKind, WordRow};
use crate::features::campaigns::i18n::K;
use crate::plumbing::access::Role;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use crate::shared::Choice;
use leptos::prelude::*;

#[server(endpoint = "list_campaigns")]
pub async fn list_campaigns() -> Result<Vec<CampaignListRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    Ok(super::store::campaigns::all(&state.db.pool).await?.iter().map(|c| c.list_row(&state.org)).collect())
}

#[server(endpoint = "load_campaign")]
pub async fn load_campaign(id: i64) -> Result<CampaignEdit, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let c = super::store::campaigns::by_id(&cx.state.db.pool, id).await?.ok_or(AppError::NotFound)?;
    Ok(c.edit())
}

/// Creates (no id) or updates a campaign; returns its id.
#[server(endpoint = "save_campaign")]
pub async fn save_campaign(campaign: CampaignEdit) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    let id = super::store::campaigns::save(&state.db, &campaign).await?;
    super::part(state)?.campaign_changed();
    Ok(id)
}

#[server(endpoint = "publish_campaign")]
pub async fn publish_campaign(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    super::store::campaigns::publish(&state.db, id).await?;
    super::part(state)?.campaign_changed();
    Ok(())
}

/// Departments, for the pilot scope.
#[server(endpoint = "campaign_departments")]
pub async fn campaign_departments() -> Result<Vec<Choice>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::campaigns::departments(&cx.state.db.pool).await
}

#[server(endpoint = "list_words")]
pub async fn list_words() -> Result<Vec<WordRow>, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    super::store::compliance::list(&state.db.pool, &state.org).await
}

#[server(endpoint = "add_word")]
pub async fn add_word(word: String, kind: Sent<WordKind>) -> Result<i64, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let kind = kind.known(|| AppError::unknown(super::Field::WordKind))?;
    super::store::compliance::add(&cx.state.db, &word, kind).await
}

#[server(endpoint = "remove_word")]
pub async fn remove_word(id: i64) -> Result<(), AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    super::store::compliance::remove(&cx.state.db, id).await
}

pub fn word_kind_label(k: WordKind) -> K {
    match k {
        WordKind::Extreme => K::WordKindExtreme,
        WordKind::Sensitive => K::WordKindSensitive,
        WordKind::Allowed => K::WordKindAllowed,
    }
}

fn phase_label(p: Phase) -> K {
    match p {
        Phase::Draft => K::PhaseDraft,
        Phase::Upcoming => K::PhaseUpcoming,
        Phase::Running => K::PhaseRunning,
        Phase::Ended => K::PhaseEnded,
    }
}

/// The editor: every field bound to a signal, so a refused save keeps what was typed.
#[component]
fn CampaignEditor(initial: CampaignEdit, saved: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveCampaign>::new();
    let id = RwSignal::new(initial.id);
    let field = |v: String| RwSignal::new(v);
    let (slug, name, product) = (field(initial.slug), field(initial.name), field(initial.product));
    let (selling_points, landing_copy, demand_tags) =
        (field(initial.selling_points), field(initial.landing_copy), field(initial.demand_tags));
    let (starts_on, ends_on, boosts) = (field(initial.starts_on), field(initial.ends_on), field(initial.boosts));
    let roles = RwSignal::new(initial.promoter_roles);
    let departments_chosen = RwSignal::new(initial.department_ids);
    let repurchase = RwSignal::new(initial.accepts_repurchase);
    let sms_budget = field(initial.sms_budget);
    let departments = resource(|| (), |_| campaign_departments());
    Effect::new(move |_| {
        if let Some(Ok(new_id)) = save.value().get() {
            id.set(Some(new_id));
            saved.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveCampaign {
            campaign: CampaignEdit {
                id: id.get_untracked(),
                slug: slug.get_untracked(),
                name: name.get_untracked(),
                product: product.get_untracked(),
                selling_points: selling_points.get_untracked(),
                landing_copy: landing_copy.get_untracked(),
                demand_tags: demand_tags.get_untracked(),
                starts_on: starts_on.get_untracked(),
                ends_on: ends_on.get_untracked(),
                promoter_roles: roles.get_untracked(),
                department_ids: departments_chosen.get_untracked(),
                boosts: boosts.get_untracked(),
                accepts_repurchase: repurchase.get_untracked(),
                sms_budget: sms_budget.get_untracked(),
            },
        });
    };
    view! {
        <form class="form" on:submit=submit data-testid="campaign-form">
            <label><span>{i18n.t(K::CampaignNameLabel)}</span><input type="text" maxlength="50" bind:value=name data-testid="campaign-name" /></label>
            <label><span>{i18n.t(K::SlugLabel)}</span><input type="text" maxlength="40" bind:value=slug data-testid="campaign-slug" /></label>
            <label><span>{i18n.t(C::Product)}</span><input type="text" maxlength="50" bind:value=product data-testid="campaign-product" /></label>
            <label><span>{i18n.t(K::SellingPointsLabel)}</span><textarea rows="3" bind:value=selling_points data-testid="campaign-points"></textarea></label>
            <label><span>{i18n.t(K::LandingCopyLabel)}</span><textarea rows="3" maxlength="2000" bind:value=landing_copy data-testid="campaign-copy"></textarea></label>
            <label><span>{i18n.t(K::DemandTagsLinesLabel)}</span><textarea rows="3" bind:value=demand_tags data-testid="campaign-tags"></textarea></label>
            <label><span>{i18n.t(C::StartsOnLabel)}</span><input type="date" bind:value=starts_on data-testid="campaign-starts" /></label>
            <label><span>{i18n.t(K::EndsOnLabel)}</span><input type="date" bind:value=ends_on data-testid="campaign-ends" /></label>
            <fieldset class="tags">
                <legend>{i18n.t(K::PromoterKindsLabel)}</legend>
                {Role::PROMOTERS.into_iter().map(|role| {
                    view! {
                        <label class="tag">
                            <input type="checkbox" prop:checked=move || roles.get().contains(&role.into()) on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                roles.update(|rs| { rs.retain(|r| *r != role.into()); if on { rs.push(role.into()) } });
                            } />
                            {i18n.t(role.label())}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="tags">
                <legend>{i18n.t(K::DepartmentsScopeLabel)}</legend>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        departments.await.unwrap_or_default().into_iter().map(|d| {
                            let did = d.id;
                            view! {
                                <label class="tag">
                                    <input type="checkbox" prop:checked=move || departments_chosen.get().contains(&did) on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        departments_chosen.update(|ds| { ds.retain(|x| *x != did); if on { ds.push(did) } });
                                    } />
                                    {d.name}
                                </label>
                            }
                        }).collect_view()
                    })}
                </Suspense>
            </fieldset>
            <label><span>{i18n.t(K::BoostsLabel)}</span><textarea rows="2" bind:value=boosts placeholder="2026-12-01 2026-12-07 1.5" data-testid="campaign-boosts"></textarea></label>
            <label><span>{i18n.t(K::SmsBudgetLabel)}</span><input type="text" inputmode="numeric" maxlength="8" bind:value=sms_budget placeholder="1000" data-testid="campaign-sms-budget" /></label>
            <label class="consent">
                <input type="checkbox" prop:checked=move || repurchase.get() on:change=move |ev| repurchase.set(event_target_checked(&ev)) />
                <span>{i18n.t(K::AcceptsRepurchaseLabel)}</span>
            </label>
            {move || save.value().get().map(|r| match r {
                Ok(_) => view! { <p class="ok" data-testid="campaign-saved">{i18n.t(C::Saved)}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
            <button type="submit" class="button primary" data-testid="campaign-save">{i18n.t(C::Save)}</button>
        </form>
        // A plain form: uploading works without JavaScript. Saved campaigns only.
        {move || id.get().map(|id| view! {
            <form method="post" enctype="multipart/form-data" action=format!("/campaigns/{id}/artwork") class="form inline-form" data-testid="artwork-form">
                <label>
                    <span>{i18n.t(K::ArtworkLabel)}</span>
                    <input type="file" name="file" accept="image/png,image/jpeg,image/webp" />
                </label>
                <button type="submit" class="button">{i18n.t(C::Upload)}</button>
            </form>
        })}
    }
}

#[component]
fn WordLists() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddWord>::new();
    let remove = ServerAction::<RemoveWord>::new();
    let words = resource(move || (add.version().get(), remove.version().get()), |_| list_words());
    let word = RwSignal::new(String::new());
    let kind = RwSignal::new(WordKind::Extreme);
    view! {
        <section class="card">
            <h2>{i18n.t(K::ComplianceTitle)}</h2>
            <p class="muted">{i18n.t(K::ComplianceHelp)}</p>
            <form class="form inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                add.dispatch(AddWord { word: word.get_untracked(), kind: kind.get_untracked().into() });
            }>
                <select aria-label=i18n.t(K::WordKindLabel) on:change=move |ev| kind.set(WordKind::parse(&event_target_value(&ev)).unwrap_or(WordKind::Extreme))>
                    {WordKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{i18n.t(word_kind_label(*k))}</option> }).collect_view()}
                </select>
                <input type="text" maxlength="20" bind:value=word placeholder=i18n.t(K::WordLabel) data-testid="word-input" />
                <button type="submit" class="button">{i18n.t(C::Add)}</button>
            </form>
            {move || add.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNote error /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    show_result(words.await, move |rows| {
                        let group = move |k: WordKind| {
                            let items: Vec<WordRow> = rows.iter().filter(|w| w.kind == k).cloned().collect();
                            view! {
                                <details>
                                    <summary>{i18n.t(word_kind_label(k))}" ("{items.len()}")"</summary>
                                    <p class="word-list">
                                        {items.into_iter().map(|w| {
                                            let id = w.id;
                                            view! {
                                                <span class="tag">{w.word}
                                                    <button type="button" class="link-button" aria-label=i18n.t(C::Remove)
                                                        on:click=move |_| { remove.dispatch(RemoveWord { id }); }>"×"</button>
                                                </span>
                                            }
                                        }).collect_view()}
                                    </p>
                                </details>
                            }
                        };
                        view! { {group(WordKind::Extreme)} {group(WordKind::Sensitive)} {group(WordKind::Allowed)} }
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn Campaigns() -> impl IntoView {
    let i18n = use_i18n();
    let saved = RwSignal::new(0u32);
    let publish = ServerAction::<PublishCampaign>::new();
    let list = resource(move || (saved.get(), publish.version().get()), |_| list_campaigns());
    // None: the list; Some(None): a new campaign; Some(Some(id)): editing that one.
    let editing = RwSignal::new(None::<Option<i64>>);
    let loaded = resource(
        move || editing.get(),
        |e| async move {
            match e {
                Some(Some(id)) => load_campaign(id).await.map(Some),
                Some(None) => Ok(Some(CampaignEdit::default())),
                None => Ok(None),
            }
        },
    );
    view! {
        <h1>{i18n.t(K::CampaignsTitle)}</h1>
        <div class="actions">
            <button type="button" class="button primary" data-testid="new-campaign" on:click=move |_| editing.set(Some(None))>
                {i18n.t(K::NewCampaign)}
            </button>
        </div>
        {move || publish.value().get().map(|r| match r {
            Ok(()) => view! { <p class="ok" data-testid="published">{i18n.t(C::Saved)}</p> }.into_any(),
            Err(error) => view! { <ErrorNote error /> }.into_any(),
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(Some(initial)) => view! { <section class="card"><CampaignEditor initial saved /></section> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(list.await, move |rows| view! {
                    <ul class="plain" data-testid="campaign-list">
                        {rows.into_iter().map(|c| {
                            let id = c.id;
                            let draft = c.phase == Phase::Draft;
                            view! {
                                <li class="card" data-testid="campaign-row">
                                    <b>{c.name}</b>" "
                                    <span class=format!("status phase-{}", c.phase)>{i18n.t(phase_label(c.phase))}</span>
                                    <p class="muted">"/c/"{c.slug}" · "{c.starts_on}" – "{c.ends_on}</p>
                                    <div class="actions">
                                        <button type="button" class="button" on:click=move |_| editing.set(Some(Some(id)))>{i18n.t(C::EditCampaign)}</button>
                                        {draft.then(|| view! {
                                            <button type="button" class="button primary" data-testid="publish"
                                                on:click=move |_| { publish.dispatch(PublishCampaign { id }); }>{i18n.t(K::Publish)}</button>
                                        })}
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            })}
        </Transition>
        <WordLists />
    }
}

//! The prospect's pages: a campaign's landing page with the referral form (works without
//! JavaScript: the form posts to `/c/{slug}/lead`, see `routes`), and the thank-you page.
use super::model::{Field, LandingData};
use crate::features::campaigns::Phase;
use crate::features::leads::i18n::K;
use crate::plumbing::errors::{AppError, FieldError, FormField};
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{ErrorNote, Json, NotFound};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The public landing page of a campaign: what the prospect sees after a personal link.
/// `ref_code` comes from the link's redirect; the attribution cookie covers a later visit.
#[server(endpoint = "load_landing")]
pub async fn load_landing(slug: String, ref_code: Option<String>) -> Result<LandingData, AppError> {
    use super::store::intake::{clear_draft_cookie, decode_draft, DRAFT_COOKIE};
    use crate::features::promotion::store::clicks::REF_COOKIE;
    use crate::plumbing::http::cookie;
    use crate::plumbing::serve::*;
    let cx = anyone().await?;
    let state = &cx.state;
    let campaign = crate::features::campaigns::store::campaigns::by_slug(&state.db.pool, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let phase = campaign.phase(&state.org);
    if phase == Phase::Draft {
        return Err(AppError::NotFound);
    }
    let code = ref_code.filter(|c| !c.is_empty()).or_else(|| cookie(&cx.parts.headers, REF_COOKIE));
    let link = match code.as_deref() {
        Some(c) => crate::features::promotion::link(state, c).await?.filter(|l| l.campaign_id == campaign.id),
        None => None,
    };
    // A refused submission comes back once, then the draft cookie is cleared.
    let draft = cookie(&cx.parts.headers, DRAFT_COOKIE).and_then(|v| decode_draft(&v));
    if draft.is_some() {
        set_cookie(&clear_draft_cookie(&slug));
    }
    let base = crate::plumbing::http::base_url(&cx.parts.headers);
    // Artwork is served from this site (`/media/…`): a chat app needs the whole address.
    let share_image = campaign.public.artwork_url.as_ref().map(|src| format!("{base}{src}"));
    Ok(LandingData {
        page_url: format!("{base}/c/{}", campaign.public.slug),
        share_image,
        campaign: campaign.public,
        phase,
        referrer_name: link.as_ref().map(|l| l.promoter_name.clone()),
        ref_code: link.map(|_| code.unwrap_or_default()),
        draft,
    })
}

#[component]
pub fn Landing() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    // Blocking, so the draft cookie can be cleared in this response's headers.
    let data = Resource::<_, Json>::new_with_options(
        move || (params.read().get("slug").unwrap_or_default(), query.read().get("ref")),
        |(slug, ref_code)| load_landing(slug, ref_code),
        true,
    );
    view! {
        <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) if d.phase != Phase::Running => view! { <NotRunning data=d /> }.into_any(),
                    Ok(d) => view! { <LandingView data=d /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A link to a campaign that has ended (or not started) is still a friendly page.
#[component]
fn NotRunning(data: LandingData) -> impl IntoView {
    let i18n = use_i18n();
    let (title, body) = match data.phase {
        Phase::Upcoming => (K::CampaignUpcomingTitle, K::CampaignUpcomingBody),
        _ => (K::CampaignEndedTitle, K::CampaignEndedBody),
    };
    view! {
        <section class="card center" data-testid="campaign-not-running">
            <h1>{i18n.t(title)}</h1>
            <p class="product">{data.campaign.name}</p>
            <p>{i18n.t(body)}</p>
        </section>
    }
}

#[component]
fn LandingView(data: LandingData) -> impl IntoView {
    let i18n = use_i18n();
    let c = data.campaign;
    let draft = data.draft.unwrap_or_default();
    let has_errors = !draft.errors.is_empty();
    let action = format!("/c/{}/lead", c.slug);
    let tags = c.demand_tags.clone();
    let chosen = draft.demand_tags.clone();
    let server_error = {
        let errors = draft.errors.clone();
        move |field: Field| errors.iter().find(|e| e.is(field)).cloned()
    };
    // The browser checks the phone on leaving the field, with the same rule as the server.
    let phone_error = RwSignal::new(server_error(Field::Phone));
    let check_phone = move |ev: leptos::ev::FocusEvent| {
        let value = event_target_value(&ev);
        phone_error.set(
            (!value.trim().is_empty())
                .then(|| crate::shared::phone::normalize(&value, true).err())
                .flatten()
                .map(|p| FieldError::new(Field::Phone, p)),
        );
    };
    let field_error = move |field: Field| {
        let e = server_error(field);
        view! {
            {e.map(|e| view! { <p class="field-error" data-testid=format!("error-{}", field.name())>{move || e.message(i18n.locale())}</p> })}
        }
    };
    view! {
        <ShareCard
            title=c.name.clone()
            description=if c.landing_copy.trim().is_empty() { c.product.clone() } else { c.landing_copy.clone() }
            url=data.page_url
            image=data.share_image
        />
        <section class="landing">
            {c.artwork_url.clone().map(|src| view! { <img class="artwork" src=src alt="" /> })}
            <h1>{c.name.clone()}</h1>
            <p class="product">{c.product}</p>
            <ul class="points">{c.selling_points.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            <p class="copy">{c.landing_copy}</p>
            {data.referrer_name.map(|n| view! {
                <p class="referrer" data-testid="referrer"><span class="muted">{i18n.t(K::LandingReferredBy)}": "</span>{n}</p>
            })}
        </section>
        <section class="card">
            <h2>{i18n.t(K::FormTitle)}</h2>
            {has_errors.then(|| view! { <p class="error" role="alert" data-testid="form-errors">{i18n.t(K::FormHasErrors)}</p> })}
            <form method="post" action=action class="form" novalidate data-testid="lead-form">
                <input type="hidden" name="ref" value=data.ref_code.unwrap_or_default() />
                <label>
                    <span>{i18n.t(C::NameLabel)}</span>
                    <input type="text" name="name" value=draft.name maxlength="50" autocomplete="name" required data-testid="lead-name" />
                </label>
                {field_error(Field::Name)}
                <label>
                    <span>{i18n.t(C::PhoneLabel)}</span>
                    <input type="tel" name="phone" value=draft.phone inputmode="tel" autocomplete="tel" maxlength="32" required
                        on:blur=check_phone data-testid="lead-phone" />
                </label>
                {move || phone_error.get().map(|e| view! { <p class="field-error" data-testid="error-phone">{move || e.message(i18n.locale())}</p> })}
                <fieldset class="tags">
                    <legend>{i18n.t(K::DemandTagsLabel)}</legend>
                    {tags.into_iter().map(|t| {
                        let checked = chosen.contains(&t);
                        view! { <label class="tag"><input type="checkbox" name="demand_tags" value=t.clone() checked=checked />{t}</label> }
                    }).collect_view()}
                </fieldset>
                {field_error(Field::DemandTags)}
                <label>
                    <span>{i18n.t(K::NoteLabel)}</span>
                    <textarea name="note" maxlength="500" rows="3" data-testid="lead-note">{draft.note}</textarea>
                </label>
                {field_error(Field::Note)}
                <label class="consent">
                    <input type="checkbox" name="consent" value="1" checked=draft.consent data-testid="lead-consent" />
                    <span>{i18n.t(K::ConsentLabel)}</span>
                </label>
                {field_error(Field::Consent)}
                <button type="submit" class="button primary block" data-testid="lead-submit">{i18n.t(K::Submit)}</button>
            </form>
        </section>
    }
}

/// What a chat shows for a pasted link, and what search engines show: the campaign's name,
/// its copy and its artwork (Open Graph, and the schema.org tags WeChat's card reads).
#[component]
fn ShareCard(title: String, description: String, url: String, image: Option<String>) -> impl IntoView {
    use leptos_meta::{Meta, Title};
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=url />
        <Meta itemprop="name" content=title />
        <Meta itemprop="description" content=description />
        {image.map(|src| view! {
            <Meta property="og:image" content=src.clone() />
            <Meta itemprop="image" content=src />
        })}
    }
}

#[component]
pub fn Thanks() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <leptos_meta::Meta name="description" content=i18n.t(K::ThanksBody) />
        <section class="card center" data-testid="thanks">
            <h1>{i18n.t(K::ThanksTitle)}</h1>
            <p>{i18n.t(K::ThanksBody)}</p>
        </section>
    }
}

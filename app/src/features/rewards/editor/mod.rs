//! The rule editor: every kind of rule as a form (no JSON on screen), checked as it is typed,
//! explained in a sentence, and previewed on example deals by the same engine that pays.
pub mod draft;
mod lists;
pub mod preview;
mod preview_view;

use self::draft::{error_for, event_label, metric_label, period_label, RuleDraft, EVENTS, METRICS, PERIODS};
use super::engine::{PromoterKind, Rule};
use super::i18n::K;
use super::model::{promoter_kind_label, Field, RuleKind};
use crate::features::campaigns::manage::{campaign_departments, list_campaigns};
use crate::plumbing::errors::FieldError;
use crate::plumbing::i18n::use_i18n;
use crate::plumbing::ui::resource;
use leptos::prelude::*;

/// The rule as typed, checked: the rule, or what is wrong with it.
pub type Checked = Memo<Result<Rule, Vec<FieldError>>>;

/// A text input bound to one field of the draft.
fn text(
    draft: RwSignal<RuleDraft>,
    name: &'static str,
    get: fn(&RuleDraft) -> String,
    set: fn(&mut RuleDraft, String),
) -> impl IntoView {
    view! {
        <input type="text" name=name data-testid=format!("rule-{name}")
            prop:value=move || draft.with(get)
            on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev))) />
    }
}

/// A labelled input with the error about its field, shown as it is typed.
fn field(label: K, field: Field, checked: Checked, input: impl IntoView) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || checked.with(|c| c.as_ref().err().and_then(|e| error_for(e, field, i18n.locale())));
    view! {
        <label>{i18n.t(label)}{input}
            {move || error().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
        </label>
    }
}

/// A select over a fixed list, bound to the draft by the choice's index.
fn choose<T: Copy + PartialEq + Send + Sync + 'static>(
    draft: RwSignal<RuleDraft>,
    name: &'static str,
    choices: &'static [T],
    label: fn(T) -> K,
    get: fn(&RuleDraft) -> T,
    set: fn(&mut RuleDraft, T),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select name=name data-testid=format!("rule-{name}")
            prop:value=move || draft.with(|d| choices.iter().position(|c| *c == get(d)).unwrap_or(0).to_string())
            on:change=move |ev| {
                if let Some(c) = event_target_value(&ev).parse::<usize>().ok().and_then(|i| choices.get(i)) {
                    draft.update(|d| set(d, *c));
                }
            }>
            {choices.iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{i18n.t(label(*c))}</option> }).collect_view()}
        </select>
    }
}

/// A select of an optional scope (a department, a campaign): empty for every one.
fn scope(
    draft: RwSignal<RuleDraft>,
    name: &'static str,
    every: K,
    choices: Vec<(i64, String)>,
    get: fn(&RuleDraft) -> Option<i64>,
    set: fn(&mut RuleDraft, Option<i64>),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select name=name data-testid=format!("rule-{name}")
            prop:value=move || draft.with(|d| get(d).map(|id| id.to_string()).unwrap_or_default())
            on:change=move |ev| { let id = event_target_value(&ev).parse::<i64>().ok(); draft.update(|d| set(d, id)); }>
            <option value="">{i18n.t(every)}</option>
            {choices.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
        </select>
    }
}

#[component]
pub fn RuleEditor(draft: RwSignal<RuleDraft>, checked: Checked) -> impl IntoView {
    let i18n = use_i18n();
    let kind = Memo::new(move |_| draft.with(|d| d.kind));
    let departments = resource(|| (), |_| campaign_departments());
    let campaigns = resource(|| (), |_| list_campaigns());
    let sentence = move || checked.with(|c| c.as_ref().ok().map(|r| r.describe(i18n.locale())));
    let pays_on_orders = move || {
        matches!(
            kind.get(),
            RuleKind::PercentOfDeal | RuleKind::PercentBand | RuleKind::MarginalTiers | RuleKind::Split
        )
    };
    view! {
        <section class="card" data-testid="rule-editor">
            <h2>{i18n.t(K::EditorTitle)}" #"{move || draft.with(|d| d.id)}</h2>
            <p class="muted">{i18n.t(K::EditorHint)}</p>
            <div class="form rule-form">
                {field(K::RuleName, Field::Name, checked, text(draft, "name", |d| d.name.clone(), |d, v| d.name = v))}
                <label>{i18n.t(K::KindLabel)}
                    {choose(draft, "kind", RuleKind::ALL, RuleKind::label, |d| d.kind, RuleDraft::set_kind)}
                </label>
                <label>{i18n.t(K::PromoterKindLabel)}
                    {choose(draft, "promoter_kind", PromoterKind::ALL, promoter_kind_label, |d| d.promoter_kind, |d, k| d.promoter_kind = k)}
                </label>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let depts = departments.await.unwrap_or_default().into_iter().map(|c| (c.id, c.name)).collect();
                        let camps = campaigns.await.unwrap_or_default().into_iter().map(|c| (c.id, c.name)).collect();
                        view! {
                            <label>{i18n.t(K::ScopeDepartment)}
                                {scope(draft, "department", K::EveryDepartment, depts, |d| d.department_id, |d, v| d.department_id = v)}
                            </label>
                            <label>{i18n.t(K::ScopeCampaign)}
                                {scope(draft, "campaign", K::EveryCampaign, camps, |d| d.campaign_id, |d, v| d.campaign_id = v)}
                            </label>
                        }
                    })}
                </Transition>
                {field(K::StartsOnNew, Field::StartsOn, checked, view! {
                    <input type="date" name="starts_on" data-testid="rule-starts-on"
                        prop:value=move || draft.with(|d| d.starts_on.clone())
                        on:input=move |ev| draft.update(|d| d.starts_on = event_target_value(&ev)) />
                })}
                {move || pays_on_orders().then(|| field(K::MonthsLabel, Field::Months, checked, text(draft, "months", |d| d.months.clone(), |d, v| d.months = v)))}
                {move || kind_fields(kind.get(), draft, checked)}
                {move || pays_on_orders().then(|| view! {
                    {field(K::UplineLabel, Field::Upline, checked, text(draft, "upline", |d| d.upline.clone(), |d, v| d.upline = v))}
                    <p class="muted" data-testid="upline-hint">{i18n.t(K::UplineHint)}</p>
                })}
                <p class="explained" data-testid="rule-explained">
                    <strong>{i18n.t(K::ExplainLabel)}": "</strong>
                    {move || sentence().unwrap_or_else(|| K::ProblemFixErrors.text(i18n.locale()).to_string())}
                </p>
            </div>
            <preview_view::Preview checked kind />
        </section>
    }
}

/// The figures of one kind of rule.
fn kind_fields(kind: RuleKind, draft: RwSignal<RuleDraft>, checked: Checked) -> AnyView {
    let i18n = use_i18n();
    let rate =
        move || field(K::RateLabel, Field::Rate, checked, text(draft, "rate", |d| d.rate.clone(), |d, v| d.rate = v));
    let amount = move || {
        field(K::AmountLabel, Field::Amount, checked, text(draft, "amount", |d| d.amount.clone(), |d, v| d.amount = v))
    };
    match kind {
        RuleKind::PercentOfDeal => rate().into_any(),
        RuleKind::PercentBand => view! {
            {lists::rows(draft, checked, lists::Of::Bands)}
            {field(K::LaterRateLabel, Field::LaterRate, checked, text(draft, "later_rate", |d| d.later_rate.clone(), |d, v| d.later_rate = v))}
        }
        .into_any(),
        RuleKind::MarginalTiers => view! {
            <label>{i18n.t(K::PerLabel)}{choose(draft, "per", &PERIODS, period_label, |d| d.per, |d, p| d.per = p)}</label>
            {lists::rows(draft, checked, lists::Of::Tiers)}
        }
        .into_any(),
        RuleKind::FlatPerEvent => view! {
            {field(K::EventLabel, Field::Event, checked, choose(draft, "event", &EVENTS, event_label, |d| d.event, |d, e| d.event = e))}
            {amount()}
        }
        .into_any(),
        RuleKind::ActivityTarget => view! {
            {field(K::MetricLabel, Field::Metric, checked, choose(draft, "metric", &METRICS, metric_label, |d| d.metric, |d, m| d.metric = m))}
            {field(K::ThresholdLabel, Field::Threshold, checked, text(draft, "threshold", |d| d.threshold.clone(), |d, v| d.threshold = v))}
            {amount()}
        }
        .into_any(),
        RuleKind::Split => view! {
            {rate()}
            {lists::rows(draft, checked, lists::Of::FirstOrderShares)}
            {lists::rows(draft, checked, lists::Of::RepeatShares)}
        }
        .into_any(),
        RuleKind::CouponLadder => view! {
            {lists::rows(draft, checked, lists::Of::Steps)}
            {lists::later_step(draft, checked)}
        }
        .into_any(),
        RuleKind::NewCustomerBenefit => view! {
            {field(K::BenefitRateLabel, Field::Rate, checked, text(draft, "rate", |d| d.rate.clone(), |d, v| d.rate = v))}
            {field(K::BenefitAmountLabel, Field::Amount, checked, text(draft, "amount", |d| d.amount.clone(), |d, v| d.amount = v))}
        }
        .into_any(),
    }
}

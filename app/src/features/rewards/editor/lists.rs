//! The editor's lists: bands, tiers, coupon steps and a pool's shares, a row each, added and
//! removed in place.
use super::draft::{error_for, role_label, DraftRow, RuleDraft, SPLIT_ROLES};
use super::Checked;
use crate::features::rewards::i18n::K;
use crate::features::rewards::model::Field;
use crate::plumbing::i18n::use_i18n;
use leptos::prelude::*;

/// Which list of the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    Bands,
    Tiers,
    Steps,
    FirstOrderShares,
    RepeatShares,
}

impl Of {
    fn field(self) -> (Field, K) {
        match self {
            Of::Bands => (Field::Bands, K::BandsLabel),
            Of::Tiers => (Field::Tiers, K::TiersLabel),
            Of::Steps => (Field::Steps, K::StepsLabel),
            Of::FirstOrderShares => (Field::FirstOrderShares, K::FirstOrderSharesLabel),
            Of::RepeatShares => (Field::RepeatShares, K::RepeatSharesLabel),
        }
    }

    fn list(self, d: &RuleDraft) -> &Vec<DraftRow> {
        if self == Of::RepeatShares {
            &d.repeat
        } else {
            &d.rows
        }
    }

    fn list_mut(self, d: &mut RuleDraft) -> &mut Vec<DraftRow> {
        if self == Of::RepeatShares {
            &mut d.repeat
        } else {
            &mut d.rows
        }
    }

    /// The testid prefix of its inputs.
    fn id(self) -> &'static str {
        match self {
            Of::Bands => "band",
            Of::Tiers => "tier",
            Of::Steps => "step",
            Of::FirstOrderShares => "first-share",
            Of::RepeatShares => "repeat-share",
        }
    }
}

/// A cell of row `i`: a text input with its own small label.
fn cell(draft: RwSignal<RuleDraft>, of: Of, i: usize, label: K, b: bool) -> impl IntoView {
    let i18n = use_i18n();
    let get =
        move |d: &RuleDraft| of.list(d).get(i).map(|r| if b { r.b.clone() } else { r.a.clone() }).unwrap_or_default();
    view! {
        <label class="cell">{i18n.t(label)}
            <input type="text" inputmode="decimal" data-testid=format!("{}-{}-{i}", of.id(), if b { "b" } else { "a" })
                prop:value=move || draft.with(get)
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    draft.update(|d| if let Some(r) = of.list_mut(d).get_mut(i) { if b { r.b = v } else { r.a = v } });
                } />
        </label>
    }
}

fn row(draft: RwSignal<RuleDraft>, of: Of, i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let first = match of {
        Of::Bands => cell(draft, of, i, K::BandFrom, false).into_any(),
        Of::Tiers => cell(draft, of, i, K::TierUpTo, false).into_any(),
        Of::Steps => cell(draft, of, i, K::AmountLabel, false).into_any(),
        Of::FirstOrderShares | Of::RepeatShares => view! {
            <label class="cell">{i18n.t(K::RoleLabel)}
                <select data-testid=format!("{}-role-{i}", of.id())
                    prop:value=move || draft.with(|d| of.list(d).get(i).and_then(|r| SPLIT_ROLES.iter().position(|x| *x == r.role)).unwrap_or(0).to_string())
                    on:change=move |ev| {
                        if let Some(role) = event_target_value(&ev).parse::<usize>().ok().and_then(|n| SPLIT_ROLES.get(n)) {
                            draft.update(|d| if let Some(r) = of.list_mut(d).get_mut(i) { r.role = *role });
                        }
                    }>
                    {SPLIT_ROLES.iter().enumerate().map(|(n, r)| view! { <option value=n.to_string()>{i18n.t(role_label(*r))}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
    };
    let second = match of {
        Of::Steps => perk(
            draft,
            move |d| of.list(d).get(i).is_some_and(|r| r.perk),
            move |d, on| {
                if let Some(r) = of.list_mut(d).get_mut(i) {
                    r.perk = on
                }
            },
        )
        .into_any(),
        Of::FirstOrderShares | Of::RepeatShares => cell(draft, of, i, K::ShareLabel, true).into_any(),
        Of::Bands | Of::Tiers => cell(draft, of, i, K::RateLabel, true).into_any(),
    };
    view! {
        <div class="rule-row" data-testid=format!("{}-row", of.id())>
            {first}{second}
            <button type="button" class="link-button" on:click=move |_| draft.update(|d| { of.list_mut(d).remove(i); })>
                {i18n.t(K::RemoveRow)}
            </button>
        </div>
    }
}

fn perk(
    draft: RwSignal<RuleDraft>,
    get: impl Fn(&RuleDraft) -> bool + Copy + Send + Sync + 'static,
    set: impl Fn(&mut RuleDraft, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="cell tag">
            <input type="checkbox" prop:checked=move || draft.with(get) on:change=move |ev| draft.update(|d| set(d, event_target_checked(&ev))) />
            {i18n.t(K::PerkLabel)}
        </label>
    }
}

/// A list with its rows, the error about it, and a button adding a row.
pub fn rows(draft: RwSignal<RuleDraft>, checked: Checked, of: Of) -> impl IntoView {
    let i18n = use_i18n();
    let (name, label) = of.field();
    // Rows are drawn again only when one is added or removed, so typing keeps its focus.
    let n = Memo::new(move |_| draft.with(|d| of.list(d).len()));
    view! {
        <fieldset class="rule-rows" data-testid=format!("{}-rows", of.id())>
            <legend>{i18n.t(label)}</legend>
            {move || (0..n.get()).map(|i| row(draft, of, i)).collect_view()}
            <button type="button" class="button" data-testid=format!("{}-add", of.id())
                on:click=move |_| draft.update(|d| {
                    let last = of.list(d).last().cloned();
                    of.list_mut(d).push(last.map_or_else(|| DraftRow { a: String::new(), b: String::new(), perk: false, role: SPLIT_ROLES[0] }, |r| DraftRow { a: String::new(), ..r }));
                })>
                {i18n.t(K::AddRow)}
            </button>
            {error(checked, name)}
        </fieldset>
    }
}

/// The error about a list, shown as it is typed.
fn error(checked: Checked, field: Field) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        checked
            .with(|c| c.as_ref().err().and_then(|e| error_for(e, field, i18n.locale())))
            .map(|m| view! { <span class="field-error" role="alert" data-testid="rows-error">{m}</span> })
    }
}

/// The coupon for every referral after the last step.
pub fn later_step(draft: RwSignal<RuleDraft>, checked: Checked) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="rule-rows">
            <legend>{i18n.t(K::LaterStepLabel)}</legend>
            <div class="rule-row">
            <label class="cell">{i18n.t(K::AmountLabel)}
                <input type="text" inputmode="decimal" data-testid="later-step-a"
                    prop:value=move || draft.with(|d| d.later.a.clone())
                    on:input=move |ev| draft.update(|d| d.later.a = event_target_value(&ev)) />
            </label>
            {perk(draft, |d| d.later.perk, |d, on| d.later.perk = on)}
            </div>
            {error(checked, Field::LaterStep)}
        </fieldset>
    }
}

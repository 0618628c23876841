//! The preview's form: a few example deals to change, and what the rule pays on them.
use super::preview::{benefits, preview, Example};
use super::Checked;
use crate::features::rewards::i18n::K;
use crate::features::rewards::model::RuleKind;
use crate::plumbing::i18n::{fill, use_i18n};
use crate::shared::money::{format_yuan, parse_yuan};
use leptos::prelude::*;

#[component]
pub fn Preview(checked: Checked, kind: Memo<RuleKind>) -> impl IntoView {
    let i18n = use_i18n();
    let examples = RwSignal::new(vec![
        ("王女士".to_string(), "12000".to_string()),
        ("王女士".to_string(), "3000".to_string()),
        ("李先生".to_string(), "150000".to_string()),
    ]);
    let reached = RwSignal::new("10".to_string());
    let typed = move || {
        examples.with(|e| {
            e.iter()
                .filter_map(|(c, a)| parse_yuan(a).ok().map(|amount_fen| Example { customer: c.clone(), amount_fen }))
                .collect::<Vec<_>>()
        })
    };
    let lines = move || {
        let reached = reached.with(|r| r.trim().parse::<i64>().unwrap_or(0));
        checked.with(|c| c.as_ref().ok().map(|rule| preview(rule, &typed(), reached)))
    };
    let offs = move || checked.with(|c| c.as_ref().ok().map(|rule| benefits(rule, &typed())).unwrap_or_default());
    let cell = move |i: usize, amount: bool| {
        let get = move || {
            examples.with(|e| e.get(i).map(|(c, a)| if amount { a.clone() } else { c.clone() }).unwrap_or_default())
        };
        view! {
            <input type="text" inputmode=if amount { "decimal" } else { "text" }
                data-testid=format!("example-{}-{i}", if amount { "amount" } else { "customer" })
                prop:value=get
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    examples.update(|e| if let Some(x) = e.get_mut(i) { if amount { x.1 = v } else { x.0 = v } });
                } />
        }
    };
    view! {
        <div class="preview" data-testid="rule-preview">
            <h3>{i18n.t(K::PreviewTitle)}</h3>
            <p class="muted">{i18n.t(K::PreviewHint)}</p>
            <div class="form">
                {(0..3).map(|i| view! {
                    <div class="rule-row">
                        <label class="cell">{i18n.t(K::PreviewCustomer)}{cell(i, false)}</label>
                        <label class="cell">{i18n.t(K::PreviewAmount)}{cell(i, true)}</label>
                    </div>
                }).collect_view()}
                {move || (kind.get() == RuleKind::ActivityTarget).then(|| view! {
                    <label>{i18n.t(K::PreviewReached)}
                        <input type="text" inputmode="numeric" data-testid="example-reached" prop:value=move || reached.get()
                            on:input=move |ev| reached.set(event_target_value(&ev)) />
                    </label>
                })}
            </div>
            {move || {
                let offs = offs();
                (!offs.is_empty()).then(|| view! {
                    <ul class="list">{offs.into_iter().map(|(order, off)| {
                        let text = fill(K::PreviewBenefit.text(i18n.locale()), &[("order", &format_yuan(order)), ("off", &format_yuan(off))]);
                        view! { <li data-testid="preview-benefit">{text}</li> }
                    }).collect_view()}</ul>
                })
            }}
            {move || match lines() {
                None => view! { <p class="muted">{i18n.t(K::ProblemFixErrors)}</p> }.into_any(),
                Some(lines) if lines.is_empty() && kind.get() == RuleKind::NewCustomerBenefit => ().into_any(),
                Some(lines) if lines.is_empty() => view! { <p class="muted" data-testid="preview-total">{i18n.t(K::PreviewNothing)}</p> }.into_any(),
                Some(lines) => {
                    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
                    view! {
                        <ul class="list">
                            {lines.into_iter().map(|l| view! {
                                <li data-testid="preview-line">{l.explain(i18n.locale())}" → "<strong>{format_yuan(l.amount_fen)}</strong></li>
                            }).collect_view()}
                        </ul>
                        <p>{i18n.t(K::PreviewTotal)}": "<strong data-testid="preview-total">{format_yuan(total)}</strong></p>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

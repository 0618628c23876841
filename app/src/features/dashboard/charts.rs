//! The dashboard's charts: the KPI tiles, the funnel and the daily trend, drawn as SVG.
use super::model::{Figures, TrendDay};
use super::rules::{format_bp, format_centi, ratio_bp};
use crate::features::dashboard::i18n::K;
use crate::plumbing::i18n::{use_i18n, Words, C};
use crate::shared::money::format_yuan;
use leptos::prelude::*;

#[component]
pub fn Kpis(f: Figures) -> impl IntoView {
    let i18n = use_i18n();
    let tile = move |label: Words, value: String, id: &'static str| {
        view! { <div class="kpi"><dt>{i18n.t(label)}</dt><dd data-testid=id>{value}</dd></div> }
    };
    view! {
        <dl class="kpis" data-testid="kpis">
            {tile(K::Clicks.into(), f.clicks.to_string(), "kpi-clicks")}
            {tile(K::Visitors.into(), f.unique_visitors.to_string(), "kpi-visitors")}
            {tile(K::Shares.into(), f.shares.to_string(), "kpi-shares")}
            {tile(K::StatLeads.into(), f.leads.to_string(), "kpi-leads")}
            {tile(C::StatusValid.into(), f.leads_valid.to_string(), "kpi-valid")}
            {tile(C::StatusDuplicate.into(), f.leads_duplicate.to_string(), "kpi-duplicate")}
            {tile(C::StatusInvalid.into(), f.leads_invalid.to_string(), "kpi-invalid")}
            {tile(C::StatusHeld.into(), f.leads_held.to_string(), "kpi-held")}
            {tile(C::StatusPending.into(), f.leads_pending.to_string(), "kpi-pending")}
            {tile(K::ResponseRate.into(), format_bp(f.response_rate_bp), "kpi-response")}
            {tile(K::StatDeals.into(), f.deals.to_string(), "kpi-deals")}
            {tile(K::DealAmount.into(), format_yuan(f.deal_amount_fen), "kpi-amount")}
            {tile(K::ClickToLead.into(), format_bp(f.click_to_lead_bp), "kpi-click-lead")}
            {tile(K::LeadToDeal.into(), format_bp(f.lead_to_deal_bp), "kpi-lead-deal")}
            {tile(K::RewardCost.into(), format_yuan(f.reward_cost_fen), "kpi-cost")}
            {tile(K::Roi.into(), format_centi(f.roi_centi), "kpi-roi")}
            {tile(K::CostRatio.into(), format_bp(f.cost_ratio_bp), "kpi-cost-ratio")}
            {tile(K::OutputPerPromoter.into(), f.output_per_promoter_fen.map(format_yuan).unwrap_or_else(|| "—".into()), "kpi-output")}
        </dl>
    }
}

/// Clicks → unique visitors → leads → valid leads → deals, as bars with each step's rate.
#[component]
pub fn FunnelChart(f: Figures) -> impl IntoView {
    let i18n = use_i18n();
    let steps = [
        (Words::from(K::Clicks), f.clicks),
        (Words::from(K::Visitors), f.unique_visitors),
        (Words::from(K::StatLeads), f.leads),
        (Words::from(C::StatusValid), f.leads_valid),
        (Words::from(K::StatDeals), f.deals),
    ];
    let max = steps.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    let row_h = 36;
    view! {
        <svg class="funnel" viewBox=format!("0 0 320 {}", row_h * 5) role="img" aria-label=i18n.t(K::Funnel) data-testid="funnel">
            {steps.into_iter().enumerate().map(|(i, (label, n))| {
                let w = n as f64 / max as f64 * 300.0;
                let y = i as i64 * row_h;
                let prev = if i == 0 { None } else { Some(steps[i - 1].1) };
                let rate = prev.map(|p| format!(" ({})", format_bp(ratio_bp(n, p)))).unwrap_or_default();
                view! {
                    <g>
                        <rect x=format!("{:.1}", (320.0 - w) / 2.0) y=y + 2 width=format!("{w:.1}") height=row_h - 6 rx="4" class=format!("step step-{i}") />
                        <text x="160" y=y + row_h / 2 + 4 text-anchor="middle">{i18n.t(label)}" "{n}{rate}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// Clicks, leads and deals per day as three lines over a shared scale.
#[component]
pub fn TrendChart(days: Vec<TrendDay>) -> impl IntoView {
    let i18n = use_i18n();
    let (w, h, pad) = (600.0, 180.0, 24.0);
    let n = days.len().max(2) as f64 - 1.0;
    let max = days.iter().map(|d| d.clicks.max(d.leads).max(d.deals)).max().unwrap_or(0).max(1) as f64;
    let points = |get: fn(&TrendDay) -> i64| {
        days.iter()
            .enumerate()
            .map(|(i, d)| {
                format!(
                    "{:.1},{:.1}",
                    pad + i as f64 / n * (w - 2.0 * pad),
                    h - pad - get(d) as f64 / max * (h - 2.0 * pad)
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let first = days.first().map(|d| d.day.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.day.clone()).unwrap_or_default();
    view! {
        <svg class="trend" viewBox=format!("0 0 {w} {h}") role="img" aria-label=i18n.t(K::Trend) data-testid="trend">
            <line x1=pad y1=h - pad x2=w - pad y2=h - pad class="axis" />
            <text x=pad y=h - 6.0 class="tick">{first}</text>
            <text x=w - pad y=h - 6.0 text-anchor="end" class="tick">{last}</text>
            <text x=pad y=pad - 8.0 class="tick">{format!("{max:.0}")}</text>
            <polyline points=points(|d| d.clicks) class="series clicks" />
            <polyline points=points(|d| d.leads) class="series leads" />
            <polyline points=points(|d| d.deals) class="series deals" />
        </svg>
        <p class="legend">
            <span class="key clicks"></span>{i18n.t(K::Clicks)}" "
            <span class="key leads"></span>{i18n.t(K::StatLeads)}" "
            <span class="key deals"></span>{i18n.t(K::StatDeals)}
        </p>
    }
}

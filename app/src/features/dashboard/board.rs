//! Marketing's live dashboard (数据看板), the hero board (英雄榜) and department targets.
//! The figures are reloaded from the server when the live stream (`GET /live`) reports an
//! event, at most a few times a second, so they never drift from the database.
use super::charts::{FunnelChart, Kpis, TrendChart};
use super::live::live_figures;
use super::model::{kind_label, Cut, Dashboard, DashboardQuery, Dimension, Range};
use super::rules::{format_bp, format_centi};
use super::targets::{SaveTarget, TargetForm, Targets};
use crate::features::dashboard::i18n::K;
use crate::features::promotion::Channel;
use crate::features::rewards::engine::PromoterKind;
use crate::plumbing::errors::AppError;
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result};
use crate::shared::closed_set::Sent;
use crate::shared::money::format_yuan;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard(query: DashboardQuery) -> Result<Dashboard, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Marketing).await?;
    let state = &cx.state;
    let slice = super::store::figures::Slice::parse(&query, &state.org)?;
    Ok((*super::dashboard(state, &slice).await?).clone())
}

/// A closed-set filter of the URL as sent: absent or empty is none.
fn sent<T: std::str::FromStr>(value: Option<String>) -> Option<Sent<T>> {
    let v = value.filter(|v| !v.is_empty())?;
    Some(match v.parse() {
        Ok(t) => Sent::Known(t),
        Err(_) => Sent::Unknown(v),
    })
}

/// The spelling of a filter for a link.
fn spelled<T: std::fmt::Display>(value: &Option<Sent<T>>) -> String {
    match value {
        Some(Sent::Known(t)) => t.to_string(),
        Some(Sent::Unknown(s)) => s.clone(),
        None => String::new(),
    }
}

fn query_from_url() -> DashboardQuery {
    let q = use_query_map();
    q.with(|q| DashboardQuery {
        range: sent(q.get("range")).or(Some(Range::Month.into())),
        from: q.get("from").unwrap_or_default(),
        to: q.get("to").unwrap_or_default(),
        campaign_id: q.get("campaign_id").and_then(|v| v.parse().ok()),
        channel: sent(q.get("channel")),
        department_id: q.get("department_id").and_then(|v| v.parse().ok()),
        promoter_kind: sent(q.get("promoter_kind")),
    })
}

/// The slice's filters as a link's query string.
fn filters(q: &DashboardQuery) -> String {
    let mut s = format!(
        "range={}&from={}&to={}&channel={}&promoter_kind={}",
        spelled(&q.range),
        q.from,
        q.to,
        spelled(&q.channel),
        spelled(&q.promoter_kind)
    );
    if let Some(c) = q.campaign_id {
        s += &format!("&campaign_id={c}");
    }
    if let Some(d) = q.department_id {
        s += &format!("&department_id={d}");
    }
    s
}

fn export_href(q: &DashboardQuery, table: Dimension) -> String {
    format!("/dashboard/export.csv?table={table}&{}", filters(q))
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u64);
    // The figures the live stream pushed last, shown at once instead of loaded.
    let pushed = RwSignal::new(None::<(String, Dashboard)>);
    let save = ServerAction::<SaveTarget>::new();
    let data = resource(
        move || (query_from_url(), tick.get(), save.version().get()),
        move |(q, _, _)| async move {
            match pushed.try_update_untracked(Option::take).flatten() {
                Some((url, d)) if url == format!("/live/figures?{}", filters(&q)) => Ok(d),
                _ => load_dashboard(q).await,
            }
        },
    );
    let connected = live_figures(
        move || format!("/live/figures?{}", filters(&query_from_url())),
        move |url: &str, d| {
            // The stream starts with the figures the page was served with: drawing them again
            // would only block a phone's main thread.
            if data.with_untracked(|shown| matches!(shown, Some(Ok(shown)) if *shown == d)) {
                return;
            }
            pushed.set(Some((url.to_string(), d)));
            tick.update(|t| *t += 1);
        },
    );
    let q = query_from_url;
    view! {
        <h1>{i18n.t(K::DashboardTitle)}" "
            <span class="live" class:on=move || connected.get() data-testid="live-status">
                {move || if connected.get() { K::LiveOn.text(i18n.locale()) } else { K::LiveOff.text(i18n.locale()) }}
            </span>
        </h1>
        <Transition fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
            {move || Suspend::new(async move {
                show_result(data.await, move |d: Dashboard| {
                    let query = q();
                    view! {
                        <Filters d=d.clone() query=query.clone() />
                        <Kpis f=d.totals.clone() />
                        <section class="card">
                            <h2>{i18n.t(K::Funnel)}</h2>
                            <FunnelChart f=d.totals.clone() />
                        </section>
                        <section class="card">
                            <h2>{i18n.t(K::Trend)}" "<span class="muted">{d.from.clone()}" – "{d.to.clone()}</span></h2>
                            <TrendChart days=d.trend.clone() />
                        </section>
                        <Targets targets=d.targets.clone() />
                        <TargetForm save d=d.clone() />
                        {d.cuts.into_iter().map(|cut| view! { <CutTable cut query=query.clone() /> }).collect_view()}
                    }
                })
            })}
        </Transition>
    }
}

#[component]
fn Filters(d: Dashboard, query: DashboardQuery) -> impl IntoView {
    let i18n = use_i18n();
    let selected = |a: bool| a.then_some("selected");
    let range = query.range.clone().and_then(|r| r.known(|| ()).ok());
    let channel = query.channel.clone().and_then(|c| c.known(|| ()).ok());
    let kind = query.promoter_kind.clone().and_then(|k| k.known(|| ()).ok());
    view! {
        <form method="get" action="/dashboard" class="card form filters" data-testid="dashboard-filters">
            <label>{i18n.t(K::DashPeriod)}
                <select name="range" data-testid="filter-range">
                    {Range::ALL.iter().map(|&r| view! { <option value=r.as_str() selected=selected(range == Some(r))>{i18n.t(r.label())}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(K::FromLabel)}<input type="date" name="from" value=if query.from.is_empty() { d.from.clone() } else { query.from.clone() } /></label>
            <label>{i18n.t(K::ToLabel)}<input type="date" name="to" value=if query.to.is_empty() { d.to.clone() } else { query.to.clone() } /></label>
            <label>{i18n.t(C::ColCampaign)}
                <select name="campaign_id">
                    <option value="">{i18n.t(C::All)}</option>
                    {d.campaigns.into_iter().map(|c| view! { <option value=c.id.to_string() selected=selected(query.campaign_id == Some(c.id))>{c.name}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(K::ChannelLabel)}
                <select name="channel">
                    <option value="">{i18n.t(C::All)}</option>
                    {Channel::ALL.iter().map(|&c| view! { <option value=c.as_str() selected=selected(channel == Some(c))>{i18n.t(c.label())}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(C::DepartmentLabel)}
                <select name="department_id">
                    <option value="">{i18n.t(C::All)}</option>
                    {d.departments.into_iter().map(|c| view! { <option value=c.id.to_string() selected=selected(query.department_id == Some(c.id))>{c.name}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(K::PromoterKindLabel)}
                <select name="promoter_kind">
                    <option value="">{i18n.t(C::All)}</option>
                    {PromoterKind::ALL.iter().map(|&k| view! { <option value=k.as_str() selected=selected(kind == Some(k))>{i18n.t(kind_label(k))}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button primary" data-testid="filter-apply">{i18n.t(C::Apply)}</button>
        </form>
    }
}

#[component]
fn CutTable(cut: Cut, query: DashboardQuery) -> impl IntoView {
    let i18n = use_i18n();
    let title = cut.dimension.title();
    let dimension = cut.dimension;
    let by_channel = dimension == Dimension::Channel;
    view! {
        <section class="card" data-testid=format!("cut-{}", cut.dimension)>
            <h2>{i18n.t(title)}" "<a href=export_href(&query, cut.dimension) rel="external" download class="small" data-testid=format!("export-{}", cut.dimension)>{i18n.t(K::ExportCsv)}</a></h2>
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th></th><th>{i18n.t(K::Clicks)}</th><th>{i18n.t(K::Shares)}</th><th>{i18n.t(K::StatLeads)}</th><th>{i18n.t(C::StatusValid)}</th><th>{i18n.t(K::StatDeals)}</th><th>{i18n.t(K::DealAmount)}</th><th>{i18n.t(K::RewardCost)}</th><th>{i18n.t(K::Roi)}</th><th>{i18n.t(K::CostRatio)}</th>
                    </tr></thead>
                    <tbody>
                        {cut.rows.is_empty().then(|| view! { <tr><td colspan="9" class="muted">{i18n.t(K::NoData)}</td></tr> })}
                        {cut.rows.into_iter().map(|r| {
                            let locale = i18n.locale();
                            let label = match dimension {
                                Dimension::Channel => Channel::parse(&r.key).map(|c| c.label().text(locale).to_string()),
                                Dimension::PromoterKind => PromoterKind::parse(&r.key).map(|k| kind_label(k).text(locale).to_string()),
                                _ => None,
                            }
                            .unwrap_or_else(|| r.label.clone());
                            let f = r.figures;
                            view! {
                                <tr data-testid="cut-row">
                                    <th>{label}</th>
                                    <td class="num">{f.clicks}</td>
                                    <td class="num">{if by_channel { "—".to_string() } else { f.shares.to_string() }}</td>
                                    <td class="num">{f.leads}</td>
                                    <td class="num">{f.leads_valid}</td>
                                    <td class="num">{f.deals}</td>
                                    <td class="num">{format_yuan(f.deal_amount_fen)}</td>
                                    <td class="num">{format_yuan(f.reward_cost_fen)}</td>
                                    <td class="num">{format_centi(f.roi_centi)}</td>
                                    <td class="num">{format_bp(f.cost_ratio_bp)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

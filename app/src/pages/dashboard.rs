//! Marketing's live dashboard (数据看板), the hero board (英雄榜) and department targets.
//! The figures are reloaded from the server when the live stream (`GET /live`) reports an
//! event, at most a few times a second, so they never drift from the database.
use crate::domain::dashboard::{format_bp, format_centi};
use crate::domain::money::format_yuan;
use crate::error::AppError;
use crate::i18n::{use_i18n, K};
use crate::model::{Cut, Dashboard, DashboardQuery, Figures, HeroBoard, HeroRow, TargetProgress, TrendDay};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard(query: DashboardQuery) -> Result<Dashboard, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let state = ssr::state()?;
            let slice = ssr::dashboard::Slice::parse(&query, &state.org)?;
            ssr::dashboard::dashboard(&state.pool, &state.org, &slice).await
        }
        .await,
    )
}

#[server(endpoint = "load_hero_board")]
pub async fn load_hero_board() -> Result<HeroBoard, AppError> {
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            ssr::auth::require(&Role::STAFF).await?;
            let state = ssr::state()?;
            ssr::dashboard::hero_board(&state.pool, &state.org).await
        }
        .await,
    )
}

/// Sets a department's monthly target; 0 clears it.
#[server(endpoint = "save_target")]
pub async fn save_target(department_id: i64, month: String, metric: String, target: String) -> Result<(), AppError> {
    use crate::error::{Field, Problem};
    use crate::model::Role;
    use crate::ssr;
    ssr::respond(
        async {
            let user = ssr::auth::require(&[Role::Marketing, Role::Admin]).await?;
            let target: i64 = target
                .trim()
                .parse()
                .map_err(|_| AppError::invalid(Field::Target, Problem::OutOfRange { min: 0, max: 1_000_000 }))?;
            ssr::dashboard::set_target(&ssr::state()?, user.id, department_id, month.trim(), &metric, target).await
        }
        .await,
    )
}

/// Subscribes to the live stream in the browser; `on_event` runs (throttled) after events.
/// Returns whether the stream is connected.
pub fn live_updates(on_event: impl Fn() + Clone + 'static) -> ReadSignal<bool> {
    let (connected, set_connected) = signal(false);
    Effect::new(move |_| {
        use wasm_bindgen::prelude::*;
        let Ok(source) = web_sys::EventSource::new("/live") else { return };
        let pending = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_event = on_event.clone();
        let message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
            set_connected.set(true);
            if pending.replace(true) {
                return;
            }
            let pending = pending.clone();
            let on_event = on_event.clone();
            // Events in a burst become one reload.
            set_timeout(
                move || {
                    pending.set(false);
                    on_event();
                },
                std::time::Duration::from_millis(300),
            );
        });
        source.set_onmessage(Some(message.as_ref().unchecked_ref()));
        message.forget();
        let open = Closure::<dyn Fn()>::new(move || set_connected.set(true));
        source.set_onopen(Some(open.as_ref().unchecked_ref()));
        open.forget();
        let error = Closure::<dyn Fn()>::new(move || set_connected.set(false));
        source.set_onerror(Some(error.as_ref().unchecked_ref()));
        error.forget();
        let source = send_wrapper::SendWrapper::new(source);
        on_cleanup(move || source.close());
    });
    connected
}

fn query_from_url() -> DashboardQuery {
    let q = use_query_map();
    q.with(|q| DashboardQuery {
        range: q.get("range").unwrap_or_else(|| "month".into()),
        from: q.get("from").unwrap_or_default(),
        to: q.get("to").unwrap_or_default(),
        campaign_id: q.get("campaign_id").and_then(|v| v.parse().ok()),
        channel: q.get("channel").unwrap_or_default(),
        department_id: q.get("department_id").and_then(|v| v.parse().ok()),
        promoter_kind: q.get("promoter_kind").unwrap_or_default(),
    })
}

fn export_href(q: &DashboardQuery, table: &str) -> String {
    let mut s = format!(
        "/dashboard/export.csv?table={table}&range={}&from={}&to={}&channel={}&promoter_kind={}",
        q.range, q.from, q.to, q.channel, q.promoter_kind
    );
    if let Some(c) = q.campaign_id {
        s += &format!("&campaign_id={c}");
    }
    if let Some(d) = q.department_id {
        s += &format!("&department_id={d}");
    }
    s
}

pub fn channel_label(c: &str) -> K {
    match c {
        "moments" => K::ChannelMoments,
        "group" => K::ChannelGroup,
        "qr" => K::ChannelQr,
        "sms" => K::ChannelSms,
        "direct" => K::ChannelDirect,
        "poster" => K::ChannelPoster,
        _ => K::ChannelOther,
    }
}

pub fn kind_label(k: &str) -> K {
    match k {
        "partner" => K::KindPartner,
        "customer" => K::KindCustomer,
        _ => K::KindEmployee,
    }
}

fn metric_label(m: &str) -> K {
    match m {
        "shares_per_employee" => K::TargetSharesPerEmployee,
        "valid_leads" => K::TargetValidLeads,
        _ => K::TargetDeals,
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u64);
    let save = ServerAction::<SaveTarget>::new();
    let connected = live_updates(move || tick.update(|t| *t += 1));
    let data =
        super::resource(move || (query_from_url(), tick.get(), save.version().get()), |(q, _, _)| load_dashboard(q));
    let q = query_from_url;
    view! {
        <h1>{i18n.t(K::DashboardTitle)}" "
            <span class="live" class:on=move || connected.get() data-testid="live-status">
                {move || if connected.get() { K::LiveOn.text(i18n.locale()) } else { K::LiveOff.text(i18n.locale()) }}
            </span>
        </h1>
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(data.await, move |d: Dashboard| {
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
    view! {
        <form method="get" action="/dashboard" class="card form filters" data-testid="dashboard-filters">
            <label>{i18n.t(K::DashPeriod)}
                <select name="range" data-testid="filter-range">
                    <option value="today" selected=selected(query.range == "today")>{i18n.t(K::RangeToday)}</option>
                    <option value="month" selected=selected(query.range == "month")>{i18n.t(K::RangeMonth)}</option>
                    <option value="custom" selected=selected(query.range == "custom")>{i18n.t(K::RangeCustom)}</option>
                </select>
            </label>
            <label>{i18n.t(K::FromLabel)}<input type="date" name="from" value=if query.from.is_empty() { d.from.clone() } else { query.from.clone() } /></label>
            <label>{i18n.t(K::ToLabel)}<input type="date" name="to" value=if query.to.is_empty() { d.to.clone() } else { query.to.clone() } /></label>
            <label>{i18n.t(K::ColCampaign)}
                <select name="campaign_id">
                    <option value="">{i18n.t(K::All)}</option>
                    {d.campaigns.into_iter().map(|c| view! { <option value=c.id.to_string() selected=selected(query.campaign_id == Some(c.id))>{c.name}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(K::ChannelLabel)}
                <select name="channel">
                    <option value="">{i18n.t(K::All)}</option>
                    {["moments", "group", "qr", "sms", "other", "direct", "poster"].into_iter().map(|c| view! { <option value=c selected=selected(query.channel == c)>{i18n.t(channel_label(c))}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(K::DepartmentLabel)}
                <select name="department_id">
                    <option value="">{i18n.t(K::All)}</option>
                    {d.departments.into_iter().map(|c| view! { <option value=c.id.to_string() selected=selected(query.department_id == Some(c.id))>{c.name}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t(K::PromoterKindLabel)}
                <select name="promoter_kind">
                    <option value="">{i18n.t(K::All)}</option>
                    {["employee", "customer", "partner"].into_iter().map(|k| view! { <option value=k selected=selected(query.promoter_kind == k)>{i18n.t(kind_label(k))}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button primary" data-testid="filter-apply">{i18n.t(K::Apply)}</button>
        </form>
    }
}

#[component]
fn Kpis(f: Figures) -> impl IntoView {
    let i18n = use_i18n();
    let tile = move |label: K, value: String, id: &'static str| {
        view! { <div class="kpi"><dt>{i18n.t(label)}</dt><dd data-testid=id>{value}</dd></div> }
    };
    view! {
        <dl class="kpis" data-testid="kpis">
            {tile(K::Clicks, f.clicks.to_string(), "kpi-clicks")}
            {tile(K::Visitors, f.unique_visitors.to_string(), "kpi-visitors")}
            {tile(K::Shares, f.shares.to_string(), "kpi-shares")}
            {tile(K::StatLeads, f.leads.to_string(), "kpi-leads")}
            {tile(K::StatusValid, f.leads_valid.to_string(), "kpi-valid")}
            {tile(K::StatusDuplicate, f.leads_duplicate.to_string(), "kpi-duplicate")}
            {tile(K::StatusInvalid, f.leads_invalid.to_string(), "kpi-invalid")}
            {tile(K::StatusHeld, f.leads_held.to_string(), "kpi-held")}
            {tile(K::StatusPending, f.leads_pending.to_string(), "kpi-pending")}
            {tile(K::ResponseRate, format_bp(f.response_rate_bp), "kpi-response")}
            {tile(K::StatDeals, f.deals.to_string(), "kpi-deals")}
            {tile(K::DealAmount, format_yuan(f.deal_amount_fen), "kpi-amount")}
            {tile(K::ClickToLead, format_bp(f.click_to_lead_bp), "kpi-click-lead")}
            {tile(K::LeadToDeal, format_bp(f.lead_to_deal_bp), "kpi-lead-deal")}
            {tile(K::RewardCost, format_yuan(f.reward_cost_fen), "kpi-cost")}
            {tile(K::Roi, format_centi(f.roi_centi), "kpi-roi")}
            {tile(K::OutputPerPromoter, f.output_per_promoter_fen.map(format_yuan).unwrap_or_else(|| "—".into()), "kpi-output")}
        </dl>
    }
}

/// Clicks → unique visitors → leads → valid leads → deals, as bars with each step's rate.
#[component]
fn FunnelChart(f: Figures) -> impl IntoView {
    let i18n = use_i18n();
    let steps = [
        (K::Clicks, f.clicks),
        (K::Visitors, f.unique_visitors),
        (K::StatLeads, f.leads),
        (K::StatusValid, f.leads_valid),
        (K::StatDeals, f.deals),
    ];
    let max = steps.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    let row_h = 36;
    view! {
        <svg class="funnel" viewBox=format!("0 0 320 {}", row_h * 5) role="img" aria-label=i18n.t(K::Funnel) data-testid="funnel">
            {steps.into_iter().enumerate().map(|(i, (label, n))| {
                let w = n as f64 / max as f64 * 300.0;
                let y = i as i64 * row_h;
                let prev = if i == 0 { None } else { Some(steps[i - 1].1) };
                let rate = prev.map(|p| format!(" ({})", format_bp(crate::domain::dashboard::ratio_bp(n, p)))).unwrap_or_default();
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
fn TrendChart(days: Vec<TrendDay>) -> impl IntoView {
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

#[component]
pub fn Targets(targets: Vec<TargetProgress>) -> impl IntoView {
    let i18n = use_i18n();
    (!targets.is_empty()).then(|| {
        view! {
            <section class="card" data-testid="targets">
                <h2>{i18n.t(K::TargetsTitle)}</h2>
                {targets.into_iter().map(|t| {
                    let actual = if t.metric == "shares_per_employee" { format_centi(Some(t.actual_centi)) } else { (t.actual_centi / 100).to_string() };
                    view! {
                        <div class="target" data-testid="target">
                            <span>{t.department}" · "{i18n.t(metric_label(&t.metric))}" "{t.month}</span>
                            <span class="muted" data-testid="target-figures">{actual}" / "{t.target}</span>
                            <div class="bar" role="progressbar" aria-valuenow=t.percent aria-valuemin="0" aria-valuemax="100">
                                <div class="fill" style=format!("width: {}%", t.percent)></div>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </section>
        }
    })
}

#[component]
fn TargetForm(save: ServerAction<SaveTarget>, d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let month = d.from.get(..7).unwrap_or_default().to_string();
    view! {
        <details class="card">
            <summary>{i18n.t(K::SetTarget)}</summary>
            <ActionForm action=save attr:class="form inline-form">
                <select name="department_id" data-testid="target-department">
                    {d.departments.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                </select>
                <input type="text" name="month" value=month placeholder="2026-11" required data-testid="target-month" />
                <select name="metric" data-testid="target-metric">
                    {crate::domain::dashboard::TARGET_METRICS.into_iter().map(|m| view! { <option value=m>{i18n.t(metric_label(m))}</option> }).collect_view()}
                </select>
                <input type="number" name="target" min="0" required data-testid="target-value" />
                <button type="submit" class="button primary" data-testid="target-save">{i18n.t(K::Save)}</button>
            </ActionForm>
            {move || save.value().get().and_then(|r| r.err()).map(|error| view! { <super::ErrorNote error /> })}
        </details>
    }
}

#[component]
fn CutTable(cut: Cut, query: DashboardQuery) -> impl IntoView {
    let i18n = use_i18n();
    let title = match cut.dimension.as_str() {
        "campaign" => K::ByCampaign,
        "channel" => K::ByChannel,
        "department" => K::ByDepartment,
        _ => K::ByPromoterKind,
    };
    let dimension = cut.dimension.clone();
    let by_channel = dimension == "channel";
    view! {
        <section class="card" data-testid=format!("cut-{}", cut.dimension)>
            <h2>{i18n.t(title)}" "<a href=export_href(&query, &cut.dimension) rel="external" download class="small" data-testid=format!("export-{}", cut.dimension)>{i18n.t(K::ExportCsv)}</a></h2>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th></th><th>{i18n.t(K::Clicks)}</th><th>{i18n.t(K::Shares)}</th><th>{i18n.t(K::StatLeads)}</th><th>{i18n.t(K::StatusValid)}</th><th>{i18n.t(K::StatDeals)}</th><th>{i18n.t(K::DealAmount)}</th><th>{i18n.t(K::RewardCost)}</th><th>{i18n.t(K::Roi)}</th>
                    </tr></thead>
                    <tbody>
                        {cut.rows.is_empty().then(|| view! { <tr><td colspan="9" class="muted">{i18n.t(K::NoData)}</td></tr> })}
                        {cut.rows.into_iter().map(|r| {
                            let label = match dimension.as_str() {
                                "channel" => K::text(channel_label(&r.key), i18n.locale()).to_string(),
                                "promoter_kind" => K::text(kind_label(&r.key), i18n.locale()).to_string(),
                                _ => r.label.clone(),
                            };
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
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn HeroTable(title: K, period: String, rows: Vec<HeroRow>, id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" data-testid=id>
            <h2>{i18n.t(title)}" "<span class="muted">{period}</span></h2>
            {if rows.is_empty() {
                view! { <p class="muted">{i18n.t(K::HeroEmpty)}</p> }.into_any()
            } else {
                view! {
                    <ol class="heroes">
                        {rows.into_iter().map(|r| view! {
                            <li data-testid="hero">
                                <span class="rank">{r.rank}</span>
                                <span class="who"><b data-testid="hero-name">{r.name}</b><br /><span class="muted">{r.department}</span></span>
                                <span class="num"><b data-testid="hero-amount">{format_yuan(r.deal_amount_fen)}</b><br />
                                    <span class="muted">{i18n.t(K::StatDeals)}" "{r.deals}" · "{i18n.t(K::StatLeads)}" "{r.leads}</span></span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn HeroBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u64);
    let board = super::resource(move || tick.get(), |_| load_hero_board());
    view! {
        <h1>{i18n.t(K::HeroBoardTitle)}</h1>
        <Transition fallback=move || view! { <p>{i18n.t(K::Loading)}</p> }>
            {move || Suspend::new(async move {
                super::show_result(board.await, |b: HeroBoard| view! {
                    <HeroTable title=K::HeroMonthly period=b.month rows=b.monthly id="heroes-monthly" />
                    <HeroTable title=K::HeroQuarterly period=b.quarter rows=b.quarterly id="heroes-quarterly" />
                })
            })}
        </Transition>
    }
}

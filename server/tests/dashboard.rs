//! Dashboards (PRODUCT.md §6) through the real HTTP API: every figure from known facts, the
//! period boundaries in the org's time zone (Asia/Shanghai), the cuts, CSV export, the hero
//! board, department targets, the promoter's own numbers and the live stream.
mod common;
use app::features::dashboard::{Dashboard, Field, HeroBoard, MyNumbers};
use app::plumbing::errors::{AppError, FormField};
use app::plumbing::live::{LiveEvent, LiveKind};
use common::*;
use reqwest::{Client, StatusCode};

const PARTNER: &str = "partner@demo.allhands.cn";

/// 2025-10-01 00:00 in Shanghai (UTC+8), in milliseconds: far from the demo's own data.
const OCT_START: i64 = 1_759_248_000_000;
/// 2025-11-01 00:00 in Shanghai.
const NOV_START: i64 = 1_761_926_400_000;
const DAY: i64 = 86_400_000;

struct Facts {
    campaign: i64,
    employee: i64,
    partner: i64,
    employee_link: i64,
    partner_link: i64,
}

async fn id(s: &TestServer, sql: &str) -> i64 {
    s.count(sql).await
}

async fn exec(s: &TestServer, sql: &str) {
    sqlx::query(sql).execute(&s.state.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn facts(s: &TestServer) -> Facts {
    let campaign = id(s, "SELECT id FROM campaigns WHERE slug = 'winter-home'").await;
    let employee = id(s, &format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let partner = id(s, &format!("SELECT id FROM users WHERE email = '{PARTNER}'")).await;
    for (code, who) in [("EMPLINK1", employee), ("PARTLINK1", partner)] {
        exec(
            s,
            &format!("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) VALUES ('{code}', {campaign}, {who}, 0)"),
        )
        .await;
    }
    Facts {
        campaign,
        employee,
        partner,
        employee_link: id(s, "SELECT id FROM promo_links WHERE code = 'EMPLINK1'").await,
        partner_link: id(s, "SELECT id FROM promo_links WHERE code = 'PARTLINK1'").await,
    }
}

async fn click(s: &TestServer, link: i64, channel: &str, visitor: &str, ua: &str, at: i64, unique: bool) {
    s.store_clicks(&[(link, channel, visitor, ua, at, unique)]).await;
}

async fn share(s: &TestServer, link: i64, at: i64) {
    exec(s, &format!("INSERT INTO shares (link_id, kind, at) VALUES ({link}, 'poster', {at})")).await;
}

#[allow(clippy::too_many_arguments)]
async fn lead(
    s: &TestServer,
    f: &Facts,
    link: i64,
    promoter: i64,
    visitor: &str,
    status: &str,
    at: i64,
    contact: Option<(i64, Option<i64>)>,
) -> i64 {
    let (assigned, first) = match contact {
        Some((a, c)) => (a.to_string(), c.map_or("NULL".to_string(), |c| c.to_string())),
        None => ("NULL".into(), "NULL".into()),
    };
    exec(
        s,
        &format!(
            "INSERT INTO leads (campaign_id, link_id, promoter_id, name, phone, demand_tags, note, status, visitor, ip_hash, \
             submitted_at, assigned_at, first_contact_at) VALUES ({}, {link}, {promoter}, 'x', '+8613900000000', '[]', '', \
             '{status}', '{visitor}', 'ip', {at}, {assigned}, {first})",
            f.campaign
        ),
    )
    .await;
    id(s, "SELECT MAX(id) FROM leads").await
}

#[allow(clippy::too_many_arguments)]
async fn deal(
    s: &TestServer,
    f: &Facts,
    order: &str,
    promoter: i64,
    lead: Option<i64>,
    amount: i64,
    cost: i64,
    on: &str,
) -> i64 {
    exec(
        s,
        &format!(
            "INSERT INTO deals (order_no, lead_id, customer_phone, promoter_id, campaign_id, amount_fen, cost_fen, signed_on, source, created_at) \
             VALUES ('{order}', {}, '+8613{order}', {promoter}, {}, {amount}, {cost}, '{on}', 'manual', 0)",
            lead.map_or("NULL".to_string(), |l| l.to_string()),
            f.campaign
        ),
    )
    .await;
    id(s, "SELECT MAX(id) FROM deals").await
}

/// A reward line in the ledger vesting on `on` (reward cost is what the ledger holds).
async fn reward(s: &TestServer, promoter: i64, deal: Option<i64>, amount: i64, on: &str) {
    exec(
        s,
        &format!(
            "INSERT INTO reward_ledger (line_key, promoter_id, deal_id, amount_fen, vests_on, accrued_at) \
             VALUES ('k{amount}', {promoter}, {}, {amount}, '{on}', 0)",
            deal.map_or("NULL".to_string(), |d| d.to_string())
        ),
    )
    .await;
}

/// The field a validation error names.
fn field_of(body: &str) -> String {
    match serde_json::from_str::<AppError>(body) {
        Ok(AppError::Invalid(errors)) => errors[0].field.to_string(),
        other => panic!("not a validation error: {other:?} {body}"),
    }
}

async fn dashboard(s: &TestServer, c: &Client, args: &[(&str, &str)]) -> Dashboard {
    let mut form: Vec<(String, String)> = vec![
        ("query[range]".into(), "custom".into()),
        ("query[from]".into(), "2025-10-01".into()),
        ("query[to]".into(), "2025-10-31".into()),
    ];
    for (k, v) in args {
        form.retain(|(name, _)| name != &format!("query[{k}]"));
        form.push((format!("query[{k}]"), v.to_string()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    s.call_json(c, "load_dashboard", &refs).await
}

/// The October 2025 facts every figure below is checked against.
async fn seed_october(s: &TestServer) -> Facts {
    let f = facts(s).await;
    let (e, p) = (f.employee_link, f.partner_link);
    // Clicks: the first and last millisecond of October in Shanghai count, the millisecond on
    // either side does not; a bot never counts.
    click(s, e, "moments", "v1", "wechat", OCT_START, true).await;
    click(s, e, "moments", "v1", "wechat", OCT_START + 1000, false).await;
    click(s, e, "qr", "v2", "mobile", NOV_START - 100, true).await;
    click(s, p, "group", "v3", "mobile", OCT_START + 5 * DAY, true).await;
    click(s, e, "moments", "v9", "wechat", OCT_START - 1, true).await;
    click(s, e, "moments", "v9", "wechat", NOV_START, true).await;
    click(s, e, "other", "bot", "bot", OCT_START + DAY, false).await;
    // Shares: two in October (employee), one in September.
    share(s, e, OCT_START).await;
    share(s, e, NOV_START - 1).await;
    share(s, p, OCT_START - 1).await;
    // Leads: v1 came from moments, v2 from the QR code, v3 (partner) from a group chat.
    let hour = 3_600_000;
    let l1 = lead(
        s,
        &f,
        e,
        f.employee,
        "v1",
        "valid",
        OCT_START + 2000,
        Some((OCT_START + hour, Some(OCT_START + 2 * hour))),
    )
    .await;
    lead(s, &f, e, f.employee, "v2", "duplicate", NOV_START - 10, None).await;
    lead(s, &f, e, f.employee, "v2", "invalid", OCT_START + 3 * DAY, None).await;
    let l4 = lead(
        s,
        &f,
        p,
        f.partner,
        "v3",
        "valid",
        OCT_START + 6 * DAY,
        Some((OCT_START + 6 * DAY, Some(OCT_START + 8 * DAY))),
    )
    .await;
    lead(s, &f, p, f.partner, "v3", "pending", OCT_START + 7 * DAY, None).await;
    lead(s, &f, p, f.partner, "v3", "held", OCT_START + 7 * DAY, None).await;
    lead(s, &f, e, f.employee, "v9", "valid", NOV_START, None).await;
    // Deals: signed on the org-local dates; one in November.
    let d1 = deal(s, &f, "D1", f.employee, Some(l1), 1_000_000, 600_000, "2025-10-01").await;
    let d2 = deal(s, &f, "D2", f.partner, Some(l4), 500_000, 200_000, "2025-10-31").await;
    deal(s, &f, "D3", f.employee, None, 999_900, 0, "2025-11-01").await;
    // Rewards: 2% of D1 and D2 vest in October; one in November does not count.
    reward(s, f.employee, Some(d1), 20_000, "2025-10-02").await;
    reward(s, f.partner, Some(d2), 10_000, "2025-10-31").await;
    reward(s, f.employee, None, 5_000, "2025-11-01").await;
    f
}

#[tokio::test]
async fn every_figure_of_a_period_counts_exactly_its_org_local_days() {
    let s = TestServer::start().await;
    seed_october(&s).await;
    let m = s.signed_in(MARKETING).await;
    let d = dashboard(&s, &m, &[]).await;
    let t = &d.totals;
    assert_eq!((d.from.as_str(), d.to.as_str()), ("2025-10-01", "2025-10-31"));
    assert_eq!((t.clicks, t.unique_visitors), (4, 3), "bots and the neighbouring months' clicks are not counted");
    assert_eq!(t.shares, 2);
    assert_eq!(t.leads, 6);
    assert_eq!((t.leads_valid, t.leads_duplicate, t.leads_invalid, t.leads_pending, t.leads_held), (2, 1, 1, 1, 1));
    // Of the two leads assigned, one was contacted within 24 hours.
    assert_eq!(t.response_rate_bp, Some(5000));
    assert_eq!((t.deals, t.deal_amount_fen, t.deal_profit_fen), (2, 1_500_000, 700_000));
    assert_eq!(t.reward_cost_fen, 30_000);
    // ROI = ¥7,000 profit ÷ ¥300 rewards = 23.33.
    assert_eq!(t.roi_centi, Some(2333));
    // Two promoters were active: ¥15,000 ÷ 2.
    assert_eq!((t.active_promoters, t.output_per_promoter_fen), (2, Some(750_000)));
    // 6 leads of 4 clicks; 2 deals of 6 leads.
    assert_eq!((t.click_to_lead_bp, t.lead_to_deal_bp), (Some(15_000), Some(3333)));
    // The daily trend: 31 days, the first day's and last day's clicks, leads and deals.
    assert_eq!(d.trend.len(), 31);
    let first = &d.trend[0];
    assert_eq!((first.day.as_str(), first.clicks, first.leads, first.deals), ("2025-10-01", 2, 1, 1));
    let last = &d.trend[30];
    assert_eq!((last.day.as_str(), last.clicks, last.leads, last.deals), ("2025-10-31", 1, 1, 1));
    assert_eq!(d.trend.iter().map(|t| t.clicks).sum::<i64>(), 4);
    assert_eq!(d.trend.iter().map(|t| t.leads).sum::<i64>(), 6);
}

#[tokio::test]
async fn the_cuts_split_every_figure_by_campaign_channel_department_and_kind() {
    let s = TestServer::start().await;
    let f = seed_october(&s).await;
    let m = s.signed_in(MARKETING).await;
    let d = dashboard(&s, &m, &[]).await;
    let cut = |name: &str| d.cuts.iter().find(|c| c.dimension.as_str() == name).unwrap().clone();
    let kinds = cut("promoter_kind");
    let employee = &kinds.rows.iter().find(|r| r.key == "employee").unwrap().figures;
    let partner = &kinds.rows.iter().find(|r| r.key == "partner").unwrap().figures;
    assert_eq!((employee.clicks, employee.leads, employee.deals, employee.reward_cost_fen), (3, 3, 1, 20_000));
    assert_eq!((partner.clicks, partner.leads, partner.deals, partner.reward_cost_fen), (1, 3, 1, 10_000));
    // A lead's channel is its visitor's last click before it; a deal's is its lead's.
    let channels = cut("channel");
    let moments = &channels.rows.iter().find(|r| r.key == "moments").unwrap().figures;
    assert_eq!((moments.clicks, moments.leads, moments.deals, moments.deal_amount_fen), (2, 1, 1, 1_000_000));
    let qr = &channels.rows.iter().find(|r| r.key == "qr").unwrap().figures;
    // v2's duplicate came after its QR click; its invalid lead before it (no click yet: direct).
    assert_eq!((qr.clicks, qr.leads), (1, 1));
    let direct = &channels.rows.iter().find(|r| r.key == "direct").unwrap().figures;
    assert_eq!((direct.clicks, direct.leads), (0, 1));
    let departments = cut("department");
    let store = departments.rows.iter().find(|r| r.label == "门店运营部").unwrap();
    assert_eq!((store.figures.clicks, store.figures.shares, store.figures.leads), (3, 2, 3));
    let campaigns = cut("campaign");
    assert_eq!(campaigns.rows.len(), 1);
    assert_eq!(campaigns.rows[0].figures.deal_amount_fen, 1_500_000);
    // A filter narrows the totals the same way.
    let only = dashboard(&s, &m, &[("promoter_kind", "partner")]).await;
    assert_eq!(only.totals.leads, 3);
    let qr_only = dashboard(&s, &m, &[("channel", "qr")]).await;
    assert_eq!((qr_only.totals.clicks, qr_only.totals.leads, qr_only.totals.deals), (1, 1, 0));
    let campaign = f.campaign.to_string();
    let same = dashboard(&s, &m, &[("campaign_id", &campaign)]).await;
    assert_eq!(same.totals, d.totals);
    // Bad filters name the field.
    let (status, body) = s
        .call(
            &m,
            "load_dashboard",
            &[("query[range]", "custom"), ("query[from]", "2025-10-31"), ("query[to]", "2025-10-01")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), Field::To.name());
    let (status, body) = s.call(&m, "load_dashboard", &[("query[range]", "month"), ("query[channel]", "fax")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), Field::Channel.name());
}

/// The share poster's QR code says `ch=poster`: a scan of it counts in the dashboard's poster
/// channel (PRODUCT.md §6), and a printed QR code still in the QR channel.
#[tokio::test]
async fn scans_of_the_poster_count_in_the_poster_channel() {
    let s = TestServer::start().await;
    let employee = s.signed_in(EMPLOYEE).await;
    let cards: Vec<app::features::promotion::PromoCard> = s.call_json(&employee, "load_my_promotion", &[]).await;
    let code = &cards[0].code;
    for ch in ["poster", "poster", "qr"] {
        let res =
            s.client().get(s.url(&format!("/r/{code}?ch={ch}"))).header("User-Agent", "Mobile").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
    }
    s.flush_clicks().await;
    let m = s.signed_in(MARKETING).await;
    let d = dashboard(&s, &m, &[("range", "today"), ("from", ""), ("to", "")]).await;
    let channels = d.cuts.iter().find(|c| c.dimension.as_str() == "channel").unwrap();
    let clicks = |key: &str| channels.rows.iter().find(|r| r.key == key).map(|r| r.figures.clicks);
    assert_eq!((clicks("poster"), clicks("qr"), clicks("other")), (Some(2), Some(1), None));
    s.stop().await;
}

#[tokio::test]
async fn a_cut_exports_as_csv_for_marketing_only() {
    let s = TestServer::start().await;
    seed_october(&s).await;
    let m = s.signed_in(MARKETING).await;
    let url = s.url("/dashboard/export.csv?table=promoter_kind&range=custom&from=2025-10-01&to=2025-10-31");
    let res = m.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = res.text().await.unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert!(lines.next().unwrap().starts_with("promoter_kind,clicks,unique_visitors,shares,leads"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{body}");
    assert!(rows.iter().any(|r| r.starts_with("employee,3,2,2,3,1,1,1,0,0,")), "{body}");
    let employee = s.signed_in(EMPLOYEE).await;
    assert_eq!(employee.get(&url).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(s.client().get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_hero_board_ranks_this_month_and_quarter_by_deal_amount() {
    let s = TestServer::start().await;
    let f = facts(&s).await;
    let sales = id(&s, &format!("SELECT id FROM users WHERE email = '{SALES}'")).await;
    let month = app::shared::period::Period::month_of(chrono::Utc::now(), s.state.org.tz);
    let (first, _) = month.dates();
    let on = first.to_string();
    // Employee and partner tie on amount; the partner has more deals and wins.
    deal(&s, &f, "H1", f.employee, None, 300_000, 0, &on).await;
    deal(&s, &f, "H2", f.partner, None, 100_000, 0, &on).await;
    deal(&s, &f, "H3", f.partner, None, 200_000, 0, &on).await;
    deal(&s, &f, "H4", sales, None, 900_000, 0, &on).await;
    let staff = s.signed_in(EMPLOYEE).await;
    let b: HeroBoard = s.call_json(&staff, "load_hero_board", &[]).await;
    assert_eq!(b.month, month.key());
    let order: Vec<(i64, i64, i64)> = b.monthly.iter().map(|r| (r.rank, r.promoter_id, r.deal_amount_fen)).collect();
    assert_eq!(order, vec![(1, sales, 900_000), (2, f.partner, 300_000), (3, f.employee, 300_000)]);
    assert_eq!(b.monthly[1].deals, 2);
    assert_eq!(b.quarterly.len(), 3);
    // Customers and partners are not staff.
    let partner = s.signed_in(PARTNER).await;
    assert_eq!(s.call(&partner, "load_hero_board", &[]).await.0, StatusCode::FORBIDDEN);
    // The promoter's own numbers show the rank.
    let n: MyNumbers = s.call_json(&staff, "load_my_numbers", &[]).await;
    assert_eq!((n.rank, n.deals, n.deal_amount_fen), (Some(3), 1, 300_000));
}

#[tokio::test]
async fn department_targets_show_progress_to_marketing_and_to_the_department() {
    let s = TestServer::start().await;
    let f = facts(&s).await;
    let m = s.signed_in(MARKETING).await;
    let month = app::shared::period::Period::month_of(chrono::Utc::now(), s.state.org.tz);
    let dept = id(&s, "SELECT id FROM departments WHERE name = '门店运营部'").await.to_string();
    let employees = id(&s, &format!("SELECT COUNT(*) FROM users WHERE active = 1 AND department_id = {dept}")).await;
    let key = month.key();
    for (metric, target) in [("shares_per_employee", "4"), ("valid_leads", "2")] {
        let (status, body) = s
            .call(
                &m,
                "save_target",
                &[("department_id", &dept), ("month", &key), ("metric", metric), ("target", target)],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = s
        .call(&m, "save_target", &[("department_id", &dept), ("month", &key), ("metric", "vibes"), ("target", "3")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), Field::Metric.name());
    let (status, _) = s
        .call(&m, "save_target", &[("department_id", &dept), ("month", &key), ("metric", "deals"), ("target", "-1")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = s
        .call(
            &s.signed_in(EMPLOYEE).await,
            "save_target",
            &[("department_id", &dept), ("month", &key), ("metric", "deals"), ("target", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // This month: 6 shares by the department and one valid lead.
    let now = app::plumbing::state::now_ms();
    for _ in 0..6 {
        share(&s, f.employee_link, now).await;
    }
    lead(&s, &f, f.employee_link, f.employee, "v", "valid", now, None).await;
    let d: Dashboard = s.call_json(&m, "load_dashboard", &[("query[range]", "month")]).await;
    let shares = d.targets.iter().find(|t| t.metric.as_str() == "shares_per_employee").unwrap();
    let per_head = 600 / employees;
    assert_eq!((shares.target, shares.actual_centi), (4, per_head));
    assert_eq!(shares.percent, ((per_head as f64 / 4.0).round() as i64).min(100));
    let leads = d.targets.iter().find(|t| t.metric.as_str() == "valid_leads").unwrap();
    assert_eq!((leads.actual_centi, leads.percent), (100, 50));
    // The department's own people see the same bars on "my promotion".
    let staff = s.signed_in(EMPLOYEE).await;
    let n: MyNumbers = s.call_json(&staff, "load_my_numbers", &[]).await;
    assert_eq!(n.department_targets, d.targets);
    assert_eq!((n.shares, n.leads, n.leads_valid, n.leads_from_shares), (6, 1, 1, 1));
}

/// Reads server-sent events until `want` events of `kind` arrived or the time is up.
async fn read_events(mut res: reqwest::Response, kind: LiveKind, want: usize, ms: u64) -> Vec<LiveEvent> {
    let mut buffer = String::new();
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
    while got.iter().filter(|e: &&LiveEvent| e.kind == kind).count() < want {
        let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await else { break };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            for line in message.lines() {
                if let Some(data) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                    if let Ok(events) = serde_json::from_str::<Vec<LiveEvent>>(data) {
                        got.extend(events);
                    }
                }
            }
        }
    }
    got
}

#[tokio::test]
async fn the_live_stream_carries_leads_and_shares_to_marketing_only() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let m = s.signed_in(MARKETING).await;
    let res = m.get(s.url("/live")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let reader = tokio::spawn(read_events(res, LiveKind::Lead, 2, 10_000));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let prospect = s.client();
    s.submit_lead(&prospect, "13911112222", Some(&code)).await;
    s.submit_lead(&prospect, "13911113333", None).await;
    let events = reader.await.unwrap();
    let leads: Vec<&LiveEvent> = events.iter().filter(|e| e.kind == LiveKind::Lead).collect();
    assert_eq!(leads.len(), 2, "{events:?}");
    let employee = id(&s, &format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    assert_eq!(leads[0].promoter_id, Some(employee));
    assert_eq!(leads[1].promoter_id, None);
    assert_eq!(s.signed_in(EMPLOYEE).await.get(s.url("/live")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(s.client().get(s.url("/live")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reconnecting_dashboard_catches_up_or_is_told_to_reload() {
    let s = TestServer::start().await;
    let m = s.signed_in(MARKETING).await;
    let first = m.get(s.url("/live")).send().await.unwrap();
    drop(first);
    // Events while disconnected.
    let prospect = s.client();
    let before = s.state.events.latest();
    s.submit_lead(&prospect, "13911114444", None).await;
    s.submit_lead(&prospect, "13911115555", None).await;
    // The browser reconnects with the last id it had: the two leads are replayed.
    let res = m.get(s.url("/live")).header("Last-Event-ID", s.state.events.id(before)).send().await.unwrap();
    let events = read_events(res, LiveKind::Lead, 2, 5_000).await;
    assert_eq!(events.iter().filter(|e| e.kind == LiveKind::Lead).count(), 2, "{events:?}");
    // An id from another instance (or a restart) cannot be resumed: reload.
    let res = m.get(s.url("/live")).header("Last-Event-ID", "elsewhere-3").send().await.unwrap();
    let events = read_events(res, LiveKind::Reset, 1, 5_000).await;
    assert_eq!(events.first().map(|e| e.kind), Some(LiveKind::Reset), "{events:?}");
}

/// Two app instances on one PostgreSQL database: an event produced on one reaches a
/// dashboard connected to the other (LISTEN/NOTIFY).
#[tokio::test]
async fn an_event_on_one_instance_reaches_a_dashboard_on_another() {
    if std::env::var("ALLHANDS_TEST_DATABASE").as_deref() != Ok("postgres") {
        return; // One instance per SQLite file; the in-process bus is tested above.
    }
    let a = TestServer::start().await;
    let b = TestServer::start_with(config(&a.db), a.db.clone()).await;
    let m = b.signed_in(MARKETING).await;
    let res = m.get(b.url("/live")).send().await.unwrap();
    let reader = tokio::spawn(read_events(res, LiveKind::Lead, 1, 10_000));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    a.submit_lead(&a.client(), "13911116666", None).await;
    let events = reader.await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == LiveKind::Lead).count(), 1, "{events:?}");
}

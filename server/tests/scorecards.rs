//! Scorecards (PRODUCT.md §7) through the real server, on SQLite and PostgreSQL: a month of
//! activity in the member's campaign (clicks, leads, deals, payments and the rewards they
//! accrue) gives the quantitative lines to the hundredth; figures freeze; the manager's scores
//! need an example each; the committee's calibration keeps both scores and the reason; two
//! months in a row below 60 open a coaching plan; the member acknowledges.
mod common;
use app::features::rewards::store::ledger;
use app::features::scorecards::{ScorecardView, Team};
use common::*;
use reqwest::{Client, StatusCode};

/// 2025-10-01 00:00 in Shanghai (UTC+8), in milliseconds: far from the demo's own data.
const OCT_START: i64 = 1_759_248_000_000;
const DAY: i64 = 86_400_000;

async fn exec(s: &TestServer, sql: &str) {
    sqlx::query(sql).execute(&s.state.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn id_of(s: &TestServer, email: &str) -> i64 {
    s.count(&format!("SELECT id FROM users WHERE email = '{email}'")).await
}

/// October 2025 in the demo campaign, referred by the employee: 6 visitors (and 3 repeat
/// visits), 10 valid leads and 2 invalid, five deals of four customers (one had ordered in
/// September), three paid.
async fn october(s: &TestServer) -> i64 {
    let campaign = s.count("SELECT id FROM campaigns WHERE slug = 'winter-home'").await;
    let employee = id_of(s, EMPLOYEE).await;
    exec(s, &format!("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) VALUES ('SCLINK1', {campaign}, {employee}, 0)")).await;
    let link = s.count("SELECT id FROM promo_links WHERE code = 'SCLINK1'").await;
    let visitors: Vec<String> = (0..9).map(|i| format!("v{}", i % 6)).collect();
    let clicks: Vec<(i64, &str, &str, &str, i64, bool)> = (0..9)
        .map(|i| {
            (link, "moments", visitors[i].as_str(), "mobile", OCT_START + (i as i64 % 6 + 1) * DAY + 3_600_000, i < 6)
        })
        .collect();
    s.store_clicks(&clicks).await;
    for i in 0..12 {
        let status = if i < 10 { "valid" } else { "invalid" };
        exec(
            s,
            &format!(
                "INSERT INTO leads (campaign_id, link_id, promoter_id, name, phone, demand_tags, note, status, visitor, ip_hash, \
                 submitted_at) VALUES ({campaign}, {link}, {employee}, 'x', '+86139000001{i:02}', '[]', '', '{status}', 'v', 'ip', {})",
                OCT_START + (i + 1) * DAY
            ),
        )
        .await;
    }
    // (order, customer, amount ¥, cost ¥, signed, paid on)
    let deals = [
        ("SC-0", "+8613911110004", 4_000, 2_000, "2025-09-15", None),
        ("SC-1", "+8613911110001", 30_000, 20_000, "2025-10-05", Some("2025-10-06")),
        ("SC-2", "+8613911110002", 20_000, 12_000, "2025-10-10", Some("2025-10-12")),
        ("SC-3", "+8613911110001", 10_000, 6_000, "2025-10-20", Some("2025-10-21")),
        ("SC-4", "+8613911110003", 15_000, 9_000, "2025-10-25", None),
        ("SC-5", "+8613911110004", 5_000, 3_000, "2025-10-28", None),
    ];
    for (order, phone, amount, cost, on, paid) in deals {
        exec(
            s,
            &format!(
                "INSERT INTO deals (order_no, customer_phone, promoter_id, campaign_id, amount_fen, cost_fen, signed_on, source, created_at) \
                 VALUES ('{order}', '{phone}', {employee}, {campaign}, {}, {}, '{on}', 'manual', 0)",
                amount * 100,
                cost * 100
            ),
        )
        .await;
        if let Some(paid) = paid {
            let deal = s.count(&format!("SELECT id FROM deals WHERE order_no = '{order}'")).await;
            exec(
                s,
                &format!(
                    "INSERT INTO payments (deal_id, paid_on, amount_fen, created_at) VALUES ({deal}, '{paid}', {}, 0)",
                    amount * 100
                ),
            )
            .await;
        }
    }
    ledger::accrue_all(&s.state).await.unwrap();
    campaign
}

async fn me_client(s: &TestServer) -> Client {
    s.signed_in(MARKETING).await
}

async fn ok(s: &TestServer, c: &Client, name: &str, form: &[(&str, &str)]) {
    let (status, body) = s.call(c, name, form).await;
    assert_eq!(status, StatusCode::OK, "{name}: {body}");
}

async fn card(s: &TestServer, c: &Client, member: i64, period: &str) -> ScorecardView {
    s.call_json(c, "load_scorecard", &[("member_id", &member.to_string()), ("period", period)]).await
}

fn points(card: &ScorecardView) -> Vec<(String, Option<String>)> {
    card.lines.iter().map(|l| (l.indicator.as_str().to_string(), l.points.clone())).collect()
}

async fn score(
    s: &TestServer,
    c: &Client,
    member: i64,
    period: &str,
    scores: [&str; 3],
    examples: [&str; 3],
) -> (StatusCode, String) {
    let member = member.to_string();
    let form = [
        ("member_id", member.as_str()),
        ("period", period),
        ("scores[innovation]", scores[0]),
        ("scores[innovation_example]", examples[0]),
        ("scores[collaboration]", scores[1]),
        ("scores[collaboration_example]", examples[1]),
        ("scores[execution]", scores[2]),
        ("scores[execution_example]", examples[2]),
    ];
    s.call(c, "score_member", &form).await
}

const EXAMPLES: [&str; 3] = ["冬季焕新活动首创老客带新直播", "与销售部联合跟进 12 条线索", "活动方案提前 3 天上线"];

#[tokio::test]
async fn a_month_of_activity_is_scored_calibrated_acknowledged_and_two_months_below_60_open_coaching() {
    let s = TestServer::start_unaudited().await;
    let campaign = october(&s).await;
    let (admin, manager_client) = (s.signed_in(ADMIN).await, s.signed_in(SALES).await);
    let (member, manager, finance) = (id_of(&s, MARKETING).await, id_of(&s, SALES).await, id_of(&s, FINANCE).await);
    // Admin: marketing's member is scored by the sales lead on the demo campaign; finance sits
    // on the committee.
    let form = [
        ("member_id", member.to_string()),
        ("manager_id", manager.to_string()),
        ("team", "华东组".into()),
        ("campaigns[0]", campaign.to_string()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(&s, &admin, "put_scorecard_member", &form).await;
    ok(&s, &admin, "put_committee_member", &[("user_id", &finance.to_string())]).await;

    // The manager's targets for October, as typed.
    let m = member.to_string();
    for (indicator, target) in [
        ("sales", "¥100,000"),
        ("new_customers", "4"),
        ("conversion", "25%"),
        ("repurchase", "40"),
        ("acquisition_cost", "250"),
        ("campaign_roi", "40"),
        ("content_reach", "8"),
    ] {
        ok(
            &s,
            &manager_client,
            "set_scorecard_target",
            &[("member_id", &m), ("period", "2025-10"), ("indicator", indicator), ("target", target)],
        )
        .await;
    }
    let c = card(&s, &manager_client, member, "2025-10").await;
    assert!(c.frozen, "October's figures froze on 5 November");
    let f = c.figures;
    assert_eq!((f.sales_fen, f.deals, f.new_customers, f.customers, f.repeat_customers), (8_000_000, 5, 3, 4, 2));
    assert_eq!((f.valid_leads, f.reach, f.profit_fen), (10, 6, 3_000_000));
    // 2% of the three first orders' money: ¥30,000 and ¥20,000 paid (the repeat order and the
    // unpaid ones earn nothing yet).
    assert_eq!(f.reward_cost_fen, 100_000);
    let want = [
        ("sales", "24.00"),           // ¥80,000 of ¥100,000 × 30
        ("new_customers", "6.00"),    // 3 of 4 × 8
        ("conversion", "6.00"),       // 30% against 25%, capped × 6
        ("repurchase", "6.00"),       // 50% against 40%, capped × 6
        ("acquisition_cost", "3.00"), // ¥333.33 against ¥250: 0.75 × 4
        ("campaign_roi", "2.25"),     // 30 against 40 × 3
        ("content_reach", "2.25"),    // 6 of 8 × 3
    ];
    let want: Vec<(String, Option<String>)> = want.iter().map(|(i, p)| (i.to_string(), Some(p.to_string()))).collect();
    assert_eq!(points(&c), want);
    assert_eq!(c.quantitative, "49.50");
    assert_eq!(c.lines[4].actual, "¥333.33");
    // Frozen: a deal recorded later for October changes nothing on the card.
    exec(&s, &format!("INSERT INTO deals (order_no, customer_phone, campaign_id, amount_fen, signed_on, source, created_at) VALUES ('SC-9', '+8613911110009', {campaign}, 99900, '2025-10-30', 'manual', 0)")).await;
    assert_eq!(card(&s, &manager_client, member, "2025-10").await.figures.sales_fen, 8_000_000);

    // An empty example is refused, naming its field; nothing is scored.
    let (status, body) =
        score(&s, &manager_client, member, "2025-10", ["80", "70", "90"], [EXAMPLES[0], EXAMPLES[1], "  "]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["execution_example"]);
    assert!(card(&s, &manager_client, member, "2025-10").await.score.is_none());
    // Only the direct manager scores; this month's figures are not frozen yet.
    let (status, _) = score(&s, &admin, member, "2025-10", ["80", "70", "90"], EXAMPLES).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let this_month = today().format("%Y-%m").to_string();
    let (status, body) = score(&s, &manager_client, member, &this_month, ["80", "70", "90"], EXAMPLES).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["scorecard"]);

    // August and September without targets or activity: 0 + 50% of 40 = 20, twice below 60.
    let (status, body) = score(&s, &manager_client, member, "2025-08", ["50", "50", "50"], EXAMPLES).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "\"20.00\""));
    assert!(card(&s, &manager_client, member, "2025-08").await.coaching.is_none(), "one month is no trigger");
    score(&s, &manager_client, member, "2025-09", ["50", "50", "50"], EXAMPLES).await;
    let plan = card(&s, &manager_client, member, "2025-09").await.coaching.expect("a coaching plan");
    assert_eq!((plan.opened_for.as_str(), plan.closed), ("2025-09", false));
    // The manager's improvement item, tracked weekly: its owner is reminded once a week while no
    // progress is recorded.
    let form = [
        ("plan_id", plan.id.to_string()),
        ("item", "三个月内掌握私域运营工具".into()),
        ("owner_id", m.clone()),
        ("due_on", "2026-03-31".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(&s, &manager_client, "add_coaching_item", &form).await;
    let remind = |on: chrono::NaiveDate| app::features::scorecards::store::coaching::remind_weekly(&s.state, on);
    let day = |n: i64| today() + chrono::Duration::days(n);
    let item = card(&s, &manager_client, member, "2025-09").await.coaching.unwrap().items[0].id.to_string();
    ok(&s, &me_client(&s).await, "track_coaching_item", &[("item_id", &item), ("progress", "完成企业微信社群搭建")])
        .await;
    assert_eq!(remind(day(3)).await.unwrap(), 0, "progress recorded this week");
    assert_eq!(remind(day(8)).await.unwrap(), 1, "none for a week");
    assert_eq!(remind(day(10)).await.unwrap(), 0, "once a week");
    assert_eq!(remind(day(15)).await.unwrap(), 1, "the next week");
    assert_eq!(s.count("SELECT COUNT(*) FROM outbox WHERE kind = 'coaching_reminder'").await, 2);

    // A peer from another department scores her collaboration; someone without one cannot.
    let peer = [("member_id", m.as_str()), ("period", "2025-10"), ("score", "90"), ("example", "门店活动物料当天到位")];
    let (status, body) = s.call(&s.signed_in(FINANCE).await, "peer_score", &peer).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["score"]);
    ok(&s, &s.signed_in(EMPLOYEE).await, "peer_score", &peer).await;
    // October: 49.50 + 80% of 15 + (70 + 90) / 2 % of 10 + 90% of 15 = 83.00, an A.
    let (status, body) = score(&s, &manager_client, member, "2025-10", ["80", "70", "90"], EXAMPLES).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "\"83.00\""));
    let finance_client = s.signed_in(FINANCE).await;
    let form = [("member_id", m.as_str()), ("period", "2025-10"), ("calibrated", "85"), ("reason", "")];
    let (status, body) = s.call(&finance_client, "calibrate_scorecard", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["reason"], "a written reason");
    let reason = "跨部门直播带来的线索未计入本活动";
    ok(
        &s,
        &finance_client,
        "calibrate_scorecard",
        &[("member_id", &m), ("period", "2025-10"), ("calibrated", "85"), ("reason", reason)],
    )
    .await;
    let c = card(&s, &manager_client, member, "2025-10").await;
    assert_eq!(
        (c.score.as_deref(), c.calibrated.as_deref(), c.calibration_reason.as_deref()),
        (Some("83.00"), Some("85.00"), Some(reason))
    );
    assert_eq!(c.grade.map(|g| g.as_str()), Some("A"));
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'scorecard.calibrated' AND before_value = '83.00'")
            .await,
        1
    );

    // The member sees the card, with the last months, and acknowledges it within the week.
    let me = s.signed_in(MARKETING).await;
    let mine = card(&s, &me, 0, "2025-10").await;
    assert!(mine.is_me && !mine.acknowledged && mine.acknowledge_by.is_some());
    let history: Vec<(&str, &str)> = mine.history.iter().map(|(p, v)| (p.as_str(), v.as_str())).collect();
    assert_eq!(history, [("2025-08", "20.00"), ("2025-09", "20.00"), ("2025-10", "85.00")]);
    ok(&s, &me, "acknowledge_scorecard", &[("period", "2025-10")]).await;
    assert!(card(&s, &me, 0, "2025-10").await.acknowledged);
    // The manager's team view and the CSV for HR.
    let team: Team = s.call_json(&manager_client, "load_scorecard_team", &[("period", "2025-10")]).await;
    assert_eq!(team.rows.len(), 1);
    assert!(team.rows[0].acknowledged && team.rows[0].coaching);
    let card = &team.teams[0];
    assert_eq!(
        (card.team.as_str(), card.members, card.score.as_deref()),
        ("华东组", 1, Some("85.00")),
        "the team's card"
    );
    let csv =
        manager_client.get(s.url("/scorecards/export.csv?period=2025-10")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("华东组,2025-10,true,49.50,33.50,83.00,85.00"), "{csv}");
    // Year end, for the committee: her mean of 20, 20 and 85 leads the only team and is the
    // bottom fifth of one member.
    let year: app::features::scorecards::YearReview =
        s.call_json(&finance_client, "load_year_review", &[("year", "2025")]).await;
    assert_eq!(year.top_teams, [("华东组".to_string(), "41.67".to_string())]);
    assert_eq!(year.bottom.len(), 1);
    assert!(year.bottom[0].0.ends_with("· 华东组") && year.bottom[0].1 == "41.67", "{year:?}");
    let (status, _) = s.call(&manager_client, "load_year_review", &[("year", "2025")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not on the committee");
    // Nobody else reads it.
    let (status, _) =
        s.call(&s.signed_in(EMPLOYEE).await, "load_scorecard", &[("member_id", &m), ("period", "2025-10")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.stop().await;
}

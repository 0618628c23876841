//! Deals, payments, referral codes, the reward engine and settlement runs, through the real
//! HTTP API: PRODUCT.md §4's worked examples to the fen, on SQLite and PostgreSQL.
mod common;
use app::features::deals::{CouponRow, ImportReport};
use app::features::settlement::{MyRewards, RunRow, StatementView};
use app::plumbing::errors::AppError;
use app::plumbing::errors::FormField;
use common::*;
use reqwest::{Client, StatusCode};

const PARTNER: &str = "partner@demo.allhands.cn";
const CUSTOMER: &str = "customer@demo.allhands.cn";

/// Records a deal as sales; returns its id.
async fn deal(s: &TestServer, sales: &Client, [order, phone, amount, signed, due, code]: [&str; 6]) -> i64 {
    s.call_json(
        sales,
        "record_deal",
        &[
            ("deal[order_no]", order),
            ("deal[customer_phone]", phone),
            ("deal[amount]", amount),
            ("deal[signed_on]", signed),
            ("deal[due_on]", due),
            ("deal[referral_code]", code),
        ],
    )
    .await
}

async fn pay(s: &TestServer, c: &Client, deal: i64, on: &str, amount: &str, refund: bool) -> (StatusCode, String) {
    let id = deal.to_string();
    let refund = refund.to_string();
    s.call(c, "record_payment", &[("deal_id", &id), ("paid_on", on), ("amount", amount), ("refund", &refund)]).await
}

async fn draft(s: &TestServer, finance: &Client, scope: &str, period: &str) -> i64 {
    s.call_json(finance, "draft_run", &[("scope", scope), ("period", period)]).await
}

async fn statements(s: &TestServer, finance: &Client, run: i64) -> Vec<StatementView> {
    s.call_json(finance, "run_statements", &[("run_id", &run.to_string())]).await
}

async fn act(s: &TestServer, finance: &Client, run: i64, action: &str) -> (StatusCode, String) {
    s.call(finance, "run_action", &[("run_id", &run.to_string()), ("action", action)]).await
}

/// Four eyes: finance drafted the run, an administrator approves it.
async fn approve(s: &TestServer, run: i64) -> (StatusCode, String) {
    let admin = s.signed_in(ADMIN).await;
    act(s, &admin, run, "approve").await
}

#[tokio::test]
async fn worked_example_1_employee_november_through_payout() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let a = deal(&s, &sales, ["SO-1001", "13911110001", "12345.67", "2026-11-01", "2026-11-30", &code]).await;
    let b = deal(&s, &sales, ["SO-1002", "13911110002", "50,000.00", "2026-11-02", "", &code]).await;
    assert_eq!(pay(&s, &sales, a, "2026-11-03", "12345.67", false).await.0, StatusCode::OK);
    assert_eq!(pay(&s, &sales, b, "2026-11-20", "50000", false).await.0, StatusCode::OK);
    // "Reward vested" went to the employee through the outbox.
    assert_eq!(s.count("SELECT COUNT(*) FROM outbox WHERE kind = 'reward_vested'").await, 2);

    let finance = s.signed_in(FINANCE).await;
    let run = draft(&s, &finance, "employee", "2026-11").await;
    let st = statements(&s, &finance, run).await;
    assert_eq!(st.len(), 1);
    let e = &st[0];
    assert_eq!((e.gross_fen, e.tax_fen, e.net_fen), (124_691, 24_938, 99_753));
    assert_eq!(e.lines.iter().map(|l| l.amount_fen).collect::<Vec<_>>(), vec![24_691, 100_000]);
    assert_eq!(e.lines[0].explanation_en, "2% of ¥12,345.67 paid on 2026-11-03, deal SO-1001");

    // Drafting again gives byte-identical statements.
    let again = draft(&s, &finance, "employee", "2026-11").await;
    assert_eq!(again, run);
    let without_ids = |list: Vec<StatementView>| {
        list.into_iter()
            .map(|v| StatementView { id: 0, ..v })
            .map(|v| serde_json::to_string(&v).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(without_ids(statements(&s, &finance, run).await), without_ids(st.clone()));

    // Approved runs are frozen: no re-draft, no second approval.
    assert_eq!(approve(&s, run).await.0, StatusCode::OK);
    let (status, body) = s.call(&finance, "draft_run", &[("scope", "employee"), ("period", "2026-11")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(serde_json::from_str::<AppError>(&body).unwrap(), AppError::Frozen);
    assert_eq!(approve(&s, run).await.0, StatusCode::CONFLICT);

    // The payout files.
    let bank = finance.get(s.url(&format!("/settlement/{run}/bank.csv"))).send().await.unwrap();
    assert_eq!(bank.status(), StatusCode::OK);
    let bank = bank.text().await.unwrap();
    assert!(bank.contains("promoter,account_holder,account,bank,gross,tax,net,reference"), "{bank}");
    assert!(bank.contains("员工 张伟,,,,1246.91,249.38,997.53,ALLHANDS-2026-11-"), "no payout account yet: {bank}");
    let wallet =
        finance.get(s.url(&format!("/settlement/{run}/wallet.csv"))).send().await.unwrap().text().await.unwrap();
    assert!(wallet.contains("员工 张伟,,phone,13800000005,997.53"), "{wallet}");
    // Only finance gets them.
    let employee = s.signed_in(EMPLOYEE).await;
    let refused = employee.get(s.url(&format!("/settlement/{run}/bank.csv"))).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    assert_eq!(act(&s, &finance, run, "paid").await.0, StatusCode::OK);
    let paid: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE kind = 'reward_paid'")
        .fetch_all(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(paid.len(), 1);
    assert!(paid[0].contains("¥997.53"), "{}", paid[0]);
    let mine: MyRewards = s.call_json(&employee, "load_my_rewards", &[]).await;
    assert_eq!(mine.paid_fen, 99_753);
    assert_eq!(mine.statements.len(), 1);
    assert_eq!(mine.statements[0].lines.len(), 2);
    s.stop().await;
}

#[tokio::test]
async fn worked_example_2_to_4_late_boost_and_cost() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    // A ×2 boost window on the demo campaign for deals signed 2026-11-10..12.
    sqlx::query("UPDATE campaigns SET boosts = '[{\"starts_on\":\"2026-11-10\",\"ends_on\":\"2026-11-12\",\"multiplier\":\"2\"}]'")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let late = deal(&s, &sales, ["L-45", "13911120001", "10000", "2026-09-01", "2026-10-01", &code]).await;
    pay(&s, &sales, late, "2026-11-15", "10000", false).await;
    let cost = s
        .call_json::<i64>(
            &sales,
            "record_deal",
            &[
                ("deal[order_no]", "C-1"),
                ("deal[customer_phone]", "13911120002"),
                ("deal[amount]", "8000"),
                ("deal[cost]", "8000"),
                ("deal[signed_on]", "2026-11-05"),
                ("deal[referral_code]", &code),
            ],
        )
        .await;
    pay(&s, &sales, cost, "2026-11-06", "8000", false).await;
    let boosted = s
        .call_json::<i64>(
            &sales,
            "record_deal",
            &[
                ("deal[order_no]", "B-2"),
                ("deal[customer_phone]", "13911120003"),
                ("deal[amount]", "10000"),
                ("deal[signed_on]", "2026-11-11"),
                ("deal[referral_code]", &code),
                ("deal[campaign_id]", "1"),
            ],
        )
        .await;
    pay(&s, &sales, boosted, "2026-11-20", "10000", false).await;
    let finance = s.signed_in(FINANCE).await;
    let run = draft(&s, &finance, "employee", "2026-11").await;
    let st = statements(&s, &finance, run).await;
    let amounts: Vec<(i64, &str)> = st[0].lines.iter().map(|l| (l.amount_fen, l.explanation_en.as_str())).collect();
    assert!(
        amounts.contains(&(16_000, "2% of ¥10,000.00 paid on 2026-11-15, deal L-45, paid 45 days late: −20%")),
        "{amounts:?}"
    );
    assert!(amounts.iter().any(|(a, e)| *a == 0 && e.contains("at or below cost")), "{amounts:?}");
    assert!(amounts.iter().any(|(a, e)| *a == 40_000 && e.contains("boost ×2")), "{amounts:?}");
    s.stop().await;
}

#[tokio::test]
async fn worked_example_5_partner_quarter_with_labour_tax() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(PARTNER).await;
    let sales = s.signed_in(SALES).await;
    let oct = deal(&s, &sales, ["P-10", "13911130001", "60000", "2026-10-02", "", &code]).await;
    let nov = deal(&s, &sales, ["P-11", "13911130002", "70000", "2026-11-02", "", &code]).await;
    pay(&s, &sales, oct, "2026-10-20", "60000", false).await;
    pay(&s, &sales, nov, "2026-11-20", "70000", false).await;
    let finance = s.signed_in(FINANCE).await;
    // Partners settle by quarter only.
    let (status, _) = s.call(&finance, "draft_run", &[("scope", "partner"), ("period", "2026-11")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let run = draft(&s, &finance, "partner", "2026-Q4").await;
    let st = statements(&s, &finance, run).await;
    assert_eq!(st.len(), 1);
    assert_eq!((st[0].gross_fen, st[0].tax_fen, st[0].net_fen), (740_000, 118_400, 621_600));
    assert_eq!(st[0].treatment.as_str(), "labour");
    s.stop().await;
}

#[tokio::test]
async fn a_refund_after_approval_is_offset_in_the_next_period_and_carried_forward() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let finance = s.signed_in(FINANCE).await;
    let d = deal(&s, &sales, ["R-1", "13911140001", "50000", "2026-11-01", "", &code]).await;
    pay(&s, &sales, d, "2026-11-02", "50000", false).await;
    let nov = draft(&s, &finance, "employee", "2026-11").await;
    approve(&s, nov).await;
    // More than was collected cannot be refunded.
    let (status, body) = pay(&s, &finance, d, "2026-12-03", "50000.01", true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(pay(&s, &finance, d, "2026-12-03", "50000", true).await.0, StatusCode::OK);
    let dec = draft(&s, &finance, "employee", "2026-12").await;
    let st = statements(&s, &finance, dec).await;
    assert_eq!(st[0].lines.iter().map(|l| l.amount_fen).sum::<i64>(), -100_000, "exactly the offset");
    assert_eq!((st[0].gross_fen, st[0].tax_fen, st[0].net_fen, st[0].carry_out_fen), (-100_000, 0, 0, -100_000));
    assert_eq!(st[0].carry_reason.map(|r| r.as_str()), Some("negative"));
    // The November statement is unchanged: it was frozen.
    assert_eq!(statements(&s, &finance, nov).await[0].gross_fen, 100_000);
    // January: the negative carry offsets new rewards.
    approve(&s, dec).await;
    let d2 = deal(&s, &sales, ["R-2", "13911140002", "12345.67", "2027-01-02", "", &code]).await;
    pay(&s, &sales, d2, "2027-01-03", "12345.67", false).await;
    let jan = draft(&s, &finance, "employee", "2027-01").await;
    let st = statements(&s, &finance, jan).await;
    assert_eq!((st[0].carried_in_fen, st[0].gross_fen, st[0].net_fen), (-100_000, 24_691 - 100_000, 0));
    s.stop().await;
}

#[tokio::test]
async fn concurrent_drafts_for_one_period_make_one_run() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, ["X-1", "13911150001", "1000", "2026-11-01", "", &code]).await;
    pay(&s, &sales, d, "2026-11-02", "1000", false).await;
    let finance = s.signed_in(FINANCE).await;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (c, url) = (finance.clone(), s.url("/api/draft_run"));
        calls.spawn(async move {
            let res = c
                .post(url)
                .header("Accept", "application/json")
                .form(&[("scope", "employee"), ("period", "2026-11")])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        });
    }
    while let Some(r) = calls.join_next().await {
        let (status, body) = r.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // (The scheduled job has drafted October, the month before today's.)
    assert_eq!(s.count("SELECT COUNT(*) FROM settlement_runs WHERE period = '2026-11'").await, 1);
    let run = s.count("SELECT id FROM settlement_runs WHERE period = '2026-11'").await;
    assert_eq!(s.count(&format!("SELECT COUNT(*) FROM statements WHERE run_id = {run}")).await, 1);
    let runs: Vec<RunRow> = s.call_json(&finance, "settlement_runs", &[]).await;
    let nov = runs.iter().find(|r| r.period == "2026-11").unwrap();
    assert_eq!((nov.statements, nov.gross_fen), (1, 2_000));
    s.stop().await;
}

async fn snapshot(s: &TestServer) -> String {
    type Row = (String, String, i64, Option<i64>, String, Option<String>, Option<i64>);
    let deals: Vec<Row> = sqlx::query_as(
        "SELECT order_no, customer_phone, amount_fen, cost_fen, signed_on, due_on, promoter_id FROM deals ORDER BY order_no",
    )
    .fetch_all(&s.state.db.pool)
    .await
    .unwrap();
    let payments: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT deal_id, paid_on, amount_fen FROM payments ORDER BY deal_id, paid_on")
            .fetch_all(&s.state.db.pool)
            .await
            .unwrap();
    format!("{deals:?}\n{payments:?}")
}

#[tokio::test]
async fn importing_the_same_csv_twice_leaves_the_same_database() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let csv = format!(
        "order_no,customer_phone,customer_name,amount,cost,signed_on,due_on,referral_code,paid_on,paid_amount\n\
         IMP-1,139 2222 0001,王先生,12345.67,,2026-11-01,2026-11-30,{code},2026-11-03,12345.67\n\
         IMP-2,+86 139 2222 0002,李女士,\"50,000.00\",30000,2026-11-02,,,,\n\
         IMP-3,12345,赵,abc,,2026-13-01,,,,\n"
    );
    let finance = s.signed_in(FINANCE).await;
    let first: ImportReport = s.call_json(&finance, "import_deals", &[("csv", &csv)]).await;
    assert_eq!((first.created, first.unchanged, first.payments), (2, 0, 1));
    assert_eq!(first.errors.len(), 1);
    let (line, problems) = &first.errors[0];
    assert_eq!(*line, 4);
    let fields: Vec<_> = problems.iter().map(|p| p.field.to_string()).collect();
    use app::features::deals::Field;
    assert_eq!(fields, names(&[Field::Phone, Field::Amount, Field::SignedOn]));
    let before = snapshot(&s).await;
    let second: ImportReport = s.call_json(&finance, "import_deals", &[("csv", &csv)]).await;
    assert_eq!((second.created, second.unchanged, second.payments), (0, 2, 0));
    assert_eq!(snapshot(&s).await, before);
    // The JSON endpoint follows the same rules.
    let key = s.api_key(&["deals:write"]).await;
    let res = s
        .client()
        .post(s.url("/api/v1/deals"))
        .bearer_auth(&key)
        .json(&serde_json::json!([{ "order_no": "API-1", "customer_phone": "13922220003", "amount_fen": 9950, "currency": "CNY", "signed_on": "2026-11-05" },
                                   { "order_no": "IMP-1", "customer_phone": "13922220001", "amount_fen": 100, "currency": "CNY", "signed_on": "2026-11-01" }]))
        .send()
        .await
        .unwrap();
    // IMP-1 again with another amount: the push is refused (409), named by row and field, and
    // nothing of it is recorded.
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let problem: AppError = res.json().await.unwrap();
    assert_eq!(field_names(&problem), vec!["[1].amount_fen"]);
    assert_eq!(s.count("SELECT amount_fen FROM deals WHERE order_no = 'IMP-1'").await, 1_234_567, "unchanged");
    assert_eq!(s.count("SELECT COUNT(*) FROM deals WHERE order_no = 'API-1'").await, 0);
    // And with another payment: refused too; the same row again is still unchanged.
    let resend = |paid: &str| {
        format!(
            "order_no,customer_phone,customer_name,amount,cost,signed_on,due_on,referral_code,paid_on,paid_amount\n\
             IMP-1,139 2222 0001,王先生,12345.67,,2026-11-01,2026-11-30,{code},2026-11-03,{paid}\n"
        )
    };
    let changed: ImportReport = s.call_json(&finance, "import_deals", &[("csv", &resend("100"))]).await;
    assert_eq!((changed.unchanged, changed.errors.len()), (0, 1));
    assert!(changed.errors[0].1[0].is(Field::PaidOn), "{:?}", changed.errors);
    let same: ImportReport = s.call_json(&finance, "import_deals", &[("csv", &resend("12345.67"))]).await;
    assert_eq!((same.unchanged, same.errors.len()), (1, 0));
    let imp1_payments = "SELECT COUNT(*) FROM payments p JOIN deals d ON d.id = p.deal_id WHERE d.order_no = 'IMP-1'";
    assert_eq!(s.count(imp1_payments).await, 1, "no payment added or lost");
    s.stop().await;
}

#[tokio::test]
async fn a_redeemed_code_ties_the_deal_and_issues_the_benefit_and_customers_earn_the_ladder() {
    let s = TestServer::start_unaudited().await;
    let customer_code = s.referral_code(CUSTOMER).await;
    // A new customer redeems the old customer's code (proving the phone with the code it is
    // texted): ¥200 first-order coupon.
    let anon = s.client();
    let check: String = s
        .call_json(
            &anon,
            "redeem_code",
            &[("code", &customer_code.to_lowercase()), ("name", "新客"), ("phone", "139 3333 0001")],
        )
        .await;
    let otp = texted_code(&s, "+8613933330001").await;
    let (status, body) = s.call(&anon, "confirm_redemption", &[("check", &check), ("otp", &otp)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let coupon: CouponRow = serde_json::from_str(&body).unwrap();
    assert_eq!((coupon.amount_fen, coupon.status.as_str()), (20_000, "issued"));
    let (status, body) = s.call(&anon, "redeem_code", &[("code", "NOPE"), ("name", ""), ("phone", "123")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> =
        serde_json::from_str::<AppError>(&body).unwrap().field_errors().iter().map(|e| e.field.to_string()).collect();
    assert_eq!(fields, names(&[app::features::deals::Field::Phone, app::features::deals::Field::ReferralCode]));
    // The deal without a code is attributed through the redemption.
    let sales = s.signed_in(SALES).await;
    let first = deal(&s, &sales, ["N-1", "13933330001", "5000", "2026-02-01", "", ""]).await;
    assert_eq!(
        app::features::rewards::store::facts::deal(&s.state.db.pool, first).await.unwrap().promoter_id,
        Some(s.count("SELECT id FROM users WHERE email = 'customer@demo.allhands.cn'").await)
    );
    pay(&s, &sales, first, "2026-02-02", "5000", false).await;
    // Three more referred customers this year: ¥200, ¥200, ¥800 + free service, ¥200.
    for (i, month) in ["05", "08", "11"].iter().enumerate() {
        let (order, phone, signed) =
            (format!("N-{}", i + 2), format!("1393333000{}", i + 2), format!("2026-{month}-01"));
        let id = deal(&s, &sales, [&order, &phone, "5000", &signed, "", &customer_code]).await;
        pay(&s, &sales, id, &format!("2026-{month}-02"), "5000", false).await;
    }
    let customer = s.signed_in(CUSTOMER).await;
    let mine: MyRewards = s.call_json(&customer, "load_my_rewards", &[]).await;
    let ladder: Vec<(i64, bool)> = mine.coupons.iter().map(|c| (c.amount_fen, c.perk)).collect();
    assert_eq!(ladder, vec![(20_000, false), (20_000, false), (80_000, true), (20_000, false)]);
    assert!(mine.statements.is_empty(), "customers get coupons, not cash statements");
    s.stop().await;
}

#[tokio::test]
async fn sampled_deals_wait_for_the_audit_and_a_rejection_reverses_them() {
    let s = TestServer::start().await;
    app::plumbing::settings::set(&s.state.db, "audit_percent", "100").await.unwrap();
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, ["A-1", "13944440001", "10000", "2026-11-01", "", &code]).await;
    pay(&s, &sales, d, "2026-11-02", "10000", false).await;
    let finance = s.signed_in(FINANCE).await;
    let run = draft(&s, &finance, "employee", "2026-11").await;
    assert!(statements(&s, &finance, run).await.is_empty(), "held until verified");
    let marketing = s.signed_in(MARKETING).await;
    let id = d.to_string();
    assert_eq!(s.call(&marketing, "decide_audit", &[("deal_id", &id), ("verified", "true")]).await.0, StatusCode::OK);
    draft(&s, &finance, "employee", "2026-11").await;
    assert_eq!(statements(&s, &finance, run).await[0].gross_fen, 20_000);
    approve(&s, run).await;
    // A later rejection reverses the paid reward in the next period.
    s.call(&marketing, "decide_audit", &[("deal_id", &id), ("verified", "false")]).await;
    let dec = draft(&s, &finance, "employee", "2026-12").await;
    let st = statements(&s, &finance, dec).await;
    assert_eq!(st[0].lines.len(), 1);
    assert!(st[0].lines[0].adjustment);
    assert_eq!(st[0].lines[0].amount_fen, -20_000);
    // The sample is keyed by the org secret: reproducible, about the configured share.
    let org = &s.state.org;
    let n = (1..=10_000).filter(|id| app::features::deals::store::deals::sampled(org, *id, 10)).count();
    assert!((800..1200).contains(&n), "{n}");
    assert_eq!(
        app::features::deals::store::deals::sampled(org, 42, 10),
        app::features::deals::store::deals::sampled(org, 42, 10)
    );
    s.stop().await;
}

#[tokio::test]
async fn deal_entry_names_bad_fields_and_refuses_a_known_order_number() {
    let s = TestServer::start_unaudited().await;
    let sales = s.signed_in(SALES).await;
    let (status, body) = s
        .call(
            &sales,
            "record_deal",
            &[
                ("deal[order_no]", ""),
                ("deal[customer_phone]", "12"),
                ("deal[amount]", "1.234"),
                ("deal[signed_on]", "x"),
                ("deal[referral_code]", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let e: AppError = serde_json::from_str(&body).unwrap();
    use app::features::deals::Field;
    assert_eq!(field_names(&e), names(&[Field::OrderNo, Field::Phone, Field::Amount, Field::SignedOn]));
    assert!(
        e.message(app::plumbing::i18n::Locale::ZhCn).contains("订单号"),
        "{}",
        e.message(app::plumbing::i18n::Locale::ZhCn)
    );
    deal(&s, &sales, ["D-1", "13955551111", "100", "2026-11-01", "", ""]).await;
    let (status, body) = s
        .call(
            &sales,
            "record_deal",
            &[
                ("deal[order_no]", "D-1"),
                ("deal[customer_phone]", "13955551111"),
                ("deal[amount]", "100"),
                ("deal[signed_on]", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(serde_json::from_str::<AppError>(&body).unwrap().field_errors()[0].field, Field::OrderNo.name());
    let (status, body) = s
        .call(
            &sales,
            "record_deal",
            &[
                ("deal[order_no]", "D-2"),
                ("deal[customer_phone]", "13955551112"),
                ("deal[amount]", "100"),
                ("deal[signed_on]", "2026-11-01"),
                ("deal[referral_code]", "ZZZZ"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(serde_json::from_str::<AppError>(&body).unwrap().field_errors()[0].field, Field::ReferralCode.name());
    s.stop().await;
}

/// Seed 004: a staff member's own booking, or their registered family's, earns the referrer
/// nothing, and the statement line says why.
#[tokio::test]
async fn staff_and_family_bookings_earn_no_referral_reward() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    // The marketing colleague (13800000002) buys; the employee registers their mother.
    let employee = s.signed_in(EMPLOYEE).await;
    let _: i64 = s.call_json(&employee, "add_family_member", &[("name", "张母"), ("phone", "139 0000 7777")]).await;
    let (status, _) = s.call(&employee, "add_family_member", &[("name", "重复"), ("phone", "13900007777")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a phone is registered once");
    let staff = deal(&s, &sales, ["SO-STAFF", "13800000002", "10000", "2026-11-01", "", &code]).await;
    let family = deal(&s, &sales, ["SO-FAMILY", "13900007777", "10000", "2026-11-01", "", &code]).await;
    let other = deal(&s, &sales, ["SO-OTHER", "13911112222", "10000", "2026-11-01", "", &code]).await;
    for d in [staff, family, other] {
        assert_eq!(pay(&s, &sales, d, "2026-11-05", "10000", false).await.0, StatusCode::OK);
    }
    let finance = s.signed_in(FINANCE).await;
    let run = draft(&s, &finance, "employee", "2026-11").await;
    let st = statements(&s, &finance, run).await;
    let lines = &st[0].lines;
    assert_eq!(lines.iter().map(|l| l.amount_fen).collect::<Vec<_>>(), vec![0, 0, 20_000]);
    assert!(lines[0].explanation_zh.contains("员工本人或登记家属"), "{}", lines[0].explanation_zh);
    assert!(lines[1].explanation_en.contains("staff or registered family"), "{}", lines[1].explanation_en);
    s.stop().await;
}

/// Each payment tells the promoter once, about its own reward: an older payment's reward is not
/// announced again whatever the ids (a line was once found by searching its key for the new
/// payment's id, which the promoter's own id matched too).
#[tokio::test]
async fn a_payment_announces_only_its_own_reward() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let employee = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, ["SO-7001", "13911117001", "10000", "2026-11-01", "", &code]).await;
    let other = deal(&s, &sales, ["SO-7002", "13911117002", "10000", "2026-11-01", "", ""]).await;
    assert_eq!(pay(&s, &sales, d, "2026-11-03", "4000", false).await.0, StatusCode::OK);
    // The deal's next payment gets the employee's own id.
    while s.count("SELECT COALESCE(MAX(id), 0) FROM payments").await < employee - 1 {
        assert_eq!(pay(&s, &sales, other, "2026-11-03", "1", false).await.0, StatusCode::OK);
    }
    assert_eq!(pay(&s, &sales, d, "2026-11-04", "6000", false).await.0, StatusCode::OK);
    let second =
        s.count("SELECT MAX(p.id) FROM payments p JOIN deals d ON d.id = p.deal_id WHERE d.order_no = 'SO-7001'").await;
    assert_eq!(second, employee, "the case that was announced twice");
    let announced =
        format!("SELECT COUNT(*) FROM outbox WHERE kind = 'reward_vested' AND recipient = 'user:{employee}'");
    assert_eq!(s.count(&announced).await, 2, "one message per payment");
    s.stop().await;
}

/// A statement names a promoter and a run that exist, and neither can be deleted while it does
/// (PostgreSQL checks each INSERT's rows at once instead of a foreign key per row).
#[tokio::test]
async fn a_statement_refers_to_a_promoter_and_a_run_that_exist() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, ["SO-8001", "13911118001", "10000", "2026-11-01", "", &code]).await;
    assert_eq!(pay(&s, &sales, d, "2026-11-03", "10000", false).await.0, StatusCode::OK);
    let finance = s.signed_in(FINANCE).await;
    let run = draft(&s, &finance, "employee", "2026-11").await;
    let employee = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let pool = &s.state.db.pool;
    let insert = |run: i64, promoter: i64| {
        sqlx::query(
            "INSERT INTO statements (run_id, promoter_id, treatment, carried_in_fen, gross_fen, tax_fen, net_fen, \
             carry_out_fen) VALUES ($1, $2, 'wages', 0, 0, 0, 0, 0)",
        )
        .bind(run)
        .bind(promoter)
        .execute(pool)
    };
    assert!(insert(run, 999_999).await.is_err(), "no such promoter");
    assert!(insert(999_999, employee).await.is_err(), "no such run");
    // A person referred to by nothing but a statement.
    sqlx::query(
        "INSERT INTO users (display_name, email, password_hash, created_at) VALUES ('x', 'x@test.invalid', 'x', 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    let bare = s.count("SELECT id FROM users WHERE email = 'x@test.invalid'").await;
    insert(run, bare).await.unwrap();
    let delete = |sql: &'static str, id: i64| sqlx::query(sql).bind(id).execute(pool);
    assert!(delete("DELETE FROM users WHERE id = $1", bare).await.is_err(), "the person has a statement");
    assert!(delete("DELETE FROM settlement_runs WHERE id = $1", run).await.is_err(), "the run has statements");
    assert_eq!(s.count(&format!("SELECT COUNT(*) FROM statements WHERE run_id = {run}")).await, 2);
    s.stop().await;
}

//! The reward ledger through the real server: accrual is exact and idempotent, a split is paid
//! in full, rule versions cannot reach into approved periods, a draft that died shows nothing
//! and the next one takes over, and "verify the ledger" names any difference.
mod common;
use app::features::rewards::engine::default_rules;
use app::features::rewards::model::LedgerCheck;
use app::features::rewards::store::{ledger, vesting};
use app::features::settlement::store::held::{self, Held};
use app::features::settlement::store::runs;
use app::features::settlement::{MyRewards, RunRow, StatementView};
use app::shared::period::{Period, DEFAULT_TZ};
use common::*;
use reqwest::{Client, StatusCode};

async fn deal(
    s: &TestServer,
    sales: &Client,
    order: &str,
    phone: &str,
    amount: &str,
    code: &str,
    service: &str,
) -> i64 {
    deal_on(s, sales, order, phone, amount, code, service, "2026-12-02").await
}

#[allow(clippy::too_many_arguments)]
async fn deal_on(
    s: &TestServer,
    sales: &Client,
    order: &str,
    phone: &str,
    amount: &str,
    code: &str,
    service: &str,
    signed_on: &str,
) -> i64 {
    let form = [
        ("deal[order_no]", order),
        ("deal[customer_phone]", phone),
        ("deal[amount]", amount),
        ("deal[signed_on]", signed_on),
        ("deal[referral_code]", code),
        ("deal[service]", service),
    ];
    s.call_json(sales, "record_deal", &form).await
}

async fn pay(s: &TestServer, c: &Client, deal: i64, amount: &str) {
    pay_on(s, c, deal, amount, "2026-12-03").await
}

async fn pay_on(s: &TestServer, c: &Client, deal: i64, amount: &str, paid_on: &str) {
    let form = [
        ("deal_id", deal.to_string()),
        ("paid_on", paid_on.into()),
        ("amount", amount.into()),
        ("refund", "false".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = s.call(c, "record_payment", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn ledger_lines(s: &TestServer, deal: i64) -> Vec<(i64, i64)> {
    let rows = sqlx::query_as::<_, (i64, i64)>(
        "SELECT promoter_id, amount_fen FROM reward_ledger WHERE deal_id = $1 ORDER BY amount_fen, promoter_id",
    )
    .bind(deal)
    .fetch_all(&s.state.db.pool)
    .await
    .unwrap();
    rows
}

/// Employees' rule 1 as a new version from `from` with this spec, as the rules form sends it.
fn rule_json(from: &str, spec: serde_json::Value) -> String {
    let rule = default_rules("2026-01-01".parse().unwrap(), None).into_iter().find(|r| r.id == 1).unwrap();
    let mut value = serde_json::to_value(&rule).unwrap();
    value["effective_from"] = from.into();
    value["spec"] = spec;
    value.to_string()
}

async fn user_id(s: &TestServer, login: &str) -> i64 {
    s.count(&format!("SELECT id FROM users WHERE email = '{login}'")).await
}

#[tokio::test]
async fn the_same_payment_accrued_twice_at_once_is_one_line() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, "L-1", "13911160001", "1000", &code, "").await;
    pay(&s, &sales, d, "1000").await;
    let employee = user_id(&s, EMPLOYEE).await;
    assert_eq!(ledger_lines(&s, d).await, vec![(employee, 2_000)], "2% of ¥1,000, accrued on payment");
    // The same fact queued again, taken by two accruals at once.
    for _ in 0..4 {
        sqlx::query("INSERT INTO accruals (customer) VALUES ('13911160001')").execute(&s.state.db.pool).await.unwrap();
    }
    let (a, b) = (s.state.clone(), s.state.clone());
    let (x, y) = tokio::join!(ledger::accrue_pending(&a, 1), ledger::accrue_pending(&b, 10));
    x.unwrap();
    y.unwrap();
    ledger::accrue_all(&s.state).await.unwrap();
    assert_eq!(ledger_lines(&s, d).await, vec![(employee, 2_000)]);
    assert_eq!(s.count("SELECT COUNT(*) FROM accruals").await, 0);
    // My rewards reads the ledger: vested, not yet paid by a run.
    let me = s.signed_in(EMPLOYEE).await;
    let mine: MyRewards = s.call_json(&me, "load_my_rewards", &[]).await;
    assert_eq!((mine.vested_fen, mine.pending_fen), (2_000, 0));
    let numbers: app::features::dashboard::MyNumbers = s.call_json(&me, "load_my_numbers", &[]).await;
    assert_eq!(
        (numbers.vested_fen, numbers.pending_fen, numbers.paid_fen),
        (2_000, 0, 0),
        "my numbers: the same ledger"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_one_one_eight_split_is_paid_in_full_to_three_people() {
    let s = TestServer::start_unaudited().await;
    let marketing = s.signed_in(MARKETING).await;
    // Employees' rule 1 becomes a 5% pool shared 1:1:8 by referrer, sales and service, from today.
    let today = today().to_string();
    let this_month = Period::month_of(chrono::Utc::now(), DEFAULT_TZ);
    let (month, next_month) = (this_month.key(), this_month.next().key());
    let json = rule_json(
        &today,
        serde_json::json!({"Split": {"rate": "0.05", "first_order": [["Referrer", "1"], ["Sales", "1"], ["Service", "8"]],
            "repeat": [["Referrer", "1"], ["Sales", "1"], ["Service", "8"]]}}),
    );
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &json), ("note", "分成试点")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    // Who serves must be staff.
    let (status, body) = s
        .call(
            &sales,
            "record_deal",
            &[
                ("deal[order_no]", "S-0"),
                ("deal[customer_phone]", "13911160009"),
                ("deal[amount]", "10000"),
                ("deal[signed_on]", "2026-12-02"),
                ("deal[service]", "13800000000"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("service"), "{body}");
    let d = deal_on(&s, &sales, "S-1", "13911160002", "10000", &code, MARKETING, &today).await;
    pay_on(&s, &sales, d, "10000", &today).await;
    let (referrer, rep, service) =
        (user_id(&s, EMPLOYEE).await, user_id(&s, SALES).await, user_id(&s, MARKETING).await);
    let mut lines = ledger_lines(&s, d).await;
    lines.sort();
    let mut want = vec![(referrer, 5_000), (rep, 5_000), (service, 40_000)];
    want.sort();
    assert_eq!(lines, want, "¥500 pool: ¥50 + ¥50 + ¥400");
    let finance = s.signed_in(FINANCE).await;
    let run: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", &month)]).await;
    let st: Vec<StatementView> = s.call_json(&finance, "run_statements", &[("run_id", &run.to_string())]).await;
    let paid: i64 = st.iter().flat_map(|s| &s.lines).map(|l| l.amount_fen).sum();
    assert_eq!(paid, 50_000, "the whole pool is paid");

    // An approval dies after settling one statement of three: the run is not drafted again,
    // and the next approval finishes it without settling that statement twice.
    let read = s.count(&format!("SELECT ledger_read FROM settlement_runs WHERE id = {run}")).await;
    let pool = &s.state.db.pool;
    sqlx::query("UPDATE settlement_runs SET draft_token = 7, draft_beat = $1, settling_from = $1 WHERE id = $2")
        .bind(chrono::Utc::now().timestamp_millis())
        .bind(run)
        .execute(pool)
        .await
        .unwrap();
    held::record(&s.state, run, Held::new(read, &month).unwrap(), 7).await.unwrap();
    assert!(runs::settle_some(&s.state, run, read, 7, 1).await.unwrap());
    sqlx::query("UPDATE settlement_runs SET draft_beat = 0 WHERE id = $1").bind(run).execute(pool).await.unwrap();
    let (status, body) = s.call(&finance, "draft_run", &[("scope", "employee"), ("period", &month)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Nor is another run of the scope approved before it.
    let admin = s.signed_in(ADMIN).await;
    let next: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", &next_month)]).await;
    let (status, body) = s.call(&admin, "run_action", &[("run_id", &next.to_string()), ("action", "approve")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("being approved") || body.contains("正在审批"), "{body}");
    assert_eq!(
        s.call(&admin, "run_action", &[("run_id", &run.to_string()), ("action", "approve")]).await.0,
        StatusCode::OK
    );
    let settled: Vec<(i64, i64)> =
        sqlx::query_as("SELECT amount_fen, settled_fen FROM reward_ledger WHERE deal_id = $1 ORDER BY amount_fen")
            .bind(d)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(settled, vec![(5_000, 5_000), (5_000, 5_000), (40_000, 40_000)], "each line settled once");
    let approved: Vec<StatementView> = s.call_json(&finance, "run_statements", &[("run_id", &run.to_string())]).await;
    let lines = |v: &[StatementView]| v.iter().map(|s| (s.gross_fen, s.lines.clone())).collect::<Vec<_>>();
    assert_eq!(lines(&approved), lines(&st), "approved as drafted");
    s.stop().await;
}

#[tokio::test]
async fn a_rule_version_cannot_start_inside_an_approved_period() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let today = today().to_string();
    let this_month = Period::month_of(chrono::Utc::now(), DEFAULT_TZ);
    let d = deal_on(&s, &sales, "B-1", "13911160003", "1000", &code, "", &today).await;
    pay_on(&s, &sales, d, "1000", &today).await;
    let finance = s.signed_in(FINANCE).await;
    let run: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", &this_month.key())]).await;
    let admin = s.signed_in(ADMIN).await;
    let (status, body) = s.call(&admin, "run_action", &[("run_id", &run.to_string()), ("action", "approve")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let marketing = s.signed_in(MARKETING).await;
    let three = serde_json::json!({"PercentOfDeal": {"rate": "0.03"}});
    // From today: not in the past, but inside this month, approved already.
    let (status, body) =
        s.call(&marketing, "save_rule", &[("spec", &rule_json(&today, three.clone())), ("note", "3%")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "inside the approved month: {body}");
    assert_eq!(field_names(&error_of(&body)), ["starts_on"], "{body}");
    assert!(body.contains("already approved"), "{body}");
    let next = this_month.next().dates().0.to_string();
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &rule_json(&next, three)), ("note", "3%")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.stop().await;
}

#[tokio::test]
async fn a_draft_that_died_shows_nothing_and_the_next_one_takes_over() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, "C-1", "13911160004", "1000", &code, "").await;
    pay(&s, &sales, d, "1000").await;
    let finance = s.signed_in(FINANCE).await;
    let run: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", "2026-12")]).await;
    // As a draft killed midway leaves it: drafting, a stale lease, part of its statements.
    sqlx::query("UPDATE settlement_runs SET status = 'drafting', draft_token = 7, draft_beat = 0 WHERE id = $1")
        .bind(run)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let runs: Vec<RunRow> = s.call_json(&finance, "settlement_runs", &[]).await;
    let dec = runs.iter().find(|r| r.id == run).unwrap();
    assert_eq!((dec.statements, dec.gross_fen, dec.status.as_str()), (0, 0, "drafting"), "nothing partial is shown");
    let st: Vec<StatementView> = s.call_json(&finance, "run_statements", &[("run_id", &run.to_string())]).await;
    assert!(st.is_empty());
    let admin = s.signed_in(ADMIN).await;
    let (status, _) = s.call(&admin, "run_action", &[("run_id", &run.to_string()), ("action", "approve")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a drafting run cannot be approved");
    let again: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", "2026-12")]).await;
    assert_eq!(again, run);
    let st: Vec<StatementView> = s.call_json(&finance, "run_statements", &[("run_id", &run.to_string())]).await;
    assert_eq!((st.len(), st[0].gross_fen), (1, 2_000), "drafted whole, once");
    s.stop().await;
}

#[tokio::test]
async fn verifying_the_ledger_names_a_line_that_differs() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    for (i, amount) in ["1000", "2345.67", "88"].iter().enumerate() {
        let d = deal(&s, &sales, &format!("V-{i}"), &format!("1391116010{i}"), amount, &code, "").await;
        pay(&s, &sales, d, amount).await;
    }
    let finance = s.signed_in(FINANCE).await;
    let check: LedgerCheck = s.call_json(&finance, "verify_ledger", &[]).await;
    assert_eq!((check.lines, check.differences.len()), (3, 0), "{check:?}");
    sqlx::query("UPDATE reward_ledger SET amount_fen = amount_fen + 1 WHERE deal_id = (SELECT id FROM deals WHERE order_no = 'V-1')")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let check: LedgerCheck = s.call_json(&finance, "verify_ledger", &[]).await;
    assert_eq!(check.differences.len(), 1, "{check:?}");
    let diff = &check.differences[0];
    assert_eq!((diff.ledger_fen, diff.engine_fen), (4_692, 4_691));
    assert_eq!(diff.promoter_id, user_id(&s, EMPLOYEE).await);
    // Sales may not run it.
    assert_eq!(s.call(&sales, "verify_ledger", &[]).await.0, StatusCode::FORBIDDEN);
    s.stop().await;
}

#[tokio::test]
async fn a_reward_held_for_the_audit_is_announced_once_when_verified() {
    let s = TestServer::start().await;
    app::plumbing::settings::set(&s.state.db, "audit_percent", "100").await.unwrap();
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, "H-1", "13911160005", "10000", &code, "").await;
    pay(&s, &sales, d, "10000").await;
    let to = format!("user:{}", user_id(&s, EMPLOYEE).await);
    let told = |s: &TestServer, to: &str| {
        let sql = format!("SELECT COUNT(*) FROM outbox WHERE kind = 'reward_vested' AND recipient = '{to}' AND body LIKE '%已确认，%'");
        let s = s.state.db.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(&sql).fetch_one(&s).await.unwrap() }
    };
    let held = format!(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'reward_vested' AND recipient = '{to}' AND body LIKE '%待核验%'"
    );
    assert_eq!(s.count(&held).await, 1, "told it waits for the audit");
    assert_eq!(told(&s, &to).await, 0);
    assert_eq!(vesting::announce_vested(&s.state).await.unwrap(), 0, "nothing vested yet");
    let marketing = s.signed_in(MARKETING).await;
    let id = d.to_string();
    assert_eq!(s.call(&marketing, "decide_audit", &[("deal_id", &id), ("verified", "true")]).await.0, StatusCode::OK);
    ledger::accrue_all(&s.state).await.unwrap();
    assert_eq!(vesting::announce_vested(&s.state).await.unwrap(), 1);
    assert_eq!(told(&s, &to).await, 1, "told once it vested");
    assert_eq!(vesting::announce_vested(&s.state).await.unwrap(), 0, "and only once");
    s.stop().await;
}

#[tokio::test]
async fn the_first_order_uses_the_benefit_coupon_issued_to_the_customer() {
    let s = TestServer::start_unaudited().await;
    for (code, source, phone) in [("BEN1", "benefit:a", "+8613911160006"), ("BEN2", "benefit:b", "+8613911160007")] {
        sqlx::query(
            "INSERT INTO coupons (code, source, owner_phone, amount_fen, issued_at, expires_on) VALUES ($1, $2, $3, 20000, 0, '2027-12-31')",
        )
        .bind(code)
        .bind(source)
        .bind(phone)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    }
    let sales = s.signed_in(SALES).await;
    let first = deal(&s, &sales, "K-1", "139 1116 0006", "1000", "", "").await;
    let later = deal(&s, &sales, "K-2", "13911160006", "500", "", "").await;
    let used = s.count("SELECT COUNT(*) FROM coupons WHERE code = 'BEN1' AND status = 'redeemed'").await;
    let by = s.count("SELECT redeemed_deal_id FROM coupons WHERE code = 'BEN1'").await;
    assert_eq!((used, by), (1, first), "redeemed by the first order");
    assert_ne!(by, later);
    // Another customer's coupon waits for that customer's first order.
    assert_eq!(s.count("SELECT COUNT(*) FROM coupons WHERE code = 'BEN2' AND status = 'issued'").await, 1);
    let _ = deal(&s, &sales, "K-3", "13911160007", "500", "", "").await;
    assert_eq!(s.count("SELECT COUNT(*) FROM coupons WHERE code = 'BEN2' AND status = 'redeemed'").await, 1);
    s.stop().await;
}

#[tokio::test]
async fn a_draft_shows_the_ledger_as_it_read_it_until_approved() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let a = deal(&s, &sales, "K-1", "13911160011", "1000", &code, "").await;
    pay(&s, &sales, a, "1000").await;
    let b = deal(&s, &sales, "K-2", "13911160012", "3000", &code, "").await;
    pay(&s, &sales, b, "3000").await;
    let finance = s.signed_in(FINANCE).await;
    let admin = s.signed_in(ADMIN).await;
    let draft = |period: &'static str| {
        let (s, finance) = (&s, &finance);
        async move { s.call_json::<i64>(finance, "draft_run", &[("scope", "employee"), ("period", period)]).await }
    };
    let shown = |run: i64| {
        let (s, finance) = (&s, &finance);
        async move { s.call_json::<Vec<StatementView>>(finance, "run_statements", &[("run_id", &run.to_string())]).await }
    };
    let dec = draft("2026-12").await;
    let drafted = shown(dec).await;
    assert_eq!(drafted[0].gross_fen, 8_000);
    assert_eq!(drafted[0].lines.iter().map(|l| l.amount_fen).collect::<Vec<_>>(), vec![2_000, 6_000]);
    // January drafted too, before December is approved: it also reads December's open lines.
    let jan = draft("2027-01").await;
    assert_eq!(shown(jan).await[0].gross_fen, 8_000);

    // After the drafts: K-1's reward is reversed (a rejected audit) and a new deal earns.
    sqlx::query("UPDATE deals SET audit = 'rejected' WHERE id = $1").bind(a).execute(&s.state.db.pool).await.unwrap();
    let c = deal(&s, &sales, "K-3", "13911160013", "500", &code, "").await;
    pay(&s, &sales, c, "500").await;
    ledger::accrue_all(&s.state).await.unwrap();
    let reversed = ledger_lines(&s, a).await;
    assert!(reversed.iter().all(|(_, fen)| *fen == 0), "the ledger no longer pays K-1: {reversed:?}");
    assert_eq!(shown(dec).await, drafted, "the draft still shows what it read");

    let approve = |run: i64| {
        let (s, admin) = (&s, &admin);
        async move { s.call(admin, "run_action", &[("run_id", &run.to_string()), ("action", "approve")]).await }
    };
    assert_eq!(approve(dec).await.0, StatusCode::OK);
    let approved = shown(dec).await;
    assert_eq!(approved[0].run_status.as_str(), "approved");
    let money = |v: &[StatementView]| v.iter().map(|s| (s.gross_fen, s.net_fen, s.lines.clone())).collect::<Vec<_>>();
    assert_eq!(money(&approved), money(&drafted), "approval pays exactly what was shown, and keeps it");
    let paid: Vec<(i64, i64)> =
        sqlx::query_as("SELECT amount_fen, settled_fen FROM reward_ledger WHERE deal_id = $1 AND settled_fen <> 0")
            .bind(a)
            .fetch_all(&s.state.db.pool)
            .await
            .unwrap();
    assert_eq!(paid, vec![(0, 2_000)], "a paid line the facts no longer earn stays, at zero");

    // January read December's lines before December was paid: approving it would pay them twice.
    let (status, body) = approve(jan).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("draft it again") || body.contains("重新生成草稿"), "{body}");
    assert_eq!(draft("2027-01").await, jan);
    let redrafted = shown(jan).await;
    assert_eq!(redrafted[0].gross_fen, -1_000, "K-1 taken back, K-3 paid: {redrafted:?}");
    let mut amounts: Vec<i64> = redrafted[0].lines.iter().map(|l| l.amount_fen).collect();
    amounts.sort();
    assert_eq!(amounts, vec![-2_000, 1_000]);
    assert_eq!(approve(jan).await.0, StatusCode::OK);
    assert_eq!(s.count("SELECT COUNT(*) FROM ledger_reads").await, 0, "no hold outlives its run");
    s.stop().await;
}

#[tokio::test]
async fn a_boost_window_set_later_re_accrues_the_campaign_deals() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let form = [
        ("deal[order_no]", "X-1"),
        ("deal[customer_phone]", "13911160021"),
        ("deal[amount]", "10000"),
        ("deal[signed_on]", "2026-12-02"),
        ("deal[referral_code]", code.as_str()),
        ("deal[campaign_id]", "1"),
    ];
    let d: i64 = s.call_json(&sales, "record_deal", &form).await;
    pay(&s, &sales, d, "10000").await;
    ledger::accrue_all(&s.state).await.unwrap();
    assert_eq!(ledger_lines(&s, d).await.iter().map(|l| l.1).sum::<i64>(), 20_000);
    // Marketing doubles the campaign's rewards for the first week of December, after the fact.
    sqlx::query("UPDATE campaigns SET boosts = '[{\"starts_on\":\"2026-12-01\",\"ends_on\":\"2026-12-07\",\"multiplier\":\"2\"}]' WHERE id = 1")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    ledger::accrue_all(&s.state).await.unwrap();
    assert_eq!(ledger_lines(&s, d).await.iter().map(|l| l.1).sum::<i64>(), 40_000, "the boost reaches the ledger");
    s.stop().await;
}

/// A change of terms applies from its date on: a payment made before it keeps the reward it
/// earned even when its customer's deals are accrued again later, and the ledger still equals
/// the engine's full recompute.
#[tokio::test]
async fn a_change_of_terms_applies_to_payments_from_its_date_on() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    // A 30-day holding period decided earlier, in force from 2026-12-03.
    let (_turn, mut tx) = s.state.db.begin_write().await.unwrap();
    app::plumbing::settings::put_from(&mut tx, "holding_days", "30", "2026-12-03".parse().unwrap(), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    drop(_turn);
    let paid_on = |d: i64, on: &'static str, amount: &'static str| {
        [("deal_id", d.to_string()), ("paid_on", on.into()), ("amount", amount.into()), ("refund", "false".into())]
    };
    let mut deals = Vec::new();
    for (i, on) in ["2026-12-02", "2026-12-03"].into_iter().enumerate() {
        let d = deal(&s, &sales, &format!("T-{i}"), &format!("1391116030{i}"), "10000", &code, "").await;
        let form = paid_on(d, on, "5000");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(s.call(&sales, "record_payment", &form).await.0, StatusCode::OK);
        deals.push(d);
    }
    // The first customer pays the rest after the change: that customer's deals accrue again.
    let form = paid_on(deals[0], "2026-12-03", "5000");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(s.call(&sales, "record_payment", &form).await.0, StatusCode::OK);
    ledger::accrue_all(&s.state).await.unwrap();
    let vesting: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT deal_id, amount_fen, vests_on FROM reward_ledger WHERE deal_id IS NOT NULL ORDER BY deal_id, vests_on",
    )
    .fetch_all(&s.state.db.pool)
    .await
    .unwrap();
    let want = vec![
        (deals[0], 10_000, "2026-12-02".to_string()),
        (deals[0], 10_000, "2027-01-02".to_string()),
        (deals[1], 10_000, "2027-01-02".to_string()),
    ];
    assert_eq!(vesting, want, "paid before the change: vests at once; after: 30 days later");
    let finance = s.signed_in(FINANCE).await;
    let check: LedgerCheck = s.call_json(&finance, "verify_ledger", &[]).await;
    assert_eq!((check.lines, check.differences.len()), (3, 0), "{check:?}");
    s.stop().await;
}

/// The draft's per-promoter sums (made by the database) against the statements the pure rule
/// makes from the same rows, over ledgers of every kind of row: paid, partly paid, reversed,
/// zero, coupon, before and in the period, kept for the hold after a change.
#[tokio::test]
async fn a_drafts_sums_equal_the_statements_line_by_line() {
    use app::features::rewards::store::revision;
    use app::features::settlement::tax::TaxTreatment;
    use std::collections::BTreeMap;
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    let d = deal(&s, &sales, "P-1", "13911160031", "1000", &code, "").await;
    pay(&s, &sales, d, "1000").await;
    ledger::accrue_all(&s.state).await.unwrap();
    let pool = &s.state.db.pool;
    let template: String = sqlx::query_scalar("SELECT line FROM reward_ledger LIMIT 1").fetch_one(pool).await.unwrap();
    let promoters: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM users ORDER BY id LIMIT 6").fetch_all(pool).await.unwrap();
    let mut seed: u64 = 17;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let days = ["2026-10-15", "2026-11-01", "2026-11-30", "2026-12-01", "2026-12-31"];
    for round in 0..4 {
        for i in 0..120 {
            let promoter = promoters[next(promoters.len() as u64) as usize];
            let amount = [0, 0, 1_000, 2_345, -500, 99][next(6) as usize];
            let settled = [0, 0, 0, 1_000, 2_345, 700][next(6) as usize];
            let on = days[next(days.len() as u64) as usize];
            let cash = next(5) != 0;
            let gone = next(6) == 0;
            let key = format!("prop:{round}:{i}");
            let mut line: serde_json::Value = serde_json::from_str(&template).unwrap();
            line["key"] = key.clone().into();
            line["promoter_id"] = promoter.into();
            line["amount_fen"] = amount.into();
            line["vests_on"] = on.into();
            line["kind"] = if cash { "Cash".into() } else { serde_json::json!({"Coupon": {"perk": false}}) };
            let (amount, text) = if gone { (0, None) } else { (amount, Some(line.to_string())) };
            sqlx::query(
                "INSERT INTO reward_ledger (line_key, promoter_id, amount_fen, settled_fen, vests_on, line, accrued_at, cash) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
            )
            .bind(&key)
            .bind(promoter)
            .bind(amount)
            .bind(settled)
            .bind(on)
            .bind(text)
            .bind(i64::from(cash))
            .execute(pool)
            .await
            .unwrap();
        }
        let (turn, mut tx) = s.state.db.begin_write().await.unwrap();
        let read = revision::hold(&mut tx).await.unwrap();
        // Some rows change after the hold: the hold keeps them as they were.
        let tick = revision::tick(&mut tx).await.unwrap();
        for i in (0..120).step_by(7) {
            let key = format!("prop:{round}:{i}");
            revision::keep_line(&mut tx, &tick, &key).await.unwrap();
            sqlx::query("UPDATE reward_ledger SET settled_fen = settled_fen + 1, revision = $2 WHERE line_key = $1")
                .bind(&key)
                .bind(tick.revision)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        drop(turn);
        let held = Held::new(read, "2026-11").unwrap();
        let treatments: BTreeMap<i64, TaxTreatment> =
            promoters.iter().map(|p| (*p, TaxTreatment::Incidental)).collect();
        let carried: BTreeMap<i64, i64> = BTreeMap::from([(promoters[0], -300), (promoters[1], 5_000)]);
        for minimum in [0, 3_000] {
            let full = held::statements(pool, held, &treatments, &carried, minimum).await.unwrap();
            let summed = held::sums(pool, held, &treatments, &carried, minimum).await.unwrap();
            let money = |v: &[app::features::settlement::statements::Statement]| {
                v.iter()
                    .map(|s| (s.promoter_id, s.gross_fen, s.tax_fen, s.net_fen, s.carry_out_fen, s.carry_reason))
                    .collect::<Vec<_>>()
            };
            assert_eq!(money(&summed), money(&full), "round {round}, minimum {minimum}");
            assert!(full.iter().any(|s| s.lines.iter().any(|l| l.adjustment)), "the ledger has adjustments");
        }
        let (_turn, mut tx) = s.state.db.begin_write().await.unwrap();
        revision::release(&mut tx, read).await.unwrap();
        tx.commit().await.unwrap();
    }
    s.stop().await;
}

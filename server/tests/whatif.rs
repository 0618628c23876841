//! What-if replay through the real server: a past period replayed under the rules in force
//! comes to what its approved run paid, to the fen; a draft rule's cost is the engine's over
//! the same facts, explained per promoter; only past periods, valid rules and marketing.
mod common;
use app::features::rewards::model::{RuleRow, WhatIf};
use app::features::settlement::StatementView;
use common::*;
use reqwest::{Client, StatusCode};

async fn deal(s: &TestServer, sales: &Client, [order, phone, amount, signed, due, code]: [&str; 6]) -> i64 {
    let form = [
        ("deal[order_no]", order),
        ("deal[customer_phone]", phone),
        ("deal[amount]", amount),
        ("deal[signed_on]", signed),
        ("deal[due_on]", due),
        ("deal[referral_code]", code),
    ];
    s.call_json(sales, "record_deal", &form).await
}

async fn pay(s: &TestServer, c: &Client, deal: i64, on: &str, amount: &str) {
    money(s, c, deal, on, amount, "false").await
}

/// A payment, or a refund (`refund` "true") of `amount`.
async fn money(s: &TestServer, c: &Client, deal: i64, on: &str, amount: &str, refund: &str) {
    let id = deal.to_string();
    let form = [("deal_id", id.as_str()), ("paid_on", on), ("amount", amount), ("refund", refund)];
    let (status, body) = s.call(c, "record_payment", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Employees' rule 1 as it stands, with `spec` in place of its kind when given.
async fn rule_1(s: &TestServer, marketing: &Client, spec: Option<serde_json::Value>) -> String {
    let rows: Vec<RuleRow> = s.call_json(marketing, "reward_rules", &[]).await;
    let current = rows.iter().filter(|r| r.rule_id == 1).max_by_key(|r| r.version).unwrap();
    let mut rule: serde_json::Value = serde_json::from_str(&current.spec).unwrap();
    if let Some(spec) = spec {
        rule["spec"] = spec;
        rule["effective_from"] = "2027-01-01".into();
    }
    rule.to_string()
}

#[tokio::test]
async fn a_replay_under_the_rules_in_force_equals_what_the_run_paid() {
    let s = TestServer::start_unaudited().await;
    let code = s.referral_code(EMPLOYEE).await;
    let sales = s.signed_in(SALES).await;
    // PRODUCT.md §4 examples 1 and 2 in November: on time, and 45 days late (−20%).
    let a = deal(&s, &sales, ["W-1", "13911170001", "12345.67", "2026-11-01", "2026-11-30", &code]).await;
    let b = deal(&s, &sales, ["W-2", "13911170002", "50000", "2026-11-02", "2026-11-30", &code]).await;
    let c = deal(&s, &sales, ["W-3", "13911170003", "10000", "2026-09-15", "2026-10-01", &code]).await;
    pay(&s, &sales, a, "2026-11-03", "12345.67").await;
    pay(&s, &sales, b, "2026-11-20", "50000").await;
    pay(&s, &sales, c, "2026-11-15", "10000").await;
    // A returning customer: their first order (August, nobody's referral) makes November's a
    // repurchase, which the replay sees only by reading the customer's history before the period.
    let earlier = deal(&s, &sales, ["W-0", "13911170004", "8000", "2026-08-01", "2026-08-31", ""]).await;
    pay(&s, &sales, earlier, "2026-08-05", "8000").await;
    let again = deal(&s, &sales, ["W-4", "13911170004", "20000", "2026-11-05", "2026-11-30", &code]).await;
    pay(&s, &sales, again, "2026-11-10", "20000").await;

    let finance = s.signed_in(FINANCE).await;
    let run: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", "2026-11")]).await;
    let admin = s.signed_in(ADMIN).await;
    let (status, body) = s.call(&admin, "run_action", &[("run_id", &run.to_string()), ("action", "approve")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let paid: Vec<StatementView> = s.call_json(&finance, "run_statements", &[("run_id", &run.to_string())]).await;
    let paid_fen: i64 = paid.iter().map(|s| s.gross_fen).sum();
    assert!(paid_fen >= 24_691 + 100_000 + 16_000, "{paid_fen}");

    let marketing = s.signed_in(MARKETING).await;
    let same = rule_1(&s, &marketing, None).await;
    let w: WhatIf = s.call_json(&marketing, "replay_rule", &[("spec", &same), ("period", "2026-11")]).await;
    assert_eq!(w.before_fen, paid_fen, "the rules in force replay to what the run paid");
    assert_eq!(w.after_fen, paid_fen, "the same rule changes nothing");
    assert_eq!(w.promoters_changed, 0);
    assert!(w.movers.is_empty());
    assert_eq!(w.groups.iter().map(|g| g.before_fen).sum::<i64>(), paid_fen);

    // 3% instead of 2% for the employee's three deals, each line rounded once: ¥370.37,
    // ¥1,500.00 and ¥240.00 (45 days late: 3% × 0.8 of ¥10,000) against ¥246.91, ¥1,000.00, ¥160.00.
    let three = rule_1(&s, &marketing, Some(serde_json::json!({"PercentOfDeal": {"rate": "0.03"}}))).await;
    let w: WhatIf = s.call_json(&marketing, "replay_rule", &[("spec", &three), ("period", "2026-11")]).await;
    let employee = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let mover = w.movers.iter().find(|m| m.promoter_id == employee).expect("the employee's reward changes");
    assert_eq!(mover.after_fen - mover.before_fen, 37_037 + 150_000 + 24_000 - (24_691 + 100_000 + 16_000));
    assert_eq!(w.after_fen - w.before_fen, (w.movers.iter().map(|m| m.after_fen - m.before_fen)).sum::<i64>());
    assert!(mover.after_lines.iter().any(|l| l.explanation_en.contains("3% of ¥12,345.67") && l.amount_fen == 37_037));
    assert!(mover.before_lines.iter().any(|l| l.amount_fen == 24_691));
    assert!(w.roi_after_centi < w.roi_before_centi, "{w:?}");
    assert!(w.cost_ratio_after_bp > w.cost_ratio_before_bp, "{w:?}");
    // Nothing was written: the ledger still pays 2%.
    assert_eq!(s.count(&format!("SELECT amount_fen FROM reward_ledger WHERE deal_id = {a}")).await, 24_691);

    // Only a period that has ended, a valid rule, and marketing.
    let (status, body) = s.call(&marketing, "replay_rule", &[("spec", &three), ("period", "2030-01")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("period"), "{body}");
    let (status, body) = s.call(&marketing, "replay_rule", &[("spec", "{\"id\": 1}"), ("period", "2026-11")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("spec"), "{body}");
    let employee_client = s.signed_in(EMPLOYEE).await;
    let (status, _) = s.call(&employee_client, "replay_rule", &[("spec", &three), ("period", "2026-11")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let periods: Vec<String> = s.call_json(&marketing, "replay_periods", &[]).await;
    assert_eq!(periods.len(), 10, "four quarters and six months: {periods:?}");
    assert!(periods[0].contains("-Q") && periods[4].len() == 7, "{periods:?}");
    s.stop().await;
}

/// The replay reads payments by customer (`customer_payments`), which the database keeps in the
/// payment's own transaction: the copy always equals payments joined with their deals, follows
/// a deal to another customer, and payments themselves are appended only (a refund is a
/// negative payment).
#[tokio::test]
async fn payments_are_kept_by_customer_and_never_changed() {
    let s = TestServer::start().await;
    let sales = s.signed_in(SALES).await;
    let a = deal(&s, &sales, ["K-1", "13911180001", "1000", "2026-10-01", "2026-10-31", ""]).await;
    let b = deal(&s, &sales, ["K-2", "13911180002", "2000", "2026-10-02", "2026-10-31", ""]).await;
    pay(&s, &sales, a, "2026-10-03", "1000").await;
    pay(&s, &sales, b, "2026-10-04", "2000").await;
    money(&s, &sales, b, "2026-10-05", "500", "true").await;
    let differing = "SELECT COUNT(*) FROM payments p JOIN deals d ON d.id = p.deal_id \
        LEFT JOIN customer_payments c ON c.payment_id = p.id AND c.customer = d.customer_phone \
        AND c.deal_id = p.deal_id AND c.paid_on = p.paid_on AND c.amount_fen = p.amount_fen WHERE c.payment_id IS NULL";
    let copies = "SELECT COUNT(*) FROM customer_payments";
    assert_eq!(s.count(copies).await, s.count("SELECT COUNT(*) FROM payments").await);
    assert_eq!(s.count(differing).await, 0);
    let refunds = format!("SELECT COUNT(*) FROM customer_payments WHERE deal_id = {b} AND amount_fen = -50000");
    assert_eq!(s.count(&refunds).await, 1);

    let pool = &s.state.db.pool;
    sqlx::query(&format!("UPDATE deals SET customer_phone = '+8613911180001' WHERE id = {b}"))
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(s.count(differing).await, 0, "the copy follows the deal to its new customer");
    assert_eq!(s.count("SELECT COUNT(*) FROM customer_payments WHERE customer = '+8613911180001'").await, 3);

    let paid = s.count("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM payments").await;
    assert!(sqlx::query("UPDATE payments SET amount_fen = 1").execute(pool).await.is_err());
    assert!(sqlx::query("DELETE FROM payments").execute(pool).await.is_err());
    assert_eq!(s.count("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM payments").await, paid);
    assert_eq!(s.count(copies).await, s.count("SELECT COUNT(*) FROM payments").await);
    s.stop().await;
}

//! The multi-level guard (禁止传销条例 art. 7) through the real server, on SQLite and
//! PostgreSQL: rewards are one level by default; a rule may pay one level above the referrer
//! only once admin switches the second level on; a third level and a reward for recruiting are
//! refused, naming the field and the regulation.
mod common;
use app::features::rewards::model::LedgerCheck;
use app::features::rewards::store::ledger;
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::json;

/// Customers' commission (rule 60) from today: 2% to the referrer, and `upline` above.
fn rule(upline: serde_json::Value, spec: serde_json::Value) -> String {
    json!({
        "id": 60, "version": 1, "name": "老客二级佣金", "promoter_kind": "customer",
        "department_id": null, "campaign_id": null, "effective_from": today().to_string(),
        "effective_to": null, "attribution": "FirstOrder", "spec": spec, "upline": upline,
    })
    .to_string()
}

fn two_percent() -> serde_json::Value {
    json!({"PercentOfDeal": {"rate": "0.02"}})
}

async fn refused(s: &TestServer, marketing: &Client, spec: &str) -> (Vec<String>, String) {
    let (status, body) = s.call(marketing, "save_rule", &[("spec", spec), ("note", "二级奖励")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    (field_names(&error_of(&body)), body)
}

async fn deal(s: &TestServer, sales: &Client, order: &str, phone: &str, code: &str) -> i64 {
    let on = today().to_string();
    let form = [
        ("deal[order_no]", order),
        ("deal[customer_phone]", phone),
        ("deal[amount]", "10000"),
        ("deal[signed_on]", on.as_str()),
        ("deal[referral_code]", code),
    ];
    s.call_json(sales, "record_deal", &form).await
}

async fn user_id(s: &TestServer, email: &str) -> i64 {
    s.count(&format!("SELECT id FROM users WHERE email = '{email}'")).await
}

#[tokio::test]
async fn the_second_level_pays_one_level_above_once_admin_switches_it_on_and_never_a_third() {
    let s = TestServer::start_unaudited().await;
    let (admin, marketing, sales) = (s.signed_in(ADMIN).await, s.signed_in(MARKETING).await, s.signed_in(SALES).await);
    // Off by default: a rule paying a level above is refused, with the reason.
    let (fields, body) = refused(&s, &marketing, &rule(json!(["0.01"]), two_percent())).await;
    assert_eq!(fields, ["upline"]);
    assert!(body.contains("二级奖励未开启") && body.contains("禁止传销条例"), "{body}");
    // A third level, and rewards for recruiting promoters or signing up: refused however sent.
    let (fields, body) = refused(&s, &marketing, &rule(json!(["0.01", "0.005"]), two_percent())).await;
    assert_eq!(fields, ["upline"]);
    assert!(body.contains("不能有第三级"), "{body}");
    for event in ["Recruit", "SignUp"] {
        let spec = json!({"FlatPerEvent": {"event": event, "amount_fen": 5_000}});
        let (fields, body) = refused(&s, &marketing, &rule(json!([]), spec)).await;
        assert_eq!(fields, ["event"], "{event}");
        assert!(body.contains("不能为发展推广员或注册付奖励"), "{body}");
    }
    let spec = json!({"ActivityTarget": {"metric": "Recruits", "threshold": 5, "amount_fen": 50_000}});
    assert_eq!(refused(&s, &marketing, &rule(json!([]), spec)).await.0, ["metric"]);
    assert_eq!(s.count("SELECT COUNT(*) FROM reward_rules WHERE rule_id = 60").await, 0, "nothing saved");

    // Admin switches the second level on from today; the rule is published.
    let on = today().to_string();
    let form = [("key", "second_level_rewards"), ("value", "1"), ("effective_from", on.as_str())];
    let (status, body) = s.call(&admin, "save_setting", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let form = [("spec", rule(json!(["0.01"]), two_percent())), ("note", "老客带老客：二级 1%".into())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = s.call(&marketing, "save_rule", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The demo customer (A) referred B's first order; B became a customer promoter and refers C.
    let a = user_id(&s, "customer@demo.allhands.cn").await;
    let a_code = s.referral_code("customer@demo.allhands.cn").await;
    deal(&s, &sales, "LV-B1", "13922250001", &a_code).await;
    let b_email = "liming@example.cn";
    let form = [
        ("display_name", "老客 李明"),
        ("phone", "13922250001"),
        ("email", b_email),
        ("password", PASSWORD),
        ("roles[0]", "customer"),
    ];
    let b: i64 = s.call_json(&admin, "create_user", &form).await;
    let b_code = s.referral_code(b_email).await;
    let c_deal = deal(&s, &sales, "LV-C1", "13922250002", &b_code).await;
    let form = [
        ("deal_id", c_deal.to_string()),
        ("paid_on", on.clone()),
        ("amount", "10000".into()),
        ("refund", "false".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = s.call(&sales, "record_payment", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ledger::accrue_all(&s.state).await.unwrap();
    // B earns 2% of ¥10,000 as the referrer, A 1% one level above; nobody above A earns.
    let lines: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT promoter_id, amount_fen, line_key FROM reward_ledger WHERE deal_id = $1 ORDER BY amount_fen",
    )
    .bind(c_deal)
    .fetch_all(&s.state.db.pool)
    .await
    .unwrap();
    let paid: Vec<(i64, i64)> = lines.iter().map(|(p, a, _)| (*p, *a)).collect();
    assert_eq!(paid, [(a, 10_000), (b, 20_000)], "{lines:?}");
    assert!(lines[0].2.starts_with("up:60:1:"), "{lines:?}");
    // The ledger equals the engine's full recompute.
    let finance = s.signed_in(FINANCE).await;
    let check: LedgerCheck = s.call_json(&finance, "verify_ledger", &[]).await;
    assert!(check.differences.is_empty(), "{check:?}");
    s.stop().await;
}

//! Reward rules as stored: a rule of every kind of PRODUCT.md §3 saved through the rules page's
//! server function reads back unchanged, on SQLite and PostgreSQL; a version is published from
//! today or later with a note, and the history says who published it.
mod common;
use app::features::deals::CouponRow;
use app::features::rewards::editor::draft::RuleDraft;
use app::features::rewards::engine::Rule;
use app::features::rewards::model::{Proposal, RuleKind, RuleRow, Saved};
use common::*;
use reqwest::StatusCode;

const CUSTOMER: &str = "customer@demo.allhands.cn";

/// One rule of each kind, as JSON specs (the engine's serde form).
fn specs() -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!({"PercentOfDeal": {"rate": "0.025"}}),
        json!({"PercentBand": {"bands": [{"min_fen": 300_000, "rate": "0.03"}, {"min_fen": 500_000, "rate": "0.04"}], "later_rate": "0.02"}}),
        json!({"MarginalTiers": {"per": "Quarter", "tiers": [{"up_to_fen": 10_000_000, "rate": "0.05"}, {"up_to_fen": null, "rate": "0.08"}]}}),
        json!({"FlatPerEvent": {"event": "ValidLead", "amount_fen": 500}}),
        json!({"ActivityTarget": {"metric": "Shares", "threshold": 5, "amount_fen": 50_000}}),
        json!({"Split": {"rate": "0.05", "first_order": [["Referrer", "7"], ["Sales", "3"]], "repeat": [["Referrer", "1"], ["Service", "1"], ["Sales", "8"]]}}),
        json!({"CouponLadder": {"steps": [{"amount_fen": 20_000, "perk": false}, {"amount_fen": 80_000, "perk": true}], "later": {"amount_fen": 20_000, "perk": false}}}),
        json!({"NewCustomerBenefit": {"amount_fen": 20_000}}),
    ]
}

#[tokio::test]
async fn a_rule_of_every_kind_reads_back_as_saved() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let mut kinds = Vec::new();
    for (n, spec) in specs().into_iter().enumerate() {
        let id = 100 + n as i64;
        let rule = serde_json::json!({
            "id": id, "version": 1, "name": format!("规则 {id}"), "promoter_kind": "partner",
            "department_id": null, "campaign_id": 1, "effective_from": "2027-01-01", "effective_to": null,
            "attribution": {"Months": 12}, "spec": spec,
        });
        let sent: Rule = serde_json::from_value(rule.clone()).unwrap();
        let (status, body) =
            s.call(&marketing, "save_rule", &[("spec", &rule.to_string()), ("note", "每种规则各一条")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
        let row = rows.iter().find(|r| r.rule_id == id).expect("saved");
        let stored: Rule = serde_json::from_str(&row.spec).unwrap();
        assert_eq!(stored, sent, "kind {}", sent.spec.kind());
        // The form editor shows it field by field and reads it back unchanged.
        let edited = RuleDraft::from_rule(&stored, stored.effective_from).to_rule().expect("the editor reads it");
        assert_eq!(edited, stored, "kind {} through the editor", sent.spec.kind());
        assert_eq!((row.version, row.campaign_id, row.effective_from.as_str()), (1, Some(1), "2027-01-01"));
        kinds.push(row.kind);
    }
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    assert_eq!(kinds.len(), RuleKind::ALL.len(), "every kind: {kinds:?}");
    // A spec the engine cannot read is refused naming the field, and nothing is saved.
    let bad = serde_json::json!({"id": 200, "spec": {"PercentOfDeal": {"rate": "1.5"}}});
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &bad.to_string()), ("note", "x")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("spec"), "{body}");
    // A whole rule with a rate above 100%, or tiers out of order: refused naming the field.
    let mut rule: serde_json::Value = serde_json::from_str(&rows_spec(&s, &marketing, 100).await).unwrap();
    rule["id"] = 201.into();
    rule["spec"] = serde_json::json!({"PercentOfDeal": {"rate": "1.5"}});
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &rule.to_string()), ("note", "x")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["rate"], "{body}");
    rule["spec"] = serde_json::json!({"MarginalTiers": {"per": "Month", "tiers": [{"up_to_fen": 500, "rate": "0.05"}, {"up_to_fen": 100, "rate": "0.06"}, {"up_to_fen": null, "rate": "0.08"}]}});
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &rule.to_string()), ("note", "x")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["tiers"], "{body}");
    let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    assert!(rows.iter().all(|r| r.rule_id != 201), "nothing saved");
    s.stop().await;
}

/// Rule `id`'s latest version as the rules page holds it (JSON).
async fn rows_spec(s: &TestServer, marketing: &reqwest::Client, id: i64) -> String {
    let rows: Vec<RuleRow> = s.call_json(marketing, "reward_rules", &[]).await;
    rows.iter().rfind(|r| r.rule_id == id).unwrap().spec.clone()
}

/// Employees' rule 1 (its latest version) as the rules page shows it, its rate and start date
/// changed.
async fn edited_rule(s: &TestServer, marketing: &reqwest::Client, rate: &str, from: chrono::NaiveDate) -> String {
    let rows: Vec<RuleRow> = s.call_json(marketing, "reward_rules", &[]).await;
    let mut rule: serde_json::Value =
        serde_json::from_str(&rows.iter().rfind(|r| r.rule_id == 1).unwrap().spec).unwrap();
    rule["spec"] = serde_json::json!({"PercentOfDeal": {"rate": rate}});
    rule["effective_from"] = from.to_string().into();
    rule.to_string()
}

#[tokio::test]
async fn a_version_is_published_from_today_or_later_with_a_note_and_the_history_says_who() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let today = today();
    // Yesterday: refused naming the start date, nothing saved.
    let yesterday = edited_rule(&s, &marketing, "0.03", today.pred_opt().unwrap()).await;
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &yesterday), ("note", "涨到3%")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["starts_on"], "{body}");
    // Without a note: refused naming the note.
    let tomorrow = edited_rule(&s, &marketing, "0.03", today.succ_opt().unwrap()).await;
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &tomorrow), ("note", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["note"], "{body}");
    let before: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    assert_eq!(before.iter().filter(|r| r.rule_id == 1).count(), 1, "nothing saved");
    // From tomorrow with a note: version 2; version 1 ends today.
    let saved: Saved =
        s.call_json(&marketing, "save_rule", &[("spec", &tomorrow), ("note", "冬季冲刺，提成涨到3%")]).await;
    assert_eq!(saved, Saved::Published { version: 2 });
    let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    let versions: Vec<&RuleRow> = rows.iter().filter(|r| r.rule_id == 1).collect();
    let (v1, v2) = (versions[0], versions[1]);
    assert_eq!((v1.published_by.as_deref(), v1.note.as_deref()), (None, None), "the default, from first start");
    assert_eq!(v1.effective_to.as_deref(), Some(today.to_string().as_str()));
    assert_eq!(v2.published_by.as_deref(), Some("市场 李娜"));
    assert_eq!(v2.note.as_deref(), Some("冬季冲刺，提成涨到3%"));
    assert!(v2.published_at.starts_with(&today.to_string()[..4]), "{}", v2.published_at);
    // The audit log keeps it, with the note.
    let after: String = sqlx::query_scalar(
        "SELECT after_value FROM audit_log WHERE action = 'rule.published' AND subject = 'rule #1 v2'",
    )
    .fetch_one(&s.state.db.pool)
    .await
    .unwrap();
    assert!(after.contains("冬季冲刺"), "{after}");
    s.stop().await;
}

#[tokio::test]
async fn with_a_second_person_a_version_is_proposed_then_published_by_someone_else() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let (status, body) = s.call(&admin, "save_setting", &[("key", "rules_four_eyes"), ("value", "1")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let marketing = s.signed_in(MARKETING).await;
    let from = today().succ_opt().unwrap();
    let json = edited_rule(&s, &marketing, "0.025", from).await;
    let saved: Saved = s.call_json(&marketing, "save_rule", &[("spec", &json), ("note", "2.5% 试行")]).await;
    let Saved::Proposed { id } = saved else { panic!("proposed, not {saved:?}") };
    // Not a version yet; a second proposal for the same rule waits for the first.
    let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    assert_eq!(rows.iter().filter(|r| r.rule_id == 1).count(), 1);
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &json), ("note", "again")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The proposer cannot publish it.
    let open: Vec<Proposal> = s.call_json(&marketing, "rule_proposals", &[]).await;
    assert_eq!((open.len(), open[0].id, open[0].mine, open[0].note.as_str()), (1, id, true, "2.5% 试行"));
    let (status, body) = s.call(&marketing, "decide_proposal", &[("id", &id.to_string()), ("publish", "true")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Another marketing user publishes it: the version names both.
    let second = second_marketer(&s, &admin).await;
    let saved: Saved = s.call_json(&second, "decide_proposal", &[("id", &id.to_string()), ("publish", "true")]).await;
    assert_eq!(saved, Saved::Published { version: 2 });
    let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    let v2 = rows.iter().find(|r| r.rule_id == 1 && r.version == 2).unwrap();
    assert_eq!(
        (v2.published_by.as_deref(), v2.proposed_by.as_deref(), v2.note.as_deref()),
        (Some("市场 王芳"), Some("市场 李娜"), Some("2.5% 试行"))
    );
    let open: Vec<Proposal> = s.call_json(&marketing, "rule_proposals", &[]).await;
    assert!(open.is_empty());
    // Decided once: a second decision finds nothing.
    let (status, _) = s.call(&second, "decide_proposal", &[("id", &id.to_string()), ("publish", "false")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A declined proposal publishes nothing.
    let json = edited_rule(&s, &marketing, "0.04", from.succ_opt().unwrap()).await;
    let Saved::Proposed { id } = s.call_json(&marketing, "save_rule", &[("spec", &json), ("note", "4%")]).await else {
        panic!("proposed")
    };
    let saved: Saved = s.call_json(&second, "decide_proposal", &[("id", &id.to_string()), ("publish", "false")]).await;
    assert_eq!(saved, Saved::Declined);
    let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    assert_eq!(rows.iter().filter(|r| r.rule_id == 1).count(), 2);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'rule.%' ORDER BY id")
            .fetch_all(&s.state.db.pool)
            .await
            .unwrap();
    assert_eq!(actions, ["rule.proposed", "rule.published", "rule.proposed", "rule.declined"]);
    s.stop().await;
}

/// A second marketing user, created by admin, signed in.
async fn second_marketer(s: &TestServer, admin: &reqwest::Client) -> reqwest::Client {
    let email = "wangfang@demo.allhands.cn";
    let form = [("display_name", "市场 王芳"), ("email", email), ("password", PASSWORD), ("roles[0]", "marketing")];
    let _: i64 = s.call_json(admin, "create_user", &form).await;
    s.signed_in(email).await
}

/// Redeems `code` with `phone` (the texted code answered); the coupon issued.
async fn redeem(s: &TestServer, code: &str, phone: &str) -> CouponRow {
    let anon = s.client();
    let check: String = s.call_json(&anon, "redeem_code", &[("code", code), ("name", "新客"), ("phone", phone)]).await;
    let otp = texted_code(s, &format!("+86{phone}")).await;
    let coupon: Option<CouponRow> = s.call_json(&anon, "confirm_redemption", &[("check", &check), ("otp", &otp)]).await;
    coupon.expect("a coupon")
}

#[tokio::test]
async fn a_share_of_the_first_order_up_to_a_cap_is_taken_off_at_checkout() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    // Customers' benefit (rule 5) rewritten in the editor: 10% of the first order, at most ¥300.
    let stored: Rule = serde_json::from_str(&rows_spec(&s, &marketing, 5).await).unwrap();
    let mut draft = RuleDraft::from_rule(&stored, today());
    (draft.rate, draft.amount) = ("10".into(), "300".into());
    let rule = draft.to_rule().expect("a sound rule");
    let (status, body) = s
        .call(
            &marketing,
            "save_rule",
            &[("spec", &serde_json::to_string(&rule).unwrap()), ("note", "首单九折，最多减300")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let customer = s.signed_in(CUSTOMER).await;
    let mine: app::features::settlement::model::MyRewards = s.call_json(&customer, "load_my_rewards", &[]).await;
    let issued = redeem(&s, &mine.referral_code, "13922230001").await;
    assert_eq!((issued.amount_fen, issued.percent), (30_000, Some("0.1".parse().unwrap())));
    redeem(&s, &mine.referral_code, "13922230002").await;
    // Checkout: ¥2,500 → ¥250 off; ¥5,000 → ¥300 (the cap); a later order of the first phone
    // takes nothing more.
    let sales = s.signed_in(SALES).await;
    let on = today().to_string();
    for (order, phone, amount) in
        [("BEN-1", "13922230001", "2500"), ("BEN-2", "13922230002", "5000"), ("BEN-3", "13922230001", "9000")]
    {
        let form = [
            ("deal[order_no]", order),
            ("deal[customer_phone]", phone),
            ("deal[amount]", amount),
            ("deal[signed_on]", &on),
        ];
        let _: i64 = s.call_json(&sales, "record_deal", &form).await;
    }
    let off = |order: &str| {
        format!(
            "SELECT COALESCE(MAX(c.discount_fen), -1) FROM coupons c JOIN deals d ON d.id = c.redeemed_deal_id WHERE d.order_no = '{order}'"
        )
    };
    assert_eq!(s.count(&off("BEN-1")).await, 25_000);
    assert_eq!(s.count(&off("BEN-2")).await, 30_000);
    assert_eq!(s.count(&off("BEN-3")).await, -1, "the benefit is for the first order only");
    assert_eq!(s.count("SELECT COUNT(*) FROM coupons WHERE status = 'redeemed'").await, 2);
    s.stop().await;
}

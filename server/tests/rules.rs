//! Reward rules as stored: a rule of every kind of PRODUCT.md §3 saved through the rules page's
//! server function reads back unchanged, on SQLite and PostgreSQL.
mod common;
use app::features::rewards::engine::Rule;
use app::features::rewards::model::{RuleKind, RuleRow};
use common::*;
use reqwest::StatusCode;

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
        let (status, body) = s.call(&marketing, "save_rule", &[("spec", &rule.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows: Vec<RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
        let row = rows.iter().find(|r| r.rule_id == id).expect("saved");
        let stored: Rule = serde_json::from_str(&row.spec).unwrap();
        assert_eq!(stored, sent, "kind {}", sent.spec.kind());
        assert_eq!((row.version, row.campaign_id, row.effective_from.as_str()), (1, Some(1), "2027-01-01"));
        kinds.push(row.kind);
    }
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    assert_eq!(kinds.len(), RuleKind::ALL.len(), "every kind: {kinds:?}");
    // A spec the engine cannot read is refused naming the field, and nothing is saved.
    let bad = serde_json::json!({"id": 200, "spec": {"PercentOfDeal": {"rate": "1.5"}}});
    let (status, body) = s.call(&marketing, "save_rule", &[("spec", &bad.to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("spec"), "{body}");
    s.stop().await;
}

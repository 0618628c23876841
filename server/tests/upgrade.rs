//! Databases made by earlier versions keep working after an upgrade.
mod common;

use common::*;
use reqwest::StatusCode;

/// Rules stored before closed sets had one spelling (`"promoter_kind":"Employee"` in the
/// rule's JSON) are rewritten by the migration and read as before.
#[tokio::test]
async fn rules_stored_with_the_old_spelling_are_migrated() {
    let s = TestServer::start().await;
    let pool = &s.state.db.pool;
    for kind in ["Employee", "Customer", "Partner"] {
        let lower = kind.to_lowercase();
        sqlx::query(&format!(
            "UPDATE reward_rules SET spec = REPLACE(spec, '\"promoter_kind\":\"{lower}\"', '\"promoter_kind\":\"{kind}\"')"
        ))
        .execute(pool)
        .await
        .unwrap();
    }
    let old = s.count("SELECT COUNT(*) FROM reward_rules WHERE spec LIKE '%\"promoter_kind\":\"Employee\"%'").await;
    assert!(old > 0, "the test starts from the old spelling");
    let marketing = s.signed_in(MARKETING).await;
    let (status, _) = s.call(&marketing, "reward_rules", &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "the old spelling is not read as the new one");
    let migration = match s.state.db.backend {
        app::plumbing::db::Backend::Sqlite => {
            include_str!("../../migrations/sqlite/20261201000001_closed_set_spellings.sql")
        }
        app::plumbing::db::Backend::Postgres => {
            include_str!("../../migrations/postgres/20261201000001_closed_set_spellings.sql")
        }
    };
    sqlx::raw_sql(migration).execute(pool).await.unwrap();
    let rules: Vec<app::features::rewards::RuleRow> = s.call_json(&marketing, "reward_rules", &[]).await;
    assert!(rules.len() >= 4, "{rules:?}");
    s.stop().await;
}

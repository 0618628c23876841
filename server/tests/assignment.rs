//! Assignment of valid leads (campaign team, demand-tag rules, reassignment) and the lead
//! policy marketing sets (protection window, daily cap, holidays), through the HTTP API.
mod common;
use app::features::leads::{AssignmentOverview, Field, FollowUpRow, PolicyView};
use app::plumbing::errors::AppError;
use common::*;
use reqwest::StatusCode;

async fn new_rep(s: &TestServer, admin: &reqwest::Client, email: &str) -> i64 {
    s.call_json(
        admin,
        "create_user",
        &[("display_name", email), ("email", email), ("password", PASSWORD), ("roles[0]", "sales")],
    )
    .await
}

async fn user_id(s: &TestServer, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(&s.state.db.pool).await.unwrap()
}

async fn submit_with_tag(s: &TestServer, phone: &str, tag: Option<&str>) -> i64 {
    let mut form = vec![("name", "客户"), ("phone", phone), ("consent", "1")];
    if let Some(tag) = tag {
        form.push(("demand_tags", tag));
    }
    let res = s.post_lead(&s.client(), &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/c/winter-home/thanks");
    sqlx::query_scalar("SELECT MAX(id) FROM leads").fetch_one(&s.state.db.pool).await.unwrap()
}

fn field_errors(body: &str) -> Vec<String> {
    match serde_json::from_str::<AppError>(body).expect("an AppError") {
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.field.to_string()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn assigned(s: &TestServer, lead: i64) -> (Option<i64>, Option<String>) {
    sqlx::query_as("SELECT assigned_to, assigned_by FROM leads WHERE id = $1")
        .bind(lead)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_demand_tag_rule_first_then_round_robin_within_the_campaign_team() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let (two, three) = (new_rep(&s, &admin, "sales2@x.cn").await, new_rep(&s, &admin, "sales3@x.cn").await);
    let demo_rep = user_id(&s, SALES).await;
    let marketing = s.signed_in(MARKETING).await;
    let overview: AssignmentOverview = s.call_json(&marketing, "load_assignment", &[]).await;
    let campaign = overview.campaigns[0].id.to_string();
    assert!(overview.reps.iter().any(|r| r.id == two) && overview.reps.iter().any(|r| r.id == demo_rep));
    // Team: reps two and three; 旧房翻新 always goes to the demo rep, who is not in the team.
    let (t2, t3) = (two.to_string(), three.to_string());
    let (status, body) =
        s.call(&marketing, "set_sales_team", &[("campaign_id", &campaign), ("reps[0]", &t2), ("reps[1]", &t3)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let demo = demo_rep.to_string();
    let _: i64 = s
        .call_json(
            &marketing,
            "add_assignment_rule",
            &[("campaign_id", &campaign), ("demand_tag", "旧房翻新"), ("rep_id", &demo)],
        )
        .await;
    // The same tag twice, an unknown tag, an unknown rep: named, nothing stored.
    let (status, body) = s
        .call(
            &marketing,
            "add_assignment_rule",
            &[("campaign_id", &campaign), ("demand_tag", "旧房翻新"), ("rep_id", &t2)],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), names(&[Field::DemandTag]));
    let (status, body) = s
        .call(
            &marketing,
            "add_assignment_rule",
            &[("campaign_id", &campaign), ("demand_tag", "造火箭"), ("rep_id", "999999")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), names(&[Field::DemandTag, Field::Rep]));
    assert_eq!(s.count("SELECT COUNT(*) FROM assignment_rules").await, 1);

    let tagged = submit_with_tag(&s, "13966001001", Some("旧房翻新")).await;
    let plain: Vec<i64> = [
        submit_with_tag(&s, "13966001002", None).await,
        submit_with_tag(&s, "13966001003", Some("刚需装修")).await,
        submit_with_tag(&s, "13966001004", None).await,
    ]
    .into();
    let mut args = vec![("decision", "valid".to_string())];
    for (i, id) in std::iter::once(tagged).chain(plain.iter().copied()).enumerate() {
        args.push((["ids[0]", "ids[1]", "ids[2]", "ids[3]"][i], id.to_string()));
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let n: i64 = s.call_json(&marketing, "review_leads", &args).await;
    assert_eq!(n, 4);
    assert_eq!(assigned(&s, tagged).await, (Some(demo_rep), Some("rule".into())));
    let mut got = Vec::new();
    for id in &plain {
        let (rep, how) = assigned(&s, *id).await;
        assert_eq!(how.as_deref(), Some("round_robin"));
        got.push(rep.unwrap());
    }
    assert_eq!(got, [two, three, two], "round-robin within the team only");
    s.stop().await;
}

#[tokio::test]
async fn marketing_reassigns_a_valid_lead_and_the_new_rep_is_told() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let two = new_rep(&s, &admin, "sales2@x.cn").await;
    let marketing = s.signed_in(MARKETING).await;
    let lead = submit_with_tag(&s, "13966002001", None).await;
    let lead_s = lead.to_string();
    let two_s = two.to_string();
    // Not valid yet: it cannot be assigned.
    let (status, body) = s.call(&marketing, "reassign_lead", &[("lead_id", &lead_s), ("rep_id", &two_s)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), names(&[Field::Selection]));
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &lead_s), ("decision", "valid")]).await;
    let first = assigned(&s, lead).await.0.unwrap();
    let target = if first == two { user_id(&s, SALES).await } else { two };
    let target_s = target.to_string();
    // Only active sales reps can take leads.
    let employee = user_id(&s, EMPLOYEE).await.to_string();
    let (status, body) = s.call(&marketing, "reassign_lead", &[("lead_id", &lead_s), ("rep_id", &employee)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), names(&[Field::Rep]));
    let (status, body) = s.call(&marketing, "reassign_lead", &[("lead_id", &lead_s), ("rep_id", &target_s)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(assigned(&s, lead).await, (Some(target), Some("reassigned".into())));
    let told = s
        .count(&format!("SELECT COUNT(*) FROM outbox WHERE kind = 'lead_assigned' AND recipient = 'user:{target}'"))
        .await;
    assert_eq!(told, 1);
    // The new rep sees it with a fresh 24-hour countdown; the old one no longer does.
    let new_login = if target == two { "sales2@x.cn" } else { SALES };
    let old_login = if target == two { SALES } else { "sales2@x.cn" };
    let theirs: Vec<FollowUpRow> = s.call_json(&s.signed_in(new_login).await, "my_follow_up", &[]).await;
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].first_contact_left_ms.unwrap() > 23 * 3_600_000);
    let old: Vec<FollowUpRow> = s.call_json(&s.signed_in(old_login).await, "my_follow_up", &[]).await;
    assert!(old.is_empty());
    s.stop().await;
}

#[tokio::test]
async fn the_lead_policy_is_a_setting_and_screening_follows_it() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let policy: PolicyView = s.call_json(&marketing, "lead_policy", &[]).await;
    assert_eq!((policy.protection_days, policy.daily_cap), (30, 5), "the product's defaults");
    // Everything wrong is named at once, and nothing changes.
    let (status, body) = s
        .call(
            &marketing,
            "save_lead_policy",
            &[
                ("protection_days", "一个月"),
                ("daily_cap", "0"),
                ("holidays", "2026-10-01\n10月2日"),
                ("extra_workdays", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), names(&[Field::ProtectionDays, Field::DailyCap, Field::Holidays]));
    let (status, _) = s
        .call(&marketing, "save_lead_policy", &[("protection_days", "91"), ("daily_cap", "5"), ("holidays", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "peers use 7 to 90 days");
    // The next ten days are holidays: the review deadline moves past them.
    let today = chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive();
    let holidays: Vec<String> = (0..10).map(|d| (today + chrono::Duration::days(d)).to_string()).collect();
    let holidays = holidays.join("\n");
    let (status, body) = s
        .call(
            &marketing,
            "save_lead_policy",
            &[("protection_days", "７"), ("daily_cap", "2"), ("holidays", &holidays), ("extra_workdays", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let policy: PolicyView = s.call_json(&marketing, "lead_policy", &[]).await;
    assert_eq!((policy.protection_days, policy.daily_cap), (7, 2), "full-width digits are read");
    assert_eq!(policy.holidays, holidays);

    // Daily cap 2: the third submission from one device today is held, not lost.
    let device = s.client();
    for phone in ["13966003001", "13966003002", "13966003003"] {
        s.submit_lead(&device, phone, None).await;
    }
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM leads ORDER BY id").fetch_all(&s.state.db.pool).await.unwrap();
    assert_eq!(statuses, ["pending", "pending", "held"]);
    // The review deadline skips the ten holidays.
    let (at, due): (i64, i64) = sqlx::query_as("SELECT submitted_at, review_due_at FROM leads ORDER BY id LIMIT 1")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    let due_day = chrono::DateTime::from_timestamp_millis(due).unwrap().with_timezone(&s.state.org.tz).date_naive();
    assert!(due_day > today + chrono::Duration::days(9), "deadline {due_day} falls after the holidays");
    assert!(due - at > 10 * 86_400_000);
    // A seven-day window: a lead protects its phone for 7 days, not 30.
    let until: i64 = s.count("SELECT protected_until FROM lead_protections ORDER BY lead_id LIMIT 1").await;
    assert_eq!(until - at, 7 * 86_400_000);
    s.stop().await;
}

//! Review, assignment, follow-up and the promoter's own view, through the real HTTP API.
mod common;
use app::features::leads::{FollowUpRow, LeadStatus, MyLeadRow, ReviewRow, Stage};
use app::plumbing::errors::FormField;
use common::*;
use reqwest::StatusCode;

async fn lead_id(s: &TestServer, phone: &str) -> i64 {
    sqlx::query_scalar("SELECT MIN(id) FROM leads WHERE phone = $1")
        .bind(phone)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn review_queue_is_oldest_first_with_a_business_day_deadline() {
    let s = TestServer::start().await;
    s.submit_lead(&s.client(), "13955550001", None).await;
    s.submit_lead(&s.client(), "13955550002", None).await;
    let marketing = s.signed_in(MARKETING).await;
    let queue: Vec<ReviewRow> = s.call_json(&marketing, "review_queue", &[]).await;
    assert_eq!(queue.len(), 2);
    assert!(queue[0].lead.id < queue[1].lead.id, "oldest first");
    assert!(!queue[0].review_due.is_empty() && !queue[0].overdue);
    // The stored deadline is the business-day rule applied to the submission time.
    let (at, due): (i64, i64) = sqlx::query_as("SELECT submitted_at, review_due_at FROM leads WHERE id = $1")
        .bind(queue[0].lead.id)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    let expected = app::shared::period::BusinessCalendar::default()
        .deadline(chrono::DateTime::from_timestamp_millis(at).unwrap(), 1, s.state.org.tz)
        .timestamp_millis();
    assert_eq!(due, expected);
    s.stop().await;
}

#[tokio::test]
async fn valid_leads_are_assigned_round_robin_and_the_rep_follows_up() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let _: i64 = s
        .call_json(
            &admin,
            "create_user",
            &[
                ("display_name", "销售 二号"),
                ("email", "sales2@demo.allhands.cn"),
                ("password", PASSWORD),
                ("roles[0]", "sales"),
            ],
        )
        .await;
    s.submit_lead(&s.client(), "13955550003", None).await;
    s.submit_lead(&s.client(), "13955550004", None).await;
    let (a, b) = (lead_id(&s, "+8613955550003").await, lead_id(&s, "+8613955550004").await);
    let marketing = s.signed_in(MARKETING).await;
    let (a_s, b_s) = (a.to_string(), b.to_string());
    let n: i64 =
        s.call_json(&marketing, "review_leads", &[("ids[0]", &a_s), ("ids[1]", &b_s), ("decision", "valid")]).await;
    assert_eq!(n, 2, "bulk action");
    let reps: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT assigned_to FROM leads ORDER BY id").fetch_all(&s.state.db.pool).await.unwrap();
    assert!(reps[0].is_some() && reps[1].is_some() && reps[0] != reps[1], "round-robin: {reps:?}");
    // Deciding again changes nothing: they are no longer waiting for review.
    let n: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &a_s), ("decision", "invalid")]).await;
    assert_eq!(n, 0);

    // The demo rep sees exactly the lead assigned to them, with the 24-hour countdown.
    let rep = s.signed_in(SALES).await;
    let mine: Vec<FollowUpRow> = s.call_json(&rep, "my_follow_up", &[]).await;
    assert_eq!(mine.len(), 1);
    let left = mine[0].first_contact_left_ms.unwrap();
    assert!(left > 23 * 3_600_000 && left <= 24 * 3_600_000, "{left}");
    let id = mine[0].id.to_string();
    let (status, _) =
        s.call(&rep, "update_stage", &[("lead_id", &id), ("stage", "contacted"), ("note", "已电话沟通")]).await;
    assert_eq!(status, StatusCode::OK);
    let mine: Vec<FollowUpRow> = s.call_json(&rep, "my_follow_up", &[]).await;
    assert_eq!(mine[0].stage, Some(Stage::Contacted));
    assert_eq!(mine[0].first_contact_left_ms, None, "contacted: no countdown");
    // The other rep's lead is not theirs to touch, nor to see.
    let other = if mine[0].id == a { b } else { a };
    let (status, _) = s.call(&rep, "update_stage", &[("lead_id", &other.to_string()), ("stage", "won")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Won is final.
    let (status, _) = s.call(&rep, "update_stage", &[("lead_id", &id), ("stage", "won")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s.call(&rep, "update_stage", &[("lead_id", &id), ("stage", "lost")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: app::plumbing::errors::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error.field_errors()[0].field, app::features::leads::Field::Stage.name(), "names the field");
    let events: i64 = s.count("SELECT COUNT(*) FROM lead_events").await;
    assert!(events >= 6, "every step is in the history: {events}");
    s.stop().await;
}

#[tokio::test]
async fn marking_the_protecting_lead_invalid_promotes_the_later_duplicate() {
    let s = TestServer::start().await;
    s.submit_lead(&s.client(), "13955550005", None).await;
    s.submit_lead(&s.client(), "13955550005", None).await;
    s.submit_lead(&s.client(), "13955550005", None).await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM leads ORDER BY id").fetch_all(&s.state.db.pool).await.unwrap();
    let marketing = s.signed_in(MARKETING).await;
    let first = ids[0].to_string();
    let n: i64 =
        s.call_json(&marketing, "review_leads", &[("ids[0]", &first), ("decision", "invalid"), ("note", "空号")]).await;
    assert_eq!(n, 1);
    let rows: Vec<(String, Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT status, reason, duplicate_of FROM leads ORDER BY id")
            .fetch_all(&s.state.db.pool)
            .await
            .unwrap();
    assert_eq!(rows[0], ("invalid".into(), Some("空号".into()), None));
    assert_eq!(rows[1], ("pending".into(), None, None), "the next duplicate takes over");
    assert_eq!(
        rows[2],
        ("duplicate".into(), Some("duplicate".into()), Some(ids[1])),
        "relinked to the new protecting lead"
    );
    let owner: i64 =
        sqlx::query_scalar("SELECT lead_id FROM lead_protections").fetch_one(&s.state.db.pool).await.unwrap();
    assert_eq!(owner, ids[1]);
    s.stop().await;
}

#[tokio::test]
async fn promoters_see_only_their_own_leads_with_masked_phones() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    s.submit_lead(&s.client(), "13955556789", Some(&code)).await;
    s.submit_lead(&s.client(), "13955550006", None).await;
    let employee = s.signed_in(EMPLOYEE).await;
    let mine: Vec<MyLeadRow> = s.call_json(&employee, "my_leads", &[]).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].phone_masked, "139****6789");
    assert_eq!(mine[0].status, LeadStatus::Pending);
    let (_, body) = s.call(&employee, "my_leads", &[]).await;
    assert!(!body.contains("13955556789"), "the full number never reaches a promoter");
    let partner = s.signed_in("partner@demo.allhands.cn").await;
    let theirs: Vec<MyLeadRow> = s.call_json(&partner, "my_leads", &[]).await;
    assert!(theirs.is_empty());
    // The promoter sees the status move once marketing decides.
    let marketing = s.signed_in(MARKETING).await;
    let id = lead_id(&s, "+8613955556789").await.to_string();
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &id), ("decision", "valid")]).await;
    let mine: Vec<MyLeadRow> = s.call_json(&employee, "my_leads", &[]).await;
    assert_eq!(mine[0].status, LeadStatus::Valid);
    s.stop().await;
}

#[tokio::test]
async fn a_missed_first_contact_is_flagged_once_to_the_rep_and_marketing_and_counts_against_the_response_rate() {
    let s = TestServer::start().await;
    s.submit_lead(&s.client(), "13955550007", None).await;
    s.submit_lead(&s.client(), "13955550008", None).await;
    let marketing = s.signed_in(MARKETING).await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM leads ORDER BY id").fetch_all(&s.state.db.pool).await.unwrap();
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let _: i64 =
        s.call_json(&marketing, "review_leads", &[("ids[0]", &a), ("ids[1]", &b), ("decision", "valid")]).await;
    // The first was assigned 25 hours ago and never contacted; the second is contacted now.
    sqlx::query("UPDATE leads SET assigned_at = assigned_at - $1 WHERE id = $2")
        .bind(25 * 3_600_000i64)
        .bind(ids[0])
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let rep = s.signed_in(SALES).await;
    let (status, _) = s.call(&rep, "update_stage", &[("lead_id", &b), ("stage", "contacted")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app::features::leads::store::follow_up::flag_overdue(&s.state).await.unwrap(), 1);
    assert_eq!(app::features::leads::store::follow_up::flag_overdue(&s.state).await.unwrap(), 0, "flagged once");
    let recipients: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM outbox WHERE kind = 'lead_overdue' ORDER BY id")
            .fetch_all(&s.state.db.pool)
            .await
            .unwrap();
    assert_eq!(recipients.len(), 2);
    assert!(recipients[0].starts_with("user:") && recipients[1] == "role:marketing", "{recipients:?}");
    // The rep sees it as overdue.
    let mine: Vec<FollowUpRow> = s.call_json(&rep, "my_follow_up", &[]).await;
    let late = mine.iter().find(|r| r.id == ids[0]).unwrap();
    assert!(late.first_contact_left_ms.unwrap() < 0);
    // One in time, one overdue: 50%.
    let rate = app::features::leads::store::follow_up::response_rate(&s.state.db.pool, 0, i64::MAX).await.unwrap();
    assert_eq!(rate, Some(rust_decimal::Decimal::new(5, 1)));
    s.stop().await;
}

#[tokio::test]
async fn a_promoter_submits_on_a_customers_behalf_and_gets_the_credit() {
    let s = TestServer::start().await;
    let employee = s.signed_in(EMPLOYEE).await;
    let cards: Vec<app::features::promotion::PromoCard> = s.call_json(&employee, "load_my_promotion", &[]).await;
    let path = &cards[0].on_behalf_path;
    assert_eq!(path, &format!("/c/winter-home?ref={}", cards[0].code));
    let page = employee.get(s.url(path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!(r#"name="ref" value="{}""#, cards[0].code)));
    let res = s
        .post_lead(
            &employee,
            &[("name", "代填客户"), ("phone", "13955550009"), ("consent", "1"), ("ref", &cards[0].code)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mine: Vec<MyLeadRow> = s.call_json(&employee, "my_leads", &[]).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "代填客户");
    s.stop().await;
}

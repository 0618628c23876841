//! Customer stories (seed 000) through the real server, on SQLite and PostgreSQL: submitted
//! only with the customer's consent, with a photo; approved by marketing once; counted in the
//! month of approval toward an activity target; published to the content library.
mod common;
use app::features::promotion::{StoryRow, StoryStatus};
use app::features::rewards::engine::{activity_lines, Facts};
use app::features::rewards::store::{facts, rules};
use common::*;
use reqwest::{Client, StatusCode};

async fn submit(s: &TestServer, c: &Client, customer: &str, story: &str, consent: bool) -> (StatusCode, String) {
    let mut form = vec![("customer_name", customer), ("story", story), ("campaign_id", "1")];
    if consent {
        form.push(("consent", "true"));
    }
    s.call(c, "submit_story", &form).await
}

/// A PNG's signature and header: what the upload checks.
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

#[tokio::test]
async fn an_approved_story_counts_toward_the_story_target_and_is_published() {
    let s = TestServer::start().await;
    let employee = s.signed_in(EMPLOYEE).await;
    let story = "王女士家的冬季焕新：三天完成全屋软装更换，孩子最喜欢新的书房。";
    // Without the customer's consent, or too short: refused, naming the field.
    let (status, body) = submit(&s, &employee, "王女士", story, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["consent"]);
    let (status, body) = submit(&s, &employee, "王女士", "很好", true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), ["story"]);
    let mut ids = Vec::new();
    for customer in ["王女士", "李先生"] {
        let (status, body) = submit(&s, &employee, customer, story, true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(body.parse::<i64>().unwrap());
    }
    // A photo on the first, as the page's upload form sends it.
    let res = upload(&s, &employee, &format!("/stories/{}/photos", ids[0]), PNG).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Another promoter cannot add to it.
    let res = upload(&s, &s.signed_in(SALES).await, &format!("/stories/{}/photos", ids[1]), PNG).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Marketing sees both waiting, approves them once.
    let marketing = s.signed_in(MARKETING).await;
    let queue: Option<Vec<StoryRow>> = s.call_json(&marketing, "story_queue", &[]).await;
    let queue = queue.expect("marketing reviews stories");
    assert_eq!(queue.iter().filter(|r| r.status == StoryStatus::Pending).count(), 2);
    assert_eq!(queue.iter().find(|r| r.id == ids[0]).unwrap().photos.len(), 1);
    let none: Option<Vec<StoryRow>> = s.call_json(&employee, "story_queue", &[]).await;
    assert!(none.is_none(), "only marketing sees every story");
    for id in &ids {
        let (status, body) = s.call(&marketing, "decide_story", &[("id", &id.to_string()), ("approve", "true")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = s.call(&marketing, "decide_story", &[("id", &ids[0].to_string()), ("approve", "false")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "decided once");

    // A monthly target of two approved stories → ¥300: the employee reaches it this month.
    let promoter = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let today = today();
    let first = today.with_day(1).unwrap();
    let pool = &s.state.db.pool;
    let (_, activity) = facts::activity_of(pool, &s.state.org, &[promoter], first, today).await.unwrap();
    assert_eq!(activity.iter().map(|a| a.stories).sum::<i64>(), 2);
    let mut target = rules::rules(pool).await.unwrap().into_iter().find(|r| r.id == 1).unwrap();
    target.spec = app::features::rewards::engine::RuleSpec::ActivityTarget {
        metric: app::features::rewards::engine::Metric::CustomerStories,
        threshold: 2,
        amount_fen: 30_000,
    };
    target.effective_from = first;
    let promoters = facts::promoters_by_id(pool, &[promoter]).await.unwrap().into_values().collect();
    let lines = activity_lines(&[target], &Facts { promoters, activity, ..Facts::default() });
    assert_eq!(lines.iter().map(|l| (l.promoter_id, l.amount_fen)).collect::<Vec<_>>(), [(promoter, 30_000)]);

    // Published to the content library with its photo.
    let item: i64 = s.call_json(&marketing, "publish_story", &[("id", &ids[0].to_string())]).await;
    let (body, image): (String, Option<String>) =
        sqlx::query_as("SELECT body, image FROM content_items WHERE id = $1").bind(item).fetch_one(pool).await.unwrap();
    assert_eq!((body.as_str(), image.is_some()), (story, true));
    let mine: Vec<StoryRow> = s.call_json(&employee, "my_stories", &[]).await;
    assert!(mine.iter().any(|r| r.id == ids[0] && r.published));
    s.stop().await;
}

use chrono::Datelike;

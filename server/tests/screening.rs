//! Screening at submit (PRODUCT.md §2.5) through the real form post, on the test database.
mod common;
use app::features::admin::store::users;
use app::features::campaigns::store::campaigns;
use app::features::promotion::store::links;
use app::plumbing::access::Role;
use app::plumbing::errors::FormField;
use common::*;
use reqwest::StatusCode;

/// (status, reason, flag, duplicate_of) of the newest lead with this phone.
async fn last_lead(s: &TestServer, phone: &str) -> (String, Option<String>, Option<String>, Option<i64>) {
    sqlx::query_as("SELECT status, reason, flag, duplicate_of FROM leads WHERE phone = $1 ORDER BY id DESC LIMIT 1")
        .bind(phone)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap()
}

async fn first_id(s: &TestServer, phone: &str) -> i64 {
    sqlx::query_scalar("SELECT MIN(id) FROM leads WHERE phone = $1")
        .bind(phone)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_phone_is_pending_and_protects_the_number() {
    let s = TestServer::start().await;
    s.submit_lead(&s.client(), "13911110001", None).await;
    assert_eq!(last_lead(&s, "+8613911110001").await, ("pending".into(), None, None, None));
    assert_eq!(s.count("SELECT COUNT(*) FROM lead_protections").await, 1);
    s.stop().await;
}

#[tokio::test]
async fn self_referral_is_invalid() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    s.submit_lead(&s.client(), "138 0000 0005", Some(&code)).await; // the employee's own phone
    assert_eq!(last_lead(&s, "+8613800000005").await, ("invalid".into(), Some("self_referral".into()), None, None));
    assert_eq!(s.count("SELECT COUNT(*) FROM lead_protections").await, 0, "an invalid lead protects nothing");
    s.stop().await;
}

#[tokio::test]
async fn blacklisted_phone_device_and_ip_are_rejected_but_stored() {
    let s = TestServer::start().await;
    sqlx::query("INSERT INTO blacklist (kind, value, created_at) VALUES ('phone', '+8613911110002', 0)")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    s.submit_lead(&s.client(), "13911110002", None).await;
    assert_eq!(last_lead(&s, "+8613911110002").await, ("rejected".into(), Some("blacklist_phone".into()), None, None));
    // A blacklisted device: the visitor cookie set by the personal link.
    let code = s.employee_code().await;
    let c = s.client();
    let res = c.get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    let visitor = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find_map(|v| v.strip_prefix("ah_vid=").map(|r| r.split(';').next().unwrap().to_string()))
        .unwrap();
    sqlx::query("INSERT INTO blacklist (kind, value, created_at) VALUES ('device', $1, 0)")
        .bind(&visitor)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    s.submit_lead(&c, "13911110003", Some(&code)).await;
    assert_eq!(last_lead(&s, "+8613911110003").await.1.as_deref(), Some("blacklist_device"));
    // A blacklisted IP (stored as the keyed hash, like clicks and leads).
    let ip = app::plumbing::auth::keyed_hash(&s.state.org.secret, "127.0.0.1");
    sqlx::query("INSERT INTO blacklist (kind, value, created_at) VALUES ('ip', $1, 0)")
        .bind(&ip)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    s.submit_lead(&s.client(), "13911110004", None).await;
    assert_eq!(last_lead(&s, "+8613911110004").await.1.as_deref(), Some("blacklist_ip"));
    s.stop().await;
}

#[tokio::test]
async fn within_the_window_a_second_referral_is_a_duplicate_and_the_first_referrer_keeps_the_credit() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    s.submit_lead(&s.client(), "13911110005", Some(&code)).await;
    let first = first_id(&s, "+8613911110005").await;
    s.submit_lead(&s.client(), "139-1111-0005", None).await;
    assert_eq!(
        last_lead(&s, "+8613911110005").await,
        ("duplicate".into(), Some("duplicate".into()), None, Some(first))
    );
    let owner: i64 = sqlx::query_scalar("SELECT lead_id FROM lead_protections WHERE phone = '+8613911110005'")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(owner, first, "the first referrer keeps the credit");
    s.stop().await;
}

/// Moves the protecting lead (and its claim) back in time by `ms`.
async fn age_first_lead(s: &TestServer, phone: &str, ms: i64) {
    let pool = &s.state.db.pool;
    sqlx::query("UPDATE leads SET submitted_at = submitted_at - $1 WHERE phone = $2")
        .bind(ms)
        .bind(phone)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE lead_protections SET protected_until = protected_until - $1 WHERE phone = $2")
        .bind(ms)
        .bind(phone)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn window_edges_29_days_23_59_is_duplicate_30_days_is_new() {
    let s = TestServer::start().await;
    let day = 86_400_000i64;
    s.submit_lead(&s.client(), "13911110006", None).await;
    let first = first_id(&s, "+8613911110006").await;
    // Aged 29 days 23:59 (and a few seconds of slack for the test itself).
    age_first_lead(&s, "+8613911110006", 29 * day + 23 * 3_600_000 + 59 * 60_000 - 5_000).await;
    s.submit_lead(&s.client(), "13911110006", None).await;
    assert_eq!(last_lead(&s, "+8613911110006").await.0, "duplicate");
    assert_eq!(last_lead(&s, "+8613911110006").await.3, Some(first));
    // Aged a full 30 days (the minute and the slack): the next submission is a new lead.
    age_first_lead(&s, "+8613911110006", 60_000 + 5_000).await;
    s.submit_lead(&s.client(), "13911110006", None).await;
    assert_eq!(last_lead(&s, "+8613911110006").await, ("pending".into(), None, None, None));
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM leads").fetch_one(&s.state.db.pool).await.unwrap();
    let owner: i64 = sqlx::query_scalar("SELECT lead_id FROM lead_protections WHERE phone = '+8613911110006'")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(owner, newest);
    s.stop().await;
}

#[tokio::test]
async fn the_sixth_submission_of_the_day_from_one_device_is_held_not_lost() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let device = s.client();
    device.get(s.url(&format!("/r/{code}"))).send().await.unwrap(); // sets the visitor cookie
    for i in 1..=7 {
        s.submit_lead(&device, &format!("1391111100{i}"), Some(&code)).await;
    }
    let statuses: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT status, flag FROM leads ORDER BY id").fetch_all(&s.state.db.pool).await.unwrap();
    assert_eq!(statuses.len(), 7, "nothing dropped");
    for (i, (status, flag)) in statuses.iter().enumerate() {
        if i < 5 {
            assert_eq!((status.as_str(), flag.as_deref()), ("pending", None), "submission {}", i + 1);
        } else {
            assert_eq!((status.as_str(), flag.as_deref()), ("held", Some("device_cap")), "submission {}", i + 1);
        }
    }
    s.stop().await;
}

/// Submissions that arrive together are screened together (one batch, a few statements), each
/// as if the batch's earlier ones had been stored before it: of twenty new phones sent at once
/// from one address, exactly the daily cap's five are pending and the rest held, whatever the
/// order (a phone sent many times at once: the next test).
#[tokio::test]
async fn simultaneous_submissions_count_toward_the_daily_cap_one_by_one() {
    let s = TestServer::start().await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..20 {
        let c = s.client();
        let url = s.url("/c/winter-home/lead");
        let headers = same_origin(&s);
        let phone = format!("139555{i:05}");
        requests.spawn(async move {
            c.post(url).headers(headers).form(&[("name", "同时"), ("phone", &phone), ("consent", "1")]).send().await
        });
    }
    while let Some(res) = requests.join_next().await {
        assert_eq!(res.unwrap().unwrap().status(), StatusCode::SEE_OTHER);
    }
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT status, flag FROM leads").fetch_all(&s.state.db.pool).await.unwrap();
    assert_eq!(rows.len(), 20, "every acknowledged submission is stored");
    let count =
        |status: &str, flag: Option<&str>| rows.iter().filter(|r| r.0 == status && r.1.as_deref() == flag).count();
    assert_eq!((count("pending", None), count("held", Some("device_cap"))), (5, 15), "{rows:?}");
    assert_eq!(s.count("SELECT COUNT(*) FROM lead_protections").await, 20, "a held lead protects its phone too");
    s.stop().await;
}

#[tokio::test]
async fn fifty_simultaneous_submissions_of_one_new_phone_make_one_protecting_lead() {
    let s = TestServer::start().await;
    let (pool, db) = (&s.state.db.pool, &s.state.db);
    let campaign = campaigns::by_slug(pool, campaigns::DEMO_CAMPAIGN_SLUG).await.unwrap().unwrap();
    // Fifty different promoters, each with a personal link.
    let mut codes = Vec::new();
    for i in 0..50 {
        let id = users::create_user(
            db,
            &app::plumbing::audit::Actor::system(),
            users::NewUser {
                display_name: format!("员工{i}"),
                email: format!("p{i}@example.cn"),
                password: "password-1".into(),
                roles: vec![Role::Employee],
                ..Default::default()
            },
            false,
        )
        .await
        .unwrap();
        codes.push(links::link_for(db, campaign.id, id).await.unwrap());
    }
    let tasks: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let (url, origin) = (s.url("/c/winter-home/lead"), s.base.clone());
            tokio::spawn(async move {
                let form = [("name", "并发"), ("phone", "13922223333"), ("consent", "1"), ("ref", code.as_str())];
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap()
                    .post(url)
                    .header("Origin", origin)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
    }
    let rows: Vec<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, status, duplicate_of FROM leads WHERE phone = '+8613922223333'")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 50, "every acknowledged submission is stored");
    let protecting: Vec<_> = rows.iter().filter(|r| r.1 == "pending" || r.1 == "held").collect();
    assert_eq!(protecting.len(), 1, "exactly one protecting lead: {rows:?}");
    let winner = protecting[0].0;
    let duplicates = rows.iter().filter(|r| r.1 == "duplicate" && r.2 == Some(winner)).count();
    assert_eq!(duplicates, 49, "{rows:?}");
    let owner: i64 = sqlx::query_scalar("SELECT lead_id FROM lead_protections WHERE phone = '+8613922223333'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(owner, winner);
    s.stop().await;
}

#[tokio::test]
async fn a_burst_above_sixty_a_minute_from_one_ip_gets_429_and_nothing_else_is_refused() {
    let s = TestServer::start().await;
    // Pre-fill the counter as if 60 submissions had just come from this IP (this minute and
    // the next, in case the minute turns before the request arrives).
    let ip = app::plumbing::auth::keyed_hash(&s.state.org.secret, "127.0.0.1");
    let now = chrono::Utc::now().timestamp_millis();
    for window in [now - now.rem_euclid(60_000), now - now.rem_euclid(60_000) + 60_000] {
        sqlx::query("INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 60)")
            .bind(format!("lead:{ip}"))
            .bind(window)
            .execute(&s.state.db.pool)
            .await
            .unwrap();
    }
    let res = s.post_lead(&s.client(), &[("name", "快"), ("phone", "13933334444"), ("consent", "1")]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().starts_with("提交过于频繁"), "a clear message");
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 0);
    s.stop().await;
}

/// Submissions that arrive together are counted together (one counter update per batch):
/// of 80 at once from one address with 55 already counted, exactly 5 get through.
#[tokio::test]
async fn a_concurrent_burst_is_counted_exactly() {
    let s = TestServer::start().await;
    let ip = app::plumbing::auth::keyed_hash(&s.state.org.secret, "127.0.0.1");
    let now = chrono::Utc::now().timestamp_millis();
    let window = now - now.rem_euclid(60_000);
    if window + 60_000 - now < 15_000 {
        // Too close to the minute's end for the whole burst to land in one window.
        tokio::time::sleep(std::time::Duration::from_millis((window + 60_000 - now + 100) as u64)).await;
    }
    let now = chrono::Utc::now().timestamp_millis();
    // This minute and the next: on a loaded machine the burst may only arrive after the turn.
    for window in [now - now.rem_euclid(60_000), now - now.rem_euclid(60_000) + 60_000] {
        sqlx::query("INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 55)")
            .bind(format!("lead:{ip}"))
            .bind(window)
            .execute(&s.state.db.pool)
            .await
            .unwrap();
    }
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..80 {
        let c = s.client();
        let url = s.url("/c/winter-home/lead");
        let headers = same_origin(&s);
        requests.spawn(async move {
            let phone = format!("139777{i:05}");
            c.post(url).headers(headers).form(&[("name", "快"), ("phone", &phone), ("consent", "1")]).send().await
        });
    }
    let (mut ok, mut too_fast) = (0, 0);
    while let Some(res) = requests.join_next().await {
        match res.unwrap().unwrap().status() {
            StatusCode::SEE_OTHER => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => too_fast += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!((ok, too_fast), (5, 75));
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 5);
    s.stop().await;
}

#[tokio::test]
async fn marketing_manages_the_blacklist_and_screening_uses_it() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let id: i64 = s
        .call_json(&marketing, "add_blacklist", &[("kind", "phone"), ("value", "139 1111 0099"), ("note", "骚扰")])
        .await;
    let (status, _) = s.call(&marketing, "add_blacklist", &[("kind", "phone"), ("value", "+8613911110099")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already listed");
    let (status, body) = s.call(&marketing, "add_blacklist", &[("kind", "ip"), ("value", "not-an-ip")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: app::plumbing::errors::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error.field_errors()[0].field, app::features::leads::Field::BlacklistEntry.name(), "names the field");
    let _: i64 = s.call_json(&marketing, "add_blacklist", &[("kind", "ip"), ("value", "10.1.2.3")]).await;
    let rows: Vec<app::features::leads::BlacklistRow> = s.call_json(&marketing, "list_blacklist", &[]).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| !r.value.contains("10.1.2.3")), "IPs are never kept in the clear");
    s.submit_lead(&s.client(), "13911110099", None).await;
    assert_eq!(last_lead(&s, "+8613911110099").await.1.as_deref(), Some("blacklist_phone"));
    let (status, _) = s.call(&marketing, "remove_blacklist", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    s.submit_lead(&s.client(), "13911110098", None).await;
    assert_eq!(last_lead(&s, "+8613911110098").await.0, "pending");
    // Promoters may not touch it.
    let employee = s.signed_in(EMPLOYEE).await;
    let (status, _) = s.call(&employee, "list_blacklist", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.stop().await;
}

/// A phone with a won lead or a deal is an existing customer: a new referral of it is invalid,
/// unless the campaign accepts repurchase referrals (then the usual rules apply).
#[tokio::test]
async fn an_existing_customer_is_invalid_unless_the_campaign_accepts_repurchase() {
    let s = TestServer::start().await;
    s.submit_lead(&s.client(), "13944440001", None).await;
    let id = first_id(&s, "+8613944440001").await.to_string();
    let marketing = s.signed_in(MARKETING).await;
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &id), ("decision", "valid")]).await;
    let rep = s.signed_in("sales@demo.allhands.cn").await;
    let (status, body) = s.call(&rep, "update_stage", &[("lead_id", &id), ("stage", "won"), ("note", "签约")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.submit_lead(&s.client(), "139 4444 0001", None).await;
    let (status, reason, _, _) = last_lead(&s, "+8613944440001").await;
    assert_eq!((status.as_str(), reason.as_deref()), ("invalid", Some("existing_customer")));
    // A phone the company sold to without any lead (a deal sales recorded directly) is an
    // existing customer too.
    let deal = [
        ("deal[order_no]", "SCR-1"),
        ("deal[customer_phone]", "13944440002"),
        ("deal[amount]", "100"),
        ("deal[signed_on]", "2026-11-01"),
    ];
    let (status, body) = s.call(&rep, "record_deal", &deal).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.submit_lead(&s.client(), "13944440002", None).await;
    let (status, reason, _, _) = last_lead(&s, "+8613944440002").await;
    assert_eq!((status.as_str(), reason.as_deref()), ("invalid", Some("existing_customer")));
    // The campaign now takes repurchase referrals: the first lead still protects the phone.
    sqlx::query("UPDATE campaigns SET accepts_repurchase = 1").execute(&s.state.db.pool).await.unwrap();
    app::features::campaigns::part(&s.state).unwrap().campaign_changed();
    s.submit_lead(&s.client(), "13944440001", None).await;
    let (status, reason, _, of) = last_lead(&s, "+8613944440001").await;
    assert_eq!(
        (status.as_str(), reason.as_deref(), of.map(|o| o.to_string())),
        ("duplicate", Some("duplicate"), Some(id))
    );
    s.stop().await;
}

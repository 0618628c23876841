//! The outbox and its delivery: queued with the event, delivered by the dispatcher, retried
//! with backoff when the gateway fails, and never in the way of a submission.
mod common;
use axum::http::StatusCode as AxumStatus;
use common::*;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn submit(s: &TestServer, phone: &str) {
    let res = s.post_lead(&s.client(), &[("name", "赵女士"), ("phone", phone), ("consent", "1")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/c/winter-home/thanks");
}

/// (kind, recipient, body, status, attempts) of the outbox, oldest first.
async fn outbox(s: &TestServer) -> Vec<(String, String, String, String, i64)> {
    sqlx::query_as("SELECT kind, recipient, body, status, attempts FROM outbox ORDER BY id")
        .fetch_all(&s.state.db.pool)
        .await
        .unwrap()
}

async fn wait_until<F: Fn(&[(String, String, String, String, i64)]) -> bool>(
    s: &TestServer,
    done: F,
) -> Vec<(String, String, String, String, i64)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = outbox(s).await;
        if done(&rows) || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_submission_queues_a_thank_you_that_the_dispatcher_sends() {
    let s = TestServer::start().await;
    submit(&s, "13966660001").await;
    let rows = wait_until(&s, |r| r.first().is_some_and(|m| m.3 == "sent")).await;
    assert_eq!(rows.len(), 1);
    let (kind, recipient, body, status, attempts) = &rows[0];
    assert_eq!(
        (kind.as_str(), recipient.as_str(), status.as_str(), *attempts),
        ("thank_you", "+8613966660001", "sent", 1)
    );
    assert!(body.contains("赵女士") && body.contains("冬季焕新家装节"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn assigning_a_lead_notifies_the_rep() {
    let s = TestServer::start().await;
    submit(&s, "13966660002").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM leads").fetch_one(&s.state.db.pool).await.unwrap();
    let marketing = s.signed_in(MARKETING).await;
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &id.to_string()), ("decision", "valid")]).await;
    let rep: i64 = sqlx::query_scalar("SELECT assigned_to FROM leads").fetch_one(&s.state.db.pool).await.unwrap();
    let rows = wait_until(&s, |r| r.iter().any(|m| m.0 == "lead_assigned" && m.3 == "sent")).await;
    let assigned = rows.iter().find(|m| m.0 == "lead_assigned").expect("lead_assigned queued");
    assert_eq!(assigned.1, format!("user:{rep}"));
    assert!(assigned.2.contains("13966660002") && assigned.2.contains("24小时"), "{}", assigned.2);
    s.stop().await;
}

/// A gateway that fails the first `failures` requests with 500, then accepts, recording bodies.
async fn gateway(failures: usize) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    slow_gateway(failures, Duration::ZERO).await
}

/// The same, answering each request after `delay`.
async fn slow_gateway(failures: usize, delay: Duration) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(Mutex::new(0usize));
    let app = {
        let seen = seen.clone();
        axum::Router::new().route(
            "/send",
            axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
                let (seen, calls) = (seen.clone(), calls.clone());
                async move {
                    tokio::time::sleep(delay).await;
                    let n = {
                        let mut c = calls.lock().unwrap();
                        *c += 1;
                        *c
                    };
                    if n <= failures {
                        return AxumStatus::INTERNAL_SERVER_ERROR;
                    }
                    seen.lock().unwrap().push(body);
                    AxumStatus::OK
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn the_webhook_is_retried_with_backoff_until_the_gateway_accepts() {
    let (url, seen) = gateway(2).await;
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.notify_webhook = Some(url);
    let s = TestServer::start_with(cfg, db).await;
    submit(&s, "13966660003").await;
    let rows = wait_until(&s, |r| r.first().is_some_and(|m| m.3 == "sent")).await;
    assert_eq!((rows[0].3.as_str(), rows[0].4), ("sent", 3), "two failures, then delivered: {rows:?}");
    let delivered = seen.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["kind"], "thank_you");
    assert_eq!(delivered[0]["recipient"], "+8613966660003");
    s.stop().await;
}

#[tokio::test]
async fn a_dead_gateway_never_blocks_or_fails_a_submission() {
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.notify_webhook = Some("http://127.0.0.1:9/unreachable".into());
    let s = TestServer::start_with(cfg, db).await;
    let started = Instant::now();
    submit(&s, "13966660004").await;
    assert!(started.elapsed() < Duration::from_secs(2), "the submission did not wait for the gateway");
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 1);
    let rows = wait_until(&s, |r| r.first().is_some_and(|m| m.4 >= 1)).await;
    assert_eq!(rows[0].3, "queued", "kept for another attempt: {rows:?}");
    let error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM outbox").fetch_one(&s.state.db.pool).await.unwrap();
    assert!(error.is_some());
    s.stop().await;
}

/// A real gateway gets addresses, not `user:<id>` or `role:marketing`: the outbox resolves
/// the rep to their phone before the message leaves.
#[tokio::test]
async fn the_gateway_gets_the_reps_phone_not_an_internal_recipient() {
    let (url, seen) = gateway(0).await;
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.notify_webhook = Some(url);
    let s = TestServer::start_with(cfg, db).await;
    submit(&s, "13966660005").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM leads").fetch_one(&s.state.db.pool).await.unwrap();
    let marketing = s.signed_in(MARKETING).await;
    let (status, body) =
        s.call(&marketing, "review_leads", &[("ids[0]", &id.to_string()), ("decision", "valid")]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    wait_until(&s, |r| r.iter().any(|m| m.0 == "lead_assigned" && m.3 == "sent")).await;
    let delivered = seen.lock().unwrap().clone();
    let assigned = delivered.iter().find(|d| d["kind"] == "lead_assigned").expect("delivered");
    assert!(assigned["recipient"].as_str().unwrap().starts_with("user:"));
    assert_eq!(assigned["to"], serde_json::json!(["+8613800000003"]));
    s.stop().await;
}

/// Several instances on one database: each message is claimed by one dispatcher and
/// delivered once, however slow the gateway.
#[tokio::test]
async fn dispatchers_running_at_once_deliver_each_message_once() {
    let (url, seen) = slow_gateway(0, Duration::from_millis(50)).await;
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.notify_webhook = Some(url.clone());
    let s = TestServer::start_with(cfg, db).await;
    let messages: Vec<(String, String)> = (0..20).map(|i| (format!("+86139666610{i:02}"), format!("m{i}"))).collect();
    let refs: Vec<(&str, &str)> = messages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (turn, mut tx) = s.state.db.begin_write().await.unwrap();
    app::plumbing::outbox::enqueue_many(&mut tx, app::plumbing::outbox::MessageKind::ThankYou, &refs).await.unwrap();
    tx.commit().await.unwrap();
    drop(turn);
    // Two more dispatchers beside the server's own, as two more instances would run.
    let notifier = server::notify::WebhookNotifier::new(url);
    let (a, b) = tokio::join!(
        server::notify::dispatch_once(&s.state, &notifier),
        server::notify::dispatch_once(&s.state, &notifier)
    );
    // Which dispatcher claims what is a race; that no message goes twice is not.
    let _ = (a.unwrap(), b.unwrap());
    wait_until(&s, |r| r.len() == 20 && r.iter().all(|m| m.3 == "sent")).await;
    let mut bodies: Vec<String> =
        seen.lock().unwrap().iter().map(|d| d["body"].as_str().unwrap_or_default().to_string()).collect();
    bodies.sort();
    let mut want: Vec<String> = (0..20).map(|i| format!("m{i}")).collect();
    want.sort();
    assert_eq!(bodies, want, "each message delivered once");
    s.stop().await;
}

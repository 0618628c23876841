//! Outgoing webhooks from outside: an endpoint admin registers receives the events it
//! subscribes to, signed as Standard Webhooks has it (checked by the reference library from
//! PyPI, which refuses a tampered body and a stale timestamp), retried until it answers 2xx,
//! delivered again by hand, and disabled (admin told) after failing for three days.
mod common;

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::*;
use reqwest::StatusCode;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A receiver that records every request and answers with `answer`'s status.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>, Arc<AtomicU16>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let answer = Arc::new(AtomicU16::new(200));
    let (s, a) = (seen.clone(), answer.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (s, a) = (s.clone(), a.clone());
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                s.lock().unwrap().push(Received {
                    id: h("webhook-id"),
                    timestamp: h("webhook-timestamp"),
                    signature: h("webhook-signature"),
                    body,
                });
                AxumStatus::from_u16(a.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen, answer)
}

async fn until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(t) = probe() {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// What the reference library says of a request: "ok", or the error it raised.
fn verified(secret: &str, r: &Received) -> String {
    let script = "import os\nfrom standardwebhooks import Webhook\n\
        h = {'webhook-id': os.environ['WID'], 'webhook-timestamp': os.environ['WTS'], 'webhook-signature': os.environ['WSIG']}\n\
        try:\n    Webhook(os.environ['SECRET']).verify(os.environ['BODY'], h)\n    print('ok')\n\
        except Exception as e:\n    print(type(e).__name__, e)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .env("SECRET", secret)
        .env("WID", &r.id)
        .env("WTS", &r.timestamp)
        .env("WSIG", &r.signature)
        .env("BODY", &r.body)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn reference_library() -> bool {
    let there = std::process::Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .status()
        .is_ok_and(|s| s.success());
    if !there {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "standardwebhooks is not installed: run scripts/setup");
        eprintln!("standardwebhooks (PyPI) is not installed: skipped");
    }
    there
}

#[tokio::test]
async fn events_are_delivered_signed_retried_and_redelivered() {
    if !reference_library() {
        return;
    }
    let s = TestServer::start().await;
    let (url, seen, answer) = receiver().await;
    let admin = s.signed_in(ADMIN).await;
    let (status, body) = s.call(&admin, "create_webhook", &[("url", "ftp://x"), ("events[0]", "lead.created")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let hook: app::features::admin::NewWebhook = s
        .call_json(
            &admin,
            "create_webhook",
            &[("url", &url), ("events[0]", "lead.created"), ("events[1]", "deal.created")],
        )
        .await;
    assert!(hook.secret.starts_with("whsec_"));

    s.submit_lead(&s.client(), "13911113333", Some(&s.employee_code().await)).await;
    let first = until("lead.created", || seen.lock().unwrap().first().cloned()).await;
    let body: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["type"], "lead.created");
    assert!(body["data"]["lead_id"].as_i64().is_some() && body["data"].get("phone").is_none(), "{body}");
    // The reference implementation accepts it, and refuses it tampered or stale.
    assert_eq!(verified(&hook.secret, &first), "ok");
    let tampered = Received { body: first.body.replace("lead.created", "deal.created"), ..first.clone() };
    assert!(verified(&hook.secret, &tampered).starts_with("WebhookVerificationError"), "a tampered body");
    let old = chrono::Utc::now().timestamp() - 600;
    let stale = Received {
        timestamp: old.to_string(),
        signature: app::plumbing::webhooks::sign(&hook.secret, &first.id, old, &first.body),
        ..first.clone()
    };
    let said = verified(&hook.secret, &stale);
    assert!(said.starts_with("WebhookVerificationError") && said.contains("too old"), "a stale timestamp: {said}");
    assert!(
        verified("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &first).starts_with("WebhookVerificationError"),
        "another secret"
    );

    // Not subscribed: a payment. Subscribed: the deal, delivered after two failures.
    answer.store(500, Ordering::SeqCst);
    let key = s.api_key(&["deals:write"]).await;
    let res = s
        .client()
        .post(s.url("/api/v1/deals"))
        .bearer_auth(&key)
        .json(&serde_json::json!([{"order_no": "W-1", "customer_phone": "13922224444", "amount_fen": 100, "currency": "CNY", "signed_on": "2026-11-05"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    until("two failed tries", || (seen.lock().unwrap().len() >= 3).then_some(())).await;
    answer.store(200, Ordering::SeqCst);
    let pool = &s.state.db.pool;
    let delivered = until("the deal delivered", || {
        let received = seen.lock().unwrap().clone();
        received.iter().rev().find(|r| r.body.contains("deal.created")).cloned().filter(|_| received.len() >= 4)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (attempts, status, code): (i64, String, Option<i64>) =
        sqlx::query_as("SELECT attempts, status, response_status FROM webhook_deliveries WHERE event = 'deal.created'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(attempts >= 3 && status == "delivered" && code == Some(200), "{attempts} {status} {code:?}");
    let ids: Vec<String> =
        seen.lock().unwrap().iter().filter(|r| r.body.contains("deal.created")).map(|r| r.id.clone()).collect();
    assert!(ids.iter().all(|i| *i == delivered.id), "every try of a delivery has its webhook-id: {ids:?}");
    assert_eq!(s.count("SELECT COUNT(*) FROM webhook_deliveries WHERE event = 'payment.recorded'").await, 0);

    // Admin sees it and delivers it again by hand: the same message id.
    let rows: Vec<app::features::admin::WebhookRow> = s.call_json(&admin, "webhooks", &[]).await;
    let d = rows[0].deliveries.iter().find(|d| d.event.as_str() == "deal.created").unwrap();
    assert_eq!((d.response_status, rows[0].failing_since.clone()), (Some(200), None));
    let before = seen.lock().unwrap().len();
    let (status, _) = s.call(&admin, "redeliver_webhook", &[("delivery_id", &d.id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let again = until("the redelivery", || seen.lock().unwrap().get(before).cloned()).await;
    assert_eq!(again.id, delivered.id);
    assert_eq!(verified(&hook.secret, &again), "ok");
    let finance = s.signed_in(FINANCE).await;
    let (status, _) = s.call(&finance, "webhooks", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admin only");
    s.stop().await;
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_disabled_and_admin_told() {
    let s = TestServer::start().await;
    let (url, seen, answer) = receiver().await;
    answer.store(503, Ordering::SeqCst);
    let admin = s.signed_in(ADMIN).await;
    let _: app::features::admin::NewWebhook =
        s.call_json(&admin, "create_webhook", &[("url", &url), ("events[0]", "lead.created")]).await;
    let pool = &s.state.db.pool;
    let three_days_ago = app::plumbing::state::now_ms() - app::plumbing::webhooks::DISABLE_AFTER_MS - 1000;
    sqlx::query("UPDATE webhook_endpoints SET failing_since = $1").bind(three_days_ago).execute(pool).await.unwrap();
    s.submit_lead(&s.client(), "13911115555", None).await;
    until("a failed try", || (!seen.lock().unwrap().is_empty()).then_some(())).await;
    let mut disabled = 0;
    for _ in 0..100 {
        disabled = s.count("SELECT COUNT(*) FROM webhook_endpoints WHERE disabled_at IS NOT NULL").await;
        if disabled == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(disabled, 1, "disabled after failing for three days");
    assert_eq!(s.count("SELECT COUNT(*) FROM outbox WHERE kind = 'webhook_disabled'").await, 1, "admin is told");
    assert_eq!(s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.disabled'").await, 1);
    // Disabled: nothing more is written for it, until admin enables it again.
    s.submit_lead(&s.client(), "13911116666", None).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM webhook_deliveries").await, 1);
    let id = s.count("SELECT id FROM webhook_endpoints").await.to_string();
    let (status, _) = s.call(&admin, "set_webhook_enabled", &[("id", &id), ("enabled", "true")]).await;
    assert_eq!(status, StatusCode::OK);
    s.submit_lead(&s.client(), "13911117777", None).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM webhook_deliveries").await, 2);
    // Finished deliveries are kept 30 days; queued ones until they finish.
    let long_ago = app::plumbing::state::now_ms() - app::plumbing::webhooks::KEEP_MS - 1000;
    sqlx::query("UPDATE webhook_deliveries SET occurred_at = $1").bind(long_ago).execute(pool).await.unwrap();
    sqlx::query("UPDATE webhook_deliveries SET status = 'failed' WHERE id = (SELECT MIN(id) FROM webhook_deliveries)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = $1 WHERE id = (SELECT MAX(id) FROM webhook_deliveries)")
        .bind(i64::MAX / 2)
        .execute(pool)
        .await
        .unwrap();
    let (turn, mut tx) = s.state.db.begin_write().await.unwrap();
    assert_eq!(app::plumbing::webhooks::forget_old(&mut tx).await.unwrap(), 1);
    tx.commit().await.unwrap();
    drop(turn);
    assert_eq!(s.count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'queued'").await, 1);
    s.stop().await;
}

/// Two instances on one database: each of 1,000 events' webhooks and each of 1,000 messages
/// is delivered once, while one instance is stopped and started again halfway.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_deliver_each_webhook_and_message_once_through_a_restart() {
    let (hooks, seen, _) = receiver().await;
    let (gateway, texts, _) = receiver().await;
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.notify_webhook = Some(gateway);
    let a = TestServer::start_with(cfg.clone(), db.clone()).await;
    let b = TestServer::start_with(cfg.clone(), db.clone()).await;
    let admin = a.signed_in(ADMIN).await;
    let _: app::features::admin::NewWebhook =
        a.call_json(&admin, "create_webhook", &[("url", &hooks), ("events[0]", "deal.created")]).await;
    let key = a.api_key(&["deals:write"]).await;
    let messages: Vec<(String, String)> = (0..1000).map(|i| (format!("+86139{i:08}"), format!("m{i}"))).collect();
    let refs: Vec<(&str, &str)> = messages.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (turn, mut tx) = a.state.db.begin_write().await.unwrap();
    app::plumbing::outbox::enqueue_many(&mut tx, app::plumbing::outbox::MessageKind::ThankYou, &refs).await.unwrap();
    tx.commit().await.unwrap();
    drop(turn);
    // 1,000 deals, pushed to either instance.
    for batch in 0..10 {
        let to = if batch % 2 == 0 { &a } else { &b };
        let deals: Vec<serde_json::Value> = (0..100)
            .map(|i| serde_json::json!({"order_no": format!("T-{batch}-{i}"), "customer_phone": "13922226666", "amount_fen": 100, "currency": "CNY", "signed_on": "2026-11-05"}))
            .collect();
        let res = to.client().post(to.url("/api/v1/deals")).bearer_auth(&key).json(&deals).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    until("half the webhooks", || (seen.lock().unwrap().len() >= 500).then_some(())).await;
    a.stop().await;
    let a = TestServer::start_with(cfg.clone(), db.clone()).await;
    let ours = |texts: &Mutex<Vec<Received>>| -> Vec<String> {
        texts
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["body"].as_str().unwrap_or("").to_string()
            })
            .filter(|b| b.starts_with('m') && b[1..].parse::<u32>().is_ok())
            .collect()
    };
    until("every webhook and message", || {
        (seen.lock().unwrap().len() >= 1000 && ours(&texts).len() >= 1000).then_some(())
    })
    .await;
    // A moment for any second delivery to show.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let ids: std::collections::BTreeSet<String> = seen.lock().unwrap().iter().map(|r| r.id.clone()).collect();
    assert_eq!((seen.lock().unwrap().len(), ids.len()), (1000, 1000), "each webhook once");
    let ours = ours(&texts);
    let bodies: std::collections::BTreeSet<&String> = ours.iter().collect();
    assert_eq!((ours.len(), bodies.len()), (1000, 1000), "each message once");
    a.stop().await;
    b.stop().await;
}

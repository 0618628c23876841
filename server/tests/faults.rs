//! Faults the server survives, and the one way errors leave it.
mod common;

use app::plumbing::errors::AppError;
use axum::routing::get;
use common::*;
use reqwest::StatusCode;

async fn panics() -> &'static str {
    panic!("a bug in one request")
}

/// A panic inside one request answers 500, in the same envelope as any internal error; the
/// server, its queues and its other requests carry on.
#[tokio::test]
async fn a_panic_in_one_request_answers_500_and_the_server_keeps_serving() {
    let db = TestDb::fresh().await;
    let mut b = build();
    b.extra = axum::Router::new().route("/test/panic", get(panics)).route("/api/test/panic", get(panics));
    let s = TestServer::start_built(config(&db), db, b).await;
    let code = s.employee_code().await;
    for _ in 0..3 {
        let res = s.client().get(s.url("/test/panic")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let res = s.client().get(s.url("/api/test/panic")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert_eq!(res.json::<AppError>().await.unwrap(), AppError::Internal);
    }
    // Still serving: pages, the database, the click queue.
    let res = s.client().get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = s.client().get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    s.flush_clicks().await;
    assert_eq!(s.count("SELECT COUNT(*) FROM clicks").await, 1);
    s.stop().await;
}

/// Server functions answer RFC 9457 problem details with the status they name, also when the
/// arguments themselves cannot be read; browser routes answer a message in the user's words.
#[tokio::test]
async fn errors_are_problem_details_on_api_and_messages_on_pages() {
    let s = TestServer::start().await;
    let anonymous = s.client();
    let res = anonymous.post(s.url("/api/list_leads")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["type"], "urn:allhands:problem:unauthenticated");
    assert_eq!(body["status"], 401);
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    // Arguments that do not decode (an id that is not a number): 400, not a 500.
    let rep = s.signed_in("sales@demo.allhands.cn").await;
    let (status, body) = s.call(&rep, "update_stage", &[("lead_id", "one"), ("stage", "won")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(matches!(serde_json::from_str::<AppError>(&body).unwrap(), AppError::BadRequest(_)));
    // A value not in a closed set (a stage that is not a stage) is refused naming its field.
    let (status, body) = s.call(&rep, "update_stage", &[("lead_id", "1"), ("stage", "teleported")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&serde_json::from_str(&body).unwrap()), ["stage"]);
    let finance = s.signed_in("finance@demo.allhands.cn").await;
    for (function, args, field) in [
        ("draft_run", &[("scope", "customers"), ("period", "2026-11")][..], "scope"),
        ("run_action", &[("run_id", "1"), ("action", "delete")][..], "action"),
    ] {
        let (status, body) = s.call(&finance, function, args).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{function}: {body}");
        assert_eq!(field_names(&serde_json::from_str(&body).unwrap()), [field], "{function}");
    }
    // A field error names the field, in both languages and for API clients.
    let marketing = s.signed_in(MARKETING).await;
    let (status, body) = s.call(&marketing, "add_word", &[("word", ""), ("kind", "extreme")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["errors"][0]["field"], "word");
    assert_eq!(json["errors"][0]["label"]["zh-CN"], "词语");
    assert!(json["errors"][0]["detail"].as_str().unwrap().starts_with("Word"), "{json}");
    // A browser route: the message in the user's language, as plain text.
    let res = s.client().get(s.url("/settlement/1/bank.csv")).header("Cookie", "lang=en").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(res.text().await.unwrap(), AppError::Unauthenticated.message(app::plumbing::i18n::Locale::En));
    s.stop().await;
}

/// A value of a closed set read from the database that is not in the set is an error (logged
/// with the table and the value), never a default.
#[tokio::test]
async fn an_unknown_stored_status_is_an_error_not_a_default() {
    let s = TestServer::start().await;
    s.submit_lead(&s.client(), "13912345678", None).await;
    let marketing = s.signed_in(MARKETING).await;
    let (status, _) = s.call(&marketing, "list_leads", &[]).await;
    assert_eq!(status, StatusCode::OK);
    sqlx::query("UPDATE leads SET status = 'misplaced'").execute(&s.state.db.pool).await.unwrap();
    let (status, body) = s.call(&marketing, "list_leads", &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(serde_json::from_str::<AppError>(&body).unwrap(), AppError::Internal);
    assert!(!body.contains("misplaced"), "internal causes are never sent: {body}");
    s.stop().await;
}

async fn slow() -> &'static str {
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    "done"
}

/// A request that takes too long answers 503 (nothing half done is acknowledged), and more
/// requests than the server serves at once wait a second for a place, then get 503 — the
/// live stream is exempt from both, and the server goes on serving.
#[tokio::test]
async fn slow_requests_time_out_and_a_full_server_says_so() {
    let db = TestDb::fresh().await;
    let mut b = build();
    b.extra = axum::Router::new().route("/api/test/slow", get(slow));
    b.request_timeout = std::time::Duration::from_secs(1);
    b.max_in_flight = 2;
    let s = TestServer::start_built(config(&db), db, b).await;
    let res = s.client().get(s.url("/api/test/slow")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(res.json::<AppError>().await.unwrap(), AppError::Unavailable { retry_after_s: 1 });

    let db = TestDb::fresh().await;
    let mut b = build();
    b.extra = axum::Router::new().route("/api/test/slow", get(slow));
    b.max_in_flight = 2;
    let s2 = TestServer::start_built(config(&db), db, b).await;
    let marketing = s2.signed_in(MARKETING).await;
    // A live stream holds no place.
    let live = marketing.get(s2.url("/live")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let started = std::time::Instant::now();
    let calls = (0..3).map(|_| {
        let (s2, c) = (&s2, s2.client());
        async move { c.get(s2.url("/api/test/slow")).send().await.unwrap().status() }
    });
    let mut statuses = futures_util::future::join_all(calls).await;
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::OK, StatusCode::OK, StatusCode::SERVICE_UNAVAILABLE]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let res = s2.client().get(s2.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "still serving");
    drop(live);
    s.stop().await;
    s2.stop().await;
}

/// A client that sends half a request's headers and stops is disconnected: it cannot hold a
/// connection open forever.
#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start().await;
    let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), conn.read(&mut buf)).await;
    let elapsed = started.elapsed();
    assert!(read.is_ok(), "still open after 20 s");
    assert!(elapsed >= std::time::Duration::from_secs(9), "closed after {elapsed:?}");
    s.stop().await;
}

//! The integration API (/api/v1) from outside, with API keys: every operation refused
//! without its scope, idempotency (by order number, by payment id, by `Idempotency-Key`),
//! leads pulled page by page with phones masked unless the key may see them, staff kept in
//! step, figures, and the OpenAPI document with its reference page.
mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn send(
    s: &TestServer,
    method: &str,
    path: &str,
    key: &str,
    body: Option<Value>,
    idem: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = match method {
        "GET" => s.client().get(s.url(path)),
        _ => s.client().post(s.url(path)),
    }
    .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(k) = idem {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let problem = res.headers().get("content-type").is_some_and(|c| c == "application/problem+json");
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success() || problem, "{method} {path}: {status} without problem details: {body}");
    (status, body)
}

fn deal(order: &str, amount_fen: i64) -> Value {
    json!({"order_no": order, "customer_phone": "13922228888", "amount_fen": amount_fen, "currency": "CNY", "signed_on": "2026-11-05"})
}

#[tokio::test]
async fn each_operation_needs_its_own_scope() {
    let s = TestServer::start().await;
    let none = s.api_key(&["stats:read"]).await;
    let operations: [(&str, &str, Option<Value>, &str); 5] = [
        ("POST", "/api/v1/deals", Some(json!([deal("S-1", 100)])), "deals:write"),
        (
            "POST",
            "/api/v1/payments",
            Some(
                json!({"payment_id": "P-0", "order_no": "S-1", "kind": "payment", "amount_fen": 100, "currency": "CNY", "paid_on": "2026-11-06"}),
            ),
            "payments:write",
        ),
        ("GET", "/api/v1/leads", None, "leads:read"),
        (
            "POST",
            "/api/v1/staff",
            Some(json!({"staff": [{"name": "新人", "employee_no": "E900", "phone": "13700009000"}]})),
            "staff:write",
        ),
        ("GET", "/api/v1/figures?from=2026-11-01&to=2026-11-30&by=campaign", None, "stats:read"),
    ];
    let all = s.api_key(&["deals:write", "payments:write", "leads:read", "staff:write"]).await;
    for (method, path, body, scope) in operations {
        let other = if scope == "stats:read" { &all } else { &none };
        let (status, problem) = send(&s, method, path, other, body.clone(), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} without {scope}: {problem}");
        assert_eq!(problem["type"], "urn:allhands:problem:forbidden");
        let (status, _) = send(&s, method, path, "ak_unknown", body.clone(), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with no key");
        let with = if scope == "stats:read" { &none } else { &all };
        let (status, body) = send(&s, method, path, with, body, None).await;
        assert!(status.is_success(), "{path} with {scope}: {status} {body}");
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM users WHERE employee_no = 'E900'").await, 1);
    // A deal with a payment needs payments:write too.
    let deals_only = s.api_key(&["deals:write"]).await;
    let mut paid = deal("S-2", 100);
    paid["payment"] = json!({"paid_on": "2026-11-06", "amount_fen": 100});
    let (status, _) = send(&s, "POST", "/api/v1/deals", &deals_only, Some(json!([paid])), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Revoked: refused at once.
    let admin = s.signed_in(ADMIN).await;
    let keys: Vec<app::features::admin::ApiKeyRow> = s.call_json(&admin, "api_keys", &[]).await;
    let id = keys.iter().find(|k| all.starts_with(&k.prefix)).unwrap().id;
    let (status, _) = s.call(&admin, "revoke_api_key", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(&s, "GET", "/api/v1/leads", &all, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked");
    s.stop().await;
}

#[tokio::test]
async fn pushes_are_idempotent_and_conflicts_answer_409() {
    let s = TestServer::start().await;
    let key = s.api_key(&["deals:write", "payments:write"]).await;
    let push = json!([deal("I-1", 1_234_567), deal("I-2", 500)]);
    let (status, first) = send(&s, "POST", "/api/v1/deals", &key, Some(push.clone()), None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!((first["created"].as_i64(), first["unchanged"].as_i64()), (Some(2), Some(0)));
    assert_eq!(s.count("SELECT amount_fen FROM deals WHERE order_no = 'I-1'").await, 1_234_567, "fen, exactly");
    let (_, again) = send(&s, "POST", "/api/v1/deals", &key, Some(push), None).await;
    assert_eq!((again["created"].as_i64(), again["unchanged"].as_i64()), (Some(0), Some(2)), "the same deals again");
    // Another amount under a recorded order number: 409 naming the row and field; nothing of the push is kept.
    let (status, problem) =
        send(&s, "POST", "/api/v1/deals", &key, Some(json!([deal("I-3", 100), deal("I-1", 999)])), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["type"], "urn:allhands:problem:conflict");
    assert_eq!(problem["errors"][0]["field"], "[1].amount_fen");
    assert_eq!(s.count("SELECT COUNT(*) FROM deals WHERE order_no = 'I-3'").await, 0);
    // An invalid field refuses the whole push, named by row.
    let (status, problem) =
        send(&s, "POST", "/api/v1/deals", &key, Some(json!([deal("I-5", 100), deal("I-4", -5)])), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "[1].amount_fen");
    assert_eq!(s.count("SELECT COUNT(*) FROM deals WHERE order_no = 'I-5'").await, 0);
    // A body that is not the document's: 400 problem details.
    let (status, problem) = send(&s, "POST", "/api/v1/deals", &key, Some(json!({"order_no": 1})), None).await;
    assert_eq!((status, problem["status"].as_i64()), (StatusCode::BAD_REQUEST, Some(400)));

    // Payments by their own id: once, whatever the retries; the same id otherwise is a 409.
    let payment = |id: &str, kind: &str, fen: i64| json!({"payment_id": id, "order_no": "I-1", "kind": kind, "amount_fen": fen, "currency": "CNY", "paid_on": "2026-11-06"});
    let (status, paid) =
        send(&s, "POST", "/api/v1/payments", &key, Some(payment("P-1", "payment", 100_000)), None).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    let (_, again) = send(&s, "POST", "/api/v1/payments", &key, Some(payment("P-1", "payment", 100_000)), None).await;
    assert_eq!(again, paid, "the same payment again answers the same");
    let (status, _) = send(&s, "POST", "/api/v1/payments", &key, Some(payment("P-1", "payment", 200_000)), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, refund) =
        send(&s, "POST", "/api/v1/payments", &key, Some(payment("R-1", "refund", 40_000)), None).await;
    assert_eq!((status, refund["kind"].as_str()), (StatusCode::OK, Some("refund")));
    let deal_id = s.count("SELECT id FROM deals WHERE order_no = 'I-1'").await;
    let collected =
        s.count(&format!("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM payments WHERE deal_id = {deal_id}")).await;
    assert_eq!(collected, 60_000, "one payment and one refund, whatever was retried");
    let (status, problem) =
        send(&s, "POST", "/api/v1/payments", &key, Some(payment("R-2", "refund", 90_000)), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "more back than collected: {problem}");

    // Idempotency-Key: the same request again is answered as the first, without running it.
    let body = json!([deal("K-1", 700)]);
    let (status, first) = send(&s, "POST", "/api/v1/deals", &key, Some(body.clone()), Some("push-7")).await;
    assert_eq!((status, first["created"].as_i64()), (StatusCode::OK, Some(1)));
    let res = s
        .client()
        .post(s.url("/api/v1/deals"))
        .bearer_auth(&key)
        .header("Idempotency-Key", "push-7")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let replayed: Value = res.json().await.unwrap();
    assert_eq!(replayed, first, "created 1 again: the first answer, not a second run");
    let (status, problem) =
        send(&s, "POST", "/api/v1/deals", &key, Some(json!([deal("K-2", 700)])), Some("push-7")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(s.count("SELECT COUNT(*) FROM deals WHERE order_no = 'K-2'").await, 0);
    // Another key's same Idempotency-Key is its own.
    let other = s.api_key(&["deals:write"]).await;
    let (status, _) = send(&s, "POST", "/api/v1/deals", &other, Some(json!([deal("K-3", 700)])), Some("push-7")).await;
    assert_eq!(status, StatusCode::OK);
    // Keys are kept a day.
    let day_ago = app::plumbing::state::now_ms() - 24 * 3600 * 1000 - 1000;
    sqlx::query("UPDATE api_idempotency SET created_at = $1 WHERE owner = (SELECT MIN(owner) FROM api_idempotency)")
        .bind(day_ago)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(app::plumbing::idempotency::forget_expired(&s.state).await.unwrap(), 1);
    assert_eq!(s.count("SELECT COUNT(*) FROM api_idempotency").await, 1);
    s.stop().await;
}

#[tokio::test]
async fn leads_are_pulled_by_page_and_masked_without_pii_scope() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    for i in 0..5 {
        s.submit_lead(&s.client(), &format!("1391111000{i}"), Some(&code)).await;
    }
    let masked = s.api_key(&["leads:read"]).await;
    let full = s.api_key(&["leads:read", "leads:read_pii"]).await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) =
            send(&s, "GET", &format!("/api/v1/leads?limit=2&cursor={cursor}"), &masked, None, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for l in page["leads"].as_array().unwrap() {
            let phone = l["phone"].as_str().unwrap();
            assert!(phone.contains('*') && !phone.contains("13911110"), "masked: {phone}");
            seen.push(l["id"].as_i64().unwrap());
        }
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(seen.len(), 5, "every lead once: {seen:?}");
    let (_, page) = send(&s, "GET", &format!("/api/v1/leads?cursor={cursor}"), &masked, None, None).await;
    assert!(page["leads"].as_array().unwrap().is_empty(), "nothing changed since the last cursor");
    // A lead reviewed afterwards comes again, from the same cursor, with its new status.
    let marketing = s.signed_in(MARKETING).await;
    let first = seen[0].to_string();
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &first), ("decision", "invalid")]).await;
    let (_, page) = send(&s, "GET", &format!("/api/v1/leads?cursor={cursor}"), &full, None, None).await;
    let changed = page["leads"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{page}");
    assert_eq!((changed[0]["id"].as_i64(), changed[0]["status"].as_str()), (Some(seen[0]), Some("invalid")));
    assert!(changed[0]["phone"].as_str().unwrap().starts_with("+86139111100"), "full with leads:read_pii");
    let (_, valid) = send(&s, "GET", "/api/v1/leads?status=invalid", &masked, None, None).await;
    assert_eq!(valid["leads"].as_array().unwrap().len(), 1);
    let (status, problem) = send(&s, "GET", "/api/v1/leads?limit=0", &masked, None, None).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
    let (status, _) = send(&s, "GET", "/api/v1/leads?status=lost", &masked, None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.stop().await;
}

#[tokio::test]
async fn staff_are_kept_in_step_and_figures_read() {
    let s = TestServer::start().await;
    let hr = s.api_key(&["staff:write", "stats:read"]).await;
    let people = json!({"staff": [
        {"name": "张三", "employee_no": "H1", "phone": "13800001111", "department": "销售部", "roles": ["employee", "sales"]},
        {"name": "李四", "employee_no": "H2", "department": "没有这个部门"}
    ]});
    let (status, problem) = send(&s, "POST", "/api/v1/staff", &hr, Some(people.clone()), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "[1].department");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM users WHERE employee_no = 'H1'").await,
        0,
        "a list with a refused person changes nobody"
    );
    // A new person needs a phone or an email to sign in with.
    let (status, problem) =
        send(&s, "POST", "/api/v1/staff", &hr, Some(json!({"staff": [{"name": "王五", "employee_no": "H3"}]})), None)
            .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("[0].phone")));
    let people = json!({"staff": [people["staff"][0].clone()]});
    let (status, done) = send(&s, "POST", "/api/v1/staff", &hr, Some(people.clone()), None).await;
    assert_eq!((status, done["added"].clone()), (StatusCode::OK, json!([0])), "{done}");
    let (_, again) = send(&s, "POST", "/api/v1/staff", &hr, Some(people), None).await;
    assert_eq!((again["added"].as_array().unwrap().len(), again["unchanged"].as_i64()), (0, Some(1)));
    let leaving = json!({"staff": [{"name": "张三", "employee_no": "H1", "active": false}]});
    let (_, dry) =
        send(&s, "POST", "/api/v1/staff", &hr, Some(json!({"staff": leaving["staff"], "dry_run": true})), None).await;
    assert_eq!((dry["deactivated"].clone(), dry["applied"].as_bool()), (json!([0]), Some(false)));
    assert_eq!(s.count("SELECT active FROM users WHERE employee_no = 'H1'").await, 1, "a dry run changes nothing");
    let (_, left) = send(&s, "POST", "/api/v1/staff", &hr, Some(leaving), None).await;
    assert_eq!(left["deactivated"], json!([0]));
    assert_eq!(s.count("SELECT active FROM users WHERE employee_no = 'H1'").await, 0);

    let code = s.employee_code().await;
    s.submit_lead(&s.client(), "13911112222", Some(&code)).await;
    let today = chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive();
    let path = |by: &str| format!("/api/v1/figures?from={today}&to={today}&by={by}");
    for by in ["campaign", "link", "promoter"] {
        let (status, figures) = send(&s, "GET", &path(by), &hr, None, None).await;
        assert_eq!(status, StatusCode::OK, "{figures}");
        let rows = figures["rows"].as_array().unwrap();
        assert_eq!((rows.len(), rows[0]["leads"].as_i64()), (1, Some(1)), "{by}: {figures}");
        assert!(!rows[0]["name"].as_str().unwrap().is_empty());
    }
    let (status, problem) =
        send(&s, "GET", "/api/v1/figures?from=2026-01-01&to=2025-01-01&by=link", &hr, None, None).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
    s.stop().await;
}

#[tokio::test]
async fn the_document_and_its_reference_page_are_served() {
    let s = TestServer::start().await;
    let doc: Value = s.client().get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/deals", "/api/v1/payments", "/api/v1/leads", "/api/v1/staff", "/api/v1/figures"] {
        let item = &doc["paths"][path];
        let op = item.get("post").or(item.get("get")).unwrap_or_else(|| panic!("{path} documented"));
        for status in ["200", "400", "401", "403", "422", "429"] {
            assert!(op["responses"].get(status).is_some(), "{path} documents {status}");
        }
        assert!(op["security"][0]["api_key"].as_array().is_some_and(|s| !s.is_empty()), "{path} names its scope");
    }
    assert!(doc["components"]["schemas"].get("Problem").is_some());
    let page = s.client().get(s.url("/api/v1/reference")).send().await.unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("style-src 'unsafe-inline'") && !policy.contains("script-src"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/v1/leads") && html.contains("leads:read") && !html.contains("<script"));
    assert_eq!(doc, serde_json::to_value(server::openapi()).unwrap(), "served as generated");
    s.stop().await;
}

/// Schemathesis (PyPI; `scripts/setup` installs it) against the served document with a real
/// key holding every scope: no 5xx, every answer as documented, input that breaks the document
/// refused with 4xx problem details, and nothing opened without a key.
#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing_wrong() {
    let installed =
        std::process::Command::new("schemathesis").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "schemathesis is not installed: run scripts/setup");
        eprintln!("schemathesis is not installed: skipped (scripts/setup installs it)");
        return;
    }
    let db = TestDb::fresh().await;
    let mut config = config(&db);
    // Hundreds of requests a minute from one key: not what this test is about.
    config.api_key_per_minute = 100_0000;
    let s = TestServer::start_with(config, db).await;
    let key = s
        .api_key(&["deals:write", "payments:write", "leads:read", "leads:read_pii", "staff:write", "stats:read"])
        .await;
    let (url, header) = (s.url("/api/v1/openapi.json"), format!("Authorization: Bearer {key}"));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("schemathesis")
            .args(["run", &url, "-H", &header, "--checks", "all", "--exclude-checks", "positive_data_acceptance"])
            .args(["--max-examples", "30", "--workers", "1", "--suppress-health-check", "all", "--seed", "1"])
            .env("NO_COLOR", "1")
            // Its cache of crashes stays out of the checkout.
            .current_dir(std::env::temp_dir())
            .output()
    })
    .await
    .unwrap()
    .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "schemathesis found problems:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("Tested: 5"), "every operation was tested:\n{report}");
    // With --nocapture: what it tried.
    eprintln!("{}", report.lines().skip_while(|l| !l.contains("SUMMARY")).collect::<Vec<_>>().join("\n"));
    s.stop().await;
}

/// `/metrics`: Prometheus text on loopback or with the token; refused to anyone else.
#[tokio::test]
async fn metrics_are_for_the_operator_only() {
    let db = TestDb::fresh().await;
    let mut config = config(&db);
    // As behind a load balancer on loopback: the client is whom X-Forwarded-For names.
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    config.metrics_token = Some("m-secret".into());
    let s = TestServer::start_with(config, db).await;
    let key = s.api_key(&["leads:read"]).await;
    send(&s, "GET", "/api/v1/leads", &key, None, None).await;
    let get = |forwarded: Option<&str>, token: Option<&str>| {
        let mut req = s.client().get(s.url("/metrics"));
        if let Some(f) = forwarded {
            req = req.header("X-Forwarded-For", f);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { req.send().await.unwrap() }
    };
    let res = get(None, None).await;
    assert_eq!(res.status(), StatusCode::OK, "loopback");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    for name in [
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "db_pool_connections",
        "outbox_lag_seconds",
        "accrual_lag_seconds",
        "live_stream_subscribers",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
    assert!(text.contains(r#"route="/api/v1/leads""#) && !text.contains(&key), "by route, never a value");
    let remote = Some("203.0.113.9");
    let res = get(remote, None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "an anonymous remote caller");
    assert_eq!(get(remote, Some("wrong")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(get(remote, Some("m-secret")).await.status(), StatusCode::OK, "with the token");
    s.stop().await;
}

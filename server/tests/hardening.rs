//! Hardening at the edge: security headers on every response, Secure cookies, client
//! addresses behind a trusted proxy, redirect targets that stay on the site, a new session id
//! at every sign-in. Through the real server, on both engines.
mod common;
use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_page_its_nonce() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let c = s.client();
    let page = c.get(s.url("/c/winter-home")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = page.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{csp}");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the policy's nonce");
    assert!(!csp.contains("unsafe-inline'; img") || !csp.contains("script-src 'unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    let again = c.get(s.url("/c/winter-home")).send().await.unwrap();
    assert_ne!(again.headers()["content-security-policy"], csp.as_str(), "a new nonce for every page");
    for path in ["/c/winter-home", &format!("/r/{code}"), "/healthz", "/no-such-page", &format!("/qr/{code}.svg")] {
        let res = c.get(s.url(path)).send().await.unwrap();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert!(h.contains_key("permissions-policy"), "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert!(!h.contains_key("strict-transport-security"), "plain http: no HSTS ({path})");
    }
    let api = c.post(s.url("/api/load_my_promotion")).header("Accept", "application/json").send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert!(api.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    s.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_counts_and_nobody_elses() {
    let db = TestDb::fresh().await;
    let mut config = config(&db);
    // The test client is the load balancer.
    config.trusted_proxies = app::plumbing::edge::parse_trusted("127.0.0.1/32").unwrap();
    config.secure_cookies = true;
    let s = TestServer::start_with(config, db).await;
    let c = s.client();
    // Twenty failed sign-ins from one client lock out that client, not everyone behind the proxy.
    for _ in 0..21 {
        let res = c
            .post(s.url("/api/sign_in"))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", "198.51.100.1, 203.0.113.9")
            .form(&[("login", "nobody@example.com"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS));
    }
    let other = s
        .client()
        .post(s.url("/api/sign_in"))
        .header("Accept", "application/json")
        .header("X-Forwarded-For", "203.0.113.10")
        .header("X-Forwarded-Proto", "https")
        .form(&[("login", EMPLOYEE), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(other.status().is_success(), "another client behind the same proxy signs in: {}", other.status());
    assert!(other.headers().contains_key("strict-transport-security"), "the proxy said https");
    let cookie = other.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // The throttled address is the forwarded one, kept as a keyed hash.
    let ip_hash = app::plumbing::auth::keyed_hash(&s.state.org.secret, "203.0.113.9");
    let rows = s.count(&format!("SELECT COUNT(*) FROM login_throttle WHERE scope = 'ip:{ip_hash}'")).await;
    assert!(rows > 0, "failures recorded against the client's keyed hash");
    let raw = s.count("SELECT COUNT(*) FROM login_throttle WHERE scope LIKE '%203.0.113%'").await;
    assert_eq!(raw, 0, "no raw address is stored");
    // Every cookie leaving the server is Secure, the redirect's too.
    let code = s.employee_code().await;
    let res = s.client().get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    for c in res.headers().get_all("set-cookie") {
        assert!(c.to_str().unwrap().contains("Secure"), "{c:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarded_headers_are_ignored() {
    let s = TestServer::start().await;
    for n in 0..21 {
        let res = s
            .client()
            .post(s.url("/api/sign_in"))
            .header("Accept", "application/json")
            // A client making up a new address each time.
            .header("X-Forwarded-For", format!("203.0.113.{n}"))
            .form(&[("login", format!("nobody{n}@example.com")), ("password", "wrong".into())])
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS));
    }
    let res = s
        .client()
        .post(s.url("/api/sign_in"))
        .header("Accept", "application/json")
        .header("X-Forwarded-For", "198.51.100.77")
        .form(&[("login", "nobody@example.com"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the peer address is throttled, whatever the header says");
    s.stop().await;
}

#[tokio::test]
async fn the_language_switch_only_goes_back_to_this_site() {
    let s = TestServer::start().await;
    let c = s.client();
    for (next, expected) in [
        ("/login", "/login"),
        ("/%09/evil.example", "/"),
        ("/%0a/evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("https://evil.example/", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("/c/winter-home?ref=abc", "/c/winter-home?ref=abc"),
    ] {
        let res = c.get(s.url(&format!("/lang/en?next={next}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()["location"], expected, "{next}");
    }
    s.stop().await;
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_ends_the_one_before() {
    let s = TestServer::start().await;
    let c = s.signed_in(EMPLOYEE).await;
    let sessions = s.count("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(sessions, 1);
    // The same browser signs in again (say, someone planted that first session).
    let (status, _) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", PASSWORD)]).await;
    assert!(status.is_success());
    assert_eq!(s.count("SELECT COUNT(*) FROM sessions").await, 1, "the earlier session ended");
    let (status, _) = s.call(&c, "load_my_promotion", &[]).await;
    assert_eq!(status, StatusCode::OK, "the new one works");
    s.stop().await;
}

#[tokio::test]
async fn concurrent_sign_in_attempts_get_no_more_guesses_than_the_free_ones() {
    let s = TestServer::start().await;
    let attempts = (0..20).map(|_| {
        let (s, c) = (&s, s.client());
        async move { s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", "guess")]).await.0 }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(checked + refused, 20, "{statuses:?}");
    assert!(checked <= 5, "{checked} passwords checked at once: the throttle was raced");
    s.stop().await;
}

#[tokio::test]
async fn exported_cells_never_run_as_spreadsheet_formulas() {
    use app::features::admin::model::UserRow;
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let department: i64 = s.call_json(&admin, "create_department", &[("name", "=HYPERLINK(\"http://evil\")")]).await;
    let users: Vec<UserRow> = s.call_json(&admin, "list_users", &[]).await;
    let me = users.iter().find(|u| u.login == EMPLOYEE).unwrap().clone();
    let (status, body) = s
        .call(
            &admin,
            "update_user",
            &[
                ("id", &me.id.to_string()),
                ("display_name", "员工"),
                ("email", EMPLOYEE),
                ("department_id", &department.to_string()),
                ("roles[0]", "employee"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = s.employee_code().await;
    let res =
        s.client().get(s.url(&format!("/r/{code}"))).header("User-Agent", "Mozilla/5.0 (iPhone)").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    s.flush_clicks().await;
    let marketing = s.signed_in(MARKETING).await;
    let csv = marketing
        .get(s.url("/dashboard/export.csv?table=department&range=today"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with("=") || l.starts_with("\"=")), "{csv}");
    s.stop().await;
}

/// A rep turns only their own won leads into deals: the form, the CSV import and the JSON API
/// check it alike (and money can then be recorded only on deals of their own).
#[tokio::test]
async fn a_rep_cannot_attach_another_reps_won_lead_on_any_path() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let other: i64 = s
        .call_json(
            &admin,
            "create_user",
            &[
                ("display_name", "销售 李四"),
                ("email", "li@demo.allhands.cn"),
                ("password", PASSWORD),
                ("roles[0]", "sales"),
            ],
        )
        .await;
    let owner = s.count("SELECT id FROM users WHERE email = 'sales@demo.allhands.cn'").await;
    s.submit_lead(&s.client(), "13955553001", None).await;
    let lead = s.count("SELECT id FROM leads").await;
    // Won by its own rep (the demo's sales rep).
    sqlx::query("UPDATE leads SET status = 'valid', assigned_to = $1, assigned_at = 0, stage = 'won' WHERE id = $2")
        .bind(owner)
        .bind(lead)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    assert!(other != owner);
    let intruder = s.signed_in("li@demo.allhands.cn").await;
    let lead_s = lead.to_string();
    // The form.
    let (status, body) = s
        .call(
            &intruder,
            "record_deal",
            &[
                ("deal[order_no]", "X-1"),
                ("deal[amount]", "5000"),
                ("deal[signed_on]", "2026-11-02"),
                ("deal[lead_id]", &lead_s),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The CSV import.
    let csv = format!("order_no,customer_phone,amount,signed_on,lead_id\nX-2,13955553001,5000,2026-11-02,{lead}\n");
    let report: app::features::deals::ImportReport = s.call_json(&intruder, "import_deals", &[("csv", &csv)]).await;
    assert_eq!((report.created, report.errors.len()), (0, 1), "{report:?}");
    // The JSON API takes an API key, never a session.
    let res = intruder
        .post(s.url("/api/v1/deals"))
        .headers(same_origin(&s))
        .json(&serde_json::json!([{"order_no": "X-3", "customer_phone": "13955553001", "amount_fen": 500000, "currency": "CNY", "signed_on": "2026-11-02", "lead_id": lead}]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.count("SELECT COUNT(*) FROM deals").await, 0, "nothing stored");
    // Its own rep may.
    let sales = s.signed_in("sales@demo.allhands.cn").await;
    let report: app::features::deals::ImportReport = s.call_json(&sales, "import_deals", &[("csv", &csv)]).await;
    assert_eq!(report.created, 1, "{report:?}");
    let deal = s.count("SELECT id FROM deals").await.to_string();
    let (status, _) =
        s.call(&intruder, "record_payment", &[("deal_id", &deal), ("paid_on", "2026-11-03"), ("amount", "5000")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no money on another rep's deal");
    s.stop().await;
}

/// Shares and visitors that can pay a reward cannot be inflated: an item tapped again and
/// again counts once a day, a visitor once per day and address, bots and the promoter's own
/// visits never.
#[tokio::test]
async fn rewardable_shares_and_visitors_are_counted_once_from_people() {
    use app::features::rewards::store::facts;
    let s = TestServer::start().await;
    let employee = s.signed_in(EMPLOYEE).await;
    let code = s.employee_code().await;
    for _ in 0..5 {
        let (status, _) = s.call(&employee, "record_share", &[("code", &code), ("kind", "poster")]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = s.call(&employee, "record_share", &[("code", &code), ("kind", "link")]).await;
    assert_eq!(status, StatusCode::OK);
    let phone = "Mozilla/5.0 (iPhone) MicroMessenger/8.0";
    // One person clearing cookies three times; a bot; the promoter on their own link.
    for _ in 0..3 {
        s.client().get(s.url(&format!("/r/{code}"))).header("User-Agent", phone).send().await.unwrap();
    }
    s.client().get(s.url(&format!("/r/{code}"))).header("User-Agent", "Googlebot/2.1").send().await.unwrap();
    employee.get(s.url(&format!("/r/{code}"))).header("User-Agent", phone).send().await.unwrap();
    s.flush_clicks().await;
    assert_eq!(s.count("SELECT COUNT(*) FROM shares").await, 6, "every tap is kept");
    assert_eq!(s.count("SELECT COUNT(*) FROM clicks").await, 5, "every click is kept");
    let pool = &s.state.db.pool;
    let promoters = facts::promoters(pool).await.unwrap();
    let me = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let f = facts::facts(pool, &s.state.org, &promoters, facts::FactScope::Promoters(&[me])).await.unwrap();
    let a = f.activity.iter().find(|a| a.promoter_id == me).expect("this month's activity");
    assert_eq!((a.shares, a.unique_visitors), (2, 1), "two items shared, one person visited");
    s.stop().await;
}

//! Sign-in, sessions, throttling, and every role boundary, through the real HTTP API.
mod common;
use app::features::admin::store::seed::DEMO_USERS;
use app::plumbing::access::{Access, UserView};
use app::plumbing::errors::{AppError, FormField};
use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_with_401() {
    let s = TestServer::start().await;
    let c = s.client();
    let (status, body) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", "wrong-password")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&body), AppError::BadCredentials);
    let (status, body) = s.call(&c, "sign_in", &[("login", "nobody@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&body), AppError::BadCredentials);
    // Still signed out.
    let (status, _) = s.call(&c, "load_my_promotion", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    s.stop().await;
}

#[tokio::test]
async fn session_cookie_is_httponly_lax_and_sign_in_works_with_phone_too() {
    let s = TestServer::start().await;
    let c = s.client();
    let res = c
        .post(s.url("/api/sign_in"))
        .header("Accept", "application/json")
        .form(&[("login", "138 0000 0005"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("ah_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no TLS here: {cookie}");
    let cards: Vec<app::features::promotion::PromoCard> = s.call_json(&c, "load_my_promotion", &[]).await;
    assert_eq!(cards.len(), 1);
    // Anyone can send X-Forwarded-Proto: it counts only from a trusted proxy (hardening.rs
    // has the proxy, and the Secure cookies of a server not on loopback).
    let res = s
        .client()
        .post(s.url("/api/sign_in"))
        .header("Accept", "application/json")
        .header("X-Forwarded-Proto", "https")
        .form(&[("login", EMPLOYEE), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(!cookie.contains("Secure") && !res.headers().contains_key("strict-transport-security"), "{cookie}");
    s.stop().await;
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let s = TestServer::start().await;
    let c = s.signed_in(EMPLOYEE).await;
    let (status, _) = s.call(&c, "sign_out", &[]).await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let (status, _) = s.call(&c, "load_my_promotion", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.count("SELECT COUNT(*) FROM sessions").await, 0);
    s.stop().await;
}

#[tokio::test]
async fn expired_session_is_refused() {
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.session_ttl_s = 1;
    let s = TestServer::start_with(cfg, db).await;
    let res = s
        .client()
        .post(s.url("/api/sign_in"))
        .header("Accept", "application/json")
        .form(&[("login", EMPLOYEE), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let set_cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    let token = set_cookie.split(';').next().unwrap().to_string();
    // Send the cookie by hand: a browser would drop it at Max-Age, the server must not rely on that.
    let with_token = || {
        s.client()
            .post(s.url("/api/load_my_promotion"))
            .header("Accept", "application/json")
            .header("Cookie", token.clone())
            .send()
    };
    assert_eq!(with_token().await.unwrap().status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let res = with_token().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&res.text().await.unwrap()), AppError::Unauthenticated);
    assert_eq!(s.count("SELECT COUNT(*) FROM sessions").await, 0, "expired session removed");
    s.stop().await;
}

#[tokio::test]
async fn repeated_failures_slow_down_the_account() {
    let s = TestServer::start().await;
    let c = s.client();
    for _ in 0..5 {
        let (status, _) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", "nope-nope")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The sixth attempt must wait, even with the right password.
    let (status, body) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(error_of(&body), AppError::TooManyAttempts { retry_after_s } if retry_after_s >= 1));
    // Other accounts are not affected by this account's failures.
    let (status, _) = s.call(&c, "sign_in", &[("login", MARKETING), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK);
    // After the wait, the right password works again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.stop().await;
}

#[tokio::test]
async fn repeated_failures_slow_down_the_ip() {
    let s = TestServer::start().await;
    let c = s.client();
    for i in 0..20 {
        let login = format!("nobody{i}@example.com");
        let (status, _) = s.call(&c, "sign_in", &[("login", &login), ("password", "x")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    s.stop().await;
}

/// (server function, arguments, who may call it, what they get). Marketing and sales
/// also promote. Calls about a lead or entry that does not exist answer 404 to those
/// allowed — past the role check, before anything is touched.
type Call<'a> = (&'a str, &'a [(&'a str, &'a str)], Access, StatusCode);
const OK: StatusCode = StatusCode::OK;

/// Every server function, as the role matrix and the input-limit test call it.
fn calls() -> Vec<Call<'static>> {
    vec![
        ("list_leads", &[], Access::Marketing, OK),
        ("my_family", &[], Access::Staff, OK),
        ("remove_family_member", &[("id", "999999")], Access::Staff, StatusCode::NOT_FOUND),
        ("import_staff", &[("content", "")], Access::Admin, OK),
        ("issue_reset_link", &[("id", "999999")], Access::Admin, StatusCode::NOT_FOUND),
        ("my_payout_account", &[], Access::Promoters, OK),
        (
            "save_payout_account",
            &[("method", "bank"), ("holder", ""), ("account", ""), ("password", "x")],
            Access::Promoters,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "update_user",
            &[("id", "999999"), ("display_name", "X"), ("email", "BOUNDARY"), ("roles[0]", "employee")],
            Access::Admin,
            StatusCode::NOT_FOUND,
        ),
        ("set_user_active", &[("id", "999999"), ("active", "true")], Access::Admin, StatusCode::NOT_FOUND),
        ("audit_log", &[], Access::Admin, OK),
        ("audit_actions", &[], Access::Admin, OK),
        ("my_sessions", &[], Access::SignedIn, OK),
        ("revoke_session", &[("handle", "0000000000000000")], Access::SignedIn, StatusCode::NOT_FOUND),
        (
            "change_password",
            &[("current_password", "wrong-password"), ("new_password", "longenough1")],
            Access::SignedIn,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("list_users", &[], Access::Admin, OK),
        ("list_departments", &[], Access::Admin, OK),
        ("create_department", &[("name", "BOUNDARY")], Access::Admin, OK),
        (
            "create_user",
            &[
                ("display_name", "X"),
                ("email", "BOUNDARY"),
                ("phone", ""),
                ("password", "longenough"),
                ("roles[0]", "employee"),
            ],
            Access::Admin,
            OK,
        ),
        ("load_my_promotion", &[], Access::Promoters, OK),
        ("my_leads", &[], Access::Promoters, OK),
        ("review_queue", &[], Access::Marketing, OK),
        ("review_leads", &[("ids[0]", "999999"), ("decision", "valid")], Access::Marketing, OK),
        ("my_follow_up", &[], Access::Sales, OK),
        ("update_stage", &[("lead_id", "999999"), ("stage", "contacted")], Access::Sales, StatusCode::NOT_FOUND),
        ("list_outbox", &[], Access::Admin, OK),
        ("list_blacklist", &[], Access::Marketing, OK),
        (
            "add_blacklist",
            &[("kind", "phone"), ("value", "BOUNDARY")],
            Access::Marketing,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("remove_blacklist", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
        ("lead_policy", &[], Access::Marketing, OK),
        ("save_lead_policy", &[("protection_days", "30"), ("daily_cap", "5")], Access::Marketing, OK),
        ("load_assignment", &[], Access::Marketing, OK),
        ("list_reps", &[], Access::Marketing, OK),
        ("set_sales_team", &[("campaign_id", "1")], Access::Marketing, OK),
        (
            "add_assignment_rule",
            &[("campaign_id", "1"), ("demand_tag", "刚需装修"), ("rep_id", "999999")],
            Access::Marketing,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("remove_assignment_rule", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
        ("list_campaigns", &[], Access::Marketing, OK),
        ("load_campaign", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
        ("save_campaign", &[("campaign[name]", "X")], Access::Marketing, StatusCode::UNPROCESSABLE_ENTITY),
        ("publish_campaign", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
        ("campaign_departments", &[], Access::Marketing, OK),
        ("list_words", &[], Access::Marketing, OK),
        ("add_word", &[("word", "BOUNDARY"), ("kind", "sensitive")], Access::Marketing, OK),
        ("remove_word", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
        ("record_share", &[("code", "nosuchcode"), ("kind", "poster")], Access::Promoters, StatusCode::NOT_FOUND),
        ("content_calendar", &[], Access::Marketing, OK),
        ("save_content", &[("item[title]", "X")], Access::Marketing, StatusCode::UNPROCESSABLE_ENTITY),
        ("publish_content", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
        ("my_content", &[], Access::Promoters, OK),
        ("share_content", &[("id", "999999")], Access::Promoters, StatusCode::NOT_FOUND),
        (
            "reassign_lead",
            &[("lead_id", "999999"), ("rep_id", "999999")],
            Access::Marketing,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("load_deals", &[], Access::Deals, OK),
        ("record_deal", &[("deal[order_no]", "X")], Access::DealEntry, StatusCode::UNPROCESSABLE_ENTITY),
        (
            "record_payment",
            &[("deal_id", "999999"), ("paid_on", "2026-11-01"), ("amount", "1")],
            Access::Payments,
            StatusCode::NOT_FOUND,
        ),
        ("import_deals", &[("csv", "")], Access::Payments, StatusCode::UNPROCESSABLE_ENTITY),
        ("decide_audit", &[("deal_id", "999999"), ("verified", "true")], Access::Marketing, StatusCode::NOT_FOUND),
        ("settlement_runs", &[], Access::Finance, OK),
        ("load_dashboard", &[("query[range]", "today")], Access::Marketing, OK),
        ("load_hero_board", &[], Access::Staff, OK),
        (
            "save_target",
            &[("department_id", "999999"), ("month", "2026-11"), ("metric", "deals"), ("target", "1")],
            Access::Marketing,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("load_my_numbers", &[], Access::Promoters, OK),
        ("draft_run", &[("scope", "employee"), ("period", "bad")], Access::Finance, StatusCode::UNPROCESSABLE_ENTITY),
        ("run_action", &[("run_id", "999999"), ("action", "approve")], Access::Finance, StatusCode::NOT_FOUND),
        ("run_action", &[("run_id", "999999"), ("action", "paid")], Access::Payout, StatusCode::NOT_FOUND),
        ("run_statements", &[("run_id", "999999")], Access::Finance, OK),
        ("load_my_rewards", &[], Access::Promoters, OK),
        ("reward_rules", &[], Access::RulesRead, OK),
        ("save_rule", &[("spec", "x")], Access::Marketing, StatusCode::UNPROCESSABLE_ENTITY),
        ("rule_proposals", &[], Access::RulesRead, OK),
        ("decide_proposal", &[("id", "999999"), ("publish", "true")], Access::Marketing, StatusCode::NOT_FOUND),
        ("replay_periods", &[], Access::Marketing, OK),
        ("new_version_starts", &[], Access::Marketing, OK),
        ("replay_rule", &[("spec", "x"), ("period", "2026-11")], Access::Marketing, StatusCode::UNPROCESSABLE_ENTITY),
        ("load_scorecard", &[("member_id", "999999"), ("period", "2026-11")], Access::Staff, StatusCode::NOT_FOUND),
        ("load_scorecard_team", &[("period", "2026-11")], Access::Staff, OK),
        (
            "score_member",
            &[
                ("member_id", "999999"),
                ("period", "2026-11"),
                ("scores[innovation]", "80"),
                ("scores[innovation_example]", "x"),
                ("scores[collaboration]", "80"),
                ("scores[collaboration_example]", "x"),
                ("scores[execution]", "80"),
                ("scores[execution_example]", "x"),
            ],
            Access::Staff,
            StatusCode::NOT_FOUND,
        ),
        (
            "set_scorecard_target",
            &[("member_id", "999999"), ("period", "2026-11"), ("indicator", "sales"), ("target", "1")],
            Access::Staff,
            StatusCode::NOT_FOUND,
        ),
        (
            "calibrate_scorecard",
            &[("member_id", "999999"), ("period", "2026-11"), ("calibrated", "80"), ("reason", "x")],
            Access::Staff,
            StatusCode::NOT_FOUND,
        ),
        (
            "peer_score",
            &[("member_id", "999999"), ("period", "2026-11"), ("score", "80"), ("example", "x")],
            Access::Staff,
            StatusCode::NOT_FOUND,
        ),
        (
            "submit_self_assessment",
            // Not a period: the same answer whether or not the caller is scored.
            &[("period", "2026-13"), ("results", "a"), ("shortfalls", "b"), ("plan", "c")],
            Access::Staff,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("acknowledge_scorecard", &[("period", "2026-11")], Access::Staff, StatusCode::UNPROCESSABLE_ENTITY),
        (
            "add_coaching_item",
            &[("plan_id", "999999"), ("item", "x"), ("owner_id", "1"), ("due_on", "2026-12-31")],
            Access::Staff,
            StatusCode::NOT_FOUND,
        ),
        ("track_coaching_item", &[("item_id", "999999"), ("progress", "x")], Access::Staff, StatusCode::NOT_FOUND),
        ("close_coaching_plan", &[("plan_id", "999999")], Access::Staff, StatusCode::NOT_FOUND),
        (
            "put_scorecard_member",
            &[("member_id", "999999"), ("manager_id", "999998"), ("team", "x")],
            Access::Admin,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("put_committee_member", &[("user_id", "999999")], Access::Admin, StatusCode::UNPROCESSABLE_ENTITY),
        ("scorecard_choices", &[], Access::Admin, OK),
        ("peer_candidates", &[], Access::Staff, OK),
        // The committee's and admin's: in the demo, admin sits on the committee.
        ("load_year_review", &[("year", "2025")], Access::Admin, OK),
        (
            "submit_story",
            &[("customer_name", "a"), ("story", "一个没有客户同意的故事"), ("campaign_id", "1")],
            Access::Promoters,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("my_stories", &[], Access::Promoters, OK),
        ("story_campaigns", &[], Access::Promoters, OK),
        ("story_queue", &[], Access::SignedIn, OK),
        (
            "decide_story",
            &[("id", "999999"), ("approve", "true"), ("note", "n")],
            Access::Marketing,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("publish_story", &[("id", "999999")], Access::Marketing, StatusCode::NOT_FOUND),
    ]
}

/// Which demo users may call which server function: every other pair must be refused.
#[tokio::test]
async fn every_role_boundary_is_enforced() {
    let s = TestServer::start().await;
    // Who may call what comes from the role table (`Access`), the one the header's links and
    // every server function read; each demo user is one role (marketing and sales also promote).
    let users: Vec<(&str, UserView)> = DEMO_USERS
        .iter()
        .map(|u| {
            let view = UserView { id: 0, display_name: u.name.into(), roles: u.roles.to_vec(), department: None };
            (u.email, view)
        })
        .collect();
    let calls = calls();
    let anonymous = s.client();
    for (name, args, _, _) in &calls {
        let (status, _) = s.call(&anonymous, name, args).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous → {name}");
    }
    for (login, user) in &users {
        let role = login.split('@').next().unwrap_or_default();
        let c = s.signed_in(login).await;
        for (i, (name, args, access, expected)) in calls.iter().enumerate() {
            // Unique names so that allowed creations succeed rather than collide.
            let args: Vec<(&str, String)> =
                args.iter().map(|(k, v)| (*k, v.replace("BOUNDARY", &format!("b{role}{i}@x.cn")))).collect();
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, body) = s.call(&c, name, &args).await;
            if access.allows(Some(user)) {
                assert_eq!(status, *expected, "{role} → {name}: {body}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} → {name}: {body}");
                assert_eq!(error_of(&body), AppError::Forbidden);
            }
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn cross_origin_state_changes_are_refused() {
    let s = TestServer::start().await;
    let c = s.client();
    let res = c
        .post(s.url("/api/sign_in"))
        .header("Origin", "https://evil.example")
        .form(&[("login", EMPLOYEE), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = c
        .post(s.url("/c/winter-home/lead"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("name", "x"), ("phone", "13812345678"), ("consent", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 0);
    // The same request from our own origin goes through.
    let res = c
        .post(s.url("/api/sign_in"))
        .headers(same_origin(&s))
        .header("Accept", "application/json")
        .form(&[("login", EMPLOYEE), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn admin_creates_departments_and_users_with_field_errors() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let dep: i64 = s.call_json(&admin, "create_department", &[("name", "客服部")]).await;
    let (status, body) = s.call(&admin, "create_department", &[("name", "客服部")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field_errors()[0].field, app::features::admin::Field::DepartmentName.name());
    let dep_s = dep.to_string();
    let id: i64 = s
        .call_json(
            &admin,
            "create_user",
            &[
                ("display_name", "客服 小周"),
                ("phone", "139 1234 0000"),
                ("email", ""),
                ("password", "password-1"),
                ("department_id", &dep_s),
                ("roles[0]", "employee"),
            ],
        )
        .await;
    assert!(id > 0);
    // The new user signs in with the phone in another spelling.
    let c = s.client();
    let (status, _) = s.call(&c, "sign_in", &[("login", "+86 13912340000"), ("password", "password-1")]).await;
    assert_eq!(status, StatusCode::OK);
    // Same phone again: the database's unique key answers, as a field error.
    let (status, body) = s
        .call(
            &admin,
            "create_user",
            &[
                ("display_name", "重复"),
                ("phone", "13912340000"),
                ("email", ""),
                ("password", "password-1"),
                ("roles[0]", "employee"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).field_errors()[0].field, app::features::admin::Field::Phone.name());
    // Every problem at once, each naming its field.
    let (status, body) = s
        .call(
            &admin,
            "create_user",
            &[("display_name", " "), ("phone", "123"), ("email", "not-an-email"), ("password", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = field_names(&error_of(&body));
    use app::features::admin::Field::*;
    for f in names(&[DisplayName, Phone, Email, Password, Roles]) {
        assert!(fields.contains(&f), "{f:?} missing in {fields:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn no_demo_data_when_turned_off_and_a_bootstrap_admin_instead() {
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.demo_data = false;
    cfg.bootstrap_admin = Some(("owner@example.com".into(), "owner-password".into()));
    let s = TestServer::start_with(cfg, db).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(s.count("SELECT COUNT(*) FROM campaigns").await, 0);
    let c = s.client();
    let (status, _) = s.call(&c, "sign_in", &[("login", EMPLOYEE), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s.call(&c, "sign_in", &[("login", "owner@example.com"), ("password", "owner-password")]).await;
    assert_eq!(status, StatusCode::OK);
    let session: app::plumbing::access::SessionInfo = s.call_json(&c, "get_session", &[]).await;
    assert!(!session.demo);
    s.stop().await;
}

/// Every text a server function takes has a server-side limit (PRODUCT.md §5): a value far
/// past any limit is refused naming its field (or, for ids and choices, refused outright),
/// never stored and never a server error. Each argument of each call in turn, as someone
/// allowed to make the call, then the public calls.
#[tokio::test]
async fn every_text_input_has_a_server_side_limit() {
    let s = TestServer::start().await;
    let huge = "x".repeat(100_000);
    let by_role: Vec<(&str, UserView)> = DEMO_USERS
        .iter()
        .map(|u| (u.email, UserView { id: 0, display_name: u.name.into(), roles: u.roles.to_vec(), department: None }))
        .collect();
    let mut public: Vec<Call> = vec![
        ("sign_in", &[("login", "a"), ("password", "b")], Access::SignedIn, OK),
        ("redeem_code", &[("code", "a"), ("name", "b"), ("phone", "13900000000")], Access::SignedIn, OK),
        ("confirm_redemption", &[("check", "a"), ("otp", "1")], Access::SignedIn, OK),
        ("load_landing", &[("slug", "winter-home")], Access::SignedIn, OK),
        ("reset_password", &[("token", "a"), ("password", "b")], Access::SignedIn, OK),
        (
            "complete_setup",
            &[("token", "a"), ("display_name", "b"), ("email", "c@d.cn"), ("password", "e")],
            Access::SignedIn,
            OK,
        ),
    ];
    // Arguments the role matrix leaves out.
    let mut more: Vec<Call> = vec![
        ("list_users", &[("search", "a")], Access::Admin, OK),
        (
            "audit_log",
            &[("query[action]", "a"), ("query[subject]", "b"), ("query[from]", "c"), ("query[to]", "d")],
            Access::Admin,
            OK,
        ),
        ("review_leads", &[("ids[0]", "999999"), ("decision", "valid"), ("note", "n")], Access::Marketing, OK),
        ("update_stage", &[("lead_id", "999999"), ("stage", "contacted"), ("note", "n")], Access::Sales, OK),
        ("add_blacklist", &[("kind", "phone"), ("value", "13900000000"), ("note", "n")], Access::Marketing, OK),
        ("add_family_member", &[("name", "a"), ("phone", "13900000001")], Access::Staff, OK),
        ("save_setting", &[("key", "audit_percent"), ("value", "10"), ("effective_from", "")], Access::Admin, OK),
        (
            "save_lead_policy",
            &[
                ("protection_days", "30"),
                ("daily_cap", "5"),
                ("holidays", ""),
                ("extra_workdays", ""),
                ("first_contact_hours", "24"),
                ("inactive_credit", "department"),
            ],
            Access::Marketing,
            OK,
        ),
        (
            "save_campaign",
            &[
                ("campaign[slug]", "abc"),
                ("campaign[name]", "n"),
                ("campaign[product]", "p"),
                ("campaign[selling_points]", "s"),
                ("campaign[landing_copy]", "l"),
                ("campaign[demand_tags]", "t"),
                ("campaign[starts_on]", "2026-01-01"),
                ("campaign[ends_on]", "2026-01-02"),
                ("campaign[boosts]", ""),
                ("campaign[sms_budget]", "1"),
            ],
            Access::Marketing,
            OK,
        ),
        (
            "save_content",
            &[
                ("item[campaign_id]", "1"),
                ("item[title]", "t"),
                ("item[body]", "b"),
                ("item[publish_on]", "2026-01-01"),
            ],
            Access::Marketing,
            OK,
        ),
        (
            "save_payout_account",
            &[("method", "bank"), ("holder", "a"), ("account", "6222000011112222"), ("bank", "b"), ("password", "x")],
            Access::Promoters,
            OK,
        ),
        ("load_landing", &[("slug", "winter-home"), ("ref_code", "abc")], Access::SignedIn, OK),
    ];
    let mut all = calls();
    all.append(&mut public);
    all.append(&mut more);
    let mut clients = std::collections::HashMap::new();
    for (name, args, access, _) in &all {
        let login = by_role.iter().find(|(_, u)| access.allows(Some(u))).map(|(l, _)| *l).unwrap_or(ADMIN);
        if !clients.contains_key(login) {
            clients.insert(login, s.signed_in(login).await);
        }
        let c = &clients[login];
        for (k, _) in args.iter() {
            let args: Vec<(&str, &str)> =
                args.iter().map(|(a, v)| (*a, if a == k { huge.as_str() } else { *v })).collect();
            let (status, body) = s.call(c, name, &args).await;
            // A link's code on a public page is only looked up (an unknown one shows the page
            // without a referrer, as a mangled link must): never stored, never echoed.
            if (*name, *k) == ("load_landing", "ref_code") {
                assert!(status == StatusCode::OK && !body.contains("xxxxxxxxxx"), "{name}({k}): {status}");
                continue;
            }
            assert!(status.is_client_error(), "{name}({k} = 100,000 characters) answered {status}: {body:.300}");
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                let named = error_of(&body).field_errors().iter().map(|e| e.field.to_string()).collect::<Vec<_>>();
                assert!(!named.is_empty(), "{name}({k}): refused without naming a field: {body:.300}");
            }
        }
    }
    s.stop().await;
}

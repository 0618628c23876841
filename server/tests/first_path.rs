//! The first path through the product over HTTP: personal link → click → landing form →
//! lead attributed to the promoter → marketing's list; restarts lose nothing.
mod common;
use app::features::leads::{LeadRow, LeadStatus};
use common::*;
use reqwest::StatusCode;

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn health_check_answers() {
    let s = TestServer::start().await;
    let res = s.client().get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("\"ok\""));
    s.stop().await;
}

#[tokio::test]
async fn personal_link_records_a_click_and_redirects_to_the_landing_page() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let prospect = s.client();
    let res = prospect
        .get(s.url(&format!("/r/{code}?ch=moments")))
        .header("User-Agent", "Mozilla/5.0 (iPhone) MicroMessenger/8.0")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), format!("/c/winter-home?ref={code}"));
    let cookies: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().any(|c| c.starts_with(&format!("ah_ref={code}"))), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("ah_vid=")), "{cookies:?}");
    s.flush_clicks().await;
    let row: (String, String) =
        sqlx::query_as("SELECT channel, ua_class FROM clicks").fetch_one(&s.state.db.pool).await.unwrap();
    assert_eq!(row, ("moments".to_string(), "wechat".to_string()));
    // The landing page names the referrer.
    let page = prospect.get(s.url(&location(&res))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("员工 张伟"), "referrer shown");
    assert!(page.contains(r#"action="/c/winter-home/lead""#), "a form that posts without JavaScript");
    // Rendered whole: nothing waits in a <template> for a script to swap it in.
    assert!(!page.contains("<template"), "the landing page must not need JavaScript to show its content");
    s.stop().await;
}

#[tokio::test]
async fn unknown_code_gets_the_friendly_404_page() {
    let s = TestServer::start().await;
    let res = s.client().get(s.url("/r/nosuchcode")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = res.text().await.unwrap();
    assert!(page.contains("推广链接无效"), "{page}");
    s.flush_clicks().await;
    assert_eq!(s.count("SELECT COUNT(*) FROM clicks").await, 0);
    let res = s.client().get(s.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("页面不存在"));
    let res = s.client().get(s.url("/c/no-such-campaign")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

async fn submit(s: &TestServer, c: &reqwest::Client, form: &[(&str, &str)]) -> reqwest::Response {
    s.post_lead(c, form).await
}

#[tokio::test]
async fn lead_is_attributed_to_the_promoter_and_marketing_sees_it() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let prospect = s.client();
    prospect.get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    let res = submit(
        &s,
        &prospect,
        &[
            ("name", " 李先生 "),
            ("phone", "＋８６ １３９ １２３４ ５６７８"),
            ("demand_tags", "刚需装修"),
            ("demand_tags", "旧房翻新"),
            ("note", "晚上联系"),
            ("consent", "1"),
            ("ref", &code),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/c/winter-home/thanks");
    let marketing = s.signed_in(MARKETING).await;
    let leads: Vec<LeadRow> = s.call_json(&marketing, "list_leads", &[]).await;
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(lead.name, "李先生");
    assert_eq!(lead.phone, "13912345678");
    assert_eq!(lead.demand_tags, vec!["刚需装修".to_string(), "旧房翻新".to_string()]);
    assert_eq!(lead.promoter_name.as_deref(), Some("员工 张伟"));
    assert_eq!(lead.status, LeadStatus::Pending);
    let stored: String = sqlx::query_scalar("SELECT phone FROM leads").fetch_one(&s.state.db.pool).await.unwrap();
    assert_eq!(stored, "+8613912345678", "stored normalized");
    s.stop().await;
}

#[tokio::test]
async fn attribution_cookie_credits_the_promoter_without_the_hidden_field() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let prospect = s.client();
    prospect.get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    // The form rendered from the cookie carries the code.
    let page = prospect.get(s.url("/c/winter-home")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!(r#"name="ref" value="{code}""#)), "ref from the attribution cookie");
    s.stop().await;
}

#[tokio::test]
async fn a_bad_phone_is_refused_naming_the_field_and_keeping_what_was_typed() {
    let s = TestServer::start().await;
    let prospect = s.client();
    let res = submit(
        &s,
        &prospect,
        &[("name", "王女士"), ("phone", "12345"), ("demand_tags", "改善型装修"), ("note", "周末"), ("consent", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/c/winter-home");
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 0, "nothing stored");
    let page = prospect.get(s.url("/c/winter-home")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-testid="error-phone""#), "phone error shown");
    assert!(page.contains("手机号不是有效的手机号"), "names the field and why");
    assert!(page.contains(r#"value="王女士""#), "name kept");
    assert!(page.contains(r#"value="12345""#), "phone kept as typed");
    assert!(page.contains(">周末</textarea>"), "note kept");
    assert!(page.contains(r#"value="改善型装修" checked"#), "tag kept");
    // Shown once: the draft cookie is cleared.
    let again = prospect.get(s.url("/c/winter-home")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("error-phone"));
    s.stop().await;
}

#[tokio::test]
async fn every_field_is_checked_on_the_server() {
    let s = TestServer::start().await;
    let prospect = s.client();
    let long_note = "很".repeat(501);
    let res = submit(
        &s,
        &prospect,
        &[("name", &"名".repeat(51)), ("phone", "abc"), ("demand_tags", "不存在的标签"), ("note", &long_note)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = prospect.get(s.url("/c/winter-home")).send().await.unwrap().text().await.unwrap();
    for field in ["name", "phone", "demand_tags", "note", "consent"] {
        assert!(page.contains(&format!(r#"data-testid="error-{field}""#)), "{field} error missing");
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 0);
    s.stop().await;
}

#[tokio::test]
async fn a_lead_survives_a_server_restart() {
    let s = TestServer::start().await;
    let db = s.db.clone();
    let res = submit(&s, &s.client(), &[("name", "重启测试"), ("phone", "13700001111"), ("consent", "1")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/c/winter-home/thanks");
    s.stop().await;
    let s = TestServer::start_with(config(&db), db).await;
    let marketing = s.signed_in(MARKETING).await;
    let leads: Vec<LeadRow> = s.call_json(&marketing, "list_leads", &[]).await;
    assert_eq!(leads.iter().filter(|l| l.name == "重启测试").count(), 1);
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, 7, "demo not seeded twice");
    s.stop().await;
}

#[tokio::test]
async fn language_switch_sets_a_cookie_and_refuses_open_redirects() {
    let s = TestServer::start().await;
    let c = s.client();
    let res = c.get(s.url("/lang/en?next=/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().starts_with("lang=en"));
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<html lang="en""#));
    assert!(page.contains("Sign in"));
    let res = c.get(s.url("/lang/zh-CN?next=//evil.example")).send().await.unwrap();
    assert_eq!(location(&res), "/");
    s.stop().await;
}

//! Campaigns marketing publishes (compliance check, pilot scope, period) and what their links
//! do: friendly pages for ended campaigns, unique visitors per day, preview bots.
mod common;
use app::features::campaigns::{CampaignEdit, CampaignListRow, Field};
use app::features::promotion::PromoCard;
use app::plumbing::access::Role;
use app::plumbing::errors::{AppError, FormField};
use common::*;
use reqwest::StatusCode;

fn today(s: &TestServer) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive()
}

async fn save(s: &TestServer, c: &reqwest::Client, edit: &CampaignEdit) -> (StatusCode, String) {
    let form = campaign_form(edit);
    let args: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    s.call(c, "save_campaign", &args).await
}

fn spring(s: &TestServer) -> CampaignEdit {
    CampaignEdit {
        id: None,
        slug: "spring-kitchen".into(),
        name: "春季厨房焕新".into(),
        product: "整体橱柜".into(),
        selling_points: "免费上门量尺\n环保板材".into(),
        landing_copy: "老朋友推荐，首单立减。".into(),
        demand_tags: "橱柜\n台面".into(),
        starts_on: today(s).to_string(),
        ends_on: (today(s) + chrono::Duration::days(30)).to_string(),
        ..CampaignEdit::default()
    }
}

fn error_of(body: &str) -> AppError {
    serde_json::from_str(body).expect("an AppError")
}

async fn cards(s: &TestServer, login: &str) -> Vec<PromoCard> {
    s.call_json(&s.signed_in(login).await, "load_my_promotion", &[]).await
}

#[tokio::test]
async fn copy_with_extreme_words_cannot_be_published_and_the_error_names_them() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let mut edit = spring(&s);
    edit.landing_copy = "全城最低价，销量第一！".into();
    edit.selling_points = "最好的板材\n十年质保".into();
    let (status, body) = save(&s, &marketing, &edit).await;
    assert_eq!(status, StatusCode::OK, "a draft may hold anything: {body}");
    let id: i64 = body.parse().unwrap();
    // A draft is not shared: promoters do not see it.
    assert_eq!(cards(&s, EMPLOYEE).await.len(), 1);
    let (status, body) = s.call(&marketing, "publish_campaign", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Noncompliant(hits) = error_of(&body) else { panic!("{body}") };
    let named: Vec<(&str, &str)> = hits.iter().map(|h| (h.field.as_ref(), h.word.as_str())).collect();
    assert_eq!(
        named,
        [
            (Field::SellingPoints.name(), "最好"),
            (Field::LandingCopy.name(), "最低价"),
            (Field::LandingCopy.name(), "销量第一")
        ]
    );
    assert!(error_of(&body).message(app::plumbing::i18n::Locale::ZhCn).contains("落地页文案「最低价」"));
    // Bare 最 and 第一 are caught too.
    edit.id = Some(id);
    edit.selling_points = "十年质保".into();
    edit.landing_copy = "品质最 · 服务第一".into();
    assert_eq!(save(&s, &marketing, &edit).await.0, StatusCode::OK);
    let (status, body) = s.call(&marketing, "publish_campaign", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Noncompliant(hits) = error_of(&body) else { panic!("{body}") };
    assert_eq!(hits.iter().map(|h| h.word.as_str()).collect::<Vec<_>>(), ["最", "第一"]);
    assert!(s.count(&format!("SELECT COUNT(*) FROM campaigns WHERE id = {id} AND published_at IS NULL")).await == 1);
    // Clean copy publishes, and the employee now has two campaigns to share.
    edit.landing_copy = "老朋友推荐，首单立减。".into();
    assert_eq!(save(&s, &marketing, &edit).await.0, StatusCode::OK);
    let (status, body) = s.call(&marketing, "publish_campaign", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cards(&s, EMPLOYEE).await.len(), 2);
    // Once live, an edit that brings a listed word back is refused.
    edit.name = "史上最强厨房节".into();
    let (status, body) = save(&s, &marketing, &edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(matches!(error_of(&body), AppError::Noncompliant(h) if h[0].is(Field::CampaignName) && h[0].word == "最"));
    // Marketing edits the list: a new sensitive word blocks publishing too.
    let _: i64 = s.call_json(&marketing, "add_word", &[("word", "橱柜王"), ("kind", "sensitive")]).await;
    let (status, body) = s.call(&marketing, "add_word", &[("word", "橱柜王"), ("kind", "sensitive")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    s.stop().await;
}

#[tokio::test]
async fn an_allowed_phrase_no_longer_blocks_publishing_while_the_bare_word_still_does() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let mut edit = spring(&s);
    // 最近 and 第一次 are seeded allowed phrases; 最 and 第一 are extreme words.
    edit.landing_copy = "最近上新，第一次到店免费量尺。".into();
    let id: i64 = save(&s, &marketing, &edit).await.1.parse().unwrap();
    edit.id = Some(id);
    // Marketing adds its own allowed phrase: 最美 is a claim, 最美乡村 the village's name.
    edit.selling_points = "服务最美乡村".into();
    assert_eq!(save(&s, &marketing, &edit).await.0, StatusCode::OK);
    let (status, body) = s.call(&marketing, "publish_campaign", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "最 in 最美乡村 is still a hit: {body}");
    let _: i64 = s.call_json(&marketing, "add_word", &[("word", "最美乡村"), ("kind", "allowed")]).await;
    let (status, body) = s.call(&marketing, "publish_campaign", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The bare word outside any allowed phrase still blocks.
    edit.landing_copy = "最近上新，品质最好。".into();
    let (status, body) = save(&s, &marketing, &edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Noncompliant(hits) = error_of(&body) else { panic!("{body}") };
    assert_eq!(hits.iter().map(|h| h.word.as_str()).collect::<Vec<_>>(), ["最好"]);
    s.stop().await;
}

#[tokio::test]
async fn campaign_fields_are_checked_and_named() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let mut edit = spring(&s);
    edit.slug = "Spring Kitchen".into();
    edit.name = String::new();
    edit.ends_on = (today(&s) - chrono::Duration::days(1)).to_string();
    edit.boosts = "2026-12-07 2026-12-01 2".into();
    edit.promoter_roles = vec![Role::Admin.into()];
    let (status, body) = save(&s, &marketing, &edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Invalid(errors) = error_of(&body) else { panic!("{body}") };
    let fields: Vec<String> = errors.iter().map(|e| e.field.to_string()).collect();
    assert_eq!(fields, names(&[Field::CampaignName, Field::Slug, Field::EndsOn, Field::PromoterKinds, Field::Boosts]));
    // A slug already in use.
    let mut edit = spring(&s);
    edit.slug = "winter-home".into();
    let (status, body) = save(&s, &marketing, &edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(matches!(error_of(&body), AppError::Invalid(e) if e[0].is(Field::Slug)));
    s.stop().await;
}

#[tokio::test]
async fn promoters_see_only_campaigns_they_take_part_in() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let mut edit = spring(&s);
    edit.promoter_roles = vec![Role::Partner.into()];
    let id: i64 = save(&s, &marketing, &edit).await.1.parse().unwrap();
    assert_eq!(s.call(&marketing, "publish_campaign", &[("id", &id.to_string())]).await.0, StatusCode::OK);
    assert_eq!(cards(&s, EMPLOYEE).await.len(), 1, "employees are not in this pilot");
    assert_eq!(cards(&s, "partner@demo.allhands.cn").await.len(), 2);
    // Pilot departments: only the employee's department.
    let department: i64 = s.count(&format!("SELECT department_id FROM users WHERE email = '{EMPLOYEE}'")).await;
    edit.id = Some(id);
    edit.promoter_roles = vec![];
    edit.department_ids = vec![department];
    assert_eq!(save(&s, &marketing, &edit).await.0, StatusCode::OK);
    assert_eq!(cards(&s, EMPLOYEE).await.len(), 2);
    assert_eq!(cards(&s, "partner@demo.allhands.cn").await.len(), 1, "partners have no department in the pilot");
    let list: Vec<CampaignListRow> = s.call_json(&marketing, "list_campaigns", &[]).await;
    assert_eq!(list.len(), 2);
    s.stop().await;
}

#[tokio::test]
async fn an_ended_campaign_gets_a_friendly_page_and_takes_no_leads() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let yesterday = (today(&s) - chrono::Duration::days(1)).to_string();
    sqlx::query("UPDATE campaigns SET starts_on = '2026-01-01', ends_on = $1")
        .bind(&yesterday)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let prospect = s.client();
    let res = prospect.get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let landing = res.headers()["location"].to_str().unwrap().to_string();
    let res = prospect.get(s.url(&landing)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "not an error");
    let page = res.text().await.unwrap();
    assert!(page.contains("活动已结束") && page.contains("冬季焕新家装节"), "{page}");
    assert!(!page.contains(r#"action="/c/winter-home/lead""#), "no form");
    let res = s.post_lead(&prospect, &[("name", "客户"), ("phone", "13966004001"), ("consent", "1")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/c/winter-home");
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 0);
    s.stop().await;
}

#[tokio::test]
async fn unique_visitors_count_once_a_day_and_preview_bots_not_at_all() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let phone_ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0";
    let visitor = s.client();
    let other = s.client();
    for (client, ua, ch) in [
        (&visitor, phone_ua, "moments"),
        (&visitor, phone_ua, "moments"), // the same visitor again today
        (&other, phone_ua, "group"),
        (&s.client(), "Mozilla/5.0 (compatible; WeChat link preview) facebookexternalhit/1.1", "moments"),
        (&s.client(), "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "group"),
    ] {
        let res = client.get(s.url(&format!("/r/{code}?ch={ch}"))).header("User-Agent", ua).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
    }
    s.flush_clicks().await;
    assert_eq!(s.count("SELECT COUNT(*) FROM clicks").await, 5, "every click is recorded");
    assert_eq!(s.count("SELECT COUNT(*) FROM clicks WHERE ua_class = 'bot'").await, 2, "bots recorded as such");
    assert_eq!(s.count("SELECT CAST(SUM(unique_visit) AS BIGINT) FROM clicks").await, 2, "two people");
    // A visitor seen yesterday is a new unique visitor today.
    let yesterday = (today(&s) - chrono::Duration::days(1)).to_string();
    sqlx::query("UPDATE link_visitors SET day = $1").bind(&yesterday).execute(&s.state.db.pool).await.unwrap();
    visitor.get(s.url(&format!("/r/{code}"))).header("User-Agent", phone_ua).send().await.unwrap();
    s.flush_clicks().await;
    assert_eq!(s.count("SELECT CAST(SUM(unique_visit) AS BIGINT) FROM clicks").await, 3);
    // The promoter's page shows this month's figures without the bots.
    let card = &cards(&s, EMPLOYEE).await[0];
    assert_eq!((card.clicks, card.unique_visitors), (4, 3));
    s.stop().await;
}

#[tokio::test]
async fn every_answered_click_is_stored_after_a_clean_stop() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let c = s.client();
    let mut answered = 0;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..300 {
        requests.spawn(c.get(s.url(&format!("/r/{code}?ch=qr"))).send());
    }
    while let Some(res) = requests.join_next().await {
        if res.unwrap().unwrap().status() == StatusCode::FOUND {
            answered += 1;
        }
    }
    let pool = s.state.db.pool.clone();
    let url = s.db.url.clone();
    s.stop().await;
    drop(pool);
    let pool = app::plumbing::db::Db::connect(&url).await.unwrap().pool;
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clicks").fetch_one(&pool).await.unwrap();
    assert_eq!((answered, recorded), (300, 300));
}

#[tokio::test]
async fn a_personal_link_has_a_qr_code_for_print() {
    let s = TestServer::start().await;
    let code = s.employee_code().await;
    let res = s.client().get(s.url(&format!("/qr/{code}.svg?ch=qr"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    let res = s.client().get(s.url("/qr/nosuchcode.svg")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

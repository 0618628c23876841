//! Uploaded images (campaign artwork, content pictures) and the content library, over HTTP.
mod common;
use app::features::campaigns::{ContentPlan, Field};
use app::features::promotion::ShareItem;
use app::plumbing::errors::{AppError, FormField};
use common::*;
use reqwest::StatusCode;

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

#[tokio::test]
async fn campaign_artwork_is_checked_stored_and_shown() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let res = upload(&s, &marketing, "/campaigns/1/artwork", PNG).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let key: String =
        sqlx::query_scalar("SELECT artwork FROM campaigns WHERE id = 1").fetch_one(&s.state.db.pool).await.unwrap();
    let res = s.client().get(s.url(&format!("/media/{key}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let page = s.client().get(s.url("/c/winter-home")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/media/{key}")), "the landing page shows the artwork");
    // Pasted into a chat, the link shows a card: the campaign's name, copy and artwork, with
    // absolute addresses (Open Graph, and the schema.org tags WeChat reads).
    let name: String =
        sqlx::query_scalar("SELECT name FROM campaigns WHERE id = 1").fetch_one(&s.state.db.pool).await.unwrap();
    let head = &page[..page.find("</head>").expect("a head")];
    for tag in [
        format!(r#"<meta property="og:title" content="{name}""#),
        format!(r#"<meta property="og:image" content="{}""#, s.url(&format!("/media/{key}"))),
        format!(r#"<meta itemprop="image" content="{}""#, s.url(&format!("/media/{key}"))),
        format!(r#"<meta property="og:url" content="{}""#, s.url("/c/winter-home")),
        format!(r#"<meta itemprop="name" content="{name}""#),
        r#"<meta property="og:description" content=""#.to_string(),
        r#"<meta name="description" content=""#.to_string(),
        format!("<title>{name}</title>"),
    ] {
        assert!(head.contains(&tag), "{tag} missing from the landing page's head");
    }
    // Every public page says what it is to search engines and link previews.
    for path in ["/", "/login", "/redeem", "/c/winter-home/thanks"] {
        let page = s.client().get(s.url(path)).send().await.unwrap().text().await.unwrap();
        let head = &page[..page.find("</head>").expect("a head")];
        assert!(head.contains(r#"<meta name="description" content=""#), "{path}: no description");
    }
    // The same picture again is stored once.
    upload(&s, &marketing, "/campaigns/1/artwork", PNG).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM media").await, 1);
    // Not an image (SVG can carry script), too large, or not marketing: refused.
    let res = upload(&s, &marketing, "/campaigns/1/artwork", b"<svg onload='alert(1)'/>").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("只支持 PNG、JPEG、WebP"));
    let mut big = PNG.to_vec();
    big.resize(app::features::campaigns::media::MAX_BYTES + 1, 0);
    let res = upload(&s, &marketing, "/campaigns/1/artwork", &big).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().starts_with("图片过大"));
    let res = upload(&s, &s.signed_in(EMPLOYEE).await, "/campaigns/1/artwork", PNG).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = upload(&s, &s.client(), "/campaigns/1/artwork", PNG).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.count("SELECT COUNT(*) FROM media").await, 1);
    s.stop().await;
}

fn item(today: &str, title: &str, body: &str) -> Vec<(&'static str, String)> {
    vec![
        ("item[campaign_id]", "1".into()),
        ("item[title]", title.into()),
        ("item[body]", body.into()),
        ("item[publish_on]", today.into()),
    ]
}

async fn save(s: &TestServer, c: &reqwest::Client, form: Vec<(&'static str, String)>) -> (StatusCode, String) {
    let args: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.call(c, "save_content", &args).await
}

#[tokio::test]
async fn content_items_are_checked_published_and_shared_with_the_promoters_link() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let today = chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive();
    let (status, body) =
        save(&s, &marketing, item(&today.to_string(), "冬季焕新", "全网最低价，错过就没机会了！")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body;
    let (status, body) = s.call(&marketing, "publish_content", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Noncompliant(hits) = serde_json::from_str(&body).unwrap() else { panic!("{body}") };
    assert_eq!(
        hits.iter().map(|h| (h.field.as_ref(), h.word.as_str())).collect::<Vec<_>>(),
        [(Field::Body.name(), "最低价"), (Field::Body.name(), "错过就没机会了")]
    );
    // Fields are named.
    let (status, body) = save(&s, &marketing, item("明天", "", "x")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Invalid(errors) = serde_json::from_str(&body).unwrap() else { panic!("{body}") };
    assert_eq!(
        errors.iter().map(|e| e.field.to_string()).collect::<Vec<_>>(),
        names(&[Field::Title, Field::PublishOn])
    );
    // Fixed and published; a draft and a future item stay hidden from promoters.
    let mut fixed = item(&today.to_string(), "冬季焕新", "老朋友推荐，首单立减 200 元，设计师免费上门量房。");
    fixed.push(("item[id]", id.clone()));
    assert_eq!(save(&s, &marketing, fixed).await.0, StatusCode::OK);
    assert_eq!(s.call(&marketing, "publish_content", &[("id", &id)]).await.0, StatusCode::OK);
    save(&s, &marketing, item(&today.to_string(), "草稿", "未发布")).await;
    let (_, future) =
        save(&s, &marketing, item(&(today + chrono::Duration::days(2)).to_string(), "下周", "稍后")).await;
    assert_eq!(s.call(&marketing, "publish_content", &[("id", &future)]).await.0, StatusCode::OK);

    let employee = s.signed_in(EMPLOYEE).await;
    let items: Vec<ShareItem> = s.call_json(&employee, "my_content", &[]).await;
    assert_eq!(items.len(), 1);
    let code = s.employee_code().await;
    assert!(items[0].text.ends_with(&format!("/r/{code}?ch=moments")), "{}", items[0].text);
    assert_eq!(s.call(&employee, "share_content", &[("id", &id)]).await.0, StatusCode::OK);
    let calendar: ContentPlan = s.call_json(&marketing, "content_calendar", &[]).await;
    assert_eq!(
        (calendar.items.len(), calendar.per_week),
        (3, 3),
        "three a week unless the organization says otherwise"
    );
    assert_eq!(calendar.items.iter().find(|c| c.id.to_string() == id).unwrap().shares, 1);
    // The share counts on the promoter's page too.
    let cards: Vec<app::features::promotion::PromoCard> = s.call_json(&employee, "load_my_promotion", &[]).await;
    assert_eq!(cards[0].shares, 1);
    s.stop().await;
}

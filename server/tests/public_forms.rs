//! The public forms cannot be turned against the organization: the referral form's thank-you
//! message goes only to a lead awaiting review, once per phone a day, within the campaign's
//! budget; code redemption needs the phone's own one-time code, is rate limited, refuses the
//! code's owner and never shows another person's coupon. On both engines.
mod common;
use app::features::campaigns::{CampaignEdit, CampaignListRow};
use app::features::deals::CouponRow;
use app::plumbing::errors::AppError;
use common::*;
use reqwest::StatusCode;

const CUSTOMER: &str = "customer@demo.allhands.cn";

async fn texts_to(s: &TestServer, kind: &str, to: &str) -> i64 {
    s.count(&format!("SELECT COUNT(*) FROM outbox WHERE kind = '{kind}' AND recipient = '{to}'")).await
}

#[tokio::test]
async fn the_thank_you_goes_only_to_a_lead_awaiting_review_once_a_day() {
    let s = TestServer::start().await;
    sqlx::query("INSERT INTO blacklist (kind, value, created_at) VALUES ('phone', '+8613911120001', 0)")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    s.submit_lead(&s.client(), "13911120001", None).await; // blacklisted: rejected
    s.submit_lead(&s.client(), "13911120002", None).await; // pending
    s.submit_lead(&s.client(), "13911120002", None).await; // duplicate
    assert_eq!(texts_to(&s, "thank_you", "+8613911120001").await, 0, "no message to a blacklisted number");
    assert_eq!(texts_to(&s, "thank_you", "+8613911120002").await, 1, "one, not one per submission");
    // Past the daily cap of one device: held leads get no message either.
    let device = s.client();
    let code = s.employee_code().await;
    let _ = device.get(s.url(&format!("/r/{code}"))).send().await.unwrap();
    for n in 0..7 {
        s.submit_lead(&device, &format!("1391113000{n}"), Some(&code)).await;
    }
    let held = s.count("SELECT COUNT(*) FROM leads WHERE status = 'held'").await;
    assert!(held >= 2, "{held} held");
    let thanked =
        s.count("SELECT COUNT(*) FROM outbox WHERE kind = 'thank_you' AND recipient LIKE '+861391113000%'").await;
    assert_eq!(thanked, 7 - held, "held leads are not thanked");
    // A phone whose lead marketing found invalid submits again the same day: not thanked twice.
    let marketing = s.signed_in(MARKETING).await;
    let id = s.count("SELECT id FROM leads WHERE phone = '+8613911120002' AND status = 'pending'").await;
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &id.to_string()), ("decision", "invalid")]).await;
    s.submit_lead(&s.client(), "13911120002", None).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM leads WHERE phone = '+8613911120002' AND status = 'pending'").await, 1);
    assert_eq!(texts_to(&s, "thank_you", "+8613911120002").await, 1, "once a day");
    s.stop().await;
}

#[tokio::test]
async fn a_campaigns_message_budget_stops_the_thank_yous_and_tells_marketing_once() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let list: Vec<CampaignListRow> = s.call_json(&marketing, "list_campaigns", &[]).await;
    let mut edit: CampaignEdit = s.call_json(&marketing, "load_campaign", &[("id", &list[0].id.to_string())]).await;
    assert_eq!(edit.sms_budget, "1000", "the default");
    edit.sms_budget = "lots".into();
    let form = campaign_form(&edit);
    let args: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = s.call(&marketing, "save_campaign", &args).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&serde_json::from_str::<AppError>(&body).unwrap()), vec!["sms_budget"]);
    edit.sms_budget = "2".into();
    let form = campaign_form(&edit);
    let args: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(s.call(&marketing, "save_campaign", &args).await.0, StatusCode::OK);
    // The landing page reads the campaign through a 5-second cache.
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
    // Together, so that the form's writer takes several in one batch (its budget check
    // stops at the first lead over the budget and skips the rest of the batch).
    let phones: Vec<String> = (0..4).map(|n| format!("1391114000{n}")).collect();
    let client = s.client();
    futures_util::future::join_all(phones.iter().map(|p| s.submit_lead(&client, p, None))).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM leads").await, 4, "every lead is stored");
    assert_eq!(s.count("SELECT COUNT(*) FROM outbox WHERE kind = 'thank_you'").await, 2);
    assert_eq!(s.count("SELECT COUNT(*) FROM outbox WHERE kind = 'budget_reached'").await, 1, "told once");
    let alert: String = sqlx::query_scalar("SELECT recipient FROM outbox WHERE kind = 'budget_reached'")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(alert, "role:marketing");
    s.stop().await;
}

#[tokio::test]
async fn a_redemption_needs_the_phones_own_code_and_shows_only_that_phones_coupon() {
    let s = TestServer::start().await;
    let customer = s.signed_in(CUSTOMER).await;
    let mine: app::features::settlement::model::MyRewards = s.call_json(&customer, "load_my_rewards", &[]).await;
    let code = mine.referral_code.clone();
    let anon = s.client();
    let check: String =
        s.call_json(&anon, "redeem_code", &[("code", &code), ("name", "新客"), ("phone", "13922220001")]).await;
    // Nothing is tied and no coupon is shown before the phone answers.
    assert_eq!(s.count("SELECT COUNT(*) FROM redemptions").await, 0);
    assert_eq!(s.count("SELECT COUNT(*) FROM coupons").await, 0);
    let otp = texted_code(&s, "+8613922220001").await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    let (status, body) = s.call(&anon, "confirm_redemption", &[("check", &check), ("otp", wrong)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&serde_json::from_str::<AppError>(&body).unwrap()), vec!["otp"]);
    let coupon: Option<CouponRow> = s.call_json(&anon, "confirm_redemption", &[("check", &check), ("otp", &otp)]).await;
    assert_eq!(coupon.map(|c| c.amount_fen), Some(20_000));
    assert_eq!(s.count("SELECT COUNT(*) FROM redemptions WHERE phone = '+8613922220001'").await, 1);
    // The handle is used up.
    let (status, _) = s.call(&anon, "confirm_redemption", &[("check", &check), ("otp", &otp)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Five wrong tries and the code is dead.
    let check: String =
        s.call_json(&s.client(), "redeem_code", &[("code", &code), ("name", ""), ("phone", "13922220002")]).await;
    for _ in 0..5 {
        let (status, _) = s.call(&anon, "confirm_redemption", &[("check", &check), ("otp", "999999x")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let otp = texted_code(&s, "+8613922220002").await;
    let (status, _) = s.call(&anon, "confirm_redemption", &[("check", &check), ("otp", &otp)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "out of tries");
    // The code's owner cannot redeem it with their own phone.
    let own_phone: String = sqlx::query_scalar("SELECT phone FROM users WHERE email = $1")
        .bind(CUSTOMER)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    let (status, body) =
        s.call(&s.client(), "redeem_code", &[("code", &code), ("name", ""), ("phone", &own_phone)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&serde_json::from_str::<AppError>(&body).unwrap()), vec!["phone"]);
    // Nor can a customer who bought before: the benefit is for new customers.
    let sales = s.signed_in(SALES).await;
    let form = [
        ("deal[order_no]", "OLD-1"),
        ("deal[customer_phone]", "13922220009"),
        ("deal[amount]", "500"),
        ("deal[signed_on]", "2026-11-02"),
    ];
    let _: i64 = s.call_json(&sales, "record_deal", &form).await;
    let (status, body) =
        s.call(&s.client(), "redeem_code", &[("code", &code), ("name", ""), ("phone", "13922220009")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&serde_json::from_str::<AppError>(&body).unwrap()), vec!["phone"]);
    assert!(body.contains("new customers"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn redemption_is_rate_limited_per_address_and_per_phone() {
    let s = TestServer::start().await;
    // One code a minute to a phone, whoever asks.
    let customer = s.signed_in(CUSTOMER).await;
    let mine: app::features::settlement::model::MyRewards = s.call_json(&customer, "load_my_rewards", &[]).await;
    let code = mine.referral_code.clone();
    let (status, _) =
        s.call(&s.client(), "redeem_code", &[("code", &code), ("name", ""), ("phone", "13922240001")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        s.call(&s.client(), "redeem_code", &[("code", &code), ("name", ""), ("phone", "13922240001")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a second code to one phone within the minute");
    assert_eq!(texts_to(&s, "phone_code", "+8613922240001").await, 1);
    // Five attempts a minute from one address (two made above), whatever the code or phone.
    let mut statuses = Vec::new();
    for n in 0..5 {
        let phone = format!("1392223000{n}");
        statuses.push(s.call(&s.client(), "redeem_code", &[("code", "NOPE"), ("name", ""), ("phone", &phone)]).await.0);
    }
    assert_eq!(&statuses[..3], &[StatusCode::UNPROCESSABLE_ENTITY; 3], "{statuses:?}");
    assert_eq!(&statuses[3..], &[StatusCode::TOO_MANY_REQUESTS; 2], "{statuses:?}");
    s.stop().await;
}

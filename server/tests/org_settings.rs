//! Every number the rules use is an organization setting on a screen: the settings page
//! (admin) and the lead rules (marketing). Each test changes a setting through the real HTTP
//! API and checks that the feature it belongs to follows it, on both engines.
mod common;
use app::features::leads::FollowUpRow;
use common::*;
use reqwest::StatusCode;

async fn save(s: &TestServer, admin: &reqwest::Client, key: &str, value: &str, from: &str) -> (StatusCode, String) {
    s.call(admin, "save_setting", &[("key", key), ("value", value), ("effective_from", from)]).await
}

#[tokio::test]
async fn the_calendar_hero_board_coupons_and_settlement_days_follow_their_settings() {
    use app::features::campaigns::ContentPlan;
    use app::features::dashboard::HeroBoard;
    use app::features::settlement::model::RunRow;
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    assert_eq!(save(&s, &admin, "content_per_week", "5", "").await.0, StatusCode::OK);
    let marketing = s.signed_in(MARKETING).await;
    let calendar: ContentPlan = s.call_json(&marketing, "content_calendar", &[]).await;
    assert_eq!(calendar.per_week, 5);

    assert_eq!(save(&s, &admin, "hero_board_size", "3", "").await.0, StatusCode::OK);
    let (status, body) = save(&s, &admin, "hero_board_size", "500", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field_errors()[0].field, "value");
    let board: HeroBoard = s.call_json(&marketing, "load_hero_board", &[]).await;
    assert_eq!(board.size, 3);

    // A run is drafted before it is paid: the pay-by day may not come before the draft day.
    let (status, body) = save(&s, &admin, "settlement_draft_day", "12", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the 12th is after the pay-by 10th: {body}");
    assert_eq!(save(&s, &admin, "settlement_pay_by_day", "20", "").await.0, StatusCode::OK);
    assert_eq!(save(&s, &admin, "settlement_draft_day", "12", "").await.0, StatusCode::OK);
    assert_eq!(save(&s, &admin, "settlement_pay_by_day", "11", "").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let today = chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive();
    let drafted = app::features::settlement::store::draft::draft_due(&s.state).await.unwrap();
    use chrono::Datelike;
    assert_eq!(drafted.is_empty(), today.day() < 12, "drafted from the 12th on, not before");
    let finance = s.signed_in(FINANCE).await;
    if !drafted.is_empty() {
        let runs: Vec<RunRow> = s.call_json(&finance, "settlement_runs", &[]).await;
        let next_month = today.with_day(1).unwrap();
        assert_eq!(runs[0].pay_by, format!("{}-20", next_month.format("%Y-%m")), "{runs:?}");
        assert_eq!(runs[0].overdue, today.day() > 20);
    }

    // A coupon issued now is valid for the organization's months.
    assert_eq!(save(&s, &admin, "coupon_valid_months", "6", "").await.0, StatusCode::OK);
    let (_turn, mut tx) = s.state.db.begin_write().await.unwrap();
    let coupon = app::features::deals::store::codes::NewCoupon {
        source: "test:1",
        owner_user: None,
        owner_phone: Some("+8613900000001"),
        amount_fen: 20_000,
        perk: false,
        percent: None,
    };
    app::features::deals::store::codes::issue_coupon(&mut tx, coupon, today).await.unwrap();
    tx.commit().await.unwrap();
    drop(_turn);
    let expires: String = sqlx::query_scalar("SELECT expires_on FROM coupons WHERE source = 'test:1'")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(expires, today.checked_add_months(chrono::Months::new(6)).unwrap().to_string());
    s.stop().await;
}

#[tokio::test]
async fn late_payment_steps_change_money_from_their_date() {
    use app::features::rewards::store::facts;
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let today = chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive();
    let (status, body) = save(&s, &admin, "late_payment_steps", "30:20, 60:50", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field_errors()[0].field, "value");
    let (status, body) = save(&s, &admin, "late_payment_steps", "30:50, 60:20, 180:100", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "percents must not fall: {body}");
    let (status, _) = save(
        &s,
        &admin,
        "late_payment_steps",
        "45:10, 90:30, 365:100",
        &(today - chrono::Duration::days(1)).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "never in the past");
    let tomorrow = today + chrono::Duration::days(1);
    assert_eq!(
        save(&s, &admin, "late_payment_steps", "45:10, 90:30, 365:100", &tomorrow.to_string()).await.0,
        StatusCode::OK
    );
    let pool = &s.state.db.pool;
    let terms = facts::terms(pool).await.unwrap();
    let (now, then) = (terms.on(today), terms.on(tomorrow));
    assert_eq!((now.late.percent(45), then.late.percent(45)), (20, 10), "today's runs keep today's steps");
    assert_eq!((now.late.percent(200), then.late.percent(200)), (100, 30));
    s.stop().await;
}

#[tokio::test]
async fn the_first_contact_window_is_the_lead_policys() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let policy = [("protection_days", "30"), ("daily_cap", "5")];
    let mut form = policy.to_vec();
    form.push(("first_contact_hours", "500"));
    let (status, body) = s.call(&marketing, "save_lead_policy", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&error_of(&body)), vec!["first_contact_hours"]);
    form.pop();
    form.push(("first_contact_hours", "2"));
    let (status, body) = s.call(&marketing, "save_lead_policy", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A valid lead assigned three hours ago and not contacted: overdue in a 2-hour window.
    s.submit_lead(&s.client(), "13955551007", None).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM leads").fetch_one(&s.state.db.pool).await.unwrap();
    let _: i64 = s.call_json(&marketing, "review_leads", &[("ids[0]", &id.to_string()), ("decision", "valid")]).await;
    let assigned: String = sqlx::query_scalar("SELECT body FROM outbox WHERE kind = 'lead_assigned'")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert!(assigned.contains("2小时"), "the rep is told the window: {assigned}");
    let rep = s.signed_in(SALES).await;
    let mine: Vec<FollowUpRow> = s.call_json(&rep, "my_follow_up", &[]).await;
    assert!(mine[0].first_contact_left_ms.unwrap() <= 2 * 3_600_000, "{:?}", mine[0].first_contact_left_ms);
    sqlx::query("UPDATE leads SET assigned_at = assigned_at - $1 WHERE id = $2")
        .bind(3 * 3_600_000i64)
        .bind(id)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    // The policy cache is per instance and re-read every few seconds; this instance saved it.
    assert_eq!(app::features::leads::store::follow_up::flag_overdue(&s.state).await.unwrap(), 1);
    let rate = app::features::leads::store::follow_up::response_rate(&s.state.db.pool, 0, i64::MAX).await.unwrap();
    assert_eq!(rate, Some(rust_decimal::Decimal::ZERO), "late against two hours");
    // Left out by an older client, the window stays as it is.
    let (status, _) = s.call(&marketing, "save_lead_policy", &policy).await;
    assert_eq!(status, StatusCode::OK);
    let view: app::features::leads::PolicyView = s.call_json(&marketing, "lead_policy", &[]).await;
    assert_eq!(view.first_contact_hours, 2);
    s.stop().await;
}

#[tokio::test]
async fn a_deactivated_persons_link_credits_their_department_or_no_one() {
    use app::features::admin::model::UserRow;
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let marketing = s.signed_in(MARKETING).await;
    let code = s.employee_code().await;
    let users: Vec<UserRow> = s.call_json(&admin, "list_users", &[]).await;
    let me = users.iter().find(|u| u.login == EMPLOYEE).unwrap().clone();
    let (status, body) = s.call(&admin, "set_user_active", &[("id", &me.id.to_string()), ("active", "false")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = |phone: &'static str| {
        let pool = s.state.db.pool.clone();
        async move {
            sqlx::query_as::<_, (Option<i64>, Option<i64>, Option<i64>)>(
                "SELECT link_id, promoter_id, department_id FROM leads WHERE phone = $1",
            )
            .bind(phone)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let department: Option<i64> = sqlx::query_scalar("SELECT department_id FROM users WHERE id = $1")
        .bind(me.id)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert!(department.is_some());
    // By default their department is credited, not them.
    s.submit_lead(&s.client(), "13955552001", Some(&code)).await;
    let (link, promoter, dept) = row("+8613955552001").await;
    assert!(link.is_some());
    assert_eq!((promoter, dept), (None, department));
    // The lead policy can credit no one instead.
    let form = [("protection_days", "30"), ("daily_cap", "5"), ("inactive_credit", "none")];
    assert_eq!(s.call(&marketing, "save_lead_policy", &form).await.0, StatusCode::OK);
    s.submit_lead(&s.client(), "13955552002", Some(&code)).await;
    assert_eq!(row("+8613955552002").await, (None, None, None));
    let bad = [("protection_days", "30"), ("daily_cap", "5"), ("inactive_credit", "boss")];
    let (status, body) = s.call(&marketing, "save_lead_policy", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_names(&error_of(&body)), vec!["inactive_credit"]);
    // Reactivated, they are credited again.
    assert_eq!(
        s.call(&admin, "set_user_active", &[("id", &me.id.to_string()), ("active", "true")]).await.0,
        StatusCode::OK
    );
    s.submit_lead(&s.client(), "13955552003", Some(&code)).await;
    assert_eq!(row("+8613955552003").await.1, Some(me.id));
    s.stop().await;
}

//! All-staff participation (seed 000) through the real server, on SQLite and PostgreSQL: each
//! employee's month from their own shares, valid leads and deals against their department's
//! targets, exported for HR with its weight, and the month's marketing star on the hero board.
mod common;
use app::features::dashboard::HeroBoard;
use common::*;
use reqwest::StatusCode;

async fn exec(s: &TestServer, sql: &str) {
    sqlx::query(sql).execute(&s.state.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn participation_is_scored_against_the_departments_targets_and_names_the_star() {
    let s = TestServer::start().await;
    let month = today().format("%Y-%m").to_string();
    let pool = &s.state.db.pool;
    let employee = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let dept = s.count(&format!("SELECT department_id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let people = s.count(&format!("SELECT COUNT(*) FROM users WHERE active = 1 AND department_id = {dept}")).await;
    // The department's targets this month: 4 shares each, 2 valid leads and 1 deal per head.
    let marketing = s.signed_in(MARKETING).await;
    for (metric, target) in [("shares_per_employee", 4), ("valid_leads", 2 * people), ("deals", people)] {
        let form = [
            ("department_id", dept.to_string()),
            ("month", month.clone()),
            ("metric", metric.into()),
            ("target", target.to_string()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = s.call(&marketing, "save_target", &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The employee's month: 5 shares (4 count: no credit above), 1 valid lead of 2, no deal.
    let campaign = s.count("SELECT id FROM campaigns WHERE slug = 'winter-home'").await;
    exec(&s, &format!("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) VALUES ('PTLINK1', {campaign}, {employee}, 0)")).await;
    let link = s.count("SELECT id FROM promo_links WHERE code = 'PTLINK1'").await;
    let now = chrono::Utc::now().timestamp_millis();
    for _ in 0..5 {
        exec(&s, &format!("INSERT INTO shares (link_id, kind, at) VALUES ({link}, 'poster', {now})")).await;
    }
    exec(
        &s,
        &format!(
            "INSERT INTO leads (campaign_id, link_id, promoter_id, name, phone, demand_tags, note, status, visitor, ip_hash, submitted_at) \
             VALUES ({campaign}, {link}, {employee}, 'x', '+8613900000099', '[]', '', 'valid', 'v', 'ip', {now})"
        ),
    )
    .await;
    // 40 × 1 + 30 × 0.5 + 30 × 0 = 55.00; at the default weight of 10%: 5.50.
    let csv = marketing.get(s.url(&format!("/dashboard/participation.csv?month={month}"))).send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    let name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(employee)
        .fetch_one(pool)
        .await
        .unwrap();
    let row = csv.lines().find(|l| l.starts_with(&name)).unwrap_or_else(|| panic!("{csv}"));
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(&cells[3..], ["5", "4", "1", "2", "0", "1", "55.00", "10", "5.50"], "{row}");
    // The organization weighs it 15%.
    let admin = s.signed_in(ADMIN).await;
    let (status, body) = s
        .call(&admin, "save_setting", &[("key", "participation_weight"), ("value", "15"), ("effective_from", "")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let csv = marketing
        .get(s.url(&format!("/dashboard/participation.csv?month={month}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().any(|l| l.starts_with(&name) && l.ends_with(",55.00,15,8.25")), "{csv}");
    let (status, _) = s
        .call(&admin, "save_setting", &[("key", "participation_weight"), ("value", "25"), ("effective_from", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "10–20%");
    // The best score this month is the hero board's marketing star.
    let staff = s.signed_in(EMPLOYEE).await;
    let board: HeroBoard = s.call_json(&staff, "load_hero_board", &[]).await;
    let star = board.star.expect("a star");
    assert_eq!((star.name.as_str(), star.score.as_str()), (name.as_str(), "55.00"));
    // Sales cannot read the sheet.
    let res = s
        .signed_in(SALES)
        .await
        .get(s.url(&format!("/dashboard/participation.csv?month={month}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    s.stop().await;
}

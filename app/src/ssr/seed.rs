//! First start: the demo organization (unless turned off), or a bootstrap administrator.
use super::{now_ms, settings, users, Config};
use crate::domain::period::{local_date, DEFAULT_TZ};
use crate::error::AppError;
use sqlx::AnyPool;

pub const DEMO_PASSWORD: &str = "demo1234";

/// The demo accounts: (display name, email, phone, department index, roles).
pub const DEMO_USERS: [(&str, &str, &str, Option<usize>, &[&str]); 7] = [
    ("管理员 Admin", "admin@demo.allhands.cn", "13800000001", None, &["admin"]),
    ("市场 李娜", "marketing@demo.allhands.cn", "13800000002", Some(0), &["marketing", "employee"]),
    ("销售 王强", "sales@demo.allhands.cn", "13800000003", Some(1), &["sales", "employee"]),
    ("财务 赵敏", "finance@demo.allhands.cn", "13800000004", None, &["finance"]),
    ("员工 张伟", "employee@demo.allhands.cn", "13800000005", Some(1), &["employee"]),
    ("老客 陈静", "customer@demo.allhands.cn", "13800000006", None, &["customer"]),
    ("伙伴 刘洋", "partner@demo.allhands.cn", "13800000007", None, &["partner"]),
];

pub const DEMO_CAMPAIGN_SLUG: &str = "winter-home";

/// Seeds an empty database. A database with users is never touched.
pub async fn first_start(pool: &AnyPool, config: &Config) -> Result<(), AppError> {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?;
    if users > 0 {
        return Ok(());
    }
    if config.demo_data {
        seed_demo(pool).await?;
    } else if let Some((login, password)) = &config.bootstrap_admin {
        let (email, phone) =
            if login.contains('@') { (login.clone(), String::new()) } else { (String::new(), login.clone()) };
        users::create_user(
            pool,
            users::NewUser {
                display_name: "Admin".into(),
                email,
                phone,
                password: password.clone(),
                department_id: None,
                roles: vec!["admin".into()],
            },
            true,
        )
        .await?;
    }
    Ok(())
}

async fn seed_demo(pool: &AnyPool) -> Result<(), AppError> {
    tracing::info!("seeding the demo organization");
    settings::set(pool, "demo", "1").await?;
    settings::set(pool, "org_name", "演示公司 Demo Co.").await?;
    let departments =
        [users::create_department(pool, "市场部").await?, users::create_department(pool, "销售部").await?];
    for (name, email, phone, dep, roles) in DEMO_USERS {
        users::create_user(
            pool,
            users::NewUser {
                display_name: name.into(),
                email: email.into(),
                phone: phone.into(),
                password: DEMO_PASSWORD.into(),
                department_id: dep.map(|i| departments[i]),
                roles: roles.iter().map(|r| r.to_string()).collect(),
            },
            false,
        )
        .await?;
    }
    let today = local_date(chrono::Utc::now(), DEFAULT_TZ);
    let fmt = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    sqlx::query(
        "INSERT INTO campaigns (slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(DEMO_CAMPAIGN_SLUG)
    .bind("冬季焕新家装节")
    .bind("全屋整装套餐")
    .bind(r#"["免费上门量房设计","环保板材，入住无忧","十年质保，售后有保障"]"#)
    .bind("老朋友推荐，专享首单立减 ¥200。留下联系方式，设计师为您免费出方案。")
    .bind(r#"["刚需装修","改善型装修","旧房翻新","软装搭配"]"#)
    .bind(fmt(today - chrono::Duration::days(30)))
    .bind(fmt(today + chrono::Duration::days(365)))
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(())
}

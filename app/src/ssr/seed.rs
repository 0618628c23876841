//! First start: the demo organization (unless turned off), or a bootstrap administrator.
use super::{now_ms, settings, users, Config};
use crate::domain::period::{local_date, DEFAULT_TZ};
use crate::error::AppError;
use sqlx::AnyPool;

pub const DEMO_PASSWORD: &str = "demo1234";

/// A demo account; every one signs in with `DEMO_PASSWORD`.
pub struct DemoUser {
    pub name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    /// Index into the demo departments.
    pub department: Option<usize>,
    pub roles: &'static [&'static str],
}

pub const DEMO_USERS: [DemoUser; 7] = [
    DemoUser {
        name: "管理员 Admin",
        email: "admin@demo.allhands.cn",
        phone: "13800000001",
        department: None,
        roles: &["admin"],
    },
    DemoUser {
        name: "市场 李娜",
        email: "marketing@demo.allhands.cn",
        phone: "13800000002",
        department: Some(0),
        roles: &["marketing", "employee"],
    },
    DemoUser {
        name: "销售 王强",
        email: "sales@demo.allhands.cn",
        phone: "13800000003",
        department: Some(1),
        roles: &["sales", "employee"],
    },
    DemoUser {
        name: "财务 赵敏",
        email: "finance@demo.allhands.cn",
        phone: "13800000004",
        department: None,
        roles: &["finance"],
    },
    DemoUser {
        name: "员工 张伟",
        email: "employee@demo.allhands.cn",
        phone: "13800000005",
        department: Some(2),
        roles: &["employee"],
    },
    DemoUser {
        name: "老客 陈静",
        email: "customer@demo.allhands.cn",
        phone: "13800000006",
        department: None,
        roles: &["customer"],
    },
    DemoUser {
        name: "伙伴 刘洋",
        email: "partner@demo.allhands.cn",
        phone: "13800000007",
        department: None,
        roles: &["partner"],
    },
];

pub const DEMO_CAMPAIGN_SLUG: &str = "winter-home";

/// Seeds an empty database. A database with users is never touched.
pub async fn first_start(pool: &AnyPool, config: &Config) -> Result<(), AppError> {
    super::compliance::seed_if_empty(pool).await?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?;
    if users > 0 {
        return super::rewards::seed_if_empty(pool).await;
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
    super::rewards::seed_if_empty(pool).await
}

async fn seed_demo(pool: &AnyPool) -> Result<(), AppError> {
    tracing::info!("seeding the demo organization");
    settings::set(pool, "demo", "1").await?;
    settings::set(pool, "org_name", "演示公司 Demo Co.").await?;
    let departments = [
        users::create_department(pool, "市场部").await?,
        users::create_department(pool, "销售部").await?,
        users::create_department(pool, "门店运营部").await?,
    ];
    for u in DEMO_USERS {
        users::create_user(
            pool,
            users::NewUser {
                display_name: u.name.into(),
                email: u.email.into(),
                phone: u.phone.into(),
                password: DEMO_PASSWORD.into(),
                department_id: u.department.map(|i| departments[i]),
                roles: u.roles.iter().map(|r| r.to_string()).collect(),
            },
            false,
        )
        .await?;
    }
    let today = local_date(chrono::Utc::now(), DEFAULT_TZ);
    let fmt = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    sqlx::query(
        "INSERT INTO campaigns (slug, name, product, selling_points, landing_copy, demand_tags, starts_on, ends_on, created_at, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
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

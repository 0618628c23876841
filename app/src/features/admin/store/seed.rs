//! First start: the demo organization (unless turned off), or a bootstrap administrator; and
//! on every start, the data every organization needs (compliance words, default rules).
use super::users;
use crate::plumbing::access::Role;
use crate::plumbing::audit::Actor;
use crate::plumbing::auth;
use crate::plumbing::db::Db;
use crate::plumbing::errors::AppError;
use crate::plumbing::settings;
use crate::plumbing::state::now_ms;
use crate::plumbing::state::Config;
use crate::shared::period::DEFAULT_TZ;

pub const DEMO_PASSWORD: &str = "demo1234";

/// Settings of the one-time setup link: the hash of its token, and when it expires.
pub const SETUP_TOKEN: &str = "setup_token";
pub const SETUP_TOKEN_EXPIRES_AT: &str = "setup_token_expires_at";
/// How long a setup link works.
pub const SETUP_LINK_HOURS: i64 = 24;

/// A demo account; every one signs in with `DEMO_PASSWORD`.
pub struct DemoUser {
    pub name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    /// Index into the demo departments.
    pub department: Option<usize>,
    pub roles: &'static [Role],
}

pub const DEMO_USERS: [DemoUser; 7] = [
    DemoUser {
        name: "管理员 Admin",
        email: "admin@demo.allhands.cn",
        phone: "13800000001",
        department: None,
        roles: &[Role::Admin],
    },
    DemoUser {
        name: "市场 李娜",
        email: "marketing@demo.allhands.cn",
        phone: "13800000002",
        department: Some(0),
        roles: &[Role::Marketing, Role::Employee],
    },
    DemoUser {
        name: "销售 王强",
        email: "sales@demo.allhands.cn",
        phone: "13800000003",
        department: Some(1),
        roles: &[Role::Sales, Role::Employee],
    },
    DemoUser {
        name: "财务 赵敏",
        email: "finance@demo.allhands.cn",
        phone: "13800000004",
        department: None,
        roles: &[Role::Finance],
    },
    DemoUser {
        name: "员工 张伟",
        email: "employee@demo.allhands.cn",
        phone: "13800000005",
        department: Some(2),
        roles: &[Role::Employee],
    },
    DemoUser {
        name: "老客 陈静",
        email: "customer@demo.allhands.cn",
        phone: "13800000006",
        department: None,
        roles: &[Role::Customer],
    },
    DemoUser {
        name: "伙伴 刘洋",
        email: "partner@demo.allhands.cn",
        phone: "13800000007",
        department: None,
        roles: &[Role::Partner],
    },
];

/// What a first start did for the first administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstStart {
    /// The organization has people: nothing to do.
    Ready,
    /// Nobody yet: the token of a one-time setup link (`/setup?token=…`), for the console.
    SetupLink(String),
    /// The demo organization was just seeded: its activity follows once the server runs
    /// (`demo_activity::seed`), through the same writers as real activity.
    DemoSeeded,
}

/// Seeds an empty database. A database with users is never touched. The demo organization
/// only when asked for; otherwise the first administrator from the configuration, or a
/// one-time setup link (made anew at every start until it is used).
pub async fn first_start(db: &Db, config: &Config) -> Result<FirstStart, AppError> {
    crate::features::campaigns::store::compliance::seed_if_empty(db).await?;
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    let mut outcome = FirstStart::Ready;
    if users == 0 {
        if config.demo_data {
            seed_demo(db).await?;
            outcome = FirstStart::DemoSeeded;
        } else if let Some((login, password)) = &config.bootstrap_admin {
            let (email, phone) =
                if login.contains('@') { (login.clone(), String::new()) } else { (String::new(), login.clone()) };
            let admin = users::NewUser {
                display_name: "Admin".into(),
                email,
                phone,
                password: password.clone(),
                department_id: None,
                roles: vec![Role::Admin],
            };
            users::create_user(db, &Actor::system(), admin, true).await?;
        } else {
            let token = auth::random_token(24);
            let expires_at = now_ms() + SETUP_LINK_HOURS * 3_600_000;
            settings::set_many(
                db,
                &[(SETUP_TOKEN, auth::token_hash(&token)), (SETUP_TOKEN_EXPIRES_AT, expires_at.to_string())],
            )
            .await?;
            outcome = FirstStart::SetupLink(token);
        }
    }
    crate::features::rewards::store::rules::seed_if_empty(db).await?;
    Ok(outcome)
}

async fn seed_demo(db: &Db) -> Result<(), AppError> {
    tracing::info!("seeding the demo organization");
    settings::set_many(db, &[("demo", "1".into()), ("org_name", "演示公司 Demo Co.".into())]).await?;
    let departments = [
        users::create_department(db, &Actor::system(), "市场部").await?,
        users::create_department(db, &Actor::system(), "销售部").await?,
        users::create_department(db, &Actor::system(), "门店运营部").await?,
    ];
    for u in DEMO_USERS {
        let user = users::NewUser {
            display_name: u.name.into(),
            email: u.email.into(),
            phone: u.phone.into(),
            password: DEMO_PASSWORD.into(),
            department_id: u.department.map(|i| departments[i]),
            roles: u.roles.to_vec(),
        };
        users::create_user(db, &Actor::system(), user, false).await?;
    }
    crate::features::campaigns::store::campaigns::seed_demo(db, DEFAULT_TZ).await?;
    crate::features::scorecards::store::people::seed_demo(db).await
}

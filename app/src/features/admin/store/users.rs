//! Users, their roles and departments.
use crate::features::admin::i18n::K;
use crate::features::admin::model::{DepartmentRow, Field, UserRow};
use crate::plumbing::access::Role;
use crate::plumbing::auth;
use crate::plumbing::db::{commit_unless_taken, Db};
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::state::{is_unique_violation, now_ms};
use crate::shared::{phone, text};
use sqlx::{AnyPool, Row};

/// A new user as typed by an administrator.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub display_name: String,
    pub phone: String,
    pub email: String,
    pub password: String,
    pub department_id: Option<i64>,
    pub roles: Vec<Role>,
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

pub async fn create_user(db: &Db, input: NewUser, allow_foreign: bool) -> Result<i64, AppError> {
    let pool = &db.pool;
    let mut errors = Vec::new();
    let display_name =
        text::person_name(&input.display_name).map_err(|e| errors.push(FieldError::new(Field::DisplayName, e))).ok();
    let phone = match input.phone.trim() {
        "" => None,
        p => phone::normalize(p, allow_foreign)
            .map(|p| p.as_e164().to_string())
            .map_err(|e| errors.push(FieldError::new(Field::Phone, e)))
            .ok(),
    };
    let email = match input.email.trim().to_lowercase() {
        e if e.is_empty() => None,
        e if e.chars().count() > 254 => {
            errors.push(FieldError::new(Field::Email, text::TextError::TooLong { max: 254 }));
            None
        }
        e if !valid_email(&e) => {
            errors.push(FieldError::new(Field::Email, Problem::Email));
            None
        }
        e => Some(e),
    };
    if phone.is_none() && email.is_none() && input.phone.trim().is_empty() && input.email.trim().is_empty() {
        errors.push(FieldError::new(Field::Email, Problem::said(K::ProblemLoginMissing)));
    }
    let len = input.password.chars().count();
    if len < 8 {
        errors.push(FieldError::new(Field::Password, Problem::TooShort { min: 8 }));
    } else if len > 128 {
        errors.push(FieldError::new(Field::Password, text::TextError::TooLong { max: 128 }));
    }
    let mut roles = input.roles.clone();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        errors.push(FieldError::new(Field::Roles, text::TextError::Required));
    }
    if let Some(dep) = input.department_id {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM departments WHERE id = $1").bind(dep).fetch_optional(pool).await?;
        if exists.is_none() {
            errors.push(FieldError::new(Field::Department, Problem::UnknownChoice));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = auth::hash_password(input.password).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (display_name, phone, email, password_hash, department_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(display_name)
    .bind(phone.clone())
    .bind(email)
    .bind(hash)
    .bind(input.department_id)
    .bind(now_ms())
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        // The database owns uniqueness of sign-in names.
        Err(e) if is_unique_violation(&e) => {
            let field = if e.to_string().contains("phone") { Field::Phone } else { Field::Email };
            return Err(AppError::invalid(field, Problem::Taken));
        }
        Err(e) => return Err(e.into()),
    };
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn list_users(pool: &AnyPool) -> Result<Vec<UserRow>, AppError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.email, u.phone, d.name AS department FROM users u \
         LEFT JOIN departments d ON d.id = u.department_id ORDER BY u.id",
    )
    .fetch_all(pool)
    .await?;
    let mut users = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let email: Option<String> = r.try_get("email")?;
        let phone: Option<String> = r.try_get("phone")?;
        users.push(UserRow {
            id,
            display_name: r.try_get("display_name")?,
            login: email.or(phone).unwrap_or_default(),
            department: r.try_get("department")?,
            roles: auth::roles_of(pool, id).await?,
        });
    }
    Ok(users)
}

pub async fn create_department(db: &Db, name: &str) -> Result<i64, AppError> {
    let name = text::clean(name, 1, 50).map_err(|e| AppError::invalid(Field::DepartmentName, e))?;
    let (_turn, mut tx) = db.begin_write().await?;
    let inserted =
        sqlx::query_scalar::<_, i64>("INSERT INTO departments (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(&name)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await;
    commit_unless_taken(tx, inserted, Field::DepartmentName).await
}

pub async fn list_departments(pool: &AnyPool) -> Result<Vec<DepartmentRow>, AppError> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, (SELECT COUNT(*) FROM users u WHERE u.department_id = d.id) AS members \
         FROM departments d ORDER BY d.id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| Ok(DepartmentRow { id: r.try_get("id")?, name: r.try_get("name")?, members: r.try_get("members")? }))
        .collect()
}

//! Users, their roles and departments.
use crate::features::admin::i18n::K;
use crate::features::admin::model::{Audited, DepartmentRow, Field, UserRow};
use crate::features::settlement::TaxTreatment;
use crate::plumbing::access::Role;
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::auth;
use crate::plumbing::db::{commit_unless_taken, Db, SetColumn, Tx};
use crate::plumbing::errors::{AppError, FieldError, Label, Problem};
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

/// What was typed, checked: every problem at once, each naming its field.
struct Checked {
    display_name: String,
    phone: Option<String>,
    email: Option<String>,
    roles: Vec<Role>,
}

async fn check(pool: &AnyPool, input: &NewUser, allow_foreign: bool, password: bool) -> Result<Checked, AppError> {
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
    if password {
        if let Err(e) = check_password(&input.password) {
            errors.push(FieldError::new(Field::Password, e));
        }
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
    match display_name {
        Some(display_name) if errors.is_empty() => Ok(Checked { display_name, phone, email, roles }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// 8 to 128 characters.
pub fn check_password(password: &str) -> Result<(), Problem> {
    let len = password.chars().count();
    if len < 8 {
        Err(Problem::TooShort { min: 8 })
    } else if len > 128 {
        Err(text::TextError::TooLong { max: 128 }.into())
    } else {
        Ok(())
    }
}

/// The database owns uniqueness of sign-in names.
fn taken(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        let field = if e.to_string().contains("phone") { Field::Phone } else { Field::Email };
        AppError::invalid(field, Problem::Taken)
    } else {
        e.into()
    }
}

/// A person as the audit log shows them before and after a change.
fn described(c: &Checked, department_id: Option<i64>, tax: Option<TaxTreatment>) -> String {
    let roles: Vec<&str> = c.roles.iter().map(|r| r.as_str()).collect();
    serde_json::json!({
        "name": c.display_name,
        "phone": c.phone.as_ref().map(|p| phone::Phone::from_e164(p.clone()).masked()),
        "email": c.email,
        "department_id": department_id,
        "roles": roles,
        "tax_treatment": tax.map(TaxTreatment::as_str),
    })
    .to_string()
}

pub async fn create_user(db: &Db, actor: &Actor, input: NewUser, allow_foreign: bool) -> Result<i64, AppError> {
    let checked = check(&db.pool, &input, allow_foreign, true).await?;
    let hash = auth::hash_password(input.password).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let id = insert(&mut tx, &checked, &hash, input.department_id).await?;
    let change = Change {
        action: Audited::UserCreated,
        subject: format!("user #{id}"),
        before: None,
        after: Some(described(&checked, input.department_id, None)),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert(tx: &mut Tx, c: &Checked, hash: &str, department_id: Option<i64>) -> Result<i64, AppError> {
    let row = sqlx::query(
        "INSERT INTO users (display_name, phone, email, password_hash, department_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&c.display_name)
    .bind(c.phone.as_deref())
    .bind(c.email.as_deref())
    .bind(hash)
    .bind(department_id)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await
    .map_err(taken)?;
    let id: i64 = row.try_get("id")?;
    set_roles(tx, id, &c.roles).await?;
    Ok(id)
}

async fn set_roles(tx: &mut Tx, id: i64, roles: &[Role]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(id)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The first administrator, through a one-time setup link: the link is used up in the same
/// transaction that creates the account, so two people racing for it make one administrator.
pub async fn create_first_admin(db: &Db, token_hash: &str, input: NewUser) -> Result<i64, AppError> {
    let checked = check(&db.pool, &input, true, true).await?;
    let hash = auth::hash_password(input.password).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let used = sqlx::query("DELETE FROM settings WHERE key = $1 AND value = $2")
        .bind(super::seed::SETUP_TOKEN)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
    let expires_at: i64 = sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1")
        .bind(super::seed::SETUP_TOKEN_EXPIRES_AT)
        .fetch_optional(&mut *tx)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if used == 0 || users > 0 || expires_at <= now_ms() {
        return Err(AppError::Refused(Label::of(K::SetupLinkUsed)));
    }
    let id = insert(&mut tx, &checked, &hash, None).await?;
    let actor = Actor { user_id: Some(id), ip_hash: None };
    let change = Change {
        action: Audited::SetupCompleted,
        subject: format!("user #{id}"),
        before: None,
        after: Some(described(&checked, None, None)),
        actor: &actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(id)
}

/// Admin edits a person: name, sign-in names, department, roles, their own tax treatment
/// (the password is theirs).
pub async fn update_user(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: NewUser,
    tax: Option<TaxTreatment>,
    allow_foreign: bool,
) -> Result<(), AppError> {
    let checked = check(&db.pool, &input, allow_foreign, false).await?;
    let (_turn, mut tx) = db.begin_write().await?;
    let before = current(&mut tx, id).await?;
    sqlx::query("UPDATE users SET display_name = $1, phone = $2, email = $3, department_id = $4, tax_treatment = $5 WHERE id = $6")
        .bind(&checked.display_name)
        .bind(checked.phone.as_deref())
        .bind(checked.email.as_deref())
        .bind(input.department_id)
        .bind(tax.map(TaxTreatment::as_str))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(taken)?;
    set_roles(&mut tx, id, &checked.roles).await?;
    let after = described(&checked, input.department_id, tax);
    let change = Change {
        action: Audited::UserUpdated,
        subject: format!("user #{id}"),
        before: Some(before),
        after: Some(after),
        actor,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

/// How a person stands now, as [`described`] writes it; not found when there is no such user.
async fn current(tx: &mut Tx, id: i64) -> Result<String, AppError> {
    let row = sqlx::query("SELECT display_name, phone, email, department_id, tax_treatment FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1").bind(id).fetch_all(&mut **tx).await?;
    let mut roles =
        names.iter().map(|n| crate::plumbing::db::stored("user_roles", n)).collect::<Result<Vec<Role>, _>>()?;
    roles.sort();
    let checked = Checked {
        display_name: row.try_get("display_name")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        roles,
    };
    Ok(described(&checked, row.try_get("department_id")?, row.set_opt("users", "tax_treatment")?))
}

/// Deactivates (or reactivates) a person. Deactivation ends every session of theirs in the
/// same transaction, so their next request is refused; what they already earned still settles.
pub async fn set_active(db: &Db, actor: &Actor, id: i64, active: bool) -> Result<(), AppError> {
    if actor.user_id == Some(id) && !active {
        return Err(AppError::Refused(Label::of(K::NotYourself)));
    }
    let (_turn, mut tx) = db.begin_write().await?;
    let was: Option<i64> =
        sqlx::query_scalar("SELECT active FROM users WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let was = was.ok_or(AppError::NotFound)? != 0;
    if was == active {
        return Ok(());
    }
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if !active {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    let action = if active { Audited::UserReactivated } else { Audited::UserDeactivated };
    let flag = |on: bool| if on { "active" } else { "inactive" }.to_string();
    let change =
        Change { action, subject: format!("user #{id}"), before: Some(flag(was)), after: Some(flag(active)), actor };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(())
}

/// At most this many people on the page; a search finds the others.
pub const LIST_LIMIT: i64 = 200;

/// People whose name, sign-in name or employee number contains `search` (everyone when it is
/// empty), the first [`LIST_LIMIT`] by id: the page does not grow with the organization.
pub async fn list_users(pool: &AnyPool, search: &str) -> Result<Vec<UserRow>, AppError> {
    let search = search.trim();
    let pattern = (!search.is_empty()).then(|| {
        // Digits typed as a phone match the stored +86 number too.
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        let phone_like = search.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c));
        let wanted = if digits.len() >= 3 && phone_like { digits } else { search.to_lowercase() };
        format!("%{}%", wanted.replace(['%', '_'], ""))
    });
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.email, u.phone, u.active, u.department_id, u.tax_treatment, d.name AS department FROM users u \
         LEFT JOIN departments d ON d.id = u.department_id \
         WHERE $1 IS NULL OR LOWER(u.display_name) LIKE $1 OR u.email LIKE $1 OR u.phone LIKE $1 OR LOWER(u.employee_no) LIKE $1 \
         ORDER BY u.id LIMIT $2",
    )
    .bind(pattern)
    .bind(LIST_LIMIT)
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
            login: email.clone().or(phone.clone()).unwrap_or_default(),
            email: email.unwrap_or_default(),
            phone: phone.map(|p| crate::shared::phone::Phone::from_e164(p).national().to_string()).unwrap_or_default(),
            department_id: r.try_get("department_id")?,
            active: r.try_get::<i64, _>("active")? != 0,
            tax_treatment: r.set_opt("users", "tax_treatment")?,
            department: r.try_get("department")?,
            roles: auth::roles_of(pool, id).await?,
        });
    }
    Ok(users)
}

pub async fn create_department(db: &Db, actor: &Actor, name: &str) -> Result<i64, AppError> {
    let name = text::clean(name, 1, 50).map_err(|e| AppError::invalid(Field::DepartmentName, e))?;
    let (_turn, mut tx) = db.begin_write().await?;
    let inserted =
        sqlx::query_scalar::<_, i64>("INSERT INTO departments (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(&name)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await;
    if let Ok(id) = &inserted {
        let change = Change {
            action: Audited::DepartmentCreated,
            subject: format!("department #{id}"),
            before: None,
            after: Some(name),
            actor,
        };
        audit::record(&mut tx, change).await?;
    }
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

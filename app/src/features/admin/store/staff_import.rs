//! The staff import as stored: the file decoded (CSV in UTF-8 with or without BOM, or in
//! GB18030 as Chinese Excel saves it; .xlsx), its rows matched against the people stored (by
//! employee number, else phone, else email), and applied idempotently with an audit entry
//! per person changed.
use crate::features::admin::i18n::K;
use crate::features::admin::model::{Audited, Field, ImportLine, StaffImport};
use crate::features::admin::staff_rows::{rows, StaffRow};
use crate::plumbing::access::Role;
use crate::plumbing::audit::{self, Actor, Change};
use crate::plumbing::db::Db;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::state::now_ms;
use crate::shared::phone::Phone;
use sqlx::Row;
use std::collections::HashMap;

/// What an imported person's password is until they set one through a reset link: not a
/// hash, so no password matches it.
pub const NO_PASSWORD: &str = "!unset";

fn unreadable() -> AppError {
    AppError::invalid(Field::ImportFile, Problem::said(K::ProblemImportUnreadable))
}

/// The file as a table of cells.
pub fn decode(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    if bytes.starts_with(b"PK\x03\x04") {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).map_err(|_| unreadable())?;
        let sheet = book.worksheet_range_at(0).ok_or_else(unreadable)?.map_err(|_| unreadable())?;
        return Ok(sheet.rows().map(|r| r.iter().map(cell_text).collect()).collect());
    }
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(unreadable());
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader.records().map(|r| r.map(|r| r.iter().map(str::to_string).collect()).map_err(|_| unreadable())).collect()
}

/// A spreadsheet cell as text; whole numbers without the `.0` Excel stores them with (phone
/// numbers and employee numbers typed as numbers).
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

struct Stored {
    id: i64,
    name: String,
    phone: Option<String>,
    email: Option<String>,
    employee_no: Option<String>,
    department_id: Option<i64>,
    active: bool,
    roles: Vec<Role>,
}

enum Plan {
    Add,
    Update(usize),
    Deactivate(usize),
}

/// Previews (`apply` false: nothing changes) or applies the file.
pub async fn import(
    db: &Db,
    actor: &Actor,
    bytes: &[u8],
    apply: bool,
    allow_foreign: bool,
) -> Result<StaffImport, AppError> {
    import_table(db, actor, &decode(bytes)?, apply, allow_foreign).await
}

/// The same for a table (the header, then a row a person): HR's file, or the API's rows.
pub async fn import_table(
    db: &Db,
    actor: &Actor,
    table: &[Vec<String>],
    apply: bool,
    allow_foreign: bool,
) -> Result<StaffImport, AppError> {
    let (rows, mut errors) = rows(table, allow_foreign);
    let pool = &db.pool;
    let departments: HashMap<String, i64> = sqlx::query("SELECT id, name FROM departments")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>("name")?, r.try_get::<i64, _>("id")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut stored = Vec::new();
    for r in sqlx::query("SELECT id, display_name, phone, email, employee_no, department_id, active FROM users")
        .fetch_all(pool)
        .await?
    {
        stored.push(Stored {
            id: r.try_get("id")?,
            name: r.try_get("display_name")?,
            phone: r.try_get("phone")?,
            email: r.try_get("email")?,
            employee_no: r.try_get("employee_no")?,
            department_id: r.try_get("department_id")?,
            active: r.try_get::<i64, _>("active")? != 0,
            roles: Vec::new(),
        });
    }
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for r in sqlx::query("SELECT user_id, role FROM user_roles").fetch_all(pool).await? {
        let role: Role = crate::plumbing::db::stored("user_roles", &r.try_get::<String, _>("role")?)?;
        roles.entry(r.try_get("user_id")?).or_default().push(role);
    }
    for s in &mut stored {
        s.roles = roles.remove(&s.id).unwrap_or_default();
        s.roles.sort();
    }
    let find = |row: &StaffRow| -> Option<usize> {
        let by = |f: &dyn Fn(&Stored) -> bool| stored.iter().position(f);
        row.employee_no
            .as_ref()
            .and_then(|n| by(&|s| s.employee_no.as_ref() == Some(n)))
            .or_else(|| row.phone.as_ref().and_then(|p| by(&|s| s.phone.as_ref() == Some(p))))
            .or_else(|| row.email.as_ref().and_then(|e| by(&|s| s.email.as_ref() == Some(e))))
    };
    let mut report = StaffImport {
        added: vec![],
        updated: vec![],
        deactivated: vec![],
        unchanged: 0,
        errors: vec![],
        applied: apply,
    };
    let mut plans = Vec::new();
    for row in rows {
        let department = match &row.department {
            None => None,
            Some(name) => match departments.get(name) {
                Some(id) => Some(*id),
                None => {
                    errors.push((row.line, vec![FieldError::new(Field::Department, Problem::UnknownChoice)]));
                    continue;
                }
            },
        };
        let key = row
            .employee_no
            .clone()
            .or_else(|| row.phone.clone().map(|p| Phone::from_e164(p).masked()))
            .or_else(|| row.email.clone())
            .unwrap_or_default();
        let line = ImportLine { line: row.line, name: row.name.clone(), key };
        let matched = find(&row);
        // A phone, email or employee number that belongs to someone else.
        let clash = stored.iter().filter(|s| Some(s.id) != matched.map(|i| stored[i].id)).find_map(|s| {
            if row.employee_no.is_some() && s.employee_no == row.employee_no {
                Some(Field::EmployeeNo)
            } else if row.phone.is_some() && s.phone == row.phone {
                Some(Field::Phone)
            } else if row.email.is_some() && s.email == row.email {
                Some(Field::Email)
            } else {
                None
            }
        });
        if let Some(field) = clash {
            errors.push((row.line, vec![FieldError::new(field, Problem::Taken)]));
            continue;
        }
        if matched.is_none() && row.phone.is_none() && row.email.is_none() && row.active != Some(false) {
            // A new person signs in with a phone or an email: an employee number alone is not enough.
            errors.push((row.line, vec![FieldError::new(Field::Phone, Problem::said(K::ProblemNewPersonContact))]));
            continue;
        }
        let plan = match (matched, row.active) {
            (None, Some(false)) => None,
            (None, _) => Some(Plan::Add),
            (Some(i), Some(false)) if stored[i].active => Some(Plan::Deactivate(i)),
            (Some(_), Some(false)) => None,
            (Some(i), _) => {
                let s = &stored[i];
                let changed = s.name != row.name
                    || row.phone.as_ref().is_some_and(|p| s.phone.as_ref() != Some(p))
                    || row.email.as_ref().is_some_and(|e| s.email.as_ref() != Some(e))
                    || row.employee_no.as_ref().is_some_and(|n| s.employee_no.as_ref() != Some(n))
                    || (row.department.is_some() && s.department_id != department)
                    || row.roles.as_ref().is_some_and(|r| *r != s.roles)
                    || (row.active == Some(true) && !s.active);
                changed.then_some(Plan::Update(i))
            }
        };
        match &plan {
            Some(Plan::Add) => report.added.push(line),
            Some(Plan::Update(_)) => report.updated.push(line),
            Some(Plan::Deactivate(_)) => report.deactivated.push(line),
            None => report.unchanged += 1,
        }
        if let Some(plan) = plan {
            plans.push((row, department, plan));
        }
    }
    errors.sort_by_key(|e| e.0);
    report.errors = errors;
    if apply {
        for chunk in plans.chunks(500) {
            let (_turn, mut tx) = db.begin_write().await?;
            for (row, department, plan) in chunk {
                apply_row(&mut tx, actor, row, *department, plan, &stored).await?;
            }
            tx.commit().await?;
        }
    }
    Ok(report)
}

fn described(row: &StaffRow, department: Option<i64>) -> String {
    serde_json::json!({
        "name": row.name,
        "employee_no": row.employee_no,
        "phone": row.phone.as_ref().map(|p| Phone::from_e164(p.clone()).masked()),
        "email": row.email,
        "department_id": department,
        "roles": row.roles.as_ref().map(|r| r.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
    })
    .to_string()
}

async fn apply_row(
    tx: &mut crate::plumbing::db::Tx,
    actor: &Actor,
    row: &StaffRow,
    department: Option<i64>,
    plan: &Plan,
    stored: &[Stored],
) -> Result<(), AppError> {
    let (id, action, before) = match plan {
        Plan::Add => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (display_name, phone, email, employee_no, password_hash, department_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&row.name)
            .bind(row.phone.as_deref())
            .bind(row.email.as_deref())
            .bind(row.employee_no.as_deref())
            .bind(NO_PASSWORD)
            .bind(department)
            .bind(now_ms())
            .fetch_one(&mut **tx)
            .await?;
            for role in row.roles.clone().unwrap_or_else(|| vec![Role::Employee]) {
                sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role.as_str())
                    .execute(&mut **tx)
                    .await?;
            }
            (id, Audited::UserCreated, None)
        }
        Plan::Update(i) => {
            let s = &stored[*i];
            sqlx::query(
                "UPDATE users SET display_name = $1, phone = COALESCE($2, phone), email = COALESCE($3, email), \
                 employee_no = COALESCE($4, employee_no), department_id = CASE WHEN $5 = 1 THEN $6 ELSE department_id END, \
                 active = 1 WHERE id = $7",
            )
            .bind(&row.name)
            .bind(row.phone.as_deref())
            .bind(row.email.as_deref())
            .bind(row.employee_no.as_deref())
            .bind(i64::from(row.department.is_some()))
            .bind(department)
            .bind(s.id)
            .execute(&mut **tx)
            .await?;
            if let Some(roles) = &row.roles {
                sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(s.id).execute(&mut **tx).await?;
                for role in roles {
                    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                        .bind(s.id)
                        .bind(role.as_str())
                        .execute(&mut **tx)
                        .await?;
                }
            }
            (s.id, Audited::UserUpdated, Some(s.name.clone()))
        }
        Plan::Deactivate(i) => {
            let s = &stored[*i];
            sqlx::query("UPDATE users SET active = 0 WHERE id = $1").bind(s.id).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(s.id).execute(&mut **tx).await?;
            (s.id, Audited::UserDeactivated, Some("active".to_string()))
        }
    };
    let after = match plan {
        Plan::Deactivate(_) => "inactive".to_string(),
        _ => described(row, department),
    };
    let change =
        Change { action, subject: format!("user #{id} (import line {})", row.line), before, after: Some(after), actor };
    audit::record(tx, change).await?;
    Ok(())
}

//! Admin's part of the JSON API: an HR system keeps people, their departments and
//! deactivations in step, by the same rules as the staff import.
use super::model::{ImportLine, StaffImport};
use crate::plumbing::access::Role;
use crate::plumbing::api::{answer, ApiJson, ApiResult};
use crate::plumbing::api_keys::{require_key, ApiScope};
use crate::plumbing::audit::Actor;
use crate::plumbing::errors::{AppError, FieldError};
use crate::plumbing::state::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// A person as HR keeps them. They are matched by employee number, else phone, else email.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApiStaff {
    pub name: String,
    /// A mobile number; a person needs a phone or an employee number.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub employee_no: Option<String>,
    /// A department's name, as on the departments page (unknown names are refused).
    #[serde(default)]
    pub department: Option<String>,
    /// Absent: a new person is an employee, a known one keeps theirs.
    #[serde(default)]
    pub roles: Option<Vec<Role>>,
    /// `false` deactivates (离职): they can no longer sign in; their links keep redirecting.
    #[serde(default = "active")]
    pub active: bool,
}

fn active() -> bool {
    true
}

/// What an upsert did (or, with `dry_run`, would do). People are named by their place in the
/// array (0 = first). A list with a refused person is answered 422, each problem named by
/// `[row].field`, and changes nobody.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffUpserted {
    pub added: Vec<i64>,
    pub updated: Vec<i64>,
    pub deactivated: Vec<i64>,
    pub unchanged: i64,
    /// Whether the changes were made (`false` for a dry run).
    pub applied: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StaffUpsert {
    pub staff: Vec<ApiStaff>,
    /// Only say what would change.
    #[serde(default)]
    pub dry_run: bool,
}

const HEADER: [&str; 7] = ["name", "phone", "email", "employee_no", "department", "roles", "status"];

/// The rows as the import reads a file: a header, then one line a person (line 2 = row 0).
fn table(staff: &[ApiStaff]) -> Vec<Vec<String>> {
    let mut out = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    for p in staff {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let roles =
            p.roles.as_ref().map(|r| r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("|")).unwrap_or_default();
        let status = if p.active { "active" } else { "inactive" };
        out.push(vec![
            p.name.clone(),
            text(&p.phone),
            text(&p.email),
            text(&p.employee_no),
            text(&p.department),
            roles,
            status.into(),
        ]);
    }
    out
}

fn row_of(line: &ImportLine) -> i64 {
    line.line - 2
}

/// What the import said, and every problem named by `[row].field`.
fn upserted(report: StaffImport) -> (StaffUpserted, Vec<FieldError>) {
    let rows = |lines: &[ImportLine]| lines.iter().map(row_of).collect();
    let errors = report
        .errors
        .into_iter()
        .flat_map(|(line, es)| {
            es.into_iter().map(move |mut e| {
                let name = match e.field.as_ref() {
                    "department_id" => "department",
                    "status" => "active",
                    other => other,
                };
                e.field = format!("[{}].{name}", line - 2).into();
                e
            })
        })
        .collect();
    let done = StaffUpserted {
        added: rows(&report.added),
        updated: rows(&report.updated),
        deactivated: rows(&report.deactivated),
        unchanged: report.unchanged,
        applied: report.applied,
    };
    (done, errors)
}

/// Upsert staff
///
/// Adds, updates and deactivates people as HR has them, by the rules of the staff import on
/// the people page: matched by employee number, else phone, else email; a phone, email or
/// employee number that belongs to someone else is refused; unknown departments are refused.
/// The same list again changes nothing.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = StaffUpsert,
    responses((status = 200, description = "What changed", body = StaffUpserted)),
    security(("api_key" = ["staff:write"])))]
async fn upsert_staff(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(body): ApiJson<StaffUpsert>,
) -> ApiResult<StaffUpserted> {
    let key = require_key(&state, &parts.headers, &[ApiScope::StaffWrite]).await?;
    let actor = Actor::person(key.created_by, &state.org.secret, &parts.extensions);
    if body.staff.is_empty() {
        let nothing =
            StaffUpserted { added: vec![], updated: vec![], deactivated: vec![], unchanged: 0, applied: !body.dry_run };
        return answer(nothing);
    }
    // Checked whole first: a list with a refused person changes nobody.
    let table = table(&body.staff);
    let import = super::store::staff_import::import_table;
    let (preview, errors) = upserted(import(&state.db, &actor, &table, false, state.org.allow_foreign_phones).await?);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if body.dry_run {
        return answer(preview);
    }
    answer(upserted(import(&state.db, &actor, &table, true, state.org.allow_foreign_phones).await?).0)
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upsert_staff))
}

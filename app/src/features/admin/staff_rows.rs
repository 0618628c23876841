//! The rows of a staff spreadsheet (HR's export), checked: which column is which (Chinese or
//! English headers), each row's fields, and rows that repeat a person. Pure; the file's
//! decoding and the matching against people already stored are the store's.
use super::model::Field;
use crate::features::admin::i18n::K;
use crate::plumbing::access::Role;
use crate::plumbing::errors::{FieldError, Problem};
use crate::shared::{phone, text};

/// One person as a row says; `None` where the file has no such column (kept as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// The spreadsheet's line number (the header is line 1).
    pub line: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub employee_no: Option<String>,
    pub department: Option<String>,
    pub roles: Option<Vec<Role>>,
    /// `Some(false)` for 离职 / 停用 / inactive.
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    Phone,
    Email,
    EmployeeNo,
    Department,
    Roles,
    Status,
}

fn column(header: &str) -> Option<Col> {
    let h = text::fold_width(header).trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '_'], "");
    Some(match h.as_str() {
        "姓名" | "名字" | "员工姓名" | "name" | "displayname" => Col::Name,
        "手机" | "手机号" | "手机号码" | "电话" | "phone" | "mobile" => Col::Phone,
        "邮箱" | "电子邮箱" | "email" | "e-mail" => Col::Email,
        "工号" | "员工编号" | "员工号" | "employeeno" | "employeenumber" | "employeeid" => Col::EmployeeNo,
        "部门" | "所属部门" | "department" => Col::Department,
        "角色" | "roles" | "role" => Col::Roles,
        "状态" | "在职状态" | "status" | "active" => Col::Status,
        _ => return None,
    })
}

fn role(word: &str) -> Option<Role> {
    Some(match word.trim().to_lowercase().as_str() {
        "员工" | "employee" => Role::Employee,
        "销售" | "sales" => Role::Sales,
        "市场" | "营销" | "marketing" => Role::Marketing,
        "财务" | "finance" => Role::Finance,
        "管理员" | "admin" => Role::Admin,
        "合作伙伴" | "伙伴" | "partner" => Role::Partner,
        "老客" | "客户" | "customer" => Role::Customer,
        _ => return None,
    })
}

fn status(word: &str) -> Option<bool> {
    match word.trim().to_lowercase().as_str() {
        "" | "在职" | "正常" | "active" | "1" | "yes" | "启用" => Some(true),
        "离职" | "停用" | "已离职" | "inactive" | "0" | "no" | "disabled" => Some(false),
        _ => None,
    }
}

/// What a table (the header, then one row a person) says: the rows, and every problem by line.
pub fn rows(table: &[Vec<String>], allow_foreign: bool) -> (Vec<StaffRow>, Vec<(i64, Vec<FieldError>)>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let Some(header) = table.first() else {
        problems.push((1, vec![FieldError::new(Field::ImportFile, text::TextError::Required)]));
        return (out, problems);
    };
    let cols: Vec<Option<Col>> = header.iter().map(|h| column(h)).collect();
    if !cols.contains(&Some(Col::Name)) || !(cols.contains(&Some(Col::Phone)) || cols.contains(&Some(Col::EmployeeNo)))
    {
        problems.push((1, vec![FieldError::new(Field::ImportFile, Problem::said(K::ProblemImportHeader))]));
        return (out, problems);
    }
    let has = |c: Col| cols.contains(&Some(c));
    let mut seen: Vec<(String, i64)> = Vec::new();
    for (i, cells) in table.iter().enumerate().skip(1) {
        let line = i as i64 + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: Col| -> &str {
            cols.iter()
                .position(|x| *x == Some(c))
                .and_then(|at| cells.get(at))
                .map(String::as_str)
                .unwrap_or("")
                .trim()
        };
        let mut errors = Vec::new();
        let name =
            text::person_name(cell(Col::Name)).map_err(|e| errors.push(FieldError::new(Field::DisplayName, e))).ok();
        let phone = match cell(Col::Phone) {
            "" => None,
            p => phone::normalize(p, allow_foreign)
                .map(|p| p.as_e164().to_string())
                .map_err(|e| errors.push(FieldError::new(Field::Phone, e)))
                .ok(),
        };
        let email = match cell(Col::Email).to_lowercase() {
            e if e.is_empty() => None,
            e if e.contains('@') && e.len() <= 254 && !e.contains(char::is_whitespace) => Some(e),
            _ => {
                errors.push(FieldError::new(Field::Email, Problem::Email));
                None
            }
        };
        let employee_no = match text::clean(cell(Col::EmployeeNo), 0, 32) {
            Ok(n) if n.is_empty() => None,
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(FieldError::new(Field::EmployeeNo, e));
                None
            }
        };
        if phone.is_none() && employee_no.is_none() && errors.is_empty() {
            errors.push(FieldError::new(Field::Phone, Problem::said(K::ProblemImportKey)));
        }
        let department = match cell(Col::Department) {
            "" => None,
            d => Some(d.to_string()),
        };
        let roles = if has(Col::Roles) {
            let words: Vec<&str> = cell(Col::Roles)
                .split(['、', ',', '，', '/', ';', '；', '|'])
                .filter(|w| !w.trim().is_empty())
                .collect();
            let parsed: Option<Vec<Role>> = words.iter().map(|w| role(w)).collect();
            match parsed {
                Some(mut r) if !r.is_empty() => {
                    r.sort();
                    r.dedup();
                    Some(r)
                }
                Some(_) => Some(vec![Role::Employee]),
                None => {
                    errors.push(FieldError::new(Field::Roles, Problem::UnknownChoice));
                    None
                }
            }
        } else {
            None
        };
        let active = if has(Col::Status) {
            let s = status(cell(Col::Status));
            if s.is_none() {
                errors.push(FieldError::new(Field::Status, Problem::UnknownChoice));
            }
            s
        } else {
            None
        };
        // A person twice in one file: the later row is refused, naming the earlier line.
        for key in [
            employee_no.as_ref().map(|n| format!("no:{n}")),
            phone.as_ref().map(|p| format!("phone:{p}")),
            email.as_ref().map(|e| format!("email:{e}")),
        ]
        .into_iter()
        .flatten()
        {
            if seen.iter().any(|(k, _)| *k == key) {
                let field = match key.split(':').next() {
                    Some("no") => Field::EmployeeNo,
                    Some("phone") => Field::Phone,
                    _ => Field::Email,
                };
                errors.push(FieldError::new(field, Problem::said(K::ProblemImportDuplicate)));
                break;
            }
            seen.push((key, line));
        }
        match name {
            Some(name) if errors.is_empty() => {
                out.push(StaffRow { line, name, phone, email, employee_no, department, roles, active })
            }
            _ => problems.push((line, errors)),
        }
    }
    (out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(lines: &[&str]) -> Vec<Vec<String>> {
        lines.iter().map(|l| l.split(',').map(str::to_string).collect()).collect()
    }

    #[test]
    fn chinese_headers_rows_and_problems_by_line() {
        let t = table(&[
            "\u{feff}工号,姓名,手机号,部门,角色,状态",
            "E001,张三,138 1234 5678,销售部,员工、销售,在职",
            "E002,李四,12345,销售部,,在职",
            "E003,王五,13912345678,门店运营部,老板,离职",
            "E001,赵六,13700000000,销售部,,在职",
            ",,,,,",
            "E004,孙七,,市场部,,离职",
        ]);
        let (found, problems) = rows(&t, false);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].phone.as_deref(), Some("+8613812345678"));
        let mut both = vec![Role::Sales, Role::Employee];
        both.sort();
        assert_eq!(found[0].roles, Some(both));
        assert_eq!((found[1].line, found[1].active), (7, Some(false)));
        let named: Vec<(i64, Vec<String>)> =
            problems.iter().map(|(l, e)| (*l, e.iter().map(|e| e.field.to_string()).collect())).collect();
        assert_eq!(
            named,
            [(3, vec!["phone".to_string()]), (4, vec!["roles".to_string()]), (5, vec!["employee_no".to_string()])]
        );
    }

    #[test]
    fn english_headers_and_a_file_without_the_columns_it_needs() {
        let (found, problems) = rows(&table(&["Name,Phone,Email", "Zhang San,13812345678,ZS@Example.cn"]), false);
        assert_eq!((found[0].email.as_deref(), found[0].roles.clone()), (Some("zs@example.cn"), None));
        assert!(problems.is_empty());
        let (_, problems) = rows(&table(&["名字,部门", "张三,销售部"]), false);
        assert_eq!(problems[0].0, 1);
    }
}

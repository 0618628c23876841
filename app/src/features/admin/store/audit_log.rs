//! The audit log as admins read it: every feature's audited actions in words, filtered, and
//! as a CSV download.
use crate::features::admin::model::{AuditAction, AuditQuery, AuditRow, Field};
use crate::features::{admin, deals, leads, rewards, scorecards, settlement};
use crate::plumbing::audit::{self, Filter};
use crate::plumbing::errors::{AppError, Label, Problem};
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::internal;
use crate::shared::closed_set::ClosedSet;
use crate::shared::period::{local_time, start_of_local_day};
use chrono::NaiveDate;
use sqlx::AnyPool;

/// Every audited action of every feature, in the order of the flow.
pub fn actions() -> Vec<AuditAction> {
    fn of<A: ClosedSet>(label: impl Fn(A) -> Label) -> Vec<AuditAction> {
        A::all().iter().map(|a| AuditAction { code: a.as_str().to_string(), label: label(*a) }).collect()
    }
    [
        of::<leads::Audited>(|a| Label::of(a.label())),
        of::<deals::Audited>(|a| Label::of(a.label())),
        of::<rewards::model::Audited>(|a| Label::of(a.label())),
        of::<settlement::model::Audited>(|a| Label::of(a.label())),
        of::<scorecards::Audited>(|a| Label::of(a.label())),
        of::<admin::Audited>(|a| Label::of(a.label())),
    ]
    .concat()
}

fn date(input: &str, field: Field) -> Result<Option<NaiveDate>, AppError> {
    match input.trim() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map(Some).map_err(|_| AppError::invalid(field, Problem::Date)),
    }
}

/// The entries a query asks for, newest first (at most `limit`).
pub async fn read(pool: &AnyPool, org: &OrgSettings, q: &AuditQuery, limit: i64) -> Result<Vec<AuditRow>, AppError> {
    let known = actions();
    if !q.action.is_empty() && !known.iter().any(|a| a.code == q.action) {
        return Err(AppError::unknown(Field::Action));
    }
    let from = date(&q.from, Field::From)?;
    let until = date(&q.until, Field::Until)?;
    let filter = Filter {
        actor_id: q.actor_id,
        action: (!q.action.is_empty()).then(|| q.action.clone()),
        subject: (!q.subject.trim().is_empty()).then(|| q.subject.trim().to_string()),
        from_ms: from.map(|d| start_of_local_day(d, org.tz).timestamp_millis()),
        until_ms: until.and_then(|d| d.succ_opt()).map(|d| start_of_local_day(d, org.tz).timestamp_millis()),
        before_id: None,
        limit,
    };
    let entries = audit::entries(pool, &filter).await?;
    entries
        .into_iter()
        .map(|e| {
            // A stored action no feature knows is an error, never shown as something else.
            let label = known
                .iter()
                .find(|a| a.code == e.action)
                .map(|a| a.label.clone())
                .ok_or_else(|| internal(format!("audit_log: unknown action {:?}", e.action)))?;
            Ok(AuditRow {
                id: e.id,
                at: local_time(e.at, org.tz),
                actor: e.actor,
                action: e.action,
                action_label: label,
                subject: e.subject,
                change: change(e.before.as_deref(), e.after.as_deref()),
                before: e.before,
                after: e.after,
            })
        })
        .collect()
}

/// One line saying what changed. Records (JSON objects) name only the keys that changed.
pub fn change(before: Option<&str>, after: Option<&str>) -> String {
    use serde_json::{Map, Value};
    let object = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Map<String, Value>>(s).ok());
    let shown = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
            .collect::<Vec<_>>()
            .join("、"),
        Some(v) => v.to_string(),
    };
    match (object(before), object(after), before, after) {
        (b, Some(a), _, _) => {
            let b = b.unwrap_or_default();
            let mut parts = Vec::new();
            for (key, value) in &a {
                if b.get(key) != Some(value) {
                    parts.push(if b.is_empty() {
                        format!("{key}: {}", shown(Some(value)))
                    } else {
                        format!("{key}: {} → {}", shown(b.get(key)), shown(Some(value)))
                    });
                }
            }
            parts.join("; ")
        }
        (_, None, Some(b), Some(a)) => format!("{b} → {a}"),
        (_, None, None, Some(a)) => a.to_string(),
        (_, None, Some(b), None) => format!("{b} →"),
        (_, None, None, None) => String::new(),
    }
}

/// The entries as CSV (zh-CN labels), cells that a spreadsheet would run as formulas defused.
pub fn csv(rows: &[AuditRow]) -> Result<String, AppError> {
    let mut w = crate::plumbing::sheet::Sheet::new([
        "id",
        "time",
        "who",
        "action",
        "action_label",
        "subject",
        "before",
        "after",
    ])?;
    for r in rows {
        let cells = [
            r.id.to_string(),
            r.at.clone(),
            r.actor.clone().unwrap_or_default(),
            r.action.clone(),
            r.action_label.zh.to_string(),
            r.subject.clone(),
            r.before.clone().unwrap_or_default(),
            r.after.clone().unwrap_or_default(),
        ];
        w.row(&cells)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_row() -> AuditRow {
        AuditRow {
            id: 1,
            at: "2026-12-03 10:00".into(),
            actor: None,
            action: "user.updated".into(),
            action_label: crate::plumbing::errors::Label { zh: "".into(), en: "".into() },
            subject: String::new(),
            before: None,
            after: None,
            change: String::new(),
        }
    }

    #[test]
    fn formulas_are_defused_and_every_action_has_one_code() {
        let rows = [AuditRow { subject: "=HYPERLINK(\"http://evil\")".into(), ..sample_row() }];
        assert!(csv(&rows).unwrap().contains("'=HYPERLINK"), "formulas are defused");
        let mut codes: Vec<String> = actions().into_iter().map(|a| a.code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "two features spell one action alike");
    }

    #[test]
    fn a_change_names_what_changed() {
        let before = r#"{"name":"张三","roles":["employee"],"department_id":1}"#;
        let after = r#"{"name":"张三丰","roles":["employee","sales"],"department_id":1}"#;
        assert_eq!(change(Some(before), Some(after)), "name: 张三 → 张三丰; roles: employee → employee、sales");
        assert_eq!(change(None, Some(r#"{"name":"李四","email":null}"#)), "email: —; name: 李四");
        assert_eq!(change(Some("active"), Some("inactive")), "active → inactive");
        assert_eq!(change(None, None), "");
    }
}

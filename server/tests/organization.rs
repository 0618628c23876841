//! Ready for a real organization: safe defaults, the people lifecycle, the audit log, four
//! eyes on money, one source of truth for the protection window. Through the real HTTP API
//! against a fresh database, on both engines.
mod common;
use app::features::admin::model::{ApiKeyRow, AuditRow, UserRow};
use app::features::admin::store::seed::{first_start, FirstStart};
use app::plumbing::errors::AppError;
use common::*;
use reqwest::StatusCode;

async fn audit(s: &TestServer, admin: &reqwest::Client, action: &str) -> Vec<AuditRow> {
    s.call_json(admin, "audit_log", &[("query[action]", action)]).await
}

#[tokio::test]
async fn no_demo_accounts_without_the_demo_flag_and_a_one_time_setup_link() {
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.demo_data = false;
    let s = TestServer::start_with(cfg.clone(), db).await;
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, 0, "no accounts at all");
    assert_eq!(s.count("SELECT COUNT(*) FROM campaigns").await, 0);
    let c = s.client();
    for u in app::features::admin::store::seed::DEMO_USERS {
        let (status, _) = s.call(&c, "sign_in", &[("login", u.email), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", u.email);
    }
    let demo: Vec<(String, String)> = s.call_json(&c, "demo_accounts", &[]).await;
    assert!(demo.is_empty(), "the home page lists no sign-ins");
    // Every start without people makes a new link (the console shows it); the last one counts.
    let FirstStart::SetupLink(token) = first_start(&s.state.db, &cfg).await.unwrap() else { panic!("a setup link") };
    let form = |token: &str| {
        vec![
            ("token", token.to_string()),
            ("display_name", "王总".to_string()),
            ("email", "owner@example.com".to_string()),
            ("password", "owner-password".to_string()),
        ]
    };
    let call = |args: Vec<(&'static str, String)>| {
        let c = c.clone();
        let s = &s;
        async move {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            s.call(&c, "complete_setup", &args).await
        }
    };
    let (status, body) = call(form("not-the-token")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Bad input names the field and does not use the link up.
    let mut short = form(&token);
    short[3].1 = "short".into();
    let (status, body) = call(short).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = call(form(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(form(&token)).await;
    assert_eq!(status, StatusCode::CONFLICT, "a setup link works once");
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, 1);
    let (status, _) = s.call(&c, "sign_in", &[("login", "owner@example.com"), ("password", "owner-password")]).await;
    assert_eq!(status, StatusCode::OK);
    let users: Vec<UserRow> = s.call_json(&c, "list_users", &[]).await;
    assert_eq!(users[0].roles, vec![app::plumbing::access::Role::Admin]);
    s.stop().await;
}

#[tokio::test]
async fn an_expired_setup_link_is_refused() {
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.demo_data = false;
    let s = TestServer::start_with(cfg.clone(), db).await;
    let FirstStart::SetupLink(token) = first_start(&s.state.db, &cfg).await.unwrap() else { panic!("a setup link") };
    app::plumbing::settings::set(&s.state.db, "setup_token_expires_at", "1").await.unwrap();
    let c = s.client();
    let (status, body) = s
        .call(
            &c,
            "complete_setup",
            &[("token", &token), ("display_name", "X"), ("email", "x@example.com"), ("password", "password-1")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, 0);
    s.stop().await;
}

#[tokio::test]
async fn the_audit_log_refuses_update_and_delete() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let _: i64 = s.call_json(&admin, "create_department", &[("name", "华东大区")]).await;
    // Newest first: ours, after the demo's three made by the server itself.
    let rows = audit(&s, &admin, "department.created").await;
    assert_eq!(rows.len(), 4);
    assert_eq!((rows[0].actor.as_deref(), rows[0].after.as_deref()), (Some("管理员 Admin"), Some("华东大区")));
    assert_eq!(rows[3].actor, None, "the demo seed is the system's");
    let pool = &s.state.db.pool;
    let before = s.count("SELECT COUNT(*) FROM audit_log").await;
    assert!(sqlx::query("UPDATE audit_log SET subject = 'nothing happened'").execute(pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err());
    assert_eq!(s.count("SELECT COUNT(*) FROM audit_log").await, before);
    assert_eq!(s.count("SELECT COUNT(*) FROM audit_log WHERE subject = 'nothing happened'").await, 0);
    s.stop().await;
}

#[tokio::test]
async fn four_eyes_refuses_the_drafters_approval_and_only_finance_marks_paid() {
    let s = TestServer::start().await;
    let finance = s.signed_in(FINANCE).await;
    let admin = s.signed_in(ADMIN).await;
    let run: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", "2026-10")]).await;
    let act = |c: &reqwest::Client, action: &'static str| {
        let c = c.clone();
        let s = &s;
        async move { s.call(&c, "run_action", &[("run_id", &run.to_string()), ("action", action)]).await }
    };
    let (status, body) = act(&finance, "approve").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(matches!(error_of(&body), AppError::Refused(_)), "{body}");
    assert_eq!(s.count("SELECT COUNT(*) FROM settlement_runs WHERE status = 'draft'").await, 1);
    assert_eq!(act(&admin, "approve").await.0, StatusCode::OK);
    assert_eq!(act(&admin, "paid").await.0, StatusCode::FORBIDDEN, "an administrator does not mark money paid");
    assert_eq!(act(&finance, "paid").await.0, StatusCode::OK);
    let actions: Vec<String> = audit(&s, &admin, "").await.into_iter().map(|r| r.action).collect();
    for a in ["run.drafted", "run.approved", "run.paid"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    // The organization may turn four eyes off.
    app::plumbing::settings::set(&s.state.db, "four_eyes", "0").await.unwrap();
    let run: i64 = s.call_json(&finance, "draft_run", &[("scope", "employee"), ("period", "2026-09")]).await;
    let (status, body) = s.call(&finance, "run_action", &[("run_id", &run.to_string()), ("action", "approve")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.stop().await;
}

#[tokio::test]
async fn deactivation_ends_sessions_at_once_and_every_step_is_audited() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let employee = s.signed_in(EMPLOYEE).await;
    let (status, _) = s.call(&employee, "load_my_promotion", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let users: Vec<UserRow> = s.call_json(&admin, "list_users", &[]).await;
    let me = users.iter().find(|u| u.login == EMPLOYEE).unwrap().clone();
    assert!(me.active);
    let id = me.id.to_string();
    let (status, body) = s.call(&admin, "set_user_active", &[("id", &id), ("active", "false")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = s.call(&employee, "load_my_promotion", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the open session stops working at once");
    let (status, _) = s.call(&s.client(), "sign_in", &[("login", EMPLOYEE), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "nor can they sign in again");
    // Their personal link still redirects.
    let code: Option<String> = sqlx::query_scalar("SELECT code FROM promo_links WHERE promoter_id = $1")
        .bind(me.id)
        .fetch_optional(&s.state.db.pool)
        .await
        .unwrap();
    if let Some(code) = code {
        let res = s.client().get(s.url(&format!("/r/{code}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
    }
    // An administrator cannot lock themself out.
    let admin_id = users.iter().find(|u| u.login == ADMIN).unwrap().id.to_string();
    let (status, _) = s.call(&admin, "set_user_active", &[("id", &admin_id), ("active", "false")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Reactivated, they sign in; edited, the change is in the log with before and after.
    let (status, _) = s.call(&admin, "set_user_active", &[("id", &id), ("active", "true")]).await;
    assert_eq!(status, StatusCode::OK);
    let employee = s.signed_in(EMPLOYEE).await;
    let (status, body) = s
        .call(
            &admin,
            "update_user",
            &[
                ("id", &id),
                ("display_name", "员工 张伟（华东）"),
                ("email", EMPLOYEE),
                ("roles[0]", "employee"),
                ("roles[1]", "sales"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let users: Vec<UserRow> = s.call_json(&admin, "list_users", &[]).await;
    let edited = users.iter().find(|u| u.id == me.id).unwrap();
    assert_eq!(edited.display_name, "员工 张伟（华东）");
    assert_eq!(edited.roles.len(), 2);
    let updated = audit(&s, &admin, "user.updated").await;
    let (before, after) = (updated[0].before.clone().unwrap(), updated[0].after.clone().unwrap());
    assert!(before.contains("员工 张伟") && after.contains("华东") && after.contains("sales"), "{before} → {after}");
    assert!(!after.contains("13800000005"), "no full phone number in the log: {after}");
    for a in ["user.deactivated", "user.reactivated"] {
        assert_eq!(audit(&s, &admin, a).await.len(), 1, "{a}");
    }
    // Their own password: the other session ends, this one goes on.
    let elsewhere = s.signed_in(EMPLOYEE).await;
    let (status, body) = s
        .call(&employee, "change_password", &[("current_password", "wrong"), ("new_password", "new-password-1")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = s
        .call(&employee, "change_password", &[("current_password", PASSWORD), ("new_password", "new-password-1")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(s.call(&elsewhere, "load_my_promotion", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.call(&employee, "load_my_promotion", &[]).await.0, StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn a_shortened_protection_window_applies_to_the_next_claim() {
    let s = TestServer::start().await;
    let marketing = s.signed_in(MARKETING).await;
    let phone = "13955550001";
    s.submit_lead(&s.client(), phone, None).await;
    // That lead was submitted ten days ago: inside the 30-day window, outside a 7-day one.
    let ten_days_ago = chrono::Utc::now().timestamp_millis() - 10 * 86_400_000;
    let (_turn, mut tx) = s.state.db.begin_write().await.unwrap();
    sqlx::query("UPDATE leads SET submitted_at = $1").bind(ten_days_ago).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    drop(_turn);
    let policy = [("protection_days", "7"), ("daily_cap", "5"), ("holidays", ""), ("extra_workdays", "")];
    let (status, body) = s.call(&marketing, "save_lead_policy", &policy).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.submit_lead(&s.client(), phone, None).await;
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM leads ORDER BY id").fetch_all(&s.state.db.pool).await.unwrap();
    assert_eq!(statuses, ["pending", "pending"], "the 7-day window decides, not the 30 days stored with the claim");
    // A third submission now is inside the second lead's window: a duplicate of it.
    s.submit_lead(&s.client(), phone, None).await;
    let last: String = sqlx::query_scalar("SELECT status FROM leads ORDER BY id DESC LIMIT 1")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(last, "duplicate");
    let admin = s.signed_in(ADMIN).await;
    let changed = audit(&s, &admin, "lead_policy.changed").await;
    assert!(changed[0].before.as_deref().unwrap_or_default().contains("\"protection_days\":30"));
    assert!(changed[0].after.as_deref().unwrap_or_default().contains("\"protection_days\":7"));
    s.stop().await;
}

/// A staff CSV as Chinese Excel saves it: GB18030, Chinese headers; `n` good rows and then
/// a bad phone, an unknown department and a row that repeats the first.
fn staff_csv(n: usize) -> Vec<u8> {
    let mut text = String::from("工号,姓名,手机号,部门,角色,状态\r\n");
    for i in 0..n {
        text.push_str(&format!("E{i:04},员工{i},139{i:08},销售部,员工,在职\r\n"));
    }
    text.push_str("X0001,坏号码,12345,销售部,员工,在职\r\n");
    text.push_str("X0002,无部门,13700000002,火星部,员工,在职\r\n");
    text.push_str("E0000,重复行,13700000003,销售部,员工,在职\r\n");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

async fn import(
    s: &TestServer,
    admin: &reqwest::Client,
    file: &[u8],
    apply: bool,
) -> app::features::admin::StaffImport {
    use base64::Engine;
    let content = base64::engine::general_purpose::STANDARD.encode(file);
    s.call_json(admin, "import_staff", &[("content", &content), ("apply", if apply { "true" } else { "false" })]).await
}

#[tokio::test]
async fn a_gb18030_staff_import_previews_names_bad_rows_and_applies_idempotently() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let users = s.count("SELECT COUNT(*) FROM users").await;
    let file = staff_csv(500);
    let preview = import(&s, &admin, &file, false).await;
    assert_eq!((preview.added.len(), preview.updated.len(), preview.applied), (500, 0, false));
    let lines: Vec<(i64, String)> = preview.errors.iter().map(|(line, e)| (*line, e[0].field.to_string())).collect();
    assert_eq!(
        lines,
        [(502, "phone".to_string()), (503, "department_id".to_string()), (504, "employee_no".to_string())],
        "each bad row by its line and field"
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, users, "a preview changes nothing");
    let applied = import(&s, &admin, &file, true).await;
    assert_eq!((applied.added.len(), applied.errors.len(), applied.applied), (500, 3, true));
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, users + 500);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.created' AND actor_id IS NOT NULL").await,
        500
    );
    // The people page lists 200 at most; a search finds anyone, by phone or employee number.
    assert_eq!(s.call_json::<Vec<UserRow>>(&admin, "list_users", &[]).await.len(), 200);
    let found: Vec<UserRow> = s.call_json(&admin, "list_users", &[("search", "139 0000 0499")]).await;
    assert_eq!(found.iter().map(|u| u.display_name.as_str()).collect::<Vec<_>>(), ["员工499"]);
    let found: Vec<UserRow> = s.call_json(&admin, "list_users", &[("search", "E0498")]).await;
    assert_eq!(found.len(), 1);
    // The same file again changes nothing.
    let again = import(&s, &admin, &file, true).await;
    assert_eq!((again.added.len(), again.updated.len(), again.unchanged), (0, 0, 500));
    assert_eq!(s.count("SELECT COUNT(*) FROM users").await, users + 500);
    // HR marks one as gone and renames another, in an .xlsx this time.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in [
        ["工号", "姓名", "手机号", "状态"],
        ["E0001", "员工1", "13900000001", "离职"],
        ["E0002", "员工二", "13900000002", "在职"],
    ]
    .iter()
    .enumerate()
    {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    // A phone typed as a number in Excel.
    sheet.write_number(2, 2, 13900000002.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let changed = import(&s, &admin, &xlsx, true).await;
    assert_eq!((changed.deactivated.len(), changed.updated.len(), changed.errors.len()), (1, 1, 0), "{changed:?}");
    assert_eq!(s.count("SELECT COUNT(*) FROM users WHERE employee_no = 'E0001' AND active = 0").await, 1);
    assert_eq!(s.count("SELECT COUNT(*) FROM users WHERE display_name = '员工二'").await, 1);
    // An imported person gets a one-time link from the admin and signs in with their password.
    let id = s.count("SELECT id FROM users WHERE employee_no = 'E0003'").await;
    let link: String = s.call_json(&admin, "issue_reset_link", &[("id", &id.to_string())]).await;
    let token = link.split("token=").nth(1).unwrap().to_string();
    let c = s.client();
    let (status, _) = s.call(&c, "sign_in", &[("login", "13900000003"), ("password", "")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = s.call(&c, "reset_password", &[("token", &token), ("password", "my-own-password")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = s.call(&c, "reset_password", &[("token", &token), ("password", "another-password")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a reset link works once");
    let (status, _) = s.call(&c, "sign_in", &[("login", "13900000003"), ("password", "my-own-password")]).await;
    assert_eq!(status, StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn an_unreadable_file_is_named() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    use base64::Engine;
    let junk = base64::engine::general_purpose::STANDARD.encode([0xff, 0xfe, 0x00, 0x81, 0x30]);
    let (status, body) = s.call(&admin, "import_staff", &[("content", &junk)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).field_errors()[0].field, "file");
    s.stop().await;
}

/// The real binary with nothing set: no demo, no accounts; the setup link on the console
/// (standard output), its token nowhere in the log (standard error).
#[tokio::test]
async fn the_binary_starts_safe_by_default_and_prints_the_setup_link_on_the_console() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let db = TestDb::fresh().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_remove("ALLHANDS_DEMO_DATA")
        .env_remove("ALLHANDS_ADMIN_LOGIN")
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "allhands")
        .env("RUST_LOG", "info")
        .env("ALLHANDS_SCHEDULED_DRAFTS", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        assert!(std::time::Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A link's token travels in the query string: the request log names the path only.
    for path in ["/setup?token=f00dcafe0123456789secret", "/reset?token=f00dcafe0123456789secret"] {
        let _ = client.get(format!("http://127.0.0.1:{port}{path}")).send().await.unwrap();
    }
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let _ = child.wait();
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let token = out.split("setup?token=").nth(1).map(|t| t.split_whitespace().next().unwrap_or_default().to_string());
    let token = token.unwrap_or_else(|| panic!("no setup link on the console: {out}"));
    assert!(token.len() >= 32, "{token}");
    // The log is JSON lines (on standard output, beside the console's link); no line of it
    // carries a token.
    let log: Vec<&str> = out.lines().chain(err.lines()).filter(|l| l.starts_with('{')).collect();
    assert!(log.iter().any(|l| l.contains("\"path\":\"/setup\"")), "the request was logged: {out}");
    for secret in [token.as_str(), "f00dcafe0123456789secret"] {
        assert!(!log.iter().any(|l| l.contains(secret)), "a token reached the log: {secret}");
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!(users, 0, "no demo accounts");
}

#[tokio::test]
async fn a_deactivated_persons_live_stream_ends_and_an_idle_session_expires() {
    let db = TestDb::fresh().await;
    let mut cfg = config(&db);
    cfg.session_idle_s = 2;
    let s = TestServer::start_with(cfg, db).await;
    let admin = s.signed_in(ADMIN).await;
    let marketing = s.signed_in(MARKETING).await;
    let mut live = marketing.get(s.url("/live")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let users: Vec<UserRow> = s.call_json(&admin, "list_users", &[]).await;
    let id = users.iter().find(|u| u.login == MARKETING).unwrap().id.to_string();
    let (status, _) = s.call(&admin, "set_user_active", &[("id", &id), ("active", "false")]).await;
    assert_eq!(status, StatusCode::OK);
    // The stream re-checks its session every second here (every 30 s by default).
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = live.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the live stream of a deactivated person ends");
    // Unused for longer than the idle timeout, a session ends.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let (status, _) = s.call(&admin, "list_users", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "idle past the timeout");
    s.stop().await;
}

#[tokio::test]
async fn a_setting_that_changes_money_takes_effect_from_its_date_and_every_change_is_logged() {
    use app::features::admin::org_settings::{SettingKey, SettingView};
    use app::features::rewards::store::facts;
    use app::features::settlement::store::tax::treatments;
    use app::features::settlement::TaxTreatment;
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let today = chrono::Utc::now().with_timezone(&s.state.org.tz).date_naive();
    let save = |key: &'static str, value: &'static str, from: String| {
        let (admin, s) = (admin.clone(), &s);
        async move { s.call(&admin, "save_setting", &[("key", key), ("value", value), ("effective_from", &from)]).await }
    };
    let (status, body) =
        save("tax_treatment_employee", "company", (today - chrono::Duration::days(1)).to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).field_errors()[0].field, "effective_from");
    let (status, body) = save("audit_percent", "101", String::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field_errors()[0].field, "value");
    assert_eq!(save("audit_percent", "25", String::new()).await.0, StatusCode::OK);
    assert_eq!(save("tax_treatment_employee", "company", today.to_string()).await.0, StatusCode::OK);
    assert_eq!(
        save("minimum_payout_fen", "50", (today + chrono::Duration::days(40)).to_string()).await.0,
        StatusCode::OK
    );
    let views: Vec<SettingView> = s.call_json(&admin, "org_settings", &[]).await;
    let of = |k: SettingKey| views.iter().find(|v| v.key == k).unwrap().clone();
    assert_eq!(of(SettingKey::AuditPercent).value, "25");
    assert_eq!(of(SettingKey::TaxEmployee).value, "company");
    let payout = of(SettingKey::MinimumPayout);
    assert_eq!((payout.value.as_str(), payout.scheduled.len()), ("0", 1), "¥50 only from its date: {payout:?}");
    // A period that ended before today keeps the treatment it had.
    let pool = &s.state.db.pool;
    let everyone = facts::promoters(pool).await.unwrap();
    let employee = s.count(&format!("SELECT id FROM users WHERE email = '{EMPLOYEE}'")).await;
    let before = treatments(pool, &everyone, today - chrono::Duration::days(1)).await.unwrap();
    let now = treatments(pool, &everyone, today).await.unwrap();
    assert_eq!((before[&employee], now[&employee]), (TaxTreatment::Incidental, TaxTreatment::Company));
    let changed = audit(&s, &admin, "setting.changed").await;
    assert_eq!(changed.len(), 3);
    assert!(changed.iter().any(|r| r.subject == "tax_treatment_employee" && r.before.as_deref() == Some("incidental")));
    s.stop().await;
}

/// An integration's API key: made by admin and shown once, kept hashed, scoped, limited per
/// minute, showing its last use, and refused once revoked; a session never opens the JSON API.
#[tokio::test]
async fn an_api_key_is_scoped_limited_and_revocable() {
    let s = TestServer::start().await;
    let admin = s.signed_in(ADMIN).await;
    let (status, body) = s.call(&admin, "create_api_key", &[("name", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_names(&error_of(&body)), vec!["name", "scopes"]);
    let finance = s.signed_in(FINANCE).await;
    let (status, _) = s.call(&finance, "create_api_key", &[("name", "x"), ("scopes[0]", "deals:write")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admin only");
    let key = s.api_key(&["deals:write"]).await;
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM api_keys").fetch_one(&s.state.db.pool).await.unwrap();
    assert!(key.starts_with("ak_") && !stored.contains(&key[3..]), "only a hash is kept");

    let push = |bearer: Option<String>, paid: bool| {
        let mut deal = serde_json::json!({
            "order_no": "API-9", "customer_phone": "13922229999", "amount_fen": 10000, "currency": "CNY", "signed_on": "2026-11-05"
        });
        if paid {
            deal["payment"] = serde_json::json!({"paid_on": "2026-11-06", "amount_fen": 10000});
        }
        let mut req = admin.post(s.url("/api/v1/deals")).headers(same_origin(&s)).json(&serde_json::json!([deal]));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        async move { req.send().await.unwrap() }
    };
    assert_eq!(push(None, false).await.status(), StatusCode::UNAUTHORIZED, "a session cookie is not a key");
    assert_eq!(push(Some("ak_wrong".into()), false).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(push(Some(key.clone()), true).await.status(), StatusCode::FORBIDDEN, "a payment needs payments:write");
    let res = push(Some(key.clone()), false).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: app::features::deals::api::DealsPushed = res.json().await.unwrap();
    assert_eq!(report.created, 1, "{report:?}");

    let keys: Vec<ApiKeyRow> = s.call_json(&admin, "api_keys", &[]).await;
    assert_eq!(keys.len(), 1);
    assert!(key.starts_with(&keys[0].prefix) && keys[0].last_used_at.is_some() && !keys[0].revoked, "{keys:?}");
    assert_eq!(audit(&s, &admin, "api_key.created").await.len(), 1);

    // Over its limit in this minute: 429 with when to come back.
    // (Over it on another instance: this one learns so when it next writes its own hits.)
    // The steps below take under 3 s: not across the end of a minute, which starts anew.
    let into_minute = app::plumbing::state::now_ms() % 60_000;
    if into_minute > 55_000 {
        tokio::time::sleep(std::time::Duration::from_millis((60_000 - into_minute + 200) as u64)).await;
        push(Some(key.clone()), false).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    sqlx::query("UPDATE rate_limits SET hits = 100000 WHERE key LIKE 'api_key:%'")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(push(Some(key.clone()), false).await.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let res = push(Some(key.clone()), false).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    sqlx::query("DELETE FROM rate_limits").execute(&s.state.db.pool).await.unwrap();

    let (status, _) = s.call(&admin, "revoke_api_key", &[("id", &keys[0].id.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(push(Some(key), false).await.status(), StatusCode::UNAUTHORIZED, "revoked");
    assert_eq!(audit(&s, &admin, "api_key.revoked").await.len(), 1);
    s.stop().await;
}

//! The real binary: SIGTERM while requests are in flight lets them finish, then exits 0;
//! SIGKILL in the middle of a stream of submissions loses none that were acknowledged; SIGKILL
//! during accrual or during a draft loses and doubles nothing, and shows no partial run.
mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts the server binary on `db` and waits for its health check.
async fn spawn_binary(db: &TestDb) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "allhands")
        .env("RUST_LOG", "warn")
        // The binary starts safe by default: the tests ask for the demo organization.
        .env("ALLHANDS_DEMO_DATA", "1")
        .env("ALLHANDS_DEMO_ACTIVITY", "0")
        .env("ALLHANDS_SCHEDULED_DRAFTS", "0")
        .stdout(Stdio::null())
        .spawn()
        .expect("server starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("{base}/healthz")).send().await.map(|r| !r.status().is_success()).unwrap_or(true) {
        assert!(Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, base)
}

#[tokio::test]
async fn sigkill_during_a_stream_of_submissions_loses_nothing_acknowledged() {
    let db = TestDb::fresh().await;
    let (mut child, base) = spawn_binary(&db).await;
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    // Four steady submitters (under the burst limit), each with its own phones.
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (base, acknowledged) = (base.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
                for i in 0..12 {
                    let phone = format!("1367777{w}{i:03}");
                    let res = client
                        .post(format!("{base}/c/winter-home/lead"))
                        .form(&[("name", "压力"), ("phone", phone.as_str()), ("consent", "1")])
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == 303 && r.headers()["location"] == "/c/winter-home/thanks" => {
                            acknowledged.lock().unwrap().push(format!("+86{phone}"))
                        }
                        Ok(r) => panic!("unexpected answer {}", r.status()),
                        Err(_) => return, // the server is gone
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 15 {
        assert!(Instant::now() < deadline, "submissions did not flow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap().success());
    let _ = child.wait();
    for w in workers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    // Restart on the same database: every acknowledged submission is there.
    let (mut child, _) = spawn_binary(&db).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    for phone in &acknowledged {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE phone = $1")
            .bind(phone)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 1, "{phone} was acknowledged but is missing");
    }
    assert!(acknowledged.len() >= 15);
    pool.close().await;
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn sigterm_finishes_in_flight_requests() {
    let db = TestDb::fresh().await;
    let (mut child, base) = spawn_binary(&db).await;
    let client = reqwest::Client::new();
    // Sign-ins hash passwords on two cores: twenty of them queue up for a while.
    let requests: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            let url = format!("{base}/api/sign_in");
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("Accept", "application/json")
                    .form(&[("login", EMPLOYEE), ("password", "wrong-password")])
                    .send()
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut answered = 0;
    for r in requests {
        let res = r.await.unwrap().expect("an in-flight request is answered, not cut off");
        assert!(res.status() == 401 || res.status() == 429, "{}", res.status());
        answered += 1;
    }
    assert_eq!(answered, 20);
    let status = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "exit status {status:?}");
    // And it is down.
    assert!(client.get(format!("{base}/healthz")).send().await.is_err());
}

/// SQLite: committing writers leave the write-ahead log to the background checkpointer, which
/// copies it into the database file within a fraction of a second. A reader that ignores the
/// log (`immutable`) sees a lead moments after it is acknowledged.
#[tokio::test]
async fn the_log_reaches_the_database_file_behind_the_writers() {
    let server = TestServer::start().await;
    if !server.db.url.starts_with("sqlite:") {
        return server.stop().await;
    }
    let client = server.client();
    server.submit_lead(&client, "13800138123", None).await;
    let file_only = format!("{}?immutable=true", server.db.url);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let pool = sqlx::AnyPool::connect(&file_only).await.expect("database file opens");
        // Before the first checkpoint the file may not even hold the tables.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE phone = '+8613800138123'")
            .fetch_one(&pool)
            .await
            .unwrap_or(0);
        pool.close().await;
        if n == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the lead never left the write-ahead log");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;
}

/// A client signed in as `login` on a spawned binary.
async fn sign_in(base: &str, login: &str) -> reqwest::Client {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client
        .post(format!("{base}/api/sign_in"))
        .header("Accept", "application/json")
        .form(&[("login", login), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "sign in {login}");
    client
}

/// `n` employees, each with one deal paid in November (queued for the ledger by the
/// database's triggers, as every path queues them); returns the rewards they earn (2%).
async fn load(pool: &sqlx::AnyPool, n: i64) -> i64 {
    let mut tx = pool.begin().await.unwrap();
    for start in (0..n).step_by(500) {
        let rows: Vec<String> =
            (start..(start + 500).min(n)).map(|i| format!("('crash {i}', 'c{i}@crash.invalid', 'x', 0)")).collect();
        sqlx::query(&format!(
            "INSERT INTO users (display_name, email, password_hash, created_at) VALUES {}",
            rows.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let statements = [
        "INSERT INTO user_roles (user_id, role) SELECT id, 'employee' FROM users WHERE email LIKE '%@crash.invalid'",
        "INSERT INTO deals (order_no, customer_phone, promoter_id, amount_fen, signed_on, source, created_at) \
         SELECT 'K-' || id, '+86137' || (10000000 + id), id, 10000 * (1 + id % 7), '2026-11-05', 'import', 0 \
         FROM users WHERE email LIKE '%@crash.invalid'",
        "INSERT INTO payments (deal_id, paid_on, amount_fen, created_at) \
         SELECT id, '2026-11-06', amount_fen, 0 FROM deals WHERE order_no LIKE 'K-%'",
    ];
    for sql in statements {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let paid: i64 = sqlx::query_scalar("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM deals WHERE order_no LIKE 'K-%'")
        .fetch_one(pool)
        .await
        .unwrap();
    paid / 50
}

async fn scalar(pool: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

/// Waits (up to a minute) until `sql` answers `want`.
async fn until(pool: &sqlx::AnyPool, sql: &str, want: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while scalar(pool, sql).await != want {
        assert!(Instant::now() < deadline, "{sql} never reached {want}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const LEDGER: &str = "SELECT COUNT(*) FROM reward_ledger WHERE line_key LIKE 'pay:%' AND deal_id IN \
     (SELECT id FROM deals WHERE order_no LIKE 'K-%')";
const LEDGER_SUM: &str =
    "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM reward_ledger WHERE line_key LIKE 'pay:%' \
     AND deal_id IN (SELECT id FROM deals WHERE order_no LIKE 'K-%')";

#[tokio::test]
async fn sigkill_during_accrual_loses_and_doubles_nothing() {
    let db = TestDb::fresh().await;
    let (mut child, _) = spawn_binary(&db).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let earned = load(&pool, 3000).await;
    let queued = scalar(&pool, "SELECT COUNT(*) FROM accruals").await;
    // Killed once the ledger has taken some of the facts in, and not all.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = scalar(&pool, "SELECT COUNT(*) FROM accruals").await;
        if left < queued {
            assert!(left > 0, "accrual finished before it could be interrupted");
            break;
        }
        assert!(Instant::now() < deadline, "accrual did not start");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap().success());
    let _ = child.wait();
    let (mut child, _) = spawn_binary(&db).await;
    until(&pool, "SELECT COUNT(*) FROM accruals", 0).await;
    assert_eq!((scalar(&pool, LEDGER).await, scalar(&pool, LEDGER_SUM).await), (3000, earned), "every payment once");
    pool.close().await;
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn sigkill_during_a_draft_shows_no_partial_run_and_the_next_draft_is_whole() {
    let db = TestDb::fresh().await;
    let (mut child, base) = spawn_binary(&db).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let earned = load(&pool, 3000).await;
    until(&pool, "SELECT COUNT(*) FROM accruals", 0).await;
    let finance = sign_in(&base, "finance@demo.allhands.cn").await;
    let form = [("scope", "employee"), ("period", "2026-11")];
    let drafting = tokio::spawn({
        let (finance, url) = (finance.clone(), format!("{base}/api/draft_run"));
        async move {
            let _ = finance.post(url).header("Accept", "application/json").form(&form).send().await;
        }
    });
    let partial = "SELECT COUNT(*) FROM statements s JOIN settlement_runs r ON r.id = s.run_id \
                   WHERE r.period = '2026-11' AND r.status = 'drafting'";
    let deadline = Instant::now() + Duration::from_secs(60);
    while scalar(&pool, partial).await == 0 {
        assert!(Instant::now() < deadline, "the draft never wrote a step");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap().success());
    let _ = child.wait();
    let _ = drafting.await;
    let written = scalar(&pool, partial).await;
    assert!(written > 0, "killed while drafting");
    let (mut child, base) = spawn_binary(&db).await;
    let finance = sign_in(&base, "finance@demo.allhands.cn").await;
    let call = |name: &'static str, form: Vec<(&'static str, &'static str)>| {
        let (finance, base) = (finance.clone(), base.clone());
        async move {
            let res = finance
                .post(format!("{base}/api/{name}"))
                .header("Accept", "application/json")
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{name}: {}", res.status());
            res.text().await.unwrap()
        }
    };
    let runs: Vec<app::features::settlement::RunRow> =
        serde_json::from_str(&call("settlement_runs", vec![]).await).unwrap();
    let nov = runs.iter().find(|r| r.period == "2026-11").unwrap();
    assert_eq!((nov.statements, nov.gross_fen), (0, 0), "nothing partial is shown");
    // The next draft takes the run over once the dead one's lease runs out, and writes it whole.
    let run: i64 = serde_json::from_str(&call("draft_run", form.to_vec()).await).unwrap();
    assert_eq!(run, nov.id);
    let runs: Vec<app::features::settlement::RunRow> =
        serde_json::from_str(&call("settlement_runs", vec![]).await).unwrap();
    let nov = runs.iter().find(|r| r.period == "2026-11").unwrap();
    assert_eq!((nov.statements, nov.gross_fen, nov.status.as_str()), (3000, earned, "draft"));
    pool.close().await;
    let _ = child.kill();
    let _ = child.wait();
}

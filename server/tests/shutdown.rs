//! The real binary: SIGTERM while requests are in flight lets them finish, then exits 0;
//! SIGKILL in the middle of a stream of submissions loses none that were acknowledged.
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

//! The real binary: SIGTERM while requests are in flight lets them finish, then exits 0.
mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn sigterm_finishes_in_flight_requests() {
    let db = TestDb::fresh().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "allhands")
        .env("RUST_LOG", "warn")
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

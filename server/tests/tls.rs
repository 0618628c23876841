//! PostgreSQL that requires TLS is reached over rustls.
mod common;

use common::*;

#[tokio::test]
async fn postgres_with_sslmode_require_is_reached_over_tls() {
    let mut db = TestDb::fresh().await;
    if !db.url.starts_with("postgres") {
        return; // SQLite has no TLS to speak of.
    }
    db.url = format!("{}&sslmode=require", db.url);
    let s = TestServer::start_with(config(&db), db).await;
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&s.state.db.pool)
        .await
        .expect("pg_stat_ssl");
    assert!(ssl, "the connection is encrypted");
    let res = s.client().get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    s.stop().await;
}

//! Test harness: the real server on 127.0.0.1:0 against a fresh database — a new SQLite file,
//! or a new PostgreSQL schema when `ALLHANDS_TEST_DATABASE=postgres`. No mocks.
#![allow(dead_code)]
use app::plumbing::errors::{AppError, FormField};
use app::plumbing::state::Config;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "demo1234";
pub const EMPLOYEE: &str = "employee@demo.allhands.cn";
pub const MARKETING: &str = "marketing@demo.allhands.cn";
pub const ADMIN: &str = "admin@demo.allhands.cn";
pub const SALES: &str = "sales@demo.allhands.cn";
pub const FINANCE: &str = "finance@demo.allhands.cn";

/// A database nobody else uses.
#[derive(Clone, Debug)]
pub struct TestDb {
    pub url: String,
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        let suffix = format!("{}_{}", std::process::id(), rand::random::<u64>());
        match std::env::var("ALLHANDS_TEST_DATABASE").as_deref() {
            Ok("postgres") => {
                let base = std::env::var("ALLHANDS_TEST_PG_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
                let schema = format!("t_{suffix}");
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {base} is required for this run: {e}"));
                sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                TestDb { url: format!("{base}{sep}options=-c%20search_path%3D{schema}") }
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("allhands-test-{suffix}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDb { url: format!("sqlite://{}", dir.join("allhands.db").display()) }
            }
        }
    }
}

pub fn config(db: &TestDb) -> Config {
    Config {
        database_url: db.url.clone(),
        demo_data: true,
        session_ttl_s: 3600,
        session_idle_s: 3600,
        live_recheck_s: 1,
        secure_cookies: false,
        trusted_proxies: Vec::new(),
        bootstrap_admin: None,
        notify_webhook: None,
        notify_backoff_ms: 50,
        api_key_per_minute: app::plumbing::api_keys::PER_MINUTE,
        metrics_token: None,
        webhook_backoff_ms: 50,
    }
}

/// What the server is built with in tests.
pub fn build() -> server::Build {
    let options = leptos::config::LeptosOptions::builder().output_name("allhands").site_root("target/site").build();
    // Tests count what they make: the bare demo organization, without its weeks of activity.
    server::Build { demo_activity: false, scheduled_drafts: false, ..server::Build::new(options) }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub db: TestDb,
    pub state: app::plumbing::state::AppState,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        let db = TestDb::fresh().await;
        Self::start_with(config(&db), db).await
    }

    pub async fn start_with(config: Config, db: TestDb) -> TestServer {
        Self::start_built(config, db, build()).await
    }

    /// With extra routes or settings of the build.
    pub async fn start_built(config: Config, db: TestDb, build: server::Build) -> TestServer {
        // Server logs show up with a failing test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn,server=info,app=info").try_init();
        let (router, state) = server::build_with(config, build).await.expect("server builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            server::serve(listener, router, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        TestServer { addr, base: format!("http://{addr}"), db, state, shutdown: Some(tx), handle: Some(handle) }
    }

    /// Graceful stop: in-flight requests finish, queued clicks are stored, the pool closes.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        server::flush(&self.state).await;
        self.state.db.pool.close().await;
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function with form-encoded arguments.
    pub async fn call(&self, client: &Client, name: &str, args: &[(&str, &str)]) -> (StatusCode, String) {
        let res = client
            .post(self.url(&format!("/api/{name}")))
            .header("Accept", "application/json")
            .form(args)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.text().await.unwrap_or_default())
    }

    pub async fn call_json<T: DeserializeOwned>(&self, client: &Client, name: &str, args: &[(&str, &str)]) -> T {
        let (status, body) = self.call(client, name, args).await;
        assert!(status.is_success(), "{name}: {status} {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"))
    }

    /// A server whose audit sample is empty, so that rewards vest on payment.
    pub async fn start_unaudited() -> TestServer {
        let s = TestServer::start().await;
        app::plumbing::settings::set(&s.state.db, "audit_percent", "0").await.unwrap();
        s
    }

    /// A promoter's referral code (made on first use).
    pub async fn referral_code(&self, login: &str) -> String {
        let c = self.signed_in(login).await;
        let r: app::features::settlement::MyRewards = self.call_json(&c, "load_my_rewards", &[]).await;
        r.referral_code
    }

    /// A new API key with these scopes, made by admin as on the settings page.
    pub async fn api_key(&self, scopes: &[&str]) -> String {
        let admin = self.signed_in(ADMIN).await;
        let names: Vec<String> = (0..scopes.len()).map(|i| format!("scopes[{i}]")).collect();
        let mut form = vec![("name", "order system")];
        form.extend(names.iter().map(String::as_str).zip(scopes.iter().copied()));
        let key: app::features::admin::NewApiKey = self.call_json(&admin, "create_api_key", &form).await;
        key.secret
    }

    /// A client signed in as `login`.
    pub async fn signed_in(&self, login: &str) -> Client {
        let client = self.client();
        let (status, body) = self.call(&client, "sign_in", &[("login", login), ("password", PASSWORD)]).await;
        assert!(status.is_success(), "sign in {login}: {status} {body}");
        client
    }

    /// The employee's personal link code for the demo campaign.
    pub async fn employee_code(&self) -> String {
        let client = self.signed_in(EMPLOYEE).await;
        let cards: Vec<app::features::promotion::PromoCard> = self.call_json(&client, "load_my_promotion", &[]).await;
        cards[0].code.clone()
    }

    /// Posts the referral form of the demo campaign from our own origin, as the page does.
    pub async fn post_lead(&self, client: &Client, form: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url("/c/winter-home/lead"))
            .headers(same_origin(self))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Submits a valid form (optionally through a personal-link code) and checks that it is
    /// acknowledged with the thank-you page, as every valid submission must be.
    pub async fn submit_lead(&self, client: &Client, phone: &str, code: Option<&str>) {
        let mut form = vec![("name", "客户"), ("phone", phone), ("consent", "1")];
        if let Some(code) = code {
            form.push(("ref", code));
        }
        let res = self.post_lead(client, &form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/c/winter-home/thanks", "every valid submission is acknowledged");
    }

    /// Waits until every click answered so far is stored.
    pub async fn flush_clicks(&self) {
        server::flush(&self.state).await;
    }

    /// Stores clicks made up by a test (link, channel, visitor, user-agent class, time in ms,
    /// whether it is its visitor's first of the day) in one transaction, as the click writer
    /// stores and counts a batch.
    pub async fn store_clicks(&self, clicks: &[(i64, &str, &str, &str, i64, bool)]) {
        use app::features::promotion::store::clicks::{insert, NewClick};
        use app::features::promotion::{Channel, UaClass};
        let made: Vec<(NewClick, String, bool)> = clicks
            .iter()
            .map(|&(link_id, channel, visitor, ua, at_ms, unique)| {
                let click = NewClick {
                    link_id,
                    channel: Channel::parse(channel).expect("channel"),
                    visitor: visitor.to_string(),
                    ip_hash: "ip".to_string(),
                    ua_class: UaClass::parse(ua).expect("user-agent class"),
                    at_ms,
                    own: false,
                };
                (click, app::shared::period::local_day(at_ms, self.state.org.tz).to_string(), unique)
            })
            .collect();
        let rows: Vec<(&NewClick, &str, bool)> = made.iter().map(|(c, d, u)| (c, d.as_str(), *u)).collect();
        let (_turn, mut tx) = self.state.db.begin_write().await.expect("begin");
        insert(&self.state, &mut tx, &rows).await.expect("store clicks");
        tx.commit().await.expect("commit");
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.state.db.pool).await.expect("count")
    }
}

/// The form encoding of `save_campaign(campaign)`.
pub fn campaign_form(c: &app::features::campaigns::CampaignEdit) -> Vec<(String, String)> {
    let mut f = vec![
        ("campaign[slug]".to_string(), c.slug.clone()),
        ("campaign[name]".into(), c.name.clone()),
        ("campaign[product]".into(), c.product.clone()),
        ("campaign[selling_points]".into(), c.selling_points.clone()),
        ("campaign[landing_copy]".into(), c.landing_copy.clone()),
        ("campaign[demand_tags]".into(), c.demand_tags.clone()),
        ("campaign[starts_on]".into(), c.starts_on.clone()),
        ("campaign[ends_on]".into(), c.ends_on.clone()),
        ("campaign[boosts]".into(), c.boosts.clone()),
        ("campaign[accepts_repurchase]".into(), c.accepts_repurchase.to_string()),
        ("campaign[sms_budget]".into(), c.sms_budget.clone()),
    ];
    if let Some(id) = c.id {
        f.push(("campaign[id]".into(), id.to_string()));
    }
    for (i, r) in c.promoter_roles.iter().enumerate() {
        f.push((format!("campaign[promoter_roles][{i}]"), r.to_string()));
    }
    for (i, d) in c.department_ids.iter().enumerate() {
        f.push((format!("campaign[department_ids][{i}]"), d.to_string()));
    }
    f
}

/// The one-time code last texted to `phone` (E.164), as the phone would show it.
pub async fn texted_code(s: &TestServer, phone: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE kind = 'phone_code' AND recipient = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(phone)
    .fetch_one(&s.state.db.pool)
    .await
    .expect("a code was texted");
    body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("six digits").to_string()
}

pub fn same_origin(server: &TestServer) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("Origin", HeaderValue::from_str(&server.base).expect("origin"));
    h
}

/// The form names of fields, to compare with the fields an error names.
pub fn names<F: FormField>(fields: &[F]) -> Vec<String> {
    fields.iter().map(|f| f.name().to_string()).collect()
}

/// A server function's error answer, read back.
pub fn error_of(body: &str) -> AppError {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
}

/// Today in the organization's calendar (the demo organization's time zone).
pub fn today() -> chrono::NaiveDate {
    app::shared::period::local_date(chrono::Utc::now(), app::shared::period::DEFAULT_TZ)
}

/// The form names of the fields an error names.
pub fn field_names(error: &AppError) -> Vec<String> {
    error.field_errors().iter().map(|e| e.field.to_string()).collect()
}

/// A multipart form with one `file` field, as a browser posts it.
pub async fn upload(s: &TestServer, c: &reqwest::Client, path: &str, bytes: &[u8]) -> reqwest::Response {
    let boundary = "----allhandsboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    c.post(s.url(path))
        .headers(same_origin(s))
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

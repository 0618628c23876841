//! The dashboard reads counters kept as facts arrive. After a random stream of clicks (stored
//! and counted in batches as the click writer does, bots among them), shares, submissions
//! through the real form, reviews, direct inserts and status changes, deals with and without a
//! lead or promoter, every figure of every cut and the trend equal a count of the raw facts,
//! for any period and filter, and a recount changes nothing; on both engines.
mod common;
use app::features::dashboard::store::figures::Slice;
use app::features::dashboard::store::{counters, figures, recount};
use app::features::promotion::Channel;
use app::features::rewards::engine::PromoterKind;
use chrono::NaiveDate;
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;

/// 2025-10-01 00:00 in Shanghai, in milliseconds.
const OCT_START: i64 = 1_759_248_000_000;
const DAY: i64 = 86_400_000;
const STATUSES: [&str; 6] = ["pending", "held", "valid", "duplicate", "invalid", "rejected"];

async fn exec(s: &TestServer, sql: &str) {
    sqlx::query(sql).execute(&s.state.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn ids(s: &TestServer, sql: &str) -> Vec<i64> {
    sqlx::query_scalar(sql).fetch_all(&s.state.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn pick<T: Copy>(rng: &mut StdRng, from: &[T]) -> T {
    from[rng.gen_range(0..from.len())]
}

#[tokio::test]
async fn the_counters_equal_the_facts_after_a_random_stream() {
    let s = TestServer::start().await;
    let seed: u64 = std::env::var("COUNTERS_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20261203);
    let mut rng = StdRng::seed_from_u64(seed);
    let campaigns = ids(&s, "SELECT id FROM campaigns ORDER BY id").await;
    let people = ids(&s, "SELECT id FROM users ORDER BY id").await;
    let departments = ids(&s, "SELECT id FROM departments ORDER BY id").await;
    for (i, c) in campaigns.iter().enumerate() {
        for p in &people {
            exec(
                &s,
                &format!(
                    "INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) VALUES ('R{i}P{p}', {c}, {p}, 0) \
                     ON CONFLICT DO NOTHING"
                ),
            )
            .await;
        }
    }
    let links: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT id, campaign_id, promoter_id FROM promo_links ORDER BY id")
            .fetch_all(&s.state.db.pool)
            .await
            .unwrap();
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let at = |rng: &mut StdRng| OCT_START - 3 * DAY + rng.gen_range(0..70 * DAY);
    let mut leads: Vec<i64> = Vec::new();
    let now = chrono::Utc::now().timestamp_millis();
    for step in 0..600 {
        match rng.gen_range(0..10) {
            0..=2 => {
                // A batch of clicks, as the click writer stores them: some on the same link,
                // day and channel (one count row), bots among them.
                let batch: Vec<(i64, &str, String, &str, i64, bool)> = (0..rng.gen_range(1..6))
                    .map(|_| {
                        let (link, _, _) = if rng.gen_bool(0.5) { links[0] } else { pick(&mut rng, &links) };
                        let ch = if rng.gen_bool(0.5) { "qr" } else { pick(&mut rng, &channels) };
                        let ua = pick(&mut rng, &["wechat", "mobile", "desktop", "bot"]);
                        let when = if rng.gen_bool(0.5) { OCT_START + 5 * DAY } else { at(&mut rng) };
                        (link, ch, format!("v{}", rng.gen_range(0..8)), ua, when, rng.gen_bool(0.5))
                    })
                    .collect();
                let batch: Vec<_> = batch.iter().map(|(l, c, v, u, w, n)| (*l, *c, v.as_str(), *u, *w, *n)).collect();
                s.store_clicks(&batch).await;
            }
            3 => {
                let (link, _, _) = pick(&mut rng, &links);
                exec(
                    &s,
                    &format!("INSERT INTO shares (link_id, kind, at) VALUES ({link}, 'poster', {})", at(&mut rng)),
                )
                .await;
            }
            4 | 5 => {
                let (link, campaign, promoter) = pick(&mut rng, &links);
                let status = pick(&mut rng, &STATUSES);
                // A few within the last two days: some still within their first-contact window.
                let when = if rng.gen_bool(0.1) { now - rng.gen_range(0..2 * DAY) } else { at(&mut rng) };
                // Some through a deactivated person's link: no promoter, their department credited.
                let (link_sql, promoter_sql, department_sql) = match rng.gen_range(0..6) {
                    0 => ("NULL".to_string(), "NULL".to_string(), pick(&mut rng, &departments).to_string()),
                    1 => ("NULL".to_string(), "NULL".to_string(), "NULL".to_string()),
                    _ => (link.to_string(), promoter.to_string(), "NULL".to_string()),
                };
                let assigned = if rng.gen_bool(0.5) { (when + 3_600_000).min(now).to_string() } else { "NULL".into() };
                let contact = if assigned != "NULL" && rng.gen_bool(0.6) {
                    (when + 3_600_000 + rng.gen_range(0..9 * DAY)).to_string()
                } else {
                    "NULL".into()
                };
                // A channel given (as the form does from the visitor's cookie) or found from clicks.
                let channel =
                    if rng.gen_bool(0.3) { format!("'{}'", pick(&mut rng, &channels)) } else { "NULL".into() };
                exec(
                    &s,
                    &format!(
                        "INSERT INTO leads (campaign_id, link_id, promoter_id, department_id, name, phone, demand_tags, note, status, \
                         visitor, ip_hash, submitted_at, assigned_at, first_contact_at, channel) VALUES ({campaign}, {link_sql}, \
                         {promoter_sql}, {department_sql}, 'x', '+861390000{step:04}', '[]', '', '{status}', 'v{}', 'ip', {when}, \
                         {assigned}, {contact}, {channel})",
                        rng.gen_range(0..8)
                    ),
                )
                .await;
                leads.push(ids(&s, "SELECT MAX(id) FROM leads").await[0]);
            }
            6 | 7 if !leads.is_empty() => {
                let lead = pick(&mut rng, &leads);
                let status = pick(&mut rng, &STATUSES);
                // A review, an assignment (or a reassignment), or a first contact.
                let change = match rng.gen_range(0..3) {
                    0 => format!("status = '{status}'"),
                    1 => format!("assigned_at = submitted_at + {}", rng.gen_range(0..2 * DAY)),
                    _ => format!(
                        "first_contact_at = COALESCE(first_contact_at, assigned_at + {})",
                        rng.gen_range(-DAY..9 * DAY)
                    ),
                };
                exec(&s, &format!("UPDATE leads SET {change} WHERE id = {lead}")).await;
            }
            _ => {
                let lead = if rng.gen_bool(0.5) && !leads.is_empty() {
                    let l = pick(&mut rng, &leads);
                    let taken = ids(&s, &format!("SELECT COUNT(*) FROM deals WHERE lead_id = {l}")).await[0] > 0;
                    if taken {
                        "NULL".to_string()
                    } else {
                        l.to_string()
                    }
                } else {
                    "NULL".to_string()
                };
                let promoter = if rng.gen_bool(0.8) { pick(&mut rng, &people).to_string() } else { "NULL".into() };
                let campaign = if rng.gen_bool(0.8) { pick(&mut rng, &campaigns).to_string() } else { "NULL".into() };
                let on = NaiveDate::from_ymd_opt(2025, 9, 28).unwrap() + chrono::Days::new(rng.gen_range(0..70));
                let cost = if rng.gen_bool(0.5) { rng.gen_range(0..50_000).to_string() } else { "NULL".into() };
                exec(
                    &s,
                    &format!(
                        "INSERT INTO deals (order_no, lead_id, customer_phone, promoter_id, campaign_id, amount_fen, cost_fen, signed_on, \
                         source, created_at) VALUES ('RS{step}', {lead}, '+8613{step:09}', {promoter}, {campaign}, {}, {cost}, '{on}', \
                         'manual', 0)",
                        rng.gen_range(1..100_000)
                    ),
                )
                .await;
            }
        }
    }
    // The real paths too: clicks through the redirect and submissions through the form.
    let card_code: String = sqlx::query_scalar("SELECT pl.code FROM promo_links pl JOIN campaigns c ON c.id = pl.campaign_id WHERE c.slug = 'winter-home' ORDER BY pl.id LIMIT 1")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    for i in 0..5 {
        let visitor = s.client();
        let res = visitor
            .get(s.url(&format!("/r/{card_code}?ch=moments")))
            .header("User-Agent", "Mobile")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
        let res = visitor
            .post(s.url("/c/winter-home/lead"))
            .header("Origin", s.url(""))
            .form(&[("name", "张三"), ("phone", &format!("1380013{i:04}")), ("consent", "1"), ("ref", &card_code)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // Submissions at the same time, which the writer stores and counts in batches: repeated
    // phones (a duplicate within one batch), with and without a link.
    let together = (0..40).map(|i| {
        let (visitor, code) = (s.client(), card_code.clone());
        let (url, origin) = (s.url("/c/winter-home/lead"), s.url(""));
        let click = s.url(&format!("/r/{code}?ch={}", ["qr", "group", "sms"][i % 3]));
        async move {
            let reference = if i % 2 == 0 {
                visitor.get(click).header("User-Agent", "Mobile").send().await.unwrap();
                code
            } else {
                String::new()
            };
            let phone = format!("1390013{:04}", i % 25);
            let form = [("name", "李四"), ("phone", phone.as_str()), ("consent", "1"), ("ref", reference.as_str())];
            visitor.post(url).header("Origin", origin).form(&form).send().await.unwrap().status()
        }
    });
    for status in futures_util::future::join_all(together).await {
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let counted = "SELECT COUNT(*) FROM leads WHERE phone LIKE '+861390013%' AND counted_by_writer = 1";
    assert_eq!(ids(&s, counted).await[0], 40, "the writer stored and counted every submission");
    s.flush_clicks().await;
    // Those leads kept the channel of the click that brought them, from the visitor's cookie.
    let moments = ids(&s, "SELECT COUNT(*) FROM leads WHERE phone LIKE '+861380013%' AND channel = 'moments'").await[0];
    assert_eq!(moments, 5);

    let (org, pool) = (&*s.state.org, &s.state.db.pool);
    let today = chrono::Utc::now().with_timezone(&org.tz).date_naive();
    let october =
        Slice::days(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(), NaiveDate::from_ymd_opt(2025, 10, 31).unwrap());
    let long =
        Slice::days(NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    let mut slices = vec![
        october.clone(),
        long.clone(),
        Slice::days(today, today),
        Slice::days(today - chrono::Days::new(3), today),
    ];
    for &c in Channel::ALL {
        slices.push(Slice { channel: Some(c), ..long.clone() });
    }
    for &k in PromoterKind::ALL {
        slices.push(Slice { promoter_kind: Some(k), ..october.clone() });
    }
    for &d in &departments {
        slices.push(Slice { department_id: Some(d), ..long.clone() });
    }
    slices.push(Slice { campaign_id: Some(campaigns[0]), channel: Some(Channel::Moments), ..long.clone() });
    for slice in &slices {
        let counted = counters::dashboard(pool, org, slice).await.unwrap();
        let recounted = figures::from_facts(pool, org, slice).await.unwrap();
        assert_eq!(counted.totals, recounted.totals, "seed {seed}, {slice:?}");
        assert_eq!(counted.trend, recounted.trend, "seed {seed}, {slice:?}");
        assert_eq!(counted.cuts, recounted.cuts, "seed {seed}, {slice:?}");
    }
    assert!(counters::dashboard(pool, org, &long).await.unwrap().totals.leads > 60, "the stream made leads");
    assert_eq!(recount::drift(&s.state.db).await.unwrap(), 0, "seed {seed}: a recount would change the counters");
    // A counter broken by hand is found and repaired by the recount.
    exec(&s, "UPDATE figure_counts SET clicks = clicks + 7 WHERE day = (SELECT MIN(day) FROM figure_counts WHERE clicks > 0)")
        .await;
    let broken = recount::drift(&s.state.db).await.unwrap();
    assert!(broken > 0);
    assert_eq!(recount::recount(&s.state.db).await.unwrap(), broken);
    assert_eq!(recount::drift(&s.state.db).await.unwrap(), 0);
    // Admin's recount button, and only admin's.
    exec(&s, "UPDATE figure_counts SET shares = shares + 1 WHERE day = (SELECT MAX(day) FROM figure_counts)").await;
    let marketing = s.signed_in(MARKETING).await;
    assert_eq!(s.call(&marketing, "recount_dashboard", &[]).await.0, StatusCode::FORBIDDEN);
    let admin = s.signed_in(ADMIN).await;
    let corrected: i64 = s.call_json(&admin, "recount_dashboard", &[]).await;
    assert!(corrected > 0);
    assert_eq!(recount::drift(&s.state.db).await.unwrap(), 0);
    s.stop().await;
}

/// A person's promoter kind, which files their facts under a cut, follows their roles on every
/// path that changes them (partner, else customer, else employee; none without a role), and an
/// unknown kind cannot be stored.
#[tokio::test]
async fn a_persons_kind_follows_their_roles() {
    let s = TestServer::start().await;
    let person = ids(&s, "SELECT u.id FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('partner', 'customer')) ORDER BY u.id LIMIT 1").await[0];
    let kind = |s: &TestServer| {
        let sql = format!("SELECT promoter_kind FROM users WHERE id = {person}");
        let pool = s.state.db.pool.clone();
        async move { sqlx::query_scalar::<_, String>(&sql).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(kind(&s).await, "employee");
    exec(&s, &format!("INSERT INTO user_roles (user_id, role) VALUES ({person}, 'customer')")).await;
    assert_eq!(kind(&s).await, "customer");
    exec(&s, &format!("UPDATE user_roles SET role = 'partner' WHERE user_id = {person} AND role = 'customer'")).await;
    assert_eq!(kind(&s).await, "partner");
    // A click through their link is filed under their kind now.
    exec(&s, &format!("INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) SELECT 'KIND1', MIN(id), {person}, 0 FROM campaigns")).await;
    let link = ids(&s, "SELECT id FROM promo_links WHERE code = 'KIND1'").await[0];
    s.store_clicks(&[(link, "qr", "v", "mobile", 1_764_547_200_000, true)]).await;
    assert_eq!(
        ids(&s, "SELECT clicks FROM figure_counts WHERE promoter_kind = 'partner' AND channel = 'qr'").await,
        vec![1]
    );
    exec(&s, &format!("DELETE FROM user_roles WHERE user_id = {person} AND role = 'partner'")).await;
    assert_eq!(kind(&s).await, "employee");
    exec(&s, &format!("DELETE FROM user_roles WHERE user_id = {person}")).await;
    assert_eq!(kind(&s).await, "");
    let refused = sqlx::query(&format!("UPDATE users SET promoter_kind = 'boss' WHERE id = {person}"))
        .execute(&s.state.db.pool)
        .await;
    assert!(refused.is_err(), "an unknown kind is refused");
    s.stop().await;
}

/// A lead through a link keeps the channel of the visitor's last click on it: from the click's
/// cookie, else found among the link's clicks (a browser that kept only the visitor cookie),
/// else direct; a lead without a link is direct.
#[tokio::test]
async fn a_lead_keeps_its_channel_with_or_without_the_channel_cookie() {
    let s = TestServer::start().await;
    exec(
        &s,
        "INSERT INTO promo_links (code, campaign_id, promoter_id, created_at) SELECT 'CH1', c.id, \
         (SELECT MIN(r.user_id) FROM user_roles r WHERE r.role = 'employee'), 0 FROM campaigns c WHERE c.slug = 'winter-home'",
    )
    .await;
    let code = "CH1".to_string();
    let res =
        s.client().get(s.url(&format!("/r/{code}?ch=group"))).header("User-Agent", "Mobile").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let visitor = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("ah_vid="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .expect("a visitor cookie");
    s.flush_clicks().await;
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (phone, cookie, reference) in [
        ("13800139001", format!("ah_vid={visitor}"), code.as_str()),
        ("13800139002", "ah_vid=someone-else".to_string(), code.as_str()),
        ("13800139003", format!("ah_vid={visitor}"), ""),
    ] {
        let res = plain
            .post(s.url("/c/winter-home/lead"))
            .header("Origin", s.url(""))
            .header("Cookie", cookie)
            .form(&[("name", "张三"), ("phone", phone), ("consent", "1"), ("ref", reference)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let channel = |phone: &'static str| {
        let pool = s.state.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!("SELECT channel FROM leads WHERE phone = '+86{phone}'"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(channel("13800139001").await, "group");
    assert_eq!(channel("13800139002").await, "direct");
    assert_eq!(channel("13800139003").await, "direct");
    assert_eq!(recount::drift(&s.state.db).await.unwrap(), 0);
    s.stop().await;
}

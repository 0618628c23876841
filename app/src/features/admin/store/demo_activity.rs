//! The demo organization's story: a few weeks of believable, deterministic activity, made
//! through the same code paths as real activity (the click writer, the referral form's
//! screening, review, assignment, follow-up, deals, payments, settlement), so that every
//! screen shows real figures on first open. Only the demo asks for it.
use super::seed::DEMO_USERS;
use crate::features::campaigns::store::campaigns::DEMO_CAMPAIGN_SLUG;
use crate::features::deals::model::{DealInput, DealSource};
use crate::features::leads::model::{Decision, Stage};
use crate::features::leads::store::intake::{self, LeadForm, Origin};
use crate::features::promotion::model::{Channel, ShareKind, UaClass};
use crate::features::promotion::store::clicks::NewClick;
use crate::features::settlement::model::Scope;
use crate::features::{campaigns, deals, leads, promotion, settlement};
use crate::plumbing::access::UserView;
use crate::plumbing::audit::Actor;
use crate::plumbing::auth::{keyed_hash, roles_of};
use crate::plumbing::errors::AppError;
use crate::plumbing::state::AppState;
use crate::shared::period::{local_date, start_of_local_day, Period};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};

const CHANNELS: [Channel; 6] =
    [Channel::Moments, Channel::Moments, Channel::Group, Channel::Qr, Channel::Sms, Channel::Poster];
const NAMES: [&str; 12] = [
    "刘女士",
    "陈先生",
    "杨女士",
    "黄先生",
    "赵女士",
    "周先生",
    "吴女士",
    "徐先生",
    "孙女士",
    "马先生",
    "朱女士",
    "胡先生",
];
const TAGS: [&str; 4] = ["刚需装修", "改善型装修", "旧房翻新", "软装搭配"];

async fn person(state: &AppState, email: &str) -> Result<UserView, AppError> {
    let (id, display_name): (i64, String) = sqlx::query_as("SELECT id, display_name FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&state.db.pool)
        .await?;
    Ok(UserView { id, display_name, roles: roles_of(&state.db.pool, id).await?, department: None })
}

fn actor(u: &UserView) -> Actor {
    Actor { user_id: Some(u.id), ip_hash: None }
}

/// A deal as sales records it, and its payments (a negative amount: a refund) as finance does.
async fn record(
    state: &AppState,
    (seller, cashier): (&Actor, &Actor),
    mut input: DealInput,
    paid: &[(NaiveDate, i64)],
) -> Result<i64, AppError> {
    deals::store::deals::fill_from_lead(&state.db.pool, &mut input).await?;
    let valid = deals::store::deals::validate(&state.org, &input)?;
    let source = if input.lead_id.is_some() { DealSource::Lead } else { DealSource::Manual };
    let recorder = deals::store::deals::Recorder::trusted(seller);
    let id = deals::store::deals::record(state, &recorder, &valid, source).await?.ok_or(AppError::NotFound)?;
    for (on, fen) in paid {
        let amount = format!("{}.{:02}", fen.abs() / 100, fen.abs() % 100);
        deals::store::payments::record_payment(state, cashier, id, &on.to_string(), &amount, *fen < 0, None).await?;
    }
    Ok(id)
}

/// Seeds the story into a freshly seeded demo organization.
pub async fn seed(state: &AppState) -> Result<(), AppError> {
    let now = Utc::now();
    let (tz, secret) = (state.org.tz, state.org.secret.clone());
    let today = local_date(now, tz);
    let mut rng = StdRng::seed_from_u64(20_261_201);
    let campaign = campaigns::by_slug(state, DEMO_CAMPAIGN_SLUG).await?.ok_or(AppError::NotFound)?;
    let [admin, marketing, sales, finance, employee, customer, partner] = {
        let mut people = Vec::new();
        for u in DEMO_USERS {
            people.push(person(state, u.email).await?);
        }
        <[UserView; 7]>::try_from(people).map_err(|_| AppError::NotFound)?
    };
    // Personal links, and a few weeks of clicks on them: the employee shares most.
    let sharers = [(&employee, 5), (&marketing, 2), (&customer, 2), (&partner, 3)];
    let mut codes = Vec::new();
    for (p, weight) in sharers {
        let code = promotion::store::links::link_for(&state.db, campaign.id, p.id).await?;
        let link = promotion::link(state, &code).await?.ok_or(AppError::NotFound)?;
        codes.push((p.clone(), code, link.link_id, weight));
    }
    let writer = &promotion::part(state)?.clicks;
    for back in (0..28).rev() {
        let day = today - Duration::days(back);
        let start = start_of_local_day(day, tz).timestamp_millis();
        for (_, _, link_id, weight) in &codes {
            for _ in 0..rng.gen_range(1..4) * weight {
                let at_ms = start + rng.gen_range(8 * 3_600_000..22 * 3_600_000);
                if at_ms > now.timestamp_millis() {
                    continue;
                }
                let visitor = rng.gen_range(0..300);
                writer
                    .record(NewClick {
                        link_id: *link_id,
                        channel: CHANNELS[rng.gen_range(0..CHANNELS.len())],
                        visitor: format!("demo-visitor-{visitor}"),
                        ip_hash: keyed_hash(&secret, &format!("demo-ip-{visitor}")),
                        ua_class: if rng.gen_bool(0.8) { UaClass::Wechat } else { UaClass::Mobile },
                        at_ms,
                        own: false,
                    })
                    .await?;
            }
        }
    }
    writer.flush().await;
    for (p, code, _, weight) in &codes {
        for i in 0..*weight {
            let kind = if i % 2 == 0 { ShareKind::Poster } else { ShareKind::Link };
            promotion::store::links::record_share(state, p, code, kind).await?;
        }
    }
    // Prospects fill in the referral form: most new, two again (duplicates), the employee's
    // own number (self-referral), and six from one phone (the sixth held at the daily cap).
    let mut leads = Vec::new();
    for i in 0..24usize {
        let (p, code, link_id, _) = &codes[[0, 0, 0, 1, 3, 0, 2, 3][i % 8]];
        let phone = match i {
            16 => "13800000005".to_string(),
            23 => format!("1391234{:04}", 3),
            _ => format!("1391234{i:04}"),
        };
        let device = if (10..16).contains(&i) { "demo-device-shop".to_string() } else { format!("demo-device-{i}") };
        let form = LeadForm {
            name: NAMES[i % NAMES.len()].to_string(),
            phone,
            demand_tags: vec![TAGS[i % TAGS.len()].to_string()],
            note: String::new(),
            consent: Some("1".into()),
            ref_code: Some(code.clone()),
        };
        // The prospect opened the promoter's link first (its channel is the lead's).
        let click = NewClick {
            link_id: *link_id,
            channel: CHANNELS[i % CHANNELS.len()],
            visitor: device.clone(),
            ip_hash: keyed_hash(&secret, &device),
            ua_class: UaClass::Wechat,
            at_ms: now.timestamp_millis() - 60_000,
            own: false,
        };
        writer.record(click).await?;
        writer.flush().await;
        let origin = Origin { visitor: Some(device.clone()), channel: None, ip_hash: keyed_hash(&secret, &device) };
        let submitted = intake::submit(state, DEMO_CAMPAIGN_SLUG, &form, origin).await?;
        leads.push((submitted.lead_id, p.id));
    }
    // Marketing reviews: most valid (assigned to the rep at once), two invalid.
    let pending: Vec<i64> = sqlx::query_scalar("SELECT id FROM leads WHERE status = 'pending' ORDER BY id")
        .fetch_all(&state.db.pool)
        .await?;
    let (invalid, valid) = pending.split_at(2.min(pending.len()));
    let valid = &valid[..valid.len().saturating_sub(3)];
    leads::store::review::decide(state, &marketing, invalid, Decision::Invalid, "无装修需求").await?;
    leads::store::review::decide(state, &marketing, valid, Decision::Valid, "").await?;
    // The rep follows up: contacts most, books visits, wins four, loses one.
    let mut won = Vec::new();
    for (n, id) in valid.iter().enumerate() {
        let steps: &[Stage] = match n % 6 {
            0 | 3 if won.len() < 4 => &[Stage::Contacted, Stage::VisitBooked, Stage::Visited, Stage::Won],
            1 => &[Stage::Contacted, Stage::VisitBooked],
            2 => &[Stage::Contacted, Stage::Lost],
            4 => &[Stage::Contacted],
            _ => &[],
        };
        for stage in steps {
            leads::store::follow_up::progress(state, &sales, *id, *stage, "").await?;
        }
        if steps.last() == Some(&Stage::Won) {
            won.push(*id);
        }
    }
    // Deals: the won leads this month, and referral-code deals last month; paid, one refund.
    let month_start = today.with_day(1).unwrap_or(today);
    let last_month = (month_start - Duration::days(1)).with_day(1).unwrap_or(month_start);
    let seller = actor(&sales);
    let cashier = actor(&finance);
    let mut deal_ids = Vec::new();
    for (n, lead) in won.iter().enumerate() {
        let amount = [3_860_000i64, 5_200_000, 2_450_000, 6_880_000][n % 4];
        let signed = (today - Duration::days(1)).max(month_start);
        let input = DealInput {
            order_no: format!("DEMO-{}-{:02}", today.format("%Y%m"), n + 1),
            amount: format!("{}", amount / 100),
            cost: format!("{}", amount * 6 / 10 / 100),
            signed_on: signed.to_string(),
            lead_id: Some(*lead),
            ..DealInput::default()
        };
        let paid = if n < 3 { vec![(today, amount / 2)] } else { vec![] };
        deal_ids.push(record(state, (&seller, &cashier), input, &paid).await?);
    }
    let code = deals::store::codes::referral_code(state, employee.id).await?;
    let partner_code = deals::store::codes::referral_code(state, partner.id).await?;
    for n in 0..5i64 {
        let amount = [1_234_567i64, 4_800_000, 2_990_000, 1_580_000, 3_300_000][n as usize];
        let signed = last_month + Duration::days(2 + n * 5);
        let input = DealInput {
            order_no: format!("DEMO-{}-R{n}", last_month.format("%Y%m")),
            customer_phone: format!("1377788{n:04}"),
            customer_name: NAMES[(n as usize + 3) % NAMES.len()].to_string(),
            amount: format!("{}.{:02}", amount / 100, amount % 100),
            cost: format!("{}", amount * 55 / 100 / 100),
            signed_on: signed.to_string(),
            referral_code: if n == 4 { partner_code.clone() } else { code.clone() },
            ..DealInput::default()
        };
        let mut paid = vec![(signed + Duration::days(3), amount)];
        if n == 3 {
            // The customer returned part of the order.
            paid.push((signed + Duration::days(9), -amount / 4));
        }
        deal_ids.push(record(state, (&seller, &cashier), input, &paid).await?);
    }
    // Marketing calls back the sampled deals.
    let sampled: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM deals WHERE audit = 'pending'").fetch_all(&state.db.pool).await?;
    for id in sampled {
        deals::store::deals::decide_audit(state, &actor(&marketing), id, true).await?;
        deals::paid(state, id).await?;
    }
    // Leads arrived over the month so far, not all this minute.
    let span = (now.timestamp_millis() - start_of_local_day(month_start, tz).timestamp_millis()).max(1);
    let (_turn, mut tx) = state.db.begin_write().await?;
    for (i, (id, _)) in leads.iter().enumerate() {
        let at = now.timestamp_millis() - span * (leads.len() - i) as i64 / (leads.len() as i64 + 1);
        sqlx::query("UPDATE leads SET submitted_at = $1 WHERE id = $2").bind(at).bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    drop(_turn);
    // The leads moved back in time: their days of activity are filed anew.
    crate::features::dashboard::store::recount::recount(&state.db).await?;
    // Last month settled: finance drafts, an administrator approves, finance pays out. This
    // month's run is a draft.
    let last = Period::Month { year: last_month.year(), month: last_month.month() }.key();
    let run = settlement::store::draft::draft(state, &cashier, Scope::Employee, &last).await?;
    settlement::store::runs::approve(state, &actor(&admin), run).await?;
    settlement::store::runs::mark_paid(state, &cashier, run).await?;
    let this = Period::Month { year: today.year(), month: today.month() }.key();
    settlement::store::draft::draft(state, &Actor::system(), Scope::Employee, &this).await?;
    tracing::info!(deals = deal_ids.len(), leads = leads.len(), "seeded the demo organization's activity");
    Ok(())
}

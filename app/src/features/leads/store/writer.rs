//! The referral form's writer: the submissions that queued together are screened and stored in
//! one transaction with a few statements for all of them (the facts screening reads, the
//! leads, the phones they claim), not three for each. On PostgreSQL every statement is a round
//! trip. Screening stays the pure rule of `rules::screening`, given for each lead what it
//! would have read had the batch's earlier leads been stored one by one before it: their
//! submissions from the same device and address count toward today's cap, and a phone claimed
//! earlier in the batch protects itself from the rest.
use super::intake::{Stored, Submission, Submitted, ValidLead};
use crate::features::leads::model::{LeadStatus, ReviewFlag};
use crate::features::leads::rules::screening::{self, BlacklistHit, Facts, Outcome, ProtectingLead, Rules};
use crate::features::promotion::Channel;
use crate::plumbing::db::{self, Tx};
use crate::plumbing::errors::AppError;
use crate::plumbing::group_commit::{Job, JobFuture};
use crate::plumbing::rate_limit;
use crate::plumbing::state::AppState;
use crate::shared::period::Period;
use crate::shared::phone;
use sqlx::Row;
use std::collections::HashMap;

impl Job for Submission {
    type Output = Stored;

    fn run_batch<'a>(state: &'a AppState, tx: &'a mut Tx, jobs: &'a [&'a Self]) -> JobFuture<'a, Vec<Stored>> {
        Box::pin(store_batch(state, tx, jobs))
    }
}

/// Rows a multi-row statement takes at most (see `db::statement_chunks`).
const CHUNK: usize = 64;

async fn store_batch(state: &AppState, tx: &mut Tx, jobs: &[&Submission]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut burst = burst_counts(tx, jobs).await?;
    let mut outputs: Vec<Option<Stored>> = jobs.iter().map(|_| None).collect();
    let mut candidates: Vec<(usize, &ValidLead)> = Vec::new();
    for (i, s) in jobs.iter().enumerate() {
        // The one refusal that stores nothing but the count: a burst no person types.
        if let Some(counted) = burst.get_mut(&s.burst_key()) {
            let number = counted.first;
            counted.first += 1;
            if number > s.burst_limit {
                outputs[i] = Some(Stored::refused(AppError::TooFast { retry_after_s: counted.retry_after_s }));
                continue;
            }
        }
        match &s.fields {
            Ok(lead) => candidates.push((i, lead)),
            Err(errors) => outputs[i] = Some(Stored::refused(AppError::Invalid(errors.clone()))),
        }
    }
    if !candidates.is_empty() {
        if state.db.backend == db::Backend::Postgres {
            // The batch's plans are generic (made once for all values) and a day's counts per
            // address are estimated at a handful: PostgreSQL would read every entry of the day
            // through a bitmap and sort it, where walking the index in order stops at the cap
            // (one address's 12,000th submission of the day cost 0.2 ms against 0.01 ms). The
            // transaction only looks up keys, so neither is wanted. Nor is JIT compilation, which
            // a plan's cost with a path disabled would set off (0.24 s a statement). The
            // settings end with the transaction.
            sqlx::query(
                "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true), \
                 set_config('jit', 'off', true)",
            )
            .execute(&mut **tx)
            .await?;
        }
        let stored = store_leads(state, tx, jobs, &candidates).await?;
        for ((i, _), s) in candidates.into_iter().zip(stored) {
            outputs[i] = Some(s);
        }
    }
    let outputs: Vec<Stored> = outputs
        .into_iter()
        .map(|o| o.ok_or_else(|| sqlx::Error::Protocol("a submission of the batch was left unanswered".into())))
        .collect::<Result<_, _>>()?;
    let counted: Vec<&super::counted::NewLead> = outputs.iter().filter_map(|o| o.counted.as_ref()).collect();
    super::counted::count(tx, &counted).await?;
    let thanks: Vec<&super::thanks::Thanks> = outputs.iter().filter_map(|o| o.thanks.as_ref()).collect();
    if !thanks.is_empty() {
        let day = crate::shared::period::local_date(chrono::Utc::now(), state.org.tz).to_string();
        super::thanks::queue(tx, &day, &thanks).await?;
    }
    Ok(outputs)
}

/// The burst counter, one statement per address for the whole batch, in the addresses' order
/// (two instances' batches lock shared rows in the same order). Invalid submissions count too.
async fn burst_counts(tx: &mut Tx, jobs: &[&Submission]) -> Result<HashMap<String, rate_limit::Counted>, sqlx::Error> {
    let mut per_key: std::collections::BTreeMap<String, i64> = Default::default();
    for job in jobs {
        *per_key.entry(job.burst_key()).or_default() += 1;
    }
    let mut counts = HashMap::new();
    for (key, n) in per_key {
        let counted = rate_limit::hit_many(tx, &key, n).await?;
        counts.insert(key, counted);
    }
    Ok(counts)
}

/// What screening reads of the database for one lead, in one statement for the batch. An
/// existing customer is a phone with a won lead or a deal (recorded by sales or imported from
/// the order system, with or without a lead). Counts stop at the daily cap: screening only asks
/// whether it is reached, and an address with thousands of submissions today must not cost
/// thousands of index entries per check: the counts read the (address, time) index in order, so
/// that PostgreSQL's plan for a batch, made without the values, stops at the cap (a bitmap scan
/// read every entry of the day: 0.2 ms a lead at 12,000 from one address). The last three are
/// what the dashboard files the lead under (`counted`); the day, the same for the batch, is
/// read once (`{now}` is a parameter of the statement, not of a row).
const FACTS_SELECT: &str = "SELECT v.k, \
     (SELECT COUNT(*) FROM blacklist WHERE kind = 'phone' AND value = v.phone) AS bl_phone, \
     (SELECT COUNT(*) FROM blacklist WHERE kind = 'device' AND value = v.visitor) AS bl_device, \
     (SELECT COUNT(*) FROM blacklist WHERE kind = 'ip' AND value = v.ip_hash) AS bl_ip, \
     (SELECT p.lead_id FROM lead_protections p WHERE p.phone = v.phone) AS protecting_id, \
     (SELECT l.submitted_at FROM lead_protections p JOIN leads l ON l.id = p.lead_id WHERE p.phone = v.phone) AS protecting_at, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE l.visitor = v.visitor AND l.submitted_at >= v.day_start ORDER BY l.submitted_at LIMIT {cap}) d) AS device_today, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE l.ip_hash = v.ip_hash AND l.submitted_at >= v.day_start ORDER BY l.submitted_at LIMIT {cap}) i) AS ip_today, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE l.phone = v.phone AND l.stage = 'won' LIMIT 1) w) \
       + (SELECT COUNT(*) FROM (SELECT 1 FROM deals d WHERE d.customer_phone = v.phone LIMIT 1) d) AS won, \
     (SELECT c.channel FROM clicks c WHERE c.link_id = v.link_id AND c.visitor = v.visitor AND c.at <= v.now_ms ORDER BY c.at DESC LIMIT 1) AS last_channel, \
     (SELECT d.day FROM org_days d WHERE d.start_ms <= {now} ORDER BY d.start_ms DESC LIMIT 1) AS day, \
     f.department_id AS promoter_department_id, f.promoter_kind \
     FROM v LEFT JOIN promoter_facets f ON f.id = v.promoter_id";

/// One lead's facts as read, before the batch's earlier leads are added.
struct Read {
    blacklisted: Option<BlacklistHit>,
    protecting: Option<ProtectingLead>,
    device_today: i64,
    ip_today: i64,
    existing_customer: bool,
    last_channel: Option<Channel>,
    day: Option<String>,
    promoter_facet: Option<(i64, String)>,
}

async fn read_facts(
    tx: &mut Tx,
    jobs: &[&Submission],
    candidates: &[(usize, &ValidLead)],
    day_start_ms: i64,
    now_ms: i64,
    cap: i64,
) -> Result<Vec<Read>, sqlx::Error> {
    let backend = db::backend_of(tx);
    let mut out: Vec<Option<Read>> = candidates.iter().map(|_| None).collect();
    for (start, len) in db::statement_chunks(candidates.len(), CHUNK) {
        let now_param = match backend {
            db::Backend::Sqlite => "?".to_string(),
            db::Backend::Postgres => format!("${}", len * 8 + 1),
        };
        let sql = format!(
            "WITH v (k, phone, visitor, ip_hash, day_start, link_id, now_ms, promoter_id) AS (VALUES {}) {}",
            db::placeholders(backend, len, 8),
            FACTS_SELECT.replace("{cap}", &cap.to_string()).replace("{now}", &now_param)
        );
        let mut query = sqlx::query(&sql);
        for (k, &(i, lead)) in candidates[start..start + len].iter().enumerate() {
            let s = jobs[i];
            query = query
                .bind(k as i64)
                .bind(lead.phone.as_str())
                .bind(s.origin.visitor.as_deref())
                .bind(s.origin.ip_hash.as_str())
                .bind(day_start_ms)
                // Searched only when the cookie does not say (a link's clicks can be many).
                .bind(s.credit.link_id.filter(|_| s.origin.channel.is_none()))
                .bind(now_ms)
                .bind(s.credit.promoter_id);
        }
        for f in query.bind(now_ms).fetch_all(&mut **tx).await? {
            let blacklisted =
                [("bl_phone", BlacklistHit::Phone), ("bl_device", BlacklistHit::Device), ("bl_ip", BlacklistHit::Ip)]
                    .into_iter()
                    .map(|(column, hit)| Ok((f.try_get::<i64, _>(column)? > 0).then_some(hit)))
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
                    .into_iter()
                    .flatten()
                    .next();
            let protecting =
                match (f.try_get::<Option<i64>, _>("protecting_id")?, f.try_get::<Option<i64>, _>("protecting_at")?) {
                    (Some(id), Some(at)) => Some(ProtectingLead {
                        id,
                        submitted_at: chrono::DateTime::from_timestamp_millis(at).unwrap_or_default(),
                    }),
                    _ => None,
                };
            let k: i64 = f.try_get("k")?;
            let place = usize::try_from(k).ok().map(|k| start + k).filter(|&p| p < out.len());
            let place = place.ok_or_else(|| sqlx::Error::Protocol(format!("screening read row {k} of {len}")))?;
            out[place] = Some(Read {
                blacklisted,
                protecting,
                device_today: f.try_get("device_today")?,
                ip_today: f.try_get("ip_today")?,
                existing_customer: f.try_get::<i64, _>("won")? > 0,
                last_channel: f
                    .try_get::<Option<String>, _>("last_channel")?
                    .map(|c| db::stored("clicks", &c))
                    .transpose()?,
                day: f.try_get("day")?,
                promoter_facet: match f.try_get::<Option<i64>, _>("promoter_department_id")? {
                    Some(department) => Some((department, f.try_get("promoter_kind")?)),
                    None => None,
                },
            });
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(p, read)| read.ok_or_else(|| sqlx::Error::Protocol(format!("screening read nothing for lead {p}"))))
        .collect()
}

/// Status, reason, flag and the lead it duplicates, as stored.
fn stored_as(outcome: Outcome) -> (LeadStatus, Option<&'static str>, Option<ReviewFlag>, Option<i64>) {
    match outcome {
        Outcome::Rejected(BlacklistHit::Phone) => (LeadStatus::Rejected, Some("blacklist_phone"), None, None),
        Outcome::Rejected(BlacklistHit::Device) => (LeadStatus::Rejected, Some("blacklist_device"), None, None),
        Outcome::Rejected(BlacklistHit::Ip) => (LeadStatus::Rejected, Some("blacklist_ip"), None, None),
        Outcome::InvalidSelfReferral => (LeadStatus::Invalid, Some("self_referral"), None, None),
        Outcome::InvalidExistingCustomer => (LeadStatus::Invalid, Some("existing_customer"), None, None),
        Outcome::Duplicate { of } => (LeadStatus::Duplicate, Some("duplicate"), None, Some(of)),
        Outcome::HeldDeviceCap => (LeadStatus::Held, None, Some(ReviewFlag::DeviceCap), None),
        Outcome::Pending => (LeadStatus::Pending, None, None, None),
    }
}

/// Where a duplicate points: a stored lead, or one earlier in this batch (by its place among
/// the batch's leads), whose id is known once it is inserted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Of {
    Stored(i64),
    InBatch(usize),
}

/// A lead as screened, before it is stored.
struct Screening {
    status: LeadStatus,
    reason: Option<&'static str>,
    flag: Option<ReviewFlag>,
    duplicate_of: Option<Of>,
    channel: Channel,
}

/// Screens the batch's leads in order, each given what the earlier ones would have added to
/// its facts (see the module's comment). A duplicate of a lead earlier in the batch is told
/// by a negative id that `screen` never sees stored: `-(place + 1)`.
fn screen_in_order(
    jobs: &[&Submission],
    candidates: &[(usize, &ValidLead)],
    reads: &[Read],
    now: chrono::DateTime<chrono::Utc>,
    rules: Rules,
) -> Vec<Screening> {
    let mut from_device: HashMap<&str, i64> = HashMap::new();
    let mut from_ip: HashMap<&str, i64> = HashMap::new();
    let mut claimed: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(candidates.len());
    for (place, (&(i, lead), read)) in candidates.iter().zip(reads).enumerate() {
        let s = jobs[i];
        let visitor = s.origin.visitor.as_deref();
        let earlier_device = visitor.and_then(|v| from_device.get(v)).copied().unwrap_or(0);
        let earlier_ip = from_ip.get(s.origin.ip_hash.as_str()).copied().unwrap_or(0);
        let protecting_lead = match claimed.get(lead.phone.as_str()) {
            Some(&earlier) => Some(ProtectingLead { id: -(earlier as i64) - 1, submitted_at: now }),
            None => read.protecting,
        };
        let facts = Facts {
            phone: phone::Phone::from_e164(lead.phone.clone()),
            submitted_at: now,
            blacklisted: read.blacklisted,
            promoter_phone: s.credit.promoter_phone.clone().map(phone::Phone::from_e164),
            existing_customer: read.existing_customer,
            campaign_accepts_repurchase: s.accepts_repurchase,
            protecting_lead,
            earlier_today_from_device: (read.device_today + earlier_device).min(rules.daily_cap),
            earlier_today_from_ip: (read.ip_today + earlier_ip).min(rules.daily_cap),
        };
        let (status, reason, flag, duplicate_of) = stored_as(screening::screen(&facts, rules));
        let duplicate_of = duplicate_of.map(|id| if id < 0 { Of::InBatch((-id - 1) as usize) } else { Of::Stored(id) });
        if matches!(status, LeadStatus::Pending | LeadStatus::Held) {
            claimed.insert(&lead.phone, place);
        }
        if let Some(v) = visitor {
            *from_device.entry(v).or_default() += 1;
        }
        *from_ip.entry(s.origin.ip_hash.as_str()).or_default() += 1;
        // The channel the lead came through: the visitor's click cookie, else their last click
        // on the link, else direct. Stored with the lead, so that nothing on a read searches
        // clicks for it.
        let channel =
            s.origin.channel.filter(|_| s.credit.link_id.is_some()).or(read.last_channel).unwrap_or(Channel::Direct);
        out.push(Screening { status, reason, flag, duplicate_of, channel });
    }
    out
}

/// Screens and stores the batch's valid submissions; one output for each, in order.
async fn store_leads(
    state: &AppState,
    tx: &mut Tx,
    jobs: &[&Submission],
    candidates: &[(usize, &ValidLead)],
) -> Result<Vec<Stored>, sqlx::Error> {
    let org = &*state.org;
    let policy = crate::features::leads::policy(state).await;
    let rules = policy.rules;
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    let (day_start, _) = Period::day_of(now, org.tz).bounds(org.tz);
    let reads = read_facts(tx, jobs, candidates, day_start.timestamp_millis(), now_ms, rules.daily_cap).await?;
    let screened = screen_in_order(jobs, candidates, &reads, now, rules);
    let rows = Rows {
        jobs,
        candidates,
        screened: &screened,
        now_ms,
        review_due_ms: policy.calendar.deadline(now, 1, org.tz).timestamp_millis(),
    };
    // A duplicate of a lead earlier in the batch is inserted after it, when its id is known.
    let (later, first): (Vec<usize>, Vec<usize>) =
        (0..candidates.len()).partition(|&p| matches!(screened[p].duplicate_of, Some(Of::InBatch(_))));
    let mut ids = vec![0; candidates.len()];
    rows.insert(tx, &first, &mut ids).await?;
    rows.insert(tx, &later, &mut ids).await?;
    let mut status: Vec<LeadStatus> = screened.iter().map(|s| s.status).collect();
    let claimers: Vec<usize> = (0..candidates.len())
        .filter(|&p| matches!(screened[p].status, LeadStatus::Pending | LeadStatus::Held))
        .collect();
    let claimed = claim(tx, candidates, &claimers, &ids, now_ms, rules.protection_days).await?;
    for p in claimers {
        let phone = candidates[p].1.phone.as_str();
        if claimed.contains(phone) {
            continue;
        }
        // Another instance's lead took the phone since screening read it: this lead, and any
        // of the batch that duplicate it, duplicate that one.
        let first: i64 = sqlx::query_scalar("SELECT lead_id FROM lead_protections WHERE phone = $1")
            .bind(phone)
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query("UPDATE leads SET status = $1, reason = 'duplicate', flag = NULL, duplicate_of = $2 WHERE id = $3")
            .bind(LeadStatus::Duplicate.as_str())
            .bind(first)
            .bind(ids[p])
            .execute(&mut **tx)
            .await?;
        for q in (0..candidates.len()).filter(|&q| screened[q].duplicate_of == Some(Of::InBatch(p))) {
            sqlx::query("UPDATE leads SET duplicate_of = $1 WHERE id = $2")
                .bind(first)
                .bind(ids[q])
                .execute(&mut **tx)
                .await?;
        }
        status[p] = LeadStatus::Duplicate;
    }
    Ok(candidates
        .iter()
        .enumerate()
        .map(|(p, &(i, lead))| {
            let s = jobs[i];
            // 感谢参与短信, owed only to a lead that awaits review (not refused, duplicate or
            // held): queued in the batch's transaction, sent by the dispatcher.
            let thanks = (status[p] == LeadStatus::Pending).then(|| super::thanks::Thanks {
                phone: lead.phone.clone(),
                body: crate::plumbing::i18n::fill(
                    crate::features::leads::i18n::K::SmsThanks.text(crate::plumbing::i18n::MESSAGE_LOCALE),
                    &[("org", &org.name), ("name", &lead.name), ("campaign", &s.campaign_name)],
                ),
                campaign_id: s.campaign_id,
                campaign_name: s.campaign_name.clone(),
                budget: s.sms_budget,
            });
            Stored {
                screened: Ok(Submitted { lead_id: ids[p], status: status[p] }),
                counted: Some(super::counted::NewLead {
                    day: reads[p].day.clone(),
                    campaign_id: s.campaign_id,
                    channel: screened[p].channel,
                    promoter: match (s.credit.promoter_id, &reads[p].promoter_facet) {
                        (Some(id), Some((department, kind))) => Some((id, *department, kind.clone())),
                        _ => None,
                    },
                    department_id: s.credit.department_id,
                    // As inserted: a lost claim's change is counted by the update trigger.
                    status: screened[p].status,
                }),
                thanks,
            }
        })
        .collect())
}

/// The batch's screened leads, as inserted.
struct Rows<'a> {
    jobs: &'a [&'a Submission],
    candidates: &'a [(usize, &'a ValidLead)],
    screened: &'a [Screening],
    now_ms: i64,
    review_due_ms: i64,
}

const LEAD_COLUMNS: &str = "campaign_id, link_id, promoter_id, department_id, name, phone, demand_tags, note, status, reason, flag, duplicate_of, visitor, ip_hash, submitted_at, review_due_at, channel, counted_by_writer";

impl Rows<'_> {
    /// Inserts the leads at `places` (among the batch's), setting their ids. Ids ascend in
    /// the order of a statement's rows on both engines (a sequence or the rowid, taken row by
    /// row), whatever order RETURNING gives them in.
    async fn insert(&self, tx: &mut Tx, places: &[usize], ids: &mut [i64]) -> Result<(), sqlx::Error> {
        let backend = db::backend_of(tx);
        for (start, len) in db::statement_chunks(places.len(), CHUNK) {
            let sql = format!(
                "INSERT INTO leads ({LEAD_COLUMNS}) VALUES {} RETURNING id",
                db::placeholders(backend, len, 18)
            );
            let mut query = sqlx::query(&sql);
            for &p in &places[start..start + len] {
                let (i, lead) = self.candidates[p];
                let (s, screened) = (self.jobs[i], &self.screened[p]);
                let duplicate_of = screened.duplicate_of.map(|of| match of {
                    Of::Stored(id) => id,
                    Of::InBatch(q) => ids[q],
                });
                query = query
                    .bind(s.campaign_id)
                    .bind(s.credit.link_id)
                    .bind(s.credit.promoter_id)
                    .bind(s.credit.department_id)
                    .bind(lead.name.as_str())
                    .bind(lead.phone.as_str())
                    .bind(serde_json::to_string(&lead.tags).unwrap_or_else(|_| "[]".into()))
                    .bind(lead.note.as_str())
                    .bind(screened.status.as_str())
                    .bind(screened.reason)
                    .bind(screened.flag.map(ReviewFlag::as_str))
                    .bind(duplicate_of)
                    .bind(s.origin.visitor.as_deref())
                    .bind(s.origin.ip_hash.as_str())
                    .bind(self.now_ms)
                    // Marketing reviews pending and held leads within one business day.
                    .bind(
                        matches!(screened.status, LeadStatus::Pending | LeadStatus::Held).then_some(self.review_due_ms),
                    )
                    .bind(screened.channel.as_str())
                    .bind(1_i64);
            }
            let mut got: Vec<i64> =
                query.fetch_all(&mut **tx).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
            if got.len() != len {
                return Err(sqlx::Error::Protocol(format!("{len} leads inserted, {} ids returned", got.len())));
            }
            got.sort_unstable();
            for (&p, id) in places[start..start + len].iter().zip(got) {
                ids[p] = id;
            }
        }
        Ok(())
    }
}

/// Claims the phones of the leads at `claimers` (pending or held; one each: a phone's second
/// lead in a batch duplicates its first). The database decides between concurrent first
/// submissions (other app instances): a live claim cannot be taken over, an expired one can.
/// Whether a claim is live is decided by the window in force now, from the protecting lead's
/// submission (as screening decided it), not by the window stored with the claim: one source
/// of truth when marketing shortens or lengthens the window. Returns the phones claimed.
async fn claim(
    tx: &mut Tx,
    candidates: &[(usize, &ValidLead)],
    claimers: &[usize],
    ids: &[i64],
    now_ms: i64,
    protection_days: i64,
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let backend = db::backend_of(tx);
    let window_ms = protection_days * 86_400_000;
    let mut claimed = std::collections::HashSet::new();
    for (start, len) in db::statement_chunks(claimers.len(), CHUNK) {
        // The claim's end is now + window, so "submitted at or before now - window" reads
        // from it: the statement's text changes only with the window.
        let sql = format!(
            "INSERT INTO lead_protections (phone, lead_id, protected_until) VALUES {} \
             ON CONFLICT (phone) DO UPDATE SET lead_id = excluded.lead_id, protected_until = excluded.protected_until \
             WHERE (SELECT l.submitted_at FROM leads l WHERE l.id = lead_protections.lead_id) <= excluded.protected_until - {} \
             RETURNING phone",
            db::placeholders(backend, len, 3),
            2 * window_ms
        );
        let mut query = sqlx::query(&sql);
        for &p in &claimers[start..start + len] {
            query = query.bind(candidates[p].1.phone.as_str()).bind(ids[p]).bind(now_ms + window_ms);
        }
        for row in query.fetch_all(&mut **tx).await? {
            claimed.insert(row.try_get::<String, _>("phone")?);
        }
    }
    Ok(claimed)
}

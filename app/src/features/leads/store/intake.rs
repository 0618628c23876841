//! The referral form's intake: validation, then screening and storage in group commits, with
//! the thank-you message queued in the same transaction.
use crate::features::campaigns::Phase;
use crate::features::leads::i18n::K;
use crate::features::leads::model::{Field, InactiveCredit, LeadDraft, LeadStatus, ReviewFlag};
use crate::features::leads::rules::screening::{self, BlacklistHit, Facts, Outcome, ProtectingLead};
use crate::features::promotion::store::links::LinkTarget;
use crate::plumbing::db::Tx;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::events;
use crate::plumbing::group_commit::{Job, JobFuture};
use crate::plumbing::http::set_cookie;
use crate::plumbing::live::LiveKind;
use crate::plumbing::rate_limit;
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::AppState;
use crate::shared::period::Period;
use crate::shared::{phone, text};
use sqlx::Row;

pub const NOTE_MAX: usize = 500;

/// Carries a refused submission back to the form (post/redirect/get without JavaScript).
pub const DRAFT_COOKIE: &str = "ah_draft";

/// Cookie value for a draft; fields are cut to twice their limits so the cookie stays small.
pub fn draft_cookie(slug: &str, mut draft: LeadDraft) -> String {
    use base64::Engine;
    let cut = |s: &mut String, n: usize| *s = s.chars().take(n).collect();
    cut(&mut draft.name, 100);
    cut(&mut draft.phone, 64);
    cut(&mut draft.note, NOTE_MAX * 2);
    draft.demand_tags.truncate(20);
    draft.demand_tags.iter_mut().for_each(|t| cut(t, 20));
    // A browser drops a cookie over 4 KB: the note gives way first.
    let value = loop {
        let json = serde_json::to_vec(&draft).unwrap_or_default();
        let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        if value.len() <= 3_800 || draft.note.is_empty() {
            break value;
        }
        let keep = draft.note.chars().count() / 2;
        cut(&mut draft.note, keep);
    };
    set_cookie(DRAFT_COOKIE, &value, &format!("/c/{slug}"), 600, true, false)
}

pub fn clear_draft_cookie(slug: &str) -> String {
    set_cookie(DRAFT_COOKIE, "", &format!("/c/{slug}"), 0, true, false)
}

pub fn decode_draft(value: &str) -> Option<LeadDraft> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The referral form as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LeadForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub demand_tags: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub consent: Option<String>,
    /// The personal-link code the prospect arrived through, if any.
    #[serde(default, rename = "ref")]
    pub ref_code: Option<String>,
}

impl LeadForm {
    /// Keeps what was typed, with the errors, for the form to show again.
    pub fn into_draft(self, errors: Vec<FieldError>) -> LeadDraft {
        LeadDraft {
            consent: self.consent.is_some(),
            name: self.name,
            phone: self.phone,
            demand_tags: self.demand_tags,
            note: self.note,
            errors,
        }
    }
}

/// Who and where the submission came from.
pub struct Origin {
    pub visitor: Option<String>,
    /// The channel of the visitor's last click on the link the lead names, when known.
    pub channel: Option<crate::features::promotion::Channel>,
    pub ip_hash: String,
}

#[derive(Debug)]
pub struct Submitted {
    pub lead_id: i64,
    pub status: LeadStatus,
}

/// Validates every field, reporting all problems at once.
fn validate(
    form: &LeadForm,
    tags: &[String],
    org: &OrgSettings,
) -> Result<(String, String, Vec<String>, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text::person_name(&form.name).map_err(|e| errors.push(FieldError::new(Field::Name, e))).ok();
    let phone = phone::normalize(&form.phone, org.allow_foreign_phones)
        .map_err(|e| errors.push(FieldError::new(Field::Phone, e)))
        .ok();
    let note = text::clean(&form.note, 0, NOTE_MAX).map_err(|e| errors.push(FieldError::new(Field::Note, e))).ok();
    let mut chosen: Vec<String> = Vec::new();
    for t in &form.demand_tags {
        if !tags.contains(t) {
            errors.push(FieldError::new(Field::DemandTags, Problem::UnknownChoice));
            break;
        }
        if !chosen.contains(t) {
            chosen.push(t.clone());
        }
    }
    if form.consent.is_none() {
        errors.push(FieldError::new(Field::Consent, Problem::said(K::ProblemConsent)));
    }
    match (name, phone, note) {
        (Some(n), Some(p), Some(note)) if errors.is_empty() => Ok((n, p.as_e164().to_string(), chosen, note)),
        _ => Err(errors),
    }
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

/// A submission checked outside the writer (fields, campaign, link), to be screened and
/// stored by it.
pub struct Submission {
    campaign_id: i64,
    campaign_name: String,
    accepts_repurchase: bool,
    sms_budget: i64,
    credit: Credit,
    fields: Result<ValidLead, Vec<FieldError>>,
    origin: Origin,
    burst_limit: i64,
}

struct ValidLead {
    name: String,
    phone: String,
    tags: Vec<String>,
    note: String,
}

/// Who a submission is credited to: the link's promoter while active; for a deactivated
/// person's link, their department or no one (the lead policy decides).
#[derive(Debug, Default)]
struct Credit {
    link_id: Option<i64>,
    promoter_id: Option<i64>,
    /// For the self-referral check.
    promoter_phone: Option<String>,
    department_id: Option<i64>,
}

impl Credit {
    async fn of(state: &AppState, link: Option<&LinkTarget>) -> Result<Credit, AppError> {
        let Some(link) = link else { return Ok(Credit::default()) };
        let row = sqlx::query("SELECT phone, active, department_id FROM users WHERE id = $1")
            .bind(link.promoter_id)
            .fetch_one(&state.db.pool)
            .await?;
        if row.try_get::<i64, _>("active")? == 1 {
            return Ok(Credit {
                link_id: Some(link.link_id),
                promoter_id: Some(link.promoter_id),
                promoter_phone: row.try_get("phone")?,
                department_id: None,
            });
        }
        Ok(match crate::features::leads::policy(state).await.inactive_credit {
            InactiveCredit::Department => Credit {
                link_id: Some(link.link_id),
                department_id: row.try_get("department_id")?,
                ..Credit::default()
            },
            InactiveCredit::Nobody => Credit::default(),
        })
    }
}

/// Screened and stored, or refused (too fast, invalid fields).
pub type Screened = Result<Submitted, AppError>;

/// Screening's facts from the database, in one statement. An existing customer is a phone
/// with a won lead or a deal (recorded by sales or imported from the order system, with or
/// without a lead). Counts stop at the daily cap: screening only asks whether it is reached,
/// and an address with thousands of submissions today must not cost thousands of index entries
/// per check. The last three are what the dashboard files the lead under (`counted`).
const FACTS_SQL: &str = "SELECT \
     (SELECT COUNT(*) FROM blacklist WHERE kind = 'phone' AND value = $1) AS bl_phone, \
     (SELECT COUNT(*) FROM blacklist WHERE kind = 'device' AND value = $2) AS bl_device, \
     (SELECT COUNT(*) FROM blacklist WHERE kind = 'ip' AND value = $3) AS bl_ip, \
     (SELECT p.lead_id FROM lead_protections p WHERE p.phone = $1) AS protecting_id, \
     (SELECT l.submitted_at FROM lead_protections p JOIN leads l ON l.id = p.lead_id WHERE p.phone = $1) AS protecting_at, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM leads WHERE visitor = $2 AND submitted_at >= $4 LIMIT $5) d) AS device_today, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM leads WHERE ip_hash = $3 AND submitted_at >= $4 LIMIT $5) i) AS ip_today, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM leads WHERE phone = $1 AND stage = 'won' LIMIT 1) w) \
       + (SELECT COUNT(*) FROM (SELECT 1 FROM deals WHERE customer_phone = $1 LIMIT 1) d) AS won, \
     (SELECT c.channel FROM clicks c WHERE c.link_id = $6 AND c.visitor = $2 AND c.at <= $7 ORDER BY c.at DESC LIMIT 1) AS last_channel, \
     (SELECT d.day FROM org_days d WHERE d.start_ms <= $7 ORDER BY d.start_ms DESC LIMIT 1) AS day, \
     f.department_id AS promoter_department_id, f.promoter_kind \
     FROM (SELECT 1 AS one) one LEFT JOIN promoter_facets f ON f.id = $8";

/// What the writer did with a submission, and the thank-you message it owes.
pub struct Stored {
    screened: Screened,
    /// The lead as its insert counts it on the dashboard (see `finish_batch`).
    counted: Option<super::counted::NewLead>,
    /// The 感谢参与短信, queued with the batch (`thanks::queue` decides what is sent).
    thanks: Option<super::thanks::Thanks>,
}

impl Submission {
    fn burst_key(&self) -> String {
        format!("lead:{}", self.origin.ip_hash)
    }
}

/// The burst counter of each address in a batch: the number the next submission gets, and
/// when the window ends.
pub type BurstCounts = std::collections::HashMap<String, rate_limit::Counted>;

impl Job for Submission {
    type Output = Stored;
    type Batch = BurstCounts;

    /// The burst counter, one statement per address for the whole batch. Invalid submissions
    /// count too.
    fn start_batch<'a>(_state: &'a AppState, tx: &'a mut Tx, jobs: &'a [&'a Self]) -> JobFuture<'a, BurstCounts> {
        Box::pin(async move {
            let mut per_key: Vec<(String, i64)> = Vec::new();
            for job in jobs {
                let key = job.burst_key();
                match per_key.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => per_key.push((key, 1)),
                }
            }
            let mut counts = BurstCounts::new();
            for (key, n) in per_key {
                let counted = rate_limit::hit_many(tx, &key, n).await?;
                counts.insert(key, counted);
            }
            Ok(counts)
        })
    }

    fn run<'a>(&'a self, state: &'a AppState, tx: &'a mut Tx, burst: &'a mut BurstCounts) -> JobFuture<'a, Stored> {
        Box::pin(screen_and_store(state, self, tx, burst))
    }

    /// The batch's dashboard counters and thank-you messages.
    fn finish_batch<'a>(state: &'a AppState, tx: &'a mut Tx, outputs: &'a [Stored]) -> JobFuture<'a, ()> {
        Box::pin(async move {
            let counted: Vec<&super::counted::NewLead> = outputs.iter().filter_map(|o| o.counted.as_ref()).collect();
            super::counted::count(tx, &counted).await?;
            let thanks: Vec<&super::thanks::Thanks> = outputs.iter().filter_map(|o| o.thanks.as_ref()).collect();
            if thanks.is_empty() {
                return Ok(());
            }
            let day = crate::shared::period::local_date(chrono::Utc::now(), state.org.tz).to_string();
            super::thanks::queue(tx, &day, &thanks).await
        })
    }
}

/// Stores a lead from the referral form, screened in the same transaction (PRODUCT.md §2.5),
/// attributed to the link's promoter when the code belongs to this campaign. Nothing is
/// stored when a field is invalid; every valid submission is stored, whatever its status.
/// Answers after the lead is committed.
pub async fn submit(
    state: &AppState,
    campaign_slug: &str,
    form: &LeadForm,
    origin: Origin,
) -> Result<Submitted, AppError> {
    let part = crate::features::leads::part(state)?;
    let campaign = crate::features::campaigns::by_slug(state, campaign_slug)
        .await?
        .filter(|c| c.phase(&state.org) == Phase::Running)
        .ok_or(AppError::NotFound)?;
    let link = match form.ref_code.as_deref() {
        Some(code) => crate::features::promotion::link(state, code).await?.filter(|l| l.campaign_id == campaign.id),
        None => None,
    };
    let credit = Credit::of(state, link.as_deref()).await?;
    let fields = validate(form, &campaign.public.demand_tags, &state.org).map(|(name, phone, tags, note)| ValidLead {
        name,
        phone,
        tags,
        note,
    });
    let submission = Submission {
        campaign_id: campaign.id,
        campaign_name: campaign.public.name.clone(),
        accepts_repurchase: campaign.accepts_repurchase,
        sms_budget: campaign.sms_budget,
        credit,
        fields,
        origin: Origin { visitor: origin.visitor.filter(|v| !v.is_empty()), ..origin },
        burst_limit: part.burst_per_minute,
    };
    let (campaign_id, promoter_id) = (submission.campaign_id, submission.credit.promoter_id);
    let screened = part.writer.submit(submission).await?.screened;
    if screened.is_ok() {
        events::publish(state, LiveKind::Lead, Some(campaign_id), promoter_id, 1).await;
    }
    screened
}

async fn screen_and_store(
    state: &AppState,
    s: &Submission,
    tx: &mut Tx,
    burst: &mut BurstCounts,
) -> Result<Stored, sqlx::Error> {
    let refused = |e: AppError| Ok(Stored { screened: Err(e), counted: None, thanks: None });
    let org = &*state.org;
    // The one refusal that stores nothing but the count: a burst no person types.
    if let Some(counted) = burst.get_mut(&s.burst_key()) {
        let number = counted.first;
        counted.first += 1;
        if number > s.burst_limit {
            return refused(AppError::TooFast { retry_after_s: counted.retry_after_s });
        }
    }
    let lead = match &s.fields {
        Ok(lead) => lead,
        Err(errors) => return refused(AppError::Invalid(errors.clone())),
    };
    let policy = crate::features::leads::policy(state).await;
    let rules = policy.rules;
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    let (day_start, _) = Period::day_of(now, org.tz).bounds(org.tz);
    let f = sqlx::query(FACTS_SQL)
        .bind(&lead.phone)
        .bind(s.origin.visitor.as_deref())
        .bind(&s.origin.ip_hash)
        .bind(day_start.timestamp_millis())
        .bind(rules.daily_cap)
        // Searched only when the cookie does not say (a link's clicks can be many).
        .bind(s.credit.link_id.filter(|_| s.origin.channel.is_none()))
        .bind(now_ms)
        .bind(s.credit.promoter_id)
        .fetch_one(&mut **tx)
        .await?;
    // The channel the lead came through: the visitor's click cookie, else their last click on
    // the link, else direct. Stored with the lead, so that the database never re-writes it to
    // find one (that cost every submission a second write and its triggers).
    use crate::features::promotion::Channel;
    let last_click: Option<Channel> = f
        .try_get::<Option<String>, _>("last_channel")?
        .map(|c| crate::plumbing::db::stored("clicks", &c))
        .transpose()?;
    let channel = s.origin.channel.filter(|_| s.credit.link_id.is_some()).or(last_click).unwrap_or(Channel::Direct);
    let blacklisted =
        [("bl_phone", BlacklistHit::Phone), ("bl_device", BlacklistHit::Device), ("bl_ip", BlacklistHit::Ip)]
            .into_iter()
            .map(|(column, hit)| Ok((f.try_get::<i64, _>(column)? > 0).then_some(hit)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
            .into_iter()
            .flatten()
            .next();
    let protecting_lead =
        match (f.try_get::<Option<i64>, _>("protecting_id")?, f.try_get::<Option<i64>, _>("protecting_at")?) {
            (Some(id), Some(at)) => Some(ProtectingLead {
                id,
                submitted_at: chrono::DateTime::from_timestamp_millis(at).unwrap_or_default(),
            }),
            _ => None,
        };
    let facts = Facts {
        phone: phone::Phone::from_e164(lead.phone.clone()),
        submitted_at: now,
        blacklisted,
        promoter_phone: s.credit.promoter_phone.clone().map(phone::Phone::from_e164),
        existing_customer: f.try_get::<i64, _>("won")? > 0,
        campaign_accepts_repurchase: s.accepts_repurchase,
        protecting_lead,
        earlier_today_from_device: f.try_get("device_today")?,
        earlier_today_from_ip: f.try_get("ip_today")?,
    };
    let outcome = screening::screen(&facts, rules);
    let (status, reason, flag, duplicate_of) = stored_as(outcome);
    let row = sqlx::query(
        "INSERT INTO leads (campaign_id, link_id, promoter_id, department_id, name, phone, demand_tags, note, status, reason, flag, duplicate_of, visitor, ip_hash, submitted_at, review_due_at, channel, counted_by_writer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1) RETURNING id",
    )
    .bind(s.campaign_id)
    .bind(s.credit.link_id)
    .bind(s.credit.promoter_id)
    .bind(s.credit.department_id)
    .bind(&lead.name)
    .bind(&lead.phone)
    .bind(serde_json::to_string(&lead.tags).unwrap_or_else(|_| "[]".into()))
    .bind(&lead.note)
    .bind(status.as_str())
    .bind(reason)
    .bind(flag.map(ReviewFlag::as_str))
    .bind(duplicate_of)
    .bind(s.origin.visitor.as_deref())
    .bind(&s.origin.ip_hash)
    .bind(now_ms)
    // Marketing reviews pending and held leads within one business day.
    .bind(matches!(status, LeadStatus::Pending | LeadStatus::Held).then(|| policy.calendar.deadline(now, 1, org.tz).timestamp_millis()))
    .bind(channel.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let lead_id: i64 = row.try_get("id")?;
    let mut final_status = status;
    if matches!(status, LeadStatus::Pending | LeadStatus::Held) {
        // Claim the phone. The database decides between concurrent first submissions (other
        // app instances): a live claim cannot be taken over, an expired one can. Whether a
        // claim is live is decided by the window in force now, from the protecting lead's
        // submission (as screening decided it), not by the window stored with the claim: one
        // source of truth when marketing shortens or lengthens the window.
        let claimed = sqlx::query(
            "INSERT INTO lead_protections (phone, lead_id, protected_until) VALUES ($1, $2, $3) \
             ON CONFLICT (phone) DO UPDATE SET lead_id = excluded.lead_id, protected_until = excluded.protected_until \
             WHERE (SELECT l.submitted_at FROM leads l WHERE l.id = lead_protections.lead_id) <= $4",
        )
        .bind(&lead.phone)
        .bind(lead_id)
        .bind(now_ms + rules.protection_days * 86_400_000)
        .bind(now_ms - rules.protection_days * 86_400_000)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            let first: i64 = sqlx::query_scalar("SELECT lead_id FROM lead_protections WHERE phone = $1")
                .bind(&lead.phone)
                .fetch_one(&mut **tx)
                .await?;
            sqlx::query(
                "UPDATE leads SET status = $1, reason = 'duplicate', flag = NULL, duplicate_of = $2 WHERE id = $3",
            )
            .bind(LeadStatus::Duplicate.as_str())
            .bind(first)
            .bind(lead_id)
            .execute(&mut **tx)
            .await?;
            final_status = LeadStatus::Duplicate;
        }
    }
    // 感谢参与短信, owed only to a lead that awaits review (not refused, duplicate or held):
    // queued in the lead's transaction (see `finish_batch`), sent by the dispatcher.
    let thanks = (final_status == LeadStatus::Pending).then(|| super::thanks::Thanks {
        phone: lead.phone.clone(),
        body: crate::plumbing::i18n::fill(
            crate::features::leads::i18n::K::SmsThanks.text(crate::plumbing::i18n::MESSAGE_LOCALE),
            &[("org", &org.name), ("name", &lead.name), ("campaign", &s.campaign_name)],
        ),
        campaign_id: s.campaign_id,
        campaign_name: s.campaign_name.clone(),
        budget: s.sms_budget,
    });
    Ok(Stored {
        screened: Ok(Submitted { lead_id, status: final_status }),
        counted: Some(super::counted::NewLead {
            day: f.try_get("day")?,
            campaign_id: s.campaign_id,
            channel,
            promoter: match (s.credit.promoter_id, f.try_get("promoter_department_id")?) {
                (Some(id), Some(department)) => Some((id, department, f.try_get("promoter_kind")?)),
                _ => None,
            },
            department_id: s.credit.department_id,
            status,
        }),
        thanks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever was typed, the draft cookie stays under a browser's 4 KB and reads back.
    #[test]
    fn the_draft_cookie_stays_small_whatever_was_typed() {
        let huge = "长".repeat(100_000);
        let draft = LeadDraft {
            name: huge.clone(),
            phone: huge.clone(),
            demand_tags: vec![huge.clone(); 50],
            note: huge,
            consent: true,
            errors: vec![],
        };
        let cookie = draft_cookie("winter-home", draft);
        assert!(cookie.len() < 4_096, "{} bytes", cookie.len());
        let value = cookie.split(';').next().unwrap().trim_start_matches("ah_draft=");
        let back = decode_draft(value).expect("reads back");
        assert_eq!(back.demand_tags.len(), 20);
        assert!(back.name.starts_with('长'));
    }
}

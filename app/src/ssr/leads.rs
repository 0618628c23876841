//! Leads: the referral form's validation and storage, and the marketing list.
use super::{campaigns, db, AppState, OrgSettings};
use crate::domain::period::{BusinessCalendar, Period};
use crate::domain::screening::{self, BlacklistHit, Facts, Outcome, ProtectingLead};
use crate::domain::{phone, text};
use crate::error::{AppError, Field, FieldError, Problem};
use crate::model::{LeadDraft, LeadRow, LeadStatus};
use sqlx::{AnyPool, Row};

pub const NOTE_MAX: usize = 500;

/// Default submissions a minute from one IP above which the form answers 429 (far above
/// human speed).
pub const BURST_PER_MINUTE: i64 = 60;

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
    let json = serde_json::to_vec(&draft).unwrap_or_default();
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    format!("{DRAFT_COOKIE}={value}; Path=/c/{slug}; HttpOnly; SameSite=Lax; Max-Age=600")
}

pub fn clear_draft_cookie(slug: &str) -> String {
    format!("{DRAFT_COOKIE}=; Path=/c/{slug}; HttpOnly; SameSite=Lax; Max-Age=0")
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
        errors.push(FieldError::new(Field::Consent, Problem::ConsentMissing));
    }
    match (name, phone, note) {
        (Some(n), Some(p), Some(note)) if errors.is_empty() => Ok((n, p.as_e164().to_string(), chosen, note)),
        _ => Err(errors),
    }
}

/// Status, reason, flag and the lead it duplicates, as stored.
fn stored_as(outcome: Outcome) -> (LeadStatus, Option<&'static str>, Option<&'static str>, Option<i64>) {
    match outcome {
        Outcome::Rejected(BlacklistHit::Phone) => (LeadStatus::Rejected, Some("blacklist_phone"), None, None),
        Outcome::Rejected(BlacklistHit::Device) => (LeadStatus::Rejected, Some("blacklist_device"), None, None),
        Outcome::Rejected(BlacklistHit::Ip) => (LeadStatus::Rejected, Some("blacklist_ip"), None, None),
        Outcome::InvalidSelfReferral => (LeadStatus::Invalid, Some("self_referral"), None, None),
        Outcome::InvalidExistingCustomer => (LeadStatus::Invalid, Some("existing_customer"), None, None),
        Outcome::Duplicate { of } => (LeadStatus::Duplicate, Some("duplicate"), None, Some(of)),
        Outcome::HeldDeviceCap => (LeadStatus::Held, None, Some("device_cap"), None),
        Outcome::Pending => (LeadStatus::Pending, None, None, None),
    }
}

use db::Tx;

async fn blacklist_hit(
    tx: &mut Tx,
    phone: &str,
    visitor: Option<&str>,
    ip_hash: &str,
) -> Result<Option<BlacklistHit>, sqlx::Error> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM blacklist WHERE (kind = 'phone' AND value = $1) OR (kind = 'device' AND value = $2) OR (kind = 'ip' AND value = $3)",
    )
    .bind(phone)
    .bind(visitor.unwrap_or(""))
    .bind(ip_hash)
    .fetch_all(&mut **tx)
    .await?;
    Ok([("phone", BlacklistHit::Phone), ("device", BlacklistHit::Device), ("ip", BlacklistHit::Ip)]
        .into_iter()
        .find(|(k, _)| kinds.iter().any(|x| x == k))
        .map(|(_, hit)| hit))
}

async fn protecting_lead(tx: &mut Tx, phone: &str) -> Result<Option<ProtectingLead>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.lead_id, l.submitted_at FROM lead_protections p JOIN leads l ON l.id = p.lead_id WHERE p.phone = $1",
    )
    .bind(phone)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(ProtectingLead {
            id: r.try_get("lead_id")?,
            submitted_at: chrono::DateTime::from_timestamp_millis(r.try_get("submitted_at")?).unwrap_or_default(),
        })
    })
    .transpose()
}

async fn count_since(tx: &mut Tx, column: &str, value: &str, since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM leads WHERE {column} = $1 AND submitted_at >= $2"))
        .bind(value)
        .bind(since)
        .fetch_one(&mut **tx)
        .await
}

/// Stores a lead from the referral form, screened in the same transaction (PRODUCT.md §2.5),
/// attributed to the link's promoter when the code belongs to this campaign. Nothing is
/// stored when a field is invalid; every valid submission is stored, whatever its status.
pub async fn submit(
    state: &AppState,
    campaign_slug: &str,
    form: &LeadForm,
    origin: Origin,
) -> Result<Submitted, AppError> {
    let org = &*state.org;
    // The one refusal that stores nothing but the count: a burst no person types. On SQLite
    // the count rides in the submission's transaction (one commit, one fsync); on PostgreSQL
    // it commits on its own, so concurrent submissions from one address do not queue on the
    // counter's row lock for the length of their transactions.
    let burst_key = format!("lead:{}", origin.ip_hash);
    let limit = state.config.lead_burst_per_minute;
    let early = match state.backend {
        db::Backend::Postgres => super::rate_limit::hit(&mut *state.pool.acquire().await?, &burst_key, limit).await?,
        db::Backend::Sqlite => None,
    };
    let (_turn, mut tx) = db::begin_write(state).await?;
    let burst = match state.backend {
        db::Backend::Sqlite => super::rate_limit::hit(&mut tx, &burst_key, limit).await?,
        db::Backend::Postgres => early,
    };
    if let Some(retry_after_s) = burst {
        tx.commit().await?;
        return Err(AppError::TooFast { retry_after_s });
    }
    let campaign = campaigns::by_slug(&mut *tx, campaign_slug).await?.ok_or(AppError::NotFound)?;
    let (name, phone, tags, note) = match validate(form, &campaign.public.demand_tags, org) {
        Ok(fields) => fields,
        Err(errors) => {
            tx.commit().await?; // keep the burst count
            return Err(AppError::Invalid(errors));
        }
    };
    let link = match form.ref_code.as_deref() {
        Some(code) => campaigns::resolve_code(&mut *tx, code).await?.filter(|l| l.campaign_id == campaign.id),
        None => None,
    };
    let rules = screening::Rules::default();
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    let (day_start, _) = Period::day_of(now, org.tz).bounds(org.tz);

    let promoter_phone = match &link {
        Some(l) => sqlx::query_scalar::<_, Option<String>>("SELECT phone FROM users WHERE id = $1")
            .bind(l.promoter_id)
            .fetch_one(&mut *tx)
            .await?
            .map(phone::Phone::from_e164),
        None => None,
    };
    let facts = Facts {
        phone: phone::Phone::from_e164(phone.clone()),
        submitted_at: now,
        blacklisted: blacklist_hit(&mut tx, &phone, origin.visitor.as_deref(), &origin.ip_hash).await?,
        promoter_phone,
        // Won deals arrive with the deals module; until then nobody is an existing customer.
        existing_customer: false,
        campaign_accepts_repurchase: false,
        protecting_lead: protecting_lead(&mut tx, &phone).await?,
        earlier_today_from_device: match origin.visitor.as_deref() {
            Some(v) => count_since(&mut tx, "visitor", v, day_start.timestamp_millis()).await?,
            None => 0,
        },
        earlier_today_from_ip: count_since(&mut tx, "ip_hash", &origin.ip_hash, day_start.timestamp_millis()).await?,
    };
    let outcome = screening::screen(&facts, rules);
    let (status, reason, flag, duplicate_of) = stored_as(outcome);
    let row = sqlx::query(
        "INSERT INTO leads (campaign_id, link_id, promoter_id, name, phone, demand_tags, note, status, reason, flag, duplicate_of, visitor, ip_hash, submitted_at, review_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(campaign.id)
    .bind(link.as_ref().map(|l| l.link_id))
    .bind(link.as_ref().map(|l| l.promoter_id))
    .bind(name)
    .bind(&phone)
    .bind(serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()))
    .bind(note)
    .bind(status.as_str())
    .bind(reason)
    .bind(flag)
    .bind(duplicate_of)
    .bind(origin.visitor)
    .bind(origin.ip_hash)
    .bind(now_ms)
    // Marketing reviews pending and held leads within one business day.
    .bind(matches!(status, LeadStatus::Pending | LeadStatus::Held).then(|| BusinessCalendar::default().deadline(now, 1, org.tz).timestamp_millis()))
    .fetch_one(&mut *tx)
    .await?;
    let lead_id: i64 = row.try_get("id")?;
    let mut final_status = status;
    if matches!(status, LeadStatus::Pending | LeadStatus::Held) {
        // Claim the phone. The database decides between concurrent first submissions:
        // a live claim cannot be taken over, an expired one can.
        let claimed = sqlx::query(
            "INSERT INTO lead_protections (phone, lead_id, protected_until) VALUES ($1, $2, $3) \
             ON CONFLICT (phone) DO UPDATE SET lead_id = excluded.lead_id, protected_until = excluded.protected_until \
             WHERE lead_protections.protected_until <= $4",
        )
        .bind(&phone)
        .bind(lead_id)
        .bind(now_ms + rules.protection_days * 86_400_000)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            let first: i64 = sqlx::query_scalar("SELECT lead_id FROM lead_protections WHERE phone = $1")
                .bind(&phone)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE leads SET status = $1, reason = 'duplicate', flag = NULL, duplicate_of = $2 WHERE id = $3",
            )
            .bind(LeadStatus::Duplicate.as_str())
            .bind(first)
            .bind(lead_id)
            .execute(&mut *tx)
            .await?;
            final_status = LeadStatus::Duplicate;
        }
    }
    // 感谢参与短信: queued with the lead, sent by the dispatcher.
    let thanks =
        format!("【{}】{}您好，感谢参与「{}」，顾问将尽快与您联系。", org.name, form.name.trim(), campaign.public.name);
    super::outbox::enqueue(&mut tx, "thank_you", &phone, &thanks).await?;
    tx.commit().await?;
    Ok(Submitted { lead_id, status: final_status })
}

/// Columns `lead_row` reads: `FROM leads l JOIN campaigns c … LEFT JOIN users u` (the promoter).
pub const LEAD_ROW_COLUMNS: &str = "l.id, l.submitted_at, c.name AS campaign_name, l.name, l.phone, l.demand_tags, \
     u.display_name AS promoter_name, l.status";
pub const LEAD_ROW_FROM: &str =
    "FROM leads l JOIN campaigns c ON c.id = l.campaign_id LEFT JOIN users u ON u.id = l.promoter_id";

/// A lead as marketing sees it (full phone number, org-local time).
pub fn lead_row(org: &OrgSettings, r: &sqlx::any::AnyRow) -> Result<LeadRow, sqlx::Error> {
    Ok(LeadRow {
        id: r.try_get("id")?,
        submitted_at: local_time(org, r.try_get("submitted_at")?),
        campaign_name: r.try_get("campaign_name")?,
        name: r.try_get("name")?,
        phone: phone::Phone::from_e164(r.try_get::<String, _>("phone")?).national().to_string(),
        demand_tags: serde_json::from_str(&r.try_get::<String, _>("demand_tags")?).unwrap_or_default(),
        promoter_name: r.try_get("promoter_name")?,
        status: LeadStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(LeadStatus::Pending),
    })
}

/// The newest leads, for marketing.
pub async fn list_recent(pool: &AnyPool, org: &OrgSettings, limit: i64) -> Result<Vec<LeadRow>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {LEAD_ROW_COLUMNS} {LEAD_ROW_FROM} ORDER BY l.submitted_at DESC, l.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(|r| lead_row(org, r)).collect::<Result<_, _>>()?)
}

/// Org-local `YYYY-MM-DD HH:MM` of a stored instant.
pub fn local_time(org: &OrgSettings, at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&org.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A promoter's own leads: masked phones, never anyone else's.
pub async fn for_promoter(
    pool: &AnyPool,
    org: &OrgSettings,
    promoter_id: i64,
) -> Result<Vec<crate::model::MyLeadRow>, AppError> {
    let rows = sqlx::query(
        "SELECT l.submitted_at, l.name, l.phone, l.status, l.stage, c.name AS campaign_name FROM leads l \
         JOIN campaigns c ON c.id = l.campaign_id WHERE l.promoter_id = $1 ORDER BY l.submitted_at DESC, l.id DESC LIMIT 200",
    )
    .bind(promoter_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(crate::model::MyLeadRow {
                submitted_at: local_time(org, r.try_get("submitted_at")?),
                campaign_name: r.try_get("campaign_name")?,
                name: r.try_get("name")?,
                phone_masked: phone::Phone::from_e164(r.try_get::<String, _>("phone")?).masked(),
                status: LeadStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(LeadStatus::Pending),
                stage: r.try_get::<Option<String>, _>("stage")?.as_deref().and_then(crate::model::Stage::parse),
            })
        })
        .collect()
}

//! Leads: the referral form's validation and storage, and the marketing list.
use super::{campaigns, now_ms, OrgSettings};
use crate::domain::{phone, text};
use crate::error::{AppError, Field, FieldError, Problem};
use crate::model::{LeadDraft, LeadRow, LeadStatus};
use sqlx::{AnyPool, Row};

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

/// Stores a lead from the referral form, attributed to the link's promoter when the code
/// belongs to this campaign. Nothing is stored when a field is invalid.
pub async fn submit(
    pool: &AnyPool,
    org: &OrgSettings,
    campaign_slug: &str,
    form: &LeadForm,
    origin: Origin,
) -> Result<Submitted, AppError> {
    let campaign = campaigns::by_slug(pool, campaign_slug).await?.ok_or(AppError::NotFound)?;
    let (name, phone, tags, note) = validate(form, &campaign.public.demand_tags, org).map_err(AppError::Invalid)?;
    let link = match form.ref_code.as_deref() {
        Some(code) => campaigns::resolve_code(pool, code).await?.filter(|l| l.campaign_id == campaign.id),
        None => None,
    };
    let row = sqlx::query(
        "INSERT INTO leads (campaign_id, link_id, promoter_id, name, phone, demand_tags, note, status, visitor, ip_hash, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(campaign.id)
    .bind(link.as_ref().map(|l| l.link_id))
    .bind(link.as_ref().map(|l| l.promoter_id))
    .bind(name)
    .bind(phone)
    .bind(serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()))
    .bind(note)
    .bind(LeadStatus::Pending.as_str())
    .bind(origin.visitor)
    .bind(origin.ip_hash)
    .bind(now_ms())
    .fetch_one(pool)
    .await?;
    Ok(Submitted { lead_id: row.try_get("id")? })
}

/// The newest leads, for marketing.
pub async fn list_recent(pool: &AnyPool, org: &OrgSettings, limit: i64) -> Result<Vec<LeadRow>, AppError> {
    let rows = sqlx::query(
        "SELECT l.id, l.submitted_at, c.name AS campaign_name, l.name, l.phone, l.demand_tags, u.display_name AS promoter_name, l.status \
         FROM leads l JOIN campaigns c ON c.id = l.campaign_id LEFT JOIN users u ON u.id = l.promoter_id \
         ORDER BY l.submitted_at DESC, l.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let at: i64 = r.try_get("submitted_at")?;
            let local = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default().with_timezone(&org.tz);
            let phone: String = r.try_get("phone")?;
            Ok(LeadRow {
                id: r.try_get("id")?,
                submitted_at: local.format("%Y-%m-%d %H:%M").to_string(),
                campaign_name: r.try_get("campaign_name")?,
                name: r.try_get("name")?,
                phone: phone::Phone::from_e164(phone).national().to_string(),
                demand_tags: serde_json::from_str(&r.try_get::<String, _>("demand_tags")?).unwrap_or_default(),
                promoter_name: r.try_get("promoter_name")?,
                status: LeadStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(LeadStatus::Pending),
            })
        })
        .collect()
}

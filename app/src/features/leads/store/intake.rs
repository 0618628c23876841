//! The referral form's intake: validation here, then screening and storage in group commits
//! (`writer`), with the thank-you message queued in the same transaction.
use crate::features::campaigns::Phase;
use crate::features::leads::i18n::K;
use crate::features::leads::model::{Field, InactiveCredit, LeadDraft, LeadStatus};
use crate::features::promotion::store::links::LinkTarget;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::events;
use crate::plumbing::http::set_cookie;
use crate::plumbing::live::LiveKind;
use crate::plumbing::settings::OrgSettings;
use crate::plumbing::state::AppState;
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

/// A submission checked outside the writer (fields, campaign, link), to be screened and
/// stored by it.
pub struct Submission {
    pub(super) campaign_id: i64,
    pub(super) campaign_name: String,
    pub(super) accepts_repurchase: bool,
    pub(super) sms_budget: i64,
    pub(super) credit: Credit,
    pub(super) fields: Result<ValidLead, Vec<FieldError>>,
    pub(super) origin: Origin,
    pub(super) burst_limit: i64,
}

pub(super) struct ValidLead {
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) tags: Vec<String>,
    pub(super) note: String,
}

/// Who a submission is credited to: the link's promoter while active; for a deactivated
/// person's link, their department or no one (the lead policy decides).
#[derive(Debug, Default)]
pub(super) struct Credit {
    pub(super) link_id: Option<i64>,
    pub(super) promoter_id: Option<i64>,
    /// For the self-referral check.
    pub(super) promoter_phone: Option<String>,
    pub(super) department_id: Option<i64>,
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

/// What the writer did with a submission, and the thank-you message it owes.
pub struct Stored {
    pub(super) screened: Screened,
    /// The lead as its insert counts it on the dashboard (the writer counts a batch at once).
    pub(super) counted: Option<super::counted::NewLead>,
    /// The 感谢参与短信, queued with the batch (`thanks::queue` decides what is sent).
    pub(super) thanks: Option<super::thanks::Thanks>,
}

impl Submission {
    pub(super) fn burst_key(&self) -> String {
        format!("lead:{}", self.origin.ip_hash)
    }
}

impl Stored {
    pub(super) fn refused(e: AppError) -> Stored {
        Stored { screened: Err(e), counted: None, thanks: None }
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

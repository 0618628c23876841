//! What crosses the wire for leads: the prospect's form and its draft, marketing's lists,
//! review and settings, the rep's follow-up, the promoter's own leads; their closed sets and
//! the fields of their forms.
use crate::features::campaigns::{CampaignPublic, Phase};
use crate::features::leads::i18n::K;
use crate::plumbing::errors::FieldError;
use crate::plumbing::i18n::{Words, C};
use crate::shared::Choice;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of the referral form and of marketing's and sales' lead forms.
    pub enum Field {
        Name => "name", C::NameLabel;
        Phone => "phone", C::PhoneLabel;
        DemandTags => "demand_tags", K::DemandTagsLabel;
        Note => "note", K::NoteLabel;
        Consent => "consent", K::ConsentLabel;
        /// The leads a review decision applies to, or the decision itself.
        Selection => "ids", C::SelectedLeads;
        Stage => "stage", K::ColStage;
        /// A blacklist entry (its kind and value).
        BlacklistEntry => "value", K::BlacklistValue;
        Campaign => "campaign_id", C::ColCampaign;
        /// The sales rep a lead or rule goes to, or a team member.
        Rep => "rep_id", K::RepLabel;
        /// The demand tag of an assignment rule.
        DemandTag => "demand_tag", K::DemandTagsLabel;
        ProtectionDays => "protection_days", K::ProtectionDaysLabel;
        DailyCap => "daily_cap", K::DailyCapLabel;
        Holidays => "holidays", K::HolidaysLabel;
        ExtraWorkdays => "extra_workdays", K::ExtraWorkdaysLabel;
        FirstContactHours => "first_contact_hours", K::FirstContactHoursLabel;
        InactiveCredit => "inactive_credit", K::InactiveCreditLabel;
        /// The API's leads pull: a page's size, where it starts, and the changes it asks for.
        Limit => "limit", K::LimitLabel;
        Cursor => "cursor", K::CursorLabel;
        UpdatedSince => "updated_since", K::UpdatedSinceLabel;
    }
}

crate::closed_set! {
    /// Who is credited with a lead that arrives through a deactivated person's link (the link
    /// keeps redirecting; rewards already earned still settle).
    pub enum InactiveCredit("inactive link credit") {
        /// Their department's figures, no promoter (no referral reward).
        Department = "department",
        /// No one: the lead counts as direct.
        Nobody = "none",
    }
}

impl InactiveCredit {
    pub fn label(self) -> K {
        match self {
            InactiveCredit::Department => K::CreditDepartment,
            InactiveCredit::Nobody => K::CreditNobody,
        }
    }
}

crate::closed_set! {
    /// What marketing does to the lead rules that the audit log keeps.
    pub enum Audited("leads audit action") {
        PolicyChanged = "lead_policy.changed",
    }
}

impl Audited {
    pub fn label(self) -> K {
        match self {
            Audited::PolicyChanged => K::AuditPolicyChanged,
        }
    }
}

crate::closed_set! {
    /// Where a lead stands after screening and review (PRODUCT.md §2.5).
    pub enum LeadStatus("lead status") {
        Pending = "pending",
        Held = "held",
        Valid = "valid",
        Invalid = "invalid",
        Duplicate = "duplicate",
        Rejected = "rejected",
    }
}

impl LeadStatus {
    pub fn label(self) -> Words {
        match self {
            LeadStatus::Pending => C::StatusPending.into(),
            LeadStatus::Held => C::StatusHeld.into(),
            LeadStatus::Valid => C::StatusValid.into(),
            LeadStatus::Invalid => C::StatusInvalid.into(),
            LeadStatus::Duplicate => C::StatusDuplicate.into(),
            LeadStatus::Rejected => K::StatusRejected.into(),
        }
    }
}

crate::closed_set! {
    /// Follow-up stages of a valid lead, in order.
    pub enum Stage("follow-up stage") {
        Contacted = "contacted",
        VisitBooked = "visit_booked",
        Visited = "visited",
        Won = "won",
        Lost = "lost",
    }
}

impl Stage {
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Won | Stage::Lost)
    }

    pub fn label(self) -> K {
        match self {
            Stage::Contacted => K::StageContacted,
            Stage::VisitBooked => K::StageVisitBooked,
            Stage::Visited => K::StageVisited,
            Stage::Won => K::StageWon,
            Stage::Lost => K::StageLost,
        }
    }
}

crate::closed_set! {
    /// Marketing's review decision.
    pub enum Decision("review decision") {
        Valid = "valid",
        Invalid = "invalid",
        Duplicate = "duplicate",
    }
}

crate::closed_set! {
    /// Why screening held a lead for review.
    pub enum ReviewFlag("review flag") {
        /// Past the daily cap of its device or address.
        DeviceCap = "device_cap",
    }
}

crate::closed_set! {
    /// How a lead came to its rep.
    pub enum AssignedBy("assignment") {
        /// A demand-tag rule of the campaign.
        Rule = "rule",
        RoundRobin = "round_robin",
        /// Marketing gave it to another rep.
        Reassigned = "reassigned",
    }
}

crate::closed_set! {
    /// What a blacklist entry matches.
    pub enum BlacklistKind("blacklist kind") {
        Phone = "phone",
        /// A visitor id.
        Device = "device",
        /// An IP address (kept only as a keyed hash).
        Ip = "ip",
    }
}

impl BlacklistKind {
    pub fn label(self) -> K {
        match self {
            BlacklistKind::Phone => K::BlacklistKindPhone,
            BlacklistKind::Device => K::BlacklistKindDevice,
            BlacklistKind::Ip => K::BlacklistKindIp,
        }
    }
}

/// What the prospect typed, kept when the server refused it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadDraft {
    pub name: String,
    pub phone: String,
    pub demand_tags: Vec<String>,
    pub note: String,
    pub consent: bool,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandingData {
    pub campaign: CampaignPublic,
    /// Upcoming or ended campaigns show a friendly page instead of the form.
    pub phase: Phase,
    pub referrer_name: Option<String>,
    pub ref_code: Option<String>,
    pub draft: Option<LeadDraft>,
    /// The page's own absolute address and its artwork's, for the card a chat app shows
    /// when the link is pasted (Open Graph; WeChat reads the same tags).
    pub page_url: String,
    pub share_image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRow {
    pub id: i64,
    /// Org-local `YYYY-MM-DD HH:MM`.
    pub submitted_at: String,
    pub campaign_name: String,
    pub name: String,
    pub phone: String,
    pub demand_tags: Vec<String>,
    pub promoter_name: Option<String>,
    pub status: LeadStatus,
    /// The sales rep following the lead up, once valid.
    pub assigned_to: Option<i64>,
    pub assigned_name: Option<String>,
}

/// A lead in the promoter's own list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyLeadRow {
    pub submitted_at: String,
    pub campaign_name: String,
    pub name: String,
    /// `139****5678`: promoters never see prospects' full numbers.
    pub phone_masked: String,
    pub status: LeadStatus,
    pub stage: Option<Stage>,
}

/// A lead waiting for marketing's review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub lead: LeadRow,
    pub flag: Option<ReviewFlag>,
    /// Org-local end of the one-business-day review window.
    pub review_due: String,
    pub overdue: bool,
}

/// A lead assigned to the signed-in sales rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpRow {
    pub id: i64,
    pub campaign_name: String,
    pub name: String,
    pub phone: String,
    pub demand_tags: Vec<String>,
    pub assigned_at: String,
    pub stage: Option<Stage>,
    /// Milliseconds left until the 24-hour first-contact deadline when loaded (negative:
    /// overdue); `None` once contacted.
    pub first_contact_left_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlacklistRow {
    pub id: i64,
    pub kind: BlacklistKind,
    pub value: String,
    pub note: String,
    pub created_at: String,
}

/// A sales rep leads can be given to.
pub type RepOption = Choice;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentRuleRow {
    pub id: i64,
    pub demand_tag: String,
    pub rep_id: i64,
    pub rep_name: String,
}

/// A campaign's sales team (empty: every active rep) and demand-tag rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignAssignment {
    pub id: i64,
    pub name: String,
    pub demand_tags: Vec<String>,
    pub team: Vec<i64>,
    pub rules: Vec<AssignmentRuleRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentOverview {
    pub reps: Vec<RepOption>,
    pub campaigns: Vec<CampaignAssignment>,
}

/// The lead policy as the settings form shows it; dates one per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyView {
    pub protection_days: i64,
    pub daily_cap: i64,
    pub holidays: String,
    pub extra_workdays: String,
    pub first_contact_hours: i64,
    pub inactive_credit: InactiveCredit,
}

//! Types that cross the wire between server functions and views. Ids and counts are `i64`.
use crate::error::FieldError;
use crate::i18n::K;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Marketing,
    Sales,
    Finance,
    Employee,
    Customer,
    Partner,
}

impl Role {
    pub const ALL: [Role; 7] =
        [Role::Admin, Role::Marketing, Role::Sales, Role::Finance, Role::Employee, Role::Customer, Role::Partner];
    /// The roles that promote: they own links, codes and posters.
    pub const PROMOTERS: [Role; 3] = [Role::Employee, Role::Customer, Role::Partner];
    /// The company's own people (not customers or partners).
    pub const STAFF: [Role; 5] = [Role::Employee, Role::Sales, Role::Marketing, Role::Finance, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Marketing => "marketing",
            Role::Sales => "sales",
            Role::Finance => "finance",
            Role::Employee => "employee",
            Role::Customer => "customer",
            Role::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> K {
        match self {
            Role::Admin => K::RoleAdmin,
            Role::Marketing => K::RoleMarketing,
            Role::Sales => K::RoleSales,
            Role::Finance => K::RoleFinance,
            Role::Employee => K::RoleEmployee,
            Role::Customer => K::RoleCustomer,
            Role::Partner => K::RolePartner,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub department: Option<String>,
}

impl UserView {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}

/// What every page needs to draw the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<UserView>,
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromoCard {
    pub campaign_name: String,
    pub product: String,
    pub selling_points: Vec<String>,
    pub code: String,
    /// The personal link, absolute, `https://host/r/{code}`.
    pub link_url: String,
    /// The campaign's form carrying this promoter's code, to fill in for a customer.
    pub on_behalf_path: String,
    /// The campaign's poster artwork, if uploaded.
    pub artwork_url: Option<String>,
    pub promoter_name: String,
    /// The modules (`1` dark) of the QR code of the link with `?ch=qr`, for the poster.
    pub qr_modules: Vec<String>,
    /// This month (org-local), bots left out.
    pub clicks: i64,
    pub unique_visitors: i64,
    pub shares: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPublic {
    /// The uploaded poster artwork, if any.
    pub artwork_url: Option<String>,
    pub slug: String,
    pub name: String,
    pub product: String,
    pub selling_points: Vec<String>,
    pub landing_copy: String,
    pub demand_tags: Vec<String>,
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
    pub phase: crate::domain::campaign::Phase,
    pub referrer_name: Option<String>,
    pub ref_code: Option<String>,
    pub draft: Option<LeadDraft>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeadStatus {
    Pending,
    Held,
    Valid,
    Invalid,
    Duplicate,
    Rejected,
}

impl LeadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Pending => "pending",
            LeadStatus::Held => "held",
            LeadStatus::Valid => "valid",
            LeadStatus::Invalid => "invalid",
            LeadStatus::Duplicate => "duplicate",
            LeadStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Held, Self::Valid, Self::Invalid, Self::Duplicate, Self::Rejected]
            .into_iter()
            .find(|st| st.as_str() == s)
    }

    pub fn label(self) -> K {
        match self {
            LeadStatus::Pending => K::StatusPending,
            LeadStatus::Held => K::StatusHeld,
            LeadStatus::Valid => K::StatusValid,
            LeadStatus::Invalid => K::StatusInvalid,
            LeadStatus::Duplicate => K::StatusDuplicate,
            LeadStatus::Rejected => K::StatusRejected,
        }
    }
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub display_name: String,
    pub login: String,
    pub department: Option<String>,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

/// Follow-up stages of a valid lead, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Contacted,
    VisitBooked,
    Visited,
    Won,
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Stage::Contacted, Stage::VisitBooked, Stage::Visited, Stage::Won, Stage::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Contacted => "contacted",
            Stage::VisitBooked => "visit_booked",
            Stage::Visited => "visited",
            Stage::Won => "won",
            Stage::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

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
    pub flag: Option<String>,
    /// Org-local end of the one-business-day review window.
    pub review_due: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Valid,
    Invalid,
    Duplicate,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "valid" => Some(Decision::Valid),
            "invalid" => Some(Decision::Invalid),
            "duplicate" => Some(Decision::Duplicate),
            _ => None,
        }
    }
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

/// An outgoing message as the admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub created_at: String,
    pub kind: String,
    pub recipient: String,
    pub body: String,
    /// queued, sent or failed.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlacklistRow {
    pub id: i64,
    /// phone, device or ip.
    pub kind: String,
    pub value: String,
    pub note: String,
    pub created_at: String,
}

/// A sales rep leads can be given to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepOption {
    pub id: i64,
    pub name: String,
}

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordRow {
    pub id: i64,
    pub word: String,
    /// extreme or sensitive.
    pub kind: String,
    pub created_at: String,
}

/// A campaign as marketing edits it: list fields one entry per line. Form-encoded, an empty
/// list is no field at all, hence the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignEdit {
    pub id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub product: String,
    pub selling_points: String,
    pub landing_copy: String,
    pub demand_tags: String,
    /// Org-local `YYYY-MM-DD`, both days included.
    pub starts_on: String,
    pub ends_on: String,
    pub promoter_roles: Vec<String>,
    pub department_ids: Vec<i64>,
    pub boosts: String,
    pub accepts_repurchase: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignListRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub phase: crate::domain::campaign::Phase,
}

/// A content-library item as marketing edits it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentEdit {
    pub id: Option<i64>,
    pub campaign_id: i64,
    pub title: String,
    pub body: String,
    /// Org-local `YYYY-MM-DD`.
    pub publish_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentRow {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub title: String,
    pub body: String,
    pub image_url: Option<String>,
    pub publish_on: String,
    /// The Monday of its week.
    pub week_of: String,
    pub published: bool,
    pub shares: i64,
}

/// An item as a promoter shares it: the text ends with their own link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareItem {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub image_url: Option<String>,
    pub publish_on: String,
}

/// A deal as sales types it (amounts in yuan, dates YYYY-MM-DD), kept when refused. Every
/// field may be missing: validation names what is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DealInput {
    pub order_no: String,
    pub customer_phone: String,
    pub customer_name: String,
    pub amount: String,
    /// Cost in yuan; or leave it empty and give the gross profit.
    pub cost: String,
    pub gross_profit: String,
    pub signed_on: String,
    pub due_on: String,
    /// A referral code (or empty: the lead's promoter, or the code the customer redeemed).
    pub referral_code: String,
    pub lead_id: Option<i64>,
    pub campaign_id: Option<i64>,
    /// An imported deal's first payment, if the file carries one.
    pub paid_on: String,
    pub paid_amount: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRow {
    pub id: i64,
    pub order_no: String,
    pub customer: String,
    pub referrer: Option<String>,
    pub sales_rep: Option<String>,
    pub amount_fen: i64,
    pub cost_fen: Option<i64>,
    pub collected_fen: i64,
    pub signed_on: String,
    pub due_on: Option<String>,
    pub source: String,
    pub audit: String,
    pub payments: Vec<PaymentRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub id: i64,
    pub paid_on: String,
    pub amount_fen: i64,
}

/// Won leads without a deal yet, for "record the deal".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WonLead {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub campaign: String,
    pub referrer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: i64,
    pub unchanged: i64,
    pub payments: i64,
    /// Line number (1 = header) and the problems with it.
    pub errors: Vec<(i64, Vec<FieldError>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: i64,
    pub period: String,
    pub scope: String,
    pub status: String,
    pub statements: i64,
    pub gross_fen: i64,
    pub tax_fen: i64,
    pub net_fen: i64,
    pub drafted_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementView {
    pub id: i64,
    pub run_id: i64,
    pub period: String,
    pub run_status: String,
    pub promoter: String,
    pub treatment: String,
    pub carried_in_fen: i64,
    pub gross_fen: i64,
    pub tax_fen: i64,
    pub net_fen: i64,
    pub carry_out_fen: i64,
    pub carry_reason: Option<String>,
    pub lines: Vec<StatementLineView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementLineView {
    pub explanation_zh: String,
    pub explanation_en: String,
    pub amount_fen: i64,
    pub adjustment: bool,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouponRow {
    pub code: String,
    pub amount_fen: i64,
    pub perk: bool,
    pub status: String,
    pub expires_on: String,
}

/// The promoter's rewards: what waits (audit, holding period), what vested and is not yet
/// settled, what is approved for payout and what was paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyRewards {
    pub referral_code: String,
    pub pending_fen: i64,
    pub vested_fen: i64,
    pub approved_fen: i64,
    pub paid_fen: i64,
    pub statements: Vec<StatementView>,
    pub coupons: Vec<CouponRow>,
    /// The latest "reward vested" / "reward paid" messages sent to this promoter.
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    pub rule_id: i64,
    pub version: i64,
    pub name: String,
    pub promoter_kind: String,
    pub scope: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub kind: String,
    /// The rule as editable JSON.
    pub spec: String,
}

/// What a live event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveKind {
    Click,
    Share,
    Lead,
    LeadStatus,
    Deal,
    Payment,
    Reward,
    /// Events may have been missed: reload the figures.
    Reset,
}

/// One event of the live stream (`GET /live`, server-sent events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub kind: LiveKind,
    pub campaign_id: Option<i64>,
    pub promoter_id: Option<i64>,
    /// How many facts the event stands for (a batch of clicks is one event).
    pub count: i64,
    /// When it happened, microseconds since the epoch.
    pub at_us: i64,
}

/// The dashboard's filters. Dates are org-local `YYYY-MM-DD`; empty strings and `None` mean all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    /// `today`, `month` or `custom` (then `from` and `to`).
    pub range: String,
    pub from: String,
    pub to: String,
    pub campaign_id: Option<i64>,
    pub channel: String,
    pub department_id: Option<i64>,
    pub promoter_kind: String,
}

/// The figures of PRODUCT.md §6 for one slice. Ratios are in basis points (1/100 of a
/// percent), `None` where the divisor is zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub clicks: i64,
    pub unique_visitors: i64,
    pub shares: i64,
    pub leads: i64,
    pub leads_pending: i64,
    pub leads_held: i64,
    pub leads_valid: i64,
    pub leads_duplicate: i64,
    pub leads_invalid: i64,
    pub leads_rejected: i64,
    pub response_rate_bp: Option<i64>,
    pub deals: i64,
    pub deal_amount_fen: i64,
    pub deal_profit_fen: i64,
    pub reward_cost_fen: i64,
    /// Deal profit ÷ reward cost, in hundredths (1234 = 12.34).
    pub roi_centi: Option<i64>,
    pub active_promoters: i64,
    pub output_per_promoter_fen: Option<i64>,
    pub click_to_lead_bp: Option<i64>,
    pub lead_to_deal_bp: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendDay {
    pub day: String,
    pub clicks: i64,
    pub leads: i64,
    pub deals: i64,
}

/// One row of a cut: a campaign, channel, department or promoter kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutRow {
    pub key: String,
    pub label: String,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cut {
    /// `campaign`, `channel`, `department` or `promoter_kind`.
    pub dimension: String,
    pub rows: Vec<CutRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub totals: Figures,
    pub trend: Vec<TrendDay>,
    pub cuts: Vec<Cut>,
    pub targets: Vec<TargetProgress>,
    pub campaigns: Vec<Choice>,
    pub departments: Vec<Choice>,
}

/// A promoter on the hero board (英雄榜).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeroRow {
    pub rank: i64,
    pub promoter_id: i64,
    pub name: String,
    pub department: String,
    pub deal_amount_fen: i64,
    pub deals: i64,
    pub leads: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeroBoard {
    pub month: String,
    pub quarter: String,
    pub monthly: Vec<HeroRow>,
    pub quarterly: Vec<HeroRow>,
}

/// A department's target for a month against what it achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetProgress {
    pub department_id: i64,
    pub department: String,
    pub month: String,
    /// `shares_per_employee`, `valid_leads` or `deals`.
    pub metric: String,
    pub target: i64,
    /// For shares per employee, in hundredths (250 = 2.5 a head).
    pub actual_centi: i64,
    /// 0–100.
    pub percent: i64,
}

/// The promoter's own numbers this month (我的数据).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyNumbers {
    pub month: String,
    pub clicks: i64,
    pub unique_visitors: i64,
    pub shares: i64,
    pub leads: i64,
    pub leads_pending: i64,
    pub leads_valid: i64,
    pub leads_duplicate: i64,
    pub leads_invalid: i64,
    pub deals: i64,
    pub deal_amount_fen: i64,
    pub pending_fen: i64,
    pub vested_fen: i64,
    pub paid_fen: i64,
    /// Place on this month's hero board; `None` without a deal.
    pub rank: Option<i64>,
    /// Leads this month that came through links this promoter shared.
    pub leads_from_shares: i64,
    pub department_targets: Vec<TargetProgress>,
}

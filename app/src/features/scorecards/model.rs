//! What crosses the wire for scorecards: a member's card (each line with its source figures),
//! the manager's team, the forms' fields.
use super::i18n::K;
use super::rules::{Grade, Indicator};
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The scorecard forms.
    pub enum Field {
        Period => "period", K::PeriodLabel;
        Member => "member_id", K::MemberLabel;
        Manager => "manager_id", K::ManagerLabel;
        Team => "team", K::TeamLabel;
        Campaigns => "campaigns", K::CampaignsLabel;
        Indicator => "indicator", K::IndicatorLabel;
        Target => "target", K::TargetLabel;
        Innovation => "innovation", K::Innovation;
        InnovationExample => "innovation_example", K::InnovationExample;
        Collaboration => "collaboration", K::Collaboration;
        CollaborationExample => "collaboration_example", K::CollaborationExample;
        Execution => "execution", K::Execution;
        ExecutionExample => "execution_example", K::ExecutionExample;
        PeerScore => "score", K::PeerScoreLabel;
        PeerExample => "example", K::ExampleLabel;
        Results => "results", K::SelfResults;
        Shortfalls => "shortfalls", K::SelfShortfalls;
        Plan => "plan", K::SelfPlan;
        Calibrated => "calibrated", K::CalibratedLabel;
        Reason => "reason", K::ReasonLabel;
        Item => "item", K::CoachingItem;
        Owner => "owner_id", K::CoachingOwner;
        DueOn => "due_on", K::CoachingDue;
        Progress => "progress", K::CoachingProgress;
        /// The scorecard as a whole (its state).
        Scorecard => "scorecard", K::Title;
    }
}

/// The manager's three scores as sent, each with its example.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheet {
    #[serde(default)]
    pub innovation: String,
    #[serde(default)]
    pub innovation_example: String,
    #[serde(default)]
    pub collaboration: String,
    #[serde(default)]
    pub collaboration_example: String,
    #[serde(default)]
    pub execution: String,
    #[serde(default)]
    pub execution_example: String,
}

/// The source figures of a member's campaigns in a period, as the lines are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub sales_fen: i64,
    pub deals: i64,
    pub new_customers: i64,
    pub customers: i64,
    pub repeat_customers: i64,
    pub valid_leads: i64,
    pub reward_cost_fen: i64,
    pub profit_fen: i64,
    pub reach: i64,
}

/// One line of the card: what it measured, against which target, how many points it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub indicator: Indicator,
    /// The figure as shown (¥90,000.00, 12, 18.00%, 3.00).
    pub actual: String,
    pub target: Option<String>,
    /// Points to the hundredth; `None`: no target (its weight went to the other lines).
    pub points: Option<String>,
    pub weight: i64,
    /// Where the figure comes from, in words ("新客 12 ÷ 有效线索 60").
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub indicator: Indicator,
    pub score: Option<i64>,
    pub example: String,
    /// Peers' scores from other departments (collaboration).
    pub peers: Vec<i64>,
    pub points: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfAssessment {
    pub results: String,
    pub shortfalls: String,
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachingItemView {
    pub id: i64,
    pub item: String,
    pub owner: String,
    pub due_on: String,
    pub progress: String,
    pub checked_on: Option<String>,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachingView {
    pub id: i64,
    pub member_id: i64,
    /// The second month below 60.
    pub opened_for: String,
    pub closed: bool,
    pub items: Vec<CoachingItemView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardView {
    pub member_id: i64,
    pub member: String,
    pub team: String,
    pub manager: String,
    /// 2026-11 or 2026-Q4.
    pub period: String,
    /// The periods to choose from: the last 12 months and 4 quarters, newest first.
    pub periods: Vec<String>,
    /// Figures are frozen on this day (the 5th after the period); live until then.
    pub freeze_on: String,
    pub frozen: bool,
    pub figures: Figures,
    pub lines: Vec<LineView>,
    pub items: Vec<ItemView>,
    pub quantitative: String,
    pub qualitative: Option<String>,
    /// The manager's score, to the hundredth.
    pub score: Option<String>,
    pub calibrated: Option<String>,
    pub calibration_reason: Option<String>,
    /// The score that counts: calibrated, else the manager's.
    pub grade: Option<Grade>,
    /// The performance-bonus factor in percent (quarterly cards).
    pub bonus_factor: Option<i64>,
    pub self_assessment: Option<SelfAssessment>,
    pub acknowledge_by: Option<String>,
    pub acknowledged: bool,
    /// The last 12 months' scores, oldest first (period, score to the hundredth).
    pub history: Vec<(String, String)>,
    pub coaching: Option<CoachingView>,
    pub is_me: bool,
    pub can_score: bool,
    pub can_calibrate: bool,
}

/// Year end (seed 003): the top 3 teams and the bottom 20% of members, by the mean of their
/// monthly scores that count; (name, score to the hundredth).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearReview {
    pub year: i32,
    pub top_teams: Vec<(String, String)>,
    pub bottom: Vec<(String, String)>,
}

/// A team's scorecard for the period: its members' means, graded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCard {
    pub team: String,
    pub members: i64,
    pub quantitative: String,
    pub score: Option<String>,
    pub grade: Option<Grade>,
}

/// A row of the manager's team view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    pub member_id: i64,
    pub member: String,
    pub team: String,
    pub quantitative: String,
    pub score: Option<String>,
    pub calibrated: Option<String>,
    pub grade: Option<Grade>,
    pub acknowledged: bool,
    pub coaching: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub period: String,
    pub periods: Vec<String>,
    pub rows: Vec<TeamRow>,
    /// Each team's card: the means of its members' (scored ones for the score).
    pub teams: Vec<TeamCard>,
    /// Whether the viewer is on the calibration committee.
    pub committee: bool,
    /// Whether the viewer may set members up (admin).
    pub admin: bool,
}

impl Indicator {
    pub fn label(self) -> K {
        match self {
            Indicator::Sales => K::Sales,
            Indicator::NewCustomers => K::NewCustomers,
            Indicator::Conversion => K::Conversion,
            Indicator::Repurchase => K::Repurchase,
            Indicator::AcquisitionCost => K::AcquisitionCost,
            Indicator::CampaignRoi => K::CampaignRoi,
            Indicator::ContentReach => K::ContentReach,
            Indicator::Innovation => K::Innovation,
            Indicator::Collaboration => K::Collaboration,
            Indicator::Execution => K::Execution,
        }
    }
}

crate::closed_set! {
    pub enum Audited("scorecards audit action") {
        Scored = "scorecard.scored",
        Calibrated = "scorecard.calibrated",
    }
}

impl Audited {
    pub fn label(self) -> K {
        match self {
            Audited::Scored => K::AuditScored,
            Audited::Calibrated => K::AuditCalibrated,
        }
    }
}

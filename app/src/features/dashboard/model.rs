//! What crosses the wire for dashboards: the filters, the figures of PRODUCT.md §6 and their
//! cuts, the hero board, department targets, the promoter's own numbers.
use crate::features::dashboard::i18n::K;
use crate::features::promotion::Channel;
use crate::features::rewards::engine::PromoterKind;
use crate::plumbing::i18n::C;
use crate::shared::closed_set::Sent;
use crate::shared::Choice;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The dashboard's filters and the target form.
    pub enum Field {
        /// The period (`range`).
        Period => "range", K::DashPeriod;
        From => "from", K::FromLabel;
        To => "to", K::ToLabel;
        Channel => "channel", K::ChannelLabel;
        PromoterKind => "promoter_kind", K::PromoterKindLabel;
        Department => "department_id", C::DepartmentLabel;
        Campaign => "campaign_id", C::ColCampaign;
        Dimension => "table", K::DimensionLabel;
        Month => "month", K::MonthLabel;
        Metric => "metric", K::MetricLabel;
        Target => "target", K::TargetLabel;
        /// The API's figures: how many rows.
        Limit => "limit", K::LimitLabel;
    }
}

crate::closed_set! {
    /// The period a dashboard covers.
    pub enum Range("range") {
        Today = "today",
        /// This month so far and to its end.
        Month = "month",
        /// From `from` to `to`, both included.
        Custom = "custom",
    }
}

impl Range {
    pub fn label(self) -> K {
        match self {
            Range::Today => K::RangeToday,
            Range::Month => K::RangeMonth,
            Range::Custom => K::RangeCustom,
        }
    }
}

crate::closed_set! {
    /// What the figures are cut by.
    pub enum Dimension("dimension") {
        Campaign = "campaign",
        Channel = "channel",
        Department = "department",
        PromoterKind = "promoter_kind",
    }
}

impl Dimension {
    pub fn title(self) -> K {
        match self {
            Dimension::Campaign => K::ByCampaign,
            Dimension::Channel => K::ByChannel,
            Dimension::Department => K::ByDepartment,
            Dimension::PromoterKind => K::ByPromoterKind,
        }
    }
}

crate::closed_set! {
    /// What a department is measured on each month.
    pub enum TargetMetric("target metric") {
        SharesPerEmployee = "shares_per_employee",
        ValidLeads = "valid_leads",
        Deals = "deals",
    }
}

impl TargetMetric {
    pub fn label(self) -> K {
        match self {
            TargetMetric::SharesPerEmployee => K::TargetSharesPerEmployee,
            TargetMetric::ValidLeads => K::TargetValidLeads,
            TargetMetric::Deals => K::TargetDeals,
        }
    }
}

pub fn kind_label(k: PromoterKind) -> K {
    match k {
        PromoterKind::Employee => K::KindEmployee,
        PromoterKind::Customer => K::KindCustomer,
        PromoterKind::Partner => K::KindPartner,
    }
}

/// The dashboard's filters. Dates are org-local `YYYY-MM-DD`; empty and `None` mean all. The
/// closed sets arrive as sent, so that a value not in the set is refused naming its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    pub range: Option<Sent<Range>>,
    pub from: String,
    pub to: String,
    pub campaign_id: Option<i64>,
    pub channel: Option<Sent<Channel>>,
    pub department_id: Option<i64>,
    pub promoter_kind: Option<Sent<PromoterKind>>,
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
    /// 费效比: reward cost ÷ deal profit, in basis points (800 = 8.00%).
    #[serde(default)]
    pub cost_ratio_bp: Option<i64>,
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
    pub dimension: Dimension,
    pub rows: Vec<CutRow>,
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

/// The hero board's size setting (PRODUCT.md §6: Top 10).
pub const HERO_BOARD_SETTING: &str = "hero_board_size";
pub const HERO_BOARD_SIZE: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeroBoard {
    /// How many each list shows (Top 10 by default, a setting).
    pub size: i64,
    pub month: String,
    pub quarter: String,
    pub monthly: Vec<HeroRow>,
    pub quarterly: Vec<HeroRow>,
    /// This month's marketing star (营销达人): the best participation score so far.
    pub star: Option<Star>,
}

/// The month's marketing star and their participation score, to the hundredth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Star {
    pub name: String,
    pub department: String,
    pub score: String,
}

/// A department's target for a month against what it achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetProgress {
    pub department_id: i64,
    pub department: String,
    pub month: String,
    pub metric: TargetMetric,
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

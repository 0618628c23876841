//! What crosses the wire for campaigns, content and compliance, and the fields of their forms.
pub use super::compliance::WordKind;
pub use super::rules::Phase;
use crate::features::campaigns::i18n::K;
use crate::plumbing::access::Role;
use crate::plumbing::i18n::C;
use crate::shared::closed_set::Sent;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of marketing's campaign, content and word-list forms.
    pub enum Field {
        CampaignName => "campaign_name", K::CampaignNameLabel;
        Slug => "slug", K::SlugLabel;
        Product => "product", C::Product;
        SellingPoints => "selling_points", K::SellingPointsLabel;
        LandingCopy => "landing_copy", K::LandingCopyLabel;
        DemandTags => "demand_tags", K::DemandTagsLinesLabel;
        StartsOn => "starts_on", C::StartsOnLabel;
        EndsOn => "ends_on", K::EndsOnLabel;
        PromoterKinds => "promoter_roles", K::PromoterKindsLabel;
        Department => "department_id", K::DepartmentsScopeLabel;
        Boosts => "boosts", K::BoostsLabel;
        SmsBudget => "sms_budget", K::SmsBudgetLabel;
        Campaign => "campaign_id", C::ColCampaign;
        Title => "title", K::TitleLabel;
        Body => "body", K::BodyLabel;
        PublishOn => "publish_on", K::PublishOnLabel;
        Image => "file", K::ImageLabel;
        Word => "word", K::WordLabel;
        WordKind => "kind", K::WordKindLabel;
    }
}

/// A campaign as prospects see it.
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
    /// Promoter kinds taking part (empty: all); other values are refused, naming the field.
    pub promoter_roles: Vec<Sent<Role>>,
    pub department_ids: Vec<i64>,
    pub boosts: String,
    pub accepts_repurchase: bool,
    /// Thank-you messages a day, as typed (empty: the default).
    pub sms_budget: String,
}

/// Thank-you messages a campaign sends a day unless marketing says otherwise.
pub const SMS_BUDGET: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignListRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub phase: Phase,
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

/// Marketing's calendar: the weekly target (a setting) and the items of four weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentPlan {
    pub per_week: i64,
    pub items: Vec<ContentRow>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordRow {
    pub id: i64,
    pub word: String,
    pub kind: WordKind,
    pub created_at: String,
}

//! What crosses the wire for promotion: the promoter's cards and share items, and the closed
//! sets of clicks and shares.
use crate::features::promotion::i18n::K;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of promotion's actions.
    pub enum Field {
        ShareKind => "kind", K::ShareKindLabel;
        CustomerName => "customer_name", K::StoryCustomer;
        Story => "story", K::StoryText;
        Consent => "consent", K::StoryConsent;
        Campaign => "campaign_id", K::StoryCampaign;
        Photo => "file", K::StoryPhoto;
        Note => "note", K::StoryNote;
        /// The story as a whole (its state).
        StoryId => "id", K::StoriesTitle;
    }
}

crate::closed_set! {
    /// Where a customer story stands.
    pub enum StoryStatus("story status") {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// A customer story as its author and marketing see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryRow {
    pub id: i64,
    pub author: String,
    pub campaign: Option<String>,
    pub customer_name: String,
    pub story: String,
    /// `/media/{hash}` of each photo.
    pub photos: Vec<String>,
    pub status: StoryStatus,
    pub review_note: Option<String>,
    pub approved_on: Option<String>,
    pub published: bool,
    pub submitted_at: String,
}

crate::closed_set! {
    /// Where a click came from: the `?ch=` of a personal link, `direct` without one.
    pub enum Channel("channel") {
        /// 朋友圈.
        Moments = "moments",
        /// 微信群.
        Group = "group",
        Qr = "qr",
        Sms = "sms",
        Other = "other",
        Direct = "direct",
        Poster = "poster",
    }
}

impl Channel {
    /// The channels a link may name in `?ch=`; any other name counts as `other`.
    pub const CARRIED: [Channel; 6] =
        [Channel::Moments, Channel::Group, Channel::Qr, Channel::Sms, Channel::Poster, Channel::Other];

    /// The channel of a link's `?ch=`: as given when a link may carry it, `other` otherwise,
    /// `direct` when absent.
    pub fn of_link(ch: Option<&str>) -> Channel {
        match ch {
            None | Some("") => Channel::Direct,
            Some(c) => Channel::CARRIED.into_iter().find(|k| k.as_str() == c).unwrap_or(Channel::Other),
        }
    }

    pub fn label(self) -> K {
        match self {
            Channel::Moments => K::ChannelMoments,
            Channel::Group => K::ChannelGroup,
            Channel::Qr => K::ChannelQr,
            Channel::Sms => K::ChannelSms,
            Channel::Direct => K::ChannelDirect,
            Channel::Poster => K::ChannelPoster,
            Channel::Other => K::ChannelOther,
        }
    }
}

crate::closed_set! {
    /// What a promoter did with their link.
    pub enum ShareKind("share kind") {
        /// Saved the poster.
        Poster = "poster",
        /// Copied the link.
        Link = "link",
        /// Copied a content item's text or saved its picture.
        Content = "content",
    }
}

crate::closed_set! {
    /// A coarse user-agent class of a click; link-preview fetchers and crawlers are `bot`.
    pub enum UaClass("user-agent class") {
        Bot = "bot",
        Wechat = "wechat",
        Mobile = "mobile",
        Desktop = "desktop",
    }
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
    /// The modules (`1` dark) of the QR code of the link with `?ch=poster`, for the poster.
    pub qr_modules: Vec<String>,
    /// This month (org-local), bots left out.
    pub clicks: i64,
    pub unique_visitors: i64,
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

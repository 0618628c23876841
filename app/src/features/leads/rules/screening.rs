//! Lead screening at submit (PRODUCT.md §2.5), as a pure decision over the facts the server
//! gathers in the submit transaction. The order of the checks is the product's order.
use crate::shared::phone::Phone;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlacklistHit {
    Phone,
    Device,
    Ip,
}

/// A lead that protects its phone number (not invalid, rejected or duplicate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectingLead {
    pub id: i64,
    pub submitted_at: DateTime<Utc>,
}

/// Everything screening looks at, gathered in the same transaction as the insert.
#[derive(Debug, Clone)]
pub struct Facts {
    pub phone: Phone,
    pub submitted_at: DateTime<Utc>,
    pub blacklisted: Option<BlacklistHit>,
    /// The referring promoter's own phone, if known.
    pub promoter_phone: Option<Phone>,
    /// The phone belongs to a customer with a won deal.
    pub existing_customer: bool,
    pub campaign_accepts_repurchase: bool,
    /// The newest protecting lead of this phone, if any.
    pub protecting_lead: Option<ProtectingLead>,
    /// Earlier submissions today (org-local day) from the same device and from the same IP.
    pub earlier_today_from_device: i64,
    pub earlier_today_from_ip: i64,
}

/// Organization settings that screening depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// 客户保护期: one accepted referral per phone within this many days (peers use 7 to 90).
    pub protection_days: i64,
    /// Submissions per org-local day per device or IP before the rest are held for review.
    pub daily_cap: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { protection_days: 30, daily_cap: 5 }
    }
}

/// A setting of [`Rules`] outside what the product allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulesError {
    ProtectionDays { min: i64, max: i64 },
    DailyCap { min: i64, max: i64 },
}

impl Rules {
    /// Peers use 7 to 90 days.
    pub const PROTECTION_DAYS: (i64, i64) = (7, 90);
    pub const DAILY_CAP: (i64, i64) = (1, 100);

    /// Every setting outside its range, so a form can name them all at once.
    pub fn problems(self) -> Vec<RulesError> {
        let mut out = Vec::new();
        let (min, max) = Self::PROTECTION_DAYS;
        if !(min..=max).contains(&self.protection_days) {
            out.push(RulesError::ProtectionDays { min, max });
        }
        let (min, max) = Self::DAILY_CAP;
        if !(min..=max).contains(&self.daily_cap) {
            out.push(RulesError::DailyCap { min, max });
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Rejected(BlacklistHit),
    /// Self-referral.
    InvalidSelfReferral,
    InvalidExistingCustomer,
    /// Linked to the protecting lead; the first referrer keeps the credit.
    Duplicate {
        of: i64,
    },
    /// Over the daily cap of one device or IP: stored, flagged `device_cap`, reviewed by hand.
    HeldDeviceCap,
    Pending,
}

/// True while a lead submitted at `protecting_at` still protects its phone at `now`:
/// 29 days 23:59 later it does, 30 days later it no longer does.
pub fn protects(protecting_at: DateTime<Utc>, now: DateTime<Utc>, protection_days: i64) -> bool {
    now - protecting_at < Duration::days(protection_days)
}

pub fn screen(facts: &Facts, rules: Rules) -> Outcome {
    if let Some(hit) = facts.blacklisted {
        return Outcome::Rejected(hit);
    }
    if facts.promoter_phone.as_ref() == Some(&facts.phone) {
        return Outcome::InvalidSelfReferral;
    }
    if facts.existing_customer && !facts.campaign_accepts_repurchase {
        return Outcome::InvalidExistingCustomer;
    }
    if let Some(p) = facts.protecting_lead {
        if protects(p.submitted_at, facts.submitted_at, rules.protection_days) {
            return Outcome::Duplicate { of: p.id };
        }
    }
    if facts.earlier_today_from_device >= rules.daily_cap || facts.earlier_today_from_ip >= rules.daily_cap {
        return Outcome::HeldDeviceCap;
    }
    Outcome::Pending
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::phone::normalize;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn facts() -> Facts {
        Facts {
            phone: normalize("13912345678", false).unwrap(),
            submitted_at: at("2026-11-23T02:00:00Z"),
            blacklisted: None,
            promoter_phone: normalize("13800000005", false).ok(),
            existing_customer: false,
            campaign_accepts_repurchase: false,
            protecting_lead: None,
            earlier_today_from_device: 0,
            earlier_today_from_ip: 0,
        }
    }

    #[test]
    fn settings_outside_their_ranges_are_named() {
        assert!(Rules::default().problems().is_empty());
        assert!(Rules { protection_days: 7, daily_cap: 1 }.problems().is_empty());
        assert!(Rules { protection_days: 90, daily_cap: 100 }.problems().is_empty());
        assert_eq!(
            Rules { protection_days: 6, daily_cap: 101 }.problems(),
            [RulesError::ProtectionDays { min: 7, max: 90 }, RulesError::DailyCap { min: 1, max: 100 }]
        );
    }

    #[test]
    fn a_shorter_window_and_a_lower_cap_apply() {
        let rules = Rules { protection_days: 7, daily_cap: 2 };
        let mut f = facts();
        f.protecting_lead = Some(ProtectingLead { id: 1, submitted_at: f.submitted_at - Duration::days(7) });
        assert_eq!(screen(&f, rules), Outcome::Pending);
        f.protecting_lead = Some(ProtectingLead { id: 1, submitted_at: f.submitted_at - Duration::days(6) });
        assert_eq!(screen(&f, rules), Outcome::Duplicate { of: 1 });
        let mut f = facts();
        f.earlier_today_from_ip = 2;
        assert_eq!(screen(&f, rules), Outcome::HeldDeviceCap);
    }

    #[test]
    fn a_clean_submission_is_pending() {
        assert_eq!(screen(&facts(), Rules::default()), Outcome::Pending);
    }

    #[test]
    fn blacklist_rejects_first() {
        for hit in [BlacklistHit::Phone, BlacklistHit::Device, BlacklistHit::Ip] {
            let mut f = facts();
            f.blacklisted = Some(hit);
            f.promoter_phone = Some(f.phone.clone()); // would also be a self-referral
            assert_eq!(screen(&f, Rules::default()), Outcome::Rejected(hit));
        }
    }

    #[test]
    fn self_referral_is_invalid() {
        let mut f = facts();
        f.promoter_phone = Some(f.phone.clone());
        assert_eq!(screen(&f, Rules::default()), Outcome::InvalidSelfReferral);
    }

    #[test]
    fn existing_customer_is_invalid_unless_the_campaign_takes_repurchases() {
        let mut f = facts();
        f.existing_customer = true;
        assert_eq!(screen(&f, Rules::default()), Outcome::InvalidExistingCustomer);
        f.campaign_accepts_repurchase = true;
        assert_eq!(screen(&f, Rules::default()), Outcome::Pending);
    }

    #[test]
    fn protection_window_edges() {
        let first = at("2026-10-01T04:00:00Z");
        let mut f = facts();
        f.protecting_lead = Some(ProtectingLead { id: 7, submitted_at: first });
        // 29 days 23:59 later: still protected → duplicate of the first lead.
        f.submitted_at = first + Duration::days(29) + Duration::hours(23) + Duration::minutes(59);
        assert_eq!(screen(&f, Rules::default()), Outcome::Duplicate { of: 7 });
        // 30 days later: a new lead.
        f.submitted_at = first + Duration::days(30);
        assert_eq!(screen(&f, Rules::default()), Outcome::Pending);
        // The window is a setting.
        f.submitted_at = first + Duration::days(8);
        assert_eq!(screen(&f, Rules { protection_days: 7, daily_cap: 5 }), Outcome::Pending);
        assert_eq!(screen(&f, Rules { protection_days: 90, daily_cap: 5 }), Outcome::Duplicate { of: 7 });
    }

    #[test]
    fn the_sixth_submission_of_the_day_is_held_not_lost() {
        let mut f = facts();
        f.earlier_today_from_device = 4; // this is the 5th
        assert_eq!(screen(&f, Rules::default()), Outcome::Pending);
        f.earlier_today_from_device = 5; // the 6th
        assert_eq!(screen(&f, Rules::default()), Outcome::HeldDeviceCap);
        f.earlier_today_from_device = 0;
        f.earlier_today_from_ip = 9;
        assert_eq!(screen(&f, Rules::default()), Outcome::HeldDeviceCap);
    }

    #[test]
    fn a_duplicate_from_a_capped_device_is_a_duplicate() {
        let mut f = facts();
        f.protecting_lead = Some(ProtectingLead { id: 3, submitted_at: f.submitted_at - Duration::days(1) });
        f.earlier_today_from_device = 10;
        assert_eq!(screen(&f, Rules::default()), Outcome::Duplicate { of: 3 });
    }

    proptest! {
        #[test]
        fn protection_is_exactly_the_window(days in 7i64..=90, offset_s in 0i64..(100 * 86_400)) {
            let first = at("2026-01-01T00:00:00Z");
            let now = first + Duration::seconds(offset_s);
            prop_assert_eq!(protects(first, now, days), offset_s < days * 86_400);
        }
    }
}

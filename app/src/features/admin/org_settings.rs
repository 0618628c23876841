//! Every setting an organization changes, on one screen: what it is, where PRODUCT.md says
//! so, what it may be, and whether it changes money (then it takes effect from a date).
use crate::features::admin::i18n::K;
use crate::features::rewards::engine::{LateSteps, LateStepsError};
use crate::features::scorecards::rules::Bands;
use crate::features::settlement::model::treatment_label;
use crate::features::settlement::tax::TaxTreatment;
use crate::plumbing::errors::{Label, Problem};
use crate::shared::money::{format_yuan, parse_yuan};
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// A setting on the settings screen; the spelling is its key in the database.
    pub enum SettingKey("setting") {
        FourEyes = "four_eyes",
        RulesFourEyes = "rules_four_eyes",
        SecondLevel = "second_level_rewards",
        AuditPercent = "audit_percent",
        MinimumPayout = "minimum_payout_fen",
        HoldingDays = "holding_days",
        TaxEmployee = "tax_treatment_employee",
        TaxPartner = "tax_treatment_partner",
        TaxCustomer = "tax_treatment_customer",
        LatePayment = "late_payment_steps",
        DraftDay = "settlement_draft_day",
        PayByDay = "settlement_pay_by_day",
        CouponMonths = "coupon_valid_months",
        ContentPerWeek = "content_per_week",
        HeroBoardSize = "hero_board_size",
        ScorecardCap = "scorecard_cap_percent",
        ParticipationWeight = "participation_weight",
        ScorecardGrades = "scorecard_grades",
    }
}

/// What a setting holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SettingKind {
    Switch,
    Number {
        min: i64,
        max: i64,
    },
    /// Yuan on the screen, fen in the database.
    Yuan,
    Treatment,
    /// Three `days:percent` steps.
    LateSteps,
    /// The scorecard's grade bands: `80:120, 70:100, 60:80, 0`.
    Grades,
}

impl SettingKey {
    pub fn kind(self) -> SettingKind {
        match self {
            SettingKey::FourEyes | SettingKey::RulesFourEyes | SettingKey::SecondLevel => SettingKind::Switch,
            SettingKey::AuditPercent => SettingKind::Number { min: 0, max: 100 },
            SettingKey::HoldingDays => SettingKind::Number { min: 0, max: 90 },
            SettingKey::MinimumPayout => SettingKind::Yuan,
            SettingKey::TaxEmployee | SettingKey::TaxPartner | SettingKey::TaxCustomer => SettingKind::Treatment,
            SettingKey::LatePayment => SettingKind::LateSteps,
            SettingKey::DraftDay | SettingKey::PayByDay => SettingKind::Number { min: 1, max: 28 },
            SettingKey::CouponMonths => SettingKind::Number { min: 1, max: 60 },
            SettingKey::ContentPerWeek => SettingKind::Number { min: 0, max: 21 },
            SettingKey::HeroBoardSize => SettingKind::Number { min: 3, max: 50 },
            SettingKey::ScorecardCap => SettingKind::Number { min: 100, max: 150 },
            SettingKey::ParticipationWeight => SettingKind::Number { min: 10, max: 20 },
            SettingKey::ScorecardGrades => SettingKind::Grades,
        }
    }

    /// What it is when nobody set it (the code's defaults).
    pub fn default_value(self) -> &'static str {
        match self {
            SettingKey::FourEyes => "1",
            SettingKey::AuditPercent => "10",
            SettingKey::HoldingDays
            | SettingKey::MinimumPayout
            | SettingKey::RulesFourEyes
            | SettingKey::SecondLevel => "0",
            SettingKey::TaxEmployee | SettingKey::TaxCustomer => "incidental",
            SettingKey::TaxPartner => "labour",
            SettingKey::LatePayment => "30:20, 60:50, 180:100",
            SettingKey::DraftDay => "5",
            SettingKey::PayByDay | SettingKey::HeroBoardSize => "10",
            SettingKey::CouponMonths => "12",
            SettingKey::ContentPerWeek => "3",
            SettingKey::ScorecardCap => "100",
            SettingKey::ParticipationWeight => "10",
            SettingKey::ScorecardGrades => "80:120, 70:100, 60:80, 0",
        }
    }

    /// A setting that changes money takes effect from a date.
    pub fn dated(self) -> bool {
        matches!(
            self,
            SettingKey::MinimumPayout
                | SettingKey::HoldingDays
                | SettingKey::SecondLevel
                | SettingKey::TaxEmployee
                | SettingKey::TaxPartner
                | SettingKey::TaxCustomer
                | SettingKey::LatePayment
        )
    }

    /// The reward terms: what collected money earns from the date on (the ledger re-accrues).
    pub fn changes_rewards(self) -> bool {
        matches!(self, SettingKey::HoldingDays | SettingKey::LatePayment | SettingKey::SecondLevel)
    }

    pub fn label(self) -> K {
        match self {
            SettingKey::FourEyes => K::SetFourEyes,
            SettingKey::RulesFourEyes => K::SetRulesFourEyes,
            SettingKey::SecondLevel => K::SetSecondLevel,
            SettingKey::AuditPercent => K::SetAuditPercent,
            SettingKey::MinimumPayout => K::SetMinimumPayout,
            SettingKey::HoldingDays => K::SetHoldingDays,
            SettingKey::TaxEmployee => K::SetTaxEmployee,
            SettingKey::TaxPartner => K::SetTaxPartner,
            SettingKey::TaxCustomer => K::SetTaxCustomer,
            SettingKey::LatePayment => K::SetLatePayment,
            SettingKey::DraftDay => K::SetDraftDay,
            SettingKey::PayByDay => K::SetPayByDay,
            SettingKey::CouponMonths => K::SetCouponMonths,
            SettingKey::ContentPerWeek => K::SetContentPerWeek,
            SettingKey::HeroBoardSize => K::SetHeroBoardSize,
            SettingKey::ScorecardCap => K::SetScorecardCap,
            SettingKey::ParticipationWeight => K::SetParticipationWeight,
            SettingKey::ScorecardGrades => K::SetScorecardGrades,
        }
    }

    /// Where PRODUCT.md says so.
    pub fn section(self) -> &'static str {
        match self {
            SettingKey::FourEyes => "§9",
            SettingKey::AuditPercent => "§2.10",
            SettingKey::LatePayment | SettingKey::CouponMonths | SettingKey::RulesFourEyes => "§3",
            SettingKey::DraftDay | SettingKey::PayByDay => "§2.11",
            SettingKey::ContentPerWeek => "§2.2",
            SettingKey::SecondLevel => "§5",
            SettingKey::ScorecardCap | SettingKey::ScorecardGrades | SettingKey::ParticipationWeight => "§7",
            SettingKey::HeroBoardSize => "§6",
            SettingKey::MinimumPayout
            | SettingKey::HoldingDays
            | SettingKey::TaxEmployee
            | SettingKey::TaxPartner
            | SettingKey::TaxCustomer => "§4",
        }
    }

    /// What was typed, as stored; the problem otherwise.
    pub fn check(self, typed: &str) -> Result<String, Problem> {
        let typed = crate::shared::text::fold_width(typed.trim());
        match self.kind() {
            SettingKind::Switch => match typed.as_str() {
                "1" | "on" | "true" => Ok("1".into()),
                "0" | "off" | "false" => Ok("0".into()),
                _ => Err(Problem::UnknownChoice),
            },
            SettingKind::Number { min, max } => match typed.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
                _ => Err(Problem::OutOfRange { min, max }),
            },
            SettingKind::Yuan => match parse_yuan(&typed) {
                Ok(fen) if fen >= 0 => Ok(fen.to_string()),
                Ok(_) => Err(Problem::NotPositive),
                Err(e) => Err(e.into()),
            },
            SettingKind::Treatment => {
                TaxTreatment::parse(&typed).map(|t| t.as_str().to_string()).ok_or(Problem::UnknownChoice)
            }
            SettingKind::LateSteps => LateSteps::parse(&typed).map(|s| s.format()).map_err(|e| match e {
                LateStepsError::Form => Problem::said(K::ProblemLateStepsForm),
                LateStepsError::Order => Problem::said(K::ProblemLateStepsOrder),
            }),
            SettingKind::Grades => Bands::parse(&typed).map(|b| b.format()).ok_or(Problem::said(K::ProblemGrades)),
        }
    }

    /// A stored value as the screen shows it.
    pub fn shown(self, stored: &str) -> Label {
        match self.kind() {
            SettingKind::Switch => Label::of(if stored == "0" { K::Off } else { K::On }),
            SettingKind::Yuan => {
                let text = format_yuan(stored.parse().unwrap_or(0));
                Label { zh: text.clone().into(), en: text.into() }
            }
            SettingKind::Treatment => {
                TaxTreatment::parse(stored).map(|t| Label::of(treatment_label(t))).unwrap_or_else(|| Label::of(K::Off))
            }
            SettingKind::Number { .. } | SettingKind::LateSteps | SettingKind::Grades => {
                Label { zh: stored.to_string().into(), en: stored.to_string().into() }
            }
        }
    }
}

/// A setting as the screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingView {
    pub key: SettingKey,
    /// In force today, as stored.
    pub value: String,
    pub shown: Label,
    /// Dated values still to come: (first day, value shown).
    pub scheduled: Vec<(String, Label)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_checks_what_was_typed() {
        assert_eq!(SettingKey::AuditPercent.check("１５"), Ok("15".into()));
        assert_eq!(SettingKey::AuditPercent.check("101"), Err(Problem::OutOfRange { min: 0, max: 100 }));
        assert_eq!(SettingKey::MinimumPayout.check("¥50.5"), Ok("5050".into()));
        assert!(SettingKey::MinimumPayout.check("abc").is_err());
        assert_eq!(SettingKey::TaxPartner.check("company"), Ok("company".into()));
        assert_eq!(SettingKey::TaxPartner.check("bribe"), Err(Problem::UnknownChoice));
        assert_eq!(SettingKey::FourEyes.check("0"), Ok("0".into()));
        for k in SettingKey::ALL {
            assert_eq!(k.check(k.default_value()).as_deref(), Ok(k.default_value()), "{k}");
        }
        assert_eq!(SettingKey::LatePayment.check("45：10，90：30，365：100"), Ok("45:10, 90:30, 365:100".into()));
        assert_eq!(SettingKey::LatePayment.check("30:20"), Err(Problem::said(K::ProblemLateStepsForm)));
        assert_eq!(SettingKey::DraftDay.check("29"), Err(Problem::OutOfRange { min: 1, max: 28 }));
    }

    /// Each setting is read by the feature it belongs to under the same key: a rename on
    /// either side fails here, not silently in production.
    #[test]
    fn the_screen_and_the_features_spell_each_key_alike() {
        use crate::features::{campaigns, dashboard, deals, settlement};
        assert_eq!(SettingKey::ContentPerWeek.as_str(), campaigns::content::PER_WEEK_SETTING);
        assert_eq!(SettingKey::LatePayment.as_str(), LateSteps::SETTING);
        assert_eq!(SettingKey::DraftDay.as_str(), settlement::model::DRAFT_DAY_SETTING);
        assert_eq!(SettingKey::PayByDay.as_str(), settlement::model::PAY_BY_DAY_SETTING);
        assert_eq!(SettingKey::CouponMonths.as_str(), deals::model::COUPON_MONTHS_SETTING);
        assert_eq!(SettingKey::HeroBoardSize.as_str(), dashboard::model::HERO_BOARD_SETTING);
        assert_eq!(SettingKey::FourEyes.as_str(), settlement::model::FOUR_EYES_SETTING);
        assert_eq!(SettingKey::RulesFourEyes.as_str(), crate::features::rewards::model::RULES_FOUR_EYES_SETTING);
        assert_eq!(SettingKey::SecondLevel.as_str(), crate::features::rewards::model::SECOND_LEVEL_SETTING);
        let defaults = [
            (SettingKey::ContentPerWeek, campaigns::content::PER_WEEK),
            (SettingKey::DraftDay, settlement::model::DRAFT_DAY),
            (SettingKey::PayByDay, settlement::model::PAY_BY_DAY),
            (SettingKey::CouponMonths, deals::model::COUPON_MONTHS),
            (SettingKey::HeroBoardSize, dashboard::model::HERO_BOARD_SIZE),
        ];
        for (key, default) in defaults {
            assert_eq!(key.default_value(), default.to_string(), "{key}");
        }
        assert_eq!(SettingKey::LatePayment.default_value(), LateSteps::default().format());
        assert_eq!(SettingKey::ScorecardGrades.as_str(), Bands::SETTING);
        assert_eq!(SettingKey::ParticipationWeight.as_str(), dashboard::participation::WEIGHT_SETTING);
        assert_eq!(
            SettingKey::ParticipationWeight.default_value(),
            dashboard::participation::WEIGHT_DEFAULT.to_string()
        );
        assert_eq!(SettingKey::ScorecardGrades.default_value(), Bands::default().format());
        assert_eq!(SettingKey::ScorecardCap.as_str(), crate::features::scorecards::rules::CAP_SETTING);
        assert_eq!(
            SettingKey::ScorecardCap.default_value(),
            crate::features::scorecards::rules::CAP_DEFAULT.to_string()
        );
    }
}

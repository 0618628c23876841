//! What crosses the wire for settlement: runs, statements and their lines, the promoter's
//! rewards; the closed sets of runs and payout files; the fields of the draft form.
pub use super::statements::CarryReason;
pub use super::tax::TaxTreatment;
use crate::features::deals::CouponRow;
use crate::features::rewards::engine::PromoterKind;
use crate::features::settlement::i18n::K;
use crate::plumbing::i18n::C;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of finance's settlement forms.
    pub enum Field {
        Period => "period", C::PeriodLabel;
        Scope => "scope", K::ScopeLabel;
        /// What finance does to a run.
        Step => "action", K::RunStepLabel;
        Method => "method", K::PayoutMethodLabel;
        Holder => "holder", K::HolderLabel;
        Account => "account", K::AccountLabel;
        Bank => "bank", K::BankLabel;
        Password => "password", K::ConfirmPasswordLabel;
    }
}

/// Organization setting: a run is approved by someone other than who drafted it (on unless
/// set to 0).
pub const FOUR_EYES_SETTING: &str = "four_eyes";

/// The organization's settlement calendar (PRODUCT.md §2.11): the previous period's run is
/// drafted from this day of the month (the 5th by default) and paid by that one (the 10th).
pub const DRAFT_DAY_SETTING: &str = "settlement_draft_day";
pub const PAY_BY_DAY_SETTING: &str = "settlement_pay_by_day";
pub const DRAFT_DAY: i64 = 5;
pub const PAY_BY_DAY: i64 = 10;

/// The day a run for `period` (`2026-11`, `2026-Q4`) is to be paid by: `pay_by_day` of the
/// month after it ends.
pub fn pay_by(period: &str, pay_by_day: i64) -> Option<chrono::NaiveDate> {
    let (_, last) = crate::shared::period::Period::parse_key(period)?.dates();
    let next = last + chrono::Duration::days(1);
    chrono::NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&next),
        chrono::Datelike::month(&next),
        pay_by_day.clamp(1, 28) as u32,
    )
}

crate::closed_set! {
    /// Where a promoter's money goes.
    pub enum PayoutMethod("payout method") {
        Bank = "bank",
        Wechat = "wechat",
        Alipay = "alipay",
    }
}

impl PayoutMethod {
    pub fn label(self) -> K {
        match self {
            PayoutMethod::Bank => K::MethodBank,
            PayoutMethod::Wechat => K::MethodWechat,
            PayoutMethod::Alipay => K::MethodAlipay,
        }
    }

    /// What is wrong with an account that does not fit the method.
    pub fn problem(self) -> K {
        match self {
            PayoutMethod::Bank => K::ProblemCardNumber,
            PayoutMethod::Wechat => K::ProblemWechatId,
            PayoutMethod::Alipay => K::ProblemAlipayAccount,
        }
    }
}

/// A promoter's payout account as they see it: masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutAccountView {
    pub method: Option<PayoutMethod>,
    pub holder: String,
    pub account_masked: String,
    pub bank: String,
}

crate::closed_set! {
    /// Who a run settles: employees monthly, partners quarterly. Customers get coupons.
    pub enum Scope("settlement scope") {
        Employee = "employee",
        Partner = "partner",
    }
}

impl Scope {
    pub fn kind(self) -> PromoterKind {
        match self {
            Scope::Employee => PromoterKind::Employee,
            Scope::Partner => PromoterKind::Partner,
        }
    }

    pub fn label(self) -> K {
        match self {
            Scope::Employee => K::ScopeEmployee,
            Scope::Partner => K::ScopePartner,
        }
    }
}

crate::closed_set! {
    /// Where a settlement run stands.
    pub enum RunStatus("run status") {
        /// Being drafted: its statements are not shown until it is a draft.
        Drafting = "drafting",
        Draft = "draft",
        /// Approved by finance: frozen.
        Approved = "approved",
        Paid = "paid",
    }
}

impl RunStatus {
    pub fn label(self) -> K {
        match self {
            RunStatus::Drafting => K::RunDrafting,
            RunStatus::Draft => K::RunDraft,
            RunStatus::Approved => K::RunApproved,
            RunStatus::Paid => K::RunPaid,
        }
    }
}

crate::closed_set! {
    /// What finance does to a run.
    pub enum RunStep("run step") {
        /// Draft → approved (frozen).
        Approve = "approve",
        /// Approved → paid; promoters are told.
        Paid = "paid",
    }
}

impl RunStep {
    /// Approving is finance's (or an admin's); marking money paid is finance's alone.
    pub fn access(self) -> crate::plumbing::access::Access {
        use crate::plumbing::access::Access;
        match self {
            RunStep::Approve => Access::Finance,
            RunStep::Paid => Access::Payout,
        }
    }
}

crate::closed_set! {
    /// What finance does that the audit log keeps.
    pub enum Audited("settlement audit action") {
        RunDrafted = "run.drafted",
        RunApproved = "run.approved",
        RunPaid = "run.paid",
        PayoutExported = "payout.exported",
        PayoutAccountChanged = "payout_account.changed",
    }
}

impl Audited {
    pub fn label(self) -> K {
        match self {
            Audited::RunDrafted => K::AuditRunDrafted,
            Audited::RunApproved => K::AuditRunApproved,
            Audited::RunPaid => K::AuditRunPaid,
            Audited::PayoutExported => K::AuditPayoutExported,
            Audited::PayoutAccountChanged => K::AuditPayoutAccountChanged,
        }
    }
}

crate::closed_set! {
    /// The payout files of an approved run.
    pub enum PayoutLayout("payout file") {
        /// Batch bank transfer.
        Bank = "bank",
        /// WeChat Pay / Alipay batch, by phone.
        Wallet = "wallet",
        /// Promoters taxed as wages, for payroll.
        Payroll = "payroll",
    }
}

pub fn treatment_label(t: TaxTreatment) -> K {
    match t {
        TaxTreatment::Incidental => K::TaxIncidental,
        TaxTreatment::Wages => K::TaxWages,
        TaxTreatment::Labour => K::TaxLabour,
        TaxTreatment::Company => K::TaxCompany,
        TaxTreatment::SoleProprietor => K::TaxSoleProprietor,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: i64,
    pub period: String,
    pub scope: Scope,
    pub status: RunStatus,
    pub statements: i64,
    pub gross_fen: i64,
    pub tax_fen: i64,
    pub net_fen: i64,
    pub drafted_at: String,
    /// Whether the reader may mark it paid (finance alone).
    pub may_mark_paid: bool,
    /// Promoters with money to receive and no payout account to receive it.
    pub missing_accounts: i64,
    /// `YYYY-MM-DD`: the organization pays by then.
    pub pay_by: String,
    /// Not paid and the pay-by day has passed.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementView {
    pub id: i64,
    pub run_id: i64,
    pub period: String,
    pub run_status: RunStatus,
    pub promoter: String,
    pub treatment: TaxTreatment,
    pub carried_in_fen: i64,
    pub gross_fen: i64,
    pub tax_fen: i64,
    pub net_fen: i64,
    pub carry_out_fen: i64,
    pub carry_reason: Option<CarryReason>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_paid_by_the_setting_day_of_the_month_after_its_period() {
        assert_eq!(pay_by("2026-11", 10).unwrap().to_string(), "2026-12-10");
        assert_eq!(pay_by("2026-12", 15).unwrap().to_string(), "2027-01-15");
        assert_eq!(pay_by("2026-Q4", 10).unwrap().to_string(), "2027-01-10");
        assert_eq!(pay_by("2026-13", 10), None);
    }
}

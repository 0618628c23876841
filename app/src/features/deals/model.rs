//! What crosses the wire for deals: the deal form and import rows, the deal list with its
//! payments, won leads waiting for their deal, coupons; their closed sets and form fields.
use crate::features::deals::i18n::K;
use crate::plumbing::i18n::C;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// The inputs of the deal form, the payment form, the import and code redemption.
    pub enum Field {
        OrderNo => "order_no", K::OrderNoLabel;
        Phone => "phone", C::PhoneLabel;
        Name => "name", C::NameLabel;
        Amount => "amount", K::AmountLabel;
        Cost => "cost", K::CostLabel;
        GrossProfit => "gross_profit", K::GrossProfitLabel;
        SignedOn => "signed_on", K::SignedOnLabel;
        DueOn => "due_on", K::DueOnLabel;
        ReferralCode => "referral_code", C::ReferralCodeLabel;
        Service => "service", K::ServiceLabel;
        /// The one-time code a phone received.
        Otp => "otp", C::OtpLabel;
        PaidOn => "paid_on", K::PaidOnLabel;
        /// A payment's own id in the order system (the API).
        PaymentId => "payment_id", K::PaymentIdLabel;
        /// The won lead a deal is recorded for.
        Selection => "ids", C::SelectedLeads;
        ImportFile => "file", K::ImportFileLabel;
    }
}

/// How long a coupon stays valid from the day it is issued, a setting (12 months by default).
pub const COUPON_MONTHS_SETTING: &str = "coupon_valid_months";
pub const COUPON_MONTHS: i64 = 12;

crate::closed_set! {
    /// What sales, finance and marketing do to deals that the audit log keeps.
    pub enum Audited("deals audit action") {
        DealRecorded = "deal.recorded",
        PaymentRecorded = "payment.recorded",
        RefundRecorded = "refund.recorded",
        CallBackDecided = "deal.call_back_decided",
    }
}

impl Audited {
    pub fn label(self) -> K {
        match self {
            Audited::DealRecorded => K::AuditDealRecorded,
            Audited::PaymentRecorded => K::AuditPaymentRecorded,
            Audited::RefundRecorded => K::AuditRefundRecorded,
            Audited::CallBackDecided => K::AuditCallBackDecided,
        }
    }
}

crate::closed_set! {
    /// A deal's call-back audit (回访抽检), PRODUCT.md §4.
    pub enum Audit("audit state") {
        NotSampled = "not_sampled",
        /// Sampled, waiting for the call-back: its rewards do not vest yet.
        Pending = "pending",
        Verified = "verified",
        Rejected = "rejected",
    }
}

impl Audit {
    pub fn label(self) -> K {
        match self {
            Audit::NotSampled => K::AuditNotSampled,
            Audit::Pending => K::AuditPending,
            Audit::Verified => K::AuditVerified,
            Audit::Rejected => K::AuditRejected,
        }
    }
}

crate::closed_set! {
    /// How a deal reached us.
    pub enum DealSource("deal source") {
        /// Recorded from a won lead.
        Lead = "lead",
        /// Typed in by sales.
        Manual = "manual",
        /// A CSV import.
        Import = "import",
        /// Pushed by an order system.
        Api = "api",
    }
}

crate::closed_set! {
    /// Where a coupon stands.
    pub enum CouponStatus("coupon status") {
        Issued = "issued",
        Redeemed = "redeemed",
        Expired = "expired",
    }
}

impl CouponStatus {
    pub fn label(self) -> K {
        match self {
            CouponStatus::Issued => K::CouponIssued,
            CouponStatus::Redeemed => K::CouponRedeemed,
            CouponStatus::Expired => K::CouponExpired,
        }
    }
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
    /// Who serves the customer (a staff member's phone or email): a split's service share.
    pub service: String,
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
    pub source: DealSource,
    pub audit: Audit,
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
    pub errors: Vec<(i64, Vec<crate::plumbing::errors::FieldError>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouponRow {
    pub code: String,
    pub amount_fen: i64,
    pub perk: bool,
    pub status: CouponStatus,
    pub expires_on: String,
    /// A first-order benefit that is a share of the order (0.1: 10%), `amount_fen` its cap.
    #[serde(default)]
    pub percent: Option<rust_decimal::Decimal>,
    /// What checkout took off the first order, once used.
    #[serde(default)]
    pub discount_fen: Option<i64>,
}

/// The deals page: won leads to record, the deals, and whether this user verifies audits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealsData {
    pub won: Vec<WonLead>,
    pub deals: Vec<DealRow>,
    pub can_audit: bool,
}

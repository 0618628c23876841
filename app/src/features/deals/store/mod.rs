//! Deals, payments, referral codes and coupons as stored.
pub mod codes;
pub mod deals;
pub mod import;
pub mod payments;

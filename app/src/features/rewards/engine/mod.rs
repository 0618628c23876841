//! The reward engine (激励规则), PRODUCT.md §3: a pure function from rules and facts to reward
//! lines. Every line carries its rule id and version, basis, rate, multiplier, deductions and
//! amount, and explains itself. Lines have stable keys so that settlement can tell what was
//! already paid from what changed since (refunds, audits, late facts).
//!
//! Deductions apply in this order: at or below cost → late payment → boost multiplier → audit
//! hold. Each line is rounded once to the fen; a split rounds the pool once and hands it out
//! by largest remainder.
mod compute;
mod defaults;
mod describe;
mod explain;
mod replay;
mod types;

pub use compute::{accrue, activity_lines, compute, late_percent, marginal, new_customer_benefit, tier_lines};
pub use defaults::default_rules;
pub use replay::{with_draft, Tally};
pub use types::*;

#[cfg(test)]
mod level_tests;
#[cfg(test)]
mod target_tests;
#[cfg(test)]
mod tests;

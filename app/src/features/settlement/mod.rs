//! Settlement (PRODUCT.md §4): runs drafted per period and scope, statements with every line
//! explained, withholding tax, carry-forward, approval (frozen), payout files, paid notices;
//! and the promoter's own rewards. Uses the features before it, rewards above all.
pub mod i18n;
pub mod ledger_check;
pub mod model;
pub mod my_rewards;
pub mod payout_account;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod runs;
pub mod statements;
#[cfg(feature = "ssr")]
pub mod store;
pub mod tax;

pub use model::*;

//! Scorecards (考核, PRODUCT.md §7, seeds 003 and 000): monthly and quarterly scorecards of the
//! marketing team, filled from the system's own figures and the manager's scores, graded, with
//! calibration, feedback and acknowledgement, the coaching plan, the CSV for HR. Uses the
//! dashboard's counters and the reward ledger.
pub mod card;
mod coaching_view;
mod forms;
pub mod i18n;
pub mod model;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod rules;
mod setup;
#[cfg(feature = "ssr")]
pub mod store;
pub mod team;
mod team_rows;

pub use model::*;

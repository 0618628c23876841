//! Dashboards (PRODUCT.md §6): marketing's live dashboard with every figure and its cuts and
//! CSV exports, the hero board, department targets, and the promoter's own numbers. Reads
//! every feature before it.
pub mod board;
pub mod charts;
pub mod heroes;
pub mod i18n;
pub mod live;
pub mod model;
pub mod my_numbers;
pub mod recount;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod targets;

pub use model::*;

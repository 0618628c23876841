//! Allhands: the Leptos app shared by the server (SSR) and the browser (hydration).
//!
//! Layers, each using only those below it (`docs/ARCHITECTURE.md`):
//! - `shell`: the document, routes and header; the one place that names every feature.
//! - `features`: one folder per capability, in the order of the flow.
//! - `plumbing`: errors, i18n core, roles, and on the server the database, state, events…
//! - `shared`: pure code (money, periods, phone numbers, text, closed sets).
pub mod features;
pub mod plumbing;
pub mod shared;
pub mod shell;

pub use shell::{shell, App};

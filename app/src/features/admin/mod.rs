//! Administration: people, their roles and departments, the outbox of messages sent, and what
//! an organization gets on its first start. Last in the chain: it may use any feature.
pub mod account;
#[cfg(feature = "ssr")]
pub mod api;
pub mod api_keys;
pub mod audit;
pub mod family;
pub mod i18n;
pub mod model;
pub mod org_settings;
pub mod people;
pub mod people_forms;
pub mod reset;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod settings_page;
pub mod setup;
pub mod staff_import;
#[cfg(feature = "ssr")]
pub mod staff_rows;
#[cfg(feature = "ssr")]
pub mod store;
pub mod webhooks;

pub use model::*;

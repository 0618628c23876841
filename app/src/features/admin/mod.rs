//! Administration: people, their roles and departments, the outbox of messages sent, and what
//! an organization gets on its first start. Last in the chain: it may use any feature.
pub mod i18n;
pub mod model;
pub mod people;
#[cfg(feature = "ssr")]
pub mod store;

pub use model::*;

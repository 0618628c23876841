//! People, departments and first-start seeding as stored.
pub mod account;
pub mod api_keys;
pub mod audit_log;
pub mod demo_activity;
pub mod family;
pub mod org_settings;
pub mod seed;
pub mod staff_import;
pub mod users;
pub mod webhooks;

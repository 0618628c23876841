//! People, departments and first-start seeding as stored.
pub mod seed;
pub mod users;

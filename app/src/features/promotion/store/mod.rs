//! Links, clicks and shares as stored.
pub mod clicks;
pub mod links;
pub mod stories;

//! Scorecards as stored.
pub mod cards;
pub mod coaching;
pub mod figures;
pub mod people;
pub mod scoring;
pub mod team;

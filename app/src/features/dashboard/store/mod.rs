//! The figures of PRODUCT.md §6 counted in the database, the hero board, targets, and the
//! promoter's own numbers.
pub mod active;
pub mod counted_clicks;
pub mod counters;
pub mod figures;
pub mod heroes;
pub mod my_numbers;
pub mod participation;
pub mod recount;
pub mod targets;

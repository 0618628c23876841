//! The features, one folder each, in the order of the flow. Each may use the features before
//! it (through their public items), never one after it; `docs/ARCHITECTURE.md` shows the chain
//! and `tests::architecture` enforces it.
pub mod admin;
pub mod campaigns;
pub mod dashboard;
pub mod deals;
pub mod leads;
pub mod promotion;
pub mod rewards;
pub mod scorecards;
pub mod settlement;

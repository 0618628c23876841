//! Reward rules and the facts the engine reads, as stored; vesting; redemption.
pub mod facts;
pub mod ledger;
pub mod publishing;
pub mod redeem;
pub mod replay;
pub mod revision;
pub mod rules;
pub mod verify;
pub mod vesting;

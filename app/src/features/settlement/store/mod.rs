//! Settlement runs, statements, tax treatments and payout files as stored.
pub mod draft;
pub mod held;
pub mod my_rewards;
pub mod payout;
pub mod payout_account;
pub mod runs;
pub mod tax;

//! Leads as stored: intake, lists, review, assignment, follow-up, the blacklist, the policy.
pub mod assignment;
pub mod blacklist;
pub mod counted;
pub mod follow_up;
pub mod intake;
pub mod list;
pub mod policy;
pub mod review;
pub mod thanks;
mod writer;

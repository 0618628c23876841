//! The pure rules of leads: screening (PRODUCT.md §2.5), assignment to reps, the 24-hour
//! first-contact response rate. No I/O; tested in place.
pub mod assignment;
pub mod response;
pub mod screening;

//! Campaigns, content, compliance words and uploaded images as stored.
pub mod campaigns;
pub mod compliance;
pub mod content;
pub mod media;

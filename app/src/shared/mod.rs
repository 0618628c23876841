//! Pure code every feature shares: money in fen, org-local periods, phone numbers, text
//! limits and closed sets. No I/O, no clocks, wasm-safe, tested in place. It names no feature.
pub mod closed_set;
pub mod money;
pub mod period;
pub mod phone;
pub mod text;

/// Something to pick from a list: a campaign, a department, a sales rep.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

//! Pure business rules: no I/O, no clocks, wasm-safe. Everything here is unit- and
//! property-tested in the same file.
pub mod assignment;
pub mod campaign;
pub mod compliance;
pub mod dashboard;
pub mod media;
pub mod money;
pub mod period;
pub mod phone;
pub mod response;
pub mod reward;
pub mod screening;
pub mod settlement;
pub mod tax;
pub mod text;

//! Administration screens.
pub mod account;
pub mod audit;

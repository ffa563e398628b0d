//! Administration screens.
pub mod account;
pub mod account_types;
pub mod audit;
pub mod authentication;
pub mod teams;
pub mod users;
pub mod webhooks;

//! Server functions, one module per screen: the admin pages' door onto the
//! service layer. Each begins by checking who is calling (`request::caller`
//! / `request::admin`) before it reads or writes anything, then calls one use
//! case of `crate::service` (or reads through `crate::service::store`).
pub mod account;
pub mod account_types;
pub mod activity;
pub mod allowlist;
pub mod attributes;
pub mod audit;
pub mod authentication;
pub mod documents;
pub mod mail;
pub mod mfa;
pub mod passwords;
pub mod provisioning;
#[cfg(feature = "ssr")]
pub mod request;
pub mod session;
pub mod setup;
pub mod teams;
pub mod users;
pub mod webhooks;

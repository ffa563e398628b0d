//! Server functions, one module per screen. Each begins by checking who is
//! calling (`auth::caller` / `auth::admin`) before it reads or writes anything.
pub mod account;
pub mod account_types;
pub mod audit;
pub mod authentication;
pub mod documents;
pub mod provisioning;
pub mod session;
pub mod setup;
pub mod teams;
pub mod users;
pub mod webhooks;

//! The HTTP integration suite: one test binary with a module per subject
//! (one binary compiles and links once, where sixteen linked the whole
//! server each; its tests also share the cores instead of running binary
//! after binary). A new file in tests/ is added here as a module: the
//! package turns off cargo's automatic test targets (server/Cargo.toml).
//! hashing.rs is a binary of its own: it sets a process-wide limit.
//! Run one subject with `cargo test -p server --test integration lifecycle::`.

mod common;

mod activity;
mod admin_pages;
mod administration;
mod allowlist;
mod attacks;
mod attacks_protocols;
mod attributes;
mod audit_log;
mod documents;
mod exports_under_load;
mod hangups;
mod hostile;
mod lifecycle;
mod mail;
mod mfa_and_guests;
mod multi_instance;
mod observability;
mod oidc;
mod operations;
mod operator;
mod passwords;
mod provisioning_tokens;
mod saml;
mod scim;
mod skeleton;
mod team_admins;
mod upgrade;
mod webhooks;

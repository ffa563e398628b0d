//! Gatehouse's application crate: the shared domain, the Leptos pages and
//! their server functions, and (with `ssr`) the store and session handling.
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod service;
/// The store, for the integration tests' fixtures only (feature `test-support`,
/// which only server's dev-dependencies turn on): in every other build no code
/// outside `service` can name it.
#[cfg(feature = "test-support")]
pub use service::store;

pub use pages::{shell, App};

/// The version shown on the Account page and in `gatehouse --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

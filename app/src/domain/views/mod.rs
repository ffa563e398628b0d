//! What the server sends to pages, one module per screen. Each view carries
//! what the caller may do with it, so a page draws only the controls the
//! server allows.
mod account;
mod account_types;
mod allowlist;
mod authentication;
mod session;
mod teams;
mod users;

pub use account::*;
pub use account_types::*;
pub use allowlist::*;
pub use authentication::*;
pub use session::*;
pub use teams::*;
pub use users::*;

use serde::{Deserialize, Serialize};

/// A choice in a picker: an id and what a person reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

//! Administration > Account Types.
use serde::{Deserialize, Serialize};

/// An account type as Administration > Account Types shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountTypeView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// "viewer", "creator" or "admin" for the built-in types.
    pub built_in: Option<String>,
    pub permissions: Vec<String>,
    pub user_count: i64,
    pub invite_default: bool,
    /// Holders administer the organization.
    pub administers: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    /// Whether it may be what new people get (never a type that administers).
    pub can_be_default: bool,
}

/// The input of the account type editor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountTypeInput {
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
}

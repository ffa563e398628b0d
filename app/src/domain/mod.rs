//! Types and rules shared by the pages and the server. Nothing here touches
//! the database, so it builds for the browser too.
pub mod audit;
pub mod csv;
pub mod document_views;
pub mod documents;
pub mod names;
pub mod password;
pub mod permissions;
pub mod sign_in;
pub mod views;

pub use names::{AccountTypeName, Email, OrgName, OrgSlug, PersonName, TeamName};
pub use permissions::{Permission, PermissionSet};
pub use sign_in::AuthMethod;

use serde::{Deserialize, Serialize};

/// Where a user or team is managed: here, or by the identity provider over SCIM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    Local,
    Scim,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::Scim => "scim",
        }
    }
    pub fn parse(s: &str) -> Origin {
        if s == "scim" { Origin::Scim } else { Origin::Local }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    Active,
    Inactive,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Inactive => "inactive",
        }
    }
    pub fn parse(s: &str) -> UserStatus {
        if s == "inactive" { UserStatus::Inactive } else { UserStatus::Active }
    }
}

/// A return path after sign-in is followed only when it stays on this site:
/// a single leading slash, no scheme, no backslashes (browsers treat `/\` as `//`).
pub fn safe_return_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2048;
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_site() {
        assert_eq!(safe_return_path("/acme/admin/account?x=1"), Some("/acme/admin/account?x=1"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "", "/a\nb"] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
    }
}

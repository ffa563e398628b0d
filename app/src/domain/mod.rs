//! Types and rules shared by the pages and the server. Nothing here touches
//! the database, so it builds for the browser too.
pub mod activity;
pub mod attributes;
pub mod audit;
pub mod csv;
pub mod document_views;
pub mod documents;
pub mod names;
pub mod password;
pub mod permissions;
pub mod sign_in;
pub mod views;
pub mod words;

pub use names::{AccountTypeName, Email, OrgName, OrgSlug, PersonName, TeamName};
pub use permissions::{Permission, PermissionSet};
pub use sign_in::{AuthMethod, MfaPolicy};

use serde::{Deserialize, Serialize};

/// A value the domain's rules refuse: which field, and what to do, in words a
/// person reads. The page shows it beside the field as the person types; the
/// service turns it into its error; nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &str, message: impl Into<String>) -> Invalid {
        Invalid { field: field.to_string(), message: message.into() }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where a user or team is managed: here, or by the identity provider over SCIM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
    /// Records the identity provider pushed are changed there, not here.
    pub fn is_managed_by_idp(self) -> bool {
        self == Origin::Scim
    }
}

impl TryFrom<String> for Origin {
    type Error = String;
    fn try_from(s: String) -> Result<Origin, String> {
        match s.as_str() {
            "local" => Ok(Origin::Local),
            "scim" => Ok(Origin::Scim),
            other => Err(format!("unknown origin “{other}”")),
        }
    }
}

/// Whether a person or a team is active (may sign in; shown in pickers) or deactivated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
        }
    }
    pub fn of(active: bool) -> Status {
        if active {
            Status::Active
        } else {
            Status::Inactive
        }
    }
    pub fn is_active(self) -> bool {
        self == Status::Active
    }
}

impl TryFrom<String> for Status {
    type Error = String;
    fn try_from(s: String) -> Result<Status, String> {
        match s.as_str() {
            "active" => Ok(Status::Active),
            "inactive" => Ok(Status::Inactive),
            other => Err(format!("unknown status “{other}”")),
        }
    }
}

/// Who sees a team: everyone in the organization (public, the default), or
/// only its members and the organization's administrators (private).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Private,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
        }
    }
    /// As a form sends it ("public" or "private").
    pub fn parse(field: &str, s: &str) -> Result<Visibility, Invalid> {
        Visibility::try_from(s.to_string()).map_err(|_| Invalid::new(field, "Choose Public or Private."))
    }
    pub fn is_private(self) -> bool {
        self == Visibility::Private
    }
}

impl TryFrom<String> for Visibility {
    type Error = String;
    fn try_from(s: String) -> Result<Visibility, String> {
        match s.as_str() {
            "public" => Ok(Visibility::Public),
            "private" => Ok(Visibility::Private),
            other => Err(format!("unknown visibility “{other}”")),
        }
    }
}

/// A return path after sign-in is followed only when it stays on this site:
/// a single leading slash, no scheme, no backslashes (browsers treat `/\` as `//`).
pub fn safe_return_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.chars().any(|c| c.is_control()) && next.len() <= 2048;
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_round_trip() {
        for o in [Origin::Local, Origin::Scim] {
            assert_eq!(Origin::try_from(o.as_str().to_string()), Ok(o));
        }
        for st in [Status::Active, Status::Inactive] {
            assert_eq!(Status::try_from(st.as_str().to_string()), Ok(st));
        }
        assert!(Status::try_from("Active".to_string()).is_err());
        for v in [Visibility::Public, Visibility::Private] {
            assert_eq!(Visibility::try_from(v.as_str().to_string()), Ok(v));
        }
        assert!(Visibility::parse("visibility", "secret").is_err());
    }

    #[test]
    fn return_paths_stay_on_site() {
        assert_eq!(safe_return_path("/acme/admin/account?x=1"), Some("/acme/admin/account?x=1"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "", "/a\nb"] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
    }
}

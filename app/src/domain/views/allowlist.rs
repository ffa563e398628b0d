//! Administration > Authentication > Allowed IP addresses.
use serde::{Deserialize, Serialize};

/// What a range applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeScope {
    /// Pages, sign-in, exports: everything a browser reaches.
    App,
    /// The SCIM API an identity provider calls.
    Scim,
    Both,
}

impl RangeScope {
    pub const ALL: [RangeScope; 3] = [RangeScope::Both, RangeScope::App, RangeScope::Scim];

    pub fn key(self) -> &'static str {
        match self {
            RangeScope::App => "app",
            RangeScope::Scim => "scim",
            RangeScope::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<RangeScope> {
        RangeScope::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RangeScope::App => "Gatehouse (pages, sign-in, exports)",
            RangeScope::Scim => "SCIM API",
            RangeScope::Both => "Gatehouse and the SCIM API",
        }
    }

    /// Whether a range of this scope lets a request of `of` through.
    pub fn covers(self, of: RangeScope) -> bool {
        self == RangeScope::Both || self == of
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllowedRange {
    pub id: String,
    pub cidr: String,
    pub scope: RangeScope,
    pub note: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Allowlist {
    pub ranges: Vec<AllowedRange>,
    /// The address this request came from, as the server sees it.
    pub your_address: String,
}

/// What adding ranges did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RangesAdded {
    pub added: usize,
    /// Ranges that were on the list already.
    pub already: Vec<String>,
}

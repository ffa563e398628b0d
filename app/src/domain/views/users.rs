//! Administration > Users, a person's page, and the invitation page.
use super::AuditEventView;
use super::Choice;
use serde::{Deserialize, Serialize};

/// One row of Administration > Users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type_id: String,
    pub account_type: String,
    pub teams: Vec<String>,
    pub status: crate::domain::Status,
    pub invite_pending: bool,
    pub origin: crate::domain::Origin,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub is_self: bool,
    #[serde(default)]
    pub is_guest: bool,
    /// An authenticator app is set up.
    #[serde(default)]
    pub mfa_enabled: bool,
}

impl UserSummary {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }
    /// The name, or the email for someone without one (an invitation).
    pub fn display_name_or_email(&self) -> String {
        let name = self.display_name();
        if name.is_empty() {
            self.email.clone()
        } else {
            name
        }
    }
    pub fn managed(&self) -> bool {
        self.origin.is_managed_by_idp()
    }
}

/// The query of the Users page; every field lives in the URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserQuery {
    pub search: String,
    /// An account type id, or empty for all.
    pub account_type: String,
    /// "active" (the default), "inactive", "invited" or "all".
    pub status: String,
    /// "name", "email", "last_login", "created", each optionally prefixed by "-".
    pub sort: String,
    pub page: u32,
    /// Rows per page: 25, 50 (the default, also for 0 or anything else) or 100.
    #[serde(default)]
    pub size: u32,
}

impl UserQuery {
    pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

    /// The page size asked for, when it is one offered; otherwise 50.
    pub fn page_size(&self) -> u32 {
        if Self::PAGE_SIZES.contains(&self.size) {
            self.size
        } else {
            50
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    pub total: i64,
    /// More people match than `total` (the list counts up to 10,000).
    pub more: bool,
    pub page: u32,
    pub page_count: u32,
    pub account_types: Vec<Choice>,
    /// The account types among `account_types` that administer the organization.
    pub admin_type_ids: Vec<String>,
    pub teams: Vec<Choice>,
    pub invite_default: String,
    pub me: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserSummary,
    pub team_choices: Vec<Choice>,
    /// The active teams they belong to, the identity provider's included.
    pub teams: Vec<TeamOfUser>,
    pub account_types: Vec<Choice>,
    /// The account types among `account_types` that administer the organization.
    pub admin_type_ids: Vec<String>,
    pub sign_ins: Vec<AuditEventView>,
    /// Managed by the IdP while provisioning is off: an admin may release it.
    pub can_release: bool,
}

/// A team a person belongs to, on their page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamOfUser {
    pub id: String,
    pub name: String,
    /// The identity provider sets its members; Gatehouse shows them read-only.
    pub managed: bool,
}

/// A one-time link that lets a new person choose their password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationLink {
    pub user_id: String,
    pub email: String,
    pub link: String,
    pub expires_at: String,
    /// Sent to the person by mail too (mail is set up).
    #[serde(default)]
    pub mailed: bool,
}

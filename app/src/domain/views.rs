//! What the server sends to pages. Each view carries what the caller may do
//! with it, so a page draws only the controls the server allows.
use serde::{Deserialize, Serialize};

/// The signed-in person, as their pages need them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub org_slug: String,
    pub org_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type: String,
    pub teams: Vec<String>,
    pub is_admin: bool,
}

impl Me {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }
    pub fn initials(&self) -> String {
        self.first_name.chars().take(1).chain(self.last_name.chars().take(1)).collect::<String>().to_uppercase()
    }
}

/// What the sign-in page shows before anyone is signed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoginInfo {
    pub org_slug: String,
    pub org_name: String,
    pub password_enabled: bool,
    pub sso_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupStatus {
    /// `Some(slug)` once an organization exists; setup is then closed.
    pub existing_org: Option<String>,
}

/// Administration > Account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub org_name: String,
    pub org_slug: String,
    pub account_url: String,
    pub base_url: String,
    pub deployment: String,
    pub version: String,
    pub database: String,
    pub created_at: String,
    pub user_count: i64,
    pub admin_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEventView {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub action_label: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEventView>,
    pub page: u32,
    pub page_count: u32,
    pub total: i64,
    /// Every action that can be filtered on, with its label.
    pub actions: Vec<(String, String)>,
}

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
    /// Who manages this person: Gatehouse, or the identity provider.
    pub origin: super::Origin,
    /// A guest: outside the identity provider, signs in with a password.
    #[serde(default)]
    pub is_guest: bool,
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
    /// Guests may sign in with a password even when the method is SAML only.
    #[serde(default)]
    pub guests_enabled: bool,
    /// A sign-in of this browser waits for its second step: "code" or "enrol".
    #[serde(default)]
    pub pending_step: Option<String>,
}

/// A person's multi-factor authentication, as their Profile page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MfaStatus {
    pub policy: crate::domain::MfaPolicy,
    /// An authenticator app is set up.
    pub enabled: bool,
    pub recovery_codes_left: i64,
}

/// An authenticator app being set up: scan the QR code, or type the key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MfaSetup {
    pub email: String,
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
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
    /// Days the audit log keeps events, whether the organization chose it, and the server's default.
    pub audit_retention_days: i64,
    pub audit_retention_chosen: bool,
    pub audit_retention_default: i64,
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
    /// A counted refusal: how many times it happened in its window (1 for other events)…
    pub repeat_count: i64,
    /// …and the latest of them, when more than one.
    pub last_at: Option<String>,
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

/// A choice in a picker: an id and what a person reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

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
    pub status: super::Status,
    pub invite_pending: bool,
    pub origin: super::Origin,
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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    pub total: i64,
    pub page: u32,
    pub page_count: u32,
    pub account_types: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub invite_default: String,
    pub me: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserSummary,
    pub team_choices: Vec<Choice>,
    pub team_ids: Vec<String>,
    pub account_types: Vec<Choice>,
    pub sign_ins: Vec<AuditEventView>,
    /// Managed by the IdP while provisioning is off: an admin may release it.
    pub can_release: bool,
}

/// A one-time link that lets a new person choose their password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationLink {
    pub user_id: String,
    pub email: String,
    pub link: String,
    pub expires_at: String,
}

/// What the invitation page shows before the person sets a password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub org_name: String,
    pub email: String,
    pub first_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    pub status: super::Status,
    pub origin: super::Origin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub account_type: String,
    pub status: super::Status,
    /// Invited and not yet signed in: shown "Invited", as on Users.
    pub invite_pending: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub team: TeamSummary,
    pub members: Vec<TeamMember>,
    /// Managed by the IdP while provisioning is off: an admin may release it.
    pub can_release: bool,
}

/// A provisioning token as the Authentication page lists it (never the token itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningToken {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningInfo {
    /// `<base>/scim/v2`, the Directory Base URL the identity provider needs.
    pub base_url: String,
    pub tokens: Vec<ProvisioningToken>,
    pub active_tokens: i64,
    pub managed_users: i64,
    pub managed_teams: i64,
}

/// A token just created: shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewProvisioningToken {
    pub name: String,
    pub token: String,
    pub base_url: String,
}

/// The identity provider's signing certificate, as read when it was saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    pub fingerprint_sha256: String,
    /// Expired, expiring within 30 days, or not valid yet.
    pub warning: Option<String>,
}

/// Administration > Authentication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthSettingsView {
    pub method: crate::domain::AuthMethod,
    pub idp_login_url: String,
    pub idp_certificate: String,
    pub idp_issuer: String,
    pub session_days: i64,
    pub certificate: Option<CertificateInfo>,
    /// What the identity provider needs.
    pub sp_entity_id: String,
    pub acs_url: String,
    pub metadata_url: String,
    /// When and by whom SSO was last shown to work for an admin with these settings.
    pub sso_verified_at: Option<String>,
    pub sso_verified_by: Option<String>,
    /// Seconds without activity after which a session ends; 0: never.
    pub idle_timeout_secs: i64,
    /// Sign-in started at the identity provider (its app dashboard) is accepted.
    pub allow_idp_initiated: bool,
    pub mfa_policy: crate::domain::MfaPolicy,
    pub allow_guests: bool,
}

/// What the Authentication page's Edit form sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthSettingsInput {
    pub method: String,
    pub idp_login_url: String,
    pub idp_certificate: String,
    pub idp_issuer: String,
    pub session_days: i64,
    /// 0 (never) or 300 to 43,200 seconds.
    #[serde(default)]
    pub idle_timeout_secs: i64,
    #[serde(default = "yes")]
    pub allow_idp_initiated: bool,
    /// "off", "optional" or "required".
    #[serde(default = "mfa_off")]
    pub mfa_policy: String,
    #[serde(default)]
    pub allow_guests: bool,
}

fn mfa_off() -> String {
    "off".into()
}

fn yes() -> bool {
    true
}

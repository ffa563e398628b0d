//! The signed-in person, the sign-in page, two-step verification, the first run.
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
    /// A team admin of at least one team: Administration shows them Teams.
    #[serde(default)]
    pub team_admin: bool,
    /// Who manages this person: Gatehouse, or the identity provider.
    pub origin: crate::domain::Origin,
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
    /// "Forgot password?" is offered: mail is set up and passwords are used.
    #[serde(default)]
    pub forgot_password: bool,
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

/// Profile's "Change password": whether the person can, or why not, and
/// what the rules compare a new password with (shown as it is typed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordStatus {
    pub can_change: bool,
    pub refused: Option<String>,
    pub rules: crate::domain::password::Context,
}

/// A password reset link as the administrator who made it sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetLink {
    pub user_id: String,
    pub email: String,
    pub link: String,
    pub expires_at: String,
    /// Sent to the person by mail (mail is set up).
    pub mailed: bool,
}

/// Reset links made at once, and the people left out (with why).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordResets {
    pub links: Vec<PasswordResetLink>,
    pub skipped: Vec<String>,
}

/// What the page of an invitation or a reset link shows before the person
/// chooses a password: whose, and the rules it follows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordLinkInfo {
    pub org_name: String,
    pub email: String,
    pub first_name: String,
    pub rules: crate::domain::password::Context,
}

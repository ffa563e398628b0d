//! Administration > Authentication: sign-in method, identity provider, provisioning.
use serde::{Deserialize, Serialize};

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
    /// The next certificate, accepted beside the current one while the
    /// identity provider rotates its key ("" when none).
    #[serde(default)]
    pub idp_next_certificate: String,
    #[serde(default)]
    pub next_certificate: Option<CertificateInfo>,
    /// When a sign-in signed with the next certificate was first seen.
    #[serde(default)]
    pub next_seen_at: Option<String>,
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
    /// With Required, people without an app get codes by email.
    #[serde(default)]
    pub mfa_email_codes: bool,
    /// This server can send mail (codes by email need it).
    #[serde(default)]
    pub mail_set_up: bool,
    pub allow_guests: bool,
    /// New passwords have at least this many characters.
    #[serde(default = "min_len")]
    pub password_min_length: i64,
    /// OpenID Connect: the provider's issuer, the client, whether a secret is
    /// stored (it is never shown again), the scopes and the email's claim.
    pub oidc_issuer: String,
    pub oidc_client_id: String,
    pub oidc_client_secret_set: bool,
    pub oidc_scopes: String,
    pub oidc_email_claim: String,
    /// What the provider needs: where it sends people back, and where its
    /// dashboard starts a sign-in ("initiate login URI").
    pub oidc_redirect_uri: String,
    pub oidc_initiate_login_uri: String,
    /// When and by whom OpenID Connect was last shown to work for an admin with these settings.
    pub oidc_verified_at: Option<String>,
    pub oidc_verified_by: Option<String>,
}

/// What the Authentication page's Edit form sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthSettingsInput {
    pub method: String,
    pub idp_login_url: String,
    pub idp_certificate: String,
    /// A second certificate accepted beside the first while the identity provider rotates ("" for none).
    #[serde(default)]
    pub idp_next_certificate: String,
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
    pub mfa_email_codes: bool,
    #[serde(default)]
    pub allow_guests: bool,
    /// 12 to 64; left out, 12.
    #[serde(default = "min_len")]
    pub password_min_length: i64,
    /// OpenID Connect's settings; each one left out (None) keeps what is stored.
    #[serde(default)]
    pub oidc: OidcInput,
}

/// The OpenID Connect part of the Edit form. A field left out keeps its
/// stored value; the client secret is only ever replaced (an empty one keeps it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OidcInput {
    /// The issuer, or its discovery URL (`…/.well-known/openid-configuration`).
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub scopes: Option<String>,
    #[serde(default)]
    pub email_claim: Option<String>,
}

fn mfa_off() -> String {
    "off".into()
}

fn min_len() -> i64 {
    crate::domain::password::MIN_LEN as i64
}

fn yes() -> bool {
    true
}

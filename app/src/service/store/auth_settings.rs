//! How an organization's people sign in: method, identity provider, session
//! length and inactivity timeout, whether sign-in may start at the identity provider.
use super::{now, Conn};
use sqlx::{Any, Executor};

row! {
    #[derive(Clone, Debug)]
    pub struct AuthSettingsRow {
        pub org_id: String,
        pub method: crate::domain::AuthMethod = auth_method,
        pub idp_login_url: String,
        pub idp_certificate: String,
        pub idp_issuer: String,
        pub session_days: i64,
        pub idp_changed_at: Option<String>,
        pub sso_verified_at: Option<String>,
        pub sso_verified_by: Option<String>,
        pub updated_at: String,
        /// Seconds without a request after which a session ends; 0: never.
        pub idle_timeout_secs: i64,
        /// Responses the identity provider sends unasked (sign-in started at its
        /// dashboard, as Okta's app tiles do) are accepted.
        pub allow_idp_initiated: bool = flag,
        pub mfa_policy: crate::domain::MfaPolicy = mfa_policy,
        /// Guests (people outside the identity provider, with a password) may sign in.
        pub allow_guests: bool = flag,
        /// A second certificate accepted beside the current one while the
        /// identity provider rotates its key ("" when none).
        pub idp_next_certificate: String,
        /// When a sign-in signed with the next certificate was first seen.
        pub idp_next_seen_at: Option<String>,
        /// OpenID Connect: the provider's issuer, as its discovery document names it.
        pub oidc_issuer: String,
        pub oidc_client_id: String,
        /// The client secret, sealed (`Keys::seal`, purpose `oidc-client-secret`); empty: none.
        pub oidc_client_secret_sealed: String,
        /// Space-separated, `openid` among them.
        pub oidc_scopes: String,
        /// The ID token claim that holds the person's email.
        pub oidc_email_claim: String,
        pub oidc_changed_at: Option<String>,
        /// When and by whom an admin last signed in through OpenID Connect with
        /// these settings (the lockout guard before OpenID Connect only).
        pub oidc_verified_at: Option<String>,
        pub oidc_verified_by: Option<String>,
        /// New passwords have at least this many characters (12 to 64).
        pub password_min_length: i64,
        /// With the policy Required and mail set up, people without an app get codes by email.
        pub mfa_email_codes: bool = flag,
    }
}

impl AuthSettingsRow {
    /// What an organization without a row has: password sign-in, 30-day sessions.
    pub fn defaults(org_id: &str) -> Self {
        AuthSettingsRow {
            org_id: org_id.to_string(),
            method: crate::domain::AuthMethod::Password,
            idp_login_url: String::new(),
            idp_certificate: String::new(),
            idp_issuer: String::new(),
            session_days: 30,
            idp_changed_at: None,
            sso_verified_at: None,
            sso_verified_by: None,
            updated_at: String::new(),
            idle_timeout_secs: 0,
            allow_idp_initiated: true,
            mfa_policy: crate::domain::MfaPolicy::Off,
            allow_guests: false,
            idp_next_certificate: String::new(),
            idp_next_seen_at: None,
            oidc_issuer: String::new(),
            oidc_client_id: String::new(),
            oidc_client_secret_sealed: String::new(),
            oidc_scopes: crate::domain::sign_in::DEFAULT_OIDC_SCOPES.into(),
            oidc_email_claim: crate::domain::sign_in::DEFAULT_OIDC_EMAIL_CLAIM.into(),
            oidc_changed_at: None,
            oidc_verified_at: None,
            oidc_verified_by: None,
            password_min_length: crate::domain::password::MIN_LEN as i64,
            mfa_email_codes: false,
        }
    }
}

const SELECT: &str = "SELECT org_id, method, idp_login_url, idp_certificate, idp_issuer, session_days, idp_changed_at, \
                      sso_verified_at, sso_verified_by, updated_at, idle_timeout_secs, allow_idp_initiated, mfa_policy, allow_guests, \
                      idp_next_certificate, idp_next_seen_at, \
                      oidc_issuer, oidc_client_id, oidc_client_secret_sealed, oidc_scopes, oidc_email_claim, oidc_changed_at, \
                      oidc_verified_at, oidc_verified_by, password_min_length, mfa_email_codes FROM auth_settings WHERE org_id = $1";

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str) -> sqlx::Result<AuthSettingsRow> {
    let row: Option<AuthSettingsRow> = sqlx::query_as(SELECT).bind(org_id).fetch_optional(ex).await?;
    Ok(row.unwrap_or_else(|| AuthSettingsRow::defaults(org_id)))
}

/// Writes every field (insert or update).
pub async fn save<'e>(ex: impl Executor<'e, Database = Any>, s: &AuthSettingsRow) -> sqlx::Result<()> {
    exec!(
        ex,
        "INSERT INTO auth_settings (org_id, method, idp_login_url, idp_certificate, idp_issuer, session_days, idp_changed_at, \
         sso_verified_at, sso_verified_by, updated_at, idle_timeout_secs, allow_idp_initiated, mfa_policy, allow_guests, idp_next_certificate, idp_next_seen_at, \
         oidc_issuer, oidc_client_id, oidc_client_secret_sealed, oidc_scopes, oidc_email_claim, oidc_changed_at, oidc_verified_at, oidc_verified_by, password_min_length, mfa_email_codes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26) \
         ON CONFLICT (org_id) DO UPDATE SET method = $2, idp_login_url = $3, idp_certificate = $4, idp_issuer = $5, \
         session_days = $6, idp_changed_at = $7, sso_verified_at = $8, sso_verified_by = $9, updated_at = $10, \
         idle_timeout_secs = $11, allow_idp_initiated = $12, mfa_policy = $13, allow_guests = $14, \
         idp_next_certificate = $15, idp_next_seen_at = $16, \
         oidc_issuer = $17, oidc_client_id = $18, oidc_client_secret_sealed = $19, oidc_scopes = $20, oidc_email_claim = $21, \
         oidc_changed_at = $22, oidc_verified_at = $23, oidc_verified_by = $24, password_min_length = $25, mfa_email_codes = $26",
        &s.org_id,
        s.method.as_str(),
        &s.idp_login_url,
        &s.idp_certificate,
        &s.idp_issuer,
        s.session_days,
        &s.idp_changed_at,
        &s.sso_verified_at,
        &s.sso_verified_by,
        now(),
        s.idle_timeout_secs,
        i64::from(s.allow_idp_initiated),
        s.mfa_policy.as_str(),
        i64::from(s.allow_guests),
        &s.idp_next_certificate,
        &s.idp_next_seen_at,
        &s.oidc_issuer,
        &s.oidc_client_id,
        &s.oidc_client_secret_sealed,
        &s.oidc_scopes,
        &s.oidc_email_claim,
        &s.oidc_changed_at,
        &s.oidc_verified_at,
        &s.oidc_verified_by,
        s.password_min_length,
        i64::from(s.mfa_email_codes)
    )
}

/// An admin signed in through OpenID Connect: OpenID Connect only may now be
/// enforced (until the provider settings change again).
pub async fn mark_oidc_verified(conn: &mut Conn, org_id: &str, admin_email: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE auth_settings SET oidc_verified_at = $1, oidc_verified_by = $2 WHERE org_id = $3", now(), admin_email, org_id)
}

/// An admin signed in through SSO: SAML-only may now be enforced (until the
/// identity provider settings change again).
pub async fn mark_sso_verified(conn: &mut Conn, org_id: &str, admin_email: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE auth_settings SET sso_verified_at = $1, sso_verified_by = $2 WHERE org_id = $3", now(), admin_email, org_id)
}

/// A sign-in signed with the next certificate: noted once (the first time).
pub async fn mark_next_seen(db: &super::Db, org_id: &str) -> sqlx::Result<()> {
    let mut tx = super::begin(db).await?;
    sqlx::query("UPDATE auth_settings SET idp_next_seen_at = $1 WHERE org_id = $2 AND idp_next_seen_at IS NULL AND idp_next_certificate <> ''").bind(now()).bind(org_id).execute(&mut *tx).await?;
    tx.commit().await
}

/// Every organization's certificates (current, next), for the expiry metric.
pub async fn certificates(db: &super::Db) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as("SELECT o.slug, a.idp_certificate, a.idp_next_certificate FROM auth_settings a JOIN organizations o ON o.id = a.org_id").fetch_all(db).await
}

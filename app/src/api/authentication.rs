//! Administration > Authentication: the sign-in method and the identity provider.
use crate::domain::views::{AuthSettingsInput, AuthSettingsView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::auth;
    pub use crate::domain::sign_in::{check_idp_url, MAX_SESSION_DAYS, MIN_SESSION_DAYS};
    pub use crate::domain::views::AuthSettingsView;
    pub use crate::domain::{audit, AuthMethod};
    pub use crate::error::{AppResult, ErrorKind};
    pub use crate::store::{self, auth_settings::AuthSettingsRow};
    pub use crate::sso;

    pub fn view(row: &AuthSettingsRow, base_url: &str, org_slug: &str) -> AuthSettingsView {
        let urls = sso::sp_urls(base_url, org_slug);
        let certificate = (!row.idp_certificate.is_empty())
            .then(|| sso::certificate_info(&row.idp_certificate, time::OffsetDateTime::now_utc()).ok())
            .flatten();
        AuthSettingsView {
            method: AuthMethod::parse(&row.method).unwrap_or(AuthMethod::Password),
            idp_login_url: row.idp_login_url.clone(),
            idp_certificate: row.idp_certificate.clone(),
            idp_issuer: row.idp_issuer.clone(),
            session_days: row.session_days,
            certificate,
            sp_entity_id: urls.entity_id,
            acs_url: urls.acs_url,
            metadata_url: urls.metadata_url,
            sso_verified_at: row.sso_verified_at.clone(),
            sso_verified_by: row.sso_verified_by.clone(),
        }
    }

    /// The Edit form's values, checked: the row to store, or the first problem.
    pub fn parse(input: &crate::domain::views::AuthSettingsInput, current: &AuthSettingsRow) -> AppResult<(AuthMethod, AuthSettingsRow)> {
        use crate::error::AppError;
        let method = AuthMethod::parse(&input.method)
            .ok_or_else(|| AppError::invalid("method", "Choose Password, SAML, or SAML or password."))?;
        if !(MIN_SESSION_DAYS..=MAX_SESSION_DAYS).contains(&input.session_days) {
            return Err(AppError::invalid(
                "session_days",
                format!("Session length is between {MIN_SESSION_DAYS} and {MAX_SESSION_DAYS} days."),
            ));
        }
        let url = input.idp_login_url.trim().to_string();
        if !url.is_empty() {
            check_idp_url(&url).map_err(|m| AppError::invalid("idp_login_url", m))?;
        }
        let certificate = if input.idp_certificate.trim().is_empty() {
            String::new()
        } else {
            let pem = sso::normalize_certificate(&input.idp_certificate).map_err(|m| AppError::invalid("idp_certificate", m))?;
            sso::certificate_info(&pem, time::OffsetDateTime::now_utc()).map_err(|m| AppError::invalid("idp_certificate", m))?;
            pem
        };
        let issuer = input.idp_issuer.trim().to_string();
        if issuer.len() > 1024 || issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::invalid("idp_issuer", "The issuer is the identity provider's entity ID: one word or URL, without spaces."));
        }
        if method.allows_sso() && url.is_empty() {
            return Err(AppError::invalid("idp_login_url", "SAML needs the identity provider login URL. Copy it from your identity provider's SAML setup."));
        }
        if method.allows_sso() && certificate.is_empty() {
            return Err(AppError::invalid("idp_certificate", "SAML needs the identity provider's X.509 certificate. Copy it from your identity provider's SAML setup."));
        }
        let idp_changed = url != current.idp_login_url || certificate != current.idp_certificate || issuer != current.idp_issuer;
        let mut row = current.clone();
        row.method = method.as_str().into();
        row.session_days = input.session_days;
        if idp_changed {
            row.idp_login_url = url;
            row.idp_certificate = certificate;
            row.idp_issuer = issuer;
            row.idp_changed_at = Some(store::now());
            // SSO must be shown to work again with the new settings.
            row.sso_verified_at = None;
            row.sso_verified_by = None;
        }
        Ok((method, row))
    }

    /// What changed, for the audit log.
    pub fn describe(before: &AuthSettingsRow, after: &AuthSettingsRow) -> String {
        let label = |m: &str| AuthMethod::parse(m).map(|m| m.label()).unwrap_or("?");
        let mut parts = Vec::new();
        if before.method != after.method {
            parts.push(format!("method: {} → {}", label(&before.method), label(&after.method)));
        }
        if before.idp_login_url != after.idp_login_url {
            parts.push(format!("IdP login URL: {}", if after.idp_login_url.is_empty() { "(none)" } else { &after.idp_login_url }));
        }
        if before.idp_certificate != after.idp_certificate {
            let fp = sso::certificate_info(&after.idp_certificate, time::OffsetDateTime::now_utc())
                .map(|i| i.fingerprint_sha256)
                .unwrap_or_else(|_| "(none)".into());
            parts.push(format!("IdP certificate: SHA-256 {fp}"));
        }
        if before.idp_issuer != after.idp_issuer {
            parts.push(format!("IdP issuer: {}", if after.idp_issuer.is_empty() { "(not checked)" } else { &after.idp_issuer }));
        }
        if before.session_days != after.session_days {
            parts.push(format!("session length: {} → {} days", before.session_days, after.session_days));
        }
        parts.join("; ")
    }
}

#[server(endpoint = "authentication")]
pub async fn load_authentication(org: String) -> Result<AuthSettingsView, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let st = auth::state();
    let row = store::auth_settings::get(&st.db, &c.org.id).await?;
    Ok(view(&row, &st.config.base_url, &c.org.slug))
}

/// Saves the Edit form. SAML needs a login URL and a certificate that parses;
/// SAML only needs an admin to have signed in through SSO with these settings
/// (the lockout guard; `gatehouse admin reset-auth` is the way back).
#[server(endpoint = "save_authentication", input = Json)]
pub async fn save_authentication(org: String, input: AuthSettingsInput) -> Result<AuthSettingsView, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let st = auth::state();
    let mut tx = store::begin(&st.db).await?;
    let current = store::auth_settings::get(&mut *tx, &c.org.id).await?;
    let (method, row) = parse(&input, &current)?;
    if method == AuthMethod::Saml && row.sso_verified_at.is_none() {
        let why = if current.sso_verified_at.is_some() {
            "The identity provider settings changed, so single sign-on must be shown to work again before it can be the only way in. \
             Save them with “SAML or password”, sign in with “Sign in with SSO” as an administrator, then choose SAML."
        } else {
            "SAML only would lock everyone out if single sign-on does not work. First save “SAML or password”, \
             sign in with “Sign in with SSO” as an administrator, then choose SAML."
        };
        return Err(AppError { kind: ErrorKind::Conflict, message: why.into(), field: Some("method".into()) });
    }
    let changes = describe(&current, &row);
    if !changes.is_empty() {
        store::auth_settings::save(&mut *tx, &row).await?;
        store::audit::record(&mut *tx, c.event(audit::AUTH_SETTINGS_CHANGED, "authentication", changes)).await?;
    }
    tx.commit().await?;
    Ok(view(&row, &st.config.base_url, &c.org.slug))
}

//! Administration > Authentication: the sign-in method and the identity provider.
use crate::domain::views::{AuthSettingsInput, AuthSettingsView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::request;
    pub use crate::domain::views::AuthSettingsView;
    pub use crate::domain::AuthMethod;
    pub use crate::service::sso;
    pub use crate::store::{self, auth_settings::AuthSettingsRow};

    pub fn view(row: &AuthSettingsRow, base_url: &str, org_slug: &str) -> AuthSettingsView {
        let urls = sso::sp_urls(base_url, org_slug);
        let certificate = (!row.idp_certificate.is_empty()).then(|| sso::certificate_info(&row.idp_certificate, time::OffsetDateTime::now_utc()).ok()).flatten();
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
            idle_timeout_secs: row.idle_timeout_secs,
            allow_idp_initiated: row.allow_idp_initiated,
            mfa_policy: row.mfa_policy,
            allow_guests: row.allow_guests,
        }
    }
}

#[server(endpoint = "authentication")]
pub async fn load_authentication(org: String) -> Result<AuthSettingsView, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let st = request::state();
    let row = store::auth_settings::get(&st.db, &c.org.id).await?;
    Ok(view(&row, &st.config.base_url, &c.org.slug))
}

/// Saves the Edit form (see `service::sso::save_settings` for its rules).
#[server(endpoint = "save_authentication", input = Json)]
pub async fn save_authentication(org: String, input: AuthSettingsInput) -> Result<AuthSettingsView, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let st = request::state();
    let row = sso::save_settings(&st.db, &c.actor(), &input).await?;
    Ok(view(&row, &st.config.base_url, &c.org.slug))
}

//! Administration > Authentication: the sign-in method and the identity provider.
use crate::domain::views::{AuthSettingsInput, AuthSettingsView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "authentication")]
pub async fn load_authentication(org: String) -> Result<AuthSettingsView, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    Ok(crate::service::sso::settings(&st.db, &st.config, &c).await?)
}

/// Saves the Edit form (see `service::sso::save_settings` for its rules).
#[server(endpoint = "save_authentication", input = Json)]
pub async fn save_authentication(org: String, input: AuthSettingsInput) -> Result<AuthSettingsView, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    let row = crate::service::sso::save_settings(&st.db, &st.keys, &st.oidc, &st.config, &c.actor(), &input).await?;
    Ok(crate::service::sso::view(&row, &st.config, &c.org.slug))
}

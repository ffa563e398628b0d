//! Administration > Authentication > Account Type and Team Provisioning.
use crate::domain::views::{NewProvisioningToken, ProvisioningInfo};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "provisioning")]
pub async fn load_provisioning(org: String) -> Result<ProvisioningInfo, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    Ok(crate::service::provisioning::overview(&st.db, &st.config.base_url, &c).await?)
}

/// The wizard's last step, and "Create another token": a new token, shown
/// this once. `acknowledged`: the setup guidance, which turning provisioning on needs.
#[server(endpoint = "create_provisioning_token")]
pub async fn create_provisioning_token(org: String, name: String, acknowledged: bool) -> Result<NewProvisioningToken, AppError> {
    use super::request;
    use crate::service::provisioning::{self, Guidance};
    let c = request::admin(&org).await?;
    let guidance = if acknowledged { Guidance::Acknowledged } else { Guidance::NotAcknowledged };
    let st = request::state();
    let token = provisioning::create_token(&st.db, &c.actor(), &name, (&c.user.id, &c.user.email), guidance).await?;
    Ok(NewProvisioningToken { name: name.trim().to_string(), token, base_url: format!("{}/scim/v2", st.config.base_url) })
}

#[server(endpoint = "revoke_provisioning_token")]
pub async fn revoke_provisioning_token(org: String, id: String) -> Result<(), AppError> {
    use super::request;
    use crate::service::provisioning;
    let c = request::admin(&org).await?;
    Ok(provisioning::revoke_token(&request::state().db, &c.actor(), &id).await?)
}

/// Returns records the identity provider managed to local management, once
/// provisioning is off (every token revoked): one user or team by id, or all.
#[server(endpoint = "release_managed")]
pub async fn release_managed(org: String, kind: String, id: Option<String>) -> Result<i64, AppError> {
    use super::request;
    use crate::service::provisioning::{self, Released};
    let c = request::admin(&org).await?;
    let kind = match kind.as_str() {
        "users" => Released::People,
        "teams" => Released::Teams,
        _ => return Err(AppError::invalid("kind", "Choose users or teams.")),
    };
    let n = provisioning::release(&request::state().db, &c.actor(), kind, id.as_deref()).await?;
    Ok(n as i64)
}

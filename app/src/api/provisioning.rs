//! Administration > Authentication > Account Type and Team Provisioning.
use crate::domain::views::{NewProvisioningToken, ProvisioningInfo};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "provisioning")]
pub async fn load_provisioning(org: String) -> Result<ProvisioningInfo, AppError> {
    use super::request;
    use crate::domain::views::ProvisioningToken;
    use crate::store;
    let c = request::admin(&org).await?;
    let st = request::state();
    let tokens = store::scim_tokens::list(&st.db, &c.org.id).await?;
    Ok(ProvisioningInfo {
        base_url: format!("{}/scim/v2", st.config.base_url),
        active_tokens: tokens.iter().filter(|t| t.revoked_at.is_none()).count() as i64,
        managed_users: store::users::managed_count(&st.db, &c.org.id).await?,
        managed_teams: store::teams::managed_count(&st.db, &c.org.id).await?,
        tokens: tokens
            .into_iter()
            .map(|t| ProvisioningToken {
                id: t.id,
                name: t.name,
                created_by: t.created_by_email,
                created_at: t.created_at.to_string(),
                last_used_at: t.last_used_at.map(|t| t.to_string()),
                revoked_at: t.revoked_at.map(|t| t.to_string()),
            })
            .collect(),
    })
}

/// The wizard's last step: a new token, shown this once.
#[server(endpoint = "create_provisioning_token")]
pub async fn create_provisioning_token(org: String, name: String, acknowledged: bool) -> Result<NewProvisioningToken, AppError> {
    use super::request;
    use crate::service::provisioning;
    let c = request::admin(&org).await?;
    if !acknowledged {
        return Err(AppError::invalid("acknowledged", "Confirm that you have read and understood the guidance first."));
    }
    let st = request::state();
    let token = provisioning::create_token(&st.db, &c.actor(), &name, (&c.user.id, &c.user.email)).await?;
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

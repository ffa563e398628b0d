//! Administration > Authentication > Account Type and Team Provisioning.
use crate::domain::views::{NewProvisioningToken, ProvisioningInfo};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "provisioning")]
pub async fn load_provisioning(org: String) -> Result<ProvisioningInfo, AppError> {
    use crate::domain::views::ProvisioningToken;
    use crate::{auth, store};
    let c = auth::admin(&org).await?;
    let st = auth::state();
    let tokens = store::scim_tokens::list(&st.db, &c.org.id).await?;
    let count = |table: &'static str| {
        let db = st.db.clone();
        let org_id = c.org.id.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND origin = 'scim' AND archived_at IS NULL"))
                .bind(org_id)
                .fetch_one(&db)
                .await
        }
    };
    Ok(ProvisioningInfo {
        base_url: format!("{}/scim/v2", st.config.base_url),
        active_tokens: tokens.iter().filter(|t| t.revoked_at.is_none()).count() as i64,
        managed_users: count("users").await?,
        managed_teams: count("teams").await?,
        tokens: tokens
            .into_iter()
            .map(|t| ProvisioningToken {
                id: t.id,
                name: t.name,
                created_by: t.created_by_email,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    })
}

/// The wizard's last step: a new token, shown this once.
#[server(endpoint = "create_provisioning_token")]
pub async fn create_provisioning_token(org: String, name: String, acknowledged: bool) -> Result<NewProvisioningToken, AppError> {
    use crate::auth;
    let c = auth::admin(&org).await?;
    if !acknowledged {
        return Err(AppError::invalid("acknowledged", "Confirm that you have read and understood the guidance first."));
    }
    let st = auth::state();
    let token = crate::provisioning::create_token(&st.db, &c.org, &name, (&c.user.id, &c.user.email), &c.user.email, &c.ip).await?;
    Ok(NewProvisioningToken { name: name.trim().to_string(), token, base_url: format!("{}/scim/v2", st.config.base_url) })
}

#[server(endpoint = "revoke_provisioning_token")]
pub async fn revoke_provisioning_token(org: String, id: String) -> Result<(), AppError> {
    use crate::domain::audit;
    use crate::{auth, store};
    let c = auth::admin(&org).await?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    let t = store::scim_tokens::get(&mut tx, &c.org.id, &id).await?.ok_or_else(|| AppError::not_found("That token does not exist."))?;
    if store::scim_tokens::revoke(&mut tx, &c.org.id, &id).await? {
        store::audit::record(&mut *tx, c.event(audit::PROVISIONING_TOKEN_REVOKED, &t.name, String::new())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Returns records the identity provider managed to local management, once
/// provisioning is off (every token revoked): one user or team by id, or all.
#[server(endpoint = "release_managed")]
pub async fn release_managed(org: String, kind: String, id: Option<String>) -> Result<i64, AppError> {
    use crate::domain::audit;
    use crate::{auth, store};
    let c = auth::admin(&org).await?;
    let st = auth::state();
    if store::scim_tokens::active_count(&st.db, &c.org.id).await? > 0 {
        return Err(AppError::new(
            crate::error::ErrorKind::Conflict,
            "Provisioning is still on. Revoke every provisioning token first; then records can return to local management.",
        ));
    }
    let table = match kind.as_str() {
        "users" => "users",
        "teams" => "teams",
        _ => return Err(AppError::invalid("kind", "Choose users or teams.")),
    };
    let mut tx = crate::store::begin(&st.db).await?;
    let mut sql = format!("UPDATE {table} SET origin = 'local', updated_at = $1 WHERE org_id = $2 AND origin = 'scim'");
    if id.is_some() {
        sql.push_str(" AND id = $3");
    }
    let mut q = sqlx::query(&sql).bind(store::now()).bind(&c.org.id);
    if let Some(id) = &id {
        q = q.bind(id);
    }
    let n = q.execute(&mut *tx).await?.rows_affected() as i64;
    store::audit::record(&mut *tx, c.event(audit::PROVISIONING_RELEASED, table, format!("{n} {table} now managed locally"))).await?;
    tx.commit().await?;
    Ok(n)
}

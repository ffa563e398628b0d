//! Administration > Account.
use crate::domain::views::AccountDetails;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "account_details")]
pub async fn load_account_details(org: String) -> Result<AccountDetails, AppError> {
    use crate::{auth, store};
    let c = auth::admin(&org).await?;
    let st = auth::state();
    let (user_count, admin_count) = store::users::count(&st.db, &c.org.id).await?;
    Ok(AccountDetails {
        account_url: st.config.org_url(&c.org.slug),
        base_url: st.config.base_url.clone(),
        deployment: "Self-hosted".into(),
        version: crate::VERSION.into(),
        database: st.config.backend.label().into(),
        org_name: c.org.name,
        org_slug: c.org.slug,
        created_at: c.org.created_at,
        user_count,
        admin_count,
    })
}

#[server(endpoint = "update_org_name")]
pub async fn update_org_name(org: String, name: String) -> Result<(), AppError> {
    use crate::domain::{audit, OrgName};
    use crate::{auth, store};
    let c = auth::admin(&org).await?;
    let name = OrgName::parse("name", &name)?;
    if name.as_str() == c.org.name {
        return Ok(());
    }
    let st = auth::state();
    let mut tx = crate::store::begin(&st.db).await?;
    store::orgs::rename(&mut *tx, &c.org.id, name.as_str()).await?;
    store::audit::record(
        &mut *tx,
        store::audit::Event {
            org_id: &c.org.id,
            actor_id: Some(&c.user.id),
            actor: &c.user.email,
            action: audit::ORG_UPDATED,
            target: &c.org.slug,
            detail: format!("Organization name: “{}” → “{}”", c.org.name, name.as_str()),
            ip: &c.ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! Administration > Account.
use crate::domain::views::AccountDetails;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "account_details")]
pub async fn load_account_details(org: String) -> Result<AccountDetails, AppError> {
    use super::request;
    use crate::store;
    let c = request::admin(&org).await?;
    let st = request::state();
    let (user_count, admin_count) = store::users::count(&st.db, &c.org.id).await?;
    Ok(AccountDetails {
        account_url: st.config.org_url(&c.org.slug),
        base_url: st.config.base_url.clone(),
        deployment: "Self-hosted".into(),
        version: crate::VERSION.into(),
        database: st.config.backend.label().into(),
        org_name: c.org.name,
        org_slug: c.org.slug,
        created_at: c.org.created_at.to_string(),
        user_count,
        admin_count,
    })
}

#[server(endpoint = "update_org_name")]
pub async fn update_org_name(org: String, name: String) -> Result<(), AppError> {
    use crate::domain::{audit, OrgName};
    use super::request;
    use crate::store;
    let c = request::admin(&org).await?;
    let name = OrgName::parse("name", &name)?;
    if name.as_str() == c.org.name {
        return Ok(());
    }
    let st = request::state();
    let mut tx = crate::store::begin(&st.db).await?;
    store::orgs::rename(&mut *tx, &c.org.id, name.as_str()).await?;
    let detail = format!("Organization name: “{}” → “{}”", c.org.name, name.as_str());
    store::audit::record(&mut *tx, c.actor().event(audit::ORG_UPDATED, &c.org.slug, detail)).await?;
    tx.commit().await?;
    Ok(())
}

//! Administration > SSO sign-in activity and Provisioning activity.
use crate::domain::activity::{ProvisioningPage, ProvisioningQuery, SsoActivityPage, SsoAttemptDetail};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The last SSO sign-ins, newest first: `outcome` "failed", "succeeded" or "" for all; `search` part of an email.
#[server(endpoint = "sso_activity")]
pub async fn load_sso_activity(org: String, outcome: String, search: String, page: u32, size: u32) -> Result<SsoActivityPage, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::sso_activity::page(&request::state().db, &c, &outcome, &search, page, size).await?)
}

/// One attempt, with the response decoded and its XML.
#[server(endpoint = "sso_attempt")]
pub async fn load_sso_attempt(org: String, id: String) -> Result<SsoAttemptDetail, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::sso_activity::detail(&request::state().db, &c, &id).await?)
}

/// The identity provider's SCIM requests the query selects, newest first.
#[server(endpoint = "provisioning_activity", input = Json)]
pub async fn load_provisioning_activity(org: String, query: ProvisioningQuery) -> Result<ProvisioningPage, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::provisioning_activity::page(&request::state().db, &c, &query).await?)
}

/// How long provisioning activity is kept, in days.
#[server(endpoint = "set_provisioning_retention")]
pub async fn set_provisioning_retention(org: String, days: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let days = days.trim().parse::<i64>().map_err(|_| AppError::invalid("provisioning_activity_days", "Enter a number of days."))?;
    Ok(crate::service::provisioning_activity::set_retention(&request::state().db, &c.actor(), &c.org.slug, days).await?)
}

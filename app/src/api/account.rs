//! Administration > Account.
use crate::domain::views::AccountDetails;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "account_details")]
pub async fn load_account_details(org: String) -> Result<AccountDetails, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    Ok(crate::service::account::details(&st.db, &st.config, &c).await?)
}

#[server(endpoint = "update_org_name")]
pub async fn update_org_name(org: String, name: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::account::rename(&request::state().db, &c.actor(), &c.org, &name).await?)
}

/// How long the audit log keeps events: a number of days, or empty for the server's default.
#[server(endpoint = "set_audit_retention")]
pub async fn set_audit_retention(org: String, days: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let days = match days.trim() {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| AppError::invalid("audit_retention_days", "Enter a number of days, or leave it empty for the server's default."))?),
    };
    Ok(crate::service::account::set_audit_retention(&request::state().db, &c.actor(), &c.org, days).await?)
}

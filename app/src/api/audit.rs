//! Administration > Audit log.
use crate::domain::views::AuditPage;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "audit_events")]
pub async fn load_audit_events(org: String, action: Option<String>, person: Option<String>, page: Option<u32>) -> Result<AuditPage, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::audit::page(&request::state().db, &c, action, person, page).await?)
}

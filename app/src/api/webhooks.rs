//! Export to webhook: the destinations an admin allows (Administration >
//! Account), and the export itself.
use crate::domain::document_views::WebhookResult;
use crate::domain::views::Choice;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "webhook_destinations")]
pub async fn load_webhook_destinations(org: String) -> Result<Vec<Choice>, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::webhooks::list_for_admin(&request::state().db, &c).await?)
}

#[server(endpoint = "allow_webhook")]
pub async fn allow_webhook(org: String, url: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    let url = crate::service::exports::webhook::check_destination(&url, st.config.webhook_allow_private).await?;
    Ok(crate::service::webhooks::allow(&st.db, &c.actor(), &url).await?)
}

#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(org: String, id: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::webhooks::remove(&request::state().db, &c.actor(), &id).await?)
}

/// Posts the document's rows as JSON to an allowed destination (see
/// `service::exports::to_webhook`).
#[server(endpoint = "export_webhook")]
pub async fn export_webhook(org: String, id: String, destination_id: String) -> Result<WebhookResult, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::exports::to_webhook(&request::state(), c, &id, &destination_id).await?)
}

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
    let url = crate::exports::webhook::check_destination(&url, st.config.webhook_allow_private).await?;
    Ok(crate::service::webhooks::allow(&st.db, &c.actor(), &url).await?)
}

#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(org: String, id: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::webhooks::remove(&request::state().db, &c.actor(), &id).await?)
}

/// Posts the document's rows as JSON to an allowed destination. Needs
/// `export_webhook` (403 otherwise) and room among the running exports (429);
/// where the destination leads is checked again before posting. Failures are
/// answered in plain words and audited.
#[server(endpoint = "export_webhook")]
pub async fn export_webhook(org: String, id: String, destination_id: String) -> Result<WebhookResult, AppError> {
    use crate::domain::{audit, documents::ExportFormat};
    use crate::exports::{self, webhook, Outcome};
    use super::request;
    use crate::service::{documents, exports as running};
    use crate::store;
    let c = request::caller(&org).await?;
    let st = request::state();
    let db = st.db.clone();
    let o = documents::open(&db, &c, &id).await?;
    let slot = running::begin(&db, &st.running_exports, &c, &o, ExportFormat::Webhook).await?;
    let dest = crate::service::webhooks::destination(&db, &c, &destination_id).await?;
    let shown = crate::service::webhooks::redact(&dest.url);
    let (outcome, failure, status) = match webhook::check(&dest.url, st.config.webhook_allow_private).await {
        Err(f) => {
            tracing::warn!(url = %shown, reason = %f.for_admin(), "webhook export refused");
            (Outcome::Failed(0), Some(f.message()), 0)
        }
        Ok(target) => {
            let (rx, done) = exports::start(&st, c.clone(), &o, ExportFormat::Webhook, slot, false);
            let sent = webhook::post(&target, reqwest::Body::wrap_stream(exports::body_stream(rx))).await;
            let outcome = done.await.unwrap_or(Outcome::Failed(0));
            let failure = match (&sent, outcome) {
                (_, Outcome::Failed(_)) => Some("reading the document's rows failed".to_string()),
                (_, Outcome::Stalled(_)) => Some(format!("the destination stopped reading for {} s", st.config.export_stall_timeout.as_secs())),
                (Ok(s), Outcome::Complete(_)) if (200..300).contains(s) => None,
                (Ok(s), Outcome::Complete(_)) => Some(format!("the destination answered HTTP {s}")),
                (Ok(s), _) => Some(format!("the destination answered HTTP {s} before receiving every row")),
                (Err(f), _) => Some(f.message()),
            };
            (outcome, failure, *sent.as_ref().unwrap_or(&0))
        }
    };
    let extra = format!(" to {shown}{}", failure.as_deref().map(|f| format!(": {f}")).unwrap_or_default());
    let action = if failure.is_some() { audit::EXPORT_FAILED } else { audit::EXPORTED };
    store::audit::record_now(&db, c.actor().event(action, &o.doc.name, exports::describe(ExportFormat::Webhook, outcome, &extra))).await?;
    match failure {
        None => Ok(WebhookResult { rows: outcome.rows(), status }),
        Some(f) => Err(AppError::new(crate::error::ErrorKind::Upstream, format!("The export to {shown} failed: {f}. Nothing was retried; check the destination and export again."))),
    }
}

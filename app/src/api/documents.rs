//! Documents: the landing page, a document's table, creating, saving, sharing,
//! uploading a CSV (the use cases and their permission checks are
//! `service::documents`'s).
use crate::domain::document_views::{DocumentPage, DocumentQuery, DocumentsHome};
use crate::domain::documents::TableView;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The landing page: My documents (with archived folders), team workspaces, shared with me.
#[server(endpoint = "documents")]
pub async fn load_documents(org: String) -> Result<DocumentsHome, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::home(&request::state().db, &c).await?)
}

/// One document: its table paged on the server, with what the caller may do.
#[server(endpoint = "document", input = Json)]
pub async fn load_document(org: String, id: String, query: DocumentQuery) -> Result<DocumentPage, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::page(&request::state().db, &c, &id, query).await?)
}

/// Creates a document over a dataset, in the caller's documents or in the
/// workspace of one of their teams.
#[server(endpoint = "create_document")]
pub async fn create_document(org: String, name: String, dataset_id: String, team_id: Option<String>) -> Result<String, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::create(&request::state().db, &c, &name, &dataset_id, team_id.as_deref()).await?)
}

/// Saves a document's name and view (columns, filters, sort).
#[server(endpoint = "save_document", input = Json)]
pub async fn save_document(org: String, id: String, name: String, view: TableView) -> Result<(), AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::save(&request::state().db, &c, &id, &name, view).await?)
}

/// Shares a document with a person (by email) or a team.
#[server(endpoint = "share_document")]
pub async fn share_document(org: String, id: String, email: Option<String>, team_id: Option<String>) -> Result<(), AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::share(&request::state().db, &c, &id, email.as_deref(), team_id.as_deref()).await?)
}

/// Uploads a CSV file as a new dataset; a malformed file is refused with the line that is wrong.
#[server(endpoint = "upload_csv")]
pub async fn upload_csv(org: String, name: String, csv: String) -> Result<String, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::upload_csv(&request::state().db, &c, &name, &csv).await?)
}

/// Saves a copy of a document into the caller's documents.
#[server(endpoint = "copy_document")]
pub async fn copy_document(org: String, id: String, name: String) -> Result<String, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::documents::copy(&request::state().db, &c, &id, &name).await?)
}

/// Sets the row rule of the document's dataset (administrators): rows whose
/// `column` equals (`op` "eq") or is one of (`op` "in") the reader's value of
/// the attribute. An empty `attribute_id` removes the rule.
#[server(endpoint = "set_row_rule")]
pub async fn set_row_rule(org: String, id: String, column: String, op: String, attribute_id: String) -> Result<(), AppError> {
    use super::request;
    use crate::domain::attributes::RuleOp;
    let c = request::admin(&org).await?;
    let rule = if attribute_id.is_empty() {
        None
    } else {
        let op = RuleOp::from_key(&op).ok_or_else(|| AppError::invalid("op", "Choose how the column compares: = or is one of."))?;
        Some((column.as_str(), op, attribute_id.as_str()))
    };
    Ok(crate::service::attributes::set_row_rule(&request::state().db, &c, &id, rule).await?)
}

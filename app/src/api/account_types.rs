//! Administration > Account Types.
use crate::domain::views::{AccountTypeInput, AccountTypeView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "account_types")]
pub async fn list_account_types(org: String) -> Result<Vec<AccountTypeView>, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::account_types::list(&request::state().db, &c).await?)
}

#[server(endpoint = "account_type")]
pub async fn get_account_type(org: String, id: String) -> Result<AccountTypeView, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::account_types::get(&request::state().db, &c, &id).await?)
}

/// Creates an account type (no `id`) or changes one. Admin cannot be changed.
#[server(endpoint = "save_account_type", input = Json)]
pub async fn save_account_type(org: String, id: Option<String>, input: AccountTypeInput) -> Result<String, AppError> {
    use super::request;
    use crate::service::account_types;
    let c = request::admin(&org).await?;
    let input = account_types::Input { name: &input.name, description: &input.description, permissions: &input.permissions };
    Ok(account_types::save(&request::state().db, &c.actor(), id.as_deref(), input).await?)
}

/// Deletes a custom account type that nobody holds.
#[server(endpoint = "delete_account_type")]
pub async fn delete_account_type(org: String, id: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::account_types::delete(&request::state().db, &c.actor(), &id).await?)
}

/// The account type new users get unless the admin picks another.
#[server(endpoint = "set_invite_default")]
pub async fn set_invite_default(org: String, id: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::account_types::set_invite_default(&request::state().db, &c.actor(), &id).await?)
}

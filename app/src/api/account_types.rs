//! Administration > Account Types.
use crate::domain::views::{AccountTypeInput, AccountTypeView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::request;
    pub use crate::domain::views::AccountTypeView;
    pub use crate::error::AppError;
    pub use crate::service::account_types;
    pub use crate::store::{self, account_types::ListedType};

    pub fn view(l: ListedType) -> AccountTypeView {
        let t = l.account_type;
        AccountTypeView {
            can_edit: account_types::can_edit(&t),
            can_delete: account_types::can_delete(&t),
            can_be_default: account_types::can_be_invite_default(&t),
            invite_default: t.invite_default,
            administers: t.administers,
            permissions: t.permissions.iter().map(|p| p.key().to_string()).collect(),
            id: t.id,
            name: t.name,
            description: t.description,
            built_in: t.built_in.map(|b| b.key().to_string()),
            user_count: l.user_count,
        }
    }
}

#[server(endpoint = "account_types")]
pub async fn list_account_types(org: String) -> Result<Vec<AccountTypeView>, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(store::account_types::list(&request::state().db, &c.org.id).await?.into_iter().map(view).collect())
}

#[server(endpoint = "account_type")]
pub async fn get_account_type(org: String, id: String) -> Result<AccountTypeView, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let t = store::account_types::get_listed(&request::state().db, &c.org.id, &id).await?.ok_or_else(|| AppError::from(account_types::not_found()))?;
    Ok(view(t))
}

/// Creates an account type (no `id`) or changes one. Admin cannot be changed.
#[server(endpoint = "save_account_type", input = Json)]
pub async fn save_account_type(org: String, id: Option<String>, input: AccountTypeInput) -> Result<String, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let input = account_types::Input { name: &input.name, description: &input.description, permissions: &input.permissions };
    Ok(account_types::save(&request::state().db, &c.actor(), id.as_deref(), input).await?)
}

/// Deletes a custom account type that nobody holds.
#[server(endpoint = "delete_account_type")]
pub async fn delete_account_type(org: String, id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(account_types::delete(&request::state().db, &c.actor(), &id).await?)
}

/// The account type new users get unless the admin picks another.
#[server(endpoint = "set_invite_default")]
pub async fn set_invite_default(org: String, id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(account_types::set_invite_default(&request::state().db, &c.actor(), &id).await?)
}

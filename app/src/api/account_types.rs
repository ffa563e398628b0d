//! Administration > Account Types.
use crate::domain::views::{AccountTypeInput, AccountTypeView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::auth::{self, Caller};
    pub use crate::domain::permissions::{Permission, PermissionSet};
    pub use crate::domain::views::AccountTypeView;
    pub use crate::domain::{audit, names::parse_description, AccountTypeName};
    pub use crate::error::{AppError, AppResult};
    pub use crate::store::{self, account_types::ListedType};

    pub fn view(t: ListedType) -> AccountTypeView {
        let is_admin = t.built_in.as_deref() == Some("admin");
        AccountTypeView {
            can_edit: !is_admin,
            can_delete: t.built_in.is_none(),
            invite_default: t.invite_default == 1,
            permissions: PermissionSet::from_json(&t.permissions).iter().map(|p| p.key().to_string()).collect(),
            id: t.id,
            name: t.name,
            description: t.description,
            built_in: t.built_in,
            user_count: t.user_count,
        }
    }

    /// Checks the editor's input: a valid name, known permission keys.
    pub fn parse(input: &crate::domain::views::AccountTypeInput) -> AppResult<(AccountTypeName, String, PermissionSet)> {
        let name = AccountTypeName::parse("name", &input.name)?;
        let description = parse_description("description", &input.description)?;
        let mut set = Vec::new();
        for k in &input.permissions {
            set.push(Permission::from_key(k).ok_or_else(|| AppError::invalid("permissions", format!("“{k}” is not a permission Gatehouse knows.")))?);
        }
        Ok((name, description, set.into_iter().collect()))
    }

    pub fn name_taken(name: &str) -> AppError {
        AppError::conflict("name", format!("An account type named “{name}” already exists. Names are compared without regard to case; choose another."))
    }

    pub fn summary(p: &PermissionSet) -> String {
        p.iter().map(|x| x.key()).collect::<Vec<_>>().join(", ")
    }

    pub async fn load(c: &Caller, id: &str) -> AppResult<ListedType> {
        store::account_types::get(&auth::state().db, &c.org.id, id)
            .await?
            .ok_or_else(|| AppError::not_found("That account type does not exist (it may have been deleted)."))
    }
}

#[server(endpoint = "account_types")]
pub async fn list_account_types(org: String) -> Result<Vec<AccountTypeView>, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    Ok(store::account_types::list(&auth::state().db, &c.org.id).await?.into_iter().map(view).collect())
}

#[server(endpoint = "account_type")]
pub async fn get_account_type(org: String, id: String) -> Result<AccountTypeView, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    Ok(view(load(&c, &id).await?))
}

/// Creates an account type (no `id`) or changes one. Admin cannot be changed.
#[server(endpoint = "save_account_type", input = Json)]
pub async fn save_account_type(org: String, id: Option<String>, input: AccountTypeInput) -> Result<String, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let (name, description, permissions) = parse(&input)?;
    let st = auth::state();
    let mut tx = crate::store::begin(&st.db).await?;
    if let Some(other) = store::account_types::by_name(&mut *tx, &c.org.id, name.as_str()).await? {
        if id.as_deref() != Some(other.id.as_str()) {
            return Err(name_taken(name.as_str()));
        }
    }
    let id = match id {
        None => {
            let id = store::account_types::insert(&mut tx, &c.org.id, name.as_str(), &description, &permissions).await?;
            store::audit::record(&mut *tx, c.event(audit::ACCOUNT_TYPE_CREATED, name.as_str(), format!("permissions: {}", summary(&permissions)))).await?;
            id
        }
        Some(id) => {
            let before = store::account_types::get(&mut *tx, &c.org.id, &id)
                .await?
                .ok_or_else(|| AppError::not_found("That account type does not exist (it may have been deleted)."))?;
            if before.built_in.as_deref() == Some("admin") {
                return Err(AppError::forbidden("The Admin account type holds every permission and cannot be changed."));
            }
            let old = PermissionSet::from_json(&before.permissions);
            let mut n = store::users::active_admins_except(&mut tx, &c.org.id, &[]).await?;
            if old.contains(Permission::Administer) && !permissions.contains(Permission::Administer) {
                let holders: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM users WHERE org_id = $1 AND account_type_id = $2 AND status = 'active'",
                )
                .bind(&c.org.id)
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
                n -= holders;
                if n < 1 {
                    return Err(AppError::invalid("permissions", "This would leave the organization without an active administrator. Keep “Administer the organization”, or give someone the Admin type first."));
                }
            }
            if before.built_in.is_some() && !name.as_str().eq_ignore_ascii_case(&before.name) {
                return Err(AppError::invalid("name", format!("{} is a built-in account type; its name cannot change.", before.name)));
            }
            store::account_types::update(&mut tx, &c.org.id, &id, name.as_str(), &description, &permissions).await?;
            store::audit::record(
                &mut *tx,
                c.event(
                    audit::ACCOUNT_TYPE_UPDATED,
                    name.as_str(),
                    format!("name: {} → {}; permissions: [{}] → [{}]", before.name, name.as_str(), summary(&old), summary(&permissions)),
                ),
            )
            .await?;
            id
        }
    };
    match tx.commit().await {
        Ok(()) => Ok(id),
        Err(e) if store::is_unique_violation(&e) => Err(name_taken(name.as_str())),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a custom account type that nobody holds.
#[server(endpoint = "delete_account_type")]
pub async fn delete_account_type(org: String, id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let t = load(&c, &id).await?;
    if t.built_in.is_some() {
        return Err(AppError::forbidden(format!("{} is a built-in account type and cannot be deleted.", t.name)));
    }
    let st = auth::state();
    let mut tx = crate::store::begin(&st.db).await?;
    let holders = store::account_types::holders(&mut tx, &c.org.id, &id, 5).await?;
    if !holders.is_empty() {
        let n = store::account_types::get(&mut *tx, &c.org.id, &id).await?.map(|t| t.user_count).unwrap_or(0);
        let more = if n > holders.len() as i64 { format!(" and {} more", n - holders.len() as i64) } else { String::new() };
        return Err(AppError::new(
            crate::error::ErrorKind::Conflict,
            format!(
                "“{}” is held by {n} {}: {}{more}. Give them another account type first.",
                t.name,
                if n == 1 { "user" } else { "users" },
                holders.join(", ")
            ),
        ));
    }
    if t.invite_default == 1 {
        return Err(AppError::new(crate::error::ErrorKind::Conflict, format!("“{}” is the invitation default. Make another type the default first.", t.name)));
    }
    store::account_types::delete(&mut tx, &c.org.id, &id).await?;
    store::audit::record(&mut *tx, c.event(audit::ACCOUNT_TYPE_DELETED, &t.name, format!("permissions: [{}]", summary(&PermissionSet::from_json(&t.permissions))))).await?;
    tx.commit().await?;
    Ok(())
}

/// The account type new users get unless the admin picks another.
#[server(endpoint = "set_invite_default")]
pub async fn set_invite_default(org: String, id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let t = load(&c, &id).await?;
    if PermissionSet::from_json(&t.permissions).contains(Permission::Administer) {
        return Err(AppError::invalid("account_type", format!("{} administers the organization, so it cannot be the invitation default. Give administrator rights to people one by one.", t.name)));
    }
    let st = auth::state();
    let mut tx = crate::store::begin(&st.db).await?;
    store::account_types::set_invite_default(&mut tx, &c.org.id, &id).await?;
    store::audit::record(&mut *tx, c.event(audit::INVITE_DEFAULT_CHANGED, &t.name, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

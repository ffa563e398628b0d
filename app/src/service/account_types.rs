//! Account types: what each kind of person may do. Viewer, Creator and Admin
//! are built in (Admin holds every permission and never changes; built-ins
//! keep their names and cannot be deleted); custom types are any subset.
use super::people::{keep_an_admin, Losing};
use super::{Actor, Error, Result};
use crate::domain::audit::{self, detail::Changes};
use crate::domain::permissions::{BuiltIn, Permission, PermissionSet};
use crate::domain::views::AccountTypeView;
use crate::domain::{names::parse_description, AccountTypeName};
use crate::service::store::{self, account_types::AccountTypeRow, Db};

/// What the account type editor sends, unchecked.
pub struct Input<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub permissions: &'a [String],
}

fn parse(input: &Input<'_>) -> Result<(AccountTypeName, String, PermissionSet)> {
    let name = AccountTypeName::parse("name", input.name)?;
    let description = parse_description("description", input.description)?;
    let mut set = Vec::new();
    for k in input.permissions {
        set.push(Permission::from_key(k).ok_or_else(|| Error::invalid("permissions", format!("“{k}” is not a permission Gatehouse knows.")))?);
    }
    Ok((name, description, set.into_iter().collect()))
}

fn name_taken(name: &str) -> Error {
    Error::taken("name", format!("An account type named “{name}” already exists. Names are compared without regard to case; choose another."))
}

pub fn not_found() -> Error {
    Error::not_found("That account type does not exist (it may have been deleted).")
}

fn summary(p: &PermissionSet) -> String {
    p.iter().map(|x| x.key()).collect::<Vec<_>>().join(", ")
}

/// Whether administrators may edit the type (Admin never changes).
pub fn can_edit(t: &AccountTypeRow) -> bool {
    t.built_in != Some(BuiltIn::Admin)
}

/// Whether administrators may delete the type (custom types only, and only while nobody holds it).
pub fn can_delete(t: &AccountTypeRow) -> bool {
    t.built_in.is_none()
}

/// Whether the type may be what new people get by default (never one that administers).
pub fn can_be_invite_default(t: &AccountTypeRow) -> bool {
    !t.administers
}

/// Creates an account type (no `id`) or changes one; returns its id.
pub async fn save(db: &Db, actor: &Actor, id: Option<&str>, input: Input<'_>) -> Result<String> {
    let (name, description, permissions) = parse(&input)?;
    let mut tx = super::begin(db).await?;
    // Who holds which type and what it allows are checked together with
    // assignments (guests never administer; a type in use is not deleted):
    // these use cases take turns on the organization's row.
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    if let Some(other) = store::account_types::by_name(&mut *tx, &actor.org_id, name.as_str()).await? {
        if id != Some(other.id.as_str()) {
            return Err(name_taken(name.as_str()));
        }
    }
    let id = match id {
        None => {
            let id = store::account_types::insert(&mut tx, &actor.org_id, name.as_str(), &description, &permissions).await?;
            store::audit::record(&mut *tx, actor.event(audit::ACCOUNT_TYPE_CREATED, name.as_str(), format!("permissions: {}", summary(&permissions)))).await?;
            id
        }
        Some(id) => {
            let before = store::account_types::get(&mut *tx, &actor.org_id, id).await?.ok_or_else(not_found)?;
            if !can_edit(&before) {
                return Err(Error::forbidden("The Admin account type holds every permission and cannot be changed."));
            }
            if before.built_in.is_some() && !name.as_str().eq_ignore_ascii_case(&before.name) {
                return Err(Error::invalid("name", format!("{} is a built-in account type; its name cannot change.", before.name)));
            }
            if before.invite_default && permissions.administers() {
                return Err(Error::invalid("permissions", format!("“{}” is the invitation default, so it cannot administer the organization. Make another type the default first.", before.name)));
            }
            if !before.administers && permissions.administers() && store::account_types::guest_holders(&mut tx, &actor.org_id, id).await? > 0 {
                return Err(Error::invalid("permissions", format!("Guests hold “{}”, and guests never administer. Give them another account type first.", before.name)));
            }
            if before.administers && !permissions.administers() {
                keep_an_admin(&mut tx, &actor.org_id, Losing::HoldersOf(id)).await.map_err(|e| Error {
                    message: "This would leave the organization without an active administrator. Keep “Administer the organization”, or give someone the Admin type first.".into(),
                    ..e.on("permissions")
                })?;
            }
            let changes = Changes::new().name(&before.name, name.as_str()).permissions(&before.permissions, &permissions).description(&before.description, &description);
            // A save that changes nothing writes nothing, and is not in the audit log.
            if !changes.is_empty() {
                store::account_types::update(&mut tx, &actor.org_id, id, name.as_str(), &description, &permissions).await?;
                store::audit::record(&mut *tx, actor.event(audit::ACCOUNT_TYPE_UPDATED, name.as_str(), changes.detail())).await?;
            }
            id.to_string()
        }
    };
    match tx.commit().await {
        Ok(()) => Ok(id),
        Err(e) if store::is_unique_violation(&e) => Err(name_taken(name.as_str())),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a custom account type that nobody holds and that is not the invitation default.
pub async fn delete(db: &Db, actor: &Actor, id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    let t = store::account_types::get(&mut *tx, &actor.org_id, id).await?.ok_or_else(not_found)?;
    if !can_delete(&t) {
        return Err(Error::forbidden(format!("{} is a built-in account type and cannot be deleted.", t.name)));
    }
    let (holders, n) = store::account_types::holders(&mut tx, &actor.org_id, id, 5).await?;
    if n > 0 {
        let more = if n > holders.len() as i64 { format!(" and {} more", n - holders.len() as i64) } else { String::new() };
        return Err(Error::conflict(format!("“{}” is held by {n} {}: {}{more}. Give them another account type first.", t.name, if n == 1 { "user" } else { "users" }, holders.join(", "))));
    }
    if t.invite_default {
        return Err(Error::conflict(format!("“{}” is the invitation default. Make another type the default first.", t.name)));
    }
    store::account_types::delete(&mut tx, &actor.org_id, id).await?;
    store::audit::record(&mut *tx, actor.event(audit::ACCOUNT_TYPE_DELETED, &t.name, format!("permissions: [{}]", summary(&t.permissions)))).await?;
    tx.commit().await?;
    Ok(())
}

/// The account type new people get unless the admin picks another.
pub async fn set_invite_default(db: &Db, actor: &Actor, id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let t = store::account_types::get(&mut *tx, &actor.org_id, id).await?.ok_or_else(not_found)?;
    if !can_be_invite_default(&t) {
        return Err(Error::invalid("account_type", format!("“{}” administers the organization, so it cannot be the invitation default: choose administrators one by one.", t.name)));
    }
    if t.invite_default {
        return Ok(());
    }
    store::account_types::set_invite_default(&mut tx, &actor.org_id, id).await?;
    store::audit::record(&mut *tx, actor.event(audit::INVITE_DEFAULT_CHANGED, &t.name, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

fn view(l: store::account_types::ListedType) -> AccountTypeView {
    let t = l.account_type;
    AccountTypeView {
        can_edit: can_edit(&t),
        can_delete: can_delete(&t),
        can_be_default: can_be_invite_default(&t),
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

/// Administration > Account Types: every type, with how many people hold it.
pub async fn list(db: &Db, c: &super::access::Caller) -> Result<Vec<AccountTypeView>> {
    Ok(store::account_types::list(db, &c.org.id).await?.into_iter().map(view).collect())
}

/// One account type, for its editor.
pub async fn get(db: &Db, c: &super::access::Caller, id: &str) -> Result<AccountTypeView> {
    Ok(view(store::account_types::get_listed(db, &c.org.id, id).await?.ok_or_else(not_found)?))
}

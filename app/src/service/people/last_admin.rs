//! The rules about administrators every door shares.
use super::super::{Error, Result};
use crate::service::store::{self, Conn};

/// Whose admin-ness a change ends: these people, or everyone holding an account type.
pub(crate) enum Losing<'a> {
    People(&'a [String]),
    HoldersOf(&'a str),
}

/// The last-admin rule, in one place: after the change the organization
/// still has an active person whose account type administers it. Runs inside
/// the change's transaction, which it serializes with every other such change
/// of the organization (see `store::users::active_admins_except`).
pub(crate) async fn keep_an_admin(tx: &mut Conn, org_id: &str, losing: Losing<'_>) -> Result<()> {
    let remaining = match losing {
        Losing::People([]) => return Ok(()),
        Losing::People(ids) => store::users::active_admins_except(tx, org_id, ids, None).await?,
        Losing::HoldersOf(type_id) => store::users::active_admins_except(tx, org_id, &[], Some(type_id)).await?,
    };
    if remaining < 1 {
        return Err(Error::last_admin());
    }
    Ok(())
}

/// The rule that guests never administer.
pub(crate) fn guest_admin(type_name: &str) -> Error {
    Error::invalid("account_type", format!("Guests cannot hold “{type_name}”: it administers the organization. Choose an account type without “Administer the organization”."))
}

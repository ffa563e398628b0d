//! People, through their whole life: invited by an administrator (or created
//! at first run), or created by the identity provider; account type changes;
//! deactivated (their documents move to someone else) and reactivated;
//! deleted by the identity provider (archived) and provisioned again.
//!
//! - `admin`: what administrators do on the Users pages;
//! - `idp`: what the identity provider does through SCIM;
//! - `last_admin`: the rules both share — the organization keeps an active
//!   administrator, guests never administer;
//! - `pages`: the Users list, a person's page, the member picker.
//!
//! People the identity provider manages change only through it
//! (`Actor::may_change`: the store's writers of a person take what it gives).
mod admin;
mod idp;
mod last_admin;
mod pages;

pub use super::provisioning::Outcome;
pub use admin::*;
pub use idp::*;
pub(crate) use last_admin::{guest_admin, keep_an_admin, Losing};
pub use pages::*;

use super::{documents, Actor, Error, Result, Writable};
use crate::domain::audit;
use crate::domain::Status;
use crate::service::store::{self, users::UserRow, Conn};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;
/// The most people one bulk action or invitation may name.
pub const MAX_AT_ONCE: usize = 1000;
pub const MAX_INVITED_AT_ONCE: usize = 500;

/// The people a bulk action names, all of this organization; unknown ids are an error.
pub(super) async fn targets(tx: &mut Conn, org_id: &str, ids: &[String]) -> Result<Vec<UserRow>> {
    if ids.is_empty() {
        return Err(Error::invalid("users", "Choose at least one user."));
    }
    if ids.len() > MAX_AT_ONCE {
        return Err(Error::invalid("users", format!("Choose at most {MAX_AT_ONCE} users at a time.")));
    }
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let users = store::users::by_ids(tx, org_id, &ids).await?;
    if users.len() != ids.len() {
        return Err(Error::not_found("Some of these users no longer exist. Reload the page and try again."));
    }
    Ok(users)
}

pub(super) async fn target(tx: &mut Conn, org_id: &str, id: &str) -> Result<UserRow> {
    Ok(targets(tx, org_id, std::slice::from_ref(&id.to_string())).await?.remove(0))
}

/// The people a bulk action names, as ones `actor` may change (see `Actor::may_change`).
pub(super) async fn writable_targets(tx: &mut Conn, actor: &Actor, ids: &[String], what: &str) -> Result<Vec<Writable<UserRow>>> {
    targets(tx, &actor.org_id, ids).await?.into_iter().map(|u| actor.may_change(u, |u| format!("{}'s {what}", u.email))).collect()
}

/// Ends a person's access: inactive at once (their sessions end with their
/// next request) and their documents to `to`. `how` begins the audit detail.
pub(super) async fn end_access(tx: &mut Conn, actor: &Actor, u: &Writable<UserRow>, to: (&str, &str), how: &str) -> Result<()> {
    store::users::set_status(tx, u, Status::Inactive).await?;
    end_access_recorded(tx, actor, person(u), to, how).await
}

/// The audit entry and the document transfer of a deactivation whose status is already written.
pub(super) async fn end_access_recorded(tx: &mut Conn, actor: &Actor, u: (&str, &str, &str, &str), to: (&str, &str), how: &str) -> Result<()> {
    store::audit::record(&mut *tx, actor.event(audit::USER_DEACTIVATED, u.3, format!("{how}documents go to {}", to.1))).await?;
    documents::transfer_user(tx, actor, u, to.0, &format!("to {}", to.1)).await
}

pub(super) fn person(u: &UserRow) -> (&str, &str, &str, &str) {
    (&u.id, &u.first_name, &u.last_name, &u.email)
}

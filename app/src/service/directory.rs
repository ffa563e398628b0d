//! The directory as the identity provider reads it over SCIM: people and
//! teams with what SCIM shows of them, found by a typed filter (the SCIM door
//! turns a SCIM filter into `Filter`; the store turns it into SQL with bound
//! values). Every read is of the organization the provisioning token acts for.
use super::{Actor, Result};
pub use crate::service::store::directory::{Field, Filter, GroupEntry, Op, UserEntry};
use crate::service::store::{self, Db};

/// One page of the people `filter` finds, and how many match in all.
pub async fn users(db: &Db, idp: &Actor, filter: &Filter, offset: i64, limit: i64) -> Result<(Vec<UserEntry>, i64)> {
    Ok(store::directory::users(&mut *db.acquire().await?, &idp.org_id, filter, offset, limit).await?)
}

/// One page of the teams `filter` finds (with their members when `members`), and how many match.
pub async fn groups(db: &Db, idp: &Actor, filter: &Filter, offset: i64, limit: i64, members: bool) -> Result<(Vec<GroupEntry>, i64)> {
    Ok(store::directory::groups(&mut *db.acquire().await?, &idp.org_id, filter, offset, limit, members).await?)
}

pub async fn user(db: &Db, idp: &Actor, id: &str) -> Result<Option<UserEntry>> {
    Ok(store::directory::user(&mut *db.acquire().await?, &idp.org_id, id).await?)
}

pub async fn group(db: &Db, idp: &Actor, id: &str, members: bool) -> Result<Option<GroupEntry>> {
    Ok(store::directory::group(&mut *db.acquire().await?, &idp.org_id, id, members).await?)
}

/// The account types a userType may name (SCIM's schema and error messages list them).
pub async fn account_type_names(db: &Db, idp: &Actor) -> Result<Vec<String>> {
    Ok(store::account_types::names(db, &idp.org_id).await?)
}

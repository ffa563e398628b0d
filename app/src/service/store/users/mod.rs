//! People. Every write that sets an email or a name goes through `Norms`, so
//! the lower-case columns the Users page and SCIM search by are computed once.
use super::{now, Conn, Timestamp};
use crate::domain::{Email, Origin, PermissionSet, Status};
use sqlx::{Any, Executor};
mod admins;
mod idp;
mod list;
mod session;

pub use admins::*;
pub use idp::*;
pub use list::*;
pub use session::*;

row! {
    /// A person with what sign-in, the rules and the pages need about their account type.
    #[derive(Clone, Debug)]
    pub struct UserRow {
        pub id: String,
        pub org_id: String,
        pub email: String,
        pub first_name: String,
        pub last_name: String,
        pub status: Status = typed,
        pub origin: Origin = typed,
        pub password_hash: Option<String>,
        pub invite_pending: bool = flag,
        /// Deleted by the identity provider: kept, but gone from SCIM until it pushes them again.
        pub archived: bool = present("archived_at"),
        pub account_type_id: String,
        pub account_type_name: String,
        pub permissions: PermissionSet = permissions,
        /// The account type's stored `administers` fact.
        pub administers: bool = flag,
        /// Sessions started before this time are over (set when the person is deactivated).
        pub sessions_valid_after: Option<Timestamp> = typed_opt,
        /// Outside the identity provider; signs in with a password.
        pub is_guest: bool = flag,
        /// The authenticator app's sealed key, once set up.
        pub mfa_secret: Option<String>,
    }
}

impl UserRow {
    /// Counts towards "the organization keeps an active administrator".
    pub fn is_active_admin(&self) -> bool {
        self.status.is_active() && self.administers
    }
}

pub(super) const SELECT: &str = "SELECT u.id, u.org_id, u.email, u.first_name, u.last_name, u.status, u.origin, \
    u.password_hash, u.invite_pending, u.archived_at, u.account_type_id, t.name AS account_type_name, t.permissions, t.administers, \
    u.sessions_valid_after, u.is_guest, u.mfa_secret \
    FROM users u JOIN account_types t ON t.id = u.account_type_id";

pub async fn by_email<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.email_norm = $2")).bind(org_id).bind(email.trim().to_lowercase()).fetch_optional(ex).await
}

pub async fn by_id<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

/// The users with these ids in this organization (unknown ids are left out).
pub async fn by_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<UserRow>> {
    super::rows_by_ids(conn, &format!("{SELECT} WHERE u.org_id = $1 AND u.id"), org_id, ids).await
}

/// A person the audit log names: (id, email, first name, last name).
pub type Named = (String, String, String, String);

/// The people of this organization whose email (any case) or id is among
/// `keys`, for naming them in the audit log.
pub async fn named(db: &super::Db, org_id: &str, keys: &[String]) -> sqlx::Result<Vec<Named>> {
    let mut found = Vec::new();
    for chunk in keys.chunks(super::IN_LIST) {
        let list = super::placeholders(2, chunk.len());
        let sql = format!("SELECT id, email, first_name, last_name FROM users WHERE org_id = $1 AND (email_norm IN ({list}) OR id IN ({list}))");
        let mut q = sqlx::query_as::<_, Named>(&sql).bind(org_id);
        for k in chunk {
            q = q.bind(k.to_lowercase());
        }
        found.extend(q.fetch_all(db).await?);
    }
    Ok(found)
}

/// The first `limit` people of this organization whose name contains `term`
/// (any case), as (id, email): the audit log's person filter matches their rows.
pub async fn named_like(db: &super::Db, org_id: &str, term: &str, limit: i64) -> sqlx::Result<Vec<(String, String)>> {
    let pattern: String = term.trim().to_lowercase().chars().filter(|c| *c != '%' && *c != '_').collect();
    sqlx::query_as(&format!("SELECT id, email FROM users WHERE org_id = $1 AND name_norm LIKE $2 ORDER BY name_norm, id LIMIT {limit}")).bind(org_id).bind(format!("%{pattern}%")).fetch_all(db).await
}

/// The emails of the people with these ids (any number), by id.
pub async fn emails_of(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<std::collections::HashMap<String, String>> {
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(super::IN_LIST) {
        let sql = format!("SELECT id, email FROM users WHERE org_id = $1 AND id IN ({})", super::placeholders(2, chunk.len()));
        let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(org_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// The lower-case columns searches and uniqueness use, from the values shown.
pub(super) struct Norms {
    email: String,
    name: String,
    last: String,
}

impl Norms {
    fn of(email: &Email, first: &str, last: &str) -> Norms {
        Norms { email: email.normalized(), name: format!("{first} {last}").trim().to_lowercase(), last: last.to_lowercase() }
    }
}

/// A person Gatehouse manages itself (first-run admin, invitation, demo).
pub struct NewUser<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub account_type_id: &'a str,
    pub password_hash: Option<&'a str>,
    pub invite_pending: bool,
    pub is_guest: bool,
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, u: NewUser<'_>) -> sqlx::Result<()> {
    let n = Norms::of(u.email, u.first_name, u.last_name);
    exec!(
        ex,
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, password_hash, invite_pending, \
         is_guest, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        u.id,
        u.org_id,
        u.email.as_str(),
        n.email,
        u.first_name,
        u.last_name,
        n.name,
        n.last,
        u.account_type_id,
        u.password_hash,
        i64::from(u.invite_pending),
        i64::from(u.is_guest),
        now()
    )
}

pub async fn set_account_type(conn: &mut Conn, person: &crate::service::Writable<UserRow>, account_type_id: &str) -> sqlx::Result<()> {
    let (org_id, id) = (&person.org_id, &person.id);
    exec!(&mut *conn, "UPDATE users SET account_type_id = $1, updated_at = $2 WHERE org_id = $3 AND id = $4", account_type_id, now(), org_id, id)
}

/// Sets a person's status; deactivation also ends every session they have.
pub async fn set_status(conn: &mut Conn, person: &crate::service::Writable<UserRow>, status: Status) -> sqlx::Result<()> {
    let (org_id, id) = (&person.org_id, &person.id);
    exec!(
        &mut *conn,
        "UPDATE users SET status = $1, updated_at = $2, \
         sessions_valid_after = CASE WHEN $1 = 'inactive' THEN $2 ELSE sessions_valid_after END WHERE org_id = $3 AND id = $4",
        status.as_str(),
        now(),
        org_id,
        id
    )
}

/// Sets the password chosen through an invitation link; the invitation is then done.
pub async fn set_password(conn: &mut Conn, org_id: &str, id: &str, hash: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE users SET password_hash = $1, invite_pending = 0, updated_at = $2 WHERE org_id = $3 AND id = $4", hash, now(), org_id, id)
}

/// Replaces a person's password with `hash` when it is still `old` (the one
/// the caller checked); false when it changed meanwhile.
pub async fn replace_password(conn: &mut Conn, org_id: &str, id: &str, old: &str, hash: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE org_id = $3 AND id = $4 AND password_hash = $5")
        .bind(hash)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .bind(old)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes a person who never accepted their invitation, with their memberships and links.
pub async fn delete_invited(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM invitations WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM users WHERE org_id = $1 AND id = $2 AND invite_pending = 1").bind(org_id).bind(id).execute(&mut *conn).await?;
    Ok(())
}

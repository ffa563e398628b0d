//! Counting administrators for the last-admin rule, under the organization's lock.
use super::{UserRow, SELECT};
use crate::service::store::{Conn, Db};

/// Active users whose account type administers the organization, leaving out
/// the people `except_people` and the holders of the account type `except_holders_of`.
///
/// Callers are transactions about to remove admins (the last-admin rule).
/// The count first locks the organization's row until the transaction ends,
/// so two such transactions never both see "another admin remains": SQLite's
/// BEGIN IMMEDIATE already serializes writers, and on PostgreSQL (several
/// instances, READ COMMITTED) the second waits here and then counts what the
/// first committed.
pub async fn active_admins_except(conn: &mut Conn, org_id: &str, except_people: &[String], except_holders_of: Option<&str>) -> sqlx::Result<i64> {
    crate::service::store::orgs::lock(&mut *conn, org_id).await?;
    let mut sql = String::from(
        "SELECT COUNT(*) FROM users u JOIN account_types t ON t.id = u.account_type_id \
         WHERE u.org_id = $1 AND u.status = 'active' AND t.administers = 1",
    );
    let mut next = 2;
    if except_holders_of.is_some() {
        sql.push_str(" AND t.id <> $2");
        next = 3;
    }
    if !except_people.is_empty() {
        sql.push_str(&format!(" AND u.id NOT IN ({})", crate::service::store::placeholders(next, except_people.len())));
    }
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(org_id);
    if let Some(t) = except_holders_of {
        q = q.bind(t);
    }
    for id in except_people {
        q = q.bind(id.as_str());
    }
    q.fetch_one(&mut *conn).await
}

/// The first active administrator (by creation), or the one with this email.
pub async fn active_admin(db: &Db, org_id: &str, email: Option<&str>) -> sqlx::Result<Option<UserRow>> {
    let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.status = 'active' AND t.administers = 1{} ORDER BY u.created_at, u.id LIMIT 1", if email.is_some() { " AND u.email_norm = $2" } else { "" });
    let mut q = sqlx::query_as::<_, UserRow>(&sql).bind(org_id);
    if let Some(e) = email {
        q = q.bind(e.trim().to_lowercase());
    }
    q.fetch_optional(db).await
}

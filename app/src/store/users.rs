use super::{now, Conn, Db};
use std::collections::HashMap;
use crate::domain::Email;
use sqlx::{Any, Executor, FromRow};

/// A user with what sign-in and pages need about their account type.
#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub origin: String,
    pub password_hash: Option<String>,
    pub account_type_name: String,
    pub permissions: String,
}

const SELECT: &str = "SELECT u.id, u.org_id, u.email, u.first_name, u.last_name, u.status, u.origin, \
    u.password_hash, t.name AS account_type_name, t.permissions \
    FROM users u JOIN account_types t ON t.id = u.account_type_id";

pub async fn by_email(db: &Db, org_id: &str, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.email_norm = $2"))
        .bind(org_id)
        .bind(email.trim().to_lowercase())
        .fetch_optional(db)
        .await
}

pub async fn by_id(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub account_type_id: &'a str,
    pub password_hash: Option<&'a str>,
    pub invite_pending: bool,
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, u: NewUser<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, password_hash, invite_pending, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
    )
    .bind(u.id)
    .bind(u.org_id)
    .bind(u.email.as_str())
    .bind(u.email.normalized())
    .bind(u.first_name)
    .bind(u.last_name)
    .bind(name_norm(u.first_name, u.last_name))
    .bind(u.last_name.to_lowercase())
    .bind(u.account_type_id)
    .bind(u.password_hash)
    .bind(i64::from(u.invite_pending))
    .bind(now())
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn record_sign_in(db: &Db, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn count(db: &Db, org_id: &str) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.permissions LIKE '%\"administer\"%' THEN 1 ELSE 0 END), 0) \
         FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.org_id = $1 AND u.status = 'active'",
    )
    .bind(org_id)
    .fetch_one(db)
    .await
}

pub fn name_norm(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_lowercase()
}

/// One row of the Users page.
#[derive(Clone, Debug, FromRow)]
pub struct ListRow {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type_id: String,
    pub account_type_name: String,
    pub status: String,
    pub invite_pending: i64,
    pub origin: String,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

pub struct ListQuery<'a> {
    pub search: &'a str,
    pub account_type_id: Option<&'a str>,
    pub status: &'a str,
    pub sort: &'a str,
    pub limit: i64,
    pub offset: i64,
}

/// The highest character, so that `[term, term + MAX)` is every text starting with `term`.
const PREFIX_END: char = '\u{10FFFF}';

/// A page of users with the total count. Every condition uses an index:
/// search matches the start of the email, the full name or the last name.
pub async fn list(db: &Db, org_id: &str, q: &ListQuery<'_>) -> sqlx::Result<(Vec<ListRow>, i64)> {
    let mut wc = String::from(" WHERE u.org_id = $1");
    let mut binds: Vec<String> = vec![org_id.to_string()];
    let next = |v: String, binds: &mut Vec<String>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    match q.status {
        "inactive" => wc.push_str(" AND u.status = 'inactive'"),
        "invited" => wc.push_str(" AND u.status = 'active' AND u.invite_pending = 1"),
        "all" => {}
        _ => wc.push_str(" AND u.status = 'active'"),
    }
    if let Some(t) = q.account_type_id {
        let p = next(t.to_string(), &mut binds);
        wc.push_str(&format!(" AND u.account_type_id = {p}"));
    }
    let term = q.search.trim().to_lowercase();
    if !term.is_empty() {
        let lo = next(term.clone(), &mut binds);
        let hi = next(format!("{term}{PREFIX_END}"), &mut binds);
        wc.push_str(&format!(
            " AND ((u.email_norm >= {lo} AND u.email_norm < {hi}) OR (u.name_norm >= {lo} AND u.name_norm < {hi}) OR (u.last_norm >= {lo} AND u.last_norm < {hi}))"
        ));
    }
    let order = match q.sort {
        "-name" => "u.name_norm DESC, u.id DESC",
        "email" => "u.email_norm, u.id",
        "-email" => "u.email_norm DESC, u.id DESC",
        "last_login" => "u.last_login_at, u.id",
        "-last_login" => "u.last_login_at DESC, u.id DESC",
        "created" => "u.created_at, u.id",
        "-created" => "u.created_at DESC, u.id DESC",
        _ => "u.name_norm, u.id",
    };
    let count_sql = format!("SELECT COUNT(*) FROM users u{wc}");
    let rows_sql = format!(
        "SELECT u.id, u.email, u.first_name, u.last_name, u.account_type_id, t.name AS account_type_name, u.status, \
         u.invite_pending, u.origin, u.last_login_at, u.created_at \
         FROM users u JOIN account_types t ON t.id = u.account_type_id{wc} ORDER BY {order} LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    let mut rows = sqlx::query_as::<_, ListRow>(&rows_sql);
    for b in &binds {
        count = count.bind(b.clone());
        rows = rows.bind(b.clone());
    }
    let total = count.fetch_one(db).await?;
    let rows = rows.fetch_all(db).await?;
    Ok((rows, total))
}

/// One user as a Users page row.
pub async fn list_row(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<ListRow>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.first_name, u.last_name, u.account_type_id, t.name AS account_type_name, u.status, \
         u.invite_pending, u.origin, u.last_login_at, u.created_at \
         FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.org_id = $1 AND u.id = $2",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The active teams of each of these users, by user id.
pub async fn team_names(db: &Db, org_id: &str, user_ids: &[String]) -> sqlx::Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT m.user_id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.org_id = $1 AND t.status = 'active' AND m.user_id IN ({}) ORDER BY t.name_norm",
        super::placeholders(2, user_ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(org_id);
    for id in user_ids {
        q = q.bind(id.clone());
    }
    for (u, t) in q.fetch_all(db).await? {
        out.entry(u).or_default().push(t);
    }
    Ok(out)
}

/// The users with these ids in this organization (unknown ids are left out).
pub async fn by_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.id IN ({})", super::placeholders(2, ids.len()));
    let mut q = sqlx::query_as::<_, UserRow>(&sql).bind(org_id);
    for id in ids {
        q = q.bind(id.clone());
    }
    q.fetch_all(&mut *conn).await
}

/// Which of these ids name users of the organization (archived ones too).
pub async fn existing_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT id FROM users WHERE org_id = $1 AND id IN ({})", super::placeholders(2, ids.len()));
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(org_id);
    for id in ids {
        q = q.bind(id.as_str());
    }
    q.fetch_all(&mut *conn).await
}

/// Active users whose account type administers the organization, other than `except`.
///
/// Callers are transactions about to remove admins (the last-admin guard).
/// The count first locks the organization's row until the transaction ends,
/// so two such transactions never both see "another admin remains": SQLite's
/// BEGIN IMMEDIATE already serializes writers, and on PostgreSQL (several
/// instances, READ COMMITTED) the second waits here and then counts what the
/// first committed.
pub async fn active_admins_except(conn: &mut Conn, org_id: &str, except: &[String]) -> sqlx::Result<i64> {
    super::orgs::lock(&mut *conn, org_id).await?;
    let mut sql = String::from(
        "SELECT COUNT(*) FROM users u JOIN account_types t ON t.id = u.account_type_id \
         WHERE u.org_id = $1 AND u.status = 'active' AND t.permissions LIKE '%\"administer\"%'",
    );
    if !except.is_empty() {
        sql.push_str(&format!(" AND u.id NOT IN ({})", super::placeholders(2, except.len())));
    }
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(org_id);
    for id in except {
        q = q.bind(id.clone());
    }
    q.fetch_one(&mut *conn).await
}

pub async fn set_account_type(conn: &mut Conn, org_id: &str, id: &str, account_type_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET account_type_id = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(account_type_id)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

pub async fn set_status(conn: &mut Conn, org_id: &str, id: &str, status: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(status)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Sets the password chosen through an invitation link; the invitation is then done.
pub async fn set_password(conn: &mut Conn, org_id: &str, id: &str, hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, invite_pending = 0, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(hash)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Removes a person who never accepted their invitation, with their memberships and links.
pub async fn delete_invited(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM invitations WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM users WHERE org_id = $1 AND id = $2 AND invite_pending = 1").bind(org_id).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// People whose email or name starts with `term`, for pickers.
pub async fn search_active(db: &Db, org_id: &str, term: &str, limit: i64) -> sqlx::Result<Vec<ListRow>> {
    let q = ListQuery { search: term, account_type_id: None, status: "active", sort: "name", limit, offset: 0 };
    Ok(list(db, org_id, &q).await?.0)
}

//! Account types. `administers` is stored beside the permission list and
//! written from it here, on every insert and update, so the two always agree.
use super::{new_id, now, Conn, Db};
use crate::domain::permissions::{BuiltIn, PermissionSet};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow, Row};

row! {
    #[derive(Clone, Debug)]
    pub struct AccountTypeRow {
        pub id: String,
        pub name: String,
        pub description: String,
        pub built_in: Option<BuiltIn> = built_in,
        pub permissions: PermissionSet = permissions,
        pub administers: bool = flag,
        pub invite_default: bool = flag,
    }
}

/// An account type with how many people hold it (the Account Types page).
#[derive(Clone, Debug)]
pub struct ListedType {
    pub account_type: AccountTypeRow,
    pub user_count: i64,
}

impl FromRow<'_, AnyRow> for ListedType {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(ListedType { account_type: AccountTypeRow::from_row(r)?, user_count: r.try_get("user_count")? })
    }
}

const SELECT: &str = "SELECT t.id, t.name, t.description, t.built_in, t.permissions, t.administers, t.invite_default FROM account_types t";

const LISTED: &str = "SELECT t.id, t.name, t.description, t.built_in, t.permissions, t.administers, t.invite_default, \
    (SELECT COUNT(*) FROM users u WHERE u.org_id = t.org_id AND u.account_type_id = t.id) AS user_count \
    FROM account_types t";

/// Creates Viewer, Creator and Admin for a new organization; Viewer is the invitation default.
pub async fn create_built_ins(conn: &mut Conn, org_id: &str) -> sqlx::Result<()> {
    for b in BuiltIn::ALL {
        write_new(conn, org_id, b.name(), b.description(), Some(b), &b.default_permissions(), b == BuiltIn::Viewer).await?;
    }
    Ok(())
}

async fn write_new(conn: &mut Conn, org_id: &str, name: &str, description: &str, built_in: Option<BuiltIn>, permissions: &PermissionSet, invite_default: bool) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO account_types (id, org_id, name, name_norm, description, built_in, permissions, administers, invite_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(description)
    .bind(built_in.map(BuiltIn::key))
    .bind(permissions.to_json())
    .bind(i64::from(permissions.administers()))
    .bind(i64::from(invite_default))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn built_in<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, b: BuiltIn) -> sqlx::Result<AccountTypeRow> {
    sqlx::query_as(&format!("{SELECT} WHERE t.org_id = $1 AND t.built_in = $2")).bind(org_id).bind(b.key()).fetch_one(ex).await
}

/// Built-in types first (Viewer, Creator, Admin), then custom ones by name.
pub async fn list(db: &Db, org_id: &str) -> sqlx::Result<Vec<ListedType>> {
    sqlx::query_as(&format!("{LISTED} WHERE t.org_id = $1 ORDER BY CASE t.built_in WHEN 'viewer' THEN 0 WHEN 'creator' THEN 1 WHEN 'admin' THEN 2 ELSE 3 END, t.name_norm"))
        .bind(org_id)
        .fetch_all(db)
        .await
}

pub async fn get_listed<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<ListedType>> {
    sqlx::query_as(&format!("{LISTED} WHERE t.org_id = $1 AND t.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<AccountTypeRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE t.org_id = $1 AND t.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

/// By name, case-insensitively.
pub async fn by_name<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str) -> sqlx::Result<Option<AccountTypeRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE t.org_id = $1 AND t.name_norm = $2")).bind(org_id).bind(name.trim().to_lowercase()).fetch_optional(ex).await
}

/// Every type's name, alphabetically (what SCIM's userType accepts).
pub async fn names<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT name FROM account_types WHERE org_id = $1 ORDER BY name_norm").bind(org_id).fetch_all(ex).await
}

pub async fn insert(conn: &mut Conn, org_id: &str, name: &str, description: &str, permissions: &PermissionSet) -> sqlx::Result<String> {
    write_new(conn, org_id, name, description, None, permissions, false).await
}

pub async fn update(conn: &mut Conn, org_id: &str, id: &str, name: &str, description: &str, permissions: &PermissionSet) -> sqlx::Result<()> {
    exec!(
        &mut *conn,
        "UPDATE account_types SET name = $1, name_norm = $2, description = $3, permissions = $4, administers = $5, updated_at = $6 \
         WHERE org_id = $7 AND id = $8",
        name,
        name.to_lowercase(),
        description,
        permissions.to_json(),
        i64::from(permissions.administers()),
        now(),
        org_id,
        id
    )
}

pub async fn delete(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM account_types WHERE org_id = $1 AND id = $2 AND built_in IS NULL", org_id, id)
}

pub async fn set_invite_default(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE account_types SET invite_default = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE org_id = $2", id, org_id)
}

/// Up to `limit` emails of people holding a type, for the refusal message, and how many hold it.
pub async fn holders(conn: &mut Conn, org_id: &str, id: &str, limit: i64) -> sqlx::Result<(Vec<String>, i64)> {
    let emails =
        sqlx::query_scalar(&format!("SELECT email FROM users WHERE org_id = $1 AND account_type_id = $2 ORDER BY email_norm LIMIT {limit}")).bind(org_id).bind(id).fetch_all(&mut *conn).await?;
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1 AND account_type_id = $2").bind(org_id).bind(id).fetch_one(&mut *conn).await?;
    Ok((emails, n))
}

/// How many guests hold a type.
pub async fn guest_holders(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1 AND account_type_id = $2 AND is_guest = 1").bind(org_id).bind(id).fetch_one(&mut *conn).await
}

use super::{new_id, now, Conn};
use crate::domain::permissions::{BuiltIn, PermissionSet};
use sqlx::{Any, Executor, FromRow};

#[derive(Clone, Debug, FromRow)]
pub struct AccountTypeRow {
    pub id: String,
    pub name: String,
    pub built_in: Option<String>,
    pub permissions: String,
}

impl AccountTypeRow {
    pub fn permissions(&self) -> PermissionSet {
        PermissionSet::from_json(&self.permissions)
    }
}

/// Creates Viewer, Creator and Admin for a new organization; Viewer is the invitation default.
pub async fn create_built_ins(conn: &mut Conn, org_id: &str) -> sqlx::Result<()> {
    let t = now();
    for b in BuiltIn::ALL {
        sqlx::query(
            "INSERT INTO account_types (id, org_id, name, name_norm, description, built_in, permissions, invite_default, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(new_id())
        .bind(org_id)
        .bind(b.name())
        .bind(b.name().to_lowercase())
        .bind(b.description())
        .bind(b.key())
        .bind(b.default_permissions().to_json())
        .bind(i64::from(b == BuiltIn::Viewer))
        .bind(&t)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn built_in<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, b: BuiltIn) -> sqlx::Result<AccountTypeRow> {
    sqlx::query_as("SELECT id, name, built_in, permissions FROM account_types WHERE org_id = $1 AND built_in = $2")
        .bind(org_id)
        .bind(b.key())
        .fetch_one(ex)
        .await
}

#[derive(Clone, Debug, FromRow)]
pub struct ListedType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub built_in: Option<String>,
    pub permissions: String,
    pub invite_default: i64,
    pub user_count: i64,
}

const LISTED: &str = "SELECT t.id, t.name, t.description, t.built_in, t.permissions, t.invite_default, \
    (SELECT COUNT(*) FROM users u WHERE u.org_id = t.org_id AND u.account_type_id = t.id) AS user_count \
    FROM account_types t";

/// Built-in types first (Viewer, Creator, Admin), then custom ones by name.
pub async fn list(db: &super::Db, org_id: &str) -> sqlx::Result<Vec<ListedType>> {
    sqlx::query_as(&format!(
        "{LISTED} WHERE t.org_id = $1 ORDER BY CASE t.built_in WHEN 'viewer' THEN 0 WHEN 'creator' THEN 1 WHEN 'admin' THEN 2 ELSE 3 END, t.name_norm"
    ))
    .bind(org_id)
    .fetch_all(db)
    .await
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<ListedType>> {
    sqlx::query_as(&format!("{LISTED} WHERE t.org_id = $1 AND t.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

pub async fn by_name<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str) -> sqlx::Result<Option<ListedType>> {
    sqlx::query_as(&format!("{LISTED} WHERE t.org_id = $1 AND t.name_norm = $2"))
        .bind(org_id)
        .bind(name.trim().to_lowercase())
        .fetch_optional(ex)
        .await
}

pub async fn invite_default<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM account_types WHERE org_id = $1 AND invite_default = 1").bind(org_id).fetch_optional(ex).await
}

pub async fn insert(conn: &mut Conn, org_id: &str, name: &str, description: &str, permissions: &PermissionSet) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO account_types (id, org_id, name, name_norm, description, built_in, permissions, invite_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, 0, $7, $7)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(description)
    .bind(permissions.to_json())
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, org_id: &str, id: &str, name: &str, description: &str, permissions: &PermissionSet) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE account_types SET name = $1, name_norm = $2, description = $3, permissions = $4, updated_at = $5 WHERE org_id = $6 AND id = $7",
    )
    .bind(name)
    .bind(name.to_lowercase())
    .bind(description)
    .bind(permissions.to_json())
    .bind(now())
    .bind(org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

pub async fn delete(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM account_types WHERE org_id = $1 AND id = $2 AND built_in IS NULL")
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

pub async fn set_invite_default(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE account_types SET invite_default = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE org_id = $2")
        .bind(id)
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Up to `limit` emails of people holding a type, for the refusal message.
pub async fn holders(conn: &mut Conn, org_id: &str, id: &str, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(&format!("SELECT email FROM users WHERE org_id = $1 AND account_type_id = $2 ORDER BY email_norm LIMIT {limit}"))
        .bind(org_id)
        .bind(id)
        .fetch_all(&mut *conn)
        .await
}

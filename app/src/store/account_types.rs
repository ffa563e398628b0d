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

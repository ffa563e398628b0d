//! Secrets every instance of one database shares (see the migration
//! `instance_secrets`): created once by whichever instance needs one first.
use super::{now, Db};

/// The secret `name`, made by `make` when there is none yet. When several
/// instances start at once, the first write wins and every one reads it.
pub async fn get_or_create(db: &Db, name: &str, make: impl FnOnce() -> String) -> sqlx::Result<String> {
    if let Some(v) = get(db, name).await? {
        return Ok(v);
    }
    let mut tx = super::begin(db).await?;
    sqlx::query("INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING").bind(name).bind(make()).bind(now()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(get(db, name).await?.unwrap_or_default())
}

pub async fn get(db: &Db, name: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1").bind(name).fetch_optional(db).await
}

/// Sets the secret, replacing any earlier value.
pub async fn set(db: &Db, name: &str, value: &str) -> sqlx::Result<()> {
    let mut tx = super::begin(db).await?;
    sqlx::query("INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET value = $2, created_at = $3")
        .bind(name)
        .bind(value)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn delete(conn: &mut super::Conn, name: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM instance_secrets WHERE name = $1", name)
}

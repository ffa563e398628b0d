//! The webhook destinations an admin allows for "Export to webhook".
use super::{new_id, now, Db};

row! {
    #[derive(Clone, Debug)]
    pub struct Destination {
        pub id: String,
        pub url: String,
        pub created_at: String,
    }
}

pub async fn list(db: &Db, org_id: &str) -> sqlx::Result<Vec<Destination>> {
    sqlx::query_as("SELECT id, url, created_at FROM webhook_destinations WHERE org_id = $1 ORDER BY url").bind(org_id).fetch_all(db).await
}

/// Allows a destination; false when the organization already allows that URL.
pub async fn insert(conn: &mut super::Conn, org_id: &str, url: &str, by: &str) -> sqlx::Result<bool> {
    let sql = "INSERT INTO webhook_destinations (id, org_id, url, created_by, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, url) DO NOTHING";
    Ok(affected!(&mut *conn, sql, new_id(), org_id, url, by, now())? == 1)
}

/// Removes a destination; its URL when there was one.
pub async fn delete(conn: &mut super::Conn, org_id: &str, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("DELETE FROM webhook_destinations WHERE org_id = $1 AND id = $2 RETURNING url").bind(org_id).bind(id).fetch_optional(&mut *conn).await
}

pub async fn by_id(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<Destination>> {
    sqlx::query_as("SELECT id, url, created_at FROM webhook_destinations WHERE org_id = $1 AND id = $2").bind(org_id).bind(id).fetch_optional(db).await
}

//! The address ranges an organization may be reached from (`ip_allowlist`).
use super::{new_id, now};

row! {
    #[derive(Clone, Debug)]
    pub struct Range {
        pub id: String,
        pub cidr: String,
        pub scope: String,
        pub note: String,
        pub created_at: String,
    }
}

const COLUMNS: &str = "id, cidr, scope, note, created_at";

pub async fn list<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, org_id: &str) -> sqlx::Result<Vec<Range>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM ip_allowlist WHERE org_id = $1 ORDER BY cidr")).bind(org_id).fetch_all(db).await
}

/// Adds a range; false when the organization lists it already.
pub async fn insert(conn: &mut super::Conn, org_id: &str, cidr: &str, scope: &str, note: &str, by: Option<&str>) -> sqlx::Result<bool> {
    let sql = "INSERT INTO ip_allowlist (id, org_id, cidr, scope, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, cidr) DO NOTHING";
    Ok(affected!(&mut *conn, sql, new_id(), org_id, cidr, scope, note, by, now())? == 1)
}

/// Removes a range; its text when it was there.
pub async fn delete(conn: &mut super::Conn, org_id: &str, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("DELETE FROM ip_allowlist WHERE org_id = $1 AND id = $2 RETURNING cidr").bind(org_id).bind(id).fetch_optional(&mut *conn).await
}

/// Removes every range (the operator's break-glass); how many there were.
pub async fn clear(conn: &mut super::Conn, org_id: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM ip_allowlist WHERE org_id = $1").bind(org_id).execute(&mut *conn).await?.rows_affected())
}

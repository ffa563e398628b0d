//! Browser sessions. Writes go through `store::begin` like every other
//! write, so on SQLite they queue with the rest instead of meeting the busy
//! handler (a separate pool's writes failed with "database is locked" while
//! an identity provider pushed a directory).
use super::{format_time, Conn, Db};

/// A session's stored form and when it expires.
pub async fn load(db: &Db, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2").bind(id).bind(super::now()).fetch_optional(db).await
}

/// Inserts a new session; false when the id is taken.
pub async fn create(conn: &mut Conn, id: &str, data: &str, expires: time::OffsetDateTime) -> sqlx::Result<bool> {
    let r = sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING").bind(id).bind(data).bind(format_time(expires)).execute(&mut *conn).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn save(conn: &mut Conn, id: &str, data: &str, expires: time::OffsetDateTime) -> sqlx::Result<()> {
    exec!(&mut *conn, "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET data = $2, expires_at = $3", id, data, format_time(expires))
}

pub async fn delete(conn: &mut Conn, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM sessions WHERE id = $1", id)
}

/// Deletes expired sessions. Safe when every instance runs it at once.
pub async fn delete_expired(conn: &mut Conn) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM sessions WHERE expires_at < $1", super::now())
}

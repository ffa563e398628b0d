//! The response and assertion ids already used (replay defence), shared by
//! every instance. Outstanding requests travel in a signed cookie instead
//! (server/src/saml), so starting a sign-in writes nothing.
use super::{now, Conn};

/// Records a response or assertion id as used. False when it was used before.
pub async fn use_id(conn: &mut Conn, org_id: &str, key: &str, expires_at: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("INSERT INTO saml_used_ids (org_id, used_key, expires_at) VALUES ($1, $2, $3) ON CONFLICT (org_id, used_key) DO NOTHING")
        .bind(org_id)
        .bind(key)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes expired used ids. Safe when every instance runs it at once.
pub async fn clean_up(conn: &mut Conn) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM saml_used_ids WHERE expires_at < $1", now())
}

//! One-time links to choose a new password (see migrations/20261206100010_password_resets.sql).
use super::invitations::{hash_token, new_token};
use super::{new_id, now, Conn};

/// Replaces the person's earlier open links with a new one; returns its token.
pub async fn issue(conn: &mut Conn, org_id: &str, user_id: &str, created_by: Option<&str>, expires_at: &str) -> sqlx::Result<String> {
    sqlx::query("DELETE FROM password_resets WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL").bind(org_id).bind(user_id).execute(&mut *conn).await?;
    let token = new_token();
    sqlx::query("INSERT INTO password_resets (id, org_id, user_id, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(new_id())
        .bind(org_id)
        .bind(user_id)
        .bind(hash_token(&token))
        .bind(created_by)
        .bind(now())
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// A link as stored: the same shape as an invitation's.
pub use super::invitations::Pending as Link;

/// The link with this token in this organization (a token of another organization is not found).
pub async fn find<'e>(ex: impl sqlx::Executor<'e, Database = sqlx::Any>, org_id: &str, token: &str) -> sqlx::Result<Option<Link>> {
    sqlx::query_as("SELECT id, user_id, expires_at, used_at FROM password_resets WHERE org_id = $1 AND token_hash = $2").bind(org_id).bind(hash_token(token)).fetch_optional(ex).await
}

/// Marks the link used; false when another request used it first.
pub async fn mark_used(conn: &mut Conn, id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL").bind(now()).bind(id).execute(&mut *conn).await?;
    Ok(r.rows_affected() == 1)
}

/// Deletes links that expired more than a day ago.
pub async fn clean_up(conn: &mut Conn) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM password_resets WHERE expires_at < $1").bind(super::ago(time::Duration::days(1))).execute(&mut *conn).await.map(|_| ())
}

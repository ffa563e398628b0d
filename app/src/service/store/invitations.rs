//! One-time links that let a new person choose their password.
use super::{new_id, now, Conn};
use sha2::{Digest, Sha256};

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token (256 bits, hex).
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Replaces any earlier link of this user with a new one; returns the token.
pub async fn issue(conn: &mut Conn, org_id: &str, user_id: &str, created_by: &str, expires_at: &str) -> sqlx::Result<String> {
    sqlx::query("DELETE FROM invitations WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL").bind(org_id).bind(user_id).execute(&mut *conn).await?;
    let token = new_token();
    sqlx::query("INSERT INTO invitations (id, org_id, user_id, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
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

#[derive(Debug)]
pub struct Pending {
    pub id: String,
    pub user_id: String,
    pub expires_at: super::Timestamp,
    pub used_at: Option<super::Timestamp>,
}

impl Pending {
    /// Whether the link still works: not used, not expired.
    pub fn is_open(&self) -> bool {
        self.used_at.is_none() && self.expires_at > super::Timestamp::now()
    }
}

impl sqlx::FromRow<'_, sqlx::any::AnyRow> for Pending {
    fn from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(Pending { id: r.try_get("id")?, user_id: r.try_get("user_id")?, expires_at: super::column::typed(r, "expires_at")?, used_at: super::column::typed_opt(r, "used_at")? })
    }
}

pub async fn find<'e>(ex: impl sqlx::Executor<'e, Database = sqlx::Any>, org_id: &str, token: &str) -> sqlx::Result<Option<Pending>> {
    sqlx::query_as("SELECT id, user_id, expires_at, used_at FROM invitations WHERE org_id = $1 AND token_hash = $2").bind(org_id).bind(hash_token(token)).fetch_optional(ex).await
}

/// Marks the link used; false when another request used it first.
pub async fn mark_used(conn: &mut Conn, id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL").bind(now()).bind(id).execute(&mut *conn).await?;
    Ok(r.rows_affected() == 1)
}

//! One-time links: invitations (a new person chooses their password) and
//! password resets (see migrations/20261206100010_password_resets.sql). Both
//! tables have the same columns; a link is stored as its token's SHA-256.
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

/// The links of one kind: the table they are kept in.
pub struct Links {
    table: &'static str,
}

pub const INVITATIONS: Links = Links { table: "invitations" };
pub const PASSWORD_RESETS: Links = Links { table: "password_resets" };

#[derive(Debug)]
pub struct Link {
    pub id: String,
    pub user_id: String,
    pub expires_at: super::Timestamp,
    pub used_at: Option<super::Timestamp>,
}

impl Link {
    /// Whether the link still works: not used, not expired.
    pub fn is_open(&self) -> bool {
        self.used_at.is_none() && self.expires_at > super::Timestamp::now()
    }
}

impl sqlx::FromRow<'_, sqlx::any::AnyRow> for Link {
    fn from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(Link { id: r.try_get("id")?, user_id: r.try_get("user_id")?, expires_at: super::column::typed(r, "expires_at")?, used_at: super::column::typed_opt(r, "used_at")? })
    }
}

impl Links {
    /// Replaces the person's earlier open links of this kind with a new one; returns its token.
    /// Two at once for one person take turns on the person's row (a portable
    /// `SELECT … FOR UPDATE`): on PostgreSQL each would otherwise delete only
    /// what was committed before it and both links would stay open.
    pub async fn issue(&self, conn: &mut Conn, org_id: &str, user_id: &str, created_by: Option<&str>, expires_at: &str) -> sqlx::Result<String> {
        let table = self.table;
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE org_id = $1 AND id = $2").bind(org_id).bind(user_id).execute(&mut *conn).await?;
        sqlx::query(&format!("DELETE FROM {table} WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL")).bind(org_id).bind(user_id).execute(&mut *conn).await?;
        let token = new_token();
        sqlx::query(&format!("INSERT INTO {table} (id, org_id, user_id, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"))
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

    /// The link with this token in this organization (a token of another organization is not found).
    pub async fn find<'e>(&self, ex: impl sqlx::Executor<'e, Database = sqlx::Any>, org_id: &str, token: &str) -> sqlx::Result<Option<Link>> {
        sqlx::query_as(&format!("SELECT id, user_id, expires_at, used_at FROM {} WHERE org_id = $1 AND token_hash = $2", self.table)).bind(org_id).bind(hash_token(token)).fetch_optional(ex).await
    }

    /// Marks the link used; false when another request used it first.
    pub async fn mark_used(&self, conn: &mut Conn, id: &str) -> sqlx::Result<bool> {
        let r = sqlx::query(&format!("UPDATE {} SET used_at = $1 WHERE id = $2 AND used_at IS NULL", self.table)).bind(now()).bind(id).execute(&mut *conn).await?;
        Ok(r.rows_affected() == 1)
    }

    /// Deletes links that expired more than a day ago.
    pub async fn clean_up(&self, conn: &mut Conn) -> sqlx::Result<()> {
        exec!(&mut *conn, &format!("DELETE FROM {} WHERE expires_at < $1", self.table), super::ago(time::Duration::days(1)))
    }
}

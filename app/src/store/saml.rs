//! SAML state shared by every instance: outstanding AuthnRequests and the
//! response/assertion ids already used (replay defence).
use super::{now, Conn, Db};

pub struct PendingRequest {
    pub relay_state: String,
    pub expires_at: String,
}

pub async fn insert_request(db: &Db, id: &str, org_id: &str, relay_state: &str, expires_at: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO saml_requests (id, org_id, relay_state, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(org_id)
        .bind(relay_state)
        .bind(now())
        .bind(expires_at)
        .execute(db)
        .await
        .map(|_| ())
}

/// An outstanding request of this organization, if there is one (never sent,
/// already answered, or another organization's: `None`).
pub async fn get_request(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<PendingRequest>> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT relay_state, expires_at FROM saml_requests WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(org_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(relay_state, expires_at)| PendingRequest { relay_state, expires_at }))
}

/// Takes an outstanding request: it can be answered once. False when it was
/// already taken (on this instance or another).
pub async fn take_request(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<bool> {
    let taken = sqlx::query("DELETE FROM saml_requests WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(org_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(taken == 1)
}

/// Records a response or assertion id as used. False when it was used before.
pub async fn use_id(conn: &mut Conn, org_id: &str, key: &str, expires_at: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("INSERT INTO saml_used_ids (org_id, used_key, expires_at) VALUES ($1, $2, $3)")
        .bind(org_id)
        .bind(key)
        .bind(expires_at)
        .execute(&mut *conn)
        .await;
    match r {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Deletes expired requests and used ids. Safe when every instance runs it at once.
pub async fn clean_up(db: &Db) -> sqlx::Result<()> {
    let t = now();
    sqlx::query("DELETE FROM saml_requests WHERE expires_at < $1").bind(&t).execute(db).await?;
    sqlx::query("DELETE FROM saml_used_ids WHERE expires_at < $1").bind(&t).execute(db).await?;
    Ok(())
}

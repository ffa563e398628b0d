//! People as the identity provider writes them: created in bulk, described over, archived, released.
use super::Norms;
use crate::domain::{Email, Status};
use crate::service::store::{now, Conn, Db};

/// A person as the identity provider describes them: what a SCIM POST, PUT or
/// PATCH leaves, in Gatehouse's columns. `scim_profile` keeps what SCIM
/// returns as sent (its JSON is the SCIM door's business).
#[derive(Clone, Debug)]
pub struct IdpPerson {
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub display_name: Option<String>,
    pub external_id: Option<String>,
    pub account_type_id: String,
    pub status: Status,
    pub scim_profile: String,
}

/// Inserts people the identity provider created, with one statement
/// (`at` is their creation time). The unique (org, email) index refuses a userName taken.
pub async fn insert_provisioned(conn: &mut Conn, org_id: &str, people: &[(&str, &IdpPerson)], at: &str) -> sqlx::Result<()> {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'scim', ?, ?, ?, ?, ?, ?)";
    let sql = format!(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, invite_pending, \
         origin, external_id, display_name, status, scim_profile, created_at, updated_at) VALUES {}",
        crate::service::store::value_rows(crate::service::store::is_sqlite_conn(conn), people.len(), row)
    );
    let mut q = sqlx::query(&sql);
    for (id, p) in people {
        let n = Norms::of(&p.email, &p.first_name, &p.last_name);
        q = q
            .bind(*id)
            .bind(org_id)
            .bind(p.email.as_str())
            .bind(n.email)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(n.name)
            .bind(n.last)
            .bind(&p.account_type_id)
            .bind(&p.external_id)
            .bind(&p.display_name)
            .bind(p.status.as_str())
            .bind(&p.scim_profile)
            .bind(at)
            .bind(at);
    }
    q.execute(&mut *conn).await.map(|_| ())
}

/// Writes the identity provider's description over a person. The record is
/// then managed by the identity provider, not archived, and has no pending invitation.
pub async fn write_provisioned(conn: &mut Conn, org_id: &str, id: &str, p: &IdpPerson) -> sqlx::Result<()> {
    let n = Norms::of(&p.email, &p.first_name, &p.last_name);
    exec!(
        &mut *conn,
        "UPDATE users SET email = $1, email_norm = $2, first_name = $3, last_name = $4, name_norm = $5, last_norm = $6, \
         display_name = $7, external_id = $8, account_type_id = $9, status = $10, origin = 'scim', invite_pending = 0, archived_at = NULL, \
         updated_at = $11, scim_profile = $12, \
         sessions_valid_after = CASE WHEN $10 = 'inactive' AND status = 'active' THEN $11 ELSE sessions_valid_after END \
         WHERE org_id = $13 AND id = $14",
        p.email.as_str(),
        n.email,
        &p.first_name,
        &p.last_name,
        n.name,
        n.last,
        &p.display_name,
        &p.external_id,
        &p.account_type_id,
        p.status.as_str(),
        now(),
        &p.scim_profile,
        org_id,
        id
    )
}

/// Another person (not `id`) who signs in with this email, archived ones included.
pub async fn other_with_email(conn: &mut Conn, org_id: &str, email: &Email, id: &str) -> sqlx::Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND email_norm = $2 AND id <> $3").bind(org_id).bind(email.normalized()).bind(id).fetch_optional(&mut *conn).await?;
    Ok(found.is_some())
}

/// Deactivates and archives a person the identity provider deleted: kept
/// (documents, audit log), gone from SCIM until it pushes them again.
pub async fn archive(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE users SET status = 'inactive', origin = 'scim', archived_at = $1, updated_at = $1, sessions_valid_after = $1 WHERE org_id = $2 AND id = $3", now(), org_id, id)
}

/// Which of these ids name people the identity provider may add to its groups
/// (archived ones too; guests are outside it).
/// Any number of ids: they are asked in statements of `crate::service::store::IN_LIST` (a
/// statement binds at most 32,766 values on SQLite).
pub async fn existing_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(crate::service::store::IN_LIST) {
        let sql = format!("SELECT id FROM users WHERE org_id = $1 AND is_guest = 0 AND id IN ({})", crate::service::store::placeholders(2, chunk.len()));
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(org_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// Returns people the identity provider managed to local management: one, or all.
pub async fn release(conn: &mut Conn, org_id: &str, id: Option<&str>) -> sqlx::Result<u64> {
    crate::service::store::release_managed(conn, "users", org_id, id).await
}

/// People the identity provider manages now (archived ones left out).
pub async fn managed_count(db: &Db, org_id: &str) -> sqlx::Result<i64> {
    crate::service::store::managed_count(db, "users", org_id).await
}

//! Provisioning (SCIM) bearer tokens: 256 random bits, stored as SHA-256.
use super::{column, new_id, now, Conn, Db, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

pub const PREFIX: &str = "gh_scim_";

/// A new token: a recognisable prefix and 256 random bits in hex.
pub fn new_token() -> String {
    format!("{PREFIX}{}", super::links::new_token())
}

pub fn hash(token: &str) -> String {
    super::links::hash_token(token)
}

row! {
    #[derive(Clone, Debug)]
    pub struct TokenRow {
        pub id: String,
        pub org_id: String,
        pub name: String,
        pub token_hash: String,
        /// The admin the token acts for: documents of people it deprovisions go to them.
        pub created_by: String,
        pub created_by_email: String,
        pub created_at: Timestamp = typed,
        pub last_used_at: Option<Timestamp> = typed_opt,
        pub revoked_at: Option<Timestamp> = typed_opt,
    }
}

const SELECT: &str = "SELECT id, org_id, name, token_hash, created_by, created_by_email, created_at, last_used_at, revoked_at FROM scim_tokens";

pub async fn insert(conn: &mut Conn, org_id: &str, name: &str, token: &str, created_by: &str, created_by_email: &str) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO scim_tokens (id, org_id, name, token_hash, created_by, created_by_email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(org_id)
        .bind(name)
        .bind(hash(token))
        .bind(created_by)
        .bind(created_by_email)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

pub async fn list<'e>(ex: impl sqlx::Executor<'e, Database = sqlx::Any>, org_id: &str) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE org_id = $1 ORDER BY created_at DESC")).bind(org_id).fetch_all(ex).await
}

/// The organization's unrevoked tokens.
pub async fn active(conn: &mut Conn, org_id: &str) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE org_id = $1 AND revoked_at IS NULL ORDER BY created_at")).bind(org_id).fetch_all(&mut *conn).await
}

/// The unrevoked token with this hash and its organization, in one query
/// (every SCIM request asks; a revocation counts from the next request).
pub async fn find_active_with_org(db: &Db, token_hash: &str) -> sqlx::Result<Option<(TokenRow, super::orgs::Org)>> {
    let row: Option<AnyRow> = sqlx::query(
        "SELECT t.id, t.org_id, t.name, t.token_hash, t.created_by, t.created_by_email, t.created_at, t.last_used_at, t.revoked_at, \
         o.slug AS org_slug, o.name AS org_name, o.created_at AS org_created_at \
         FROM scim_tokens t JOIN organizations o ON o.id = t.org_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let token = TokenRow::from_row(&r)?;
        let org = super::orgs::Org { id: token.org_id.clone(), slug: r.try_get("org_slug")?, name: r.try_get("org_name")?, created_at: column::typed(&r, "org_created_at")? };
        Ok((token, org))
    })
    .transpose()
}

/// How long a successful look-up is reused by this process. A revocation
/// takes effect at once on the instance that made it (the cache is emptied)
/// and within this time on every other instance sharing the database.
pub const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

type Cached = (std::time::Instant, TokenRow, super::orgs::Org);

fn cache() -> std::sync::MutexGuard<'static, std::collections::HashMap<String, Cached>> {
    static CACHE: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, Cached>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// `find_active_with_org`, reusing a hit of the last `CACHE_TTL` (a busy
/// identity provider sends many requests a second with one token). Misses are
/// never cached, so a new token works at once.
///
/// Only on SQLite, where one process serves the database file and revoking
/// empties this cache. On PostgreSQL several instances may serve one
/// organization, and a token revoked on one must stop on every instance at
/// once, so each request reads the database.
pub async fn find_active_cached(db: &Db, token_hash: &str) -> sqlx::Result<Option<(TokenRow, super::orgs::Org)>> {
    if !super::is_sqlite(db) {
        return find_active_with_org(db, token_hash).await;
    }
    let now = std::time::Instant::now();
    if let Some((at, t, o)) = cache().get(token_hash) {
        if now.duration_since(*at) < CACHE_TTL {
            return Ok(Some((t.clone(), o.clone())));
        }
    }
    let found = find_active_with_org(db, token_hash).await?;
    let mut c = cache();
    c.retain(|_, (at, ..)| now.duration_since(*at) < CACHE_TTL);
    match &found {
        Some((t, o)) => {
            c.insert(token_hash.to_string(), (now, t.clone(), o.clone()));
        }
        None => {
            c.remove(token_hash);
        }
    }
    Ok(found)
}

pub async fn get(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE org_id = $1 AND id = $2")).bind(org_id).bind(id).fetch_optional(&mut *conn).await
}

pub async fn revoke(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<bool> {
    // Forget this process's recent look-ups, so the token stops here at once.
    cache().clear();
    let r = sqlx::query("UPDATE scim_tokens SET revoked_at = $1 WHERE org_id = $2 AND id = $3 AND revoked_at IS NULL").bind(now()).bind(org_id).bind(id).execute(&mut *conn).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn touch(conn: &mut Conn, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE scim_tokens SET last_used_at = $1 WHERE id = $2", now(), id)
}

pub async fn active_count(db: &Db, org_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM scim_tokens WHERE org_id = $1 AND revoked_at IS NULL").bind(org_id).fetch_one(db).await
}

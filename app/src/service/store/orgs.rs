use super::{now, Db, Timestamp};
use sqlx::{Any, Executor};

row! {
    #[derive(Clone, Debug)]
    pub struct Org {
        pub id: String,
        pub slug: String,
        pub name: String,
        pub created_at: Timestamp = typed,
    }
}

pub async fn first(db: &Db) -> sqlx::Result<Option<Org>> {
    sqlx::query_as("SELECT id, slug, name, created_at FROM organizations ORDER BY created_at LIMIT 1").fetch_optional(db).await
}

pub async fn by_slug<'e>(ex: impl Executor<'e, Database = Any>, slug: &str) -> sqlx::Result<Option<Org>> {
    sqlx::query_as("SELECT id, slug, name, created_at FROM organizations WHERE slug = $1").bind(slug.to_lowercase()).fetch_optional(ex).await
}

pub async fn by_id<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> sqlx::Result<Option<Org>> {
    sqlx::query_as("SELECT id, slug, name, created_at FROM organizations WHERE id = $1").bind(id).fetch_optional(ex).await
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, id: &str, slug: &str, name: &str) -> sqlx::Result<()> {
    let t = now();
    exec!(ex, "INSERT INTO organizations (id, slug, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)", id, slug, name, t)
}

pub async fn rename<'e>(ex: impl Executor<'e, Database = Any>, id: &str, name: &str) -> sqlx::Result<()> {
    exec!(ex, "UPDATE organizations SET name = $1, updated_at = $2 WHERE id = $3", name, now(), id)
}

/// The organization's audit retention in days, when it chose one (None: the operator's default).
pub async fn audit_retention<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT audit_retention_days FROM organizations WHERE id = $1").bind(id).fetch_one(ex).await
}

pub async fn set_audit_retention(conn: &mut super::Conn, id: &str, days: Option<i64>) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE organizations SET audit_retention_days = $1, updated_at = $2 WHERE id = $3", days, now(), id)
}

/// Every organization's id and audit retention (None: the operator's default).
pub async fn audit_retentions(db: &Db) -> sqlx::Result<Vec<(String, Option<i64>)>> {
    sqlx::query_as("SELECT id, audit_retention_days FROM organizations").fetch_all(db).await
}

/// Locks the organization's row until the transaction ends (a portable
/// `SELECT … FOR UPDATE`, which SQLite lacks): transactions that check an
/// organization-wide rule before writing take turns.
pub async fn lock(conn: &mut super::Conn, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE organizations SET updated_at = updated_at WHERE id = $1", id)
}

/// Claims the one first-run setup: false when it already happened (the lock
/// row's key makes a second, concurrent setup fail instead of creating a
/// second organization).
pub async fn claim_setup(conn: &mut super::Conn) -> sqlx::Result<bool> {
    match sqlx::query("INSERT INTO setup_lock (id, done_at) VALUES ('first-run', $1)").bind(now()).execute(&mut *conn).await {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

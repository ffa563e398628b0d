use super::{now, Db};
use crate::domain::Email;
use sqlx::{Any, Executor, FromRow};

/// A user with what sign-in and pages need about their account type.
#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub origin: String,
    pub password_hash: Option<String>,
    pub account_type_name: String,
    pub permissions: String,
}

const SELECT: &str = "SELECT u.id, u.org_id, u.email, u.first_name, u.last_name, u.status, u.origin, \
    u.password_hash, t.name AS account_type_name, t.permissions \
    FROM users u JOIN account_types t ON t.id = u.account_type_id";

pub async fn by_email(db: &Db, org_id: &str, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.email_norm = $2"))
        .bind(org_id)
        .bind(email.trim().to_lowercase())
        .fetch_optional(db)
        .await
}

pub async fn by_id(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub account_type_id: &'a str,
    pub password_hash: Option<&'a str>,
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, u: NewUser<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, account_type_id, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(u.id)
    .bind(u.org_id)
    .bind(u.email.as_str())
    .bind(u.email.normalized())
    .bind(u.first_name)
    .bind(u.last_name)
    .bind(u.account_type_id)
    .bind(u.password_hash)
    .bind(now())
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn record_sign_in(db: &Db, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn count(db: &Db, org_id: &str) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.built_in = 'admin' THEN 1 ELSE 0 END), 0) \
         FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.org_id = $1 AND u.status = 'active'",
    )
    .bind(org_id)
    .fetch_one(db)
    .await
}

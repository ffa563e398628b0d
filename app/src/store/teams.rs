use super::{new_id, now, Db};
use sqlx::{Any, Executor};

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str, description: &str) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO teams (id, org_id, name, name_norm, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(description)
    .bind(now())
    .execute(ex)
    .await?;
    Ok(id)
}

pub async fn add_member<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, team_id: &str, user_id: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO team_members (org_id, team_id, user_id, added_at) VALUES ($1, $2, $3, $4)")
        .bind(org_id)
        .bind(team_id)
        .bind(user_id)
        .bind(now())
        .execute(ex)
        .await
        .map(|_| ())
}

/// Names of the active teams a user belongs to, alphabetically.
pub async fn names_for_user(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.org_id = $1 AND m.user_id = $2 AND t.status = 'active' ORDER BY t.name_norm",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(db)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub origin: String,
    pub member_count: i64,
}

const TEAM: &str = "SELECT t.id, t.name, t.description, t.status, t.origin, \
    (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count FROM teams t";

/// Teams whose name contains `search` (case-insensitively), active ones unless `inactive`.
pub async fn list(db: &Db, org_id: &str, search: &str, inactive: bool) -> sqlx::Result<Vec<TeamRow>> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as(&format!("{TEAM} WHERE t.org_id = $1 AND t.status = $2 AND t.name_norm LIKE $3 ORDER BY t.name_norm"))
        .bind(org_id)
        .bind(if inactive { "inactive" } else { "active" })
        .bind(pattern)
        .fetch_all(db)
        .await
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<TeamRow>> {
    sqlx::query_as(&format!("{TEAM} WHERE t.org_id = $1 AND t.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

/// An active team with this name (case-insensitive), other than `except`.
pub async fn active_named<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str, except: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM teams WHERE org_id = $1 AND name_norm = $2 AND status = 'active' AND id <> $3")
        .bind(org_id)
        .bind(name.to_lowercase())
        .bind(except)
        .fetch_optional(ex)
        .await
}

pub async fn update<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str, name: &str, description: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET name = $1, name_norm = $2, description = $3, updated_at = $4 WHERE org_id = $5 AND id = $6")
        .bind(name)
        .bind(name.to_lowercase())
        .bind(description)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn set_status<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str, status: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(status)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub account_type: String,
    pub status: String,
    pub invite_pending: i64,
}

pub async fn members(db: &Db, org_id: &str, team_id: &str) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.first_name, u.last_name, u.email, t.name AS account_type, u.status, u.invite_pending \
         FROM team_members m JOIN users u ON u.id = m.user_id JOIN account_types t ON t.id = u.account_type_id \
         WHERE m.org_id = $1 AND m.team_id = $2 ORDER BY u.name_norm",
    )
    .bind(org_id)
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// Adds a member unless they already are one; true when added.
pub async fn add_member_once(conn: &mut super::Conn, org_id: &str, team_id: &str, user_id: &str) -> sqlx::Result<bool> {
    // One statement: inserts unless the membership exists.
    let r = sqlx::query(
        "INSERT INTO team_members (org_id, team_id, user_id, added_at) SELECT $1, $2, $3, $4 \
         WHERE NOT EXISTS (SELECT 1 FROM team_members WHERE team_id = $2 AND user_id = $3)",
    )
    .bind(org_id)
    .bind(team_id)
    .bind(user_id)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes a member; true when they were one.
pub async fn remove_member(conn: &mut super::Conn, org_id: &str, team_id: &str, user_id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND team_id = $2 AND user_id = $3")
        .bind(org_id)
        .bind(team_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// The ids of the teams a user belongs to.
pub async fn ids_for_user(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT team_id FROM team_members WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_all(db)
        .await
}

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

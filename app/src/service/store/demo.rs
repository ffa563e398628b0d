//! Bulk writes for generated demo data (`gatehouse demo seed`): many people in
//! one statement, and fresh planner statistics afterwards.
use super::{is_sqlite, Conn, Db};

/// A generated person: id, email, first name, last name, account type id.
pub struct Generated {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type_id: String,
}

/// Inserts `people` (no password; they sign in after an invitation or SSO)
/// and, for each, a membership of the team beside it in `teams` when given.
pub async fn insert_generated(conn: &mut Conn, org_id: &str, people: &[Generated], teams: Option<&[String]>, at: &str) -> sqlx::Result<()> {
    if people.is_empty() {
        return Ok(());
    }
    let sqlite = super::is_sqlite_conn(conn);
    let sql = format!(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, created_at, updated_at) VALUES {}",
        super::value_rows(sqlite, people.len(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    );
    let mut q = sqlx::query(&sql);
    for g in people {
        q = q
            .bind(&g.id)
            .bind(org_id)
            .bind(&g.email)
            .bind(g.email.to_lowercase())
            .bind(&g.first_name)
            .bind(&g.last_name)
            .bind(format!("{} {}", g.first_name, g.last_name).trim().to_lowercase())
            .bind(g.last_name.to_lowercase())
            .bind(&g.account_type_id)
            .bind(at)
            .bind(at);
    }
    q.execute(&mut *conn).await?;
    if let Some(teams) = teams {
        let sql = format!("INSERT INTO team_members (org_id, team_id, user_id, added_at) VALUES {}", super::value_rows(sqlite, people.len(), "(?, ?, ?, ?)"));
        let mut q = sqlx::query(&sql);
        for (g, team) in people.iter().zip(teams) {
            q = q.bind(org_id).bind(team).bind(&g.id).bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fresh statistics of every table, so the planner uses the indexes at once
/// (PostgreSQL's autovacuum would get there only minutes later: until then, a
/// SCIM look-up read all of team_members). On PostgreSQL also VACUUM, which
/// marks the new rows visible to every transaction, as autovacuum would soon
/// after a bulk load (the first Users page after seeding took 150 ms without
/// it, 55 ms with).
pub async fn analyze(db: &Db) -> sqlx::Result<()> {
    sqlx::query(if is_sqlite(db) { "ANALYZE" } else { "VACUUM ANALYZE" }).execute(db).await.map(|_| ())
}

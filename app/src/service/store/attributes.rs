//! User attributes, their values per person and per team, and the one query
//! that resolves a person's value (own, then team by priority, then default).
use super::{new_id, now, Conn};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow, Row};

row! {
    #[derive(Clone, Debug)]
    pub struct AttributeRow {
        pub id: String,
        pub name: String,
        pub description: String,
        pub default_value: Option<String>,
    }
}

const SELECT: &str = "SELECT id, name, description, default_value FROM user_attributes";

pub async fn list<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str) -> sqlx::Result<Vec<AttributeRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE org_id = $1 ORDER BY name_norm")).bind(org_id).fetch_all(ex).await
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<AttributeRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE org_id = $1 AND id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

pub async fn by_name<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str) -> sqlx::Result<Option<AttributeRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE org_id = $1 AND name_norm = $2")).bind(org_id).bind(name.to_lowercase()).fetch_optional(ex).await
}

/// Defines an attribute; `None` when the organization has one of that name.
pub async fn insert(conn: &mut Conn, org_id: &str, name: &str, description: &str, default_value: Option<&str>) -> sqlx::Result<Option<String>> {
    let id = new_id();
    let at = now();
    let r = sqlx::query(
        "INSERT INTO user_attributes (id, org_id, name, name_norm, description, default_value, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (org_id, name_norm) DO NOTHING",
    )
    .bind(&id)
    .bind(org_id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(description)
    .bind(default_value)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    Ok((r.rows_affected() == 1).then_some(id))
}

pub async fn update(conn: &mut Conn, org_id: &str, id: &str, name: &str, description: &str, default_value: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE user_attributes SET name = $1, name_norm = $2, description = $3, default_value = $4, updated_at = $5 WHERE org_id = $6 AND id = $7")
        .bind(name)
        .bind(name.to_lowercase())
        .bind(description)
        .bind(default_value)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whose value: a person's or a team's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    User,
    Team,
}

impl Subject {
    pub fn key(self) -> &'static str {
        match self {
            Subject::User => "user",
            Subject::Team => "team",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ValueRow {
    pub subject_id: String,
    /// The person's email or the team's name.
    pub label: String,
    pub value: String,
    /// Set by the identity provider.
    pub from_idp: bool,
}

impl FromRow<'_, AnyRow> for ValueRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(ValueRow { subject_id: r.try_get("subject_id")?, label: r.try_get("label")?, value: r.try_get("value")?, from_idp: r.try_get::<String, _>("origin")? == "scim" })
    }
}

/// The people's values of an attribute, by email.
pub async fn people_values<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, attribute_id: &str) -> sqlx::Result<Vec<ValueRow>> {
    sqlx::query_as(
        "SELECT v.subject_id, u.email AS label, v.value, v.priority, v.origin FROM user_attribute_values v JOIN users u ON u.id = v.subject_id \
         WHERE v.org_id = $1 AND v.attribute_id = $2 AND v.subject_kind = 'user' ORDER BY LOWER(u.email)",
    )
    .bind(org_id)
    .bind(attribute_id)
    .fetch_all(ex)
    .await
}

/// The teams' values of an attribute, in priority order.
pub async fn team_values<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, attribute_id: &str) -> sqlx::Result<Vec<ValueRow>> {
    sqlx::query_as(
        "SELECT v.subject_id, t.name AS label, v.value, v.priority, v.origin FROM user_attribute_values v JOIN teams t ON t.id = v.subject_id \
         WHERE v.org_id = $1 AND v.attribute_id = $2 AND v.subject_kind = 'team' ORDER BY v.priority, v.subject_id",
    )
    .bind(org_id)
    .bind(attribute_id)
    .fetch_all(ex)
    .await
}

/// One value: its text and whether the identity provider set it.
pub async fn value_of(conn: &mut Conn, org_id: &str, attribute_id: &str, subject: Subject, subject_id: &str) -> sqlx::Result<Option<(String, bool)>> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT value, origin FROM user_attribute_values WHERE org_id = $1 AND attribute_id = $2 AND subject_kind = $3 AND subject_id = $4")
        .bind(org_id)
        .bind(attribute_id)
        .bind(subject.key())
        .bind(subject_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(v, o)| (v, o == "scim")))
}

/// Sets a value. A team new to the attribute goes last in its order.
pub async fn set_value(conn: &mut Conn, org_id: &str, attribute_id: &str, subject: Subject, subject_id: &str, value: &str, from_idp: bool) -> sqlx::Result<()> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(priority) FROM user_attribute_values WHERE org_id = $1 AND attribute_id = $2 AND subject_kind = $3")
        .bind(org_id)
        .bind(attribute_id)
        .bind(subject.key())
        .fetch_one(&mut *conn)
        .await?;
    let priority = if subject == Subject::Team { last.unwrap_or(0) + 1 } else { 0 };
    sqlx::query(
        "INSERT INTO user_attribute_values (org_id, attribute_id, subject_kind, subject_id, value, priority, origin, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (attribute_id, subject_kind, subject_id) DO UPDATE SET value = excluded.value, origin = excluded.origin, updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(attribute_id)
    .bind(subject.key())
    .bind(subject_id)
    .bind(value)
    .bind(priority)
    .bind(if from_idp { "scim" } else { "local" })
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a value; whether there was one.
pub async fn clear_value(conn: &mut Conn, org_id: &str, attribute_id: &str, subject: Subject, subject_id: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM user_attribute_values WHERE org_id = $1 AND attribute_id = $2 AND subject_kind = $3 AND subject_id = $4")
        .bind(org_id)
        .bind(attribute_id)
        .bind(subject.key())
        .bind(subject_id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Numbers the attribute's teams 1, 2, … in `team_ids`' order.
pub async fn set_team_order(conn: &mut Conn, org_id: &str, attribute_id: &str, team_ids: &[String]) -> sqlx::Result<()> {
    for (i, t) in team_ids.iter().enumerate() {
        sqlx::query("UPDATE user_attribute_values SET priority = $1 WHERE org_id = $2 AND attribute_id = $3 AND subject_kind = 'team' AND subject_id = $4")
            .bind(i as i64 + 1)
            .bind(org_id)
            .bind(attribute_id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The person's value of an attribute: their own; else that of the first of
/// their active teams in the attribute's order; else the default; else none.
pub async fn resolve<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, attribute_id: &str, user_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT x.value FROM ( \
           SELECT v.value, 0 AS rank, 0 AS priority, '' AS tie FROM user_attribute_values v \
             WHERE v.org_id = $1 AND v.attribute_id = $2 AND v.subject_kind = 'user' AND v.subject_id = $3 \
           UNION ALL \
           SELECT v.value, 1 AS rank, v.priority, v.subject_id AS tie FROM user_attribute_values v \
             JOIN team_members m ON m.team_id = v.subject_id AND m.org_id = v.org_id JOIN teams t ON t.id = m.team_id \
             WHERE v.org_id = $1 AND v.attribute_id = $2 AND v.subject_kind = 'team' AND m.user_id = $3 AND t.status = 'active' \
           UNION ALL \
           SELECT a.default_value AS value, 2 AS rank, 0 AS priority, '' AS tie FROM user_attributes a \
             WHERE a.org_id = $1 AND a.id = $2 AND a.default_value IS NOT NULL \
         ) x ORDER BY x.rank, x.priority, x.tie LIMIT 1",
    )
    .bind(org_id)
    .bind(attribute_id)
    .bind(user_id)
    .fetch_optional(ex)
    .await
}

/// The values the identity provider set for a person, by attribute name.
pub async fn idp_values_of<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, user_id: &str) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT a.name, v.value FROM user_attribute_values v JOIN user_attributes a ON a.id = v.attribute_id \
         WHERE v.org_id = $1 AND v.subject_kind = 'user' AND v.subject_id = $2 AND v.origin = 'scim' ORDER BY a.name_norm",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(ex)
    .await
}

/// The identity provider's values of people returned to local management
/// (one, or all of the organization's): from now on set here.
pub async fn release(conn: &mut Conn, org_id: &str, user_id: Option<&str>) -> sqlx::Result<()> {
    let sql =
        format!("UPDATE user_attribute_values SET origin = 'local' WHERE org_id = $1 AND subject_kind = 'user' AND origin = 'scim'{}", if user_id.is_some() { " AND subject_id = $2" } else { "" });
    let mut q = sqlx::query(&sql).bind(org_id);
    if let Some(id) = user_id {
        q = q.bind(id);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

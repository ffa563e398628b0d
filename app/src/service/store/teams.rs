//! Teams and their members.
use super::{new_id, now, Conn, Db};
use crate::domain::{Origin, Status, Visibility};
use sqlx::{Any, Executor};

/// A new team; `external_id` only when the identity provider created it.
pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str, description: &str, origin: Origin, external_id: Option<&str>) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO teams (id, org_id, name, name_norm, description, origin, external_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
        .bind(&id)
        .bind(org_id)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(description)
        .bind(origin.as_str())
        .bind(external_id)
        .bind(now())
        .execute(ex)
        .await?;
    Ok(id)
}

pub async fn add_member<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, team_id: &str, user_id: &str) -> sqlx::Result<()> {
    exec!(ex, "INSERT INTO team_members (org_id, team_id, user_id, added_at) VALUES ($1, $2, $3, $4)", org_id, team_id, user_id, now())
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

row! {
    #[derive(Clone, Debug)]
    pub struct TeamRow {
        pub id: String,
        pub name: String,
        pub description: String,
        pub status: Status = typed,
        pub origin: Origin = typed,
        pub external_id: Option<String>,
        /// Deleted by the identity provider: kept, gone from SCIM until it pushes the team again.
        pub archived: bool = present("archived_at"),
        pub member_count: i64,
        pub visibility: Visibility = typed,
    }
}

const TEAM: &str = "SELECT t.id, t.name, t.description, t.status, t.origin, t.external_id, t.archived_at, t.visibility, \
    (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count FROM teams t";

/// Teams whose name contains `search` (case-insensitively), active ones unless `inactive`.
pub async fn list(db: &Db, org_id: &str, search: &str, inactive: bool) -> sqlx::Result<Vec<TeamRow>> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as(&format!("{TEAM} WHERE t.org_id = $1 AND t.status = $2 AND t.name_norm LIKE $3 ORDER BY t.name_norm"))
        .bind(org_id)
        .bind(Status::of(!inactive).as_str())
        .bind(pattern)
        .fetch_all(db)
        .await
}

/// Active teams (of this origin, when given), as (id, name) by name: what a
/// form offers (no member counts, which `list` counts for every team).
pub async fn choices(db: &Db, org_id: &str, origin: Option<Origin>) -> sqlx::Result<Vec<(String, String)>> {
    match origin {
        Some(o) => sqlx::query_as("SELECT id, name FROM teams WHERE org_id = $1 AND status = 'active' AND origin = $2 ORDER BY name_norm").bind(org_id).bind(o.as_str()).fetch_all(db).await,
        None => sqlx::query_as("SELECT id, name FROM teams WHERE org_id = $1 AND status = 'active' ORDER BY name_norm").bind(org_id).fetch_all(db).await,
    }
}

/// `list` as `user_id` may see it: public teams, and the private teams they belong to.
pub async fn list_visible_to(db: &Db, org_id: &str, user_id: &str, search: &str, inactive: bool) -> sqlx::Result<Vec<TeamRow>> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as(&format!(
        "{TEAM} WHERE t.org_id = $1 AND t.status = $2 AND t.name_norm LIKE $3 \
         AND (t.visibility = 'public' OR EXISTS (SELECT 1 FROM team_members v WHERE v.team_id = t.id AND v.user_id = $4)) ORDER BY t.name_norm"
    ))
    .bind(org_id)
    .bind(Status::of(!inactive).as_str())
    .bind(pattern)
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// What `user_id` is to a team: not a member (None), a member (Some(false)) or one of its team admins (Some(true)).
pub async fn membership<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, team_id: &str, user_id: &str) -> sqlx::Result<Option<bool>> {
    let flag: Option<i64> =
        sqlx::query_scalar("SELECT team_admin FROM team_members WHERE org_id = $1 AND team_id = $2 AND user_id = $3").bind(org_id).bind(team_id).bind(user_id).fetch_optional(ex).await?;
    Ok(flag.map(|f| f != 0))
}

/// The ids of the teams `user_id` is a team admin of (active or not).
pub async fn administered_by<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT team_id FROM team_members WHERE org_id = $1 AND user_id = $2 AND team_admin = 1").bind(org_id).bind(user_id).fetch_all(ex).await
}

/// Makes a member a team admin (`on`) or a member only; true when that changed
/// (one statement, so two administrators setting the same thing at once change it once).
pub async fn set_team_admin(conn: &mut Conn, org_id: &str, team_id: &str, user_id: &str, on: bool) -> sqlx::Result<bool> {
    let (to, from) = if on { (1_i64, 0_i64) } else { (0, 1) };
    let r = sqlx::query("UPDATE team_members SET team_admin = $1 WHERE org_id = $2 AND team_id = $3 AND user_id = $4 AND team_admin = $5")
        .bind(to)
        .bind(org_id)
        .bind(team_id)
        .bind(user_id)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets who sees a team; true when that changed (one statement, as `set_team_admin`).
pub async fn set_visibility(conn: &mut Conn, org_id: &str, team_id: &str, visibility: Visibility) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE teams SET visibility = $1, updated_at = $2 WHERE org_id = $3 AND id = $4 AND visibility <> $1")
        .bind(visibility.as_str())
        .bind(now())
        .bind(org_id)
        .bind(team_id)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<TeamRow>> {
    sqlx::query_as(&format!("{TEAM} WHERE t.org_id = $1 AND t.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

/// The teams with these ids (unknown ids are left out).
pub async fn by_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<TeamRow>> {
    super::rows_by_ids(conn, &format!("{TEAM} WHERE t.org_id = $1 AND t.id"), org_id, ids).await
}

/// An active team with this name (case-insensitive), other than `except`.
pub async fn active_named<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, name: &str, except: &str) -> sqlx::Result<Option<TeamRow>> {
    sqlx::query_as(&format!("{TEAM} WHERE t.org_id = $1 AND t.name_norm = $2 AND t.status = 'active' AND t.id <> $3")).bind(org_id).bind(name.to_lowercase()).bind(except).fetch_optional(ex).await
}

/// The team an identity provider's new group is, when it names one Gatehouse
/// already has: the archived team with this externalId, else an active team
/// or the most recently archived one with this name.
pub async fn match_for_group(conn: &mut Conn, org_id: &str, name: &str, external_id: Option<&str>) -> sqlx::Result<Option<TeamRow>> {
    if let Some(x) = external_id {
        let found: Option<TeamRow> = sqlx::query_as(&format!("{TEAM} WHERE t.org_id = $1 AND t.external_id = $2 AND t.archived_at IS NOT NULL ORDER BY t.archived_at DESC LIMIT 1"))
            .bind(org_id)
            .bind(x)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    sqlx::query_as(&format!(
        "{TEAM} WHERE t.org_id = $1 AND t.name_norm = $2 AND (t.status = 'active' OR t.archived_at IS NOT NULL) \
         ORDER BY CASE WHEN t.status = 'active' THEN 0 ELSE 1 END, t.archived_at DESC LIMIT 1"
    ))
    .bind(org_id)
    .bind(name.to_lowercase())
    .fetch_optional(&mut *conn)
    .await
}

pub async fn update(conn: &mut Conn, org_id: &str, team: &crate::service::Writable<TeamRow>, name: &str, description: &str) -> sqlx::Result<()> {
    let id = &team.id;
    exec!(&mut *conn, "UPDATE teams SET name = $1, name_norm = $2, description = $3, updated_at = $4 WHERE org_id = $5 AND id = $6", name, name.to_lowercase(), description, now(), org_id, id)
}

/// Writes the identity provider's name and externalId over a team; it is then
/// managed by the identity provider, active, and not archived.
pub async fn write_provisioned(conn: &mut Conn, org_id: &str, id: &str, name: &str, external_id: Option<&str>) -> sqlx::Result<()> {
    exec!(
        &mut *conn,
        "UPDATE teams SET name = $1, name_norm = $2, external_id = $3, origin = 'scim', status = 'active', archived_at = NULL, updated_at = $4 \
         WHERE org_id = $5 AND id = $6",
        name,
        name.to_lowercase(),
        external_id,
        now(),
        org_id,
        id
    )
}

pub async fn set_status(conn: &mut Conn, org_id: &str, team: &crate::service::Writable<TeamRow>, status: Status) -> sqlx::Result<()> {
    let id = &team.id;
    exec!(&mut *conn, "UPDATE teams SET status = $1, updated_at = $2 WHERE org_id = $3 AND id = $4", status.as_str(), now(), org_id, id)
}

/// Deactivates and archives a team the identity provider deleted.
pub async fn archive(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE teams SET status = 'inactive', origin = 'scim', archived_at = $1, updated_at = $1 WHERE org_id = $2 AND id = $3", now(), org_id, id)
}

row! {
    #[derive(Clone, Debug)]
    pub struct MemberRow {
        pub user_id: String,
        pub first_name: String,
        pub last_name: String,
        pub email: String,
        pub account_type: String,
        pub status: Status = typed,
        pub invite_pending: bool = flag,
        pub origin: Origin = typed,
        pub team_admin: bool = flag,
    }
}

pub async fn members(db: &Db, org_id: &str, team_id: &str) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.first_name, u.last_name, u.email, t.name AS account_type, u.status, u.invite_pending, u.origin, m.team_admin \
         FROM team_members m JOIN users u ON u.id = m.user_id JOIN account_types t ON t.id = u.account_type_id \
         WHERE m.org_id = $1 AND m.team_id = $2 ORDER BY u.name_norm",
    )
    .bind(org_id)
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// The ids of a team's members.
pub async fn member_ids(conn: &mut Conn, team_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = $1").bind(team_id).fetch_all(&mut *conn).await
}

/// Adds a member unless they already are one; true when added.
pub async fn add_member_once(conn: &mut Conn, org_id: &str, team: &crate::service::Writable<TeamRow>, user_id: &str) -> sqlx::Result<bool> {
    let team_id = &team.id;
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
pub async fn remove_member(conn: &mut Conn, org_id: &str, team: &crate::service::Writable<TeamRow>, user_id: &str) -> sqlx::Result<bool> {
    let team_id = &team.id;
    let r = sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND team_id = $2 AND user_id = $3").bind(org_id).bind(team_id).bind(user_id).execute(&mut *conn).await?;
    Ok(r.rows_affected() > 0)
}

/// Removes a person from every team; returns the names of those teams.
pub async fn remove_memberships(conn: &mut Conn, org_id: &str, user_id: &str) -> sqlx::Result<Vec<String>> {
    let names = sqlx::query_scalar("SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.org_id = $1 AND m.user_id = $2 ORDER BY t.name_norm")
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(user_id).execute(&mut *conn).await?;
    Ok(names)
}

/// The ids of the teams a user belongs to.
pub async fn ids_for_user(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT team_id FROM team_members WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(user_id).fetch_all(db).await
}

/// The active teams a user belongs to, alphabetically.
pub async fn of_user(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<TeamRow>> {
    sqlx::query_as(&format!("{TEAM} JOIN team_members um ON um.team_id = t.id WHERE um.org_id = $1 AND um.user_id = $2 AND t.status = 'active' ORDER BY t.name_norm"))
        .bind(org_id)
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// Returns teams the identity provider managed to local management: one, or all.
pub async fn release(conn: &mut Conn, org_id: &str, id: Option<&str>) -> sqlx::Result<u64> {
    super::release_managed(conn, "teams", org_id, id).await
}

/// Teams the identity provider manages now (archived ones left out).
pub async fn managed_count(db: &Db, org_id: &str) -> sqlx::Result<i64> {
    super::managed_count(db, "teams", org_id).await
}

/// The id of the team named `name` (the demo data looks its teams up by name).
pub async fn id_named(conn: &mut Conn, org_id: &str, name: &str) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT id FROM teams WHERE org_id = $1 AND name = $2").bind(org_id).bind(name).fetch_one(&mut *conn).await
}

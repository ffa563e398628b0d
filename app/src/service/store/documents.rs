//! Documents, where they live (personal, team workspace, archived-user
//! folder), who they are shared with, and moving them to a new owner.
use super::{new_id, now, placeholders, Conn, Db};
use crate::domain::documents::TableView;
use sqlx::{Any, Executor};

row! {
    #[derive(Clone, Debug)]
    pub struct DocumentRow {
        pub id: String,
        pub name: String,
        pub dataset_id: String,
        pub dataset_name: String,
        pub columns: String,
        pub filters: String,
        pub sort: String,
        pub owner_id: String,
        pub owner_email: String,
        pub owner_first: String,
        pub owner_last: String,
        pub team_id: Option<String>,
        pub team_name: Option<String>,
        pub folder: Option<String>,
        pub updated_at: String,
    }
}

impl DocumentRow {
    pub fn view(&self) -> TableView {
        TableView {
            columns: serde_json::from_str(&self.columns).unwrap_or_default(),
            filters: serde_json::from_str(&self.filters).unwrap_or_default(),
            sort: serde_json::from_str(&self.sort).unwrap_or_default(),
        }
    }
    pub fn owner_name(&self) -> String {
        let n = format!("{} {}", self.owner_first, self.owner_last).trim().to_string();
        if n.is_empty() {
            self.owner_email.clone()
        } else {
            n
        }
    }
}

const SELECT: &str = "SELECT d.id, d.name, d.dataset_id, ds.name AS dataset_name, d.columns, d.filters, d.sort, \
    d.owner_id, u.email AS owner_email, u.first_name AS owner_first, u.last_name AS owner_last, \
    d.team_id, t.name AS team_name, d.folder, d.updated_at \
    FROM documents d JOIN datasets ds ON ds.id = d.dataset_id JOIN users u ON u.id = d.owner_id \
    LEFT JOIN teams t ON t.id = d.team_id";

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("view serializes")
}

pub struct NewDocument<'a> {
    pub org_id: &'a str,
    pub name: &'a str,
    pub dataset_id: &'a str,
    pub view: &'a TableView,
    pub owner_id: &'a str,
    pub team_id: Option<&'a str>,
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, d: NewDocument<'_>) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO documents (id, org_id, name, dataset_id, columns, filters, sort, owner_id, team_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10, $10)",
    )
    .bind(&id)
    .bind(d.org_id)
    .bind(d.name)
    .bind(d.dataset_id)
    .bind(json(&d.view.columns))
    .bind(json(&d.view.filters))
    .bind(json(&d.view.sort))
    .bind(d.owner_id)
    .bind(d.team_id)
    .bind(now())
    .execute(ex)
    .await?;
    Ok(id)
}

pub async fn update<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str, name: &str, view: &TableView) -> sqlx::Result<()> {
    exec!(
        ex,
        "UPDATE documents SET name = $1, columns = $2, filters = $3, sort = $4, updated_at = $5 WHERE org_id = $6 AND id = $7",
        name,
        json(&view.columns),
        json(&view.filters),
        json(&view.sort),
        now(),
        org_id,
        id
    )
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<DocumentRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE d.org_id = $1 AND d.id = $2")).bind(org_id).bind(id).fetch_optional(ex).await
}

/// The active teams `user_id` belongs to.
const MY_TEAMS: &str = "SELECT m.team_id FROM team_members m JOIN teams tt ON tt.id = m.team_id WHERE m.org_id = $1 AND m.user_id = $2 AND tt.status = 'active'";

/// How a person reaches a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Owner,
    /// The document is in a workspace of a team they belong to.
    Team,
    Shared,
}

/// How `user_id` reaches the document, if at all.
pub async fn access(db: &Db, org_id: &str, user_id: &str, d: &DocumentRow) -> sqlx::Result<Option<Access>> {
    if d.owner_id == user_id {
        return Ok(Some(Access::Owner));
    }
    if let Some(team) = &d.team_id {
        let member: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM ({MY_TEAMS}) x WHERE x.team_id = $3")).bind(org_id).bind(user_id).bind(team).fetch_optional(db).await?;
        if member.is_some() {
            return Ok(Some(Access::Team));
        }
    }
    let shared: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT 1 FROM document_shares s WHERE s.org_id = $1 AND s.document_id = $3 AND \
         ((s.grantee_kind = 'user' AND s.grantee_id = $2) OR (s.grantee_kind = 'team' AND s.grantee_id IN ({MY_TEAMS}))) LIMIT 1"
    ))
    .bind(org_id)
    .bind(user_id)
    .bind(&d.id)
    .fetch_optional(db)
    .await?;
    Ok(shared.map(|_| Access::Shared))
}

/// Documents `user_id` owns outside team workspaces (top level and archived folders).
pub async fn owned(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE d.org_id = $1 AND d.owner_id = $2 AND d.team_id IS NULL ORDER BY d.folder, LOWER(d.name), d.id")).bind(org_id).bind(user_id).fetch_all(db).await
}

/// Documents in the workspaces of `user_id`'s active teams.
pub async fn in_my_teams(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE d.org_id = $1 AND d.team_id IN ({MY_TEAMS}) ORDER BY LOWER(t.name), LOWER(d.name), d.id")).bind(org_id).bind(user_id).fetch_all(db).await
}

/// Documents shared with `user_id` or one of their teams, owned by someone else.
pub async fn shared_with(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE d.org_id = $1 AND d.owner_id <> $2 AND d.id IN (SELECT s.document_id FROM document_shares s WHERE s.org_id = $1 AND \
         ((s.grantee_kind = 'user' AND s.grantee_id = $2) OR (s.grantee_kind = 'team' AND s.grantee_id IN ({MY_TEAMS})))) \
         ORDER BY LOWER(d.name), d.id"
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Shares a document; false when it was already shared with that person or team.
pub async fn share(conn: &mut Conn, org_id: &str, document_id: &str, kind: &str, grantee_id: &str, by: &str) -> sqlx::Result<bool> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM document_shares WHERE document_id = $1 AND grantee_kind = $2 AND grantee_id = $3")
        .bind(document_id)
        .bind(kind)
        .bind(grantee_id)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query("INSERT INTO document_shares (org_id, document_id, grantee_kind, grantee_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(org_id)
        .bind(document_id)
        .bind(kind)
        .bind(grantee_id)
        .bind(by)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Who a document is shared with, as people read it.
pub async fn shares(db: &Db, org_id: &str, document_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT COALESCE(u.email, 'Team ' || t.name) FROM document_shares s \
         LEFT JOIN users u ON s.grantee_kind = 'user' AND u.id = s.grantee_id \
         LEFT JOIN teams t ON s.grantee_kind = 'team' AND t.id = s.grantee_id \
         WHERE s.org_id = $1 AND s.document_id = $2 ORDER BY s.created_at",
    )
    .bind(org_id)
    .bind(document_id)
    .fetch_all(db)
    .await
}

/// Moves everything `from_id` owns to `to_id`: personal documents (and those in
/// their own archived folders) into the new owner's "Archived users > `folder`";
/// documents in team workspaces stay there, with the new owner. Returns the
/// names of the documents that moved.
pub async fn transfer_from_user(conn: &mut Conn, org_id: &str, from_id: &str, folder: &str, to_id: &str) -> sqlx::Result<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM documents WHERE org_id = $1 AND owner_id = $2 ORDER BY LOWER(name), id").bind(org_id).bind(from_id).fetch_all(&mut *conn).await?;
    if names.is_empty() {
        return Ok(names);
    }
    let at = now();
    sqlx::query("UPDATE documents SET owner_id = $1, folder = $2, updated_at = $3 WHERE org_id = $4 AND owner_id = $5 AND team_id IS NULL")
        .bind(to_id)
        .bind(folder)
        .bind(&at)
        .bind(org_id)
        .bind(from_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE documents SET owner_id = $1, updated_at = $2 WHERE org_id = $3 AND owner_id = $4").bind(to_id).bind(&at).bind(org_id).bind(from_id).execute(&mut *conn).await?;
    Ok(names)
}

/// Moves a team workspace's documents to `to_id`'s "Archived users > `folder`".
pub async fn transfer_from_team(conn: &mut Conn, org_id: &str, team_id: &str, folder: &str, to_id: &str) -> sqlx::Result<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM documents WHERE org_id = $1 AND team_id = $2 ORDER BY LOWER(name), id").bind(org_id).bind(team_id).fetch_all(&mut *conn).await?;
    sqlx::query("UPDATE documents SET owner_id = $1, team_id = NULL, folder = $2, updated_at = $3 WHERE org_id = $4 AND team_id = $5")
        .bind(to_id)
        .bind(folder)
        .bind(now())
        .bind(org_id)
        .bind(team_id)
        .execute(&mut *conn)
        .await?;
    Ok(names)
}

/// Audit detail for a transfer: how many, and which (the first 50 by name).
pub fn moved_detail(names: &[String]) -> String {
    if names.is_empty() {
        return "no documents to move".into();
    }
    let shown: Vec<String> = names.iter().take(50).map(|n| format!("“{n}”")).collect();
    let more = if names.len() > 50 { format!(" and {} more", names.len() - 50) } else { String::new() };
    format!("{} document(s) moved: {}{more}", names.len(), shown.join(", "))
}

/// The ids of the teams among `ids` that `user_id` belongs to (active teams).
pub async fn member_of(conn: &mut super::Conn, org_id: &str, user_id: &str, ids: &[String]) -> sqlx::Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT x.team_id FROM ({MY_TEAMS}) x WHERE x.team_id IN ({})", placeholders(3, ids.len()));
    let mut q = sqlx::query_scalar(&sql).bind(org_id).bind(user_id);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(&mut *conn).await
}

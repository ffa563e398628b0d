//! Every SCIM request of an organization's identity provider
//! (Administration > Provisioning activity), written in batches by
//! `service::provisioning_activity`'s queue after each request (why not in the
//! change's own transaction: see there). Pruned by age, per organization.
use super::{Conn, Db};

row! {
    /// A row about to be written.
    #[derive(Clone, Debug)]
    pub struct NewEntry {
        pub id: String,
        pub org_id: String,
        pub at: String,
        pub request_id: String,
        pub token_id: String,
        pub token_name: String,
        pub method: String,
        pub path: String,
        pub status: i64,
        pub latency_us: i64,
        pub outcome: String,
        pub resource_kind: String,
        pub resource_id: String,
        pub resource_label: String,
        pub changes: String,
        pub error_type: String,
        pub message: String,
        pub request_body: String,
    }
}

const COLUMNS: &str = "id, org_id, at, request_id, token_id, token_name, method, path, status, latency_us, outcome, \
                       resource_kind, resource_id, resource_label, changes, error_type, message, request_body";
const WIDTH: usize = 18;

/// Inserts rows in statements of 16, 4 or 1 rows: a few fixed sizes, so each
/// is prepared once and cached (see `value_rows` for how they are numbered).
pub async fn insert(conn: &mut Conn, entries: &[NewEntry]) -> sqlx::Result<()> {
    let sqlite = super::is_sqlite_conn(conn);
    let mut rest = entries;
    while !rest.is_empty() {
        let size = [16, 4, 1].into_iter().find(|s| *s <= rest.len()).unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let row = format!("({})", vec!["?"; WIDTH].join(", "));
        let sql = format!("INSERT INTO provisioning_activity ({COLUMNS}) VALUES {}", super::value_rows(sqlite, chunk.len(), &row));
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(&e.id)
                .bind(&e.org_id)
                .bind(&e.at)
                .bind(&e.request_id)
                .bind(&e.token_id)
                .bind(&e.token_name)
                .bind(&e.method)
                .bind(&e.path)
                .bind(e.status)
                .bind(e.latency_us)
                .bind(&e.outcome)
                .bind(&e.resource_kind)
                .bind(&e.resource_id)
                .bind(&e.resource_label)
                .bind(&e.changes)
                .bind(&e.error_type)
                .bind(&e.message)
                .bind(&e.request_body);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// What the page filters by (values as the page sends them, checked by the service).
#[derive(Default)]
pub struct Filter {
    pub search: Option<String>,
    pub outcome: Option<String>,
    pub token: Option<String>,
    pub since: Option<String>,
    pub resource_id: Option<String>,
}

fn where_clause(f: &Filter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE org_id = $1");
    let mut values: Vec<String> = Vec::new();
    for (column, value) in [("outcome", &f.outcome), ("token_name", &f.token), ("resource_id", &f.resource_id)] {
        if let Some(v) = value {
            values.push(v.clone());
            sql.push_str(&format!(" AND {column} = ${}", values.len() + 1));
        }
    }
    if f.resource_id.is_some() {
        // The resource index holds only rows about someone (migrations/20261206900010_activity_resource_index.sql).
        sql.push_str(" AND resource_id <> ''");
    }
    if let Some(since) = &f.since {
        values.push(since.clone());
        sql.push_str(&format!(" AND at >= ${}", values.len() + 1));
    }
    if let Some(s) = &f.search {
        // A plain substring of the name or email (LIKE's wildcards taken out), or the id.
        let term: String = s.to_lowercase().chars().filter(|c| *c != '%' && *c != '_').collect();
        values.push(format!("%{term}%"));
        values.push(s.clone());
        sql.push_str(&format!(" AND (LOWER(resource_label) LIKE ${} OR resource_id = ${})", values.len(), values.len() + 1));
    }
    (sql, values)
}

/// One page, newest first, and how many match.
pub async fn page(db: &Db, org_id: &str, f: &Filter, limit: i64, offset: i64) -> sqlx::Result<(Vec<NewEntry>, i64)> {
    let (wc, values) = where_clause(f);
    let count_sql = format!("SELECT COUNT(*) FROM provisioning_activity{wc}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(org_id);
    let rows_sql = format!("SELECT {COLUMNS} FROM provisioning_activity{wc} ORDER BY at DESC, id DESC LIMIT {limit} OFFSET {offset}");
    let mut rows = sqlx::query_as::<_, NewEntry>(&rows_sql).bind(org_id);
    for v in values {
        count = count.bind(v.clone());
        rows = rows.bind(v);
    }
    let total = count.fetch_one(db).await?;
    Ok((rows.fetch_all(db).await?, total))
}

/// The token names seen in the kept activity.
pub async fn token_names(db: &Db, org_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT token_name FROM provisioning_activity WHERE org_id = $1 ORDER BY token_name").bind(org_id).fetch_all(db).await
}

/// Deletes the organization's rows older than `days` days, 5,000 to a transaction.
pub async fn prune(db: &Db, org_id: &str, days: i64) -> sqlx::Result<u64> {
    super::delete_in_batches(db, "provisioning_activity", "org_id = $1 AND at < $2", &[org_id, &super::ago(time::Duration::days(days))], None).await
}

/// Deletes the organization's rows beyond the newest `keep`, 5,000 to a transaction.
pub async fn cap(db: &Db, org_id: &str, keep: i64) -> sqlx::Result<u64> {
    super::delete_in_batches(db, "provisioning_activity", "org_id = $1", &[org_id], Some(("at DESC, id DESC", keep))).await
}

/// Every organization's id and provisioning activity retention (None: the default).
pub async fn retentions(db: &Db) -> sqlx::Result<Vec<(String, Option<i64>)>> {
    sqlx::query_as("SELECT id, provisioning_activity_days FROM organizations").fetch_all(db).await
}

pub async fn retention(db: &Db, org_id: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT provisioning_activity_days FROM organizations WHERE id = $1").bind(org_id).fetch_one(db).await
}

pub async fn set_retention(conn: &mut Conn, org_id: &str, days: Option<i64>) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE organizations SET provisioning_activity_days = $1, updated_at = $2 WHERE id = $3", days, super::now(), org_id)
}

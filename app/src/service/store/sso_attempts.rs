//! SSO sign-in attempts (Administration > SSO sign-in activity): kept 30 days
//! and at most `SSO_ACTIVITY_MAX` per organization. A failure's row is written
//! with its audit row, in the same transaction, only when the audit log writes
//! one (the first of its kind from an address in a window, see
//! `audit::record_counted`); its repeats are counted on that audit row.
use super::{new_id, now, Conn, Db};
use crate::domain::activity::SSO_ACTIVITY_MAX;

/// An attempt about to be written.
pub struct NewAttempt<'a> {
    pub org_id: &'a str,
    pub succeeded: bool,
    pub reason: &'a str,
    pub message: &'a str,
    pub expected: &'a str,
    pub received: &'a str,
    pub email: &'a str,
    pub reference: &'a str,
    pub ip: &'a str,
    pub decoded: &'a str,
    pub response_xml: &'a str,
}

/// Writes an attempt, and lets the oldest beyond the organization's
/// `SSO_ACTIVITY_MAX` go in the same transaction.
pub async fn insert(conn: &mut Conn, a: &NewAttempt<'_>, tally_key: Option<&str>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sso_attempts (id, org_id, at, succeeded, reason, message, expected, received, email, reference, ip, decoded, response_xml, tally_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(new_id())
    .bind(a.org_id)
    .bind(now())
    .bind(i64::from(a.succeeded))
    .bind(a.reason)
    .bind(a.message)
    .bind(a.expected)
    .bind(a.received)
    .bind(a.email)
    .bind(a.reference)
    .bind(a.ip)
    .bind(a.decoded)
    .bind(a.response_xml)
    .bind(tally_key)
    .execute(&mut *conn)
    .await?;
    // The newest 1,000 stay (by time, then id: attempts of the same instant
    // cannot keep more than that).
    sqlx::query(&format!(
        "DELETE FROM sso_attempts WHERE org_id = $1 AND id NOT IN \
         (SELECT id FROM sso_attempts WHERE org_id = $1 ORDER BY at DESC, id DESC LIMIT {SSO_ACTIVITY_MAX})"
    ))
    .bind(a.org_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes one attempt in a transaction of its own (a successful sign-in).
pub async fn record(db: &Db, a: &NewAttempt<'_>) -> sqlx::Result<()> {
    let mut tx = super::begin(db).await?;
    insert(&mut tx, a, None).await?;
    tx.commit().await
}

row! {
    #[derive(Clone, Debug)]
    pub struct AttemptRow {
        pub id: String,
        pub at: String,
        pub succeeded: bool = flag,
        pub reason: String,
        pub message: String,
        pub expected: String,
        pub received: String,
        pub email: String,
        pub reference: String,
        pub ip: String,
        pub repeat_count: i64,
        pub last_at: Option<String>,
    }
}

/// The columns of a listed attempt, with its repeats from its audit row.
const COLUMNS: &str = "a.id, a.at, a.succeeded, a.reason, a.message, a.expected, a.received, a.email, a.reference, a.ip, \
                       COALESCE(e.repeat_count, 1) AS repeat_count, e.last_at FROM sso_attempts a LEFT JOIN audit_events e ON e.org_id = a.org_id AND e.tally_key = a.tally_key";

/// Newest first (by the latest repeat), `outcome` "failed" or "succeeded" or
/// "" for all, whose email contains `search` (any case).
pub async fn page(db: &Db, org_id: &str, outcome: &str, search: &str, limit: i64, offset: i64) -> sqlx::Result<(Vec<AttemptRow>, i64)> {
    let filter = match outcome {
        "failed" => " AND a.succeeded = 0 AND LOWER(a.email) LIKE $2",
        "succeeded" => " AND a.succeeded = 1 AND LOWER(a.email) LIKE $2",
        _ => " AND LOWER(a.email) LIKE $2",
    };
    let term: String = search.trim().to_lowercase().chars().filter(|c| *c != '%' && *c != '_').collect();
    let like = format!("%{term}%");
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM sso_attempts a WHERE a.org_id = $1{filter}")).bind(org_id).bind(&like).fetch_one(db).await?;
    let rows = sqlx::query_as(&format!("SELECT {COLUMNS} WHERE a.org_id = $1{filter} ORDER BY COALESCE(e.last_at, a.at) DESC, a.id DESC LIMIT {limit} OFFSET {offset}"))
        .bind(org_id)
        .bind(&like)
        .fetch_all(db)
        .await?;
    Ok((rows, total))
}

/// One attempt, with its decoded response and XML.
pub async fn get(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<(AttemptRow, String, String)>> {
    let Some(row) = sqlx::query_as::<_, AttemptRow>(&format!("SELECT {COLUMNS} WHERE a.org_id = $1 AND a.id = $2")).bind(org_id).bind(id).fetch_optional(db).await? else {
        return Ok(None);
    };
    let (decoded, xml): (String, String) = sqlx::query_as("SELECT decoded, response_xml FROM sso_attempts WHERE org_id = $1 AND id = $2").bind(org_id).bind(id).fetch_one(db).await?;
    Ok(Some((row, decoded, xml)))
}

/// Deletes attempts older than `days` days, 5,000 to a transaction.
pub async fn prune(db: &Db, days: i64) -> sqlx::Result<u64> {
    super::delete_in_batches(db, "sso_attempts", "at < $1", &[&super::ago(time::Duration::days(days))], None).await
}

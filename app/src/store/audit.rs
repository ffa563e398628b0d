use super::{new_id, now, Db};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow, Row};

/// One thing that happened, about to be written to the audit log.
pub struct Event<'a> {
    pub org_id: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: String,
    pub ip: &'a str,
}

/// Records an event as part of a write transaction.
pub async fn record(conn: &mut super::Conn, e: Event<'_>) -> sqlx::Result<()> {
    insert(conn, vec![e]).await
}

/// Records an event on its own (a sign-in, a refusal): a write transaction of
/// its own, so on SQLite it queues with the other writers.
pub async fn record_now(db: &Db, e: Event<'_>) -> sqlx::Result<()> {
    let mut tx = super::begin(db).await?;
    insert(&mut *tx, vec![e]).await?;
    tx.commit().await
}

/// Several events, 500 to a statement (a statement binds at most 32,766
/// values on SQLite and 65,535 on PostgreSQL; each event binds 10).
pub async fn record_many(conn: &mut super::Conn, mut events: Vec<Event<'_>>) -> sqlx::Result<()> {
    while !events.is_empty() {
        let rest = events.split_off(events.len().min(500));
        insert(&mut *conn, events).await?;
        events = rest;
    }
    Ok(())
}

async fn insert<'e>(ex: impl Executor<'e, Database = Any>, events: Vec<Event<'_>>) -> sqlx::Result<()> {
    let rows: Vec<String> = (0..events.len()).map(|i| format!("({})", super::placeholders(i * 10 + 1, 10))).collect();
    let sql = format!(
        "INSERT INTO audit_events (id, org_id, at, actor_id, actor, action, target, target_norm, detail, ip) VALUES {}",
        rows.join(", ")
    );
    let at = now();
    let mut q = sqlx::query(&sql);
    for e in events {
        q = q
            .bind(new_id())
            .bind(e.org_id)
            .bind(at.clone())
            .bind(e.actor_id)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.target)
            .bind(e.target.to_lowercase())
            .bind(e.detail)
            .bind(e.ip);
    }
    q.execute(ex).await.map(|_| ())
}

#[derive(Clone, Debug)]
pub struct EventRow {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

impl FromRow<'_, AnyRow> for EventRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(EventRow {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            detail: r.try_get("detail")?,
            ip: r.try_get("ip")?,
        })
    }
}

impl From<EventRow> for crate::domain::views::AuditEventView {
    fn from(r: EventRow) -> Self {
        crate::domain::views::AuditEventView {
            action_label: crate::domain::audit::label(&r.action).to_string(),
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: r.detail,
            ip: r.ip,
        }
    }
}

#[derive(Default)]
pub struct Filter {
    pub action: Option<String>,
    /// Matches the actor or the target, case-insensitively, anywhere in the text.
    pub person: Option<String>,
}

/// Builds the WHERE clause; parameters are bound in the same order by `bind_filter`.
fn where_clause(f: &Filter) -> String {
    let mut sql = String::from(" WHERE org_id = $1");
    let mut n = 1;
    if f.action.is_some() {
        n += 1;
        sql.push_str(&format!(" AND action = ${n}"));
    }
    if f.person.is_some() {
        n += 1;
        sql.push_str(&format!(" AND (LOWER(actor) LIKE ${n} OR target_norm LIKE ${n})"));
    }
    sql
}

fn like_pattern(s: &str) -> String {
    // The person filter is a plain substring: LIKE's wildcards are taken literally.
    let escaped: String = s.to_lowercase().chars().filter(|c| *c != '%' && *c != '_').collect();
    format!("%{escaped}%")
}

pub async fn page(db: &Db, org_id: &str, f: &Filter, limit: i64, offset: i64) -> sqlx::Result<(Vec<EventRow>, i64)> {
    let wc = where_clause(f);
    let count_sql = format!("SELECT COUNT(*) FROM audit_events{wc}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(org_id);
    let rows_sql = format!(
        "SELECT id, at, actor, action, target, detail, ip FROM audit_events{wc} ORDER BY at DESC, id DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut rows = sqlx::query_as::<_, EventRow>(&rows_sql).bind(org_id);
    if let Some(a) = &f.action {
        count = count.bind(a.clone());
        rows = rows.bind(a.clone());
    }
    if let Some(p) = &f.person {
        count = count.bind(like_pattern(p));
        rows = rows.bind(like_pattern(p));
    }
    let total = count.fetch_one(db).await?;
    let rows = rows.fetch_all(db).await?;
    Ok((rows, total))
}

/// How many times `action` happened to `target` (or from `ip`) since `since`.
pub async fn count_since(db: &Db, org_id: &str, action: &str, target: Option<&str>, ip: Option<&str>, since: &str) -> sqlx::Result<i64> {
    let (col, val) = match (target, ip) {
        (Some(t), _) => ("target_norm", t.to_lowercase()),
        (None, Some(i)) => ("ip", i.to_string()),
        (None, None) => ("action", action.to_string()),
    };
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = $2 AND at >= $3 AND {col} = $4"
    ))
    .bind(org_id)
    .bind(action)
    .bind(since)
    .bind(val)
    .fetch_one(db)
    .await
}

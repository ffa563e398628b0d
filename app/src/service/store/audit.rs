//! The audit log. Events are rows; refusals that anyone can cause without
//! signing in (wrong passwords, rate-limited attempts, failed SSO responses)
//! are counted instead: the first of a kind, from one address, in a window
//! is a row; the repeats add to its `repeat_count` (see `record_counted`).
use super::{new_id, now, Db};
use sqlx::{Any, Executor};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

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
    insert(conn, vec![e], None, false).await
}

/// Records an event on its own (a sign-in, a refusal): a write transaction of
/// its own, so on SQLite it queues with the other writers.
pub async fn record_now(db: &Db, e: Event<'_>) -> sqlx::Result<()> {
    let mut tx = super::begin(db).await?;
    insert(&mut *tx, vec![e], None, false).await?;
    tx.commit().await
}

/// How an event is counted: `kind` (the action's precise reason, and the
/// target where it matters) from `address`, per window of `window_secs`.
pub struct Count<'a> {
    pub kind: &'a str,
    pub address: &'a str,
    pub window_secs: i64,
}

/// The most kinds one address gets rows for in a window, per action; the
/// kinds past them share one row ("other reasons"), so varying what it sends
/// (another email, another malformed response) gives an address no more rows.
const MAX_KINDS_PER_ADDRESS: usize = 32;

impl Count<'_> {
    /// The window's number and when it ends (Unix seconds).
    fn window(&self) -> (i64, i64) {
        let len = self.window_secs.max(1);
        let window = time::OffsetDateTime::now_utc().unix_timestamp() / len;
        (window, (window + 1) * len)
    }
}

/// Repeats counted in memory, not yet added to their row.
struct Repeats {
    n: u64,
    window_ends: i64,
}

/// Per database: (org, tally key) → repeats; and how many kinds each
/// (org, action, address, window) has rows for.
#[derive(Default)]
struct Pending {
    repeats: HashMap<(String, String), Repeats>,
    kinds: HashMap<(String, String), (usize, i64)>,
}

fn pending() -> &'static Mutex<HashMap<String, Pending>> {
    static PENDING: OnceLock<Mutex<HashMap<String, Pending>>> = OnceLock::new();
    PENDING.get_or_init(Default::default)
}

fn db_key(db: &Db) -> String {
    db.connect_options().database_url.as_str().to_string()
}

/// The most counts kept in memory per database; past it, repeats go to the
/// database one by one (still one row per kind, address and window).
const MAX_PENDING: usize = 50_000;

/// Records a refusal as a count. The first of its kind from its address in
/// the window is written at once (its row carries the first one's details);
/// the repeats are counted in memory and added to that row by `flush_counts`
/// (every few seconds in the background, and before the audit log is read),
/// so a flood of refusals writes nothing per request. Another instance's
/// first write of the same kind adds to the same row.
pub async fn record_counted(db: &Db, e: Event<'_>, count: Count<'_>) -> sqlx::Result<()> {
    record_counted_with(db, e, count, None).await
}

/// `record_counted`, and with the row it writes (the first of its kind) the
/// SSO attempt `attempt`, in the same transaction, naming that row: repeats
/// write nothing more, there or here.
pub async fn record_counted_with(db: &Db, mut e: Event<'_>, count: Count<'_>, attempt: Option<&super::sso_attempts::NewAttempt<'_>>) -> sqlx::Result<()> {
    let (window, window_ends) = count.window();
    let address_key = format!("{}|{}|{window}", e.action, count.address);
    let mut key = format!("{address_key}|{}", count.kind);
    {
        let mut all = pending().lock().unwrap_or_else(|p| p.into_inner());
        let mine = all.entry(db_key(db)).or_default();
        if !mine.repeats.contains_key(&(e.org_id.to_string(), key.clone())) {
            let kinds = mine.kinds.get(&(e.org_id.to_string(), address_key.clone())).map(|k| k.0).unwrap_or(0);
            if kinds >= MAX_KINDS_PER_ADDRESS {
                key = format!("{address_key}|other reasons");
                e.detail = format!("{} (and other reasons from the same address)", e.detail);
            }
        }
        if let Some(r) = mine.repeats.get_mut(&(e.org_id.to_string(), key.clone())) {
            r.n += 1;
            return Ok(());
        }
    }
    let org_id = e.org_id.to_string();
    let mut tx = super::begin(db).await?;
    insert(&mut *tx, vec![e], Some(&key), false).await?;
    if let Some(a) = attempt {
        super::sso_attempts::insert(&mut tx, a, Some(&key)).await?;
    }
    tx.commit().await?;
    let mut all = pending().lock().unwrap_or_else(|p| p.into_inner());
    let mine = all.entry(db_key(db)).or_default();
    if mine.repeats.len() < MAX_PENDING && !mine.repeats.contains_key(&(org_id.clone(), key.clone())) {
        mine.repeats.insert((org_id.clone(), key), Repeats { n: 0, window_ends });
        mine.kinds.entry((org_id, address_key)).or_insert((0, window_ends)).0 += 1;
    }
    Ok(())
}

/// Adds the repeats counted in memory to their rows, and forgets the kinds
/// whose window has ended. Cheap when there is nothing to add.
pub async fn flush_counts(db: &Db) -> sqlx::Result<()> {
    let now_secs = time::OffsetDateTime::now_utc().unix_timestamp();
    let due: Vec<((String, String), u64)> = {
        let mut all = pending().lock().unwrap_or_else(|p| p.into_inner());
        let Some(mine) = all.get_mut(&db_key(db)) else {
            return Ok(());
        };
        let due = mine.repeats.iter_mut().filter(|(_, r)| r.n > 0).map(|(k, r)| (k.clone(), std::mem::take(&mut r.n))).collect();
        mine.repeats.retain(|_, r| r.window_ends > now_secs);
        mine.kinds.retain(|_, (_, ends)| *ends > now_secs);
        due
    };
    if due.is_empty() {
        return Ok(());
    }
    let mut tx = super::begin(db).await?;
    for ((org_id, key), n) in &due {
        sqlx::query("UPDATE audit_events SET repeat_count = repeat_count + $1, last_at = $2 WHERE org_id = $3 AND tally_key = $4")
            .bind(*n as i64)
            .bind(now())
            .bind(org_id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    if let Err(e) = tx.commit().await {
        // Not added: count them again next time.
        let mut all = pending().lock().unwrap_or_else(|p| p.into_inner());
        let mine = all.entry(db_key(db)).or_default();
        for (k, n) in due {
            mine.repeats.entry(k).or_insert(Repeats { n: 0, window_ends: now_secs + 60 }).n += n;
        }
        return Err(e);
    }
    Ok(())
}

/// Several events, 500 to a statement (a statement binds at most 32,766
/// values on SQLite and 65,535 on PostgreSQL; each event binds 12).
pub async fn record_many(conn: &mut super::Conn, mut events: Vec<Event<'_>>) -> sqlx::Result<()> {
    while !events.is_empty() {
        let rest = events.split_off(events.len().min(500));
        let sqlite = super::is_sqlite_conn(conn);
        insert(&mut *conn, events, None, sqlite).await?;
        events = rest;
    }
    Ok(())
}

/// Inserts events; with `tally`, the one event is a counted refusal: a row
/// for its kind that a repeat (from another instance too) adds to instead.
/// `sqlite`: the statement is for SQLite (see `value_rows`).
async fn insert<'e>(ex: impl Executor<'e, Database = Any>, events: Vec<Event<'_>>, tally: Option<&str>, sqlite: bool) -> sqlx::Result<()> {
    let rows = super::value_rows(sqlite, events.len(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    let on_repeat = if tally.is_some() { " ON CONFLICT (org_id, tally_key) DO UPDATE SET repeat_count = audit_events.repeat_count + 1, last_at = excluded.last_at" } else { "" };
    let sql = format!("INSERT INTO audit_events (id, org_id, at, actor_id, actor, action, target, target_norm, detail, ip, tally_key, last_at) VALUES {rows}{on_repeat}");
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
            .bind(e.ip)
            .bind(tally)
            .bind(tally.map(|_| at.clone()));
    }
    q.execute(ex).await.map(|_| ())
}

row! {
    #[derive(Clone, Debug)]
    pub struct EventRow {
        pub id: String,
        pub at: String,
        pub actor: String,
        pub action: String,
        pub target: String,
        pub detail: String,
        pub ip: String,
        /// How many times it happened (a counted refusal), and the latest time.
        pub repeat_count: i64,
        pub last_at: Option<String>,
    }
}

#[derive(Default)]
pub struct Filter {
    pub action: Option<String>,
    /// Matches, case-insensitively and anywhere in the text, the actor, the
    /// target or the detail (the people a change of several names).
    pub person: Option<String>,
    /// The people whose name matches `person`, as (id, email): rows that
    /// name them (by email, or by id in rows of earlier versions) match too.
    pub named: Vec<(String, String)>,
}

/// Builds the WHERE clause; `filter_values` gives its parameters in the same order.
fn where_clause(f: &Filter) -> String {
    let mut sql = String::from(" WHERE org_id = $1");
    let mut n = 1;
    if f.action.is_some() {
        n += 1;
        sql.push_str(&format!(" AND action = ${n}"));
    }
    if f.person.is_some() {
        n += 1;
        let mut any = vec![format!("LOWER(actor) LIKE ${n}"), format!("target_norm LIKE ${n}"), format!("LOWER(detail) LIKE ${n}")];
        for _ in &f.named {
            // Their id, their email, their email inside the detail.
            any.push(format!("target = ${}", n + 1));
            any.push(format!("LOWER(actor) = ${0} OR target_norm = ${0}", n + 2));
            any.push(format!("LOWER(detail) LIKE ${}", n + 3));
            n += 3;
        }
        sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    sql
}

/// The values `where_clause` names, in its order (after the organization).
fn filter_values(f: &Filter) -> Vec<String> {
    let mut values: Vec<String> = f.action.iter().cloned().collect();
    if let Some(p) = &f.person {
        values.push(like_pattern(p));
        for (id, email) in &f.named {
            // An email's "_" matches itself (and any one character: close enough).
            values.extend([id.clone(), email.to_lowercase(), format!("%{}%", email.to_lowercase())]);
        }
    }
    values
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
    let rows_sql = format!("SELECT id, at, actor, action, target, detail, ip, repeat_count, last_at FROM audit_events{wc} ORDER BY at DESC, id DESC LIMIT {limit} OFFSET {offset}");
    let mut rows = sqlx::query_as::<_, EventRow>(&rows_sql).bind(org_id);
    for v in filter_values(f) {
        count = count.bind(v.clone());
        rows = rows.bind(v);
    }
    let total = count.fetch_one(db).await?;
    let rows = rows.fetch_all(db).await?;
    Ok((rows, total))
}

/// A person's last `limit` sign-ins and refused sign-ins, newest first.
pub async fn sign_ins(db: &Db, org_id: &str, email: &str, limit: i64) -> sqlx::Result<Vec<EventRow>> {
    let sql = format!(
        "SELECT id, at, actor, action, target, detail, ip, repeat_count, last_at FROM audit_events \
         WHERE org_id = $1 AND target_norm = $2 AND action IN ($3, $4) ORDER BY at DESC, id DESC LIMIT {limit}"
    );
    sqlx::query_as::<_, EventRow>(&sql).bind(org_id).bind(email.to_lowercase()).bind(crate::domain::audit::SIGN_IN).bind(crate::domain::audit::SIGN_IN_FAILED).fetch_all(db).await
}

/// Deletes the organization's events older than `days` days, a batch at a
/// time (each its own short transaction, so writers are never held up for
/// long); returns how many went.
pub async fn prune(db: &Db, org_id: &str, days: i64) -> sqlx::Result<u64> {
    super::delete_in_batches(db, "audit_events", "org_id = $1 AND at < $2", &[org_id, &super::ago(time::Duration::days(days))], None).await
}

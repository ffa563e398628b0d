//! The database. One store API serves SQLite (the embedded default) and
//! PostgreSQL through sqlx's `Any` driver: SQL is written once, with `$n`
//! placeholders, plain types, text ids and UTC times as RFC 3339 text.
/// A row type read by column name: each field is the column of its name,
/// read as it is or, after `=`, with one of `column`'s readers
/// (`created_at: Timestamp = typed`).
macro_rules! row {
    (@read $r:ident, $f:ident) => {
        sqlx::Row::try_get($r, stringify!($f))?
    };
    (@read $r:ident, $f:ident, $read:ident) => {
        $crate::service::store::column::$read($r, stringify!($f))?
    };
    (@read $r:ident, $f:ident, $read:ident, $col:literal) => {
        $crate::service::store::column::$read($r, $col)?
    };
    ($(#[$m:meta])* pub struct $t:ident { $($(#[$fm:meta])* pub $f:ident : $ty:ty $(= $read:ident $(($col:literal))?)?),* $(,)? }) => {
        $(#[$m])*
        pub struct $t {
            $($(#[$fm])* pub $f: $ty),*
        }
        impl sqlx::FromRow<'_, sqlx::any::AnyRow> for $t {
            fn from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<Self> {
                Ok($t { $($f: row!(@read r, $f $(, $read $(, $col)?)?)),* })
            }
        }
    };
}

/// Runs one statement for its effect: `exec!(executor, sql, values…)` binds
/// the values in order (`$1`, `$2`, …).
macro_rules! exec {
    ($ex:expr, $sql:expr $(, $v:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($v))*.execute($ex).await.map(|_| ())
    };
}

/// `exec!` that answers how many rows the statement changed.
macro_rules! affected {
    ($ex:expr, $sql:expr $(, $v:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($v))*.execute($ex).await.map(|r| r.rows_affected())
    };
}

pub mod account_types;
pub mod attributes;
pub mod audit;
pub mod auth_settings;
pub mod datasets;
pub mod demo;
pub mod directory;
pub mod documents;
pub mod ip_allowlist;
pub mod links;
pub mod maintenance;
pub mod mfa;
pub mod orgs;
pub mod outbox;
pub mod provisioned;
pub mod provisioning_activity;
pub mod saml;
pub mod scim_tokens;
pub mod secrets;
pub mod sessions;
pub mod sign_in_limits;
pub mod sso_attempts;
pub mod teams;
pub mod users;
pub mod webhooks;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Db = AnyPool;
pub type Conn = sqlx::AnyConnection;

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Backend, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(format!("unsupported database URL “{}”: use sqlite://path/to/file.db or postgres://user:password@host/db", redacted(url)))
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite (embedded)",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// `text` with the password of any database URL in it replaced by `***`
/// (postgres://gatehouse:***@db.internal/gatehouse): for messages and logs.
pub fn redacted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority ends at the first '/', '?', '#' or whitespace.
        let end = tail.find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace()).unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let user_info = &authority[..at];
                match user_info.find(':') {
                    Some(colon) => {
                        out.push_str(&user_info[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(user_info),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    // A password given as a query parameter (postgres://host/db?password=…).
    redact_query_password(&out)
}

fn redact_query_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("password=") {
        let before = &rest[..i];
        if !(before.ends_with('?') || before.ends_with('&')) {
            out.push_str(&rest[..i + 9]);
            rest = &rest[i + 9..];
            continue;
        }
        out.push_str(&rest[..i + 9]);
        out.push_str("***");
        let tail = &rest[i + 9..];
        let end = tail.find(|c: char| c == '&' || c == '#' || c.is_whitespace()).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// PostgreSQL: fails at once, naming the host and port, when nothing answers
/// there (sqlx would wait for its pool's timeout, then say only "pool timed out").
async fn reach_postgres(url: &str) -> anyhow_like::Result<()> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Ok(());
    };
    // A Unix socket (no host, or ?host=/run/postgresql) is not checked here.
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let port = parsed.port().unwrap_or(5432);
    let addr = format!("{}:{port}", host.trim_start_matches('[').trim_end_matches(']'));
    match tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(&addr)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(anyhow_like::msg(format!("cannot reach PostgreSQL at {host}:{port}: {e}. Check that it runs and that this machine may connect to it (host name, port, firewall)."))),
        Err(_) => Err(anyhow_like::msg(format!("cannot reach PostgreSQL at {host}:{port}: no answer within 5 s. Check the host name, the port and any firewall between here and there."))),
    }
}

/// Makes sure a SQLite file's folder exists and the URL asks for the file to be created.
pub fn prepare_sqlite_url(url: &str) -> std::io::Result<String> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
    }
    Ok(if query.contains("mode=") {
        url.to_string()
    } else if query.is_empty() {
        format!("{url}?mode=rwc")
    } else {
        format!("{url}&mode=rwc")
    })
}

pub async fn connect(url: &str) -> anyhow_like::Result<Db> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url).map_err(anyhow_like::msg)?;
    let url = match backend {
        Backend::Sqlite => prepare_sqlite_url(url).map_err(|e| anyhow_like::msg(format!("cannot create the database folder: {e}")))?,
        Backend::Postgres => {
            reach_postgres(url).await?;
            url.to_string()
        }
    };
    let opts = AnyConnectOptions::from_str(&url).map_err(|e| anyhow_like::msg(redacted(&e.to_string())))?;
    let pool = AnyPoolOptions::new()
        .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
        // A SQLite connection is a file handle in this process: nothing can
        // break it between uses, so the check before each use (one more trip
        // to its worker thread per request) buys nothing. A PostgreSQL
        // connection can be cut by a server restart: keep the check.
        .test_before_acquire(backend != Backend::Sqlite)
        .acquire_timeout(Duration::from_secs(10))
        // A connection must never come back inside a transaction: a request
        // future dropped during `BEGIN` (or between a statement and its
        // transaction's end) leaves the transaction open on it, and the next
        // borrower would run inside it (on SQLite, holding the write lock for
        // good). `WriteTx` ends its transaction itself when dropped; this is
        // the net under it. Closing the connection rolls the transaction back.
        .after_release(|conn, _meta| {
            Box::pin(async move {
                use sqlx::Connection;
                if conn.is_in_transaction() {
                    crate::metrics::connection_discarded_in_transaction();
                    tracing::warn!("a database connection came back inside a transaction; it is closed (its transaction rolls back)");
                    return Ok(false);
                }
                Ok(true)
            })
        })
        // A connection that plans with statistics older than the last
        // refresh is closed instead of used (see `Freshness`).
        .before_acquire({
            let f = freshness(opts.database_url.as_str());
            move |_conn, meta| {
                let stale = plans_with_old_statistics(&f, meta.age);
                Box::pin(async move { Ok(!stale) })
            }
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers work beside the one writer. synchronous=NORMAL
                    // in WAL mode keeps every committed transaction when the process
                    // crashes or is killed; only a power loss or OS crash can roll back
                    // the last commits (never corrupt the file). FULL would fsync every
                    // commit and cut write throughput several times. The busy timeout
                    // makes writers queue instead of failing. No memory map
                    // (mmap_size): each connection maps the file on its own and
                    // remaps it as it grows; measured, writes were a third slower
                    // with it and reads no faster.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                }
                Ok(())
            })
        })
        .connect_with(opts)
        .await?;
    Ok(pool)
}

/// Whether this pool serves a SQLite file (one process owns it) rather than PostgreSQL.
pub fn is_sqlite(db: &Db) -> bool {
    db.connect_options().database_url.scheme().starts_with("sqlite")
}

/// The files of ../migrations, embedded at compile time by app/build.rs:
/// (file name, SQL) in version order.
const MIGRATION_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The migrations this binary knows, read the way sqlx reads a migrations
/// folder (`<version>_<description>.sql`; the checksum is the SQL's), so a
/// database migrated by any earlier build finds the same versions and checksums.
pub fn migrations() -> Vec<sqlx::migrate::Migration> {
    use sqlx::migrate::{Migration, MigrationType};
    MIGRATION_FILES
        .iter()
        .map(|&(name, sql)| {
            let (version, rest) = name.split_once('_').expect("app/build.rs checked the name");
            let kind = MigrationType::from_filename(rest);
            let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
            let version = version.parse().expect("app/build.rs checked the version");
            Migration::new(version, description.into(), kind, sql.into(), sql.starts_with("-- no-transaction"))
        })
        .collect()
}

#[derive(Debug)]
struct Embedded;

impl<'s> sqlx::migrate::MigrationSource<'s> for Embedded {
    fn resolve(self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>> + Send + 's>> {
        Box::pin(async { Ok(migrations()) })
    }
}

/// The migrations are written in SQL that both backends accept (TEXT, BIGINT,
/// no backend-specific functions), so one set serves both.
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate::Migrator::new(Embedded).await?.run(db).await?;
    optimize(db, true).await?;
    Ok(())
}

/// Keeps SQLite's query planner informed: without table statistics it can
/// choose a full scan for the Users page's search. `first` analyzes tables
/// that have none yet (PRAGMA optimize=0x10002); later calls are cheap.
/// PostgreSQL's autovacuum does this by itself.
pub async fn optimize(db: &Db, first: bool) -> sqlx::Result<()> {
    if is_sqlite(db) {
        let pragma = if first { "PRAGMA optimize=0x10002" } else { "PRAGMA optimize" };
        sqlx::query(pragma).execute(db).await?;
    }
    Ok(())
}

/// How fresh the planner's statistics are, per database (by URL).
///
/// Both databases plan a query from table statistics a connection holds: a
/// SQLite connection reads them when it opens, a PostgreSQL connection keeps
/// the plans of its prepared statements. After a bulk load (an identity
/// provider pushing 100,000 people, `gatehouse demo seed` beside a running
/// server), connections opened before it keep planning for a small table:
/// the Users page's search went from 25 ms to over 200 ms until a restart.
/// So the statistics are refreshed when the people tables have grown or
/// shrunk by a fifth (see `spawn_statistics`), and every pooled connection
/// older than that refresh is closed the next time it would be used
/// (`connect`'s `before_acquire`), so the next one plans with the new numbers.
#[derive(Default)]
struct Freshness {
    /// When the statistics were last refreshed, in ms since `EPOCH`; 0: never.
    refreshed_ms: std::sync::atomic::AtomicU64,
    /// Rows this process wrote to the people tables since then.
    written: std::sync::atomic::AtomicU64,
}

static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

fn since_epoch() -> Duration {
    EPOCH.get_or_init(std::time::Instant::now).elapsed()
}

fn freshness(url: &str) -> std::sync::Arc<Freshness> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static MAP: OnceLock<Mutex<HashMap<String, Arc<Freshness>>>> = OnceLock::new();
    let mut map = MAP.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry(url.to_string()).or_default().clone()
}

fn freshness_of(db: &Db) -> std::sync::Arc<Freshness> {
    freshness(db.connect_options().database_url.as_str())
}

/// Counts rows written to the people tables in bulk (the identity
/// provider's group commits, demo seeding), so that a large load refreshes
/// the statistics within seconds rather than at the next periodic check.
pub fn note_bulk_rows(db: &Db, rows: u64) {
    freshness_of(db).written.fetch_add(rows, std::sync::atomic::Ordering::Relaxed);
}

/// Whether a pooled connection predates the last refresh of the statistics.
fn plans_with_old_statistics(f: &Freshness, age: Duration) -> bool {
    let refreshed = f.refreshed_ms.load(std::sync::atomic::Ordering::Relaxed);
    refreshed > 0 && age > since_epoch().saturating_sub(Duration::from_millis(refreshed))
}

/// Analyzes the people tables and marks every older connection for closing.
pub async fn refresh_statistics(db: &Db) -> sqlx::Result<()> {
    if is_sqlite(db) {
        // A sample of each index (analysis_limit) is enough for the planner
        // and keeps this to milliseconds at 100,000 people. ANALYZE writes
        // its tables: it queues with the other writers.
        let mut tx = begin(db).await?;
        sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut *tx).await?;
        sqlx::query("ANALYZE").execute(&mut *tx).await?;
        tx.commit().await?;
    } else {
        // VACUUM as well as ANALYZE: it marks the pages just written as
        // visible to all, so counts and searches read the indexes alone
        // instead of every row they match (after 100,000 people pushed over
        // SCIM, the Users page's searches took 60–100 ms before it and 9–17 ms
        // after; docs/measurements.md). About 0.4 s at 100,000 people; it
        // does not block reads or writes.
        sqlx::query("VACUUM (ANALYZE) users, teams, team_members").execute(db).await?;
    }
    let f = freshness_of(db);
    f.written.store(0, std::sync::atomic::Ordering::Relaxed);
    f.refreshed_ms.store((since_epoch().as_millis() as u64).max(1), std::sync::atomic::Ordering::Relaxed);
    crate::metrics::statistics_refreshed();
    Ok(())
}

/// A change of a fifth (and at least 500 rows) is worth new statistics.
fn grown_enough(before: u64, now: u64) -> bool {
    now.abs_diff(before) >= (before / 5).max(500)
}

/// Runs `optimize` every hour, and refreshes the statistics when the people
/// tables change size: checked every 5 seconds from what this process wrote,
/// and every 15 seconds by counting (another process — the CLI — may write).
pub fn spawn_optimizer(db: Db) {
    tokio::spawn(async move {
        let count = |db: Db| async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(&db).await.map(|n| n.max(0) as u64) };
        let mut analyzed = count(db.clone()).await.unwrap_or(0);
        let f = freshness_of(&db);
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            n += 1;
            let written = f.written.load(std::sync::atomic::Ordering::Relaxed);
            let counted = if written >= (analyzed / 5).max(500) || n % 3 == 0 { count(db.clone()).await.ok() } else { None };
            if let Some(now) = counted {
                if grown_enough(analyzed, now) {
                    match refresh_statistics(&db).await {
                        Ok(()) => {
                            tracing::info!(before = analyzed, now, "the people tables changed size: statistics refreshed");
                            analyzed = now;
                        }
                        Err(e) => tracing::warn!(error = %e, "refreshing the statistics failed"),
                    }
                }
            }
            if n % 720 == 0 {
                if let Err(e) = optimize(&db, false).await {
                    tracing::warn!(error = %e, "PRAGMA optimize failed");
                }
            }
        }
    });
}

/// Starts a transaction that will write. On SQLite, where one writer works at
/// a time, writers of this process first queue on an in-process lock (no
/// connection held while waiting), then take the database's write lock at
/// once (BEGIN IMMEDIATE): a deferred transaction that reads first and writes
/// later fails with "database is locked" when another writer got in between,
/// and SQLite's own busy handler makes waiters sleep (1, 2, 5, … 100 ms),
/// which under load costs more time than the writes. Other processes on the
/// same file (the CLI) still meet the busy timeout. PostgreSQL: a plain BEGIN.
pub async fn begin(db: &Db) -> sqlx::Result<WriteTx> {
    if is_sqlite(db) {
        let queued = crate::metrics::WriterQueued::enter();
        let guard = writer_lock(db).lock_owned().await;
        drop(queued);
        let tx = db.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx: Some(tx), guard: Some(guard) })
    } else {
        Ok(WriteTx { tx: Some(db.begin().await?), guard: None })
    }
}

/// The in-process writer queue of one SQLite database (by URL).
fn writer_lock(db: &Db) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let url = db.connect_options().database_url.as_str().to_string();
    let mut map = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry(url).or_default().clone()
}

/// A write transaction (see `begin`); it derefs to the connection, and keeps
/// this process's SQLite writer lock until it is committed or rolled back.
///
/// Dropped without either (an error returned early, or the future that held
/// it dropped — a client that hung up, a timeout), it rolls back in a task of
/// its own and lets the writer lock go only once the rollback is done: the
/// next writer never meets a transaction still open, and the lock is never
/// free while the database's is held.
pub struct WriteTx {
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(mut self) -> sqlx::Result<()> {
        let tx = self.tx.take().expect("a WriteTx holds its transaction until it ends");
        let result = tx.commit().await;
        // A commit that failed was rolled back by the database; the connection
        // goes back through `after_release`, which closes it if not.
        self.guard.take();
        result
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        let guard = self.guard.take();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "rolling back an abandoned write transaction");
                    }
                    drop(guard);
                });
            }
            // No runtime (a process shutting down): sqlx queues the rollback on the connection.
            Err(_) => drop(tx),
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.tx.as_deref().expect("a WriteTx holds its transaction until it ends")
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        self.tx.as_deref_mut().expect("a WriteTx holds its transaction until it ends")
    }
}

/// The most values an `IN (…)` list binds in one statement; longer lists
/// are asked in several.
pub const IN_LIST: usize = 1000;

/// `$first, $first+1, …` for an `IN (…)` list of `n` values.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A new id: random, and sorting by creation time (UUID version 7), so a
/// row written goes at the end of its primary key's index instead of at a
/// random place in it (people and audit events are written thousands a
/// second when an identity provider pushes a directory).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when the connection is to SQLite.
pub fn is_sqlite_conn(conn: &Conn) -> bool {
    conn.backend_name() == "SQLite"
}

/// A VALUES list of `rows` copies of `row`, each `?` in it a parameter,
/// numbered in order (`$1`, `$2` …) for PostgreSQL. SQLite keeps the plain
/// `?`, which its driver binds by position: a `$N` it looks up by name among
/// all of the statement's parameters, in time quadratic in their number (a
/// fifth of the server's time under SCIM load with 1,000-row statements).
pub fn value_rows(sqlite: bool, rows: usize, row: &str) -> String {
    let all = vec![row; rows].join(", ");
    if sqlite {
        return all;
    }
    let mut out = String::with_capacity(all.len() * 2);
    let mut n = 0;
    for c in all.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Times are stored as fixed-width UTC text, so they sort as text.
pub(crate) const TIME_FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A stored time. The database holds it as fixed-width UTC text (see
/// `format_time`), which sorts as text on both backends; rows read it as this type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(time::OffsetDateTime);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(time::OffsetDateTime::now_utc())
    }
    pub fn get(self) -> time::OffsetDateTime {
        self.0
    }
}

impl From<time::OffsetDateTime> for Timestamp {
    fn from(t: time::OffsetDateTime) -> Timestamp {
        Timestamp(t)
    }
}

impl TryFrom<String> for Timestamp {
    type Error = String;
    fn try_from(s: String) -> Result<Timestamp, String> {
        time::PrimitiveDateTime::parse(&s, TIME_FORMAT)
            .map(|t| Timestamp(t.assume_utc()))
            .or_else(|_| time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).map(Timestamp))
            .map_err(|e| format!("“{s}” is not a stored time: {e}"))
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_time(self.0))
    }
}

/// Reading typed columns in hand-written `FromRow`s (the derive cannot turn
/// an optional text or an integer flag into a domain type).
pub(crate) mod column {
    use sqlx::any::AnyRow;
    use sqlx::Row;

    fn decode_error(col: &str, e: String) -> sqlx::Error {
        sqlx::Error::ColumnDecode { index: col.to_string(), source: e.into() }
    }

    /// A text column read as a domain type (`Status`, `Origin`, `Timestamp`, …).
    pub fn typed<T: TryFrom<String, Error = String>>(r: &AnyRow, col: &str) -> sqlx::Result<T> {
        T::try_from(r.try_get::<String, _>(col)?).map_err(|e| decode_error(col, e))
    }

    pub fn typed_opt<T: TryFrom<String, Error = String>>(r: &AnyRow, col: &str) -> sqlx::Result<Option<T>> {
        r.try_get::<Option<String>, _>(col)?.map(T::try_from).transpose().map_err(|e| decode_error(col, e))
    }

    /// A `BIGINT` 0/1 flag.
    pub fn flag(r: &AnyRow, col: &str) -> sqlx::Result<bool> {
        Ok(r.try_get::<i64, _>(col)? != 0)
    }

    /// Whether a nullable text column (a time such as `archived_at`) is set.
    pub fn present(r: &AnyRow, col: &str) -> sqlx::Result<bool> {
        Ok(r.try_get::<Option<String>, _>(col)?.is_some())
    }

    /// A method this build does not know reads as password (what an unknown one allows least).
    pub fn auth_method(r: &AnyRow, col: &str) -> sqlx::Result<crate::domain::AuthMethod> {
        Ok(crate::domain::AuthMethod::parse(&r.try_get::<String, _>(col)?).unwrap_or(crate::domain::AuthMethod::Password))
    }

    /// A policy this build does not know reads as off, as an organization without one.
    pub fn mfa_policy(r: &AnyRow, col: &str) -> sqlx::Result<crate::domain::MfaPolicy> {
        Ok(crate::domain::MfaPolicy::parse(&r.try_get::<String, _>(col)?).unwrap_or(crate::domain::MfaPolicy::Off))
    }

    /// A built-in account type's key (Viewer, Creator, Admin); none for an admin's own type.
    pub fn built_in(r: &AnyRow, col: &str) -> sqlx::Result<Option<crate::domain::permissions::BuiltIn>> {
        Ok(r.try_get::<Option<String>, _>(col)?.as_deref().and_then(crate::domain::permissions::BuiltIn::from_key))
    }

    /// An account type's permissions, stored as JSON.
    pub fn permissions(r: &AnyRow, col: &str) -> sqlx::Result<crate::domain::PermissionSet> {
        Ok(crate::domain::PermissionSet::from_json(&r.try_get::<String, _>(col)?))
    }
}

pub fn format_time(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(TIME_FORMAT).expect("UTC times format")
}

pub fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

pub fn ago(d: time::Duration) -> String {
    format_time(time::OffsetDateTime::now_utc() - d)
}

/// The rows `select` (a query ending in "… WHERE <alias>.org_id = $1 AND
/// <alias>.id") finds for these ids; unknown ids are left out.
pub(crate) async fn rows_by_ids<T>(conn: &mut Conn, select: &str, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} IN ({})", placeholders(2, ids.len()));
    let mut q = sqlx::query_as::<_, T>(&sql).bind(org_id);
    for id in ids {
        q = q.bind(id.as_str());
    }
    q.fetch_all(&mut *conn).await
}

/// How many rows one batch of a log's pruning deletes.
const BATCH: u64 = 5000;

/// Deletes rows of a log `table` that `which` picks (an SQL condition on the
/// table's own columns, its parameters `values` as $1, $2 …), 5,000 to a
/// transaction, so writers are never held up for long; how many went.
/// `keep_first` keeps the first rows in that order out of it (OFFSET), for caps.
pub(crate) async fn delete_in_batches(db: &Db, table: &'static str, which: &str, values: &[&str], keep_first: Option<(&str, i64)>) -> sqlx::Result<u64> {
    let skip = keep_first.map(|(order, keep)| format!(" ORDER BY {order} LIMIT {BATCH} OFFSET {keep}")).unwrap_or_else(|| format!(" LIMIT {BATCH}"));
    let sql = format!("DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {which}{skip})");
    let mut removed = 0;
    loop {
        let mut tx = begin(db).await?;
        let mut q = sqlx::query(&sql);
        for v in values {
            q = q.bind(*v);
        }
        let n = q.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        removed += n;
        if n < BATCH {
            return Ok(removed);
        }
    }
}

/// A small error type for start-up, so the store needs no extra crate.
pub mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
    pub fn msg(s: impl Into<String>) -> Box<dyn std::error::Error + Send + Sync> {
        s.into().into()
    }
}

/// True when the error is a unique-constraint violation (both backends).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

/// Whether the database answers (the health check).
pub async fn ping(db: &Db) -> sqlx::Result<()> {
    sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(db).await.map(|_| ())
}

/// People or teams (`table`: "users" or "teams") the identity provider
/// managed, returned to local management: one (`id`), or all of `org_id`'s.
pub(crate) async fn release_managed(conn: &mut Conn, table: &'static str, org_id: &str, id: Option<&str>) -> sqlx::Result<u64> {
    let sql = format!("UPDATE {table} SET origin = 'local', updated_at = $1 WHERE org_id = $2 AND origin = 'scim'{}", if id.is_some() { " AND id = $3" } else { "" });
    let mut q = sqlx::query(&sql).bind(now()).bind(org_id);
    if let Some(id) = id {
        q = q.bind(id);
    }
    Ok(q.execute(&mut *conn).await?.rows_affected())
}

/// How many people or teams (`table`) the identity provider manages now (archived ones left out).
pub(crate) async fn managed_count(db: &Db, table: &'static str, org_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND origin = 'scim' AND archived_at IS NULL")).bind(org_id).fetch_one(db).await
}

#[cfg(test)]
mod tests {
    /// The embedded list is what sqlx itself reads from the folder: same
    /// versions, descriptions, kinds and checksums (a changed checksum would
    /// make every existing database refuse to start).
    #[test]
    fn embedded_migrations_are_the_folders() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let read: Vec<_> = sqlx::migrate::resolve_blocking(&folder).unwrap().into_iter().map(|(m, _)| m).collect();
        let embedded = super::migrations();
        assert!(embedded.len() >= 11, "every migration is embedded: {}", embedded.len());
        assert_eq!(embedded.len(), read.len());
        for (e, r) in embedded.iter().zip(&read) {
            assert_eq!((e.version, &e.description, e.migration_type, &e.checksum, e.no_tx), (r.version, &r.description, r.migration_type, &r.checksum, r.no_tx));
        }
    }

    #[test]
    fn value_rows_number_parameters_for_postgresql_and_leave_them_plain_for_sqlite() {
        assert_eq!(super::value_rows(true, 2, "(?, 0, ?)"), "(?, 0, ?), (?, 0, ?)");
        assert_eq!(super::value_rows(false, 2, "(?, 0, ?)"), "($1, 0, $2), ($3, 0, $4)");
    }

    #[test]
    fn new_ids_sort_by_creation_time() {
        let ids: Vec<String> = (0..50).map(|_| super::new_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids[0].len(), 36);
    }
}

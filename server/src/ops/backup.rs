//! `gatehouse backup` and `gatehouse restore` for SQLite, and the lock that
//! tells restore a server is using the database.
//!
//! A backup is `VACUUM INTO`: SQLite copies the database as one read
//! transaction sees it, so the copy is consistent while the server keeps
//! writing (in WAL mode readers and the writer do not wait for each other),
//! and it is one self-contained file. PostgreSQL has pg_dump and pg_restore.
use app::service::database as maintenance;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The newest schema version this binary knows (of the migrations `store::migrate` runs).
pub fn latest_schema() -> i64 {
    app::service::database::latest_schema()
}

/// The file a `sqlite:` URL names, or None for PostgreSQL.
pub fn sqlite_path(url: &str) -> anyhow::Result<Option<PathBuf>> {
    if !url.starts_with("sqlite:") {
        return Ok(None);
    }
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        anyhow::bail!("the database URL {url} names no file");
    }
    Ok(Some(PathBuf::from(path)))
}

/// Held by `gatehouse serve` for as long as it runs: an exclusive lock
/// (flock) on `<database>.lock`, holding the server's process id. Restore
/// refuses while it is held, and a second server on the same SQLite file
/// refuses to start (one process serves a SQLite file: its writer queue and
/// token cache are in memory).
pub struct ServeLock {
    _file: File,
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    db.with_file_name(name)
}

/// The lock file beside the database, created when missing, never emptied here.
fn open_lock_file(path: &Path) -> anyhow::Result<std::fs::File> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(|e| anyhow::anyhow!("cannot open the lock file {}: {e}", path.display()))
}

fn holder(lock: &Path) -> String {
    match std::fs::read_to_string(lock).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(pid) => format!(" (process {pid})"),
        None => String::new(),
    }
}

impl ServeLock {
    /// For `serve`: fails when another server (or a restore) holds the database.
    pub fn take(db: &Path) -> anyhow::Result<ServeLock> {
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create the database folder {}: {e}", dir.display()))?;
        }
        let path = lock_path(db);
        let mut file = open_lock_file(&path)?;
        if file.try_lock().is_err() {
            anyhow::bail!(
                "the database {} is in use by another Gatehouse{}: a server, or a restore in progress. One process serves a SQLite database; stop the other one first.",
                db.display(),
                holder(&path)
            );
        }
        file.set_len(0)?;
        writeln!(file, "{}", std::process::id())?;
        Ok(ServeLock { _file: file })
    }

    /// For `restore`: fails while a server holds the database.
    fn exclusive(db: &Path) -> anyhow::Result<ServeLock> {
        let path = lock_path(db);
        let file = open_lock_file(&path)?;
        if file.try_lock().is_err() {
            anyhow::bail!(
                "the database {} is in use by a running Gatehouse{}. Stop it first (systemctl stop gatehouse, or Ctrl-C where it runs), then run restore again.",
                db.display(),
                holder(&path)
            );
        }
        Ok(ServeLock { _file: file })
    }
}

/// What a backup or restore reports.
pub struct Summary {
    pub bytes: u64,
    pub organizations: i64,
    pub users: i64,
    pub schema: i64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let size = if self.bytes >= 1 << 20 { format!("{:.1} MB", self.bytes as f64 / (1 << 20) as f64) } else { format!("{} KB", self.bytes.div_ceil(1024)) };
        let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(f, "{size}, {}, {}, schema {}", plural(self.organizations, "organization", "organizations"), plural(self.users, "user", "users"), self.schema)
    }
}

async fn open(path: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(10))
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))
}

/// Checks that `path` is a whole Gatehouse database this binary can serve.
/// Checks the database at `path`; messages name it `shown` (the file the
/// operator gave, when `path` is a working copy of it).
async fn inspect(path: &Path, shown: &Path, read_only: bool) -> anyhow::Result<Summary> {
    let mut conn = open(path, read_only).await.map_err(|e| anyhow::anyhow!("{} cannot be opened as a SQLite database: {e}", shown.display()))?;
    let check = maintenance::quick_check(&mut conn).await.map_err(|e| anyhow::anyhow!("{} is not a SQLite database: {e}", shown.display()))?;
    if check != "ok" {
        anyhow::bail!("{} is damaged (SQLite's quick_check says: {check})", shown.display());
    }
    let schema = maintenance::schema_version(&mut conn).await.map_err(|_| anyhow::anyhow!("{} is a SQLite database, but not one of Gatehouse (it has no migrations table)", shown.display()))?;
    let schema = schema.unwrap_or(0);
    if schema > latest_schema() {
        anyhow::bail!("{} was written by a newer Gatehouse (schema {schema}; this one knows up to {}). Use that release or a newer one.", shown.display(), latest_schema());
    }
    let (organizations, users) = maintenance::organizations_and_users(&mut conn).await?;
    conn.close().await?;
    Ok(Summary { bytes: std::fs::metadata(path)?.len(), organizations, users, schema })
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// A name beside `path` with `suffix` appended to the file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

const PG_BACKUP: &str = "gatehouse backup copies SQLite databases. For PostgreSQL, use pg_dump while Gatehouse runs:\n  pg_dump --format=custom --file=gatehouse.dump \"$GATEHOUSE_DATABASE_URL\"";
const PG_RESTORE: &str = "gatehouse restore replaces SQLite databases. For PostgreSQL, stop Gatehouse, then restore into an empty database with pg_restore:\n  pg_restore --no-owner --dbname=\"$GATEHOUSE_DATABASE_URL\" gatehouse.dump";

/// Copies the SQLite database of `url` to `out` (a new file, mode 0600: it
/// holds password and token hashes) while the server may be writing.
pub async fn backup(url: &str, out: &Path) -> anyhow::Result<Summary> {
    let src = sqlite_path(url)?.ok_or_else(|| anyhow::anyhow!(PG_BACKUP))?;
    if !src.is_file() {
        anyhow::bail!("there is no database at {} (GATEHOUSE_DATABASE_URL or --database-url names it)", src.display());
    }
    if out.exists() {
        anyhow::bail!("{} exists already; a backup never overwrites a file. Choose a new name.", out.display());
    }
    // The backups folder is made on first use (0700: the copies hold hashes).
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", dir.display()))?;
        #[cfg(unix)]
        let _ = std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700));
    }
    // SQLite writes into an empty file that already exists, and keeps its mode.
    let partial = beside(out, ".partial");
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&partial).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", partial.display()))?;
    let copied = async {
        let mut conn = open(&src, false).await?;
        maintenance::vacuum_into(&mut conn, &partial.to_string_lossy()).await.map_err(|e| anyhow::anyhow!("the copy failed: {e}"))?;
        conn.close().await?;
        // VACUUM INTO does not flush the copy to disk; a backup must survive a power cut.
        File::open(&partial)?.sync_all()?;
        inspect(&partial, out, true).await
    }
    .await;
    let summary = match copied {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    // A link fails when `out` appeared meanwhile: nothing is overwritten.
    let linked = std::fs::hard_link(&partial, out);
    let _ = std::fs::remove_file(&partial);
    linked.map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    sync_dir(out);
    Ok(summary)
}

/// What `restore` did.
pub struct Restored {
    pub summary: Summary,
    /// Where the database it replaced was moved, if there was one.
    pub replaced: Option<PathBuf>,
}

/// Replaces the SQLite database of `url` with the backup `from`; refuses
/// while a server uses the database. The replaced database is kept beside it.
pub async fn restore(url: &str, from: &Path) -> anyhow::Result<Restored> {
    let target = sqlite_path(url)?.ok_or_else(|| anyhow::anyhow!(PG_RESTORE))?;
    if !from.is_file() {
        anyhow::bail!("there is no backup at {}", from.display());
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let _lock = ServeLock::exclusive(&target)?;
    let staging = beside(&target, ".restoring");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(from, &staging).map_err(|e| anyhow::anyhow!("cannot copy {} to {}: {e}", from.display(), staging.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(&staging, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    let summary = match inspect(&staging, from, false).await {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&staging);
            return Err(e);
        }
    };
    File::open(&staging)?.sync_all()?;

    // The old database moves aside with its WAL: a WAL left behind would be
    // replayed into the restored file.
    let replaced = if target.exists() {
        let stamp = time::OffsetDateTime::now_utc().format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z")).unwrap_or_default();
        let aside = beside(&target, &format!(".replaced-{stamp}"));
        std::fs::rename(&target, &aside)?;
        for suffix in ["-wal", "-shm", "-journal"] {
            let f = beside(&target, suffix);
            if f.exists() {
                std::fs::rename(&f, beside(&aside, suffix))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staging, &target)?;
    sync_dir(&target);
    Ok(Restored { summary, replaced })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite://data/gatehouse.db").unwrap(), Some(PathBuf::from("data/gatehouse.db")));
        assert_eq!(sqlite_path("sqlite:///var/lib/gatehouse/gatehouse.db?mode=rwc").unwrap(), Some(PathBuf::from("/var/lib/gatehouse/gatehouse.db")));
        assert_eq!(sqlite_path("postgres://gatehouse@db/gatehouse").unwrap(), None);
        assert!(sqlite_path("sqlite::memory:").is_err());
    }
}

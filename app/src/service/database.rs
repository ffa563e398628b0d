//! The database as the server runs it: opening and migrating it, the health
//! check, the hourly upkeep, folding SQLite's WAL back at stop, and the whole-
//! file operations of backup and restore. Nothing here reads or writes the
//! organization's data: that is the use cases' (and the store's) alone.
use super::store;
pub use super::store::maintenance::{organizations_and_users, quick_check, schema_version, vacuum_into};
pub use super::store::{anyhow_like, is_sqlite, prepare_sqlite_url, redacted, Backend, Db, Timestamp};

/// Connects to a database URL (SQLite: the file and its folder are created).
pub async fn connect(url: &str) -> anyhow_like::Result<Db> {
    store::connect(url).await
}

/// Brings the schema up to date (see `store::migrate`).
pub async fn migrate(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    store::migrate(db).await
}

/// The newest schema version this binary knows.
pub fn latest_schema() -> i64 {
    store::migrations().iter().map(|m| m.version).max().unwrap_or(0)
}

/// Whether the database answers.
pub async fn ping(db: &Db) -> sqlx::Result<()> {
    store::ping(db).await
}

/// Keeps SQLite's query planner informed, every hour.
pub fn spawn_optimizer(db: Db) {
    store::spawn_optimizer(db)
}

/// SQLite: writes the WAL back into the database file (at stop).
pub async fn checkpoint_wal(db: &Db) -> sqlx::Result<(i64, i64, i64)> {
    store::maintenance::checkpoint_wal(db).await
}

/// What stopping leaves to write: refusals counted in memory, into the audit log.
pub async fn flush_before_stop(db: &Db) -> sqlx::Result<()> {
    store::audit::flush_counts(db).await
}

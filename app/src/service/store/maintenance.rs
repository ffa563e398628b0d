//! The database's upkeep, for the operator's commands: folding SQLite's WAL
//! back at stop, and reading and writing whole SQLite files (backup, restore).
use super::Db;
use sqlx::SqliteConnection;

/// SQLite: writes the WAL back into the database file and empties it.
/// Answers (busy, frames in the log, frames written back); busy 0 is success.
pub async fn checkpoint_wal(db: &Db) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(db).await
}

/// SQLite's quick integrity check of the open file: "ok", or what is wrong.
pub async fn quick_check(conn: &mut SqliteConnection) -> sqlx::Result<String> {
    sqlx::query_scalar("PRAGMA quick_check").fetch_one(conn).await
}

/// The newest migration applied; an error when the file has no migrations table.
pub async fn schema_version(conn: &mut SqliteConnection) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(conn).await
}

/// How many organizations and people the file holds.
pub async fn organizations_and_users(conn: &mut SqliteConnection) -> sqlx::Result<(i64, i64)> {
    let organizations = sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(&mut *conn).await?;
    let users = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await?;
    Ok((organizations, users))
}

/// A consistent copy of the open database into the empty file `into`, while
/// others may be writing to it.
pub async fn vacuum_into(conn: &mut SqliteConnection, into: &str) -> sqlx::Result<()> {
    exec!(conn, "VACUUM INTO $1", into)
}

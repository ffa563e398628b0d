//! Sessions live in the database, so any instance can serve any request.
use async_trait::async_trait;
use std::str::FromStr;
use std::sync::Arc;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The session store for whichever database Gatehouse runs on. Clones share
/// one store; its clean-up task ends when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Store(Arc<Backend>);

#[derive(Debug)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        if url.starts_with("sqlite:") {
            let url = app::store::prepare_sqlite_url(url)?;
            let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(std::time::Duration::from_secs(10));
            let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
            let s = SqliteStore::new(pool);
            s.migrate().await?;
            Ok(Store(Arc::new(Backend::Sqlite(s))))
        } else {
            let pool = sqlx::postgres::PgPoolOptions::new().max_connections(8).connect(url).await?;
            let s = PostgresStore::new(pool);
            s.migrate().await?;
            Ok(Store(Arc::new(Backend::Postgres(s))))
        }
    }

    /// Removes expired sessions every few minutes; safe when several instances
    /// do it at once. Stops once the store is no longer used.
    pub fn spawn_cleanup(&self) {
        let store = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
            loop {
                tick.tick().await;
                let Some(s) = store.upgrade() else { return };
                let r = match &*s {
                    Backend::Sqlite(x) => x.delete_expired().await,
                    Backend::Postgres(x) => x.delete_expired().await,
                };
                if let Err(e) = r {
                    tracing::warn!(error = %e, "could not delete expired sessions");
                }
            }
        });
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &*self.0 {
            Backend::Sqlite(s) => s.create(record).await,
            Backend::Postgres(s) => s.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match &*self.0 {
            Backend::Sqlite(s) => s.save(record).await,
            Backend::Postgres(s) => s.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match &*self.0 {
            Backend::Sqlite(s) => s.load(id).await,
            Backend::Postgres(s) => s.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match &*self.0 {
            Backend::Sqlite(s) => s.delete(id).await,
            Backend::Postgres(s) => s.delete(id).await,
        }
    }
}

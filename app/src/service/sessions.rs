//! Sessions live in the database, so any instance can serve any request. The
//! store writes through `store::begin` like everything else: on SQLite a
//! session write queues with the other writers instead of failing with
//! "database is locked" while an identity provider pushes a directory.
use crate::service::store::{self, Db};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

impl Store {
    pub fn new(db: Db) -> Store {
        Store { db }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut tx = store::begin(&self.db).await.map_err(backend)?;
        // A new id until one is free (a collision of 128 random bits is not expected, but costs nothing to handle).
        while !store::sessions::create(&mut tx, &record.id.to_string(), &encode(record)?, record.expiry_date).await.map_err(backend)? {
            record.id = Id::default();
        }
        tx.commit().await.map_err(backend)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let mut tx = store::begin(&self.db).await.map_err(backend)?;
        store::sessions::save(&mut tx, &record.id.to_string(), &encode(record)?, record.expiry_date).await.map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let data = store::sessions::load(&self.db, &id.to_string()).await.map_err(backend)?;
        data.map(|d| serde_json::from_str(&d).map_err(|e| session_store::Error::Decode(e.to_string()))).transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut tx = store::begin(&self.db).await.map_err(backend)?;
        store::sessions::delete(&mut tx, &id.to_string()).await.map_err(backend)?;
        tx.commit().await.map_err(backend)
    }
}

//! Group commit for SCIM user creates. An identity provider pushing a
//! directory sends many creates at once; written one transaction each they
//! queue on the database's single writer (SQLite) and every one pays for its
//! own BEGIN, COMMIT and write-ahead-log write. Here creates that arrive while
//! a transaction is being written wait for the next one, which writes them all
//! with one multi-row INSERT for the users and one for their audit events.
//!
//! Nothing is answered before its transaction has committed. When a batch
//! fails (a userName taken, also by another request in the same batch), its
//! creates are written again one transaction each, so every request gets its
//! own answer: 201, or 409 for the duplicate, exactly as without batching.
use app::store::{self, audit::Event, Db};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// At most this many creates share a transaction (14 values each, well under
/// the bound-parameter limits of SQLite and PostgreSQL).
const MAX_BATCH: usize = 64;

/// One user row as POST /Users writes it, and its audit event.
pub struct NewUser {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub email_norm: String,
    pub first_name: String,
    pub last_name: String,
    pub name_norm: String,
    pub last_norm: String,
    pub account_type_id: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub status: &'static str,
    pub scim_profile: String,
    pub now: String,
    /// The audit event: actor id, actor, detail.
    pub actor_id: String,
    pub actor: String,
    pub detail: String,
}

pub enum Failure {
    /// The userName is taken.
    Duplicate,
    Database(sqlx::Error),
}

type Job = (NewUser, oneshot::Sender<Result<(), Failure>>);

/// Writes `user` in the next batch; returns once that batch has committed.
pub async fn create(db: &Db, user: NewUser) -> Result<(), Failure> {
    let (tx, rx) = oneshot::channel();
    let mut job = (user, tx);
    // The queue's task lives on the runtime that first used it; when that
    // runtime has ended (a test's), a new task takes over.
    for _ in 0..2 {
        match queue(db).send(job) {
            Ok(()) => {
                return rx.await.unwrap_or_else(|_| Err(Failure::Database(sqlx::Error::WorkerCrashed)));
            }
            Err(mpsc::error::SendError(j)) => {
                job = j;
                forget(db);
            }
        }
    }
    Err(Failure::Database(sqlx::Error::WorkerCrashed))
}

fn queues() -> std::sync::MutexGuard<'static, HashMap<String, mpsc::UnboundedSender<Job>>> {
    static QUEUES: OnceLock<Mutex<HashMap<String, mpsc::UnboundedSender<Job>>>> = OnceLock::new();
    QUEUES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

fn key(db: &Db) -> String {
    db.connect_options().database_url.to_string()
}

fn forget(db: &Db) {
    queues().remove(&key(db));
}

/// The queue of this database, with its writer task started on first use.
fn queue(db: &Db) -> mpsc::UnboundedSender<Job> {
    queues()
        .entry(key(db))
        .or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(db.clone(), rx));
            tx
        })
        .clone()
}

async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let users: Vec<&NewUser> = jobs.iter().map(|(u, _)| u).collect();
        match write(&db, &users).await {
            Ok(()) => {
                for (_, reply) in jobs {
                    let _ = reply.send(Ok(()));
                }
            }
            Err(e) if jobs.len() == 1 => {
                let (_, reply) = jobs.pop().expect("one job");
                let _ = reply.send(Err(e));
            }
            // Someone in the batch failed: each on its own, so only they fail.
            Err(_) => {
                for (user, reply) in jobs {
                    let _ = reply.send(write(&db, &[&user]).await);
                }
            }
        }
    }
}

/// One transaction: the users, then their audit events.
async fn write(db: &Db, users: &[&NewUser]) -> Result<(), Failure> {
    let db_err = |e: sqlx::Error| if store::is_unique_violation(&e) { Failure::Duplicate } else { Failure::Database(e) };
    let mut tx = store::begin(db).await.map_err(db_err)?;
    // Per row: 14 values; created_at and updated_at are the same one.
    let rows: Vec<String> = (0..users.len())
        .map(|i| {
            let b = i * 14;
            format!("({}, 0, 'scim', {}, ${})", store::placeholders(b + 1, 9), store::placeholders(b + 10, 5), b + 14)
        })
        .collect();
    let sql = format!(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, invite_pending, \
         origin, external_id, display_name, status, scim_profile, created_at, updated_at) VALUES {}",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for u in users {
        q = q
            .bind(&u.id)
            .bind(&u.org_id)
            .bind(&u.email)
            .bind(&u.email_norm)
            .bind(&u.first_name)
            .bind(&u.last_name)
            .bind(&u.name_norm)
            .bind(&u.last_norm)
            .bind(&u.account_type_id)
            .bind(&u.external_id)
            .bind(&u.display_name)
            .bind(u.status)
            .bind(&u.scim_profile)
            .bind(&u.now);
    }
    q.execute(&mut *tx).await.map_err(db_err)?;
    let events = users
        .iter()
        .map(|u| Event {
            org_id: &u.org_id,
            actor_id: Some(&u.actor_id),
            actor: &u.actor,
            action: app::domain::audit::USER_CREATED,
            target: &u.email,
            detail: u.detail.clone(),
            ip: "",
        })
        .collect();
    store::audit::record_many(&mut *tx, events).await.map_err(db_err)?;
    tx.commit().await.map_err(db_err)
}

//! Group commit for the identity provider's creates. An identity provider
//! pushing a directory sends many creates at once; written one transaction
//! each they queue on the database's single writer (SQLite) and every one
//! pays for its own BEGIN, COMMIT and write-ahead-log write. Here creates
//! that arrive while a transaction is being written wait for the next one,
//! which writes them all with one multi-row INSERT for the people and one for
//! their audit events.
//!
//! Nothing is answered before its transaction has committed. When a batch
//! fails (a userName taken, also by another request in the same batch), its
//! creates are written again one transaction each, so every request gets its
//! own answer, exactly as without batching.
use super::users::IdpPerson;
use super::{Db, Timestamp};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// At most this many creates share a transaction (12 values each, well
/// under the bound-parameter limits of SQLite and PostgreSQL).
const MAX_BATCH: usize = 64;

/// A person the identity provider creates, and their audit entry.
pub struct Job {
    pub id: String,
    pub org_id: String,
    pub person: IdpPerson,
    /// Who created them as the audit log names the actor: (id, label, address).
    pub actor: (Option<String>, String, String),
    pub action: &'static str,
    pub detail: String,
}

/// Why a create was not written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The userName is taken (also by another create of the same batch).
    Taken,
    /// The database failed (logged).
    Failed,
}

type Result<T> = std::result::Result<T, Refused>;

type Queued = (Job, oneshot::Sender<Result<Timestamp>>);

fn gone() -> Refused {
    tracing::error!("the create queue's writer stopped");
    Refused::Failed
}

/// Writes `job` in the next batch; returns once that batch has committed,
/// with the creation time it stored (what the answer must say).
pub async fn create(db: &Db, job: Job) -> Result<Timestamp> {
    let (tx, rx) = oneshot::channel();
    let mut queued = (job, tx);
    // The queue's task lives on the runtime that first used it; when that
    // runtime has ended (a test's), a new task takes over.
    for _ in 0..2 {
        match queue(db).send(queued) {
            Ok(()) => return rx.await.unwrap_or_else(|_| Err(gone())),
            Err(mpsc::error::SendError(q)) => {
                queued = q;
                forget(db);
            }
        }
    }
    Err(gone())
}

fn queues() -> std::sync::MutexGuard<'static, HashMap<String, mpsc::UnboundedSender<Queued>>> {
    static QUEUES: OnceLock<Mutex<HashMap<String, mpsc::UnboundedSender<Queued>>>> = OnceLock::new();
    QUEUES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

fn key(db: &Db) -> String {
    db.connect_options().database_url.to_string()
}

fn forget(db: &Db) {
    queues().remove(&key(db));
}

/// The queue of this database, with its writer task started on first use.
fn queue(db: &Db) -> mpsc::UnboundedSender<Queued> {
    queues()
        .entry(key(db))
        .or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(db.clone(), rx));
            tx
        })
        .clone()
}

/// A queue idle this long ends its task (and lets go of the database);
/// the next create starts a new one.
const IDLE: std::time::Duration = std::time::Duration::from_secs(10);

async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Queued>) {
    loop {
        let first = match tokio::time::timeout(IDLE, rx.recv()).await {
            Ok(Some(job)) => job,
            Ok(None) => return,
            Err(_) => {
                // No new sender finds this queue; creates already sent are written.
                forget(&db);
                rx.close();
                while let Some(job) = rx.recv().await {
                    let reply = job.1;
                    let _ = reply.send(write(&db, &[&job.0]).await);
                }
                return;
            }
        };
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let all: Vec<&Job> = jobs.iter().map(|(j, _)| j).collect();
        match write(&db, &all).await {
            Ok(at) => {
                for (_, reply) in jobs {
                    let _ = reply.send(Ok(at));
                }
            }
            Err(e) if jobs.len() == 1 => {
                let (_, reply) = jobs.pop().expect("one job");
                let _ = reply.send(Err(e));
            }
            // Someone in the batch failed: each on its own, so only they fail.
            Err(_) => {
                for (job, reply) in jobs {
                    let _ = reply.send(write(&db, &[&job]).await);
                }
            }
        }
    }
}

/// One transaction: the people (one organization's each), then their audit events.
async fn write(db: &Db, jobs: &[&Job]) -> Result<Timestamp> {
    let refused = |e: sqlx::Error| {
        if super::is_unique_violation(&e) {
            Refused::Taken
        } else {
            tracing::error!(error = %e, "database error while writing provisioned people");
            Refused::Failed
        }
    };
    let mut tx = super::begin(db).await.map_err(refused)?;
    let stamp = Timestamp::now();
    let at = stamp.to_string();
    let mut by_org: HashMap<&str, Vec<(&str, &IdpPerson)>> = HashMap::new();
    for j in jobs {
        by_org.entry(j.org_id.as_str()).or_default().push((&j.id, &j.person));
    }
    for (org_id, people) in by_org {
        super::users::insert_provisioned(&mut tx, org_id, &people, &at).await.map_err(refused)?;
    }
    let events = jobs
        .iter()
        .map(|j| super::audit::Event {
            org_id: &j.org_id,
            actor_id: j.actor.0.as_deref(),
            actor: &j.actor.1,
            action: j.action,
            target: j.person.email.as_str(),
            detail: j.detail.clone(),
            ip: &j.actor.2,
        })
        .collect();
    super::audit::record_many(&mut tx, events).await.map_err(refused)?;
    tx.commit().await.map_err(refused)?;
    super::note_bulk_rows(db, jobs.len() as u64);
    Ok(stamp)
}

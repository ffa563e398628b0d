//! Administration > Provisioning activity: every SCIM request of the
//! identity provider, what it did and what it changed.
//!
//! The SCIM door starts a `Recorder` per request (token, method, path,
//! request id, the body redacted) and hands it to the use cases on the
//! `Actor`. A use case that changes something says what it did (`note`)
//! before its transaction commits and that it committed (`committed`) after;
//! the door's last word (`finish`) puts the row in a queue of its own, which
//! writes the rows of many requests in one transaction every 100 ms and which
//! the request does not wait for. A row pushed while the queue's writer
//! gathers or writes wakes no one: one wake a batch, not one a request (a
//! wake a request cost the identity provider's cheapest membership PATCH
//! about a tenth of its throughput, docs/measurements.md).
//!
//! Not written in the change's own transaction: an INSERT there ran while
//! the change held SQLite's write lock, one more statement for every change
//! of every request, and took a fifth of the identity provider's throughput
//! for membership changes (docs/measurements.md). The price: a row can be
//! lost that describes a change which committed — when the process dies in
//! the 100 ms before the queue writes it, or the queue overflows (10,000
//! rows, logged). The audit log, written in the change's transaction, still
//! has the change.
use super::access::Caller;
use super::{Actor, Error, Result};
use crate::domain::activity::{
    FieldChange, ProvisioningEntryView, ProvisioningOutcome, ProvisioningPage, ProvisioningQuery, DEFAULT_PROVISIONING_DAYS, MAX_PROVISIONING_DAYS, MIN_PROVISIONING_DAYS, PROVISIONING_ACTIVITY_MAX,
};
use crate::domain::audit;
use crate::service::store::{self, provisioning_activity::NewEntry, Db};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use tokio::sync::oneshot;

/// What the door knows of a request when it starts.
pub struct RequestInfo {
    pub org_id: String,
    pub request_id: String,
    pub token_id: String,
    pub token_name: String,
    pub method: String,
    pub path: String,
}

/// One SCIM request's record, filled in as the request goes.
#[derive(Clone)]
pub struct Recorder(Arc<Mutex<Draft>>);

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

struct Draft {
    entry: NewEntry,
    started: Instant,
    /// What the use case said it did.
    outcome: Option<ProvisioningOutcome>,
    changes: Vec<FieldChange>,
    /// The transaction of that change committed.
    committed: bool,
    written: bool,
}

/// The longest request body kept, in bytes.
const MAX_BODY: usize = 16 * 1024;

impl Recorder {
    pub fn start(info: RequestInfo) -> Recorder {
        let entry = NewEntry {
            id: store::new_id(),
            org_id: info.org_id,
            at: String::new(),
            request_id: info.request_id,
            token_id: info.token_id,
            token_name: info.token_name,
            method: info.method,
            path: info.path.chars().take(1000).collect(),
            status: 0,
            latency_us: 0,
            outcome: String::new(),
            resource_kind: String::new(),
            resource_id: String::new(),
            resource_label: String::new(),
            changes: String::new(),
            error_type: String::new(),
            message: String::new(),
            request_body: String::new(),
        };
        Recorder(Arc::new(Mutex::new(Draft { entry, started: Instant::now(), outcome: None, changes: Vec::new(), committed: false, written: false })))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Draft) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The request's body, kept redacted (see `redact`).
    pub fn body(&self, body: &[u8]) {
        let kept = redact(body);
        self.with(|d| d.entry.request_body = kept);
    }

    /// The person or team the request is about ("user" or "team"), as far as the door knows.
    pub fn touched(&self, kind: &str, id: &str, label: &str) {
        self.with(|d| {
            if d.entry.resource_id.is_empty() || d.entry.resource_id == id {
                d.entry.resource_kind = kind.to_string();
                d.entry.resource_id = id.to_string();
                if !label.is_empty() {
                    d.entry.resource_label = label.to_string();
                }
            }
        });
    }

    /// The row as it stands, with its status, latency and time; the body
    /// is moved into it, not copied (the request is over).
    fn entry(d: &mut Draft, status: i64, outcome: ProvisioningOutcome, changes: &[FieldChange]) -> NewEntry {
        let body = std::mem::take(&mut d.entry.request_body);
        let mut e = d.entry.clone();
        e.request_body = body;
        e.at = store::now();
        e.status = status;
        e.latency_us = d.started.elapsed().as_micros().min(i64::MAX as u128) as i64;
        e.outcome = outcome.key().to_string();
        e.changes = if changes.is_empty() { String::new() } else { serde_json::to_string(changes).unwrap_or_default() };
        e
    }

    /// The door's last word: the answer's status and, for a refusal, the
    /// SCIM error's type and message. The row is queued for writing now.
    pub fn finish(&self, db: &Db, status: u16, error: Option<(&str, &str)>) {
        let entry = self.with(|d| {
            if d.written {
                return None;
            }
            d.written = true;
            let (outcome, changes) = match d.outcome {
                // A change that committed is told as it was, whatever the answer became after it.
                Some(outcome) if d.committed => (outcome, d.changes.clone()),
                // A refused request changed nothing, whatever was worked out before it failed.
                _ if status >= 400 => (ProvisioningOutcome::Refused, Vec::new()),
                Some(outcome) => (outcome, Vec::new()),
                None if d.entry.method == "GET" => (ProvisioningOutcome::Read, Vec::new()),
                None => (ProvisioningOutcome::Unchanged, Vec::new()),
            };
            let mut e = Self::entry(d, i64::from(status), outcome, &changes);
            if let Some((kind, message)) = error {
                e.error_type = kind.to_string();
                e.message = message.chars().take(2000).collect();
            }
            Some(e)
        });
        if let Some(e) = entry {
            enqueue(db, e);
        }
    }
}

/// What a use case did, said before its transaction commits. Kept with the request (`actor.activity`) and
/// written when the request finishes, if the change committed.
pub(crate) fn note(actor: &Actor, outcome: ProvisioningOutcome, resource: (&str, &str, &str), changes: Vec<FieldChange>) {
    let Some(rec) = &actor.activity else {
        return;
    };
    rec.with(|d| {
        d.outcome = Some(outcome);
        d.changes = changes;
        d.entry.resource_kind = resource.0.to_string();
        d.entry.resource_id = resource.1.to_string();
        d.entry.resource_label = resource.2.to_string();
    });
}

/// The transaction of the change `note` described has committed.
pub(crate) fn committed(actor: &Actor) {
    if let Some(rec) = &actor.activity {
        rec.with(|d| d.committed = true);
    }
}

/// A kept body as the page shows it: JSON laid out over lines; a body cut
/// at the limit (or not JSON) as it was kept.
fn laid_out(body: String) -> String {
    match serde_json::from_str::<Value>(&body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or(body),
        Err(_) => body,
    }
}

/// A body as the activity keeps it: JSON with every password's value
/// replaced and lists of more than 20 shortened ("… and 630 more"), at most 16 KB.
pub fn redact(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return format!("(not JSON: {} bytes)", body.len());
    };
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                for (k, x) in o.iter_mut() {
                    if k.to_ascii_lowercase().contains("password") || k.eq_ignore_ascii_case("secret") || k.eq_ignore_ascii_case("token") {
                        *x = Value::String("[redacted]".into());
                    } else {
                        walk(x);
                    }
                }
            }
            Value::Array(a) => {
                let more = a.len().saturating_sub(crate::domain::activity::MAX_NAMED_MEMBERS);
                if more > 0 {
                    a.truncate(crate::domain::activity::MAX_NAMED_MEMBERS);
                    a.push(Value::String(format!("… and {more} more")));
                }
                a.iter_mut().for_each(walk);
            }
            _ => {}
        }
    }
    walk(&mut v);
    // Kept compact (the page lays it out: `laid_out`).
    let text = serde_json::to_string(&v).unwrap_or_default();
    if text.len() <= MAX_BODY {
        return text;
    }
    let mut cut = MAX_BODY;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n… ({} bytes in all)", &text[..cut], text.len())
}

// ---- The queue for rows not written with a change ----

/// Rows waiting at most; past it a row is dropped (and logged) rather than
/// let memory grow while the database is slow.
const QUEUE: usize = 10_000;
/// At most this many rows to a transaction.
const BATCH: usize = 500;
/// How long the writer gathers rows after the first before it writes them:
/// a few transactions a second under thousands of requests, not one each.
const LINGER: std::time::Duration = std::time::Duration::from_millis(100);

/// One database's rows waiting to be written. A request pushes its row and
/// wakes the writer only when the writer waits for a first row: while it
/// lingers or writes, rows are pushed without waking anyone (one wake a
/// batch, not one a request).
struct Queue {
    pending: Mutex<Pending>,
    wake: tokio::sync::Notify,
}

#[derive(Default)]
struct Pending {
    rows: Vec<NewEntry>,
    /// Answered once every row pushed before them is written.
    settled: Vec<oneshot::Sender<()>>,
    /// The writer waits for a first row (a push must wake it).
    idle: bool,
    /// A writer task runs (false once its runtime has ended, as a test's does).
    running: bool,
}

impl Queue {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Marks the queue's writer gone when its task ends or is dropped with its runtime.
struct Running(Arc<Queue>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.pending().running = false;
    }
}

fn key(db: &Db) -> String {
    db.connect_options().database_url.to_string()
}

/// The queue of this database, its writer started on first use (again when
/// the runtime that ran the last one has ended).
fn queue(db: &Db) -> Arc<Queue> {
    static QUEUES: OnceLock<Mutex<HashMap<String, Arc<Queue>>>> = OnceLock::new();
    let q = QUEUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key(db))
        .or_insert_with(|| Arc::new(Queue { pending: Mutex::default(), wake: tokio::sync::Notify::new() }))
        .clone();
    let start = {
        let mut p = q.pending();
        !std::mem::replace(&mut p.running, true)
    };
    if start {
        tokio::spawn(writer(db.clone(), Running(q.clone())));
    }
    q
}

fn enqueue(db: &Db, e: NewEntry) {
    let q = queue(db);
    let wake = {
        let mut p = q.pending();
        if p.rows.len() >= QUEUE {
            drop(p);
            tracing::warn!("provisioning activity: the queue is full; a request's row is dropped");
            return;
        }
        p.rows.push(e);
        std::mem::replace(&mut p.idle, false)
    };
    if wake {
        q.wake.notify_one();
    }
}

/// Waits until every row queued so far is written (at most 5 s): what the
/// page reads then includes the requests answered before it was asked.
pub async fn settle(db: &Db) {
    let (tx, rx) = oneshot::channel();
    let q = queue(db);
    q.pending().settled.push(tx);
    // Cuts the writer's lingering short: someone waits to read the rows.
    q.wake.notify_one();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), rx).await;
}

async fn writer(db: Db, running: Running) {
    let q = &running.0;
    loop {
        let waiting = {
            let mut p = q.pending();
            let empty = p.rows.is_empty() && p.settled.is_empty();
            p.idle = empty;
            (empty, !p.settled.is_empty())
        };
        match waiting {
            (true, _) => {
                q.wake.notified().await;
                continue;
            }
            // Rows and no one waiting for them: gather more for a while
            // (a settle wakes the writer at once).
            (false, false) => {
                tokio::select! {
                    _ = tokio::time::sleep(LINGER) => {}
                    _ = q.wake.notified() => {}
                }
            }
            (false, true) => {}
        }
        let (rows, settled) = {
            let mut p = q.pending();
            (std::mem::take(&mut p.rows), std::mem::take(&mut p.settled))
        };
        for batch in rows.chunks(BATCH) {
            let written = async {
                let mut tx = store::begin(&db).await?;
                store::provisioning_activity::insert(&mut tx, batch).await?;
                tx.commit().await
            }
            .await;
            if let Err(e) = written {
                tracing::warn!(error = %e, rows = batch.len(), "provisioning activity rows could not be written");
            }
        }
        for s in settled {
            let _ = s.send(());
        }
    }
}

// ---- The page ----

fn view(e: NewEntry) -> ProvisioningEntryView {
    ProvisioningEntryView {
        outcome: ProvisioningOutcome::parse(&e.outcome).unwrap_or(ProvisioningOutcome::Read),
        changes: if e.changes.is_empty() { Vec::new() } else { serde_json::from_str(&e.changes).unwrap_or_default() },
        latency_ms: e.latency_us as f64 / 1000.0,
        id: e.id,
        at: e.at,
        request_id: e.request_id,
        token_name: e.token_name,
        method: e.method,
        path: e.path,
        status: e.status,
        resource_kind: e.resource_kind,
        resource_id: e.resource_id,
        resource_label: e.resource_label,
        error_type: e.error_type,
        message: e.message,
        request_body: laid_out(e.request_body),
    }
}

fn filter(q: &ProvisioningQuery) -> Result<store::provisioning_activity::Filter> {
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let outcome = match some(&q.outcome) {
        Some(o) if ProvisioningOutcome::parse(&o).is_none() => return Err(Error::invalid("outcome", "Choose an outcome from the list.")),
        o => o,
    };
    let since = match q.since.as_str() {
        "" => None,
        "1h" => Some(store::ago(time::Duration::hours(1))),
        "24h" => Some(store::ago(time::Duration::hours(24))),
        "7d" => Some(store::ago(time::Duration::days(7))),
        "30d" => Some(store::ago(time::Duration::days(30))),
        _ => return Err(Error::invalid("since", "Choose a time from the list.")),
    };
    Ok(store::provisioning_activity::Filter { search: some(&q.search), outcome, token: some(&q.token), since, resource_id: some(&q.resource_id) })
}

/// One page of the activity, newest first.
pub async fn page(db: &Db, c: &Caller, q: &ProvisioningQuery) -> Result<ProvisioningPage> {
    settle(db).await;
    let size = q.size.clamp(1, 100);
    let f = filter(q)?;
    let (_, total) = store::provisioning_activity::page(db, &c.org.id, &f, 0, 0).await?;
    let page_count = (((total.max(0) + i64::from(size) - 1) / i64::from(size)).max(1)) as u32;
    let page = q.page.clamp(1, page_count);
    let (rows, _) = store::provisioning_activity::page(db, &c.org.id, &f, i64::from(size), i64::from((page - 1) * size)).await?;
    Ok(ProvisioningPage {
        entries: rows.into_iter().map(view).collect(),
        total,
        page,
        page_count,
        tokens: store::provisioning_activity::token_names(db, &c.org.id).await?,
        retention_days: retention(db, &c.org.id).await?,
    })
}

/// The most rows one CSV export holds.
pub const MAX_CSV_ROWS: i64 = 50_000;

/// The activity the filters select (newest first, at most `MAX_CSV_ROWS`), as CSV.
pub async fn csv(db: &Db, c: &Caller, q: &ProvisioningQuery) -> Result<String> {
    settle(db).await;
    let (rows, _) = store::provisioning_activity::page(db, &c.org.id, &filter(q)?, MAX_CSV_ROWS, 0).await?;
    let mut out = String::from("time,request id,token,method,path,status,latency ms,outcome,kind,id,name,changes,error type,message\r\n");
    for e in rows.into_iter().map(view) {
        let changes = e.changes.iter().map(|c| format!("{}: {} → {}", c.field, c.before, c.after)).collect::<Vec<_>>().join("; ");
        let fields = [
            e.at,
            e.request_id,
            e.token_name,
            e.method,
            e.path,
            e.status.to_string(),
            format!("{:.1}", e.latency_ms),
            e.outcome.label().to_string(),
            e.resource_kind,
            e.resource_id,
            e.resource_label,
            changes,
            e.error_type,
            e.message,
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// A CSV field (RFC 4180); a leading =, +, - or @ is quoted with an apostrophe
/// so a spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// How long the organization keeps provisioning activity, in days.
pub async fn retention(db: &Db, org_id: &str) -> Result<i64> {
    Ok(store::provisioning_activity::retention(db, org_id).await?.unwrap_or(DEFAULT_PROVISIONING_DAYS))
}

/// Sets how long provisioning activity is kept (audited; nothing when unchanged).
pub async fn set_retention(db: &Db, actor: &Actor, org_slug: &str, days: i64) -> Result<()> {
    if !(MIN_PROVISIONING_DAYS..=MAX_PROVISIONING_DAYS).contains(&days) {
        return Err(Error::invalid("provisioning_activity_days", format!("Keep provisioning activity between {MIN_PROVISIONING_DAYS} and {MAX_PROVISIONING_DAYS} days.")));
    }
    let before = retention(db, &actor.org_id).await?;
    if before == days {
        return Ok(());
    }
    let mut tx = super::begin(db).await?;
    store::provisioning_activity::set_retention(&mut tx, &actor.org_id, Some(days)).await?;
    store::audit::record(&mut tx, actor.event(audit::ORG_UPDATED, org_slug, format!("Provisioning activity kept for: {before} days → {days} days"))).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes every organization's activity older than its retention, and
/// beyond the newest `PROVISIONING_ACTIVITY_MAX`.
pub async fn prune(db: &Db) -> Result<u64> {
    let mut removed = 0;
    for (org_id, days) in store::provisioning_activity::retentions(db).await? {
        removed += store::provisioning_activity::prune(db, &org_id, days.unwrap_or(DEFAULT_PROVISIONING_DAYS)).await?;
        removed += store::provisioning_activity::cap(db, &org_id, PROVISIONING_ACTIVITY_MAX).await?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_kept_without_passwords_and_with_long_lists_shortened() {
        let members: Vec<Value> = (0..30).map(|i| serde_json::json!({"value": format!("u{i}")})).collect();
        let body = serde_json::json!({"userName": "pat@x", "password": "hunter2hunter2", "Operations": [{"op": "add", "value": members}]});
        let kept = redact(body.to_string().as_bytes());
        assert!(!kept.contains("hunter2"), "{kept}");
        assert!(kept.contains("[redacted]") && kept.contains("… and 10 more") && kept.contains("pat@x"), "{kept}");
        assert_eq!(redact(b"not json"), "(not JSON: 8 bytes)");
        assert_eq!(redact(b""), "");
    }

    #[test]
    fn bodies_are_kept_compact_and_shown_laid_out() {
        let kept = redact(br#"{"userName": "pat@x",  "active": true}"#);
        assert_eq!(kept, r#"{"active":true,"userName":"pat@x"}"#);
        assert_eq!(laid_out(kept), "{\n  \"active\": true,\n  \"userName\": \"pat@x\"\n}");
        // A body cut at the limit is shown as it was kept.
        let cut = "{\"a\": \"b… (20000 bytes in all)".to_string();
        assert_eq!(laid_out(cut.clone()), cut);
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

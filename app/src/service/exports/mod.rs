//! Exports stream: a task reads the document's rows a page at a time (one
//! short query per page, so no database connection is held while the client
//! reads), a writer turns them into the file format, and chunks of about
//! 64 KB go through a small bounded channel to the response (or the webhook).
//! A slow client slows the reader; memory does not grow with the row count; a
//! client that reads nothing for `Config::export_stall_timeout` ends the
//! export, which then lets go of its place among the running exports.
pub mod csv;
pub mod json;
pub mod pdf;
mod running;
pub mod webhook;
pub mod xlsx;

pub use running::{begin, Running, Slot, PER_ORGANIZATION, PER_PERSON, RETRY_AFTER_SECS};

use crate::domain::audit;
use crate::domain::documents::{ColumnKind, ExportFormat};
use crate::service::access::Caller;
use crate::service::documents::Opened;
use crate::service::state::AppState;
use crate::service::store;
use axum::body::Bytes;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Turns rows into a file format; each call appends bytes to `out`.
pub trait TableWriter: Send + 'static {
    fn begin(&mut self, title: &str, header: &[String], kinds: &[ColumnKind], out: &mut Vec<u8>);
    fn row(&mut self, cells: &[Option<String>], out: &mut Vec<u8>);
    fn finish(&mut self, out: &mut Vec<u8>);
}

pub fn writer(format: ExportFormat) -> Box<dyn TableWriter> {
    match format {
        ExportFormat::Csv => Box::new(csv::CsvWriter::new()),
        ExportFormat::Xlsx => Box::new(xlsx::XlsxWriter::new()),
        ExportFormat::Pdf => Box::new(pdf::PdfWriter::new()),
        ExportFormat::Webhook => Box::new(json::JsonWriter::new()),
    }
}

pub fn content_type(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat::Pdf => "application/pdf",
        ExportFormat::Webhook => "application/json",
    }
}

/// How an export's rows went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Complete(u64),
    /// The receiver went away (download cancelled) after this many rows.
    Cancelled(u64),
    /// The receiver read nothing for the stall timeout; the export was cancelled.
    Stalled(u64),
    Failed(u64),
}

impl Outcome {
    pub fn rows(self) -> u64 {
        match self {
            Outcome::Complete(n) | Outcome::Cancelled(n) | Outcome::Stalled(n) | Outcome::Failed(n) => n,
        }
    }
}

/// What the export task hands to the response (or the webhook request).
pub enum Piece {
    Data(Bytes),
    /// Every row was sent. A channel that closes without it means the export
    /// stopped early, and the body ends with an error instead of looking complete.
    End,
}

const CHUNK: usize = 64 * 1024;
/// Rows read per query.
const PAGE_ROWS: usize = 1_000;

/// How long an export may wait for its client when the settings do not say.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts streaming the document's saved view. `slot` is the export's place
/// among the running exports; the task holds it until the export ends. With
/// `audit_here`, the task writes the audit event itself, before the last
/// chunk goes out (so a finished download is always in the log); otherwise
/// the caller does it with the outcome.
pub fn start(st: &AppState, c: Caller, o: &Opened, format: ExportFormat, slot: std::sync::Arc<Slot>, audit_here: bool) -> (mpsc::Receiver<Piece>, oneshot::Receiver<Outcome>) {
    let (tx, rx) = mpsc::channel::<Piece>(4);
    let (done_tx, done_rx) = oneshot::channel();
    let db = st.db.clone();
    let stall = st.config.export_stall_timeout;
    let view = o.doc.view();
    let query = o.rows(&view);
    let title = o.doc.name.clone();
    let mut w = writer(format);
    tokio::spawn(async move {
        let _slot = slot;
        let mut out = Vec::with_capacity(CHUNK * 2);
        w.begin(&title, &view.columns, query.kinds(), &mut out);
        let mut n = 0u64;
        let mut sent = 0u64;
        let mut after = None;
        // The writer and its unsent bytes, back after each page.
        let mut job = Some((w, out));
        let outcome = 'read: loop {
            let page = match query.page_after(&db, after.as_ref(), PAGE_ROWS).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "export: reading rows");
                    break Outcome::Failed(n);
                }
            };
            let next = page.next;
            let (w, out) = job.take().expect("the writer comes back after each page");
            let Some(written) = write_page(w, page.rows, out, n).await else {
                break Outcome::Failed(n);
            };
            n = written.rows;
            job = Some((written.writer, written.rest));
            for (chunk, rows_through) in written.chunks {
                let len = chunk.len() as u64;
                if let Err(stop) = send(&tx, Piece::Data(chunk), stall).await {
                    break 'read stop.outcome(rows_through);
                }
                sent += len;
            }
            match next {
                Some(next) => after = Some(next),
                None => break Outcome::Complete(n),
            }
        };
        let mut last = Vec::new();
        if let (Outcome::Complete(_), Some((mut w, mut out))) = (outcome, job.take()) {
            w.finish(&mut out);
            last = out;
        }
        if let Outcome::Stalled(_) = outcome {
            tracing::info!(document = %title, rows = n, "export cancelled: the client read nothing for {} s", stall.as_secs());
        }
        if audit_here {
            let detail = describe(format, outcome, "");
            let action = if matches!(outcome, Outcome::Failed(_)) { audit::EXPORT_FAILED } else { audit::EXPORTED };
            if let Err(e) = store::audit::record_now(&db, c.actor().event(action, &title, detail)).await {
                tracing::error!(error = %e, "export: audit");
            }
        }
        if let Outcome::Complete(_) = outcome {
            let len = last.len() as u64;
            if send(&tx, Piece::Data(Bytes::from(last)), stall).await.is_ok() {
                sent += len;
                let _ = send(&tx, Piece::End, stall).await;
            }
        }
        let ended = match outcome {
            Outcome::Complete(_) => "complete",
            Outcome::Cancelled(_) => "cancelled",
            Outcome::Stalled(_) => "stalled",
            Outcome::Failed(_) => "failed",
        };
        crate::metrics::export(format.key(), ended, sent);
        let _ = done_tx.send(outcome);
    });
    (rx, done_rx)
}

/// A page of rows in the file format: whole chunks to send (each with the
/// count of rows written up to its end), and what is left for the next one.
struct Written {
    writer: Box<dyn TableWriter>,
    chunks: Vec<(Bytes, u64)>,
    rest: Vec<u8>,
    rows: u64,
}

/// Turning rows into a file format is CPU work (a PDF page is laid out and
/// compressed): it runs on the blocking pool, and the exports running at the
/// same moment take turns, one page at a time, on all cores but one. The
/// async workers stay free for every other request: ten PDF downloads
/// starting together otherwise held an admin's Users page for over a second.
/// None when the work panicked.
async fn write_page(mut w: Box<dyn TableWriter>, rows: Vec<Vec<Option<String>>>, mut out: Vec<u8>, mut n: u64) -> Option<Written> {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let turns = TURNS.get_or_init(|| tokio::sync::Semaphore::new(crate::service::cpu_cores().saturating_sub(1).max(1)));
    let _turn = turns.acquire().await.ok()?;
    let work = tokio::task::spawn_blocking(move || {
        let mut chunks = Vec::new();
        for cells in &rows {
            w.row(cells, &mut out);
            n += 1;
            if out.len() >= CHUNK {
                chunks.push((Bytes::from(std::mem::replace(&mut out, Vec::with_capacity(CHUNK * 2))), n));
            }
        }
        Written { writer: w, chunks, rest: out, rows: n }
    });
    match work.await {
        Ok(written) => Some(written),
        Err(e) => {
            tracing::error!(error = %e, "export: writing rows");
            None
        }
    }
}

/// Why an export stopped sending before its end.
enum Stop {
    /// The response (or request) was dropped: the client went away.
    Gone,
    /// The client read nothing for the stall timeout.
    Stalled,
}

impl Stop {
    fn outcome(self, rows: u64) -> Outcome {
        match self {
            Stop::Gone => Outcome::Cancelled(rows),
            Stop::Stalled => Outcome::Stalled(rows),
        }
    }
}

/// Hands `piece` to the client, waiting at most `stall` for room in the channel.
async fn send(tx: &mpsc::Sender<Piece>, piece: Piece, stall: Duration) -> Result<(), Stop> {
    match tokio::time::timeout(stall, tx.send(piece)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Stop::Gone),
        Err(_) => Err(Stop::Stalled),
    }
}

/// The audit detail of an export: format, rows, how it ended.
pub fn describe(format: ExportFormat, outcome: Outcome, extra: &str) -> String {
    let (rows, how) = match outcome {
        Outcome::Complete(n) => (n, ""),
        Outcome::Cancelled(n) => (n, " (cancelled by the client)"),
        Outcome::Stalled(n) => (n, " (cancelled: the client stopped reading)"),
        Outcome::Failed(n) => (n, " (failed)"),
    };
    format!("format {}; {rows} rows{how}{extra}", format.key())
}

/// The chunks as a stream, for a response body or a request body. An export
/// that stopped early ends the stream with an error, so the client sees a
/// broken transfer rather than a file that looks whole.
pub fn body_stream(rx: mpsc::Receiver<Piece>) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        match rx.recv().await {
            Some(Piece::Data(b)) => Some((Ok(b), Some(rx))),
            Some(Piece::End) => None,
            None => Some((Err(std::io::Error::other("the export stopped before its end")), None)),
        }
    })
}

/// A file name for the download: the document's name with unsafe characters replaced.
pub fn file_name(doc: &str, format: ExportFormat) -> String {
    let base: String = doc.chars().map(|c| if c.is_ascii_alphanumeric() || " -_.".contains(c) { c } else { '_' }).collect();
    let base = base.trim();
    format!("{}.{}", if base.is_empty() { "export" } else { base }, format.key())
}

/// Posts the document's rows as JSON to an allowed destination. Needs
/// `export_webhook` (403 otherwise) and room among the running exports (429);
/// where the destination leads is checked again before posting. Failures are
/// answered in plain words (`Upstream`) and audited, with the URL redacted.
pub async fn to_webhook(st: &AppState, c: Caller, id: &str, destination_id: &str) -> crate::service::Result<crate::domain::document_views::WebhookResult> {
    use crate::domain::document_views::WebhookResult;
    use crate::service::{documents, webhooks, Error, Kind};
    let db = st.db.clone();
    let o = documents::open(&db, &c, id).await?;
    // Held until the destination has answered (or failed), not only while the
    // rows are read: a destination that never answers keeps its place taken.
    let slot = std::sync::Arc::new(begin(&db, &st.running_exports, &c, &o, ExportFormat::Webhook).await?);
    let dest = webhooks::destination(&db, &c, destination_id).await?;
    let shown = webhooks::redact(&dest.url);
    let (outcome, failure, status) = match webhook::check(&dest.url, st.config.webhook_allow_private).await {
        Err(f) => {
            tracing::warn!(url = %shown, reason = %f.for_admin(), "webhook export refused");
            (Outcome::Failed(0), Some(f.message()), 0)
        }
        Ok(target) => {
            let (rx, done) = start(st, c.clone(), &o, ExportFormat::Webhook, slot.clone(), false);
            let sent = webhook::post(&target, reqwest::Body::wrap_stream(body_stream(rx))).await;
            let outcome = done.await.unwrap_or(Outcome::Failed(0));
            let failure = match (&sent, outcome) {
                (_, Outcome::Failed(_)) => Some("reading the document's rows failed".to_string()),
                (_, Outcome::Stalled(_)) => Some(format!("the destination stopped reading for {} s", st.config.export_stall_timeout.as_secs())),
                (Ok(s), Outcome::Complete(_)) if (200..300).contains(s) => None,
                (Ok(s), Outcome::Complete(_)) => Some(format!("the destination answered HTTP {s}")),
                (Ok(s), _) => Some(format!("the destination answered HTTP {s} before receiving every row")),
                (Err(f), _) => Some(f.message()),
            };
            (outcome, failure, *sent.as_ref().unwrap_or(&0))
        }
    };
    drop(slot);
    let extra = format!(" to {shown}{}", failure.as_deref().map(|f| format!(": {f}")).unwrap_or_default());
    let action = if failure.is_some() { audit::EXPORT_FAILED } else { audit::EXPORTED };
    store::audit::record_now(&db, c.actor().event(action, &o.doc.name, describe(ExportFormat::Webhook, outcome, &extra))).await?;
    match failure {
        None => Ok(WebhookResult { rows: outcome.rows(), status }),
        Some(f) => Err(Error::new(Kind::Upstream, format!("The export to {shown} failed: {f}. Nothing was retried; check the destination and export again."))),
    }
}

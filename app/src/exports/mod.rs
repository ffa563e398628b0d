//! Exports stream: a task reads the document's rows from the database one by
//! one, a writer turns them into the file format, and chunks of about 64 KB
//! go through a small bounded channel to the response (or the webhook). A slow
//! client slows the reader; memory does not grow with the row count.
pub mod csv;
pub mod json;
pub mod pdf;
pub mod webhook;
pub mod xlsx;

use crate::service::access::Caller;
use crate::service::documents::Opened;
use crate::domain::audit;
use crate::domain::documents::{ColumnKind, ExportFormat};
use crate::store::{self, datasets::RowQuery, Db};
use axum::body::Bytes;
use futures_util::TryStreamExt;
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
    Failed(u64),
}

const CHUNK: usize = 64 * 1024;

/// Starts streaming the document's saved view. With `audit_here`, the task
/// writes the audit event itself, before the last chunk goes out (so a
/// finished download is always in the log); otherwise the caller does it with
/// the outcome.
pub fn start(db: Db, c: Caller, o: &Opened, format: ExportFormat, audit_here: bool) -> (mpsc::Receiver<Result<Bytes, std::io::Error>>, oneshot::Receiver<Outcome>) {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let (done_tx, done_rx) = oneshot::channel();
    let view = o.doc.view();
    let columns = o.dataset.columns();
    let query = RowQuery::new(&o.dataset.id, &columns, &view);
    let title = o.doc.name.clone();
    let mut w = writer(format);
    tokio::spawn(async move {
        let sql = query.all_sql();
        let mut out = Vec::with_capacity(CHUNK * 2);
        w.begin(&title, &view.columns, query.kinds(), &mut out);
        let mut n = 0u64;
        let mut sent = 0u64;
        let mut outcome = None;
        {
            let mut rows = query.all(&sql).fetch(&db);
            loop {
                match rows.try_next().await {
                    Ok(Some(row)) => match query.values(&row) {
                        Ok(v) => {
                            w.row(&v, &mut out);
                            n += 1;
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "export: reading a row");
                            outcome = Some(Outcome::Failed(n));
                            break;
                        }
                    },
                    Ok(None) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "export: reading rows");
                        outcome = Some(Outcome::Failed(n));
                        break;
                    }
                }
                if out.len() >= CHUNK {
                    let chunk = std::mem::replace(&mut out, Vec::with_capacity(CHUNK * 2));
                    let len = chunk.len() as u64;
                    if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                        outcome = Some(Outcome::Cancelled(n));
                        break;
                    }
                    sent += len;
                }
            }
        }
        let outcome = outcome.unwrap_or(Outcome::Complete(n));
        if outcome == Outcome::Complete(n) {
            w.finish(&mut out);
        }
        if audit_here {
            let detail = describe(format, outcome, "");
            let action = if matches!(outcome, Outcome::Failed(_)) { audit::EXPORT_FAILED } else { audit::EXPORTED };
            if let Err(e) = store::audit::record_now(&db, c.actor().event(action, &title, detail)).await {
                tracing::error!(error = %e, "export: audit");
            }
        }
        match outcome {
            Outcome::Complete(_) => {
                let len = out.len() as u64;
                if tx.send(Ok(Bytes::from(out))).await.is_ok() {
                    sent += len;
                }
            }
            Outcome::Failed(_) => {
                let _ = tx.send(Err(std::io::Error::other("the export stopped: the database failed"))).await;
            }
            Outcome::Cancelled(_) => {}
        }
        let ended = match outcome {
            Outcome::Complete(_) => "complete",
            Outcome::Cancelled(_) => "cancelled",
            Outcome::Failed(_) => "failed",
        };
        crate::metrics::export(format.key(), ended, sent);
        let _ = done_tx.send(outcome);
    });
    (rx, done_rx)
}

/// The audit detail of an export: format, rows, how it ended.
pub fn describe(format: ExportFormat, outcome: Outcome, extra: &str) -> String {
    let (rows, how) = match outcome {
        Outcome::Complete(n) => (n, ""),
        Outcome::Cancelled(n) => (n, " (cancelled by the client)"),
        Outcome::Failed(n) => (n, " (failed)"),
    };
    format!("format {}; {rows} rows{how}{extra}", format.key())
}

/// The chunks as a stream, for a response body or a request body.
pub fn body_stream(rx: mpsc::Receiver<Result<Bytes, std::io::Error>>) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}

/// A file name for the download: the document's name with unsafe characters replaced.
pub fn file_name(doc: &str, format: ExportFormat) -> String {
    let base: String = doc.chars().map(|c| if c.is_ascii_alphanumeric() || " -_.".contains(c) { c } else { '_' }).collect();
    let base = base.trim();
    format!("{}.{}", if base.is_empty() { "export" } else { base }, format.key())
}

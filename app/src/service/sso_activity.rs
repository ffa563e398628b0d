//! Administration > SSO sign-in activity: the last SSO sign-ins and why each
//! failed, with the response as the identity provider sent it.
//!
//! Anyone can post to the assertion consumer, so what a failure stores is
//! bounded: nothing for an organization without SSO (the door records
//! nothing there), one row per kind of failure, address and window (written
//! with the audit log's counted row, whose repeats it shows), at most
//! `SSO_ACTIVITY_MAX` rows per organization, none older than `SSO_ACTIVITY_DAYS`.
use super::access::Caller;
use super::{Error, Result};
use crate::domain::activity::{DecodedResponse, SsoActivityPage, SsoAttemptDetail, SsoAttemptView, SsoReason, SSO_ACTIVITY_DAYS};
use crate::service::store::{self, sso_attempts::AttemptRow, Db};

/// The largest response kept with an attempt, in bytes; longer ones are cut.
pub const MAX_XML: usize = 64 * 1024;

/// What the door found out about a response: why it failed (none for a
/// success), what was expected and received, the response decoded and its XML.
#[derive(Clone, Debug, Default)]
pub struct Diagnosis {
    pub reason: Option<SsoReason>,
    /// The precise message (the SAML library's words, or ours).
    pub message: String,
    pub expected: String,
    pub received: String,
    pub decoded: Option<DecodedResponse>,
    /// The response's XML, pretty-printed.
    pub xml: String,
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… (cut: {} bytes in all)", &text[..end], text.len())
}

/// The attempt as stored, borrowing what it can.
pub(crate) struct Stored {
    decoded: String,
    xml: String,
    reason: String,
    message: String,
    expected: String,
    received: String,
}

impl Stored {
    pub(crate) fn of(d: &Diagnosis) -> Stored {
        Stored {
            decoded: d.decoded.as_ref().map(|x| serde_json::to_string(x).unwrap_or_default()).unwrap_or_default(),
            xml: cut(&d.xml, MAX_XML),
            reason: d.reason.map(|r| r.key().to_string()).unwrap_or_default(),
            message: cut(&d.message, 2000),
            expected: cut(&d.expected, 2000),
            received: cut(&d.received, 2000),
        }
    }

    pub(crate) fn attempt<'a>(&'a self, org_id: &'a str, email: &'a str, reference: &'a str, ip: &'a str) -> store::sso_attempts::NewAttempt<'a> {
        store::sso_attempts::NewAttempt {
            org_id,
            succeeded: self.reason.is_empty(),
            reason: &self.reason,
            message: &self.message,
            expected: &self.expected,
            received: &self.received,
            email,
            reference,
            ip,
            decoded: &self.decoded,
            response_xml: &self.xml,
        }
    }
}

/// A successful SSO sign-in, for the activity.
pub async fn record_success(db: &Db, org_id: &str, email: &str, reference: &str, ip: &str, d: &Diagnosis) -> Result<()> {
    let stored = Stored::of(&Diagnosis { reason: None, ..d.clone() });
    store::sso_attempts::record(db, &stored.attempt(org_id, email, reference, ip)).await?;
    Ok(())
}

fn view(r: AttemptRow) -> SsoAttemptView {
    let reason = SsoReason::parse(&r.reason);
    SsoAttemptView {
        reason_label: match reason {
            Some(x) => x.label().to_string(),
            None if r.succeeded => "Signed in".to_string(),
            None => "Refused".to_string(),
        },
        side: reason.map(|x| x.side()),
        hint: reason.map(|x| x.hint(&r.expected, &r.received, &r.email)).unwrap_or_default(),
        reason,
        id: r.id,
        at: r.at,
        repeat_count: r.repeat_count,
        last_at: r.last_at.filter(|_| r.repeat_count > 1),
        succeeded: r.succeeded,
        message: r.message,
        expected: r.expected,
        received: r.received,
        email: r.email,
        reference: r.reference,
        ip: r.ip,
    }
}

/// One page of the activity, newest first: `outcome` "failed", "succeeded" or
/// "" for all; `search` a part of the person's email.
pub async fn page(db: &Db, c: &Caller, outcome: &str, search: &str, page: u32, size: u32) -> Result<SsoActivityPage> {
    // The repeats counted in memory are added to their rows first.
    store::audit::flush_counts(db).await?;
    let size = size.clamp(1, 100);
    let (_, total) = store::sso_attempts::page(db, &c.org.id, outcome, search, 0, 0).await?;
    let page_count = (((total.max(0) + i64::from(size) - 1) / i64::from(size)).max(1)) as u32;
    let page = page.clamp(1, page_count);
    let (rows, _) = store::sso_attempts::page(db, &c.org.id, outcome, search, i64::from(size), i64::from((page - 1) * size)).await?;
    Ok(SsoActivityPage { attempts: rows.into_iter().map(view).collect(), total, page, page_count })
}

/// One attempt with its decoded response and XML.
pub async fn detail(db: &Db, c: &Caller, id: &str) -> Result<SsoAttemptDetail> {
    store::audit::flush_counts(db).await?;
    let (row, decoded, xml) = store::sso_attempts::get(db, &c.org.id, id).await?.ok_or_else(|| Error::not_found("That sign-in attempt is no longer kept (30 days, at most 1,000)."))?;
    Ok(SsoAttemptDetail { attempt: view(row), decoded: serde_json::from_str(&decoded).ok(), xml })
}

/// Deletes attempts past `SSO_ACTIVITY_DAYS`.
pub async fn prune(db: &Db) -> Result<u64> {
    Ok(store::sso_attempts::prune(db, SSO_ACTIVITY_DAYS).await?)
}

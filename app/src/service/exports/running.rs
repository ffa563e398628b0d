//! Starting an export: the account type must allow the format, and the
//! exports already running must leave room. An export holds no database
//! connection between its pages, but while its client reads it keeps a file
//! writer, a page of rows and a few chunks in memory; the limits keep one
//! person, or one organization, from taking that for everyone else.
//!
//! The counts are this instance's: an export's place is held by the task
//! that streams it and given back when that task ends, however it ends, so a
//! stopped instance leaves nothing counted behind.
use crate::domain::documents::ExportFormat;
use crate::service::access::Caller;
use crate::service::documents::{self, Opened};
use crate::service::store::Db;
use crate::service::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Exports one person may run at once (downloads and webhook exports together).
pub const PER_PERSON: usize = 3;
/// Exports one organization may run at once.
pub const PER_ORGANIZATION: usize = 10;
/// A refused export is told to try again after this long (`Retry-After`).
pub const RETRY_AFTER_SECS: u64 = 10;

/// The exports running on this instance, counted per person and per organization.
#[derive(Clone, Default)]
pub struct Running(Arc<Mutex<Counts>>);

#[derive(Default)]
struct Counts {
    people: HashMap<String, usize>,
    orgs: HashMap<String, usize>,
}

/// A running export's place in the counts, given back when dropped.
pub struct Slot {
    running: Running,
    org_id: String,
    user_id: String,
}

impl Running {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: every change is one statement.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more export of `c`, or `RateLimited` when the person
    /// or their organization is at the limit.
    pub fn claim(&self, c: &Caller) -> Result<Slot> {
        let mut counts = self.counts();
        let mine = counts.people.get(&c.user.id).copied().unwrap_or(0);
        let org = counts.orgs.get(&c.org.id).copied().unwrap_or(0);
        if mine >= PER_PERSON {
            tracing::warn!(user = %c.user.email, org = %c.org.slug, "export refused: the person's limit");
            return Err(Error::rate_limited(format!("You already have {PER_PERSON} exports in progress. Wait until one of them finishes, then export again."), RETRY_AFTER_SECS));
        }
        if org >= PER_ORGANIZATION {
            tracing::warn!(user = %c.user.email, org = %c.org.slug, "export refused: the organization's limit");
            return Err(Error::rate_limited(
                format!("{} already has {PER_ORGANIZATION} exports in progress, the most Gatehouse runs at once for one organization. Try again in a few seconds.", c.org.name),
                RETRY_AFTER_SECS,
            ));
        }
        *counts.people.entry(c.user.id.clone()).or_default() += 1;
        *counts.orgs.entry(c.org.id.clone()).or_default() += 1;
        Ok(Slot { running: self.clone(), org_id: c.org.id.clone(), user_id: c.user.id.clone() })
    }

    /// Exports running now for the organization `org_id`.
    pub fn in_organization(&self, org_id: &str) -> usize {
        self.counts().orgs.get(org_id).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut guard = self.running.counts();
        let counts = &mut *guard;
        for (map, key) in [(&mut counts.people, &self.user_id), (&mut counts.orgs, &self.org_id)] {
            if let Some(n) = map.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    map.remove(key);
                }
            }
        }
    }
}

/// Starts an export of `o` in `format` for `c`: refused (403, audited) when
/// the account type does not allow the format, and (429, with when to try
/// again) when `c` or their organization already runs as many exports as
/// allowed. The slot is held for as long as the export runs.
pub async fn begin(db: &Db, running: &Running, c: &Caller, o: &Opened, format: ExportFormat) -> Result<Slot> {
    documents::require_export(db, c, format, &o.doc.name).await?;
    running.claim(c)
}

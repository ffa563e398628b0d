//! Administration > Audit log: newest first, filtered by action and person,
//! paged; counted refusals with their counts brought up to date first.
use super::access::Caller;
use super::Result;
use crate::domain::audit;
use crate::domain::views::{AuditEventView, AuditPage};
use crate::service::store::{self, Db};

/// Events a page of the audit log shows.
pub const PAGE_SIZE: u32 = 25;

pub async fn page(db: &Db, c: &Caller, action: Option<String>, person: Option<String>, page: Option<u32>) -> Result<AuditPage> {
    let filter = store::audit::Filter {
        action: action.filter(|a| !a.is_empty()),
        person: person.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
    };
    // Refusals counted in memory reach their rows first, so the counts shown are current.
    store::audit::flush_counts(db).await?;
    let page = page.unwrap_or(1).max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let (rows, total) = store::audit::page(db, &c.org.id, &filter, i64::from(PAGE_SIZE), offset).await?;
    let page_count = ((total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE)).max(1) as u32;
    Ok(AuditPage {
        events: rows.into_iter().map(Into::into).collect(),
        page,
        page_count,
        total,
        actions: audit::ALL.iter().map(|a| (a.key.to_string(), a.label.to_string())).collect(),
    })
}

/// A person's last sign-ins (and refusals), newest first, for their page.
pub async fn sign_ins_of(db: &Db, c: &Caller, email: &str) -> Result<Vec<AuditEventView>> {
    let filter = store::audit::Filter { action: None, person: Some(email.to_string()) };
    let (events, _) = store::audit::page(db, &c.org.id, &filter, 50, 0).await?;
    Ok(events.into_iter().filter(|e| e.action.starts_with("auth.sign_in") && e.target.eq_ignore_ascii_case(email)).take(20).map(Into::into).collect())
}

//! Administration > Audit log.
use crate::domain::views::AuditPage;
use crate::error::AppError;
use leptos::prelude::*;

pub const PAGE_SIZE: u32 = 25;

#[server(endpoint = "audit_events")]
pub async fn load_audit_events(org: String, action: Option<String>, person: Option<String>, page: Option<u32>) -> Result<AuditPage, AppError> {
    use crate::domain::audit;
    use super::request;
    use crate::store;
    let c = request::admin(&org).await?;
    let st = request::state();
    let filter = store::audit::Filter {
        action: action.filter(|a| !a.is_empty()),
        person: person.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
    };
    // Refusals counted in memory reach their rows first, so the counts shown are current.
    store::audit::flush_counts(&st.db).await?;
    let page = page.unwrap_or(1).max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let (rows, total) = store::audit::page(&st.db, &c.org.id, &filter, i64::from(PAGE_SIZE), offset).await?;
    let page_count = ((total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE)).max(1) as u32;
    Ok(AuditPage {
        events: rows.into_iter().map(Into::into).collect(),
        page,
        page_count,
        total,
        actions: audit::ALL.iter().map(|a| (a.key.to_string(), a.label.to_string())).collect(),
    })
}

//! Administration > Audit log: newest first, filtered by action and person,
//! paged; counted refusals with their counts brought up to date first. Each
//! row is shown as one sentence, the people it names by their names of today.
use super::access::Caller;
use super::Result;
use crate::domain::audit::{self, Known, Stored};
use crate::domain::views::{AuditEventView, AuditPage};
use crate::service::store::{self, audit::EventRow, Db};
use std::collections::{BTreeSet, HashMap};

/// Events a page of the audit log shows.
pub const PAGE_SIZE: u32 = 25;
/// The most people whose name matches the person filter that it looks for by name.
const NAMED_IN_FILTER: i64 = 20;

pub async fn page(db: &Db, c: &Caller, action: Option<String>, person: Option<String>, page: Option<u32>) -> Result<AuditPage> {
    let person = person.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let named = match &person {
        Some(p) => store::users::named_like(db, &c.org.id, p, NAMED_IN_FILTER).await?,
        None => Vec::new(),
    };
    let filter = store::audit::Filter { action: action.filter(|a| !a.is_empty()), person, named };
    // Refusals counted in memory reach their rows first, so the counts shown are current.
    store::audit::flush_counts(db).await?;
    let page = page.unwrap_or(1).max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    let (rows, total) = store::audit::page(db, &c.org.id, &filter, i64::from(PAGE_SIZE), offset).await?;
    let page_count = ((total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE)).max(1) as u32;
    Ok(AuditPage { events: views(db, &c.org.id, rows).await?, page, page_count, total, actions: audit::ALL.iter().map(|a| (a.key.to_string(), a.label.to_string())).collect() })
}

/// A person's last sign-ins (and refusals), newest first, for their page.
pub async fn sign_ins_of(db: &Db, c: &Caller, email: &str) -> Result<Vec<AuditEventView>> {
    let rows = store::audit::sign_ins(db, &c.org.id, email, 20).await?;
    views(db, &c.org.id, rows).await
}

/// The most people of one row's detail looked up (a sentence names the first ten).
const NAMED_PER_ROW: usize = 12;

/// The rows with their sentences: the people they name (by email, or by id
/// in rows of earlier versions) looked up at once.
async fn views(db: &Db, org_id: &str, rows: Vec<EventRow>) -> Result<Vec<AuditEventView>> {
    let mut keys = BTreeSet::new();
    for r in &rows {
        let named = [r.actor.as_str(), r.target.as_str()].into_iter().chain(emails_in(&r.detail).take(NAMED_PER_ROW));
        keys.extend(named.filter(|k| k.contains('@') || looks_like_id(k)).map(str::to_lowercase));
    }
    let keys: Vec<String> = keys.into_iter().collect();
    let mut people: HashMap<String, Known> = HashMap::new();
    for (id, email, first, last) in store::users::named(db, org_id, &keys).await? {
        let known = Known { name: format!("{first} {last}").trim().to_string(), email: email.clone() };
        people.insert(email.to_lowercase(), known.clone());
        people.insert(id, known);
    }
    Ok(rows.into_iter().map(|r| view(r, &people)).collect())
}

fn view(r: EventRow, people: &HashMap<String, Known>) -> AuditEventView {
    let sentence = audit::describe(Stored { action: &r.action, actor: &r.actor, target: &r.target, detail: &r.detail }, people);
    let (who, who_email) = audit::who(&r.actor, people);
    AuditEventView {
        action_label: audit::label(&r.action).to_string(),
        id: r.id,
        at: r.at,
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: r.detail,
        ip: r.ip,
        who,
        who_email,
        sentence,
        repeat_count: r.repeat_count,
        last_at: r.last_at.filter(|_| r.repeat_count > 1),
    }
}

/// The emails written in a detail ("documents go to ada@acme.example", "people: a@x, b@y").
fn emails_in(detail: &str) -> impl Iterator<Item = &str> {
    detail.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '“' | '”')).filter(|w| w.contains('@'))
}

/// A record's id as Gatehouse makes them (a UUID): rows of earlier versions
/// named people the identity provider added to a group by id.
fn looks_like_id(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

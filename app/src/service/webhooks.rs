//! Webhook destinations: the URLs an administrator allows "Export to webhook"
//! to post to. A webhook URL often carries its secret (Slack's
//! `/services/T…/B…/<secret>`, a `?token=`), so it is shown whole only to
//! administrators on Administration > Account; people who export, the audit
//! log, error messages and the server log see `redact`'s form.
use super::access::Caller;
use super::{Actor, Error, Result};
use crate::domain::audit;
use crate::domain::views::Choice;
use crate::service::store::{self, webhooks::Destination, Db};

/// A URL as it may be shown to anyone: scheme, host, port and the first path
/// segment; the rest of the path, the query and any user info left out
/// (`https://hooks.slack.com/services/…`).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(a webhook URL)".into();
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    match (segments.next(), segments.next()) {
        (None, _) => format!("{scheme}://{host}/"),
        (Some(first), None) if first.len() <= 24 && !url.contains('?') => {
            format!("{scheme}://{host}/{first}")
        }
        (Some(first), _) if first.len() <= 24 => format!("{scheme}://{host}/{first}/…"),
        _ => format!("{scheme}://{host}/…"),
    }
}

/// The destinations, whole, for the administrators who manage them.
pub async fn list_for_admin(db: &Db, admin: &Caller) -> Result<Vec<Choice>> {
    Ok(store::webhooks::list(db, &admin.org.id).await?.into_iter().map(|w| Choice { id: w.id, label: w.url }).collect())
}

/// The destinations as people who may export see them: redacted.
pub async fn list_for_export(db: &Db, c: &Caller) -> Result<Vec<Choice>> {
    Ok(store::webhooks::list(db, &c.org.id).await?.into_iter().map(|w| Choice { label: redact(&w.url), id: w.id }).collect())
}

/// Allows `url` (already checked by the door: a well-formed http(s) URL that
/// leads where exports may post). Refused when it is allowed already.
pub async fn allow(db: &Db, actor: &Actor, url: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let by = actor.id.as_deref().unwrap_or("");
    if !store::webhooks::insert(&mut tx, &actor.org_id, url, by).await? {
        return Err(Error::conflict("This URL is already allowed.").on("url"));
    }
    store::audit::record(&mut tx, actor.event(audit::WEBHOOK_ALLOWED, &redact(url), String::new())).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(db: &Db, actor: &Actor, id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let url = store::webhooks::delete(&mut tx, &actor.org_id, id).await?.ok_or_else(|| Error::not_found("That destination was already removed."))?;
    store::audit::record(&mut tx, actor.event(audit::WEBHOOK_REMOVED, &redact(&url), String::new())).await?;
    tx.commit().await?;
    Ok(())
}

/// The allowed destination an export chose.
pub async fn destination(db: &Db, c: &Caller, id: &str) -> Result<Destination> {
    store::webhooks::by_id(db, &c.org.id, id).await?.ok_or_else(|| Error::invalid("destination", "Choose a destination your administrator allowed (Administration > Account)."))
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_in_webhook_urls_are_left_out() {
        assert_eq!(redact("https://hooks.slack.com/services/T000/B000/XXXXSECRET"), "https://hooks.slack.com/services/…");
        assert_eq!(redact("https://example.com/hook?token=s3cret"), "https://example.com/hook/…");
        assert_eq!(redact("https://user:pw@example.com/a"), "https://example.com/a");
        assert_eq!(redact("http://127.0.0.1:8080/hook"), "http://127.0.0.1:8080/hook");
        assert_eq!(redact("https://example.com"), "https://example.com/");
        assert_eq!(redact("https://example.com/0123456789abcdef0123456789abcdef"), "https://example.com/…");
        assert!(!redact("https://example.com/x/s3cret").contains("s3cret"));
    }
}

//! Administration > Account: the organization's name and how long its audit
//! log is kept.
use super::access::Caller;
use super::state::Config;
use super::{Actor, Error, Result};
use crate::domain::views::AccountDetails;
use crate::domain::{audit, OrgName};
use crate::service::store::{self, orgs::Org, Db};

/// Administration > Account: the organization and this installation.
pub async fn details(db: &Db, config: &Config, c: &Caller) -> Result<AccountDetails> {
    let (user_count, admin_count) = store::users::count(db, &c.org.id).await?;
    let (audit_retention_days, audit_retention_chosen) = audit_retention(db, &c.org, config.audit_retention_days).await?;
    Ok(AccountDetails {
        account_url: config.org_url(&c.org.slug),
        base_url: config.base_url.clone(),
        deployment: "Self-hosted".into(),
        version: crate::VERSION.into(),
        database: config.backend.label().into(),
        org_name: c.org.name.clone(),
        org_slug: c.org.slug.clone(),
        created_at: c.org.created_at.to_string(),
        user_count,
        admin_count,
        audit_retention_days,
        audit_retention_chosen,
        audit_retention_default: config.audit_retention_days,
    })
}

/// The shortest and longest audit retention an administrator may choose, in days.
pub const MIN_AUDIT_RETENTION_DAYS: i64 = 30;
pub const MAX_AUDIT_RETENTION_DAYS: i64 = 3650;
/// The operator's default when they set none (`GATEHOUSE_AUDIT_RETENTION_DAYS`).
pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 400;

/// Renames the organization (nothing changes, nothing is audited, when the name is the same).
pub async fn rename(db: &Db, actor: &Actor, org: &Org, name: &str) -> Result<()> {
    let name = OrgName::parse("name", name)?;
    if name.as_str() == org.name {
        return Ok(());
    }
    let mut tx = super::begin(db).await?;
    store::orgs::rename(&mut *tx, &org.id, name.as_str()).await?;
    let detail = format!("Organization name: “{}” → “{}”", org.name, name.as_str());
    store::audit::record(&mut tx, actor.event(audit::ORG_UPDATED, &org.slug, detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// How long the audit log keeps events: the organization's choice, or the operator's default.
pub async fn audit_retention(db: &Db, org: &Org, operator_default: i64) -> Result<(i64, bool)> {
    Ok(match store::orgs::audit_retention(db, &org.id).await? {
        Some(days) => (days, true),
        None => (operator_default, false),
    })
}

/// Sets how long the audit log keeps events (`None`: the operator's default).
pub async fn set_audit_retention(db: &Db, actor: &Actor, org: &Org, days: Option<i64>) -> Result<()> {
    if let Some(d) = days {
        if !(MIN_AUDIT_RETENTION_DAYS..=MAX_AUDIT_RETENTION_DAYS).contains(&d) {
            return Err(Error::invalid("audit_retention_days", format!("Keep audit events between {MIN_AUDIT_RETENTION_DAYS} and {MAX_AUDIT_RETENTION_DAYS} days (10 years).")));
        }
    }
    let mut tx = super::begin(db).await?;
    let before = store::orgs::audit_retention(&mut *tx, &org.id).await?;
    if before == days {
        return Ok(());
    }
    store::orgs::set_audit_retention(&mut tx, &org.id, days).await?;
    let label = |d: Option<i64>| d.map(|d| format!("{d} days")).unwrap_or_else(|| "the server's default".into());
    let detail = format!("Audit log kept for: {} → {}", label(before), label(days));
    store::audit::record(&mut tx, actor.event(audit::ORG_UPDATED, &org.slug, detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes every organization's audit events older than its retention.
pub async fn prune_audit(db: &Db, operator_default: i64) -> Result<u64> {
    let mut removed = 0;
    for (org_id, days) in store::orgs::audit_retentions(db).await? {
        removed += store::audit::prune(db, &org_id, days.unwrap_or(operator_default)).await?;
    }
    Ok(removed)
}

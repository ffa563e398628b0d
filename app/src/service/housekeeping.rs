//! Deleting what has expired: sessions, used SAML response ids, old
//! sign-in attempt windows, password reset links, the record of mail sent
//! more than 30 days ago, audit events past their retention, SSO sign-in
//! attempts older than 30 days, provisioning activity past its retention; and adding
//! the refusals counted in memory to the audit log. Safe when every instance
//! does it at once.
use crate::service::store::{self, Db};
use std::time::Duration;

pub async fn tidy(db: &Db, audit_retention_days: i64) -> super::Result<()> {
    let mut tx = store::begin(db).await?;
    store::sessions::delete_expired(&mut tx).await?;
    store::saml::clean_up(&mut tx).await?;
    store::links::PASSWORD_RESETS.clean_up(&mut tx).await?;
    store::outbox::clean_up(&mut tx, 30).await?;
    store::sign_in_limits::clean_up(&mut tx, time::Duration::days(1)).await?;
    tx.commit().await?;
    let removed = super::account::prune_audit(db, audit_retention_days).await?;
    if removed > 0 {
        tracing::info!(removed, "audit events past their retention deleted");
    }
    let removed = super::sso_activity::prune(db).await?;
    if removed > 0 {
        tracing::info!(removed, "SSO sign-in attempts older than 30 days deleted");
    }
    let removed = super::provisioning_activity::prune(db).await?;
    if removed > 0 {
        tracing::info!(removed, "provisioning activity past its retention deleted");
    }
    Ok(())
}

/// How often the counted refusals are added to the audit log.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Tidies every ten minutes (the first time at start), and adds counted
/// refusals to the audit log every few seconds, in the background.
pub fn spawn(db: Db, audit_retention_days: i64) {
    let counts = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = store::audit::flush_counts(&counts).await {
                tracing::warn!(error = %e, "could not add counted refusals to the audit log");
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = tidy(&db, audit_retention_days).await {
                tracing::warn!(error = %e.message, "could not delete expired sessions, sign-in records and old audit events");
            }
        }
    });
}

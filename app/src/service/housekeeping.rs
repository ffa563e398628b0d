//! Deleting what has expired: sessions, used SAML response ids, old
//! sign-in attempt windows. Safe when every instance does it at once.
use crate::store::{self, Db};
use std::time::Duration;

pub async fn tidy(db: &Db) -> sqlx::Result<()> {
    let mut tx = store::begin(db).await?;
    store::sessions::delete_expired(&mut tx).await?;
    store::saml::clean_up(&mut tx).await?;
    store::sign_in_limits::clean_up(&mut tx, time::Duration::days(1)).await?;
    tx.commit().await
}

/// Tidies every ten minutes, in the background.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = tidy(&db).await {
                tracing::warn!(error = %e, "could not delete expired sessions and sign-in records");
            }
        }
    });
}

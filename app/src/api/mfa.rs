//! Profile > Multi-factor authentication: a person sets up, renews and
//! removes their own authenticator app.
use crate::domain::views::{MfaSetup, MfaStatus};
use crate::error::AppError;
use leptos::prelude::*;

/// The key of the app being set up, kept in the session until it is confirmed.
#[cfg(feature = "ssr")]
const SETUP_KEY: &str = "gatehouse.mfa_setup";

#[server(endpoint = "mfa_status")]
pub async fn load_mfa_status(org: String) -> Result<MfaStatus, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::mfa::status(&request::state().db, &c).await?)
}

/// A new app to set up: its QR code and key (a new one each time).
#[server(endpoint = "begin_mfa")]
pub async fn begin_mfa(org: String) -> Result<MfaSetup, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    if c.user.mfa_secret.is_some() {
        return Err(AppError::new(crate::error::ErrorKind::Conflict, "You already have an authenticator app. Remove it first to set up another."));
    }
    let app = crate::service::mfa::new_app(&c.org, &c.user.email)?;
    let session = request::session().await?;
    session.insert(SETUP_KEY, app.secret.clone()).await.map_err(|_| AppError::internal())?;
    Ok(MfaSetup { email: c.user.email, secret: app.secret, uri: app.uri, qr_svg: app.qr_svg })
}

/// Confirms the app with a first code; answers the recovery codes, shown once.
#[server(endpoint = "confirm_mfa")]
pub async fn confirm_mfa(org: String, code: String) -> Result<Vec<String>, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    let session = request::session().await?;
    let secret: Option<String> = session.get(SETUP_KEY).await.map_err(|_| AppError::internal())?;
    let secret = secret.ok_or_else(|| AppError::invalid("code", "Start again: choose “Set up an authenticator app” and scan the new QR code."))?;
    let st = request::state();
    let codes = crate::service::mfa::enable(&st.db, &st.keys, &c.actor(), &c.user, &secret, &code).await?;
    session.remove::<String>(SETUP_KEY).await.map_err(|_| AppError::internal())?;
    // This session showed the app works; other sessions signed in with the password alone end.
    crate::service::access::note_second_factor(&session).await?;
    Ok(codes)
}

/// New recovery codes in place of the old ones (with a current code).
#[server(endpoint = "renew_recovery_codes")]
pub async fn renew_recovery_codes(org: String, code: String) -> Result<Vec<String>, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    let st = request::state();
    Ok(crate::service::mfa::regenerate_codes(&st.db, &st.keys, &c.actor(), &c.user, &code).await?)
}

/// Removes the app (with a current code), unless the organization requires one.
#[server(endpoint = "remove_mfa")]
pub async fn remove_mfa(org: String, code: String) -> Result<(), AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    let st = request::state();
    Ok(crate::service::mfa::remove(&st.db, &st.keys, &c.actor(), &c.user, &code).await?)
}

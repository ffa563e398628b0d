//! Signing in (password and SSO) and out. Both ways end in `start_session`.
use super::{passwords, Error, Kind, Result};
use crate::domain::{audit, AuthMethod};
use crate::store::{self, audit::Event, orgs::Org, users::UserRow, Db};
use tower_sessions::Session;

/// Failed attempts allowed per email, and per address, in the window.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 30;
pub const WINDOW_MINUTES: i64 = 15;

/// How this organization's people sign in.
pub async fn method(db: &Db, org: &Org) -> Result<AuthMethod> {
    let method = store::auth_settings::get(db, &org.id).await?.method;
    Ok(AuthMethod::parse(&method).unwrap_or(AuthMethod::Password))
}

/// Email and password sign-in. One generic message for a wrong email or
/// password; the audit log keeps the precise reason. On success the person
/// is signed in on `session`.
pub async fn with_password(db: &Db, session: &Session, org: &Org, email: &str, password: String, ip: &str) -> Result<UserRow> {
    let email = email.trim();
    let fail = |reason: &str| Event {
        org_id: &org.id,
        actor_id: None,
        actor: if email.is_empty() { "anonymous" } else { email },
        action: audit::SIGN_IN_FAILED,
        target: email,
        detail: format!("method: password; reason: {reason}"),
        ip,
    };
    if email.is_empty() || password.is_empty() {
        return Err(Error::invalid("email", "Enter your email and password."));
    }
    if !method(db, org).await?.allows_password() {
        store::audit::record(db, fail("password sign-in is off: the organization signs in with SSO only")).await?;
        return Err(Error::forbidden(format!(
            "{} signs in with single sign-on. Use “Sign in with SSO” and sign in at your identity provider.",
            org.name
        )));
    }

    let since = store::ago(time::Duration::minutes(WINDOW_MINUTES));
    let by_email = store::audit::count_since(db, &org.id, audit::SIGN_IN_FAILED, Some(email), None, &since).await?;
    let by_ip = store::audit::count_since(db, &org.id, audit::SIGN_IN_FAILED, None, Some(ip), &since).await?;
    if by_email >= MAX_FAILURES_PER_EMAIL || by_ip >= MAX_FAILURES_PER_IP {
        store::audit::record(db, fail("too many failed attempts (rate limited)")).await?;
        return Err(Error::new(
            Kind::RateLimited,
            format!("Too many failed sign-in attempts. Wait {WINDOW_MINUTES} minutes and try again, or ask your administrator to check your account."),
        ));
    }

    let user = store::users::by_email(db, &org.id, email).await?;
    let ok = passwords::verify(password, user.as_ref().and_then(|u| u.password_hash.clone())).await;
    let generic = || Error::invalid("password", "That email and password do not match an account here. Check both and try again.");
    let user = match (user, ok) {
        (None, _) => {
            store::audit::record(db, fail("no account with this email")).await?;
            return Err(generic());
        }
        (Some(u), false) => {
            let reason = if u.password_hash.is_none() { "account has no password set" } else { "wrong password" };
            store::audit::record(db, fail(reason)).await?;
            return Err(generic());
        }
        (Some(u), true) => u,
    };
    if !user.status.is_active() {
        store::audit::record(db, fail("account is deactivated")).await?;
        return Err(deactivated(org));
    }
    start_session(session, db, org, &user, "password", ip).await?;
    Ok(user)
}

fn deactivated(org: &Org) -> Error {
    Error::forbidden(format!("Your account is deactivated, so you cannot sign in to {}. Ask your administrator to reactivate it.", org.name))
}

/// Why a verified SSO response signs nobody in.
#[derive(Debug)]
pub enum SsoRefusal {
    /// Nobody in the organization signs in with this email.
    NoAccount(String),
    Deactivated(String),
    Failed(Error),
}

impl From<Error> for SsoRefusal {
    fn from(e: Error) -> SsoRefusal {
        SsoRefusal::Failed(e)
    }
}

/// Signs in the person the identity provider vouched for (`email` is the
/// verified NameID). An administrator signing in this way shows SSO works
/// with the current settings (the guard before "SAML" only).
pub async fn with_sso(db: &Db, session: &Session, org: &Org, email: &str, ip: &str) -> std::result::Result<UserRow, SsoRefusal> {
    let email = email.trim();
    let user = store::users::by_email(db, &org.id, email).await.map_err(Error::from)?.ok_or_else(|| SsoRefusal::NoAccount(email.to_string()))?;
    if !user.status.is_active() {
        return Err(SsoRefusal::Deactivated(user.email.clone()));
    }
    start_session(session, db, org, &user, "sso", ip).await?;
    if user.administers {
        store::auth_settings::mark_sso_verified(db, &org.id, &user.email).await.map_err(Error::from)?;
    }
    Ok(user)
}

/// Signs `user` in on this session, by password or SSO: a new session id (an
/// id planted before sign-in is worthless), the organization's session length,
/// the last sign-in time, and the audit entry.
pub async fn start_session(session: &Session, db: &Db, org: &Org, user: &UserRow, method: &str, ip: &str) -> Result<()> {
    let settings = store::auth_settings::get(db, &org.id).await?;
    session.cycle_id().await.map_err(|_| Error::internal())?;
    session.set_expiry(Some(tower_sessions::Expiry::AtDateTime(time::OffsetDateTime::now_utc() + time::Duration::days(settings.session_days))));
    session
        .insert(super::access::SESSION_KEY, super::access::SessionAuth { user_id: user.id.clone(), org_id: org.id.clone(), method: method.into() })
        .await
        .map_err(|_| Error::internal())?;
    store::users::record_sign_in(db, &org.id, &user.id).await?;
    store::audit::record(
        db,
        Event {
            org_id: &org.id,
            actor_id: Some(&user.id),
            actor: &user.email,
            action: audit::SIGN_IN,
            target: &user.email,
            detail: format!("method: {method}"),
            ip,
        },
    )
    .await?;
    Ok(())
}

/// Ends the session (audited when someone was signed in).
pub async fn sign_out(db: &Db, session: &Session, org: &Org, ip: &str) -> Result<()> {
    if let Some(u) = super::access::session_user(session, db, org).await? {
        store::audit::record(
            db,
            Event { org_id: &org.id, actor_id: Some(&u.id), actor: &u.email, action: audit::SIGN_OUT, target: &u.email, detail: String::new(), ip },
        )
        .await?;
    }
    session.flush().await.map_err(|_| Error::internal())
}

//! A person changes their own password on Profile.
use crate::domain::{audit, password};
use crate::service::access::{self, Caller};
use crate::service::store::{self, auth_settings::AuthSettingsRow, users::UserRow, Db};
use crate::service::{Error, Result};
use tower_sessions::Session;

/// Why `user` cannot use a password in this organization, if they cannot:
/// under SSO only, everyone but guests signs in at the identity provider (a
/// password here would be one nobody can use; theirs is the IdP's).
pub fn unusable(settings: &AuthSettingsRow, org_name: &str, user: &UserRow) -> Option<String> {
    (!settings.method.allows_password() && !user.is_guest)
        .then(|| format!("{org_name} signs in with single sign-on only, so a password here would not be used: {}'s password is the identity provider's.", user.email))
}

/// What Profile's "Change password" shows: whether the person can, and what
/// the rules compare a new password with.
pub async fn status(db: &Db, c: &Caller) -> Result<crate::domain::views::PasswordStatus> {
    let settings = store::auth_settings::get(db, &c.org.id).await?;
    let refused = if c.user.password_hash.is_none() {
        Some("You have no password in Gatehouse: you sign in with single sign-on.".to_string())
    } else {
        unusable(&settings, &c.org.name, &c.user).map(|_| format!("{} signs in with single sign-on only: change your password at your identity provider.", c.org.name))
    };
    Ok(crate::domain::views::PasswordStatus { can_change: refused.is_none(), refused, rules: super::rules_with(&settings, &c.org, &c.user.email) })
}

/// Changes the caller's password: the current one is checked under the
/// sign-in limits (`sign_in::check_current_password`), the new one against
/// the rules; then every other session of the person ends and this one goes
/// on under the new password. Audited, and told to the person by mail when
/// mail is set up.
pub async fn change(db: &Db, config: &crate::service::state::Config, session: &Session, c: &Caller, current: String, new: String) -> Result<()> {
    let status = status(db, c).await?;
    if let Some(why) = status.refused {
        return Err(Error::forbidden(why));
    }
    if current.is_empty() {
        return Err(Error::invalid("current_password", "Enter your current password."));
    }
    // The rules first: they cost nothing, and a refused new password spends no guess.
    password::check_new_password(&new, &status.rules).map_err(|m| Error::invalid("new_password", m))?;
    let old = c.user.password_hash.clone().ok_or_else(Error::internal)?;
    crate::service::sign_in::check_current_password(db, &c.org, &c.user, current, &c.ip).await?;
    let hash = super::hash(new).await?;
    let mut tx = store::begin(db).await?;
    if !store::users::replace_password(&mut tx, &c.org.id, &c.user.id, &old, &hash).await? {
        return Err(Error::conflict("Your password was changed meanwhile (a reset link, or another tab). Sign in again with the new one."));
    }
    store::users::end_sessions(&mut tx, &c.org.id, &c.user.id).await?;
    store::audit::record(&mut tx, c.actor().event(audit::PASSWORD_CHANGED, &c.user.email, "on Profile; the person's other sessions ended".into())).await?;
    let mailed = crate::service::mail::queue_password_changed(&mut tx, config, &c.org, &c.user.email, &c.ip, "on Profile").await?;
    tx.commit().await?;
    if mailed {
        crate::service::mail::wake();
    }
    access::renew_credential(session, &hash).await?;
    Ok(())
}

//! Password reset links: an administrator makes them (one person, or many
//! from Users), or a person asks for one on the sign-in page (`forgot`).
//! A link works once, for an hour, in its organization only; it is built
//! from the public URL (`GATEHOUSE_BASE_URL`), never from the request. Using
//! it sets the password and ends every session of the person; their
//! authenticator app stays (the second step is asked for as usual).
use crate::domain::views::{PasswordLinkInfo, PasswordResetLink, PasswordResets};
use crate::domain::{audit, password};
use crate::service::mail::{self, messages};
use crate::service::state::Config;
use crate::service::store::{self, orgs::Org, users::UserRow, Conn, Db, Timestamp};
use crate::service::{Actor, ActorKind, Error, Result};

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;

/// Why `u` cannot be given a reset link, if they cannot.
pub(super) fn refusal(u: &UserRow, settings: &store::auth_settings::AuthSettingsRow, org_name: &str) -> Option<String> {
    if u.invite_pending {
        Some(format!("{} has not accepted their invitation yet: send a new invitation link instead.", u.email))
    } else if !u.status.is_active() {
        Some(format!("{} is deactivated: reactivate them first.", u.email))
    } else if u.archived {
        Some(format!("{} was removed by your identity provider.", u.email))
    } else {
        super::unusable(settings, org_name, u)
    }
}

/// A new link for `u` (replacing their open ones), queued by mail when mail
/// is set up; ends their sessions when an administrator made it.
pub(super) async fn issue_one(tx: &mut Conn, config: &Config, org: &Org, u: &UserRow, by: Option<&Actor>) -> Result<(String, Timestamp, bool)> {
    let expires_at = Timestamp::from(time::OffsetDateTime::now_utc() + time::Duration::minutes(RESET_MINUTES));
    let token = store::links::PASSWORD_RESETS.issue(tx, &org.id, &u.id, by.and_then(|a| a.id.as_deref()), &expires_at.to_string()).await?;
    let link = format!("{}/{}/reset/{token}", config.base_url, org.slug);
    let mailed = mail::queue(tx, config, &org.id, &messages::password_reset(&org.name, &u.email, &link, expires_at, by.is_some())).await?;
    if by.is_some() {
        store::users::end_sessions(tx, &org.id, &u.id).await?;
    }
    Ok((link, expires_at, mailed))
}

/// Reset links for people, made by an administrator: each person's sessions
/// end now, and the link is shown to copy (and sent by mail when mail is set
/// up). One person who cannot have one is refused with the reason; of many,
/// those are left out and named in `skipped`.
pub async fn issue(db: &Db, config: &Config, actor: &Actor, org: &Org, ids: &[String]) -> Result<PasswordResets> {
    if ids.is_empty() {
        return Err(Error::invalid("users", "Choose at least one user."));
    }
    if ids.len() > crate::service::people::MAX_AT_ONCE {
        return Err(Error::invalid("users", format!("Choose at most {} users at a time.", crate::service::people::MAX_AT_ONCE)));
    }
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut tx = store::begin(db).await?;
    let people = store::users::by_ids(&mut tx, &org.id, &ids).await?;
    if people.len() != ids.len() {
        return Err(Error::not_found("Some of these users no longer exist. Reload the page and try again."));
    }
    let settings = store::auth_settings::get(&mut *tx, &org.id).await?;
    let mut out = PasswordResets { links: Vec::new(), skipped: Vec::new() };
    for u in &people {
        if let Some(why) = refusal(u, &settings, &org.name) {
            if people.len() == 1 {
                return Err(Error::conflict(why));
            }
            out.skipped.push(why);
            continue;
        }
        let (link, expires_at, mailed) = issue_one(&mut tx, config, org, u, Some(actor)).await?;
        let how = if mailed { "sent by mail" } else { "shown to copy" };
        store::audit::record(&mut tx, actor.event(audit::PASSWORD_RESET_ISSUED, &u.email, format!("link valid 1 hour, {how}; the person's sessions ended"))).await?;
        out.links.push(PasswordResetLink { user_id: u.id.clone(), email: u.email.clone(), link, expires_at: expires_at.to_string(), mailed });
    }
    tx.commit().await?;
    mail::wake();
    Ok(out)
}

fn invalid_link() -> Error {
    Error::not_found("This password reset link is not valid: it was already used, it expired (links work for one hour), or a newer link replaced it. Ask for a new one.")
}

/// The person an open link is for, still able to use a password.
async fn open_link(conn: &mut Conn, org: &Org, token: &str) -> Result<(store::links::Link, UserRow)> {
    let link = store::links::PASSWORD_RESETS.find(&mut *conn, &org.id, token).await?.filter(|l| l.is_open()).ok_or_else(invalid_link)?;
    let u = store::users::by_id(&mut *conn, &org.id, &link.user_id).await?.ok_or_else(invalid_link)?;
    let settings = store::auth_settings::get(&mut *conn, &org.id).await?;
    if let Some(why) = refusal(&u, &settings, &org.name) {
        return Err(Error::forbidden(why));
    }
    Ok((link, u))
}

/// What the reset page shows: whose password, and the rules.
pub async fn info(db: &Db, org: &Org, token: &str) -> Result<PasswordLinkInfo> {
    let mut conn = db.acquire().await?;
    let (_, u) = open_link(&mut conn, org, token).await?;
    let rules = super::rules(&mut *conn, org, &u.email).await?;
    Ok(PasswordLinkInfo { org_name: org.name.clone(), email: u.email.clone(), first_name: u.first_name.clone(), rules })
}

/// Sets the password through a link, which then stops working; every
/// session of the person ends, and their own sign-in attempts start over.
/// The link is checked before the password is hashed, and again, atomically,
/// when it is used.
pub async fn use_link(db: &Db, config: &Config, org: &Org, token: &str, new: String, ip: &str) -> Result<()> {
    let info = info(db, org, token).await?;
    password::check_new_password(&new, &info.rules).map_err(|m| Error::invalid("password", m))?;
    let hash = super::hash(new).await?;
    let mut tx = store::begin(db).await?;
    let (link, u) = open_link(&mut tx, org, token).await?;
    if !store::links::PASSWORD_RESETS.mark_used(&mut tx, &link.id).await? {
        return Err(invalid_link());
    }
    store::users::set_password(&mut tx, &org.id, &u.id, &hash).await?;
    store::users::end_sessions(&mut tx, &org.id, &u.id).await?;
    store::sign_in_limits::clear(&mut tx, &org.id, &format!("email:{}", u.email.to_lowercase())).await?;
    let me = Actor { org_id: org.id.clone(), id: Some(u.id.clone()), label: u.email.clone(), ip: ip.to_string(), kind: ActorKind::Person, activity: None };
    store::audit::record(&mut tx, me.event(audit::PASSWORD_RESET, &u.email, "with a reset link; the person's sessions ended".into())).await?;
    let mailed = mail::queue_password_changed(&mut tx, config, org, &u.email, ip, "with a reset link").await?;
    tx.commit().await?;
    if mailed {
        mail::wake();
    }
    Ok(())
}

//! "Forgot password?" on the sign-in page, when mail is set up: a reset link
//! by mail to a person who can use a password.
//!
//! The answer is the same whether or not the email has an account, and so is
//! its timing: the request takes its limits (per email and per address,
//! before anything about the email is looked up), answers, and the rest —
//! looking the person up, making the link, queueing the mail — runs in a task
//! of its own after the answer. Past the limits a request is refused before
//! it writes anything (`sign_in_limits::peek`), and the refusals are counted
//! in the audit log, not written one by one: a flood writes and sends nothing
//! more.
use crate::domain::audit;
use crate::service::sign_in::{address_key, WINDOW_MINUTES};
use crate::service::state::Config;
use crate::service::store::{self, audit::Event, orgs::Org, Db};
use crate::service::{mail, Error, Result};

/// Links one email may be sent in the window (15 minutes), and requests one address may make.
pub const MAX_PER_EMAIL: i64 = 3;
pub const MAX_PER_ADDRESS: i64 = 10;

/// Asks for a reset link for `email` (see the module's comment).
pub async fn ask(db: &Db, config: &Config, org: &Org, email: &str, ip: &str) -> Result<()> {
    if !mail::is_set_up(config) {
        return Err(Error::conflict(format!("Passwords cannot be reset by mail here. Ask an administrator of {} for a reset link.", org.name)));
    }
    let email = email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') || email.len() > 320 {
        return Err(Error::invalid("email", "Enter the email address you sign in with."));
    }
    let settings = store::auth_settings::get(db, &org.id).await?;
    if !settings.method.allows_password() && !settings.allow_guests {
        return Err(Error::forbidden(format!("{} signs in with single sign-on: your password is your identity provider's. Reset it there.", org.name)));
    }
    let limits = vec![(format!("forgot:{email}"), MAX_PER_EMAIL), (format!("forgot-{}", address_key(ip)), MAX_PER_ADDRESS)];
    if let Err(e) = crate::service::sign_in::take_slots(db, &org.id, &limits).await {
        let event = Event { org_id: &org.id, actor_id: None, actor: "anonymous", action: audit::PASSWORD_RESET_REQUESTED, target: "", detail: "refused: too many requests (rate limited)".into(), ip };
        let count = store::audit::Count { kind: "rate limited", address: &address_key(ip), window_secs: WINDOW_MINUTES * 60 };
        store::audit::record_counted(db, event, count).await?;
        return Err(Error { message: format!("Too many reset requests. Try again in {} minutes.", e.retry_after_secs.unwrap_or(60).div_ceil(60)), ..e });
    }
    // After the answer: its time does not depend on whether the email has an account.
    let (db, config, org, ip) = (db.clone(), config.clone(), org.clone(), ip.to_string());
    tokio::spawn(async move {
        if let Err(e) = send_link(&db, &config, &org, &email, &ip).await {
            tracing::warn!(error = %e.message, "a password reset asked for on the sign-in page could not be made");
        }
    });
    Ok(())
}

/// The link for `email` if they can use a password here; nothing otherwise.
async fn send_link(db: &Db, config: &Config, org: &Org, email: &str, ip: &str) -> Result<()> {
    let mut tx = store::begin(db).await?;
    let Some(u) = store::users::by_email(&mut *tx, &org.id, email).await? else {
        return Ok(());
    };
    let settings = store::auth_settings::get(&mut *tx, &org.id).await?;
    if super::reset::refusal(&u, &settings, &org.name).is_some() {
        return Ok(());
    }
    super::reset::issue_one(&mut tx, config, org, &u, None).await?;
    let event = Event { org_id: &org.id, actor_id: Some(&u.id), actor: &u.email, action: audit::PASSWORD_RESET_REQUESTED, target: &u.email, detail: "link sent by mail".into(), ip };
    store::audit::record(&mut tx, event).await?;
    tx.commit().await?;
    mail::wake();
    Ok(())
}

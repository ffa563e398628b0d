//! Signing in (password and SSO) and out. Both ways end in `start_session`.
//!
//! Password sign-in is limited per fixed 15-minute window: 5 attempts per
//! email and 30 per address (an IPv6 client's /64), taken atomically before
//! the password is checked. A browser where the person signed in before
//! carries a signed device cookie: its attempts count against that device
//! alone, so someone guessing at the same email, or behind the same NAT,
//! cannot lock that person out.
//!
//! The second step has limits of its own: wrong codes count per person
//! (`code:<person>`, 5 per window) and per address, and a correct password
//! does not give those attempts back — so password, a few codes, password
//! again … guesses no more codes than the limit. A code sent by email (people
//! without an app, when the organization requires a second step and sends
//! codes by email) is checked under the same limits; asking for a new one
//! has a limit of its own (`code-mail:<person>`).
use super::keys::Keys;
use super::{passwords, Error, Result};
use crate::domain::{audit, AuthMethod, MfaPolicy};
use crate::service::store::{self, audit::Event, orgs::Org, sign_in_limits::Slot, users::UserRow, Db, Timestamp};
use std::net::IpAddr;
use tower_sessions::Session;

/// Attempts allowed per email, per address, and per trusted device, in the window.
pub const MAX_ATTEMPTS_PER_EMAIL: i64 = 5;
pub const MAX_ATTEMPTS_PER_ADDRESS: i64 = 30;
pub const MAX_ATTEMPTS_PER_DEVICE: i64 = 5;
/// Wrong codes of the second step a person may enter in the window.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
pub const WINDOW_MINUTES: i64 = 15;
/// The cookie that marks a browser where someone signed in before.
pub const DEVICE_COOKIE: &str = "gatehouse_device";
/// How long a device stays trusted after a sign-in there.
pub const DEVICE_DAYS: i64 = 180;

/// How this organization's people sign in.
pub async fn method(db: &Db, org: &Org) -> Result<AuthMethod> {
    Ok(store::auth_settings::get(db, &org.id).await?.method)
}

/// The sign-in page: how this organization signs in, and which second step
/// this browser is in the middle of, if any.
pub async fn login_info(db: &Db, config: &crate::service::state::Config, session: &Session, org: Org) -> Result<crate::domain::views::LoginInfo> {
    let settings = store::auth_settings::get(db, &org.id).await?;
    let method = settings.method;
    let pending_step = match pending(session, &org).await? {
        Some(p) => {
            let user = store::users::by_id(db, &org.id, &p.user_id).await?;
            Some(
                if user.is_some_and(|u| u.mfa_secret.is_some()) {
                    "code"
                } else if p.email_code {
                    "email"
                } else {
                    "enrol"
                }
                .to_string(),
            )
        }
        None => None,
    };
    Ok(crate::domain::views::LoginInfo {
        org_slug: org.slug,
        org_name: org.name,
        password_enabled: method.allows_password(),
        sso_enabled: method.allows_sso(),
        guests_enabled: settings.allow_guests,
        pending_step,
        forgot_password: super::mail::is_set_up(config) && (method.allows_password() || settings.allow_guests),
    })
}

/// A password sign-in as the form sends it.
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: String,
    pub ip: &'a str,
    /// The browser's device cookie, if it has one.
    pub device: Option<&'a str>,
    /// The public URL and mail: a sign-in from a new browser is told to the person by mail.
    pub config: &'a crate::service::state::Config,
}

/// Who signed in, and the device cookie their browser keeps from now on.
pub struct SignedIn {
    pub user: UserRow,
    pub device_cookie: String,
}

/// Where a correct password leads.
pub enum Outcome {
    SignedIn(SignedIn),
    /// The person has an authenticator app: the code comes next (`with_code`).
    NeedsCode,
    /// The person has no app and the organization sends codes by email: one
    /// is on its way, and comes next (`with_code`).
    NeedsEmailCode,
    /// The organization requires an app and the person has none: they set one
    /// up now (`start_enrolment`, `with_new_app`) before any other page.
    MustEnrol,
}

/// A sign-in between the password and the second factor: kept in the session,
/// which is not signed in until the factor is given.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub org_id: String,
    pub user_id: String,
    pub until: String,
    /// The key of the app being set up (when the person must set one up).
    pub new_app: Option<String>,
    /// The password the first step checked (`access::credential`): a
    /// second step after it changed signs nobody in.
    #[serde(default)]
    pub credential: Option<String>,
    /// The browser had no device cookie of this person: the sign-in is told by mail.
    #[serde(default)]
    pub new_browser: bool,
    /// A code was sent by email for this sign-in (the person has no app).
    #[serde(default)]
    pub email_code: bool,
}

const PENDING_KEY: &str = "gatehouse.pending";
/// How long the second step may take.
const PENDING_MINUTES: i64 = 10;

/// The sign-in waiting for its second step in this session, if any.
pub async fn pending(session: &Session, org: &Org) -> Result<Option<Pending>> {
    let p: Option<Pending> = session.get(PENDING_KEY).await.map_err(|_| Error::internal())?;
    Ok(p.filter(|p| p.org_id == org.id && Timestamp::try_from(p.until.clone()).is_ok_and(|t| t > Timestamp::now())))
}

fn expired() -> Error {
    Error::new(super::Kind::Unauthenticated, "Your sign-in took too long or was already completed. Enter your email and password again.")
}

/// The key an address is limited by: IPv4 addresses one by one, IPv6 by /64
/// (one subscriber's network; they can pick any address in it).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("address:{v4}"),
            None => {
                let s = v6.segments();
                format!("address:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => format!("address:{v4}"),
        Err(_) => format!("address:{ip}"),
    }
}

/// The device a trusted-device cookie names, when it was signed here for this person.
fn trusted_device(keys: &Keys, org: &Org, email: &str, cookie: Option<&str>) -> Option<String> {
    let payload = keys.verify("device", cookie?)?;
    let mut parts = payload.splitn(4, '|');
    let (org_id, who, nonce, until) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let until = Timestamp::try_from(until.to_string()).ok()?;
    (org_id == org.id && who == email && until > Timestamp::now()).then(|| nonce.to_string())
}

fn device_cookie(keys: &Keys, org: &Org, email: &str) -> String {
    let until = Timestamp::from(time::OffsetDateTime::now_utc() + time::Duration::days(DEVICE_DAYS));
    keys.sign("device", &format!("{}|{email}|{}|{until}", org.id, store::links::new_token()))
}

/// Email and password sign-in. One generic message for a wrong email or
/// password; the audit log keeps the precise reason. On success the person
/// is signed in on `session`.
pub async fn with_password(db: &Db, keys: &Keys, session: &Session, org: &Org, a: Attempt<'_>) -> Result<Outcome> {
    let email = a.email.trim().to_lowercase();
    let ip = a.ip;
    // Refusals are counted, not written one row each: per reason and address,
    // and per email where the limits bound how many emails an address tries.
    let refused = |reason: &'static str, per_email: bool| {
        let actor = if email.is_empty() { "anonymous" } else { email.as_str() };
        record_refusal(db, org, actor, &email, ip, reason, per_email)
    };
    if email.is_empty() || a.password.is_empty() {
        return Err(Error::invalid("email", "Enter your email and password."));
    }
    let settings = store::auth_settings::get(db, &org.id).await?;
    let method = settings.method;
    let sso_only = || Error::forbidden(format!("{} signs in with single sign-on. Use “Sign in with SSO” and sign in at your identity provider.", org.name));
    // Under SSO only, nobody signs in with a password unless guests may: the
    // same answer for every email, before anything about it is looked up.
    if !method.allows_password() && !settings.allow_guests {
        refused(PASSWORD_OFF, false).await?;
        return Err(sso_only());
    }
    let user = store::users::by_email(db, &org.id, &email).await?;

    let device = trusted_device(keys, org, &email, a.device);
    let limits: Vec<(String, i64)> = match &device {
        Some(nonce) => vec![(format!("device:{nonce}"), MAX_ATTEMPTS_PER_DEVICE)],
        None => vec![(format!("email:{email}"), MAX_ATTEMPTS_PER_EMAIL), (address_key(ip), MAX_ATTEMPTS_PER_ADDRESS)],
    };
    if let Err(e) = take_slots(db, &org.id, &limits).await {
        refused("too many attempts (rate limited)", false).await?;
        return Err(e);
    }

    let checked = passwords::verify(a.password, user.as_ref().and_then(|u| u.password_hash.clone())).await;
    let ok = match checked {
        Ok(ok) => ok,
        Err(busy) => {
            // Not checked: the attempt does not count.
            give_back(db, &org.id, &limits).await?;
            return Err(busy);
        }
    };
    let generic = || Error::invalid("password", "That email and password do not match an account here. Check both and try again.");
    let user = match (user, ok) {
        (None, _) => {
            refused("no account with this email", true).await?;
            return Err(generic());
        }
        (Some(u), false) => {
            let reason = if u.password_hash.is_none() { "account has no password set" } else { "wrong password" };
            refused(reason, true).await?;
            return Err(generic());
        }
        (Some(u), true) => u,
    };
    // Under SSO only with guests allowed, a member learns that they sign in
    // with SSO only once their password is right: until then a guest's email
    // and a member's get the same answers.
    if !method.allows_password() && !user.is_guest {
        refused(PASSWORD_OFF, true).await?;
        return Err(sso_only());
    }
    if !user.status.is_active() {
        refused("account is deactivated", true).await?;
        return Err(deactivated(org));
    }
    if user.is_guest && !settings.allow_guests {
        refused("guest access is off", true).await?;
        return Err(guests_off(org));
    }
    // The person proved who they are: their own attempts start over, and this
    // attempt does not count against the address.
    let mut tx = super::begin(db).await?;
    for (key, _) in &limits {
        if key.starts_with("address:") {
            store::sign_in_limits::give_back(&mut tx, &org.id, key).await?;
        } else {
            store::sign_in_limits::clear(&mut tx, &org.id, key).await?;
        }
    }
    tx.commit().await?;
    // An app, where set up, is preferred; codes by email stand in for
    // setting one up when the organization requires a second step.
    let second_step = match settings.mfa_policy {
        MfaPolicy::Off => None,
        _ if user.mfa_secret.is_some() => Some(Outcome::NeedsCode),
        MfaPolicy::Required if email_codes(&settings, a.config) => Some(Outcome::NeedsEmailCode),
        MfaPolicy::Required => Some(Outcome::MustEnrol),
        MfaPolicy::Optional => None,
    };
    if let Some(next) = second_step {
        // Not signed in yet: a new session id, and only the pending step in it.
        session.cycle_id().await.map_err(|_| Error::internal())?;
        let until = Timestamp::from(time::OffsetDateTime::now_utc() + time::Duration::minutes(PENDING_MINUTES)).to_string();
        let credential = Some(super::access::credential(user.password_hash.as_deref()));
        let email_code = matches!(next, Outcome::NeedsEmailCode);
        let p = Pending { org_id: org.id.clone(), user_id: user.id.clone(), until, new_app: None, credential, new_browser: device.is_none(), email_code };
        session.insert(PENDING_KEY, p).await.map_err(|_| Error::internal())?;
        if email_code {
            send_email_code(db, keys, a.config, org, &user).await?;
        }
        return Ok(next);
    }
    start_session(session, db, org, &user, super::access::PASSWORD_ONLY, ip).await?;
    if device.is_none() {
        notify_new_browser(db, a.config, org, &user, ip, "password").await?;
    }
    Ok(Outcome::SignedIn(SignedIn { device_cookie: device_cookie(keys, org, &email), user }))
}

/// Whether people without an app get codes by email: the organization allows
/// it and this server can send mail.
pub fn email_codes(settings: &store::auth_settings::AuthSettingsRow, config: &crate::service::state::Config) -> bool {
    settings.mfa_email_codes && super::mail::is_set_up(config)
}

/// Makes a new code for `user`'s sign-in and queues it by mail (replacing
/// any code sent before), in one transaction.
async fn send_email_code(db: &Db, keys: &Keys, config: &crate::service::state::Config, org: &Org, user: &UserRow) -> Result<()> {
    use super::mail::{self, messages};
    let mut tx = super::begin(db).await?;
    let (code, until) = super::mfa::new_email_code(&mut tx, keys, user).await?;
    mail::queue(&mut tx, config, &org.id, &messages::sign_in_code(&org.name, &user.email, &code, super::mfa::EMAIL_CODE_MINUTES, until)).await?;
    tx.commit().await?;
    mail::wake();
    Ok(())
}

/// New codes by email a person may ask for in the window (beside the one
/// their password sends): enough for a slow mail, too few to flood a mailbox.
pub const MAX_CODE_MAILS: i64 = 3;

/// "Send a new code" on the second step: only in a sign-in waiting for an
/// email code, limited per person and per address. The earlier code stops working.
pub async fn resend_email_code(db: &Db, keys: &Keys, config: &crate::service::state::Config, session: &Session, org: &Org, ip: &str) -> Result<()> {
    let (p, user) = pending_person(db, session, org).await?;
    if !p.email_code || user.mfa_secret.is_some() {
        return Err(Error::conflict("This sign-in does not use codes by email. Enter the code from your authenticator app."));
    }
    if !email_codes(&store::auth_settings::get(db, &org.id).await?, config) {
        return Err(Error::conflict("Codes by email are turned off. Sign in again to see what your organization asks for now."));
    }
    let limits = vec![(format!("code-mail:{}", user.id), MAX_CODE_MAILS), (address_key(ip), MAX_ATTEMPTS_PER_ADDRESS)];
    take_slots(db, &org.id, &limits)
        .await
        .map_err(|e| Error { message: format!("Too many codes sent. Use the last one that arrived, or ask for another in {}.", in_minutes(e.retry_after_secs.unwrap_or(60))), ..e })?;
    send_email_code(db, keys, config, org, &user).await
}

/// Tells the person by mail (when mail is set up) that they signed in from a
/// browser that had not signed in as them before: someone who learned their
/// password is noticed.
async fn notify_new_browser(db: &Db, config: &crate::service::state::Config, org: &Org, user: &UserRow, ip: &str, method: &str) -> Result<()> {
    use super::mail::{self, messages};
    if !mail::is_set_up(config) {
        return Ok(());
    }
    let profile = format!("{}/{}/profile", config.base_url, org.slug);
    let message = messages::new_sign_in(&org.name, &user.email, Timestamp::now(), ip, method, &profile);
    let mut tx = super::begin(db).await?;
    mail::queue(&mut tx, config, &org.id, &message).await?;
    tx.commit().await?;
    mail::wake();
    Ok(())
}

const PASSWORD_OFF: &str = "password sign-in is off: the organization signs in with SSO only";

/// Checks a signed-in person's current password before it is replaced
/// (Profile), under the limits of signing in: a wrong one counts against
/// their email and the address like a wrong sign-in (someone holding a
/// session cannot guess the password there without limit), and is counted in
/// the audit log the same way.
pub(super) async fn check_current_password(db: &Db, org: &Org, user: &UserRow, password: String, ip: &str) -> Result<()> {
    let email = user.email.to_lowercase();
    let limits = vec![(format!("email:{email}"), MAX_ATTEMPTS_PER_EMAIL), (address_key(ip), MAX_ATTEMPTS_PER_ADDRESS)];
    if let Err(e) = take_slots(db, &org.id, &limits).await {
        record_refusal(db, org, &email, &email, ip, "too many attempts (rate limited)", false).await?;
        return Err(e);
    }
    let ok = match passwords::verify(password, user.password_hash.clone()).await {
        Ok(ok) => ok,
        Err(busy) => {
            give_back(db, &org.id, &limits).await?;
            return Err(busy);
        }
    };
    if !ok {
        record_refusal(db, org, &email, &email, ip, "wrong current password (changing the password on Profile)", true).await?;
        return Err(Error::invalid("current_password", "That is not your current password. Check it and try again."));
    }
    let mut tx = super::begin(db).await?;
    store::sign_in_limits::clear(&mut tx, &org.id, &limits[0].0).await?;
    store::sign_in_limits::give_back(&mut tx, &org.id, &limits[1].0).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a refused sign-in as a count (`store::audit::record_counted`): one
/// row per reason and address in a window, per email too when `per_email`
/// (the limits bound how many emails one address can try).
async fn record_refusal(db: &Db, org: &Org, actor: &str, target: &str, ip: &str, reason: &str, per_email: bool) -> Result<()> {
    let kind = if per_email { format!("{reason}|{}", target.to_lowercase()) } else { reason.to_string() };
    let event = Event { org_id: &org.id, actor_id: None, actor, action: audit::SIGN_IN_FAILED, target, detail: format!("method: password; reason: {reason}"), ip };
    let count = store::audit::Count { kind: &kind, address: &address_key(ip), window_secs: WINDOW_MINUTES * 60 };
    store::audit::record_counted(db, event, count).await?;
    Ok(())
}

/// The person of a pending sign-in, still allowed to sign in.
async fn pending_person(db: &Db, session: &Session, org: &Org) -> Result<(Pending, UserRow)> {
    let p = pending(session, org).await?.ok_or_else(expired)?;
    let user = store::users::by_id(db, &org.id, &p.user_id).await?.filter(|u| u.status.is_active()).ok_or_else(expired)?;
    // The password changed since the first step (a reset): start again with the new one.
    if p.credential.as_ref().is_some_and(|c| *c != super::access::credential(user.password_hash.as_deref())) {
        return Err(expired());
    }
    if user.is_guest && !store::auth_settings::get(db, &org.id).await?.allow_guests {
        return Err(guests_off(org));
    }
    Ok((p, user))
}

/// The limits a code is checked under: the person's own, and their address's.
fn code_limits(user_id: &str, ip: &str) -> Vec<(String, i64)> {
    vec![(format!("code:{user_id}"), MAX_CODE_ATTEMPTS), (address_key(ip), MAX_ATTEMPTS_PER_ADDRESS)]
}

/// Checks a code of `user`'s app, or a recovery code, as the second step of a
/// sign-in and on Profile (renewing codes, removing the app) alike: one
/// attempt is taken from the person's and the address's limits first. A right
/// code comes back as `CodeAccepted`, whose transaction has used it; the
/// caller does its work in it and `finish`es, which also gives the attempts
/// back (the person's wrong attempts start over). A wrong code keeps them.
pub(super) async fn check_code(db: &Db, keys: &Keys, user: &UserRow, code: &str, ip: &str) -> Result<Option<CodeAccepted>> {
    let limits = code_limits(&user.id, ip);
    take_slots(db, &user.org_id, &limits).await.map_err(|e| Error { message: too_many_codes(e.retry_after_secs), ..e })?;
    let mut tx = super::begin(db).await?;
    let Some(how) = super::mfa::check(&mut tx, keys, user, code).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    Ok(Some(CodeAccepted { tx, how, org_id: user.org_id.clone(), limits }))
}

/// A right code, used in `tx` (see `check_code`).
pub(super) struct CodeAccepted {
    pub tx: store::WriteTx,
    pub how: super::mfa::Accepted,
    org_id: String,
    limits: Vec<(String, i64)>,
}

impl CodeAccepted {
    pub async fn finish(mut self) -> Result<()> {
        for (key, _) in &self.limits {
            if key.starts_with("code:") {
                store::sign_in_limits::clear(&mut self.tx, &self.org_id, key).await?;
            } else {
                store::sign_in_limits::give_back(&mut self.tx, &self.org_id, key).await?;
            }
        }
        self.tx.commit().await?;
        Ok(())
    }
}

fn too_many_codes(retry_after_secs: Option<u64>) -> String {
    format!("Too many wrong codes. Try again in {}, or ask your administrator to reset your authenticator app.", in_minutes(retry_after_secs.unwrap_or(60)))
}

/// "1 minute", "15 minutes": a limit's wait, rounded up to whole minutes.
fn in_minutes(secs: u64) -> String {
    let minutes = secs.div_ceil(60);
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

/// The second step: a code from the person's app, or a recovery code. Wrong
/// codes count against the person's code attempts and their address's, which
/// signing in with the password again does not reset.
pub async fn with_code(db: &Db, keys: &Keys, config: &crate::service::state::Config, session: &Session, org: &Org, code: &str, ip: &str) -> Result<SignedIn> {
    let (p, user) = pending_person(db, session, org).await?;
    let email = user.email.to_lowercase();
    let how = match check_code(db, keys, &user, code, ip).await {
        Ok(Some(accepted)) => {
            let how = accepted.how;
            accepted.finish().await?;
            how
        }
        Ok(None) => {
            record_refusal(db, org, &user.email, &user.email, ip, "wrong authentication code", true).await?;
            let message = if user.mfa_secret.is_none() && p.email_code {
                "That code is not right, or it expired. Enter the six digits of the latest email, or send a new code."
            } else {
                "That code is not right. Enter the six digits your authenticator app shows now, or one of your recovery codes."
            };
            return Err(Error::invalid("code", message));
        }
        Err(e) => {
            if e.kind == super::Kind::RateLimited {
                session.remove::<Pending>(PENDING_KEY).await.map_err(|_| Error::internal())?;
            }
            return Err(e);
        }
    };
    session.remove::<Pending>(PENDING_KEY).await.map_err(|_| Error::internal())?;
    let method = match how {
        super::mfa::Accepted::App => "password and authenticator app",
        super::mfa::Accepted::RecoveryCode => "password and recovery code",
        super::mfa::Accepted::EmailCode => "password and email code",
    };
    start_session(session, db, org, &user, method, ip).await?;
    if p.new_browser {
        notify_new_browser(db, config, org, &user, ip, method).await?;
    }
    Ok(SignedIn { device_cookie: device_cookie(keys, org, &email), user })
}

/// The person of a pending sign-in who must set up an app now: the
/// organization requires one and they have none. Anyone else — a person who
/// already has an app, or when the policy does not require one — gets no
/// enrolment: with only a password, it would replace their app.
async fn must_enrol(db: &Db, session: &Session, org: &Org) -> Result<(Pending, UserRow)> {
    let (p, user) = pending_person(db, session, org).await?;
    let policy = store::auth_settings::get(db, &org.id).await?.mfa_policy;
    // A sign-in waiting for an email code is not one to set up an app in:
    // with the password alone, that would skip the code.
    if user.mfa_secret.is_some() || policy != MfaPolicy::Required || p.email_code {
        return Err(Error::forbidden(
            "There is no authenticator app to set up in this sign-in. Enter the code from your app; to replace an app, sign in and use Profile, or ask your administrator to reset it.",
        ));
    }
    Ok((p, user))
}

/// The app a person who must set one up during sign-in is setting up (a new
/// key each call), and their email.
pub async fn start_enrolment(db: &Db, session: &Session, org: &Org) -> Result<(super::mfa::NewApp, String)> {
    let (mut p, user) = must_enrol(db, session, org).await?;
    let app = super::mfa::new_app(org, &user.email)?;
    p.new_app = Some(app.secret.clone());
    session.insert(PENDING_KEY, p).await.map_err(|_| Error::internal())?;
    // Saved now: the page that shows the key may be rendered on the server while
    // its response streams, after the session layer has already saved the session.
    session.save().await.map_err(|_| Error::internal())?;
    Ok((app, user.email))
}

/// Finishes a sign-in that had to set up an app: `code` shows the app works.
/// Returns the recovery codes, shown this once.
pub async fn with_new_app(db: &Db, keys: &Keys, config: &crate::service::state::Config, session: &Session, org: &Org, code: &str, ip: &str) -> Result<(SignedIn, Vec<String>)> {
    let (p, user) = must_enrol(db, session, org).await?;
    let new_browser = p.new_browser;
    let secret = p.new_app.ok_or_else(|| Error::conflict("Set up your authenticator app first: scan the QR code on this page."))?;
    let me = super::Actor { org_id: org.id.clone(), id: Some(user.id.clone()), label: user.email.clone(), ip: ip.to_string(), kind: super::ActorKind::Person, activity: None };
    let codes = super::mfa::enable(db, keys, &me, &user, &secret, code).await?;
    session.remove::<Pending>(PENDING_KEY).await.map_err(|_| Error::internal())?;
    start_session(session, db, org, &user, "password and authenticator app", ip).await?;
    if new_browser {
        notify_new_browser(db, config, org, &user, ip, "password and authenticator app").await?;
    }
    let email = user.email.to_lowercase();
    Ok((SignedIn { device_cookie: device_cookie(keys, org, &email), user }, codes))
}

/// Takes a slot of every limit, or none (a refused one gives back the others).
pub(super) async fn take_slots(db: &Db, org_id: &str, limits: &[(String, i64)]) -> Result<()> {
    let window = time::Duration::minutes(WINDOW_MINUTES);
    // A limit already full refuses without a write.
    for (key, limit) in limits {
        if let Slot::Full { retry_after_secs } = store::sign_in_limits::peek(db, org_id, key, *limit, window).await? {
            return Err(too_many_attempts(retry_after_secs));
        }
    }
    let mut tx = super::begin(db).await?;
    let mut taken = Vec::new();
    for (key, limit) in limits {
        match store::sign_in_limits::take(&mut tx, org_id, key, *limit, window).await? {
            Slot::Taken => taken.push(key),
            Slot::Full { retry_after_secs } => {
                for k in taken {
                    store::sign_in_limits::give_back(&mut tx, org_id, k).await?;
                }
                tx.commit().await?;
                return Err(too_many_attempts(retry_after_secs));
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

fn too_many_attempts(retry_after_secs: u64) -> Error {
    Error::rate_limited(format!("Too many sign-in attempts. Try again in {}, or ask your administrator to check your account.", in_minutes(retry_after_secs)), retry_after_secs)
}

async fn give_back(db: &Db, org_id: &str, limits: &[(String, i64)]) -> Result<()> {
    let mut tx = super::begin(db).await?;
    for (key, _) in limits {
        store::sign_in_limits::give_back(&mut tx, org_id, key).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn guests_off(org: &Org) -> Error {
    Error::forbidden(format!("Guest access to {} is turned off. Ask an administrator of {} if you need to sign in.", org.name, org.name))
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
    /// Guests sign in with their password, not through the identity provider.
    Guest(String),
    Failed(Error),
}

impl From<Error> for SsoRefusal {
    fn from(e: Error) -> SsoRefusal {
        SsoRefusal::Failed(e)
    }
}

/// The person a verified SSO response names, if they may sign in through SSO.
pub async fn sso_person(db: &Db, org: &Org, email: &str) -> std::result::Result<UserRow, SsoRefusal> {
    let email = email.trim();
    let user = store::users::by_email(db, &org.id, email).await.map_err(Error::from)?.ok_or_else(|| SsoRefusal::NoAccount(email.to_string()))?;
    if !user.status.is_active() {
        return Err(SsoRefusal::Deactivated(user.email.clone()));
    }
    if user.is_guest {
        return Err(SsoRefusal::Guest(user.email.clone()));
    }
    Ok(user)
}

/// The protocol a single sign-on came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sso {
    Saml,
    Oidc,
}

impl Sso {
    /// As the audit log's sign-in rows name it.
    pub fn method(self) -> &'static str {
        match self {
            Sso::Saml => "sso",
            Sso::Oidc => "oidc",
        }
    }
}

/// Signs in the person the identity provider vouched for (`email` is the
/// verified NameID, or the verified ID token's email). An administrator
/// signing in this way shows that protocol works with the current settings
/// (the guard before "SAML" or "OAuth (OpenID Connect)" only). Like every
/// single sign-on, it relies on the identity provider's own factors: no
/// second step here.
pub async fn with_sso(db: &Db, session: &Session, org: &Org, email: &str, ip: &str, via: Sso) -> std::result::Result<UserRow, SsoRefusal> {
    let user = sso_person(db, org, email).await?;
    start_session(session, db, org, &user, via.method(), ip).await?;
    if user.administers {
        let mut tx = super::begin(db).await?;
        shown_to_work(&mut tx, org, &user.email, via).await?;
        tx.commit().await.map_err(Error::from)?;
    }
    Ok(user)
}

/// An administrator signed in through `via` (or passed its test sign-in):
/// that protocol alone may now be chosen (the lockout guard).
async fn shown_to_work(tx: &mut store::Conn, org: &Org, admin_email: &str, via: Sso) -> std::result::Result<(), SsoRefusal> {
    match via {
        Sso::Saml => store::auth_settings::mark_sso_verified(tx, &org.id, admin_email).await,
        Sso::Oidc => store::auth_settings::mark_oidc_verified(tx, &org.id, admin_email).await,
    }
    .map_err(|e| SsoRefusal::Failed(Error::from(e)))
}

/// An administrator's test of single sign-on ("Test sign-in" on
/// Authentication): the identity provider's answer was verified as a
/// sign-in's is, and the person it names is checked as at sign-in, but
/// nobody is signed in. When that person administers the organization, SSO
/// only may now be chosen, as after their own SSO sign-in. Audited.
pub async fn test_sso(db: &Db, tester: &super::access::Caller, org: &Org, email: &str, via: Sso) -> std::result::Result<UserRow, SsoRefusal> {
    let user = sso_person(db, org, email).await?;
    let mut tx = super::begin(db).await?;
    if user.administers {
        shown_to_work(&mut tx, org, &user.email, via).await?;
    }
    let detail = if user.administers { "an administrator: single sign-on only may now be chosen" } else { "not an administrator" };
    store::audit::record(&mut tx, tester.actor().event(audit::SSO_TESTED, &user.email, detail.into())).await.map_err(Error::from)?;
    tx.commit().await.map_err(Error::from)?;
    Ok(user)
}

/// An OpenID Connect sign-in's answer from the provider is about to be
/// exchanged (a request to the provider per attempt): one of the address's
/// attempts, refused when they are used up. `sso_attempt_succeeded` gives it back.
pub async fn sso_attempt(db: &Db, org: &Org, ip: &str) -> Result<()> {
    take_slots(db, &org.id, &[(sso_address_key(ip), MAX_ATTEMPTS_PER_ADDRESS)]).await
}

pub async fn sso_attempt_succeeded(db: &Db, org: &Org, ip: &str) -> Result<()> {
    give_back(db, &org.id, &[(sso_address_key(ip), MAX_ATTEMPTS_PER_ADDRESS)]).await
}

fn sso_address_key(ip: &str) -> String {
    format!("sso-{}", address_key(ip))
}

/// Signs `user` in on this session, by password or SSO: a new session id (an
/// id planted before sign-in is worthless), the organization's session length,
/// the last sign-in time, and the audit entry.
pub async fn start_session(session: &Session, db: &Db, org: &Org, user: &UserRow, method: &str, ip: &str) -> Result<()> {
    let settings = store::auth_settings::get(db, &org.id).await?;
    session.cycle_id().await.map_err(|_| Error::internal())?;
    session.set_expiry(Some(tower_sessions::Expiry::AtDateTime(time::OffsetDateTime::now_utc() + time::Duration::days(settings.session_days))));
    let auth = super::access::SessionAuth {
        user_id: user.id.clone(),
        org_id: org.id.clone(),
        method: method.into(),
        signed_in_at: Some(Timestamp::now().to_string()),
        // The password this sign-in was checked against (read before the check).
        credential: Some(super::access::credential(user.password_hash.as_deref())),
    };
    session.insert(super::access::SESSION_KEY, auth).await.map_err(|_| Error::internal())?;
    super::access::seen_now(session).await?;
    let mut tx = super::begin(db).await?;
    store::users::record_sign_in(&mut tx, &org.id, &user.id).await?;
    let event = Event { org_id: &org.id, actor_id: Some(&user.id), actor: &user.email, action: audit::SIGN_IN, target: &user.email, detail: format!("method: {method}"), ip };
    store::audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the session (audited when someone was signed in).
pub async fn sign_out(db: &Db, session: &Session, org: &Org, ip: &str) -> Result<()> {
    if let Some(u) = super::access::session_user(session, db, org).await? {
        store::audit::record_now(db, Event { org_id: &org.id, actor_id: Some(&u.id), actor: &u.email, action: audit::SIGN_OUT, target: &u.email, detail: String::new(), ip }).await?;
    }
    session.flush().await.map_err(|_| Error::internal())
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn addresses_are_limited_one_by_one_and_ipv6_by_64() {
        assert_eq!(address_key("203.0.113.7"), "address:203.0.113.7");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), address_key("2001:db8:1:2:ffff:1:2:3"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("::ffff:203.0.113.7"), "address:203.0.113.7");
    }
}

//! Who is calling: the signed-in person behind a session, checked against the
//! database on every request, and what their account type lets them do.
use super::{Actor, ActorKind, Error, Result};
use crate::domain::{AuthMethod, Permission, PermissionSet};
pub use crate::service::store::orgs::Org;
pub use crate::service::store::users::UserRow;
use crate::service::store::{self, Db, Timestamp};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The key under which a session keeps who signed in.
pub const SESSION_KEY: &str = "gatehouse.auth";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: String,
    pub org_id: String,
    /// "password" (perhaps with a second factor, "password and …") or "sso".
    pub method: String,
    /// When the person signed in (sessions of before a deactivation are over).
    #[serde(default)]
    pub signed_in_at: Option<String>,
    /// Which password the person had when they signed in (`credential`): once
    /// it changes — a change on Profile, a reset link — the session is over,
    /// even one whose sign-in was checked against the old password while the
    /// new one was being set. None in sessions older than this field.
    #[serde(default)]
    pub credential: Option<String>,
}

/// A fingerprint of a person's password hash (or of having none), kept in
/// their sessions: not the hash, and it changes with every new password
/// (each hash has its own salt).
pub fn credential(password_hash: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(format!("gatehouse credential|{}", password_hash.unwrap_or("")).as_bytes())[..12])
}

/// This session goes on under the person's new password, signed in from now:
/// the other sessions, which knew the old one, are over (see `session_user`).
pub async fn renew_credential(session: &Session, password_hash: &str) -> Result<()> {
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.map_err(|_| Error::internal())?;
    let Some(mut auth) = auth else {
        return Err(unauthenticated());
    };
    session.cycle_id().await.map_err(|_| Error::internal())?;
    auth.credential = Some(credential(Some(password_hash)));
    auth.signed_in_at = Some(Timestamp::now().to_string());
    session.insert(SESSION_KEY, auth).await.map_err(|_| Error::internal())
}

/// When the session last made a request (Unix seconds), for the inactivity timeout.
const SEEN_KEY: &str = "gatehouse.seen";

/// Marks the session as used now.
pub async fn seen_now(session: &Session) -> Result<()> {
    session.insert(SEEN_KEY, time::OffsetDateTime::now_utc().unix_timestamp()).await.map_err(|_| Error::internal())
}

/// The signed-in person behind a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub org: Org,
    pub user: UserRow,
    pub ip: String,
}

impl Caller {
    pub fn permissions(&self) -> &PermissionSet {
        &self.user.permissions
    }
    pub fn can(&self, p: Permission) -> bool {
        self.user.permissions.contains(p)
    }
    pub fn is_admin(&self) -> bool {
        self.user.administers
    }
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(Error::forbidden(format!("Your account type ({}) does not allow this: it needs “{}”. Ask an administrator if you need it.", self.user.account_type_name, p.label())))
        }
    }
    /// The caller as an administrator, or 403.
    pub fn require_admin(self) -> Result<Caller> {
        if self.is_admin() {
            Ok(self)
        } else {
            Err(Error::forbidden("Only administrators can do this. Ask an administrator of your organization."))
        }
    }
    /// The teams the caller is a team admin of (none for most people).
    pub async fn administered_teams(&self, db: &Db) -> Result<Vec<String>> {
        Ok(store::teams::administered_by(db, &self.org.id, &self.user.id).await?)
    }
    /// The caller as an administrator or a team admin of at least one team
    /// (who may open Administration > Teams), or 403.
    pub async fn require_team_admin(self, db: &Db) -> Result<Caller> {
        if self.is_admin() || !self.administered_teams(db).await?.is_empty() {
            Ok(self)
        } else {
            Err(Error::forbidden("Only administrators and team admins can do this. Ask an administrator of your organization."))
        }
    }
    /// The caller as the actor of a use case (an administrator when their account type administers).
    pub fn actor(&self) -> Actor {
        Actor {
            org_id: self.org.id.clone(),
            id: Some(self.user.id.clone()),
            label: self.user.email.clone(),
            ip: self.ip.clone(),
            kind: if self.is_admin() { ActorKind::Admin } else { ActorKind::Person },
            activity: None,
        }
    }
}

/// The method a session records for a sign-in with the password alone.
pub const PASSWORD_ONLY: &str = "password";

/// The session's sign-in now counts as two-step: the person proved they hold
/// the authenticator app they just set up in it.
pub async fn note_second_factor(session: &Session) -> Result<()> {
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.map_err(|_| Error::internal())?;
    if let Some(mut auth) = auth.filter(|a| a.method == PASSWORD_ONLY) {
        auth.method = "password and authenticator app".into();
        session.insert(SESSION_KEY, auth).await.map_err(|_| Error::internal())?;
    }
    Ok(())
}

/// The signed-in, active person of `org` in this session, if any. Checked on
/// every request, so a session ends at once when the person is deactivated
/// (and stays over when they are reactivated), when their password changes, when the organization turns
/// password sign-in off (password sessions), after the organization's
/// inactivity timeout, and — for a sign-in with the password alone — when the
/// organization requires two-step verification or the person set up an
/// authenticator app after it (someone who had only the password is out).
pub async fn session_user(session: &Session, db: &Db, org: &Org) -> Result<Option<UserRow>> {
    let store_failed = |e: tower_sessions::session::Error| {
        tracing::error!(error = %e, "session store");
        Error::internal()
    };
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.map_err(store_failed)?;
    let Some(auth) = auth.filter(|a| a.org_id == org.id) else {
        return Ok(None);
    };
    let Some(p) = store::users::session_person(db, &org.id, &auth.user_id).await? else {
        return Ok(None);
    };
    let started = auth.signed_in_at.and_then(|t| Timestamp::try_from(t).ok());
    let ended_by_deactivation = p.user.sessions_valid_after.is_some_and(|after| started.is_none_or(|s| s < after));
    let password_changed = auth.credential.as_deref().is_some_and(|c| c != credential(p.user.password_hash.as_deref()));
    let method = p.method.as_deref().and_then(AuthMethod::parse).unwrap_or(AuthMethod::Password);
    let password_off = auth.method.starts_with("password") && !method.allows_password() && !p.user.is_guest;
    let guest_off = p.user.is_guest && !p.allow_guests;
    let password_only = auth.method == PASSWORD_ONLY;
    let second_step_missing = password_only && (p.mfa_policy == crate::domain::MfaPolicy::Required || p.mfa_enabled_at.is_some_and(|enabled| started.is_none_or(|s| s < enabled)));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let seen: Option<i64> = session.get(SEEN_KEY).await.map_err(store_failed)?;
    let idle = p.idle_timeout_secs > 0 && seen.is_some_and(|t| now - t > p.idle_timeout_secs);
    if !p.user.status.is_active() || ended_by_deactivation || password_changed || password_off || guest_off || idle || second_step_missing {
        session.flush().await.map_err(store_failed)?;
        return Ok(None);
    }
    // Written at most every minute (or a tenth of the timeout), not on every request.
    let every = (p.idle_timeout_secs / 10).clamp(1, 60);
    if p.idle_timeout_secs > 0 && seen.is_none_or(|t| now - t >= every) {
        seen_now(session).await?;
    }
    Ok(Some(p.user))
}

/// The signed-in person as the pages' frame shows them (name, account type, teams).
pub async fn me(db: &Db, c: Caller) -> Result<crate::domain::views::Me> {
    let teams = store::teams::names_for_user(db, &c.org.id, &c.user.id).await?;
    let team_admin = !c.administered_teams(db).await?.is_empty();
    Ok(crate::domain::views::Me {
        is_admin: c.is_admin(),
        team_admin,
        user_id: c.user.id,
        org_slug: c.org.slug,
        org_name: c.org.name,
        email: c.user.email,
        first_name: c.user.first_name,
        last_name: c.user.last_name,
        account_type: c.user.account_type_name,
        origin: c.user.origin,
        is_guest: c.user.is_guest,
        teams,
    })
}

/// Where a page visit goes, decided before anything renders.
pub enum PageVisit {
    /// Render the page.
    Pass,
    /// No organization yet: the first-run page.
    Setup,
    /// "/": the organization's home.
    Home(String),
    /// No organization has this URL name.
    NoSuchOrg,
    /// Signed out: the sign-in page of this organization.
    SignIn(String),
    /// Administration for someone who may not administer (already audited).
    Refused { message: String, home: String },
}

/// The page guard's decision for a visit to `/{first}/{second}/{third}…`: the
/// first-run page while there is no organization, the sign-in page when
/// signed out (`public` pages — sign-in, invitation, SSO — are for anyone),
/// and Administration only for administrators — except its Teams pages, which
/// team admins open too (what each team shows them is the service's to
/// decide). A refusal is counted in the audit log; a person reloading it adds to one row.
pub async fn page_visit(db: &Db, session: Option<&Session>, path: [Option<&str>; 3], public: bool, ip: &str) -> Result<PageVisit> {
    let [first, second, third] = path;
    let Some(slug) = first.filter(|s| *s != "setup") else {
        // "/" and "/setup"
        return Ok(match (first, store::orgs::first(db).await?) {
            (None, None) => PageVisit::Setup,
            (None, Some(org)) => PageVisit::Home(org.slug),
            _ => PageVisit::Pass,
        });
    };
    let Some(org) = store::orgs::by_slug(db, slug).await? else {
        return Ok(if store::orgs::first(db).await?.is_none() { PageVisit::Setup } else { PageVisit::NoSuchOrg });
    };
    if public {
        return Ok(PageVisit::Pass);
    }
    let session = session.ok_or_else(Error::internal)?;
    let Some(user) = session_user(session, db, &org).await? else {
        return Ok(PageVisit::SignIn(org.slug));
    };
    if second != Some("admin") {
        return Ok(PageVisit::Pass);
    }
    let home = format!("/{}", org.slug);
    let caller = Caller { org, user, ip: ip.to_string() };
    let team_admin = !caller.is_admin() && !caller.administered_teams(db).await?.is_empty();
    if team_admin && third == Some("teams") {
        return Ok(PageVisit::Pass);
    }
    let (org_id, user_id, email, type_name, org_name) = (caller.org.id.clone(), caller.user.id.clone(), caller.user.email.clone(), caller.user.account_type_name.clone(), caller.org.name.clone());
    match caller.require_admin() {
        Ok(_) => Ok(PageVisit::Pass),
        Err(_) => {
            let event = store::audit::Event {
                org_id: &org_id,
                actor_id: Some(&user_id),
                actor: &email,
                action: crate::domain::audit::ACCESS_DENIED,
                target: "Administration",
                detail: format!("account type {type_name} lacks “Administer the organization”"),
                ip,
            };
            let count = store::audit::Count { kind: &user_id, address: "", window_secs: super::sign_in::WINDOW_MINUTES * 60 };
            store::audit::record_counted(db, event, count).await?;
            let mut message = format!(
                "Only administrators can open Administration: your account type, {type_name}, does not include “Administer the organization”. Ask an administrator of {org_name} if you need it."
            );
            if team_admin {
                message.push_str(" As a team admin, you can open Administration > Teams.");
            }
            Ok(PageVisit::Refused { message, home })
        }
    }
}

pub fn no_such_org(slug: &str) -> Error {
    Error::not_found(format!("There is no organization “{slug}” on this Gatehouse. Check the address."))
}

pub async fn org(db: &Db, slug: &str) -> Result<Org> {
    store::orgs::by_slug(db, slug).await?.ok_or_else(|| no_such_org(slug))
}

/// The signed-in person of `org_slug` in `session`, or 401.
pub async fn caller(db: &Db, session: &Session, org_slug: &str, ip: String) -> Result<Caller> {
    let org = org(db, org_slug).await?;
    super::allowlist::check(db, &org, &ip, crate::domain::views::RangeScope::App).await?;
    let user = session_user(session, db, &org).await?.ok_or_else(unauthenticated)?;
    Ok(Caller { org, user, ip })
}

pub fn unauthenticated() -> Error {
    Error::new(super::Kind::Unauthenticated, "Your session has ended. Sign in again to continue.")
}

/// The client's address for the audit log and the sign-in rate limit: the
/// socket's, or, behind a trusted reverse proxy, the one the proxy saw (the
/// server's middleware decides once per request).
#[derive(Clone, Debug, Default)]
pub struct ClientIp(pub String);

impl ClientIp {
    /// The address a request came from. `X-Forwarded-For` counts only when
    /// `trust_proxy` says a proxy sets it; its last entry is the one our proxy added.
    pub fn of(headers: &axum::http::HeaderMap, socket: Option<std::net::SocketAddr>, trust_proxy: bool) -> ClientIp {
        let forwarded = trust_proxy
            .then(|| headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).last())
            .flatten()
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        ClientIp(forwarded.or(socket.map(|s| s.ip())).map(|ip| ip.to_string()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::ClientIp;
    use axum::http::HeaderMap;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let socket = Some("10.0.0.5:4000".parse().unwrap());
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        // A client can send any X-Forwarded-For; without a proxy it means nothing.
        assert_eq!(ClientIp::of(&h, socket, false).0, "10.0.0.5");
        // Behind our proxy, its entry (the last) is the client it saw.
        assert_eq!(ClientIp::of(&h, socket, true).0, "203.0.113.7");
        let mut bad = HeaderMap::new();
        bad.append("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(ClientIp::of(&bad, socket, true).0, "10.0.0.5");
        assert_eq!(ClientIp::of(&HeaderMap::new(), None, true).0, "");
    }
}

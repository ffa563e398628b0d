//! Who is calling: sessions, password hashing, and the permission checks every
//! server function starts with.
use crate::domain::{Permission, PermissionSet};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, orgs::Org, users::UserRow, Db};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use tower_sessions::Session;

/// The key under which a session keeps who signed in.
pub const SESSION_KEY: &str = "gatehouse.auth";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: String,
    pub org_id: String,
    pub method: String,
}

/// The signed-in person behind a request, checked against the database.
#[derive(Clone, Debug)]
pub struct Caller {
    pub org: Org,
    pub user: UserRow,
    pub permissions: PermissionSet,
    pub ip: String,
}

impl Caller {
    /// An audit event with this caller as the actor.
    pub fn event<'a>(&'a self, action: &'a str, target: &'a str, detail: String) -> store::audit::Event<'a> {
        store::audit::Event {
            org_id: &self.org.id,
            actor_id: Some(&self.user.id),
            actor: &self.user.email,
            action,
            target,
            detail,
            ip: &self.ip,
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(p)
    }
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "Your account type ({}) does not allow this: it needs “{}”. Ask an administrator if you need it.",
                self.user.account_type_name,
                p.label()
            )))
        }
    }
}

/// The signed-in, active user of `org` in this session, if any.
pub async fn session_user(session: &Session, db: &Db, org: &Org) -> AppResult<Option<UserRow>> {
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "session store");
        AppError::internal()
    })?;
    let Some(auth) = auth.filter(|a| a.org_id == org.id) else { return Ok(None) };
    let user = store::users::by_id(db, &org.id, &auth.user_id).await?;
    // A deactivated person's sessions end at once: the check is on every request.
    Ok(user.filter(|u| u.status == "active"))
}

pub fn state() -> AppState {
    expect_context::<AppState>()
}

pub async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::internal()
    })
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

/// The client's address of the current server-function request.
pub fn client_ip() -> String {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<ClientIp>().cloned())
        .map(|c| c.0)
        .unwrap_or_default()
}

pub async fn org(slug: &str) -> AppResult<Org> {
    store::orgs::by_slug(&state().db, slug)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no organization “{slug}” on this Gatehouse. Check the address.")))
}

/// The signed-in person of `org_slug`, or 401.
pub async fn caller(org_slug: &str) -> AppResult<Caller> {
    caller_in(&state().db, &session().await?, org_slug, client_ip()).await
}

/// The signed-in person of `org_slug` in `session`, or 401 (for handlers outside Leptos).
pub async fn caller_in(db: &Db, session: &Session, org_slug: &str, ip: String) -> AppResult<Caller> {
    let org = store::orgs::by_slug(db, org_slug)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no organization “{org_slug}” on this Gatehouse. Check the address.")))?;
    let user = session_user(session, db, &org).await?.ok_or_else(AppError::unauthenticated)?;
    let permissions = PermissionSet::from_json(&user.permissions);
    Ok(Caller { org, user, permissions, ip })
}

/// The signed-in administrator of `org_slug`: 401 when signed out, 403 for everyone else.
pub async fn admin(org_slug: &str) -> AppResult<Caller> {
    let c = caller(org_slug).await?;
    c.require(Permission::Administer)
        .map_err(|_| AppError::forbidden("Only administrators can do this. Ask an administrator of your organization."))?;
    Ok(c)
}

fn hasher() -> Argon2<'static> {
    // argon2id, 19 MiB, 2 passes, 1 lane: OWASP's recommended minimum.
    Argon2::default()
}

pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::internal())?
    .map_err(|_| AppError::internal())
}

/// Checks a password against a stored hash. Without a hash it still spends the
/// same time, so response times do not tell which emails have accounts.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (
                DUMMY
                    .get_or_init(|| {
                        let salt = SaltString::generate(&mut OsRng);
                        hasher().hash_password(b"no such account", &salt).expect("hash").to_string()
                    })
                    .clone(),
                false,
            ),
        };
        let ok = PasswordHash::new(&hash).map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false);
        ok && real
    })
    .await
    .unwrap_or(false)
}

/// Users and teams provisioned by the identity provider are changed there, not here.
pub fn ensure_local(origin: &str, what: &str) -> AppResult<()> {
    if origin == "scim" {
        Err(AppError::forbidden(format!(
            "{what} is managed by your identity provider. Make this change there; it will reach Gatehouse through provisioning."
        )))
    } else {
        Ok(())
    }
}

/// Signs `user` in on this session, by password or SSO: a new session id (an
/// id planted before sign-in is worthless), the organization's session length,
/// the last sign-in time, and the audit entry.
pub async fn start_session(session: &Session, db: &Db, org: &Org, user: &UserRow, method: &str, ip: &str) -> AppResult<()> {
    let settings = store::auth_settings::get(db, &org.id).await?;
    session.cycle_id().await.map_err(|_| AppError::internal())?;
    session.set_expiry(Some(tower_sessions::Expiry::AtDateTime(
        time::OffsetDateTime::now_utc() + time::Duration::days(settings.session_days),
    )));
    session
        .insert(SESSION_KEY, SessionAuth { user_id: user.id.clone(), org_id: org.id.clone(), method: method.into() })
        .await
        .map_err(|_| AppError::internal())?;
    store::users::record_sign_in(db, &org.id, &user.id).await?;
    store::audit::record(
        db,
        store::audit::Event {
            org_id: &org.id,
            actor_id: Some(&user.id),
            actor: &user.email,
            action: crate::domain::audit::SIGN_IN,
            target: &user.email,
            detail: format!("method: {method}"),
            ip,
        },
    )
    .await?;
    Ok(())
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

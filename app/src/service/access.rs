//! Who is calling: the signed-in person behind a session, checked against the
//! database on every request, and what their account type lets them do.
use super::{Actor, ActorKind, Error, Result};
use crate::domain::{Permission, PermissionSet};
use crate::store::{self, orgs::Org, users::UserRow, Db};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The key under which a session keeps who signed in.
pub const SESSION_KEY: &str = "gatehouse.auth";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: String,
    pub org_id: String,
    pub method: String,
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
            Err(Error::forbidden(format!(
                "Your account type ({}) does not allow this: it needs “{}”. Ask an administrator if you need it.",
                self.user.account_type_name,
                p.label()
            )))
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
    /// The caller as the actor of a use case (an administrator when their account type administers).
    pub fn actor(&self) -> Actor {
        Actor {
            org_id: self.org.id.clone(),
            id: Some(self.user.id.clone()),
            label: self.user.email.clone(),
            ip: self.ip.clone(),
            kind: if self.is_admin() { ActorKind::Admin } else { ActorKind::Person },
        }
    }
}

/// The signed-in, active person of `org` in this session, if any.
pub async fn session_user(session: &Session, db: &Db, org: &Org) -> Result<Option<UserRow>> {
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "session store");
        Error::internal()
    })?;
    let Some(auth) = auth.filter(|a| a.org_id == org.id) else { return Ok(None) };
    let user = store::users::by_id(db, &org.id, &auth.user_id).await?;
    // A deactivated person's sessions end at once: the check is on every request.
    Ok(user.filter(|u| u.status.is_active()))
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

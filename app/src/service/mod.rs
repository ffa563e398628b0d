//! The use cases, each written once, whichever door asks: the admin pages'
//! server functions (`api/`), the SCIM API and the SAML endpoints (the
//! `server` crate) and the command line. A door parses its input, calls one
//! function here, and maps `Error` to its own protocol. The rules people,
//! teams and account types share live here too (the last active
//! administrator, records managed by the identity provider are read-only,
//! who may do what); the SQL lives in `store`. docs/architecture.md explains
//! the layers.
pub mod access;
pub mod account;
pub mod account_types;
pub mod allowlist;
pub mod attributes;
pub mod audit;
pub mod database;
pub mod demo;
pub mod directory;
pub mod documents;
pub mod exports;
pub mod housekeeping;
pub mod keys;
pub mod mail;
pub mod mfa;
pub mod oidc;
pub mod passwords;
pub mod people;
pub mod provisioning;
pub mod provisioning_activity;
pub mod sessions;
pub mod setup;
pub mod sign_in;
pub mod sso;
pub mod sso_activity;
pub mod state;
pub mod teams;
pub mod webhooks;

// Every SQL statement. Only the use cases here reach it: the doors (server
// functions, SCIM, SAML, the command line) cannot name it — the compiler
// refuses, as lldap's handler crates do for its GraphQL and LDAP doors.
#[cfg(not(feature = "test-support"))]
mod store;
#[cfg(feature = "test-support")]
pub mod store;

mod error;

pub use error::{Error, Kind, Result};
pub use store::{Db, Timestamp};

use self::store::audit::Event;

/// The cores this process may use for CPU work (password hashing, writing
/// export files); two when the system does not say.
pub fn cpu_cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// Who is acting, as the audit log names them, and what they may change.
#[derive(Clone, Debug)]
pub struct Actor {
    pub org_id: String,
    /// The person acting, or the admin a provisioning token acts for.
    pub id: Option<String>,
    /// As the audit log shows the actor: an email, a token's name, a command.
    pub label: String,
    pub ip: String,
    pub kind: ActorKind,
    /// The identity provider's request being recorded for the provisioning
    /// activity (see `provisioning_activity`); None for every other actor.
    pub activity: Option<provisioning_activity::Recorder>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActorKind {
    /// An administrator in the admin pages: changes only what Gatehouse manages.
    Admin,
    /// The identity provider, through a provisioning token. Documents of the
    /// people and teams it deprovisions go to `receiver` (the admin the token acts for).
    IdentityProvider { receiver_id: String, receiver_email: String },
    /// A person acting on their own account (accepting an invitation, signing in).
    Person,
    /// The command line on the server's machine, or the demo seed.
    Operator,
}

impl Actor {
    /// A command run on the server's machine (`label` names it in the audit log).
    pub fn operator(org_id: &str, label: &str) -> Actor {
        Actor { org_id: org_id.to_string(), id: None, label: label.to_string(), ip: String::new(), kind: ActorKind::Operator, activity: None }
    }

    /// An audit event with this actor.
    pub fn event<'a>(&'a self, action: &'a str, target: &'a str, detail: String) -> Event<'a> {
        Event { org_id: &self.org_id, actor_id: self.id.as_deref(), actor: &self.label, action, target, detail, ip: &self.ip }
    }

    pub fn is_identity_provider(&self) -> bool {
        matches!(self.kind, ActorKind::IdentityProvider { .. })
    }

    /// The record as one this actor may change: records the identity
    /// provider manages are changed there, so only it gets them here (anyone
    /// else gets `ManagedByIdp`, naming `what`). The store's writers of people
    /// and teams take a `Writable`, so a use case cannot change a record it
    /// did not get through here.
    pub fn may_change<T: Managed>(&self, row: T, what: impl FnOnce(&T) -> String) -> Result<Writable<T>> {
        if row.origin().is_managed_by_idp() && !self.is_identity_provider() {
            return Err(Error::managed_by_idp(&what(&row)));
        }
        Ok(Writable(row))
    }
}

/// A record whose origin says who manages it: Gatehouse or the identity provider.
pub trait Managed {
    fn origin(&self) -> crate::domain::Origin;
}

impl Managed for store::users::UserRow {
    fn origin(&self) -> crate::domain::Origin {
        self.origin
    }
}

impl Managed for store::teams::TeamRow {
    fn origin(&self) -> crate::domain::Origin {
        self.origin
    }
}

/// A person or team the acting door may change (see `Actor::may_change`);
/// nothing else makes one.
pub struct Writable<T>(T);

impl<T> std::ops::Deref for Writable<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Starts a write transaction (see `store::begin`).
async fn begin(db: &store::Db) -> Result<store::WriteTx> {
    Ok(store::begin(db).await?)
}

//! The one error type of the use cases. Each door maps it once: the server
//! functions to `AppError` (below), SCIM to its error JSON with a
//! `scimType`, the SAML door to its failure page, the command line to a
//! message. The domain's refusals (`domain::Invalid`) become it; nothing
//! converts the other way.
use crate::error::{AppError, ErrorKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Not signed in, or the session ended.
    Unauthenticated,
    /// Not allowed for this caller.
    Forbidden,
    NotFound,
    /// Bad input; nothing changed.
    Invalid,
    /// A unique name, email or userName is taken.
    Taken,
    /// The change would leave the organization without an active administrator.
    LastAdmin,
    /// The record is managed by the identity provider; change it there.
    ManagedByIdp,
    /// The record is not in a state that allows this (an invitation already accepted, …).
    Conflict,
    RateLimited,
    /// Another service this request depends on failed.
    Upstream,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: Kind,
    /// What happened and what to do, in words a person reads.
    pub message: String,
    /// The input field the message is about, when there is one.
    pub field: Option<String>,
    /// When to try again (a refusal because of a limit).
    pub retry_after_secs: Option<u64>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), field: None, retry_after_secs: None }
    }
    pub fn on(mut self, field: &str) -> Error {
        self.field = Some(field.to_string());
        self
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::new(Kind::Invalid, message).on(field)
    }
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Kind::NotFound, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(Kind::Forbidden, message)
    }
    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(Kind::Conflict, message)
    }
    pub fn taken(field: &str, message: impl Into<String>) -> Error {
        Error::new(Kind::Taken, message).on(field)
    }
    pub fn managed_by_idp(what: &str) -> Error {
        Error::new(Kind::ManagedByIdp, format!("{what} is managed by your identity provider. Make this change there; it will reach Gatehouse through provisioning."))
    }
    pub fn last_admin() -> Error {
        Error::new(Kind::LastAdmin, "This would leave the organization without an active administrator. Give someone else the Admin account type first.")
    }
    /// Refused by a limit; try again after `secs` seconds.
    pub fn rate_limited(message: impl Into<String>, secs: u64) -> Error {
        Error { retry_after_secs: Some(secs), ..Error::new(Kind::RateLimited, message) }
    }
    pub fn internal() -> Error {
        Error::new(Kind::Internal, "Something went wrong on the server. Try again; if it keeps happening, check the server log.")
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        tracing::error!(error = %e, "database error");
        Error::internal()
    }
}

/// The domain's rules (shared with the browser) refuse a value.
impl From<crate::domain::Invalid> for Error {
    fn from(e: crate::domain::Invalid) -> Error {
        Error::invalid(&e.field, e.message)
    }
}

/// The server functions' door: the page shows `message` beside `field`.
impl From<Error> for AppError {
    fn from(e: Error) -> AppError {
        let kind = match e.kind {
            Kind::Unauthenticated => ErrorKind::Unauthenticated,
            Kind::Forbidden | Kind::ManagedByIdp => ErrorKind::Forbidden,
            Kind::NotFound => ErrorKind::NotFound,
            Kind::Invalid => ErrorKind::Invalid,
            Kind::Taken | Kind::LastAdmin | Kind::Conflict => ErrorKind::Conflict,
            Kind::RateLimited => ErrorKind::RateLimited,
            Kind::Upstream => ErrorKind::Upstream,
            Kind::Internal => ErrorKind::Internal,
        };
        AppError { kind, message: e.message, field: e.field, retry_after_secs: e.retry_after_secs }
    }
}

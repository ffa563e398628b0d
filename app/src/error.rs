//! One error type crosses the server-function boundary. The server maps its
//! `kind` to an HTTP status in one place (the server crate's API middleware);
//! pages show `message`, next to `field` when there is one.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Not signed in (or the session ended).
    Unauthenticated,
    /// Signed in, but not allowed.
    Forbidden,
    NotFound,
    /// Bad input; nothing changed.
    Invalid,
    Conflict,
    RateLimited,
    /// Another service this request depends on failed (a webhook destination).
    Upstream,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Invalid => 400,
            ErrorKind::Conflict => 409,
            ErrorKind::RateLimited => 429,
            ErrorKind::Upstream => 502,
            ErrorKind::Internal => 500,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    /// The form field the message belongs to, when it is about one.
    pub field: Option<String>,
    /// Refused by a limit: when to try again (the server sends it as Retry-After).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError { kind, message: message.into(), field: None, retry_after_secs: None }
    }
    pub fn unauthenticated() -> Self {
        Self::new(ErrorKind::Unauthenticated, "Your session has ended. Sign in again to continue.")
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError { kind: ErrorKind::Invalid, message: message.into(), field: Some(field.to_string()), retry_after_secs: None }
    }
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        AppError { kind: ErrorKind::Conflict, message: message.into(), field: Some(field.to_string()), retry_after_secs: None }
    }
    pub fn internal() -> Self {
        Self::new(ErrorKind::Internal, "Something went wrong on the server. Try again; if it keeps happening, check the server log.")
    }
    /// The message when it belongs to `field`, for showing beside that field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) if m.contains("length limit exceeded") => {
                AppError::new(ErrorKind::Invalid, "The request is too large (the limit is 2 MB). Send a smaller file.")
            }
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => AppError::new(ErrorKind::Invalid, format!("The request was not understood: {m}")),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(ErrorKind::Internal, "Could not reach the Gatehouse server. Check your connection and try again."),
            other => AppError::new(ErrorKind::Internal, other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::internal()
    }
}

/// The domain's refusal of a value, as the page shows it beside its field.
impl From<crate::domain::Invalid> for AppError {
    fn from(e: crate::domain::Invalid) -> AppError {
        AppError::invalid(&e.field, e.message)
    }
}

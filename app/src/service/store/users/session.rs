//! A signed-in person as every request checks them, and ending their sessions.
use super::{UserRow, SELECT};
use crate::service::store::{column, now, Conn, Db, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

pub async fn record_sign_in(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE users SET last_login_at = $1 WHERE org_id = $2 AND id = $3", now(), org_id, id)
}

/// A signed-in person as every request checks them, with what decides whether
/// their session still counts: the organization's sign-in method and
/// inactivity timeout (one query).
pub struct SessionPerson {
    pub user: UserRow,
    /// None: the organization never saved its settings (password, no timeout).
    pub method: Option<String>,
    pub idle_timeout_secs: i64,
    pub allow_guests: bool,
    /// The organization's two-step policy ("off" when it never saved its settings).
    pub mfa_policy: crate::domain::MfaPolicy,
    /// When the person's authenticator app was set up, if they have one.
    pub mfa_enabled_at: Option<Timestamp>,
}

pub async fn session_person(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<SessionPerson>> {
    let sql = SELECT.replace(
        "SELECT u.id,",
        "SELECT a.method AS auth_method, COALESCE(a.idle_timeout_secs, 0) AS idle_timeout_secs, COALESCE(a.allow_guests, 0) AS allow_guests, \
         COALESCE(a.mfa_policy, 'off') AS session_mfa_policy, u.mfa_enabled_at AS session_mfa_enabled_at, u.id,",
    ) + " LEFT JOIN auth_settings a ON a.org_id = u.org_id WHERE u.org_id = $1 AND u.id = $2";
    let row: Option<AnyRow> = sqlx::query(&sql).bind(org_id).bind(id).fetch_optional(db).await?;
    row.map(|r| {
        Ok(SessionPerson {
            user: UserRow::from_row(&r)?,
            method: r.try_get("auth_method")?,
            idle_timeout_secs: r.try_get("idle_timeout_secs")?,
            allow_guests: column::flag(&r, "allow_guests")?,
            mfa_policy: crate::domain::MfaPolicy::parse(&r.try_get::<String, _>("session_mfa_policy")?).unwrap_or(crate::domain::MfaPolicy::Off),
            mfa_enabled_at: column::typed_opt(&r, "session_mfa_enabled_at")?,
        })
    })
    .transpose()
}

/// Ends every session of a person started before now (a password reset, an
/// administrator's reset of their authenticator app).
pub async fn end_sessions(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE users SET sessions_valid_after = $1 WHERE org_id = $2 AND id = $3", now(), org_id, id)
}

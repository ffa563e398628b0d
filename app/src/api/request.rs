//! What a server function knows of its request: the application state, the
//! session, the client's address, and who is calling. Server functions are
//! one door onto the service layer (`crate::service`); these helpers and the
//! `From<service::Error> for AppError` mapping are all the door adds.
use crate::error::{AppError, AppResult};
use crate::service::access::Org;
use crate::service::access::{self, Caller, ClientIp};
use crate::service::state::AppState;
use leptos::prelude::*;
use tower_sessions::Session;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

pub async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::internal()
    })
}

/// The client's address of the current request (see `ClientIp`).
pub fn client_ip() -> String {
    use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<ClientIp>().cloned()).map(|c| c.0).unwrap_or_default()
}

/// The organization a server function names, for a request from an address
/// it allows (see `service::allowlist`).
pub async fn org(slug: &str) -> AppResult<Org> {
    let db = &state().db;
    let org = access::org(db, slug).await?;
    crate::service::allowlist::check(db, &org, &client_ip(), crate::domain::views::RangeScope::App).await?;
    Ok(org)
}

/// The signed-in person of `org_slug`, or 401.
pub async fn caller(org_slug: &str) -> AppResult<Caller> {
    Ok(access::caller(&state().db, &session().await?, org_slug, client_ip()).await?)
}

/// The signed-in administrator of `org_slug`: 401 when signed out, 403 for everyone else.
pub async fn admin(org_slug: &str) -> AppResult<Caller> {
    Ok(caller(org_slug).await?.require_admin()?)
}

/// The value of the request's cookie `name`.
pub fn cookie(name: &str) -> Option<String> {
    let name = state().config.cookie_name(name, "/");
    use_context::<axum::http::request::Parts>().and_then(|p| crate::service::state::cookie_value(&p.headers, &name).map(str::to_string))
}

/// Sets a cookie on the response (see `Config::cookie`).
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64) {
    let header = state().config.cookie(name, value, "/", max_age_secs);
    if let Ok(v) = axum::http::HeaderValue::from_str(&header) {
        expect_context::<leptos_axum::ResponseOptions>().append_header(axum::http::header::SET_COOKIE, v);
    }
}

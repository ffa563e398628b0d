//! What every request handler and server function can reach.
use crate::store::{Backend, Db};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// The public URL of this instance, without a trailing slash; used in every
    /// link shown to admins and identity providers.
    pub base_url: String,
    pub backend: Backend,
    /// Take the client's address from X-Forwarded-For (set by a reverse proxy
    /// in front of every instance); off, the socket's address is used.
    pub trust_proxy: bool,
    /// Webhook exports may post to loopback, private and link-local
    /// addresses (receivers inside the operator's network); off, only to
    /// public ones.
    pub webhook_allow_private: bool,
    /// An export whose client reads nothing for this long is cancelled and
    /// lets go of everything it holds.
    pub export_stall_timeout: Duration,
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
    pub fn org_url(&self, slug: &str) -> String {
        format!("{}/{}", self.base_url, slug)
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// The exports running now (per person and organization limits).
    pub running_exports: super::exports::Running,
    /// Behind an `Arc`: the state is cloned for every request.
    pub leptos_options: Arc<LeptosOptions>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        (*s.leptos_options).clone()
    }
}

//! What every request handler and server function can reach.
use crate::store::{Backend, Db};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Config {
    /// The public URL of this instance, without a trailing slash; used in every
    /// link shown to admins and identity providers.
    pub base_url: String,
    pub backend: Backend,
    /// Take the client's address from X-Forwarded-For (set by a reverse proxy
    /// in front of every instance); off, the socket's address is used.
    pub trust_proxy: bool,
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
    /// Behind an `Arc`: the state is cloned for every request.
    pub leptos_options: Arc<LeptosOptions>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        (*s.leptos_options).clone()
    }
}

//! What every request handler and server function can reach.
use crate::service::store::{Backend, Db};
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
    /// How long audit events are kept for organizations that chose no
    /// retention of their own (`GATEHOUSE_AUDIT_RETENTION_DAYS`).
    pub audit_retention_days: i64,
    /// The SMTP settings when the operator set mail up (`GATEHOUSE_SMTP_HOST`);
    /// None: no mail, links are shown to copy.
    pub mail: Option<super::mail::Settings>,
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
    pub fn org_url(&self, slug: &str) -> String {
        format!("{}/{}", self.base_url, slug)
    }
    /// A cookie's name as set and read: behind https with the prefix that
    /// makes browsers refuse it unless this site set it securely —
    /// `__Host-` for cookies of the whole site (no other host, not even a
    /// subdomain, can set or shadow them), `__Secure-` for one path. Over
    /// plain http (a demo on localhost) browsers refuse the prefixes, so none.
    pub fn cookie_name(&self, name: &str, path: &str) -> String {
        match (self.secure_cookies(), path == "/") {
            (false, _) => name.to_string(),
            (true, true) => format!("__Host-{name}"),
            (true, false) => format!("__Secure-{name}"),
        }
    }
    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure behind https
    /// (named by `cookie_name`); `max_age_secs` 0 removes the cookie.
    pub fn cookie(&self, name: &str, value: &str, path: &str, max_age_secs: i64) -> String {
        let secure = if self.secure_cookies() { "; Secure" } else { "" };
        let name = self.cookie_name(name, path);
        format!("{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// The value of the cookie `name` in a request's `Cookie` headers.
pub fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Signs cookies (shared by every instance of the database).
    pub keys: Arc<super::keys::Keys>,
    /// The OpenID Connect providers read so far (discovery documents and keys).
    pub oidc: Arc<super::oidc::Providers>,
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

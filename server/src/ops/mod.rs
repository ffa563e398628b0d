//! What operators run Gatehouse with: request ids and access logs, metrics,
//! liveness and readiness, backup and restore, and a graceful stop.
pub mod backup;
pub mod health;
pub mod logging;
pub mod metrics;
mod request;

pub use request::{current_request_id, note_api_org, note_org, observe};

use std::net::SocketAddr;
use std::time::Duration;

/// How `gatehouse serve` runs, beyond what the application itself needs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Where `/metrics` is served; none: metrics are off.
    pub metrics_bind: Option<SocketAddr>,
    /// How long requests in flight may take to finish after a stop signal.
    pub shutdown_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { metrics_bind: None, shutdown_timeout: Duration::from_secs(30) }
    }
}

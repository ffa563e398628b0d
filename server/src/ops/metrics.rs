//! `/metrics` in Prometheus text format, on its own address
//! (`GATEHOUSE_METRICS_BIND`), never on the public one: the numbers are for
//! the operator's Prometheus, not for the people who sign in.
use app::metrics as m;
use app::service::Db;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Latency buckets, seconds: SCIM look-ups take about a millisecond, a page
/// tens of milliseconds, a sign-in (argon2id) a few hundred.
const SECONDS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the process-wide recorder (once); until then recording does nothing.
pub fn install() -> anyhow::Result<&'static PrometheusHandle> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    if let Some(h) = HANDLE.get() {
        return Ok(h);
    }
    let handle = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)?.install_recorder().map_err(|e| anyhow::anyhow!("cannot start metrics: {e}"))?;
    m::describe();
    m::enable();
    let handle = HANDLE.get_or_init(|| handle);
    // Histogram samples wait in memory until drained; drain them even when nobody scrapes.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

#[derive(Clone)]
struct Scrape {
    handle: &'static PrometheusHandle,
    db: Db,
}

/// The router of the metrics address: `/metrics` only.
pub fn router(handle: &'static PrometheusHandle, db: Db) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(Scrape { handle, db })
}

async fn metrics(State(s): State<Scrape>) -> Response {
    // Gauges of the moment of the scrape.
    let size = s.db.size() as f64;
    let idle = s.db.num_idle() as f64;
    ::metrics::gauge!(m::DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
    ::metrics::gauge!(m::DB_POOL_CONNECTIONS, "state" => "in_use").set((size - idle).max(0.0));
    ::metrics::gauge!(m::DB_POOL_MAX).set(s.db.options().get_max_connections() as f64);
    if app::service::database::is_sqlite(&s.db) {
        // Present from the first scrape, at 0 until a writer queues.
        ::metrics::gauge!(m::SQLITE_WRITER_QUEUE).increment(0.0);
    }
    // Each organization's identity provider certificates, read now: an
    // alert on `< 30 * 86400` warns before sign-ins stop.
    match app::service::sso::certificate_expiries(&s.db).await {
        Ok(expiries) => {
            for (org, which, secs) in expiries {
                ::metrics::gauge!(m::IDP_CERTIFICATE_EXPIRY, "org" => org, "certificate" => which).set(secs as f64);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e.message, "cannot read the identity provider certificates for the metrics")
        }
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], s.handle.render()).into_response()
}

/// Counts a failed SSO sign-in by its reason (a fixed label per kind of failure).
pub fn saml_failure(f: &crate::saml::page::Failure) {
    m::saml_failure(f.kind());
}

impl crate::saml::page::Failure {
    /// A short name of the failure's kind (a metric label, the audit log's count key).
    pub fn kind(&self) -> &'static str {
        use crate::saml::page::Failure::*;
        match self {
            SsoOff => "sso_off",
            Empty => "empty",
            Unverified(_) | Rejected { .. } => "unverified",
            NotThisBrowser => "not_this_browser",
            IdpInitiatedOff => "idp_initiated_off",
            Replayed(_) => "replayed",
            Refused(p, _) => p.kind(),
            Internal(_) => "internal",
        }
    }
}

//! Liveness and readiness, for a supervisor and a load balancer.
//! `/livez`: the process answers (restart it when it does not).
//! `/readyz`: it can serve, the database answers (send it traffic only then).
//! Kept apart so that a database outage takes instances out of the load
//! balancer without a supervisor restarting them all, which would not help.
//! `/healthz` (liveness and the database together) stays as it was.
use app::service::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// A probe that hangs is a failed probe: answer within this.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn livez() -> Response {
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok\n").into_response()
}

pub async fn readyz(State(st): State<AppState>) -> Response {
    let check = app::service::database::ping(&st.db);
    match tokio::time::timeout(DATABASE_TIMEOUT, check).await {
        Ok(Ok(_)) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ready\n").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            not_ready("the database does not answer")
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer within 2 s");
            not_ready("the database did not answer within 2 s")
        }
    }
}

fn not_ready(why: &str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, [(header::CACHE_CONTROL, "no-store")], format!("not ready: {why}\n")).into_response()
}

//! Middleware around every request: where it comes from (client address,
//! host, origin, security headers), the page guard, error statuses for server
//! functions, the sign-in form without the app, and the static bundle.
mod assets;
mod errors;
mod origin;
mod pages;
mod sign_in;

pub use assets::{assets, compression};
pub use errors::{api_error_status, drop_unsigned_action_errors, plain_refusal, set_retry_after, sign_action_errors};
pub use origin::{client_ip, host_guard, path_for_log, same_origin, security_headers, sent_from_this_site};
pub use pages::{finish_pages, ip_allowlist, page_guard};
pub(crate) use sign_in::form_value;
pub use sign_in::keep_sign_in_email;

use app::service::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn healthz(State(st): State<AppState>) -> Response {
    match app::service::database::ping(&st.db).await {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

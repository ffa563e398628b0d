//! Server functions' errors: the status their kind means, `Retry-After`, a
//! plain refusal for downloads, and the signed errors a page without its app
//! is sent back with.
use super::form_value;
use app::error::AppError;
use app::service::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Server functions fail with an `AppError`; this gives the response the
/// status its kind means (401, 403, 404, 400, 409, 429) instead of a blanket
/// 500, and `Retry-After` when a limit refused the request.
pub async fn api_error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap_or_default();
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = status_of(&e);
        set_retry_after(&mut parts.headers, &e);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `Retry-After` for an error that says when to try again (a 429): every
/// answer that carries an `AppError` gets it here.
pub fn set_retry_after(h: &mut HeaderMap, e: &AppError) {
    if let Some(secs) = e.retry_after_secs {
        h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// A refusal answered as plain text (downloads, which a browser shows as a
/// page): the error's status and message, `Retry-After` when it has one.
pub fn plain_refusal(e: AppError) -> Response {
    let mut res = (status_of(&e), [(header::CACHE_CONTROL, "no-store")], format!("{}\n", e.message)).into_response();
    set_retry_after(res.headers_mut(), &e);
    res
}

/// What signs a server function's error carried in a URL (see `sign_action_errors`).
const ACTION_ERROR: &str = "action-error";

/// A form sent without the app (the sign-in pages load none) that fails
/// comes back to its page with the error in the URL (`__err`), which the
/// page shows. Anyone could write such a URL with any text in it and send it
/// round ("Your account is locked, call …"), so the server signs the errors
/// it puts there (`__sig`) and `drop_unsigned_action_errors` removes any
/// other before a page sees it.
pub async fn sign_action_errors(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let is_api = req.method() == Method::POST && req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if !is_api || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let Some(location) = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string) else {
        return res;
    };
    let Some(err) = query_value(&location, "__err") else {
        return res;
    };
    let signed = format!("{location}&__sig={}", st.keys.sign(ACTION_ERROR, &err));
    if let Ok(v) = HeaderValue::from_str(&signed) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Page visits: an `__err` the server did not sign is taken out of the URL
/// (with `__path` and `__sig`) before the page renders.
pub async fn drop_unsigned_action_errors(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(query) = req.uri().query().filter(|q| q.contains("__err")) else {
        return next.run(req).await;
    };
    let err = query_value(query, "__err");
    let signed = query_value(query, "__sig").and_then(|s| st.keys.verify(ACTION_ERROR, &s));
    if err.is_some() && signed == err {
        return next.run(req).await;
    }
    let kept: Vec<&str> = query.split('&').filter(|p| !["__err", "__path", "__sig"].contains(&p.split('=').next().unwrap_or(""))).collect();
    let path_and_query = if kept.is_empty() { req.uri().path().to_string() } else { format!("{}?{}", req.uri().path(), kept.join("&")) };
    if let Ok(uri) = path_and_query.parse() {
        *req.uri_mut() = uri;
    }
    next.run(req).await
}

/// The decoded value of `key` in a URL's query (or a query alone).
fn query_value(url_or_query: &str, key: &str) -> Option<String> {
    let query = url_or_query.split_once('?').map(|(_, q)| q).unwrap_or(url_or_query);
    form_value(query.split('#').next().unwrap_or(query).as_bytes(), key)
}

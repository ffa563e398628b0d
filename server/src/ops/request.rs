//! Around every request: an id (answered as `X-Request-Id`, shown as the
//! reference on error pages, written in the audit log for failed SSO
//! sign-ins), one access-log line (request id, organization, route, status,
//! latency) and the HTTP metrics.
//!
//! Logs name the route template (`/{org}/invite/{token}`), never the path or
//! the query, which can carry invitation tokens and email addresses.
use app::metrics;
use app::service::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tracing::Instrument;

tokio::task_local! {
    static CURRENT: Arc<Context>;
}

struct Context {
    id: String,
    org: OnceLock<String>,
}

/// The id of the request this task is answering, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(|c| c.id.clone()).ok()
}

/// Names the organization of the request being answered, for its log line
/// (for requests whose path does not say it, such as SCIM's).
pub fn note_org(slug: &str) {
    let _ = CURRENT.try_with(|c| c.org.set(slug.to_string()));
}

pub async fn observe(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = st.config.trust_proxy.then(|| incoming_id(&req)).flatten().unwrap_or_else(new_id);
    let method = req.method().clone();
    let matched = route_of(&req);
    let route = matched.as_str();
    let ctx = Arc::new(Context { id, org: OnceLock::new() });
    if let Some(org) = org_in_path(route, req.uri().path()) {
        let _ = ctx.org.set(org);
    }

    let span = tracing::info_span!("request", request_id = %ctx.id);
    let mut res = CURRENT.scope(ctx.clone(), next.run(req).instrument(span)).await;

    let status = res.status();
    let elapsed = started.elapsed();
    metrics::http_request(method.as_str(), route, status.as_u16(), elapsed.as_secs_f64());
    count_by_route(&method, route, status);
    let org = ctx.org.get().map(String::as_str).unwrap_or("");
    tracing::info!(
        target: "gatehouse::access",
        request_id = %ctx.id,
        org,
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3,
        "request"
    );
    if let Ok(v) = HeaderValue::from_str(&ctx.id) {
        res.headers_mut().insert("x-request-id", v);
    }
    if status.is_server_error() {
        res = with_reference(res, &ctx.id).await;
    }
    res
}

/// A short id a person can read out: `K7QP-2M9X` (40 random bits), the same
/// form as the references on SSO failure pages, which are request ids.
fn new_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut s: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    s.insert(4, '-');
    s
}

/// The id a trusted reverse proxy gave the request (nginx's `$request_id`),
/// so its log and ours can be matched. Only plain short values are taken.
fn incoming_id(req: &Request) -> Option<String> {
    let v = req.headers().get("x-request-id")?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    ok.then(|| v.to_string())
}

/// The route template that answered (a bounded set, for labels and logs).
enum Route {
    Matched(MatchedPath),
    Other(&'static str),
}

impl Route {
    fn as_str(&self) -> &str {
        match self {
            Route::Matched(m) => m.as_str(),
            Route::Other(s) => s,
        }
    }
}

fn route_of(req: &Request) -> Route {
    match req.extensions().get::<MatchedPath>() {
        Some(m) => Route::Matched(m.clone()),
        None if req.uri().path().starts_with("/pkg/") => Route::Other("/pkg/*"),
        None => Route::Other("unmatched"),
    }
}

fn plausible_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Pages, SSO and exports name the organization in the path: `/{org}/…`.
fn org_in_path(route: &str, path: &str) -> Option<String> {
    if !route.starts_with("/{org}") {
        return None;
    }
    let slug = path.trim_start_matches('/').split('/').next()?.to_ascii_lowercase();
    plausible_slug(&slug).then_some(slug)
}

/// Names the organization of a server function's call for its access-log
/// line: server functions name it in their body. Innermost of the layers, so
/// reading the body is under the request's timeouts like any handler's read
/// (a client that withholds its body is let go when they run out).
pub async fn note_api_org(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (req, org) = org_in_api_call(req).await;
    if let Some(org) = org {
        note_org(&org);
    }
    next.run(req).await
}

/// Server functions name it in their body (`org=acme` or `{"org": "acme"}`).
/// Small bodies only: they are read here and handed on unchanged.
async fn org_in_api_call(req: Request) -> (Request, Option<String>) {
    const LIMIT: usize = 64 * 1024;
    let small = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok()).is_some_and(|n| n <= LIMIT);
    if !small {
        return (req, None);
    }
    let json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, LIMIT).await else {
        return (Request::from_parts(parts, Body::empty()), None);
    };
    let org = if json {
        #[derive(serde::Deserialize)]
        struct Org {
            org: Option<String>,
        }
        serde_json::from_slice::<Org>(&bytes).ok().and_then(|o| o.org)
    } else {
        crate::web::form_value(&bytes, "org")
    };
    let org = org.map(|o| o.to_ascii_lowercase()).filter(|o| plausible_slug(o));
    (Request::from_parts(parts, Body::from(bytes)), org)
}

/// Counts what the route and status say: SCIM operations and sign-ins.
fn count_by_route(method: &Method, route: &str, status: StatusCode) {
    if let Some(rest) = route.strip_prefix("/scim/v2/") {
        let mut segments = rest.split('/');
        let resource = match segments.next() {
            Some("Users") => "Users",
            Some("Groups") => "Groups",
            Some(".search") => "search",
            Some("ServiceProviderConfig") => "ServiceProviderConfig",
            Some("ResourceTypes") => "ResourceTypes",
            Some("Schemas") => "Schemas",
            _ => "unknown",
        };
        let second = segments.next();
        let operation = match (method.as_str(), second) {
            (_, Some(".search")) => "search",
            ("POST", _) if resource == "search" => "search",
            ("GET", Some(_)) => "get",
            ("GET", None) if resource == "Users" || resource == "Groups" => "list",
            ("GET", None) => "get",
            ("POST", _) => "create",
            ("PUT", _) => "replace",
            ("PATCH", _) => "patch",
            ("DELETE", _) => "delete",
            _ => "other",
        };
        let outcome = match status.as_u16() {
            200..=299 => "success",
            401 | 403 => "unauthorized",
            404 => "not_found",
            409 => "conflict",
            400..=499 => "invalid",
            _ => "error",
        };
        metrics::scim_operation(resource, operation, outcome);
    } else if route == "/api/sign_in" && method == Method::POST {
        metrics::sign_in("password", sign_in_outcome(status));
    } else if route == "/{org}/finish-login" && method == Method::POST {
        metrics::sign_in("sso", sign_in_outcome(status));
    } else if route == "/{org}/oidc/callback" {
        metrics::sign_in("oidc", sign_in_outcome(status));
    }
}

fn sign_in_outcome(status: StatusCode) -> &'static str {
    match status.as_u16() {
        200..=399 => "success",
        403 => "refused",
        429 => "rate_limited",
        400..=499 => "failure",
        _ => "error",
    }
}

/// Puts the request id in a server error's message (server functions' JSON,
/// SCIM's error JSON, plain text), so what a person reads out can be found in the log.
async fn with_reference(res: Response, id: &str) -> Response {
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let json = content_type.starts_with("application/json") || content_type.starts_with("application/scim+json");
    let text = content_type.starts_with("text/plain");
    if !json && !text {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let reference = format!("Reference: {id}.");
    let body = if json {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(mut v) => {
                for key in ["message", "detail"] {
                    if let Some(serde_json::Value::String(m)) = v.get_mut(key) {
                        m.push(' ');
                        m.push_str(&reference);
                    }
                }
                serde_json::to_vec(&v).unwrap_or_else(|_| bytes.to_vec())
            }
            Err(_) => bytes.to_vec(),
        }
    } else {
        let mut b = bytes.to_vec();
        b.extend_from_slice(format!("{reference}\n").as_bytes());
        b
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_read_like_sso_references() {
        let id = new_id();
        assert_eq!(id.len(), 9);
        assert_eq!(&id[4..5], "-");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit()), "{id}");
    }

    #[test]
    fn the_organization_comes_from_org_routes_only() {
        assert_eq!(org_in_path("/{org}/login", "/Acme/login").as_deref(), Some("acme"));
        assert_eq!(org_in_path("/healthz", "/healthz"), None);
        assert_eq!(org_in_path("/{org}", "/<script>"), None);
    }
}

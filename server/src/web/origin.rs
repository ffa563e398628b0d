//! Where a request comes from and where it is going: the client's address, the
//! public host (DNS rebinding), the same-origin rule for state-changing
//! requests, the security headers, and paths as a log may show them.
use app::service::access::ClientIp;
use app::service::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Works out the client's address once per request (see `ClientIp`).
pub async fn client_ip(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let socket = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = ClientIp::of(req.headers(), socket, st.config.trust_proxy);
    req.extensions_mut().insert(ip);
    next.run(req).await
}

pub async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if st.config.secure_cookies() {
        // Browsers that reached Gatehouse over https never try plain http again (a year).
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000"));
    }
    h.insert("content-security-policy", HeaderValue::from_static("frame-ancestors 'none'"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    res
}

/// The paths other sites legitimately POST to: the SAML assertion consumer
/// (the IdP's form post is cross-site) and OpenID Connect's initiate login
/// URI (a provider's dashboard may post to it; it only starts a sign-in).
/// The SCIM API (bearer tokens, no cookies) is routed outside this check.
fn cross_site_allowed(path: &str) -> bool {
    path.ends_with("/finish-login") || path.ends_with("/oidc/start")
}

/// The `host[:port]` of the public URL, as a Host header names it (the
/// scheme's default port left out).
fn public_host(base_url: &str) -> String {
    let rest = base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url);
    let authority = rest.split('/').next().unwrap_or("").to_ascii_lowercase();
    let default_port = if base_url.starts_with("https://") { ":443" } else { ":80" };
    authority.strip_suffix(default_port).map(str::to_string).unwrap_or(authority)
}

/// A request's path as a log may show it: the secret of a one-time link
/// (`/acme/invite/<token>`, `/acme/reset/<token>`) replaced by its name, and long paths cut short.
pub fn path_for_log(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut secret_next = false;
    for segment in path.split('/') {
        out.push(if secret_next && !segment.is_empty() { "{token}" } else { segment });
        secret_next = segment == "invite" || segment == "reset";
    }
    let mut shown = out.join("/");
    if shown.len() > 200 {
        let cut = (0..=200).rev().find(|i| shown.is_char_boundary(*i)).unwrap_or(0);
        shown.truncate(cut);
        shown.push('…');
    }
    shown
}

/// Answers only requests addressed to the public URL's host. A page on
/// another site that points its own host name at this server (DNS
/// rebinding) would otherwise be same-origin with it. `/healthz` answers
/// whatever the host, for load balancers and monitors that call the
/// instance's own address.
pub async fn host_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/healthz" {
        return next.run(req).await;
    }
    let sent = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase).or_else(|| req.uri().authority().map(|a| a.as_str().to_ascii_lowercase()));
    let expected = public_host(&st.config.base_url);
    let sent = sent.map(|h| public_host(&format!("{}://{h}", if st.config.secure_cookies() { "https" } else { "http" })));
    if sent.as_deref() == Some(expected.as_str()) {
        return next.run(req).await;
    }
    tracing::warn!(host = ?sent, expected = %expected, path = %path_for_log(path), "request for another host refused");
    (StatusCode::MISDIRECTED_REQUEST, format!("This Gatehouse answers at {}. Open that address. (If it moved, its operator sets GATEHOUSE_BASE_URL.)\n", st.config.base_url)).into_response()
}

/// Refuses state-changing requests that a browser says came from another site.
/// Clients that send neither Sec-Fetch-Site nor Origin are not browsers and
/// carry no ambient cookies, so they cannot be used for cross-site forgery.
pub async fn same_origin(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || cross_site_allowed(req.uri().path()) {
        return next.run(req).await;
    }
    if sent_from_this_site(req.headers(), &st.config.base_url) {
        next.run(req).await
    } else {
        let h = req.headers();
        let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        tracing::warn!(origin = ?origin, sec_fetch_site = ?site, path = %path_for_log(req.uri().path()), "cross-origin request refused");
        (StatusCode::FORBIDDEN, "This request came from another site, so Gatehouse refused it. Open Gatehouse directly and try again.\n").into_response()
    }
}

/// Whether a browser says this request came from one of our own pages
/// (`Sec-Fetch-Site: same-origin`, or an `Origin` that is the public URL's:
/// the Host header is the client's to choose). Clients that send neither are
/// not browsers and carry no ambient cookies, so they count as this site.
pub fn sent_from_this_site(h: &HeaderMap, base_url: &str) -> bool {
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (site, origin) {
        (Some(s), _) if s != "same-origin" => false,
        (_, Some(o)) => o.trim_end_matches('/').eq_ignore_ascii_case(base_url),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{path_for_log, public_host};

    #[test]
    fn the_public_host_leaves_out_default_ports() {
        assert_eq!(public_host("https://gatehouse.example.com"), "gatehouse.example.com");
        assert_eq!(public_host("https://Gatehouse.example.com:443"), "gatehouse.example.com");
        assert_eq!(public_host("http://127.0.0.1:3000"), "127.0.0.1:3000");
        assert_eq!(public_host("http://example.com:80/"), "example.com");
        assert_eq!(public_host("https://example.com:8443"), "example.com:8443");
    }

    #[test]
    fn one_time_links_are_not_logged() {
        assert_eq!(path_for_log("/acme/invite/s3cr3t-t0ken"), "/acme/invite/{token}");
        assert_eq!(path_for_log("/acme/invite/s3cr3t/extra"), "/acme/invite/{token}/extra");
        assert_eq!(path_for_log("/acme/reset/s3cr3t-t0ken"), "/acme/reset/{token}");
        assert_eq!(path_for_log("/api/sign_in"), "/api/sign_in");
        assert!(path_for_log(&"a".repeat(500)).len() < 210);
    }
}

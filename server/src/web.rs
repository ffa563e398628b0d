//! Middleware around every request: security headers, the same-origin rule for
//! state-changing requests, the page guard, and error statuses for server functions.
use app::service::access::ClientIp;
use app::error::AppError;
use app::service::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use tower_sessions::Session;

pub async fn healthz(State(st): State<AppState>) -> Response {
    match app::service::database::ping(&st.db).await {
        Ok(()) => (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// How long a page may go on rendering after its visitor has left.
const FINISH_AFTER_LEAVING: std::time::Duration = std::time::Duration::from_secs(30);

/// Renders every page to its end, even when the visitor leaves before it is
/// sent (a click on, a closed tab, a client that reads the status only). A
/// page streams while its data loads, and its loads run as tasks of their
/// own; dropping the stream halfway would take away what they still use (the
/// request's state, the page's signals) while they run, and they would panic.
/// So a task drives the page's body and hands it on; when nobody reads it any
/// more, the task reads the rest and drops it, for at most 30 seconds.
pub async fn finish_pages(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let html = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return res;
    }
    let (parts, body) = res.into_parts();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, axum::Error>>(8);
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = chunks.next().await {
            if tx.send(chunk).await.is_err() {
                // The visitor left: the rest of the page, read and dropped.
                let rest = async { while chunks.next().await.is_some() {} };
                if tokio::time::timeout(FINISH_AFTER_LEAVING, rest).await.is_err() {
                    tracing::warn!("a page still rendering {} s after its visitor left was dropped", FINISH_AFTER_LEAVING.as_secs());
                }
                break;
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))))
}

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

/// The path other sites legitimately POST to: the SAML assertion consumer
/// (the IdP's form post is cross-site). The SCIM API (bearer tokens, no
/// cookies) is routed outside this check.
fn cross_site_allowed(path: &str) -> bool {
    path.ends_with("/finish-login")
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
/// (`/acme/invite/<token>`) replaced by its name, and long paths cut short.
pub fn path_for_log(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut secret_next = false;
    for segment in path.split('/') {
        out.push(if secret_next && !segment.is_empty() { "{token}" } else { segment });
        secret_next = segment == "invite";
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
    (
        StatusCode::MISDIRECTED_REQUEST,
        format!("This Gatehouse answers at {}. Open that address. (If it moved, its operator sets GATEHOUSE_BASE_URL.)\n", st.config.base_url),
    )
        .into_response()
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
        (
            StatusCode::FORBIDDEN,
            "This request came from another site, so Gatehouse refused it. Open Gatehouse directly and try again.\n",
        )
            .into_response()
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

/// Paths the page guard leaves alone: APIs, assets, and the pages anyone may see.
fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.starts_with("/scim/")
        || path == "/healthz"
        || path == "/livez"
        || path == "/readyz"
        || path.rsplit('/').next().is_some_and(|last| last.contains('.')))
}

/// Sends page visits where they belong before anything renders: to the
/// first-run page while there is no organization, to the sign-in page (with a
/// return path) when signed out, and answers 403 for Administration to
/// non-admins. Server functions check again on their own.
pub async fn page_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) || !is_page(req.uri().path()) {
        return next.run(req).await;
    }
    let visit = Visit {
        path: req.uri().path().to_string(),
        path_and_query: req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default(),
        session: req.extensions().get::<Session>().cloned(),
        ip: req.extensions().get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_default(),
    };
    let visit_path = visit.path_and_query.clone();
    match guard(&st, &visit).await {
        Ok(Guard::Pass) => next.run(req).await,
        Ok(Guard::Redirect(to)) => Redirect::to(&to).into_response(),
        Ok(Guard::Refuse(page)) => page.into_response(),
        Err(e) => {
            tracing::error!(error = %e.message, "page guard");
            ErrorPage {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                title: "Something went wrong",
                message: "Gatehouse could not check your session. Try again in a moment; if it keeps happening, check the server log.".into(),
                href: visit_path,
                label: "Try again",
            }
            .into_response()
        }
    }
}

enum Guard {
    Pass,
    Redirect(String),
    /// Answered with an error page before the app renders: a refused visit
    /// never shows the chrome of the page it asked for.
    Refuse(ErrorPage),
}

/// The error card as a whole page (the same design the app uses), with its status.
struct ErrorPage {
    status: StatusCode,
    title: &'static str,
    message: String,
    href: String,
    label: &'static str,
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        let html = app::components::errors::standalone_document(self.status.as_u16(), self.title, &self.message, &self.href, self.label);
        (self.status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
    }
}

/// What the guard needs of a request (a request body cannot be held across awaits).
struct Visit {
    path: String,
    path_and_query: String,
    session: Option<Session>,
    ip: String,
}

async fn guard(st: &AppState, v: &Visit) -> Result<Guard, app::service::Error> {
    use app::service::access::{page_visit, PageVisit};
    let path = v.path.as_str();
    let mut segments = path.trim_start_matches('/').split('/').filter(|s| !s.is_empty());
    let (first, second) = (segments.next(), segments.next());
    let public = second == Some("login") || second == Some("invite") || crate::saml::is_saml_path(second);
    Ok(match page_visit(&st.db, v.session.as_ref(), first, second, public, &v.ip).await? {
        PageVisit::Pass => Guard::Pass,
        PageVisit::Setup => Guard::Redirect("/setup".into()),
        PageVisit::Home(slug) => Guard::Redirect(format!("/{slug}")),
        PageVisit::NoSuchOrg => Guard::Refuse(ErrorPage {
            status: StatusCode::NOT_FOUND,
            title: "There is nothing here",
            message: format!("There is no organization at /{}. Check the address, or start again from the home page.", first.unwrap_or_default()),
            href: "/".into(),
            label: "Go to Gatehouse",
        }),
        PageVisit::SignIn(slug) => {
            let next: String = app::components::url::encode_keeping(&v.path_and_query, b"/");
            Guard::Redirect(format!("/{slug}/login?next={next}"))
        }
        PageVisit::Refused { message, home } => Guard::Refuse(ErrorPage {
            status: StatusCode::FORBIDDEN,
            title: "You do not have access to this page",
            message,
            href: home,
            label: "Go to your home page",
        }),
    })
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
    let Some(location) = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string) else { return res };
    let Some(err) = query_value(&location, "__err") else { return res };
    let signed = format!("{location}&__sig={}", st.keys.sign(ACTION_ERROR, &err));
    if let Ok(v) = HeaderValue::from_str(&signed) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Page visits: an `__err` the server did not sign is taken out of the URL
/// (with `__path` and `__sig`) before the page renders.
pub async fn drop_unsigned_action_errors(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(query) = req.uri().query().filter(|q| q.contains("__err")) else { return next.run(req).await };
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

/// A sign-in form sent without the app (the sign-in pages load none) comes
/// back to the page with its error in the URL; the email goes with it, so the
/// person types only their password again.
pub async fn keep_sign_in_email(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || req.uri().path() != "/api/sign_in" {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The sign-in form is too large.\n").into_response();
    };
    let email = form_value(&bytes, "email");
    let mut res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let refused = res.status().is_redirection() && res.headers().contains_key("serverfnerror");
    if let (true, Some(email)) = (refused, email.filter(|e| !e.is_empty() && e.len() <= 254)) {
        let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        if let Some(location) = location {
            let with_email = format!("{location}{}email={}", if location.contains('?') { "&" } else { "?" }, app::components::url::encode(&email));
            if let Ok(v) = HeaderValue::from_str(&with_email) {
                res.headers_mut().insert(header::LOCATION, v);
            }
        }
    }
    res
}

/// The decoded value of `key` in a form body (`a=1&email=ada%40example.com`).
pub(crate) fn form_value(body: &[u8], key: &str) -> Option<String> {
    let raw = body.split(|b| *b == b'&').find_map(|pair| pair.strip_prefix(key.as_bytes())?.strip_prefix(b"="))?;
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok().and_then(|h| u8::from_str_radix(h, 16).ok())?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `/pkg`: the browser bundle and the stylesheet. A file in a folder named by
/// the bundle's content (`/pkg/<hash>/gatehouse_bg.wasm`) never changes, so
/// browsers keep it for a year; any other is checked again on each use. The `.br` and `.gz` copies made at
/// build time go to browsers that accept them.
pub fn assets(site_root: &str) -> axum::Router {
    let dir = std::path::Path::new(site_root).join("pkg");
    let files = tower_http::services::ServeDir::new(dir).precompressed_br().precompressed_gzip();
    axum::Router::new().fallback_service(files).layer(axum::middleware::from_fn(asset_cache))
}

async fn asset_cache(req: Request, next: Next) -> Response {
    let immutable = is_content_named(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let policy = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// `/3f9a0c1d2e4b5a6c/gatehouse_bg.wasm` (the path under `/pkg`): a file in
/// a folder named by a content hash.
fn is_content_named(path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    let (Some(folder), Some(name), None) = (parts.next(), parts.next(), parts.next()) else { return false };
    folder.len() == 16 && folder.bytes().all(|b| b.is_ascii_hexdigit()) && !name.is_empty()
}

type CompressWhen = fn(StatusCode, axum::http::Version, &HeaderMap, &axum::http::Extensions) -> bool;

/// Pages, server functions' JSON and SCIM's JSON, compressed (brotli or gzip)
/// as they are sent when the client accepts it. Exports are left alone: they
/// stream large files whose pace the client sets.
pub fn compression() -> tower_http::compression::CompressionLayer<CompressWhen> {
    tower_http::compression::CompressionLayer::new().compress_when(worth_compressing as CompressWhen)
}

fn worth_compressing(_: StatusCode, _: axum::http::Version, h: &HeaderMap, _: &axum::http::Extensions) -> bool {
    let kind = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let text = ["text/html", "application/json", "application/scim+json"].iter().any(|t| kind.starts_with(t));
    let small = h.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n < 512);
    text && !small
}

#[cfg(test)]
mod tests {
    use super::{form_value, is_content_named, public_host};

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
        use super::path_for_log;
        assert_eq!(path_for_log("/acme/invite/s3cr3t-t0ken"), "/acme/invite/{token}");
        assert_eq!(path_for_log("/acme/invite/s3cr3t/extra"), "/acme/invite/{token}/extra");
        assert_eq!(path_for_log("/api/sign_in"), "/api/sign_in");
        assert!(path_for_log(&"a".repeat(500)).len() < 210);
    }

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(form_value(b"org=acme&email=ada%40acme.example&password=x", "email").as_deref(), Some("ada@acme.example"));
        assert_eq!(form_value(b"email=a+b", "email").as_deref(), Some("a b"));
        assert_eq!(form_value(b"xemail=a", "email"), None);
        assert_eq!(form_value(b"email=%4", "email"), None);
        assert_eq!(form_value(b"email=%zz", "email"), None);
    }

    #[test]
    fn only_content_named_files_are_kept_for_a_year() {
        assert!(is_content_named("/3f9a0c1d2e4b5a6c/gatehouse_bg.wasm"));
        assert!(is_content_named("/0123456789abcdef/split___users_route_view_1.wasm"));
        assert!(!is_content_named("/gatehouse.css"));
        assert!(!is_content_named("/bundle.txt"));
        assert!(!is_content_named("/3f9a0c1d2e4b/gatehouse_bg.wasm"));
        assert!(!is_content_named("/notahashnotahash/gatehouse.js"));
        assert!(!is_content_named("/3f9a0c1d2e4b5a6c/"));
        assert!(!is_content_named("/3f9a0c1d2e4b5a6c/a/b.js"));
    }
}

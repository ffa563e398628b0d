//! Pages: the guard that decides a visit before anything renders (first run,
//! sign-in, Administration), its error page, and rendering a page to its end
//! when the visitor leaves early.
use app::service::access::ClientIp;
use app::service::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

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

/// Refuses every request to `/{org}/…` — pages, single sign-on, downloads —
/// from an address the organization's allowed IP addresses leave out, before
/// anything else looks at it (server functions check on their own, as they
/// name the organization in their body).
pub async fn ip_allowlist(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") || path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let Some(slug) = path.trim_start_matches('/').split('/').next().filter(|s| !s.is_empty() && *s != "setup" && !s.contains('.')) else {
        return next.run(req).await;
    };
    let ip = req.extensions().get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_default();
    match app::service::allowlist::check_path(&st.db, &slug.to_ascii_lowercase(), &ip).await {
        Ok(()) => next.run(req).await,
        Err(e) if matches!(e.kind, app::service::Kind::Forbidden) => {
            ErrorPage { status: StatusCode::FORBIDDEN, title: "Gatehouse cannot be reached from your address", message: e.message, href: path.clone(), label: "Try again" }.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e.message, "IP allowlist");
            ErrorPage {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                title: "Something went wrong",
                message: "Gatehouse could not check where this request comes from. Try again in a moment; if it keeps happening, check the server log.".into(),
                href: path.clone(),
                label: "Try again",
            }
            .into_response()
        }
    }
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
    let (first, second, third) = (segments.next(), segments.next(), segments.next());
    let public = matches!(second, Some("login" | "invite" | "reset")) || crate::saml::is_saml_path(second) || crate::oidc::is_oidc_path(second);
    Ok(match page_visit(&st.db, v.session.as_ref(), [first, second, third], public, &v.ip).await? {
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
        PageVisit::Refused { message, home } => {
            Guard::Refuse(ErrorPage { status: StatusCode::FORBIDDEN, title: "You do not have access to this page", message, href: home, label: "Go to your home page" })
        }
    })
}

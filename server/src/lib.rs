//! The Gatehouse server: configuration, start-up, and the HTTP surface around
//! the Leptos application (middleware, health check; SCIM and SAML).
pub mod activity_export;
pub mod demo;
pub mod exports;
pub mod listen;
pub mod oidc;
pub mod ops;
pub mod saml;
pub mod scim;
pub mod web;

use app::service::database::{self, Backend, Db};
/// The demo's sample data (the tests and benchmarks make datasets with it).
pub use app::service::demo::data as demo_data;
use app::service::state::{AppState, Config};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// How this instance is configured (command-line flags or environment).
#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    /// The public URL; defaults to `http://<bind>`.
    pub base_url: Option<String>,
    /// Where the compiled site (pkg/*.wasm, *.js, *.css) is.
    pub site_root: String,
    /// Trust X-Forwarded-For from a reverse proxy for client addresses.
    pub trust_proxy: bool,
    /// The first-run setup code, when the operator sets it (otherwise one is made and printed).
    pub setup_code: Option<String>,
    /// How long a request may take to be answered (a download's body may take
    /// longer), and to send its headers or body.
    pub request_timeout: std::time::Duration,
    /// Webhook exports may post to loopback, private and link-local addresses.
    pub webhook_allow_private: bool,
    /// An export whose client reads nothing for this long is cancelled
    /// (`app::exports::STALL_TIMEOUT` in production).
    pub export_stall_timeout: std::time::Duration,
    /// Days audit events are kept where an organization chose no retention of its own.
    pub audit_retention_days: i64,
    /// SMTP, when mail is set up (`GATEHOUSE_SMTP_HOST`); None: no mail.
    pub mail: Option<app::service::mail::Settings>,
}

/// Where `scripts/build.sh` puts the site of the build this binary belongs to:
/// a debug binary's bundle (large, unoptimized) is kept apart from a release one's.
pub const DEFAULT_SITE_ROOT: &str = if cfg!(debug_assertions) { "target/site-debug" } else { "target/site" };

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            database_url: "sqlite://data/gatehouse.db".into(),
            bind: "127.0.0.1:3000".parse().expect("an address"),
            base_url: None,
            site_root: DEFAULT_SITE_ROOT.into(),
            trust_proxy: false,
            setup_code: None,
            request_timeout: std::time::Duration::from_secs(60),
            webhook_allow_private: false,
            export_stall_timeout: app::service::exports::STALL_TIMEOUT,
            audit_retention_days: app::service::account::DEFAULT_AUDIT_RETENTION_DAYS,
            mail: None,
        }
    }
}

impl Settings {
    pub fn base_url_for(&self, addr: SocketAddr) -> String {
        self.base_url.clone().unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_string()
    }
}

/// The public URL as the operator gave it (`GATEHOUSE_BASE_URL`), checked:
/// http or https, a host, an optional port, nothing after. Every link
/// Gatehouse builds (SAML, SCIM, invitations) and the Host it accepts come
/// from it, so a wrong value is refused at start rather than answering 421.
pub fn check_base_url(raw: &str) -> Result<String, String> {
    const EXPECTED: &str = "Set GATEHOUSE_BASE_URL (--base-url) to the address people and identity providers use, such as https://gatehouse.example.com or http://localhost:3000: http or https, a host, an optional port, no path.";
    let trimmed = raw.trim().trim_end_matches('/');
    if !trimmed.contains("://") {
        return Err(format!("GATEHOUSE_BASE_URL “{raw}” has no scheme: write https://{trimmed} (or http:// without TLS). {EXPECTED}"));
    }
    let url = url::Url::parse(trimmed).map_err(|e| format!("GATEHOUSE_BASE_URL “{raw}” is not a URL ({e}). {EXPECTED}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("GATEHOUSE_BASE_URL “{raw}” uses {}://; Gatehouse is reached over http:// or https://. {EXPECTED}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("GATEHOUSE_BASE_URL “{raw}” has no host. {EXPECTED}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("GATEHOUSE_BASE_URL must not carry a user name or password. {EXPECTED}"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "GATEHOUSE_BASE_URL “{raw}” has a path, query or fragment: Gatehouse serves from the root of its address (to serve it under a path, give it its own host name). {EXPECTED}"
        ));
    }
    Ok(trimmed.to_string())
}

/// Whether the compiled site is where the server will look for it; when it
/// is not, a message that names the folder and how to set it.
pub fn check_site(site_root: &str) -> Result<(), String> {
    let root = std::path::Path::new(site_root);
    let shown = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let named = std::fs::read_to_string(root.join("pkg").join("bundle.txt")).map(|n| n.trim().to_string());
    let found = match &named {
        Ok(n) if !n.is_empty() => root.join("pkg").join(n).join("gatehouse.js").is_file(),
        _ => false,
    };
    if found {
        return Ok(());
    }
    let what = match named {
        Ok(n) => format!("{}/pkg/bundle.txt names the bundle {n}, but {}/pkg/{n}/gatehouse.js is missing", shown.display(), shown.display()),
        Err(_) => format!("{}/pkg/bundle.txt is missing", shown.display()),
    };
    Err(format!(
        "the site (the pages' stylesheet and code) is not in {}: {what}. Build it with `make demo` or `scripts/build.sh release` in the source folder, or point --site-root (LEPTOS_SITE_ROOT) at the folder that holds pkg/ (installed by deploy/install.sh: /usr/local/share/gatehouse/site). To serve the API without pages, set GATEHOUSE_ALLOW_MISSING_SITE=true.",
        shown.display()
    ))
}

/// Connects to the database and brings its schema up to date. Each
/// migration runs in one transaction: one that fails leaves the database as
/// it was before it, and the next start tries it again.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let shown = database::redacted(url);
    let db = database::connect(url).await.map_err(|e| anyhow::anyhow!("cannot open the database {shown}: {}", database::redacted(&e.to_string())))?;
    database::migrate(&db).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::VersionMissing(v) => anyhow::anyhow!(
            "the database was upgraded by a newer Gatehouse (its migration {v} is unknown to this one, which knows up to {}). Run that release or a newer one, or restore a backup made before the upgrade.",
            ops::backup::latest_schema()
        ),
        other => anyhow::anyhow!("cannot bring the database schema up to date: {other}. The failed step changed nothing; fix the cause and start again."),
    })?;
    Ok(db)
}

/// The app's routes, worked out once per process. Working them out renders
/// the app with data loading switched off for the whole process (Leptos keeps
/// that switch in one global), so a page that started loading its data
/// meanwhile — in another app in the same process, as the integration tests
/// run several — would wait for it forever.
static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();

/// The whole application, ready to serve on `addr`.
pub async fn build_app(settings: &Settings, db: Db, addr: SocketAddr) -> anyhow::Result<Router> {
    let backend = Backend::of(&settings.database_url).map_err(anyhow::Error::msg)?;
    let config = Config {
        base_url: settings.base_url_for(addr),
        backend,
        trust_proxy: settings.trust_proxy,
        webhook_allow_private: settings.webhook_allow_private,
        export_stall_timeout: settings.export_stall_timeout,
        audit_retention_days: settings.audit_retention_days,
        mail: settings.mail.clone(),
    };
    // A site built by scripts/build.sh keeps its bundle in a folder named by
    // its content (pkg/<hash>/gatehouse.js, ...), named in pkg/bundle.txt.
    let bundle = std::fs::read_to_string(std::path::Path::new(&settings.site_root).join("pkg").join("bundle.txt")).map(|name| format!("pkg/{}", name.trim())).unwrap_or_else(|_| "pkg".to_string());
    let leptos_options = LeptosOptions::builder().output_name("gatehouse").site_root(settings.site_root.as_str()).site_pkg_dir(bundle.as_str()).site_addr(addr).build();
    let keys = app::service::keys::Keys::load(&db).await?;
    app::service::setup::ensure_setup_code(&db, settings.setup_code.as_deref()).await?;
    let session_store = app::service::sessions::Store::new(db.clone());
    let state = AppState { db, config: Arc::new(config), keys: Arc::new(keys), oidc: Default::default(), running_exports: Default::default(), leptos_options: Arc::new(leptos_options) };
    let session_layer = SessionManagerLayer::new(session_store)
        .with_name(state.config.cookie_name("gatehouse_session", "/"))
        .with_secure(state.config.secure_cookies())
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)));

    let routes = ROUTES.get_or_init(|| generate_route_list(app::App)).clone();
    let shell_options = (*state.leptos_options).clone();
    // Pages, server functions, single sign-on and downloads: what a browser
    // uses, with its session and the rules around it.
    let browser = Router::new()
        .route("/{org}/documents/{id}/{file}", get(exports::download))
        .route("/{org}/admin/provisioning-activity.csv", get(activity_export::provisioning_csv))
        .merge(saml::router())
        .merge(oidc::router())
        .leptos_routes(&state, routes, move || app::shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn(web::finish_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::page_guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::ip_allowlist))
        .layer(axum::middleware::from_fn(web::api_error_status))
        .layer(axum::middleware::from_fn(web::keep_sign_in_email))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::sign_action_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::drop_unsigned_action_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::same_origin))
        .layer(session_layer);
    // The probes, the SCIM API (bearer tokens, no cookies) and the static
    // bundle go without: each layer is a cost on every request.
    let router = Router::new()
        .route("/healthz", get(web::healthz))
        .route("/livez", get(ops::health::livez))
        .route("/readyz", get(ops::health::readyz))
        .nest("/scim/v2", scim::router(state.clone()))
        .route("/scim/v2/", axum::routing::any(scim::root))
        .nest_service("/pkg", web::assets(&settings.site_root))
        .merge(browser)
        .layer(axum::middleware::from_fn(ops::note_api_org))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(settings.request_timeout))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, settings.request_timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::host_guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::client_ip))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe))
        .layer(axum::middleware::from_fn(scim::errors_as_scim))
        // Outermost: what the layers inside read and change (error bodies) is uncompressed.
        .layer(web::compression())
        .with_state(state);
    Ok(router)
}

/// Serves until Ctrl-C or SIGTERM. On the signal it stops accepting
/// connections, lets the requests in flight finish (for at most
/// `shutdown_timeout`), then closes the database (SQLite folds its WAL back
/// into the database file).
pub async fn serve(settings: Settings, db: Db, options: ops::ServeOptions) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}. Is another program using that port? Set GATEHOUSE_BIND to choose another.", settings.bind))?;
    let addr = listener.local_addr()?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let signalled = move || {
        let mut stopping = stopping.clone();
        async move {
            let _ = stopping.wait_for(|s| *s).await;
        }
    };
    if let Some(bind) = options.metrics_bind {
        let handle = ops::metrics::install()?;
        let metrics_listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| anyhow::anyhow!("cannot listen on {bind} for metrics: {e}. Set GATEHOUSE_METRICS_BIND to a free address."))?;
        let router = ops::metrics::router(handle, db.clone());
        let until = signalled();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics_listener, router).with_graceful_shutdown(until).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
        tracing::info!("metrics at http://{bind}/metrics");
    }
    database::spawn_optimizer(db.clone());
    app::service::housekeeping::spawn(db.clone(), settings.audit_retention_days);
    // Mail, when set up: the queue is delivered in the background for as long as the server runs.
    let _mail_sender = match &settings.mail {
        Some(mail) => {
            tracing::info!(host = %mail.host, port = mail.port, "mail is set up: invitations, reset links and sign-in notices are sent by mail");
            Some(app::service::mail::spawn_sender(db.clone(), mail.clone()).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let app = build_app(&settings, db.clone(), addr).await?;
    let base = settings.base_url_for(addr);
    tracing::info!("Gatehouse is listening on http://{addr} (public URL {base})");
    if settings.webhook_allow_private {
        tracing::warn!("webhook exports may post to loopback, private and link-local addresses (--webhook-allow-private)");
    }
    if let Some(code) = app::service::setup::pending_code(&db).await? {
        if ops::logging::format() == ops::logging::LogFormat::Json {
            // A log collector reads one JSON object a line: the banner would break it.
            tracing::warn!(setup_url = %format!("{base}/setup"), setup_code = %code, "first run: open the setup page and enter the setup code (or run `gatehouse setup`)");
        } else {
            println!();
            println!("  First run: open {base}/setup and enter the setup code  {code}");
            println!("  (or create the organization on this machine with `gatehouse setup`)");
            println!();
        }
    }
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("stopping: no new connections; finishing the requests in flight");
        let _ = stop.send(true);
    });
    listen::serve(listener, app, settings.request_timeout, options.shutdown_timeout, signalled()).await?;
    // On SQLite, write the WAL back into the database file, so that the file
    // alone is the whole database once Gatehouse has stopped (an operator may copy it).
    let close = async {
        if database::is_sqlite(&db) {
            match database::checkpoint_wal(&db).await {
                Ok((0, _, _)) => {}
                Ok(_) => tracing::warn!("the database's WAL could not be folded back at stop; it is when Gatehouse next opens it"),
                Err(e) => tracing::warn!(error = %e, "the database's WAL could not be folded back at stop"),
            }
        }
        // Refusals counted in memory, into the audit log.
        if let Err(e) = database::flush_before_stop(&db).await {
            tracing::warn!(error = %e, "counted refusals could not be added to the audit log at stop");
        }
        // Returns once every connection is back.
        db.close().await;
    };
    // A request cut off above may still hold a connection.
    if tokio::time::timeout(std::time::Duration::from_secs(5), close).await.is_err() {
        tracing::warn!("the database did not close within 5 s");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

//! The Gatehouse server: configuration, start-up, and the HTTP surface around
//! the Leptos application (middleware, health check; SCIM and SAML).
pub mod demo;
pub mod saml;
pub mod demo_data;
pub mod exports;
pub mod scim;
pub mod sessions;
pub mod web;

use app::service::state::{AppState, Config};
use app::store::{self, Backend, Db};
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
    /// Webhook exports may post to loopback, private and link-local addresses.
    pub webhook_allow_private: bool,
    /// An export whose client reads nothing for this long is cancelled
    /// (`app::exports::STALL_TIMEOUT` in production).
    pub export_stall_timeout: std::time::Duration,
}

impl Settings {
    pub fn base_url_for(&self, addr: SocketAddr) -> String {
        self.base_url.clone().unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_string()
    }
}

/// Connects to the database and brings its schema up to date.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = store::connect(url).await.map_err(|e| anyhow::anyhow!("cannot open the database {url}: {e}"))?;
    store::migrate(&db).await?;
    Ok(db)
}

/// The whole application, ready to serve on `addr`.
pub async fn build_app(settings: &Settings, db: Db, addr: SocketAddr) -> anyhow::Result<Router> {
    let backend = Backend::of(&settings.database_url).map_err(anyhow::Error::msg)?;
    let config = Config {
        base_url: settings.base_url_for(addr),
        backend,
        trust_proxy: settings.trust_proxy,
        webhook_allow_private: settings.webhook_allow_private,
        export_stall_timeout: settings.export_stall_timeout,
    };
    let leptos_options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(settings.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let state = AppState { db, config: Arc::new(config), running_exports: Default::default(), leptos_options: Arc::new(leptos_options) };

    let session_store = sessions::Store::connect(&settings.database_url).await?;
    session_store.spawn_cleanup();
    let session_layer = SessionManagerLayer::new(session_store)
        .with_name("gatehouse_session")
        .with_secure(state.config.secure_cookies())
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)));

    let routes = generate_route_list(app::App);
    let shell_options = (*state.leptos_options).clone();
    let router = Router::new()
        .route("/healthz", get(web::healthz))
        .route("/{org}/documents/{id}/{file}", get(exports::download))
        .nest("/scim/v2", scim::router(state.clone()))
        .merge(saml::router())
        .leptos_routes(&state, routes, move || app::shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::page_guard))
        .layer(axum::middleware::from_fn(web::api_error_status))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::same_origin))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(web::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::client_ip))
        .with_state(state);
    Ok(router)
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(settings: Settings, db: Db) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}. Is another program using that port? Set GATEHOUSE_BIND to choose another.", settings.bind))?;
    let addr = listener.local_addr()?;
    store::spawn_optimizer(db.clone());
    let app = build_app(&settings, db, addr).await?;
    println!("Gatehouse is listening on http://{addr} (public URL {})", settings.base_url_for(addr));
    if settings.webhook_allow_private {
        tracing::warn!("webhook exports may post to loopback, private and link-local addresses (--webhook-allow-private)");
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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

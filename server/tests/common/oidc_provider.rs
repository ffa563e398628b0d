//! A real OpenID provider for the tests: end2end/oidc-provider.mjs (the
//! certified npm package oidc-provider) on a free loopback port, with Gatehouse
//! registered as its client; and a browser that signs in through it (cookies
//! of both sites, redirects followed by hand so a test can stop at the
//! answer Gatehouse is sent). `make test` installs the npm package
//! (scripts/ensure-tools.sh).
use super::process::free_port;
use super::TestApp;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{redirect, Response, StatusCode};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub const CLIENT_ID: &str = "gatehouse";
pub const CLIENT_SECRET: &str = "a client secret of the test provider";

fn end2end() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end"))
}

fn installed() -> bool {
    end2end().join("node_modules/oidc-provider/package.json").exists() && Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// A running provider; stopped when dropped.
pub struct OidcProvider {
    pub issuer: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OidcProvider {
    /// Starts a provider for `app`'s organization acme, signing in `email` by
    /// default; None (the test skips) when node or the npm package is missing
    /// outside `make test`.
    pub async fn start(app: &TestApp, email: &str) -> Option<OidcProvider> {
        if !super::require_or_skip("node and end2end's npm packages (scripts/ensure-tools.sh)", installed()) {
            return None;
        }
        use std::io::BufRead;
        let port = free_port();
        let mut child = Command::new("node")
            .arg(end2end().join("oidc-provider.mjs"))
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", format!("{}/acme/oidc/callback", app.base))
            .env("OIDC_EMAIL", email)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the test OpenID provider");
        let out = child.stdout.take().unwrap();
        let ready = tokio::task::spawn_blocking(move || {
            let mut lines = std::io::BufReader::new(out).lines();
            let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
            // Keep reading so the provider never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            first
        });
        let line = tokio::time::timeout(Duration::from_secs(30), ready).await.expect("the test OpenID provider starts").unwrap();
        assert!(line.starts_with("OpenID provider ready"), "the test OpenID provider said {line:?}");
        Some(OidcProvider { issuer: format!("http://127.0.0.1:{port}"), child, http: reqwest::Client::new() })
    }

    async fn control(&self, path: &str) {
        let res = self.http.get(format!("{}{path}", self.issuer)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }

    /// How the provider misbehaves from now on (end2end/oidc-provider.mjs); "" for not at all.
    pub async fn set_mode(&self, mode: &str) {
        self.control(&format!("/test/mode?set={mode}")).await;
    }

    /// Whom it signs in when the request names nobody.
    pub async fn sign_in_as(&self, email: &str) {
        self.control(&format!("/test/login?email={email}")).await;
    }

    /// It signs with a new key from now on; its key set holds only that one.
    pub async fn rotate_keys(&self) {
        self.control("/test/rotate").await;
    }

    /// The Authentication page's settings for this provider with `method`.
    pub fn settings(&self, method: &str) -> serde_json::Value {
        serde_json::json!({
            "method": method, "idp_login_url": "", "idp_certificate": "", "idp_issuer": "", "session_days": 14,
            "oidc": {"issuer": self.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": "openid email profile", "email_claim": "email"},
        })
    }
}

/// A browser: the cookies of Gatehouse and of the provider, redirects followed by hand.
pub struct Browser {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder().redirect(redirect::Policy::none()).cookie_provider(jar.clone()).build().unwrap();
        Browser { http, jar, base: app.base.clone() }
    }

    pub async fn get(&self, url: &str) -> Response {
        let url = if url.starts_with("http") { url.to_string() } else { format!("{}{url}", self.base) };
        self.http.get(url).send().await.unwrap()
    }

    /// Starts at `path` of Gatehouse and follows the redirects through the
    /// provider until it sends the browser back to Gatehouse: returns that
    /// address (the redirect URI with the code and state), not yet visited.
    pub async fn to_callback(&self, path: &str) -> String {
        let to = self.to_provider(path).await;
        self.follow(to).await
    }

    /// Starts at `path` of Gatehouse: the provider's authorization address it sends the browser to.
    pub async fn to_provider(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path} sends the browser to the provider: {}", res.text().await.unwrap());
        location(&res)
    }

    /// Follows the provider's redirects from `to` until one leads back to Gatehouse: that address.
    pub async fn follow(&self, mut to: String) -> String {
        for _ in 0..10 {
            if to.starts_with(&self.base) {
                return to;
            }
            let res = self.get(&to).await;
            assert!(res.status().is_redirection(), "the provider answers {to} with {}: {}", res.status(), res.text().await.unwrap());
            // The provider may redirect to a path of its own.
            to = res.url().join(&location(&res)).unwrap().to_string();
        }
        panic!("the provider never sent the browser back to Gatehouse");
    }

    /// The sign-in started at `path`, to its end: Gatehouse's answer to the callback.
    pub async fn sign_in(&self, path: &str) -> Response {
        let callback = self.to_callback(path).await;
        self.get(&callback).await
    }

    /// The `Cookie` header this browser sends to `url` of Gatehouse.
    pub fn cookies_for(&self, path: &str) -> String {
        let url = format!("{}{path}", self.base).parse().unwrap();
        self.jar.cookies(&url).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }

    /// Whether this browser is signed in to Acme (`me` answers 200).
    pub async fn signed_in(&self) -> bool {
        let res = self.http.post(format!("{}/api/me", self.base)).header("origin", &self.base).form(&[("org", "acme")]).send().await.unwrap();
        res.status() == StatusCode::OK
    }
}

pub fn location(res: &Response) -> String {
    res.headers().get("location").expect("a Location").to_str().unwrap().to_string()
}

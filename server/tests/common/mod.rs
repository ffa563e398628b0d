//! `spawn_app()`: the real server on port 0 with a fresh SQLite file, driven over HTTP.
#![allow(dead_code)]
pub mod mail;
pub mod oidc_provider;
pub mod process;
pub mod saml_idp;

use gatehouse_server::{build_app, open_database, Settings};
use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use reqwest::{redirect, Method, Response, StatusCode};
use serde_json::{json, Value};

/// A password's hash for the people tests add directly, made once per test
/// process and password (people share a salt then, which changes nothing a
/// test checks): with production parameters a hash costs tens of milliseconds
/// of CPU, and the tests add hundreds of people with a handful of passwords.
/// Signing in still verifies against it as production does; setup,
/// invitations and password changes hash through the app.
async fn fixture_hash(password: &str) -> String {
    static HASHES: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    if let Some((_, hash)) = HASHES.lock().unwrap().iter().find(|(p, _)| p == password) {
        return hash.clone();
    }
    let hash = app::service::passwords::hash(password.to_string()).await.unwrap();
    HASHES.lock().unwrap().push((password.to_string(), hash.clone()));
    hash
}

/// The variable `make test` (scripts/test.sh) sets once it has installed or
/// started everything the tests use: then a test whose tool or database is
/// missing fails instead of skipping.
pub const REQUIRE_ALL_TESTS: &str = "GATEHOUSE_REQUIRE_ALL_TESTS";

/// Whether every test must run (`GATEHOUSE_REQUIRE_ALL_TESTS` set, not "0").
pub fn require_all_tests() -> bool {
    std::env::var(REQUIRE_ALL_TESTS).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// For a test that needs something the machine may lack (a tool, nginx):
/// `needs` names it and who provides it, `present` whether it is here. When
/// it is missing, under `make test` the test fails here; in a plain `cargo
/// test` it is skipped, and says so on the terminal (`SKIPPED <test>: …`).
/// Returns whether the test may go on.
pub fn require_or_skip(needs: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(!require_all_tests(), "missing: {needs}. {REQUIRE_ALL_TESTS} is set (make test installs and starts what the tests use), so this test may not be skipped");
    say(&format!("SKIPPED {}: needs {needs}", test_name()));
    false
}

/// For a test that does not apply to this pass of the suite (a check of
/// SQLite's backup on the PostgreSQL pass, one of PostgreSQL's tools on the
/// SQLite pass): nothing is missing, the other pass runs it. Says so on the
/// terminal; the test then returns.
pub fn not_on_this_pass(why: &str) {
    say(&format!("not on this pass: {}: {why}", test_name()));
}

/// The running test's name (the harness names the thread after it).
fn test_name() -> String {
    std::thread::current().name().unwrap_or("a test").to_string()
}

/// A line on the terminal itself: the harness captures what `println!` and
/// `eprintln!` write and shows it only when a test fails, so a skip told
/// that way would not be seen. Writing to stderr directly is not captured.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Polls `check` until it holds, for at most `within`; fails naming `what`
/// otherwise. For waiting on a state the test cannot be told about.
pub async fn wait_until<F, Fut>(within: std::time::Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + within;
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "{what}: not within {} s", within.as_secs_f64());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The first-run form for Acme and its admin Ada, with the setup code `code`.
pub fn setup_form(code: &str) -> [(&'static str, &str); 8] {
    [
        ("setup_code", code),
        ("org_name", "Acme"),
        ("org_slug", "acme"),
        ("first_name", "Ada"),
        ("last_name", "Admin"),
        ("email", ADMIN_EMAIL),
        ("password", ADMIN_PASSWORD),
        ("password_confirm", ADMIN_PASSWORD),
    ]
}

/// The code an authenticator app shows for `secret` (base32) now, or `steps`
/// 30-second steps from now (the server accepts one step either side).
pub fn totp_code(secret: &str, steps: i64) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bytes, mut buf, mut bits) = (Vec::new(), 0u32, 0);
    for c in secret.bytes() {
        buf = (buf << 5) | A.iter().position(|x| *x == c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buf >> bits) as u8);
        }
    }
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    // A code computed in a step's last seconds may reach the server in the
    // next step, where the step before now is two steps ago (refused, as it
    // should be). On a busy machine a request takes seconds, so a code is
    // computed only with 8 s or more of its step left.
    let since_epoch = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let into_step = since_epoch().as_millis() % 30_000;
    if into_step > 22_000 {
        std::thread::sleep(std::time::Duration::from_millis((30_000 - into_step + 50) as u64));
    }
    let now = since_epoch().as_secs() as i64;
    t.generate((now + steps * 30) as u64)
}

/// Whether nothing holds the database's write transaction open now: on
/// SQLite a connection of its own takes the write lock at once; on PostgreSQL
/// no session of this database is idle inside a transaction. With what was
/// seen, for a failure's message.
pub async fn writer_is_free(app: &TestApp) -> (bool, String) {
    if app.db_url.starts_with("sqlite") {
        use sqlx::{ConnectOptions, Connection, Executor};
        let mut own = sqlx::sqlite::SqliteConnectOptions::new().filename(app.db_url.trim_start_matches("sqlite://")).busy_timeout(std::time::Duration::ZERO).connect().await.unwrap();
        let taken = own.execute("BEGIN IMMEDIATE").await;
        if taken.is_ok() {
            own.execute("ROLLBACK").await.unwrap();
        }
        own.close().await.unwrap();
        (taken.is_ok(), format!("{taken:?}"))
    } else {
        let idle: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'").fetch_one(&app.db).await.unwrap();
        (idle == 0, format!("{idle} sessions idle in a transaction"))
    }
}

/// The latest refused SSO sign-in's detail, as the audit log has it (the
/// refusals counted in memory added first).
pub async fn last_sso_failure(app: &TestApp) -> String {
    app::store::audit::flush_counts(&app.db).await.unwrap();
    sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'auth.sso_failed' ORDER BY COALESCE(last_at, at) DESC LIMIT 1").fetch_optional(&app.db).await.unwrap().unwrap_or_default()
}

pub struct TestApp {
    pub base: String,
    pub db: app::store::Db,
    pub db_url: String,
    pub http: reqwest::Client,
    /// Dropped with the app: the server stops and lets go of its database
    /// connections (a test that starts many apps would run out of them).
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
    /// The mail sender, when the app's settings set mail up (as `serve` starts it).
    _mail: Option<app::service::mail::Sender>,
}

impl TestApp {
    /// The helpers aimed at a server that runs elsewhere (another process).
    pub fn attached(base: String, db: app::store::Db, db_url: String, http: reqwest::Client) -> TestApp {
        let (stop, _) = tokio::sync::oneshot::channel::<()>();
        TestApp { base, db, db_url, http, _stop: stop, _dir: tempfile::tempdir().unwrap(), _mail: None }
    }
}

pub const ADMIN_EMAIL: &str = "ada@acme.example";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// The database a test gets: a fresh SQLite file, or, when the test command
/// runs the suite beside a throwaway PostgreSQL (`GATEHOUSE_TEST_POSTGRES`,
/// set by scripts/with-postgres.sh), a fresh database there.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("GATEHOUSE_TEST_POSTGRES") {
        Ok(admin_url) if !admin_url.is_empty() => {
            use sqlx::Connection;
            let name = format!("t_{}", app::store::new_id().replace('-', ""));
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("the test PostgreSQL answers");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
            let (base, _) = admin_url.rsplit_once('/').expect("a database URL");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/gatehouse.db", dir.display()),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// `spawn_app` with settings changed by `change`.
pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_url = fresh_database_url(dir.path()).await;
    let mut settings = Settings { database_url: db_url.clone(), bind: "127.0.0.1:0".parse().unwrap(), site_root: dir.path().join("site").display().to_string(), ..Settings::default() };
    change(&mut settings);
    start(settings, dir).await
}

/// The password-hashing limit is the process's, and a test process runs
/// dozens of servers at once: each of them waits for its turn as long as a
/// request could take, instead of the two seconds one server's visitors get.
/// Only the first setting of the process counts, so a test binary that sets
/// its own limit first (tests/hashing.rs) keeps it.
fn one_limit_for_many_servers() {
    let limit = app::service::passwords::Limit { wait: std::time::Duration::from_secs(120), ..Default::default() };
    app::service::passwords::configure(limit);
}

/// The app in this process with `settings` (its database is migrated first);
/// `dir` lives as long as the app.
pub async fn start(settings: Settings, dir: tempfile::TempDir) -> TestApp {
    one_limit_for_many_servers();
    let db_url = settings.database_url.clone();
    let db = open_database(&db_url).await.expect("database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = build_app(&settings, db.clone(), addr).await.expect("app");
    let mail = settings.mail.clone().map(|m| app::service::mail::spawn_sender(db.clone(), m).expect("mail settings"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let header_timeout = settings.request_timeout;
    tokio::spawn(async move {
        gatehouse_server::listen::serve(listener, router, header_timeout, std::time::Duration::from_secs(30), async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let http = reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    TestApp { base: format!("http://{addr}"), db, db_url, http, _stop: stop, _dir: dir, _mail: mail }
}

/// A browser-like session: it keeps the session cookie it is given.
#[derive(Clone, Default)]
pub struct Session {
    pub cookie: Option<String>,
}

impl Session {
    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(c) = &self.cookie {
            h.insert(COOKIE, HeaderValue::from_str(&format!("gatehouse_session={c}")).unwrap());
        }
        h
    }
    pub fn absorb(&mut self, res: &Response) {
        for v in res.headers().get_all(SET_COOKIE) {
            let s = v.to_str().unwrap();
            if let Some(rest) = s.strip_prefix("gatehouse_session=") {
                let value = rest.split(';').next().unwrap().to_string();
                self.cookie = if value.is_empty() { None } else { Some(value) };
            }
        }
    }
}

impl TestApp {
    /// Calls a server function the way the browser does (a form-encoded POST).
    pub async fn call(&self, s: &mut Session, endpoint: &str, form: &[(&str, &str)]) -> Response {
        let res = self.http.post(format!("{}/api/{endpoint}", self.base)).headers(s.headers()).header("origin", &self.base).form(form).send().await.unwrap();
        s.absorb(&res);
        res
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(&self, s: &mut Session, endpoint: &str, body: serde_json::Value) -> Response {
        let res = self.http.post(format!("{}/api/{endpoint}", self.base)).headers(s.headers()).header("origin", &self.base).json(&body).send().await.unwrap();
        s.absorb(&res);
        res
    }

    pub async fn get(&self, s: &Session, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.base)).headers(s.headers()).send().await.unwrap()
    }

    /// Saves the Authentication page's Edit form as `admin` (it must succeed).
    pub async fn save_authentication(&self, admin: &mut Session, input: Value) {
        let res = self.call_json(admin, "save_authentication", json!({"org": "acme", "input": input})).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }

    /// Whether `s` is signed in to Acme: the status of `me`.
    pub async fn me_status(&self, s: &mut Session) -> StatusCode {
        self.call(s, "me", &[("org", "acme")]).await.status()
    }

    /// The setup code the server made for its first run (it prints it on its console).
    pub async fn setup_code(&self) -> String {
        app::store::secrets::get(&self.db, "setup_code").await.unwrap().expect("a setup code while no organization exists")
    }

    /// The first-run page's server function.
    pub async fn setup_acme(&self) {
        let code = self.setup_code().await;
        let res = self.call(&mut Session::default(), "run_setup", &setup_form(&code)).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> (Session, Response) {
        let mut s = Session::default();
        let res = self.call(&mut s, "sign_in", &[("org", "acme"), ("email", email), ("password", password)]).await;
        (s, res)
    }

    pub async fn admin_session(&self) -> Session {
        let (s, res) = self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        s
    }

    /// A provisioning token named "Okta", made by the admin signed in as `s`.
    pub async fn provisioning_token(&self, s: &mut Session) -> app::domain::views::NewProvisioningToken {
        ok_json(self.call(s, "create_provisioning_token", &[("org", "acme"), ("name", "Okta"), ("acknowledged", "true")]).await).await
    }

    /// Adds a user with a password directly in the store (the Users page comes later).
    pub async fn add_user(&self, email: &str, password: &str, kind: app::domain::permissions::BuiltIn) {
        let org = app::store::orgs::by_slug(&self.db, "acme").await.unwrap().unwrap();
        let t = app::store::account_types::built_in(&self.db, &org.id, kind).await.unwrap();
        self.add_user_of_type(email, password, &t.id).await;
    }

    /// Adds a user with a password and the account type `type_id`.
    pub async fn add_user_of_type(&self, email: &str, password: &str, type_id: &str) {
        let org = app::store::orgs::by_slug(&self.db, "acme").await.unwrap().unwrap();
        let t = app::store::account_types::get(&self.db, &org.id, type_id).await.unwrap().unwrap();
        let hash = fixture_hash(password).await;
        app::store::users::insert(
            &self.db,
            app::store::users::NewUser {
                id: &app::store::new_id(),
                org_id: &org.id,
                email: &app::domain::Email::parse("email", email).unwrap(),
                first_name: "Test",
                last_name: "Person",
                account_type_id: &t.id,
                password_hash: Some(&hash),
                invite_pending: false,
                is_guest: false,
            },
        )
        .await
        .unwrap();
    }

    /// Invites `email` as a Viewer on no team, the way the Users page does (the
    /// `invite_users` server function); its answer lists the invitation links.
    pub async fn invite_viewer(&self, s: &mut Session, email: &str) -> Response {
        let org = self.org_id().await;
        let viewer = app::store::account_types::built_in(&self.db, &org, app::domain::permissions::BuiltIn::Viewer).await.unwrap();
        self.call_json(s, "invite_users", json!({"org": "acme", "people": email, "account_type_id": viewer.id, "team_ids": []})).await
    }

    pub async fn org_id(&self) -> String {
        app::store::orgs::by_slug(&self.db, "acme").await.unwrap().unwrap().id
    }

    /// The audit log as Administration > Audit log shows it to `admin`, every
    /// page, newest first (only `action`'s rows when given).
    pub async fn audit_log(&self, admin: &mut Session, action: Option<&str>) -> Vec<app::domain::views::AuditEventView> {
        let mut events = Vec::new();
        for page in 1.. {
            let page = page.to_string();
            let mut form = vec![("org", "acme"), ("page", page.as_str())];
            form.extend(action.map(|a| ("action", a)));
            let p: app::domain::views::AuditPage = ok_json(self.call(admin, "audit_events", &form).await).await;
            events.extend(p.events);
            if p.page >= p.page_count {
                return events;
            }
        }
        unreachable!()
    }

    pub async fn audit_actions(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT action, target, detail FROM audit_events ORDER BY at").fetch_all(&self.db).await.unwrap()
    }
}

/// The AppError a failed server function answered with.
pub async fn error_of(res: Response) -> (StatusCode, app::error::AppError) {
    let status = res.status();
    let body = res.text().await.unwrap();
    let e = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not an AppError ({status}): {body}"));
    (status, e)
}

/// The JSON a successful server function answered with.
pub async fn ok_json<T: serde::de::DeserializeOwned>(res: Response) -> T {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The identity provider's side of SCIM: requests with a bearer token,
/// answers checked for SCIM's error shape.
pub struct Idp<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl Idp<'_> {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut req = self.app.http.request(method, format!("{}/scim/v2{path}", self.app.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.header("content-type", "application/scim+json").body(b.to_string());
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")) };
        if !status.is_success() {
            assert_eq!(headers["content-type"], "application/scim+json");
            assert_eq!(v["status"], json!(status.as_u16().to_string()), "status is a string: {v}");
            assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "detail: {v}");
        }
        (status, v, headers)
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.send(Method::GET, path, None).await;
        (s, v)
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.send(Method::POST, path, Some(body)).await;
        (s, v)
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.send(Method::PUT, path, Some(body)).await;
        (s, v)
    }
    pub async fn patch(&self, path: &str, ops: Value) -> (StatusCode, Value) {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        let (s, v, _) = self.send(Method::PATCH, path, Some(body)).await;
        (s, v)
    }
    pub async fn delete(&self, path: &str) -> StatusCode {
        self.send(Method::DELETE, path, None).await.0
    }
}

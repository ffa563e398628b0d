//! `spawn_app()`: the real server on port 0 with a fresh SQLite file, driven over HTTP.
#![allow(dead_code)]
pub mod process;
pub mod saml_idp;

use gatehouse_server::{build_app, open_database, Settings};
use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use reqwest::{redirect, Response, StatusCode};
use std::net::SocketAddr;

pub struct TestApp {
    pub base: String,
    pub db: app::store::Db,
    pub db_url: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
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
    let dir = tempfile::tempdir().expect("temp dir");
    let db_url = fresh_database_url(dir.path()).await;
    let settings = Settings {
        database_url: db_url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_url: None,
        site_root: dir.path().join("site").display().to_string(),
        trust_proxy: false,
    };
    let db = open_database(&db_url).await.expect("database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = build_app(&settings, db.clone(), addr).await.expect("app");
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let http = reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    TestApp { base: format!("http://{addr}"), db, db_url, http, _dir: dir }
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
        let res = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .headers(s.headers())
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap();
        s.absorb(&res);
        res
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(&self, s: &mut Session, endpoint: &str, body: serde_json::Value) -> Response {
        let res = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .headers(s.headers())
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap();
        s.absorb(&res);
        res
    }

    pub async fn get(&self, s: &Session, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.base)).headers(s.headers()).send().await.unwrap()
    }

    /// The first-run page's server function.
    pub async fn setup_acme(&self) {
        let res = self
            .call(
                &mut Session::default(),
                "run_setup",
                &[
                    ("org_name", "Acme"),
                    ("org_slug", "acme"),
                    ("first_name", "Ada"),
                    ("last_name", "Admin"),
                    ("email", ADMIN_EMAIL),
                    ("password", ADMIN_PASSWORD),
                    ("password_confirm", ADMIN_PASSWORD),
                ],
            )
            .await;
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
        let hash = app::auth::hash_password(password.to_string()).await.unwrap();
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
            },
        )
        .await
        .unwrap();
    }

    pub async fn org_id(&self) -> String {
        app::store::orgs::by_slug(&self.db, "acme").await.unwrap().unwrap().id
    }

    pub async fn audit_actions(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT action, target, detail FROM audit_events ORDER BY at")
            .fetch_all(&self.db)
            .await
            .unwrap()
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

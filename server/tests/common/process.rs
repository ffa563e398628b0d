//! The real `gatehouse` binary as a child process, for what only a whole
//! process shows (signals, its log, the metrics address, the serve lock),
//! and the in-process app on a database that already exists.
use super::TestApp;
use gatehouse_server::Settings;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `gatehouse` with the database and an empty site folder, and nothing from the test's own environment that would change it.
pub fn gatehouse(db_url: &str, dir: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(BIN);
    c.env("GATEHOUSE_DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ROOT", dir)
        // The API is what these tests reach: no built site needed.
        .env("GATEHOUSE_ALLOW_MISSING_SITE", "true")
        .env_remove("GATEHOUSE_METRICS_BIND")
        .env_remove("GATEHOUSE_LOG_FORMAT")
        .env_remove("GATEHOUSE_BIND")
        .env_remove("RUST_LOG");
    c
}

/// A `gatehouse serve` process; killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `gatehouse serve` on a free port with `env`, its stdout and stderr in `dir/<name>.log`.
    pub async fn start(db_url: &str, dir: &Path, name: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut c = Command::new(BIN);
        c.arg("serve")
            .env("GATEHOUSE_DATABASE_URL", db_url)
            .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", dir)
            .env("GATEHOUSE_ALLOW_MISSING_SITE", "true")
            .env("RUST_LOG", "warn")
            .env_remove("GATEHOUSE_METRICS_BIND")
            .env_remove("GATEHOUSE_LOG_FORMAT")
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out));
        for (k, v) in env {
            c.env(k, v);
        }
        let child = c.spawn().expect("start gatehouse");
        let mut server = Server { child, url: format!("http://127.0.0.1:{port}"), log };
        server.wait_live().await;
        server
    }

    async fn wait_live(&mut self) {
        let http = reqwest::Client::new();
        for _ in 0..400 {
            if let Ok(r) = http.get(format!("{}/livez", self.url)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("gatehouse exited ({status}) before it answered:\n{}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("gatehouse did not answer within 20 s:\n{}", self.log());
    }

    /// What the process wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, as systemd stops a service.
    pub fn terminate(&self) {
        let ok = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap().success();
        assert!(ok, "kill -TERM failed");
    }

    /// Waits for the process to exit; None when it is still running after `limit`.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app in this process, on a database that already exists (migrated by `open_database`).
pub async fn spawn_app_on(db_url: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings { database_url: db_url.to_string(), bind: "127.0.0.1:0".parse().unwrap(), site_root: dir.path().join("site").display().to_string(), ..Settings::default() };
    super::start(settings, dir).await
}

/// The throwaway PostgreSQL's tools (pg_dump, pg_restore, psql) of the server's own version.
pub fn pg_tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect()).unwrap_or_default();
    dirs.sort();
    dirs.into_iter().rev().map(|d| d.join(name)).find(|p| p.exists()).unwrap_or_else(|| PathBuf::from(name))
}

/// Whether the suite runs on the throwaway PostgreSQL (scripts/with-postgres.sh).
pub fn on_postgres() -> bool {
    std::env::var("GATEHOUSE_TEST_POSTGRES").is_ok_and(|v| !v.is_empty())
}

/// A new, empty PostgreSQL database's URL (beside the test server's admin URL).
pub async fn new_pg_database() -> String {
    use sqlx::Connection;
    let admin_url = std::env::var("GATEHOUSE_TEST_POSTGRES").unwrap();
    let name = format!("t_{}", app::store::new_id().replace('-', ""));
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("the test PostgreSQL answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
    let (base, _) = admin_url.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

impl Server {
    /// The usual test helpers (server functions, sessions, the database) aimed at this process.
    pub async fn app(&self, db_url: &str) -> TestApp {
        let db = app::store::connect(db_url).await.expect("database");
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp::attached(self.url.clone(), db, db_url.to_string(), http)
    }
}

impl TestApp {
    /// The `gatehouse` command line on this app's database, awaited without
    /// blocking: the app runs on the test's own runtime, and a blocking wait
    /// would stop it mid-transaction while the command waits for its lock.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        tokio::process::Command::new(BIN).args(args).env("GATEHOUSE_DATABASE_URL", &self.db_url).output().await.expect("run gatehouse")
    }
}

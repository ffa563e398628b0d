//! A real mail server for the tests: scripts/test-smtp.py (Python's
//! aiosmtpd) on a free loopback port, writing each message it takes to a
//! folder as JSON. `make test` installs aiosmtpd (scripts/ensure-tools.sh)
//! and names its Python in `GATEHOUSE_TEST_PYTHON`.
use super::process::free_port;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A message the mail server took.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// The first link in the plain-text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.text.split_whitespace().find(|w| w.starts_with(prefix)).map(str::to_string)
    }
}

fn python() -> String {
    std::env::var("GATEHOUSE_TEST_PYTHON").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| {
        let home = std::env::var("HOME").unwrap_or_default();
        let tools = std::env::var("GATEHOUSE_TOOLS").unwrap_or(format!("{home}/.cache/gatehouse-tools"));
        format!("{tools}/venv/bin/python")
    })
}

fn has_aiosmtpd() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| Command::new(python()).args(["-c", "import aiosmtpd"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success()))
}

pub struct MailServer {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
    _tmp: tempfile::TempDir,
}

impl MailServer {
    /// Starts the mail server; None (the test skips) when aiosmtpd is missing outside `make test`.
    pub async fn start() -> Option<MailServer> {
        if !super::require_or_skip("Python's aiosmtpd (scripts/ensure-tools.sh --test-tools)", has_aiosmtpd()) {
            return None;
        }
        let tmp = tempfile::tempdir().unwrap();
        let mut server = MailServer { port: free_port(), dir: tmp.path().join("mail"), child: None, _tmp: tmp };
        server.up().await;
        Some(server)
    }

    /// Starts it (again) on its port.
    pub async fn up(&mut self) {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/test-smtp.py");
        let mut child = Command::new(python())
            .args([script, "--port", &self.port.to_string(), "--dir", &self.dir.display().to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the test mail server");
        let out = child.stdout.take().unwrap();
        let ready = tokio::task::spawn_blocking(move || std::io::BufReader::new(out).lines().next().and_then(|l| l.ok()).unwrap_or_default());
        let line = tokio::time::timeout(Duration::from_secs(20), ready).await.expect("the test mail server starts").unwrap();
        assert!(line.starts_with("ready"), "the test mail server said {line:?}");
        self.child = Some(child);
    }

    /// Stops it: the port refuses connections until `up`.
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The settings that send to this server.
    pub fn settings(&self) -> app::service::mail::Settings {
        app::service::mail::Settings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: app::service::mail::Security::None,
            user: None,
            password: None,
            from: "Gatehouse <gatehouse@acme.example>".into(),
            retry_base: Duration::from_millis(200),
        }
    }

    /// Every message taken so far, oldest first.
    pub fn messages(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        files.sort();
        files.iter().map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()).collect()
    }

    /// The messages to `to`.
    pub fn to(&self, to: &str) -> Vec<Mail> {
        self.messages().into_iter().filter(|m| m.to.contains(to)).collect()
    }

    /// Waits until `n` messages have reached `to` (at most 15 s); returns them.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Mail> {
        super::wait_until(Duration::from_secs(15), &format!("{n} message(s) to {to}"), || async { self.to(to).len() >= n }).await;
        self.to(to)
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.down();
    }
}

/// An app whose mail goes to `mail`.
pub async fn spawn_app_with_mail(mail: &MailServer) -> super::TestApp {
    let settings = mail.settings();
    super::spawn_app_with(move |s| s.mail = Some(settings)).await
}

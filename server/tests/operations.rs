//! Running Gatehouse as an operator does: backups while it writes, restore
//! (refused while it runs), PostgreSQL's pg_dump and pg_restore, a stop on
//! SIGTERM that finishes requests in flight, liveness apart from readiness,
//! and the systemd unit in deploy/.
use crate::common;

use common::process::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A provisioning token for Acme, made through the wizard's server function.
async fn scim_token(app: &TestApp, s: &mut Session) -> String {
    let v: Value = ok_json(app.call(s, "create_provisioning_token", &[("org", "acme"), ("name", "okta"), ("acknowledged", "true")]).await).await;
    v["token"].as_str().unwrap().to_string()
}

/// An identity provider creating users one after another (`w00000@…`, `w00001@…`),
/// each sent once the previous one was answered; keeps when each 201 arrived.
struct Writer {
    stop: Arc<AtomicBool>,
    answered: Arc<Mutex<Vec<(usize, Instant)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Writer {
    fn start(base: &str, token: &str) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(Mutex::new(Vec::new()));
        let (url, token, s, a) = (format!("{base}/scim/v2/Users"), token.to_string(), stop.clone(), answered.clone());
        let task = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut i = 0;
            while !s.load(Ordering::Relaxed) {
                let res =
                    http.post(&url).bearer_auth(&token).json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("w{i:05}@acme.example")})).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
                a.lock().unwrap().push((i, Instant::now()));
                i += 1;
            }
        });
        Writer { stop, answered, task }
    }

    fn count(&self) -> usize {
        self.answered.lock().unwrap().len()
    }

    async fn until(&self, n: usize) {
        while self.count() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stops; every create and when it was answered.
    async fn finish(self) -> Vec<(usize, Instant)> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap();
        Arc::try_unwrap(self.answered).unwrap().into_inner().unwrap()
    }
}

/// What a copy must show of writes that ran during the backup: every create
/// answered before the backup started is in it, and what it holds is exactly
/// the first k creates (a snapshot of one moment: no later create without
/// every earlier one), with k short of all of them.
async fn check_snapshot(copy: &app::store::Db, answered: &[(usize, Instant)], started: Instant, ended: Instant) {
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM users WHERE email LIKE 'w%@acme.example'").fetch_all(copy).await.unwrap();
    let held: BTreeSet<usize> = emails.iter().map(|e| e[1..6].parse().unwrap()).collect();
    let before: Vec<usize> = answered.iter().filter(|(_, t)| *t < started).map(|(i, _)| *i).collect();
    let during = answered.iter().filter(|(_, t)| *t >= started && *t <= ended).count();
    assert!(!before.is_empty(), "writes before the backup");
    assert!(during > 0, "the server kept writing while the backup ran");
    for i in &before {
        assert!(held.contains(i), "create {i} was answered before the backup began but is not in the copy");
    }
    let k = held.len();
    eprintln!("the copy holds the first {k} of {} creates; {} were answered while the backup ran", answered.len(), during);
    assert_eq!(held, (0..k).collect::<BTreeSet<_>>(), "the copy holds the first {k} creates and nothing later");
    assert!(k < answered.len(), "writes after the backup are not in it ({k} of {})", answered.len());
}

#[tokio::test]
async fn sqlite_backup_while_writing_holds_every_row_committed_before_it() {
    if on_postgres() {
        not_on_this_pass("gatehouse backup copies SQLite databases; on PostgreSQL, postgresql_backup_with_pg_dump_and_pg_restore checks pg_dump");
        return;
    }
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let token = scim_token(&app, &mut s).await;
    // Enough rows that the copy takes a moment.
    gatehouse_server::demo::seed_scale(&app.db, "acme", 5000, 20, &mut |_| {}).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backup.db");

    let writer = Writer::start(&app.base, &token);
    writer.until(20).await;
    let started = Instant::now();
    let backup = gatehouse(&app.db_url, dir.path()).args(["backup", "--out"]).arg(&out).output().await.unwrap();
    let ended = Instant::now();
    writer.until(writer.count() + 10).await;
    let answered = writer.finish().await;
    let stdout = String::from_utf8_lossy(&backup.stdout);
    assert!(backup.status.success(), "{stdout}{}", String::from_utf8_lossy(&backup.stderr));
    assert!(stdout.contains("Backed up the database to"), "{stdout}");
    assert!(stdout.contains("gatehouse restore --from"), "{stdout}");

    // Password and token hashes: readable by the owner only.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    // It opens and migrates like any database.
    let copy = gatehouse_server::open_database(&format!("sqlite://{}", out.display())).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&copy).await.unwrap();
    assert_eq!(check, "ok");
    check_snapshot(&copy, &answered, started, ended).await;
    let seeded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email LIKE 'user%'").fetch_one(&copy).await.unwrap();
    assert_eq!(seeded, 5000);
    copy.close().await;

    // A backup never overwrites a file.
    let again = gatehouse(&app.db_url, dir.path()).args(["backup", "--out"]).arg(&out).output().await.unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"), "{}", String::from_utf8_lossy(&again.stderr));
}

#[tokio::test]
async fn postgresql_backup_with_pg_dump_and_pg_restore() {
    if !on_postgres() {
        not_on_this_pass("pg_dump and pg_restore run on the PostgreSQL pass (scripts/with-postgres.sh; make test runs it)");
        return;
    }
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let token = scim_token(&app, &mut s).await;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("gatehouse.dump");

    // The README's commands, while an identity provider writes.
    let writer = Writer::start(&app.base, &token);
    writer.until(20).await;
    let started = Instant::now();
    let out = tokio::process::Command::new(pg_tool("pg_dump")).args(["--format=custom", "--file"]).arg(&dump).arg(&app.db_url).output().await.unwrap();
    let ended = Instant::now();
    writer.until(writer.count() + 10).await;
    let answered = writer.finish().await;
    assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));

    // gatehouse backup and restore point PostgreSQL users to these tools.
    for args in [["backup", "--out"], ["restore", "--from"]] {
        let out = gatehouse(&app.db_url, dir.path()).args(args).arg(dir.path().join("x")).output().await.unwrap();
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("pg_dump --format=custom") || said.contains("pg_restore --no-owner"), "{said}");
    }

    let target = new_pg_database().await;
    let out = tokio::process::Command::new(pg_tool("pg_restore")).arg("--no-owner").arg(format!("--dbname={target}")).arg(&dump).output().await.unwrap();
    assert!(out.status.success(), "pg_restore: {}", String::from_utf8_lossy(&out.stderr));

    // The restored database migrates, serves, and holds the snapshot.
    let restored = spawn_app_on(&target).await;
    check_snapshot(&restored.db, &answered, started, ended).await;
    restored.admin_session().await;
    let res = restored.http.get(format!("{}/scim/v2/Users?filter=userName%20eq%20%22w00000@acme.example%22", restored.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["totalResults"], 1, "the provisioning token works on the restored database");
}

async fn org_name(db_url: &str) -> String {
    let db = app::store::connect(db_url).await.unwrap();
    let name = sqlx::query_scalar("SELECT name FROM organizations").fetch_one(&db).await.unwrap();
    db.close().await;
    name
}

#[tokio::test]
async fn restore_is_refused_while_gatehouse_runs_and_replaces_the_database_once_stopped() {
    if on_postgres() {
        not_on_this_pass("gatehouse restore replaces SQLite databases; PostgreSQL is restored with pg_restore");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("data/gatehouse.db");
    let url = format!("sqlite://{}", db_path.display());
    std::fs::write(dir.path().join("pw"), format!("{ADMIN_PASSWORD}\n")).unwrap();
    let setup =
        gatehouse(&url, dir.path()).args(["setup", "--org", "acme", "--name", "Acme", "--admin-email", ADMIN_EMAIL, "--admin-password-file"]).arg(dir.path().join("pw")).output().await.unwrap();
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    let mut server = Server::start(&url, dir.path(), "first", &[]).await;
    let backup = dir.path().join("backup.db");
    assert!(gatehouse(&url, dir.path()).args(["backup", "--out"]).arg(&backup).output().await.unwrap().status.success());
    let app = server.app(&url).await;
    let mut s = app.admin_session().await;
    let res = app.call(&mut s, "update_org_name", &[("org", "acme"), ("name", "Acme Renamed")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.db.close().await;

    // While it runs: restore says so and how to stop it; a second server is refused too.
    let refused = gatehouse(&url, dir.path()).args(["restore", "--from"]).arg(&backup).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains(&format!("is in use by a running Gatehouse (process {})", server.child.id())), "{stderr}");
    assert!(stderr.contains("Stop it first"), "{stderr}");
    let second = gatehouse(&url, dir.path()).arg("serve").env("GATEHOUSE_BIND", format!("127.0.0.1:{}", free_port())).output().await.unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("is in use by another Gatehouse"), "{}", String::from_utf8_lossy(&second.stderr));
    assert_eq!(org_name(&url).await, "Acme Renamed", "nothing was replaced");

    // Stopped cleanly, the database file alone holds everything (the WAL folded back in).
    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(20)).await.expect("stopped").success(), "{}", server.log());
    let wal = std::fs::metadata(dir.path().join("data/gatehouse.db-wal")).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal, 0, "nothing left in the WAL after a clean stop");

    // Something that is not a Gatehouse backup is refused, and changes nothing.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes that are long enough to look like a header...").unwrap();
    let refused = gatehouse(&url, dir.path()).args(["restore", "--from"]).arg(&junk).output().await.unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a SQLite database"), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(org_name(&url).await, "Acme Renamed");

    // Nor one written by a newer release.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    let db = app::store::connect(&format!("sqlite://{}", newer.display())).await.unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (29991231000000, 'future', TRUE, x'00', 0)").execute(&db).await.unwrap();
    db.close().await;
    let refused = gatehouse(&url, dir.path()).args(["restore", "--from"]).arg(&newer).output().await.unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("was written by a newer Gatehouse (schema 29991231000000"), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(org_name(&url).await, "Acme Renamed");

    let restored = gatehouse(&url, dir.path()).args(["restore", "--from"]).arg(&backup).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&restored.stdout);
    assert!(restored.status.success(), "{stdout}{}", String::from_utf8_lossy(&restored.stderr));
    assert!(stdout.contains("1 organization, 1 user"), "{stdout}");
    let aside = stdout.split("is kept as ").nth(1).and_then(|r| r.split(" (delete").next()).expect("the replaced database is kept").to_string();
    assert_eq!(org_name(&url).await, "Acme");
    assert_eq!(org_name(&format!("sqlite://{aside}")).await, "Acme Renamed", "the replaced database is kept whole");

    // It serves the restored database.
    let server = Server::start(&url, dir.path(), "second", &[]).await;
    let app = server.app(&url).await;
    let mut s = app.admin_session().await;
    let res = app.call(&mut s, "account_details", &[("org", "acme")]).await;
    assert!(res.text().await.unwrap().contains("\"Acme\""));
}

/// A request whose body is still arriving is in flight: the server must wait for it.
async fn start_sign_in(url: &str, body: &str, sent: usize) -> tokio::net::TcpStream {
    let host = url.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!("POST /api/sign_in HTTP/1.1\r\nHost: {host}\r\nOrigin: {url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body.as_bytes()[..sent]).await.unwrap();
    tcp
}

/// Whether the server has read everything `tcp` sent so far: its end of the
/// connection, in the kernel's table of TCP sockets, holds no unread byte.
/// Once it has read a request's head, the request is in flight.
fn read_by_the_server(tcp: &tokio::net::TcpStream) -> bool {
    let hex = |a: std::net::SocketAddr| match a {
        std::net::SocketAddr::V4(v4) => format!("{:08X}:{:04X}", u32::from_ne_bytes(v4.ip().octets()), v4.port()),
        std::net::SocketAddr::V6(_) => panic!("the test server listens on 127.0.0.1"),
    };
    // The server's end: its local address is the one this side connected to.
    let (server_end, client_end) = (hex(tcp.peer_addr().unwrap()), hex(tcp.local_addr().unwrap()));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f[1] == server_end && f[2] == client_end && f[4].split_once(':').is_some_and(|(_, unread)| u64::from_str_radix(unread, 16) == Ok(0))
    })
}

fn sign_in_body() -> String {
    let enc = |s: &str| s.replace('@', "%40").replace(' ', "+");
    format!("org=acme&email={}&password={}", enc(ADMIN_EMAIL), enc(ADMIN_PASSWORD))
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_and_accepts_no_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let mut server = Server::start(&url, dir.path(), "server", &[("RUST_LOG", "info")]).await;
    server.app(&url).await.setup_acme().await;

    let body = sign_in_body();
    let mut tcp = start_sign_in(&server.url, &body, 10).await;
    wait_until(Duration::from_secs(10), "the server reads the request's head", || async { read_by_the_server(&tcp) }).await;
    server.terminate();
    wait_until(Duration::from_secs(10), "the server says it is stopping", || async { server.log().contains("stopping: no new connections") }).await;
    let host = server.url.trim_start_matches("http://").to_string();
    wait_until(Duration::from_secs(10), "no new connections once stopping", || async { tokio::net::TcpStream::connect(&host).await.is_err() }).await;
    assert!(server.running(), "it waits for the request in flight");

    // The rest of the body, sent only now: the answer shows the request was
    // still being served after the stop began.
    tcp.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "the request in flight got its answer: {answer}");
    assert!(answer.to_ascii_lowercase().contains("set-cookie: gatehouse_session="), "{answer}");
    let status = server.wait_exit(Duration::from_secs(20)).await.expect("it stops once the request is answered");
    assert!(status.success(), "{status}: {}", server.log());
    let log = server.log();
    assert!(log.contains("stopping: no new connections"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[tokio::test]
async fn a_request_that_never_ends_holds_the_stop_no_longer_than_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let mut server = Server::start(&url, dir.path(), "server", &[("GATEHOUSE_SHUTDOWN_TIMEOUT", "1")]).await;
    server.app(&url).await.setup_acme().await;
    let stuck = start_sign_in(&server.url, &sign_in_body(), 10).await;
    wait_until(Duration::from_secs(10), "the server reads the request's head", || async { read_by_the_server(&stuck) }).await;
    let asked = Instant::now();
    server.terminate();
    let status = server.wait_exit(Duration::from_secs(15)).await.expect("it stops after the timeout");
    assert!(status.success(), "{}", server.log());
    assert!(asked.elapsed() >= Duration::from_millis(900), "it waited for the request first");
    assert!(server.log().contains("still running 1 s after the stop signal"), "{}", server.log());
}

#[tokio::test]
async fn liveness_does_not_depend_on_the_database_and_readiness_does() {
    let app = spawn_app().await;
    for path in ["/livez", "/readyz", "/healthz"] {
        let res = app.get(&Session::default(), path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    app.db.close().await;
    assert_eq!(app.get(&Session::default(), "/livez").await.status(), StatusCode::OK, "alive without the database");
    let res = app.get(&Session::default(), "/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().await.unwrap().starts_with("not ready: the database does not answer"));
    assert_eq!(app.get(&Session::default(), "/healthz").await.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// `deploy/gatehouse.service`: its own user, a state directory, the hardening an
/// operator expects, a stop that leaves time for the graceful shutdown; and
/// systemd itself finds nothing wrong with it.
#[test]
fn the_systemd_unit_runs_gatehouse_as_a_hardened_service() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let unit = std::fs::read_to_string(root.join("deploy/gatehouse.service")).unwrap();
    let settings: Vec<(&str, &str)> = unit.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once('=')).collect();
    let get = |k: &str| settings.iter().filter(|(key, _)| *key == k).map(|(_, v)| *v).collect::<Vec<_>>();
    for (key, value) in
        [("User", "gatehouse"), ("StateDirectory", "gatehouse"), ("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("ProtectHome", "yes"), ("KillSignal", "SIGTERM")]
    {
        assert_eq!(get(key), vec![value], "{key}");
    }
    assert!(get("ExecStart").iter().any(|v| v.ends_with("gatehouse serve")), "{:?}", get("ExecStart"));
    assert!(get("Environment").contains(&"GATEHOUSE_DATABASE_URL=sqlite:///var/lib/gatehouse/gatehouse.db"));
    let drain: u64 = get("Environment").iter().find_map(|v| v.strip_prefix("GATEHOUSE_SHUTDOWN_TIMEOUT=")).unwrap().parse().unwrap();
    let stop: u64 = get("TimeoutStopSec")[0].parse().unwrap();
    assert!(stop > drain, "systemd waits longer ({stop} s) than Gatehouse drains ({drain} s)");

    let present = std::process::Command::new("systemd-analyze").arg("--version").output().is_ok();
    if !require_or_skip("systemd-analyze, to verify the units (Debian's systemd; scripts/ensure-tools.sh --test-tools installs it)", present) {
        return;
    }
    // verify wants ExecStart's program to exist: point it at this build. It
    // exits 0 on unknown keys, but names the file and line.
    let dir = tempfile::tempdir().unwrap();
    let mut units = Vec::new();
    for name in ["gatehouse.service", "gatehouse-backup.service", "gatehouse-backup.timer"] {
        let text = std::fs::read_to_string(root.join("deploy").join(name)).unwrap().replace("/usr/local/bin/gatehouse", BIN);
        std::fs::write(dir.path().join(name), text).unwrap();
        units.push(dir.path().join(name));
    }
    let out = std::process::Command::new("systemd-analyze").args(["verify", "--man=no"]).args(&units).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && !said.contains(".service:") && !said.contains(".timer:"), "systemd-analyze verify: {said}");
    // systemd's own exposure score (0 to 10, lower is safer): at most 2.0, "OK".
    let out = std::process::Command::new("systemd-analyze").args(["security", "--offline=true", "--threshold=20", "--no-pager"]).arg(&units[0]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "systemd-analyze security: {}", said.lines().last().unwrap_or(""));
}

/// A site as scripts/build.sh lays it out, with a bundle named `name`.
fn fake_site(dir: &Path, name: &str) -> std::path::PathBuf {
    let site = dir.join(format!("site-{name}"));
    std::fs::create_dir_all(site.join("pkg").join(name)).unwrap();
    std::fs::write(site.join("pkg/bundle.txt"), format!("{name}\n")).unwrap();
    std::fs::write(site.join("pkg").join(name).join("gatehouse.js"), format!("// bundle {name}\n")).unwrap();
    site
}

/// The install steps of the README, as written (deploy/install.sh), run
/// into a folder instead of /: install, then an upgrade with a new bundle.
/// Then the installed binary starts the way the unit starts it and serves
/// the new bundle, and the backup unit's command works as written.
#[tokio::test]
async fn the_install_script_installs_then_upgrades_in_place() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let install = |site: &Path| {
        let out = std::process::Command::new(repo.join("deploy/install.sh"))
            .arg("--no-systemctl")
            .env("ROOT", &root)
            .env("BIN", BIN)
            .env("SITE", site)
            .env("BASE_URL", "https://gatehouse.example.com")
            .output()
            .unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "install.sh: {said}");
        said
    };
    let said = install(&fake_site(dir.path(), "aaa111"));
    assert!(said.contains("with the site bundle aaa111"), "{said}");
    let share = root.join("usr/local/share/gatehouse");
    for f in [
        "usr/local/bin/gatehouse",
        "usr/lib/sysusers.d/gatehouse.conf",
        "etc/systemd/system/gatehouse.service",
        "etc/systemd/system/gatehouse-backup.service",
        "etc/systemd/system/gatehouse-backup.timer",
        "etc/gatehouse/gatehouse.env",
    ] {
        assert!(root.join(f).is_file(), "{f} installed");
    }
    // An operator's setting survives the upgrade.
    let env_file = root.join("etc/gatehouse/gatehouse.env");
    std::fs::write(&env_file, "GATEHOUSE_BASE_URL=https://gatehouse.example.com\nGATEHOUSE_TRUST_PROXY=true\nGATEHOUSE_REQUEST_TIMEOUT=45\n").unwrap();
    install(&fake_site(dir.path(), "bbb222"));
    assert_eq!(std::fs::read_to_string(share.join("site/pkg/bundle.txt")).unwrap().trim(), "bbb222");
    assert!(!share.join("site/site").exists() && !share.join("site/pkg/aaa111").exists(), "the old site is replaced, not nested or mixed");
    assert!(!share.join("site.new").exists() && !share.join("site.old").exists());
    assert!(std::fs::read_to_string(&env_file).unwrap().contains("GATEHOUSE_REQUEST_TIMEOUT=45"));

    // Start it as the unit does: its Environment= lines, then the env file.
    let unit = std::fs::read_to_string(root.join("etc/systemd/system/gatehouse.service")).unwrap();
    let state = dir.path().join("var/lib/gatehouse");
    std::fs::create_dir_all(&state).unwrap();
    let reroot = |v: &str| v.replace("/var/lib/gatehouse", &state.display().to_string()).replace("/usr/local/share/gatehouse", &share.display().to_string());
    let mut c = std::process::Command::new(root.join("usr/local/bin/gatehouse"));
    c.arg("serve").env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for line in unit.lines().filter_map(|l| l.strip_prefix("Environment=")) {
        let (k, v) = line.split_once('=').unwrap();
        c.env(k, reroot(v));
    }
    for line in std::fs::read_to_string(&env_file).unwrap().lines() {
        let (k, v) = line.split_once('=').unwrap();
        c.env(k, v);
    }
    let port = free_port();
    c.env("GATEHOUSE_BIND", format!("127.0.0.1:{port}")).env("GATEHOUSE_BASE_URL", format!("http://127.0.0.1:{port}"));
    let log = dir.path().join("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut child = c.stdout(out.try_clone().unwrap()).stderr(out).spawn().unwrap();
    let http = reqwest::Client::new();
    let mut page = String::new();
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/setup")).send().await {
            page = r.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.contains("/pkg/bbb222/"), "the page loads the new bundle:\n{}\n{}", &page[..page.len().min(400)], std::fs::read_to_string(&log).unwrap_or_default());

    // The backup unit's command, as written (its folder need not exist).
    let backup = std::fs::read_to_string(root.join("etc/systemd/system/gatehouse-backup.service")).unwrap();
    let exec = backup.lines().find_map(|l| l.strip_prefix("ExecStart=")).unwrap();
    let command =
        reroot(exec.trim_start_matches("/bin/sh -c '").trim_end_matches('\'')).replace("%%", "%").replace("/usr/local/bin/gatehouse", &root.join("usr/local/bin/gatehouse").display().to_string());
    let out = std::process::Command::new("/bin/sh").arg("-c").arg(&command).env("GATEHOUSE_DATABASE_URL", format!("sqlite://{}/gatehouse.db", state.display())).output().unwrap();
    assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
    let backups: Vec<_> = std::fs::read_dir(state.join("backups")).unwrap().collect();
    assert_eq!(backups.len(), 1);
}

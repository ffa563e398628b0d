//! Several Gatehouse instances on one PostgreSQL behind Debian's nginx
//! (round-robin, no sticky sessions): sessions, SAML requests and used
//! assertions, SCIM tokens and the organization-wide rules hold across
//! instances, and killing an instance loses no write it acknowledged.
//! These run on the suite's PostgreSQL pass (scripts/with-postgres.sh, which
//! sets GATEHOUSE_TEST_POSTGRES; make test runs it) and say so on the other;
//! nginx, openssl and curl come from scripts/ensure-tools.sh --test-tools
//! (see `common::require_or_skip`).
use crate::common;

use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Instance {
    child: Child,
    url: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, so the master stops its workers too (SIGKILL would orphan them).
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
fn nginx_bin() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

/// Whether `program -v` runs (nginx, openssl and curl all take it).
fn runs(program: &str) -> bool {
    Command::new(program).arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// On the PostgreSQL pass, with `tools` present: whether the test goes on.
fn on_the_postgresql_pass_with(tools: &[&str]) -> bool {
    if !common::process::on_postgres() {
        not_on_this_pass("the instances share one PostgreSQL: this runs on the PostgreSQL pass (scripts/with-postgres.sh; make test runs it)");
        return false;
    }
    tools.iter().all(|t| require_or_skip(&format!("{t} (scripts/ensure-tools.sh --test-tools installs it; make test runs that)"), runs(t)))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_healthy(http: &reqwest::Client, url: &str) {
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{url}/healthz")).send().await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not become healthy");
}

fn start_instance(db_url: &str, public: &str, dir: &Path) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("serve")
        .env("GATEHOUSE_DATABASE_URL", db_url)
        .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_BASE_URL", public)
        .env("LEPTOS_SITE_ROOT", dir)
        .env("GATEHOUSE_ALLOW_MISSING_SITE", "true")
        .env("GATEHOUSE_TRUST_PROXY", "true")
        .env("GATEHOUSE_SETUP_CODE", SETUP_CODE)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start gatehouse");
    Instance { child, url: format!("http://127.0.0.1:{port}") }
}

fn start_nginx(dir: &Path, port: u16, upstreams: &[&Instance]) -> Nginx {
    let servers: String = upstreams.iter().map(|i| format!("server {};\n", i.url.trim_start_matches("http://"))).collect();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\nevents {{ worker_connections 1024; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
         upstream gatehouse {{\n{servers}}}\n server {{\n  listen 127.0.0.1:{port};\n  location / {{\n   proxy_pass http://gatehouse;\n   proxy_set_header Host $http_host;\n   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n   proxy_next_upstream off;\n  }}\n }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(nginx_bin())
        .args(["-c", &dir.join("nginx.conf").display().to_string(), "-e", &dir.join("nginx-error.log").display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nginx");
    Nginx(child)
}

/// The first-run setup code the instances are started with.
const SETUP_CODE: &str = "TEST-CODE";

/// A client that reaches the instances as the load balancer does: every
/// request names the public host and comes from the public origin.
fn behind_the_balancer(public: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("host", public.trim_start_matches("http://").parse().unwrap());
    headers.insert("origin", public.parse().unwrap());
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).default_headers(headers).build().unwrap()
}

fn cookie_of(res: &reqwest::Response) -> Option<String> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()?.strip_prefix("gatehouse_session=").map(|r| r.split(';').next().unwrap().to_string())).next()
}

/// A browser's server-function call (form-encoded) to `url` with the session cookie.
async fn api_form(http: &reqwest::Client, url: &str, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    http.post(format!("{url}/api/{endpoint}")).header("cookie", format!("gatehouse_session={cookie}")).form(form).send().await.unwrap()
}

/// The same for server functions that take JSON.
async fn api(http: &reqwest::Client, url: &str, cookie: &str, endpoint: &str, body: Value) -> reqwest::Response {
    http.post(format!("{url}/api/{endpoint}")).header("cookie", format!("gatehouse_session={cookie}")).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn instances_behind_nginx_share_everything_through_postgresql() {
    if !on_the_postgresql_pass_with(&[nginx_bin()]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let db_url = fresh_database_url(dir.path()).await;
    let db = gatehouse_server::open_database(&db_url).await.unwrap();
    let lb_port = free_port();
    let public = format!("http://127.0.0.1:{lb_port}");
    let a = start_instance(&db_url, &public, dir.path());
    let mut b = start_instance(&db_url, &public, dir.path());
    let http = behind_the_balancer(&public);
    wait_healthy(&http, &a.url).await;
    wait_healthy(&http, &b.url).await;
    let _nginx = start_nginx(dir.path(), lb_port, &[&a, &b]);
    wait_healthy(&http, &public).await;

    // Set up through the load balancer, sign in, and keep working on every instance.
    let res = http.post(format!("{public}/api/run_setup")).form(&setup_form(SETUP_CODE)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = http.post(format!("{public}/api/sign_in")).form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = cookie_of(&res).expect("a session");
    for url in [&public, &public, &public, &public, &a.url, &b.url] {
        let res = api_form(&http, url, &cookie, "me", &[("org", "acme")]).await;
        assert_eq!(res.status(), StatusCode::OK, "signed in on {url}");
    }

    // SP-initiated SSO: the request leaves instance A, the response arrives at B; a replay fails on A.
    let settings = json!({"method": "saml_or_password", "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30});
    let res = api(&http, &public, &cookie, "save_authentication", json!({"org": "acme", "input": settings})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = http.get(format!("{}/acme/sso", a.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The request travels in the browser's cookie, which instance B can check.
    let sso_request =
        res.headers().get_all("set-cookie").iter().find_map(|v| v.to_str().ok()?.strip_prefix("gatehouse_sso=").map(|r| r.split(';').next().unwrap().to_string())).expect("the request cookie");
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let saml_request = location.query_pairs().find(|(k, _)| k == "SAMLRequest").unwrap().1.to_string();
    let deflated = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, saml_request).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut flate2::read::DeflateDecoder::new(&deflated[..]), &mut xml).unwrap();
    let request_id = xml.split(r#" ID=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    let mut r = Resp::for_base(&public, Some(&request_id));
    r.name_id = ADMIN_EMAIL.into();
    // As the browser posts it again from Gatehouse's own page, with the cookie.
    let form = [("SAMLResponse", b64(&r.signed())), ("RelayState", "/acme".to_string()), ("resubmitted", "1".to_string())];
    let res = http.post(format!("{}/acme/finish-login", b.url)).header("cookie", format!("gatehouse_sso={sso_request}")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let sso_cookie = cookie_of(&res).expect("signed in by SSO on B");
    assert_eq!(api_form(&http, &a.url, &sso_cookie, "me", &[("org", "acme")]).await.status(), StatusCode::OK);
    let replay = http.post(format!("{}/acme/finish-login", a.url)).header("cookie", format!("gatehouse_sso={sso_request}")).form(&form).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST, "a replay is refused on the other instance");
    let unsolicited = [
        (
            "SAMLResponse",
            b64(&{
                let mut u = Resp::for_base(&public, None);
                u.name_id = ADMIN_EMAIL.into();
                u
            }
            .signed()),
        ),
        ("confirmed", "1".into()),
    ];
    assert_eq!(http.post(format!("{}/acme/finish-login", a.url)).form(&unsolicited).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(http.post(format!("{}/acme/finish-login", b.url)).form(&unsolicited).send().await.unwrap().status(), StatusCode::BAD_REQUEST);

    // A SCIM token works on every instance; revoked, it stops on every instance at once.
    let token: Value = api_form(&http, &public, &cookie, "create_provisioning_token", &[("org", "acme"), ("name", "okta"), ("acknowledged", "true")]).await.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let scim = |url: &str| format!("{url}/scim/v2");
    for url in [&a.url, &b.url] {
        let res = http.get(format!("{}/Users?count=1", scim(url))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    // Two creates of one userName at the same moment on two instances: one 201, one 409.
    let user = |name: &str| json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "name": {"givenName": "T", "familyName": "U"}, "active": true});
    for i in 0..5 {
        let name = format!("twin{i}@acme.example");
        let (x, y) = tokio::join!(
            http.post(format!("{}/Users", scim(&a.url))).bearer_auth(&token).json(&user(&name)).send(),
            http.post(format!("{}/Users", scim(&b.url))).bearer_auth(&token).json(&user(&name)).send(),
        );
        let mut statuses = [x.unwrap().status().as_u16(), y.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{name}");
    }

    // Concurrent membership PATCHes on one group from both instances all take effect.
    let group: Value = http
        .post(format!("{}/Groups", scim(&public)))
        .bearer_auth(&token)
        .json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Shared"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for i in 0..16 {
        let u: Value = http.post(format!("{}/Users", scim(&public))).bearer_auth(&token).json(&user(&format!("m{i}@acme.example"))).send().await.unwrap().json().await.unwrap();
        ids.push(u["id"].as_str().unwrap().to_string());
    }
    let patches = ids.iter().enumerate().map(|(i, id)| {
        let url = format!("{}/Groups/{gid}", scim(if i % 2 == 0 { &a.url } else { &b.url }));
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
        let req = http.patch(url).bearer_auth(&token).json(&body);
        // Spawned before any is awaited: the PATCHes run at the same time.
        tokio::spawn(async move { req.send().await.unwrap().status() })
    });
    for status in patches.collect::<Vec<_>>() {
        let status = status.await.unwrap();
        assert!(status.is_success(), "{status}");
    }
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_members WHERE team_id = $1").bind(&gid).fetch_one(&db).await.unwrap();
    assert_eq!(members, 16);

    // The last-admin guard across instances: two admins deactivate each other, one on A, one on B.
    sqlx::query("UPDATE users SET account_type_id = (SELECT account_type_id FROM users WHERE email_norm = $1) WHERE email_norm = 'm0@acme.example'").bind(ADMIN_EMAIL).execute(&db).await.unwrap();
    let m0: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = 'm0@acme.example'").fetch_one(&db).await.unwrap();
    let ada: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(ADMIN_EMAIL).fetch_one(&db).await.unwrap();
    sqlx::query("UPDATE users SET origin = 'local', password_hash = (SELECT password_hash FROM users WHERE id = $1) WHERE id = $2").bind(&ada).bind(&m0).execute(&db).await.unwrap();
    let m0_cookie =
        cookie_of(&http.post(format!("{}/api/sign_in", b.url)).form(&[("org", "acme"), ("email", "m0@acme.example"), ("password", ADMIN_PASSWORD)]).send().await.unwrap()).expect("m0 signs in");
    let (x, y) = tokio::join!(
        api(&http, &a.url, &cookie, "deactivate_users", json!({"org": "acme", "user_ids": [m0], "new_owner_id": null})),
        api(&http, &b.url, &m0_cookie, "deactivate_users", json!({"org": "acme", "user_ids": [ada], "new_owner_id": null})),
    );
    let statuses = [x.status(), y.status()];
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.status = 'active' AND t.administers = 1").fetch_one(&db).await.unwrap();
    assert_eq!(admins, 1, "one admin remains: {statuses:?}");

    // Revoking the token stops it on both instances at once.
    let token_id: String = sqlx::query_scalar("SELECT id FROM scim_tokens").fetch_one(&db).await.unwrap();
    let active_cookie = if admins == 1 && x.status() == StatusCode::OK { cookie.clone() } else { m0_cookie.clone() };
    let res = api_form(&http, &public, &active_cookie, "revoke_provisioning_token", &[("org", "acme"), ("id", &token_id)]).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    for url in [&a.url, &b.url] {
        let res = http.get(format!("{}/Users?count=1", scim(url))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "revoked on {url}");
    }

    // kill -9 of instance B in the middle of a SCIM load: every write that got a 2xx is kept.
    let token: Value = api_form(&http, &public, &active_cookie, "create_provisioning_token", &[("org", "acme"), ("name", "load"), ("acknowledged", "true")]).await.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    // Even workers write through A, odd ones through B; each counts the
    // requests that got no answer at all (B gone).
    let acknowledged = Arc::new(Mutex::new(Vec::<(usize, String)>::new()));
    let unanswered: Arc<Vec<AtomicUsize>> = Arc::new((0..8).map(|_| AtomicUsize::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..8 {
        let (http, token, acknowledged, unanswered, stop) = (http.clone(), token.clone(), acknowledged.clone(), unanswered.clone(), stop.clone());
        let url = scim(if worker % 2 == 0 { &a.url } else { &b.url });
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("load{worker}-{n}@acme.example");
                let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true});
                match http.post(format!("{url}/Users")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status() == StatusCode::CREATED => acknowledged.lock().unwrap().push((worker, name)),
                    Ok(_) => {}
                    Err(_) => {
                        unanswered[worker].fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let on = |instance: usize| acknowledged.lock().unwrap().iter().filter(|(w, _)| w % 2 == instance).count();
    // B is killed while both instances are answering creates.
    wait_until(Duration::from_secs(30), "both instances answer creates under the load", || async { on(0) >= 20 && on(1) >= 20 }).await;
    b.child.kill().unwrap(); // SIGKILL
    b.child.wait().unwrap();
    // The load goes on after the kill: every writer aimed at B has found it
    // gone, and A has answered more creates since.
    let on_a_at_kill = on(0);
    wait_until(Duration::from_secs(30), "the writers aimed at B find it gone while A goes on answering", || async {
        (1..8).step_by(2).all(|w| unanswered[w].load(Ordering::Relaxed) > 0) && on(0) >= on_a_at_kill + 20
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    let acknowledged: Vec<String> = acknowledged.lock().unwrap().iter().map(|(_, name)| name.clone()).collect();
    assert!(acknowledged.len() > 20, "the load ran ({} creates)", acknowledged.len());
    let stored: Vec<String> = sqlx::query_scalar("SELECT email_norm FROM users WHERE email_norm LIKE 'load%'").fetch_all(&db).await.unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !stored.contains(*n)).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    eprintln!("kill -9 under load: {} acknowledged creates, all stored", acknowledged.len());
}

/// `curl -k` (the certificate is self-signed): the status line and headers, then the body.
fn curl(args: &[&str]) -> String {
    let out = Command::new("curl").args(["-sk", "-D", "-"]).args(args).output().expect("curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn behind_a_tls_terminating_proxy_links_and_cookies_are_https() {
    if !on_the_postgresql_pass_with(&[nginx_bin(), "openssl", "curl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let d = dir.path().display().to_string();
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-keyout", &format!("{d}/tls.key"), "-out", &format!("{d}/tls.crt")])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    let db_url = fresh_database_url(dir.path()).await;
    let port = free_port();
    let public = format!("https://127.0.0.1:{port}");
    let a = start_instance(&db_url, &public, dir.path());
    let http = reqwest::Client::new();
    wait_healthy(&http, &a.url).await;
    // nginx terminates TLS and passes plain HTTP on, as a cloud load balancer does.
    let upstream = a.url.trim_start_matches("http://");
    let conf = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\nevents {{ worker_connections 64; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
         server {{\n  listen 127.0.0.1:{port} ssl;\n  ssl_certificate {d}/tls.crt;\n  ssl_certificate_key {d}/tls.key;\n\
         location / {{\n   proxy_pass http://{upstream};\n   proxy_set_header Host $http_host;\n   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n   proxy_set_header X-Forwarded-Proto https;\n  }}\n }}\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
    let _nginx = Nginx(Command::new(nginx_bin()).args(["-c", &format!("{d}/nginx.conf"), "-e", &format!("{d}/nginx-error.log")]).stdout(Stdio::null()).spawn().expect("start nginx"));
    wait_until(Duration::from_secs(10), "nginx answers over https", || async { curl(&[&format!("{public}/healthz")]).contains(" 200") }).await;

    let origin = format!("origin: {public}");
    let setup = curl(&[
        "-H",
        &origin,
        "--data",
        &format!("setup_code={SETUP_CODE}&org_name=Acme&org_slug=acme&first_name=Ada&last_name=Admin&email={ADMIN_EMAIL}&password={ADMIN_PASSWORD}&password_confirm={ADMIN_PASSWORD}")
            .replace(' ', "+"),
        &format!("{public}/api/run_setup"),
    ]);
    assert!(setup.starts_with("HTTP/1.1 200"), "{setup}");
    let signed_in = curl(&["-H", &origin, "--data", &format!("org=acme&email={ADMIN_EMAIL}&password={ADMIN_PASSWORD}").replace(' ', "+"), &format!("{public}/api/sign_in")]);
    // Behind https the session cookie carries the `__Host-` prefix: browsers
    // take it only when it is Secure, for the whole site, from this host.
    let cookie_line = signed_in.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie: __host-gatehouse_session=")).unwrap_or_else(|| panic!("no __Host- session cookie: {signed_in}"));
    assert!(cookie_line.contains("; Secure"), "the session cookie is Secure behind https: {cookie_line}");
    assert!(cookie_line.contains("Path=/") && !cookie_line.to_ascii_lowercase().contains("domain="), "{cookie_line}");
    assert!(cookie_line.contains("HttpOnly"), "{cookie_line}");
    let cookie = cookie_line.split_once(": ").unwrap().1.split(';').next().unwrap().to_string();

    // The session works through the proxy, and the links shown to admins and
    // identity providers are the public https ones.
    let page = curl(&["-H", &format!("cookie: {cookie}"), &format!("{public}/acme/admin/authentication")]);
    assert!(page.starts_with("HTTP/1.1 200"), "{}", &page[..page.len().min(400)]);
    assert!(page.to_ascii_lowercase().contains("strict-transport-security: max-age=31536000"), "HSTS behind https");
    let metadata = curl(&[&format!("{public}/acme/saml/metadata")]);
    assert!(metadata.contains(&format!("Location=\"{public}/acme/finish-login\"")), "{metadata}");
    assert!(!metadata.contains("http://127.0.0.1"), "no plain-http link in the SP metadata: {metadata}");
    let token = curl(&["-H", &origin, "-H", &format!("cookie: {cookie}"), "--data", "org=acme&name=Okta&acknowledged=true", &format!("{public}/api/create_provisioning_token")]);
    assert!(token.contains(&format!("{public}/scim/v2")), "the Directory Base URL is the public one: {token}");
}

//! What an operator meets: start-up refusals that say what is wrong, the
//! database URL's password never shown, help that lists each command's own
//! options, SCIM errors that are always SCIM JSON, the stored creation time
//! in a create's answer, and statistics that follow a bulk load.
use crate::common::process::gatehouse;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Runs `gatehouse` with `args` (and `env`) and returns (success, stdout + stderr).
async fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let url = format!("sqlite://{}/g.db", dir.display());
    let mut c = gatehouse(&url, dir);
    c.env_remove("GATEHOUSE_ALLOW_MISSING_SITE").env_remove("GATEHOUSE_BASE_URL").env_remove("GATEHOUSE_TRUST_PROXY");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), c.args(args).output()).await.expect("gatehouse answers within 30 s").unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn a_wrong_base_url_is_refused_at_start_saying_what_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, says) in [
        ("not a url", "has no scheme"),
        ("gatehouse.example.com", "has no scheme: write https://gatehouse.example.com"),
        ("ftp://gatehouse.example.com", "uses ftp://"),
        ("https://gatehouse.example.com/console", "has a path"),
        ("https://user:pw@gatehouse.example.com", "user name or password"),
    ] {
        let (ok, out) = run(dir.path(), &["--base-url", bad, "migrate"], &[]).await;
        assert!(!ok, "{bad} accepted");
        assert!(out.contains(says), "{bad}: {out}");
        assert!(out.contains("such as https://gatehouse.example.com"), "{bad}: says what is expected: {out}");
    }
    let (ok, out) = run(dir.path(), &["migrate"], &[("GATEHOUSE_BASE_URL", "https://gatehouse.example.com/")]).await;
    assert!(ok, "a trailing slash is fine: {out}");
}

#[tokio::test]
async fn serve_refuses_to_start_without_its_site_and_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let (ok, out) = run(dir.path(), &["serve", "--bind", "127.0.0.1:0"], &[("LEPTOS_SITE_ROOT", missing.to_str().unwrap())]).await;
    assert!(!ok, "started without a site: {out}");
    assert!(out.contains(&format!("{}/pkg/bundle.txt is missing", missing.display())), "{out}");
    assert!(out.contains("--site-root") && out.contains("LEPTOS_SITE_ROOT"), "says how to set it: {out}");
    // A bundle.txt naming a folder that is not there is no site either.
    std::fs::create_dir_all(missing.join("pkg")).unwrap();
    std::fs::write(missing.join("pkg/bundle.txt"), "abc123\n").unwrap();
    let (ok, out) = run(dir.path(), &["serve", "--bind", "127.0.0.1:0"], &[("LEPTOS_SITE_ROOT", missing.to_str().unwrap())]).await;
    assert!(!ok);
    assert!(out.contains("pkg/abc123/gatehouse.js is missing"), "{out}");
}

#[tokio::test]
async fn a_postgresql_password_never_appears_and_an_unreachable_server_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let url = "postgres://gatehouse:S3cretPW@127.0.0.1:1/gatehouse";
    for format in ["text", "json"] {
        let started = std::time::Instant::now();
        let (ok, out) = run(dir.path(), &["--database-url", url, "--log-format", format, "migrate"], &[]).await;
        assert!(!ok);
        assert!(!out.contains("S3cretPW"), "{format}: the password is shown: {out}");
        assert!(out.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "{format}: {out}");
        assert!(started.elapsed() < std::time::Duration::from_secs(8), "answered at once, not after the pool's timeout");
    }
    assert_eq!(app::service::database::redacted("postgres://u:pw@h:5432/db?sslmode=require"), "postgres://u:***@h:5432/db?sslmode=require");
    assert_eq!(app::service::database::redacted("cannot open postgres://h/db?user=u&password=pw&x=1"), "cannot open postgres://h/db?user=u&password=***&x=1");
    assert_eq!(app::service::database::redacted("sqlite://data/g.db"), "sqlite://data/g.db");
}

#[tokio::test]
async fn flags_take_yes_and_no_and_each_command_lists_its_own_options() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    // The variable's "yes" is understood: the start stops on the site, not on the flag.
    let (ok, out) = run(dir.path(), &["serve"], &[("GATEHOUSE_TRUST_PROXY", "yes"), ("LEPTOS_SITE_ROOT", missing.to_str().unwrap())]).await;
    assert!(!ok);
    assert!(out.contains("the site"), "{out}");
    let (_, help) = run(dir.path(), &["setup", "--help"], &[]).await;
    assert!(!help.contains("--metrics-bind") && !help.contains("--trust-proxy"), "serve's options are not setup's: {help}");
    assert!(help.contains("--org <ORG>") && help.contains("URL name"), "{help}");
    assert!(help.contains("The first admin's email address"), "{help}");
    let (_, help) = run(dir.path(), &["serve", "--help"], &[]).await;
    assert!(help.contains("--trust-proxy") && help.contains("pkg/bundle.txt"), "{help}");
}

#[tokio::test]
async fn restore_names_the_file_given_and_backup_makes_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "not a database, just some words that are long enough to be read").unwrap();
    let (ok, out) = run(dir.path(), &["restore", "--from", junk.to_str().unwrap()], &[]).await;
    assert!(!ok);
    assert!(out.contains(&junk.display().to_string()), "{out}");
    assert!(!out.contains(".restoring"), "{out}");

    let (ok, out) = run(dir.path(), &["migrate"], &[]).await;
    assert!(ok, "{out}");
    let into = dir.path().join("backups/daily/g.db");
    let (ok, out) = run(dir.path(), &["backup", "--out", into.to_str().unwrap()], &[]).await;
    assert!(ok, "{out}");
    assert!(into.is_file());
}

#[tokio::test]
async fn scim_errors_are_scim_json_whatever_refuses_the_request() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let t = app.provisioning_token(&mut s).await;
    let http = reqwest::Client::new();
    let auth = format!("Bearer {}", t.token);
    let scim = |r: reqwest::Response| async move {
        let status = r.status();
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(ct.starts_with("application/scim+json"), "{status}: {ct}");
        assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{body}");
        assert_eq!(body["status"], status.as_u16().to_string());
        (status, body["detail"].as_str().unwrap_or_default().to_string())
    };
    // Over the limit, said at once and as SCIM (3 MB, then 1.5 MB sent chunked).
    let big = format!("{{\"userName\":\"{}\"}}", "a".repeat(3 << 20));
    let r = http.post(format!("{}/scim/v2/Users", app.base)).header("authorization", &auth).header("content-type", "application/scim+json").body(big).send().await.unwrap();
    let (st, detail) = scim(r).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(detail.contains("larger than"), "{detail}");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..24).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let r = http
        .patch(format!("{}/scim/v2/Groups/x", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/scim+json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(scim(r).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // The root, with and without its slash.
    for path in ["/scim/v2", "/scim/v2/"] {
        let r = http.get(format!("{}{path}", app.base)).header("authorization", &auth).send().await.unwrap();
        let (st, detail) = scim(r).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
        assert!(detail.contains("/Users and /Groups"), "{detail}");
    }
    // A filter without a value says what to write.
    let r = http.get(format!("{}/scim/v2/Users?filter=userName%20eq%20", app.base)).header("authorization", &auth).send().await.unwrap();
    let (st, detail) = scim(r).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(detail.contains("has no value after eq"), "{detail}");
    assert!(!detail.contains("Unrecognized token"), "{detail}");
    // No placeholder documentation link.
    let r = http.get(format!("{}/scim/v2/ServiceProviderConfig", app.base)).header("authorization", &auth).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(v.get("documentationUri").is_none(), "{v}");
}

#[tokio::test]
async fn a_created_persons_answer_has_the_creation_time_that_is_stored() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let idp = Idp { app: &app, token: app.provisioning_token(&mut s).await.token };
    for i in 0..5 {
        let (st, created) = idp.post("/Users", json!({"userName": format!("p{i}@acme.example"), "name": {"givenName": "P", "familyName": "Q"}, "active": true})).await;
        assert_eq!(st, StatusCode::CREATED);
        let (_, got) = idp.get(&format!("/Users/{}", created["id"].as_str().unwrap())).await;
        assert_eq!(created["meta"]["created"], got["meta"]["created"]);
        assert_eq!(created["meta"]["lastModified"], got["meta"]["lastModified"]);
    }
}

/// After a bulk load, connections that planned with the old statistics are
/// closed instead of used: the next query runs on a connection opened since.
#[tokio::test]
async fn connections_opened_before_new_statistics_are_not_used_again() {
    let app = spawn_app().await;
    app.setup_acme().await;
    // Mark every connection the pool has now (each is its own session).
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut c = app.db.acquire().await.unwrap();
        sqlx::query("CREATE TEMPORARY TABLE opened_before (x BIGINT)").execute(&mut *c).await.unwrap();
        held.push(c);
    }
    drop(held);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let before = app::metrics::statistics_refreshes();
    app::store::refresh_statistics(&app.db).await.unwrap();
    assert_eq!(app::metrics::statistics_refreshes(), before + 1);
    for _ in 0..3 {
        let mut c = app.db.acquire().await.unwrap();
        let marked = sqlx::query("SELECT x FROM opened_before").execute(&mut *c).await.is_ok();
        assert!(!marked, "a connection from before the refresh was handed out");
    }
    // The app keeps answering on the new connections.
    assert_eq!(app.get(&app.admin_session().await, "/acme/admin/users").await.status(), StatusCode::OK);
}

/// `gatehouse provisioning token list` and `revoke`; two active tokens never share a name.
#[tokio::test]
async fn tokens_are_listed_and_revoked_on_the_command_line() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let cli = async |args: &[&str]| {
        let out = app.cli(args).await;
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (ok, token, err) = cli(&["provisioning", "token", "create", "--org", "acme", "--name", "okta"]).await;
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let (ok, _, err) = cli(&["provisioning", "token", "create", "--org", "acme", "--name", "Okta"]).await;
    assert!(!ok);
    assert!(err.contains("An active token is already named “okta”"), "{err}");
    let (ok, list, _) = cli(&["provisioning", "token", "list", "--org", "acme"]).await;
    assert!(ok);
    assert_eq!(list.lines().count(), 2, "a header and one token: {list}");
    assert!(list.contains("okta") && list.contains("never") && list.contains("active"), "{list}");
    assert!(!list.contains(&token), "the token itself is never shown");

    let http = reqwest::Client::new();
    let r = http.get(format!("{}/scim/v2/Users", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The last use is written beside the request, at most once a minute: wait
    // for it (a deadline for a slow machine, not a measure of speed).
    let mut list = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        list = cli(&["provisioning", "token", "list", "--org", "acme"]).await.1;
        if !list.contains("never") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(!list.contains("never"), "the last use shows: {list}");

    let (ok, out, err) = cli(&["provisioning", "token", "revoke", "--org", "acme", "--token", "OKTA"]).await;
    assert!(ok, "revoke failed: {out}{err}");
    assert!(out.contains("Revoked the token “okta”"), "{out}");
    // Revoked by another process: the server's look-up cache holds a token for
    // at most `CACHE_TTL`; once that has passed since the revocation, it is refused.
    tokio::time::sleep(app::store::scim_tokens::CACHE_TTL + std::time::Duration::from_millis(100)).await;
    let r = http.get(format!("{}/scim/v2/Users", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "still accepted after the look-up cache's lifetime");
    let (_, list, _) = cli(&["provisioning", "token", "list", "--org", "acme"]).await;
    assert!(list.contains("revoked"), "{list}");
    let (ok, _, err) = cli(&["provisioning", "token", "revoke", "--org", "acme", "--token", "okta"]).await;
    assert!(!ok && err.contains("No active token"), "{err}");
    // A revoked token's name can be used again.
    let (ok, _, err) = cli(&["provisioning", "token", "create", "--org", "acme", "--name", "okta"]).await;
    assert!(ok, "{err}");
    assert!(app.audit_actions().await.iter().any(|a| a.0 == "provisioning.token_revoked"));
}

//! What an operator watches: `/metrics` on its own address, the JSON log
//! (request id, organization, route, status, latency; no secrets), and the
//! request id that error pages, the audit log and the log share.
use crate::common;

use common::process::*;
use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

fn settings() -> Value {
    json!({"org": "acme", "input": {"method": "saml_or_password", "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30}})
}

async fn scim(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app.http.request(method, format!("{}/scim/v2{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
}

/// The samples of a Prometheus text page: `name{labels}` to value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {l}"));
            (k.to_string(), v.parse().unwrap_or_else(|_| panic!("not a number: {l}")))
        })
        .collect()
}

#[tokio::test]
async fn metrics_count_requests_sign_ins_scim_saml_and_exports_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let metrics_port = free_port();
    let server = Server::start(&url, dir.path(), "server", &[("GATEHOUSE_METRICS_BIND", &format!("127.0.0.1:{metrics_port}"))]).await;
    let app = server.app(&url).await;
    let scrape = || async move {
        let res = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
        res.text().await.unwrap()
    };
    // Never on the public address: there, before the first run, it is a
    // page that leads to setup like every other.
    let public = app.get(&Session::default(), "/metrics").await;
    assert_eq!(public.status(), StatusCode::SEE_OTHER);
    assert_eq!(public.headers()["location"], "/setup");
    assert!(!public.text().await.unwrap().contains("gatehouse_http_requests_total"));

    for _ in 0..3 {
        assert_eq!(app.get(&Session::default(), "/healthz").await.status(), StatusCode::OK);
    }
    app.setup_acme().await;
    // Once an organization exists, `/metrics` is the path of an organization that does not exist.
    let public = app.get(&Session::default(), "/metrics").await;
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    assert!(!public.text().await.unwrap().contains("gatehouse_http_requests_total"));
    let (_, res) = app.sign_in(ADMIN_EMAIL, "not the password").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let mut s = app.admin_session().await;
    let token: Value = ok_json(app.call(&mut s, "create_provisioning_token", &[("org", "acme"), ("name", "okta"), ("acknowledged", "true")]).await).await;
    let token = token["token"].as_str().unwrap();
    assert_eq!(scim(&app, token, reqwest::Method::POST, "/Users", Some(user("noor@acme.example"))).await.status(), StatusCode::CREATED);
    assert_eq!(scim(&app, token, reqwest::Method::POST, "/Users", Some(user("noor@acme.example"))).await.status(), StatusCode::CONFLICT);
    assert_eq!(scim(&app, token, reqwest::Method::GET, "/Users/no-such-id", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(scim(&app, "wrong", reqwest::Method::GET, "/Users", None).await.status(), StatusCode::UNAUTHORIZED);
    // An export: a CSV upload, a document, its download.
    let dataset: String = ok_json(app.call(&mut s, "upload_csv", &[("org", "acme"), ("name", "Numbers"), ("csv", "a,b\n1,2\n3,4\n")]).await).await;
    let doc: String = ok_json(app.call(&mut s, "create_document", &[("org", "acme"), ("name", "Numbers"), ("dataset_id", &dataset)]).await).await;
    let csv = app.get(&s, &format!("/acme/documents/{doc}/export.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv_bytes = csv.bytes().await.unwrap().len();
    // An SSO failure: a response that does not verify.
    assert_eq!(app.call_json(&mut s, "save_authentication", settings()).await.status(), StatusCode::OK);
    let res = app.http.post(format!("{}/acme/finish-login", app.base)).form(&[("SAMLResponse", b64("<not-saml/>"))]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The export's count is written when its stream ends, just after the last byte.
    let export_counted = r#"gatehouse_exports_total{format="csv",outcome="complete"}"#;
    wait_until(Duration::from_secs(10), "the export counted", || async { samples(&scrape().await).contains_key(export_counted) }).await;
    let m = samples(&scrape().await);
    let get = |k: &str| *m.get(k).unwrap_or_else(|| panic!("no sample {k} in:\n{}", m.keys().cloned().collect::<Vec<_>>().join("\n")));
    let healthz = r#"method="GET",route="/healthz",status="200""#;
    assert_eq!(get(&format!("gatehouse_http_requests_total{{{healthz}}}")), 3.0);
    assert_eq!(get(&format!("gatehouse_http_request_duration_seconds_count{{{healthz}}}")), 3.0);
    assert_eq!(get(&format!("gatehouse_http_request_duration_seconds_bucket{{{healthz},le=\"+Inf\"}}")), 3.0);
    assert!(get(&format!("gatehouse_http_request_duration_seconds_sum{{{healthz}}}")) > 0.0);
    assert_eq!(get(r#"gatehouse_http_requests_total{method="POST",route="/api/sign_in",status="400"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_http_requests_total{method="GET",route="/{org}/documents/{id}/{file}",status="200"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_sign_ins_total{method="password",outcome="success"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_sign_ins_total{method="password",outcome="failure"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_sign_ins_total{method="sso",outcome="failure"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_scim_operations_total{resource="Users",operation="create",outcome="success"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_scim_operations_total{resource="Users",operation="create",outcome="conflict"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_scim_operations_total{resource="Users",operation="get",outcome="not_found"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_scim_operations_total{resource="Users",operation="list",outcome="unauthorized"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_saml_failures_total{reason="unverified"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_exports_total{format="csv",outcome="complete"}"#), 1.0);
    assert_eq!(get(r#"gatehouse_export_bytes_total{format="csv"}"#), csv_bytes as f64);
    let sqlite = url.starts_with("sqlite");
    assert_eq!(get("gatehouse_db_pool_max_connections"), if sqlite { 8.0 } else { 16.0 });
    assert!(get(r#"gatehouse_db_pool_connections{state="idle"}"#) + get(r#"gatehouse_db_pool_connections{state="in_use"}"#) >= 1.0);
    if sqlite {
        assert_eq!(get("gatehouse_sqlite_writer_queue_depth"), 0.0, "nobody waits once the requests are answered");
        assert!(get("gatehouse_sqlite_writer_wait_seconds_count") >= 5.0, "every write transaction passed the queue");
    }
    let text = scrape().await;
    assert!(text.contains("# TYPE gatehouse_http_request_duration_seconds histogram"), "latencies are histograms");
    // The identity provider's certificate: seconds until it expires (the fixture's runs to 2036).
    let expiry = get(r#"gatehouse_idp_certificate_expiry_seconds{org="acme",certificate="current"}"#);
    assert!(expiry > 30.0 * 86400.0, "{expiry}");
    assert!(text.contains("# HELP gatehouse_sign_ins_total "));
}

#[tokio::test]
async fn json_log_lines_carry_request_fields_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let mut server = Server::start(&url, dir.path(), "server", &[("GATEHOUSE_LOG_FORMAT", "json"), ("RUST_LOG", "debug"), ("GATEHOUSE_TRUST_PROXY", "true")]).await;
    let app = server.app(&url).await;
    let mut secrets: Vec<String> = vec![ADMIN_PASSWORD.into(), "not the password".into()];

    app.setup_acme().await;
    let (_, res) = app.sign_in(ADMIN_EMAIL, "not the password").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (mut s, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sign_in_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    secrets.push(s.cookie.clone().expect("a session"));

    // A provisioning token (shown once), and an identity provider that sends a password.
    let token: Value = ok_json(app.call(&mut s, "create_provisioning_token", &[("org", "acme"), ("name", "okta"), ("acknowledged", "true")]).await).await;
    let token = token["token"].as_str().unwrap().to_string();
    secrets.push(app::store::scim_tokens::hash(&token));
    secrets.push(token.clone());
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "noor@acme.example", "password": "noor's IdP password 1"});
    let res = scim(&app, &token, reqwest::Method::POST, "/Users", Some(body)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let scim_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    secrets.push("noor's IdP password 1".into());

    // An invitation link, accepted with a password.
    let res = app.invite_viewer(&mut s, "val@acme.example").await;
    let invite_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let links: Value = ok_json(res).await;
    let invite = links[0]["link"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    assert_eq!(app.get(&Session::default(), &format!("/acme/invite/{invite}")).await.status(), StatusCode::OK);
    let res = app.call(&mut Session::default(), "accept_invitation", &[("org", "acme"), ("token", &invite), ("password", "val's new password"), ("password_confirm", "val's new password")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    secrets.push(invite);
    secrets.push("val's new password".into());

    // SSO for someone without an account: a signed response, a failure page with a reference.
    assert_eq!(app.call_json(&mut s, "save_authentication", settings()).await.status(), StatusCode::OK);
    let mut r = Resp::for_base(&app.base, None);
    r.name_id = "nobody@acme.example".into();
    let saml = b64(&r.signed());
    let res = app.http.post(format!("{}/acme/finish-login", app.base)).form(&[("SAMLResponse", saml.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let sso_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let page = res.text().await.unwrap();
    let reference = page.split("data-testid=\"sso-reference\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(reference, sso_id, "the page's reference is the request id");
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'auth.sso_failed'").fetch_one(&app.db).await.unwrap();
    assert!(detail.ends_with(&format!("reference: {sso_id}")), "the audit log has it too: {detail}");
    secrets.push(saml[saml.len() / 2..saml.len() / 2 + 40].to_string());
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email_norm = $1").bind(ADMIN_EMAIL).fetch_one(&app.db).await.unwrap();
    secrets.push(hash);
    secrets.push("$argon2id$".into());

    // A reverse proxy's request id is kept, so its log and ours can be matched.
    let res = app.http.get(format!("{}/acme/login", app.base)).header("x-request-id", "proxy-req-42").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "proxy-req-42");
    let res = app.call(&mut s, "sign_out", &[("org", "acme")]).await;
    assert_eq!(res.status(), StatusCode::OK);

    app.db.close().await;
    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(20)).await.expect("stopped").success());
    let log = server.log();
    let mut lines = Vec::new();
    for (n, line) in log.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON object a line ({e}): line {} is {line:?}; the whole log:\n{log}", n + 1));
        lines.push(v);
    }
    assert!(lines.len() > 20, "{log}");
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "the log holds a secret ({secret}):\n{}", log.lines().filter(|l| l.contains(secret.as_str())).collect::<Vec<_>>().join("\n"));
    }
    let access = |id: &str| lines.iter().find(|l| l["target"] == "gatehouse::access" && l["request_id"] == id).unwrap_or_else(|| panic!("no access line for {id}:\n{log}")).clone();
    let line = access(&sign_in_id);
    assert_eq!((line["org"].as_str(), line["route"].as_str(), line["method"].as_str(), line["status"].as_u64()), (Some("acme"), Some("/api/sign_in"), Some("POST"), Some(200)));
    assert!(line["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(line["timestamp"].is_string() && line["level"] == "INFO");
    let line = access(&scim_id);
    assert_eq!((line["org"].as_str(), line["route"].as_str(), line["status"].as_u64()), (Some("acme"), Some("/scim/v2/Users"), Some(201)), "SCIM's organization comes from its token");
    assert_eq!(access(&invite_id)["org"], "acme", "a server function's organization comes from its JSON body");
    assert_eq!(access(&sso_id)["route"], "/{org}/finish-login");
    assert_eq!(access("proxy-req-42")["route"], "/{org}/login");
    assert!(lines.iter().any(|l| l["target"] == "gatehouse::access" && l["route"] == "/{org}/invite/{token}"), "the invitation page is logged by its route, not its token");
    // The SSO failure's own log line is inside its request.
    let failure = lines.iter().find(|l| l["message"] == "SSO sign-in failed").expect("the SSO failure is logged");
    assert_eq!(failure["spans"][0]["request_id"], sso_id.as_str(), "{failure}");
    assert_eq!(failure["reference"], sso_id.as_str());
}

#[tokio::test]
async fn server_errors_name_their_request_id() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let token: Value = ok_json(app.call(&mut s, "create_provisioning_token", &[("org", "acme"), ("name", "okta"), ("acknowledged", "true")]).await).await;
    let token = token["token"].as_str().unwrap().to_string();
    let a = app.get(&Session::default(), "/acme/login").await;
    let b = app.get(&Session::default(), "/acme/login").await;
    let (a, b) = (a.headers()["x-request-id"].to_str().unwrap().to_string(), b.headers()["x-request-id"].to_str().unwrap().to_string());
    assert_ne!(a, b, "every request has its own id");
    assert_eq!(app.get(&Session::default(), "/acme/login").await.headers()["x-request-id"].len(), 9);
    // Without a trusted proxy (the default) a client cannot choose its id.
    let res = app.http.get(format!("{}/acme/login", app.base)).header("x-request-id", "chosen").send().await.unwrap();
    assert_ne!(res.headers()["x-request-id"], "chosen");

    // The database goes away: what people and identity providers read names the request.
    app.db.close().await;
    let res = app.call(&mut s, "me", &[("org", "acme")]).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let (_, e) = error_of(res).await;
    assert!(e.message.ends_with(&format!("Reference: {id}.")), "{}", e.message);
    let res = scim(&app, &token, reqwest::Method::GET, "/Users", None).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let v: Value = res.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().ends_with(&format!("Reference: {id}.")), "{v}");
    assert_eq!(v["status"], "500");
    let res = app.get(&Session::default(), "/healthz").await;
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(res.text().await.unwrap(), format!("database unavailable\nReference: {id}.\n"));
}

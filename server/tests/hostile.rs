//! Holding up when someone pushes: sign-in limits that are atomic, fair to
//! people behind one address, and keyed per IPv6 /64 (that nothing is hashed
//! before a request is known to be worth it is checked in hashing.rs, which
//! counts the process's hashes); every write through the writer queue;
//! requests for another host refused; the first run guarded by a setup code;
//! sessions that end when they should; bounded SCIM input; slow clients cut off;
//! visitors who leave before a page is sent.
use crate::common;

use app::domain::permissions::BuiltIn;
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A sign-in from `address` (the app trusts X-Forwarded-For), with the browser's device cookie if any.
async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str, device: Option<&str>) -> reqwest::Response {
    let mut req = app.http.post(format!("{}/api/sign_in", app.base)).header("origin", &app.base).header("x-forwarded-for", address).form(&[("org", "acme"), ("email", email), ("password", password)]);
    if let Some(d) = device {
        req = req.header("cookie", format!("gatehouse_device={d}"));
    }
    req.send().await.unwrap()
}

fn device_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers().get_all("set-cookie").iter().find_map(|v| v.to_str().ok()?.strip_prefix("gatehouse_device=").map(|r| r.split(';').next().unwrap().to_string()))
}

async fn behind_a_proxy() -> TestApp {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    app
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn guesses_that_arrive_together_get_exactly_the_allowed_attempts() {
    let app = behind_a_proxy().await;
    app.add_user("val@acme.example", "val's long password", BuiltIn::Viewer).await;
    // 20 guesses at once for one email, from 20 addresses.
    let guesses = (0..20).map(|i| {
        let (http, base) = (app.http.clone(), app.base.clone());
        tokio::spawn(async move {
            http.post(format!("{base}/api/sign_in"))
                .header("origin", &base)
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .form(&[("org", "acme"), ("email", "val@acme.example"), ("password", "a wrong guess")])
                .send()
                .await
                .unwrap()
        })
    });
    let mut statuses = Vec::new();
    for g in guesses.collect::<Vec<_>>() {
        let res = g.await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=900).contains(&wait), "Retry-After says when the window ends: {wait}");
        }
        statuses.push(res.status().as_u16());
    }
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 5, "exactly five were checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15, "{statuses:?}");
    let checked = count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in_failed' AND detail LIKE '%wrong password%'").await;
    assert_eq!(checked, 5);

    // Refused attempts do not move the window: once it ends, the person gets in.
    let res = sign_in_from(&app, "198.51.100.99", "val@acme.example", "val's long password", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "still inside the window");
    sqlx::query("UPDATE sign_in_limits SET window_start = '2000-01-01T00:00:00.000000Z'").execute(&app.db).await.unwrap();
    let res = sign_in_from(&app, "198.51.100.99", "val@acme.example", "val's long password", None).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn people_behind_a_shared_address_keep_signing_in_on_their_own_browsers() {
    let app = behind_a_proxy().await;
    let nat = "203.0.113.50";
    // The admin signed in from this browser before: it carries a device cookie.
    let res = sign_in_from(&app, nat, ADMIN_EMAIL, ADMIN_PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let device = device_cookie(&res).expect("a device cookie after signing in");
    // Someone behind the same NAT guesses at the admin's account, then at many others.
    for i in 0..36 {
        let email = if i < 6 { ADMIN_EMAIL.to_string() } else { format!("nobody{i}@acme.example") };
        sign_in_from(&app, nat, &email, "guess", None).await;
    }
    let res = sign_in_from(&app, nat, "someone@acme.example", "anything", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the address is over its limit");
    let res = sign_in_from(&app, nat, ADMIN_EMAIL, ADMIN_PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "a new browser is refused like anyone");
    // The admin's own browser still gets in: its attempts count for it alone.
    let res = sign_in_from(&app, nat, ADMIN_EMAIL, ADMIN_PASSWORD, Some(&device)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    // A device cookie is good only for the person it was made for, and only if it was made here.
    let res = sign_in_from(&app, nat, "someone@acme.example", "anything", Some(&device)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = sign_in_from(&app, nat, ADMIN_EMAIL, ADMIN_PASSWORD, Some("forged.cookie")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ipv6_clients_are_limited_per_64() {
    let app = behind_a_proxy().await;
    for i in 0..30u32 {
        let res = sign_in_from(&app, &format!("2001:db8:aa:bb:{i:x}::1"), &format!("p{i}@acme.example"), "guess", None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "attempt {i}");
    }
    let res = sign_in_from(&app, "2001:db8:aa:bb:ffff:1:2:3", "p99@acme.example", "guess", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "another address in the same /64");
    let res = sign_in_from(&app, "2001:db8:aa:bc::1", "p99@acme.example", "guess", None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the next /64 has its own budget");
}

#[tokio::test]
async fn the_setup_code_guards_the_first_run() {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    let code = app.setup_code().await;
    assert_eq!(code.len(), 9);
    let form = |c: &str, from: &str| {
        let (http, base, c, from) = (app.http.clone(), app.base.clone(), c.to_string(), from.to_string());
        async move { http.post(format!("{base}/api/run_setup")).header("origin", &base).header("x-forwarded-for", from).form(&setup_form(c.as_str())).send().await.unwrap() }
    };
    // Guessing from one address stops after ten tries.
    for _ in 0..10 {
        assert_eq!(form("ABCD-EFGH", "192.0.2.1").await.status(), StatusCode::BAD_REQUEST);
    }
    let res = form(&code, "192.0.2.1").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 0);
    // The operator, from anywhere, with the code as printed (any case, spaces).
    let res = form(&format!(" {} ", code.to_lowercase()), "192.0.2.2").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(app::store::secrets::get(&app.db, "setup_code").await.unwrap(), None, "the code is gone once used");
}

#[tokio::test]
async fn gatehouse_serve_prints_the_setup_code_while_no_organization_exists() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database_url(dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("serve")
        .env("GATEHOUSE_DATABASE_URL", &db)
        .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", dir.path())
        .env("GATEHOUSE_ALLOW_MISSING_SITE", "true")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut text = String::new();
    let mut buf = [0u8; 1024];
    let code = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let n = out.read(&mut buf).await.unwrap();
            assert!(n > 0, "the server stopped: {text}");
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
            if let Some(line) = text.lines().find(|l| l.contains("setup code")) {
                return line.split_whitespace().last().unwrap().to_string();
            }
        }
    })
    .await
    .expect("the code is printed");
    let base = format!("http://127.0.0.1:{port}");
    let res = reqwest::Client::new().post(format!("{base}/api/run_setup")).header("origin", &base).form(&setup_form(code.as_str())).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    child.kill().await.unwrap();
}

#[tokio::test]
async fn requests_for_another_host_are_refused() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let port = app.base.rsplit(':').next().unwrap().to_string();
    // A DNS-rebinding page: its own host name, pointed at this server.
    let evil = format!("evil.example:{port}");
    let res = app
        .http
        .post(format!("{}/api/sign_in", app.base))
        .header("host", &evil)
        .header("origin", format!("http://{evil}"))
        .form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(res.text().await.unwrap().contains(&app.base), "the message names the right address");
    let res = app.http.get(format!("{}/acme/login", app.base)).header("host", &evil).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::MISDIRECTED_REQUEST);
    // Monitors call the instance by its own address.
    let res = app.http.get(format!("{}/healthz", app.base)).header("host", &evil).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The origin must be the public URL's, whatever Host says.
    let res = app
        .http
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", format!("http://localhost:{port}"))
        .form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sessions_end_with_deactivation_for_good_with_saml_only_and_after_inactivity() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.add_user("val@acme.example", "val's long password", BuiltIn::Viewer).await;
    let val = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email_norm = 'val@acme.example'").fetch_one(&app.db).await.unwrap();
    let (mut old, _) = app.sign_in("val@acme.example", "val's long password").await;
    let me = |s: &mut Session| {
        let s = s.clone();
        let app = &app;
        async move { app.call(&mut s.clone(), "me", &[("org", "acme")]).await.status() }
    };
    assert_eq!(me(&mut old).await, StatusCode::OK);
    ok_json::<()>(app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": [val], "new_owner_id": null})).await).await;
    ok_json::<()>(app.call_json(&mut admin, "reactivate_users", json!({"org": "acme", "user_ids": [val]})).await).await;
    assert_eq!(me(&mut old).await, StatusCode::UNAUTHORIZED, "a session from before the deactivation stays over");
    let (mut new, res) = app.sign_in("val@acme.example", "val's long password").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(me(&mut new).await, StatusCode::OK);

    // Sign out after inactivity: 5 minutes.
    let settings = json!({"method": "password", "idp_login_url": "", "idp_certificate": "", "idp_issuer": "", "session_days": 30, "idle_timeout_secs": 300});
    let res = app.call_json(&mut admin, "save_authentication", json!({"org": "acme", "input": settings})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let bad = json!({"method": "password", "idp_login_url": "", "idp_certificate": "", "idp_issuer": "", "session_days": 30, "idle_timeout_secs": 60});
    let (st, e) = error_of(app.call_json(&mut admin, "save_authentication", json!({"org": "acme", "input": bad})).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("idle_timeout_secs")));
    assert_eq!(me(&mut new).await, StatusCode::OK, "active: still signed in");
    // Six minutes pass without a request from Val's browser.
    let six_minutes_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 360;
    let id = new.cookie.clone().unwrap();
    let data: String = sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
    // The stored record as text (its id is a 128-bit integer, which a JSON value would round).
    let (head, tail) = data.split_once("\"gatehouse.seen\":").expect("the session records when it was last used");
    let rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    let changed = format!("{head}\"gatehouse.seen\":{six_minutes_ago}{rest}");
    sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2").bind(changed).bind(&id).execute(&app.db).await.unwrap();
    assert_eq!(me(&mut new).await, StatusCode::UNAUTHORIZED, "signed out after inactivity");
    assert_eq!(me(&mut admin).await, StatusCode::OK, "the admin was active");
}

#[tokio::test]
async fn huge_member_lists_and_deep_filters_get_clear_answers() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let t = app.provisioning_token(&mut admin).await;
    let idp = Idp { app: &app, token: t.token };
    let (_, g) = idp.post("/Groups", json!({"displayName": "Everyone"})).await;
    let gid = g["id"].as_str().unwrap().to_string();
    // More ids than one SQL statement can bind (32,766 on SQLite).
    let members: Vec<serde_json::Value> = (0..33_000).map(|i| json!({"value": format!("x{i}")})).collect();
    let (st, v) = idp.patch(&format!("/Groups/{gid}?excludedAttributes=members"), json!([{"op": "add", "path": "members", "value": members}])).await;
    assert_eq!(st, StatusCode::OK, "unknown members are skipped, whatever their number: {v}");
    let deep = format!("{}userName eq \"a\"{}", "(".repeat(2000), ")".repeat(2000));
    let (st, v) = idp.get(&format!("/Users?filter={}", url::form_urlencoded::byte_serialize(deep.as_bytes()).collect::<String>())).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidFilter")));
}

#[tokio::test]
async fn a_client_that_sends_headers_slowly_is_cut_off() {
    let app = spawn_app_with(|s| s.request_timeout = Duration::from_secs(1)).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: ").await.unwrap();
    // …and nothing more. The server closes the connection.
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection was closed");
    // A well-behaved client is served as usual.
    assert_eq!(app.http.get(format!("{}/healthz", app.base)).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scim_creates_and_sign_ins_together_never_fail() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let t = app.provisioning_token(&mut admin).await;
    let mut work = Vec::new();
    for w in 0..8 {
        let (http, base, token) = (app.http.clone(), app.base.clone(), t.token.clone());
        work.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..40 {
                let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("load{w}-{i}@acme.example"), "active": true});
                let res = http.post(format!("{base}/scim/v2/Users")).bearer_auth(&token).json(&body).send().await.unwrap();
                statuses.push((res.status().as_u16(), res.text().await.unwrap()));
            }
            statuses
        }));
    }
    for _ in 0..4 {
        let (http, base) = (app.http.clone(), app.base.clone());
        work.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..10 {
                let res = http.post(format!("{base}/api/sign_in")).header("origin", &base).form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).send().await.unwrap();
                let cookie = res.headers().get_all("set-cookie").iter().find_map(|v| v.to_str().ok()?.strip_prefix("gatehouse_session=").map(|r| r.split(';').next().unwrap().to_string()));
                statuses.push((res.status().as_u16(), String::new()));
                let res = http
                    .post(format!("{base}/api/sign_out"))
                    .header("origin", &base)
                    .header("cookie", format!("gatehouse_session={}", cookie.unwrap_or_default()))
                    .form(&[("org", "acme")])
                    .send()
                    .await
                    .unwrap();
                statuses.push((res.status().as_u16(), res.text().await.unwrap()));
            }
            statuses
        }));
    }
    for w in work {
        for (status, body) in w.await.unwrap() {
            assert!(matches!(status, 200 | 201), "{status}: {body}");
        }
    }
    let created = count(&app, "SELECT COUNT(*) FROM users WHERE email_norm LIKE 'load%'").await;
    assert_eq!(created, 320);
}

#[tokio::test]
async fn visitors_who_leave_before_a_page_is_sent_leave_no_panic_behind() {
    use common::process::*;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let metrics = format!("127.0.0.1:{}", free_port());
    let mut server = Server::start(&url, dir.path(), "server", &[("GATEHOUSE_LOG_FORMAT", "json"), ("GATEHOUSE_METRICS_BIND", &metrics)]).await;
    let app = server.app(&url).await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let links: serde_json::Value = ok_json(app.invite_viewer(&mut s, "val@acme.example").await).await;
    let invite = links[0]["link"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    // Pages that wait for data before they are complete, each asked for and
    // left as soon as its status line arrives (a person clicking on, a client
    // that gives up), many times over.
    let pages = [
        (Session::default(), format!("/acme/invite/{invite}")),
        (Session::default(), "/acme/login".to_string()),
        (s.clone(), "/acme".to_string()),
        (s.clone(), "/acme/profile".to_string()),
        (s.clone(), "/acme/admin/users".to_string()),
    ];
    for _ in 0..30 {
        for (session, path) in &pages {
            let res = app.get(session, path).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            drop(res);
        }
    }
    // And read to the end: every page is still whole.
    for (session, path) in &pages {
        let body = app.get(session, path).await.text().await.unwrap();
        assert!(body.contains("</html>") && !body.contains("error-panel"), "{path}: {body}");
    }
    // The pages left early go on rendering after their visitors left, their
    // loads reading the database (every page here waits for data): they are
    // done, and anything they would log is in the log, once the server has
    // no database connection in use and no write waiting. Stopping earlier
    // would cut them off before they could show a panic.
    let sample = |text: &str, name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().parse::<f64>().unwrap());
    wait_until(Duration::from_secs(30), "the pages left early finish rendering (no database connection in use)", || async {
        let text = reqwest::get(format!("http://{metrics}/metrics")).await.unwrap().text().await.unwrap();
        let in_use = sample(&text, r#"gatehouse_db_pool_connections{state="in_use"} "#).unwrap_or_else(|| panic!("no pool gauge in:\n{text}"));
        // The writer queue is SQLite's (absent on PostgreSQL).
        in_use == 0.0 && sample(&text, "gatehouse_sqlite_writer_queue_depth ").unwrap_or(0.0) == 0.0
    })
    .await;
    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(20)).await.expect("stopped").success());
    let log = server.log();
    let panics: Vec<&str> = log.lines().filter(|l| l.contains("gatehouse::panic")).collect();
    assert!(panics.is_empty(), "{} panics while serving pages whose visitors left early, the first: {}", panics.len(), panics[0]);
}

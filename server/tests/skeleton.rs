//! The walking skeleton over HTTP: health, setup (page and CLI), sign-in and
//! sign-out, session rotation, permissions, same-origin rule, page guard.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::error::ErrorKind;
use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = spawn_app().await;
    let res = app.get(&Session::default(), "/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok\n");
    app.db.close().await;
    let res = app.get(&Session::default(), "/healthz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// The embedded SQLite is built with the options in .cargo/config.toml: without
/// STAT4 every look-up by a bound value was planned again (a SCIM GET spent more
/// time planning than reading), and without memory status and the shared page
/// cache pool, connections do not meet at process-wide locks.
#[tokio::test]
async fn embedded_sqlite_has_the_chosen_build_options() {
    let dir = tempfile::tempdir().unwrap();
    let db = app::store::connect(&format!("sqlite://{}/options.db", dir.path().display())).await.unwrap();
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options").fetch_all(&db).await.unwrap();
    assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
    assert!(!options.iter().any(|o| o == "ENABLE_STAT4"), "STAT4 is on: is .cargo/config.toml's LIBSQLITE3_FLAGS used? {options:?}");
    assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
}

#[tokio::test]
async fn every_page_leads_to_setup_until_an_organization_exists() {
    let app = spawn_app().await;
    for path in ["/", "/acme", "/acme/admin/account", "/whatever/login"] {
        let res = app.get(&Session::default(), path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()["location"], "/setup", "{path}");
    }
    let res = app.get(&Session::default(), "/setup").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Welcome to Gatehouse"));
}

/// What the first-run page asks the server before it shows its form: no
/// organization yet, then, once setup has run, the organization's address
/// (the page then says setup is closed). Anyone may ask: nobody is signed in
/// before the first run.
#[tokio::test]
async fn setup_status_says_whether_an_organization_exists() {
    use app::domain::views::SetupStatus;
    let app = spawn_app().await;
    let before: SetupStatus = ok_json(app.call(&mut Session::default(), "setup_status", &[]).await).await;
    assert_eq!(before.existing_org, None);
    app.setup_acme().await;
    let after: SetupStatus = ok_json(app.call(&mut Session::default(), "setup_status", &[]).await).await;
    assert_eq!(after.existing_org.as_deref(), Some("acme"));
    // From another site it is refused, as every server function is.
    let res = app.http.post(format!("{}/api/setup_status", app.base)).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn setup_page_creates_the_organization_once() {
    let app = spawn_app().await;
    app.setup_acme().await;
    assert_eq!(app.get(&Session::default(), "/").await.headers()["location"], "/acme");

    // A second setup is refused and changes nothing.
    let mut s = Session::default();
    let res = app
        .call(
            &mut s,
            "run_setup",
            &[
                ("org_name", "Other"),
                ("org_slug", "other"),
                ("first_name", "O"),
                ("last_name", "P"),
                ("email", "o@other.example"),
                ("password", "another long secret"),
                ("password_confirm", "another long secret"),
            ],
        )
        .await;
    let (status, e) = error_of(res).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(e.message.contains("already set up"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 1);
    assert!(app.get(&Session::default(), "/setup").await.text().await.unwrap().contains("already set up"));
    assert!(app.audit_actions().await.iter().any(|(a, t, _)| a == "org.setup" && t == ADMIN_EMAIL));
}

#[tokio::test]
async fn setup_refuses_bad_input_and_changes_nothing() {
    let app = spawn_app().await;
    let code = app.setup_code().await;
    let good = setup_form(code.as_str());
    let cases: &[(&str, &str, &str)] = &[
        ("setup_code", "WRONG-CODE", "setup_code"),
        ("setup_code", "", "setup_code"),
        ("org_slug", "Not A Slug!", "org_slug"),
        ("org_slug", "setup", "org_slug"),
        ("org_name", "   ", "org_name"),
        ("email", "not-an-email", "email"),
        ("password", "short", "password"),
        ("password", "password123", "password"),
        ("password_confirm", "something else entirely", "password_confirm"),
    ];
    for (key, value, field) in cases {
        let mut form: Vec<(&str, &str)> = good.to_vec();
        for f in form.iter_mut().filter(|f| f.0 == *key) {
            f.1 = value;
        }
        if *key == "password" {
            for f in form.iter_mut().filter(|f| f.0 == "password_confirm") {
                f.1 = value;
            }
        }
        let (status, e) = error_of(app.call(&mut Session::default(), "run_setup", &form).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}={value}");
        assert_eq!(e.field.as_deref(), Some(*field), "{key}={value}: {}", e.message);
        assert!(!e.message.is_empty());
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 0, "bad input created nothing");
}

#[tokio::test]
async fn setup_command_creates_the_organization_without_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "a long enough secret\n").unwrap();
    let db = fresh_database_url(dir.path()).await;
    let run = |org: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["setup", "--org", org, "--name", "Acme", "--admin-email", "ops@acme.example", "--admin-password-file"])
            .arg(&pw)
            .env("GATEHOUSE_DATABASE_URL", &db)
            .output()
            .unwrap()
    };
    let out = run("acme");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/acme/login"));
    let again = run("beta");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already set up"));

    // The admin it created can sign in.
    let settings = gatehouse_server::Settings { database_url: db.clone(), site_root: "site".into(), ..Default::default() };
    let conn = gatehouse_server::open_database(&db).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = gatehouse_server::build_app(&settings, conn, addr).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap() });
    let res = reqwest::Client::new().post(format!("http://{addr}/api/sign_in")).form(&[("org", "acme"), ("email", "OPS@acme.example"), ("password", "a long enough secret")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_with_password_and_out() {
    let app = spawn_app().await;
    app.setup_acme().await;

    // Wrong password and unknown email get the same message.
    let (_, wrong) = app.sign_in(ADMIN_EMAIL, "not the password").await;
    let (s1, e1) = error_of(wrong).await;
    let (_, unknown) = app.sign_in("nobody@acme.example", "not the password").await;
    let (s2, e2) = error_of(unknown).await;
    assert_eq!((s1, s2), (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST));
    assert_eq!(e1.message, e2.message);

    let (mut s, res) = app.sign_in("ADA@acme.example", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["location"], "/acme");
    let cookie = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with("gatehouse_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http base URL: no Secure flag");

    let me: app::domain::views::Me = app.call(&mut s, "me", &[("org", "acme")]).await.json().await.unwrap();
    assert_eq!(me.email, ADMIN_EMAIL);
    assert_eq!(me.account_type, "Admin");
    assert!(me.is_admin);
    assert_eq!(app.get(&s, "/acme").await.status(), StatusCode::OK);

    let res = app.call(&mut s, "sign_out", &[("org", "acme")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, e) = error_of(app.call(&mut s, "me", &[("org", "acme")]).await).await;
    assert_eq!((status, e.kind), (StatusCode::UNAUTHORIZED, ErrorKind::Unauthenticated));

    let actions = app.audit_actions().await;
    let failed: Vec<_> = actions.iter().filter(|a| a.0 == "auth.sign_in_failed").collect();
    assert_eq!(failed.len(), 2);
    assert!(failed[0].2.contains("wrong password"), "{failed:?}");
    assert!(failed[1].2.contains("no account"), "{failed:?}");
    assert!(actions.iter().any(|a| a.0 == "auth.sign_in"));
    assert!(actions.iter().any(|a| a.0 == "auth.sign_out"));
}

#[tokio::test]
async fn sign_in_follows_only_relative_return_paths() {
    let app = spawn_app().await;
    app.setup_acme().await;
    for (next, expect) in [("/acme/admin/audit?page=2", "/acme/admin/audit?page=2"), ("//evil.example/x", "/acme"), ("https://evil.example", "/acme")] {
        let mut s = Session::default();
        let res = app.call(&mut s, "sign_in", &[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", next)]).await;
        assert_eq!(res.headers()["location"], expect, "next={next}");
    }
}

#[tokio::test]
async fn session_id_rotates_at_sign_in() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let first = s.cookie.clone().unwrap();
    let res = app.call(&mut s, "sign_in", &[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = s.cookie.clone().unwrap();
    assert_ne!(first, second, "a new session id at sign-in");
    let mut old = Session { cookie: Some(first) };
    let (status, _) = error_of(app.call(&mut old, "me", &[("org", "acme")]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old id no longer works");
    let res = app.call(&mut s, "me", &[("org", "acme")]).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_are_rate_limited() {
    let app = spawn_app().await;
    app.setup_acme().await;
    for _ in 0..5 {
        let (_, res) = app.sign_in(ADMIN_EMAIL, "wrong password!").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let (status, e) = error_of(res).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(e.message.contains("Try again in 15 minutes"), "{}", e.message);
    assert!((890..=900).contains(&retry_after), "the window's end: {retry_after}");
}

#[tokio::test]
async fn non_admins_are_refused_by_every_admin_server_function() {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    app.add_user("casey@acme.example", "creator password 1", BuiltIn::Creator).await;
    let calls: &[(&str, &[(&str, &str)])] = &[("account_details", &[("org", "acme")]), ("update_org_name", &[("org", "acme"), ("name", "Hijacked")]), ("audit_events", &[("org", "acme")])];
    for (email, pw) in [("val@acme.example", "viewer password 1"), ("casey@acme.example", "creator password 1")] {
        let (mut s, res) = app.sign_in(email, pw).await;
        assert_eq!(res.status(), StatusCode::OK);
        let me: app::domain::views::Me = app.call(&mut s, "me", &[("org", "acme")]).await.json().await.unwrap();
        assert!(!me.is_admin);
        for (endpoint, form) in calls {
            let (status, e) = error_of(app.call(&mut s, endpoint, form).await).await;
            assert_eq!((status, e.kind), (StatusCode::FORBIDDEN, ErrorKind::Forbidden), "{email} {endpoint}");
        }
        let res = app.get(&s, "/acme/admin/account").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(res.text().await.unwrap().contains("Only administrators"));
    }
    for (endpoint, form) in calls {
        let (status, _) = error_of(app.call(&mut Session::default(), endpoint, form).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{endpoint} signed out");
    }
    let org = app::store::orgs::by_slug(&app.db, "acme").await.unwrap().unwrap();
    assert_eq!(org.name, "Acme", "nothing changed");
}

#[tokio::test]
async fn admins_rename_the_organization_and_it_is_audited() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let (status, e) = error_of(app.call(&mut s, "update_org_name", &[("org", "acme"), ("name", "  ")]).await).await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("name")));
    let res = app.call(&mut s, "update_org_name", &[("org", "acme"), ("name", "Acme Corporation")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let d: app::domain::views::AccountDetails = app.call(&mut s, "account_details", &[("org", "acme")]).await.json().await.unwrap();
    assert_eq!(d.org_name, "Acme Corporation");
    assert_eq!(d.account_url, format!("{}/acme", app.base));
    assert_eq!(d.deployment, "Self-hosted");
    let audit: app::domain::views::AuditPage = app.call(&mut s, "audit_events", &[("org", "acme"), ("action", "org.updated")]).await.json().await.unwrap();
    assert_eq!(audit.total, 1);
    assert!(audit.events[0].detail.contains("Acme Corporation"));
}

#[tokio::test]
async fn audit_log_filters_and_pages_on_the_server() {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    for _ in 0..3 {
        app.sign_in("val@acme.example", "viewer password 1").await;
    }
    let mut s = app.admin_session().await;
    let all: app::domain::views::AuditPage = app.call(&mut s, "audit_events", &[("org", "acme")]).await.json().await.unwrap();
    assert_eq!(all.total, 5, "setup, 3 sign-ins by Val, 1 by the admin");
    assert_eq!(all.events[0].action, "auth.sign_in");
    assert!(all.events.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let val: app::domain::views::AuditPage = app.call(&mut s, "audit_events", &[("org", "acme"), ("person", "VAL@")]).await.json().await.unwrap();
    assert_eq!(val.total, 3);
    for i in 0..30 {
        let _ = i;
        app.sign_in("val@acme.example", "viewer password 1").await;
    }
    let p2: app::domain::views::AuditPage = app.call(&mut s, "audit_events", &[("org", "acme"), ("page", "2")]).await.json().await.unwrap();
    assert_eq!((p2.page, p2.page_count, p2.events.len()), (2, 2, 10));
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let form = [("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];
    let url = format!("{}/api/sign_in", app.base);
    let evil = app.http.post(&url).header("origin", "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    assert!(evil.headers().get("set-cookie").is_none());
    let cross = app.http.post(&url).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let same = app.http.post(&url).header("sec-fetch-site", "same-origin").header("origin", &app.base).form(&form).send().await.unwrap();
    assert_eq!(same.status(), StatusCode::OK);
    assert_eq!(app.audit_actions().await.iter().filter(|a| a.0 == "auth.sign_in").count(), 1, "only the same-origin one signed in");
}

#[tokio::test]
async fn pages_send_signed_out_visitors_to_sign_in_and_back() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let res = app.get(&Session::default(), "/acme/admin/audit?page=2").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/acme/login?next=/acme/admin/audit%3Fpage%3D2");
    let res = app.get(&Session::default(), "/acme/login").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Sign in to") && html.contains("Acme"));
    assert_eq!(app.get(&Session::default(), "/nope/login").await.status(), StatusCode::NOT_FOUND);

    let s = app.admin_session().await;
    let res = app.get(&s, "/acme/admin/account").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("{}/acme", app.base)), "Account URL shown");
    let res = app.get(&s, "/acme").await;
    let headers = res.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(res.text().await.unwrap().contains(ADMIN_EMAIL));
}

/// A site as scripts/build.sh writes it: the bundle in a folder named by its
/// content (named in pkg/bundle.txt), brotli/gzip copies beside each file.
fn built_site(dir: &std::path::Path) {
    let pkg = dir.join("pkg");
    let bundle = pkg.join("0123456789abcdef");
    std::fs::create_dir_all(&bundle).unwrap();
    let files = [
        (&bundle, "gatehouse.js", "export default function(){}"),
        (&bundle, "gatehouse_bg.wasm", "\0asm"),
        (&bundle, "split___users_route_view_1.wasm", "\0asm"),
        (&bundle, "gatehouse.css", "body{}"),
        (&pkg, "gatehouse.css", "body{}"),
    ];
    for (folder, name, body) in files {
        std::fs::write(folder.join(name), body).unwrap();
        std::fs::write(folder.join(format!("{name}.br")), format!("brotli of {name}")).unwrap();
        std::fs::write(folder.join(format!("{name}.gz")), format!("gzip of {name}")).unwrap();
    }
    std::fs::write(pkg.join("bundle.txt"), "0123456789abcdef\n").unwrap();
}

#[tokio::test]
async fn sign_in_pages_come_without_the_bundle_and_assets_are_compressed_and_cached() {
    let site = tempfile::tempdir().unwrap();
    built_site(site.path());
    let root = site.path().display().to_string();
    let app = spawn_app_with(|s| s.site_root = root).await;
    app.setup_acme().await;
    let s = app.admin_session().await;

    // The sign-in page is a plain form: the stylesheet from the bundle's folder, no script bundle.
    let login = app.get(&Session::default(), "/acme/login").await.text().await.unwrap();
    assert!(login.contains(r#"href="/pkg/0123456789abcdef/gatehouse.css""#), "{login}");
    assert!(!login.contains(".wasm") && !login.contains("gatehouse.js"), "the sign-in page loads no bundle: {login}");
    assert!(login.contains(r#"<body data-hydrated="true">"#));
    assert!(login.contains("<form") && !login.contains("<template"), "the sign-in form is in the page as sent, not streamed for a script to move: {login}");
    // Pages that need the app load it from the bundle's folder.
    let users = app.get(&s, "/acme/admin/users").await.text().await.unwrap();
    assert!(users.contains("/pkg/0123456789abcdef/gatehouse.js") && users.contains("/pkg/0123456789abcdef/gatehouse_bg.wasm"), "{users}");
    assert!(users.contains(r#"href="/pkg/0123456789abcdef/gatehouse.css""#));

    let fetch = |path: &'static str, accept: &'static str| {
        let req = app.http.get(format!("{}{path}", app.base));
        async move { if accept.is_empty() { req } else { req.header("accept-encoding", accept) }.send().await.unwrap() }
    };
    // Files in the content-named folder: the copy made at build time, kept for a year.
    let res = fetch("/pkg/0123456789abcdef/gatehouse_bg.wasm", "br, gzip").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.text().await.unwrap(), "brotli of gatehouse_bg.wasm");
    let res = fetch("/pkg/0123456789abcdef/split___users_route_view_1.wasm", "gzip").await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    let res = fetch("/pkg/0123456789abcdef/gatehouse.js", "gzip").await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let res = fetch("/pkg/0123456789abcdef/gatehouse.css", "").await;
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.text().await.unwrap(), "body{}");
    // A plain name may change with the next build: checked again on each use.
    let res = fetch("/pkg/gatehouse.css", "br").await;
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(fetch("/pkg/nothing-here.js", "").await.status(), StatusCode::NOT_FOUND);

    // Pages and JSON are compressed as they are sent, when the client accepts it.
    let res = app.http.get(format!("{}/acme/login", app.base)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let bytes = res.bytes().await.unwrap();
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut html).unwrap();
    assert!(html.contains("Sign in to"), "{html}");
    let res = app.http.get(format!("{}/acme/login", app.base)).send().await.unwrap();
    assert!(res.headers().get("content-encoding").is_none(), "not without Accept-Encoding");
}

/// Several apps in one process, as these tests run them: starting one must not
/// stall the pages another is rendering (working out the routes switches off
/// data loading for the whole process while it runs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_another_app_in_the_process_stalls_no_page() {
    let app = std::sync::Arc::new(spawn_app().await);
    app.setup_acme().await;
    let s = app.admin_session().await;
    for _ in 0..8 {
        let mut pages = Vec::new();
        for _ in 0..20 {
            let (app, s) = (app.clone(), s.clone());
            pages.push(tokio::spawn(async move {
                let page = async { app.get(&s, "/acme/admin/users").await.text().await.unwrap() };
                // A bound for a hang only: the page takes milliseconds.
                tokio::time::timeout(std::time::Duration::from_secs(60), page).await.expect("the Users page was never finished")
            }));
        }
        let url = app.db_url.clone();
        let others = tokio::spawn(async move {
            for _ in 0..10 {
                drop(common::process::spawn_app_on(&url).await);
            }
        });
        for p in pages {
            assert!(p.await.unwrap().contains("</html>"));
        }
        others.await.unwrap();
    }
}

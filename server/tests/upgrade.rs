//! Upgrades: a database written by release 0.1.0 (server/tests/fixtures/upgrade,
//! made by scripts/make-upgrade-fixture.sh) is migrated by this code at start
//! and served whole: every page, the server functions, SCIM with the old
//! token, SSO with the old settings, and not one row lost. On the SQLite pass
//! the SQLite file, on the PostgreSQL pass the PostgreSQL dump. And migrations
//! that fail leave the database as it was.
use crate::common;

use common::process::*;
use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

/// Every table and its row count, without migrating.
async fn row_counts(url: &str) -> BTreeMap<String, i64> {
    let db = app::store::connect(url).await.unwrap();
    let tables: Vec<String> = if url.starts_with("sqlite") {
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetch_all(&db).await.unwrap()
    } else {
        sqlx::query_scalar(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&db)
        .await
        .unwrap()
    };
    let mut counts = BTreeMap::new();
    for t in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&db).await.unwrap();
        counts.insert(t.trim_start_matches("public.").to_string(), n);
    }
    db.close().await;
    counts
}

/// A copy of the 0.1.0 database to upgrade, and the SCIM token it was made with.
async fn old_database(dir: &Path) -> (String, String) {
    let facts: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("v0.1.0.json")).unwrap()).unwrap();
    if on_postgres() {
        let url = new_pg_database().await;
        let out = tokio::process::Command::new(pg_tool("psql")).args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f"]).arg(fixtures().join("v0.1.0.postgres.sql")).output().await.unwrap();
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        (url, facts["scim_token"]["postgres"].as_str().unwrap().to_string())
    } else {
        let path = dir.join("gatehouse.db");
        std::fs::copy(fixtures().join("v0.1.0.db"), &path).unwrap();
        (format!("sqlite://{}", path.display()), facts["scim_token"]["sqlite"].as_str().unwrap().to_string())
    }
}

async fn id_of(db: &app::store::Db, sql: &str, key: &str) -> String {
    sqlx::query_scalar(sql).bind(key).fetch_one(db).await.unwrap_or_else(|e| panic!("{sql} {key}: {e}"))
}

#[tokio::test]
async fn a_database_of_release_0_1_0_is_migrated_and_served_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (url, token) = old_database(dir.path()).await;
    let before = row_counts(&url).await;
    assert_eq!(before["users"], 7, "the fixture: {before:?}");
    assert_eq!(before["audit_events"], 37);

    let db = gatehouse_server::open_database(&url).await.expect("the current code migrates it");
    db.close().await;
    let after = row_counts(&url).await;
    for (table, n) in &before {
        // Sessions expire and are cleaned away; the migrations table grows with every release;
        // SSO requests in flight (valid for minutes) moved into a signed cookie and their table went.
        if table.contains("session") || table == "_sqlx_migrations" || table == "saml_requests" {
            continue;
        }
        assert_eq!(after.get(table), Some(n), "rows of {table} after the upgrade");
    }
    assert!(after["_sqlx_migrations"] >= before["_sqlx_migrations"]);

    let app = spawn_app_on(&url).await;
    let db = &app.db;
    let noor = id_of(db, "SELECT id FROM users WHERE email_norm = $1", "noor@acme.example").await;
    let engineering = id_of(db, "SELECT id FROM teams WHERE name = $1", "Engineering").await;
    let no_export = id_of(db, "SELECT id FROM account_types WHERE name = $1", "Creator - No Export").await;
    let doc = id_of(db, "SELECT id FROM documents WHERE name = $1", "Revenue by region").await;

    // The admin's password (an argon2id hash written by 0.1.0) still signs in; so does a person's.
    let (_, res) = app.sign_in(ADMIN_EMAIL, "fixture admin password").await;
    assert_eq!(res.status(), StatusCode::OK);
    let (mut s, _) = app.sign_in(ADMIN_EMAIL, "fixture admin password").await;
    let (_, res) = app.sign_in("val@acme.example", "fixture people password").await;
    assert_eq!(res.status(), StatusCode::OK);

    // Every page.
    assert_eq!(app.get(&Session::default(), "/acme/login").await.status(), StatusCode::OK);
    for page in [
        "/acme".to_string(),
        "/acme/profile".into(),
        format!("/acme/documents/{doc}"),
        "/acme/admin/account".into(),
        "/acme/admin/audit".into(),
        "/acme/admin/authentication".into(),
        "/acme/admin/account-types".into(),
        format!("/acme/admin/account-types/{no_export}"),
        "/acme/admin/users".into(),
        format!("/acme/admin/users/{noor}"),
        "/acme/admin/teams".into(),
        format!("/acme/admin/teams/{engineering}"),
    ] {
        let res = app.get(&s, &page).await;
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("data-testid=\"error-panel\""), "{page} shows an error");
        if page.contains("users") || page.contains("audit") || page.contains(&engineering) {
            assert!(html.contains("noor@acme.example"), "{page} shows the people 0.1.0 knew");
        }
    }

    // What the pages show, through their server functions.
    let users: Value = ok_json(app.call_json(&mut s, "users", json!({"org": "acme", "query": {"search": "", "account_type": "", "status": "all", "sort": "", "page": 1}})).await).await;
    assert_eq!(users["total"], 7);
    let emails: Vec<&str> = users["users"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    for e in ["ada@acme.example", "casey@acme.example", "val@acme.example", "perry@acme.example", "noor@acme.example", "lee@acme.example", "kim@acme.example"] {
        assert!(emails.contains(&e), "{e} in {emails:?}");
    }
    let noor_row = users["users"].as_array().unwrap().iter().find(|u| u["email"] == "noor@acme.example").unwrap();
    assert_eq!((noor_row["origin"].as_str(), noor_row["account_type"].as_str()), (Some("scim"), Some("Creator")));
    let types: Value = ok_json(app.call(&mut s, "account_types", &[("org", "acme")]).await).await;
    assert_eq!(types.as_array().unwrap().len(), 4);
    let mut names = Vec::new();
    for inactive in ["false", "true"] {
        let teams: Value = ok_json(app.call(&mut s, "teams", &[("org", "acme"), ("inactive", inactive)]).await).await;
        names.extend(teams.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()));
    }
    names.sort();
    assert_eq!(names, ["Analytics", "Contractors", "Engineering", "Finance"]);
    let home: Value = ok_json(app.call(&mut s, "documents", &[("org", "acme")]).await).await;
    assert_eq!(home["archived"][0]["name"], "Casey Creator", "{home}");
    assert_eq!(home["archived"][0]["documents"][0]["name"], "Revenue by region", "Casey's document in the admin's Archived users: {home}");
    let page: Value = ok_json(app.call_json(&mut s, "document", json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": null}})).await).await;
    assert_eq!(page["total"], 5);
    let csv = app.get(&s, &format!("/acme/documents/{doc}/export.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains("North,Q2,1410.25"));
    let audit: Value = ok_json(app.call(&mut s, "audit_events", &[("org", "acme")]).await).await;
    assert!(audit["total"].as_i64().unwrap() >= 37, "{audit}");
    // The log 0.1.0 wrote reads in words: people by name (its identity
    // provider's memberships named them by id), permissions by their labels,
    // counts in the right number.
    let sentences: Vec<String> = app.audit_log(&mut s, None).await.iter().map(|e| e.sentence.text()).collect();
    for said in [
        "Added Noor Haddad to Engineering",
        "Changed Val Viewer's account type from Creator to Viewer",
        "Invited Perry Pending with the account type Creator and added them to 1 team",
        "Updated Lee Park with no changes",
        "Created the account type Creator - No Export with 5 permissions: “View documents”, “Explore documents (filter, sort, pivot)”, \
         “Create, edit and publish documents”, “Upload CSV” and “Share documents”",
        "Moved Casey Creator's 2 documents to Ada Admin: “Analytics revenue”, “Revenue by region”",
    ] {
        assert!(sentences.iter().any(|x| x == said), "{said:?} in {sentences:#?}");
    }
    assert!(sentences.iter().all(|x| !x.contains(" → ") && !x.contains("view_documents")), "{sentences:#?}");
    let auth: Value = ok_json(app.call(&mut s, "authentication", &[("org", "acme")]).await).await;
    assert_eq!(auth["method"], "SamlOrPassword");
    assert_eq!(auth["session_days"], 14);
    let hooks: Value = ok_json(app.call(&mut s, "webhook_destinations", &[("org", "acme")]).await).await;
    assert_eq!(hooks.as_array().unwrap().len(), 1);

    // SCIM with the token 0.1.0 issued.
    let scim = |method: reqwest::Method, path: &str| app.http.request(method, format!("{}/scim/v2{path}", app.base)).bearer_auth(&token);
    let found: Value = scim(reqwest::Method::GET, "/Users?filter=userName%20eq%20%22noor@acme.example%22").send().await.unwrap().json().await.unwrap();
    assert_eq!(found["totalResults"], 1, "{found}");
    assert_eq!(found["Resources"][0]["externalId"], "okta-noor");
    assert_eq!(found["Resources"][0]["groups"][0]["display"], "Engineering");
    let group: Value = scim(reqwest::Method::GET, &format!("/Groups/{engineering}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(group["members"].as_array().unwrap().len(), 2, "{group}");
    let lee: Value = scim(reqwest::Method::GET, "/Users?filter=userName%20eq%20%22lee@acme.example%22").send().await.unwrap().json().await.unwrap();
    assert_eq!(lee["Resources"][0]["active"], false);
    let kim = id_of(db, "SELECT id FROM users WHERE email_norm = $1", "kim@acme.example").await;
    assert_eq!(scim(reqwest::Method::GET, &format!("/Users/{kim}")).send().await.unwrap().status(), StatusCode::NOT_FOUND, "deleted over SCIM: stays gone");
    let created = scim(reqwest::Method::POST, "/Users").json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "new@acme.example"})).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let new_id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let patched = scim(reqwest::Method::PATCH, &format!("/Groups/{engineering}"))
        .json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": new_id}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(patched.json::<Value>().await.unwrap()["members"].as_array().unwrap().len(), 3);

    // SSO with the identity provider settings 0.1.0 saved.
    let mut r = Resp::for_base(&app.base, None);
    r.name_id = "noor@acme.example".into();
    let res = common::saml_idp::post_as_browser(&app, &b64(&r.signed()), None, None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
}

/// Copies this code's migrations to `dir`, plus `extra` as `20261130009900_extra.sql`.
fn migrations_with(dir: &Path, extra: &str) -> PathBuf {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let to = dir.join("migrations");
    std::fs::create_dir_all(&to).unwrap();
    for f in std::fs::read_dir(&real).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(to.join("20261130009900_extra.sql"), extra).unwrap();
    to
}

/// Runs the migrations of `dir` as a start of Gatehouse would, on a connection
/// of its own: sqlx keeps PostgreSQL's migration lock on the connection when a
/// migration fails (a failed start exits, which ends the connection).
async fn migrate_from(url: &str, dir: &Path) -> Result<(), sqlx::migrate::MigrateError> {
    use sqlx::Connection;
    let migrator = sqlx::migrate::Migrator::new(dir).await?;
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let result = migrator.run(&mut conn).await;
    let _ = conn.close().await;
    result
}

#[tokio::test]
async fn a_migration_that_fails_halfway_leaves_the_database_as_it_was() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    for f in std::fs::read_dir(&real).unwrap() {
        let f = f.unwrap().path();
        let sql = std::fs::read_to_string(&f).unwrap();
        assert!(!sql.contains("no-transaction"), "{}: every migration runs in a transaction", f.display());
    }

    let app = spawn_app().await;
    app.setup_acme().await;
    let dir = tempfile::tempdir().unwrap();
    // Its first statements succeed, the last one fails.
    let broken = migrations_with(
        dir.path(),
        "CREATE TABLE half_done (x BIGINT);\n\
         UPDATE organizations SET name = 'Changed by a broken migration';\n\
         INSERT INTO half_done (x) SELECT COUNT(*) FROM no_such_table;\n",
    );
    assert!(migrate_from(&app.db_url, &broken).await.is_err());
    let name: String = sqlx::query_scalar("SELECT name FROM organizations").fetch_one(&app.db).await.unwrap();
    assert_eq!(name, "Acme", "the failed migration's update was rolled back");
    assert!(sqlx::query("SELECT x FROM half_done").fetch_all(&app.db).await.is_err(), "its table was rolled back");
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = 20261130009900").fetch_one(&app.db).await.unwrap();
    assert_eq!(recorded, 0, "not recorded as applied");

    // Fixed, it runs at the next start, once.
    std::fs::write(broken.join("20261130009900_extra.sql"), "CREATE TABLE half_done (x BIGINT);\nINSERT INTO half_done (x) VALUES (1);\n").unwrap();
    migrate_from(&app.db_url, &broken).await.unwrap();
    migrate_from(&app.db_url, &broken).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM half_done").fetch_one(&app.db).await.unwrap();
    assert_eq!(rows, 1, "applied once");

    // That database is now newer than this code: it says so rather than serving it.
    let e = gatehouse_server::open_database(&app.db_url).await.err().expect("refused");
    assert!(e.to_string().contains("upgraded by a newer Gatehouse (its migration 20261130009900 is unknown"), "{e}");
}

//! Clients that hang up: a mix of writes — password sign-ins, SCIM creates
//! and PATCHes, admin saves, exports — whose clients close the connection
//! after a random 0–50 ms, so requests are cut off at every await the server
//! has (inside `BEGIN`, between a statement and its commit, during a hash).
//! Afterwards every write works, no connection is left inside a
//! transaction (on SQLite: the database's write lock is free; on PostgreSQL:
//! no session of the database is idle in a transaction), and no more
//! passwords were hashed at once than the limit allows. A request's work
//! ends the way its code says whatever its client does (docs/architecture.md,
//! "Cancellation").
use crate::common;

use app::domain::permissions::BuiltIn;
use common::*;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const PW: &str = "a long enough password";

/// What the burst's clients do, one request each.
#[derive(Clone, Copy, Debug)]
enum Write {
    WrongPassword,
    RightPassword,
    ScimCreate,
    ScimPatch,
    AdminSave,
    Export,
}

const MIX: [Write; 6] = [Write::WrongPassword, Write::RightPassword, Write::ScimCreate, Write::ScimPatch, Write::AdminSave, Write::Export];

struct World {
    app: TestApp,
    admin: Session,
    creator: Session,
    doc: String,
    token: String,
    /// SCIM ids of people the burst PATCHes.
    provisioned: Vec<String>,
    viewer_type: String,
}

async fn world() -> World {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.add_user("cleo@acme.example", PW, BuiltIn::Creator).await;
    // Signs in after the burst (whose guesses may have used up p0–p9's attempts).
    app.add_user("quinn@acme.example", PW, BuiltIn::Viewer).await;
    for i in 0..10 {
        app.add_user(&format!("p{i}@acme.example"), PW, BuiltIn::Viewer).await;
    }
    let (mut creator, res) = app.sign_in("cleo@acme.example", PW).await;
    assert_eq!(res.status(), StatusCode::OK);
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, 2_000).await.unwrap();
    let doc: String = ok_json(app.call(&mut creator, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &dataset)]).await).await;
    let t = app.provisioning_token(&mut admin).await;
    let idp = Idp { app: &app, token: t.token.clone() };
    let mut provisioned = Vec::new();
    for i in 0..5 {
        let (st, v) = idp.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("okta{i}@acme.example"), "active": true})).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        provisioned.push(v["id"].as_str().unwrap().to_string());
    }
    let viewer_type = app::store::account_types::built_in(&app.db, &app.org_id().await, BuiltIn::Viewer).await.unwrap().id;
    World { app, admin, creator, doc, token: t.token, provisioned, viewer_type }
}

impl World {
    /// The request `w` makes, as client number `n` (its own address).
    fn request(&self, w: Write, n: usize) -> reqwest::RequestBuilder {
        let (http, base) = (&self.app.http, &self.app.base);
        let address = format!("198.51.{}.{}", n / 250, n % 250 + 1);
        let cookie = |s: &Session| format!("gatehouse_session={}", s.cookie.clone().unwrap_or_default());
        match w {
            Write::WrongPassword | Write::RightPassword => {
                let email = format!("p{}@acme.example", n % 10);
                let password = if matches!(w, Write::RightPassword) { PW.to_string() } else { format!("wrong guess {n}") };
                http.post(format!("{base}/api/sign_in")).header("origin", base).header("x-forwarded-for", address).form(&[("org", "acme".to_string()), ("email", email), ("password", password)])
            }
            Write::ScimCreate => http
                .post(format!("{base}/scim/v2/Users"))
                .bearer_auth(&self.token)
                .json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("burst{n}@acme.example"), "active": true})),
            Write::ScimPatch => {
                let id = &self.provisioned[n % self.provisioned.len()];
                http.patch(format!("{base}/scim/v2/Users/{id}")).bearer_auth(&self.token).json(&json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "value": {"name": {"givenName": format!("Given{n}"), "familyName": "Burst"}, "active": n % 3 != 0}}]
                }))
            }
            Write::AdminSave => http
                .post(format!("{base}/api/save_account_type"))
                .header("origin", base)
                .header("cookie", cookie(&self.admin))
                .json(&json!({"org": "acme", "id": null, "input": {"name": format!("Burst type {n}"), "description": "", "permissions": ["view_documents"]}})),
            Write::Export => http.get(format!("{base}/acme/documents/{}/export.csv", self.doc)).header("cookie", cookie(&self.creator)),
        }
    }
}

/// Fires `n` requests of the mix, `at_once` at a time, each abandoned by its
/// client after a random 0–50 ms (most before their answer).
async fn burst(w: &World, n: usize, at_once: usize) -> usize {
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(at_once));
    let mut running = Vec::new();
    for i in 0..n {
        let kind = MIX[i % MIX.len()];
        let req = w.request(kind, i);
        let turn = gate.clone().acquire_owned().await.unwrap();
        let after = Duration::from_millis(rand::thread_rng().gen_range(0..=50));
        running.push(tokio::spawn(async move {
            let _turn = turn;
            // Dropping the request's future closes its connection: the client hung up.
            tokio::time::timeout(after, async move {
                let res = req.send().await?;
                res.bytes().await
            })
            .await
            .is_err()
        }));
    }
    let mut hung_up = 0;
    for r in running {
        hung_up += usize::from(r.await.unwrap());
    }
    hung_up
}

/// Waits until nothing holds a transaction open: on SQLite, a connection of
/// its own takes the write lock at once; on PostgreSQL, no session of this
/// database is idle inside a transaction. The requests the burst started may
/// still be finishing: this gives them `within`.
async fn no_transaction_left_open(app: &TestApp, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (free, what) = writer_is_free(app).await;
        if free {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "a transaction is still open {} s after the burst: {what}", within.as_secs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // And every connection of the server's own pool is outside a transaction
    // (all of them held at once, so each is looked at).
    let mut held = Vec::new();
    while held.len() < app.db.size() as usize {
        match tokio::time::timeout(Duration::from_secs(5), app.db.acquire()).await {
            Ok(Ok(c)) => held.push(c),
            _ => break,
        }
    }
    for c in held.iter_mut() {
        use sqlx::Connection;
        assert!(!c.is_in_transaction(), "a pooled connection is inside a transaction");
        sqlx::query("SELECT 1").execute(&mut **c).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_that_hang_up_at_any_moment_leave_every_write_working() {
    let mut w = world().await;
    let hung_up = burst(&w, 360, 24).await;
    eprintln!("{hung_up} of 360 clients hung up before their answer");
    assert!(hung_up > 0, "clients hung up before their answer");
    no_transaction_left_open(&w.app, Duration::from_secs(60)).await;
    let permits = app::service::passwords::permits();
    let peak = app::service::passwords::peak_running();
    assert!(peak <= permits, "{peak} passwords were hashed at once; the limit is {permits}");

    // Every kind of write works right after, for clients that wait. The hashes
    // the clients left behind may hold every hashing turn a little longer on a
    // busy machine: a client that waits honours "busy" (429, Retry-After: 2).
    let mut busy = 0;
    let (mut s, res) = loop {
        let (s, res) = w.app.sign_in("quinn@acme.example", PW).await;
        if res.status() != StatusCode::TOO_MANY_REQUESTS || busy == 30 {
            break (s, res);
        }
        let wait: u64 = res.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).expect("a busy answer says when to try again");
        busy += 1;
        tokio::time::sleep(Duration::from_secs(wait)).await;
    };
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(w.app.call(&mut s, "me", &[("org", "acme")]).await.status(), StatusCode::OK);
    let idp = Idp { app: &w.app, token: w.token.clone() };
    let (st, v) = idp.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "after@acme.example"})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = idp.patch(&format!("/Users/{}", w.provisioned[0]), json!([{"op": "replace", "path": "active", "value": true}])).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let id: String = ok_json(
        w.app.call_json(&mut w.admin, "save_account_type", json!({"org": "acme", "id": null, "input": {"name": "After the burst", "description": "", "permissions": ["view_documents"]}})).await,
    )
    .await;
    assert!(!id.is_empty());
    let who = w.app.org_id().await;
    let person: String = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND email_norm = 'p2@acme.example'").bind(&who).fetch_one(&w.app.db).await.unwrap();
    ok_json::<()>(w.app.call_json(&mut w.admin, "change_account_type", json!({"org": "acme", "user_ids": [person], "account_type_id": w.viewer_type})).await).await;
    let csv = w.app.get(&w.creator, &format!("/acme/documents/{}/export.csv", w.doc)).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.text().await.unwrap().lines().count(), 2_001, "the whole export, header and 2,000 rows");
    // The command line (another process on the same database) can write too.
    let out = w.app.cli(&["provisioning", "token", "create", "--org", "acme", "--name", "after the burst"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Sign-ins that hang up while their password is checked: however many
/// clients go, the hashes still running keep their turns, so no more than the
/// limit run at once (a dropped request used to hand its turn to the next
/// hash while its own still ran).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ins_that_hang_up_mid_hash_keep_the_hashing_bound() {
    let w = world().await;
    let mut running = Vec::new();
    for i in 0..120 {
        // Emails nobody has: each is checked (against a stand-in hash), none is limited yet.
        let req = w.app.http.post(format!("{}/api/sign_in", w.app.base)).header("origin", &w.app.base).header("x-forwarded-for", format!("203.0.113.{}", i + 1)).form(&[
            ("org", "acme".to_string()),
            ("email", format!("nobody{i}@acme.example")),
            ("password", "a guess".to_string()),
        ]);
        let after = Duration::from_millis(rand::thread_rng().gen_range(10..=150));
        running.push(tokio::spawn(async move { tokio::time::timeout(after, req.send()).await.is_err() }));
    }
    for r in running {
        r.await.unwrap();
    }
    no_transaction_left_open(&w.app, Duration::from_secs(60)).await;
    let permits = app::service::passwords::permits();
    let peak = app::service::passwords::peak_running();
    assert!(peak >= 1 && peak <= permits, "{peak} hashes ran at once; the limit is {permits}");
}

//! Attacks on the protocols Gatehouse speaks, each against the real server
//! over HTTP: SAML responses replayed under a new envelope or posted twice at
//! once, SCIM taking an email another person signs in with, clients that
//! hang up right after sending a group PATCH, an instance killed during
//! SCIM writes, a webhook destination that never answers, server functions
//! called from another site, and two administrators racing on account types.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::InvitationLink;
use common::process::Server;
use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PW: &str = "a long enough secret";
const GUEST: &str = "gus@partner.example";
const GUEST_PW: &str = "gus has a long password";
/// Liveness, not latency: what the server must have done by then.
const WITHIN: Duration = Duration::from_secs(60);

/// Polls `check` until it holds, for at most `within` (a liveness check).
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {} s", within.as_secs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email).fetch_one(&app.db).await.unwrap()
}

async fn type_of(app: &TestApp, user: &str) -> String {
    sqlx::query_scalar("SELECT account_type_id FROM users WHERE id = $1").bind(user).fetch_one(&app.db).await.unwrap()
}

async fn built_in(app: &TestApp, kind: BuiltIn) -> String {
    app::store::account_types::built_in(&app.db, &app.org_id().await, kind).await.unwrap().id
}

async fn provisioning_token(app: &TestApp, admin: &mut Session) -> String {
    let t = app.provisioning_token(admin).await;
    t.token
}

/// The Authentication page saved with `method`, guests allowed or not.
fn auth_settings(method: &str, guests: bool) -> Value {
    json!({"method": method, "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30,
        "mfa_policy": "off", "allow_guests": guests})
}

async fn save_auth(app: &TestApp, admin: &mut Session, input: Value) {
    let res = app.call_json(admin, "save_authentication", json!({"org": "acme", "input": input})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

/// Gus, invited as a guest on the Viewer type, who accepted and set a password.
async fn invite_guest(app: &TestApp, admin: &mut Session) -> String {
    let viewer = built_in(app, BuiltIn::Viewer).await;
    let invite = json!({"org": "acme", "people": format!("{GUEST}, Gus, Guest"), "account_type_id": viewer, "team_ids": [], "guest": true});
    let links: Vec<InvitationLink> = ok_json(app.call_json(admin, "invite_users", invite).await).await;
    let token = links[0].link.rsplit('/').next().unwrap().to_string();
    let form = [("org", "acme"), ("token", token.as_str()), ("password", GUEST_PW), ("password_confirm", GUEST_PW)];
    let res = app.call(&mut Session::default(), "accept_invitation", &form).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    links[0].user_id.clone()
}

async fn me(app: &TestApp, s: &mut Session) -> StatusCode {
    app.call(s, "me", &[("org", "acme")]).await.status()
}

// ---------------------------------------------------------------------------
// SAML

/// Acme with its admin, Carol (Creator), and SAML or password.
async fn saml_ready() -> TestApp {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user(CAROL, "carol's long password", BuiltIn::Creator).await;
    let mut admin = app.admin_session().await;
    save_auth(&app, &mut admin, auth_settings("saml_or_password", false)).await;
    app
}

/// SSO sign-ins in the audit log.
async fn sso_sign_ins(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in' AND detail = 'method: sso'").fetch_one(&app.db).await.unwrap()
}

/// The ACS's last answer: its status, its page, and whether it left the browser signed in.
async fn outcome(app: &TestApp, res: reqwest::Response) -> (StatusCode, String, bool) {
    let mut s = Session::default();
    s.absorb(&res);
    let status = res.status();
    let page = res.text().await.unwrap();
    let signed_in = s.cookie.is_some() && me(app, &mut s).await == StatusCode::OK;
    (status, page, signed_in)
}

#[tokio::test]
async fn a_signed_assertion_rewrapped_under_a_new_response_id_is_refused_as_a_replay() {
    let app = saml_ready().await;

    // Sign-in started at the identity provider: Carol signs in once.
    let first = Resp::valid(&app, None);
    let assertion = sign(&first.assertion(), IDP_KEY, IDP_CERT, false);
    let (status, page, signed_in) = outcome(&app, post_as_browser(&app, &b64(&first.response_with(&assertion)), None, None).await).await;
    assert_eq!((status, signed_in), (StatusCode::SEE_OTHER, true), "{page}");
    let sign_ins = sso_sign_ins(&app).await;

    // Someone who saw that post wraps the same signed assertion in a new,
    // unsigned Response with an ID never used: the signature still verifies,
    // but the assertion's id is one-time.
    let mut rewrapped = first.clone();
    rewrapped.response_id = format!("_r{}", nonce());
    let (status, page, signed_in) = outcome(&app, post_as_browser(&app, &b64(&rewrapped.response_with(&assertion)), None, None).await).await;
    assert_eq!((status, signed_in), (StatusCode::BAD_REQUEST, false), "{page}");
    assert!(page.contains("already used"), "{page}");
    let reason = last_sso_failure(&app).await;
    assert!(reason.contains(&format!("replayed response (assertion_id:{})", first.assertion_id)), "{reason}");

    // Sign-in started here: Carol answers request A.
    let a = start_sign_in(&app, "/acme").await;
    let answer = Resp::valid(&app, Some(&a.id));
    let assertion = sign(&answer.assertion(), IDP_KEY, IDP_CERT, false);
    let res = post_as_browser(&app, &b64(&answer.response_with(&assertion)), Some(&a.relay), Some(&a.cookie)).await;
    let (status, page, signed_in) = outcome(&app, res).await;
    assert_eq!((status, signed_in), (StatusCode::SEE_OTHER, true), "{page}");
    let sign_ins = sign_ins + 1;
    assert_eq!(sso_sign_ins(&app).await, sign_ins);

    // A's signed assertion under a new Response ID that answers a fresh
    // request B of the attacker's own browser: the assertion names the
    // request it was issued for, which is not B.
    let b = start_sign_in(&app, "/acme").await;
    let mut for_b = answer.clone();
    for_b.response_id = format!("_r{}", nonce());
    for_b.in_response_to = Some(b.id.clone());
    let res = post_as_browser(&app, &b64(&for_b.response_with(&assertion)), Some(&b.relay), Some(&b.cookie)).await;
    let (status, page, signed_in) = outcome(&app, res).await;
    assert_eq!((status, signed_in), (StatusCode::BAD_REQUEST, false), "{page}");
    let reason = last_sso_failure(&app).await;
    assert!(reason.contains("InResponseTo"), "refused because the assertion answers another request: {reason}");

    // A's signed assertion under a new Response ID that answers A again,
    // posted with A's request cookie (captured before it was removed): the
    // request was answered and the assertion was used.
    let mut for_a = answer.clone();
    for_a.response_id = format!("_r{}", nonce());
    let res = post_as_browser(&app, &b64(&for_a.response_with(&assertion)), Some(&a.relay), Some(&a.cookie)).await;
    let (status, page, signed_in) = outcome(&app, res).await;
    assert_eq!((status, signed_in), (StatusCode::BAD_REQUEST, false), "{page}");
    assert!(page.contains("already used"), "{page}");
    assert!(last_sso_failure(&app).await.contains("replayed response"));

    assert_eq!(sso_sign_ins(&app).await, sign_ins, "nobody signed in with a rewrapped assertion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_response_posted_twice_at_the_same_moment_signs_in_once() {
    let app = saml_ready().await;
    for round in 0..8 {
        let before = sso_sign_ins(&app).await;
        // Both posts carry what the browser carries: for a sign-in started
        // here, the request's cookie (a double click, or a second tab); for
        // one started at the identity provider, the click on "Continue".
        let (x, y) = if round % 2 == 0 {
            let st = start_sign_in(&app, "/acme").await;
            let response = b64(&Resp::valid(&app, Some(&st.id)).signed());
            tokio::join!(post_as_browser(&app, &response, Some(&st.relay), Some(&st.cookie)), post_as_browser(&app, &response, Some(&st.relay), Some(&st.cookie)),)
        } else {
            let response = b64(&Resp::valid(&app, None).signed());
            tokio::join!(post_as_browser(&app, &response, None, None), post_as_browser(&app, &response, None, None))
        };
        let (x, y) = tokio::join!(outcome(&app, x), outcome(&app, y));
        let mut both = [(x.0, x.2, x.1), (y.0, y.2, y.1)];
        both.sort_by_key(|(status, ..)| status.as_u16());
        let [(won, won_in, won_page), (lost, lost_in, lost_page)] = both;
        assert_eq!((won, won_in), (StatusCode::SEE_OTHER, true), "round {round}: one signs in: {won_page}");
        assert_eq!((lost, lost_in), (StatusCode::BAD_REQUEST, false), "round {round}: the other is refused: {lost_page}");
        assert!(lost_page.contains("already used"), "round {round}: {lost_page}");
        assert_eq!(sso_sign_ins(&app).await, before + 1, "round {round}: one sign-in");
        assert!(last_sso_failure(&app).await.contains("replayed response"));
    }
}

// ---------------------------------------------------------------------------
// SCIM

#[tokio::test]
async fn scim_put_and_patch_cannot_take_a_local_admins_or_a_guests_email() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    save_auth(&app, &mut admin, auth_settings("password", true)).await;
    let gus = invite_guest(&app, &mut admin).await;
    let ada = user_id(&app, ADMIN_EMAIL).await;
    let idp = Idp { app: &app, token: provisioning_token(&app, &mut admin).await };
    let noor_email = "noor@acme.example";
    let (st, noor) = idp
        .post(
            "/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": noor_email,
            "name": {"givenName": "Noor", "familyName": "Haddad"}, "emails": [{"primary": true, "value": noor_email, "type": "work"}], "active": true}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{noor}");
    let id = noor["id"].as_str().unwrap().to_string();
    let audit_before = app.audit_actions().await.len();

    // Taking the email would move the admin's (or the guest's) sign-in to the
    // identity provider's record: whoever controls the IdP would sign in as them.
    for target in [ADMIN_EMAIL, GUEST] {
        let (_, mut user) = idp.get(&format!("/Users/{id}")).await;
        user["userName"] = json!(target);
        user["emails"] = json!([{"primary": true, "value": target, "type": "work"}]);
        let (st, v) = idp.put(&format!("/Users/{id}"), user).await;
        assert_eq!((st, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "PUT to {target}: {v}");
        for ops in [
            json!([{"op": "replace", "path": "userName", "value": target}]),
            json!([{"op": "Replace", "value": {"userName": target.to_uppercase()}}]),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": target}, {"op": "replace", "path": "userName", "value": target}]),
        ] {
            let (st, v) = idp.patch(&format!("/Users/{id}"), ops.clone()).await;
            assert_eq!((st, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "PATCH {ops}: {v}");
        }
    }

    // Nothing changed for anyone.
    let (st, v) = idp.get(&format!("/Users/{id}")).await;
    assert_eq!((st, v["userName"].as_str()), (StatusCode::OK, Some(noor_email)), "{v}");
    assert_eq!(v["emails"][0]["value"], json!(noor_email), "{v}");
    for (who, email) in [(&ada, ADMIN_EMAIL), (&gus, GUEST)] {
        let (email_norm, origin, n): (String, String, i64) =
            sqlx::query_as("SELECT email_norm, origin, (SELECT COUNT(*) FROM users WHERE email_norm = $2) FROM users WHERE id = $1").bind(who).bind(email).fetch_one(&app.db).await.unwrap();
        assert_eq!((email_norm.as_str(), origin.as_str(), n), (email, "local", 1), "{email}");
    }
    let is_guest: i64 = sqlx::query_scalar("SELECT is_guest FROM users WHERE id = $1").bind(&gus).fetch_one(&app.db).await.unwrap();
    assert_eq!(is_guest, 1);
    let (mut s, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "the admin still signs in");
    assert_eq!(me(&app, &mut s).await, StatusCode::OK);
    let (mut g, res) = app.sign_in(GUEST, GUEST_PW).await;
    assert_eq!(res.status(), StatusCode::OK, "the guest still signs in");
    assert_eq!(me(&app, &mut g).await, StatusCode::OK);
    let written: Vec<(String, String, String)> = app.audit_actions().await.into_iter().skip(audit_before).filter(|(a, ..)| a.starts_with("user.")).collect();
    assert!(written.is_empty(), "no person was written: {written:?}");
}

/// Waits until nothing holds a write open: on SQLite a connection of our own
/// takes the write lock; on PostgreSQL no session of the database is idle in
/// a transaction.
async fn no_write_left_open(app: &TestApp) {
    eventually(WITHIN, "the database's writer is free", || async { writer_is_free(app).await.0 }).await;
}

/// `n` people created over SCIM as an identity provider's full sync does
/// (many at once); their SCIM ids.
async fn provision_people(app: &TestApp, token: &str, n: usize) -> Vec<String> {
    let gate = Arc::new(tokio::sync::Semaphore::new(16));
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..n {
        let (http, url, token, gate) = (app.http.clone(), format!("{}/scim/v2/Users", app.base), token.to_string(), gate.clone());
        creates.spawn(async move {
            let _turn = gate.acquire_owned().await.unwrap();
            let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("m{i}@acme.example"), "active": true});
            let res = http.post(url).bearer_auth(token).header("content-type", "application/scim+json").body(body.to_string()).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let v: Value = res.json().await.unwrap();
            v["id"].as_str().unwrap().to_string()
        });
    }
    let ids: Vec<String> = creates.join_all().await;
    assert_eq!(ids.len(), n);
    ids
}

/// A new group of the identity provider's, with no members; its id.
async fn new_group(idp: &Idp<'_>, name: &str) -> String {
    let (st, g) = idp.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name})).await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    g["id"].as_str().unwrap().to_string()
}

/// Sends a PATCH adding `members` to the group `gid` from a raw connection,
/// whole, and hangs up `after` it was sent, without reading the answer.
async fn patch_and_hang_up(app: &TestApp, token: &str, gid: &str, members: &[String], after: Duration) {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": members}]}).to_string();
    let host = app.base.trim_start_matches("http://");
    let head = format!("PATCH /scim/v2/Groups/{gid} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n", body.len());
    let mut tcp = tokio::net::TcpStream::connect(host).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(body.as_bytes()).await.unwrap();
    tcp.flush().await.unwrap();
    if !after.is_zero() {
        // When the client hangs up is the attack's timing, not a wait for the server.
        tokio::time::sleep(after).await;
    }
    drop(tcp);
}

/// Waits for the group `gid` to have all `expected` members, checking at
/// every look that it has all of them or none (never some).
async fn membership_becomes_whole(app: &TestApp, idp: &Idp<'_>, gid: &str, expected: usize, within: Duration, what: &str) {
    let path = format!("/Groups/{gid}");
    eventually(within, what, || async {
        let (st, v) = idp.get(&path).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let n = v["members"].as_array().map_or(0, Vec::len);
        assert!(n == 0 || n == expected, "{what}: a partial membership, {n} of {expected}");
        n == expected
    })
    .await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_members WHERE team_id = $1").bind(gid).fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, expected as i64, "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_hanging_up_in_the_middle_of_a_650_member_group_patch() {
    const PEOPLE: usize = 650;
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let token = provisioning_token(&app, &mut admin).await;
    let idp = Idp { app: &app, token: token.clone() };
    let ids = provision_people(&app, &token, PEOPLE).await;

    // The client hangs up right after sending the body, and again (another
    // group) a moment later, while the server works on it. The membership is
    // all or nothing at every moment; the server runs every request to its
    // end, so it ends with everyone.
    for after in [Duration::ZERO, Duration::from_millis(20)] {
        let gid = new_group(&idp, &format!("Everyone {}", after.as_millis())).await;
        patch_and_hang_up(&app, &token, &gid, &ids, after).await;
        let what = format!("the PATCH whose client hung up {} ms after its body", after.as_millis());
        membership_becomes_whole(&app, &idp, &gid, PEOPLE, WITHIN, &what).await;
    }

    // The writer is free for everyone else.
    no_write_left_open(&app).await;
    let (st, v) = idp.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "after@acme.example", "active": true})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let saved: String =
        ok_json(app.call_json(&mut admin, "save_account_type", json!({"org": "acme", "id": null, "input": {"name": "After the hang-up", "description": "", "permissions": ["view_documents"]}})).await)
            .await;
    assert!(!saved.is_empty());
}

/// The same hang-up on PATCHes small enough that the server reads the
/// request and the client's hang-up at once: a request sent whole still runs
/// to its end. A PATCH of a few members takes milliseconds; 20 s is only the
/// bound on waiting for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_hanging_up_right_after_sending_small_group_patches() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let token = provisioning_token(&app, &mut admin).await;
    let idp = Idp { app: &app, token: token.clone() };
    let ids = provision_people(&app, &token, 5).await;
    for round in 0..20 {
        let gid = new_group(&idp, &format!("Small {round}")).await;
        patch_and_hang_up(&app, &token, &gid, &ids, Duration::ZERO).await;
        let what = format!("round {round}: the PATCH whose client hung up right after its body");
        membership_becomes_whole(&app, &idp, &gid, ids.len(), Duration::from_secs(20), &what).await;
    }
    no_write_left_open(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_scim_creates_then_a_restart_on_the_same_database_keeps_every_acknowledged_create() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let mut server = Server::start(&url, dir.path(), "first", &[]).await;
    let app = server.app(&url).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let token = provisioning_token(&app, &mut admin).await;
    // Only the instance has the database open when it is killed.
    app.db.close().await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let unexpected = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (http, url, token) = (app.http.clone(), format!("{}/scim/v2/Users", server.url), token.clone());
        let (acknowledged, unexpected, stop) = (acknowledged.clone(), unexpected.clone(), stop.clone());
        load.spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("load{worker}-{n}@acme.example");
                let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": true});
                // A request the killed process never answered is an error here, not an answer.
                if let Ok(r) = http.post(&url).bearer_auth(&token).json(&body).send().await {
                    match r.status() {
                        StatusCode::CREATED => acknowledged.lock().unwrap().push(name),
                        other => unexpected.lock().unwrap().push(format!("{name}: {other}")),
                    }
                }
            }
        });
    }
    eventually(WITHIN, "200 creates acknowledged", || async { acknowledged.lock().unwrap().len() >= 200 }).await;
    // SIGKILL while the creates keep coming: no shutdown, no checkpoint.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    load.join_all().await;
    let acknowledged = acknowledged.lock().unwrap().clone();
    let unexpected = unexpected.lock().unwrap().clone();
    assert!(unexpected.is_empty(), "answers other than 201 before the kill: {unexpected:?}");

    // Started again on the same database.
    let server = Server::start(&url, dir.path(), "second", &[]).await;
    let app = server.app(&url).await;
    if url.starts_with("sqlite") {
        let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&app.db).await.unwrap();
        assert_eq!(check, ["ok"], "the database file is whole");
    }
    let stored: Vec<String> = sqlx::query_scalar("SELECT email_norm FROM users WHERE email_norm LIKE 'load%'").fetch_all(&app.db).await.unwrap();
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !stored.contains(*n)).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged creates were lost: {lost:?}", lost.len(), acknowledged.len());
    // The restarted instance serves them, and writes.
    let idp = Idp { app: &app, token };
    let filter: String = url::form_urlencoded::byte_serialize(format!("userName eq \"{}\"", acknowledged[acknowledged.len() - 1]).as_bytes()).collect();
    let (st, found) = idp.get(&format!("/Users?filter={filter}")).await;
    assert_eq!((st, found["totalResults"].as_i64()), (StatusCode::OK, Some(1)), "{found}");
    let (st, v) = idp.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "after@acme.example", "active": true})).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    eprintln!("kill -9 during SCIM creates: {} acknowledged, all kept", acknowledged.len());
}

// ---------------------------------------------------------------------------
// Webhook exports

/// A webhook destination that accepts connections and reads everything sent,
/// but never answers. `hang_up` closes every connection it accepted.
struct Silent {
    url: String,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    hang_up: tokio::sync::watch::Sender<bool>,
}

async fn silent_destination() -> Silent {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let (hang_up, hung_up) = tokio::sync::watch::channel(false);
    let keep = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (keep, mut hung_up) = (keep.clone(), hung_up.clone());
            let at = {
                let mut all = keep.lock().unwrap();
                all.push(Vec::new());
                all.len() - 1
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    tokio::select! {
                        read = stream.read(&mut buf) => match read {
                            Ok(0) | Err(_) => break,
                            Ok(n) => keep.lock().unwrap()[at].extend_from_slice(&buf[..n]),
                        },
                        _ = hung_up.wait_for(|h| *h) => break,
                    }
                }
                // Dropped here: the connection closes without an answer.
            });
        }
    });
    Silent { url, received, hang_up }
}

impl Silent {
    /// Posts received whole (the chunked body's last chunk arrived).
    fn whole_posts(&self) -> usize {
        self.received.lock().unwrap().iter().filter(|r| r.ends_with(b"0\r\n\r\n")).count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_destination_that_never_answers_holds_the_export_slot_until_the_export_ends() {
    let app = spawn_app_with(|s| s.webhook_allow_private = true).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, 300).await.unwrap();
    app.add_user("creator@acme.example", PW, BuiltIn::Creator).await;
    let (mut creator, _) = app.sign_in("creator@acme.example", PW).await;
    let doc: String = ok_json(app.call(&mut creator, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &dataset)]).await).await;
    let silent = silent_destination().await;
    ok_json::<()>(app.call(&mut admin, "allow_webhook", &[("org", "acme"), ("url", &silent.url)]).await).await;
    let dests: Vec<app::domain::views::Choice> = ok_json(app.call(&mut admin, "webhook_destinations", &[("org", "acme")]).await).await;
    let dest = dests.into_iter().find(|d| d.label == silent.url).expect("the destination is allowed").id;

    // Three webhook exports at once, the most one person may run.
    let mut exports = Vec::new();
    for _ in 0..3 {
        let req = app.http.post(format!("{}/api/export_webhook", app.base)).header("origin", &app.base).header("cookie", format!("gatehouse_session={}", creator.cookie.clone().unwrap())).form(&[
            ("org", "acme"),
            ("id", doc.as_str()),
            ("destination_id", dest.as_str()),
        ]);
        exports.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            error_of(res).await
        }));
    }
    // The destination has every row of each, and answers none.
    eventually(WITHIN, "three posts received whole", || async { silent.whole_posts() == 3 }).await;
    assert!(exports.iter().all(|e| !e.is_finished()), "the exports wait for the destination's answer");

    // While they hang, they hold the person's three places: a fourth export is refused.
    let fourth = app.get(&creator, &format!("/acme/documents/{doc}/export.csv")).await;
    let status = fourth.status();
    let body = fourth.text().await.unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a fourth export while three webhook exports wait for their answer: {}", &body[..body.len().min(200)]);
    assert!(body.starts_with("You already have 3 exports in progress."), "{body}");

    // The destination hangs up: each export ends, failed, and says why.
    silent.hang_up.send(true).unwrap();
    for e in exports {
        let (st, err) = tokio::time::timeout(WITHIN, e).await.expect("the export ends once the destination hangs up").unwrap();
        assert_eq!(st, StatusCode::BAD_GATEWAY, "{}", err.message);
        assert!(err.message.contains("the destination closed the connection before answering"), "{}", err.message);
    }
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'document.export_failed'").fetch_one(&app.db).await.unwrap();
    assert_eq!(failed, 3);

    // The places come back: the person exports again.
    for _ in 0..3 {
        let res = app.get(&creator, &format!("/acme/documents/{doc}/export.csv")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.text().await.unwrap().lines().count(), 301, "the header and every row");
    }
}

// ---------------------------------------------------------------------------
// Server functions from another site

#[tokio::test]
async fn server_function_calls_from_another_site_with_the_admins_cookie_are_refused() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let admin = app.admin_session().await;
    app.add_user("pat@acme.example", PW, BuiltIn::Viewer).await;
    let pat = user_id(&app, "pat@acme.example").await;
    let viewer = built_in(&app, BuiltIn::Viewer).await;
    let admin_type = built_in(&app, BuiltIn::Admin).await;
    let cookie = format!("gatehouse_session={}", admin.cookie.clone().unwrap());
    let promote = json!({"org": "acme", "user_ids": [pat], "account_type_id": admin_type});
    let audit_before = app.audit_actions().await.len();

    let post = |endpoint: &str| app.http.post(format!("{}/api/{endpoint}", app.base)).header("cookie", &cookie);
    // (what the attacking page sends, request)
    let attempts: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("JSON from another origin", post("change_account_type").header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").json(&promote)),
        (
            "JSON as text/plain from another origin (no preflight)",
            post("change_account_type").header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").header("content-type", "text/plain").body(promote.to_string()),
        ),
        (
            "text/plain, Origin only (a browser without Sec-Fetch-Site)",
            post("change_account_type").header("origin", "https://evil.example").header("content-type", "text/plain").body(promote.to_string()),
        ),
        ("text/plain, Sec-Fetch-Site only", post("change_account_type").header("sec-fetch-site", "cross-site").header("content-type", "text/plain").body(promote.to_string())),
        ("JSON from a sandboxed frame (Origin: null)", post("change_account_type").header("origin", "null").json(&promote)),
        ("JSON from a sibling site", post("change_account_type").header("origin", "https://evil.acme.example").header("sec-fetch-site", "same-site").json(&promote)),
        ("a form from another origin", post("update_org_name").header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").form(&[("org", "acme"), ("name", "Pwned")])),
        (
            "a form as text/plain from another origin",
            post("update_org_name").header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").header("content-type", "text/plain").body("org=acme&name=Pwned"),
        ),
    ];
    for (what, req) in attempts {
        let res = req.send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        assert!(body.contains("came from another site"), "{what}: {body}");
    }

    // Nothing changed.
    assert_eq!(type_of(&app, &pat).await, viewer, "Pat is still a Viewer");
    let name: String = sqlx::query_scalar("SELECT name FROM organizations WHERE slug = 'acme'").fetch_one(&app.db).await.unwrap();
    assert_eq!(name, "Acme");
    assert_eq!(app.audit_actions().await.len(), audit_before, "nothing was written");

    // The same call from Gatehouse's own page works: what was refused was where it came from.
    let res = post("change_account_type").header("origin", &app.base).header("sec-fetch-site", "same-origin").json(&promote).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(type_of(&app, &pat).await, admin_type);
}

// ---------------------------------------------------------------------------
// Two administrators at once

/// A server function's answer: 200, or a 4xx with a message (never a 5xx).
async fn answer(what: &str, res: reqwest::Response) -> StatusCode {
    let status = res.status();
    if status == StatusCode::OK {
        return status;
    }
    let (status, e) = error_of(res).await;
    assert!(status.is_client_error(), "{what}: {status} {}", e.message);
    assert!(!e.message.trim().is_empty(), "{what}: {status} without a message");
    status
}

/// Two administrators of Acme, each signed in: Ada and Bea.
async fn two_admins() -> (TestApp, Session, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user("bea@acme.example", PW, BuiltIn::Admin).await;
    let ada = app.admin_session().await;
    let (bea, res) = app.sign_in("bea@acme.example", PW).await;
    assert_eq!(res.status(), StatusCode::OK);
    (app, ada, bea)
}

async fn new_type(app: &TestApp, admin: &mut Session, name: &str) -> String {
    ok_json(app.call_json(admin, "save_account_type", json!({"org": "acme", "id": null, "input": {"name": name, "description": "", "permissions": ["view_documents"]}})).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_type_while_another_admin_assigns_it() {
    let (app, mut ada, bea) = two_admins().await;
    app.add_user("pat@acme.example", PW, BuiltIn::Viewer).await;
    let pat = user_id(&app, "pat@acme.example").await;
    let viewer = built_in(&app, BuiltIn::Viewer).await;
    let (mut deleted, mut assigned) = (0, 0);
    for round in 0..20 {
        let t = new_type(&app, &mut ada, &format!("Contractors {round}")).await;
        let (mut a, mut b) = (ada.clone(), bea.clone());
        let delete = [("org", "acme"), ("id", t.as_str())];
        let (del, assign) =
            tokio::join!(app.call(&mut a, "delete_account_type", &delete), app.call_json(&mut b, "change_account_type", json!({"org": "acme", "user_ids": [pat], "account_type_id": t})),);
        let (del, assign) = (answer("delete", del).await, answer("assign", assign).await);
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_types WHERE id = $1").bind(&t).fetch_one(&app.db).await.unwrap();
        let holds = type_of(&app, &pat).await;
        match (del, assign) {
            (StatusCode::OK, refused) if refused != StatusCode::OK => {
                assert_eq!((exists, holds.as_str()), (0, viewer.as_str()), "round {round}: deleted, so nobody holds it");
                deleted += 1;
            }
            (refused, StatusCode::OK) if refused != StatusCode::OK => {
                assert_eq!((exists, holds.as_str()), (1, t.as_str()), "round {round}: assigned, so it is kept and held");
                assigned += 1;
                ok_json::<()>(app.call_json(&mut ada, "change_account_type", json!({"org": "acme", "user_ids": [pat], "account_type_id": viewer})).await).await;
            }
            other => panic!("round {round}: exactly one of the two succeeds: {other:?}"),
        }
        let orphans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users u LEFT JOIN account_types t ON t.id = u.account_type_id WHERE t.id IS NULL").fetch_one(&app.db).await.unwrap();
        assert_eq!(orphans, 0, "round {round}: nobody holds a type that does not exist");
    }
    eprintln!("delete against assign: {deleted} deleted first, {assigned} assigned first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_admins_at_once_cannot_make_a_guest_administer() {
    let (app, mut ada, bea) = two_admins().await;
    save_auth(&app, &mut ada, auth_settings("password", true)).await;
    let gus = invite_guest(&app, &mut ada).await;
    let viewer = built_in(&app, BuiltIn::Viewer).await;
    let (mut moved, mut administers) = (0, 0);
    for round in 0..20 {
        let t = new_type(&app, &mut ada, &format!("Partners {round}")).await;
        let (mut a, mut b) = (ada.clone(), bea.clone());
        let make_it_administer = json!({"org": "acme", "id": t, "input": {"name": format!("Partners {round}"), "description": "", "permissions": ["view_documents", "administer"]}});
        let (assign, save) = tokio::join!(
            app.call_json(&mut a, "change_account_type", json!({"org": "acme", "user_ids": [gus], "account_type_id": t})),
            app.call_json(&mut b, "save_account_type", make_it_administer),
        );
        let (assign, save) = (answer("move the guest", assign).await, answer("make the type administer", save).await);
        let guest_admins: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.is_guest = 1 AND t.administers = 1").fetch_one(&app.db).await.unwrap();
        assert_eq!(guest_admins, 0, "round {round}: a guest holds a type that administers (move: {assign}, save: {save})");
        match (assign, save) {
            (StatusCode::OK, refused) if refused != StatusCode::OK => moved += 1,
            (refused, StatusCode::OK) if refused != StatusCode::OK => administers += 1,
            other => panic!("round {round}: exactly one of the two succeeds: {other:?}"),
        }
        if type_of(&app, &gus).await != viewer {
            ok_json::<()>(app.call_json(&mut ada, "change_account_type", json!({"org": "acme", "user_ids": [gus], "account_type_id": viewer})).await).await;
        }
    }
    eprintln!("guest move against administer: {moved} moved first, {administers} made to administer first");
}

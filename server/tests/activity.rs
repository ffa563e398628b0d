//! Why did it fail? The SSO sign-in activity and the provisioning activity
//! over HTTP against the real server.
//!
//! The doors and how they are attacked or fail by accident:
//! - the assertion consumer (anyone may post): forged, unsigned, tampered,
//!   re-signed or stale responses each get their one reason and a hint; a
//!   flood of them from one address stores one row; the rows of an
//!   organization are capped and pruned; an organization without SSO stores
//!   nothing; a response naming a person proves nothing, so the audit log
//!   does not name them;
//! - the SCIM API (a token): every authenticated request is recorded with
//!   what it changed or why it was refused, bodies redacted (no password,
//!   no token anywhere); requests without a valid token record nothing;
//!   rows are pruned by the organization's retention and capped;
//! - the activity's server functions: administrators only (403 for others).
use crate::common;

use app::domain::activity::{ProvisioningOutcome, ProvisioningPage, ProvisioningQuery, SsoActivityPage, SsoAttemptDetail, SsoReason, SSO_ACTIVITY_MAX};
use app::domain::permissions::BuiltIn;
use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

fn settings(method: &str) -> Value {
    json!({"method": method, "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30})
}

/// Acme with its admin, Carol (Creator), and SAML or password configured.
async fn ready() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user(CAROL, "carol's long password", BuiltIn::Creator).await;
    let mut s = app.admin_session().await;
    app.save_authentication(&mut s, settings("saml_or_password")).await;
    (app, s)
}

async fn activity(app: &TestApp, s: &mut Session, outcome: &str) -> SsoActivityPage {
    ok_json(app.call(s, "sso_activity", &[("org", "acme"), ("outcome", outcome), ("search", ""), ("page", "1"), ("size", "100")]).await).await
}

async fn attempt(app: &TestApp, s: &mut Session, id: &str) -> SsoAttemptDetail {
    ok_json(app.call(s, "sso_attempt", &[("org", "acme"), ("id", id)]).await).await
}

/// Posts a response as the identity provider's page does; the sign-in must fail.
async fn refused(app: &TestApp, xml: &str) {
    let res = post_as_browser(app, &b64(xml), None, None).await;
    assert!(res.status().is_client_error(), "refused: {}", res.status());
}

fn fingerprint(pem: &str) -> String {
    app::service::sso::certificate_info(pem, time::OffsetDateTime::now_utc()).unwrap().fingerprint_sha256
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn each_failed_sso_sign_in_names_one_reason_and_the_setting_to_change() {
    let (app, mut admin) = ready().await;
    let now = SystemTime::now();

    let mut r = Resp::valid(&app, None);
    r.audience = "https://wrong.example/sp".into();
    refused(&app, &r.signed()).await;

    let r = Resp::valid(&app, None);
    refused(&app, &r.response_with(&sign(&r.assertion(), OTHER_KEY, OTHER_CERT, false))).await;

    let r = Resp::valid(&app, None);
    refused(&app, &r.response_with(&r.assertion())).await;

    // Changed after it was signed, by the right key.
    let r = Resp::valid(&app, None);
    refused(&app, &r.signed().replace(CAROL, "mallory@acme.example")).await;

    let mut r = Resp::valid(&app, None);
    r.not_before = now - Duration::from_secs(1200);
    r.not_on_or_after = now - Duration::from_secs(900);
    refused(&app, &r.signed()).await;

    let mut r = Resp::valid(&app, None);
    r.destination = format!("{}/other/finish-login", app.base);
    r.recipient = r.destination.clone();
    refused(&app, &r.signed()).await;

    let mut r = Resp::valid(&app, None);
    r.name_id = "nobody@acme.example".into();
    refused(&app, &r.signed()).await;

    refused(&app, "<not-saml/>").await;

    let res = post_as_browser(&app, &b64(&Resp::valid(&app, None).signed()), None, None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "Carol signs in");

    let page = activity(&app, &mut admin, "").await;
    let reasons: Vec<Option<SsoReason>> = page.attempts.iter().map(|a| a.reason).collect();
    assert_eq!(
        reasons,
        [
            None,
            Some(SsoReason::Malformed),
            Some(SsoReason::NoAccount),
            Some(SsoReason::Destination),
            Some(SsoReason::Expired),
            Some(SsoReason::SignatureInvalid),
            Some(SsoReason::Unsigned),
            Some(SsoReason::UnknownCertificate),
            Some(SsoReason::Audience),
        ],
        "newest first, one precise reason each: {:#?}",
        page.attempts.iter().map(|a| (&a.reason_label, &a.message)).collect::<Vec<_>>()
    );
    let by = |r: SsoReason| page.attempts.iter().find(|a| a.reason == Some(r)).unwrap().clone();

    let success = &page.attempts[0];
    assert!(success.succeeded && success.email == CAROL && success.hint.is_empty());

    let audience = by(SsoReason::Audience);
    assert!(!audience.succeeded);
    assert_eq!((audience.expected.as_str(), audience.received.as_str()), (entity(&app).as_str(), "https://wrong.example/sp"));
    assert!(audience.hint.starts_with("In your identity provider") && audience.hint.contains(&format!("Audience URI (SP Entity ID) to {}", entity(&app))), "{}", audience.hint);
    assert_eq!(audience.email, CAROL, "whom the response named");

    let cert = by(SsoReason::UnknownCertificate);
    assert_eq!((cert.expected.clone(), cert.received.clone()), (fingerprint(IDP_CERT), fingerprint(OTHER_CERT)), "both fingerprints");
    assert!(cert.hint.starts_with("In Gatehouse") && cert.hint.contains(&fingerprint(OTHER_CERT)), "{}", cert.hint);

    let expired = by(SsoReason::Expired);
    let late: i64 = expired.received.parse().expect("the clock difference in seconds");
    assert!((900..3600).contains(&late), "{late}");

    let destination = by(SsoReason::Destination);
    assert_eq!(destination.expected, acs(&app));
    assert!(destination.hint.contains(&format!("Single sign-on URL (Recipient and Destination) to {}", acs(&app))), "{}", destination.hint);

    assert!(by(SsoReason::NoAccount).hint.contains("nobody@acme.example"));
    assert!(by(SsoReason::Unsigned).hint.contains("sign the assertion"));

    // Opened: the response decoded, and its XML pretty-printed.
    let d = attempt(&app, &mut admin, &audience.id).await;
    let decoded = d.decoded.expect("decoded");
    assert_eq!((decoded.issuer.as_str(), decoded.name_id.as_str()), (IDP_ENTITY, CAROL));
    assert_eq!(decoded.name_id_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    assert_eq!(decoded.audiences, ["https://wrong.example/sp"]);
    assert_eq!(decoded.certificate_fingerprint, fingerprint(IDP_CERT));
    assert!(decoded.signed && !decoded.not_on_or_after.is_empty());
    assert!(d.xml.contains("\n  <saml:Issuer>") && d.xml.contains("<saml:Audience>https://wrong.example/sp</saml:Audience>"), "{}", d.xml);
    let malformed = attempt(&app, &mut admin, &by(SsoReason::Malformed).id).await;
    assert_eq!(malformed.xml, "<not-saml/>");

    // Filters.
    let failed = activity(&app, &mut admin, "failed").await;
    assert_eq!(failed.total, 8);
    assert!(failed.attempts.iter().all(|a| !a.succeeded));
    assert_eq!(activity(&app, &mut admin, "succeeded").await.total, 1);

    // The audit log names no one from an unverified response.
    let named: i64 = count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sso_failed' AND target = 'carol@acme.example'").await;
    assert_eq!(named, 0, "a forged response's NameID is no one's failure");

    // The page itself, for an admin, linked from Authentication.
    let html = app.get(&admin, "/acme/admin/sso-activity").await.text().await.unwrap();
    assert!(html.contains("SSO sign-in activity") && html.contains("Wrong audience"), "{}", &html[..html.len().min(2000)]);
    let html = app.get(&admin, "/acme/admin/authentication").await.text().await.unwrap();
    assert!(html.contains("/acme/admin/sso-activity") && html.contains("/acme/admin/provisioning-activity"));
}

#[tokio::test]
async fn a_flood_of_forged_responses_stays_bounded_and_old_attempts_go() {
    let (app, mut admin) = ready().await;
    let org = app.org_id().await;
    // From one address: each names someone else, none is signed.
    for i in 0..150 {
        let mut r = Resp::valid(&app, None);
        r.name_id = format!("victim{i}@acme.example");
        refused(&app, &r.response_with(&r.assertion())).await;
    }
    let rows = count(&app, "SELECT COUNT(*) FROM sso_attempts").await;
    assert_eq!(rows, 1, "one row per kind, address and window");
    let page = activity(&app, &mut admin, "failed").await;
    assert_eq!((page.attempts.len(), page.attempts[0].repeat_count), (1, 150));

    // However many addresses: at most SSO_ACTIVITY_MAX per organization, the newest kept.
    for i in 0..(SSO_ACTIVITY_MAX + 10) {
        let email = format!("p{i}@acme.example");
        let a = app::store::sso_attempts::NewAttempt {
            org_id: &org,
            succeeded: false,
            reason: "unsigned",
            message: "",
            expected: "",
            received: "",
            email: &email,
            reference: "",
            ip: "203.0.113.9",
            decoded: "",
            response_xml: "",
        };
        app::store::sso_attempts::record(&app.db, &a).await.unwrap();
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sso_attempts").await, SSO_ACTIVITY_MAX);
    let newest = activity(&app, &mut admin, "").await;
    assert_eq!(newest.total, SSO_ACTIVITY_MAX);
    assert_eq!(newest.attempts[0].email, format!("p{}@acme.example", SSO_ACTIVITY_MAX + 9));

    // Older than 30 days: gone at the next tidying.
    sqlx::query("UPDATE sso_attempts SET at = '2001-01-01T00:00:00.000000Z' WHERE email LIKE 'p1%'").execute(&app.db).await.unwrap();
    let old = count(&app, "SELECT COUNT(*) FROM sso_attempts WHERE email LIKE 'p1%'").await;
    assert!(old > 0);
    app::service::housekeeping::tidy(&app.db, 365).await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sso_attempts").await, SSO_ACTIVITY_MAX - old);
}

#[tokio::test]
async fn an_organization_without_sso_stores_nothing_of_what_is_posted() {
    let app = spawn_app().await;
    app.setup_acme().await;
    for _ in 0..5 {
        refused(&app, &Resp::valid(&app, None).signed()).await;
        refused(&app, "<junk").await;
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sso_attempts").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sso_failed'").await, 0);
}

#[tokio::test]
async fn only_administrators_see_the_activity() {
    let (app, _) = ready().await;
    let (mut carol, res) = app.sign_in(CAROL, "carol's long password").await;
    assert_eq!(res.status(), StatusCode::OK);
    let query = serde_json::to_value(ProvisioningQuery::default()).unwrap();
    let calls = [
        app.call(&mut carol, "sso_activity", &[("org", "acme"), ("outcome", ""), ("search", ""), ("page", "1"), ("size", "20")]).await,
        app.call(&mut carol, "sso_attempt", &[("org", "acme"), ("id", "x")]).await,
        app.call_json(&mut carol, "provisioning_activity", json!({"org": "acme", "query": query})).await,
        app.call(&mut carol, "set_provisioning_retention", &[("org", "acme"), ("days", "7")]).await,
    ];
    for res in calls {
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let mut nobody = Session::default();
    let res = app.call(&mut nobody, "sso_activity", &[("org", "acme"), ("outcome", ""), ("search", ""), ("page", "1"), ("size", "20")]).await;
    assert!(matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{}", res.status());
    assert_eq!(app.get(&nobody, "/acme/admin/provisioning-activity.csv").await.status(), StatusCode::UNAUTHORIZED);
    for path in ["/acme/admin/sso-activity", "/acme/admin/provisioning-activity", "/acme/admin/provisioning-activity.csv"] {
        assert_eq!(app.get(&carol, path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

// ---- Provisioning activity ----

async fn provisioning(app: &TestApp, s: &mut Session, q: ProvisioningQuery) -> ProvisioningPage {
    let q = ProvisioningQuery { size: if q.size == 0 { 100 } else { q.size }, page: q.page.max(1), ..q };
    ok_json(app.call_json(s, "provisioning_activity", json!({"org": "acme", "query": q})).await).await
}

#[tokio::test]
async fn every_scim_request_shows_what_it_changed_or_why_it_was_refused_redacted() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let t = app.provisioning_token(&mut admin).await;
    let idp = Idp { app: &app, token: t.token.clone() };

    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "noor@acme.example",
        "name": {"givenName": "Noor", "familyName": "Haddad"},
        "emails": [{"primary": true, "value": "noor@acme.example"}],
        "password": "never-kept-1!",
        "active": true
    });
    let (st, v) = idp.post("/Users", user).await;
    assert_eq!(st, StatusCode::CREATED);
    let id = v["id"].as_str().unwrap().to_string();
    let (st, _) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"userType": "Creator"}}])).await;
    assert_eq!(st, StatusCode::OK);
    let (st, g) = idp.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Analytics", "members": [{"value": id}]})).await;
    assert_eq!(st, StatusCode::CREATED);
    let gid = g["id"].as_str().unwrap().to_string();
    let (st, _) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"userType": "Pilot"}}])).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = idp.get(&format!("/Users/{id}")).await;
    assert_eq!(st, StatusCode::OK);

    // Without a valid token, nothing is recorded.
    provisioning(&app, &mut admin, ProvisioningQuery::default()).await;
    let before = count(&app, "SELECT COUNT(*) FROM provisioning_activity").await;
    assert_eq!(before, 6);
    let stranger = Idp { app: &app, token: "not-a-token".into() };
    for _ in 0..20 {
        assert_eq!(stranger.post("/Users", json!({"userName": "x@acme.example"})).await.0, StatusCode::UNAUTHORIZED);
    }

    let page = provisioning(&app, &mut admin, ProvisioningQuery::default()).await;
    let outcomes: Vec<ProvisioningOutcome> = page.entries.iter().map(|e| e.outcome).collect();
    use ProvisioningOutcome::*;
    assert_eq!(outcomes, [Read, Refused, Deactivated, Created, Updated, Created], "newest first");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM provisioning_activity").await, before, "requests without a token leave no row");
    assert_eq!(page.tokens, ["Okta"]);
    assert_eq!(page.retention_days, 30);
    let e = |o: ProvisioningOutcome, kind: &str| page.entries.iter().find(|e| e.outcome == o && e.resource_kind == kind).unwrap().clone();

    let created = e(Created, "user");
    assert_eq!((created.method.as_str(), created.path.as_str(), created.status), ("POST", "/scim/v2/Users", 201));
    assert_eq!((created.resource_id.as_str(), created.resource_label.as_str(), created.token_name.as_str()), (id.as_str(), "noor@acme.example", "Okta"));
    let change = |e: &app::domain::activity::ProvisioningEntryView, f: &str| e.changes.iter().find(|c| c.field == f).map(|c| (c.before.clone(), c.after.clone()));
    assert_eq!(change(&created, "account type"), Some((String::new(), "Viewer".into())));
    assert!(created.request_body.contains("noor@acme.example") && created.request_body.contains("[redacted]"), "{}", created.request_body);
    assert!(!created.request_id.is_empty());

    let updated = e(Updated, "user");
    assert_eq!(change(&updated, "account type"), Some(("Viewer".into(), "Creator".into())));
    assert_eq!(updated.path, format!("/scim/v2/Users/{id}"));

    let team = e(Created, "team");
    assert_eq!((team.resource_id.as_str(), team.resource_label.as_str()), (gid.as_str(), "Analytics"));
    assert_eq!(change(&team, "members added"), Some((String::new(), "noor@acme.example".into())));

    let deactivated = e(Deactivated, "user");
    assert_eq!(change(&deactivated, "active"), Some(("true".into(), "false".into())));

    let refusal = page.entries.iter().find(|e| e.outcome == Refused).unwrap();
    assert_eq!(refusal.status, 400);
    assert!(refusal.message.contains("Pilot") && refusal.changes.is_empty(), "{refusal:?}");

    // Never a password or a token, in any column.
    let everything: Vec<String> = sqlx::query_scalar("SELECT request_body || path || message || changes || token_name || resource_label FROM provisioning_activity").fetch_all(&app.db).await.unwrap();
    for row in everything {
        assert!(!row.contains("never-kept-1!") && !row.contains(&t.token), "{row}");
    }

    // Filters: outcome, person, time, token, search; a wrong value is refused.
    let only = |o: &str| ProvisioningQuery { outcome: o.into(), ..Default::default() };
    assert_eq!(provisioning(&app, &mut admin, only("refused")).await.total, 1);
    let history = provisioning(&app, &mut admin, ProvisioningQuery { resource_id: id.clone(), ..Default::default() }).await;
    assert_eq!(history.total, 5, "the person's own requests");
    assert_eq!(provisioning(&app, &mut admin, ProvisioningQuery { search: "analyt".into(), ..Default::default() }).await.total, 1);
    assert_eq!(provisioning(&app, &mut admin, ProvisioningQuery { since: "1h".into(), token: "Okta".into(), ..Default::default() }).await.total, 6);
    assert_eq!(provisioning(&app, &mut admin, ProvisioningQuery { token: "Entra".into(), ..Default::default() }).await.total, 0);
    let res = app.call_json(&mut admin, "provisioning_activity", json!({"org": "acme", "query": only("everything")})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // As CSV, with the same filters.
    let res = app.get(&admin, "/acme/admin/provisioning-activity.csv?outcome=refused").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.starts_with("time,request id,token,method,path,status") && csv.contains("Pilot") && !csv.contains(&t.token), "{csv}");
    let res = app.get(&admin, "/acme/admin/provisioning-activity.csv?since=forever").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The page, for an admin.
    let html = app.get(&admin, "/acme/admin/provisioning-activity").await.text().await.unwrap();
    assert!(html.contains("Provisioning activity") && html.contains("noor@acme.example"), "{}", &html[..html.len().min(2000)]);
}

#[tokio::test]
async fn provisioning_activity_is_kept_as_long_as_the_organization_says_and_no_more() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let t = app.provisioning_token(&mut admin).await;
    let idp = Idp { app: &app, token: t.token };
    for i in 0..6 {
        assert_eq!(idp.get(&format!("/Users?count={}", i + 1)).await.0, StatusCode::OK);
    }
    assert_eq!(provisioning(&app, &mut admin, ProvisioningQuery::default()).await.total, 6);

    for days in ["0", "366", "soon"] {
        let res = app.call(&mut admin, "set_provisioning_retention", &[("org", "acme"), ("days", days)]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{days}");
    }
    let res = app.call(&mut admin, "set_provisioning_retention", &[("org", "acme"), ("days", "7")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(provisioning(&app, &mut admin, ProvisioningQuery::default()).await.retention_days, 7);
    assert!(app.audit_actions().await.iter().any(|(_, _, d)| d.contains("Provisioning activity kept for: 30 days → 7 days")));

    // Two requests eight days old go at the next tidying; the rest stay.
    sqlx::query(&format!("UPDATE provisioning_activity SET at = '{}' WHERE id IN (SELECT id FROM provisioning_activity ORDER BY at LIMIT 2)", app::store::ago(time::Duration::days(8))))
        .execute(&app.db)
        .await
        .unwrap();
    app::service::housekeeping::tidy(&app.db, 365).await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM provisioning_activity").await, 4);

    // And at most so many rows, the newest kept.
    let org = app.org_id().await;
    app::store::provisioning_activity::cap(&app.db, &org, 3).await.unwrap();
    let page = provisioning(&app, &mut admin, ProvisioningQuery::default()).await;
    assert_eq!(page.total, 3);
    assert_eq!(page.entries[0].path, "/scim/v2/Users?count=6");
}

/// The rows go through a queue that writes many requests' rows in one
/// transaction; a burst of requests at once must leave each its own row,
/// none lost, none twice, and the page reads them all at once after the burst
/// (it waits for what is queued, not for the queue's next turn); the queue
/// writes them on its own too, with no one reading.
#[tokio::test]
async fn a_burst_of_scim_requests_leaves_one_row_each() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let t = app.provisioning_token(&mut admin).await;
    let idp = Idp { app: &app, token: t.token.clone() };
    // Rows are written by the queue on its own, with no one reading the page.
    let written = |want: i64, what: &'static str| {
        let app = &app;
        wait_until(Duration::from_secs(10), what, move || async move { count(app, "SELECT COUNT(*) FROM provisioning_activity").await == want })
    };
    // One request first: the queue's writer has written it and waits when the burst comes.
    assert_eq!(idp.get("/Users?count=1").await.0, StatusCode::OK);
    written(1, "the first request's row is written").await;
    let n: i64 = 120;
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..n {
        let (http, url, token) = (app.http.clone(), format!("{}/scim/v2/Users?filter=userName%20eq%20%22b{i}%40acme.example%22", app.base), t.token.clone());
        burst.spawn(async move {
            let res = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        });
    }
    burst.join_all().await;
    written(n + 1, "the queue writes its rows without being asked").await;
    let page = provisioning(&app, &mut admin, ProvisioningQuery { size: 100, ..Default::default() }).await;
    assert_eq!(page.total, n + 1);
    let distinct = count(&app, "SELECT COUNT(DISTINCT path) FROM provisioning_activity").await;
    assert_eq!(distinct, n + 1, "each request its own row");
    // A second burst after the first is written: its rows too, at once.
    for i in 0..10 {
        assert_eq!(idp.get(&format!("/Users?count={i}")).await.0, StatusCode::OK);
    }
    assert_eq!(provisioning(&app, &mut admin, ProvisioningQuery::default()).await.total, n + 11);
}

// ---- Certificate rotation ----

#[tokio::test]
async fn the_identity_provider_rotates_its_certificate_without_locking_anyone_out() {
    let (app, _) = ready().await;
    // SAML only, shown to work by the admin's own SSO sign-in (password sessions end with it).
    let mut sso_admin = sso_admin_session(&app).await;
    app.save_authentication(&mut sso_admin, settings("saml")).await;
    let signed_by = |key: &str, cert: &str| {
        let r = Resp::valid(&app, None);
        b64(&r.response_with(&sign(&r.assertion(), key, cert, false)))
    };
    let signs_in = |xml: String| {
        let app = &app;
        async move { post_as_browser(app, &xml, None, None).await.status() == StatusCode::SEE_OTHER }
    };

    // Replacing the certificate outright under SAML only would lock everyone out if it were wrong.
    let mut replaced = settings("saml");
    replaced["idp_certificate"] = json!(OTHER_CERT);
    let res = app.call_json(&mut sso_admin, "save_authentication", json!({"org": "acme", "input": replaced})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The next certificate: both are trusted.
    let mut same = settings("saml");
    same["idp_next_certificate"] = json!(IDP_CERT);
    let (status, e) = error_of(app.call_json(&mut sso_admin, "save_authentication", json!({"org": "acme", "input": same})).await).await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("idp_next_certificate")));
    let mut rotating = settings("saml");
    rotating["idp_next_certificate"] = json!(OTHER_CERT);
    app.save_authentication(&mut sso_admin, rotating).await;
    let v: app::domain::views::AuthSettingsView = ok_json(app.call(&mut sso_admin, "authentication", &[("org", "acme")]).await).await;
    assert_eq!(v.next_certificate.as_ref().map(|c| c.fingerprint_sha256.clone()), Some(fingerprint(OTHER_CERT)));
    assert!(v.next_seen_at.is_none());
    assert!(app.audit_actions().await.iter().any(|(_, _, d)| d.contains(&format!("IdP next certificate: SHA-256 {}", fingerprint(OTHER_CERT)))));
    assert!(signs_in(signed_by(IDP_KEY, IDP_CERT)).await, "the current certificate still works");
    assert!(signs_in(signed_by(OTHER_KEY, OTHER_CERT)).await, "and the next one already does");
    let v: app::domain::views::AuthSettingsView = ok_json(app.call(&mut sso_admin, "authentication", &[("org", "acme")]).await).await;
    assert!(v.next_seen_at.is_some(), "a sign-in signed with the next certificate was seen");

    // Made the current one, SAML only stays: the rotation keeps SSO shown to work.
    let mut promoted = settings("saml");
    promoted["idp_certificate"] = json!(OTHER_CERT);
    app.save_authentication(&mut sso_admin, promoted).await;
    assert!(signs_in(signed_by(OTHER_KEY, OTHER_CERT)).await);
    assert!(!signs_in(signed_by(IDP_KEY, IDP_CERT)).await, "the old certificate is no longer trusted");
    let page = activity(&app, &mut sso_admin, "failed").await;
    let last = &page.attempts[0];
    assert_eq!(last.reason, Some(SsoReason::UnknownCertificate));
    assert_eq!((last.expected.clone(), last.received.clone()), (fingerprint(OTHER_CERT), fingerprint(IDP_CERT)), "which fingerprint was expected");
}

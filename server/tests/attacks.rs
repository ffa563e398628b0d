//! Attacks on signing in and on what people who are not signed in can make
//! the server do, each named after the attack, over HTTP: skipping the second
//! step with the password alone, guessing codes without end, withholding a
//! request's body, flooding refusals into the audit log, login CSRF with an
//! identity provider's unsolicited response, planting a message in the
//! sign-in page's URL, and what cookies and answers give away.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::MfaSetup;
use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PW: &str = "val's long password";
const VAL: &str = "val@acme.example";

fn code(secret: &str, steps: i64) -> String {
    totp_code(secret, steps)
}

fn auth_settings(method: &str, mfa: &str, guests: bool) -> Value {
    json!({"method": method, "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30,
        "mfa_policy": mfa, "allow_guests": guests, "allow_idp_initiated": true})
}

/// Sets up an authenticator app for the signed-in person on Profile; returns its key and recovery codes.
async fn set_up_app(app: &TestApp, s: &mut Session) -> (String, Vec<String>) {
    let setup: MfaSetup = ok_json(app.call(s, "begin_mfa", &[("org", "acme")]).await).await;
    let codes: Vec<String> = ok_json(app.call(s, "confirm_mfa", &[("org", "acme"), ("code", &code(&setup.secret, -1))]).await).await;
    (setup.secret, codes)
}

/// An organization with two-step verification optional, Val with a password.
async fn optional_two_step() -> (TestApp, Session) {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.save_authentication(&mut admin, auth_settings("password", "optional", false)).await;
    app.add_user(VAL, PW, BuiltIn::Viewer).await;
    (app, admin)
}

/// The password alone must not replace the person's app: sign-in enrolment
/// is for people the organization requires an app of and who have none.
#[tokio::test]
async fn the_password_alone_cannot_replace_the_authenticator_app() {
    let (app, _) = optional_two_step().await;
    let (mut val, _) = app.sign_in(VAL, PW).await;
    let (secret, _) = set_up_app(&app, &mut val).await;

    // Someone with only Val's password.
    let (mut thief, res) = app.sign_in(VAL, PW).await;
    assert_eq!(res.headers()["location"], "/acme/login/verify");
    let (st, e) = error_of(app.call(&mut thief, "sign_in_enrolment", &[("org", "acme")]).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{}", e.message);
    let (st, _) = error_of(app.call(&mut thief, "finish_sign_in_enrolment", &[("org", "acme"), ("code", "123456")]).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(app.me_status(&mut thief).await, StatusCode::UNAUTHORIZED);
    // The enrolment page opened in a browser shows no key.
    let page = app.get(&thief, "/acme/login/enrol").await.text().await.unwrap();
    assert!(!page.contains("otpauth://"), "no new key is given out");
    // Profile's own setup is for signed-in people only.
    let (st, _) = error_of(app.call(&mut thief, "begin_mfa", &[("org", "acme")]).await).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Val's own app still works.
    let (mut again, _) = app.sign_in(VAL, PW).await;
    ok_json::<()>(app.call(&mut again, "verify_sign_in", &[("org", "acme"), ("code", &code(&secret, 0))]).await).await;
    assert_eq!(app.me_status(&mut again).await, StatusCode::OK);
    // And even a signed-in person cannot set up a second app over the first.
    let (st, _) = error_of(app.call(&mut again, "begin_mfa", &[("org", "acme")]).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
}

/// Password, four wrong codes, password again, four more …: a correct
/// password does not give the code attempts back, so the guessing stops at
/// the limit.
#[tokio::test]
async fn codes_cannot_be_guessed_by_signing_in_again_with_the_password() {
    let (app, _) = optional_two_step().await;
    let (mut val, _) = app.sign_in(VAL, PW).await;
    let (secret, _) = set_up_app(&app, &mut val).await;
    let wrong = if code(&secret, 0) == "000000" { "111111" } else { "000000" };
    let mut rounds = Vec::new();
    for round in 0..4 {
        let (mut s, res) = app.sign_in(VAL, PW).await;
        assert_eq!(res.status(), StatusCode::OK, "round {round}: the password is still accepted");
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", wrong)]).await.status().as_u16());
        }
        rounds.push(statuses);
    }
    // Five wrong codes in the window; the next is refused (429) and ends that
    // pending sign-in (its later codes: 401, sign in again); every later round
    // is refused at its first code.
    assert_eq!(rounds[0], [400, 400, 400, 400], "{rounds:?}");
    assert_eq!(rounds[1], [400, 429, 401, 401], "{rounds:?}");
    assert_eq!(rounds[2], [429, 401, 401, 401], "{rounds:?}");
    assert_eq!(rounds[3], [429, 401, 401, 401], "{rounds:?}");
    // A refused guess says when to try again.
    let (mut s, _) = app.sign_in(VAL, PW).await;
    let res = app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", wrong)]).await;
    assert!(res.headers().contains_key("retry-after"));
    let (st, e) = error_of(res).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(e.message.contains("Too many wrong codes") && e.message.contains("minute"), "{}", e.message);
    // Even the right code waits for the window now.
    let (mut s, _) = app.sign_in(VAL, PW).await;
    assert_eq!(app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", &code(&secret, 0))]).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Codes from one address count against it too: guessing at many people's
/// codes from one address stops at the address's limit.
#[tokio::test]
async fn codes_guessed_for_many_people_from_one_address_stop_at_its_limit() {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.save_authentication(&mut admin, auth_settings("password", "optional", false)).await;
    let mut pending = Vec::new();
    for i in 0..8 {
        let email = format!("p{i}@acme.example");
        app.add_user(&email, PW, BuiltIn::Viewer).await;
        let (mut s, _) = app.sign_in(&email, PW).await;
        set_up_app(&app, &mut s).await;
        // Signed in from their own address; their codes are guessed from one.
        let mut p = Session::default();
        let res = app
            .http
            .post(format!("{}/api/sign_in", app.base))
            .header("origin", &app.base)
            .header("x-forwarded-for", format!("192.0.2.{}", i + 1))
            .form(&[("org", "acme"), ("email", email.as_str()), ("password", PW)])
            .send()
            .await
            .unwrap();
        p.absorb(&res);
        pending.push(p);
    }
    let mut statuses = Vec::new();
    for round in 0..4 {
        for p in &pending {
            let res = app
                .http
                .post(format!("{}/api/verify_sign_in", app.base))
                .header("origin", &app.base)
                .header("x-forwarded-for", "198.51.100.77")
                .header("cookie", format!("gatehouse_session={}", p.cookie.clone().unwrap()))
                .form(&[("org", "acme"), ("code", "000000")])
                .send()
                .await
                .unwrap();
            statuses.push((round, res.status().as_u16()));
        }
    }
    let checked = statuses.iter().filter(|(_, s)| *s == 400).count();
    assert_eq!(checked, app::service::sign_in::MAX_ATTEMPTS_PER_ADDRESS as usize, "the address's attempts: {statuses:?}");
}

/// Renewing recovery codes and removing the app take a current code: wrong
/// ones count as at sign-in.
#[tokio::test]
async fn renewing_codes_and_removing_the_app_cannot_be_used_to_guess_codes() {
    let (app, _) = optional_two_step().await;
    let (mut val, _) = app.sign_in(VAL, PW).await;
    let (secret, _) = set_up_app(&app, &mut val).await;
    let wrong = if code(&secret, 0) == "000000" { "111111" } else { "000000" };
    let mut statuses = Vec::new();
    for i in 0..8 {
        let endpoint = if i % 2 == 0 { "renew_recovery_codes" } else { "remove_mfa" };
        statuses.push(app.call(&mut val, endpoint, &[("org", "acme"), ("code", wrong)]).await.status().as_u16());
    }
    assert_eq!(statuses, [400, 400, 400, 400, 400, 429, 429, 429]);
    let still: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_norm = $1 AND mfa_secret IS NOT NULL").bind(VAL).fetch_one(&app.db).await.unwrap();
    assert_eq!(still, 1, "the app is still there");
}

/// A session signed in with a password alone ends when the organization
/// comes to require an app, when the person sets one up elsewhere, and when
/// an administrator resets their app.
#[tokio::test]
async fn password_only_sessions_end_when_an_app_becomes_required_or_is_set_up_or_reset() {
    let (app, mut admin) = optional_two_step().await;
    // Val, signed in on two browsers with the password alone.
    let (mut first, _) = app.sign_in(VAL, PW).await;
    let (mut second, _) = app.sign_in(VAL, PW).await;
    assert_eq!(app.me_status(&mut second).await, StatusCode::OK);
    // Setting up an app on one ends the other; this one goes on.
    set_up_app(&app, &mut first).await;
    assert_eq!(app.me_status(&mut first).await, StatusCode::OK, "the session that set the app up");
    assert_eq!(app.me_status(&mut second).await, StatusCode::UNAUTHORIZED, "a password-only session elsewhere");

    // Required: password-only sessions end (the admin who requires it has an app of their own).
    app.add_user("rae@acme.example", PW, BuiltIn::Viewer).await;
    let (mut rae, _) = app.sign_in("rae@acme.example", PW).await;
    assert_eq!(app.me_status(&mut rae).await, StatusCode::OK);
    set_up_app(&app, &mut admin).await;
    app.save_authentication(&mut admin, auth_settings("password", "required", false)).await;
    assert_eq!(app.me_status(&mut rae).await, StatusCode::UNAUTHORIZED, "Rae signed in with a password alone");
    assert_eq!(app.me_status(&mut admin).await, StatusCode::OK, "the admin's session showed an app");
    assert_eq!(app.me_status(&mut first).await, StatusCode::OK, "Val's session showed an app");

    // An administrator's reset of Val's app ends Val's sessions.
    let val_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(VAL).fetch_one(&app.db).await.unwrap();
    ok_json::<()>(app.call(&mut admin, "reset_mfa", &[("org", "acme"), ("user_id", &val_id)]).await).await;
    assert_eq!(app.me_status(&mut first).await, StatusCode::UNAUTHORIZED, "signed out everywhere");
}

/// Enrolment begun in one pending sign-in cannot be finished in another.
#[tokio::test]
async fn enrolment_begun_in_one_session_cannot_be_confirmed_in_another() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    set_up_app(&app, &mut admin).await;
    app.save_authentication(&mut admin, auth_settings("password", "required", false)).await;
    app.add_user(VAL, PW, BuiltIn::Viewer).await;
    let (mut a, res) = app.sign_in(VAL, PW).await;
    assert_eq!(res.headers()["location"], "/acme/login/enrol");
    let setup: MfaSetup = ok_json(app.call(&mut a, "sign_in_enrolment", &[("org", "acme")]).await).await;
    let (mut b, _) = app.sign_in(VAL, PW).await;
    let (st, e) = error_of(app.call(&mut b, "finish_sign_in_enrolment", &[("org", "acme"), ("code", &code(&setup.secret, 0))]).await).await;
    assert_eq!(st, StatusCode::CONFLICT, "{}", e.message);
    assert_eq!(app.me_status(&mut b).await, StatusCode::UNAUTHORIZED);
    // In its own session it works.
    let codes: Vec<String> = ok_json(app.call(&mut a, "finish_sign_in_enrolment", &[("org", "acme"), ("code", &code(&setup.secret, 0))]).await).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(app.me_status(&mut a).await, StatusCode::OK);
}

/// The same code, or the same recovery code, from two pending sign-ins at
/// the same moment: exactly one signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_code_from_two_pending_sign_ins_at_once_signs_in_once() {
    let (app, _) = optional_two_step().await;
    let (mut val, _) = app.sign_in(VAL, PW).await;
    let (secret, recovery) = set_up_app(&app, &mut val).await;
    for round in 0..2 {
        let the_code = if round == 0 { code(&secret, 0) } else { recovery[0].clone() };
        let (mut a, _) = app.sign_in(VAL, PW).await;
        let (mut b, _) = app.sign_in(VAL, PW).await;
        let form = [("org", "acme"), ("code", the_code.as_str())];
        let (ra, rb) = tokio::join!(app.call(&mut a, "verify_sign_in", &form), app.call(&mut b, "verify_sign_in", &form));
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 400], "round {round}: one wins");
    }
}

/// A client that sends a part of its body, then nothing: the connection is
/// let go within the request timeout, on every kind of route that reads a
/// body (server functions, SCIM, the assertion consumer, uploads).
#[tokio::test]
async fn a_withheld_body_is_let_go_within_the_request_timeout() {
    let app = spawn_app_with(|s| s.request_timeout = Duration::from_secs(2)).await;
    app.setup_acme().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let routes = [
        ("/api/login_info", "application/x-www-form-urlencoded"),
        ("/api/upload_csv", "application/x-www-form-urlencoded"),
        ("/scim/v2/Users", "application/scim+json"),
        ("/acme/finish-login", "application/x-www-form-urlencoded"),
    ];
    let mut held = Vec::new();
    for (path, kind) in routes {
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {}\r\nAuthorization: Bearer x\r\nContent-Type: {kind}\r\nContent-Length: 100\r\n\r\norg=", app.base);
        conn.write_all(head.as_bytes()).await.unwrap();
        held.push((path, conn));
    }
    for (path, mut conn) in held {
        // Well within: the timeout is 2 s; a held connection would stay open for good.
        let closed = tokio::time::timeout(Duration::from_secs(30), async {
            let mut buf = [0u8; 1024];
            loop {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "{path}: the connection was let go");
    }
    assert_eq!(app.http.get(format!("{}/healthz", app.base)).send().await.unwrap().status(), StatusCode::OK);
}

async fn counted(app: &TestApp, action: &str) -> (i64, i64) {
    app::store::audit::flush_counts(&app.db).await.unwrap();
    sqlx::query_as("SELECT COUNT(*), CAST(COALESCE(SUM(repeat_count), 0) AS BIGINT) FROM audit_events WHERE action = $1").bind(action).fetch_one(&app.db).await.unwrap()
}

/// A flood of wrong passwords from one address: every refusal is counted in
/// the audit log, in a bounded number of rows.
#[tokio::test]
async fn a_flood_of_refused_sign_ins_is_counted_not_written_one_row_each() {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    app.add_user(VAL, PW, BuiltIn::Viewer).await;
    for i in 0..120 {
        // One address: Val's password guessed, and made-up emails.
        let email = if i % 2 == 0 { VAL.to_string() } else { format!("nobody{i}@acme.example") };
        let res = app
            .http
            .post(format!("{}/api/sign_in", app.base))
            .header("origin", &app.base)
            .header("x-forwarded-for", "203.0.113.50")
            .form(&[("org", "acme"), ("email", email.as_str()), ("password", "a guess")])
            .send()
            .await
            .unwrap();
        assert!(matches!(res.status().as_u16(), 400 | 429), "{}", res.status());
    }
    let (rows, refusals) = counted(&app, "auth.sign_in_failed").await;
    assert_eq!(refusals, 120, "every refusal is counted");
    assert!(rows <= 40, "in a bounded number of rows (a row per reason, email and window, at most 32 kinds and one more): {rows}");
    // Refusals past the limits wrote no limiter rows either.
    let limiter_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_limits").fetch_one(&app.db).await.unwrap();
    assert!(limiter_rows <= 31, "one per email checked and one for the address: {limiter_rows}");
    // The audit page shows the count.
    let mut admin = app.admin_session().await;
    let page: app::domain::views::AuditPage = ok_json(app.call(&mut admin, "audit_events", &[("org", "acme"), ("action", "auth.sign_in_failed")]).await).await;
    assert!(page.events.iter().any(|e| e.repeat_count > 1 && e.last_at.is_some()), "repeats shown with their count");
}

/// SSO responses posted to an organization that has no SSO are refused and
/// write nothing at all.
#[tokio::test]
async fn sso_responses_for_an_organization_without_sso_write_nothing() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(&app.db).await.unwrap();
    for i in 0..30 {
        let res = app.http.post(format!("{}/acme/finish-login", app.base)).form(&[("SAMLResponse", b64(&format!("<garbage n='{i}'/>")))]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("not turned on"));
    }
    app::store::audit::flush_counts(&app.db).await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(&app.db).await.unwrap();
    assert_eq!(after, before, "nothing written");
}

/// Old audit events go after the organization's retention; the retention is
/// an administrator's setting with bounds.
#[tokio::test]
async fn audit_events_older_than_the_retention_are_deleted() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let org = app.org_id().await;
    for (id, days_ago) in [("old-1", 500), ("old-2", 45), ("recent", 5)] {
        sqlx::query("INSERT INTO audit_events (id, org_id, at, actor, action, target, target_norm, detail, ip) VALUES ($1, $2, $3, 'test', 'org.updated', '', '', '', '')")
            .bind(id)
            .bind(&org)
            .bind(app::store::ago(time::Duration::days(days_ago)))
            .execute(&app.db)
            .await
            .unwrap();
    }
    let details: app::domain::views::AccountDetails = ok_json(app.call(&mut admin, "account_details", &[("org", "acme")]).await).await;
    assert_eq!((details.audit_retention_days, details.audit_retention_chosen), (400, false), "the server's default");
    let (st, e) = error_of(app.call(&mut admin, "set_audit_retention", &[("org", "acme"), ("days", "7")]).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("audit_retention_days")));
    let (st, _) = error_of(app.call(&mut admin, "set_audit_retention", &[("org", "acme"), ("days", "many")]).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    app::service::housekeeping::tidy(&app.db, 400).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM audit_events WHERE id IN ('old-1', 'old-2', 'recent') ORDER BY id").fetch_all(&app.db).await.unwrap();
    assert_eq!(ids, ["old-2", "recent"], "past 400 days only");
    ok_json::<()>(app.call(&mut admin, "set_audit_retention", &[("org", "acme"), ("days", "30")]).await).await;
    app::service::housekeeping::tidy(&app.db, 400).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM audit_events WHERE id IN ('old-1', 'old-2', 'recent') ORDER BY id").fetch_all(&app.db).await.unwrap();
    assert_eq!(ids, ["recent"]);
    let changed: String = sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'org.updated' AND detail LIKE 'Audit log kept%'").fetch_one(&app.db).await.unwrap();
    assert_eq!(changed, "Audit log kept for: the server's default → 30 days");
    // Another organization's events are its own business (none here), and the
    // operator's default applies where an organization chose nothing.
    ok_json::<()>(app.call(&mut admin, "set_audit_retention", &[("org", "acme"), ("days", "")]).await).await;
    let details: app::domain::views::AccountDetails = ok_json(app.call(&mut admin, "account_details", &[("org", "acme")]).await).await;
    assert!(!details.audit_retention_chosen);
}

/// Login CSRF through the identity provider's unsolicited responses: a page
/// on another site auto-posts the attacker's own valid response. Alone it
/// signs nobody in; the person must choose "Continue as …" on Gatehouse's
/// page, whose post comes from Gatehouse's own origin.
#[tokio::test]
async fn an_unsolicited_response_posted_from_another_site_signs_nobody_in() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.save_authentication(&mut admin, auth_settings("saml_or_password", "off", false)).await;
    app.add_user("mallory@acme.example", PW, BuiltIn::Viewer).await;
    let mut r = Resp::valid(&app, None);
    r.name_id = "mallory@acme.example".into();
    let response = b64(&r.signed());
    let cross_site = |extra: Option<(&'static str, &'static str)>| {
        let mut form = vec![("SAMLResponse", response.clone())];
        if let Some((k, v)) = extra {
            form.push((k, v.to_string()));
        }
        app.http.post(acs(&app)).header("origin", "https://evil.example").header("sec-fetch-site", "cross-site").form(&form).send()
    };
    let res = cross_site(None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("gatehouse_session=")), "no session");
    let page = res.text().await.unwrap();
    assert!(page.contains("Continue as mallory@acme.example") && !page.contains("<script"), "a page that asks, with no script that answers for the person");
    // Posting the page's own answer from the other site does not pass either.
    let res = cross_site(Some(("confirmed", "1"))).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut s = Session::default();
    s.absorb(&res);
    assert!(res.text().await.unwrap().contains("data-testid=\"sso-confirm\""));
    assert_eq!(app.me_status(&mut s).await, StatusCode::UNAUTHORIZED);
    // The person's click (a post from Gatehouse's page) signs in, once.
    let form = [("SAMLResponse", response.clone()), ("confirmed", "1".into())];
    let res = app.http.post(acs(&app)).header("origin", &app.base).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut s = Session::default();
    s.absorb(&res);
    assert_eq!(app.me_status(&mut s).await, StatusCode::OK);
    let again = app.http.post(acs(&app)).header("origin", &app.base).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST, "a replay");
}

/// A link to the sign-in page that carries a made-up error ("Your account is
/// locked, call …") shows nothing of it; the errors the server itself sends
/// back to a page without its app still show.
#[tokio::test]
async fn a_message_planted_in_the_sign_in_pages_url_is_not_shown() {
    use base64::Engine as _;
    let app = spawn_app().await;
    app.setup_acme().await;
    let planted = json!({"kind": "Forbidden", "message": "Your account is locked. Call +1 555 0100 to unlock it.", "field": null});
    let err = base64::engine::general_purpose::URL_SAFE.encode(planted.to_string());
    let page = app.get(&Session::default(), &format!("/acme/login?__path=/api/sign_in&__err={err}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(!page.text().await.unwrap().contains("555 0100"), "the planted text is not shown");
    // A real refusal of a form sent without the app comes back signed, and shows.
    let res = app
        .http
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", &app.base)
        .header("referer", format!("{}/acme/login", app.base))
        .header("accept", "text/html")
        .form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("__sig="), "{location}");
    let path = location.trim_start_matches(&app.base).to_string();
    let page = app.get(&Session::default(), &path).await.text().await.unwrap();
    assert!(page.contains("do not match an account here"), "the server's own message is shown");
}

/// Behind https every cookie carries the prefix that keeps other hosts (even
/// subdomains) from setting or shadowing it.
#[tokio::test]
async fn cookies_carry_the_host_prefix_behind_https() {
    let app = spawn_app_with(|s| s.base_url = Some("https://gatehouse.example".into())).await;
    let host = |r: reqwest::RequestBuilder| r.header("host", "gatehouse.example").header("origin", "https://gatehouse.example");
    let code = app.setup_code().await;
    let res = host(app.http.post(format!("{}/api/run_setup", app.base))).form(&setup_form(&code)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = host(app.http.post(format!("{}/api/sign_in", app.base))).form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).send().await.unwrap();
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("__Host-gatehouse_session=")).unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(session.contains("Secure") && session.contains("Path=/") && !session.to_lowercase().contains("domain="), "{session}");
    assert!(cookies.iter().any(|c| c.starts_with("__Host-gatehouse_device=")), "{cookies:?}");
    assert!(!cookies.iter().any(|c| c.starts_with("gatehouse_")), "no cookie without its prefix: {cookies:?}");
    // The session works under its name.
    let value = session.split(';').next().unwrap().to_string();
    let me = host(app.http.post(format!("{}/api/me", app.base))).header("cookie", &value).form(&[("org", "acme")]).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // The SSO request's cookie is for one path: __Secure-.
    let mut s = Session::default();
    s.cookie = Some(value.trim_start_matches("__Host-gatehouse_session=").to_string());
    let res = host(app.http.post(format!("{}/api/save_authentication", app.base)))
        .header("cookie", &value)
        .json(&json!({"org": "acme", "input": auth_settings("saml_or_password", "off", false)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = host(app.http.get(format!("{}/acme/sso", app.base))).send().await.unwrap();
    let sso = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.contains("gatehouse_sso")).unwrap();
    assert!(sso.starts_with("__Secure-gatehouse_sso=") && sso.contains("Path=/acme/finish-login") && sso.contains("Secure"), "{sso}");
}

/// Under SSO only, with guests allowed, a guest's email and a member's get
/// the same answers until the password is right; with guests not allowed,
/// every email gets the same answer at once.
#[tokio::test]
async fn under_sso_only_a_guests_email_answers_like_a_members() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.save_authentication(&mut admin, auth_settings("saml_or_password", "off", true)).await;
    let viewer = app::store::account_types::built_in(&app.db, &app.org_id().await, BuiltIn::Viewer).await.unwrap().id;
    let links: Vec<app::domain::views::InvitationLink> =
        ok_json(app.call_json(&mut admin, "invite_users", json!({"org": "acme", "people": "gus@partner.example", "account_type_id": viewer, "team_ids": [], "guest": true})).await).await;
    let token = links[0].link.rsplit('/').next().unwrap().to_string();
    ok_json::<()>(
        app.call(&mut Session::default(), "accept_invitation", &[("org", "acme"), ("token", &token), ("password", "gus has a long password"), ("password_confirm", "gus has a long password")]).await,
    )
    .await;
    app.add_user("mia@acme.example", "mia's long password", BuiltIn::Viewer).await;
    // Admin signs in by SSO, then SSO only.
    let mut sso_admin = sso_admin_session(&app).await;
    app.save_authentication(&mut sso_admin, auth_settings("saml", "off", true)).await;

    let app = &app;
    let answer = |email: &'static str, password: &'static str| async move {
        let (_, res) = app.sign_in(email, password).await;
        let (st, e) = error_of(res).await;
        (st, e.message)
    };
    let guest = answer("gus@partner.example", "a wrong password").await;
    let member = answer("mia@acme.example", "a wrong password").await;
    let nobody = answer("nobody@acme.example", "a wrong password").await;
    assert_eq!(guest, member, "a guest and a member look alike");
    assert_eq!(member, nobody, "and like an email nobody has");
    // The member who knows their password is told to use SSO.
    let (st, msg) = answer("mia@acme.example", "mia's long password").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(msg.contains("single sign-on"), "{msg}");
    // Guests turned off: every email the same answer, at once.
    app.save_authentication(&mut sso_admin, auth_settings("saml", "off", false)).await;
    let a = answer("gus@partner.example", "gus has a long password").await;
    let b = answer("mia@acme.example", "a wrong password").await;
    let c = answer("nobody@acme.example", "x").await;
    assert!(a == b && b == c && a.0 == StatusCode::FORBIDDEN, "{a:?} {b:?} {c:?}");
}

/// Webhook URLs often carry their secret: people who only export see them
/// redacted, and so do the audit log and the messages.
#[tokio::test]
async fn webhook_urls_are_shown_whole_only_to_administrators() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let secret_url = "https://hooks.example.com/services/T000/B000/XXXXSECRETXXXX";
    let org = app.org_id().await;
    let admin_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(ADMIN_EMAIL).fetch_one(&app.db).await.unwrap();
    let actor = app::service::Actor { id: Some(admin_id), kind: app::service::ActorKind::Admin, ..app::service::Actor::operator(&org, ADMIN_EMAIL) };
    app::service::webhooks::allow(&app.db, &actor, secret_url).await.unwrap();
    let listed: Vec<app::domain::views::Choice> = ok_json(app.call(&mut admin, "webhook_destinations", &[("org", "acme")]).await).await;
    assert_eq!(listed[0].label, secret_url, "the administrator sees the whole URL");
    // A Creator who may export to webhooks.
    app.add_user("cleo@acme.example", PW, BuiltIn::Creator).await;
    let (mut cleo, _) = app.sign_in("cleo@acme.example", PW).await;
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &org, 10).await.unwrap();
    let doc: String = ok_json(app.call(&mut cleo, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &dataset)]).await).await;
    let page = app.call_json(&mut cleo, "document", json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": null}})).await.text().await.unwrap();
    assert!(!page.contains("XXXXSECRET"), "the document page shows no secret");
    assert!(page.contains("https://hooks.example.com/services/…"), "{page}");
    let remove = app.call(&mut admin, "remove_webhook", &[("org", "acme"), ("id", &listed[0].id)]).await;
    assert_eq!(remove.status(), StatusCode::OK);
    let targets: Vec<String> = sqlx::query_scalar("SELECT target FROM audit_events WHERE action LIKE 'webhook.%'").fetch_all(&app.db).await.unwrap();
    assert_eq!(targets.len(), 2);
    assert!(targets.iter().all(|t| !t.contains("SECRET")), "{targets:?}");
}

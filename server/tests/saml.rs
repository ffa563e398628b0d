//! SAML single sign-on over HTTP against the real server: signed responses are
//! made while the test runs (a throwaway RSA key made by openssl, and the
//! saml-rs signer), posted to the ACS like a browser would, and every check
//! that must refuse a response is shown to refuse it — with no session made
//! and the precise reason in the audit log.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{AuthSettingsView, LoginInfo, Me};
use app::error::ErrorKind;
use common::saml_idp::*;
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, SystemTime};

fn settings(method: &str) -> serde_json::Value {
    json!({"method": method, "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30})
}

async fn save(app: &TestApp, s: &mut Session, input: serde_json::Value) -> reqwest::Response {
    app.call_json(s, "save_authentication", json!({"org": "acme", "input": input})).await
}

/// Acme with its admin, Carol (Creator), and SAML or password configured.
async fn ready() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user(CAROL, "carol's long password", BuiltIn::Creator).await;
    let mut s = app.admin_session().await;
    let v: AuthSettingsView = ok_json(save(&app, &mut s, settings("saml_or_password")).await).await;
    assert_eq!(v.method, app::domain::AuthMethod::SamlOrPassword);
    (app, s)
}

/// Posts to the ACS as the IdP's auto-submitted form does (cross-site: no cookie).
async fn post(app: &TestApp, saml_response: &str, relay_state: Option<&str>) -> (Session, reqwest::Response) {
    post_in_browser(app, saml_response, relay_state, None).await
}

/// Posts to the ACS as a browser that holds `cookie` (the request cookie) does:
/// the IdP's cross-site post carries no cookie, so Gatehouse answers a page
/// that posts the response again from its own site, with the cookie.
async fn post_in_browser(app: &TestApp, saml_response: &str, relay_state: Option<&str>, cookie: Option<&str>) -> (Session, reqwest::Response) {
    let res = common::saml_idp::post_as_browser(app, saml_response, relay_state, cookie).await;
    let mut s = Session::default();
    s.absorb(&res);
    (s, res)
}

async fn me(app: &TestApp, s: &mut Session) -> reqwest::Response {
    app.call(s, "me", &[("org", "acme")]).await
}

/// Failed SSO sign-ins in the audit log, counted (the counts kept in memory added first).
async fn sso_failures_counted(app: &TestApp) -> i64 {
    app::store::audit::flush_counts(&app.db).await.unwrap();
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(repeat_count), 0) AS BIGINT) FROM audit_events WHERE action = 'auth.sso_failed'").fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn sp_initiated_sign_in_follows_the_relay_state_and_rotates_the_session() {
    let (app, _) = ready().await;
    let Started { id, relay, cookie } = start_sign_in(&app, "/acme/profile").await;
    assert_eq!(relay, "/acme/profile");
    let (mut s, res) = post_in_browser(&app, &b64(&Resp::valid(&app, Some(&id)).signed()), Some(&relay), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(res.headers()["location"], "/acme/profile");
    assert!(s.cookie.is_some(), "a session cookie is set");
    let me: Me = ok_json(me(&app, &mut s).await).await;
    assert_eq!(me.email, CAROL);
    let (_, target, detail): (String, String, String) =
        sqlx::query_as("SELECT action, target, detail FROM audit_events WHERE action = 'auth.sign_in' ORDER BY at DESC LIMIT 1").fetch_one(&app.db).await.unwrap();
    assert_eq!((target.as_str(), detail.as_str()), (CAROL, "method: sso"));
    assert!(res.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("gatehouse_sso=;")), "the request cookie is removed once answered");
    // The request was answered: the same request cannot be answered again, even with its cookie.
    let (_, again) = post_in_browser(&app, &b64(&Resp::valid(&app, Some(&id)).signed()), Some(&relay), Some(&cookie)).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.unwrap().contains("already used"));
}

#[tokio::test]
async fn idp_initiated_sign_in_is_accepted_and_only_relative_relay_states_are_followed() {
    let (app, _) = ready().await;
    for (relay, expected) in [
        (None, "/acme"),
        (Some(""), "/acme"),
        (Some("/acme/profile"), "/acme/profile"),
        (Some("https://evil.example/acme"), "/acme"),
        (Some("//evil.example"), "/acme"),
        (Some("/other-org/x"), "/acme"),
        (Some(acs(&app).as_str()), "/acme"),
    ] {
        let (mut s, res) = post(&app, &b64(&Resp::valid(&app, None).signed()), relay).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{relay:?}: {}", res.text().await.unwrap());
        assert_eq!(res.headers()["location"], expected, "{relay:?}");
        assert_eq!(me(&app, &mut s).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_replayed_response_is_refused() {
    let (app, _) = ready().await;
    let unsolicited = b64(&Resp::valid(&app, None).signed());
    let (_, first) = post(&app, &unsolicited, None).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let (mut s, second) = post(&app, &unsolicited, None).await;
    assert_eq!(second.status(), StatusCode::BAD_REQUEST);
    let page = second.text().await.unwrap();
    assert!(page.contains("already used"), "{page}");
    assert_eq!(me(&app, &mut s).await.status(), StatusCode::UNAUTHORIZED);
    assert!(last_sso_failure(&app).await.contains("replayed"));
}

/// Makes what is posted for a fresh SP-initiated request: (request id, relay state) -> (SAMLResponse, posted RelayState).
type Case = Box<dyn Fn(&TestApp, &str, &str) -> (String, Option<String>)>;

#[tokio::test]
async fn every_forged_or_wrong_response_is_refused_with_no_session() {
    let (app, _) = ready().await;
    let evil = |r: &Resp| {
        let mut e = r.clone();
        e.assertion_id = format!("_evil{}", nonce());
        e.name_id = ADMIN_EMAIL.into();
        e
    };
    let cases: Vec<(&str, &str, Case)> = vec![
        (
            "unsigned",
            "SignatureMissing",
            Box::new(|app, id, rs| {
                let r = Resp::valid(app, Some(id));
                (b64(&r.response_with(&r.assertion())), Some(rs.into()))
            }),
        ),
        (
            "signed by another key, its certificate in KeyInfo",
            "not verified",
            Box::new(|app, id, rs| {
                let r = Resp::valid(app, Some(id));
                (b64(&r.response_with(&sign(&r.assertion(), OTHER_KEY, OTHER_CERT, false))), Some(rs.into()))
            }),
        ),
        (
            "signed by another key, the trusted certificate in KeyInfo",
            "not verified",
            Box::new(|app, id, rs| {
                let r = Resp::valid(app, Some(id));
                (b64(&r.response_with(&sign(&r.assertion(), OTHER_KEY, IDP_CERT, false))), Some(rs.into()))
            }),
        ),
        (
            "NameID changed after signing",
            "not verified",
            Box::new(|app, id, rs| {
                let xml = Resp::valid(app, Some(id)).signed().replace(&format!(">{CAROL}<"), &format!(">{ADMIN_EMAIL}<"));
                (b64(&xml), Some(rs.into()))
            }),
        ),
        (
            "Audience changed after signing",
            "not verified",
            Box::new(|app, id, rs| {
                let xml = Resp::valid(app, Some(id)).signed().replace(&format!(">{}<", entity(app)), ">https://other-sp.example/<");
                (b64(&xml), Some(rs.into()))
            }),
        ),
        (
            "validly signed for another audience",
            "Audience",
            Box::new(|app, id, rs| {
                let mut r = Resp::valid(app, Some(id));
                r.audience = "https://other-sp.example/saml/metadata".into();
                (b64(&r.signed()), Some(rs.into()))
            }),
        ),
        (
            "wrong Destination (response signed)",
            "Destination",
            Box::new(|app, id, rs| {
                let mut r = Resp::valid(app, Some(id));
                r.destination = "https://other-sp.example/acs".into();
                (b64(&sign(&r.response_with(&r.assertion()), IDP_KEY, IDP_CERT, true)), Some(rs.into()))
            }),
        ),
        (
            "wrong Recipient",
            "Recipient",
            Box::new(|app, id, rs| {
                let mut r = Resp::valid(app, Some(id));
                r.recipient = "https://other-sp.example/acs".into();
                (b64(&r.signed()), Some(rs.into()))
            }),
        ),
        (
            "another issuer",
            "Issuer",
            Box::new(|app, id, rs| {
                let mut r = Resp::valid(app, Some(id));
                r.issuer = "https://evil-idp.example/metadata".into();
                (b64(&r.signed()), Some(rs.into()))
            }),
        ),
        (
            "expired beyond the two-minute skew",
            "TimeWindow",
            Box::new(|app, id, rs| {
                let mut r = Resp::valid(app, Some(id));
                r.not_before = SystemTime::now() - Duration::from_secs(900);
                r.not_on_or_after = SystemTime::now() - Duration::from_secs(180);
                (b64(&r.signed()), Some(rs.into()))
            }),
        ),
        (
            "not yet valid beyond the two-minute skew",
            "TimeWindow",
            Box::new(|app, id, rs| {
                let mut r = Resp::valid(app, Some(id));
                r.not_before = SystemTime::now() + Duration::from_secs(180);
                r.not_on_or_after = SystemTime::now() + Duration::from_secs(900);
                (b64(&r.signed()), Some(rs.into()))
            }),
        ),
        ("InResponseTo of a request never sent", "matches no request this browser started", Box::new(|app, _, rs| (b64(&Resp::valid(app, Some("_never-sent")).signed()), Some(rs.into())))),
        ("RelayState changed on the way", "RelayState", Box::new(|app, id, _| (b64(&Resp::valid(app, Some(id)).signed()), Some("/acme/admin".into())))),
        (
            "XSW: an unsigned assertion before the signed one",
            "not verified",
            Box::new(move |app, id, rs| {
                let r = Resp::valid(app, Some(id));
                let signed = sign(&r.assertion(), IDP_KEY, IDP_CERT, false);
                (b64(&r.response_with(&format!("{}{signed}", evil(&r).assertion()))), Some(rs.into()))
            }),
        ),
        (
            "XSW: an unsigned assertion after the signed one",
            "not verified",
            Box::new(move |app, id, rs| {
                let r = Resp::valid(app, Some(id));
                let signed = sign(&r.assertion(), IDP_KEY, IDP_CERT, false);
                (b64(&r.response_with(&format!("{signed}{}", evil(&r).assertion()))), Some(rs.into()))
            }),
        ),
        (
            "XSW: the signed assertion hidden in Extensions",
            "not verified",
            Box::new(move |app, id, rs| {
                let r = Resp::valid(app, Some(id));
                let signed = sign(&r.assertion(), IDP_KEY, IDP_CERT, false);
                let xml = r.response_with(&evil(&r).assertion()).replace("<samlp:Status>", &format!("<samlp:Extensions>{signed}</samlp:Extensions><samlp:Status>"));
                (b64(&xml), Some(rs.into()))
            }),
        ),
        (
            "XSW: the signed assertion inside SubjectConfirmationData",
            "not verified",
            Box::new(move |app, id, rs| {
                let r = Resp::valid(app, Some(id));
                let signed = sign(&r.assertion(), IDP_KEY, IDP_CERT, false);
                let wrapped = evil(&r).assertion().replacen(&format!(r#"Recipient="{}"/>"#, acs(app)), &format!(r#"Recipient="{}">{signed}</saml:SubjectConfirmationData>"#, acs(app)), 1);
                (b64(&r.response_with(&wrapped)), Some(rs.into()))
            }),
        ),
        (
            "XSW: a signed Response wrapped in a forged one",
            "not verified",
            Box::new(move |app, id, rs| {
                let r = Resp::valid(app, Some(id));
                let signed = sign(&r.response_with(&r.assertion()), IDP_KEY, IDP_CERT, true);
                let mut e = evil(&r);
                e.response_id = format!("_evilr{}", nonce());
                let xml = e.response_with(&e.assertion()).replace("<samlp:Status>", &format!("<samlp:Extensions>{signed}</samlp:Extensions><samlp:Status>"));
                (b64(&xml), Some(rs.into()))
            }),
        ),
        ("not base64", "not base64", Box::new(|_, _, rs| ("%%% not base64 %%%".into(), Some(rs.into())))),
        ("not XML", "not well-formed", Box::new(|_, _, rs| (b64("<samlp:Response <<"), Some(rs.into())))),
        ("an XML bomb (DOCTYPE)", "DOCTYPE", Box::new(|_, _, rs| (b64(r#"<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><samlp:Response>&b;</samlp:Response>"#), Some(rs.into())))),
        ("empty", "no SAMLResponse", Box::new(|_, _, rs| (String::new(), Some(rs.into())))),
    ];
    for (name, reason, case) in cases {
        let Started { id, relay: rs, cookie } = start_sign_in(&app, "/acme").await;
        let make = case;
        let (response, relay) = make(&app, &id, &rs);
        let failures_before = sso_failures_counted(&app).await;
        let (mut s, res) = post_in_browser(&app, &response, relay.as_deref(), Some(&cookie)).await;
        let status = res.status();
        let page = res.text().await.unwrap();
        assert!(status == StatusCode::BAD_REQUEST, "{name}: {status} {page}");
        assert!(page.contains("data-testid=\"sso-reference\""), "{name}: the page gives a reference");
        assert_eq!(me(&app, &mut s).await.status(), StatusCode::UNAUTHORIZED, "{name}: no session");
        assert_eq!(sso_failures_counted(&app).await, failures_before + 1, "{name}: counted once in the audit log");
        // Failures are counted per reason and address: the first of its kind
        // is a row with the page's reference; a repeat adds to that row.
        let (detail, repeats): (String, i64) =
            sqlx::query_as("SELECT detail, repeat_count FROM audit_events WHERE action = 'auth.sso_failed' ORDER BY COALESCE(last_at, at) DESC LIMIT 1").fetch_one(&app.db).await.unwrap();
        assert!(detail.contains(reason), "{name}: the audit log should say {reason:?}, it says {detail:?}");
        let reference = page.split("data-testid=\"sso-reference\">").nth(1).unwrap().split('<').next().unwrap();
        assert!(repeats > 1 || detail.contains(reference), "{name}: the audit entry carries the page's reference");
    }
    // Nobody was signed in by any of them.
    let sso_sign_ins = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in' AND detail = 'method: sso'").fetch_one(&app.db).await.unwrap() };
    assert_eq!(sso_sign_ins().await, 0);
    // The response every case starts from, sent as it is for a request made
    // the same way, signs in: each refusal above is the server's answer to
    // what that case changed.
    let Started { id, relay, cookie } = start_sign_in(&app, "/acme").await;
    let (mut s, res) = post_in_browser(&app, &b64(&Resp::valid(&app, Some(&id)).signed()), Some(&relay), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the untampered response: {}", res.text().await.unwrap());
    assert_eq!(me(&app, &mut s).await.status(), StatusCode::OK, "signed in by the untampered response");
    assert_eq!(sso_sign_ins().await, 1);
}

#[tokio::test]
async fn an_expired_request_cannot_be_answered() {
    let (app, _) = ready().await;
    let Started { id, relay, .. } = start_sign_in(&app, "/acme").await;
    // The request's cookie as the server made it, but expired.
    let keys = app::service::keys::Keys::load(&app.db).await.unwrap();
    let org = app.org_id().await;
    let expired = keys.sign("sso", &format!("{org}|{id}|2000-01-01T00:00:00.000000Z|{relay}"));
    let (_, res) = post_in_browser(&app, &b64(&Resp::valid(&app, Some(&id)).signed()), Some(&relay), Some(&expired)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("too long ago"));
}

/// Login CSRF: an attacker starts a sign-in in their own browser, signs in at
/// the identity provider as themselves, and makes the victim's browser post
/// the response. It answers a request the victim's browser did not start.
#[tokio::test]
async fn a_response_to_a_sign_in_started_in_another_browser_signs_nobody_in() {
    let (app, mut admin) = ready().await;
    let attackers = start_sign_in(&app, "/acme").await;
    let response = b64(&Resp::valid(&app, Some(&attackers.id)).signed());
    // The victim's browser: no request cookie, or the cookie of a request of its own.
    let victims = start_sign_in(&app, "/acme").await;
    for cookie in [None, Some(victims.cookie.as_str()), Some("forged.cookie")] {
        let (mut s, res) = post_in_browser(&app, &response, Some(&attackers.relay), cookie).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{cookie:?}");
        assert!(res.text().await.unwrap().contains("started in another browser"));
        assert_eq!(me(&app, &mut s).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(last_sso_failure(&app).await.contains("no request this browser started"));

    // Sign-in started at the identity provider is on by default (Okta's tiles), and can be turned off.
    let (_, res) = post(&app, &b64(&Resp::valid(&app, None).signed()), None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut off = settings("saml_or_password");
    off["allow_idp_initiated"] = json!(false);
    let v: AuthSettingsView = ok_json(save(&app, &mut admin, off).await).await;
    assert!(!v.allow_idp_initiated);
    let (mut s, res) = post(&app, &b64(&Resp::valid(&app, None).signed()), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("does not accept sign-in started at your identity provider"));
    assert_eq!(me(&app, &mut s).await.status(), StatusCode::UNAUTHORIZED);
    // Started here, it still works.
    let mine = start_sign_in(&app, "/acme").await;
    let (_, res) = post_in_browser(&app, &b64(&Resp::valid(&app, Some(&mine.id)).signed()), Some(&mine.relay), Some(&mine.cookie)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// Starting a sign-in writes nothing: anyone can ask for it, as often as they like.
#[tokio::test]
async fn starting_a_sign_in_writes_nothing() {
    let (app, _) = ready().await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT (SELECT COUNT(*) FROM audit_events) + (SELECT COUNT(*) FROM saml_used_ids) + (SELECT COUNT(*) FROM sessions)").fetch_one(&app.db).await.unwrap()
    };
    let before = count().await;
    for _ in 0..20 {
        start_sign_in(&app, "/acme").await;
    }
    assert_eq!(count().await, before);
}

#[tokio::test]
async fn unknown_and_deactivated_people_get_clear_pages() {
    let (app, mut admin) = ready().await;
    let mut r = Resp::valid(&app, None);
    r.name_id = "nobody@example.com".into();
    let (mut s, res) = post(&app, &b64(&r.signed()), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("There is no Gatehouse account for nobody@example.com in Acme"), "{page}");
    assert_eq!(me(&app, &mut s).await.status(), StatusCode::UNAUTHORIZED);
    let (action, target, detail): (String, String, String) =
        sqlx::query_as("SELECT action, target, detail FROM audit_events WHERE action = 'auth.sso_failed' ORDER BY at DESC LIMIT 1").fetch_one(&app.db).await.unwrap();
    assert_eq!((action.as_str(), target.as_str()), ("auth.sso_failed", "nobody@example.com"));
    assert!(detail.contains("no account with this email"));

    // Case does not matter for the email; deactivated people are refused.
    let carol: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(CAROL).fetch_one(&app.db).await.unwrap();
    let res = app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": [carol], "new_owner_id": null})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let mut r = Resp::valid(&app, None);
    r.name_id = CAROL.to_uppercase();
    let (_, res) = post(&app, &b64(&r.signed()), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("is deactivated"));
}

#[tokio::test]
async fn settings_are_checked_on_save_and_change_nothing_when_wrong() {
    let (app, mut s) = ready().await;
    let before: AuthSettingsView = ok_json(app.call(&mut s, "authentication", &[("org", "acme")]).await).await;
    let cert = before.certificate.as_ref().expect("certificate details");
    assert!(cert.subject.contains("Test IdP"), "{}", cert.subject);
    assert_eq!(cert.fingerprint_sha256.len(), 95);
    assert_eq!(before.acs_url, acs(&app));
    assert_eq!(before.sp_entity_id, entity(&app));

    let with = |k: &str, v: serde_json::Value| {
        let mut i = settings("saml_or_password");
        i[k] = v;
        i
    };
    for (input, field, words) in [
        (with("idp_certificate", json!("-----BEGIN CERTIFICATE-----\nnot a cert!\n-----END CERTIFICATE-----")), "idp_certificate", "does not look like a certificate"),
        (with("idp_certificate", json!("QUJD")), "idp_certificate", "could not be read"),
        (with("idp_certificate", json!(OTHER_KEY)), "idp_certificate", "private key"),
        (with("idp_certificate", json!("")), "idp_certificate", "SAML needs"),
        (with("idp_login_url", json!("")), "idp_login_url", "SAML needs"),
        (with("idp_login_url", json!("idp.example.com/sso")), "idp_login_url", "https://"),
        (with("idp_login_url", json!("http://idp.example.com/sso")), "idp_login_url", "localhost"),
        (with("method", json!("kerberos")), "method", "Choose"),
        (with("session_days", json!(0)), "session_days", "between"),
        (with("session_days", json!(365)), "session_days", "between"),
        (with("idp_issuer", json!("two words")), "idp_issuer", "without spaces"),
    ] {
        let (status, e) = error_of(save(&app, &mut s, input).await).await;
        assert_eq!((status, e.kind, e.field.as_deref()), (StatusCode::BAD_REQUEST, ErrorKind::Invalid, Some(field)), "{}", e.message);
        assert!(e.message.contains(words), "{field}: {}", e.message);
    }
    let after: AuthSettingsView = ok_json(app.call(&mut s, "authentication", &[("org", "acme")]).await).await;
    assert_eq!(after, before, "nothing changed");

    // A certificate pasted without its BEGIN/END lines is accepted; session length changes.
    let body: String = IDP_CERT.lines().filter(|l| !l.starts_with("-----")).collect();
    let v: AuthSettingsView =
        ok_json(save(&app, &mut s, json!({"method": "saml_or_password", "idp_login_url": IDP_SSO, "idp_certificate": body, "idp_issuer": IDP_ENTITY, "session_days": 7})).await).await;
    assert_eq!(v.session_days, 7);
    assert_eq!(v.certificate.unwrap().fingerprint_sha256, cert.fingerprint_sha256);
    let changes: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'auth.settings_changed' ORDER BY at").fetch_all(&app.db).await.unwrap();
    assert_eq!(changes.last().unwrap(), "session length: 30 → 7 days");

    // Only admins may read or change these settings.
    app.add_user("viewer@acme.example", "viewer's long password", BuiltIn::Viewer).await;
    let (mut v, _) = app.sign_in("viewer@acme.example", "viewer's long password").await;
    assert_eq!(app.call(&mut v, "authentication", &[("org", "acme")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(save(&app, &mut v, settings("password")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(save(&app, &mut Session::default(), settings("password")).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn saml_only_needs_an_admin_sso_sign_in_then_refuses_passwords() {
    let (app, mut s) = ready().await;
    // The lockout guard: no admin has signed in through SSO yet.
    let (status, e) = error_of(save(&app, &mut s, settings("saml")).await).await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::CONFLICT, Some("method")));
    assert!(e.message.contains("sign in with “Sign in with SSO” as an administrator"), "{}", e.message);

    // A non-admin's SSO sign-in does not count.
    let (_, res) = post(&app, &b64(&Resp::valid(&app, None).signed()), None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(save(&app, &mut s, settings("saml")).await.status(), StatusCode::CONFLICT);

    // The admin signs in through SSO: now SAML only may be chosen.
    let mut r = Resp::valid(&app, None);
    r.name_id = ADMIN_EMAIL.into();
    let (mut sso, res) = post(&app, &b64(&r.signed()), None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let v: AuthSettingsView = ok_json(save(&app, &mut s, settings("saml")).await).await;
    assert_eq!(v.method, app::domain::AuthMethod::Saml);
    assert_eq!(v.sso_verified_by.as_deref(), Some(ADMIN_EMAIL));
    // Sessions that began with a password end with it; the SSO one goes on.
    assert_eq!(me(&app, &mut s).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &mut sso).await.status(), StatusCode::OK);
    let mut s = sso;

    let info: LoginInfo = ok_json(app.call(&mut Session::default(), "login_info", &[("org", "acme")]).await).await;
    assert!(info.sso_enabled && !info.password_enabled);
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, e) = error_of(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(e.message.contains("signs in with single sign-on"), "{}", e.message);

    // Changing the identity provider under SAML only is refused: it could lock everyone out.
    let mut other = settings("saml");
    other["idp_certificate"] = json!(OTHER_CERT);
    let (status, e) = error_of(save(&app, &mut s, other).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(e.message.contains("settings changed"), "{}", e.message);

    // Break-glass, on the server's machine.
    let out = app.cli(&["admin", "reset-auth", "--org", "acme"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("now by password"));
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let reset: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.reset'").fetch_one(&app.db).await.unwrap();
    assert_eq!(reset, 1);
    // With password only, the ACS refuses responses.
    let (_, res) = post(&app, &b64(&Resp::valid(&app, None).signed()), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("not turned on"));
}

#[tokio::test]
async fn sp_metadata_and_session_length() {
    let (app, mut s) = ready().await;
    let res = app.get(&Session::default(), "/acme/saml/metadata").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/samlmetadata+xml"));
    let xml = res.text().await.unwrap();
    assert!(xml.contains(&format!(r#"entityID="{}""#, entity(&app))), "{xml}");
    assert!(xml.contains(&format!(r#"Location="{}""#, acs(&app))), "{xml}");
    // The ACS opened in a browser goes to the organization's home, never elsewhere.
    assert_eq!(app.get(&Session::default(), "/acme/finish-login").await.headers()["location"], "/acme");
    assert_eq!(app.get(&Session::default(), "/%5Cevil.example/finish-login").await.status(), StatusCode::NOT_FOUND);

    let mut input = settings("saml_or_password");
    input["session_days"] = json!(2);
    assert_eq!(save(&app, &mut s, input).await.status(), StatusCode::OK);
    let (_, res) = post(&app, &b64(&Resp::valid(&app, None).signed()), None).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let max_age: i64 = cookie.split("Max-Age=").nth(1).unwrap_or_else(|| panic!("an expiry: {cookie}")).split(';').next().unwrap().parse().unwrap();
    let days = max_age / 3600;
    assert!((47..=48).contains(&days), "session cookie lasts {days} hours: {cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

/// The identity provider's answer naming `name_id` to the test `started`, posted from a browser with `cookies`.
async fn finish_test(app: &TestApp, started: common::saml_idp::Started, name_id: &str, cookies: String) -> reqwest::Response {
    let mut r = Resp::valid(app, Some(&started.id));
    r.name_id = name_id.into();
    common::saml_idp::post_as_browser(app, &b64(&r.signed()), Some(&started.relay), Some(&format!("{}; {cookies}", started.cookie))).await
}

/// "Test sign-in" on Authentication: the identity provider's answer is
/// verified as a sign-in's, nobody is signed in by it, and an administrator's
/// passes the lockout guard. Only a signed-in administrator can start or
/// finish one; an answer is used once.
#[tokio::test]
async fn a_test_sign_in_signs_nobody_in_and_an_administrators_passes_the_guard() {
    let (app, mut s) = ready().await;
    // Signed out, or not an administrator: refused, nothing started.
    for who in [Session::default(), app.sign_in(CAROL, "carol's long password").await.0] {
        let res = app.get(&who, "/acme/sso?test=1").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(res.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("gatehouse_sso=")));
        assert!(res.text().await.unwrap().contains("Only an administrator can test single sign-on"));
    }
    let session_cookie = |s: &Session| format!("gatehouse_session={}", s.cookie.clone().unwrap());
    // Carol (not an administrator) at the identity provider: the test passes, the guard does not.
    let started = common::saml_idp::start_at(&app, &s, "/acme/sso?test=1").await;
    assert_eq!(started.relay, "/acme/admin/authentication");
    let res = finish_test(&app, started, CAROL, session_cookie(&s)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("gatehouse_session=")), "no session is made");
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"data-testid="sso-test-passed""#) && page.contains(CAROL) && page.contains("does not administer"), "{page}");
    assert_eq!(save(&app, &mut s, settings("saml")).await.status(), StatusCode::CONFLICT, "not shown by an administrator");
    let carol_sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in' AND target = $1").bind(CAROL).fetch_one(&app.db).await.unwrap();
    assert_eq!(carol_sessions, 1, "only Carol's own password sign-in above");

    // The answer to a test started by the admin, finished in a browser without the admin's session: refused.
    let started = common::saml_idp::start_at(&app, &s, "/acme/sso?test=1").await;
    let res = finish_test(&app, started, ADMIN_EMAIL, "other=1".into()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The admin at the identity provider: the guard is passed; the admin's own session goes on.
    let started = common::saml_idp::start_at(&app, &s, "/acme/sso?test=1").await;
    let (id, relay, cookie) = (started.id.clone(), started.relay.clone(), started.cookie.clone());
    let mut r = Resp::valid(&app, Some(&id));
    r.name_id = ADMIN_EMAIL.into();
    let response = b64(&r.signed());
    let both = format!("{cookie}; {}", session_cookie(&s));
    let res = common::saml_idp::post_as_browser(&app, &response, Some(&relay), Some(&both)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("may now be chosen"));
    assert_eq!(me(&app, &mut s).await.status(), StatusCode::OK);
    let tested: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sso_tested'").fetch_one(&app.db).await.unwrap();
    assert_eq!(tested, 2);
    // The same answer again: a replay.
    let again = common::saml_idp::post_as_browser(&app, &response, Some(&relay), Some(&both)).await;
    assert_ne!(again.status(), StatusCode::OK);
    let v: AuthSettingsView = ok_json(save(&app, &mut s, settings("saml")).await).await;
    assert_eq!(v.sso_verified_by.as_deref(), Some(ADMIN_EMAIL));
}

//! The Authentication page's other options, end to end over HTTP:
//! multi-factor authentication for password sign-in (an authenticator app,
//! recovery codes, the organization's policy, an administrator's reset) and
//! guest access.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{InvitationLink, LoginInfo, Me, MfaSetup, MfaStatus, UserPage};
use common::saml_idp::{b64, Resp, IDP_CERT, IDP_ENTITY, IDP_SSO};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn code(secret: &str, steps: i64) -> String {
    totp_code(secret, steps)
}

fn settings(method: &str, mfa: &str, guests: bool) -> Value {
    json!({"method": method, "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30,
        "mfa_policy": mfa, "allow_guests": guests})
}

/// Sets up an authenticator app for the signed-in person; returns its key and recovery codes.
async fn enrol(app: &TestApp, s: &mut Session) -> (String, Vec<String>) {
    let setup: MfaSetup = ok_json(app.call(s, "begin_mfa", &[("org", "acme")]).await).await;
    assert!(setup.qr_svg.starts_with("<?xml") && setup.qr_svg.contains("<svg"), "a QR code as SVG");
    assert!(setup.uri.starts_with("otpauth://totp/") && setup.uri.contains(&format!("secret={}", setup.secret)));
    let (st, e) = error_of(app.call(s, "confirm_mfa", &[("org", "acme"), ("code", "000000")]).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("code")));
    // The step before now: the code shown now is still unused for signing in.
    let codes: Vec<String> = ok_json(app.call(s, "confirm_mfa", &[("org", "acme"), ("code", &code(&setup.secret, -1))]).await).await;
    assert_eq!(codes.len(), 10);
    (setup.secret, codes)
}

/// Acme with two-step verification optional, its admin signed in, and Val (a
/// Viewer with a password) signed in.
async fn optional_with_val() -> (TestApp, Session, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    app.save_authentication(&mut admin, settings("password", "optional", false)).await;
    app.add_user("val@acme.example", "val's long password", BuiltIn::Viewer).await;
    let (val, _) = app.sign_in("val@acme.example", "val's long password").await;
    (app, admin, val)
}

#[tokio::test]
async fn an_authenticator_app_guards_password_sign_in() {
    let (app, _admin, mut val) = optional_with_val().await;
    let status: MfaStatus = ok_json(app.call(&mut val, "mfa_status", &[("org", "acme")]).await).await;
    assert!(!status.enabled);
    let (secret, recovery) = enrol(&app, &mut val).await;
    let status: MfaStatus = ok_json(app.call(&mut val, "mfa_status", &[("org", "acme")]).await).await;
    assert_eq!((status.enabled, status.recovery_codes_left), (true, 10));
    let stored: String = sqlx::query_scalar("SELECT mfa_secret FROM users WHERE email_norm = 'val@acme.example'").fetch_one(&app.db).await.unwrap();
    assert!(!stored.contains(&secret), "the key is stored sealed");

    // The password alone does not sign in: the code comes next.
    let (mut s, res) = app.sign_in("val@acme.example", "val's long password").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["location"], "/acme/login/verify");
    assert_eq!(app.me_status(&mut s).await, StatusCode::UNAUTHORIZED, "not signed in before the code");
    let info: LoginInfo = ok_json(app.call(&mut s, "login_info", &[("org", "acme")]).await).await;
    assert_eq!(info.pending_step.as_deref(), Some("code"));
    let (st, _) = error_of(app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", "123456")]).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let now_code = code(&secret, 0);
    let res = app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", &now_code), ("next", "/acme/profile")]).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    assert_eq!(app.me_status(&mut s).await, StatusCode::OK);
    let how: String = sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'auth.sign_in' ORDER BY at DESC LIMIT 1").fetch_one(&app.db).await.unwrap();
    assert_eq!(how, "method: password and authenticator app");

    // A code works once; a recovery code too.
    let (mut again, _) = app.sign_in("val@acme.example", "val's long password").await;
    let (st, _) = error_of(app.call(&mut again, "verify_sign_in", &[("org", "acme"), ("code", &now_code)]).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "the same code again");
    ok_json::<()>(app.call(&mut again, "verify_sign_in", &[("org", "acme"), ("code", &recovery[3].to_uppercase())]).await).await;
    let (mut third, _) = app.sign_in("val@acme.example", "val's long password").await;
    let (st, _) = error_of(app.call(&mut third, "verify_sign_in", &[("org", "acme"), ("code", &recovery[3])]).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a recovery code works once");
    let status: MfaStatus = ok_json(app.call(&mut again, "mfa_status", &[("org", "acme")]).await).await;
    assert_eq!(status.recovery_codes_left, 9);

    // Wrong codes count against the person's attempts: five in the window (one above).
    for _ in 0..4 {
        let (st, _) = error_of(app.call(&mut third, "verify_sign_in", &[("org", "acme"), ("code", "111111")]).await).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    }
    let (st, _) = error_of(app.call(&mut third, "verify_sign_in", &[("org", "acme"), ("code", "111111")]).await).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "a sixth wrong attempt in the window");

    // An administrator resets Val's app (lost phone): Val signs in with the password alone.
    let val_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = 'val@acme.example'").fetch_one(&app.db).await.unwrap();
    sqlx::query("DELETE FROM sign_in_limits").execute(&app.db).await.unwrap();
    let (mut casual, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(app.call(&mut casual, "reset_mfa", &[("org", "acme"), ("user_id", &val_id)]).await.status(), StatusCode::OK);
    let (mut plain, res) = app.sign_in("val@acme.example", "val's long password").await;
    assert_eq!(res.headers()["location"], "/acme");
    assert_eq!(app.me_status(&mut plain).await, StatusCode::OK);
    let page: UserPage = ok_json(app.call_json(&mut casual, "users", json!({"org": "acme", "query": {"search": "val", "account_type": "", "status": "", "sort": "", "page": 1}})).await).await;
    assert!(!page.users[0].mfa_enabled);
    let (st, _) = error_of(app.call(&mut plain, "reset_mfa", &[("org", "acme"), ("user_id", &val_id)]).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only administrators reset");

    // Break-glass on the server's machine.
    enrol(&app, &mut plain).await;
    let out = app.cli(&["admin", "reset-mfa", "--org", "acme", "--email", "VAL@acme.example"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("val@acme.example"));
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse")).args(["admin", "reset-mfa", "--help"]).output().unwrap();
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).contains("--email"));
    let resets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'mfa.reset'").fetch_one(&app.db).await.unwrap();
    assert_eq!(resets, 2);
}

/// Profile > New recovery codes: with a code from the app, ten new codes
/// replace the old ones, which stop working; a wrong code changes nothing.
#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones_with_a_right_code_only() {
    let (app, _admin, mut val) = optional_with_val().await;
    let (secret, old) = enrol(&app, &mut val).await;

    // A wrong code: refused beside the field, nothing renewed, nothing audited.
    let (st, e) = error_of(app.call(&mut val, "renew_recovery_codes", &[("org", "acme"), ("code", "000000")]).await).await;
    assert_eq!((st, e.kind, e.field.as_deref()), (StatusCode::BAD_REQUEST, app::error::ErrorKind::Invalid, Some("code")));
    assert!(e.message.contains("That code is not right"), "{}", e.message);
    let renewed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'mfa.recovery_codes'").fetch_one(&app.db).await.unwrap();
    assert_eq!(renewed, 0);
    // Nor without a session.
    let (st, e) = error_of(app.call(&mut Session::default(), "renew_recovery_codes", &[("org", "acme"), ("code", &code(&secret, 0))]).await).await;
    assert_eq!((st, e.kind), (StatusCode::UNAUTHORIZED, app::error::ErrorKind::Unauthenticated));

    // The code the app shows now: ten new codes, none of them an old one.
    let new: Vec<String> = ok_json(app.call(&mut val, "renew_recovery_codes", &[("org", "acme"), ("code", &code(&secret, 0))]).await).await;
    assert_eq!(new.len(), 10);
    assert_eq!(new.iter().collect::<std::collections::HashSet<_>>().len(), 10, "ten different codes: {new:?}");
    assert!(new.iter().all(|c| !old.contains(c)), "old {old:?}, new {new:?}");
    let status: MfaStatus = ok_json(app.call(&mut val, "mfa_status", &[("org", "acme")]).await).await;
    assert_eq!((status.enabled, status.recovery_codes_left), (true, 10));
    let renewed: Vec<(String, String)> = sqlx::query_as("SELECT actor, target FROM audit_events WHERE action = 'mfa.recovery_codes'").fetch_all(&app.db).await.unwrap();
    assert_eq!(renewed, [("val@acme.example".to_string(), "val@acme.example".to_string())]);

    // An old code no longer signs in; a new one does.
    let (mut s, _) = app.sign_in("val@acme.example", "val's long password").await;
    let (st, e) = error_of(app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", &old[0])]).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("code")), "an old recovery code: {}", e.message);
    assert_eq!(app.me_status(&mut s).await, StatusCode::UNAUTHORIZED);
    ok_json::<()>(app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", &new[0])]).await).await;
    assert_eq!(app.me_status(&mut s).await, StatusCode::OK);
    let status: MfaStatus = ok_json(app.call(&mut s, "mfa_status", &[("org", "acme")]).await).await;
    assert_eq!(status.recovery_codes_left, 9);
}

#[tokio::test]
async fn required_leads_to_setting_up_an_app_before_anything_else() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let bad = settings("password", "always", false);
    let (st, e) = error_of(app.call_json(&mut admin, "save_authentication", json!({"org": "acme", "input": bad})).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("mfa_policy")));
    // Requiring an app ends password-only sessions, so the admin who requires it sets up their own first.
    let (st, e) = error_of(app.call_json(&mut admin, "save_authentication", json!({"org": "acme", "input": settings("password", "required", false)})).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::CONFLICT, Some("mfa_policy")), "{}", e.message);
    assert!(e.message.contains("Set up your own authenticator app first"), "{}", e.message);
    enrol(&app, &mut admin).await;
    app.save_authentication(&mut admin, settings("password", "required", false)).await;
    app.add_user("val@acme.example", "val's long password", BuiltIn::Viewer).await;
    let (mut s, res) = app.sign_in("val@acme.example", "val's long password").await;
    assert_eq!(res.headers()["location"], "/acme/login/enrol");
    assert_eq!(app.me_status(&mut s).await, StatusCode::UNAUTHORIZED);
    let res = app.get(&s, "/acme/profile").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "no page before the app is set up");
    let setup: MfaSetup = ok_json(app.call(&mut s, "sign_in_enrolment", &[("org", "acme")]).await).await;
    assert_eq!(setup.email, "val@acme.example");
    let (st, _) = error_of(app.call(&mut s, "finish_sign_in_enrolment", &[("org", "acme"), ("code", "000000")]).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let codes: Vec<String> = ok_json(app.call(&mut s, "finish_sign_in_enrolment", &[("org", "acme"), ("code", &code(&setup.secret, 0))]).await).await;
    assert_eq!(codes.len(), 10);
    let me_now: Me = ok_json(app.call(&mut s, "me", &[("org", "acme")]).await).await;
    assert_eq!(me_now.email, "val@acme.example");
    // Removing the app is refused while it is required.
    let (st, _) = error_of(app.call(&mut s, "remove_mfa", &[("org", "acme"), ("code", &codes[0])]).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Off: nobody is asked, app or not.
    app.save_authentication(&mut admin, settings("password", "off", false)).await;
    let (_, res) = app.sign_in("val@acme.example", "val's long password").await;
    assert_eq!(res.headers()["location"], "/acme");
    // Optional: removing works (with a code).
    app.save_authentication(&mut admin, settings("password", "optional", false)).await;
    let (mut s, _) = app.sign_in("val@acme.example", "val's long password").await;
    ok_json::<()>(app.call(&mut s, "verify_sign_in", &[("org", "acme"), ("code", &codes[1])]).await).await;
    ok_json::<()>(app.call(&mut s, "remove_mfa", &[("org", "acme"), ("code", &codes[2])]).await).await;
    let (_, res) = app.sign_in("val@acme.example", "val's long password").await;
    assert_eq!(res.headers()["location"], "/acme");
}

#[tokio::test]
async fn guests_sign_in_with_a_password_even_under_saml_only_and_never_belong_to_the_idp() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let viewer: String = sqlx::query_scalar("SELECT id FROM account_types WHERE name = 'Viewer'").fetch_one(&app.db).await.unwrap();
    let admin_type: String = sqlx::query_scalar("SELECT id FROM account_types WHERE name = 'Admin'").fetch_one(&app.db).await.unwrap();
    let invite = |t: &str| json!({"org": "acme", "people": "gus@partner.example, Gus, Guest", "account_type_id": t, "team_ids": [], "guest": true});
    let (st, e) = error_of(app.call_json(&mut admin, "invite_users", invite(&viewer)).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("guest")), "guest access is off: {}", e.message);
    app.save_authentication(&mut admin, settings("saml_or_password", "off", true)).await;
    let (st, e) = error_of(app.call_json(&mut admin, "invite_users", invite(&admin_type)).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("account_type")), "guests never administer");
    let links: Vec<InvitationLink> = ok_json(app.call_json(&mut admin, "invite_users", invite(&viewer)).await).await;
    let token = links[0].link.rsplit('/').next().unwrap().to_string();
    let form = [("org", "acme"), ("token", token.as_str()), ("password", "gus has a long password"), ("password_confirm", "gus has a long password")];
    assert_eq!(app.call(&mut Session::default(), "accept_invitation", &form).await.status(), StatusCode::OK);
    let gus: String = links[0].user_id.clone();
    let page: UserPage = ok_json(app.call_json(&mut admin, "users", json!({"org": "acme", "query": {"search": "gus", "account_type": "", "status": "", "sort": "", "page": 1}})).await).await;
    assert!(page.users[0].is_guest, "marked Guest on the Users page");
    let (st, _) = error_of(app.call_json(&mut admin, "change_account_type", json!({"org": "acme", "user_ids": [gus], "account_type_id": admin_type})).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a guest cannot be made an administrator");
    // Nor can the type a guest holds come to administer.
    let custom: String =
        ok_json(app.call_json(&mut admin, "save_account_type", json!({"org": "acme", "id": null, "input": {"name": "Partners", "description": "", "permissions": ["view_documents"]}})).await).await;
    ok_json::<()>(app.call_json(&mut admin, "change_account_type", json!({"org": "acme", "user_ids": [gus], "account_type_id": custom})).await).await;
    let (st, e) = error_of(
        app.call_json(&mut admin, "save_account_type", json!({"org": "acme", "id": custom, "input": {"name": "Partners", "description": "", "permissions": ["view_documents", "administer"]}})).await,
    )
    .await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("permissions")));

    // SAML only: the admin shows SSO works, then only guests may use a password.
    let mut sso_admin = common::saml_idp::sso_admin_session(&app).await;
    app.save_authentication(&mut sso_admin, settings("saml", "off", true)).await;
    let info: LoginInfo = ok_json(app.call(&mut Session::default(), "login_info", &[("org", "acme")]).await).await;
    assert!(!info.password_enabled && info.guests_enabled);
    let (mut guest, res) = app.sign_in("gus@partner.example", "gus has a long password").await;
    assert_eq!(res.status(), StatusCode::OK, "a guest signs in with a password under SAML only");
    let who: Me = ok_json(app.call(&mut guest, "me", &[("org", "acme")]).await).await;
    assert!(who.is_guest);
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "everyone else uses SSO");
    // A guest does not sign in through the identity provider.
    let mut r = Resp::valid(&app, None);
    r.name_id = "gus@partner.example".into();
    let res = app.http.post(common::saml_idp::acs(&app)).form(&[("SAMLResponse", b64(&r.signed()))]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("is a guest"));

    // The identity provider neither sees nor changes guests.
    let t = app.provisioning_token(&mut sso_admin).await;
    let idp = Idp { app: &app, token: t.token };
    let (_, found) = idp.get(&format!("/Users?filter={}", url::form_urlencoded::byte_serialize(br#"userName eq "gus@partner.example""#).collect::<String>())).await;
    assert_eq!(found["totalResults"], 0);
    let (st, v) = idp.post("/Users", json!({"userName": "gus@partner.example", "active": true})).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));
    let (st, _) = idp.patch(&format!("/Users/{gus}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(idp.delete(&format!("/Users/{gus}")).await, StatusCode::NOT_FOUND);
    let (_, g) = idp.post("/Groups", json!({"displayName": "Partners", "members": [{"value": gus}]})).await;
    assert_eq!(g["members"], json!([]), "a guest is not added to the identity provider's groups");
    assert_eq!(app.me_status(&mut guest).await, StatusCode::OK, "still active");

    // Guest access off: the guest's session ends at once, and they cannot sign in.
    app.save_authentication(&mut sso_admin, settings("saml", "off", false)).await;
    assert_eq!(app.me_status(&mut guest).await, StatusCode::UNAUTHORIZED);
    let (_, res) = app.sign_in("gus@partner.example", "gus has a long password").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let changes: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'auth.settings_changed' ORDER BY at").fetch_all(&app.db).await.unwrap();
    assert!(changes.last().unwrap().contains("guest access: off"), "{changes:?}");
}

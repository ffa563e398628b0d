//! Passwords people manage, over HTTP: changing one's own on Profile (every
//! rule, the sign-in limits, other sessions ending), and the attacks on it.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::PasswordStatus;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

const VAL: &str = "val@acme.example";
const VAL_PW: &str = "val's long password";

/// Acme with Val (a Viewer with a password) signed in.
async fn acme_with_val() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user(VAL, VAL_PW, BuiltIn::Viewer).await;
    let (val, res) = app.sign_in(VAL, VAL_PW).await;
    assert_eq!(res.status(), StatusCode::OK);
    (app, val)
}

async fn change(app: &TestApp, s: &mut Session, current: &str, new: &str, confirm: &str) -> reqwest::Response {
    app.call(s, "change_password", &[("org", "acme"), ("current_password", current), ("new_password", new), ("new_password_confirm", confirm)]).await
}

#[tokio::test]
async fn a_new_password_is_refused_with_the_rule_it_breaks() {
    let (app, mut val) = acme_with_val().await;
    let status: PasswordStatus = ok_json(app.call(&mut val, "password_status", &[("org", "acme")]).await).await;
    assert!(status.can_change);
    assert_eq!((status.rules.email.as_str(), status.rules.org_name.as_str(), status.rules.min_len), (VAL, "Acme", 12));
    let cases: [(&str, &str, &str); 6] = [
        ("short pw", "new_password", "at least 12"),
        ("val@acme.example", "new_password", "email"),
        ("Val 2026", "new_password", "at least 12"),
        ("val!!2026!!2026", "new_password", "email"),
        ("ACME 1234567890", "new_password", "organization"),
        ("qwertyuiop123", "new_password", "too common"),
    ];
    for (pw, field, words) in cases {
        let (st, e) = error_of(change(&app, &mut val, VAL_PW, pw, pw).await).await;
        assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some(field)), "{pw}: {}", e.message);
        assert!(e.message.contains(words), "{pw}: {}", e.message);
    }
    let (st, e) = error_of(change(&app, &mut val, VAL_PW, "a brand new passphrase", "a brand new passphrase!").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("new_password_confirm")));
    let (st, e) = error_of(change(&app, &mut val, "", "a brand new passphrase", "a brand new passphrase").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("current_password")));
    // Nothing changed: the old password still signs in.
    assert_eq!(app.sign_in(VAL, VAL_PW).await.1.status(), StatusCode::OK);
    assert!(!app.audit_actions().await.iter().any(|a| a.0 == "user.password_changed"));
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_keeps_this_one() {
    let (app, mut val) = acme_with_val().await;
    let (mut other, _) = app.sign_in(VAL, VAL_PW).await;
    let before = val.cookie.clone();
    let res = change(&app, &mut val, VAL_PW, "a brand new passphrase", "a brand new passphrase").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_ne!(val.cookie, before, "the session id is renewed");
    assert_eq!(app.me_status(&mut val).await, StatusCode::OK, "this session goes on");
    assert_eq!(app.me_status(&mut other).await, StatusCode::UNAUTHORIZED, "the other session is over");
    assert_eq!(app.sign_in(VAL, VAL_PW).await.1.status(), StatusCode::BAD_REQUEST, "the old password no longer works");
    assert_eq!(app.sign_in(VAL, "a brand new passphrase").await.1.status(), StatusCode::OK);
    let audit = app.audit_actions().await;
    let changed: Vec<_> = audit.iter().filter(|a| a.0 == "user.password_changed").collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].1, VAL);
}

#[tokio::test]
async fn a_wrong_current_password_counts_toward_the_sign_in_limits() {
    let (app, mut val) = acme_with_val().await;
    // Someone holding Val's session guesses the current password.
    for i in 0..app::service::sign_in::MAX_ATTEMPTS_PER_EMAIL {
        let (st, e) = error_of(change(&app, &mut val, &format!("guess number {i}"), "a brand new passphrase", "a brand new passphrase").await).await;
        assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("current_password")), "{}", e.message);
    }
    // The next guess is refused before any check, even the right password …
    let res = change(&app, &mut val, VAL_PW, "a brand new passphrase", "a brand new passphrase").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    // … and the guesses used up Val's sign-in attempts from a new browser too.
    assert_eq!(app.sign_in(VAL, VAL_PW).await.1.status(), StatusCode::TOO_MANY_REQUESTS);
    // The refusals are counted in the audit log like wrong sign-ins.
    app::store::audit::flush_counts(&app.db).await.unwrap();
    let (rows, count): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), CAST(COALESCE(SUM(repeat_count), 0) AS BIGINT) FROM audit_events WHERE action = 'auth.sign_in_failed' AND detail LIKE '%wrong current password%'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((rows, count), (1, app::service::sign_in::MAX_ATTEMPTS_PER_EMAIL), "one row, counted");
}

#[tokio::test]
async fn a_right_current_password_gives_the_attempts_back() {
    let (app, mut val) = acme_with_val().await;
    for i in 0..app::service::sign_in::MAX_ATTEMPTS_PER_EMAIL - 1 {
        change(&app, &mut val, &format!("guess number {i}"), "a brand new passphrase", "a brand new passphrase").await;
    }
    assert_eq!(change(&app, &mut val, VAL_PW, "a brand new passphrase", "a brand new passphrase").await.status(), StatusCode::OK);
    // Val's own attempts start over, as after a sign-in.
    for _ in 0..3 {
        assert_eq!(app.sign_in(VAL, "not it at all").await.1.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(app.sign_in(VAL, "a brand new passphrase").await.1.status(), StatusCode::OK);
}

/// The Authentication form with the test identity provider.
pub fn auth_settings(method: &str) -> serde_json::Value {
    use common::saml_idp::{IDP_CERT, IDP_ENTITY, IDP_SSO};
    json!({"method": method, "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30, "mfa_policy": "off", "allow_guests": false})
}

#[tokio::test]
async fn no_password_change_where_a_password_cannot_be_used() {
    let (app, _val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    // Signed out, nobody changes anything.
    let (st, _) = error_of(change(&app, &mut Session::default(), VAL_PW, "a brand new passphrase", "a brand new passphrase").await).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Under SSO only, the admin (signed in through SSO) has a password nobody can use: theirs is the identity provider's.
    app.save_authentication(&mut admin, auth_settings("saml_or_password")).await;
    let mut sso_admin = common::saml_idp::sso_admin_session(&app).await;
    app.save_authentication(&mut sso_admin, auth_settings("saml")).await;
    let status: PasswordStatus = ok_json(app.call(&mut sso_admin, "password_status", &[("org", "acme")]).await).await;
    assert!(!status.can_change);
    assert!(status.refused.unwrap().contains("identity provider"));
    let (st, _) = error_of(change(&app, &mut sso_admin, ADMIN_PASSWORD, "a brand new passphrase", "a brand new passphrase").await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Someone with no password at all (SSO only, ever) is told so.
    app.save_authentication(&mut sso_admin, auth_settings("saml_or_password")).await;
    let org = app.org_id().await;
    sqlx::query("UPDATE users SET password_hash = NULL WHERE org_id = $1 AND email_norm = $2").bind(&org).bind(ADMIN_EMAIL).execute(&app.db).await.unwrap();
    let mut sso_admin = common::saml_idp::sso_admin_session(&app).await;
    let status: PasswordStatus = ok_json(app.call(&mut sso_admin, "password_status", &[("org", "acme")]).await).await;
    assert!(!status.can_change && status.refused.unwrap().contains("no password"));
}

#[tokio::test]
async fn a_session_signed_in_with_the_old_password_while_it_changes_is_over() {
    // A sign-in checked against the old password, racing the change: however
    // the two interleave, the session it makes does not outlive the change.
    let (app, mut val) = acme_with_val().await;
    let app = &app;
    let racer = signed_in_sessions(app, VAL, VAL_PW, 4);
    let (sessions, res) = tokio::join!(racer, change(app, &mut val, VAL_PW, "a brand new passphrase", "a brand new passphrase"));
    assert_eq!(res.status(), StatusCode::OK);
    for mut s in sessions {
        assert_eq!(app.me_status(&mut s).await, StatusCode::UNAUTHORIZED, "a session of the old password outlived the change");
    }
    assert_eq!(app.me_status(&mut val).await, StatusCode::OK);
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email).fetch_one(&app.db).await.unwrap()
}

/// `n` sign-ins one after the other: the sessions of those that were let in.
async fn signed_in_sessions(app: &TestApp, email: &str, password: &str, n: usize) -> Vec<Session> {
    let mut sessions = Vec::new();
    for _ in 0..n {
        let (s, res) = app.sign_in(email, password).await;
        if res.status() == StatusCode::OK {
            sessions.push(s);
        }
    }
    sessions
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

async fn use_reset(app: &TestApp, org: &str, token: &str, pw: &str) -> reqwest::Response {
    app.call(&mut Session::default(), "reset_password", &[("org", org), ("token", token), ("password", pw), ("password_confirm", pw)]).await
}

#[tokio::test]
async fn an_admin_reset_link_ends_sessions_works_once_and_keeps_the_authenticator() {
    let (app, mut val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    let val_id = user_id(&app, VAL).await;
    let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [val_id]})).await).await;
    assert_eq!(r.links.len(), 1);
    let link = &r.links[0];
    assert!(!link.mailed, "mail is not set up");
    assert!(link.link.starts_with(&format!("{}/acme/reset/", app.base)), "{}", link.link);
    assert_eq!(app.me_status(&mut val).await, StatusCode::UNAUTHORIZED, "Val's sessions ended with the reset");
    let token = token_of(&link.link);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_resets WHERE token_hash = $1").bind(&token).fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, 0, "only the token's hash is stored");
    // The page knows whose password it is; the rules apply.
    let info: app::domain::views::PasswordLinkInfo = ok_json(app.call(&mut Session::default(), "password_reset", &[("org", "acme"), ("token", &token)]).await).await;
    assert_eq!(info.email, VAL);
    let (st, e) = error_of(use_reset(&app, "acme", &token, "qwertyuiop123").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("password")));
    let res = use_reset(&app, "acme", &token, "val's brand new password").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["location"], "/acme/login?reset=1");
    let (st, _) = error_of(use_reset(&app, "acme", &token, "val's other new password").await).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a link works once");
    assert_eq!(app.sign_in(VAL, VAL_PW).await.1.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.sign_in(VAL, "val's brand new password").await.1.status(), StatusCode::OK);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.0).collect();
    assert!(actions.contains(&"user.password_reset_issued".to_string()) && actions.contains(&"user.password_reset".to_string()));
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour_and_a_newer_one_replaces_it() {
    let (app, _val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    let val_id = user_id(&app, VAL).await;
    let issue = |admin: &mut Session| {
        let (app, id) = (&app, val_id.clone());
        let mut admin = admin.clone();
        async move {
            let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [id]})).await).await;
            token_of(&r.links[0].link)
        }
    };
    let first = issue(&mut admin).await;
    let second = issue(&mut admin).await;
    assert_eq!(error_of(use_reset(&app, "acme", &first, "val's brand new password").await).await.0, StatusCode::NOT_FOUND, "replaced by the newer link");
    let expires: String = sqlx::query_scalar("SELECT expires_at FROM password_resets WHERE used_at IS NULL").fetch_one(&app.db).await.unwrap();
    let minutes = (app::store::Timestamp::try_from(expires).unwrap().get() - time::OffsetDateTime::now_utc()).whole_minutes();
    assert!((58..=60).contains(&minutes), "valid one hour: {minutes}");
    sqlx::query("UPDATE password_resets SET expires_at = $1").bind(app::store::ago(time::Duration::seconds(1))).execute(&app.db).await.unwrap();
    assert_eq!(error_of(use_reset(&app, "acme", &second, "val's brand new password").await).await.0, StatusCode::NOT_FOUND, "expired");
    assert_eq!(app.sign_in(VAL, VAL_PW).await.1.status(), StatusCode::OK, "nothing changed");
}

#[tokio::test]
async fn a_reset_link_of_one_organization_does_nothing_in_another() {
    let (app, _val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    let now = app::store::Timestamp::now().to_string();
    sqlx::query("INSERT INTO organizations (id, slug, name, created_at, updated_at) VALUES ('org-other', 'other', 'Other', $1, $1)").bind(&now).execute(&app.db).await.unwrap();
    let val_id = user_id(&app, VAL).await;
    let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [val_id]})).await).await;
    let token = token_of(&r.links[0].link);
    let (st, _) = error_of(app.call(&mut Session::default(), "password_reset", &[("org", "other"), ("token", &token)]).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(error_of(use_reset(&app, "other", &token, "val's brand new password").await).await.0, StatusCode::NOT_FOUND);
    // Still unused in its own organization.
    assert_eq!(use_reset(&app, "acme", &token, "val's brand new password").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn resets_in_bulk_skip_who_cannot_have_one_and_say_why() {
    let (app, _val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    app.add_user("rae@acme.example", "rae's long password", BuiltIn::Viewer).await;
    let links: Vec<app::domain::views::InvitationLink> = ok_json(app.invite_viewer(&mut admin, "ivy@acme.example").await).await;
    let (val, rae, ivy) = (user_id(&app, VAL).await, user_id(&app, "rae@acme.example").await, links[0].user_id.clone());
    ok_json::<()>(app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": [rae]})).await).await;
    let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [val, rae, ivy]})).await).await;
    assert_eq!(r.links.iter().map(|l| l.email.as_str()).collect::<Vec<_>>(), vec![VAL]);
    assert_eq!(r.skipped.len(), 2, "{:?}", r.skipped);
    assert!(r.skipped.iter().any(|s| s.contains("rae@acme.example") && s.contains("deactivated")));
    assert!(r.skipped.iter().any(|s| s.contains("ivy@acme.example") && s.contains("invitation")));
    // One person who cannot have one is refused, with the reason.
    let (st, e) = error_of(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [ivy]})).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(e.message.contains("invitation"));
    // Only administrators make them.
    let (mut val_s, _) = app.sign_in(VAL, VAL_PW).await;
    let (st, _) = error_of(app.call_json(&mut val_s, "reset_passwords", json!({"org": "acme", "user_ids": [val]})).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn no_reset_link_where_the_password_is_the_identity_providers() {
    let (app, _val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    app.save_authentication(&mut admin, auth_settings("saml_or_password")).await;
    let mut sso_admin = common::saml_idp::sso_admin_session(&app).await;
    app.save_authentication(&mut sso_admin, auth_settings("saml")).await;
    let val_id = user_id(&app, VAL).await;
    let (st, e) = error_of(app.call_json(&mut sso_admin, "reset_passwords", json!({"org": "acme", "user_ids": [val_id]})).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(e.message.contains("single sign-on"), "{}", e.message);
    // A link made before the switch no longer works after it.
    app.save_authentication(&mut sso_admin, auth_settings("saml_or_password")).await;
    let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut sso_admin, "reset_passwords", json!({"org": "acme", "user_ids": [val_id]})).await).await;
    app.save_authentication(&mut sso_admin, auth_settings("saml")).await;
    let (st, _) = error_of(use_reset(&app, "acme", &token_of(&r.links[0].link), "val's brand new password").await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_reset_racing_a_sign_in_leaves_no_session_of_the_old_password() {
    let (app, _val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    let val_id = user_id(&app, VAL).await;
    let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [val_id]})).await).await;
    let token = token_of(&r.links[0].link);
    let app = &app;
    let racer = signed_in_sessions(app, VAL, VAL_PW, 4);
    let (sessions, res) = tokio::join!(racer, use_reset(app, "acme", &token, "val's brand new password"));
    assert_eq!(res.status(), StatusCode::OK);
    for mut s in sessions {
        assert_eq!(app.me_status(&mut s).await, StatusCode::UNAUTHORIZED, "a sign-in with the old password outlived the reset");
    }
    assert_eq!(app.sign_in(VAL, "val's brand new password").await.1.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_organizations_minimum_length_holds_for_every_new_password_and_only_for_new_ones() {
    let (app, mut val) = acme_with_val().await;
    let mut admin = app.admin_session().await;
    let with_min = |n: i64| {
        let mut s = auth_settings("password");
        s["password_min_length"] = json!(n);
        s
    };
    // Out of range: refused, naming the field, and nothing saved.
    for bad in [11, 65, 0] {
        let (st, e) = error_of(app.call_json(&mut admin, "save_authentication", json!({"org": "acme", "input": with_min(bad)})).await).await;
        assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("password_min_length")), "{bad}: {}", e.message);
    }
    // A non-admin cannot set it.
    let (st, _) = error_of(app.call_json(&mut val, "save_authentication", json!({"org": "acme", "input": with_min(20)})).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let shown: app::domain::views::AuthSettingsView = ok_json(app.call(&mut admin, "authentication", &[("org", "acme")]).await).await;
    assert_eq!(shown.password_min_length, 12, "nothing was saved");

    app.save_authentication(&mut admin, with_min(20)).await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.settings_changed' AND detail LIKE '%minimum password length: 12 → 20 characters%'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 1, "audited with the change");
    // Val's 19-character password still signs in; a new one of 19 is refused on Profile …
    assert_eq!(VAL_PW.chars().count(), 19);
    assert_eq!(app.sign_in(VAL, VAL_PW).await.1.status(), StatusCode::OK);
    let status: PasswordStatus = ok_json(app.call(&mut val, "password_status", &[("org", "acme")]).await).await;
    assert_eq!(status.rules.min_len, 20, "the rules the form ticks");
    let nineteen = "nineteen characters";
    assert_eq!(nineteen.chars().count(), 19);
    let (st, e) = error_of(change(&app, &mut val, VAL_PW, nineteen, nineteen).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("new_password")));
    assert!(e.message.contains("20"), "{}", e.message);
    // … through a reset link …
    let val_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(VAL).fetch_one(&app.db).await.unwrap();
    let r: app::domain::views::PasswordResets = ok_json(app.call_json(&mut admin, "reset_passwords", json!({"org": "acme", "user_ids": [val_id]})).await).await;
    let token = token_of(&r.links[0].link);
    let info: app::domain::views::PasswordLinkInfo = ok_json(app.call(&mut Session::default(), "password_reset", &[("org", "acme"), ("token", &token)]).await).await;
    assert_eq!(info.rules.min_len, 20);
    let (st, e) = error_of(use_reset(&app, "acme", &token, nineteen).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("password")));
    // … and on an invitation; twenty characters are enough.
    let links: Vec<app::domain::views::InvitationLink> = ok_json(app.invite_viewer(&mut admin, "pat@acme.example").await).await;
    let invite = token_of(&links[0].link);
    let info: app::domain::views::PasswordLinkInfo = ok_json(app.call(&mut Session::default(), "invitation", &[("org", "acme"), ("token", &invite)]).await).await;
    assert_eq!(info.rules.min_len, 20);
    let accept = |pw: &'static str| [("org", "acme"), ("token", invite.as_str()), ("password", pw), ("password_confirm", pw)];
    let (st, e) = error_of(app.call(&mut Session::default(), "accept_invitation", &accept(nineteen)).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("password")));
    let res = app.call(&mut Session::default(), "accept_invitation", &accept("twenty characters ok")).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
}

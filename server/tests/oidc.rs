//! OpenID Connect sign-in over HTTP against a real provider (the npm package
//! oidc-provider, end2end/oidc-provider.mjs): the settings and their lockout
//! guard, sign-in started at Gatehouse and at the provider, and what a broken
//! or hostile provider, or another browser, cannot do.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::AuthSettingsView;
use common::oidc_provider::{Browser, OidcProvider, CLIENT_SECRET};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

const CAROL: &str = "carol@acme.example";

async fn save(app: &TestApp, s: &mut Session, input: serde_json::Value) -> reqwest::Response {
    app.call_json(s, "save_authentication", json!({"org": "acme", "input": input})).await
}

/// Acme with its admin and Carol (Creator), a provider, and "OpenID Connect
/// or password" saved; None when the provider cannot run here.
async fn ready() -> Option<(TestApp, Session, OidcProvider)> {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user(CAROL, "carol's long password", BuiltIn::Creator).await;
    let provider = OidcProvider::start(&app, CAROL).await?;
    let mut admin = app.admin_session().await;
    let res = save(&app, &mut admin, provider.settings("oidc_or_password")).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    Some((app, admin, provider))
}

/// A sign-in that failed: its status, and the page, which says why and gives a reference.
async fn refused(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let page = res.text().await.unwrap();
    assert!(page.contains("Reference") || page.contains("reference"), "a failure page gives the request id: {page}");
    (status, page)
}

#[tokio::test]
async fn settings_guard_and_sign_in_started_at_gatehouse_and_at_the_provider() {
    let Some((app, mut admin, provider)) = ready().await else { return };

    // What the page shows: the redirect URI to register, never the secret.
    let v: AuthSettingsView = ok_json(app.call(&mut admin, "authentication", &[("org", "acme")]).await).await;
    assert_eq!(v.oidc_redirect_uri, format!("{}/acme/oidc/callback", app.base));
    assert_eq!(v.oidc_initiate_login_uri, format!("{}/acme/oidc/start", app.base));
    assert!(v.oidc_client_secret_set);
    assert_eq!((v.oidc_issuer.as_str(), v.oidc_scopes.as_str(), v.oidc_email_claim.as_str()), (provider.issuer.as_str(), "openid email profile", "email"));
    let raw = app.call(&mut admin, "authentication", &[("org", "acme")]).await.text().await.unwrap();
    assert!(!raw.contains(CLIENT_SECRET), "the client secret is never sent back");
    let stored: String = sqlx::query_scalar("SELECT oidc_client_secret_sealed FROM auth_settings").fetch_one(&app.db).await.unwrap();
    assert!(!stored.is_empty() && !stored.contains(CLIENT_SECRET), "stored sealed");

    // The lockout guard: OpenID Connect only needs an admin's sign-in through it first.
    let (status, e) = error_of(save(&app, &mut admin, provider.settings("oidc")).await).await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::CONFLICT, Some("method")), "{}", e.message);

    // The login page offers SSO; "Sign in with SSO" runs the code flow with PKCE.
    let ada = Browser::new(&app);
    provider.sign_in_as(ADMIN_EMAIL).await;
    let authorize = ada.to_provider("/acme/sso").await;
    assert!(authorize.starts_with(&format!("{}/auth?", provider.issuer)), "{authorize}");
    for part in ["code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "response_type=code", "scope=openid"] {
        assert!(authorize.contains(part), "the authorization request has {part}: {authorize}");
    }
    let callback = ada.follow(authorize).await;
    let res = ada.get(&callback).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(common::oidc_provider::location(&res), "/acme");
    assert!(ada.signed_in().await);

    // Now OpenID Connect only may be saved; an empty secret keeps the stored one.
    let mut only = provider.settings("oidc");
    only["oidc"]["client_secret"] = json!("");
    let v: AuthSettingsView = ok_json(save(&app, &mut admin, only).await).await;
    assert_eq!(v.oidc_verified_by.as_deref(), Some(ADMIN_EMAIL));
    let after: String = sqlx::query_scalar("SELECT oidc_client_secret_sealed FROM auth_settings").fetch_one(&app.db).await.unwrap();
    assert_eq!(after, stored, "an empty secret keeps the stored one");
    let (_, res) = app.sign_in(CAROL, "carol's long password").await;
    assert!(res.status().is_client_error(), "no password sign-in under OpenID Connect only");

    // Started at the provider: its initiate login URI begins a normal sign-in.
    let carol = Browser::new(&app);
    let res = carol.sign_in(&format!("/acme/oidc/start?iss={}&login_hint={CAROL}&target_link_uri={}/acme/documents", provider.issuer, app.base)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(common::oidc_provider::location(&res), "/acme/documents");
    assert!(carol.signed_in().await);
    let signed_in: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in' AND detail LIKE '%method: oidc%'").fetch_one(&app.db).await.unwrap();
    assert_eq!(signed_in, 2, "both sign-ins are in the audit log as OpenID Connect ones");

    // A dashboard speaking for another issuer starts nothing.
    let res = Browser::new(&app).get("/acme/oidc/start?iss=https://evil.example").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The break-glass command is SAML's: it puts password sign-in back (tested in saml.rs).
}

#[tokio::test]
async fn the_issuer_is_checked_against_the_discovery_document() {
    let Some((app, mut admin, provider)) = ready().await else { return };
    let mut other = provider.settings("oidc_or_password");
    other["oidc"]["issuer"] = json!(format!("{}/.well-known/openid-configuration", provider.issuer));
    let v: AuthSettingsView = ok_json(save(&app, &mut admin, other).await).await;
    assert_eq!(v.oidc_issuer, provider.issuer, "a discovery URL is taken for its issuer");

    // The provider's document names another issuer than the one typed: refused, saying which.
    let mut changed = provider.settings("oidc_or_password");
    changed["oidc"]["issuer"] = json!(provider.issuer.replace("127.0.0.1", "localhost"));
    let (status, e) = error_of(save(&app, &mut admin, changed).await).await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("oidc_issuer")), "{}", e.message);
    assert!(e.message.contains(&format!("names the issuer {}", provider.issuer)), "{}", e.message);

    // A provider that now names another issuer is caught when OpenID Connect is chosen again.
    app.save_authentication(&mut admin, provider.settings("password")).await;
    provider.set_mode("discovery_issuer").await;
    let (status, e) = error_of(save(&app, &mut admin, provider.settings("oidc_or_password")).await).await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("oidc_issuer")), "{}", e.message);
    provider.set_mode("").await;
    let (status, e) = error_of(
        save(
            &app,
            &mut admin,
            json!({
                "method": "oidc_or_password", "idp_login_url": "", "idp_certificate": "", "idp_issuer": "", "session_days": 14,
                "oidc": {"issuer": "http://127.0.0.1:9", "client_id": "x", "client_secret": "y"},
            }),
        )
        .await,
    )
    .await;
    assert_eq!((status, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("oidc_issuer")), "{}", e.message);
    assert!(e.message.contains("could not read"), "{}", e.message);
}

/// Each ID token a broken or hostile provider sends is refused with a page
/// that says so, and the audit log keeps the precise reason.
#[tokio::test]
async fn id_tokens_that_fail_a_check_sign_nobody_in() {
    let Some((app, _, provider)) = ready().await else { return };
    for (mode, reason) in [("wrong_aud", "Audience"), ("expired", "Expired"), ("bad_signature", "Signature"), ("alg_none", "ID token refused"), ("nonce", "Nonce")] {
        provider.set_mode(mode).await;
        let browser = Browser::new(&app);
        let (status, page) = refused(browser.sign_in("/acme/sso").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{mode}: {page}");
        assert!(!browser.signed_in().await, "{mode}");
        let detail = last_sso_failure(&app).await;
        assert!(detail.contains("method: oidc") && detail.contains(reason), "{mode}: {detail}");
    }
    provider.set_mode("").await;
    assert_eq!(Browser::new(&app).sign_in("/acme/sso").await.status(), StatusCode::SEE_OTHER, "an honest token still works");

    // The SSO sign-in activity shows them beside SAML's, with the reason from its list.
    app::store::audit::flush_counts(&app.db).await.unwrap();
    let rows: Vec<(i64, String, String)> = sqlx::query_as("SELECT succeeded, reason, message FROM sso_attempts ORDER BY at").fetch_all(&app.db).await.unwrap();
    let reasons: Vec<&str> = rows.iter().filter(|r| r.0 == 0).map(|r| r.1.as_str()).collect();
    assert_eq!(reasons, ["audience", "expired", "signature_invalid", "signature_invalid", "not_this_browser"], "{rows:?}");
    assert!(rows.iter().filter(|r| r.0 == 0).all(|r| r.2.starts_with("OpenID Connect: ")), "{rows:?}");
    assert!(rows.iter().any(|r| r.0 == 1), "the sign-in that worked is there too: {rows:?}");
}

#[tokio::test]
async fn an_answer_is_good_only_in_the_browser_that_asked_and_only_once() {
    let Some((app, _, _provider)) = ready().await else { return };
    // Another browser (an attacker's link) cannot use this browser's answer.
    let victim = Browser::new(&app);
    let callback = victim.to_callback("/acme/sso").await;
    let attacker = Browser::new(&app);
    let (status, page) = refused(attacker.get(&callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("another browser"), "{page}");
    assert!(!attacker.signed_in().await);

    // Its own sign-in with the victim's code: PKCE does not match, the provider refuses.
    let own = attacker.to_callback("/acme/sso").await;
    let code = |url: &str| url.split(['?', '&']).find_map(|p| p.strip_prefix("code=")).unwrap().to_string();
    let spliced = own.replace(&code(&own), &code(&callback));
    let (status, _) = refused(attacker.get(&spliced).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!attacker.signed_in().await);
    assert!(last_sso_failure(&app).await.contains("invalid_grant"));

    // The victim's own answer works, once.
    let cookie = victim.cookies_for("/acme/oidc/callback");
    assert!(cookie.contains("gatehouse_oidc="), "{cookie}");
    assert_eq!(victim.get(&callback).await.status(), StatusCode::SEE_OTHER);
    assert!(victim.signed_in().await);
    let replay = app.http.get(&callback).header("cookie", &cookie).send().await.unwrap();
    let (status, page) = refused(replay).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("already used"), "{page}");

    // The used code in a fresh sign-in: the provider exchanges a code once.
    let again = Browser::new(&app);
    let fresh = again.to_callback("/acme/sso").await;
    let (status, _) = refused(again.get(&fresh.replace(&code(&fresh), &code(&callback))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!again.signed_in().await);
}

/// A second provider (the same client registered there) answers a sign-in
/// Gatehouse started with the first one: refused by the answer's issuer, and
/// without it, its code means nothing to the configured provider.
#[tokio::test]
async fn an_answer_from_another_provider_is_refused() {
    let Some((app, _, provider)) = ready().await else { return };
    let Some(other) = OidcProvider::start(&app, CAROL).await else { return };
    let browser = Browser::new(&app);
    let authorize = browser.to_provider("/acme/sso").await;
    let callback = browser.follow(authorize.replace(&provider.issuer, &other.issuer)).await;
    assert!(callback.contains("iss="), "the provider names itself in its answer: {callback}");
    let (status, page) = refused(browser.get(&callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("another identity provider"), "{page}");
    assert!(last_sso_failure(&app).await.contains("issuer mix-up"));

    let browser = Browser::new(&app);
    let authorize = browser.to_provider("/acme/sso").await;
    let callback = browser.follow(authorize.replace(&provider.issuer, &other.issuer)).await;
    let without_iss: String = callback.split('&').filter(|p| !p.starts_with("iss=")).collect::<Vec<_>>().join("&");
    let (status, _) = refused(browser.get(&without_iss).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!browser.signed_in().await);
}

/// The provider rotates its signing key: the next sign-in fetches its keys again.
#[tokio::test]
async fn a_rotated_signing_key_is_fetched() {
    let Some((app, _, provider)) = ready().await else { return };
    assert_eq!(Browser::new(&app).sign_in("/acme/sso").await.status(), StatusCode::SEE_OTHER);
    provider.rotate_keys().await;
    let browser = Browser::new(&app);
    let res = browser.sign_in("/acme/sso").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert!(browser.signed_in().await);
}

#[tokio::test]
async fn unverified_unknown_and_deactivated_people_are_refused() {
    let Some((app, mut admin, provider)) = ready().await else { return };
    app.add_user("unverified@acme.example", "a long enough password", BuiltIn::Viewer).await;
    provider.sign_in_as("unverified@acme.example").await;
    let browser = Browser::new(&app);
    let (status, page) = refused(browser.sign_in("/acme/sso").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("has not verified the email"), "{page}");
    assert!(!browser.signed_in().await);

    provider.sign_in_as("nobody@acme.example").await;
    let (status, page) = refused(Browser::new(&app).sign_in("/acme/sso").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("There is no Gatehouse account for nobody@acme.example"), "{page}");
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_norm = 'nobody@acme.example'").fetch_one(&app.db).await.unwrap();
    assert_eq!(people, 0, "nobody is created at sign-in");

    let carol: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(CAROL).fetch_one(&app.db).await.unwrap();
    let res = app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": [carol], "new_owner_id": null})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    provider.sign_in_as(CAROL).await;
    let browser = Browser::new(&app);
    let (status, page) = refused(browser.sign_in("/acme/sso").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("is deactivated"), "{page}");
    assert!(!browser.signed_in().await);
}

/// Two instances behind one public address without sticky sessions: a
/// sign-in started on one finishes on the other, the sealed cookie being all
/// it needs; the session it opens is good on both.
#[tokio::test]
async fn a_sign_in_started_on_one_instance_finishes_on_another() {
    let Some((app, _, _provider)) = ready().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let settings = gatehouse_server::Settings {
        database_url: app.db_url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        base_url: Some(app.base.clone()),
        site_root: dir.path().join("site").display().to_string(),
        ..gatehouse_server::Settings::default()
    };
    let other = common::start(settings, dir).await;
    let browser = Browser::new(&app);
    let callback = browser.to_callback("/acme/sso").await;
    // As a load balancer forwards it: to the other instance, for the public host.
    let host = app.base.trim_start_matches("http://");
    let res = browser.http.get(callback.replacen(&app.base, &other.base, 1)).header("host", host).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert!(browser.signed_in().await, "signed in, and the first instance knows it");
}

/// A wrong client secret: the provider refuses the code exchange, and the
/// page says which settings to check.
#[tokio::test]
async fn a_wrong_client_secret_is_named_as_the_problem() {
    let Some((app, mut admin, provider)) = ready().await else { return };
    let mut wrong = provider.settings("oidc_or_password");
    wrong["oidc"]["client_secret"] = json!("not the secret");
    app.save_authentication(&mut admin, wrong).await;
    let browser = Browser::new(&app);
    let (status, page) = refused(browser.sign_in("/acme/sso").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("client ID or client secret"), "{page}");
    assert!(last_sso_failure(&app).await.contains("invalid_client"));
    assert!(!browser.signed_in().await);
}

/// Signs `b` in to Acme with a password (a browser of its own, with its cookies).
async fn password_sign_in(app: &TestApp, b: &Browser, email: &str, password: &str) {
    let res = b.http.post(format!("{}/api/sign_in", app.base)).header("origin", &app.base).form(&[("org", "acme"), ("email", email), ("password", password)]).send().await.unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    assert!(b.signed_in().await);
}

#[tokio::test]
async fn a_test_sign_in_signs_nobody_in_and_an_administrators_passes_the_guard() {
    let Some((app, mut admin, provider)) = ready().await else { return };
    let tested = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sso_tested'").fetch_one(&app.db).await.unwrap() };
    let oidc_sign_ins = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in' AND detail LIKE '%oidc%'").fetch_one(&app.db).await.unwrap() };

    // Started signed out, or by someone who is not an administrator: refused, nothing sent to the provider.
    let stranger = Browser::new(&app);
    assert_eq!(stranger.get("/acme/sso?test=oidc").await.status(), StatusCode::FORBIDDEN);
    assert!(stranger.cookies_for("/acme/oidc/callback").is_empty(), "no request cookie for a refused test");
    let carol = Browser::new(&app);
    password_sign_in(&app, &carol, CAROL, "carol's long password").await;
    assert_eq!(carol.get("/acme/sso?test=oidc").await.status(), StatusCode::FORBIDDEN);

    // The provider names Carol: the test passes, signs nobody in, and does not satisfy the guard.
    let ada = Browser::new(&app);
    password_sign_in(&app, &ada, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    provider.sign_in_as(CAROL).await;
    let res = ada.sign_in("/acme/sso?test=oidc").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("sso-test-passed") && page.contains(CAROL) && page.contains("does not administer"), "{page}");
    assert!(ada.signed_in().await, "the administrator is still signed in as themselves");
    assert_eq!(oidc_sign_ins().await, 0, "nobody signed in through the test");
    assert_eq!(tested().await, 1);
    let (status, _) = error_of(save(&app, &mut admin, provider.settings("oidc")).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "a non-administrator's test does not open OpenID Connect only");

    // The answer finished in a browser whose administrator signed out meanwhile: refused.
    provider.sign_in_as(ADMIN_EMAIL).await;
    let gone = Browser::new(&app);
    password_sign_in(&app, &gone, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let callback = gone.to_callback("/acme/sso?test=oidc").await;
    let out = gone.http.post(format!("{}/api/sign_out", app.base)).header("origin", &app.base).form(&[("org", "acme")]).send().await.unwrap();
    assert!(out.status().is_success() || out.status().is_redirection());
    assert_eq!(gone.get(&callback).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(tested().await, 1);

    // The administrator named by the provider (a browser without Carol's
    // session at the provider): passes, and OpenID Connect only may now be chosen.
    let ada = Browser::new(&app);
    password_sign_in(&app, &ada, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let callback = ada.to_callback("/acme/sso?test=oidc").await;
    let res = ada.get(&callback).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains(ADMIN_EMAIL) && page.contains("alone may now be chosen"), "{page}");
    // The same answer again: refused.
    assert!(ada.get(&callback).await.status().is_client_error(), "an answer works once");
    assert_eq!((oidc_sign_ins().await, tested().await), (0, 2));
    let mut only = provider.settings("oidc");
    only["oidc"]["client_secret"] = json!("");
    let v: AuthSettingsView = ok_json(save(&app, &mut admin, only).await).await;
    assert_eq!(v.oidc_verified_by.as_deref(), Some(ADMIN_EMAIL));
}

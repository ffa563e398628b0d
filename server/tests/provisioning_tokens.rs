//! Provisioning tokens as Administration > Authentication manages them: the
//! rules the setup wizard and the token list show are the server's.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{NewProvisioningToken, ProvisioningInfo, ProvisioningToken};
use app::error::ErrorKind;
use common::*;
use reqwest::StatusCode;

async fn create(app: &TestApp, s: &mut Session, name: &str, acknowledged: bool) -> reqwest::Response {
    app.call(s, "create_provisioning_token", &[("org", "acme"), ("name", name), ("acknowledged", if acknowledged { "true" } else { "false" })]).await
}

async fn tokens(app: &TestApp, s: &mut Session) -> ProvisioningInfo {
    ok_json(app.call(s, "provisioning", &[("org", "acme")]).await).await
}

fn named<'a>(info: &'a ProvisioningInfo, name: &str) -> &'a ProvisioningToken {
    info.tokens.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("a token named {name}: {:?}", info.tokens))
}

async fn token_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM scim_tokens").fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn only_admins_list_create_and_revoke_tokens() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let okta: NewProvisioningToken = ok_json(create(&app, &mut admin, "Okta", true).await).await;
    let id = named(&tokens(&app, &mut admin).await, "Okta").id.clone();

    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let (mut val, _) = app.sign_in("val@acme.example", "viewer password 1").await;
    let mut nobody = Session::default();
    for (who, s, status) in [("a Viewer", &mut val, StatusCode::FORBIDDEN), ("someone signed out", &mut nobody, StatusCode::UNAUTHORIZED)] {
        let (st, _) = error_of(app.call(s, "provisioning", &[("org", "acme")]).await).await;
        assert_eq!(st, status, "{who} lists no tokens");
        let (st, _) = error_of(create(&app, s, "Mine", true).await).await;
        assert_eq!(st, status, "{who} creates no token");
        let (st, _) = error_of(app.call(s, "revoke_provisioning_token", &[("org", "acme"), ("id", &id)]).await).await;
        assert_eq!(st, status, "{who} revokes no token");
    }
    assert_eq!(token_count(&app).await, 1);
    let (st, _) = Idp { app: &app, token: okta.token }.get("/Users").await;
    assert_eq!(st, StatusCode::OK, "the token still works");
}

#[tokio::test]
async fn the_list_says_who_created_each_token_and_when_it_was_last_used() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let okta: NewProvisioningToken = ok_json(create(&app, &mut admin, "Okta", true).await).await;
    let info = tokens(&app, &mut admin).await;
    let t = named(&info, "Okta");
    assert_eq!((t.created_by.as_str(), t.last_used_at.as_deref(), t.revoked_at.as_deref()), (ADMIN_EMAIL, None, None));
    assert_eq!(info.active_tokens, 1);

    let (st, _) = Idp { app: &app, token: okta.token }.get("/Users").await;
    assert_eq!(st, StatusCode::OK);
    // "Last used" is written in the background, after the answer.
    wait_until(std::time::Duration::from_secs(10), "the token's last use is recorded", || async {
        let mut admin = app.admin_session().await;
        named(&tokens(&app, &mut admin).await, "Okta").last_used_at.is_some()
    })
    .await;
}

#[tokio::test]
async fn the_guidance_is_acknowledged_to_turn_provisioning_on_and_not_for_another_token() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;

    let (st, e) = error_of(create(&app, &mut admin, "Okta", false).await).await;
    assert_eq!((st, e.kind, e.field.as_deref()), (StatusCode::BAD_REQUEST, ErrorKind::Invalid, Some("acknowledged")));
    assert_eq!(token_count(&app).await, 0, "provisioning stays off");
    ok_json::<NewProvisioningToken>(create(&app, &mut admin, "Okta", true).await).await;

    // On: "Create another token" skips the guidance.
    ok_json::<NewProvisioningToken>(create(&app, &mut admin, "Okta (rotation)", false).await).await;

    // Every token revoked: provisioning is off, and turning it on asks again.
    for t in tokens(&app, &mut admin).await.tokens {
        ok_json::<()>(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &t.id)]).await).await;
    }
    let (st, e) = error_of(create(&app, &mut admin, "Entra", false).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("acknowledged")));
    assert_eq!(tokens(&app, &mut admin).await.active_tokens, 0);
}

#[tokio::test]
async fn active_tokens_have_distinct_names() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    ok_json::<NewProvisioningToken>(create(&app, &mut admin, "Okta", true).await).await;
    for same in ["Okta", " okta ", "OKTA"] {
        let (st, e) = error_of(create(&app, &mut admin, same, false).await).await;
        assert_eq!((st, e.field.as_deref()), (StatusCode::CONFLICT, Some("name")), "{same:?}");
        assert!(e.message.contains("already named") && e.message.contains("Okta"), "{}", e.message);
    }
    assert_eq!(token_count(&app).await, 1);

    // A revoked token's name is free again.
    let id = named(&tokens(&app, &mut admin).await, "Okta").id.clone();
    ok_json::<NewProvisioningToken>(create(&app, &mut admin, "Okta 2", false).await).await;
    ok_json::<()>(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &id)]).await).await;
    ok_json::<NewProvisioningToken>(create(&app, &mut admin, "okta", false).await).await;
    let info = tokens(&app, &mut admin).await;
    let mut active: Vec<&str> = info.tokens.iter().filter(|t| t.revoked_at.is_none()).map(|t| t.name.as_str()).collect();
    active.sort();
    assert_eq!(active, ["Okta 2", "okta"]);
}

#[tokio::test]
async fn two_admins_naming_tokens_alike_at_once_get_one_token() {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user("bea@acme.example", "bea's long password", BuiltIn::Admin).await;
    let mut ada = app.admin_session().await;
    let (mut bea, _) = app.sign_in("bea@acme.example", "bea's long password").await;
    let (a, b) = tokio::join!(create(&app, &mut ada, "Okta", true), create(&app, &mut bea, "Okta", true));
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(token_count(&app).await, 1);
}

#[tokio::test]
async fn revoking_is_refused_for_another_organizations_token_and_for_a_revoked_one() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;

    // Another organization on the same server, with its own token.
    let (other_org, hank) = (app::store::new_id(), app::store::new_id());
    let email = app::domain::Email::parse("email", "hank@globex.example").unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    app::store::orgs::insert(&mut *conn, &other_org, "globex", "Globex").await.unwrap();
    app::store::account_types::create_built_ins(&mut conn, &other_org).await.unwrap();
    let admin_type = app::store::account_types::built_in(&mut *conn, &other_org, BuiltIn::Admin).await.unwrap().id;
    let user = app::store::users::NewUser {
        id: &hank,
        org_id: &other_org,
        email: &email,
        first_name: "Hank",
        last_name: "Scorpio",
        account_type_id: &admin_type,
        password_hash: None,
        invite_pending: false,
        is_guest: false,
    };
    app::store::users::insert(&mut *conn, user).await.unwrap();
    let globex_token = app::store::scim_tokens::new_token();
    let globex_id = app::store::scim_tokens::insert(&mut conn, &other_org, "Globex Okta", &globex_token, &hank, email.as_str()).await.unwrap();
    drop(conn);

    let (st, e) = error_of(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &globex_id)]).await).await;
    assert_eq!((st, e.kind), (StatusCode::NOT_FOUND, ErrorKind::NotFound), "{}", e.message);
    let revoked: Option<String> = sqlx::query_scalar("SELECT revoked_at FROM scim_tokens WHERE id = $1").bind(&globex_id).fetch_one(&app.db).await.unwrap();
    assert_eq!(revoked, None);
    let (st, _) = Idp { app: &app, token: globex_token }.get("/Users").await;
    assert_eq!(st, StatusCode::OK, "Globex's identity provider keeps working");
    assert!(tokens(&app, &mut admin).await.tokens.is_empty(), "Acme's list shows only Acme's tokens");

    // Acme's own token: revoked once, then refused with its name.
    let okta: NewProvisioningToken = ok_json(create(&app, &mut admin, "Okta", true).await).await;
    let id = named(&tokens(&app, &mut admin).await, "Okta").id.clone();
    ok_json::<()>(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &id)]).await).await;
    let (st, e) = error_of(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!((st, e.kind), (StatusCode::CONFLICT, ErrorKind::Conflict));
    assert!(e.message.contains("“Okta” was already revoked"), "{}", e.message);
    let (st, _) = Idp { app: &app, token: okta.token }.get("/Users").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let revocations = app.audit_actions().await.into_iter().filter(|(a, ..)| a == "provisioning.token_revoked").count();
    assert_eq!(revocations, 1, "one revocation, audited once");
}

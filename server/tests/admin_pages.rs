//! What the Administration pages decide on the server: who gets the admin
//! screens at all, the one error page, and the rules behind controls the
//! pages hide (checked here over HTTP, as a browser or a script would ask).
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{AccountTypeView, InvitationLink, TeamDetail};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn ready() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    let s = app.admin_session().await;
    (app, s)
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn a_viewer_opening_administration_gets_one_403_page_without_admin_chrome() {
    let (app, _) = ready().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let (s, res) = app.sign_in("val@acme.example", "viewer password 1").await;
    assert_eq!(res.status(), StatusCode::OK);
    for path in ["/acme/admin", "/acme/admin/users", "/acme/admin/account", "/acme/admin/authentication", "/acme/admin/teams/x"] {
        let res = app.get(&s, path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert_eq!(count(&html, "data-testid=\"error-panel\""), 1, "{path}: one error card");
        assert!(html.contains("data-status=\"403\"") && html.contains("Only administrators"), "{path}");
        assert!(html.contains("href=\"/acme\""), "{path}: a way home");
        // None of the admin screens' chrome: navigation, actions, inputs, the app's scripts.
        for chrome in ["sidenav", "admin-menu", "Add users", "webhook", "<input", "<button", "gatehouse.js"] {
            assert!(!html.contains(chrome), "{path} shows {chrome}");
        }
    }
    // An admin still gets the screens.
    let admin = app.admin_session().await;
    let res = app.get(&admin, "/acme/admin/users").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("sidenav"));
}

#[tokio::test]
async fn an_unknown_organization_is_one_404_page() {
    let (app, s) = ready().await;
    for (session, path) in [(Session::default(), "/nope"), (Session::default(), "/nope/login"), (s.clone(), "/nope/admin/users")] {
        let res = app.get(&session, path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let html = res.text().await.unwrap();
        assert_eq!(count(&html, "data-testid=\"error-panel\""), 1, "{path}: shown once");
        assert!(html.contains("There is no organization at /nope") && html.contains("href=\"/\""), "{path}");
    }
    // A missing page inside a known organization uses the same card, with the way home.
    let res = app.get(&s, "/acme/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert_eq!(count(&html, "data-testid=\"error-panel\""), 1);
    assert!(html.contains("data-status=\"404\"") && html.contains("href=\"/acme\""));
}

#[tokio::test]
async fn an_administering_account_type_cannot_be_the_invitation_default() {
    let (app, mut s) = ready().await;
    let types: Vec<AccountTypeView> = ok_json(app.call(&mut s, "account_types", &[("org", "acme")]).await).await;
    let admin = types.iter().find(|t| t.name == "Admin").unwrap();
    let (status, e) = error_of(app.call(&mut s, "set_invite_default", &[("org", "acme"), ("id", &admin.id)]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(e.message.contains("cannot be the invitation default"), "{}", e.message);
    // A custom type holding "Administer the organization" is refused the same way.
    let id: String =
        ok_json(app.call_json(&mut s, "save_account_type", json!({"org": "acme", "id": null, "input": {"name": "Deputy", "description": "", "permissions": ["view_documents", "administer"]}})).await)
            .await;
    let (status, _) = error_of(app.call(&mut s, "set_invite_default", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let types: Vec<AccountTypeView> = ok_json(app.call(&mut s, "account_types", &[("org", "acme")]).await).await;
    assert!(types.iter().find(|t| t.name == "Viewer").unwrap().invite_default, "the default did not move");
}

#[tokio::test]
async fn a_team_member_who_has_not_accepted_the_invitation_is_invited_on_the_team_too() {
    let (app, mut s) = ready().await;
    let types: Vec<AccountTypeView> = ok_json(app.call(&mut s, "account_types", &[("org", "acme")]).await).await;
    let viewer = types.iter().find(|t| t.name == "Viewer").unwrap().id.clone();
    let team: String = ok_json(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "Field"), ("description", "")]).await).await;
    let links: Vec<InvitationLink> =
        ok_json(app.call_json(&mut s, "invite_users", json!({"org": "acme", "people": "noor@acme.example, Noor, Haddad", "account_type_id": viewer, "team_ids": [team]})).await).await;
    let d: TeamDetail = ok_json(app.call(&mut s, "team", &[("org", "acme"), ("id", &team)]).await).await;
    let m = d.members.iter().find(|m| m.email == "noor@acme.example").unwrap();
    assert!(m.invite_pending && m.status.is_active());

    let token = links[0].link.rsplit('/').next().unwrap().to_string();
    let pw = "noor's long secret";
    let res = app.call(&mut Session::default(), "accept_invitation", &[("org", "acme"), ("token", &token), ("password", pw), ("password_confirm", pw)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let d: TeamDetail = ok_json(app.call(&mut s, "team", &[("org", "acme"), ("id", &team)]).await).await;
    assert!(!d.members.iter().find(|m| m.email == "noor@acme.example").unwrap().invite_pending);
}

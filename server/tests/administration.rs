//! Account types, users and teams over HTTP: every rule and guard of the
//! Administration pages, checked on the server.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{AccountTypeView, InvitationLink, Me, PasswordLinkInfo, TeamDetail, TeamSummary, UserDetail, UserPage};
use app::error::ErrorKind;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

const CREATOR_NO_EXPORT: &[&str] = &["view_documents", "explore_documents", "create_documents", "upload_csv", "share_documents"];

async fn types(app: &TestApp, s: &mut Session) -> Vec<AccountTypeView> {
    ok_json(app.call(s, "account_types", &[("org", "acme")]).await).await
}

async fn type_id(app: &TestApp, s: &mut Session, name: &str) -> String {
    types(app, s).await.into_iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}")).id
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email.to_lowercase()).fetch_one(&app.db).await.unwrap()
}

async fn users(app: &TestApp, s: &mut Session, query: serde_json::Value) -> UserPage {
    let mut q = json!({"search": "", "account_type": "", "status": "", "sort": "", "page": 1});
    for (k, v) in query.as_object().unwrap() {
        q[k] = v.clone();
    }
    ok_json(app.call_json(s, "users", json!({"org": "acme", "query": q})).await).await
}

async fn ready() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    let s = app.admin_session().await;
    (app, s)
}

#[tokio::test]
async fn account_types_built_ins_custom_types_and_their_rules() {
    let (app, mut s) = ready().await;
    let list = types(&app, &mut s).await;
    let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Viewer", "Creator", "Admin"]);
    let admin = list.iter().find(|t| t.name == "Admin").unwrap();
    assert!(!admin.can_edit && !admin.can_delete);
    assert!(list.iter().find(|t| t.name == "Viewer").unwrap().invite_default);
    assert_eq!(admin.user_count, 1);

    // Create "Creator - No Export".
    let body = |name: &str, perms: &[&str]| json!({"org": "acme", "id": null, "input": {"name": name, "description": "Creates, never exports", "permissions": perms}});
    let id: String = ok_json(app.call_json(&mut s, "save_account_type", body("Creator - No Export", CREATOR_NO_EXPORT)).await).await;
    let t: AccountTypeView = ok_json(app.call(&mut s, "account_type", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!(t.permissions.len(), CREATOR_NO_EXPORT.len());
    assert!(t.can_delete && t.built_in.is_none());

    // Names are unique case-insensitively; bad input changes nothing.
    let (st, e) = error_of(app.call_json(&mut s, "save_account_type", body("creator - NO export", &[])).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::CONFLICT, Some("name")));
    let (st, e) = error_of(app.call_json(&mut s, "save_account_type", body("Odd", &["fly_to_the_moon"])).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("permissions")));
    let (st, e) = error_of(app.call_json(&mut s, "save_account_type", body("  ", &[])).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("name")));
    assert_eq!(types(&app, &mut s).await.len(), 4);

    // Admin cannot change; built-ins cannot be deleted or renamed; Viewer can be edited.
    let admin_id = type_id(&app, &mut s, "Admin").await;
    let viewer_id = type_id(&app, &mut s, "Viewer").await;
    let r = app.call_json(&mut s, "save_account_type", json!({"org": "acme", "id": admin_id, "input": {"name": "Admin", "description": "", "permissions": []}})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for bid in [&admin_id, &viewer_id] {
        let r = app.call(&mut s, "delete_account_type", &[("org", "acme"), ("id", bid)]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = app.call_json(&mut s, "save_account_type", json!({"org": "acme", "id": viewer_id, "input": {"name": "Watcher", "description": "", "permissions": ["view_documents"]}})).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app.call_json(&mut s, "save_account_type", json!({"org": "acme", "id": viewer_id, "input": {"name": "Viewer", "description": "Looks only", "permissions": ["view_documents"]}})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(types(&app, &mut s).await.iter().find(|t| t.name == "Viewer").unwrap().permissions, ["view_documents"]);

    // A type in use cannot be deleted: the message says how many and who.
    app.add_user("casey@acme.example", "creator password 1", BuiltIn::Viewer).await;
    let casey = user_id(&app, "casey@acme.example").await;
    ok_json::<()>(app.call_json(&mut s, "change_account_type", json!({"org": "acme", "user_ids": [casey], "account_type_id": id})).await).await;
    let (st, e) = error_of(app.call(&mut s, "delete_account_type", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(e.message.contains("1 user") && e.message.contains("casey@acme.example"), "{}", e.message);

    // The invitation default cannot be deleted either; moving the default works.
    let viewer = type_id(&app, &mut s, "Viewer").await;
    ok_json::<()>(app.call_json(&mut s, "change_account_type", json!({"org": "acme", "user_ids": [casey], "account_type_id": viewer})).await).await;
    ok_json::<()>(app.call(&mut s, "set_invite_default", &[("org", "acme"), ("id", &id)]).await).await;
    let (st, _) = error_of(app.call(&mut s, "delete_account_type", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
    ok_json::<()>(app.call(&mut s, "set_invite_default", &[("org", "acme"), ("id", &viewer)]).await).await;
    ok_json::<()>(app.call(&mut s, "delete_account_type", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!(types(&app, &mut s).await.len(), 3);

    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.0).collect();
    for a in ["account_type.created", "account_type.updated", "account_type.deleted", "account_type.invite_default", "user.account_type_changed"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }
}

#[tokio::test]
async fn invitations_let_new_people_choose_a_password() {
    let (app, mut s) = ready().await;
    let viewer = type_id(&app, &mut s, "Viewer").await;
    let invite = |people: &str| json!({"org": "acme", "people": people, "account_type_id": viewer, "team_ids": []});

    // One bad line refuses the lot, naming the line.
    let (st, e) = error_of(app.call_json(&mut s, "invite_users", invite("pat@acme.example, Pat, Doe\nnot-an-email")).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("people")));
    assert!(e.message.starts_with("Line 2"), "{}", e.message);
    let (st, _) = error_of(app.call_json(&mut s, "invite_users", invite(ADMIN_EMAIL)).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 1, "nothing was added");

    let links: Vec<InvitationLink> = ok_json(app.call_json(&mut s, "invite_users", invite("pat@acme.example, Pat, Doe\nlee@acme.example")).await).await;
    assert_eq!(links.len(), 2);
    assert!(links[0].link.starts_with(&format!("{}/acme/invite/", app.base)));
    let page = users(&app, &mut s, json!({"status": "invited"})).await;
    assert_eq!(page.total, 2);
    let lee = page.users.iter().find(|u| u.email == "lee@acme.example").unwrap();
    assert_eq!(lee.first_name, "lee", "the name defaults to the email's local part");
    assert!(lee.invite_pending);

    // An invited person cannot sign in before choosing a password.
    let (_, r) = app.sign_in("pat@acme.example", "anything at all").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let token = links[0].link.rsplit('/').next().unwrap().to_string();
    let info: PasswordLinkInfo = ok_json(app.call(&mut Session::default(), "invitation", &[("org", "acme"), ("token", &token)]).await).await;
    assert_eq!(info.email, "pat@acme.example");
    let app = &app;
    let accept = |pw: &'static str, confirm: &'static str, token: String| async move {
        let mut anon = Session::default();
        app.call(&mut anon, "accept_invitation", &[("org", "acme"), ("token", &token), ("password", pw), ("password_confirm", confirm)]).await
    };
    let (st, e) = error_of(accept("password1", "password1", token.clone()).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("password")));
    let r = accept("pat's own secret", "pat's own secret", token.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["location"], "/acme/login?invited=1");
    let (st, _) = error_of(accept("another secret!", "another secret!", token.clone()).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a link works once");
    let (_, r) = app.sign_in("pat@acme.example", "pat's own secret").await;
    assert_eq!(r.status(), StatusCode::OK);

    // A new link replaces the old one; deleting a pending invitation removes the person.
    let lee_id = lee.id.clone();
    let old_token = links[1].link.rsplit('/').next().unwrap().to_string();
    let renewed: InvitationLink = ok_json(app.call(&mut s, "resend_invitation", &[("org", "acme"), ("user_id", &lee_id)]).await).await;
    assert_ne!(renewed.link, links[1].link);
    let (st, _) = error_of(app.call(&mut Session::default(), "invitation", &[("org", "acme"), ("token", &old_token)]).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let pat_id = user_id(&app, "pat@acme.example").await;
    let (st, _) = error_of(app.call(&mut s, "delete_invitation", &[("org", "acme"), ("user_id", &pat_id)]).await).await;
    assert_eq!(st, StatusCode::CONFLICT, "Pat accepted: deactivate instead");
    ok_json::<()>(app.call(&mut s, "delete_invitation", &[("org", "acme"), ("user_id", &lee_id)]).await).await;
    assert_eq!(users(&app, &mut s, json!({"status": "all"})).await.total, 2);
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM invitations").fetch_all(&app.db).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 64 && !h.contains(&token)), "only hashes are stored");
}

#[tokio::test]
async fn account_type_changes_and_the_last_admin_guard() {
    let (app, mut s) = ready().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    app.add_user("sam@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let me = user_id(&app, ADMIN_EMAIL).await;
    let val = user_id(&app, "val@acme.example").await;
    let sam = user_id(&app, "sam@acme.example").await;
    let creator = type_id(&app, &mut s, "Creator").await;
    let admin = type_id(&app, &mut s, "Admin").await;
    let viewer = type_id(&app, &mut s, "Viewer").await;
    let change = |ids: Vec<&String>, t: &String| json!({"org": "acme", "user_ids": ids, "account_type_id": t});

    // The only admin cannot lose the Admin type, alone or in bulk.
    for ids in [vec![&me], vec![&me, &val]] {
        let (st, e) = error_of(app.call_json(&mut s, "change_account_type", change(ids, &viewer)).await).await;
        assert_eq!(st, StatusCode::CONFLICT, "{}", e.message);
    }
    ok_json::<()>(app.call_json(&mut s, "change_account_type", change(vec![&val, &sam], &creator)).await).await;
    let page = users(&app, &mut s, json!({"account_type": creator})).await;
    assert_eq!(page.total, 2, "bulk change");
    // With a second admin, the first may step down.
    ok_json::<()>(app.call_json(&mut s, "change_account_type", change(vec![&val], &admin)).await).await;
    ok_json::<()>(app.call_json(&mut s, "change_account_type", change(vec![&me], &creator)).await).await;
    let (st, _) = error_of(app.call(&mut s, "account_details", &[("org", "acme")]).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "no longer an admin: refused at once");

    // Unknown ids and foreign types change nothing.
    let (mut v, _) = app.sign_in("val@acme.example", "viewer password 1").await;
    let (st, _) = error_of(app.call_json(&mut v, "change_account_type", json!({"org": "acme", "user_ids": [sam, "nope"], "account_type_id": viewer})).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = error_of(app.call_json(&mut v, "change_account_type", json!({"org": "acme", "user_ids": [sam], "account_type_id": "nope"})).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(users(&app, &mut v, json!({"account_type": creator})).await.total, 2);
}

#[tokio::test]
async fn deactivation_ends_sessions_and_reactivation_restores_access() {
    let (app, mut s) = ready().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let me = user_id(&app, ADMIN_EMAIL).await;
    let val = user_id(&app, "val@acme.example").await;
    let (mut v, _) = app.sign_in("val@acme.example", "viewer password 1").await;
    assert_eq!(app.call(&mut v, "me", &[("org", "acme")]).await.status(), StatusCode::OK);

    let (st, _) = error_of(app.call_json(&mut s, "deactivate_users", json!({"org": "acme", "user_ids": [me], "new_owner_id": null})).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "admins cannot deactivate themselves");
    let (st, e) = error_of(app.call_json(&mut s, "deactivate_users", json!({"org": "acme", "user_ids": [val], "new_owner_id": val})).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("new_owner")));

    ok_json::<()>(app.call_json(&mut s, "deactivate_users", json!({"org": "acme", "user_ids": [val], "new_owner_id": null})).await).await;
    let (st, _) = error_of(app.call(&mut v, "me", &[("org", "acme")]).await).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the session ended at once");
    let (_, r) = app.sign_in("val@acme.example", "viewer password 1").await;
    let (st, e) = error_of(r).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(e.message.contains("deactivated"), "{}", e.message);
    let detail: UserDetail = ok_json(app.call(&mut s, "user", &[("org", "acme"), ("id", &val)]).await).await;
    assert_eq!(detail.user.status, app::domain::Status::Inactive, "the profile is kept");
    assert!(detail.sign_ins.iter().any(|e| e.action == "auth.sign_in_failed"));
    assert_eq!(users(&app, &mut s, json!({})).await.total, 1, "inactive hidden by default");
    assert_eq!(users(&app, &mut s, json!({"status": "inactive"})).await.total, 1);
    let audit: Vec<_> = app.audit_actions().await;
    assert!(audit.iter().any(|a| a.0 == "user.deactivated" && a.2.contains(ADMIN_EMAIL)), "new owner recorded");

    ok_json::<()>(app.call_json(&mut s, "reactivate_users", json!({"org": "acme", "user_ids": [val]})).await).await;
    let (_, r) = app.sign_in("val@acme.example", "viewer password 1").await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn managed_users_and_teams_refuse_local_changes() {
    let (app, mut s) = ready().await;
    app.add_user("okta@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let id = user_id(&app, "okta@acme.example").await;
    sqlx::query("UPDATE users SET origin = 'scim' WHERE id = $1").bind(&id).execute(&app.db).await.unwrap();
    let creator = type_id(&app, &mut s, "Creator").await;
    for (endpoint, body) in [
        ("change_account_type", json!({"org": "acme", "user_ids": [id], "account_type_id": creator})),
        ("deactivate_users", json!({"org": "acme", "user_ids": [id], "new_owner_id": null})),
        ("reactivate_users", json!({"org": "acme", "user_ids": [id]})),
    ] {
        let (st, e) = error_of(app.call_json(&mut s, endpoint, body).await).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{endpoint}");
        assert!(e.message.contains("identity provider"), "{}", e.message);
    }
    let team: String = ok_json(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "Okta Team"), ("description", "")]).await).await;
    sqlx::query("UPDATE teams SET origin = 'scim' WHERE id = $1").bind(&team).execute(&app.db).await.unwrap();
    let r = app.call(&mut s, "update_team", &[("org", "acme"), ("id", &team), ("name", "Renamed"), ("description", "")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [id], "add": true})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn teams_members_and_what_people_see() {
    let (app, mut s) = ready().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let val = user_id(&app, "val@acme.example").await;
    let team: String = ok_json(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "Analytics"), ("description", "Dashboards")]).await).await;
    let (st, e) = error_of(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "analytics"), ("description", "")]).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::CONFLICT, Some("name")));
    let (st, _) = error_of(app.call(&mut s, "create_team", &[("org", "acme"), ("name", " "), ("description", "")]).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    let found: Vec<app::domain::views::Choice> = ok_json(app.call(&mut s, "search_people", &[("org", "acme"), ("term", "VA")]).await).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, val);
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val, val], "add": true})).await).await;
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": true})).await).await;
    let d: TeamDetail = ok_json(app.call(&mut s, "team", &[("org", "acme"), ("id", &team)]).await).await;
    assert_eq!(d.members.len(), 1, "adding twice keeps one membership");
    let list: Vec<TeamSummary> = ok_json(app.call(&mut s, "teams", &[("org", "acme"), ("search", "lyt")]).await).await;
    assert_eq!((list.len(), list[0].member_count), (1, 1));

    let (mut v, _) = app.sign_in("val@acme.example", "viewer password 1").await;
    let me: Me = ok_json(app.call(&mut v, "me", &[("org", "acme")]).await).await;
    assert_eq!(me.teams, ["Analytics"]);
    assert_eq!(users(&app, &mut s, json!({"search": "val"})).await.users[0].teams, ["Analytics"]);

    ok_json::<()>(app.call(&mut s, "update_team", &[("org", "acme"), ("id", &team), ("name", "Insights"), ("description", "x")]).await).await;
    ok_json::<()>(app.call(&mut s, "set_team_active", &[("org", "acme"), ("id", &team), ("active", "false")]).await).await;
    let me: Me = ok_json(app.call(&mut v, "me", &[("org", "acme")]).await).await;
    assert!(me.teams.is_empty(), "a deactivated team is not shown");
    let r = app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": false})).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "reactivate first");
    let inactive: Vec<TeamSummary> = ok_json(app.call(&mut s, "teams", &[("org", "acme"), ("inactive", "true")]).await).await;
    assert_eq!(inactive[0].name, "Insights");
    ok_json::<()>(app.call(&mut s, "set_team_active", &[("org", "acme"), ("id", &team), ("active", "true")]).await).await;
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": false})).await).await;
    let d: TeamDetail = ok_json(app.call(&mut s, "team", &[("org", "acme"), ("id", &team)]).await).await;
    assert!(d.members.is_empty());
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|a| a.0).collect();
    for a in ["team.created", "team.updated", "team.deactivated", "team.reactivated", "team.member_added", "team.member_removed"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }
}

#[tokio::test]
async fn users_page_searches_filters_sorts_and_pages_on_the_server() {
    let (app, mut s) = ready().await;
    let viewer = type_id(&app, &mut s, "Viewer").await;
    let people: String = (0..120).map(|i| format!("person{i:03}@acme.example, Person, N{i:03}\n")).collect();
    ok_json::<Vec<InvitationLink>>(app.call_json(&mut s, "invite_users", json!({"org": "acme", "people": people, "account_type_id": viewer, "team_ids": []})).await).await;
    let p1 = users(&app, &mut s, json!({"sort": "email"})).await;
    assert_eq!((p1.total, p1.page_count, p1.users.len()), (121, 3, 50));
    assert_eq!(p1.users[0].email, ADMIN_EMAIL);
    let p3 = users(&app, &mut s, json!({"sort": "email", "page": 3})).await;
    assert_eq!(p3.users.len(), 21);
    assert_eq!(p3.users.last().unwrap().email, "person119@acme.example");
    let desc = users(&app, &mut s, json!({"sort": "-email"})).await;
    assert_eq!(desc.users[0].email, "person119@acme.example");
    let search = users(&app, &mut s, json!({"search": "PERSON11"})).await;
    assert_eq!(search.total, 10);
    let by_last = users(&app, &mut s, json!({"search": "n00"})).await;
    assert_eq!(by_last.total, 10, "last names match too");
    assert!(!by_last.more);
    // Each way of matching is its own query: the page is still in the order asked, once each.
    let by_last_desc = users(&app, &mut s, json!({"search": "n00", "sort": "-email", "size": 25})).await;
    let emails: Vec<&str> = by_last_desc.users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, (0..10).rev().map(|i| format!("person{i:03}@acme.example")).collect::<Vec<_>>());
    let both = users(&app, &mut s, json!({"search": "person", "sort": "email", "page": 3})).await;
    assert_eq!((both.total, both.users.len()), (120, 20), "matched by email and by name, counted once");
    assert_eq!(both.users[0].email, "person100@acme.example");
    // The start of the email's domain matches as well: everyone here is at acme.example.
    let by_domain = users(&app, &mut s, json!({"search": "acme"})).await;
    assert_eq!(by_domain.total, 121, "acme finds ada@acme.example and every person@acme.example");
    assert_eq!(users(&app, &mut s, json!({"search": "cme"})).await.total, 0, "the middle of a word does not match");
    // Page sizes: the ones offered, else 50.
    let small = users(&app, &mut s, json!({"sort": "email", "size": 25})).await;
    assert_eq!((small.users.len(), small.page_count), (25, 5));
    let large = users(&app, &mut s, json!({"sort": "email", "size": 100, "page": 2})).await;
    assert_eq!((large.users.len(), large.page_count), (21, 2));
    let odd = users(&app, &mut s, json!({"sort": "email", "size": 7})).await;
    assert_eq!(odd.users.len(), 50, "an unknown page size gets the default");
    // The account types say which of them administer (the account type dialog's warning).
    assert_eq!(p1.admin_type_ids, vec![type_id(&app, &mut s, "Admin").await]);
    let admin_type = type_id(&app, &mut s, "Admin").await;
    let admins = users(&app, &mut s, json!({"account_type": admin_type})).await;
    assert_eq!(admins.total, 1);
    assert!(admins.users[0].is_self);
}

/// Past 10,000 people the Users page counts no further: it says "more
/// than", and its pages go on as long as there are people.
#[tokio::test]
async fn a_list_of_more_than_ten_thousand_people_says_so_and_pages_on() {
    let (app, mut s) = ready().await;
    gatehouse_server::demo::seed_scale(&app.db, "acme", 10_050, 0, &mut |_| {}).await.unwrap();
    let first = users(&app, &mut s, json!({"sort": "email"})).await;
    assert_eq!((first.total, first.more, first.page_count, first.users.len()), (10_000, true, 200, 50));
    // 10,051 people: page 202 holds the last one, and says it is page 202.
    let last = users(&app, &mut s, json!({"sort": "email", "page": 202})).await;
    assert_eq!((last.users.len(), last.more, last.page_count), (1, true, 202));
    // Fewer than the limit match: counted exactly.
    let some = users(&app, &mut s, json!({"search": "user1", "sort": "email"})).await;
    assert_eq!((some.total, some.more, some.page_count), (1 + 10 + 100 + 1000 + 51, false, 24));
    // A search that matches everyone (the domain) is capped the same way.
    let all = users(&app, &mut s, json!({"search": "acme"})).await;
    assert_eq!((all.total, all.more), (10_000, true));
    // The page says it.
    let html = app.get(&s, "/acme/admin/users").await.text().await.unwrap();
    assert!(html.contains("More than ") && html.contains("10,000"), "{}", &html[..html.len().min(3000)]);
}

#[tokio::test]
async fn every_admin_server_function_refuses_non_admins() {
    let (app, _) = ready().await;
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let val = user_id(&app, "val@acme.example").await;
    let (mut v, _) = app.sign_in("val@acme.example", "viewer password 1").await;
    let form_calls: &[(&str, &[(&str, &str)])] = &[
        ("account_types", &[("org", "acme")]),
        ("account_type", &[("org", "acme"), ("id", "x")]),
        ("delete_account_type", &[("org", "acme"), ("id", "x")]),
        ("set_invite_default", &[("org", "acme"), ("id", "x")]),
        ("user", &[("org", "acme"), ("id", "x")]),
        ("resend_invitation", &[("org", "acme"), ("user_id", "x")]),
        ("delete_invitation", &[("org", "acme"), ("user_id", "x")]),
        ("create_team", &[("org", "acme"), ("name", "X"), ("description", "")]),
        ("update_team", &[("org", "acme"), ("id", "x"), ("name", "X"), ("description", "")]),
        ("set_team_active", &[("org", "acme"), ("id", "x"), ("active", "false")]),
        ("set_team_admin", &[("org", "acme"), ("team_id", "x"), ("user_id", "x"), ("on", "true")]),
        ("set_team_visibility", &[("org", "acme"), ("id", "x"), ("visibility", "private")]),
        ("search_people", &[("org", "acme"), ("term", "a")]),
    ];
    for (endpoint, form) in form_calls {
        let (st, e) = error_of(app.call(&mut v, endpoint, form).await).await;
        assert_eq!((st, e.kind), (StatusCode::FORBIDDEN, ErrorKind::Forbidden), "{endpoint}");
    }
    let json_calls = [
        ("save_account_type", json!({"org": "acme", "id": null, "input": {"name": "X", "description": "", "permissions": ["administer"]}})),
        ("users", json!({"org": "acme", "query": {"search": "", "account_type": "", "status": "", "sort": "", "page": 1}})),
        ("invite_users", json!({"org": "acme", "people": "x@acme.example", "account_type_id": "x", "team_ids": []})),
        ("change_account_type", json!({"org": "acme", "user_ids": [val], "account_type_id": "x"})),
        ("deactivate_users", json!({"org": "acme", "user_ids": [val], "new_owner_id": null})),
        ("reactivate_users", json!({"org": "acme", "user_ids": [val]})),
        ("team_members", json!({"org": "acme", "team_id": "x", "user_ids": [val], "add": true})),
    ];
    for (endpoint, body) in json_calls {
        let (st, e) = error_of(app.call_json(&mut v, endpoint, body).await).await;
        assert_eq!((st, e.kind), (StatusCode::FORBIDDEN, ErrorKind::Forbidden), "{endpoint}");
    }
    for page in ["/acme/admin/users", "/acme/admin/teams", "/acme/admin/account-types"] {
        assert_eq!(app.get(&v, page).await.status(), StatusCode::FORBIDDEN, "{page}");
    }
    assert_eq!(app.get(&v, "/acme/profile").await.status(), StatusCode::OK);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_types").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 3, "nothing was created");
}

/// Two admins deactivate each other at the same moment (on SQLite, and on
/// PostgreSQL when the suite runs there): one wins, the organization keeps an admin.
#[tokio::test]
async fn the_last_admin_guard_holds_when_two_admins_act_at_once() {
    for round in 0..4 {
        let app = spawn_app().await;
        app.setup_acme().await;
        app.add_user("bea@acme.example", "bea's long password", BuiltIn::Admin).await;
        let mut ada = app.admin_session().await;
        let (mut bea, res) = app.sign_in("bea@acme.example", "bea's long password").await;
        assert_eq!(res.status(), StatusCode::OK);
        let ada_id = user_id(&app, ADMIN_EMAIL).await;
        let bea_id = user_id(&app, "bea@acme.example").await;
        let (a, b) = tokio::join!(
            app.call_json(&mut ada, "deactivate_users", json!({"org": "acme", "user_ids": [bea_id], "new_owner_id": null})),
            app.call_json(&mut bea, "deactivate_users", json!({"org": "acme", "user_ids": [ada_id], "new_owner_id": null})),
        );
        let statuses = [a.status(), b.status()];
        let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE status = 'active'").fetch_one(&app.db).await.unwrap();
        assert_eq!(active, 1, "round {round}: {statuses:?}");
        let (winner, loser) = match statuses {
            [StatusCode::OK, _] => (ADMIN_EMAIL, b),
            [_, StatusCode::OK] => ("bea@acme.example", a),
            _ => panic!("round {round}: one of them succeeds: {statuses:?}"),
        };
        let still: String = sqlx::query_scalar("SELECT email FROM users WHERE status = 'active'").fetch_one(&app.db).await.unwrap();
        assert_eq!(still, winner, "round {round}: the one whose deactivation succeeded stays");
        // The other is refused: by the last-admin rule, or — its own account
        // deactivated by the first — as signed out (whether its session was
        // checked before or after the first committed: deactivations take
        // turns on the organization's row and look at the acting admin again).
        let (st, e) = error_of(loser).await;
        match (st, e.kind, e.field.as_deref()) {
            (StatusCode::CONFLICT, ErrorKind::Conflict, _) => assert!(e.message.contains("without an active administrator"), "round {round}: {}", e.message),
            (StatusCode::UNAUTHORIZED, ErrorKind::Unauthenticated, None) => assert!(e.message.contains("Your session has ended"), "round {round}: {}", e.message),
            other => panic!("round {round}: the second deactivation answered {other:?}: {}", e.message),
        }
    }
}

#[tokio::test]
async fn invitations_and_admin_writes_refuse_teams_the_identity_provider_manages() {
    let (app, mut s) = ready().await;
    let t = app.provisioning_token(&mut s).await;
    let idp = Idp { app: &app, token: t.token };
    let (st, g) = idp.post("/Groups", json!({"displayName": "Finance"})).await;
    assert_eq!(st, reqwest::StatusCode::CREATED);
    let managed = g["id"].as_str().unwrap().to_string();
    let local: String = ok_json(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "Analytics"), ("description", "")]).await).await;
    let viewer = type_id(&app, &mut s, "Viewer").await;

    // The Add users dialog offers only teams Gatehouse manages, and the server refuses the others.
    let page = users(&app, &mut s, json!({})).await;
    assert_eq!(page.teams.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["Analytics"]);
    let invite = |teams: Vec<&String>| json!({"org": "acme", "people": "pat@acme.example", "account_type_id": viewer, "team_ids": teams});
    let (st, e) = error_of(app.call_json(&mut s, "invite_users", invite(vec![&local, &managed])).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::FORBIDDEN, Some("teams")));
    assert!(e.message.contains("Finance") && e.message.contains("identity provider"), "{}", e.message);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_norm = 'pat@acme.example'").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 0, "nobody was added");
    ok_json::<Vec<InvitationLink>>(app.call_json(&mut s, "invite_users", invite(vec![&local])).await).await;

    // Every other admin write to the managed team is refused too.
    let pat = user_id(&app, "pat@acme.example").await;
    let r = app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": managed, "user_ids": [pat], "add": true})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.call(&mut s, "set_team_active", &[("org", "acme"), ("id", &managed), ("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.call(&mut s, "update_team", &[("org", "acme"), ("id", &managed), ("name", "Money"), ("description", "")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_members WHERE team_id = $1").bind(&managed).fetch_one(&app.db).await.unwrap();
    assert_eq!(members, 0);
}

//! Administration > Audit log in words: each row one sentence naming people
//! by name and permissions by their labels, and only real changes in it — a
//! save that changes nothing still succeeds, and records nothing.
use crate::common;

use app::domain::views::AuditEventView;
use common::*;
use serde_json::{json, Value};

async fn ready() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.setup_acme().await;
    let s = app.admin_session().await;
    (app, s)
}

/// Adds a person with a name (the helpers' people are all "Test Person").
async fn person(app: &TestApp, email: &str, first: &str, last: &str) -> String {
    app.add_user(email, "a long enough password", app::domain::permissions::BuiltIn::Viewer).await;
    sqlx::query("UPDATE users SET first_name = $1, last_name = $2, name_norm = $3 WHERE email_norm = $4")
        .bind(first)
        .bind(last)
        .bind(format!("{first} {last}").to_lowercase())
        .bind(email)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email).fetch_one(&app.db).await.unwrap()
}

/// How many rows the audit log has.
async fn rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(&app.db).await.unwrap()
}

/// The sentences of `action`'s rows, newest first.
async fn said(app: &TestApp, admin: &mut Session, action: &str) -> Vec<String> {
    app.audit_log(admin, Some(action)).await.iter().map(|e| e.sentence.text()).collect()
}

async fn type_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM account_types WHERE name = $1").bind(name).fetch_one(&app.db).await.unwrap()
}

fn account_type(id: Option<&str>, name: &str, description: &str, permissions: &[&str]) -> Value {
    json!({"org": "acme", "id": id, "input": {"name": name, "description": description, "permissions": permissions}})
}

fn password_only(session_days: i64) -> Value {
    json!({"method": "password", "idp_login_url": "", "idp_certificate": "", "idp_issuer": "", "session_days": session_days, "mfa_policy": "off", "allow_guests": false})
}

/// Asserts that a step answered 200 and added no row to the audit log.
macro_rules! records_nothing {
    ($app:expr, $what:literal, $call:expr) => {{
        let before = rows(&$app).await;
        let res = $call.await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{}: the save still succeeds: {}", $what, res.text().await.unwrap());
        assert_eq!(rows(&$app).await, before, "{}: a save that changes nothing is not in the audit log", $what);
    }};
}

#[tokio::test]
async fn saves_that_change_nothing_are_not_in_the_audit_log() {
    let (app, mut s) = ready().await;
    let val = person(&app, "val@acme.example", "Val", "Viewer").await;

    // Account types: the same name, description and permissions (in another order).
    let id: String = ok_json(app.call_json(&mut s, "save_account_type", account_type(None, "Analysts", "Reads", &["view_documents", "download_data"])).await).await;
    let same = account_type(Some(&id), "Analysts", "Reads", &["download_data", "view_documents"]);
    records_nothing!(app, "account type", app.call_json(&mut s, "save_account_type", same));
    let viewer = type_id(&app, "Viewer").await;
    let (name, permissions) = ("Viewer", ["view_documents", "explore_documents", "download_data", "export_pdf_png"]);
    let description: String = sqlx::query_scalar("SELECT description FROM account_types WHERE id = $1").bind(&viewer).fetch_one(&app.db).await.unwrap();
    records_nothing!(app, "built-in account type", app.call_json(&mut s, "save_account_type", account_type(Some(&viewer), name, &description, &permissions)));
    records_nothing!(app, "invitation default", app.call(&mut s, "set_invite_default", &[("org", "acme"), ("id", &viewer)]));
    records_nothing!(app, "a person's account type", app.call_json(&mut s, "change_account_type", json!({"org": "acme", "user_ids": [val], "account_type_id": viewer})));

    // Teams: the same name and description; active already; a member already.
    let team: String = ok_json(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "Marketing"), ("description", "Campaigns")]).await).await;
    records_nothing!(app, "team", app.call(&mut s, "update_team", &[("org", "acme"), ("id", &team), ("name", "Marketing"), ("description", "Campaigns")]));
    records_nothing!(app, "team status", app.call(&mut s, "set_team_active", &[("org", "acme"), ("id", &team), ("active", "true")]));
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": true})).await).await;
    records_nothing!(app, "team member", app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": true})));
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": false})).await).await;
    records_nothing!(app, "former member", app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [val], "add": false})));

    // The organization and its sign-in settings.
    records_nothing!(app, "organization name", app.call(&mut s, "update_org_name", &[("org", "acme"), ("name", "Acme")]));
    records_nothing!(app, "audit retention", app.call(&mut s, "set_audit_retention", &[("org", "acme"), ("days", "")]));
    app.save_authentication(&mut s, password_only(14)).await;
    records_nothing!(app, "authentication", app.call_json(&mut s, "save_authentication", json!({"org": "acme", "input": password_only(14)})));
    records_nothing!(app, "release with nothing managed", app.call(&mut s, "release_managed", &[("org", "acme"), ("kind", "users")]));

    // A document saved as it is.
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, 10).await.unwrap();
    let doc: String = ok_json(app.call(&mut s, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &dataset)]).await).await;
    let columns: String = sqlx::query_scalar("SELECT columns FROM documents WHERE id = $1").bind(&doc).fetch_one(&app.db).await.unwrap();
    let view = json!({"columns": serde_json::from_str::<Value>(&columns).unwrap(), "filters": [], "sort": null});
    records_nothing!(app, "document", app.call_json(&mut s, "save_document", json!({"org": "acme", "id": doc, "name": "Orders", "view": view})));

    // The identity provider sending a person or a group as they are.
    let t = app.provisioning_token(&mut s).await;
    let idp = Idp { app: &app, token: t.token };
    let riley = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "riley@acme.example",
        "name": {"givenName": "Riley", "familyName": "Chen"}, "userType": "Viewer", "active": true});
    let (st, u) = idp.post("/Users", riley.clone()).await;
    assert_eq!(st, reqwest::StatusCode::CREATED);
    let riley_id = u["id"].as_str().unwrap().to_string();
    let before = rows(&app).await;
    let (st, _) = idp.put(&format!("/Users/{riley_id}"), riley).await;
    assert_eq!(st, reqwest::StatusCode::OK);
    let (st, _) = idp.patch(&format!("/Users/{riley_id}"), json!([{"op": "replace", "value": {"active": true}}])).await;
    assert_eq!(st, reqwest::StatusCode::OK);
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "OktaViewers", "members": [{"value": riley_id}]});
    let (st, g) = idp.post("/Groups", group.clone()).await;
    assert_eq!(st, reqwest::StatusCode::CREATED);
    let after_create = rows(&app).await;
    assert_eq!(after_create, before + 2, "the group and its member; the person sent unchanged is not recorded");
    let (st, _) = idp.put(&format!("/Groups/{}", g["id"].as_str().unwrap()), group).await;
    assert_eq!(st, reqwest::StatusCode::OK);
    assert_eq!(rows(&app).await, after_create, "a group sent unchanged is not recorded");
}

#[tokio::test]
async fn real_changes_are_recorded_once_in_words() {
    let (app, mut s) = ready().await;
    let riley = person(&app, "riley@acme.example", "Riley", "Chen").await;
    let bo = person(&app, "bo@acme.example", "Bo", "Diaz").await;
    let cy = person(&app, "cy@acme.example", "Cy", "Young").await;

    // An account type: permissions by their labels, then a rename with a new description.
    let id: String = ok_json(app.call_json(&mut s, "save_account_type", account_type(None, "Analysts", "Reads", &["view_documents", "download_data"])).await).await;
    ok_json::<String>(app.call_json(&mut s, "save_account_type", account_type(Some(&id), "Analysts", "Reads", &["view_documents", "export_email"])).await).await;
    ok_json::<String>(app.call_json(&mut s, "save_account_type", account_type(Some(&id), "Readers", "Reads more", &["view_documents", "export_email"])).await).await;
    assert_eq!(
        said(&app, &mut s, "account_type.updated").await,
        [
            "Changed the account type Readers: renamed from Analysts; description from “Reads” to “Reads more”",
            "Changed the account type Analysts: may now “Export by email”; may no longer “Download data (CSV, Excel)”",
        ]
    );
    assert_eq!(said(&app, &mut s, "account_type.created").await, ["Created the account type Analysts with 2 permissions: “View documents” and “Download data (CSV, Excel)”"]);

    // A person's account type, by their name; the Who column names the admin.
    let creator = type_id(&app, "Creator").await;
    ok_json::<()>(app.call_json(&mut s, "change_account_type", json!({"org": "acme", "user_ids": [riley], "account_type_id": creator})).await).await;
    let changed: Vec<AuditEventView> = app.audit_log(&mut s, Some("user.account_type_changed")).await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].sentence.text(), "Changed Riley Chen's account type from Viewer to Creator");
    assert_eq!(changed[0].sentence.about.as_deref(), Some("riley@acme.example"), "the email under the sentence");
    assert_eq!((changed[0].who.as_str(), changed[0].who_email.as_deref()), ("Ada Admin", Some(ADMIN_EMAIL)));

    // A team: renamed, its description changed; people added at once are one row, counted right.
    let team: String = ok_json(app.call(&mut s, "create_team", &[("org", "acme"), ("name", "Marketing"), ("description", "")]).await).await;
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [riley, bo, cy], "add": true})).await).await;
    ok_json::<()>(app.call_json(&mut s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": [bo], "add": false})).await).await;
    ok_json::<()>(app.call(&mut s, "update_team", &[("org", "acme"), ("id", &team), ("name", "Growth"), ("description", "")]).await).await;
    ok_json::<()>(app.call(&mut s, "update_team", &[("org", "acme"), ("id", &team), ("name", "Growth"), ("description", "Campaigns")]).await).await;
    assert_eq!(said(&app, &mut s, "team.member_added").await, ["Added 3 people to Marketing: Bo Diaz, Cy Young and Riley Chen"]);
    assert_eq!(said(&app, &mut s, "team.member_removed").await, ["Removed Bo Diaz from Marketing"]);
    assert_eq!(said(&app, &mut s, "team.updated").await, ["Changed the team Growth: description set to “Campaigns”", "Renamed the team Marketing to Growth"]);
    // The person filter finds a change of several people by any of them, by email or by name.
    for who in ["cy@acme", "Cy Young"] {
        let found: Vec<AuditEventView> = ok_json::<app::domain::views::AuditPage>(app.call(&mut s, "audit_events", &[("org", "acme"), ("person", who)]).await).await.events;
        assert!(found.iter().any(|e| e.action == "team.member_added"), "{who}: {found:?}");
    }

    // The sign-in settings, in words.
    app.save_authentication(&mut s, password_only(30)).await;
    app.save_authentication(&mut s, password_only(14)).await;
    assert_eq!(said(&app, &mut s, "auth.settings_changed").await, ["Changed the authentication settings: session length from 30 to 14 days"]);

    // The identity provider: a member removed by name, a profile change old → new.
    let t = app.provisioning_token(&mut s).await;
    let idp = Idp { app: &app, token: t.token };
    let user = |family: &str| {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada.l@acme.example",
            "name": {"givenName": "Ada", "familyName": family}, "userType": "Viewer", "active": true})
    };
    let (_, u) = idp.post("/Users", user("Byron")).await;
    let ada = u["id"].as_str().unwrap().to_string();
    let (_, g) = idp.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "OktaViewers", "members": [{"value": ada}]})).await;
    let (st, _) = idp.patch(&format!("/Groups/{}", g["id"].as_str().unwrap()), json!([{"op": "remove", "path": format!("members[value eq \"{ada}\"]")}])).await;
    assert_eq!(st, reqwest::StatusCode::OK);
    let (st, _) = idp.put(&format!("/Users/{ada}"), user("Lovelace")).await;
    assert_eq!(st, reqwest::StatusCode::OK);
    assert_eq!(said(&app, &mut s, "team.member_removed").await[0], "Removed Ada Lovelace from OktaViewers");
    assert_eq!(said(&app, &mut s, "team.member_added").await[0], "Added Ada Lovelace to OktaViewers");
    assert_eq!(said(&app, &mut s, "user.updated_by_idp").await, ["Updated Ada Lovelace: name from Ada Byron to Ada Lovelace"]);
    let stored: String = sqlx::query_scalar("SELECT target FROM audit_events WHERE action = 'team.member_removed' AND detail LIKE '%OktaViewers%'").fetch_one(&app.db).await.unwrap();
    assert_eq!(stored, "ada.l@acme.example", "the identity provider's membership changes name the person by email");
    let who = &app.audit_log(&mut s, Some("user.updated_by_idp")).await[0];
    assert_eq!((who.who.as_str(), who.who_email.as_deref()), ("SCIM token “Okta”", None));

    // Sign-ins.
    assert_eq!(said(&app, &mut s, "auth.sign_in").await[0], "Signed in with a password");
}

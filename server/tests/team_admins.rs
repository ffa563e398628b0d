//! Team admins and public or private teams over HTTP: what an administrator
//! gives, what a team admin may do with their team, and everything they may
//! not — asked directly of the server functions, as an attacker would.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{Choice, Me, TeamDetail, TeamSummary};
use app::error::ErrorKind;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

const PASSWORD: &str = "a long enough password";

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email.to_lowercase()).fetch_one(&app.db).await.unwrap()
}

async fn create_team(app: &TestApp, admin: &mut Session, name: &str) -> String {
    ok_json(app.call(admin, "create_team", &[("org", "acme"), ("name", name), ("description", "")]).await).await
}

async fn members(app: &TestApp, s: &mut Session, team: &str, ids: &[&str], add: bool) -> reqwest::Response {
    app.call_json(s, "team_members", json!({"org": "acme", "team_id": team, "user_ids": ids, "add": add})).await
}

async fn make_team_admin(app: &TestApp, s: &mut Session, team: &str, user: &str, on: bool) -> reqwest::Response {
    let on = on.to_string();
    app.call(s, "set_team_admin", &[("org", "acme"), ("team_id", team), ("user_id", user), ("on", &on)]).await
}

async fn detail(app: &TestApp, s: &mut Session, team: &str) -> TeamDetail {
    ok_json(app.call(s, "team", &[("org", "acme"), ("id", team)]).await).await
}

async fn member_emails(app: &TestApp, team: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT u.email FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.email").bind(team).fetch_all(&app.db).await.unwrap()
}

async fn count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1").bind(action).fetch_one(&app.db).await.unwrap()
}

fn assert_refused(st: StatusCode, e: &app::error::AppError, what: &str) {
    assert_eq!((st, e.kind), (StatusCode::FORBIDDEN, ErrorKind::Forbidden), "{what}: {}", e.message);
}

/// Acme with Analytics (Tess its team admin, Max a member), Finance (nobody
/// of theirs), Okta Group (managed by the identity provider), Nia in no
/// team, and Olive, whom the identity provider manages.
struct Acme {
    app: TestApp,
    ada: Session,
    tess: Session,
    analytics: String,
    finance: String,
    okta_group: String,
    tess_id: String,
    max_id: String,
    nia_id: String,
    olive_id: String,
}

async fn acme() -> Acme {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut ada = app.admin_session().await;
    for who in ["tess", "max", "nia", "olive"] {
        app.add_user(&format!("{who}@acme.example"), PASSWORD, BuiltIn::Viewer).await;
    }
    let (tess_id, max_id, nia_id, olive_id) =
        (user_id(&app, "tess@acme.example").await, user_id(&app, "max@acme.example").await, user_id(&app, "nia@acme.example").await, user_id(&app, "olive@acme.example").await);
    sqlx::query("UPDATE users SET origin = 'scim' WHERE id = $1").bind(&olive_id).execute(&app.db).await.unwrap();
    let analytics = create_team(&app, &mut ada, "Analytics").await;
    let finance = create_team(&app, &mut ada, "Finance").await;
    let okta_group = create_team(&app, &mut ada, "Okta Group").await;
    assert_eq!(members(&app, &mut ada, &analytics, &[&tess_id, &max_id], true).await.status(), StatusCode::OK);
    assert_eq!(members(&app, &mut ada, &okta_group, &[&tess_id], true).await.status(), StatusCode::OK);
    sqlx::query("UPDATE teams SET origin = 'scim' WHERE id = $1").bind(&okta_group).execute(&app.db).await.unwrap();
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &tess_id, true).await.status(), StatusCode::OK);
    let (tess, res) = app.sign_in("tess@acme.example", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    Acme { app, ada, tess, analytics, finance, okta_group, tess_id, max_id, nia_id, olive_id }
}

#[tokio::test]
async fn an_administrator_makes_a_member_team_admin_and_the_audit_log_says_so() {
    let Acme { app, mut ada, mut tess, analytics, tess_id, nia_id, max_id, .. } = acme().await;
    // Only a member can be made team admin.
    let (st, e) = error_of(make_team_admin(&app, &mut ada, &analytics, &nia_id, true).await).await;
    assert_eq!((st, e.kind), (StatusCode::BAD_REQUEST, ErrorKind::Invalid), "{}", e.message);
    assert!(e.message.contains("add them to the team first"), "{}", e.message);
    let d = detail(&app, &mut ada, &analytics).await;
    // (Everyone here is named "Test Person": the page's order by name is no order.)
    let mut flags: Vec<(String, bool)> = d.members.iter().map(|m| (m.email.clone(), m.team_admin)).collect();
    flags.sort();
    assert_eq!(flags, [("max@acme.example".to_string(), false), ("tess@acme.example".to_string(), true)]);
    assert!(d.may.team_admins && d.may.visibility, "an administrator manages team admins and visibility");
    // Tess sees she is a team admin, and what she may do with her team.
    let me: Me = ok_json(app.call(&mut tess, "me", &[("org", "acme")]).await).await;
    assert!(me.team_admin && !me.is_admin);
    let mine = detail(&app, &mut tess, &analytics).await;
    assert!(mine.team.you_administer);
    assert!(mine.may.edit && mine.may.members && mine.may.deactivate);
    assert!(!mine.may.reactivate && !mine.may.team_admins && !mine.may.visibility && !mine.may.open_people && !mine.may.managed_people);
    // Saying it again changes nothing and writes nothing.
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &tess_id, true).await.status(), StatusCode::OK);
    assert_eq!(count(&app, "team.admin_added").await, 1);
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &max_id, true).await.status(), StatusCode::OK);
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &max_id, false).await.status(), StatusCode::OK);
    let log = app.audit_log(&mut ada, Some("team.admin_added")).await;
    assert_eq!(log.len(), 2);
    assert!(log.iter().any(|e| e.sentence.text() == "Made Test Person a team admin of Analytics"), "{:?}", log.iter().map(|e| e.sentence.text()).collect::<Vec<_>>());
    let log = app.audit_log(&mut ada, Some("team.admin_removed")).await;
    assert_eq!(log.iter().map(|e| e.sentence.text()).collect::<Vec<_>>(), ["Removed Test Person as a team admin of Analytics"]);
}

#[tokio::test]
async fn a_team_admin_renames_manages_members_and_deactivates_their_team() {
    let Acme { app, mut ada, mut tess, analytics, nia_id, tess_id, .. } = acme().await;
    // The Teams pages open for a team admin; the rest of Administration does not.
    assert_eq!(app.get(&tess, "/acme/admin/teams").await.status(), StatusCode::OK);
    assert_eq!(app.get(&tess, &format!("/acme/admin/teams/{analytics}")).await.status(), StatusCode::OK);
    for page in ["/acme/admin", "/acme/admin/users", "/acme/admin/account-types", "/acme/admin/authentication", "/acme/admin/account", "/acme/admin/audit"] {
        let res = app.get(&tess, page).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{page}");
        assert!(res.text().await.unwrap().contains("As a team admin, you can open Administration"), "{page} says where she may go");
    }
    let r = app.call(&mut tess, "update_team", &[("org", "acme"), ("id", &analytics), ("name", "Insights"), ("description", "Dashboards")]).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // The member picker offers her people Gatehouse manages.
    let found: Vec<Choice> = ok_json(app.call(&mut tess, "search_people", &[("org", "acme"), ("term", "o")]).await).await;
    assert!(found.iter().all(|c| !c.label.contains("olive@")), "Olive is managed by the identity provider");
    let found: Vec<Choice> = ok_json(app.call(&mut tess, "search_people", &[("org", "acme"), ("term", "nia")]).await).await;
    assert_eq!(found.len(), 1);
    assert_eq!(members(&app, &mut tess, &analytics, &[&nia_id], true).await.status(), StatusCode::OK);
    assert_eq!(member_emails(&app, &analytics).await, ["max@acme.example", "nia@acme.example", "tess@acme.example"]);
    assert_eq!(members(&app, &mut tess, &analytics, &[&nia_id], false).await.status(), StatusCode::OK);
    let r = app.call(&mut tess, "set_team_active", &[("org", "acme"), ("id", &analytics), ("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Only an administrator brings it back.
    let (st, e) = error_of(app.call(&mut tess, "set_team_active", &[("org", "acme"), ("id", &analytics), ("active", "true")]).await).await;
    assert_refused(st, &e, "reactivate");
    assert_eq!(app.call(&mut ada, "set_team_active", &[("org", "acme"), ("id", &analytics), ("active", "true")]).await.status(), StatusCode::OK);
    // Each change is in the audit log with her as the actor.
    let mut tess_rows: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events WHERE actor_id = $1 AND action LIKE 'team.%'").bind(&tess_id).fetch_all(&app.db).await.unwrap();
    tess_rows.sort();
    assert_eq!(tess_rows, ["team.deactivated", "team.member_added", "team.member_removed", "team.updated"]);
    // She may leave the team herself, and then she is no team admin.
    assert_eq!(members(&app, &mut tess, &analytics, &[&tess_id], false).await.status(), StatusCode::OK);
    assert_eq!(app.get(&tess, "/acme/admin/teams").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_team_admin_calling_administrators_server_functions_is_refused_and_nothing_changes() {
    let Acme { app, mut ada, mut tess, analytics, finance, tess_id, max_id, .. } = acme().await;
    let admin_type: String = sqlx::query_scalar("SELECT id FROM account_types WHERE name = 'Admin'").fetch_one(&app.db).await.unwrap();
    let form_calls: &[(&str, &[(&str, &str)])] = &[
        ("account_types", &[("org", "acme")]),
        ("user", &[("org", "acme"), ("id", &tess_id)]),
        ("create_team", &[("org", "acme"), ("name", "Shadow"), ("description", "")]),
        ("set_team_admin", &[("org", "acme"), ("team_id", &analytics), ("user_id", &max_id), ("on", "true")]),
        ("set_team_admin", &[("org", "acme"), ("team_id", &analytics), ("user_id", &tess_id), ("on", "false")]),
        ("set_team_admin", &[("org", "acme"), ("team_id", &finance), ("user_id", &tess_id), ("on", "true")]),
        ("set_team_visibility", &[("org", "acme"), ("id", &analytics), ("visibility", "private")]),
        ("update_org_name", &[("org", "acme"), ("name", "Taken Over")]),
        ("account_details", &[("org", "acme")]),
        ("authentication", &[("org", "acme")]),
        ("audit_events", &[("org", "acme")]),
    ];
    for (endpoint, form) in form_calls {
        let (st, e) = error_of(app.call(&mut tess, endpoint, form).await).await;
        assert_refused(st, &e, endpoint);
    }
    let json_calls = [
        // Making herself, or anyone, an administrator.
        ("change_account_type", json!({"org": "acme", "user_ids": [tess_id], "account_type_id": admin_type})),
        ("change_account_type", json!({"org": "acme", "user_ids": [max_id], "account_type_id": admin_type})),
        ("save_account_type", json!({"org": "acme", "id": null, "input": {"name": "Mine", "description": "", "permissions": ["administer"]}})),
        ("users", json!({"org": "acme", "query": {"search": "", "account_type": "", "status": "", "sort": "", "page": 1}})),
        ("invite_users", json!({"org": "acme", "people": "new@acme.example", "account_type_id": admin_type, "team_ids": [analytics]})),
        ("deactivate_users", json!({"org": "acme", "user_ids": [max_id], "new_owner_id": null})),
    ];
    for (endpoint, body) in json_calls {
        let (st, e) = error_of(app.call_json(&mut tess, endpoint, body).await).await;
        assert_refused(st, &e, endpoint);
    }
    // Nothing changed.
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE t.administers = 1").fetch_one(&app.db).await.unwrap();
    assert_eq!(admins, 1, "Ada is still the only administrator");
    let types: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_types").fetch_one(&app.db).await.unwrap();
    assert_eq!(types, 3);
    let teams: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM teams").fetch_one(&app.db).await.unwrap();
    assert_eq!(teams, 3);
    let d = detail(&app, &mut ada, &analytics).await;
    assert_eq!(d.members.iter().filter(|m| m.team_admin).map(|m| m.email.as_str()).collect::<Vec<_>>(), ["tess@acme.example"]);
    assert_eq!(d.team.visibility, app::domain::Visibility::Public);
    assert!(member_emails(&app, &finance).await.is_empty());
    let org_name: String = sqlx::query_scalar("SELECT name FROM organizations").fetch_one(&app.db).await.unwrap();
    assert_ne!(org_name, "Taken Over");
    let invited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_norm = 'new@acme.example'").fetch_one(&app.db).await.unwrap();
    assert_eq!(invited, 0);
    assert_eq!(count(&app, "team.admin_added").await, 1, "only Ada's");
}

#[tokio::test]
async fn a_team_admin_cannot_change_another_team_a_managed_team_or_managed_people() {
    let Acme { app, mut ada, mut tess, analytics, finance, okta_group, tess_id, max_id, nia_id, olive_id } = acme().await;
    // Another team (public: she sees it, and may not change it).
    let (st, e) = error_of(members(&app, &mut tess, &finance, &[&nia_id], true).await).await;
    assert_refused(st, &e, "add to another team");
    let (st, e) = error_of(app.call(&mut tess, "update_team", &[("org", "acme"), ("id", &finance), ("name", "Mine"), ("description", "")]).await).await;
    assert_refused(st, &e, "rename another team");
    let (st, e) = error_of(app.call(&mut tess, "set_team_active", &[("org", "acme"), ("id", &finance), ("active", "false")]).await).await;
    assert_refused(st, &e, "deactivate another team");
    // A team the identity provider manages, even one she is a team admin of.
    assert_eq!(make_team_admin(&app, &mut ada, &okta_group, &tess_id, true).await.status(), StatusCode::OK);
    let (st, e) = error_of(members(&app, &mut tess, &okta_group, &[&nia_id], true).await).await;
    assert_refused(st, &e, "add to a managed team");
    assert!(e.message.contains("identity provider"), "{}", e.message);
    let d = detail(&app, &mut tess, &okta_group).await;
    assert!(!d.may.edit && !d.may.members && !d.may.deactivate, "{:?}", d.may);
    // A person the identity provider manages, into her own team or out of it.
    let (st, e) = error_of(members(&app, &mut tess, &analytics, &[&olive_id], true).await).await;
    assert_refused(st, &e, "add a managed person");
    assert!(e.message.contains("olive@acme.example"), "{}", e.message);
    assert_eq!(members(&app, &mut ada, &analytics, &[&olive_id], true).await.status(), StatusCode::OK, "an administrator may");
    let (st, e) = error_of(members(&app, &mut tess, &analytics, &[&olive_id], false).await).await;
    assert_refused(st, &e, "remove a managed person");
    // Another team admin is an administrator's to remove.
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &max_id, true).await.status(), StatusCode::OK);
    let (st, e) = error_of(members(&app, &mut tess, &analytics, &[&max_id], false).await).await;
    assert_refused(st, &e, "remove another team admin");
    // Nothing changed.
    assert!(member_emails(&app, &finance).await.is_empty());
    assert_eq!(member_emails(&app, &okta_group).await, ["tess@acme.example"]);
    assert_eq!(member_emails(&app, &analytics).await, ["max@acme.example", "olive@acme.example", "tess@acme.example"]);
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM teams ORDER BY name").fetch_all(&app.db).await.unwrap();
    assert_eq!(names, ["Analytics", "Finance", "Okta Group"]);
    // A plain member administers nothing.
    let (mut max, _) = app.sign_in("max@acme.example", PASSWORD).await;
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &max_id, false).await.status(), StatusCode::OK);
    let (st, e) = error_of(members(&app, &mut max, &analytics, &[&nia_id], true).await).await;
    assert_refused(st, &e, "a member adds");
    let (st, e) = error_of(app.call(&mut max, "search_people", &[("org", "acme"), ("term", "n")]).await).await;
    assert_refused(st, &e, "a member searches people");
    assert_eq!(app.get(&max, "/acme/admin/teams").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_team_admin_whose_role_is_taken_away_is_refused_at_the_next_call() {
    let Acme { app, mut ada, mut tess, analytics, tess_id, nia_id, .. } = acme().await;
    assert_eq!(app.get(&tess, "/acme/admin/teams").await.status(), StatusCode::OK);
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &tess_id, false).await.status(), StatusCode::OK);
    let (st, e) = error_of(members(&app, &mut tess, &analytics, &[&nia_id], true).await).await;
    assert_refused(st, &e, "after the role was taken away");
    let (st, e) = error_of(app.call(&mut tess, "update_team", &[("org", "acme"), ("id", &analytics), ("name", "Still mine"), ("description", "")]).await).await;
    assert_refused(st, &e, "rename after the role was taken away");
    assert_eq!(app.get(&tess, "/acme/admin/teams").await.status(), StatusCode::FORBIDDEN);
    let me: Me = ok_json(app.call(&mut tess, "me", &[("org", "acme")]).await).await;
    assert!(!me.team_admin);
    // Leaving the team (an administrator removes her) ends the role with the membership.
    assert_eq!(make_team_admin(&app, &mut ada, &analytics, &tess_id, true).await.status(), StatusCode::OK);
    assert_eq!(members(&app, &mut ada, &analytics, &[&tess_id], false).await.status(), StatusCode::OK);
    assert_eq!(members(&app, &mut ada, &analytics, &[&tess_id], true).await.status(), StatusCode::OK);
    let (st, e) = error_of(members(&app, &mut tess, &analytics, &[&nia_id], true).await).await;
    assert_refused(st, &e, "added back as a member only");
    assert_eq!(member_emails(&app, &analytics).await, ["max@acme.example", "tess@acme.example"]);
}

#[tokio::test]
async fn a_private_team_is_seen_only_by_its_members_and_administrators() {
    let Acme { app, mut ada, mut tess, analytics, finance, nia_id, .. } = acme().await;
    let (mut nia, _) = app.sign_in("nia@acme.example", PASSWORD).await;
    let names = |list: Vec<TeamSummary>| list.into_iter().map(|t| t.name).collect::<Vec<_>>();
    // Public by default: everyone sees the teams and their members.
    assert_eq!(names(ok_json(app.call(&mut nia, "teams", &[("org", "acme")]).await).await), ["Analytics", "Finance", "Okta Group"]);
    assert_eq!(detail(&app, &mut nia, &analytics).await.members.len(), 2);
    let (st, e) = error_of(app.call(&mut ada, "set_team_visibility", &[("org", "acme"), ("id", &finance), ("visibility", "secret")]).await).await;
    assert_eq!((st, e.kind), (StatusCode::BAD_REQUEST, ErrorKind::Invalid));
    for team in [&analytics, &finance] {
        assert_eq!(app.call(&mut ada, "set_team_visibility", &[("org", "acme"), ("id", team), ("visibility", "private")]).await.status(), StatusCode::OK);
    }
    // Nia belongs to neither: not in the list, and not found by id.
    assert_eq!(names(ok_json(app.call(&mut nia, "teams", &[("org", "acme")]).await).await), ["Okta Group"]);
    for team in [&analytics, &finance] {
        let (st, e) = error_of(app.call(&mut nia, "team", &[("org", "acme"), ("id", team)]).await).await;
        assert_eq!((st, e.kind), (StatusCode::NOT_FOUND, ErrorKind::NotFound));
    }
    // Tess, Analytics's team admin, sees her team and not Finance, which she cannot change either.
    assert_eq!(names(ok_json(app.call(&mut tess, "teams", &[("org", "acme")]).await).await), ["Analytics", "Okta Group"]);
    let (st, e) = error_of(members(&app, &mut tess, &finance, &[&nia_id], true).await).await;
    assert_eq!((st, e.kind), (StatusCode::NOT_FOUND, ErrorKind::NotFound), "a private team she is not in is not found");
    assert_eq!(app.get(&tess, &format!("/acme/admin/teams/{finance}")).await.status(), StatusCode::OK, "the page renders; its data is refused");
    // Administrators see every team; a new member sees the team.
    assert_eq!(names(ok_json(app.call(&mut ada, "teams", &[("org", "acme")]).await).await), ["Analytics", "Finance", "Okta Group"]);
    assert_eq!(members(&app, &mut tess, &analytics, &[&nia_id], true).await.status(), StatusCode::OK);
    assert_eq!(names(ok_json(app.call(&mut nia, "teams", &[("org", "acme")]).await).await), ["Analytics", "Okta Group"]);
    // Only administrators set it, and it is audited (a repeat writes nothing).
    let (st, e) = error_of(app.call(&mut tess, "set_team_visibility", &[("org", "acme"), ("id", &analytics), ("visibility", "public")]).await).await;
    assert_refused(st, &e, "team admin sets visibility");
    assert_eq!(app.call(&mut ada, "set_team_visibility", &[("org", "acme"), ("id", &finance), ("visibility", "private")]).await.status(), StatusCode::OK);
    let log = app.audit_log(&mut ada, Some("team.visibility_changed")).await;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e.sentence.text().ends_with("private: only its members and administrators see it")));
}

/// Two administrators make the same person team admin at the same moment (on
/// SQLite, and on PostgreSQL when the suite runs there): both succeed, it is
/// changed and audited once.
#[tokio::test]
async fn two_administrators_making_the_same_team_admin_at_once_change_it_once() {
    let Acme { app, mut ada, analytics, max_id, .. } = acme().await;
    app.add_user("bea@acme.example", PASSWORD, BuiltIn::Admin).await;
    let (bea, _) = app.sign_in("bea@acme.example", PASSWORD).await;
    for round in 0..4 {
        let on = round % 2 == 0;
        let (a, b) = tokio::join!(make_team_admin(&app, &mut ada, &analytics, &max_id, on), async {
            let mut bea = bea.clone();
            make_team_admin(&app, &mut bea, &analytics, &max_id, on).await
        });
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK), "round {round}");
        let flag: i64 = sqlx::query_scalar("SELECT team_admin FROM team_members WHERE team_id = $1 AND user_id = $2").bind(&analytics).bind(&max_id).fetch_one(&app.db).await.unwrap();
        assert_eq!(flag != 0, on);
    }
    assert_eq!(count(&app, "team.admin_added").await, 1 + 2, "Tess's, then Max's twice");
    assert_eq!(count(&app, "team.admin_removed").await, 2);
}

#[tokio::test]
async fn a_private_team_is_not_offered_for_sharing_to_people_outside_it() {
    let Acme { app, mut ada, analytics, finance, .. } = acme().await;
    app.add_user("cleo@acme.example", PASSWORD, BuiltIn::Creator).await;
    let (mut cleo, _) = app.sign_in("cleo@acme.example", PASSWORD).await;
    assert_eq!(app.call(&mut ada, "set_team_visibility", &[("org", "acme"), ("id", &finance), ("visibility", "private")]).await.status(), StatusCode::OK);
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, 10).await.unwrap();
    let doc: String = ok_json(app.call(&mut cleo, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &dataset)]).await).await;
    let page: serde_json::Value = ok_json(app.call_json(&mut cleo, "document", json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": null}})).await).await;
    let offered: Vec<&str> = page["share_teams"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert_eq!(offered, ["Analytics", "Okta Group"]);
    let (st, e) = error_of(app.call(&mut cleo, "share_document", &[("org", "acme"), ("id", &doc), ("team_id", &finance)]).await).await;
    assert_eq!((st, e.kind), (StatusCode::BAD_REQUEST, ErrorKind::Invalid), "{}", e.message);
    assert_eq!(app.call(&mut cleo, "share_document", &[("org", "acme"), ("id", &doc), ("team_id", &analytics)]).await.status(), StatusCode::OK);
}

/// Two administrators at once, one making Max a team admin and the other
/// taking it back: either may win, and the audit log tells the story of
/// whichever did (as many "made" as "removed" rows, give or take the last).
#[tokio::test]
async fn two_administrators_toggling_a_team_admin_in_opposite_ways_leave_the_audit_log_true() {
    let Acme { app, ada, analytics, max_id, .. } = acme().await;
    app.add_user("bea@acme.example", PASSWORD, BuiltIn::Admin).await;
    let (bea, _) = app.sign_in("bea@acme.example", PASSWORD).await;
    for round in 0..6 {
        let (mut a, mut b) = (ada.clone(), bea.clone());
        let (ra, rb) = tokio::join!(make_team_admin(&app, &mut a, &analytics, &max_id, true), make_team_admin(&app, &mut b, &analytics, &max_id, false));
        assert_eq!((ra.status(), rb.status()), (StatusCode::OK, StatusCode::OK), "round {round}");
        let flag: i64 = sqlx::query_scalar("SELECT team_admin FROM team_members WHERE team_id = $1 AND user_id = $2").bind(&analytics).bind(&max_id).fetch_one(&app.db).await.unwrap();
        let made: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'team.admin_added' AND target = 'max@acme.example'").fetch_one(&app.db).await.unwrap();
        let removed = count(&app, "team.admin_removed").await;
        assert_eq!(made - removed, flag, "round {round}: the audit log agrees with the team");
    }
}

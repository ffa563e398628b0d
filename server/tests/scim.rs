//! SCIM 2.0 over HTTP, the way Okta and Entra ID call it.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{Me, NewProvisioningToken};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn q(filter: &str) -> String {
    format!("/Users?filter={}", urlencode(filter))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn okta_user(email: &str, user_type: Option<&str>) -> Value {
    let mut v = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Noor", "familyName": "Haddad"},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "displayName": "Noor Haddad",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "never-kept-1!",
        "active": true
    });
    if let Some(t) = user_type {
        v["userType"] = json!(t);
    }
    v
}

async fn setup() -> (TestApp, Session, String) {
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut s = app.admin_session().await;
    let t = app.provisioning_token(&mut s).await;
    assert!(t.base_url.ends_with("/scim/v2"));
    (app, s, t.token)
}

#[tokio::test]
async fn okta_user_lifecycle() {
    let (app, _, token) = setup().await;
    let idp = Idp { app: &app, token };

    // Connection test.
    let (st, v) = idp.get("/Users?startIndex=1&count=2").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:ListResponse");
    assert_eq!((v["totalResults"].as_i64(), v["Resources"].as_array().map(Vec::len)), (Some(1), Some(1)));

    // Create: look up first, then POST.
    let (_, v) = idp.get(&q(r#"userName eq "noor@acme.example""#)).await;
    assert_eq!(v["totalResults"], 0);
    let (st, v, headers) = idp.send(Method::POST, "/Users", Some(okta_user("noor@acme.example", None))).await;
    assert_eq!(st, StatusCode::CREATED);
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(headers["location"], format!("{}/scim/v2/Users/{id}", app.base));
    assert_eq!(v["userType"], "Viewer", "no userType: Viewer");
    assert_eq!(v["active"], true);
    assert_eq!(v["name"]["familyName"], "Haddad");
    assert!(v.get("password").is_none(), "never returns a password");
    assert_eq!(v["meta"]["location"], format!("{}/scim/v2/Users/{id}", app.base));

    let (st, v) = idp.post("/Users", okta_user("NOOR@acme.example", None)).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));
    let (_, v) = idp.get(&q(r#"userName eq "NOOR@ACME.EXAMPLE""#)).await;
    assert_eq!(v["totalResults"], 1, "userName is case-insensitive");

    // GET then PUT with a userType.
    let (_, mut user) = idp.get(&format!("/Users/{id}")).await;
    user["userType"] = json!("author");
    user["name"]["givenName"] = json!("Nour");
    let (st, v) = idp.put(&format!("/Users/{id}"), user.clone()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!((v["userType"].as_str(), v["name"]["givenName"].as_str()), (Some("Creator"), Some("Nour")));
    user["userType"] = json!("Pilot");
    let (st, v) = idp.put(&format!("/Users/{id}"), user.clone()).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")));
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("Viewer") && detail.contains("Creator") && detail.contains("Admin"), "{v}");

    // Deactivate and reactivate with Okta's pathless PATCH.
    let (st, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    assert_eq!((st, v["active"].as_bool()), (StatusCode::OK, Some(false)));
    let (_, v) = idp.get(&q(r#"userName eq "noor@acme.example""#)).await;
    assert_eq!(v["Resources"][0]["active"], false, "deactivated users stay readable");
    let (_, v) = idp.get(&q("active eq false")).await;
    assert_eq!(v["totalResults"], 1);
    let (_, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"active": true}}])).await;
    assert_eq!(v["active"], true);

    // DELETE deactivates and archives: then 404, but the person is kept.
    assert_eq!(idp.delete(&format!("/Users/{id}")).await, StatusCode::NO_CONTENT);
    let (st, _) = idp.get(&format!("/Users/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let status: String = sqlx::query_scalar("SELECT status FROM users WHERE id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "inactive");
    let (st, _) = idp.get("/Users/no-such-id").await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let actors: Vec<(String,)> = sqlx::query_as("SELECT actor FROM audit_events WHERE action LIKE 'user.%'").fetch_all(&app.db).await.unwrap();
    assert!(!actors.is_empty() && actors.iter().all(|a| a.0 == "SCIM token “Okta”"), "{actors:?}");
}

#[tokio::test]
async fn entra_shapes() {
    let (app, _, token) = setup().await;
    let idp = Idp { app: &app, token };
    let (st, v) = idp
        .post(
            "/Users",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "externalId": "e-42", "userName": "lee@acme.example", "active": "True",
                "displayName": "Lee Park", "emails": [{"primary": true, "type": "work", "value": "lee@acme.example"}],
                "meta": {"resourceType": "User"}, "name": {"formatted": "Lee Park", "familyName": "Park", "givenName": "Lee"},
                "roles": [], "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (_, v) = idp.get(&q(r#"emails[type eq "work"].value eq "LEE@acme.example""#)).await;
    assert_eq!(v["totalResults"], 1);
    let (_, v) = idp.get(&q(r#"externalId eq "e-42""#)).await;
    assert_eq!(v["totalResults"], 1);
    let (st, v) = idp
        .patch(
            &format!("/Users/{id}"),
            json!([
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "value": {"name.givenName": "Leena", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Ops"}},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "lee@acme.example"}
            ]),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!((v["active"].as_bool(), v["name"]["givenName"].as_str()), (Some(false), Some("Leena")));
    let (st, v) = idp.get(&format!("/Users/{id}?attributes=userName")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(v.get("name").is_none() && v["userName"] == "lee@acme.example" && v["id"] == json!(id));
}

#[tokio::test]
async fn groups_push_membership_rename_delete() {
    let (app, mut admin, token) = setup().await;
    let idp = Idp { app: &app, token };
    let (_, a) = idp.post("/Users", okta_user("a@acme.example", Some("Creator"))).await;
    let mut b_body = okta_user("b@acme.example", None);
    b_body["externalId"] = json!("00u2");
    let (_, b) = idp.post("/Users", b_body).await;
    let (ua, ub) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());

    let (st, g) = idp.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Analytics", "members": [{"value": ua}]})).await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["members"].as_array().unwrap().len(), 1);
    let (st, _) = idp.post("/Groups", json!({"displayName": "analytics"})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, v) = idp.get(&format!("/Groups?filter={}", urlencode(r#"displayName eq "ANALYTICS""#))).await;
    assert_eq!(v["totalResults"], 1);

    // Add and remove in one request; Okta's path filter form.
    let (st, _) = idp
        .patch(
            &format!("/Groups/{gid}"),
            json!([
                {"op": "add", "path": "members", "value": [{"value": ub, "display": "b@acme.example"}]},
                {"op": "remove", "path": format!("members[value eq \"{ua}\"]")}
            ]),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) = idp.get(&format!("/Groups/{gid}")).await;
    let members: Vec<&str> = v["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, [ub.as_str()]);
    assert_eq!(v["members"][0]["$ref"], format!("{}/scim/v2/Users/{ub}", app.base), "{v}");
    assert_eq!(v["members"][0]["type"], "User");
    assert_eq!(v["meta"]["location"], format!("{}/scim/v2/Groups/{gid}", app.base));
    let (_, v) = idp.get(&format!("/Groups?excludedAttributes=members")).await;
    assert!(v["Resources"][0].get("members").is_none());
    assert_eq!(v["Resources"][0]["displayName"], "Analytics");
    // A sub-attribute or the full URN name the attribute, as RFC 7644 §3.10 writes them.
    for attrs in ["members.value", "urn:ietf:params:scim:schemas:core:2.0:Group:members"] {
        let (_, v) = idp.get(&format!("/Groups/{gid}?attributes={}", urlencode(attrs))).await;
        assert_eq!(v["members"][0]["value"], ub.as_str(), "{attrs}: {v}");
        assert!(v.get("displayName").is_none(), "{attrs}: {v}");
        assert_eq!(v["id"], gid.as_str());
    }
    let (_, v) = idp.get(&format!("/Groups/{gid}?excludedAttributes={}", urlencode("urn:ietf:params:scim:schemas:core:2.0:Group:members"))).await;
    assert!(v.get("members").is_none() && v["displayName"] == "Analytics", "{v}");
    let (_, v) = idp.get(&format!("/Users/{ub}")).await;
    assert_eq!(v["groups"][0]["display"], "Analytics");

    // Rename with a value that carries the id (Okta), then Entra's remove with a value list.
    let (st, _) = idp.patch(&format!("/Groups/{gid}"), json!([{"op": "replace", "value": {"id": gid, "displayName": "Insights"}}])).await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) = idp.get(&format!("/Groups/{gid}")).await;
    assert_eq!(v["displayName"], "Insights");
    let (st, v) = idp
        .patch(&format!("/Groups/{gid}"), json!([{"op": "Remove", "path": "members", "value": [{"value": ub}]}, {"op": "Add", "path": "members", "value": [{"value": "nobody"}, {"value": ua}]}]))
        .await;
    assert_eq!(st, StatusCode::OK, "an unknown member is skipped: {v}");
    let (_, v) = idp.get(&format!("/Groups/{gid}")).await;
    let members: Vec<&str> = v["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, [ua.as_str()]);

    // A user's groups come back in name order, names with spaces whole.
    let (st, other) = idp.post("/Groups", json!({"displayName": "Data Science & Ops", "members": [{"value": ua}]})).await;
    assert_eq!(st, StatusCode::CREATED, "{other}");
    let oid = other["id"].as_str().unwrap().to_string();
    let (_, v) = idp.get(&format!("/Users/{ua}")).await;
    let groups: Vec<(&str, &str)> = v["groups"].as_array().unwrap().iter().map(|g| (g["value"].as_str().unwrap(), g["display"].as_str().unwrap())).collect();
    assert_eq!(groups, [(oid.as_str(), "Data Science & Ops"), (gid.as_str(), "Insights")]);
    assert!(v["groups"][1]["$ref"].as_str().unwrap().ends_with(&format!("/scim/v2/Groups/{gid}")), "{v}");

    // The team is read-only in Gatehouse.
    let r = app.call(&mut admin, "update_team", &[("org", "acme"), ("id", &gid), ("name", "Mine now"), ("description", "")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    assert_eq!(idp.delete(&format!("/Groups/{gid}")).await, StatusCode::NO_CONTENT);
    let (st, _) = idp.get(&format!("/Groups/{gid}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let status: String = sqlx::query_scalar("SELECT status FROM teams WHERE id = $1").bind(&gid).fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "inactive");
    // A deleted group is no longer among the user's groups.
    let (_, v) = idp.get(&format!("/Users?filter={}", urlencode(&format!(r#"id eq "{ua}""#)))).await;
    assert_eq!(v["Resources"][0]["groups"], json!([{"value": oid, "display": "Data Science & Ops", "$ref": other["meta"]["location"]}]), "{v}");
}

#[tokio::test]
async fn tokens_errors_and_discovery() {
    let (app, mut admin, token) = setup().await;
    let good = Idp { app: &app, token: token.clone() };
    for bad in ["", "gh_scim_0000", "Bearer"] {
        let (st, v) = Idp { app: &app, token: bad.to_string() }.get("/Users").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{bad}: {v}");
    }
    let res = app.http.get(format!("{}/scim/v2/Users", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    for path in ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/ResourceTypes/User", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group"] {
        let (st, _) = good.get(path).await;
        assert_eq!(st, StatusCode::OK, "{path}");
    }
    let (st, _) = good.post("/ServiceProviderConfig", json!({})).await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    let (_, schema) = good.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").await;
    let user_type = schema["attributes"].as_array().unwrap().iter().find(|a| a["name"] == "userType").unwrap();
    assert_eq!(user_type["canonicalValues"], json!(["Admin", "Creator", "Viewer"]), "userType lists the account types");
    let (_, spc) = good.get("/ServiceProviderConfig").await;
    assert_eq!((spc["patch"]["supported"].as_bool(), spc["bulk"]["supported"].as_bool()), (Some(true), Some(false)));

    // Malformed input: clear 4xx, never 5xx.
    let raw = |ct: Option<&'static str>, body: &'static str| {
        let mut r = app.http.post(format!("{}/scim/v2/Users", app.base)).bearer_auth(&token).body(body);
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r.send()
    };
    let r = raw(Some("application/scim+json"), "{not json").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["scimType"], "invalidSyntax");
    assert_eq!(raw(Some("text/plain"), "{}").await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(raw(None, r#"{"userName":"x@acme.example"}"#).await.unwrap().status(), StatusCode::CREATED, "no Content-Type is fine");
    assert_eq!(raw(Some("application/json"), r#"{"userName":"  "}"#).await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw(Some("application/json"), r#"{"userName":7}"#).await.unwrap().status(), StatusCode::BAD_REQUEST);
    for f in ["userName eq", "password eq \"x\"", "((", "userName xx \"a\""] {
        let (st, v) = good.get(&q(f)).await;
        assert_eq!((st, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidFilter")), "{f}");
    }
    let (st, _) = good.get("/Users?startIndex=abc").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = good.patch("/Users/x", json!([{"op": "fly"}])).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // A revoked token stops at once; another token keeps working.
    let second: NewProvisioningToken = ok_json(app.call(&mut admin, "create_provisioning_token", &[("org", "acme"), ("name", "Okta 2"), ("acknowledged", "true")]).await).await;
    let info: app::domain::views::ProvisioningInfo = ok_json(app.call(&mut admin, "provisioning", &[("org", "acme")]).await).await;
    let first_id = info.tokens.iter().find(|t| t.name == "Okta").unwrap().id.clone();
    assert!(info.tokens.iter().find(|t| t.name == "Okta").unwrap().last_used_at.is_some());
    ok_json::<()>(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &first_id)]).await).await;
    let (st, _) = good.get("/Users").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = Idp { app: &app, token: second.token.clone() }.get("/Users").await;
    assert_eq!(st, StatusCode::OK);
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM scim_tokens").fetch_all(&app.db).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 64 && *h != token), "tokens are stored hashed");
}

#[tokio::test]
async fn linked_local_users_become_managed_and_deactivation_ends_sessions() {
    let (app, mut admin, token) = setup().await;
    let idp = Idp { app: &app, token };
    app.add_user("val@acme.example", "viewer password 1", BuiltIn::Viewer).await;
    let (mut val, _) = app.sign_in("val@acme.example", "viewer password 1").await;
    let (_, v) = idp.get(&q(r#"userName eq "val@acme.example""#)).await;
    let id = v["Resources"][0]["id"].as_str().unwrap().to_string();
    let (st, _) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = error_of(app.call(&mut val, "me", &[("org", "acme")]).await).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the session ended at once");
    let (_, r) = app.sign_in("val@acme.example", "viewer password 1").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.call_json(&mut admin, "reactivate_users", json!({"org": "acme", "user_ids": [id]})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "managed by the IdP now");
    let (_, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "value": {"active": true}}])).await;
    assert_eq!(v["active"], true);
    let (mut val, r) = app.sign_in("val@acme.example", "viewer password 1").await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Me = ok_json(app.call(&mut val, "me", &[("org", "acme")]).await).await;
    assert_eq!(me.account_type, "Viewer");

    // The IdP cannot remove the last admin either.
    let (_, v) = idp.get(&q(&format!(r#"userName eq "{ADMIN_EMAIL}""#))).await;
    let admin_id = v["Resources"][0]["id"].as_str().unwrap().to_string();
    let (st, _) = idp.patch(&format!("/Users/{admin_id}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Once every token is revoked, an admin can release records back to local management.
    let (st, _) = idp.post("/Users", okta_user("other@acme.example", None)).await;
    assert_eq!(st, StatusCode::CREATED);
    let info: app::domain::views::ProvisioningInfo = ok_json(app.call(&mut admin, "provisioning", &[("org", "acme")]).await).await;
    let r = app.call(&mut admin, "release_managed", &[("org", "acme"), ("kind", "users")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "still on");
    for t in info.tokens {
        ok_json::<()>(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &t.id)]).await).await;
    }
    let one: i64 = ok_json(app.call(&mut admin, "release_managed", &[("org", "acme"), ("kind", "users"), ("id", &id)]).await).await;
    assert_eq!(one, 1, "one by one");
    let detail: app::domain::views::UserDetail = ok_json(app.call(&mut admin, "user", &[("org", "acme"), ("id", &id)]).await).await;
    assert_eq!((detail.user.origin.as_str(), detail.can_release), ("local", false));
    let n: i64 = ok_json(app.call(&mut admin, "release_managed", &[("org", "acme"), ("kind", "users")]).await).await;
    assert_eq!(n, 1, "and all the others");
    let r = app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": [id], "new_owner_id": null})).await;
    assert_eq!(r.status(), StatusCode::OK, "local again");
}

#[tokio::test]
async fn provisioning_token_command() {
    let app = spawn_app().await;
    app.setup_acme().await;
    let out = app.cli(&["provisioning", "token", "create", "--org", "acme", "--name", "okta"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("gh_scim_") && token.len() == 8 + 64);
    let (st, _) = Idp { app: &app, token }.get("/Users").await;
    assert_eq!(st, StatusCode::OK);
}

/// The ecosystem's conformance probe against the real server. `make test`
/// installs it and sets SCIM_SANITY (and fails this test without it); a plain
/// `cargo test` without it skips, and says so (`common::require_or_skip`).
#[tokio::test]
async fn scim_sanity_probe_passes() {
    let tool = std::env::var("SCIM_SANITY").unwrap_or_default();
    if !require_or_skip("scim-sanity, named by SCIM_SANITY (make test installs it and sets it)", !tool.is_empty()) {
        return;
    }
    assert!(std::path::Path::new(&tool).exists(), "SCIM_SANITY={tool} does not exist; run scripts/ensure-tools.sh --test-tools");
    let (app, _, token) = setup().await;
    let base = format!("{}/scim/v2", app.base);
    let out = tokio::process::Command::new(&tool).args(["probe", &base, "--token", &token, "--i-accept-side-effects"]).output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(out.status.success(), "scim-sanity failed:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("All tests passed"), "{text}");
}

/// scim2-cli (PyPI `scim2-cli`, checks from `scim2-tester`) against the real
/// server: discovery, CRUD, attributes/excludedAttributes, root `/.search`,
/// and PATCH add/replace/remove of every writable attribute it finds in our
/// /Schemas, with the values it sent compared to what comes back. Needs
/// SCIM2_CLI as the probe above needs SCIM_SANITY.
#[tokio::test]
async fn scim2_cli_test_passes() {
    let tool = std::env::var("SCIM2_CLI").unwrap_or_default();
    if !require_or_skip("scim2-cli's `scim` command, named by SCIM2_CLI (make test installs it and sets it)", !tool.is_empty()) {
        return;
    }
    assert!(std::path::Path::new(&tool).exists(), "SCIM2_CLI={tool} does not exist; run scripts/ensure-tools.sh --test-tools");
    let (app, _, token) = setup().await;
    let base = format!("{}/scim/v2", app.base);
    let out = tokio::process::Command::new(&tool).args(["--url", &base, "--header", &format!("Authorization: Bearer {token}"), "test"]).output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    // One line a check, starting with its status; reasons are indented.
    let statuses: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ') && !l.starts_with("Performing") && !l.trim().is_empty()).collect();
    let failed: Vec<&&str> = statuses.iter().filter(|l| !l.starts_with("SUCCESS ")).collect();
    assert!(failed.is_empty(), "scim2-cli reported {failed:?}:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "scim2-cli exited with {}:\n{text}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    // Every family of checks ran, for both resource types.
    for check in ["object_creation", "object_replacement", "object_deletion", "search_with_attributes", "check_add_attribute", "check_remove_attribute", "check_replace_attribute"] {
        let n = statuses.iter().filter(|l| l.split_whitespace().nth(1) == Some(check)).count();
        assert!(n >= 2, "{check} ran {n} times:\n{text}");
    }
    assert!(statuses.len() >= 70, "only {} checks ran:\n{text}", statuses.len());
}

/// What the IdP sends comes back as sent: name and emails verbatim (no computed
/// `formatted`, no added `primary`); a removed attribute is absent afterwards,
/// and removing `active` or `userType` has a defined effect in Gatehouse.
#[tokio::test]
async fn values_come_back_as_sent_and_removed_attributes_are_absent() {
    let (app, _, token) = setup().await;
    let idp = Idp { app: &app, token };
    let (st, v) = idp
        .post(
            "/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "echo@acme.example",
                   "name": {"givenName": "Ada", "familyName": "Byron", "middleName": "King"},
                   "emails": [{"value": "ada.home@example.org", "type": "home"}, {"value": "echo@acme.example", "type": "work", "primary": true}],
                   "userType": "Creator", "active": true}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["name"], json!({"givenName": "Ada", "familyName": "Byron", "middleName": "King"}), "no computed formatted");
    assert_eq!(v["emails"], json!([{"value": "ada.home@example.org", "type": "home"}, {"value": "echo@acme.example", "type": "work", "primary": true}]));
    assert!(v.get("displayName").is_none(), "displayName was not sent: {v}");
    // Gatehouse's own columns still get a first and last name.
    let (first, last): (String, String) = sqlx::query_as("SELECT first_name, last_name FROM users WHERE id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
    assert_eq!((first.as_str(), last.as_str()), ("Ada", "Byron"));

    // Remove name, emails and userType: absent afterwards; the person is a Viewer.
    let (st, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "remove", "path": "name"}, {"op": "remove", "path": "emails"}, {"op": "remove", "path": "userType"}])).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    for gone in ["name", "emails", "userType"] {
        assert!(v.get(gone).is_none(), "{gone} still there: {v}");
    }
    let (_, v) = idp.get(&format!("/Users/{id}")).await;
    assert!(v.get("userType").is_none() && v.get("name").is_none(), "{v}");
    assert_eq!(v["active"], true);
    let (_, v) = idp.get(&q(r#"userType eq "Viewer" and userName eq "echo@acme.example""#)).await;
    assert_eq!(v["totalResults"], 1, "an unassigned userType means Viewer: {v}");

    // Remove active: unassigned, and the person is no longer active (fail closed).
    let (st, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "remove", "path": "active"}])).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v.get("active").is_none(), "{v}");
    let status: String = sqlx::query_scalar("SELECT status FROM users WHERE id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "inactive");
    let (_, v) = idp.get(&q(r#"active eq false"#)).await;
    assert!(v["Resources"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()), "{v}");
    let (_, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "add", "path": "active", "value": true}])).await;
    assert_eq!(v["active"], true);

    // Bad values are refused with a clear error and change nothing.
    for (ops, needle) in [
        (json!([{"op": "replace", "path": "emails", "value": [{"value": "not an address"}]}]), "not an email address"),
        (json!([{"op": "replace", "path": "emails", "value": [{"value": "a@b.co", "primary": true}, {"value": "c@d.co", "primary": true}]}]), "primary"),
        (json!([{"op": "replace", "path": "name", "value": "Ada"}]), "name must be an object"),
        (json!([{"op": "replace", "path": "name.givenName", "value": 7}]), "givenName must be a string"),
    ] {
        let (st, v) = idp.patch(&format!("/Users/{id}"), ops.clone()).await;
        assert_eq!((st, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")), "{ops}: {v}");
        assert!(v["detail"].as_str().unwrap().contains(needle), "{v}");
    }
    let (_, v) = idp.get(&format!("/Users/{id}")).await;
    assert!(v.get("emails").is_none() && v.get("name").is_none(), "nothing changed: {v}");

    // Group members come back as {value, $ref, type}: nothing added that was not declared.
    let (st, g) = idp.post("/Groups", json!({"displayName": "Echo", "members": [{"value": id, "display": "ignored"}]})).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(g["members"], json!([{"value": id, "$ref": format!("{}/scim/v2/Users/{id}", app.base), "type": "User"}]));
    // A PATCH answers with the whole group, members included, unless excluded.
    let gid = g["id"].as_str().unwrap();
    let (_, v) = idp.patch(&format!("/Groups/{gid}"), json!([{"op": "replace", "path": "displayName", "value": "Echo 2"}])).await;
    assert_eq!(v["members"].as_array().map(Vec::len), Some(1), "{v}");
    let (_, v, _) = idp
        .send(
            Method::PATCH,
            &format!("/Groups/{gid}?excludedAttributes=members"),
            Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "Echo 3"}]})),
        )
        .await;
    assert!(v.get("members").is_none() && v["displayName"] == "Echo 3", "{v}");
    // The schema declares exactly those member sub-attributes.
    let (_, schema) = idp.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group").await;
    let members = schema["attributes"].as_array().unwrap().iter().find(|a| a["name"] == "members").unwrap();
    let subs: Vec<&str> = members["subAttributes"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(subs, ["value", "$ref", "type"]);
}

/// POST /.search (RFC 7644 §3.4.3), at the root and per resource type.
#[tokio::test]
async fn search_requests_in_the_body() {
    let (app, _, token) = setup().await;
    let idp = Idp { app: &app, token };
    for i in 0..3 {
        let (st, _) = idp.post("/Users", okta_user(&format!("s{i}@acme.example"), None)).await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let (st, _) = idp.post("/Groups", json!({"displayName": "Searchers", "externalId": "g-1"})).await;
    assert_eq!(st, StatusCode::CREATED);
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]});

    // The root lists users (the admin and three) then the group; attributes project.
    let mut body = search.clone();
    body["attributes"] = json!(["externalId"]);
    let (st, v) = idp.post("/.search", body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["totalResults"], 5);
    let kinds: Vec<&str> = v["Resources"].as_array().unwrap().iter().map(|r| r["meta"]["resourceType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["User", "User", "User", "User", "Group"]);
    assert!(v["Resources"][1].get("userName").is_none() && v["Resources"][1]["externalId"] == "00u1abcd", "{v}");
    assert_eq!(v["Resources"][4]["externalId"], "g-1");

    // Paging runs across both types.
    let mut body = search.clone();
    body["startIndex"] = json!(4);
    body["count"] = json!(2);
    let (_, v) = idp.post("/.search", body).await;
    assert_eq!((v["totalResults"].as_i64(), v["itemsPerPage"].as_i64(), v["startIndex"].as_i64()), (Some(5), Some(2), Some(4)));
    assert_eq!(v["Resources"][1]["displayName"], "Searchers");

    // A filter on an attribute only users have selects users only.
    let mut body = search.clone();
    body["filter"] = json!(r#"userName eq "S1@acme.example""#);
    let (_, v) = idp.post("/.search", body.clone()).await;
    assert_eq!(v["totalResults"], 1, "{v}");
    assert_eq!(v["Resources"][0]["userName"], "s1@acme.example");
    let (_, v) = idp.post("/Users/.search", body).await;
    assert_eq!(v["totalResults"], 1);
    let mut body = search.clone();
    body["filter"] = json!(r#"displayName eq "searchers""#);
    body["excludedAttributes"] = json!(["members"]);
    let (_, v) = idp.post("/Groups/.search", body).await;
    assert_eq!((v["totalResults"].as_i64(), v["Resources"][0].get("members")), (Some(1), None));

    // Bad requests: clear SCIM errors, never a 5xx.
    for (path, body, scim_type) in [
        ("/.search", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]}), "invalidSyntax"),
        ("/.search", json!({"filter": "userName eq"}), "invalidFilter"),
        ("/.search", json!({"filter": "password eq \"x\""}), "invalidFilter"),
        ("/Users/.search", json!({"attributes": "userName", "count": "many"}), "invalidValue"),
        ("/Groups/.search", json!({"startIndex": [1]}), "invalidValue"),
    ] {
        let (st, v) = idp.post(path, body.clone()).await;
        assert_eq!((st, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some(scim_type)), "{path} {body}: {v}");
    }
    let (st, _) = idp.get("/.search").await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
}

/// Writers queue on SQLite (BEGIN IMMEDIATE) instead of failing with "database is locked".
#[tokio::test]
async fn concurrent_writes_all_succeed_and_duplicates_conflict() {
    let (app, _, token) = setup().await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (app, token) = (app.clone(), token.clone());
        // Every third request repeats an earlier userName.
        let n = if i % 3 == 2 { i - 1 } else { i };
        tasks.push(tokio::spawn(async move {
            let idp = Idp { app: &app, token };
            idp.post("/Users", okta_user(&format!("burst{n}@acme.example"), None)).await.0
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    let created = codes.iter().filter(|c| **c == StatusCode::CREATED).count();
    let conflicts = codes.iter().filter(|c| **c == StatusCode::CONFLICT).count();
    assert_eq!((created, conflicts), (16, 8), "{codes:?}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_norm LIKE 'burst%'").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 16);
    // Creates arriving together are written together (group commit); each
    // created user still has exactly one audit event, and the refused ones none.
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND target_norm LIKE 'burst%'").bind(app::domain::audit::USER_CREATED).fetch_one(&app.db).await.unwrap();
    assert_eq!(audited, 16);
    let idp = Idp { app: &app, token };
    let (status, list) = idp.get(&q("userName sw \"burst\"")).await;
    assert_eq!((status, list["totalResults"].as_i64()), (StatusCode::OK, Some(16)), "{list}");
}

#[tokio::test]
async fn a_large_group_is_pushed_whole_and_every_member_is_audited() {
    let (app, _, token) = setup().await;
    gatehouse_server::demo::seed_scale(&app.db, "acme", 700, 1, &mut |_| {}).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM users WHERE email_norm LIKE 'user%' ORDER BY id LIMIT 650").fetch_all(&app.db).await.unwrap();
    assert_eq!(ids.len(), 650);
    let idp = Idp { app: &app, token };
    let members: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
    // 650 members: more audit events than one statement takes (500).
    let (status, group) = idp.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Everyone", "members": members})).await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let got: Vec<&str> = group["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>(), "every member, in id order");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND detail = 'team Everyone (by SCIM)'").bind(app::domain::audit::TEAM_MEMBER_ADDED).fetch_one(&app.db).await.unwrap();
    assert_eq!(audited, 650);
    // An archived (SCIM-deleted) user is no longer listed as a member.
    assert_eq!(idp.delete(&format!("/Users/{}", ids[0])).await, StatusCode::NO_CONTENT);
    let (status, group) = idp.get(&format!("/Groups/{}", group["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    let members = group["members"].as_array().unwrap();
    assert_eq!(members.len(), 649);
    assert!(members.iter().all(|m| m["value"] != json!(ids[0])));
}

#[tokio::test]
async fn deleted_groups_come_back_and_local_teams_are_linked_never_doubled() {
    let (app, mut admin, token) = setup().await;
    let idp = Idp { app: &app, token };
    let (_, u) = idp.post("/Users", okta_user("noor@acme.example", None)).await;
    let uid = u["id"].as_str().unwrap().to_string();
    let team_count = |name: &'static str| {
        let db = app.db.clone();
        async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM teams WHERE name_norm = $1").bind(name).fetch_one(&db).await.unwrap() }
    };

    // Deleted, then pushed again by name: the same team comes back, with the members sent.
    let (st, g) = idp.post("/Groups", json!({"displayName": "Finance", "externalId": "grp-1", "members": [{"value": uid}]})).await;
    assert_eq!(st, StatusCode::CREATED);
    let gid = g["id"].as_str().unwrap().to_string();
    let org = app.org_id().await;
    let mut conn = app.db.acquire().await.unwrap();
    let columns = vec![app::domain::documents::DatasetColumn { name: "Region".into(), kind: app::domain::documents::ColumnKind::Text, slot: "t1".into() }];
    let admin_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(ADMIN_EMAIL).fetch_one(&app.db).await.unwrap();
    let dataset = app::store::datasets::insert(&mut conn, &org, "Regions", &columns, "csv", Some(&admin_id)).await.unwrap();
    let view = app::domain::documents::TableView { columns: vec!["Region".into()], filters: vec![], sort: None };
    let doc = app::store::documents::NewDocument { org_id: &org, name: "Budget", dataset_id: &dataset, view: &view, owner_id: &uid, team_id: Some(&gid) };
    app::store::documents::insert(&mut *conn, doc).await.unwrap();
    drop(conn);
    assert_eq!(idp.delete(&format!("/Groups/{gid}")).await, StatusCode::NO_CONTENT);
    let (st, again) = idp.post("/Groups", json!({"displayName": "Finance", "members": []})).await;
    assert_eq!((st, again["id"].as_str()), (StatusCode::CREATED, Some(gid.as_str())), "the same team: {again}");
    assert_eq!(again["members"], json!([]), "exactly the members sent");
    assert_eq!(team_count("finance").await, 1);
    let (status, origin): (String, String) = sqlx::query_as("SELECT status, origin FROM teams WHERE id = $1").bind(&gid).fetch_one(&app.db).await.unwrap();
    assert_eq!((status.as_str(), origin.as_str()), ("active", "scim"));
    let (owner, folder): (String, Option<String>) = sqlx::query_as("SELECT owner_id, folder FROM documents WHERE name = 'Budget'").fetch_one(&app.db).await.unwrap();
    assert_eq!((owner, folder.as_deref()), (admin_id.clone(), Some("Finance (team)")), "workspace documents stay where the deletion moved them");

    // Deleted, renamed at the IdP, pushed again: the externalId finds it.
    let (st, _) = idp.put(&format!("/Groups/{gid}"), json!({"displayName": "Finance", "externalId": "grp-1", "members": [{"value": uid}]})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(idp.delete(&format!("/Groups/{gid}")).await, StatusCode::NO_CONTENT);
    let (st, renamed) = idp.post("/Groups", json!({"displayName": "Finance & Legal", "externalId": "grp-1", "members": [{"value": uid}]})).await;
    assert_eq!((st, renamed["id"].as_str(), renamed["displayName"].as_str()), (StatusCode::CREATED, Some(gid.as_str()), Some("Finance & Legal")));
    assert_eq!(renamed["members"][0]["value"], json!(uid));

    // A team Gatehouse manages, pushed by name: linked (one team, now the IdP's, members kept and added).
    let local: String = ok_json(app.call(&mut admin, "create_team", &[("org", "acme"), ("name", "Marketing"), ("description", "Campaigns")]).await).await;
    ok_json::<()>(app.call_json(&mut admin, "team_members", json!({"org": "acme", "team_id": local, "user_ids": [admin_id], "add": true})).await).await;
    let (st, linked) = idp.post("/Groups", json!({"displayName": "marketing", "members": [{"value": uid}]})).await;
    assert_eq!((st, linked["id"].as_str()), (StatusCode::CREATED, Some(local.as_str())), "{linked}");
    let mut members: Vec<&str> = linked["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    members.sort();
    let mut want = vec![admin_id.as_str(), uid.as_str()];
    want.sort();
    assert_eq!(members, want);
    assert_eq!(team_count("marketing").await, 1);
    let r = app.call(&mut admin, "update_team", &[("org", "acme"), ("id", &local), ("name", "Mine again"), ("description", "")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "managed by the identity provider now");
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events WHERE action IN ('team.linked', 'team.reprovisioned') ORDER BY at").fetch_all(&app.db).await.unwrap();
    assert_eq!(actions, ["team.reprovisioned", "team.reprovisioned", "team.linked"]);

    // A group the IdP already manages, pushed again: a conflict, nothing doubled.
    let (st, v) = idp.post("/Groups", json!({"displayName": "Marketing"})).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));
    assert_eq!(team_count("marketing").await, 1);
}

#[tokio::test]
async fn a_person_deleted_and_pushed_again_is_one_record_and_loses_the_old_memberships() {
    let (app, _, token) = setup().await;
    let idp = Idp { app: &app, token };
    let (_, u) = idp.post("/Users", okta_user("noor@acme.example", Some("Author"))).await;
    let uid = u["id"].as_str().unwrap().to_string();
    let (_, g) = idp.post("/Groups", json!({"displayName": "Analytics", "members": [{"value": uid}]})).await;
    let gid = g["id"].as_str().unwrap().to_string();
    assert_eq!(idp.delete(&format!("/Users/{uid}")).await, StatusCode::NO_CONTENT);
    let (st, _) = idp.get(&q(r#"userName eq "noor@acme.example""#)).await;
    assert_eq!(st, StatusCode::OK);
    let (_, found) = idp.get(&q(r#"userName eq "noor@acme.example""#)).await;
    assert_eq!(found["totalResults"], 0, "gone from SCIM");
    // Entra and Okta push the person again when they are assigned again.
    let (st, back) = idp.post("/Users", okta_user("NOOR@acme.example", None)).await;
    assert_eq!((st, back["id"].as_str()), (StatusCode::CREATED, Some(uid.as_str())), "{back}");
    assert_eq!((back["active"].as_bool(), back["userType"].as_str()), (Some(true), Some("Viewer")), "as sent this time");
    assert_eq!(back["groups"], json!([]), "a deleted person was removed from every group");
    let (_, g) = idp.get(&format!("/Groups/{gid}")).await;
    assert_eq!(g["members"], json!([]));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_norm = 'noor@acme.example'").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 1);
    let (_, found) = idp.get(&q(r#"userName eq "noor@acme.example""#)).await;
    assert_eq!(found["Resources"][0]["id"], json!(uid));
    // Pushed twice: the second is a conflict, as RFC 7644 says.
    let (st, v) = idp.post("/Users", okta_user("noor@acme.example", None)).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));
}

/// A person the identity provider manages: their page lists the IdP's groups
/// (read-only) apart from teams made in Gatehouse, which an admin may still
/// add them to and remove them from.
#[tokio::test]
async fn a_managed_persons_page_separates_idp_teams_from_local_ones() {
    let (app, mut admin, token) = setup().await;
    let idp = Idp { app: &app, token };
    let (_, a) = idp.post("/Users", okta_user("a@acme.example", None)).await;
    let ua = a["id"].as_str().unwrap().to_string();
    let (st, _) = idp.post("/Groups", json!({"displayName": "OktaViewers", "members": [{"value": ua}]})).await;
    assert_eq!(st, StatusCode::CREATED);
    let local: String = ok_json(app.call(&mut admin, "create_team", &[("org", "acme"), ("name", "Field"), ("description", "")]).await).await;
    ok_json::<()>(app.call_json(&mut admin, "team_members", json!({"org": "acme", "team_id": local, "user_ids": [ua], "add": true})).await).await;

    let d: app::domain::views::UserDetail = ok_json(app.call(&mut admin, "user", &[("org", "acme"), ("id", &ua)]).await).await;
    let teams: Vec<(&str, bool)> = d.teams.iter().map(|t| (t.name.as_str(), t.managed)).collect();
    assert_eq!(teams, vec![("Field", false), ("OktaViewers", true)]);
    let choices: Vec<&str> = d.team_choices.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(choices, vec!["Field"], "only teams made in Gatehouse are offered");

    ok_json::<()>(app.call_json(&mut admin, "team_members", json!({"org": "acme", "team_id": local, "user_ids": [ua], "add": false})).await).await;
    let d: app::domain::views::UserDetail = ok_json(app.call(&mut admin, "user", &[("org", "acme"), ("id", &ua)]).await).await;
    assert_eq!(d.teams.len(), 1);
    assert!(d.teams[0].managed);
}

/// Entra's app roles (`AppRoleAssignmentsComplex` mapped to `roles`) name the
/// account type: the primary role, or the first; userType still works when
/// no role is sent; an unknown role is refused as clearly as an unknown userType.
#[tokio::test]
async fn entra_app_roles_name_the_account_type() {
    let (app, _, token) = setup().await;
    let idp = Idp { app: &app, token };
    let entra = |email: &str, roles: Value| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": email, "active": true, "externalId": format!("ext-{email}"),
            "name": {"givenName": "Rae", "familyName": "Okafor"},
            "roles": roles,
        })
    };
    let role = |value: &str, primary: bool| json!({"primary": primary, "type": "WindowsAzureActiveDirectoryRole", "display": value, "value": value});

    let (st, v) = idp.post("/Users", entra("rae@acme.example", json!([role("Creator", false)]))).await;
    assert_eq!((st, v["userType"].as_str()), (StatusCode::CREATED, Some("Creator")), "the only role names the account type: {v}");
    assert_eq!(v["roles"][0]["value"], "Creator", "roles are returned as sent: {v}");
    let id = v["id"].as_str().unwrap().to_string();

    let (st, v) = idp.post("/Users", entra("sam@acme.example", json!([role("Viewer", false), role("admin", true)]))).await;
    assert_eq!((st, v["userType"].as_str()), (StatusCode::CREATED, Some("Admin")), "the primary role wins, case-insensitively: {v}");

    // A role that arrives as the role's JSON, as Entra's PATCH may send it.
    let as_json = json!([{"value": "{\"id\":\"5a1c\",\"value\":\"Viewer\",\"displayName\":\"Viewer\"}"}]);
    let (st, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "roles", "value": as_json}])).await;
    assert_eq!((st, v["userType"].as_str()), (StatusCode::OK, Some("Viewer")), "{v}");

    // A PATCH of something else keeps the role's account type.
    let (st, v) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "name.givenName", "value": "Raye"}])).await;
    assert_eq!((st, v["userType"].as_str()), (StatusCode::OK, Some("Viewer")), "{v}");

    // Without roles, userType names it (Okta).
    let (st, v) = idp.post("/Users", okta_user("tess@acme.example", Some("Creator"))).await;
    assert_eq!((st, v["userType"].as_str()), (StatusCode::CREATED, Some("Creator")));

    // An unknown role: 400, naming the valid account types and the attribute.
    let (st, v) = idp.post("/Users", entra("uma@acme.example", json!([role("Pilot", true)]))).await;
    assert_eq!((st, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")), "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("roles “Pilot”") && detail.contains("Viewer") && detail.contains("Creator") && detail.contains("Admin"), "{v}");
    assert_eq!(idp.get(&q(r#"userName eq "uma@acme.example""#)).await.1["totalResults"], 0, "nobody is created");
}

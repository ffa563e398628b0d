//! User attributes and row-level security over HTTP: an administrator defines
//! attributes and sets values per person and per team (with the teams'
//! priority); a dataset's row rule limits every way its rows leave — the
//! document's table, its filters and sort, CSV, Excel, PDF, the webhook
//! export, a copy, a team share — to the rows the reader's value allows.
use crate::common;
use crate::documents::unzip;

use app::domain::attributes::AttributesPage;
use app::domain::document_views::{DocumentPage, WebhookResult};
use app::domain::permissions::BuiltIn;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const PW: &str = "a long enough secret";
const ROWS: u64 = 700;

struct World {
    app: TestApp,
    admin: Session,
    dataset: String,
    region: String,
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email.to_lowercase()).fetch_one(&app.db).await.unwrap()
}

async fn world() -> World {
    let app = spawn_app_with(|s| s.webhook_allow_private = true).await;
    app.setup_acme().await;
    let admin = app.admin_session().await;
    for e in ["west@acme.example", "east@acme.example", "owner@acme.example", "both@acme.example"] {
        app.add_user(e, PW, BuiltIn::Creator).await;
    }
    app.add_user("none@acme.example", PW, BuiltIn::Viewer).await;
    let dataset = app::service::demo::data::orders_dataset(&app.db, &app.org_id().await, ROWS).await.unwrap();
    let mut w = World { app, admin, dataset, region: String::new() };
    w.region = w.define("region", "Sales region", "").await;
    w
}

impl World {
    async fn session(&self, email: &str) -> Session {
        let (s, res) = self.app.sign_in(email, PW).await;
        assert_eq!(res.status(), StatusCode::OK, "{email} signs in");
        s
    }
    async fn define(&self, name: &str, description: &str, default: &str) -> String {
        let body = json!({"org": "acme", "id": null, "input": {"name": name, "description": description, "default_value": default}});
        ok_json(self.app.call_json(&mut self.admin.clone(), "save_user_attribute", body).await).await
    }
    async fn team(&self, name: &str, members: &[&str]) -> String {
        let team: String = ok_json(self.app.call(&mut self.admin.clone(), "create_team", &[("org", "acme"), ("name", name), ("description", "")]).await).await;
        let mut ids = Vec::new();
        for m in members {
            ids.push(user_id(&self.app, m).await);
        }
        ok_json::<()>(self.app.call_json(&mut self.admin.clone(), "team_members", json!({"org": "acme", "team_id": team, "user_ids": ids, "add": true})).await).await;
        team
    }
    async fn set_team_value(&self, attribute: &str, team: &str, value: &str) {
        ok_json::<()>(self.app.call(&mut self.admin.clone(), "set_user_attribute_value", &[("org", "acme"), ("attribute_id", attribute), ("team_id", team), ("value", value)]).await).await;
    }
    async fn set_person_value(&self, attribute: &str, email: &str, value: &str) -> reqwest::Response {
        self.app.call(&mut self.admin.clone(), "set_user_attribute_value", &[("org", "acme"), ("attribute_id", attribute), ("email", email), ("value", value)]).await
    }
    async fn page(&self, s: &mut Session, doc: &str, explore: Value) -> DocumentPage {
        ok_json(self.app.call_json(s, "document", json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": explore}})).await).await
    }
    async fn csv(&self, s: &Session, doc: &str) -> Vec<Vec<String>> {
        let r = self.app.get(s, &format!("/acme/documents/{doc}/export.csv")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        text.trim_end().split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').map(str::to_string).collect()).collect()
    }
    /// How many of the dataset's rows are in `region`.
    async fn count_in(&self, region: &str) -> i64 {
        let columns: String = sqlx::query_scalar("SELECT columns FROM datasets WHERE id = $1").bind(&self.dataset).fetch_one(&self.app.db).await.unwrap();
        let columns: Vec<Value> = serde_json::from_str(&columns).unwrap();
        let slot = columns.iter().find(|c| c["name"] == "Region").unwrap()["slot"].as_str().unwrap().to_string();
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM dataset_rows WHERE dataset_id = $1 AND {slot} = $2")).bind(&self.dataset).bind(region).fetch_one(&self.app.db).await.unwrap()
    }
    async fn rule(&self, doc: &str, column: &str, op: &str, attribute: &str) -> reqwest::Response {
        self.app.call(&mut self.admin.clone(), "set_row_rule", &[("org", "acme"), ("id", doc), ("column", column), ("op", op), ("attribute_id", attribute)]).await
    }
}

/// The Region column's index in a page or export of all columns.
const REGION: usize = 3;

fn regions(rows: &[Vec<String>]) -> Vec<String> {
    let mut r: Vec<String> = rows.iter().map(|r| r[REGION].clone()).collect();
    r.sort();
    r.dedup();
    r
}

/// A webhook destination on this machine that keeps what it receives.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    crate::documents::receiver(200).await
}

#[tokio::test]
async fn a_row_rule_holds_on_every_path_the_rows_take() {
    let w = world().await;
    let app = &w.app;
    let mut admin = w.admin.clone();
    let region = w.region.clone();
    let west_team = w.team("West sales", &["west@acme.example"]).await;
    let east_team = w.team("East sales", &["east@acme.example"]).await;
    w.set_team_value(&region, &west_team, "West").await;
    w.set_team_value(&region, &east_team, "East").await;
    let (n_west, n_east) = (w.count_in("West").await, w.count_in("East").await);
    assert!(n_west > 0 && n_east > 0 && n_west + n_east < ROWS as i64);

    let mut owner = w.session("owner@acme.example").await;
    let mut west = w.session("west@acme.example").await;
    let mut east = w.session("east@acme.example").await;
    let mut none = w.session("none@acme.example").await;
    let doc: String = ok_json(app.call(&mut owner, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &w.dataset)]).await).await;
    for to in ["west@acme.example", "none@acme.example", ADMIN_EMAIL] {
        ok_json::<()>(app.call(&mut owner, "share_document", &[("org", "acme"), ("id", &doc), ("email", to)]).await).await;
    }
    // The shared link to a team: East sales reaches the document through its team.
    ok_json::<()>(app.call(&mut owner, "share_document", &[("org", "acme"), ("id", &doc), ("team_id", &east_team)]).await).await;
    assert_eq!(w.page(&mut west, &doc, Value::Null).await.total, ROWS as i64, "no rule yet: every row");

    // A rule naming a number column, or an unknown attribute, is refused.
    let (st, e) = error_of(w.rule(&doc, "Amount", "eq", &region).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("column")));
    let (st, e) = error_of(w.rule(&doc, "Region", "eq", "no-such-attribute").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("attribute")));
    ok_json::<()>(w.rule(&doc, "Region", "eq", &region).await).await;

    // The table.
    for (s, n, r) in [(&mut west, n_west, "West"), (&mut east, n_east, "East")] {
        let p = w.page(s, &doc, Value::Null).await;
        assert_eq!(p.total, n, "{r}");
        assert_eq!(regions(&p.rows), [r]);
        let rule = p.rule.unwrap();
        assert_eq!((rule.text.as_str(), rule.your_value.as_deref()), ("Region = {region}", Some(r)));
    }
    // No value and no default: no rows, and the page says why.
    let p = w.page(&mut none, &doc, Value::Null).await;
    assert_eq!((p.total, p.rows.len()), (0, 0));
    assert_eq!(p.rule.as_ref().unwrap().your_value, None);
    let html = app.get(&none, &format!("/acme/documents/{doc}")).await.text().await.unwrap();
    assert!(html.contains("You have no value for region"), "the page says why");
    assert!(w.csv(&none, &doc).await.is_empty(), "nor in an export");
    // The shared link, as the server renders it: only the reader's rows.
    let html = app.get(&west, &format!("/acme/documents/{doc}")).await.text().await.unwrap();
    assert!(html.contains(">West<") && html.contains("Rows limited by Region = {region}"));
    for other in ["East", "North", "South", "Central"] {
        assert!(!html.contains(&format!(">{other}<")), "no {other} row in the page");
    }

    // Filters and sort only narrow what the rule allows.
    let cols = json!(["Order ID", "Order date", "Customer", "Region", "Amount"]);
    for filters in
        [json!([{"column": "Region", "op": "eq", "value": "East"}]), json!([{"column": "Region", "op": "ne", "value": "West"}]), json!([{"column": "Region", "op": "contains", "value": "a"}])]
    {
        let p = w.page(&mut west, &doc, json!({"filters": filters, "sort": null})).await;
        assert_eq!(p.total, 0, "{filters}");
    }
    let p = w.page(&mut west, &doc, json!({"filters": [{"column": "Region", "op": "contains", "value": ""}], "sort": {"column": "Region", "desc": false}})).await;
    assert_eq!((p.total, regions(&p.rows)), (n_west, vec!["West".to_string()]));
    let p = w.page(&mut west, &doc, json!({"filters": [], "sort": {"column": "Amount", "desc": true}})).await;
    assert_eq!(regions(&p.rows), ["West"]);
    let _ = cols;

    // Every export: CSV, Excel, PDF, webhook.
    let rows = w.csv(&west, &doc).await;
    assert_eq!((rows.len() as i64, regions(&rows)), (n_west, vec!["West".to_string()]));
    let rows = w.csv(&east, &doc).await;
    assert_eq!((rows.len() as i64, regions(&rows)), (n_east, vec!["East".to_string()]));
    let xlsx = app.get(&west, &format!("/acme/documents/{doc}/export.xlsx")).await.bytes().await.unwrap();
    let sheet = unzip(&xlsx).pop().unwrap().1;
    assert_eq!(sheet.matches("<row>").count() as i64, n_west + 1);
    for other in ["East", "North", "South", "Central"] {
        assert!(!sheet.contains(&format!(">{other}</t>")), "no {other} row in Excel");
        let pdf = app.get(&west, &format!("/acme/documents/{doc}/export.pdf")).await.bytes().await.unwrap();
        let text = app::service::exports::pdf::read::text(&pdf);
        assert!(text.iter().any(|t| t == "West") && !text.iter().any(|t| t == other), "no {other} row in the PDF");
    }
    let (url, got) = receiver().await;
    ok_json::<()>(app.call(&mut admin, "allow_webhook", &[("org", "acme"), ("url", &url)]).await).await;
    let dest = w.page(&mut west, &doc, Value::Null).await.webhooks[0].id.clone();
    let r: WebhookResult = ok_json(app.call(&mut west, "export_webhook", &[("org", "acme"), ("id", &doc), ("destination_id", &dest)]).await).await;
    assert_eq!(r.rows as i64, n_west);
    let body = got.lock().unwrap().pop().unwrap();
    let sent = body["rows"].as_array().unwrap();
    assert_eq!(sent.len() as i64, n_west);
    assert!(sent.iter().all(|r| r["Region"] == "West"));

    // A copy, by the owner or by a reader, is bound by the rule too.
    let copy: String = ok_json(app.call(&mut owner, "copy_document", &[("org", "acme"), ("id", &doc), ("name", "Orders (copy)")]).await).await;
    assert_eq!(w.page(&mut owner, &copy, Value::Null).await.total, 0, "the owner has no value");
    ok_json::<()>(app.call(&mut owner, "share_document", &[("org", "acme"), ("id", &copy), ("email", "east@acme.example")]).await).await;
    assert_eq!(w.csv(&east, &copy).await.len() as i64, n_east);
    let mine: String = ok_json(app.call(&mut west, "copy_document", &[("org", "acme"), ("id", &doc), ("name", "My orders")]).await).await;
    let p = w.page(&mut west, &mine, Value::Null).await;
    assert_eq!((p.total, regions(&p.rows)), (n_west, vec!["West".to_string()]));
    // A new document over the same dataset too: the rule belongs to the dataset.
    let fresh: String = ok_json(app.call(&mut west, "create_document", &[("org", "acme"), ("name", "Fresh"), ("dataset_id", &w.dataset)]).await).await;
    assert_eq!(w.csv(&west, &fresh).await.len() as i64, n_west);
    // Saving the view cannot lift it either.
    ok_json::<()>(app.call_json(&mut west, "save_document", json!({"org": "acme", "id": mine, "name": "My orders", "view": {"columns": ["Region"], "filters": [], "sort": null}})).await).await;
    assert_eq!(regions(&w.csv(&west, &mine).await.iter().map(|r| vec![String::new(), String::new(), String::new(), r[0].clone()]).collect::<Vec<_>>()), ["West"]);

    // "is one of": a value listing regions.
    ok_json::<()>(w.rule(&doc, "Region", "in", &region).await).await;
    let r = w.set_person_value(&region, "none@acme.example", "West, East").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(w.page(&mut none, &doc, Value::Null).await.total, n_west + n_east);

    // Removing the rule (an administrator) gives every row back; it is audited.
    ok_json::<()>(w.rule(&doc, "", "", "").await).await;
    assert_eq!(w.page(&mut east, &doc, Value::Null).await.total, ROWS as i64);
    let details: Vec<(String, String)> = sqlx::query_as("SELECT action, detail FROM audit_events WHERE action LIKE 'dataset.row_rule' ORDER BY at").fetch_all(&app.db).await.unwrap();
    assert_eq!(details.len(), 3, "{details:?}");
    assert_eq!(details[0].1, "rule: – → Region = {region}");
}

#[tokio::test]
async fn a_person_gets_their_own_value_else_their_first_team_s_else_the_default() {
    let w = world().await;
    let app = &w.app;
    let mut admin = w.admin.clone();
    let region = w.region.clone();
    let west_team = w.team("West sales", &["both@acme.example"]).await;
    let east_team = w.team("East sales", &["both@acme.example"]).await;
    w.set_team_value(&region, &west_team, "West").await;
    w.set_team_value(&region, &east_team, "East").await;
    let mut owner = w.session("owner@acme.example").await;
    let doc: String = ok_json(app.call(&mut owner, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &w.dataset)]).await).await;
    for to in ["both@acme.example", ADMIN_EMAIL] {
        ok_json::<()>(app.call(&mut owner, "share_document", &[("org", "acme"), ("id", &doc), ("email", to)]).await).await;
    }
    ok_json::<()>(w.rule(&doc, "Region", "eq", &region).await).await;
    let mut both = w.session("both@acme.example").await;
    let seen = |p: DocumentPage| (p.total, regions(&p.rows));
    let (n_west, n_east) = (w.count_in("West").await, w.count_in("East").await);

    // The first team in the attribute's order wins.
    assert_eq!(seen(w.page(&mut both, &doc, Value::Null).await), (n_west, vec!["West".into()]));
    let order = |ids: Vec<&str>| json!({"org": "acme", "attribute_id": region, "team_ids": ids});
    ok_json::<()>(app.call_json(&mut admin, "order_user_attribute_teams", order(vec![&east_team, &west_team])).await).await;
    assert_eq!(seen(w.page(&mut both, &doc, Value::Null).await), (n_east, vec!["East".into()]));
    assert_eq!(w.csv(&both, &doc).await.len() as i64, n_east, "exports follow the new order at once");
    let page: AttributesPage = ok_json(app.call(&mut admin, "user_attributes", &[("org", "acme")]).await).await;
    assert_eq!(page.attributes[0].teams.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["East sales", "West sales"]);
    let offered: Vec<&str> = page.teams.iter().map(|t| t.label.as_str()).filter(|l| l.ends_with(" sales")).collect();
    assert_eq!(offered, ["East sales", "West sales"], "the teams a value can be set for, by name");
    // An order that leaves a team out, or names one twice, is refused.
    let (st, _) = error_of(app.call_json(&mut admin, "order_user_attribute_teams", order(vec![&west_team])).await).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = error_of(app.call_json(&mut admin, "order_user_attribute_teams", order(vec![&west_team, &west_team])).await).await;
    assert_eq!(st, StatusCode::CONFLICT);

    // A deactivated team no longer gives its value.
    ok_json::<()>(app.call(&mut admin, "set_team_active", &[("org", "acme"), ("id", &east_team), ("active", "false")]).await).await;
    assert_eq!(seen(w.page(&mut both, &doc, Value::Null).await).0, n_west);
    ok_json::<()>(app.call(&mut admin, "set_team_active", &[("org", "acme"), ("id", &east_team), ("active", "true")]).await).await;

    // Their own value wins over their teams'; cleared, the team's is back.
    assert_eq!(w.set_person_value(&region, "both@acme.example", "North").await.status(), StatusCode::OK);
    assert_eq!(regions(&w.page(&mut both, &doc, Value::Null).await.rows), ["North"]);
    assert_eq!(w.set_person_value(&region, "both@acme.example", "").await.status(), StatusCode::OK);
    assert_eq!(seen(w.page(&mut both, &doc, Value::Null).await).0, n_east);

    // Else the default; with no default and no team, nothing.
    ok_json::<()>(app.call_json(&mut admin, "team_members", json!({"org": "acme", "team_id": east_team, "user_ids": [user_id(&app, "both@acme.example").await], "add": false})).await).await;
    ok_json::<()>(app.call_json(&mut admin, "team_members", json!({"org": "acme", "team_id": west_team, "user_ids": [user_id(&app, "both@acme.example").await], "add": false})).await).await;
    assert_eq!(w.page(&mut both, &doc, Value::Null).await.total, 0);
    let body = json!({"org": "acme", "id": region, "input": {"name": "region", "description": "Sales region", "default_value": "Central"}});
    ok_json::<String>(app.call_json(&mut admin, "save_user_attribute", body).await).await;
    assert_eq!(regions(&w.page(&mut both, &doc, Value::Null).await.rows), ["Central"]);

    // Names are unique whatever their case; a name rules cannot write is refused.
    let (st, e) = error_of(app.call_json(&mut admin, "save_user_attribute", json!({"org": "acme", "id": null, "input": {"name": "Region", "description": "", "default_value": ""}})).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::CONFLICT, Some("name")));
    let (st, e) = error_of(app.call_json(&mut admin, "save_user_attribute", json!({"org": "acme", "id": null, "input": {"name": "sales region", "description": "", "default_value": ""}})).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("name")));

    // Every change is in the audit log, in words.
    let actions: Vec<String> = sqlx::query_scalar("SELECT DISTINCT action FROM audit_events WHERE action LIKE 'user_attribute.%' ORDER BY action").fetch_all(&app.db).await.unwrap();
    assert_eq!(actions, ["user_attribute.created", "user_attribute.team_order", "user_attribute.updated", "user_attribute.value_set"]);
    let log = app.audit_log(&mut admin, Some("user_attribute.team_order")).await;
    assert_eq!(log.len(), 1);
    let log = app.audit_log(&mut admin, Some("user_attribute.updated")).await;
    assert_eq!(log.len(), 1);
}

#[tokio::test]
async fn only_administrators_define_attributes_set_values_and_rules() {
    let w = world().await;
    let app = &w.app;
    let region = w.region.clone();
    let team = w.team("West sales", &["west@acme.example"]).await;
    let mut owner = w.session("owner@acme.example").await;
    let doc: String = ok_json(app.call(&mut owner, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &w.dataset)]).await).await;
    let snapshot = || async {
        let a: Vec<(String, String)> = sqlx::query_as("SELECT name, description FROM user_attributes ORDER BY name").fetch_all(&app.db).await.unwrap();
        let v: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_attribute_values").fetch_one(&app.db).await.unwrap();
        let r: Option<String> = sqlx::query_scalar("SELECT row_rule FROM datasets").fetch_one(&app.db).await.unwrap();
        (a, v, r)
    };
    let before = snapshot().await;
    for s in [&mut owner, &mut Session::default()] {
        let calls: Vec<reqwest::Response> = vec![
            app.call_json(s, "save_user_attribute", json!({"org": "acme", "id": null, "input": {"name": "cost_center", "description": "", "default_value": ""}})).await,
            app.call_json(s, "save_user_attribute", json!({"org": "acme", "id": region, "input": {"name": "region", "description": "mine", "default_value": "West"}})).await,
            app.call(s, "set_user_attribute_value", &[("org", "acme"), ("attribute_id", &region), ("email", "owner@acme.example"), ("value", "West")]).await,
            app.call(s, "set_user_attribute_value", &[("org", "acme"), ("attribute_id", &region), ("team_id", &team), ("value", "West")]).await,
            app.call_json(s, "order_user_attribute_teams", json!({"org": "acme", "attribute_id": region, "team_ids": []})).await,
            app.call(s, "set_row_rule", &[("org", "acme"), ("id", &doc), ("column", "Region"), ("op", "eq"), ("attribute_id", &region)]).await,
            app.call(s, "user_attributes", &[("org", "acme")]).await,
        ];
        for r in calls {
            let url = r.url().to_string();
            assert!(matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED), "{url}: {}", r.status());
        }
    }
    assert_eq!(snapshot().await, before, "nothing changed");
    // The owner's own document page offers no rule form.
    let p: DocumentPage = ok_json(app.call_json(&mut owner, "document", json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": null}})).await).await;
    assert!(!p.can_set_rule && p.rule_attributes.is_empty());
}

#[tokio::test]
async fn a_value_the_identity_provider_set_is_read_only_here() {
    let w = world().await;
    let app = &w.app;
    let mut admin = w.admin.clone();
    let department = w.define("department", "", "").await;
    let token = provisioning_token(&app, &mut admin).await;
    let idp = Idp { app, token };
    let (st, user) = idp
        .post(
            "/Users",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "userName": "pat@acme.example", "name": {"givenName": "Pat", "familyName": "Lee"}, "active": true,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Finance", "costCenter": "CC-1"},
                "urn:gatehouse:params:scim:schemas:extension:attributes:2.0:User": {"region": "West", "unknown": "x"}
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{user}");
    assert_eq!(user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "Finance");
    assert_eq!(user["urn:gatehouse:params:scim:schemas:extension:attributes:2.0:User"]["region"], "West");
    let page: AttributesPage = ok_json(app.call(&mut admin, "user_attributes", &[("org", "acme")]).await).await;
    let dep = page.attributes.iter().find(|a| a.id == department).unwrap();
    assert_eq!((dep.people[0].value.as_str(), dep.people[0].managed_by_idp), ("Finance", true));

    // The UI door refuses to change or clear it.
    for value in ["Sales", ""] {
        let (st, e) = error_of(w.set_person_value(&department, "pat@acme.example", value).await).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{}", e.message);
        assert!(e.message.contains("identity provider"), "{}", e.message);
    }
    let v: String = sqlx::query_scalar("SELECT value FROM user_attribute_values WHERE attribute_id = $1").bind(&department).fetch_one(&app.db).await.unwrap();
    assert_eq!(v, "Finance");

    // The identity provider changes it (PATCH) and clears it.
    let id = user["id"].as_str().unwrap().to_string();
    let (st, _) = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"}])).await;
    assert_eq!(st, StatusCode::OK);
    let v: String = sqlx::query_scalar("SELECT value FROM user_attribute_values WHERE attribute_id = $1").bind(&department).fetch_one(&app.db).await.unwrap();
    assert_eq!(v, "Sales");
    let (st, _) = idp.patch(&format!("/Users/{id}"), json!([{"op": "remove", "path": "urn:gatehouse:params:scim:schemas:extension:attributes:2.0:User:region"}])).await;
    assert_eq!(st, StatusCode::OK);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_attribute_values WHERE attribute_id = $1").bind(&w.region).fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 0, "the identity provider cleared region");
    let (_, again) = idp.get(&format!("/Users/{id}")).await;
    assert_eq!(again["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "Sales");

    // /Schemas shows both extensions; the Gatehouse one lists the defined attributes.
    let (st, schemas) = idp.get("/Schemas").await;
    assert_eq!(st, StatusCode::OK);
    let text = schemas.to_string();
    assert!(text.contains("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") && text.contains("costCenter"), "{text}");
    assert!(text.contains("urn:gatehouse:params:scim:schemas:extension:attributes:2.0:User") && text.contains("\"region\""), "{text}");

    // Once provisioning is off and the person is released, their values are set here.
    let token_id: String = sqlx::query_scalar("SELECT id FROM scim_tokens").fetch_one(&app.db).await.unwrap();
    ok_json::<()>(app.call(&mut admin, "revoke_provisioning_token", &[("org", "acme"), ("id", &token_id)]).await).await;
    ok_json::<i64>(app.call(&mut admin, "release_managed", &[("org", "acme"), ("kind", "users"), ("id", &id)]).await).await;
    assert_eq!(w.set_person_value(&department, "pat@acme.example", "Legal").await.status(), StatusCode::OK);
}

async fn provisioning_token(app: &TestApp, admin: &mut Session) -> String {
    let t: app::domain::views::NewProvisioningToken = ok_json(app.call(admin, "create_provisioning_token", &[("org", "acme"), ("name", "Okta"), ("acknowledged", "true")]).await).await;
    t.token
}

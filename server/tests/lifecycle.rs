//! A person's whole life with an identity provider, as a matrix: created by
//! an invitation, at first run, or by SCIM; their access ended by an
//! administrator (alone or in bulk) or by the identity provider (PATCH in
//! Okta's and Entra's forms, PUT, DELETE); and brought back by an
//! administrator or by the identity provider (PATCH, the same POST again,
//! PUT). Every cell runs on a fresh database over HTTP and checks each
//! step's answer and the end state: status, who manages the person, their
//! documents, the audit log, that there is one record, and whether they can
//! sign in (SSO for everyone, the password for those who have one).
//!
//! The lifecycle tables of docs/scim.md must say what the cells showed,
//! cell for cell; the test also prints every cell as a row
//! (`cargo test -p server --test integration lifecycle:: -- --nocapture`).
use crate::common;

use app::domain::documents::{ColumnKind, DatasetColumn, TableView};
use app::domain::permissions::BuiltIn;
use app::domain::views::InvitationLink;
use common::saml_idp::{b64, Resp, IDP_CERT, IDP_ENTITY, IDP_SSO};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const OPS: &str = "ops@acme.example";
const OPS_PASSWORD: &str = "ops keeps the lights on";
const PAT: &str = "pat@acme.example";
const PAT_PASSWORD: &str = "pat's own long password";
const SKY: &str = "sky@acme.example";
const FILLER: &str = "fill@acme.example";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Created {
    Invitation,
    Setup,
    ScimPost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    AdminDeactivate,
    BulkDeactivate,
    PatchOkta,
    PatchEntra,
    PutInactive,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Returned {
    AdminReactivate,
    PatchActive,
    PostAgain,
    Put,
}

impl Created {
    const ALL: [Created; 3] = [Created::Invitation, Created::Setup, Created::ScimPost];
    fn label(self) -> &'static str {
        match self {
            Created::Invitation => "invitation",
            Created::Setup => "first-run setup",
            Created::ScimPost => "SCIM POST",
        }
    }
    fn email(self) -> &'static str {
        match self {
            Created::Invitation => PAT,
            Created::Setup => ADMIN_EMAIL,
            Created::ScimPost => SKY,
        }
    }
    fn password(self) -> Option<&'static str> {
        match self {
            Created::Invitation => Some(PAT_PASSWORD),
            Created::Setup => Some(ADMIN_PASSWORD),
            Created::ScimPost => None,
        }
    }
    /// The account type SCIM sends back (kept by PUT and POST).
    fn user_type(self) -> &'static str {
        match self {
            Created::Setup => "Admin",
            _ => "Creator",
        }
    }
    fn folder(self) -> &'static str {
        match self {
            Created::Invitation => "Pat Lee",
            Created::Setup => "Ada Admin",
            Created::ScimPost => "Sky Moreau",
        }
    }
}

impl Ended {
    const ALL: [Ended; 6] = [Ended::AdminDeactivate, Ended::BulkDeactivate, Ended::PatchOkta, Ended::PatchEntra, Ended::PutInactive, Ended::Delete];
    fn label(self) -> &'static str {
        match self {
            Ended::AdminDeactivate => "admin deactivates",
            Ended::BulkDeactivate => "admin bulk-deactivates",
            Ended::PatchOkta => "PATCH active=false (Okta)",
            Ended::PatchEntra => "PATCH active \"False\" (Entra)",
            Ended::PutInactive => "PUT active=false",
            Ended::Delete => "DELETE",
        }
    }
    fn by_admin(self) -> bool {
        matches!(self, Ended::AdminDeactivate | Ended::BulkDeactivate)
    }
}

impl Returned {
    const ALL: [Returned; 4] = [Returned::AdminReactivate, Returned::PatchActive, Returned::PostAgain, Returned::Put];
    fn label(self) -> &'static str {
        match self {
            Returned::AdminReactivate => "admin reactivates",
            Returned::PatchActive => "PATCH active=true",
            Returned::PostAgain => "POST same userName",
            Returned::Put => "PUT active=true",
        }
    }
}

/// What a cell must show, worked out from the rules: administrators change
/// only people Gatehouse manages; whatever the identity provider writes, it
/// manages from then on; DELETE archives (gone from SCIM until POSTed again);
/// a POST of a userName Gatehouse has revives (archived) or links (managed
/// locally), and is a conflict when the identity provider already manages it.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    end_status: u16,
    /// After the end step: active, managed by the IdP, archived.
    ended: (bool, bool, bool),
    return_status: u16,
    returned: (bool, bool, bool),
    /// The audit action the return step wrote, if any (none when it was refused or changed nothing).
    return_audit: Option<&'static str>,
}

fn expected(c: Created, e: Ended, r: Returned) -> Expected {
    let managed_before = c == Created::ScimPost;
    let (end_status, ended) = match e {
        _ if e.by_admin() && managed_before => (403, (true, true, false)),
        Ended::AdminDeactivate | Ended::BulkDeactivate => (200, (false, false, false)),
        Ended::Delete => (204, (false, true, true)),
        _ => (200, (false, true, false)),
    };
    let (active, managed, archived) = ended;
    let (return_status, returned, return_audit) = match r {
        Returned::AdminReactivate if managed => (403, ended, None),
        Returned::AdminReactivate => (200, (true, false, false), Some("user.reactivated")),
        Returned::PatchActive | Returned::Put if archived => (404, ended, None),
        Returned::PatchActive | Returned::Put => {
            // Already active and managed: the request changes nothing, and nothing is recorded.
            let audit = if !managed {
                Some("user.linked")
            } else if active {
                None
            } else {
                Some("user.reactivated")
            };
            (200, (true, true, false), audit)
        }
        Returned::PostAgain if archived => (201, (true, true, false), Some("user.reprovisioned")),
        Returned::PostAgain if !managed => (201, (true, true, false), Some("user.linked")),
        Returned::PostAgain => (409, ended, None),
    };
    Expected { end_status, ended, return_status, returned, return_audit }
}

fn scim_user(email: &str, user_type: &str, active: bool) -> Value {
    let (given, family) = email_names(email);
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "userType": user_type,
        "active": active
    })
}

fn email_names(email: &str) -> (&'static str, &'static str) {
    match email {
        PAT => ("Pat", "Lee"),
        ADMIN_EMAIL => ("Ada", "Admin"),
        _ => ("Sky", "Moreau"),
    }
}

/// One cell's world: Acme, its second admin Ops (who acts), SAML configured,
/// a provisioning token acting for Ops, the subject with a document of their own.
struct World {
    app: TestApp,
    ops: Session,
    token: String,
    subject: String,
    filler: String,
}

impl World {
    fn idp(&self) -> Idp<'_> {
        Idp { app: &self.app, token: self.token.clone() }
    }

    async fn new(c: Created) -> World {
        let app = spawn_app().await;
        app.setup_acme().await;
        app.add_user(OPS, OPS_PASSWORD, BuiltIn::Admin).await;
        app.add_user(FILLER, "filler's long password", BuiltIn::Viewer).await;
        let (mut ops, res) = app.sign_in(OPS, OPS_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        let settings = json!({"method": "saml_or_password", "idp_login_url": IDP_SSO, "idp_certificate": IDP_CERT, "idp_issuer": IDP_ENTITY, "session_days": 30});
        let res = app.call_json(&mut ops, "save_authentication", json!({"org": "acme", "input": settings})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let t = app.provisioning_token(&mut ops).await;
        let token = t.token;
        let subject = match c {
            Created::Setup => user_id(&app, ADMIN_EMAIL).await,
            Created::Invitation => {
                let creator = type_id(&app, "Creator").await;
                let people = format!("{PAT}, Pat, Lee");
                let links: Vec<InvitationLink> = ok_json(app.call_json(&mut ops, "invite_users", json!({"org": "acme", "people": people, "account_type_id": creator, "team_ids": []})).await).await;
                let invitation = links[0].link.rsplit('/').next().unwrap().to_string();
                let form = [("org", "acme"), ("token", invitation.as_str()), ("password", PAT_PASSWORD), ("password_confirm", PAT_PASSWORD)];
                let res = app.call(&mut Session::default(), "accept_invitation", &form).await;
                assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
                links[0].user_id.clone()
            }
            Created::ScimPost => {
                let (st, v) = Idp { app: &app, token: token.clone() }.post("/Users", scim_user(SKY, "Author", true)).await;
                assert_eq!(st, StatusCode::CREATED, "{v}");
                v["id"].as_str().unwrap().to_string()
            }
        };
        let filler = user_id(&app, FILLER).await;
        give_a_document(&app, &subject).await;
        World { app, ops, token, subject, filler }
    }

    async fn end(&mut self, c: Created, e: Ended) -> u16 {
        let path = format!("/Users/{}", self.subject);
        let status = match e {
            Ended::AdminDeactivate => self.app.call_json(&mut self.ops, "deactivate_users", json!({"org": "acme", "user_ids": [self.subject], "new_owner_id": null})).await.status(),
            Ended::BulkDeactivate => {
                let ids = json!([self.subject, self.filler]);
                self.app.call_json(&mut self.ops, "deactivate_users", json!({"org": "acme", "user_ids": ids, "new_owner_id": null})).await.status()
            }
            Ended::PatchOkta => self.idp().patch(&path, json!([{"op": "replace", "value": {"active": false}}])).await.0,
            Ended::PatchEntra => self.idp().patch(&path, json!([{"op": "Replace", "path": "active", "value": "False"}])).await.0,
            Ended::PutInactive => self.idp().put(&path, scim_user(c.email(), c.user_type(), false)).await.0,
            Ended::Delete => self.idp().delete(&path).await,
        };
        status.as_u16()
    }

    async fn bring_back(&mut self, c: Created, r: Returned) -> (u16, Option<String>) {
        let path = format!("/Users/{}", self.subject);
        let (status, v) = match r {
            Returned::AdminReactivate => {
                let res = self.app.call_json(&mut self.ops, "reactivate_users", json!({"org": "acme", "user_ids": [self.subject]})).await;
                (res.status(), Value::Null)
            }
            Returned::PatchActive => self.idp().patch(&path, json!([{"op": "replace", "value": {"active": true}}])).await,
            Returned::PostAgain => self.idp().post("/Users", scim_user(c.email(), c.user_type(), true)).await,
            Returned::Put => self.idp().put(&path, scim_user(c.email(), c.user_type(), true)).await,
        };
        (status.as_u16(), v["id"].as_str().map(str::to_string))
    }

    /// (active, managed by the IdP, archived) as stored, and that there is one record.
    async fn state(&self, email: &str) -> (bool, bool, bool) {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as("SELECT status, origin, archived_at FROM users WHERE email_norm = $1").bind(email).fetch_all(&self.app.db).await.unwrap();
        assert_eq!(rows.len(), 1, "one record for {email}");
        let (status, origin, archived) = &rows[0];
        (status == "active", origin == "scim", archived.is_some())
    }

    /// Who owns the subject's document, and in which folder.
    async fn document(&self) -> (String, Option<String>) {
        let (owner, folder): (String, Option<String>) =
            sqlx::query_as("SELECT u.email, d.folder FROM documents d JOIN users u ON u.id = d.owner_id WHERE d.name = 'Subject''s report'").fetch_one(&self.app.db).await.unwrap();
        (owner, folder)
    }

    /// The changes to the person the audit log recorded (sign-ins left out).
    async fn audit(&self, email: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_events WHERE target_norm = $1 AND action LIKE 'user.%' ORDER BY at, id").bind(email).fetch_all(&self.app.db).await.unwrap()
    }

    /// Whether an identity-provider-initiated SSO sign-in works for `email`.
    async fn sso(&self, email: &str) -> bool {
        let mut resp = Resp::valid(&self.app, None);
        resp.name_id = email.to_string();
        let res = common::saml_idp::post_as_browser(&self.app, &b64(&resp.signed()), None, None).await;
        match res.status() {
            StatusCode::SEE_OTHER => true,
            StatusCode::FORBIDDEN => false,
            other => panic!("SSO for {email} answered {other}: {}", res.text().await.unwrap()),
        }
    }

    async fn password(&self, email: &str, password: &str) -> bool {
        let (_, res) = self.app.sign_in(email, password).await;
        match res.status() {
            StatusCode::OK => true,
            StatusCode::FORBIDDEN => false,
            other => panic!("password sign-in for {email} answered {other}"),
        }
    }
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(email).fetch_one(&app.db).await.unwrap()
}

async fn type_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM account_types WHERE name = $1").bind(name).fetch_one(&app.db).await.unwrap()
}

async fn give_a_document(app: &TestApp, owner: &str) {
    let org = app.org_id().await;
    let columns = vec![DatasetColumn { name: "Region".into(), kind: ColumnKind::Text, slot: "t1".into() }];
    let mut conn = app.db.acquire().await.unwrap();
    let dataset = app::store::datasets::insert(&mut conn, &org, "Regions", &columns, "csv", Some(owner)).await.unwrap();
    let view = TableView { columns: vec!["Region".into()], filters: vec![], sort: None };
    let doc = app::store::documents::NewDocument { org_id: &org, name: "Subject's report", dataset_id: &dataset, view: &view, owner_id: owner, team_id: None };
    app::store::documents::insert(&mut *conn, doc).await.unwrap();
}

/// What the server did in one cell.
struct Observed {
    c: Created,
    e: Ended,
    r: Returned,
    end_status: u16,
    ended: (bool, bool, bool),
    return_status: u16,
    returned: (bool, bool, bool),
    /// The changes to the person the return step wrote in the audit log.
    return_audit: Vec<String>,
}

/// (active, managed by the IdP, archived) in the words of docs/scim.md's tables.
fn state_words((active, managed, archived): (bool, bool, bool)) -> String {
    let mut s = String::from(if active { "active" } else { "inactive" });
    s.push_str(if managed { ", IdP" } else { ", local" });
    if archived {
        s.push_str(", archived");
    }
    s
}

impl Observed {
    /// The answer to the end step and the state after it, as docs/scim.md's tables write them.
    fn end(&self) -> String {
        format!("{} {}", self.end_status, state_words(self.ended))
    }
    fn back(&self) -> String {
        format!("{} {}", self.return_status, state_words(self.returned))
    }
    /// Its row of the table the test prints.
    fn row(&self) -> String {
        let signs_in = if self.returned.0 { "yes" } else { "no" };
        format!("| {} | {} | {} | {} | {} | {} |", self.c.label(), self.e.label(), self.end(), self.r.label(), self.back(), signs_in)
    }
}

/// One cell: runs it, checks it, and returns what the server did.
async fn cell(c: Created, e: Ended, r: Returned) -> Observed {
    let want = expected(c, e, r);
    let mut w = World::new(c).await;
    let email = c.email();
    let at = format!("{} / {} / {}", c.label(), e.label(), r.label());

    let end_status = w.end(c, e).await;
    assert_eq!(end_status, want.end_status, "{at}: answer to the end step");
    let ended_state = w.state(email).await;
    assert_eq!(ended_state, want.ended, "{at}: state after the end step");
    let ended = !want.ended.0;
    let audit = w.audit(email).await;
    assert_eq!(audit.iter().any(|a| a == "user.deactivated"), ended, "{at}: audit after the end step: {audit:?}");
    let document = w.document().await;
    if ended {
        assert_eq!(document, (OPS.to_string(), Some(c.folder().to_string())), "{at}: documents move to the admin who acts (or the token's admin)");
    } else {
        assert_eq!(document, (email.to_string(), None), "{at}: documents stay");
    }
    if e == Ended::BulkDeactivate {
        assert_eq!(w.state(FILLER).await.0, want.end_status != 200, "{at}: a refused bulk action changes nobody");
    }
    assert_eq!(w.sso(email).await, !ended, "{at}: SSO after the end step");

    let (status, id) = w.bring_back(c, r).await;
    assert_eq!(status, want.return_status, "{at}: answer to the return step");
    if status == 201 {
        assert_eq!(id.as_deref(), Some(w.subject.as_str()), "{at}: the same record comes back");
    }
    let returned_state = w.state(email).await;
    assert_eq!(returned_state, want.returned, "{at}: state after the return step");
    let after = w.audit(email).await;
    let new: Vec<&String> = after.iter().skip(audit.len()).collect();
    match want.return_audit {
        Some(action) => assert!(new.iter().any(|a| *a == action), "{at}: audit after the return step has {action}: {new:?}"),
        None => assert!(new.is_empty(), "{at}: a refused step, or one that changes nothing, is not in the audit log: {new:?}"),
    }
    assert_eq!(w.document().await, document, "{at}: documents stay where the end step put them");
    let active = want.returned.0;
    assert_eq!(w.sso(email).await, active, "{at}: SSO at the end");
    if let Some(p) = c.password() {
        assert_eq!(w.password(email, p).await, active, "{at}: password sign-in at the end");
    }
    assert!(w.password(OPS, OPS_PASSWORD).await, "{at}: the acting admin keeps access");

    let return_audit = new.into_iter().cloned().collect();
    // The cells share one runtime, whose background tasks keep each cell's
    // pool alive: its connections are closed here, or 48 cells' idle
    // connections would fill PostgreSQL's 300 while other tests run.
    w.app.db.close().await;
    Observed { c, e, r, end_status, ended: ended_state, return_status: status, returned: returned_state, return_audit }
}

/// The two tables of the lifecycle in docs/scim.md ("## The identity
/// provider's whole lifecycle"): (table, ended by, column) to what the cell
/// says, the table being "invitation or first run" or "SCIM POST".
fn documented() -> std::collections::BTreeMap<(String, String, String), String> {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scim.md")).unwrap();
    let section = doc.split("\n## The identity provider's whole lifecycle\n").nth(1).expect("docs/scim.md's lifecycle section");
    let section = section.split("\n## ").next().unwrap();
    let mut cells = std::collections::BTreeMap::new();
    let (mut table, mut columns) = (None::<&str>, Vec::<String>::new());
    for line in section.lines() {
        if line.starts_with("Created by an invitation, or at first run") {
            table = Some("invitation or first run");
        } else if line.starts_with("Created by a SCIM POST") {
            table = Some("SCIM POST");
        }
        let Some(t) = table else { continue };
        if !line.starts_with('|') || line.starts_with("| ---") {
            continue;
        }
        let fields: Vec<String> = line.trim_matches('|').split('|').map(|f| f.trim().to_string()).collect();
        if fields[0] == "ended by" {
            columns = fields;
            continue;
        }
        for (column, value) in columns.iter().zip(&fields).skip(1) {
            let before = cells.insert((t.to_string(), fields[0].clone(), column.clone()), value.clone());
            assert!(before.is_none(), "docs/scim.md says twice what {t} / {} / {column} gives", fields[0]);
        }
    }
    cells
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_way_in_out_and_back() {
    let cells: Vec<(Created, Ended, Returned)> = Created::ALL.iter().flat_map(|&c| Ended::ALL.iter().flat_map(move |&e| Returned::ALL.iter().map(move |&r| (c, e, r)))).collect();
    // Four cells at a time, each on its own database.
    let mut rows = Vec::new();
    for chunk in cells.chunks(4) {
        let runs = chunk.iter().map(|&(c, e, r)| tokio::spawn(cell(c, e, r)));
        for run in runs.collect::<Vec<_>>() {
            rows.push(run.await.expect("a cell passed"));
        }
    }
    println!("| created by | ended by | answer, then | returned by | answer, then | can sign in |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for row in &rows {
        println!("{}", row.row());
    }

    // What the server did is what docs/scim.md tells operators, cell for
    // cell, and it tells nothing the cells did not show.
    let documented = documented();
    let mut shown = std::collections::BTreeSet::new();
    for o in &rows {
        let table = if o.c == Created::ScimPost { "SCIM POST" } else { "invitation or first run" };
        for (column, did) in [("answer, then", o.end()), (o.r.label(), o.back())] {
            let key = (table.to_string(), o.e.label().to_string(), column.to_string());
            let says = documented.get(&key).unwrap_or_else(|| panic!("docs/scim.md's lifecycle tables have no cell for {key:?}"));
            assert_eq!(says, &did, "docs/scim.md for {} / {} / {column}, created by {}", table, o.e.label(), o.c.label());
            shown.insert(key);
        }
    }
    let unchecked: Vec<_> = documented.keys().filter(|k| !shown.contains(*k)).collect();
    assert!(unchecked.is_empty(), "docs/scim.md says what no cell showed: {unchecked:?}");

    // And the rules in words, against what the server did.
    let did = |c, e, r| rows.iter().find(|o| (o.c, o.e, o.r) == (c, e, r)).unwrap();
    let o = did(Created::ScimPost, Ended::AdminDeactivate, Returned::PatchActive);
    assert_eq!((o.end_status, o.ended.0, o.return_status), (403, true, 200), "admins cannot end IdP-managed people; the IdP can still change them");
    let o = did(Created::Invitation, Ended::Delete, Returned::PostAgain);
    assert_eq!((o.return_status, o.returned), (201, (true, true, false)), "a POST revives the archived record");
    assert!(o.return_audit.iter().any(|a| a == "user.reprovisioned"), "{:?}", o.return_audit);
    let o = did(Created::Setup, Ended::AdminDeactivate, Returned::PostAgain);
    assert_eq!(o.return_status, 201, "a POST links a person Gatehouse managed");
    assert!(o.return_audit.iter().any(|a| a == "user.linked"), "{:?}", o.return_audit);
    let o = did(Created::ScimPost, Ended::PatchOkta, Returned::PostAgain);
    assert_eq!(o.return_status, 409, "the IdP already manages them");
}

//! Documents and exports over HTTP: the permission checks of every document
//! and export endpoint for each built-in account type and for
//! "Creator - No Export", the export files themselves, CSV upload, and the
//! transfer of documents when a person is deactivated (UI and SCIM).
use crate::common;

use app::domain::document_views::{DocumentPage, DocumentsHome, WebhookResult};
use app::domain::permissions::BuiltIn;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;
use std::sync::{Arc, Mutex};

const PW: &str = "a long enough secret";
const CREATOR_NO_EXPORT: &[&str] = &["view_documents", "explore_documents", "create_documents", "upload_csv", "share_documents"];
const ROWS: u64 = 1_500;

struct World {
    app: TestApp,
    admin: Session,
    dataset: String,
}

async fn world() -> World {
    // The webhook receivers of these tests listen on this machine.
    let app = spawn_app_with(|s| s.webhook_allow_private = true).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let body = |name: &str, perms: &[&str]| json!({"org": "acme", "id": null, "input": {"name": name, "description": "", "permissions": perms}});
    let nox: String = ok_json(app.call_json(&mut admin, "save_account_type", body("Creator - No Export", CREATOR_NO_EXPORT)).await).await;
    let looker: String = ok_json(app.call_json(&mut admin, "save_account_type", body("Looker", &["view_documents"])).await).await;
    app.add_user("viewer@acme.example", PW, BuiltIn::Viewer).await;
    app.add_user("creator@acme.example", PW, BuiltIn::Creator).await;
    app.add_user("other@acme.example", PW, BuiltIn::Creator).await;
    app.add_user_of_type("nox@acme.example", PW, &nox).await;
    app.add_user_of_type("looker@acme.example", PW, &looker).await;
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, ROWS).await.unwrap();
    World { app, admin, dataset }
}

impl World {
    async fn session(&self, email: &str) -> Session {
        let (s, res) = self.app.sign_in(email, PW).await;
        assert_eq!(res.status(), StatusCode::OK, "{email} signs in");
        s
    }
    async fn create(&self, s: &mut Session, name: &str) -> reqwest::Response {
        self.app.call(s, "create_document", &[("org", "acme"), ("name", name), ("dataset_id", &self.dataset)]).await
    }
    async fn share_with(&self, s: &mut Session, doc: &str, email: &str) -> reqwest::Response {
        self.app.call(s, "share_document", &[("org", "acme"), ("id", doc), ("email", email)]).await
    }
    async fn page(&self, s: &mut Session, doc: &str, explore: Value) -> reqwest::Response {
        self.app.call_json(s, "document", json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": explore}})).await
    }
    async fn export(&self, s: &Session, doc: &str, ext: &str) -> reqwest::Response {
        self.app.get(s, &format!("/acme/documents/{doc}/export.{ext}")).await
    }
}

fn view(filters: Value, sort: Value) -> Value {
    json!({"columns": ["Order ID", "Region", "Amount"], "filters": filters, "sort": sort})
}

/// A webhook destination on this machine that keeps what it receives.
pub(crate) async fn receiver(status: u16) -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(serde_json::from_slice::<Value>(&body).unwrap());
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

#[tokio::test]
async fn every_document_and_export_endpoint_checks_the_account_type() {
    let w = world().await;
    let app = &w.app;
    let mut creator = w.session("creator@acme.example").await;
    let mut viewer = w.session("viewer@acme.example").await;
    let mut nox = w.session("nox@acme.example").await;
    let mut looker = w.session("looker@acme.example").await;
    let mut admin = w.admin.clone();

    // Creating needs create_documents.
    let doc: String = ok_json(w.create(&mut creator, "Orders by Creator").await).await;
    let nox_doc: String = ok_json(w.create(&mut nox, "Orders by No Export").await).await;
    let admin_doc: String = ok_json(w.create(&mut admin, "Orders by Admin").await).await;
    for s in [&mut viewer, &mut looker] {
        let (st, e) = error_of(w.create(s, "Nope").await).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{}", e.message);
        assert!(e.message.contains("Create, edit and publish documents"), "{}", e.message);
    }
    let (st, _) = error_of(w.create(&mut Session::default(), "Nope").await).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, e) = error_of(w.create(&mut creator, "  ").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("name")));

    // Sharing needs share_documents, and the sharer must own the document.
    for (s, d) in [(&mut creator, &doc), (&mut nox, &nox_doc)] {
        for to in ["viewer@acme.example", "looker@acme.example", "nox@acme.example", "creator@acme.example"] {
            if to != "nox@acme.example" || d != &nox_doc {
                assert_eq!(w.share_with(s, d, to).await.status(), StatusCode::OK);
            }
        }
    }
    let (st, _) = error_of(w.share_with(&mut viewer, &doc, "admin@acme.example").await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "Viewer lacks share_documents");
    let (st, _) = error_of(w.share_with(&mut nox, &doc, "other@acme.example").await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "shared with them is not theirs to share");
    let (st, e) = error_of(w.share_with(&mut creator, &doc, "nobody@acme.example").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("email")));

    // Viewing needs access: the admin was not given the creator's document.
    let p: DocumentPage = ok_json(w.page(&mut viewer, &doc, Value::Null).await).await;
    assert_eq!((p.total, p.rows.len(), p.can_edit, p.can_share), (ROWS as i64, 50, false, false));
    let (st, _) = error_of(w.page(&mut admin, &doc, Value::Null).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = error_of(w.page(&mut Session::default(), &doc, Value::Null).await).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Exploring (own filter and sort) needs explore_documents.
    let explore = json!({"filters": [{"column": "Region", "op": "eq", "value": "West"}], "sort": {"column": "Amount", "desc": true}});
    let p: DocumentPage = ok_json(w.page(&mut viewer, &doc, explore.clone()).await).await;
    assert!(p.total > 0 && p.total < ROWS as i64);
    let region = p.shown.columns.iter().position(|c| c == "Region").unwrap();
    let amount = p.shown.columns.iter().position(|c| c == "Amount").unwrap();
    assert!(p.rows.iter().all(|r| r[region] == "West"));
    let amounts: Vec<f64> = p.rows.iter().map(|r| r[amount].parse().unwrap()).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "sorted by amount, descending");
    let (st, e) = error_of(w.page(&mut looker, &doc, explore).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{}", e.message);
    assert!(ok_json::<DocumentPage>(w.page(&mut looker, &doc, Value::Null).await).await.total > 0);

    // Saving a view needs create_documents and ownership.
    let save = |id: &str, v: Value| json!({"org": "acme", "id": id, "name": "Large western orders", "view": v});
    let good = view(json!([{"column": "Region", "op": "eq", "value": "West"}, {"column": "Amount", "op": "ge", "value": "500"}]), json!({"column": "Amount", "desc": false}));
    ok_json::<()>(app.call_json(&mut creator, "save_document", save(&doc, good.clone())).await).await;
    let (st, _) = error_of(app.call_json(&mut viewer, "save_document", save(&doc, good.clone())).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = error_of(app.call_json(&mut nox, "save_document", save(&doc, good.clone())).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "shared, not theirs");
    let (st, e) = error_of(app.call_json(&mut creator, "save_document", save(&doc, view(json!([{"column": "Amount", "op": "contains", "value": "1"}]), Value::Null))).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("filters")));
    let p: DocumentPage = ok_json(w.page(&mut creator, &doc, Value::Null).await).await;
    assert_eq!((p.name.as_str(), p.saved.columns.len()), ("Large western orders", 3), "the bad save changed nothing");
    let expected = p.total;
    assert!(expected > 0 && expected < ROWS as i64);

    // The export menu lists only what the account type allows.
    let menu = |p: &DocumentPage| p.exports.iter().map(|f| f.key()).collect::<Vec<_>>().join(",");
    assert_eq!(menu(&ok_json(w.page(&mut creator, &doc, Value::Null).await).await), "csv,xlsx,pdf,webhook");
    assert_eq!(menu(&ok_json(w.page(&mut viewer, &doc, Value::Null).await).await), "csv,xlsx,pdf");
    assert_eq!(menu(&ok_json(w.page(&mut nox, &doc, Value::Null).await).await), "");
    assert_eq!(menu(&ok_json(w.page(&mut looker, &doc, Value::Null).await).await), "");
    assert_eq!(menu(&ok_json(w.page(&mut admin, &admin_doc, Value::Null).await).await), "csv,xlsx,pdf,webhook");

    // Every download checks the permission on the server.
    for ext in ["csv", "xlsx", "pdf"] {
        for (who, s, d) in [("creator", &creator, &doc), ("viewer", &viewer, &doc), ("admin", &admin, &admin_doc)] {
            let r = w.export(s, d, ext).await;
            assert_eq!(r.status(), StatusCode::OK, "{who} exports {ext}");
            assert!(!r.bytes().await.unwrap().is_empty());
        }
        for (who, s, d) in [("Creator - No Export", &nox, &doc), ("Creator - No Export (own)", &nox, &nox_doc), ("Looker", &looker, &doc)] {
            let r = w.export(s, d, ext).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} exports {ext}");
            assert!(r.text().await.unwrap().contains("Ask an administrator"));
        }
        assert_eq!(w.export(&Session::default(), &doc, ext).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(w.export(&admin, &doc, ext).await.status(), StatusCode::NOT_FOUND, "not shared with the admin");
    }
    assert_eq!(w.export(&creator, &doc, "exe").await.status(), StatusCode::NOT_FOUND);

    // Webhook: the admin allows the destination; only export_webhook may use it.
    let (url, got) = receiver(200).await;
    let (st, _) = error_of(app.call(&mut creator, "allow_webhook", &[("org", "acme"), ("url", &url)]).await).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only admins allow destinations");
    // Plain http only inside the network (a public address needs https).
    let (st, e) = error_of(app.call(&mut admin, "allow_webhook", &[("org", "acme"), ("url", "http://93.184.216.34/x")]).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("url")));
    assert!(e.message.starts_with("Use https"), "{}", e.message);
    ok_json::<()>(app.call(&mut admin, "allow_webhook", &[("org", "acme"), ("url", &url)]).await).await;
    let p: DocumentPage = ok_json(w.page(&mut creator, &doc, Value::Null).await).await;
    let dest = p.webhooks[0].id.clone();
    let hook = |id: &str| vec![("org", "acme".to_string()), ("id", id.to_string()), ("destination_id", dest.clone())];
    let call = |s: &mut Session, id: &str| {
        let form = hook(id);
        let mut s2 = s.clone();
        async move { app.call(&mut s2, "export_webhook", &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
    };
    for (who, s) in [("Viewer", &mut viewer), ("Creator - No Export", &mut nox), ("Looker", &mut looker)] {
        let (st, _) = error_of(call(s, &doc).await).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who} exports to webhook");
    }
    assert!(got.lock().unwrap().is_empty());
    let r: WebhookResult = ok_json(call(&mut creator, &doc).await).await;
    assert_eq!((r.rows, r.status), (expected as u64, 200));
    let body = got.lock().unwrap().pop().unwrap();
    assert_eq!(body["document"], "Large western orders");
    assert_eq!(body["rows"].as_array().unwrap().len() as i64, expected);
    assert_eq!(body["rows"][0]["Region"], "West");
    assert!(body["rows"][0]["Amount"].as_f64().unwrap() >= 500.0);

    // A failing destination is answered and audited.
    let (bad_url, _) = receiver(500).await;
    ok_json::<()>(app.call(&mut admin, "allow_webhook", &[("org", "acme"), ("url", &bad_url)]).await).await;
    let dests: Vec<app::domain::views::Choice> = ok_json(app.call(&mut admin, "webhook_destinations", &[("org", "acme")]).await).await;
    let bad = dests.iter().find(|d| d.label == bad_url).unwrap().id.clone();
    let (st, e) = error_of(app.call(&mut creator, "export_webhook", &[("org", "acme"), ("id", &doc), ("destination_id", &bad)]).await).await;
    assert_eq!(st, StatusCode::BAD_GATEWAY);
    assert!(e.message.contains("HTTP 500"), "{}", e.message);

    // Every export is in the audit log: who, which document, format, rows.
    let events: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT actor, action, target, detail FROM audit_events WHERE action LIKE 'document.export%' ORDER BY at").fetch_all(&app.db).await.unwrap();
    for ext in ["csv", "xlsx", "pdf"] {
        let row = events.iter().find(|e| e.0 == "creator@acme.example" && e.1 == "document.exported" && e.3.starts_with(&format!("format {ext};"))).unwrap();
        assert_eq!(row.2, "Large western orders");
        assert!(row.3.contains(&format!("{expected} rows")), "{row:?}");
    }
    assert!(events.iter().any(|e| e.1 == "document.exported" && e.3.starts_with("format webhook;") && e.3.contains(&url)));
    assert!(events.iter().any(|e| e.1 == "document.export_failed" && e.3.contains("HTTP 500")));
    let denied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.access_denied' AND actor = 'nox@acme.example'").fetch_one(&app.db).await.unwrap();
    assert!(denied >= 7, "refused exports are audited ({denied})");

    // The landing page: mine, shared with me; creating needs create_documents.
    let home: DocumentsHome = ok_json(app.call(&mut nox, "documents", &[("org", "acme")]).await).await;
    assert_eq!(home.mine.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["Orders by No Export"]);
    assert_eq!(home.shared.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["Large western orders"]);
    assert!(home.can_create && home.can_upload && !home.datasets.is_empty());
    let home: DocumentsHome = ok_json(app.call(&mut viewer, "documents", &[("org", "acme")]).await).await;
    assert!(!home.can_create && !home.can_upload && home.datasets.is_empty() && home.shared.len() == 2);
}

#[tokio::test]
async fn export_files_hold_the_rows() {
    let w = world().await;
    let mut creator = w.session("creator@acme.example").await;
    let doc: String = ok_json(w.create(&mut creator, "All, orders \"2024\"").await).await;

    let r = w.export(&creator, &doc, "csv").await;
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"All_ orders _2024_.csv\"");
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines[0], "Order ID,Order date,Customer,Region,Product,Category,Quantity,Unit price,Amount,Status");
    assert_eq!(lines.len() as u64, ROWS + 1);
    assert!(lines[1].starts_with("100000,2024-01-01,"), "{}", lines[1]);

    let xlsx = w.export(&creator, &doc, "xlsx").await.bytes().await.unwrap();
    let files = unzip(&xlsx);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]);
    let sheet = &files[4].1;
    assert_eq!(sheet.matches("<row>").count() as u64, ROWS + 1);
    assert!(sheet.contains("<t xml:space=\"preserve\">Order ID</t>") && sheet.contains("<c><v>100000</v></c>"));
    assert!(files[2].1.contains("sheet name=\"All, orders &quot;2024&quot;\""));

    let pdf = w.export(&creator, &doc, "pdf").await.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.starts_with("%PDF-1.4") && text.trim_end().ends_with("%%EOF"));
    let pages = ROWS.div_ceil(42);
    assert!(text.contains(&format!("/Count {pages} >>")), "{pages} pages");
    // The cells are in the PDF's text (glyphs of the embedded font, read through its ToUnicode map).
    let shown = app::service::exports::pdf::read::text(&pdf);
    assert!(shown.iter().any(|t| t == "100000") && shown.iter().any(|t| t == "Order ID"), "{:?}", &shown[..shown.len().min(20)]);
}

/// The files of a zip, read through its central directory (a reader's view).
pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    let eocd = (0..bytes.len() - 21).rev().find(|&i| u32_at(i) == 0x0605_4b50).expect("end of central directory");
    let (count, mut at) = (u16_at(eocd + 10), u32_at(eocd + 16));
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(at), 0x0201_4b50);
        let (method, crc, csize, size) = (u16_at(at + 10), u32_at(at + 16) as u32, u32_at(at + 20), u32_at(at + 24));
        let name_len = u16_at(at + 28);
        let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let local = u32_at(at + 42);
        let data = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        let raw = &bytes[data..data + csize];
        let content = if method == 8 {
            let mut s = Vec::new();
            flate2::read::DeflateDecoder::new(raw).read_to_end(&mut s).unwrap();
            s
        } else {
            raw.to_vec()
        };
        assert_eq!((content.len(), crc32fast::hash(&content)), (size, crc), "{name}");
        out.push((name, String::from_utf8(content).unwrap()));
        at += 46 + name_len + u16_at(at + 30) + u16_at(at + 32);
    }
    out
}

#[tokio::test]
async fn csv_upload_checks_size_and_shape_and_stores_nothing_when_bad() {
    let w = world().await;
    let app = &w.app;
    let mut creator = w.session("creator@acme.example").await;
    let mut viewer = w.session("viewer@acme.example").await;
    let count = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM dataset_rows").fetch_one(&app.db).await.unwrap() };
    let before = count().await;
    let up = |s: &mut Session, csv: &str| {
        let mut s = s.clone();
        let csv = csv.to_string();
        async move { app.call(&mut s, "upload_csv", &[("org", "acme"), ("name", "Budget"), ("csv", &csv)]).await }
    };
    let (st, _) = error_of(up(&mut viewer, "a\n1\n").await).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, e) = error_of(up(&mut creator, "Team,Budget\nSales,100\nOps,\"20\n").await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("csv")));
    assert!(e.message.starts_with("Line 3:"), "{}", e.message);
    let (_, e) = error_of(up(&mut creator, "Team,Budget\nSales,100\nOps\n").await).await;
    assert!(e.message.starts_with("Line 3: expected 2 fields, found 1"), "{}", e.message);
    // Over the CSV limit (1 MB), and over the request limit (2 MB).
    let big = format!("a\n{}", "abcdefgh\n".repeat(120_000));
    let (st, e) = error_of(up(&mut creator, &big).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e.message.contains("larger than 1000 KB"), "{}", e.message);
    let (st, e) = error_of(up(&mut creator, &"x\n".repeat(1_000_000)).await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e.message.contains("too large"), "{}", e.message);
    assert_eq!(count().await, before, "nothing stored");

    let id: String = ok_json(up(&mut creator, "Team,Budget\nSales,\"1,200.50\"\nOps,300\n").await).await;
    let home: DocumentsHome = ok_json(app.call(&mut creator, "documents", &[("org", "acme")]).await).await;
    let ds = home.datasets.iter().find(|d| d.id == id).unwrap();
    assert_eq!((ds.row_count, ds.columns[1].kind), (2, app::domain::documents::ColumnKind::Number));
    let doc: String = ok_json(app.call(&mut creator, "create_document", &[("org", "acme"), ("name", "Budget"), ("dataset_id", &id)]).await).await;
    let p: DocumentPage = ok_json(w.page(&mut creator, &doc, json!({"filters": [{"column": "Budget", "op": "gt", "value": "1000"}], "sort": null})).await).await;
    assert_eq!(p.rows, vec![vec!["Sales".to_string(), "1200.5".to_string()]]);
}

async fn home_of(app: &TestApp, s: &mut Session) -> DocumentsHome {
    ok_json(app.call(s, "documents", &[("org", "acme")]).await).await
}

#[tokio::test]
async fn deactivation_moves_documents_to_the_new_owner() {
    let w = world().await;
    let app = &w.app;
    let mut admin = w.admin.clone();
    let mut creator = w.session("creator@acme.example").await;
    let mut other = w.session("other@acme.example").await;
    let a: String = ok_json(w.create(&mut creator, "Pipeline").await).await;
    ok_json::<String>(w.create(&mut creator, "Forecast").await).await;
    ok_json::<String>(w.create(&mut other, "Other's notes").await).await;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM users WHERE email_norm IN ('creator@acme.example', 'other@acme.example') ORDER BY email_norm").fetch_all(&app.db).await.unwrap();
    let nox_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = 'nox@acme.example'").fetch_one(&app.db).await.unwrap();

    // Bulk deactivation, documents to a chosen person.
    ok_json::<()>(app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": ids, "new_owner_id": nox_id})).await).await;
    let mut nox = w.session("nox@acme.example").await;
    let home = home_of(app, &mut nox).await;
    let folders: Vec<(String, Vec<String>)> = home.archived.iter().map(|f| (f.name.clone(), f.documents.iter().map(|d| d.name.clone()).collect())).collect();
    assert_eq!(folders, [("Test Person".to_string(), vec!["Forecast".to_string(), "Other's notes".to_string(), "Pipeline".to_string()])]);
    let p: DocumentPage = ok_json(w.page(&mut nox, &a, Value::Null).await).await;
    assert_eq!(p.location, "My documents > Archived users > Test Person");
    assert!(p.can_edit, "the new owner may edit");
    let moved: Vec<(String, String)> = sqlx::query_as("SELECT target, detail FROM audit_events WHERE action = 'document.transferred' ORDER BY target").fetch_all(&app.db).await.unwrap();
    assert_eq!(moved.len(), 2);
    assert_eq!(moved[0].0, "creator@acme.example");
    assert!(moved[0].1.contains("2 document(s) moved: “Forecast”, “Pipeline” → to nox@acme.example"), "{}", moved[0].1);

    // Deactivating the new owner: default owner is the acting admin, nothing is lost.
    ok_json::<()>(app.call_json(&mut admin, "deactivate_users", json!({"org": "acme", "user_ids": [nox_id], "new_owner_id": null})).await).await;
    let home = home_of(app, &mut admin).await;
    assert_eq!(home.archived.iter().map(|f| f.documents.len()).sum::<usize>(), 3);
    assert!(home.archived.iter().all(|f| f.name == "Test Person"));
    let p: DocumentPage = ok_json(w.page(&mut admin, &a, Value::Null).await).await;
    assert_eq!(p.total, ROWS as i64, "the document still shows its rows");
    let _ = (&mut creator, &mut other);
}

async fn scim(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.http.request(method, format!("{}/scim/v2{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.header("content-type", "application/scim+json").body(b.to_string());
    }
    let res = req.send().await.unwrap();
    let st = res.status();
    let text = res.text().await.unwrap();
    (st, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

#[tokio::test]
async fn scim_deprovisioning_moves_documents_to_the_token_creator() {
    use reqwest::Method;
    let w = world().await;
    let app = &w.app;
    let mut admin = w.admin.clone();
    let t = app.provisioning_token(&mut admin).await;
    let user = |email: &str| json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email, "name": {"givenName": "Noor", "familyName": email.split('@').next().unwrap()}, "userType": "Author", "active": true, "password": "pushed by the IdP 1!"});
    let (st, a) = scim(app, &t.token, Method::POST, "/Users", Some(user("pat@acme.example"))).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let (_, b) = scim(app, &t.token, Method::POST, "/Users", Some(user("kim@acme.example"))).await;
    let (st, g) = scim(app, &t.token, Method::POST, "/Groups", Some(json!({"displayName": "Field Sales", "members": [{"value": a["id"]}, {"value": b["id"]}]}))).await;
    assert_eq!(st, StatusCode::CREATED, "{g}");

    // SCIM users have no password; their documents are made in the store.
    let org_id = app.org_id().await;
    let mk = |owner: &str, team: Option<&str>, name: &str| {
        let (owner, team, name, org_id, ds) = (owner.to_string(), team.map(str::to_string), name.to_string(), org_id.clone(), w.dataset.clone());
        async move {
            let v = app::domain::documents::TableView { columns: vec!["Region".into()], filters: vec![], sort: None };
            app::store::documents::insert(&app.db, app::store::documents::NewDocument { org_id: &org_id, name: &name, dataset_id: &ds, view: &v, owner_id: &owner, team_id: team.as_deref() })
                .await
                .unwrap()
        }
    };
    let (aid, bid, gid) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap(), g["id"].as_str().unwrap());
    mk(aid, None, "Pat's pipeline").await;
    mk(aid, Some(gid), "Team quota").await;
    mk(bid, None, "Kim's accounts").await;
    mk(bid, Some(gid), "Territories").await;

    // PATCH active=false (Okta), then DELETE (Entra) and a group delete.
    let (st, _) = scim(
        app,
        &t.token,
        Method::PATCH,
        &format!("/Users/{aid}"),
        Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]})),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let home = home_of(app, &mut admin).await;
    assert_eq!(home.archived.len(), 1);
    assert_eq!(home.archived[0].name, "Noor pat");
    assert_eq!(home.archived[0].documents.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["Pat's pipeline"]);
    let owner_of = |name: &str| {
        let name = name.to_string();
        async move {
            sqlx::query_as::<_, (String, Option<String>)>("SELECT u.email, d.team_id FROM documents d JOIN users u ON u.id = d.owner_id WHERE d.name = $1").bind(name).fetch_one(&app.db).await.unwrap()
        }
    };
    assert_eq!(owner_of("Team quota").await, (ADMIN_EMAIL.to_string(), Some(gid.to_string())), "stays in the team workspace, new owner");

    assert_eq!(scim(app, &t.token, Method::DELETE, &format!("/Users/{bid}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(owner_of("Kim's accounts").await.0, ADMIN_EMAIL);
    assert_eq!(scim(app, &t.token, Method::DELETE, &format!("/Groups/{gid}"), None).await.0, StatusCode::NO_CONTENT);
    let home = home_of(app, &mut admin).await;
    let folders: Vec<(String, usize)> = home.archived.iter().map(|f| (f.name.clone(), f.documents.len())).collect();
    assert_eq!(folders, [("Field Sales (team)".to_string(), 2), ("Noor kim".to_string(), 1), ("Noor pat".to_string(), 1)]);
    let moved: Vec<(String, String, String)> = sqlx::query_as("SELECT actor, target, detail FROM audit_events WHERE action = 'document.transferred' ORDER BY at").fetch_all(&app.db).await.unwrap();
    assert_eq!(moved.len(), 3);
    assert!(moved.iter().all(|m| m.0 == "SCIM token “Okta”" && m.2.ends_with(&format!("→ to {ADMIN_EMAIL}"))), "{moved:?}");
    assert!(moved[2].2.contains("“Team quota”, “Territories”"), "{moved:?}");
}

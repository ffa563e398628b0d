//! Webhook destinations over HTTP: by default only public addresses are
//! allowed (loopback, private, link-local, the cloud metadata address and
//! names that lead there are refused), when an admin allows a destination and
//! again before each post; with `--webhook-allow-private` receivers on this
//! machine work; redirects are not followed; failures are told in plain words.
use crate::common;

use app::domain::document_views::WebhookResult;
use app::domain::permissions::BuiltIn;
use common::*;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};

const PW: &str = "a long enough secret";

/// A receiver on this machine: answers POST /hook with `status` (and a
/// `Location` when given), keeps what it received.
async fn receiver(status: u16, location: Option<String>) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (keep, location) = (keep.clone(), location.clone());
            async move {
                keep.lock().unwrap().push(body.to_vec());
                let mut res = axum::response::IntoResponse::into_response(axum::http::StatusCode::from_u16(status).unwrap());
                if let Some(l) = location {
                    res.headers_mut().insert("location", l.parse().unwrap());
                }
                res
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

struct World {
    app: TestApp,
    admin: Session,
    creator: Session,
    doc: String,
}

async fn world(allow_private: bool) -> World {
    let app = spawn_app_with(|s| s.webhook_allow_private = allow_private).await;
    app.setup_acme().await;
    let admin = app.admin_session().await;
    let dataset = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, 300).await.unwrap();
    app.add_user("creator@acme.example", PW, BuiltIn::Creator).await;
    let (mut creator, _) = app.sign_in("creator@acme.example", PW).await;
    let doc: String = ok_json(app.call(&mut creator, "create_document", &[("org", "acme"), ("name", "Orders"), ("dataset_id", &dataset)]).await).await;
    World { app, admin, creator, doc }
}

impl World {
    async fn allow(&mut self, url: &str) -> reqwest::Response {
        self.app.call(&mut self.admin, "allow_webhook", &[("org", "acme"), ("url", url)]).await
    }
    async fn destination(&mut self, url: &str) -> String {
        let dests: Vec<app::domain::views::Choice> = ok_json(self.app.call(&mut self.admin, "webhook_destinations", &[("org", "acme")]).await).await;
        dests.into_iter().find(|d| d.label == url).unwrap_or_else(|| panic!("{url} is allowed")).id
    }
    async fn export(&mut self, destination: &str) -> reqwest::Response {
        let doc = self.doc.clone();
        self.app.call(&mut self.creator, "export_webhook", &[("org", "acme"), ("id", &doc), ("destination_id", destination)]).await
    }
    async fn failed_exports(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'document.export_failed' ORDER BY at").fetch_all(&self.app.db).await.unwrap()
    }
}

#[tokio::test]
async fn destinations_inside_the_network_are_refused_by_default() {
    let mut w = world(false).await;
    let (url, got) = receiver(200, None).await;
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap().to_string();
    let inside = [
        url.clone(),
        format!("https://127.0.0.1:{port}/hook"),
        "https://10.1.2.3/hook".to_string(),
        "https://192.168.0.10/hook".to_string(),
        format!("https://[::1]:{port}/hook"),
        format!("https://localhost:{port}/hook"),
        "https://[::ffff:127.0.0.1]/hook".to_string(),
        "https://169.254.10.20/hook".to_string(),
        "https://[fd00::1]/hook".to_string(),
    ];
    for u in &inside {
        let (st, e) = error_of(w.allow(u).await).await;
        assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("url")), "{u}: {}", e.message);
        assert!(e.message.contains("--webhook-allow-private"), "{u}: {}", e.message);
    }
    for u in ["https://169.254.169.254/latest/meta-data/", "https://0.0.0.0/hook", "https://224.0.0.1/hook"] {
        let (st, e) = error_of(w.allow(u).await).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{u}");
        assert!(e.message.contains("never a webhook destination"), "{u}: {}", e.message);
    }
    let (_, e) = error_of(w.allow("https://169.254.169.254/latest/meta-data/").await).await;
    assert!(e.message.contains("the cloud metadata address"), "{}", e.message);
    let (_, e) = error_of(w.allow(&format!("https://localhost:{port}/hook")).await).await;
    assert!(e.message.starts_with(&format!("localhost leads to ")) && e.message.contains("a loopback address"), "{}", e.message);
    let mut admin = w.admin.clone();
    let none: Vec<app::domain::views::Choice> = ok_json(w.app.call(&mut admin, "webhook_destinations", &[("org", "acme")]).await).await;
    assert!(none.is_empty(), "nothing was allowed");

    // A destination allowed before (another configuration, or a name whose
    // DNS answer has changed since) is checked again before posting.
    let org_id = w.app.org_id().await;
    let admin_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(ADMIN_EMAIL).fetch_one(&w.app.db).await.unwrap();
    let admin = app::service::Actor { id: Some(admin_id), kind: app::service::ActorKind::Admin, ..app::service::Actor::operator(&org_id, ADMIN_EMAIL) };
    app::service::webhooks::allow(&w.app.db, &admin, &url).await.unwrap();
    let dest = w.destination(&url).await;
    let (st, e) = error_of(w.export(&dest).await).await;
    assert_eq!(st, StatusCode::BAD_GATEWAY);
    assert!(e.message.contains("the destination leads to an address Gatehouse does not post to"), "{}", e.message);
    assert!(got.lock().unwrap().is_empty(), "nothing was posted");
    let failed = w.failed_exports().await;
    assert!(failed.iter().any(|d| d.starts_with("format webhook; 0 rows (failed) to ") && d.contains("does not post to")), "{failed:?}");
}

#[tokio::test]
async fn with_private_destinations_allowed_posts_work_and_failures_are_plain() {
    let mut w = world(true).await;

    // A receiver on this machine gets every row.
    let (url, got) = receiver(200, None).await;
    ok_json::<()>(w.allow(&url).await).await;
    let dest = w.destination(&url).await;
    let r: WebhookResult = ok_json(w.export(&dest).await).await;
    assert_eq!((r.rows, r.status), (300, 200));
    let body: serde_json::Value = serde_json::from_slice(&got.lock().unwrap()[0]).unwrap();
    assert_eq!(body["rows"].as_array().unwrap().len(), 300);

    // The metadata address stays refused.
    let (st, e) = error_of(w.allow("https://169.254.169.254/latest/meta-data/").await).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{}", e.message);

    // What went wrong, in plain words; the HTTP client's own error stays in the server log.
    let (bad, _) = receiver(502, None).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let (target, target_got) = receiver(200, None).await;
    let (redirect, _) = receiver(307, Some(target.clone())).await;
    for (u, says) in [(&bad, "the destination answered HTTP 502"), (&closed, "the destination refused the connection"), (&redirect, "the destination answered HTTP 307")] {
        ok_json::<()>(w.allow(u).await).await;
        let dest = w.destination(u).await;
        let (st, e) = error_of(w.export(&dest).await).await;
        assert_eq!(st, StatusCode::BAD_GATEWAY, "{u}");
        // A 502 is a server error: its message ends with the request's reference.
        let plain = format!("The export to {u} failed: {says}. Nothing was retried; check the destination and export again. Reference: ");
        assert!(e.message.starts_with(&plain), "{}", e.message);
    }
    assert!(target_got.lock().unwrap().is_empty(), "the redirect was not followed");
    for d in w.failed_exports().await {
        for leak in ["error sending request", "tcp connect", "os error", "Connection refused", "hyper"] {
            assert!(!d.contains(leak), "the audit log has the client's own error: {d}");
        }
    }
}

/// Administration > Account: an admin removes an allowed destination. It is
/// gone from the export menu's choices, exports to it are refused, the
/// removal is audited; removing it again, or an id that never existed, is a
/// 404 that says so; people who do not administer are refused.
#[tokio::test]
async fn an_admin_removes_a_destination_and_exports_to_it_stop() {
    let mut w = world(true).await;
    let (url, got) = receiver(200, None).await;
    ok_json::<()>(w.allow(&url).await).await;
    let dest = w.destination(&url).await;

    // Someone who does not administer cannot remove it.
    let (st, e) = error_of(w.app.call(&mut w.creator, "remove_webhook", &[("org", "acme"), ("id", &dest)]).await).await;
    assert_eq!((st, e.kind), (StatusCode::FORBIDDEN, app::error::ErrorKind::Forbidden), "{}", e.message);
    w.destination(&url).await;

    ok_json::<()>(w.app.call(&mut w.admin, "remove_webhook", &[("org", "acme"), ("id", &dest)]).await).await;
    let left: Vec<app::domain::views::Choice> = ok_json(w.app.call(&mut w.admin, "webhook_destinations", &[("org", "acme")]).await).await;
    assert!(left.is_empty(), "{left:?}");
    let removed: Vec<(String, String)> = sqlx::query_as("SELECT actor, target FROM audit_events WHERE action = 'webhook.removed'").fetch_all(&w.app.db).await.unwrap();
    assert_eq!(removed, [(ADMIN_EMAIL.to_string(), url.clone())]);

    // An export to it is refused, and nothing is posted.
    let (st, e) = error_of(w.export(&dest).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("destination")), "{}", e.message);
    assert!(e.message.contains("Choose a destination your administrator allowed"), "{}", e.message);
    assert!(got.lock().unwrap().is_empty(), "nothing was posted");

    // Removing it again, or an id that never existed: 404, said in words, nothing audited.
    for id in [dest.as_str(), "no-such-destination"] {
        let (st, e) = error_of(w.app.call(&mut w.admin, "remove_webhook", &[("org", "acme"), ("id", id)]).await).await;
        assert_eq!((st, e.kind), (StatusCode::NOT_FOUND, app::error::ErrorKind::NotFound), "{id}");
        assert_eq!(e.message, "That destination was already removed.", "{id}");
    }
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'webhook.removed'").fetch_one(&w.app.db).await.unwrap();
    assert_eq!(audited, 1);
}

//! Exports under hostile load, over HTTP: downloads whose clients never read
//! leave the database to everyone else, are limited per person and per
//! organization (429 with Retry-After), end after the stall timeout, and give
//! everything back when their clients go away; and an export read in pages
//! keeps the view's order (sort, ties, empty cells) across page boundaries.
use crate::common;

use app::domain::permissions::BuiltIn;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const PW: &str = "a long enough secret";
/// Large enough that a CSV of it (about 7.7 MB) never fits in the sockets'
/// buffers (Linux lets a send buffer grow to 4 MB). CSV, not PDF: a PDF's pages
/// are compressed (smaller, and costly to make in a debug build).
const ROWS: u64 = 100_000;
/// The rows made as the demo makes them; the rest are copies of these made by
/// the database itself (row by row through a debug build of the app's insert
/// path, 100,000 rows took 8 s of CPU per test).
const MADE_ROWS: u64 = 5_000;
/// Liveness, not latency: an answer within this long counts as served.
const ANSWERS_WITHIN: Duration = Duration::from_secs(30);

struct Org {
    app: TestApp,
    admin: Session,
    /// p0, p1, … (Creators), each with a document over the large dataset.
    people: Vec<Session>,
    docs: Vec<String>,
    token: String,
}

async fn org_with_a_large_document(people: usize, change: impl FnOnce(&mut gatehouse_server::Settings)) -> Org {
    let app = spawn_app_with(change).await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let dataset = large_orders_dataset(&app).await;
    let (mut sessions, mut docs) = (Vec::new(), Vec::new());
    for i in 0..people {
        let email = format!("p{i}@acme.example");
        app.add_user(&email, PW, BuiltIn::Creator).await;
        let (mut s, res) = app.sign_in(&email, PW).await;
        assert_eq!(res.status(), StatusCode::OK);
        docs.push(ok_json(app.call(&mut s, "create_document", &[("org", "acme"), ("name", "All orders"), ("dataset_id", &dataset)]).await).await);
        sessions.push(s);
    }
    let t = app.provisioning_token(&mut admin).await;
    Org { app, admin, people: sessions, docs, token: t.token }
}

/// The demo's orders dataset at ROWS rows: MADE_ROWS made by the demo's
/// generator, then copied (with new row numbers) until there are ROWS. What
/// these tests need is the size; repeated orders change nothing for them.
async fn large_orders_dataset(app: &TestApp) -> String {
    let id = gatehouse_server::demo_data::orders_dataset(&app.db, &app.org_id().await, MADE_ROWS).await.unwrap();
    // Every slot a dataset row has (app::domain::documents).
    use app::domain::documents::{MAX_NUMBER_COLUMNS, MAX_TEXT_COLUMNS};
    let slots = (1..=MAX_TEXT_COLUMNS).map(|i| format!("t{i}")).chain((1..=MAX_NUMBER_COLUMNS).map(|i| format!("n{i}")));
    let cells = slots.collect::<Vec<_>>().join(", ");
    let copy = format!("INSERT INTO dataset_rows (dataset_id, row_no, {cells}) SELECT dataset_id, row_no + $2, {cells} FROM dataset_rows WHERE dataset_id = $1 AND row_no <= $3");
    let mut have = MADE_ROWS;
    while have < ROWS {
        let n = have.min(ROWS - have);
        sqlx::query(&copy).bind(&id).bind(have as i64).bind(n as i64).execute(&app.db).await.unwrap();
        have += n;
    }
    sqlx::query("UPDATE datasets SET row_count = $1 WHERE id = $2").bind(ROWS as i64).bind(&id).execute(&app.db).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dataset_rows WHERE dataset_id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
    assert_eq!(count, ROWS as i64);
    id
}

/// A download whose client reads the status and headers, then nothing more.
struct Download {
    stream: TcpStream,
    status: u16,
    head: String,
    /// The body of a refusal (read whole; a file's body is left unread).
    refusal: String,
}

impl Download {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
    }
}

async fn open_download(app: &TestApp, s: &Session, doc: &str) -> Download {
    let addr: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    // A small receive buffer, as a client that stopped reading long ago has.
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    let cookie = s.cookie.as_deref().expect("signed in");
    let req = format!("GET /acme/documents/{doc}/export.csv HTTP/1.1\r\nHost: {addr}\r\nCookie: gatehouse_session={cookie}\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tokio::time::timeout(ANSWERS_WITHIN, stream.read_exact(&mut byte)).await.expect("the download answers").unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut d = Download { stream, status, head, refusal: String::new() };
    if status != 200 {
        let len: usize = d.header("content-length").map_or(0, |v| v.parse().unwrap());
        let mut body = vec![0; len];
        d.stream.read_exact(&mut body).await.unwrap();
        d.refusal = String::from_utf8(body).unwrap();
    }
    d
}

/// Polls `check` until it holds, for at most `within` (a liveness check).
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {} s", within.as_secs());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl Org {
    /// The admin's Users page, as the browser asks for it.
    async fn users_page(&self) -> StatusCode {
        let query = json!({"org": "acme", "query": {"search": "", "account_type": "", "status": "active", "sort": "name", "page": 1}});
        let req = self.app.http.post(format!("{}/api/users", self.app.base)).header("origin", &self.app.base).header("cookie", format!("gatehouse_session={}", self.admin.cookie.as_deref().unwrap()));
        match req.json(&query).timeout(ANSWERS_WITHIN).send().await {
            Ok(r) => r.status(),
            Err(e) => panic!("the Users page did not answer: {e}"),
        }
    }

    /// The identity provider looks a person up by userName.
    async fn scim_lookup(&self) -> (StatusCode, Value) {
        let url = format!("{}/scim/v2/Users?filter=userName%20eq%20%22p1%40acme.example%22", self.app.base);
        match self.app.http.get(url).bearer_auth(&self.token).timeout(ANSWERS_WITHIN).send().await {
            Ok(r) => (r.status(), r.json().await.unwrap_or(Value::Null)),
            Err(e) => panic!("the SCIM look-up did not answer: {e}"),
        }
    }

    async fn healthz(&self) -> StatusCode {
        self.app.http.get(format!("{}/healthz", self.app.base)).timeout(ANSWERS_WITHIN).send().await.map(|r| r.status()).unwrap_or(StatusCode::REQUEST_TIMEOUT)
    }

    async fn exports_audited(&self, detail: &str) -> Vec<(String, String)> {
        sqlx::query_as("SELECT actor, detail FROM audit_events WHERE action = 'document.exported' AND detail LIKE $1 ORDER BY at").bind(format!("%{detail}%")).fetch_all(&self.app.db).await.unwrap()
    }
}

#[tokio::test]
async fn downloads_nobody_reads_leave_the_database_to_everyone_else() {
    // A stall timeout longer than the test: what is checked here is paging and the limits.
    let o = org_with_a_large_document(13, |s| s.export_stall_timeout = Duration::from_secs(600)).await;

    // 40 CSV downloads that are never read: four by p0, then three each by
    // p1…p12, all at once.
    let mut downloads = Vec::new();
    for _ in 0..4 {
        downloads.push(open_download(&o.app, &o.people[0], &o.docs[0]).await);
    }
    let others = (0..36).map(|i| 1 + i % 12).map(|p| open_download(&o.app, &o.people[p], &o.docs[p]));
    downloads.extend(futures_util::future::join_all(others).await);

    // Everyone else is still served: an admin's Users page, the identity
    // provider's look-up, the health check.
    assert_eq!(o.users_page().await, StatusCode::OK, "the Users page");
    let (st, found) = o.scim_lookup().await;
    assert_eq!((st, found["totalResults"].as_i64()), (StatusCode::OK, Some(1)), "SCIM look-up: {found}");
    assert_eq!(o.healthz().await, StatusCode::OK);
    if o.app.db_url.starts_with("sqlite") {
        // No read stays open across a stalled client, so SQLite can copy the
        // whole write-ahead log back into the database.
        o.app.add_user("writer@acme.example", PW, BuiltIn::Viewer).await;
        eventually(ANSWERS_WITHIN, "a complete WAL checkpoint", || async {
            let (busy, log, done): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&o.app.db).await.unwrap();
            busy == 0 && log == done
        })
        .await;
    }

    // The limits: three at once per person, ten per organization.
    let fourth = &downloads[3];
    assert_eq!(fourth.status, 429, "p0's fourth download at once: {}", fourth.head);
    assert_eq!(fourth.header("retry-after"), Some("10"));
    assert!(fourth.refusal.starts_with("You already have 3 exports in progress."), "{}", fourth.refusal);
    let running = downloads.iter().filter(|d| d.status == 200).count();
    assert_eq!(running, 10, "ten downloads run for the organization");
    let org_full: Vec<&Download> = downloads.iter().skip(4).filter(|d| d.status == 429).collect();
    assert_eq!(org_full.len(), 29);
    for d in org_full {
        assert!(d.refusal.starts_with("Acme already has 10 exports in progress"), "{}", d.refusal);
        assert_eq!(d.header("retry-after"), Some("10"));
    }

    // A webhook export counts too: p0 has three exports running.
    let org_id = o.app.org_id().await;
    let admin_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email_norm = $1").bind(ADMIN_EMAIL).fetch_one(&o.app.db).await.unwrap();
    let admin = app::service::Actor { id: Some(admin_id), kind: app::service::ActorKind::Admin, ..app::service::Actor::operator(&org_id, ADMIN_EMAIL) };
    app::service::webhooks::allow(&o.app.db, &admin, "https://hooks.example.com/gatehouse").await.unwrap();
    let dest: String = sqlx::query_scalar("SELECT id FROM webhook_destinations WHERE org_id = $1").bind(&org_id).fetch_one(&o.app.db).await.unwrap();
    let mut p0 = o.people[0].clone();
    let res = o.app.call(&mut p0, "export_webhook", &[("org", "acme"), ("id", &o.docs[0]), ("destination_id", &dest)]).await;
    assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("10"));
    let (st, e) = error_of(res).await;
    assert_eq!((st, e.kind), (StatusCode::TOO_MANY_REQUESTS, app::error::ErrorKind::RateLimited));
    assert!(e.message.starts_with("You already have 3 exports in progress."), "{}", e.message);

    // The clients go away: every export ends, is audited, and gives its place back.
    drop(downloads);
    eventually(ANSWERS_WITHIN, "ten cancelled exports in the audit log", || async { o.exports_audited("format csv;").await.len() == 10 }).await;
    for (actor, detail) in o.exports_audited("format csv;").await {
        assert!(actor.starts_with('p') && actor.ends_with("@acme.example"), "{actor}");
        assert!(detail.ends_with("rows (cancelled by the client)"), "{detail}");
    }
    let again: Vec<Download> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(open_download(&o.app, &o.people[0], &o.docs[0]).await);
        }
        v
    };
    assert!(again.iter().all(|d| d.status == 200), "p0 may export again");
    drop(again);
    assert_eq!(o.healthz().await, StatusCode::OK);
    eventually(ANSWERS_WITHIN, "every pooled connection idle", || async { o.app.db.num_idle() as u32 == o.app.db.size() }).await;
}

#[tokio::test]
async fn a_download_nobody_reads_is_cancelled_after_the_stall_timeout() {
    let o = org_with_a_large_document(1, |s| s.export_stall_timeout = Duration::from_secs(1)).await;
    let mut stalled = Vec::new();
    for _ in 0..3 {
        let d = open_download(&o.app, &o.people[0], &o.docs[0]).await;
        assert_eq!(d.status, 200);
        stalled.push(d);
    }

    // The clients keep their connections open and read nothing: each export
    // ends as cancelled, is audited, and gives its place back.
    eventually(Duration::from_secs(60), "three exports cancelled for not being read", || async { o.exports_audited("(cancelled: the client stopped reading)").await.len() == 3 }).await;
    for (actor, detail) in o.exports_audited("format csv;").await {
        assert_eq!(actor, "p0@acme.example");
        assert!(detail.starts_with("format csv; ") && detail.ends_with(" rows (cancelled: the client stopped reading)"), "{detail}");
    }
    let more = open_download(&o.app, &o.people[0], &o.docs[0]).await;
    assert_eq!(more.status, 200, "p0 may export again while the stalled connections are still open");

    // What a stalled client reads afterwards ends broken (no last chunk),
    // never like a whole file.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(ANSWERS_WITHIN, stalled[0].stream.read_to_end(&mut rest)).await.expect("the connection ends");
    assert!(!rest.is_empty());
    assert!(!rest.ends_with(b"0\r\n\r\n"), "the chunked body must not end as if complete");
}

#[tokio::test]
async fn an_export_read_in_pages_keeps_the_views_order() {
    let app = spawn_app().await;
    app.setup_acme().await;
    app.add_user("creator@acme.example", PW, BuiltIn::Creator).await;
    let (mut s, _) = app.sign_in("creator@acme.example", PW).await;

    // 2,500 rows (three pages): a text key of five values and a number with
    // many ties, both with empty cells, so page boundaries fall inside ties.
    let keys = ["kd", "ka", "kc", "kb", "ke"];
    let rows: Vec<(i64, Option<&str>, Option<f64>)> = (0..2500u64)
        .map(|i| {
            let r = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            let key = (i % 11 != 0).then(|| keys[(r % 5) as usize]);
            let amount = (i % 13 != 0).then(|| ((r / 5) % 7) as f64 * 10.0);
            (i as i64 + 1, key, amount)
        })
        .collect();
    let mut csv = String::from("Id,Key,Amount\n");
    for (id, key, amount) in &rows {
        csv.push_str(&format!("{id},{},{}\n", key.unwrap_or(""), amount.map(|a| a.to_string()).unwrap_or_default()));
    }
    let dataset: String = ok_json(app.call(&mut s, "upload_csv", &[("org", "acme"), ("name", "Ties"), ("csv", &csv)]).await).await;
    let doc: String = ok_json(app.call(&mut s, "create_document", &[("org", "acme"), ("name", "Ties"), ("dataset_id", &dataset)]).await).await;

    type Row<'a> = (i64, Option<&'a str>, Option<f64>);
    let by_key = |desc: bool| {
        move |a: &Row, b: &Row| {
            let v = match (a.1, b.1) {
                (Some(x), Some(y)) if desc => y.cmp(x),
                (x, y) => (x.is_none(), x).cmp(&(y.is_none(), y)),
            };
            v.then(a.0.cmp(&b.0))
        }
    };
    let by_amount = |desc: bool| {
        move |a: &Row, b: &Row| {
            let v = match (a.2, b.2) {
                (Some(x), Some(y)) if desc => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (x, y) => x.is_none().cmp(&y.is_none()),
            };
            v.then(a.0.cmp(&b.0))
        }
    };
    let cases: Vec<(Value, Value, Vec<i64>)> = vec![
        (json!([]), json!({"column": "Key", "desc": false}), expected(&rows, |_| true, by_key(false))),
        (json!([]), json!({"column": "Key", "desc": true}), expected(&rows, |_| true, by_key(true))),
        (json!([]), json!({"column": "Amount", "desc": true}), expected(&rows, |_| true, by_amount(true))),
        (json!([{"column": "Key", "op": "ne", "value": "kc"}]), json!({"column": "Amount", "desc": false}), expected(&rows, |r| r.1 != Some("kc"), by_amount(false))),
        (json!([{"column": "Key", "op": "eq", "value": "ka"}]), Value::Null, expected(&rows, |r| r.1 == Some("ka"), |a: &Row, b: &Row| a.0.cmp(&b.0))),
    ];
    for (filters, sort, want) in cases {
        let view = json!({"columns": ["Id", "Key", "Amount"], "filters": filters, "sort": sort});
        ok_json::<()>(app.call_json(&mut s, "save_document", json!({"org": "acme", "id": doc, "name": "Ties", "view": view})).await).await;
        let text = app.get(&s, &format!("/acme/documents/{doc}/export.csv")).await.text().await.unwrap();
        let got: Vec<i64> = text.trim_end().split("\r\n").skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
        assert_eq!(got.len(), want.len(), "{view}");
        assert!(got == want, "{view}: first difference at row {}", got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0));
    }
}

fn expected<'a>(
    rows: &[(i64, Option<&'a str>, Option<f64>)],
    keep: impl Fn(&(i64, Option<&'a str>, Option<f64>)) -> bool,
    order: impl Fn(&(i64, Option<&'a str>, Option<f64>), &(i64, Option<&'a str>, Option<f64>)) -> std::cmp::Ordering,
) -> Vec<i64> {
    let mut v: Vec<_> = rows.iter().copied().filter(|r| keep(r)).collect();
    v.sort_by(|a, b| order(a, b));
    v.into_iter().map(|r| r.0).collect()
}

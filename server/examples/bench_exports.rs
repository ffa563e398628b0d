//! Benchmark: streaming exports. Starts Gatehouse on a fresh SQLite file with
//! the demo orders dataset (BENCH_ROWS, default 50,000) and a document showing
//! all ten columns (and a second one sorted by Amount), signs in as its owner,
//! then downloads the CSV, Excel and PDF exports, and the sorted document's
//! CSV, over HTTP (BENCH_ROUNDS each, default 3) and reports time to
//! first byte, total time, size, and the process's peak memory during each
//! download (VmHWM, reset before each through /proc/self/clear_refs; the
//! client streams and keeps nothing, so the peak is the server's). Then what
//! row-level security costs, before and after in the same run: the document's
//! page and its CSV export with no row rule, with `Region is one of {region}`
//! (a value naming all five regions: the same rows, so the difference is the
//! rule's), and with `Region = {region}` (West: about a fifth of the rows).
//! Run: `make bench` (release build).
use futures_util::StreamExt;
use gatehouse_server::{build_app, demo_data, open_database, Settings};
use std::net::SocketAddr;
use std::time::Instant;

fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let db = open_database(&url).await?;
    let password = "benchmark password 1";
    let done = app::service::setup::create_organization(
        &db,
        app::service::setup::SetupInput {
            org_name: "Acme".into(),
            org_slug: "acme".into(),
            first_name: "Ada".into(),
            last_name: "Admin".into(),
            email: "admin@acme.example".into(),
            password: password.into(),
        },
        app::service::setup::Proof::ServerMachine,
        "bench",
        "",
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let org_id = done.org.id;
    let t = Instant::now();
    let dataset = demo_data::orders_dataset(&db, &org_id, rows).await?;
    println!("seeded {rows} order rows in {:.1} s", t.elapsed().as_secs_f64());
    let owner: String = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1").bind(&org_id).fetch_one(&db).await?;
    let view = app::domain::documents::TableView { columns: demo_data::all_columns(), filters: vec![], sort: None };
    let doc =
        app::store::documents::insert(&db, app::store::documents::NewDocument { org_id: &org_id, name: "All orders", dataset_id: &dataset, view: &view, owner_id: &owner, team_id: None }).await?;
    // The same rows sorted by a column: each page is found by a pass over the dataset.
    let sorted_view = app::domain::documents::TableView { columns: demo_data::all_columns(), filters: vec![], sort: Some(app::domain::documents::Sort { column: "Amount".into(), desc: true }) };
    let sorted = app::store::documents::insert(
        &db,
        app::store::documents::NewDocument { org_id: &org_id, name: "All orders by amount", dataset_id: &dataset, view: &sorted_view, owner_id: &owner, team_id: None },
    )
    .await?;

    let settings = Settings { database_url: url, bind: "127.0.0.1:0".parse()?, site_root: "target/site".into(), ..Settings::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = build_app(&settings, db, addr).await?;
    tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await });
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let r = http.post(format!("{base}/api/sign_in")).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password)]).send().await?;
    anyhow::ensure!(r.status().is_success(), "sign-in failed: {}", r.status());

    println!("process memory before the downloads: {} MB resident", status_kb("VmRSS:") / 1024);
    println!("{:<11} {:>7} {:>10} {:>10} {:>10} {:>14}", "format", "round", "TTFB", "total", "size", "peak RSS");
    for (label, doc, ext) in [("csv", &doc, "csv"), ("xlsx", &doc, "xlsx"), ("pdf", &doc, "pdf"), ("csv, sorted", &sorted, "csv")] {
        for round in 1..=rounds {
            let _ = std::fs::write("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
            let t = Instant::now();
            let res = http.get(format!("{base}/acme/documents/{doc}/export.{ext}")).send().await?;
            anyhow::ensure!(res.status().is_success(), "{label}: {}", res.status());
            let mut body = res.bytes_stream();
            let mut ttfb = None;
            let mut size = 0usize;
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                if ttfb.is_none() && !chunk.is_empty() {
                    ttfb = Some(t.elapsed());
                }
                size += chunk.len();
            }
            let total = t.elapsed();
            println!(
                "{:<11} {:>7} {:>7.1} ms {:>8.0} ms {:>7.1} MB {:>11} MB",
                label,
                round,
                ttfb.unwrap_or(total).as_secs_f64() * 1000.0,
                total.as_secs_f64() * 1000.0,
                size as f64 / 1e6,
                status_kb("VmHWM:") / 1024
            );
        }
    }
    row_level_security(&http, &base, &doc, rounds).await
}

/// Median of the durations, in milliseconds.
fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn post_ok(http: &reqwest::Client, url: String, form: &[(&str, &str)]) -> anyhow::Result<String> {
    let r = http.post(url).form(form).send().await?;
    anyhow::ensure!(r.status().is_success(), "{}: {}", r.status(), r.text().await?);
    Ok(r.text().await?)
}

/// The document's first page (the JSON its page loads) and its CSV export,
/// under each row rule in turn.
async fn row_level_security(http: &reqwest::Client, base: &str, doc: &str, rounds: usize) -> anyhow::Result<()> {
    let body = serde_json::json!({"org": "acme", "id": null, "input": {"name": "region", "description": "", "default_value": ""}});
    let r = http.post(format!("{base}/api/save_user_attribute")).json(&body).send().await?;
    anyhow::ensure!(r.status().is_success(), "define region: {}", r.status());
    let region: String = r.json().await?;
    let page_rounds = rounds.max(5) * 4;
    println!();
    println!("row-level security: the document's page (median of {page_rounds}) and its CSV export (median of {rounds})");
    println!("{:<34} {:>8} {:>10} {:>12}", "rule", "rows", "page", "CSV export");
    let rules: [(&str, &str, &str); 3] = [("none", "", ""), ("Region is one of {region}", "in", "North, South, East, West, Central"), ("Region = {region}", "eq", "West")];
    for (label, op, value) in rules {
        let attribute = if op.is_empty() { "" } else { region.as_str() };
        if !value.is_empty() {
            post_ok(http, format!("{base}/api/set_user_attribute_value"), &[("org", "acme"), ("attribute_id", &region), ("email", "admin@acme.example"), ("value", value)]).await?;
        }
        post_ok(http, format!("{base}/api/set_row_rule"), &[("org", "acme"), ("id", doc), ("column", "Region"), ("op", op), ("attribute_id", attribute)]).await?;
        let mut pages = Vec::new();
        let mut total = 0i64;
        for _ in 0..page_rounds {
            let t = Instant::now();
            let r = http.post(format!("{base}/api/document")).json(&serde_json::json!({"org": "acme", "id": doc, "query": {"page": 1, "explore": null}})).send().await?;
            anyhow::ensure!(r.status().is_success(), "page: {}", r.status());
            let v: serde_json::Value = r.json().await?;
            pages.push(t.elapsed().as_secs_f64() * 1000.0);
            total = v["total"].as_i64().unwrap_or(0);
        }
        let mut exports = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let res = http.get(format!("{base}/acme/documents/{doc}/export.csv")).send().await?;
            anyhow::ensure!(res.status().is_success(), "export: {}", res.status());
            let mut body = res.bytes_stream();
            while let Some(chunk) = body.next().await {
                chunk?;
            }
            exports.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!("{:<34} {:>8} {:>7.1} ms {:>9.0} ms", label, total, median_ms(pages), median_ms(exports));
    }
    Ok(())
}

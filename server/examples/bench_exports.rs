//! Benchmark: streaming exports. Starts Gatehouse on a fresh SQLite file with
//! the demo orders dataset (BENCH_ROWS, default 50,000) and a document showing
//! all ten columns (and a second one sorted by Amount), signs in as its owner,
//! then downloads the CSV, Excel and PDF exports, and the sorted document's
//! CSV, over HTTP (BENCH_ROUNDS each, default 3) and reports time to
//! first byte, total time, size, and the process's peak memory during each
//! download (VmHWM, reset before each through /proc/self/clear_refs; the
//! client streams and keeps nothing, so the peak is the server's).
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
    Ok(())
}

//! Benchmark: the Users page's server time at scale. Starts Gatehouse on a
//! fresh SQLite file, seeds N users (default 100,000) and 500 teams, signs in,
//! then times the `users` server function over HTTP for the first page, a
//! search, a filter and a deep page. Run: `make bench` (release build).
use gatehouse_server::{build_app, demo, open_database, Settings};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users: usize = std::env::var("BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let db = open_database(&url).await?;
    let password = "benchmark password 1";
    app::setup::create_organization(
        &db,
        app::setup::SetupInput {
            org_name: "Acme".into(),
            org_slug: "acme".into(),
            first_name: "Ada".into(),
            last_name: "Admin".into(),
            email: "admin@acme.example".into(),
            password: password.into(),
        },
        "bench",
        "",
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let t = Instant::now();
    demo::seed_scale(&db, "acme", users, 500, &mut |_| {}).await?;
    println!("seeded {users} users and 500 teams in {:.1} s", t.elapsed().as_secs_f64());

    let settings = Settings { database_url: url, bind: "127.0.0.1:0".parse()?, base_url: None, site_root: "target/site".into(), trust_proxy: false };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = build_app(&settings, db, addr).await?;
    tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await });
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let r = http
        .post(format!("{base}/api/sign_in"))
        .form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password)])
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "sign-in failed: {}", r.status());

    println!("{:<34} {:>9} {:>9} {:>9}", "Users page request", "median", "p95", "max");
    let cases = [
        ("first page (name A-Z)", serde_json::json!({"search": "", "account_type": "", "status": "active", "sort": "name", "page": 1})),
        ("search \"user4242\"", serde_json::json!({"search": "user4242", "account_type": "", "status": "active", "sort": "name", "page": 1})),
        ("search \"grace\" (name)", serde_json::json!({"search": "grace", "account_type": "", "status": "active", "sort": "name", "page": 1})),
        ("last sign-in sort, page 2", serde_json::json!({"search": "", "account_type": "", "status": "all", "sort": "-last_login", "page": 2})),
        ("page 1000", serde_json::json!({"search": "", "account_type": "", "status": "active", "sort": "name", "page": 1000})),
    ];
    for (name, query) in cases {
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            let r = http.post(format!("{base}/api/users")).json(&serde_json::json!({"org": "acme", "query": query})).send().await?;
            anyhow::ensure!(r.status().is_success(), "{name}: {}", r.status());
            let _ = r.bytes().await?;
            times.push(t.elapsed());
        }
        times.sort();
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        println!("{:<34} {:>9} {:>9} {:>9}", name, ms(times[rounds / 2]), ms(times[rounds * 95 / 100]), ms(times[rounds - 1]));
    }
    Ok(())
}

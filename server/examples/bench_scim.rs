//! SCIM load benchmark: 16 concurrent clients against Gatehouse on a fresh
//! SQLite file. Reports user creates per second, filtered GETs per second at
//! 100,000 users, and membership PATCHes per second, with p50 and p99.
//! Run: `make bench` (release build). BENCH_USERS, BENCH_CLIENTS, BENCH_SECONDS tune it.
use gatehouse_server::{build_app, demo, open_database, Settings};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// True when the answer has the expected status; the first few failures are printed.
async fn check(r: reqwest::Result<reqwest::Response>, want: u16) -> bool {
    static SHOWN: AtomicUsize = AtomicUsize::new(0);
    match r {
        // Read the whole answer, as an identity provider does (and so that the
        // connection is reused rather than closed with the body unread).
        Ok(r) if r.status().as_u16() == want => r.bytes().await.is_ok(),
        other => {
            if SHOWN.fetch_add(1, Ordering::Relaxed) < 3 {
                match other {
                    Ok(r) => eprintln!("unexpected {}: {}", r.status(), r.text().await.unwrap_or_default()),
                    Err(e) => eprintln!("request failed: {e}"),
                }
            }
            false
        }
    }
}

struct Report {
    name: &'static str,
    ok: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Report {
    fn print(&mut self) {
        self.latencies.sort();
        let pct = |p: usize| self.latencies.get((self.latencies.len() * p / 100).min(self.latencies.len().saturating_sub(1))).copied().unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{:<36} {:>9.0}/s {:>8.1} ms {:>8.1} ms {:>8}",
            self.name,
            self.ok as f64 / self.elapsed.as_secs_f64(),
            ms(pct(50)),
            ms(pct(99)),
            self.failed
        );
    }
}

/// Runs `clients` loops of `work(i)` for `seconds`, each returning success.
async fn load<F, Fut>(name: &'static str, clients: usize, seconds: u64, work: F) -> Report
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work = Arc::new(work);
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let work = work.clone();
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut failed, mut lat) = (0, 0, Vec::new());
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if work(i).await {
                    ok += 1;
                    lat.push(t.elapsed());
                } else {
                    failed += 1;
                }
            }
            (ok, failed, lat)
        }));
    }
    let mut r = Report { name, ok: 0, failed: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for t in tasks {
        let (ok, failed, lat) = t.await.expect("client task");
        r.ok += ok;
        r.failed += failed;
        r.latencies.extend(lat);
    }
    r.elapsed = start.elapsed();
    r
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users = env("BENCH_USERS", 100_000);
    let clients = env("BENCH_CLIENTS", 16);
    let seconds = env("BENCH_SECONDS", 10) as u64;
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let db = open_database(&url).await?;
    let setup = app::setup::create_organization(
        &db,
        app::setup::SetupInput {
            org_name: "Acme".into(),
            org_slug: "acme".into(),
            first_name: "Ada".into(),
            last_name: "Admin".into(),
            email: "admin@acme.example".into(),
            password: "benchmark password 1".into(),
        },
        "bench",
        "",
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    demo::seed_scale(&db, "acme", users, 500, &mut |_| {}).await?;
    let token = app::provisioning::create_token(&db, &setup.org, "bench", (&setup.admin_id, "admin@acme.example"), "bench", "")
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;

    let settings = Settings { database_url: url, bind: "127.0.0.1:0".parse()?, base_url: None, site_root: "target/site".into(), trust_proxy: false };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = build_app(&settings, db.clone(), addr).await?;
    tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await });
    let base = Arc::new(format!("http://{addr}/scim/v2"));
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let auth = Arc::new(format!("Bearer {token}"));
    println!("SQLite, {users} users, {clients} concurrent clients, {seconds} s each");
    println!("{:<36} {:>11} {:>11} {:>11} {:>8}", "SCIM operation", "throughput", "p50", "p99", "failed");

    let (h, b, a) = (http.clone(), base.clone(), auth.clone());
    load("POST /Users (create)", clients, seconds, move |i| {
        let (h, b, a) = (h.clone(), b.clone(), a.clone());
        async move {
            let body = serde_json::json!({"userName": format!("bench{i}@load.example"), "name": {"givenName": "Bench", "familyName": format!("{i}")}, "active": true});
            check(h.post(format!("{b}/Users")).header("authorization", a.as_str()).header("content-type", "application/scim+json").body(body.to_string()).send().await, 201).await
        }
    })
    .await
    .print();

    let (h, b, a) = (http.clone(), base.clone(), auth.clone());
    load("GET /Users?filter=userName eq …", clients, seconds, move |i| {
        let (h, b, a) = (h.clone(), b.clone(), a.clone());
        let n = i % users + 1;
        async move {
            let url = format!("{b}/Users?filter=userName%20eq%20%22user{n}%40acme.example%22");
            match h.get(url).header("authorization", a.as_str()).send().await {
                Ok(r) if r.status() == 200 => r.text().await.is_ok_and(|t| t.contains("\"totalResults\":1")),
                _ => false,
            }
        }
    })
    .await
    .print();

    // Membership: add then remove seeded users to and from 16 teams (200
    // members each at 100,000 users). The answer is the whole group (RFC 7644
    // §3.5.2), members included, as Okta and Entra get it; then the same with
    // `?excludedAttributes=members`, to show what listing the members costs.
    let teams: Vec<String> = sqlx::query_scalar("SELECT id FROM teams ORDER BY created_at LIMIT 16").fetch_all(&db).await?;
    let people: Vec<String> = sqlx::query_scalar("SELECT id FROM users ORDER BY created_at LIMIT 20000").fetch_all(&db).await?;
    let (teams, people) = (Arc::new(teams), Arc::new(people));
    for (name, query) in [("PATCH /Groups members add+remove", ""), ("  same, ?excludedAttributes=members", "?excludedAttributes=members")] {
        let (h, b, a, teams, people) = (http.clone(), base.clone(), auth.clone(), teams.clone(), people.clone());
        load(name, clients, seconds, move |i| {
            let (h, b, a, teams, people) = (h.clone(), b.clone(), a.clone(), teams.clone(), people.clone());
            async move {
                let team = &teams[i % teams.len()];
                let add = &people[i % people.len()];
                let remove = &people[(i + 7919) % people.len()];
                let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                    {"op": "add", "path": "members", "value": [{"value": add}]},
                    {"op": "remove", "path": format!("members[value eq \"{remove}\"]")}
                ]});
                check(h.patch(format!("{b}/Groups/{team}{query}")).header("authorization", a.as_str()).header("content-type", "application/scim+json").body(body.to_string()).send().await, 200).await
            }
        })
        .await
        .print();
    }
    Ok(())
}

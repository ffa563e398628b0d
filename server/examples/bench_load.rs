//! Load benchmark client: the Users page and the SCIM API of a running
//! Gatehouse, from a separate process, as a browser and an identity provider
//! reach it. `scripts/bench.sh` (`make bench`) starts Gatehouse on SQLite, on
//! PostgreSQL, and as two instances behind nginx, seeds 100,000 users, and runs
//! this against each.
//!
//! Environment: BENCH_URL (http://host:port), BENCH_TOKEN (a provisioning
//! token of "acme"), BENCH_PASSWORD (of admin@acme.example), BENCH_USERS (how
//! many seeded users, user1…userN@acme.example), BENCH_LABEL (this target's
//! name), BENCH_CLIENTS (16), BENCH_SECONDS (10), BENCH_ROUNDS (50),
//! BENCH_RESULTS (a file to append `label<TAB>measure<TAB>figure` lines to),
//! BENCH_ONLY (run only the measures whose key contains this text, such as
//! `patch` or `users`; for profiling one operation).
//!
//! BENCH_MODE=bulk measures a bulk load instead, on an organization with only
//! its admin: the Users page before, then BENCH_USERS people created over
//! SCIM into the running server (BENCH_CLIENTS at once), then the Users page
//! again at once — no restart — with its 95th percentile against the 30 ms goal.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn need(name: &str) -> anyhow::Result<String> {
    std::env::var(name).map_err(|_| anyhow::anyhow!("{name} is not set; run scripts/bench.sh (make bench)"))
}

/// The lines for the side-by-side summary.
struct Results {
    label: String,
    file: Option<std::fs::File>,
}

impl Results {
    fn add(&mut self, measure: &str, figure: String) {
        use std::io::Write;
        if let Some(f) = &mut self.file {
            let _ = writeln!(f, "{}\t{measure}\t{figure}", self.label);
        }
    }
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted.get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1))).copied().unwrap_or_default()
}

struct Report {
    ok: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// Runs `clients` loops of `work(i)` for `seconds`, each returning success.
async fn load<F, Fut>(clients: usize, seconds: u64, work: F) -> Report
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
    let mut r = Report { ok: 0, failed: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for t in tasks {
        let (ok, failed, lat) = t.await.expect("client task");
        r.ok += ok;
        r.failed += failed;
        r.latencies.extend(lat);
    }
    r.elapsed = start.elapsed();
    r.latencies.sort();
    r
}

impl Report {
    fn print(&self, name: &str, key: &str, results: &mut Results) {
        let rate = self.ok as f64 / self.elapsed.as_secs_f64();
        let (p50, p99) = (ms(percentile(&self.latencies, 50)), ms(percentile(&self.latencies, 99)));
        println!("{name:<38} {rate:>9.0}/s {p50:>8.1} ms {p99:>8.1} ms {:>8}", self.failed);
        results.add(&format!("{key} /s"), format!("{rate:.0}"));
        results.add(&format!("{key} p50 ms"), format!("{p50:.1}"));
        results.add(&format!("{key} p99 ms"), format!("{p99:.1}"));
        if self.failed > 0 {
            results.add(&format!("{key} failed"), self.failed.to_string());
        }
    }
}

/// The Users page for `query`, `rounds` requests one at a time: their times, sorted.
async fn users_page_times(browser: &reqwest::Client, base: &str, query: &serde_json::Value, rounds: usize, name: &str) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let r = browser.post(format!("{base}/api/users")).json(&serde_json::json!({"org": "acme", "query": query})).send().await?;
        anyhow::ensure!(r.status().is_success(), "{name}: {}", r.status());
        let _ = r.bytes().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times)
}

/// The Users page's first page and a search, `rounds` requests each, one at
/// a time: (median, p95) in ms of each.
async fn users_page(browser: &reqwest::Client, base: &str, rounds: usize, label: &str, results: &mut Results) -> anyhow::Result<()> {
    for (name, key, search) in [("first page", "first page", ""), ("search \"grace\"", "search", "grace"), ("search \"bulk4242\"", "search email", "bulk4242")] {
        let query = serde_json::json!({"search": search, "account_type": "", "status": "active", "sort": "name", "page": 1});
        let times = users_page_times(browser, base, &query, rounds, name).await?;
        let (median, p95) = (ms(times[rounds / 2]), ms(percentile(&times, 95)));
        let verdict = if p95 < 30.0 { "within 30 ms" } else { "OVER 30 ms" };
        println!("  {label:<22} {name:<22} median {median:>7.1} ms   p95 {p95:>7.1} ms   {verdict}");
        results.add(&format!("bulk: users {key} {label} p95 ms"), format!("{p95:.1}"));
    }
    Ok(())
}

/// BENCH_MODE=bulk (see the top of this file).
async fn bulk(base: &str, token: &str, password: &str, users: usize, clients: usize, label: &str, results: &mut Results) -> anyhow::Result<()> {
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    let r = browser.post(format!("{base}/api/sign_in")).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password)]).send().await?;
    anyhow::ensure!(r.status().is_success(), "sign-in failed: {}", r.status());
    println!("{label}: a bulk load of {users} people over SCIM into the running server, then the Users page at once");
    users_page(&browser, base, 50, "before", results).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, failed) = (http.clone(), next.clone(), failed.clone());
        let (url, auth) = (format!("{base}/scim/v2/Users"), format!("Bearer {token}"));
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= users {
                    break;
                }
                let first = ["grace", "ada", "alan", "edsger", "barbara", "donald", "frances", "ken"][i % 8];
                let body = serde_json::json!({"userName": format!("bulk{i}@acme.example"), "name": {"givenName": first, "familyName": format!("Bulk{i}")}, "active": true});
                let r = http.post(&url).header("authorization", &auth).header("content-type", "application/scim+json").body(body.to_string()).send().await;
                if !check(r, 201).await {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let took = started.elapsed();
    println!("  loaded {users} people in {:.1} s ({:.0}/s, {clients} clients), {} failed", took.as_secs_f64(), users as f64 / took.as_secs_f64(), failed.load(Ordering::Relaxed));
    results.add("bulk: SCIM creates /s", format!("{:.0}", users as f64 / took.as_secs_f64()));
    users_page(&browser, base, 100, "right after", results).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = need("BENCH_URL")?;
    let token = need("BENCH_TOKEN")?;
    let password = need("BENCH_PASSWORD")?;
    let users = env("BENCH_USERS", 100_000);
    let clients = env("BENCH_CLIENTS", 16);
    let seconds = env("BENCH_SECONDS", 10) as u64;
    let rounds = env("BENCH_ROUNDS", 50).max(1);
    let label = std::env::var("BENCH_LABEL").unwrap_or_else(|_| "gatehouse".into());
    let file = match std::env::var("BENCH_RESULTS") {
        Ok(p) => Some(std::fs::OpenOptions::new().create(true).append(true).open(p)?),
        Err(_) => None,
    };
    let mut results = Results { label: label.clone(), file };
    if std::env::var("BENCH_MODE").as_deref() == Ok("bulk") {
        return bulk(&base, &token, &password, users, clients.max(1), &label, &mut results).await;
    }
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let wanted = |key: &str| key.contains(only.as_str());

    // The Users page: an admin's browser calls the `users` server function.
    let browser = reqwest::Client::builder().cookie_store(true).build()?;
    let r = browser.post(format!("{base}/api/sign_in")).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password.as_str())]).send().await?;
    anyhow::ensure!(r.status().is_success(), "sign-in failed: {}", r.status());
    if wanted("users") {
        println!("{label}: Users page at {users} users ({rounds} requests each, one at a time)");
        println!("{:<38} {:>11} {:>11} {:>11}", "Users page request", "median", "p95", "max");
    }
    let cases = [
        ("first page (name A-Z)", "users first page", serde_json::json!({"search": "", "account_type": "", "status": "active", "sort": "name", "page": 1})),
        ("search \"user4242\"", "users search email", serde_json::json!({"search": "user4242", "account_type": "", "status": "active", "sort": "name", "page": 1})),
        ("search \"grace\" (name)", "users search name", serde_json::json!({"search": "grace", "account_type": "", "status": "active", "sort": "name", "page": 1})),
        ("last sign-in sort, page 2", "users last sign-in sort", serde_json::json!({"search": "", "account_type": "", "status": "all", "sort": "-last_login", "page": 2})),
        ("page 1000", "users page 1000", serde_json::json!({"search": "", "account_type": "", "status": "active", "sort": "name", "page": 1000})),
    ];
    for (name, key, query) in cases.into_iter().filter(|c| wanted(c.1)) {
        let times = users_page_times(&browser, &base, &query, rounds, name).await?;
        let (median, p95, max) = (ms(times[rounds / 2]), ms(percentile(&times, 95)), ms(times[rounds - 1]));
        println!("{name:<38} {median:>8.1} ms {p95:>8.1} ms {max:>8.1} ms");
        results.add(&format!("{key} median ms"), format!("{median:.1}"));
    }

    // SCIM, as an identity provider: 16 clients at once.
    let scim = Arc::new(format!("{base}/scim/v2"));
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let auth = Arc::new(format!("Bearer {token}"));
    println!();
    println!("{label}: SCIM, {clients} concurrent clients, {seconds} s each");
    println!("{:<38} {:>11} {:>11} {:>11} {:>8}", "SCIM operation", "throughput", "p50", "p99", "failed");

    if wanted("scim create") {
        // userNames unique to this run, so runs can share a database.
        let run = format!("{}-{}", label.replace(|c: char| !c.is_ascii_alphanumeric(), ""), std::process::id());
        let (h, b, a, run2) = (http.clone(), scim.clone(), auth.clone(), Arc::new(run));
        load(clients, seconds, move |i| {
            let (h, b, a, run) = (h.clone(), b.clone(), a.clone(), run2.clone());
            async move {
                let body = serde_json::json!({"userName": format!("bench{i}-{run}@load.example"), "name": {"givenName": "Bench", "familyName": format!("{i}")}, "active": true});
                check(h.post(format!("{b}/Users")).header("authorization", a.as_str()).header("content-type", "application/scim+json").body(body.to_string()).send().await, 201).await
            }
        })
        .await
        .print("POST /Users (create)", "scim create", &mut results);
    }

    if wanted("scim filtered get") {
        let (h, b, a) = (http.clone(), scim.clone(), auth.clone());
        load(clients, seconds, move |i| {
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
        .print("GET /Users?filter=userName eq …", "scim filtered get", &mut results);
    }

    // Membership: add then remove seeded users to and from 16 teams (200
    // members each at 100,000 users). The answer is the whole group (RFC 7644
    // §3.5.2), members included, as Okta and Entra get it; then the same with
    // `?excludedAttributes=members`, to show what listing the members costs.
    let ids = |v: serde_json::Value| -> Vec<String> { v["Resources"].as_array().map(|a| a.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect()).unwrap_or_default() };
    let teams = ids(http.get(format!("{scim}/Groups?count=16&excludedAttributes=members")).header("authorization", auth.as_str()).send().await?.json().await?);
    let mut people = Vec::new();
    for page in 0..10 {
        let url = format!("{scim}/Users?startIndex={}&count=200&attributes=id", page * 200 + 2);
        people.extend(ids(http.get(url).header("authorization", auth.as_str()).send().await?.json().await?));
    }
    anyhow::ensure!(teams.len() == 16 && people.len() > 1000, "the organization needs 16 teams and 1,000 users (found {} and {})", teams.len(), people.len());
    let (teams, people) = (Arc::new(teams), Arc::new(people));
    for (name, key, query) in
        [("PATCH /Groups members add+remove", "scim membership patch", ""), ("  same, ?excludedAttributes=members", "scim membership patch (no members)", "?excludedAttributes=members")]
            .into_iter()
            .filter(|c| wanted(c.1))
    {
        let (h, b, a, teams, people) = (http.clone(), scim.clone(), auth.clone(), teams.clone(), people.clone());
        load(clients, seconds, move |i| {
            let (h, b, a, teams, people) = (h.clone(), b.clone(), a.clone(), teams.clone(), people.clone());
            async move {
                let team = &teams[i % teams.len()];
                let add = &people[i % people.len()];
                let remove = &people[(i + 797) % people.len()];
                let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                    {"op": "add", "path": "members", "value": [{"value": add}]},
                    {"op": "remove", "path": format!("members[value eq \"{remove}\"]")}
                ]});
                check(h.patch(format!("{b}/Groups/{team}{query}")).header("authorization", a.as_str()).header("content-type", "application/scim+json").body(body.to_string()).send().await, 200).await
            }
        })
        .await
        .print(name, key, &mut results);
    }
    Ok(())
}

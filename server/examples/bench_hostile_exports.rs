//! Benchmark: exports under hostile load, from a separate process, as in
//! `make bench` (scripts/bench.sh). While BENCH_STALLED (40) PDF downloads of
//! a BENCH_EXPORT_ROWS-row (20,000) document stay open and are never read, an
//! admin lists Users (the first page, one request at a time) and the identity
//! provider looks people up by userName (4 clients at once): their p50, p99
//! and slowest answer, and how many failed, first without the downloads, then
//! with them. Every answer counts, failed ones too (a request that waited
//! 10 s for the database and failed is a 10 s answer to the person waiting).
//!
//! `bench_hostile_exports prepare` adds what it needs to the organization
//! "acme" of BENCH_DATABASE_URL before the server starts: the dataset, and
//! BENCH_DOWNLOADERS (14) Creators downloader1…N@acme.example (password
//! BENCH_PASSWORD), each with a document of every column. Without an
//! argument it measures the server at BENCH_URL (BENCH_TOKEN, BENCH_PASSWORD,
//! BENCH_USERS, BENCH_SECONDS, BENCH_LABEL, BENCH_RESULTS as for bench_load).
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn need(name: &str) -> anyhow::Result<String> {
    std::env::var(name).map_err(|_| anyhow::anyhow!("{name} is not set; run scripts/bench.sh (make bench)"))
}

const TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("prepare") => prepare().await,
        None => measure().await,
        Some(other) => anyhow::bail!("unknown argument {other}: use `prepare` or nothing"),
    }
}

async fn prepare() -> anyhow::Result<()> {
    use app::domain::permissions::BuiltIn;
    let db = gatehouse_server::open_database(&need("BENCH_DATABASE_URL")?).await?;
    let password = need("BENCH_PASSWORD")?;
    let rows = env("BENCH_EXPORT_ROWS", 20_000) as u64;
    let people = env("BENCH_DOWNLOADERS", 14);
    let org = app::store::orgs::by_slug(&db, "acme").await?.ok_or_else(|| anyhow::anyhow!("no organization acme"))?;
    let dataset = gatehouse_server::demo_data::orders_dataset(&db, &org.id, rows).await?;
    let creator = app::store::account_types::built_in(&db, &org.id, BuiltIn::Creator).await?;
    let hash = app::service::passwords::hash(password).await.map_err(|e| anyhow::anyhow!(e.message))?;
    let view = app::domain::documents::TableView { columns: gatehouse_server::demo_data::all_columns(), filters: vec![], sort: None };
    for i in 1..=people {
        let id = app::store::new_id();
        let email = app::domain::Email::parse("email", &format!("downloader{i}@acme.example")).map_err(|e| anyhow::anyhow!(e.message))?;
        app::store::users::insert(
            &db,
            app::store::users::NewUser {
                id: &id,
                org_id: &org.id,
                email: &email,
                first_name: "Down",
                last_name: &format!("Loader {i}"),
                account_type_id: &creator.id,
                password_hash: Some(&hash),
                invite_pending: false,
                is_guest: false,
            },
        )
        .await?;
        app::store::documents::insert(&db, app::store::documents::NewDocument { org_id: &org.id, name: "All orders", dataset_id: &dataset, view: &view, owner_id: &id, team_id: None }).await?;
    }
    eprintln!("    added a {rows}-row dataset and {people} downloaders with a document each");
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted.get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1))).copied().unwrap_or_default()
}

/// Answer times of one kind of request, failed ones included.
#[derive(Default)]
struct Times {
    all: Vec<Duration>,
    failed: usize,
}

impl Times {
    fn add(&mut self, t: Duration, ok: bool) {
        self.all.push(t);
        self.failed += usize::from(!ok);
    }
    fn summary(&mut self) -> (f64, f64, f64) {
        self.all.sort();
        (ms(percentile(&self.all, 50)), ms(percentile(&self.all, 99)), ms(self.all.last().copied().unwrap_or_default()))
    }
}

struct Target {
    base: String,
    token: String,
    users: usize,
    admin: reqwest::Client,
    idp: reqwest::Client,
}

/// For `seconds`: one admin lists Users, four identity provider clients look people up.
async fn load(t: &Arc<Target>, seconds: u64) -> (Times, Times) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let admin = {
        let t = t.clone();
        tokio::spawn(async move {
            let mut times = Times::default();
            let query = serde_json::json!({"org": "acme", "query": {"search": "", "account_type": "", "status": "active", "sort": "name", "page": 1}});
            while Instant::now() < deadline {
                let start = Instant::now();
                let ok = match t.admin.post(format!("{}/api/users", t.base)).json(&query).timeout(TIMEOUT).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                times.add(start.elapsed(), ok);
            }
            times
        })
    };
    let mut idps = Vec::new();
    for c in 0..4 {
        let t = t.clone();
        idps.push(tokio::spawn(async move {
            let mut times = Times::default();
            let mut i = c * 7919;
            while Instant::now() < deadline {
                i += 1;
                let n = i % t.users + 1;
                let url = format!("{}/scim/v2/Users?filter=userName%20eq%20%22user{n}%40acme.example%22", t.base);
                let start = Instant::now();
                let ok = match t.idp.get(url).bearer_auth(&t.token).timeout(TIMEOUT).send().await {
                    Ok(r) => r.status().is_success() && r.text().await.is_ok_and(|b| b.contains("\"totalResults\":1")),
                    Err(_) => false,
                };
                times.add(start.elapsed(), ok);
            }
            times
        }));
    }
    let users = admin.await.expect("admin client");
    let mut scim = Times::default();
    for h in idps {
        let t = h.await.expect("SCIM client");
        scim.all.extend(t.all);
        scim.failed += t.failed;
    }
    (users, scim)
}

/// Signs a person in; their session cookie.
async fn sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let r = reqwest::Client::new().post(format!("{base}/api/sign_in")).form(&[("org", "acme"), ("email", email), ("password", password)]).send().await?;
    anyhow::ensure!(r.status().is_success(), "{email} could not sign in: {}", r.status());
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.strip_prefix("gatehouse_session=")?.split(';').next().map(str::to_string))
        .next()
        .ok_or_else(|| anyhow::anyhow!("no session cookie for {email}"))
}

/// Opens a download of `doc` and reads only its status line and headers.
async fn stalled_download(addr: std::net::SocketAddr, cookie: &str, doc: &str) -> anyhow::Result<(u16, tokio::net::TcpStream)> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(16 * 1024)?;
    let mut s = socket.connect(addr).await?;
    s.write_all(format!("GET /acme/documents/{doc}/export.pdf HTTP/1.1\r\nHost: {addr}\r\nCookie: gatehouse_session={cookie}\r\n\r\n").as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tokio::time::timeout(TIMEOUT, s.read_exact(&mut byte)).await??;
        head.push(byte[0]);
    }
    let status = String::from_utf8_lossy(&head).split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, s))
}

async fn measure() -> anyhow::Result<()> {
    let base = need("BENCH_URL")?;
    let password = need("BENCH_PASSWORD")?;
    let seconds = env("BENCH_SECONDS", 10) as u64;
    let stalled_count = env("BENCH_STALLED", 40);
    let people = env("BENCH_DOWNLOADERS", 14);
    let label = std::env::var("BENCH_LABEL").unwrap_or_else(|_| "gatehouse".into());
    let mut results = match std::env::var("BENCH_RESULTS") {
        Ok(p) => Some(std::fs::OpenOptions::new().create(true).append(true).open(p)?),
        Err(_) => None,
    };
    let mut add = |measure: &str, figure: String| {
        use std::io::Write;
        if let Some(f) = &mut results {
            let _ = writeln!(f, "{label}\t{measure}\t{figure}");
        }
    };

    let admin = reqwest::Client::builder().cookie_store(true).build()?;
    let r = admin.post(format!("{base}/api/sign_in")).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password.as_str())]).send().await?;
    anyhow::ensure!(r.status().is_success(), "admin sign-in failed: {}", r.status());
    let target = Arc::new(Target { base: base.clone(), token: need("BENCH_TOKEN")?, users: env("BENCH_USERS", 100_000), admin, idp: reqwest::Client::new() });

    // Each downloader's session and document.
    let mut downloaders = Vec::new();
    for i in 1..=people {
        let cookie = sign_in(&base, &format!("downloader{i}@acme.example"), &password).await?;
        let home: serde_json::Value =
            reqwest::Client::new().post(format!("{base}/api/documents")).header("cookie", format!("gatehouse_session={cookie}")).form(&[("org", "acme")]).send().await?.json().await?;
        let doc = home["mine"][0]["id"].as_str().ok_or_else(|| anyhow::anyhow!("downloader{i} has no document; run `bench_hostile_exports prepare` first"))?.to_string();
        downloaders.push((cookie, doc));
    }

    println!("{label}: exports under hostile load ({stalled_count} PDF downloads never read; Users page by one admin, SCIM look-ups by 4 clients, {seconds} s each)");
    println!("{:<44} {:>9} {:>9} {:>9} {:>7} {:>7}", "", "p50", "p99", "max", "answers", "failed");
    let row = |name: &str, t: &mut Times| {
        let (p50, p99, max) = t.summary();
        println!("{name:<44} {p50:>6.1} ms {p99:>6.1} ms {max:>6.0} ms {:>7} {:>7}", t.all.len(), t.failed);
        (p99, t.failed)
    };
    let (mut users, mut scim) = load(&target, seconds).await;
    let quiet = [row("Users page, quiet", &mut users), row("SCIM look-up, quiet", &mut scim)];

    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse()?;
    let opened = (0..stalled_count).map(|i| {
        let (cookie, doc) = downloaders[i % downloaders.len()].clone();
        async move { stalled_download(addr, &cookie, &doc).await }
    });
    let mut stalled = Vec::new();
    let (mut running, mut refused, mut other) = (0, 0, 0);
    for d in futures_util::future::join_all(opened).await {
        match d {
            Ok((200, s)) => {
                running += 1;
                stalled.push(s);
            }
            Ok((429, s)) => {
                refused += 1;
                stalled.push(s);
            }
            Ok((_, s)) => {
                other += 1;
                stalled.push(s);
            }
            Err(e) => {
                other += 1;
                eprintln!("a download failed to start: {e}");
            }
        }
    }
    println!("{stalled_count} downloads opened: {running} running (200), {refused} refused (429), {other} other");
    let (mut users, mut scim) = load(&target, seconds).await;
    let hostile = [row(&format!("Users page, {stalled_count} downloads unread"), &mut users), row(&format!("SCIM look-up, {stalled_count} downloads unread"), &mut scim)];
    drop(stalled);
    let health = reqwest::Client::new().get(format!("{base}/healthz")).timeout(TIMEOUT).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
    println!("after the downloads were closed: /healthz {health}");

    for ((name, (p99, failed)), (_, (hp99, hfailed))) in ["Users page", "SCIM look-up"].into_iter().zip(quiet).zip(["Users page", "SCIM look-up"].into_iter().zip(hostile)) {
        add(&format!("hostile: {name} p99 ms, quiet"), format!("{p99:.1}"));
        add(&format!("hostile: {name} p99 ms, {stalled_count} unread downloads"), format!("{hp99:.1}"));
        if failed + hfailed > 0 {
            add(&format!("hostile: {name} failed, quiet / unread downloads"), format!("{failed} / {hfailed}"));
        }
    }
    add("hostile: downloads running / refused", format!("{running} / {refused}"));
    Ok(())
}

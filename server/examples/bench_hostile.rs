//! Hostile-load benchmark client (`make bench`, its "hostile" section): what
//! a running Gatehouse does when someone pushes on it.
//!
//! 1. 500 wrong-password sign-ins sent at once from one address: the
//!    server's peak resident memory (VmHWM of BENCH_PID) and how long
//!    `/healthz` takes meanwhile.
//! 2. An identity provider creating people (8 clients, BENCH_SECONDS) while
//!    people sign in and out (4 browsers that signed in once before the
//!    burst, so they keep their device cookie, as people's browsers do):
//!    answers that are not 2xx.
//! 3. Clients that hang up: 800 wrong-password sign-ins, 20 from each of 40
//!    loopback addresses (127.0.0.2–127.0.0.41), each client closing its
//!    connection 20 ms after sending: the server's peak memory during the
//!    burst (VmHWM, reset before it), `/healthz` meanwhile, and a correct
//!    sign-in right after (its status and time).
//! 4. Withheld bodies: connections that send a request's headers and part of
//!    its body, then nothing (BENCH_HELD, 1,000): how many the server holds at
//!    once, whether `/healthz` still answers, and how long until it lets them
//!    go (its request timeout, BENCH_REQUEST_TIMEOUT seconds, 60 by default).
//! 5. "Forgot password?" for emails with an account (people part 2 created)
//!    and without, alternating, each request from its own loopback address:
//!    the median and 90th percentile answer of each, which must not tell them
//!    apart. The server must have mail set up (bench.sh points it at a port
//!    where no mail server listens: the links wait in the outbox).
//!
//! Environment: BENCH_URL, BENCH_PID (the server's process id), BENCH_TOKEN (a
//! provisioning token of "acme"), BENCH_PASSWORD (of admin@acme.example),
//! BENCH_SECONDS (10). No figure here is asserted by a test: this machine is noisy.
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn need(name: &str) -> anyhow::Result<String> {
    std::env::var(name).map_err(|_| anyhow::anyhow!("{name} is not set; run scripts/bench.sh (make bench)"))
}

/// A value of /proc/PID/status in MB (VmRSS, VmHWM).
fn memory_mb(pid: &str, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = need("BENCH_URL")?;
    let pid = need("BENCH_PID")?;
    let token = need("BENCH_TOKEN")?;
    let password = need("BENCH_PASSWORD")?;
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let http = reqwest::Client::builder().pool_max_idle_per_host(600).build()?;

    // The browsers of part 2 signed in here before (their device cookie lets
    // them through while the address is over its limit, as it is after the burst).
    let mut browsers = Vec::new();
    for _ in 0..4 {
        let jar = reqwest::Client::builder().cookie_store(true).build()?;
        let r = jar.post(format!("{url}/api/sign_in")).header("origin", &url).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password.as_str())]).send().await?;
        anyhow::ensure!(r.status().is_success(), "the admin's first sign-in answered {}", r.status());
        jar.post(format!("{url}/api/sign_out")).header("origin", &url).form(&[("org", "acme")]).send().await?;
        browsers.push(jar);
    }

    // 1. The sign-in burst.
    let before = memory_mb(&pid, "VmRSS");
    let done = Arc::new(AtomicBool::new(false));
    let health = {
        let (http, url, done) = (http.clone(), url.clone(), done.clone());
        tokio::spawn(async move {
            let mut took = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = http.get(format!("{url}/healthz")).send().await.map(|r| r.status().is_success()).unwrap_or(false);
                took.push((t.elapsed(), ok));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            took
        })
    };
    let started = Instant::now();
    let burst: Vec<_> = (0..500)
        .map(|i| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move {
                http.post(format!("{url}/api/sign_in"))
                    .header("origin", &url)
                    .form(&[("org", "acme"), ("email", format!("guess{i}@acme.example").as_str()), ("password", "a wrong guess")])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for b in burst {
        *statuses.entry(b.await?).or_insert(0usize) += 1;
    }
    let burst_took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let health = health.await?;
    let mut latencies: Vec<Duration> = health.iter().map(|(d, _)| *d).collect();
    latencies.sort();
    let failed_health = health.iter().filter(|(_, ok)| !ok).count();
    println!("500 wrong-password sign-ins at once from one address ({:.1} s):", burst_took.as_secs_f64());
    println!("  answers: {}", statuses.iter().map(|(s, n)| format!("{n}× {s}")).collect::<Vec<_>>().join(", "));
    println!("  server memory: {before:.0} MB before, peak {:.0} MB (VmHWM)", memory_mb(&pid, "VmHWM"));
    println!(
        "  /healthz meanwhile: {} checks, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {failed_health} failed",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    );

    // 2. SCIM creates while people sign in and out.
    let stop = Instant::now() + Duration::from_secs(seconds);
    let created = Arc::new(AtomicUsize::new(0));
    let bad = Arc::new(AtomicUsize::new(0));
    let signed_in = Arc::new(AtomicUsize::new(0));
    let mut work = Vec::new();
    for c in 0..8 {
        let (http, url, token, created, bad) = (http.clone(), url.clone(), token.clone(), created.clone(), bad.clone());
        work.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < stop {
                let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("hostile{c}-{i}@acme.example"), "active": true});
                match http.post(format!("{url}/scim/v2/Users")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        created.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => {
                        bad.fetch_add(1, Ordering::Relaxed);
                        eprintln!("SCIM create answered {}: {}", r.status(), r.text().await.unwrap_or_default());
                    }
                    Err(e) => {
                        bad.fetch_add(1, Ordering::Relaxed);
                        eprintln!("SCIM create failed: {e}");
                    }
                }
                i += 1;
            }
        }));
    }
    for jar in browsers {
        let (url, password, signed_in, bad) = (url.clone(), password.clone(), signed_in.clone(), bad.clone());
        work.push(tokio::spawn(async move {
            while Instant::now() < stop {
                let r = jar.post(format!("{url}/api/sign_in")).header("origin", &url).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password.as_str())]).send().await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        signed_in.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => {
                        bad.fetch_add(1, Ordering::Relaxed);
                        eprintln!("sign-in answered {}: {}", r.status(), r.text().await.unwrap_or_default());
                    }
                    Err(e) => {
                        bad.fetch_add(1, Ordering::Relaxed);
                        eprintln!("sign-in failed: {e}");
                    }
                }
                let _ = jar.post(format!("{url}/api/sign_out")).header("origin", &url).form(&[("org", "acme")]).send().await;
            }
        }));
    }
    for w in work {
        w.await?;
    }
    println!(
        "SCIM creates while people sign in and out ({seconds} s): {} created ({:.0}/s), {} sign-ins, {} answers that were not 2xx",
        created.load(Ordering::Relaxed),
        created.load(Ordering::Relaxed) as f64 / seconds as f64,
        signed_in.load(Ordering::Relaxed),
        bad.load(Ordering::Relaxed)
    );

    hang_ups(&url, &pid, &password).await?;
    withheld_bodies(&url).await?;
    forgot_timing(&url).await?;
    Ok(())
}

/// `/healthz` every 20 ms until `done`: (latency, answered 200).
fn watch_health(http: reqwest::Client, url: String, done: Arc<AtomicBool>) -> tokio::task::JoinHandle<Vec<(Duration, bool)>> {
    tokio::spawn(async move {
        let mut took = Vec::new();
        while !done.load(Ordering::Relaxed) {
            let t = Instant::now();
            let ok = http.get(format!("{url}/healthz")).timeout(Duration::from_secs(10)).send().await.map(|r| r.status().is_success()).unwrap_or(false);
            took.push((t.elapsed(), ok));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        took
    })
}

fn health_line(health: &[(Duration, bool)]) -> String {
    let mut latencies: Vec<Duration> = health.iter().map(|(d, _)| *d).collect();
    latencies.sort();
    format!(
        "{} checks, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} failed",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
        health.iter().filter(|(_, ok)| !ok).count()
    )
}

/// Part 3: sign-ins whose clients hang up 20 ms after sending.
async fn hang_ups(url: &str, pid: &str, password: &str) -> anyhow::Result<()> {
    // The peak so far is part 1's: start this burst's from the memory in use now.
    let reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    let before = memory_mb(pid, "VmRSS");
    let done = Arc::new(AtomicBool::new(false));
    let health = watch_health(reqwest::Client::new(), url.to_string(), done.clone());
    let started = Instant::now();
    let mut burst = Vec::new();
    for a in 0..40u8 {
        let client = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, a + 2])).pool_max_idle_per_host(0).build()?;
        for i in 0..20 {
            let (client, url) = (client.clone(), url.to_string());
            burst.push(tokio::spawn(async move {
                let send = client
                    .post(format!("{url}/api/sign_in"))
                    .header("origin", &url)
                    .form(&[("org", "acme"), ("email", format!("hangup{a}-{i}@acme.example").as_str()), ("password", "a wrong guess")])
                    .send();
                // The client hangs up 20 ms after sending.
                tokio::time::timeout(Duration::from_millis(20), send).await.is_err()
            }));
        }
    }
    let mut hung_up = 0;
    for b in burst {
        hung_up += usize::from(b.await?);
    }
    let sent_in = started.elapsed();
    // The work the clients left keeps running; wait until the server is idle again.
    let idle = Instant::now();
    // From an address of its own: 127.0.0.1 is over its sign-in limit since
    // part 1, and a 429 here should mean "busy", not "limited".
    let http = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 42])).build()?;
    let (status, took) = loop {
        let t = Instant::now();
        let r = http.post(format!("{url}/api/sign_in")).header("origin", url).form(&[("org", "acme"), ("email", "admin@acme.example"), ("password", password)]).send().await?;
        let status = r.status().as_u16();
        if status != 429 || idle.elapsed() > Duration::from_secs(60) {
            break (status, t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    done.store(true, Ordering::Relaxed);
    let health = health.await?;
    println!("800 wrong-password sign-ins from 40 addresses, each client hanging up 20 ms after sending ({:.1} s to send):", sent_in.as_secs_f64());
    println!("  {hung_up} of 800 hung up before their answer");
    println!(
        "  server memory: {before:.0} MB before, peak {:.0} MB during the burst (VmHWM{})",
        memory_mb(pid, "VmHWM"),
        if reset { ", reset before it" } else { "; could not be reset: the process's peak" }
    );
    println!("  /healthz meanwhile: {}", health_line(&health));
    println!("  a correct sign-in right after: {status} in {:.0} ms ({:.1} s after the burst was sent)", took.as_secs_f64() * 1000.0, idle.elapsed().as_secs_f64());
    Ok(())
}

/// Part 4: connections that withhold their request's body.
async fn withheld_bodies(url: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let want: usize = std::env::var("BENCH_HELD").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let timeout: u64 = std::env::var("BENCH_REQUEST_TIMEOUT").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let addr = url.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..want {
        match tokio::net::TcpStream::connect(&addr).await {
            Ok(mut c) => {
                let head = format!("POST /api/login_info HTTP/1.1\r\nHost: {addr}\r\nOrigin: {url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\norg=");
                if c.write_all(head.as_bytes()).await.is_ok() {
                    held.push(c);
                } else {
                    refused += 1;
                }
            }
            Err(_) => refused += 1,
        }
    }
    let done = Arc::new(AtomicBool::new(false));
    let health = watch_health(reqwest::Client::new(), url.to_string(), done.clone());
    // How long each is held: until the server closes it.
    let mut closes = Vec::new();
    for mut c in held {
        closes.push(tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let limit = Duration::from_secs(timeout * 3 / 2 + 30);
            let r = tokio::time::timeout(limit, async {
                loop {
                    match c.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            })
            .await;
            r.is_ok().then(|| started.elapsed())
        }));
    }
    let mut let_go = Vec::new();
    let mut still_open = 0;
    for c in closes {
        match c.await? {
            Some(d) => let_go.push(d),
            None => still_open += 1,
        }
    }
    done.store(true, Ordering::Relaxed);
    let health = health.await?;
    let_go.sort();
    println!("{want} connections that send a request's headers and 4 bytes of its 100-byte body, then nothing:");
    println!("  held at once: {} ({refused} could not connect or send)", let_go.len() + still_open);
    println!(
        "  let go by the server after: min {:.1} s, median {:.1} s, max {:.1} s (request timeout {timeout} s); {still_open} still open at the end",
        let_go.first().map(|d| d.as_secs_f64()).unwrap_or(0.0),
        percentile(&let_go, 0.5) / 1000.0,
        let_go.last().map(|d| d.as_secs_f64()).unwrap_or(0.0)
    );
    println!("  /healthz while they were held: {}", health_line(&health));
    Ok(())
}

/// Part 5 (see the top of this file).
async fn forgot_timing(url: &str) -> anyhow::Result<()> {
    let rounds = 40u8;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // Part 2's eight clients each created people hostile{c}-0, -1, …
        let with_account = format!("hostile{}-{}@acme.example", i % 8, i / 8);
        let without = format!("nobody{i}@acme.example");
        for (j, (email, into)) in [(with_account, &mut known), (without, &mut unknown)].into_iter().enumerate() {
            let client = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 1, i * 2 + j as u8 + 2])).build()?;
            let started = Instant::now();
            let r = client.post(format!("{url}/api/forgot_password")).header("origin", url).form(&[("org", "acme"), ("email", email.as_str())]).send().await?;
            let took = started.elapsed();
            anyhow::ensure!(r.status().is_success(), "forgot password for {email} answered {}: {}", r.status(), r.text().await.unwrap_or_default());
            into.push(took);
            // The link's work runs after the answer: let it end before the next request.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    known.sort();
    unknown.sort();
    println!("\"Forgot password?\", {rounds} emails with an account and {rounds} without, alternating:");
    println!("  with an account: median {:.1} ms, p90 {:.1} ms", percentile(&known, 0.5), percentile(&known, 0.9));
    println!("  without:         median {:.1} ms, p90 {:.1} ms", percentile(&unknown, 0.5), percentile(&unknown, 0.9));
    Ok(())
}

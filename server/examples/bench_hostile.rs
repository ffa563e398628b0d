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
    Ok(())
}

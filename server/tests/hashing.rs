//! Password hashing is bounded: at most a few hashes at once in a process,
//! and a request that cannot get a turn soon is told to come back (429 with
//! Retry-After) instead of queueing 19 MiB and a thread each. Its own test
//! binary (server/Cargo.toml): it sets the process's limit to one hash and no
//! wait, which counts only before anything in the process has hashed.
mod common;

use app::service::passwords::{configure, Limit};
use common::*;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_sign_ins_is_answered_busy_instead_of_piling_up() {
    configure(Limit { permits: 1, wait: Duration::ZERO });
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    // 60 wrong passwords at once, for different people from different addresses
    // (no sign-in limit applies to any of them).
    let burst = (0..60).map(|i| {
        let (http, base) = (app.http.clone(), app.base.clone());
        tokio::spawn(async move {
            let res = http
                .post(format!("{base}/api/sign_in"))
                .header("origin", &base)
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .form(&[("org", "acme"), ("email", format!("person{i}@acme.example").as_str()), ("password", "a wrong guess")])
                .send()
                .await
                .unwrap();
            let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
            (res.status(), retry, res.text().await.unwrap())
        })
    });
    let mut busy = 0;
    for b in burst.collect::<Vec<_>>() {
        let (status, retry, body) = b.await.unwrap();
        match status {
            StatusCode::BAD_REQUEST => {}
            StatusCode::TOO_MANY_REQUESTS => {
                busy += 1;
                assert_eq!(retry.as_deref(), Some("2"), "{body}");
                assert!(body.contains("busy checking other passwords"), "{body}");
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert!(busy > 0, "with one hash at a time and no wait, a burst of 60 cannot all be checked");
    // A refused attempt did not count: the same person, alone, is checked.
    let res = app
        .http
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", &app.base)
        .header("x-forwarded-for", "198.51.100.200")
        .form(&[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

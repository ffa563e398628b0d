//! Password hashing, counted and bounded, in a test binary of its own
//! (server/Cargo.toml): its tests read the process's count of hashes, which
//! other tests would move, and set the process's limit, which counts only
//! before anything in the process has hashed. They run one at a time.
//! - Requests that cannot succeed are refused before any hashing.
//! - At most a few hashes run at once, and a request that cannot get a turn
//!   soon is told to come back (429 with Retry-After) instead of queueing
//!   19 MiB and a thread each.
mod common;

use app::service::passwords::{configure, hashed, Limit};
use common::*;
use reqwest::StatusCode;
use std::time::Duration;

/// Held by each test for its whole run.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One hash at a time and no wait, for the whole process (set before anything hashes).
fn one_hash_at_a_time() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| configure(Limit { permits: 1, wait: Duration::ZERO }));
}

#[tokio::test]
async fn nothing_is_hashed_for_a_link_or_a_setup_that_cannot_succeed() {
    one_hash_at_a_time();
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let start = hashed();
    let form = [("org_name", "Acme"), ("org_slug", "acme"), ("first_name", "Ada"), ("last_name", "Admin"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("password_confirm", ADMIN_PASSWORD)];
    let mut wrong = form.to_vec();
    wrong.push(("setup_code", "WRNG-CODE"));
    let (st, e) = error_of(app.call(&mut Session::default(), "run_setup", &wrong).await).await;
    assert_eq!((st, e.field.as_deref()), (StatusCode::BAD_REQUEST, Some("setup_code")));
    assert_eq!(hashed(), start, "a wrong setup code is refused before the password is hashed");
    app.setup_acme().await;
    assert_eq!(hashed(), start + 1, "the setup hashes the first admin's password, once");
    let (st, _) = error_of(app.call(&mut Session::default(), "run_setup", &[form.as_slice(), &[("setup_code", "ABCD-EFGH")]].concat()).await).await;
    assert_eq!(st, StatusCode::CONFLICT, "set up already");
    let accept = [("org", "acme"), ("token", "no-such-link"), ("password", "a fine new password"), ("password_confirm", "a fine new password")];
    let (st, _) = error_of(app.call(&mut Session::default(), "accept_invitation", &accept).await).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(hashed(), start + 1, "a second setup and an unknown invitation link hash nothing");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'org.setup'").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_sign_ins_is_answered_busy_instead_of_piling_up() {
    one_hash_at_a_time();
    let _turn = ONE_AT_A_TIME.lock().await;
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
